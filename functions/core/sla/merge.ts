import { PayloadTooLargeError } from '../errors';
import { applyEvents, type TicketEvent } from './ingest';
import type { TicketTimeline } from './ticket';

/**
 * How an incoming ticket (a whole timeline from an export, or a webhook's events) joins the one
 * stored: by ticket id and event time, as `applyEvents` merges (ticket, instant, kind). A replay
 * changes nothing, and two deliveries merged in either order give the same timeline.
 */

/** A stored ticket is one DynamoDB item (400 KB): its timeline may use this much. */
export const MAX_TICKET_BYTES = 350 * 1024;

/** What one request brings for one ticket. */
export interface IncomingTicket {
  id: string;
  events: TicketEvent[];
  /** The customer's earlier report; the earliest one given wins. */
  customerReportedAt?: string;
}

/** A timeline as the events that make it up. `as_of` is not an event: it is not kept. */
export function incomingOf(timeline: TicketTimeline): IncomingTicket {
  const id = timeline.id;
  const events: TicketEvent[] = [
    { ticket_id: id, at: timeline.created_at, kind: 'created' },
    ...timeline.status_history.map((s): TicketEvent => ({
      ticket_id: id,
      at: s.at,
      kind: 'status',
      status: s.status,
    })),
    ...timeline.severity_history.map((s): TicketEvent => ({
      ticket_id: id,
      at: s.at,
      kind: 'severity',
      severity: s.severity,
    })),
    ...timeline.comments.map(({ at, ...comment }): TicketEvent => ({
      ticket_id: id,
      at,
      kind: 'comment',
      comment,
    })),
  ];
  return {
    id,
    events,
    ...(timeline.customer_reported_at ? { customerReportedAt: timeline.customer_reported_at } : {}),
  };
}

/** Groups a request's tickets by id (a ticket given twice is merged from both). */
export function groupIncoming(items: readonly IncomingTicket[]): IncomingTicket[] {
  const byId = new Map<string, IncomingTicket>();
  for (const item of items) {
    const seen = byId.get(item.id);
    if (!seen) {
      byId.set(item.id, { ...item, events: [...item.events] });
      continue;
    }
    seen.events.push(...item.events);
    const reported = earliest(seen.customerReportedAt, item.customerReportedAt);
    if (reported) seen.customerReportedAt = reported;
  }
  return [...byId.values()];
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(b) < Date.parse(a) ? b : a;
}

/**
 * The stored timeline with the incoming events merged in (a new one when nothing is stored).
 * Throws a ValidationError naming the ticket when the events cannot make a timeline (a new ticket
 * without its creation time, an instant without an offset), and PayloadTooLargeError when the
 * result would be too large to store.
 */
export function mergeTicket(stored: TicketTimeline | undefined, incoming: IncomingTicket): TicketTimeline {
  const { as_of: _asOf, ...base } = stored ?? ({} as Partial<TicketTimeline>);
  const merged = applyEvents(stored ? (base as TicketTimeline) : undefined, incoming.events);
  const reported = earliest(stored?.customer_reported_at, incoming.customerReportedAt);
  const result: TicketTimeline = {
    id: merged.id,
    created_at: merged.created_at,
    ...(reported ? { customer_reported_at: reported } : {}),
    severity_history: merged.severity_history,
    status_history: merged.status_history,
    comments: merged.comments,
  };
  const size = Buffer.byteLength(JSON.stringify(result), 'utf8');
  if (size > MAX_TICKET_BYTES) {
    throw new PayloadTooLargeError(
      `ticket ${result.id} would be ${size} bytes as stored, over the ${MAX_TICKET_BYTES} bytes a ticket may use`,
      [{ path: `ticket ${result.id}`, message: 'timeline too large to store' }],
    );
  }
  return result;
}

/** True when both are the same timeline (as merged, so in the same order). */
export function sameTimeline(a: TicketTimeline | undefined, b: TicketTimeline): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Its first status and severity are at its creation, as the engine requires. */
export function isComplete(t: TicketTimeline): boolean {
  const created = Date.parse(t.created_at);
  const first = (list: { at: string }[]) => list.length > 0 && Date.parse(list[0]!.at) === created;
  return first(t.status_history) && first(t.severity_history);
}

/**
 * Whether events make a ticket's timeline with nothing stored: false when they lack its creation
 * or its status or severity at creation (an update delivered before the ticket's creation).
 * Events that are bad in another way count as complete, so that the merge names the problem.
 */
export function completesAlone(events: readonly TicketEvent[]): boolean {
  if (!events.some((e) => e.kind === 'created')) return false;
  try {
    return isComplete(applyEvents(undefined, events));
  } catch {
    return true;
  }
}
