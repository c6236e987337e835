import { checkMonthResult, type MonthResult, type ResultLine, type Statement } from '../engine';
import { ratioPct } from '../engine/decimal';
import { shiftMonth } from '../engine/zone';

/**
 * The trend of a contract's SLA over the last months: per month, the overall compliance of the
 * ticket metrics and the uptime, as the report's line chart shows them. Built from month results
 * (each statement's `result`, or the statements themselves), each month as it is known now:
 * the lines of an adjustment a later month made to it replace the ones first issued.
 */

export interface TrendPoint {
  /** `YYYY-MM`. */
  month: string;
  /**
   * Every line's instances taken together: (Σn − Σb) / Σn as a percentage (8 decimals); null
   * when nothing was counted that month, or the month has no result.
   */
  compliance_pct: number | null;
  /** null when the terms have no uptime, or the month has no result. */
  uptime_pct: number | null;
}

/** (Σn − Σb) / Σn over the lines, as a percentage; null when Σn = 0. */
export function overallCompliance(lines: readonly { counted: number; breached: number }[]): number | null {
  let counted = 0;
  let breached = 0;
  for (const line of lines) {
    counted += line.counted;
    breached += line.breached;
  }
  return counted === 0 ? null : ratioPct(counted - breached, counted);
}

/**
 * The trend of the `months` months ending with `current`'s month (oldest first, `current`
 * included), starting at the earliest month there is a result for: a month without one is a
 * point with null values (a gap in the chart). `history` is read as the statement's own
 * `history` option is: month results or statements, a later entry for a month winning; entries
 * from `current`'s month on are ignored. Throws a `ValidationError` naming `history[i]` when an
 * entry is not a month result.
 */
export function slaTrend(
  current: Statement | MonthResult,
  history: readonly (MonthResult | Statement | unknown)[] = [],
  months = 12,
): TrendPoint[] {
  if (!Number.isInteger(months) || months < 1)
    throw new RangeError(`months must be 1 or more, not ${months}`);
  const now = checkMonthResult(current, 'current');
  const records = new Map<string, MonthResult>();
  history
    .map((h, i) => checkMonthResult(h, `history[${i}]`))
    .filter((r) => r.month < now.month)
    .forEach((r) => records.set(r.month, r));
  records.set(now.month, now);

  // Each month as known now: the latest adjustment to it (by the month that made it) wins.
  const lines = new Map<string, ResultLine[]>();
  for (const month of [...records.keys()].sort()) {
    const record = records.get(month)!;
    lines.set(month, record.lines);
    for (const a of record.adjustments)
      if (a.month < month && records.has(a.month)) lines.set(a.month, a.lines);
  }

  const first = shiftMonth(now.month, 1 - months);
  const known = [...records.keys()].filter((m) => m >= first).sort();
  const start = known[0] ?? now.month;
  const points: TrendPoint[] = [];
  for (let month = start; month <= now.month; month = shiftMonth(month, 1)) {
    const record = records.get(month);
    points.push({
      month,
      compliance_pct: record ? overallCompliance(lines.get(month)!) : null,
      uptime_pct: record?.uptime?.uptime_pct ?? null,
    });
  }
  return points;
}
