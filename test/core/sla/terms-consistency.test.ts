import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSlaTerms } from '../../../functions/core/sla/terms';
import { ValidationError, type ErrorDetail } from '../../../functions/core/errors';

/**
 * The checks of the SLA terms that JSON Schema cannot express. Each case starts from the
 * example terms, which hold together, breaks them in one way, and expects that one problem:
 * its path, and a message that says what is wrong.
 */

const example = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'));

function rejection(terms: unknown, prefix?: string): ValidationError {
  try {
    checkSlaTerms(terms, prefix);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the terms were accepted');
}

/** The problems the example has once `change` broke it. */
function problems(change: (terms: Record<string, any>) => void): ErrorDetail[] {
  const terms = example();
  change(terms);
  const error = rejection(terms);
  expect(error.message).toMatch(/^the SLA terms do not hold together: /);
  return error.details;
}

/** `change` breaks the example in exactly one way: the one problem at `path`. */
function expectOnly(change: (terms: Record<string, any>) => void, path: string, message: RegExp): void {
  expect(problems(change)).toEqual([
    { path: `body.slaTerms.${path}`, message: expect.stringMatching(message) },
  ]);
}

function expectAccepted(change: (terms: Record<string, any>) => void): void {
  const terms = example();
  change(terms);
  expect(checkSlaTerms(terms)).toBe(terms);
}

const biz = (terms: Record<string, any>) => terms.calendars.ny_biz;
const tiers = (terms: Record<string, any>) => terms.credits.uptime_tiers;
const rules = (terms: Record<string, any>) => terms.credits.chronic_failure.rules;

describe('the example terms', () => {
  it('hold together', () => {
    const terms = example();
    expect(checkSlaTerms(terms)).toBe(terms);
  });

  it('hold together with the optional parts that the example leaves out', () => {
    expectAccepted((t) => {
      t.effective_to = null;
      t.reporting.recipients = ['sla@acme.example'];
      t.calendars['24x7'].time_zone = 'UTC';
      biz(t).weekly.sat = [
        ['08:00', '12:00'],
        ['12:00', '13:00'],
        ['20:00', '24:00'],
      ];
      biz(t).exceptions = [
        { date: '2025-12-24', windows: [['09:00', '12:00']] },
        { date: '2025-12-26', windows: [] },
      ];
      t.status_map.solved = 'solved';
      t.severity_map.S1 = 'S1';
      t.metrics.first_response.start = 'customer_reported_at';
      t.metrics.updates = { kind: 'periodic_update', pause_statuses: ['pending_customer', 'on_hold'] };
      t.targets.push({ severity: 'S1', metric: 'updates', target_minutes: 60, calendar: '24x7' });
      t.credits.claim_window_days = 0;
      rules(t).push({ type: 'metric_miss', severity: 'S1', metric: 'updates', months_in_rolling_12: 12 });
    });
  });

  it('only reach these checks once they match the schema', () => {
    const terms = example();
    terms.targets[0].calendar = 'nowhere';
    terms.targets[1].target_minutes = 0;
    expect(rejection(terms).details).toEqual([
      expect.objectContaining({ path: 'body.slaTerms.targets[1].target_minutes' }),
    ]);
  });
});

describe('effective dates', () => {
  it('refuses terms that end before they start', () => {
    expectOnly(
      (t) => (t.effective_to = '2024-12-31'),
      'effective_to',
      /^2024-12-31 is before effective_from 2025-01-01: the terms must end on or after the day they start$/,
    );
  });

  it('accepts terms of one day', () => {
    expectAccepted((t) => (t.effective_to = t.effective_from));
  });
});

describe('time zones', () => {
  const notIana = /^".*" is not an IANA time zone \(such as "America\/New_York" or "UTC"\)$/;

  it('refuses a reporting time zone that is not IANA', () => {
    expectOnly((t) => (t.reporting.time_zone = 'Eastern Standard Time'), 'reporting.time_zone', notIana);
  });

  it('refuses an uptime time zone that is not IANA', () => {
    expectOnly((t) => (t.reporting.uptime_time_zone = 'GMT+1'), 'reporting.uptime_time_zone', notIana);
  });

  it('refuses a business calendar time zone that is not IANA', () => {
    expectOnly(
      (t) => (biz(t).time_zone = 'New York'),
      'calendars.ny_biz.time_zone',
      /^"New York" is not an IANA time zone/,
    );
  });

  it('checks the time zone of a 24x7 calendar when it has one', () => {
    expectOnly(
      (t) => (t.calendars['24x7'].time_zone = 'Mars/Olympus_Mons'),
      'calendars.24x7.time_zone',
      notIana,
    );
  });

  it.each(['+01:00', 'UTC+1', '', 'Europe/Londres'])('refuses %j', (zone) => {
    expectOnly((t) => (t.reporting.time_zone = zone), 'reporting.time_zone', notIana);
  });

  // Intl accepts these as ICU ids for one zone each, whatever the writer meant: BST is
  // Asia/Dhaka there, IST Asia/Kolkata, CST America/Chicago.
  it.each(['BST', 'IST', 'CST', 'PST', 'ECT', 'bst', 'SystemV/EST5EDT'])(
    'refuses %j, which is not in the IANA database',
    (zone) => {
      expectOnly((t) => (t.reporting.time_zone = zone), 'reporting.time_zone', notIana);
    },
  );

  it.each(['UTC', 'Etc/UTC', 'US/Eastern', 'Europe/Kyiv', 'Asia/Kolkata', 'EST', 'CET', 'Etc/GMT-2'])(
    'accepts the IANA name or alias %j',
    (zone) => {
      expectAccepted((t) => {
        t.reporting.time_zone = zone;
        t.reporting.uptime_time_zone = zone;
        biz(t).time_zone = zone;
      });
    },
  );

  it('reports every zone that is wrong', () => {
    const found = problems((t) => {
      t.reporting.time_zone = 'Nowhere/City';
      t.reporting.uptime_time_zone = 'Nowhere/City';
      biz(t).time_zone = 'Nowhere/City';
    });
    expect(found.map((p) => p.path)).toEqual([
      'body.slaTerms.reporting.time_zone',
      'body.slaTerms.reporting.uptime_time_zone',
      'body.slaTerms.calendars.ny_biz.time_zone',
    ]);
  });
});

describe('calendars', () => {
  it.each([
    ['weekly', { mon: [['09:00', '17:00']] }],
    ['holidays', ['2025-01-01']],
    ['exceptions', [{ date: '2025-12-24', windows: [] }]],
  ])('refuses %s on a 24x7 calendar', (field, value) => {
    expectOnly(
      (t) => (t.calendars['24x7'][field] = value),
      `calendars.24x7.${field}`,
      /^a 24x7 calendar counts every second: weekly windows, holidays and exceptions belong to a business calendar$/,
    );
  });

  it('refuses a business window that ends before it starts', () => {
    expectOnly(
      (t) => (biz(t).weekly.wed = [['17:00', '09:00']]),
      'calendars.ny_biz.weekly.wed[0]',
      /^starts at 17:00, not before its end 09:00: a window is \[start, end\) within one day/,
    );
  });

  it('refuses an empty window', () => {
    expectOnly(
      (t) => (biz(t).weekly.mon = [['09:00', '09:00']]),
      'calendars.ny_biz.weekly.mon[0]',
      /^starts at 09:00, not before its end 09:00/,
    );
  });

  it('refuses a window across midnight, asking to split it', () => {
    expectOnly(
      (t) => biz(t).weekly.fri.push(['22:00', '02:00']),
      'calendars.ny_biz.weekly.fri[1]',
      /^starts at 22:00, not before its end 02:00: .*split one that crosses midnight/,
    );
  });

  it('refuses overlapping business windows', () => {
    expectOnly(
      (t) =>
        (biz(t).weekly.tue = [
          ['09:00', '13:00'],
          ['12:00', '17:00'],
        ]),
      'calendars.ny_biz.weekly.tue[1]',
      /^12:00-17:00 overlaps calendars\.ny_biz\.weekly\.tue\[0\] 09:00-13:00: windows of one day must not overlap$/,
    );
  });

  it('refuses a window inside another, and names each window it overlaps', () => {
    const found = problems(
      (t) =>
        (biz(t).weekly.thu = [
          ['09:00', '12:00'],
          ['13:00', '17:00'],
          ['08:00', '18:00'],
        ]),
    );
    expect(found).toEqual([
      {
        path: 'body.slaTerms.calendars.ny_biz.weekly.thu[2]',
        message: expect.stringMatching(
          /^08:00-18:00 overlaps calendars\.ny_biz\.weekly\.thu\[0\] 09:00-12:00/,
        ),
      },
      {
        path: 'body.slaTerms.calendars.ny_biz.weekly.thu[2]',
        message: expect.stringMatching(
          /^08:00-18:00 overlaps calendars\.ny_biz\.weekly\.thu\[1\] 13:00-17:00/,
        ),
      },
    ]);
  });

  it('accepts windows that touch, in any order', () => {
    expectAccepted(
      (t) =>
        (biz(t).weekly.mon = [
          ['13:00', '17:00'],
          ['09:00', '13:00'],
        ]),
    );
  });

  it.each([
    ['no day', {}],
    ['only empty days', { mon: [], sat: [] }],
  ])('refuses a business calendar with %s', (_, weekly) => {
    expectOnly(
      (t) => (biz(t).weekly = weekly),
      'calendars.ny_biz.weekly',
      /^has no window on any day: a business calendar needs at least one weekly window/,
    );
  });

  it('refuses a holiday listed twice', () => {
    expectOnly(
      (t) => biz(t).holidays.push('2025-07-04'),
      'calendars.ny_biz.holidays[4]',
      /^2025-07-04 is listed twice \(also calendars\.ny_biz\.holidays\[1\]\)$/,
    );
  });

  it('refuses two exceptions for one date', () => {
    expectOnly(
      (t) =>
        (biz(t).exceptions = [
          { date: '2025-12-24', windows: [['09:00', '12:00']] },
          { date: '2025-12-24', windows: [['13:00', '15:00']] },
        ]),
      'calendars.ny_biz.exceptions[1].date',
      /^2025-12-24 already has an exception \(calendars\.ny_biz\.exceptions\[0\]\.date\): give each date one list of windows$/,
    );
  });

  it('refuses an exception on a holiday', () => {
    expectOnly(
      (t) => (biz(t).exceptions = [{ date: '2025-12-25', windows: [['10:00', '12:00']] }]),
      'calendars.ny_biz.exceptions[0].date',
      /^2025-12-25 is also a holiday \(calendars\.ny_biz\.holidays\[3\]\): a date is either a holiday or has exception windows$/,
    );
  });

  it('checks the windows of an exception as it checks weekly ones', () => {
    const found = problems(
      (t) =>
        (biz(t).exceptions = [
          {
            date: '2025-12-24',
            windows: [
              ['09:00', '12:00'],
              ['11:00', '13:00'],
              ['15:00', '14:00'],
            ],
          },
        ]),
    );
    expect(found).toEqual([
      {
        path: 'body.slaTerms.calendars.ny_biz.exceptions[0].windows[1]',
        message: expect.stringMatching(
          /^11:00-13:00 overlaps calendars\.ny_biz\.exceptions\[0\]\.windows\[0\]/,
        ),
      },
      {
        path: 'body.slaTerms.calendars.ny_biz.exceptions[0].windows[2]',
        message: expect.stringMatching(/^starts at 15:00, not before its end 14:00/),
      },
    ]);
  });
});

describe('severities', () => {
  it.each(['', '  '])('refuses the empty id %j', (id) => {
    expectOnly(
      (t) => t.severities.push({ id, name: 'Blank', rank: 5 }),
      'severities[4].id',
      /^must not be empty$/,
    );
  });

  it('refuses an id used twice', () => {
    expectOnly(
      (t) => t.severities.push({ id: 'S2', name: 'High again', rank: 5 }),
      'severities[4].id',
      /^"S2" is already the id of severities\[1\]\.id$/,
    );
  });

  it('refuses a rank used twice', () => {
    expectOnly(
      (t) => (t.severities[3].rank = 3),
      'severities[3].rank',
      /^3 is already the rank of severities\[2\]\.rank: each severity needs its own rank/,
    );
  });
});

describe('maps from the ticket system', () => {
  it('refuses a canonical status mapped to another one', () => {
    expectOnly(
      (t) => (t.status_map.open = 'pending_customer'),
      'status_map.open',
      /^"open" is a canonical status and can only map to itself, not to "pending_customer"$/,
    );
  });

  it('refuses a priority mapped to an unknown severity', () => {
    expectOnly(
      (t) => (t.severity_map.Urgent = 'P1'),
      'severity_map.Urgent',
      /^"P1" is not a severity of these terms \(S1, S2, S3, S4\)$/,
    );
  });

  it('refuses a severity id mapped to another severity', () => {
    expectOnly(
      (t) => (t.severity_map.S1 = 'S2'),
      'severity_map.S1',
      /^"S1" is a severity of these terms and can only map to itself, not to "S2"$/,
    );
  });
});

describe('metrics', () => {
  it('refuses a start that the kind of metric does not start at', () => {
    expectOnly(
      (t) => (t.metrics.first_response.start = 'oldest_unanswered_customer_message'),
      'metrics.first_response.start',
      /^a first_response metric starts at ticket_created or customer_reported_at, not "oldest_unanswered_customer_message"$/,
    );
  });

  it('refuses a stop that the kind of metric does not stop at', () => {
    expectOnly(
      (t) => (t.metrics.resolution.stop = 'first_public_agent_reply'),
      'metrics.resolution.stop',
      /^a resolution metric stops at status_solved, not "first_public_agent_reply"$/,
    );
  });

  it.each(['first_response', 'next_response'])('refuses pause statuses on a %s metric', (name) => {
    expectOnly(
      (t) => (t.metrics[name].pause_statuses = ['on_hold']),
      `metrics.${name}.pause_statuses`,
      new RegExp(`^a ${name} metric is never paused: leave pause_statuses empty$`),
    );
  });

  it.each(['solved', 'closed'])('refuses %j as a pause of a resolution metric', (status) => {
    expectOnly(
      (t) => t.metrics.resolution.pause_statuses.push(status),
      'metrics.resolution.pause_statuses[1]',
      new RegExp(`^"${status}" ends the metric, it cannot pause it$`),
    );
  });

  it('refuses a pause status listed twice', () => {
    expectOnly(
      (t) => t.metrics.resolution.pause_statuses.push('on_hold', 'pending_customer'),
      'metrics.resolution.pause_statuses[2]',
      /^"pending_customer" is listed twice \(also metrics\.resolution\.pause_statuses\[0\]\)$/,
    );
  });

  it('refuses a qualifying reply on a resolution metric', () => {
    expectOnly(
      (t) => (t.metrics.resolution.qualifying_reply = { exclude_sources: ['bot'] }),
      'metrics.resolution.qualifying_reply',
      /^a resolution metric stops when the ticket is solved, not at a reply: qualifying_reply belongs to response metrics$/,
    );
  });

  it('refuses replies that need not be public', () => {
    expectOnly(
      (t) => (t.metrics.first_response.qualifying_reply.public_only = false),
      'metrics.first_response.qualifying_reply.public_only',
      /^must be true: a comment that is not public never qualifies as a reply$/,
    );
  });

  it('refuses an excluded source listed twice', () => {
    expectOnly(
      (t) => t.metrics.first_response.qualifying_reply.exclude_sources.push('bot'),
      'metrics.first_response.qualifying_reply.exclude_sources[3]',
      /^"bot" is listed twice \(also metrics\.first_response\.qualifying_reply\.exclude_sources\[1\]\)$/,
    );
  });

  it('refuses a reopen rule on a response metric', () => {
    expectOnly(
      (t) => (t.metrics.next_response.reopen = { mode: 'new_cycle' }),
      'metrics.next_response.reopen',
      /^only a resolution metric resumes or restarts on a reopen: remove reopen from this next_response metric$/,
    );
  });
});

describe('targets', () => {
  // targets[3] is S2 next_response, which no credit or rule refers to.
  it('refuses a target for an unknown severity', () => {
    expectOnly(
      (t) => (t.targets[3].severity = 'S5'),
      'targets[3].severity',
      /^"S5" is not a severity of these terms \(S1, S2, S3, S4\)$/,
    );
  });

  it('refuses a target for an unknown metric', () => {
    expectOnly(
      (t) => (t.targets[3].metric = 'periodic_update'),
      'targets[3].metric',
      /^"periodic_update" is not a metric of these terms \(first_response, next_response, resolution\)$/,
    );
  });

  it('refuses a target on a calendar that does not exist', () => {
    expectOnly(
      (t) => (t.targets[2].calendar = 'london_biz'),
      'targets[2].calendar',
      /^"london_biz" is not a calendar of these terms \(24x7, ny_biz\)$/,
    );
  });

  it('refuses a second target for a line', () => {
    expectOnly(
      (t) => t.targets.push({ ...t.targets[0], target_minutes: 15 }),
      'targets[9]',
      /^a second target for S1 first_response: targets\[0\] already sets it$/,
    );
  });

  it('reports every wrong reference of one target', () => {
    const found = problems((t) =>
      t.targets.push({ severity: 'S9', metric: 'm', target_minutes: 5, calendar: 'c' }),
    );
    expect(found.map((p) => p.path)).toEqual([
      'body.slaTerms.targets[9].severity',
      'body.slaTerms.targets[9].metric',
      'body.slaTerms.targets[9].calendar',
    ]);
  });
});

describe('uptime', () => {
  it.each([0, -1, 100.5])('refuses a commitment of %d%%', (pct) => {
    expectOnly(
      (t) => (t.uptime.commitment_pct = pct),
      'uptime.commitment_pct',
      new RegExp(`^must be a percentage above 0 and at most 100, not ${pct}$`),
    );
  });

  it('accepts a commitment of 100%', () => {
    expectAccepted((t) => (t.uptime.commitment_pct = 100));
  });

  it.each(['min_notice_hours', 'max_minutes_per_month'])('refuses a negative %s', (field) => {
    expectOnly(
      (t) => (t.uptime.exclusions.scheduled_maintenance[field] = -1),
      `uptime.exclusions.scheduled_maintenance.${field}`,
      /^must be 0 or more, not -1$/,
    );
  });
});

describe('credits', () => {
  it('refuses a per-breach credit for an unknown severity', () => {
    expectOnly(
      (t) => (t.credits.per_breach[0].severity = 'S0'),
      'credits.per_breach[0].severity',
      /^"S0" is not a severity of these terms \(S1, S2, S3, S4\)$/,
    );
  });

  it('refuses a per-breach credit for an unknown metric', () => {
    expectOnly(
      (t) => (t.credits.per_breach[0].metric = 'response'),
      'credits.per_breach[0].metric',
      /^"response" is not a metric of these terms/,
    );
  });

  it('reports both references of a credit when both are unknown', () => {
    const found = problems((t) =>
      t.credits.per_breach.push({ severity: 'S0', metric: 'response', credit_pct: 1 }),
    );
    expect(found).toEqual([
      {
        path: 'body.slaTerms.credits.per_breach[4].severity',
        message: expect.stringMatching(/^"S0" is not a severity/),
      },
      {
        path: 'body.slaTerms.credits.per_breach[4].metric',
        message: expect.stringMatching(/^"response" is not a metric/),
      },
    ]);
  });

  it('refuses a per-breach credit for a line that has no target', () => {
    expectOnly(
      (t) => t.credits.per_breach.push({ severity: 'S3', metric: 'next_response', credit_pct: 1 }),
      'credits.per_breach[4]',
      /^S3 next_response has no target in targets, so it is never measured: add a target or remove this credit$/,
    );
  });

  it('refuses a second per-breach credit for a line', () => {
    expectOnly(
      (t) => t.credits.per_breach.push({ severity: 'S1', metric: 'resolution', credit_pct: 9 }),
      'credits.per_breach[4]',
      /^a second per-breach credit for S1 resolution: credits\.per_breach\[1\] already sets it$/,
    );
  });

  it('refuses a compliance credit for a line that has no target, or an unknown one', () => {
    expectOnly(
      (t) => (t.credits.compliance[0].metric = 'next_response'),
      'credits.compliance[0]',
      /^S3 next_response has no target in targets, so it is never measured: add a target or remove this credit$/,
    );
    expectOnly(
      (t) => (t.credits.compliance[0].severity = 'S7'),
      'credits.compliance[0].severity',
      /^"S7" is not a severity of these terms/,
    );
  });

  it('refuses a second compliance credit for a line', () => {
    expectOnly(
      (t) => t.credits.compliance.push({ ...t.credits.compliance[0], min_compliance_pct: 80, credit_pct: 6 }),
      'credits.compliance[1]',
      /^a second compliance credit for S3 resolution: credits\.compliance\[0\] already sets it, and a line has one compliance credit$/,
    );
  });

  it.each([0, 120])('refuses a minimum compliance of %d%%', (pct) => {
    expectOnly(
      (t) => (t.credits.compliance[0].min_compliance_pct = pct),
      'credits.compliance[0].min_compliance_pct',
      new RegExp(`^must be a percentage above 0 and at most 100, not ${pct}$`),
    );
  });

  it('refuses a minimum sample below 1', () => {
    expectOnly(
      (t) => (t.credits.compliance[0].min_sample = 0),
      'credits.compliance[0].min_sample',
      /^must be 1 or more, not 0$/,
    );
  });

  it('refuses a negative claim window', () => {
    expectOnly(
      (t) => (t.credits.claim_window_days = -1),
      'credits.claim_window_days',
      /^must be 0 or more, or null for credits applied automatically, not -1$/,
    );
  });

  it('accepts a claim window in days', () => {
    expectAccepted((t) => (t.credits.claim_window_days = 30));
  });
});

describe('uptime tiers', () => {
  it('refuses tiers without uptime terms', () => {
    expectOnly(
      (t) => {
        delete t.uptime;
        rules(t).shift(); // the uptime_miss rule needs uptime terms too
      },
      'credits.uptime_tiers',
      /^uptime credit tiers need uptime terms: add uptime/,
    );
  });

  it('accepts no tiers without uptime terms', () => {
    expectAccepted((t) => {
      delete t.uptime;
      delete t.credits.uptime_tiers;
      rules(t).shift();
    });
  });

  it.each([0, 100.1])('refuses below_pct %d', (pct) => {
    expectOnly(
      (t) => {
        tiers(t)[0].below_pct = pct;
        delete tiers(t)[0].at_or_above_pct;
        t.credits.uptime_tiers = [tiers(t)[0]];
      },
      'credits.uptime_tiers[0].below_pct',
      new RegExp(`^must be a percentage above 0 and at most 100, not ${pct}$`),
    );
  });

  it.each([-1, 100])('refuses at_or_above_pct %d', (pct) => {
    expectOnly(
      (t) => (t.credits.uptime_tiers = [{ below_pct: 99.9, at_or_above_pct: pct, credit_pct: 10 }]),
      'credits.uptime_tiers[0].at_or_above_pct',
      new RegExp(`^must be a percentage of 0 or more and below 100, not ${pct}$`),
    );
  });

  it('refuses a tier whose lower bound is not below its upper bound', () => {
    expectOnly(
      (t) => (tiers(t)[0].at_or_above_pct = 99.9),
      'credits.uptime_tiers[0].at_or_above_pct',
      /^99\.9 must be below below_pct 99\.9, or the tier holds no uptime$/,
    );
  });

  it('refuses overlapping tiers', () => {
    expectOnly(
      (t) => (tiers(t)[1].below_pct = 99.5),
      'credits.uptime_tiers[1]',
      /^\[95, 99\.5\) overlaps credits\.uptime_tiers\[0\] \[99, 99\.9\): an uptime must fall in one tier at most$/,
    );
  });

  it('refuses a tier without a lower bound that overlaps the others', () => {
    expectOnly(
      (t) => (tiers(t)[2].below_pct = 96),
      'credits.uptime_tiers[2]',
      /^below 96 overlaps credits\.uptime_tiers\[1\] \[95, 99\): an uptime must fall in one tier at most$/,
    );
  });

  it('refuses tiers out of order', () => {
    expectOnly(
      (t) => tiers(t).reverse(),
      'credits.uptime_tiers[1].below_pct',
      /^99 is not below the previous tier's 95: list the tiers from the highest uptime down$/,
    );
  });

  it('refuses a gap between tiers', () => {
    expectOnly(
      (t) => (tiers(t)[1].below_pct = 98.5),
      'credits.uptime_tiers[1].below_pct',
      /^98\.5 leaves uptimes from 98\.5 up to 99 \(credits\.uptime_tiers\[0\]\.at_or_above_pct\) without a tier: make it 99$/,
    );
  });

  it('refuses a lower uptime earning a smaller credit', () => {
    expectOnly(
      (t) => (tiers(t)[1].credit_pct = 5),
      'credits.uptime_tiers[1].credit_pct',
      /^5 is less than the 10 of credits\.uptime_tiers\[0\] for a higher uptime: a lower uptime cannot earn a smaller credit$/,
    );
  });

  it('accepts equal credits for neighbouring tiers', () => {
    expectAccepted((t) => (tiers(t)[1].credit_pct = 10));
  });
});

describe('chronic failure', () => {
  it('refuses a rule that can never trip', () => {
    expectOnly(
      (t) => rules(t).push({ type: 'cap_reached' }),
      'credits.chronic_failure.rules[2]',
      /^needs consecutive_months, months_in_rolling_12 or both, or the rule never trips$/,
    );
  });

  it('refuses more than 12 months in a rolling 12', () => {
    expectOnly(
      (t) => (rules(t)[1].months_in_rolling_12 = 13),
      'credits.chronic_failure.rules[1].months_in_rolling_12',
      /^13 months cannot fall within 12: must be at most 12$/,
    );
  });

  it('refuses an uptime_miss rule without uptime terms', () => {
    expectOnly(
      (t) => {
        delete t.uptime;
        delete t.credits.uptime_tiers;
      },
      'credits.chronic_failure.rules[0].type',
      /^uptime_miss needs uptime terms: add uptime, or remove this rule$/,
    );
  });

  it.each(['severity', 'metric'])('refuses a metric_miss rule without its %s', (field) => {
    expectOnly(
      (t) => {
        const rule: Record<string, unknown> = {
          type: 'metric_miss',
          severity: 'S1',
          metric: 'resolution',
          consecutive_months: 2,
        };
        delete rule[field];
        rules(t).push(rule);
      },
      `credits.chronic_failure.rules[2].${field}`,
      new RegExp(`^required for metric_miss: the ${field} of the line it watches$`),
    );
  });

  it('refuses a metric_miss rule on an unknown or unmeasured line', () => {
    const rule = { type: 'metric_miss', consecutive_months: 2 };
    expectOnly(
      (t) => rules(t).push({ ...rule, severity: 'S5', metric: 'resolution' }),
      'credits.chronic_failure.rules[2].severity',
      /^"S5" is not a severity of these terms/,
    );
    expectOnly(
      (t) => rules(t).push({ ...rule, severity: 'S1', metric: 'uptime' }),
      'credits.chronic_failure.rules[2].metric',
      /^"uptime" is not a metric of these terms/,
    );
    expectOnly(
      (t) => rules(t).push({ ...rule, severity: 'S1', metric: 'next_response' }),
      'credits.chronic_failure.rules[2]',
      /^S1 next_response has no target in targets, so it is never measured: add a target or remove this rule$/,
    );
  });

  it.each(['severity', 'metric'])('refuses a %s on a rule that is not metric_miss', (field) => {
    expectOnly(
      (t) => (rules(t)[0][field] = field === 'severity' ? 'S1' : 'resolution'),
      `credits.chronic_failure.rules[0].${field}`,
      /^only a metric_miss rule names a line; a uptime_miss rule does not$/,
    );
  });

  it('refuses a negative exercise window', () => {
    expectOnly(
      (t) => (t.credits.chronic_failure.exercise_window_days = -1),
      'credits.chronic_failure.exercise_window_days',
      /^must be 0 or more, not -1$/,
    );
  });

  it('requires an exercise window with rules', () => {
    expectOnly(
      (t) => delete t.credits.chronic_failure.exercise_window_days,
      'credits.chronic_failure.exercise_window_days',
      /^required with chronic-failure rules: the termination right runs until the report date plus these days$/,
    );
  });

  it('needs no exercise window without rules', () => {
    expectAccepted((t) => (t.credits.chronic_failure = { remedy: 'escalation_meeting' }));
  });
});

describe('the report of the problems', () => {
  it('names every problem, under the prefix given, and sums up the first five in the message', () => {
    const terms = example();
    terms.reporting.time_zone = 'Eastern Standard Time';
    terms.targets[0].severity = 'P1';
    terms.targets[3].calendar = 'nowhere';
    terms.calendars.ny_biz.weekly.mon.push(['16:00', '18:00']);
    terms.severities[1].rank = 1;
    terms.status_map.closed = 'solved';
    terms.credits.claim_window_days = -2;
    const error = rejection(terms, 'template.slaTerms');
    expect(error.details.map((d) => d.path)).toEqual([
      'template.slaTerms.reporting.time_zone',
      'template.slaTerms.calendars.ny_biz.weekly.mon[1]',
      'template.slaTerms.severities[1].rank',
      'template.slaTerms.status_map.closed',
      'template.slaTerms.targets[0].severity',
      'template.slaTerms.targets[3].calendar',
      // S1 first_response lost its target: its per-breach credit now measures nothing.
      'template.slaTerms.credits.per_breach[0]',
      'template.slaTerms.credits.claim_window_days',
    ]);
    expect(error.message).toMatch(
      /^the SLA terms do not hold together: template\.slaTerms\.reporting\.time_zone: "Eastern Standard Time" is not an IANA time zone/,
    );
    expect(error.message).toContain('template.slaTerms.status_map.closed: "closed" is a canonical status');
    expect(error.message).toContain('template.slaTerms.targets[0].severity');
    expect(error.message).not.toContain('targets[3].calendar');
    expect(error.message).toMatch(/; and 3 more$/);
  });

  it('keeps at most 50 details', () => {
    const terms = example();
    terms.calendars.ny_biz.holidays = Array.from({ length: 60 }, () => '2025-01-01');
    const error = rejection(terms);
    expect(error.details).toHaveLength(50);
    expect(error.message).toMatch(/; and 54 more$/);
  });
});
