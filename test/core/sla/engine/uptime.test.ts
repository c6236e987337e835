import { describe, expect, it } from 'vitest';
import { monthlyStatement } from '../../../../functions/core/sla/engine';
import type { Outage } from '../../../../functions/core/sla/ticket';
import { exampleTerms } from './fixtures';

/** R9 on June 2025 in UTC: T = 30 days = 2,592,000 s = 43,200 min. */

const uptime = (outages: Outage[], change?: (terms: any) => void, month = '2025-06') =>
  monthlyStatement(exampleTerms(change), [], { month, outages }).uptime!;
const outage = (start: string, end: string, extra: Partial<Outage> = {}): Outage => ({
  start: `2025-06-${start}Z`,
  end: `2025-06-${end}Z`,
  kind: 'outage',
  ...extra,
});
const maintenance = (start: string, end: string, notice: string): Outage => ({
  start: `2025-06-${start}Z`,
  end: `2025-06-${end}Z`,
  kind: 'maintenance',
  notice_given_at: notice,
});

describe('uptime tiers are compared exactly (R9)', () => {
  it('exactly 99.9 % is not a miss and in no tier; one second more downtime is', () => {
    // 0.1 % of the month is 2,592 s (43.2 min).
    expect(uptime([outage('10T00:00:00', '10T00:43:12')])).toMatchObject({
      downtime_min: 43.2,
      uptime_pct: 99.9,
      miss: false,
      tier: null,
      credit_pct: 0,
    });
    expect(uptime([outage('10T00:00:00', '10T00:43:13')])).toMatchObject({
      uptime_pct: 99.89996142,
      miss: true,
      tier: { below_pct: 99.9, at_or_above_pct: 99.0, credit_pct: 10 },
      credit_pct: 10,
    });
  });

  it('exactly 99.0 % and exactly 95.0 % fall in the tier they bound from below', () => {
    expect(uptime([outage('10T00:00:00', '10T07:12:00')])).toMatchObject({ uptime_pct: 99, credit_pct: 10 });
    expect(uptime([outage('10T00:00:00', '10T07:12:01')]).credit_pct).toBe(25);
    expect(uptime([outage('10T00:00:00', '11T12:00:00')])).toMatchObject({ uptime_pct: 95, credit_pct: 25 });
    // The last tier has no lower bound.
    expect(uptime([outage('10T00:00:00', '11T12:00:01')]).credit_pct).toBe(50);
    expect(uptime([outage('01T00:00:00', '30T00:00:00')])).toMatchObject({
      uptime_pct: 3.33333333,
      credit_pct: 50,
    });
  });
});

describe('maintenance (R9)', () => {
  const inWindow = outage('20T02:30:00', '20T03:10:00');

  it('qualifies with notice at least min_notice_hours (72) before the window starts', () => {
    expect(
      uptime([maintenance('20T02:00:00', '20T04:00:00', '2025-06-17T02:00:00Z'), inWindow]),
    ).toMatchObject({
      downtime_min: 0,
      maintenance_min: 120,
    });
    expect(
      uptime([maintenance('20T02:00:00', '20T04:00:00', '2025-06-17T02:00:01Z'), inWindow]),
    ).toMatchObject({
      downtime_min: 40,
      maintenance_min: 0,
    });
    const unnoticed: Outage = {
      start: '2025-06-20T02:00:00Z',
      end: '2025-06-20T04:00:00Z',
      kind: 'maintenance',
    };
    expect(uptime([unnoticed, inWindow]).downtime_min).toBe(40);
  });

  it('a window is never downtime by itself', () => {
    expect(uptime([maintenance('20T02:00:00', '20T04:00:00', '2025-06-20T01:00:00Z')])).toMatchObject({
      downtime_min: 0,
      uptime_pct: 100,
    });
  });

  it('only the first max_minutes_per_month (480) minutes qualify, windows in time order', () => {
    const result = uptime([
      maintenance('20T00:00:00', '20T04:00:00', '2025-06-10T00:00:00Z'),
      maintenance('05T00:00:00', '05T06:00:00', '2025-05-25T00:00:00Z'),
      // 01:00-02:00 is inside the 120 minutes of the second window that still qualify; 02:00-03:00 is not.
      outage('20T01:00:00', '20T03:00:00'),
    ]);
    expect(result).toMatchObject({ maintenance_min: 480, downtime_min: 60 });
  });

  it('a window crossing into the month spends the allowance on its part in the month only', () => {
    const result = uptime([
      {
        start: '2025-05-31T22:00:00Z',
        end: '2025-06-01T06:00:00Z',
        kind: 'maintenance',
        notice_given_at: '2025-05-01T00:00:00Z',
      },
      maintenance('20T00:00:00', '20T04:00:00', '2025-06-10T00:00:00Z'),
      outage('20T01:00:00', '20T03:00:00'),
    ]);
    expect(result).toMatchObject({ maintenance_min: 480, downtime_min: 60 });
  });

  it('scheduled_minutes leaves qualifying maintenance out of the denominator', () => {
    const result = uptime(
      [
        maintenance('20T00:00:00', '20T04:00:00', '2025-06-10T00:00:00Z'),
        outage('21T00:00:00', '21T00:43:12'),
      ],
      (t) => (t.uptime.denominator = 'scheduled_minutes'),
    );
    // (43200 - 240 - 43.2) / (43200 - 240)
    expect(result).toMatchObject({
      maintenance_min: 240,
      downtime_min: 43.2,
      uptime_pct: 99.89944134,
      miss: true,
    });
  });
});

describe('downtime (R9)', () => {
  const blips = [
    outage('10T10:00:30', '10T10:02:10'), // 100 s over three clock minutes
    outage('10T10:05:10', '10T10:05:55'), // 45 s
    outage('10T10:10:00', '10T10:10:30'), // these two overlap: one outage of 50 s
    outage('10T10:10:20', '10T10:10:50'),
    outage('10T10:20:00', '10T10:20:30'), // these two touch: one outage of 70 s
    outage('10T10:20:30', '10T10:21:10'),
  ];
  const granularity = (g: string) => uptime(blips, (t) => (t.uptime.granularity = g)).downtime_min;

  it('exact_seconds counts every second once', () => expect(granularity('exact_seconds')).toBe(4.42));
  it('whole_minutes_any counts every clock minute touched', () =>
    expect(granularity('whole_minutes_any')).toBe(7));
  it('whole_minutes_min_1 drops merged outages under 60 s', () =>
    expect(granularity('whole_minutes_min_1')).toBe(2.83));

  it('merges overlaps and clips to the month', () => {
    // The E13 pattern: 14:00-14:45 and 14:30-15:00 make one hour; the last outage runs into July.
    expect(
      uptime([
        outage('10T14:00:00', '10T14:45:00'),
        outage('10T14:30:00', '10T15:00:00'),
        { start: '2025-06-30T23:40:00Z', end: '2025-07-01T00:25:00Z', kind: 'outage' },
        { start: '2025-05-31T23:00:00Z', end: '2025-06-01T00:10:00Z', kind: 'outage' },
      ]).downtime_min,
    ).toBe(60 + 20 + 10);
  });

  it('leaves out customer-caused and force-majeure outages when the terms exclude them', () => {
    const outages = [
      outage('10T10:00:00', '10T11:00:00'),
      outage('10T10:30:00', '10T12:00:00', { customer_caused: true }),
      outage('12T10:00:00', '12T10:30:00', { force_majeure: true }),
    ];
    expect(uptime(outages).downtime_min).toBe(60);
    expect(uptime(outages, (t) => (t.uptime.exclusions.customer_caused = false)).downtime_min).toBe(120);
    expect(uptime(outages, (t) => (t.uptime.exclusions.force_majeure = false)).downtime_min).toBe(90);
  });

  it('the month is that of uptime_time_zone', () => {
    const ny = uptime([], (t) => (t.reporting.uptime_time_zone = 'America/New_York'), '2025-03');
    expect(ny.total_min).toBe(31 * 1440 - 60);
    expect(uptime([], undefined, '2025-03').total_min).toBe(31 * 1440);
  });

  it('terms without uptime give no uptime and no uptime credit', () => {
    const terms = exampleTerms((t) => {
      delete t.uptime;
      delete t.credits.uptime_tiers;
      t.credits.chronic_failure.rules = [{ type: 'cap_reached', consecutive_months: 2 }];
    });
    const s = monthlyStatement(terms, [], {
      month: '2025-06',
      outages: [outage('10T00:00:00', '12T00:00:00')],
    });
    expect(s.uptime).toBeNull();
    expect(s.result.uptime).toBeNull();
    expect(s.uncapped_pct).toBe(0);
  });
});
