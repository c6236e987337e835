import type { SlaTerms } from '../terms';
import { calendarSeconds, clockOf, instantAfter, type Clock } from './calendar';
import type { Horizon, Instance } from './metrics';
import type { Ticket } from './normalize';

/**
 * One metric instance measured against the targets of the ticket's severities (SPEC R3, R5):
 * retroactive (each severity's calendar and target from the original start; with
 * `breach_sticky` the earliest segment that ran over wins) or segmented (each segment's time
 * under its own calendar, summed).
 */

export type State = 'met' | 'breached' | 'in_progress';

export interface Evaluated {
  ticket: string;
  metric: string;
  start: number;
  stop: number | null;
  /** The severity in force at the stop (or at the horizon while running). */
  severity: string;
  breachSeverity: string | null;
  /** Seconds, under the severity at the stop; null when it has no target for the metric. */
  elapsed: number | null;
  target: number | null;
  targetMinutes: number | null;
  due: number | null;
  breached: boolean;
  breachAt: number | null;
  state: State;
  /** The severity of the compliance line it belongs to (R8). */
  line: string;
}

interface Target {
  seconds: number;
  minutes: number;
  clock: Clock;
}

const targetTables = new WeakMap<SlaTerms, Map<string, Target>>();

export function targetOf(terms: SlaTerms, severity: string, metric: string): Target | undefined {
  let table = targetTables.get(terms);
  if (!table) {
    table = new Map();
    for (const t of terms.targets)
      table.set(`${t.severity}\u0000${t.metric}`, {
        // Targets are minutes; a fraction of a second (0.01 min) is kept to the millisecond.
        seconds: Math.round(t.target_minutes * 60_000) / 1000,
        minutes: t.target_minutes,
        clock: clockOf(terms.calendars[t.calendar]!),
      });
    targetTables.set(terms, table);
  }
  return table.get(`${severity}\u0000${metric}`);
}

interface Piece {
  from: number;
  to: number;
  clock: Clock | null;
}

function elapsedUntil(pieces: Piece[], until: number): number {
  let total = 0;
  for (const p of pieces) {
    if (p.from >= until) break;
    if (p.clock) total += calendarSeconds(p.clock, p.from, Math.min(p.to, until));
  }
  return total;
}

/**
 * The first instant at which the clock has run `amount` seconds: through the pieces, then on
 * from `tailFrom` under `tail` (no further pauses assumed). Whole seconds: a target with a
 * fraction is reached at the next second.
 */
function reach(pieces: Piece[], tailFrom: number, tail: Clock | null, amount: number): number | null {
  let left = Math.ceil(amount);
  for (const p of pieces) {
    if (!p.clock) continue;
    const have = calendarSeconds(p.clock, p.from, p.to);
    if (have >= left) return instantAfter(p.clock, p.from, left);
    left -= have;
  }
  return tail ? instantAfter(tail, tailFrom, left) : null;
}

interface Segment {
  from: number;
  severity: string;
  target: Target | undefined;
}

/** The severities in force over the instance: from its start, changes up to its stop. */
function segmentsOf(terms: SlaTerms, ticket: Ticket, instance: Instance, horizon: Horizon): Segment[] {
  const known = ticket.severities.filter((e) => e.at <= horizon.events);
  let atStart = known[0]!.severity;
  for (const e of known) if (e.at <= instance.start) atStart = e.severity;
  const segments: Segment[] = [
    { from: instance.start, severity: atStart, target: targetOf(terms, atStart, instance.metric) },
  ];
  for (const e of known) {
    if (e.at <= instance.start) continue;
    // A change at the stop itself does not reach the stopped metric.
    if (instance.stop !== null && e.at >= instance.stop) break;
    if (e.severity === segments[segments.length - 1]!.severity) continue;
    segments.push({ from: e.at, severity: e.severity, target: targetOf(terms, e.severity, instance.metric) });
  }
  return segments;
}

export function evaluateInstance(
  terms: SlaTerms,
  ticket: Ticket,
  instance: Instance,
  horizon: Horizon,
): Evaluated | null {
  const segments = segmentsOf(terms, ticket, instance, horizon);
  const last = segments[segments.length - 1]!;
  const segmented = terms.reclassification.mode === 'segmented';
  const sticky = terms.reclassification.breach_sticky;
  const end = instance.end;
  const until = (k: number) => (k + 1 < segments.length ? segments[k + 1]!.from : end);

  const under = (clock: Clock | null): Piece[] => instance.active.map((a) => ({ ...a, clock }));
  const split: Piece[] = segmented
    ? segments.flatMap((s, k) =>
        instance.active
          .map((a) => ({ from: Math.max(a.from, s.from), to: Math.min(a.to, until(k)) }))
          .filter((a) => a.to > a.from)
          .map((a) => ({ ...a, clock: s.target?.clock ?? null })),
      )
    : [];
  const piecesFor = (k: number) => (segmented ? split : under(segments[k]!.target?.clock ?? null));
  const tailFor = (k: number) =>
    segmented ? (last.target?.clock ?? null) : (segments[k]!.target?.clock ?? null);

  let breachSeverity: string | null = null;
  let breachAt: number | null = null;
  for (let k = sticky ? 0 : segments.length - 1; k < segments.length; k++) {
    const { target, from, severity } = segments[k]!;
    if (!target) continue;
    const pieces = piecesFor(k);
    if (elapsedUntil(pieces, until(k)) > target.seconds) {
      const due = reach(pieces, end, tailFor(k), target.seconds)!;
      breachSeverity = severity;
      breachAt = Math.max(from, due);
      break;
    }
  }

  const n = segments.length - 1;
  if (!last.target && breachSeverity === null) return null;
  const pieces = last.target ? piecesFor(n) : [];
  const elapsed = last.target ? elapsedUntil(pieces, end) : null;
  const due = last.target ? reach(pieces, end, tailFor(n), last.target.seconds) : null;
  const breached = breachSeverity !== null;
  return {
    ticket: ticket.id,
    metric: instance.metric,
    start: instance.start,
    stop: instance.stop,
    severity: last.severity,
    breachSeverity,
    elapsed,
    target: last.target?.seconds ?? null,
    targetMinutes: last.target?.minutes ?? null,
    due,
    breached,
    breachAt,
    state: breached ? 'breached' : instance.stop !== null ? 'met' : 'in_progress',
    line: breachSeverity ?? last.severity,
  };
}
