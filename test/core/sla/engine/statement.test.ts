import { describe, expect, it } from 'vitest';
import { monthlyStatement, statementCsv, type Statement } from '../../../../functions/core/sla/engine';
import { exampleTerms, ticket } from './fixtures';

/** R7 (attribution, month end, adjustments) and the statement's shape. */

const terms = exampleTerms();
const line = (s: Statement, severity: string, metric: string) =>
  s.lines.find((l) => l.severity === severity && l.metric === metric)!;

describe('a month as of its end (R7)', () => {
  // Monday 31 March 2025, 16:00 New York; the reply comes on Tuesday 1 April 09:30.
  const late = ticket({
    id: 'LATE',
    created: '2025-03-31T16:00:00-04:00',
    comments: [['2025-04-01T09:30:00-04:00', 'agent']],
  });

  it('an instance open at month end is listed in progress with elapsed and due, and not counted', () => {
    const march = monthlyStatement(terms, [late], { month: '2025-03' });
    expect(march.in_progress).toEqual([
      {
        ticket: 'LATE',
        metric: 'first_response',
        severity: 'S2',
        start: '2025-03-31T16:00:00-04:00',
        elapsed_min: 60,
        target_min: 120,
        due: '2025-04-01T10:00:00-04:00',
      },
      {
        ticket: 'LATE',
        metric: 'resolution',
        severity: 'S2',
        start: '2025-03-31T16:00:00-04:00',
        elapsed_min: 60,
        target_min: 960,
        due: '2025-04-02T16:00:00-04:00',
      },
    ]);
    expect(line(march, 'S2', 'first_response')).toMatchObject({ counted: 0, compliance_pct: null });
    // Produced in April or later, March still ignores April's reply.
    const april = monthlyStatement(terms, [late], { month: '2025-04' });
    expect(line(april, 'S2', 'first_response')).toMatchObject({
      counted: 1,
      breached: 0,
      compliance_pct: 100,
    });
  });

  it('a breach counts in the month of breach_at, even while the ticket is open', () => {
    const s1 = ticket({ id: 'NIGHT', severity: 'S1', created: '2025-03-31T22:00:00-04:00' });
    const march = monthlyStatement(terms, [s1], { month: '2025-03' });
    expect(line(march, 'S1', 'first_response')).toMatchObject({ counted: 1, breached: 1, credit_pct: 2 });
    // Resolution (240 min) is due at 02:00 on 1 April: in progress at the end of March.
    expect(march.in_progress.map((p) => [p.metric, p.elapsed_min, p.due])).toEqual([
      ['resolution', 120, '2025-04-01T02:00:00-04:00'],
    ]);
    expect(march.credit_minor).toBe(20000);
    const april = monthlyStatement(terms, [s1], { month: '2025-04' });
    expect(line(april, 'S1', 'resolution')).toMatchObject({ counted: 1, breached: 1 });
    expect(line(april, 'S1', 'first_response').counted).toBe(0);
  });

  it('states the period, the report date and how credits are given', () => {
    const s = monthlyStatement(terms, [], { month: '2025-11' });
    expect(s).toMatchObject({
      contract_id: 'ACME-SUP-2025',
      month: '2025-11',
      period: { start: '2025-11-01T00:00:00-04:00', end: '2025-12-01T00:00:00-05:00' },
      report_date: '2025-12-05',
      credits_applied: 'automatic',
      claimable_until: null,
      currency: 'USD',
      adjustments: [],
      chronic_failure: [],
    });
    const claimed = monthlyStatement(
      exampleTerms((x) => {
        x.credits.claim_window_days = 30;
        x.reporting.send_on_day = 10;
      }),
      [],
      { month: '2025-12' },
    );
    expect(claimed).toMatchObject({
      report_date: '2026-01-10',
      credits_applied: 'on_claim',
      claimable_until: '2026-02-09',
    });
  });
});

describe('adjustments to issued months (R7)', () => {
  // Friday 28 March 10:00, S1, solved at 11:00 (met in March); reopened on Wednesday 2 April
  // within the 7-day window and solved at 14:00: 60 + 240 minutes, breached at 13:00 on 2 April.
  const reopened = ticket({
    id: 'REOPEN',
    severity: 'S1',
    created: '2025-03-28T10:00:00-04:00',
    comments: [['2025-03-28T10:05:00-04:00', 'agent']],
    statuses: [
      ['2025-03-28T10:00:00-04:00', 'new'],
      ['2025-03-28T11:00:00-04:00', 'solved'],
      ['2025-04-02T10:00:00-04:00', 'open'],
      ['2025-04-02T14:00:00-04:00', 'solved'],
    ],
  });
  // Monday 31 March 15:00, S2, replied on 1 April 10:00: exactly on target (120) at the end of
  // March, so in progress then; later known to have breached at 17:00 on 31 March.
  const edge = ticket({
    id: 'EDGE',
    created: '2025-03-31T15:00:00-04:00',
    comments: [['2025-04-01T10:00:00-04:00', 'agent']],
  });

  it('a reopen and a breach found later are reported against March, which is not restated', () => {
    const march = monthlyStatement(terms, [reopened, edge], { month: '2025-03' });
    expect(line(march, 'S1', 'resolution')).toMatchObject({ counted: 1, breached: 0 });
    expect(line(march, 'S2', 'first_response')).toMatchObject({ counted: 0 });
    expect(march.in_progress.find((p) => p.ticket === 'EDGE' && p.metric === 'first_response')).toMatchObject(
      {
        elapsed_min: 120,
        due: '2025-03-31T17:00:00-04:00',
      },
    );
    expect(march.credit_minor).toBe(0);

    const april = monthlyStatement(terms, [reopened, edge], { month: '2025-04', history: [march.result] });
    expect(line(april, 'S1', 'resolution')).toMatchObject({ counted: 1, breached: 1, credit_pct: 5 });
    expect(line(april, 'S2', 'first_response').counted).toBe(0);
    expect(april.adjustments).toEqual([
      {
        month: '2025-03',
        instances: [
          {
            ticket: 'EDGE',
            metric: 'first_response',
            start: '2025-03-31T15:00:00-04:00',
            was: null,
            now: { severity: 'S2', outcome: 'breached' },
          },
          {
            ticket: 'REOPEN',
            metric: 'resolution',
            start: '2025-03-28T10:00:00-04:00',
            was: { severity: 'S1', outcome: 'met' },
            now: null,
          },
        ],
        lines: [
          {
            severity: 'S1',
            metric: 'resolution',
            counted_was: 1,
            counted: 0,
            breached_was: 0,
            breached: 0,
            credit_pct_was: 0,
            credit_pct: 0,
          },
          {
            severity: 'S2',
            metric: 'first_response',
            counted_was: 0,
            counted: 1,
            breached_was: 0,
            breached: 1,
            credit_pct_was: 0,
            credit_pct: 1,
          },
        ],
        credit_minor_was: 0,
        credit_minor: 10000,
        credit_minor_delta: 10000,
      },
    ]);

    // In CSV the adjustment is a row of the adjusted month with the credit difference.
    expect(statementCsv(april).split('\r\n')).toContain(
      '2025-03,adjustment,,,,,,,,,,,,10000,USD,instance(s) changed: 2; credit 0 -> 10000',
    );

    // May reads March as adjusted in April: nothing new to report.
    const may = monthlyStatement(terms, [reopened, edge], {
      month: '2025-05',
      history: [march.result, april.result],
    });
    expect(may.adjustments).toEqual([]);
    // Giving the issued statements themselves works the same.
    expect(
      monthlyStatement(terms, [reopened, edge], { month: '2025-05', issued: [march, april] }).adjustments,
    ).toEqual([]);
  });

  it('tickets missing from the input leave the issued months as they were', () => {
    const march = monthlyStatement(terms, [reopened, edge], { month: '2025-03' });
    const april = monthlyStatement(terms, [], { month: '2025-04', history: [march.result] });
    expect(april.adjustments).toEqual([]);
  });
});
