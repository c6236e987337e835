import { describe, expect, it } from 'vitest';
import { evaluateTickets, type MetricResult } from '../../../../functions/core/sla/engine';
import { exampleTerms, ticket, type TicketSpec } from './fixtures';

/** R5 on hand-computed tickets. Targets: S1 FR 30 / resolution 240 (24x7); S3 FR 240 / resolution 2400 (business). */

const apr = (day: number, time: string) => `2025-04-${String(day).padStart(2, '0')}T${time}:00-04:00`;
const mode = (m: 'retroactive' | 'segmented', sticky: boolean) =>
  exampleTerms((x) => (x.reclassification = { mode: m, breach_sticky: sticky }));
const metric = (results: MetricResult[], name: string) => {
  const found = results.filter((r) => r.metric === name);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
};
const run = (spec: TicketSpec, m: 'retroactive' | 'segmented', sticky: boolean) =>
  evaluateTickets(mode(m, sticky), [ticket({ asOf: apr(30, '12:00'), ...spec })]);

/** An S3 ticket upgraded to S1 the next morning and solved an hour later: measured both ways below. */
const upgradedAfterADay: TicketSpec = {
  created: apr(7, '10:00'),
  severities: [
    [apr(7, '10:00'), 'S3'],
    [apr(8, '09:00'), 'S1'],
  ],
  statuses: [
    [apr(7, '10:00'), 'new'],
    [apr(8, '10:00'), 'solved'],
  ],
};

describe('retroactive reclassification', () => {
  const upgraded: TicketSpec = {
    created: apr(7, '10:00'),
    severities: [
      [apr(7, '10:00'), 'S3'],
      [apr(7, '11:00'), 'S1'],
    ],
    comments: [[apr(7, '11:15'), 'agent']],
  };

  it('an upgrade measures from the original start under the new terms; the breach is at the upgrade', () => {
    for (const sticky of [true, false])
      expect(metric(run(upgraded, 'retroactive', sticky), 'first_response')).toEqual(
        expect.objectContaining({
          severity: 'S1',
          breach_severity: 'S1',
          elapsed_min: 75,
          target_min: 30,
          due: apr(7, '10:30'),
          breached: true,
          // max(upgrade 11:00, due under S1 10:30)
          breach_at: apr(7, '11:00'),
        }),
      );
  });

  const downgraded: TicketSpec = {
    created: apr(7, '10:00'),
    severities: [
      [apr(7, '10:00'), 'S1'],
      [apr(7, '11:00'), 'S3'],
    ],
    comments: [[apr(7, '11:30'), 'agent']],
  };

  it('sticky: a breach under the earlier severity is not cured by a downgrade', () => {
    expect(metric(run(downgraded, 'retroactive', true), 'first_response')).toEqual(
      expect.objectContaining({
        severity: 'S3',
        breach_severity: 'S1',
        // Reported under S3 (business calendar from 10:00): elapsed below target, yet breached.
        elapsed_min: 90,
        target_min: 240,
        due: apr(7, '14:00'),
        breached: true,
        breach_at: apr(7, '10:30'),
        state: 'breached',
      }),
    );
  });

  it('not sticky: only the severity at the stop counts', () => {
    expect(metric(run(downgraded, 'retroactive', false), 'first_response')).toEqual(
      expect.objectContaining({
        severity: 'S3',
        breach_severity: null,
        elapsed_min: 90,
        breached: false,
        state: 'met',
      }),
    );
  });

  it('a metric that stopped before the reclassification is not affected by it', () => {
    const spec = { ...upgraded, comments: [[apr(7, '10:20'), 'agent']] as TicketSpec['comments'] };
    expect(metric(run(spec, 'retroactive', true), 'first_response')).toEqual(
      expect.objectContaining({ severity: 'S3', elapsed_min: 20, target_min: 240, breached: false }),
    );
    // A reclassification at the very instant of the stop does not reach it either.
    const atStop = { ...upgraded, comments: [[apr(7, '11:00'), 'agent']] as TicketSpec['comments'] };
    expect(metric(run(atStop, 'retroactive', true), 'first_response')).toEqual(
      expect.objectContaining({ severity: 'S3', elapsed_min: 60, breached: false }),
    );
  });

  it('a severity without a target neither measures nor breaches; at the stop it hides the instance', () => {
    // next_response is measured for S2 only (240 business minutes).
    const base: TicketSpec = {
      created: apr(7, '10:00'),
      severities: [
        [apr(7, '10:00'), 'S2'],
        [apr(8, '12:00'), 'S3'],
      ],
      comments: [
        [apr(7, '10:30'), 'agent'],
        [apr(7, '11:00'), 'customer'],
        [apr(8, '15:00'), 'agent'],
      ],
    };
    // Under S2 until Tue 12:00: Mon 11:00-17:00 and Tue 09:00-12:00, 540 > 240: breached at Mon 15:00.
    expect(metric(run(base, 'retroactive', true), 'next_response')).toEqual(
      expect.objectContaining({
        severity: 'S3',
        breach_severity: 'S2',
        breached: true,
        breach_at: apr(7, '15:00'),
        elapsed_min: null,
        target_min: null,
        due: null,
      }),
    );
    expect(metric(run(base, 'retroactive', false), 'next_response')).toBeUndefined();
    // Downgraded before the S2 target ran out: nothing to report.
    const early = {
      ...base,
      severities: [
        [apr(7, '10:00'), 'S2'],
        [apr(7, '12:00'), 'S3'],
      ] as [string, string][],
    };
    expect(metric(run(early, 'retroactive', true), 'next_response')).toBeUndefined();
  });

  it('resolution: a later upgrade to a stricter 24x7 target breaches at the upgrade', () => {
    const results = run(upgradedAfterADay, 'retroactive', true);
    expect(metric(results, 'resolution')).toEqual(
      expect.objectContaining({
        severity: 'S1',
        breach_severity: 'S1',
        elapsed_min: 1440,
        target_min: 240,
        due: apr(7, '14:00'),
        breach_at: apr(8, '09:00'),
        period: '2025-04',
      }),
    );
  });
});

describe('segmented reclassification', () => {
  it('sums each segment under its own calendar against the target at the stop', () => {
    // S3 business Mon 10:00-17:00 (420) + S1 24x7 Tue 09:00-10:00 (60) = 480 > 240.
    expect(metric(run(upgradedAfterADay, 'segmented', false), 'resolution')).toEqual(
      expect.objectContaining({
        severity: 'S1',
        breach_severity: 'S1',
        elapsed_min: 480,
        target_min: 240,
        due: apr(7, '14:00'),
        breach_at: apr(8, '09:00'),
      }),
    );
  });

  it('sticky or not, a downgrade after running over', () => {
    const spec: TicketSpec = {
      created: apr(7, '10:00'),
      severities: [
        [apr(7, '10:00'), 'S1'],
        [apr(7, '15:00'), 'S3'],
      ],
      statuses: [
        [apr(7, '10:00'), 'new'],
        [apr(8, '12:00'), 'solved'],
      ],
    };
    // S1 24x7 10:00-15:00 (300) + S3 business Mon 15:00-17:00 and Tue 09:00-12:00 (300) = 600.
    expect(metric(run(spec, 'segmented', true), 'resolution')).toEqual(
      expect.objectContaining({
        severity: 'S3',
        breach_severity: 'S1',
        elapsed_min: 600,
        target_min: 2400,
        breached: true,
        breach_at: apr(7, '14:00'),
      }),
    );
    expect(metric(run(spec, 'segmented', false), 'resolution')).toEqual(
      expect.objectContaining({ severity: 'S3', breach_severity: null, elapsed_min: 600, breached: false }),
    );
  });
});
