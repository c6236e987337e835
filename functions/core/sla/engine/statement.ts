import { ValidationError } from '../../errors';
import type { SlaTerms } from '../terms';
import type { Outage, TicketTimeline } from '../ticket';
import { periodOf } from './attribution';
import { chronicFlags, type ChronicFlag } from './chronic';
import { creditTotals, linesOf, type LineCount, type StatementLine } from './credits';
import { minutes } from './decimal';
import { evaluateTicket } from './evaluate';
import {
  checkMonthResult,
  type AdjustmentRecord,
  type CountedInstance,
  type MonthResult,
  type Outcome,
  type ResultLine,
} from './history';
import { checkSourceTimeZone } from './instant';
import { normalizeOutages, normalizeTickets } from './normalize';
import type { Evaluated } from './reclassify';
import { computeUptime, type UptimeResult } from './uptime';
import { dayNumber, formatInstant, isoDate, MONTH_PATTERN, monthRange, shiftMonth } from './zone';

/**
 * The monthly compliance statement (SPEC R7 to R10): the month's lines, uptime, credits,
 * chronic-failure flags, the instances still in progress at month end, and adjustments to
 * months already issued. The month is evaluated as of its end, whenever this runs.
 */

export interface StatementOptions {
  /** `YYYY-MM` in the reporting time zone. */
  month: string;
  outages?: readonly (Outage | unknown)[];
  /** The results of earlier issued months (each a statement's `result`, or the statement itself). */
  history?: readonly (MonthResult | Statement | unknown)[];
  /** Earlier issued statements; the same as giving their results in `history`. */
  issued?: Statement | readonly Statement[];
  sourceTimeZone?: string;
}

export interface InProgress {
  ticket: string;
  metric: string;
  severity: string;
  start: string;
  elapsed_min: number;
  target_min: number;
  due: string | null;
}

export interface AdjustedInstance {
  ticket: string;
  metric: string;
  start: string;
  /** How the issued statement counted it (line severity and outcome); null when it did not. */
  was: { severity: string; outcome: Outcome } | null;
  /** How it counts in that month now; null when it no longer does (a reopen moved it, say). */
  now: { severity: string; outcome: Outcome } | null;
}

export interface AdjustedLine {
  severity: string;
  metric: string;
  counted_was: number;
  counted: number;
  breached_was: number;
  breached: number;
  credit_pct_was: number;
  credit_pct: number;
}

/** A change to an issued month (R7): the month is not restated, the difference is reported here. */
export interface Adjustment {
  month: string;
  instances: AdjustedInstance[];
  lines: AdjustedLine[];
  credit_minor_was: number;
  credit_minor: number;
  credit_minor_delta: number;
}

export interface Statement {
  contract_id: string;
  month: string;
  time_zone: string;
  /** The month as `[start, end)` in the reporting time zone. */
  period: { start: string; end: string };
  /** Issue date: day `send_on_day` of the following month (`YYYY-MM-DD`). */
  report_date: string;
  lines: StatementLine[];
  uptime: UptimeResult | null;
  uncapped_pct: number;
  capped_pct: number;
  cap_pct: number;
  credit_minor: number;
  currency: string;
  monthly_fee_minor: number;
  /** `automatic` with claim_window_days null; `on_claim` until `claimable_until` otherwise. */
  credits_applied: 'automatic' | 'on_claim';
  claimable_until: string | null;
  chronic_failure: ChronicFlag[];
  in_progress: InProgress[];
  adjustments: Adjustment[];
  /** This month's compact result: keep it, it is the history of the next statements. */
  result: MonthResult;
}

const pad = (n: number) => String(n).padStart(2, '0');

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return isoDate(dayNumber(y, m, d) + days);
}

const lineKey = (severity: string, metric: string) => `${severity}\u0000${metric}`;
const instanceKey = (c: { metric: string; start: string }) => `${c.metric}\u0000${c.start}`;

function countLines(counted: CountedInstance[]): LineCount[] {
  const counts = new Map<string, LineCount>();
  for (const c of counted) {
    const key = lineKey(c.severity, c.metric);
    const line = counts.get(key) ?? { severity: c.severity, metric: c.metric, counted: 0, breached: 0 };
    line.counted++;
    if (c.outcome === 'breached') line.breached++;
    counts.set(key, line);
  }
  return [...counts.values()];
}

const resultLines = (lines: StatementLine[]): ResultLine[] =>
  lines.map(({ severity, metric, counted, breached, miss }) => ({
    severity,
    metric,
    counted,
    breached,
    miss,
  }));

/** An issued month as known before this statement: its result with later adjustments folded in. */
interface Baseline {
  counted: CountedInstance[];
  lines: ResultLine[];
  uncapped_pct: number;
  credit_minor: number;
  cap_reached: boolean;
}

function baselineOf(month: string, records: Map<string, MonthResult>): Baseline {
  const r = records.get(month)!;
  const base: Baseline = { ...r, counted: [...r.counted] };
  for (const later of [...records.keys()].filter((m) => m > month).sort())
    for (const a of records.get(later)!.adjustments) {
      if (a.month !== month) continue;
      const replaced = new Set(a.tickets);
      base.counted = [...base.counted.filter((c) => !replaced.has(c.ticket)), ...a.counted];
      base.lines = a.lines;
      base.uncapped_pct = a.uncapped_pct;
      base.credit_minor = a.credit_minor;
      base.cap_reached = a.cap_reached;
    }
  return base;
}

function adjust(
  terms: SlaTerms,
  month: string,
  record: MonthResult,
  baseline: Baseline,
  now: CountedInstance[],
  present: Set<string>,
): { adjustment: Adjustment; record: AdjustmentRecord } | null {
  const changes: AdjustedInstance[] = [];
  const affected = new Set<string>();
  const byTicket = (list: CountedInstance[]) => {
    const map = new Map<string, Map<string, CountedInstance>>();
    for (const c of list) {
      if (!present.has(c.ticket)) continue;
      const mine = map.get(c.ticket) ?? new Map<string, CountedInstance>();
      mine.set(instanceKey(c), c);
      map.set(c.ticket, mine);
    }
    return map;
  };
  const before = byTicket(baseline.counted);
  const after = byTicket(now);
  for (const ticket of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(ticket) ?? new Map<string, CountedInstance>();
    const is = after.get(ticket) ?? new Map<string, CountedInstance>();
    for (const key of new Set([...was.keys(), ...is.keys()])) {
      const a = was.get(key);
      const b = is.get(key);
      if (a && b && a.severity === b.severity && a.outcome === b.outcome) continue;
      const c = (a ?? b)!;
      affected.add(ticket);
      changes.push({
        ticket,
        metric: c.metric,
        start: c.start,
        was: a ? { severity: a.severity, outcome: a.outcome } : null,
        now: b ? { severity: b.severity, outcome: b.outcome } : null,
      });
    }
  }
  if (changes.length === 0) return null;
  changes.sort((x, y) =>
    x.ticket < y.ticket ? -1 : x.ticket > y.ticket ? 1 : x.start < y.start ? -1 : x.start > y.start ? 1 : 0,
  );

  const counts = new Map(baseline.lines.map((l) => [lineKey(l.severity, l.metric), { ...l }]));
  const bump = (side: { severity: string; outcome: Outcome }, metric: string, by: number) => {
    const key = lineKey(side.severity, metric);
    const line = counts.get(key) ?? { severity: side.severity, metric, counted: 0, breached: 0, miss: false };
    line.counted += by;
    if (side.outcome === 'breached') line.breached += by;
    counts.set(key, line);
  };
  for (const c of changes) {
    if (c.was) bump(c.was, c.metric, -1);
    if (c.now) bump(c.now, c.metric, 1);
  }
  const issued = linesOf(terms, baseline.lines);
  const adjusted = linesOf(terms, [...counts.values()]);
  const totals = creditTotals(terms, adjusted.credit, record.uptime?.credit_pct ?? 0);
  const lines: AdjustedLine[] = adjusted.lines.flatMap((line, i) => {
    const old = issued.lines[i]!;
    if (old.counted === line.counted && old.breached === line.breached) return [];
    return [
      {
        severity: line.severity,
        metric: line.metric,
        counted_was: old.counted,
        counted: line.counted,
        breached_was: old.breached,
        breached: line.breached,
        credit_pct_was: old.credit_pct,
        credit_pct: line.credit_pct,
      },
    ];
  });
  return {
    adjustment: {
      month,
      instances: changes,
      lines,
      credit_minor_was: baseline.credit_minor,
      credit_minor: totals.credit_minor,
      credit_minor_delta: totals.credit_minor - baseline.credit_minor,
    },
    record: {
      month,
      tickets: [...affected].sort(),
      counted: now.filter((c) => affected.has(c.ticket)),
      lines: resultLines(adjusted.lines),
      uncapped_pct: totals.uncapped_pct,
      credit_minor: totals.credit_minor,
      cap_reached: totals.cap_reached,
    },
  };
}

export function monthlyStatement(
  terms: SlaTerms,
  tickets: readonly (TicketTimeline | unknown)[],
  options: StatementOptions,
): Statement {
  const { month } = options;
  if (typeof month !== 'string' || !MONTH_PATTERN.test(month))
    throw new ValidationError(`month ${JSON.stringify(month)} is not a month (YYYY-MM)`, [
      { path: 'month', message: 'must be YYYY-MM' },
    ]);
  checkSourceTimeZone(options.sourceTimeZone);
  const zone = terms.reporting.time_zone;
  const normal = normalizeTickets(terms, tickets, options.sourceTimeZone);
  const outages = normalizeOutages(options.outages, options.sourceTimeZone);
  const { start, end } = monthRange(month, zone);

  // As of the month end: events from the next month on are not used.
  const evaluated: Evaluated[] = normal.flatMap((ticket) =>
    evaluateTicket(
      terms,
      ticket,
      ticket.asOf !== null && ticket.asOf < end
        ? { events: ticket.asOf, measure: ticket.asOf }
        : { events: end - 1, measure: end },
    ),
  );
  const byMonth = new Map<string, CountedInstance[]>();
  for (const e of evaluated) {
    const period = periodOf(e, zone);
    if (period === null) continue;
    const list = byMonth.get(period) ?? [];
    list.push({
      ticket: e.ticket,
      metric: e.metric,
      start: formatInstant(e.start, zone),
      severity: e.line,
      outcome: e.breached ? 'breached' : 'met',
    });
    byMonth.set(period, list);
  }
  const counted = byMonth.get(month) ?? [];

  const uptime = computeUptime(terms, outages, month);
  const { lines, credit } = linesOf(terms, countLines(counted));
  const totals = creditTotals(terms, credit, uptime?.result.credit_pct ?? 0);

  // Issued months before this one; a later entry for the same month wins.
  const records = new Map<string, MonthResult>();
  const issued =
    options.issued === undefined ? [] : Array.isArray(options.issued) ? options.issued : [options.issued];
  [
    ...(options.history ?? []).map((h, i) => checkMonthResult(h, `history[${i}]`)),
    ...issued.map((s, i) => checkMonthResult(s, `issued[${i}]`)),
  ]
    .filter((r) => r.month < month)
    .forEach((r) => records.set(r.month, r));

  const present = new Set(normal.map((t) => t.id));
  const adjustments: Adjustment[] = [];
  const adjustmentRecords: AdjustmentRecord[] = [];
  const views = new Map<string, MonthResult>();
  for (const earlier of [...records.keys()].sort()) {
    const record = records.get(earlier)!;
    const baseline = baselineOf(earlier, records);
    const made = adjust(terms, earlier, record, baseline, byMonth.get(earlier) ?? [], present);
    if (made) {
      adjustments.push(made.adjustment);
      adjustmentRecords.push(made.record);
    }
    // The chronic rules read each month as it is known now.
    const latest = made?.record ?? baseline;
    views.set(earlier, { ...record, lines: latest.lines, cap_reached: latest.cap_reached });
  }

  const result: MonthResult = {
    month,
    lines: resultLines(lines),
    uptime: uptime
      ? {
          uptime_pct: uptime.result.uptime_pct,
          miss: uptime.result.miss,
          credit_pct: uptime.result.credit_pct,
        }
      : null,
    uncapped_pct: totals.uncapped_pct,
    capped_pct: totals.capped_pct,
    credit_minor: totals.credit_minor,
    cap_reached: totals.cap_reached,
    counted,
    adjustments: adjustmentRecords,
  };
  views.set(month, result);

  const reportDate = `${shiftMonth(month, 1)}-${pad(terms.reporting.send_on_day ?? 5)}`;
  const claimDays = terms.credits.claim_window_days;
  const chronic = chronicFlags(
    terms,
    month,
    views,
    addDays(reportDate, terms.credits.chronic_failure?.exercise_window_days ?? 0),
  );

  const inProgress: InProgress[] = evaluated
    .filter((e) => e.state === 'in_progress')
    .map((e) => ({
      ticket: e.ticket,
      metric: e.metric,
      severity: e.severity,
      start: formatInstant(e.start, zone),
      elapsed_min: minutes(e.elapsed!),
      target_min: e.targetMinutes!,
      due: e.due === null ? null : formatInstant(e.due, zone),
    }));

  return {
    contract_id: terms.contract_id,
    month,
    time_zone: zone,
    period: { start: formatInstant(start, zone), end: formatInstant(end, zone) },
    report_date: reportDate,
    lines,
    uptime: uptime?.result ?? null,
    uncapped_pct: totals.uncapped_pct,
    capped_pct: totals.capped_pct,
    cap_pct: totals.cap_pct,
    credit_minor: totals.credit_minor,
    currency: terms.currency,
    monthly_fee_minor: terms.monthly_fee_minor,
    credits_applied: claimDays === null || claimDays === undefined ? 'automatic' : 'on_claim',
    claimable_until: claimDays === null || claimDays === undefined ? null : addDays(reportDate, claimDays),
    chronic_failure: chronic,
    in_progress: inProgress,
    adjustments,
    result,
  };
}
