import type { ChronicFailureRule, SlaTerms } from '../terms';
import type { MonthResult } from './history';
import { shiftMonth } from './zone';

/**
 * Chronic failure (SPEC R10): after each month, each rule is checked over this month and the
 * earlier months' results. A rule trips in a month that is itself a miss and completes either
 * `consecutive_months` misses in a row or `months_in_rolling_12` misses in the last twelve
 * months (this one included); a month without a result is not a miss.
 */

export interface ChronicFlag {
  /** Index of the rule in `credits.chronic_failure.rules`. */
  rule: number;
  type: ChronicFailureRule['type'];
  /** metric_miss only: the line it watches. */
  severity?: string;
  metric?: string;
  trigger: 'consecutive_months' | 'months_in_rolling_12';
  /** The number of months the rule asks for. */
  threshold: number;
  /** The months that tripped it, oldest first. */
  months: string[];
  remedy: 'termination_without_penalty' | 'escalation_meeting' | null;
  /** The right can be exercised until this date (report date + exercise_window_days). */
  deadline: string;
}

function missed(rule: ChronicFailureRule, result: MonthResult | undefined): boolean {
  if (!result) return false;
  if (rule.type === 'uptime_miss') return result.uptime?.miss === true;
  if (rule.type === 'cap_reached') return result.cap_reached;
  return result.lines.some((l) => l.severity === rule.severity && l.metric === rule.metric && l.miss);
}

export function chronicFlags(
  terms: SlaTerms,
  month: string,
  results: Map<string, MonthResult>,
  deadline: string,
): ChronicFlag[] {
  const chronic = terms.credits.chronic_failure;
  const flags: ChronicFlag[] = [];
  (chronic?.rules ?? []).forEach((rule, index) => {
    if (!missed(rule, results.get(month))) return;
    const back = (n: number) => Array.from({ length: n }, (_, i) => shiftMonth(month, i - n + 1));
    const base = {
      rule: index,
      type: rule.type,
      ...(rule.type === 'metric_miss' ? { severity: rule.severity!, metric: rule.metric! } : {}),
      remedy: chronic?.remedy ?? null,
      deadline,
    };
    const n = rule.consecutive_months;
    if (n !== undefined && back(n).every((m) => missed(rule, results.get(m)))) {
      flags.push({ ...base, trigger: 'consecutive_months', threshold: n, months: back(n) });
      return;
    }
    const k = rule.months_in_rolling_12;
    if (k !== undefined) {
      const months = back(12).filter((m) => missed(rule, results.get(m)));
      if (months.length >= k) flags.push({ ...base, trigger: 'months_in_rolling_12', threshold: k, months });
    }
  });
  return flags;
}
