import type { z } from 'zod';
import { verifyChain } from '../core/audit-chain';
import {
  termsInForce,
  type ContractEvent,
  type ContractState,
  type TermsEntry,
} from '../core/contracts/contract';
import type { ContractSummary } from '../core/contracts/records';
import { TEMPLATE_DOCUMENT_ID } from '../core/usecases/envelope-from-template';
import type { Contract, ContractHistory, ContractList, ContractTerms } from './contract-schemas';

const termsView = (t: TermsEntry) => ({
  effectiveFrom: t.effectiveFrom,
  slaTerms: t.slaTerms as unknown as Record<string, unknown>,
  fee: t.fee,
  ...(t.amendmentEnvelopeId ? { amendmentEnvelopeId: t.amendmentEnvelopeId } : {}),
  recordedAt: t.recordedAt,
});

export function contractView(c: ContractState, today: string): z.infer<typeof Contract> {
  // Before the start date, the initial terms.
  const inForce = termsInForce(c, today) ?? c.termsHistory[0]!;
  return {
    id: c.id,
    ...(c.title ? { title: c.title } : {}),
    status: c.status,
    envelopeId: c.envelopeId,
    template: c.template,
    parties: c.parties,
    owners: c.owners,
    term: c.term,
    currentPeriod: c.currentPeriod,
    noticeDeadline: c.noticeDeadline,
    noticeWindowOpensOn: c.noticeWindowOpensOn,
    fee: inForce.fee,
    renewals: c.renewals.map((r) => ({ period: r.period, start: r.start, end: r.end, at: r.at })),
    amendments: c.termsHistory
      .filter((t) => t.amendmentEnvelopeId)
      .map((t) => ({
        envelopeId: t.amendmentEnvelopeId!,
        effectiveFrom: t.effectiveFrom,
        recordedAt: t.recordedAt,
      })),
    terminationRights: c.terminationRights.map((r) => ({
      rule: r.rule as unknown as Record<string, unknown>,
      months: r.months,
      deadline: r.deadline,
      recordedAt: r.recordedAt,
    })),
    ...(c.nonRenewal
      ? {
          nonRenewal: {
            noticedOn: c.nonRenewal.noticedOn,
            reason: c.nonRenewal.reason,
            forEnd: c.nonRenewal.forEnd,
            at: c.nonRenewal.at,
          },
        }
      : {}),
    ...(c.expiry ? { expiry: c.expiry } : {}),
    ...(c.termination
      ? {
          termination: {
            reason: c.termination.reason,
            effectiveDate: c.termination.effectiveDate,
            at: c.termination.at,
            ...(c.termination.chronicFailure ? { chronicFailure: c.termination.chronicFailure } : {}),
          },
        }
      : {}),
    links: {
      document: `/v1/envelopes/${c.envelopeId}/documents/${TEMPLATE_DOCUMENT_ID}`,
      audit: c.auditLink,
      terms: `/v1/contracts/${c.id}/terms`,
      history: `/v1/contracts/${c.id}/history`,
    },
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function contractListView(page: {
  items: ContractSummary[];
  nextCursor?: string;
}): z.infer<typeof ContractList> {
  return {
    items: page.items.map(({ seq: _seq, ...item }) => item),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

export function contractTermsView(t: {
  date: string;
  inForce: TermsEntry | null;
  history: TermsEntry[];
}): z.infer<typeof ContractTerms> {
  return {
    date: t.date,
    inForce: t.inForce ? termsView(t.inForce) : null,
    history: t.history.map(termsView),
  };
}

export function contractHistoryView(
  c: ContractState,
  events: ContractEvent[],
): z.infer<typeof ContractHistory> {
  const verdict = verifyChain(events);
  return {
    contractId: c.id,
    verified: verdict.verified,
    headHash: verdict.headHash,
    events: events as unknown as Record<string, unknown>[],
  };
}
