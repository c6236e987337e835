import { describe, expect, it } from 'vitest';
import { evaluateTickets, monthlyStatement } from '../../../../functions/core/sla/engine';
import { chronicFlags } from '../../../../functions/core/sla/engine/chronic';
import { creditTotals, linesOf } from '../../../../functions/core/sla/engine/credits';
import type { MonthResult } from '../../../../functions/core/sla/engine/history';
import { exampleTerms, shared, ticket } from './fixtures';

/** Every case of examples.json, every expected field compared. */

const examples = shared('examples.json');
const terms = exampleTerms();
const FIELD: Record<string, string> = { attribution_period: 'period' };

describe('examples.json: tickets', () => {
  for (const raw of examples.tickets) {
    const { expected, ...input } = raw;
    for (const [metric, fields] of Object.entries(expected as Record<string, Record<string, unknown>>)) {
      it(`${raw.id} ${metric}`, () => {
        const results = evaluateTickets(terms, [input]).filter((r) => r.metric === metric);
        expect(results).toHaveLength(1);
        const result = results[0] as unknown as Record<string, unknown>;
        for (const [field, value] of Object.entries(fields))
          expect(result[FIELD[field] ?? field]).toEqual(value);
      });
    }
  }
});

describe('examples.json: periods', () => {
  const {
    E13_uptime_june_2025: e13,
    E15_june_2025_credits: e15,
    E16_chronic: e16,
  } = examples.period_examples;

  it('E13 uptime, June 2025, all_minutes and scheduled_minutes', () => {
    const all = monthlyStatement(terms, [], { month: e13.month, outages: e13.outages }).uptime!;
    expect(all.total_min).toBe(e13.expected.total_min);
    expect(all.downtime_min).toBe(e13.expected.downtime_min);
    expect(all.uptime_pct).toBe(e13.expected.uptime_pct_all_minutes);
    expect(all.credit_pct).toBe(e13.expected.credit_pct);
    const scheduledTerms = exampleTerms((t) => (t.uptime.denominator = 'scheduled_minutes'));
    const scheduled = monthlyStatement(scheduledTerms, [], {
      month: e13.month,
      outages: e13.outages,
    }).uptime!;
    expect(scheduled.uptime_pct).toBe(e13.expected.uptime_pct_scheduled_minutes);
    expect(scheduled.maintenance_min).toBe(120);
    expect(scheduled.credit_pct).toBe(e13.expected.credit_pct);
  });

  it('E15 credits from the line counts', () => {
    const counts = Object.entries(e15.inputs as Record<string, unknown>)
      .filter(([key]) => key !== 'uptime_pct')
      .map(([key, [n, b]]: [string, any]) => {
        const [severity, ...metric] = key.split('_');
        return { severity: severity!, metric: metric.join('_'), counted: n, breached: b };
      });
    const { lines, credit } = linesOf(terms, counts);
    const line = (severity: string, metric: string) =>
      lines.find((l) => l.severity === severity && l.metric === metric)!;
    const items = e15.expected.line_items_pct;
    expect(line('S1', 'resolution').per_breach_credit_pct).toBe(items.S1_resolution);
    expect(line('S2', 'first_response').per_breach_credit_pct).toBe(items.S2_first_response);
    expect(line('S2', 'resolution').per_breach_credit_pct).toBe(items.S2_resolution);
    expect(line('S3', 'resolution').compliance_credit_pct).toBe(items.S3_resolution_compliance);
    expect(line('S1', 'first_response').credit_pct).toBe(0);
    const totals = creditTotals(terms, credit, items.uptime);
    expect(totals.uncapped_pct).toBe(e15.expected.uncapped_pct);
    expect(totals.capped_pct).toBe(e15.expected.capped_pct);
    expect(totals.credit_minor).toBe(e15.expected.credit_minor);
    expect(totals.cap_reached).toBe(true);
  });

  it('E15 end to end: June 2025 tickets with those counts and the E13 outages', () => {
    // Each ticket created on a June weekday at 10:00 New York; reply and solve times by severity.
    const TIMES: Record<string, { reply: [string, string]; solve: [string, string] }> = {
      S1: { reply: ['+0 10:10', '+0 10:45'], solve: ['+0 13:00', '+0 14:30'] }, // 30 and 240 min, 24x7
      S2: { reply: ['+0 10:30', '+0 12:30'], solve: ['+0 16:30', '+2 16:30'] }, // 120 and 960 business min
      S3: { reply: ['+0 10:30', '+0 10:30'], solve: ['+0 11:00', '+7 11:00'] }, // 240 and 2400 business min
    };
    const tickets: ReturnType<typeof ticket>[] = [];
    const make = (id: string, severity: string, frLate: boolean, resLate: boolean, day: number) => {
      const at = (spec: string) => {
        const [plus, time] = spec.split(' ');
        return `2025-06-${String(day + Number(plus)).padStart(2, '0')}T${time}:00-04:00`;
      };
      const times = TIMES[severity]!;
      tickets.push(
        ticket({
          id,
          severity,
          created: at('+0 10:00'),
          comments: [[at(times.reply[frLate ? 1 : 0]), 'agent']],
          statuses: [
            [at('+0 10:00'), 'new'],
            [at(times.solve[resLate ? 1 : 0]), 'solved'],
          ],
        }),
      );
    };
    // Weekdays of June 2025 (Mon 2 to Fri 20).
    const days = [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20];
    for (let i = 0; i < 4; i++) make(`S1-${i}`, 'S1', false, i < 2, days[i]!);
    for (let i = 0; i < 12; i++) make(`S2-${i}`, 'S2', i < 2, i === 2, days[i]!);
    for (let i = 0; i < 20; i++) make(`S3-${i}`, 'S3', false, i < 3, days[i % 15]!);
    const s = monthlyStatement(terms, tickets, {
      month: '2025-06',
      outages: examples.period_examples.E13_uptime_june_2025.outages,
    });
    const line = (severity: string, metric: string) =>
      s.lines.find((l) => l.severity === severity && l.metric === metric)!;
    for (const [key, counts] of Object.entries(e15.inputs as Record<string, any>)) {
      if (key === 'uptime_pct') continue;
      const [n, b] = counts;
      const [severity, ...metric] = key.split('_');
      expect([
        key,
        line(severity!, metric.join('_')).counted,
        line(severity!, metric.join('_')).breached,
      ]).toEqual([key, n, b]);
    }
    expect(s.uptime!.uptime_pct).toBe(e15.inputs.uptime_pct);
    expect(s.uncapped_pct).toBe(27);
    expect(s.capped_pct).toBe(25);
    expect(s.credit_minor).toBe(250000);
    expect(s.currency).toBe('USD');
    expect(s.in_progress).toEqual([]);
  });

  it('E16 chronic failure: uptime missed in April, May and June trips the 3-month rule', () => {
    const result = (month: string, uptime: number): MonthResult => ({
      month,
      lines: [],
      uptime: { uptime_pct: uptime, miss: uptime < 99.9, credit_pct: 0 },
      uncapped_pct: 0,
      capped_pct: 0,
      credit_minor: 0,
      cap_reached: false,
      counted: [],
      adjustments: [],
    });
    const results = new Map(
      Object.entries(e16.monthly_uptime_pct as Record<string, number>).map(([m, u]) => [m, result(m, u)]),
    );
    expect(chronicFlags(terms, '2025-05', results, '2025-07-05')).toEqual([]);
    const flags = chronicFlags(terms, e16.expected.triggered_by_period, results, '2025-08-04');
    expect(flags).toEqual([
      {
        rule: 0,
        type: 'uptime_miss',
        trigger: 'consecutive_months',
        threshold: 3,
        months: ['2025-04', '2025-05', '2025-06'],
        remedy: 'termination_without_penalty',
        deadline: '2025-08-04',
      },
    ]);
    // And through the statement: June's own uptime from the E13 outages, the history from E16.
    const history = ['2025-03', '2025-04', '2025-05'].map((m) => results.get(m)!);
    const s = monthlyStatement(terms, [], {
      month: '2025-06',
      outages: examples.period_examples.E13_uptime_june_2025.outages,
      history,
    });
    expect(s.report_date).toBe('2025-07-05');
    expect(s.chronic_failure).toHaveLength(1);
    expect(s.chronic_failure[0]).toMatchObject({
      months: ['2025-04', '2025-05', '2025-06'],
      deadline: '2025-08-04',
    });
  });
});
