import { describe, expect, it } from 'vitest';
import { monthlyStatement, statementCsv, type MonthResult } from '../../../../functions/core/sla/engine';
import { chronicFlags } from '../../../../functions/core/sla/engine/chronic';
import { creditTotals, lineOf, linesOf } from '../../../../functions/core/sla/engine/credits';
import type { Outage } from '../../../../functions/core/sla/ticket';
import { exampleTerms, ticket } from './fixtures';

/** R8 and R10: lines, credits, the cap, rounding, chronic failure. */

const terms = exampleTerms();
const count = (severity: string, metric: string, counted: number, breached: number) => ({
  severity,
  metric,
  counted,
  breached,
});

describe('compliance lines (R8)', () => {
  it('compliance is (n − b) / n, not applicable at n = 0', () => {
    expect(lineOf(terms, count('S2', 'resolution', 3, 1)).line.compliance_pct).toBe(66.66666667);
    expect(lineOf(terms, count('S2', 'resolution', 0, 0)).line.compliance_pct).toBeNull();
  });

  it('a per-breach credit is b × credit_pct', () => {
    expect(lineOf(terms, count('S1', 'resolution', 9, 3)).line).toMatchObject({
      per_breach_credit_pct: 15,
      credit_pct: 15,
    });
  });

  it('a compliance credit applies once, from min_sample, strictly below the minimum', () => {
    const t = exampleTerms((x) => {
      x.credits.compliance[0].min_sample = 10;
      x.credits.per_breach.push({ severity: 'S3', metric: 'resolution', credit_pct: 0.5 });
    });
    // 9 instances: below the sample.
    expect(lineOf(t, count('S3', 'resolution', 9, 9)).line.compliance_credit_pct).toBe(0);
    // 90 % exactly is not below 90.
    expect(lineOf(t, count('S3', 'resolution', 10, 1)).line).toMatchObject({
      compliance_pct: 90,
      compliance_credit_pct: 0,
      credit_pct: 0.5,
    });
    expect(lineOf(t, count('S3', 'resolution', 10, 2)).line).toMatchObject({
      compliance_credit_pct: 3,
      per_breach_credit_pct: 1,
      credit_pct: 4,
    });
  });

  it('the metric-level min_compliance_pct is the reporting target, not a credit', () => {
    const t = exampleTerms((x) => (x.metrics.first_response.min_compliance_pct = 95));
    expect(lineOf(t, count('S3', 'first_response', 20, 1)).line).toMatchObject({
      target_pct: 95,
      credit_pct: 0,
      miss: false,
    });
    expect(lineOf(t, count('S3', 'first_response', 20, 2)).line.miss).toBe(true);
    // Without a target, any breach is a miss.
    expect(lineOf(terms, count('S3', 'first_response', 20, 1)).line).toMatchObject({
      target_pct: null,
      miss: true,
    });
  });
});

describe('credit totals (R10)', () => {
  it('sums every line, then caps', () => {
    const { credit } = linesOf(terms, [count('S1', 'resolution', 2, 1), count('S2', 'first_response', 3, 2)]);
    expect(creditTotals(terms, credit, 0)).toMatchObject({
      uncapped_pct: 7,
      capped_pct: 7,
      credit_minor: 70000,
      cap_reached: false,
    });
    expect(creditTotals(terms, credit, 25)).toMatchObject({
      uncapped_pct: 32,
      capped_pct: 25,
      credit_minor: 250000,
      cap_reached: true,
    });
  });

  it('rounds half up in minor units', () => {
    const fee = (minor: number, pct: number) =>
      creditTotals(
        exampleTerms((x) => (x.monthly_fee_minor = minor)),
        0n,
        pct,
      ).credit_minor;
    expect(fee(999, 2.5)).toBe(25); // 24.975
    expect(fee(100, 0.5)).toBe(1); // 0.5
    expect(fee(99, 0.5)).toBe(0); // 0.495
    expect(fee(1000001, 10)).toBe(100000); // 100000.1
    expect(fee(1000005, 10)).toBe(100001); // 100000.5
  });

  it('adds percentages exactly: 3 × 0.7 % of 500 is 10.5, rounded up to 11', () => {
    const t = exampleTerms((x) => {
      x.monthly_fee_minor = 500;
      x.credits.per_breach[2].credit_pct = 0.7; // S2 first_response
    });
    const { lines, credit } = linesOf(t, [count('S2', 'first_response', 3, 3)]);
    // In binary floating point 3 × 0.7 is 2.0999999999999996 and the amount would round to 10.
    expect(lines.find((l) => l.metric === 'first_response' && l.severity === 'S2')!.credit_pct).toBe(2.1);
    expect(creditTotals(t, credit, 0)).toMatchObject({ uncapped_pct: 2.1, credit_minor: 11 });
  });
});

const result = (
  month: string,
  flags: { uptime?: boolean; cap?: boolean; line?: boolean } = {},
): MonthResult => ({
  month,
  lines: [
    { severity: 'S3', metric: 'resolution', counted: 1, breached: flags.line ? 1 : 0, miss: !!flags.line },
  ],
  uptime: { uptime_pct: flags.uptime ? 99 : 100, miss: !!flags.uptime, credit_pct: 0 },
  uncapped_pct: 0,
  capped_pct: 0,
  credit_minor: 0,
  cap_reached: !!flags.cap,
  counted: [],
  adjustments: [],
});
const results = (list: MonthResult[]) => new Map(list.map((r) => [r.month, r]));

describe('chronic failure (R10)', () => {
  it('consecutive months: the run must end with this month and have no gap', () => {
    const run = results([result('2025-04', { uptime: true }), result('2025-05', { uptime: true })]);
    expect(
      chronicFlags(
        terms,
        '2025-06',
        new Map([...run, ['2025-06', result('2025-06', { uptime: true })]]),
        'D',
      ),
    ).toHaveLength(1);
    expect(chronicFlags(terms, '2025-06', new Map([...run, ['2025-06', result('2025-06')]]), 'D')).toEqual(
      [],
    );
    const gap = results([
      result('2025-03', { uptime: true }),
      result('2025-05', { uptime: true }),
      result('2025-06', { uptime: true }),
    ]);
    expect(chronicFlags(terms, '2025-06', gap, 'D')).toEqual([]);
  });

  it('months in a rolling 12: misses within the last twelve months, this one included', () => {
    const t = exampleTerms(
      (x) => (x.credits.chronic_failure.rules = [{ type: 'uptime_miss', months_in_rolling_12: 3 }]),
    );
    const within = results([
      result('2024-07', { uptime: true }),
      result('2025-01', { uptime: true }),
      result('2025-06', { uptime: true }),
    ]);
    expect(chronicFlags(t, '2025-06', within, '2025-08-04')).toEqual([
      {
        rule: 0,
        type: 'uptime_miss',
        trigger: 'months_in_rolling_12',
        threshold: 3,
        months: ['2024-07', '2025-01', '2025-06'],
        remedy: 'termination_without_penalty',
        deadline: '2025-08-04',
      },
    ]);
    const outside = results([
      result('2024-06', { uptime: true }),
      result('2025-01', { uptime: true }),
      result('2025-06', { uptime: true }),
    ]);
    expect(chronicFlags(t, '2025-06', outside, 'D')).toEqual([]);
  });

  it('metric_miss watches its line', () => {
    const t = exampleTerms(
      (x) =>
        (x.credits.chronic_failure.rules = [
          { type: 'metric_miss', severity: 'S3', metric: 'resolution', consecutive_months: 2 },
        ]),
    );
    const flags = chronicFlags(
      t,
      '2025-06',
      results([result('2025-05', { line: true }), result('2025-06', { line: true })]),
      'D',
    );
    expect(flags).toEqual([
      expect.objectContaining({ type: 'metric_miss', severity: 'S3', metric: 'resolution' }),
    ]);
  });

  it('through statements: cap reached two months running, uptime missed three', () => {
    // 37 hours down in June: below 95 %, the 50 % tier, over the 25 % cap.
    const outages: Outage[] = [
      { start: '2025-06-10T00:00:00Z', end: '2025-06-11T13:00:00Z', kind: 'outage' },
    ];
    const history = [result('2025-04', { uptime: true }), result('2025-05', { uptime: true, cap: true })];
    const s = monthlyStatement(
      exampleTerms((x) => (x.reporting.send_on_day = 10)),
      [],
      { month: '2025-06', outages, history },
    );
    expect(s).toMatchObject({
      uncapped_pct: 50,
      capped_pct: 25,
      credit_minor: 250000,
      report_date: '2025-07-10',
    });
    expect(s.result).toMatchObject({ cap_reached: true, uptime: { miss: true, credit_pct: 50 } });
    expect(s.chronic_failure).toEqual([
      expect.objectContaining({
        rule: 0,
        type: 'uptime_miss',
        months: ['2025-04', '2025-05', '2025-06'],
        deadline: '2025-08-09',
      }),
      expect.objectContaining({
        rule: 1,
        type: 'cap_reached',
        trigger: 'consecutive_months',
        months: ['2025-05', '2025-06'],
      }),
    ]);
    expect(statementCsv(s).split('\r\n')).toContain(
      '2025-06,chronic_failure,,,,,,,,,,,,,,"rule 1 cap_reached: consecutive_months 2 (2025-05, 2025-06); termination_without_penalty until 2025-08-09"',
    );
  });

  it('through statements: a breached line with no target trips metric_miss', () => {
    const t = exampleTerms(
      (x) =>
        (x.credits.chronic_failure.rules = [
          { type: 'metric_miss', severity: 'S1', metric: 'first_response', consecutive_months: 1 },
        ]),
    );
    const late = ticket({
      severity: 'S1',
      created: '2025-06-02T10:00:00-04:00',
      comments: [['2025-06-02T10:31:00-04:00', 'agent']],
    });
    const s = monthlyStatement(t, [late], { month: '2025-06' });
    expect(s.chronic_failure).toEqual([
      expect.objectContaining({ type: 'metric_miss', months: ['2025-06'], deadline: '2025-08-04' }),
    ]);
  });
});
