import type { SlaTerms } from '../terms';
import { divideHalfUp, ratioBelow, ratioPct, SCALE, scaled, unscaled } from './decimal';

/**
 * Compliance lines and credits (SPEC R8, R10). Percentages are summed as exact scaled integers
 * and the amount rounded half up once, in minor units.
 */

export interface LineCount {
  severity: string;
  metric: string;
  counted: number;
  breached: number;
}

export interface StatementLine extends LineCount {
  /** (n − b) / n as a percentage (8 decimals); null when n = 0. */
  compliance_pct: number | null;
  /** The metric's `min_compliance_pct` (the line's reporting target); null when it has none. */
  target_pct: number | null;
  /** b × the line's per-breach credit. */
  per_breach_credit_pct: number;
  /** The compliance credit, when n ≥ min_sample and compliance is below its minimum. */
  compliance_credit_pct: number;
  credit_pct: number;
  /** The line fails `metric_miss`: below its target, or any breach when it has none. */
  miss: boolean;
}

export interface CreditTotals {
  uncapped_pct: number;
  capped_pct: number;
  cap_pct: number;
  credit_minor: number;
  /** The uncapped total reached the cap (and is above 0). */
  cap_reached: boolean;
}

const sameLine = (a: { severity: string; metric: string }, b: { severity: string; metric: string }) =>
  a.severity === b.severity && a.metric === b.metric;

/** Every measured (severity, metric) pair, by severity rank then the terms' order of metrics. */
export function lineKeys(terms: SlaTerms): { severity: string; metric: string }[] {
  const rank = new Map(terms.severities.map((s) => [s.id, s.rank]));
  const order = Object.keys(terms.metrics);
  return terms.targets
    .map((t) => ({ severity: t.severity, metric: t.metric }))
    .sort(
      (a, b) =>
        rank.get(a.severity)! - rank.get(b.severity)! || order.indexOf(a.metric) - order.indexOf(b.metric),
    );
}

export function lineOf(terms: SlaTerms, count: LineCount): { line: StatementLine; credit: bigint } {
  const { counted: n, breached: b } = count;
  const target = terms.metrics[count.metric]?.min_compliance_pct;
  const perBreach = (terms.credits.per_breach ?? []).find((c) => sameLine(c, count));
  const compliance = (terms.credits.compliance ?? []).find((c) => sameLine(c, count));
  const perBreachCredit = perBreach ? scaled(perBreach.credit_pct) * BigInt(b) : 0n;
  const complianceCredit =
    compliance && n >= (compliance.min_sample ?? 1) && ratioBelow(n - b, n, compliance.min_compliance_pct)
      ? scaled(compliance.credit_pct)
      : 0n;
  const credit = perBreachCredit + complianceCredit;
  return {
    line: {
      severity: count.severity,
      metric: count.metric,
      counted: n,
      breached: b,
      compliance_pct: n === 0 ? null : ratioPct(n - b, n),
      target_pct: target ?? null,
      per_breach_credit_pct: unscaled(perBreachCredit),
      compliance_credit_pct: unscaled(complianceCredit),
      credit_pct: unscaled(credit),
      miss: target === undefined ? b > 0 : n > 0 && ratioBelow(n - b, n, target),
    },
    credit,
  };
}

/** Every line of the terms from the counts given (absent lines count 0). */
export function linesOf(terms: SlaTerms, counts: LineCount[]): { lines: StatementLine[]; credit: bigint } {
  let credit = 0n;
  const lines = lineKeys(terms).map((key) => {
    const count = counts.find((c) => sameLine(c, key)) ?? { ...key, counted: 0, breached: 0 };
    const made = lineOf(terms, count);
    credit += made.credit;
    return made.line;
  });
  return { lines, credit };
}

/** Line credits plus the uptime credit, capped; the amount rounded half up in minor units. */
export function creditTotals(terms: SlaTerms, linesCredit: bigint, uptimeCreditPct: number): CreditTotals {
  const uncapped = linesCredit + scaled(uptimeCreditPct);
  const cap = scaled(terms.credits.cap_pct_of_monthly_fee);
  const capped = uncapped < cap ? uncapped : cap;
  return {
    uncapped_pct: unscaled(uncapped),
    capped_pct: unscaled(capped),
    cap_pct: terms.credits.cap_pct_of_monthly_fee,
    credit_minor: Number(divideHalfUp(BigInt(terms.monthly_fee_minor) * capped, 100n * SCALE)),
    cap_reached: uncapped > 0n && uncapped >= cap,
  };
}
