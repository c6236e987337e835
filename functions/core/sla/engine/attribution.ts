import { minutes } from './decimal';
import type { Evaluated, State } from './reclassify';
import { formatInstant, monthOf } from './zone';

/**
 * Attribution (SPEC R7): a breached instance counts in the reporting month of `breach_at`, a
 * met one in the month it stopped; one still running and not breached counts nowhere yet.
 */

export function periodOf(e: Evaluated, zone: string): string | null {
  if (e.breached) return monthOf(e.breachAt!, zone);
  if (e.stop !== null) return monthOf(e.stop, zone);
  return null;
}

/** One metric instance of one ticket, as reported. Instants are in the reporting time zone. */
export interface MetricResult {
  ticket: string;
  /** The metric's key in the terms. */
  metric: string;
  /** The severity in force at the stop (at the evaluation instant while running). */
  severity: string;
  /** The severity whose target was exceeded (R5); null when not breached. */
  breach_severity: string | null;
  /** Under the severity at the stop, rounded to 2 decimals; null when it has no target. */
  elapsed_min: number | null;
  target_min: number | null;
  /** When elapsed reaches the target, assuming no further pauses. */
  due: string | null;
  breached: boolean;
  breach_at: string | null;
  state: State;
  /** `YYYY-MM` the instance counts in; null while in progress. */
  period: string | null;
  start: string;
  /** null while running. */
  stop: string | null;
}

export function metricResult(e: Evaluated, zone: string): MetricResult {
  return {
    ticket: e.ticket,
    metric: e.metric,
    severity: e.severity,
    breach_severity: e.breachSeverity,
    elapsed_min: e.elapsed === null ? null : minutes(e.elapsed),
    target_min: e.targetMinutes,
    due: e.due === null ? null : formatInstant(e.due, zone),
    breached: e.breached,
    breach_at: e.breachAt === null ? null : formatInstant(e.breachAt, zone),
    state: e.state,
    period: periodOf(e, zone),
    start: formatInstant(e.start, zone),
    stop: e.stop === null ? null : formatInstant(e.stop, zone),
  };
}
