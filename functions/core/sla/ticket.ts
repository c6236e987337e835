/**
 * The SLA engine's input, as SPEC.md "Inputs" defines it: one JSON object per ticket (JSON Lines
 * for many), and outages for uptime. Instants are ISO-8601 strings; the engine rejects one
 * without an explicit offset unless the caller declares the source time zone. Source statuses
 * and severities are mapped through the terms' `status_map` and `severity_map` by the engine.
 */

export type CommentAuthor = 'customer' | 'agent';
export type CommentSource = 'auto_acknowledgement' | 'bot' | 'internal_note' | 'shared_account';

export interface TicketComment {
  at: string;
  author: CommentAuthor;
  /** Default true. */
  public?: boolean;
  source?: CommentSource;
}

export interface TicketTimeline {
  /** Unique per contract. */
  id: string;
  created_at: string;
  customer_reported_at?: string;
  /** Evaluate the ticket as it stood at this instant (events at or before it only). */
  as_of?: string;
  /** First entry at `created_at`. */
  severity_history: { at: string; severity: string }[];
  status_history: { at: string; status: string }[];
  comments: TicketComment[];
}

export type OutageKind = 'outage' | 'maintenance';

export interface Outage {
  start: string;
  end: string;
  kind: OutageKind;
  notice_given_at?: string;
  customer_caused?: boolean;
  force_majeure?: boolean;
}
