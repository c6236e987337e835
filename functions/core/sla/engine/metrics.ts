import type { CanonicalStatus, MetricKind, ReplySource, SlaMetric, SlaTerms } from '../terms';
import type { Comment, Ticket } from './normalize';

/**
 * The metric instances of one ticket (SPEC R4) with reopens (R6): where each starts and stops,
 * and the parts of it during which its clock runs. Severity and targets come later (R5).
 */

export interface Span {
  from: number;
  to: number;
}

export interface Instance {
  /** The key of the metric in the terms. */
  metric: string;
  kind: MetricKind;
  start: number;
  /** null while running at `end`. */
  stop: number | null;
  /** `stop`, or the instant a running instance is measured to. */
  end: number;
  /** The parts of `[start, end)` where the clock runs: not paused, not solved. */
  active: Span[];
}

/** Events at or before `events` are used; running instances are measured to `measure` (≥ events). */
export interface Horizon {
  events: number;
  measure: number;
}

type Event =
  | { at: number; type: 'status'; status: CanonicalStatus; implied: boolean }
  | { at: number; type: 'comment'; comment: Comment };

const ALL_SOURCES: ReplySource[] = ['auto_acknowledgement', 'bot', 'internal_note', 'shared_account'];

export const isSolved = (status: CanonicalStatus) => status === 'solved' || status === 'closed';

/**
 * Status changes and comments in time order (a status change first at a tie, so a reopen and
 * the customer's comment at the same instant read as reopen, then comment). A customer's public
 * comment on a closed ticket reopens it (R6): an implied change to `open` is inserted.
 */
function eventsOf(ticket: Ticket, until: number): Event[] {
  const events: Event[] = [];
  let status: CanonicalStatus = 'new';
  let s = 0;
  let c = 0;
  const { statuses, comments } = ticket;
  for (;;) {
    const nextStatus = s < statuses.length && statuses[s]!.at <= until ? statuses[s] : undefined;
    const nextComment = c < comments.length && comments[c]!.at <= until ? comments[c] : undefined;
    if (!nextStatus && !nextComment) break;
    if (nextStatus && (!nextComment || nextStatus.at <= nextComment.at)) {
      events.push({ at: nextStatus.at, type: 'status', status: nextStatus.status, implied: false });
      status = nextStatus.status;
      s++;
    } else {
      const comment = nextComment!;
      if (status === 'closed' && comment.author === 'customer' && comment.public) {
        events.push({ at: comment.at, type: 'status', status: 'open', implied: true });
        status = 'open';
      }
      events.push({ at: comment.at, type: 'comment', comment });
      c++;
    }
  }
  return events;
}

/** The effective status over `[created, measure)` as consecutive spans. */
function statusSpans(ticket: Ticket, events: Event[], measure: number) {
  const spans: (Span & { status: CanonicalStatus })[] = [];
  let from = ticket.created;
  let status: CanonicalStatus = 'new';
  for (const e of events) {
    if (e.type !== 'status') continue;
    if (e.at > from) spans.push({ from, to: e.at, status });
    from = Math.max(from, e.at);
    status = e.status;
  }
  if (measure > from) spans.push({ from, to: measure, status });
  return spans;
}

function qualifies(metric: SlaMetric, comment: Comment): boolean {
  if (comment.author !== 'agent' || !comment.public) return false;
  const excluded = metric.qualifying_reply?.exclude_sources ?? ALL_SOURCES;
  return comment.source === null || !excluded.includes(comment.source);
}

const customerAsks = (comment: Comment) => comment.author === 'customer' && comment.public;

interface Cut {
  start: number;
  stop: number | null;
}

function firstResponse(ticket: Ticket, metric: SlaMetric, events: Event[]): Cut[] {
  const start =
    metric.start === 'customer_reported_at' && ticket.reported !== null ? ticket.reported : ticket.created;
  for (const e of events) {
    if (e.at < start) continue;
    if (e.type === 'status' && isSolved(e.status)) return [{ start, stop: e.at }];
    if (e.type === 'comment' && qualifies(metric, e.comment)) return [{ start, stop: e.at }];
  }
  return [{ start, stop: null }];
}

function nextResponse(metric: SlaMetric, events: Event[]): Cut[] {
  const cuts: Cut[] = [];
  let answered = false;
  let solved = false;
  let open: Cut | null = null;
  for (const e of events) {
    if (e.type === 'status') {
      solved = isSolved(e.status);
      if (solved && open) {
        open.stop = e.at;
        open = null;
      }
      continue;
    }
    if (qualifies(metric, e.comment)) {
      answered = true;
      if (open) {
        open.stop = e.at;
        open = null;
      }
    } else if (answered && !solved && !open && customerAsks(e.comment)) {
      open = { start: e.at, stop: null };
      cuts.push(open);
    }
  }
  return cuts;
}

function periodicUpdate(metric: SlaMetric, events: Event[]): Cut[] {
  const cuts: Cut[] = [];
  let solved = false;
  let open: Cut | null = null;
  for (const e of events) {
    if (e.type === 'status') {
      solved = isSolved(e.status);
      if (solved && open) {
        open.stop = e.at;
        open = null;
      }
      continue;
    }
    if (!solved && qualifies(metric, e.comment)) {
      if (open) open.stop = e.at;
      open = { start: e.at, stop: null };
      cuts.push(open);
    }
  }
  return cuts;
}

/** Resolution cycles (R6); the solved time of a resumed cycle is excluded like a pause. */
function resolution(ticket: Ticket, metric: SlaMetric, events: Event[]): Cut[] {
  const mode = metric.reopen?.mode ?? 'resume';
  const window = (metric.reopen?.window_days ?? 7) * 86_400;
  let current: Cut = { start: ticket.created, stop: null };
  const cuts: Cut[] = [current];
  let solved = false;
  let solvedAt = 0;
  for (const e of events) {
    if (e.type !== 'status') continue;
    const now = isSolved(e.status);
    if (!solved && now) {
      if (current.stop === null) current.stop = e.at;
      solvedAt = e.at;
    } else if (solved && !now && mode !== 'ignore') {
      // A reopen no later than window_days × 24 h after the solve resumes the same instance.
      if (mode === 'resume' && !e.implied && e.at - solvedAt <= window && current.stop === solvedAt)
        current.stop = null;
      else if (current.stop !== null) {
        current = { start: e.at, stop: null };
        cuts.push(current);
      }
    }
    solved = now;
  }
  return cuts;
}

/** `[start, end)` less the spans in `excluded` (sorted, disjoint). */
function subtract(start: number, end: number, excluded: Span[]): Span[] {
  const out: Span[] = [];
  let from = start;
  for (const x of excluded) {
    if (x.to <= from) continue;
    if (x.from >= end) break;
    if (x.from > from) out.push({ from, to: x.from });
    from = Math.max(from, x.to);
    if (from >= end) break;
  }
  if (end > from) out.push({ from, to: end });
  return out;
}

export function instancesOf(terms: SlaTerms, ticket: Ticket, horizon: Horizon): Instance[] {
  if (ticket.created > horizon.events) return [];
  const events = eventsOf(ticket, horizon.events);
  const spans = statusSpans(ticket, events, horizon.measure);
  const instances: Instance[] = [];
  for (const [name, metric] of Object.entries(terms.metrics)) {
    const cuts =
      metric.kind === 'first_response'
        ? firstResponse(ticket, metric, events)
        : metric.kind === 'next_response'
          ? nextResponse(metric, events)
          : metric.kind === 'periodic_update'
            ? periodicUpdate(metric, events)
            : resolution(ticket, metric, events);
    const stopping = new Set<CanonicalStatus>([...(metric.pause_statuses ?? []), 'solved', 'closed']);
    const excluded = spans.filter((s) => stopping.has(s.status));
    for (const cut of cuts) {
      const end = cut.stop ?? horizon.measure;
      instances.push({
        metric: name,
        kind: metric.kind,
        start: cut.start,
        stop: cut.stop,
        end,
        active: subtract(cut.start, end, excluded),
      });
    }
  }
  return instances;
}
