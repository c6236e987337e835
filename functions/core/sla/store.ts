import type { MonthResult, Statement } from './engine';
import type { Outage, TicketTimeline } from './ticket';

/**
 * What the service keeps per contract for its SLA: ticket timelines (merged idempotently by
 * ticket id and event time), outages, payloads that could not be mapped (kept with the reason,
 * never dropped), issued monthly statements (immutable once issued) and sent breach alerts.
 */

export interface StoredTicket {
  contractId: string;
  ticket: TicketTimeline;
  /** Where it came from: `api`, `csv`, `zendesk`, `jsm`, `servicenow`. */
  source: string;
  updatedAt: string;
  /**
   * Set when read. Given to `putTickets`, the write happens only if the stored ticket is still at
   * this version (0: not stored yet), else ConcurrencyError: a concurrent merge is never lost.
   */
  version?: number;
}

export interface StoredOutage extends Outage {
  /** Stable per outage (given by the caller or derived from start, end and kind): a replay changes nothing. */
  id: string;
  source: string;
  recordedAt: string;
  /**
   * Still running (a monitoring check reported it down and not yet up): `end` is when it was last
   * reported down, and readers take it as lasting until the instant they evaluate.
   */
  open?: boolean;
}

export interface RejectedPayload {
  id: string;
  source: string;
  receivedAt: string;
  reason: string;
  /** The payload as received (truncated to a size the store can hold). */
  payload: string;
}

export interface IssuedStatement {
  contractId: string;
  month: string;
  issuedAt: string;
  statement: Statement;
  /** The compact result the next months' chronic-failure rules read. */
  result: MonthResult;
  /** Where the report PDF and the per-ticket CSV are stored (documents bucket, under retention). */
  reportKey: string;
  csvKey: string;
  sha256: { report: string; csv: string };
  /** Who the report was mailed to. */
  sentTo: string[];
}

export interface SlaStore {
  /** Writes (replaces) each ticket's merged timeline. */
  putTickets(tenantId: string, contractId: string, tickets: StoredTicket[]): Promise<void>;
  getTicket(tenantId: string, contractId: string, ticketId: string): Promise<StoredTicket | null>;
  listTickets(tenantId: string, contractId: string): Promise<StoredTicket[]>;
  putOutages(tenantId: string, contractId: string, outages: StoredOutage[]): Promise<void>;
  listOutages(tenantId: string, contractId: string): Promise<StoredOutage[]>;
  putRejected(tenantId: string, contractId: string, rejected: RejectedPayload): Promise<void>;
  listRejected(tenantId: string, contractId: string): Promise<RejectedPayload[]>;
  /** Stores a month's statement once; false when that month was already issued (it is never replaced). */
  issueStatement(tenantId: string, issued: IssuedStatement): Promise<boolean>;
  listIssued(tenantId: string, contractId: string): Promise<IssuedStatement[]>;
  /** Records an alert once per key; false when it was already sent (the rate limit). */
  claimAlert(tenantId: string, contractId: string, key: string, at: string): Promise<boolean>;
}
