import { describe, expect, it } from 'vitest';
import { evaluateTickets, type MetricResult } from '../../../../functions/core/sla/engine';
import { exampleTerms, ticket, type TicketSpec } from './fixtures';

/** R3, R4 and R6 on hand-computed tickets; example terms unless a test changes them. */

const terms = exampleTerms();
const run = (spec: TicketSpec, t = terms) => evaluateTickets(t, [ticket(spec)]);
const only = (results: MetricResult[], metric: string) => results.filter((r) => r.metric === metric);
const one = (results: MetricResult[], metric: string) => {
  const found = only(results, metric);
  expect(found).toHaveLength(1);
  return found[0]!;
};
// Monday 7 April 2025, New York (EDT).
const apr = (day: number, time: string) => `2025-04-${String(day).padStart(2, '0')}T${time}:00-04:00`;

describe('first response (R3, R4)', () => {
  it('exactly on target is met; one second over is a breach at the due instant', () => {
    const onTarget = one(
      run({ created: apr(7, '10:00'), comments: [[apr(7, '12:00'), 'agent']] }),
      'first_response',
    );
    expect(onTarget).toMatchObject({ elapsed_min: 120, breached: false, state: 'met', due: apr(7, '12:00') });
    const over = one(
      run({ created: apr(7, '10:00'), comments: [{ at: '2025-04-07T12:00:01-04:00', author: 'agent' }] }),
      'first_response',
    );
    expect(over).toMatchObject({
      elapsed_min: 120.02,
      breached: true,
      state: 'breached',
      breach_severity: 'S2',
      breach_at: apr(7, '12:00'),
      period: '2025-04',
    });
  });

  it('only public agent replies from qualifying sources stop it', () => {
    const result = one(
      run({
        created: apr(7, '10:00'),
        comments: [
          { at: apr(7, '10:01'), author: 'agent', source: 'auto_acknowledgement' },
          { at: apr(7, '10:02'), author: 'agent', source: 'bot' },
          { at: apr(7, '10:03'), author: 'agent', public: false },
          { at: apr(7, '10:04'), author: 'customer' },
          // The example first_response metric does not exclude shared accounts.
          { at: apr(7, '10:05'), author: 'agent', source: 'shared_account' },
        ],
      }),
      'first_response',
    );
    expect(result.elapsed_min).toBe(5);
  });

  it('starts at customer_reported_at when the metric says so', () => {
    const t = exampleTerms((x) => (x.metrics.first_response.start = 'customer_reported_at'));
    const spec = {
      created: apr(7, '10:00'),
      reported: apr(7, '09:00'),
      comments: [[apr(7, '10:30'), 'agent']] as TicketSpec['comments'],
    };
    expect(one(run(spec, t), 'first_response')).toMatchObject({ elapsed_min: 90, due: apr(7, '11:00') });
    expect(one(run(spec), 'first_response')).toMatchObject({ elapsed_min: 30, due: apr(7, '12:00') });
  });

  it('a solve stops a running response: met or breached by the same rule', () => {
    const metBySolve = run({
      created: apr(7, '10:00'),
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(7, '11:00'), 'solved'],
      ],
      comments: [[apr(7, '11:30'), 'agent']],
    });
    expect(one(metBySolve, 'first_response')).toMatchObject({
      elapsed_min: 60,
      state: 'met',
      stop: apr(7, '11:00'),
    });
    const breachedBySolve = run({
      created: apr(7, '10:00'),
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(7, '13:00'), 'closed'],
      ],
    });
    expect(one(breachedBySolve, 'first_response')).toMatchObject({
      elapsed_min: 180,
      breached: true,
      breach_at: apr(7, '12:00'),
    });
  });

  it('is measured once, not again after a reopen', () => {
    const results = run({
      created: apr(7, '10:00'),
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(7, '11:00'), 'solved'],
        [apr(8, '10:00'), 'open'],
      ],
      comments: [[apr(8, '15:00'), 'agent']],
      asOf: apr(9, '12:00'),
    });
    expect(only(results, 'first_response')).toHaveLength(1);
  });

  it('a running instance reports elapsed to the evaluation instant and its due', () => {
    const results = run({ created: apr(7, '16:00'), asOf: apr(8, '09:30') });
    expect(one(results, 'first_response')).toMatchObject({
      elapsed_min: 90,
      state: 'in_progress',
      breached: false,
      due: apr(8, '10:00'),
      period: null,
      stop: null,
    });
  });
});

describe('next response (R4)', () => {
  it('opens at the oldest unanswered customer comment and stops at the next qualifying reply', () => {
    const results = run({
      created: apr(7, '10:00'),
      comments: [
        [apr(7, '10:15'), 'customer'], // answered by the first response
        [apr(7, '10:30'), 'agent'],
        [apr(7, '11:00'), 'customer'],
        [apr(7, '11:30'), 'customer'], // already waiting: opens nothing
        { at: apr(7, '12:00'), author: 'agent', source: 'shared_account' }, // excluded by default here
        [apr(7, '14:00'), 'agent'],
        [apr(7, '15:00'), 'customer'],
        { at: apr(7, '15:30'), author: 'customer', public: false },
        [apr(8, '12:00'), 'agent'],
      ],
      asOf: apr(9, '12:00'),
    });
    const next = only(results, 'next_response');
    expect(next.map((r) => [r.start, r.elapsed_min, r.breached, r.breach_at])).toEqual([
      [apr(7, '11:00'), 180, false, null],
      // Monday 15:00-17:00 and Tuesday 09:00-12:00: 300 minutes, due at 240 (Tuesday 11:00).
      [apr(7, '15:00'), 300, true, apr(8, '11:00')],
    ]);
  });

  it('is stopped by a solve, and a comment on a solved ticket opens nothing', () => {
    const results = run({
      created: apr(7, '10:00'),
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(7, '12:00'), 'solved'],
      ],
      comments: [
        [apr(7, '10:30'), 'agent'],
        [apr(7, '11:00'), 'customer'],
        [apr(7, '13:00'), 'customer'],
      ],
      asOf: apr(9, '12:00'),
    });
    expect(only(results, 'next_response').map((r) => [r.start, r.stop, r.elapsed_min])).toEqual([
      [apr(7, '11:00'), apr(7, '12:00'), 60],
    ]);
  });

  it('a severity without a next_response target measures nothing', () => {
    const results = run({
      created: apr(7, '10:00'),
      severity: 'S3',
      comments: [
        [apr(7, '10:30'), 'agent'],
        [apr(7, '11:00'), 'customer'],
      ],
      asOf: apr(9, '12:00'),
    });
    expect(only(results, 'next_response')).toEqual([]);
  });
});

describe('periodic update (R4)', () => {
  const t = exampleTerms((x) => {
    x.metrics.periodic_update = {
      kind: 'periodic_update',
      start: 'last_public_agent_reply',
      stop: 'next_public_agent_reply',
      pause_statuses: ['pending_customer'],
    };
    x.targets.push({ severity: 'S1', metric: 'periodic_update', target_minutes: 60, calendar: '24x7' });
  });

  it('runs from each qualifying reply to the next, paused while pending, stopped by the solve', () => {
    const results = run(
      {
        created: apr(7, '10:00'),
        severity: 'S1',
        statuses: [
          [apr(7, '10:00'), 'new'],
          [apr(7, '10:10'), 'open'],
          [apr(7, '11:30'), 'pending_customer'],
          [apr(7, '12:30'), 'open'],
          [apr(7, '14:00'), 'solved'],
        ],
        comments: [
          [apr(7, '10:10'), 'agent'],
          [apr(7, '11:00'), 'agent'],
          [apr(7, '12:30'), 'agent'],
          [apr(7, '15:00'), 'agent'], // on a solved ticket: starts nothing
        ],
      },
      t,
    );
    expect(
      only(results, 'periodic_update').map((r) => [r.start, r.stop, r.elapsed_min, r.breach_at]),
    ).toEqual([
      [apr(7, '10:10'), apr(7, '11:00'), 50, null],
      [apr(7, '11:00'), apr(7, '12:30'), 30, null],
      [apr(7, '12:30'), apr(7, '14:00'), 90, apr(7, '13:30')],
    ]);
    // Resolution: 4 hours less the pending hour.
    expect(one(results, 'resolution')).toMatchObject({ elapsed_min: 180, breached: false });
  });
});

describe('resolution and reopens (R6)', () => {
  const s1 = (statuses: [string, string][], extra: Partial<TicketSpec> = {}, t = terms) =>
    only(
      run({ created: apr(7, '10:00'), severity: 'S1', statuses, asOf: apr(30, '12:00'), ...extra }, t),
      'resolution',
    );
  const summary = (r: MetricResult) => [r.start, r.stop, r.elapsed_min, r.state];

  it('a reopen within the window resumes the instance, the solved time excluded', () => {
    const results = s1([
      [apr(7, '10:00'), 'new'],
      [apr(7, '11:00'), 'solved'],
      [apr(9, '11:00'), 'open'],
      [apr(9, '13:00'), 'solved'],
    ]);
    expect(results.map(summary)).toEqual([[apr(7, '10:00'), apr(9, '13:00'), 180, 'met']]);
  });

  it('exactly window_days × 24 h after the solve still resumes; one second later starts a new instance', () => {
    const at7days = s1([
      [apr(7, '10:00'), 'new'],
      [apr(7, '11:00'), 'solved'],
      [apr(14, '11:00'), 'open'],
      [apr(14, '12:00'), 'solved'],
    ]);
    expect(at7days.map(summary)).toEqual([[apr(7, '10:00'), apr(14, '12:00'), 120, 'met']]);
    const later = s1([
      [apr(7, '10:00'), 'new'],
      [apr(7, '11:00'), 'solved'],
      ['2025-04-14T11:00:01-04:00', 'open'],
      [apr(14, '12:00'), 'solved'],
    ]);
    expect(later.map(summary)).toEqual([
      [apr(7, '10:00'), apr(7, '11:00'), 60, 'met'],
      ['2025-04-14T11:00:01-04:00', apr(14, '12:00'), 59.98, 'met'],
    ]);
  });

  it('a resumed instance can breach after the reopen', () => {
    const [r] = s1([
      [apr(7, '10:00'), 'new'],
      [apr(7, '11:00'), 'solved'],
      [apr(8, '10:00'), 'open'],
      [apr(8, '14:00'), 'solved'],
    ]);
    // 60 minutes before the solve, 180 more from Tuesday 10:00: due Tuesday 13:00.
    expect(r).toMatchObject({
      elapsed_min: 300,
      breached: true,
      breach_at: apr(8, '13:00'),
      due: apr(8, '13:00'),
    });
  });

  it('a customer reply to a closed ticket starts a new instance, even within the window', () => {
    const results = s1(
      [
        [apr(7, '10:00'), 'new'],
        [apr(7, '11:00'), 'solved'],
        [apr(8, '11:00'), 'closed'],
        [apr(9, '10:00'), 'solved'],
      ],
      { comments: [[apr(9, '09:00'), 'customer']] },
    );
    expect(results.map(summary)).toEqual([
      [apr(7, '10:00'), apr(7, '11:00'), 60, 'met'],
      [apr(9, '09:00'), apr(9, '10:00'), 60, 'met'],
    ]);
  });

  it('new_cycle always starts a new instance; ignore measures nothing after the first solve', () => {
    const statuses: [string, string][] = [
      [apr(7, '10:00'), 'new'],
      [apr(7, '11:00'), 'solved'],
      [apr(9, '11:00'), 'open'],
      [apr(9, '13:00'), 'solved'],
    ];
    const mode = (m: string) => exampleTerms((x) => (x.metrics.resolution.reopen.mode = m));
    expect(s1(statuses, {}, mode('new_cycle')).map(summary)).toEqual([
      [apr(7, '10:00'), apr(7, '11:00'), 60, 'met'],
      [apr(9, '11:00'), apr(9, '13:00'), 120, 'met'],
    ]);
    expect(s1(statuses, {}, mode('ignore')).map(summary)).toEqual([
      [apr(7, '10:00'), apr(7, '11:00'), 60, 'met'],
    ]);
  });

  it('pauses while pending (on hold is not a pause status here) and assumes no further pause for due', () => {
    const [r] = only(
      run({
        created: apr(7, '10:00'),
        statuses: [
          [apr(7, '10:00'), 'new'],
          [apr(7, '12:00'), 'pending_customer'],
          [apr(8, '12:00'), 'on_hold'],
          [apr(8, '13:00'), 'pending_customer'],
        ],
        asOf: apr(9, '10:00'),
      }),
      'resolution',
    );
    // Mon 10:00-12:00 and Tue 12:00-13:00 run: 180 of 960. Still pending at the evaluation
    // instant: due counts on from there, 780 minutes = Wed 10:00-17:00 (420) and Thu 09:00-15:00.
    expect(r).toMatchObject({ elapsed_min: 180, state: 'in_progress', due: apr(10, '15:00') });
  });
});

describe('DST at the metric level (R2, R3)', () => {
  it('24x7 across spring forward counts real time: 22:00 EST to 04:00 EDT is 5 hours', () => {
    const [r] = only(
      run({
        created: '2025-03-08T22:00:00-05:00',
        severity: 'S1',
        statuses: [
          ['2025-03-08T22:00:00-05:00', 'new'],
          ['2025-03-09T04:00:00-04:00', 'solved'],
        ],
      }),
      'resolution',
    );
    // Due 240 real minutes after 22:00 EST: 02:00 EST, the instant the clock shows 03:00 EDT.
    expect(r).toMatchObject({
      elapsed_min: 300,
      breached: true,
      due: '2025-03-09T03:00:00-04:00',
      breach_at: '2025-03-09T03:00:00-04:00',
      period: '2025-03',
    });
  });

  it('24x7 across fall back: 23:00 EDT to 02:00 EST is 4 hours, exactly on target', () => {
    const [r] = only(
      run({
        created: '2025-11-01T23:00:00-04:00',
        severity: 'S1',
        statuses: [
          ['2025-11-01T23:00:00-04:00', 'new'],
          ['2025-11-02T02:00:00-05:00', 'solved'],
        ],
      }),
      'resolution',
    );
    expect(r).toMatchObject({
      elapsed_min: 240,
      breached: false,
      state: 'met',
      due: '2025-11-02T02:00:00-05:00',
    });
  });

  it('business hours across the spring-forward weekend keep 8-hour days', () => {
    const r = one(
      run({ created: '2025-03-07T16:30:00-05:00', comments: [['2025-03-10T10:00:00-04:00', 'agent']] }),
      'first_response',
    );
    expect(r).toMatchObject({ elapsed_min: 90, due: '2025-03-10T10:30:00-04:00', breached: false });
  });

  it('business hours across the fall-back weekend', () => {
    // Fri 31 Oct 15:00 EDT: 120 minutes that day; S3 first response (240) due Mon 3 Nov 11:00 EST.
    const r = one(run({ created: '2025-10-31T15:00:00-04:00', severity: 'S3' }), 'first_response');
    expect(r).toMatchObject({ due: '2025-11-03T11:00:00-05:00' });
  });
});

describe('the evaluation instant', () => {
  it("events after a ticket's as_of are not used", () => {
    const spec: TicketSpec = {
      created: apr(7, '10:00'),
      comments: [[apr(7, '11:00'), 'agent']],
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(7, '15:00'), 'solved'],
      ],
    };
    const early = run({ ...spec, asOf: apr(7, '10:30') });
    expect(early.map((r) => [r.metric, r.state, r.elapsed_min])).toEqual([
      ['first_response', 'in_progress', 30],
      ['resolution', 'in_progress', 30],
    ]);
    // options.asOf applies to tickets without their own, and the earlier of the two wins.
    const viaOption = evaluateTickets(terms, [ticket(spec)], { asOf: apr(7, '10:30') });
    expect(viaOption).toEqual(early);
    expect(
      evaluateTickets(terms, [ticket({ ...spec, asOf: apr(7, '10:30') })], { asOf: apr(30, '10:30') }),
    ).toEqual(early);
    const late = run({ ...spec, asOf: apr(30, '10:30') });
    expect(late.map((r) => [r.metric, r.state, r.elapsed_min])).toEqual([
      ['first_response', 'met', 60],
      ['resolution', 'met', 300],
    ]);
  });
});
