import { ValidationError } from '../../errors';
import type { LineCount } from './credits';
import { MONTH_PATTERN } from './zone';

/**
 * The compact result of an issued month: what the chronic-failure rules of later months read
 * (R10), and what later statements compare against to report adjustments (R7). A statement
 * carries its own as `result`; a list of them is the `history` of the next statement.
 */

export type Outcome = 'met' | 'breached';

/** An instance counted in a month: which ticket, metric and start, on which line, with what outcome. */
export interface CountedInstance {
  ticket: string;
  metric: string;
  /** ISO-8601 start in the reporting time zone: with ticket and metric, identifies the instance. */
  start: string;
  /** The severity of the line it counts on. */
  severity: string;
  outcome: Outcome;
}

export interface ResultLine extends LineCount {
  /** The line failed `metric_miss` that month. */
  miss: boolean;
}

/** An adjustment a statement made to an earlier month, as the later statements fold it in. */
export interface AdjustmentRecord {
  month: string;
  /** The tickets re-evaluated: their instances in `counted` replace the earlier ones. */
  tickets: string[];
  counted: CountedInstance[];
  /** Every line of the month after the adjustment. */
  lines: ResultLine[];
  uncapped_pct: number;
  credit_minor: number;
  cap_reached: boolean;
}

export interface MonthResult {
  /** `YYYY-MM`. */
  month: string;
  lines: ResultLine[];
  /** null when the terms have no uptime. */
  uptime: { uptime_pct: number; miss: boolean; credit_pct: number } | null;
  uncapped_pct: number;
  capped_pct: number;
  credit_minor: number;
  cap_reached: boolean;
  counted: CountedInstance[];
  adjustments: AdjustmentRecord[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function bad(path: string, message: string): never {
  throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
}

function count(v: unknown, path: string): number {
  if (!Number.isInteger(v) || (v as number) < 0)
    bad(path, `${JSON.stringify(v)} is not a count (a whole number ≥ 0)`);
  return v as number;
}

function lines(v: unknown, path: string): ResultLine[] {
  if (!Array.isArray(v)) bad(path, 'must be an array of lines');
  return v.map((line, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(line) || typeof line.severity !== 'string' || typeof line.metric !== 'string')
      bad(at, 'must be a line with severity and metric');
    const counted = count(line.counted, `${at}.counted`);
    const breached = count(line.breached, `${at}.breached`);
    if (breached > counted) bad(`${at}.breached`, `${breached} is more than counted ${counted}`);
    if (typeof line.miss !== 'boolean') bad(`${at}.miss`, 'must be true or false');
    return { severity: line.severity, metric: line.metric, counted, breached, miss: line.miss };
  });
}

function instances(v: unknown, path: string): CountedInstance[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) bad(path, 'must be an array');
  v.forEach((c, i) => {
    if (
      !isObject(c) ||
      typeof c.ticket !== 'string' ||
      typeof c.metric !== 'string' ||
      typeof c.start !== 'string' ||
      typeof c.severity !== 'string' ||
      (c.outcome !== 'met' && c.outcome !== 'breached')
    )
      bad(`${path}[${i}]`, 'must be {ticket, metric, start, severity, outcome: met | breached}');
  });
  return v as CountedInstance[];
}

function number(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(path, `${JSON.stringify(v)} is not a number`);
  return v;
}

function flag(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') bad(path, 'must be true or false');
  return v;
}

/** A month result read from JSON (a statement's `result`, or a whole statement); errors name the path. */
export function checkMonthResult(value: unknown, path: string): MonthResult {
  if (isObject(value) && isObject(value.result)) return checkMonthResult(value.result, `${path}.result`);
  if (!isObject(value)) bad(path, 'must be a month result (a statement, or its "result")');
  if (typeof value.month !== 'string' || !MONTH_PATTERN.test(value.month))
    bad(`${path}.month`, `${JSON.stringify(value.month)} is not a month (YYYY-MM)`);
  let uptime: MonthResult['uptime'] = null;
  if (value.uptime !== null && value.uptime !== undefined) {
    const u = value.uptime;
    if (!isObject(u)) bad(`${path}.uptime`, 'must be null or {uptime_pct, miss, credit_pct}');
    uptime = {
      uptime_pct: number(u.uptime_pct, `${path}.uptime.uptime_pct`),
      miss: flag(u.miss, `${path}.uptime.miss`),
      credit_pct: number(u.credit_pct, `${path}.uptime.credit_pct`),
    };
  }
  const adjustments = value.adjustments === undefined ? [] : value.adjustments;
  if (!Array.isArray(adjustments)) bad(`${path}.adjustments`, 'must be an array');
  return {
    month: value.month,
    lines: lines(value.lines, `${path}.lines`),
    uptime,
    uncapped_pct: number(value.uncapped_pct, `${path}.uncapped_pct`),
    capped_pct: number(value.capped_pct, `${path}.capped_pct`),
    credit_minor: count(value.credit_minor, `${path}.credit_minor`),
    cap_reached: flag(value.cap_reached, `${path}.cap_reached`),
    counted: instances(value.counted, `${path}.counted`),
    adjustments: adjustments.map((a, i) => {
      const at = `${path}.adjustments[${i}]`;
      if (!isObject(a) || typeof a.month !== 'string' || !MONTH_PATTERN.test(a.month))
        bad(`${at}.month`, 'must be a month (YYYY-MM)');
      if (!Array.isArray(a.tickets) || a.tickets.some((t) => typeof t !== 'string'))
        bad(`${at}.tickets`, 'must be an array of ticket ids');
      return {
        month: a.month,
        tickets: a.tickets as string[],
        counted: instances(a.counted, `${at}.counted`),
        lines: lines(a.lines, `${at}.lines`),
        uncapped_pct: number(a.uncapped_pct, `${at}.uncapped_pct`),
        credit_minor: count(a.credit_minor, `${at}.credit_minor`),
        cap_reached: flag(a.cap_reached, `${at}.cap_reached`),
      };
    }),
  };
}
