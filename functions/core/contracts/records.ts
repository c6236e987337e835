import type { ContractEvent, ContractParty, ContractState, ContractStatus, IsoDate } from './contract';

/** What a list of contracts shows of each, kept beside its events. */
export interface ContractSummary {
  contractId: string;
  title?: string;
  status: ContractStatus;
  parties: ContractParty[];
  startDate: IsoDate;
  /** The last day of the current period. */
  endDate: IsoDate;
  renews: boolean;
  noticeDeadline: IsoDate | null;
  currency: string;
  monthlyMinor: number;
  updatedAt: string;
  seq: number;
}

export function contractSummary(c: ContractState): ContractSummary {
  const fee = c.termsHistory.at(-1)!.fee;
  return {
    contractId: c.id,
    ...(c.title ? { title: c.title } : {}),
    status: c.status,
    parties: c.parties,
    startDate: c.term.startDate,
    endDate: c.currentPeriod.end,
    renews: c.term.renewal.mode === 'auto' && !c.nonRenewal,
    noticeDeadline: c.noticeDeadline,
    currency: fee.currency,
    monthlyMinor: fee.monthlyMinor,
    updatedAt: c.updatedAt,
    seq: c.seq,
  };
}

export interface ContractStore {
  loadEvents(tenantId: string, contractId: string): Promise<ContractEvent[]>;
  /** Writes the event at its seq (ConcurrencyError when taken), then the contract's list entry. */
  append(event: ContractEvent, summary: ContractSummary): Promise<void>;
  list(
    tenantId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: ContractSummary[]; nextCursor?: string }>;
}
