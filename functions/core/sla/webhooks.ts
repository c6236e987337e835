import type { TicketEvent } from './ingest';
import type { MonitoringCheck } from './monitoring';

/**
 * What the public webhook routes need beyond the SLA store. Webhooks carry only the contract id,
 * so the secret they are signed with is found by that id alone and names its tenant. The events
 * of each monitoring check are kept with the outages derived from them, in one record written
 * only over the version it was read at, so concurrent events are never lost.
 */
export interface WebhookSecretRecord {
  tenantId: string;
  contractId: string;
  secret: string;
  createdAt: string;
}

/**
 * Webhook events of a ticket not stored yet that cannot make its timeline on their own (an update
 * delivered before the ticket's creation): kept until the events that complete it arrive.
 */
export interface PendingTicket {
  ticketId: string;
  /** 0 before the first write; each write takes the next. */
  version: number;
  source: string;
  events: TicketEvent[];
  receivedAt: string;
}

export interface SlaWebhookStore {
  /** Stores (replaces) the contract's secret; ConflictError when the id is bound to another tenant. */
  putWebhookSecret(record: WebhookSecretRecord): Promise<void>;
  getWebhookSecret(contractId: string): Promise<WebhookSecretRecord | null>;
  getMonitoringCheck(tenantId: string, contractId: string, check: string): Promise<MonitoringCheck | null>;
  /**
   * Writes the check at `state.version`, only if it is still at `expectedVersion` (0: absent);
   * ConcurrencyError otherwise. Its outages are listed by `SlaStore.listOutages`.
   */
  putMonitoringCheck(
    tenantId: string,
    contractId: string,
    state: MonitoringCheck,
    expectedVersion: number,
  ): Promise<void>;
  getPendingTicket(tenantId: string, contractId: string, ticketId: string): Promise<PendingTicket | null>;
  /** Writes at `pending.version` only over `expectedVersion` (0: absent); ConcurrencyError otherwise. */
  putPendingTicket(
    tenantId: string,
    contractId: string,
    pending: PendingTicket,
    expectedVersion: number,
  ): Promise<void>;
  /** Deletes it only while still at `version`; ConcurrencyError when it changed meanwhile. */
  deletePendingTicket(tenantId: string, contractId: string, ticketId: string, version: number): Promise<void>;
}
