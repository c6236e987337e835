import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors';
import {
  foldContract,
  nonRenewalEvent,
  terminationEvent,
  type ContractEvent,
} from '../../../functions/core/contracts/contract';
import {
  addDays,
  applyDue,
  checkContractTerm,
  daysBetween,
  localDate,
  localInstant,
  nextLifecycleJob,
  noticeDeadline,
  periodEnd,
  renewalWindowFilter,
  scheduledJob,
  shortestPeriodDays,
  windowOpens,
} from '../../../functions/core/contracts/lifecycle';
import { at, contract, created, ctx, runLifecycle, term, thrown } from './fixtures';

describe('periodEnd: the last day of a period', () => {
  it.each([
    ['2025-01-01', 12, '2025-12-31'],
    ['2025-01-15', 1, '2025-02-14'],
    ['2025-03-01', 1, '2025-03-31'],
    ['2025-01-31', 1, '2025-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2025-01-30', 1, '2025-02-28'],
    ['2025-01-29', 1, '2025-02-28'],
    ['2025-01-28', 1, '2025-02-27'],
    ['2025-03-31', 1, '2025-04-30'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-28'],
    ['2025-11-30', 3, '2026-02-28'],
    ['2025-12-15', 1, '2026-01-14'],
    ['2025-08-31', 6, '2026-02-28'],
  ])('%s + %i month(s) ends on %s', (start, months, end) => {
    expect(periodEnd(start, months)).toBe(end);
  });

  it('rejects a date that is not a day of the calendar, naming startDate', () => {
    for (const bad of ['2025-02-30', '2025-13-01', '2025-1-5', '01/02/2025', '']) {
      const error = thrown(() => periodEnd(bad, 1));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.details).toEqual([{ path: 'startDate', message: expect.stringContaining(bad || '""') }]);
    }
    expect(thrown(() => periodEnd('2025-02-30', 1)).message).toBe(
      'startDate: 2025-02-30 is not a day of the calendar',
    );
  });

  it('rejects months that are not a whole number of 1 or more, naming months', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 1201]) {
      const error = thrown(() => periodEnd('2025-01-01', bad));
      expect(error.details[0]!.path).toBe('months');
      expect(error.message).toMatch(/^months: must be a whole number of months from 1 to 1200/);
    }
  });

  it('knows the shortest period of a number of months', () => {
    expect([1, 2, 3, 6, 12].map(shortestPeriodDays)).toEqual([28, 59, 89, 181, 365]);
  });
});

describe('notice deadline and window', () => {
  it('the deadline is the end less noticeDays, the window opens reminderDays before it', () => {
    const state = contract();
    expect(state.currentPeriod).toEqual({ index: 1, start: '2025-01-01', end: '2025-12-31' });
    expect(noticeDeadline(state)).toBe('2025-12-01');
    expect(windowOpens(state)).toBe('2025-11-17');
    expect(state.noticeDeadline).toBe('2025-12-01');
    expect(state.noticeWindowOpensOn).toBe('2025-11-17');
  });

  it('counts across a month end and a leap day', () => {
    const state = contract({
      startDate: '2023-03-01',
      renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 1, reminderDays: 1 },
    });
    expect(state.currentPeriod.end).toBe('2024-02-29');
    expect(state.noticeDeadline).toBe('2024-02-28');
    expect(state.noticeWindowOpensOn).toBe('2024-02-27');
  });

  it('a fixed term has neither', () => {
    const state = contract({ renewal: { mode: 'fixed' } });
    expect(noticeDeadline(state)).toBeNull();
    expect(windowOpens(state)).toBeNull();
  });

  it('notice may run to the end date itself with noticeDays 0', () => {
    const state = contract({ renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 0, reminderDays: 0 } });
    expect(state.noticeDeadline).toBe('2025-12-31');
    expect(state.noticeWindowOpensOn).toBe('2025-12-31');
  });
});

describe('localInstant', () => {
  it.each([
    // New York springs forward on Sunday 2025-03-09 at 02:00 and falls back on 2025-11-02.
    ['2025-03-08', '09:00', 'America/New_York', '2025-03-08T14:00:00.000Z'],
    ['2025-03-09', '09:00', 'America/New_York', '2025-03-09T13:00:00.000Z'],
    ['2025-11-02', '09:00', 'America/New_York', '2025-11-02T14:00:00.000Z'],
    ['2025-03-29', '09:00', 'Europe/Berlin', '2025-03-29T08:00:00.000Z'],
    ['2025-03-30', '09:00', 'Europe/Berlin', '2025-03-30T07:00:00.000Z'],
    ['2025-10-26', '09:00', 'Europe/Berlin', '2025-10-26T08:00:00.000Z'],
    // Sydney and Auckland fall back in April and spring forward in September/October.
    ['2025-04-05', '09:00', 'Australia/Sydney', '2025-04-04T22:00:00.000Z'],
    ['2025-04-06', '09:00', 'Australia/Sydney', '2025-04-05T23:00:00.000Z'],
    ['2025-10-05', '09:00', 'Australia/Sydney', '2025-10-04T22:00:00.000Z'],
    ['2025-03-09', '09:00', 'Asia/Kolkata', '2025-03-09T03:30:00.000Z'],
    ['2025-07-01', '00:00', 'Asia/Kolkata', '2025-06-30T18:30:00.000Z'],
    ['2025-04-06', '09:00', 'Pacific/Auckland', '2025-04-05T21:00:00.000Z'],
    ['2025-09-28', '09:00', 'Pacific/Auckland', '2025-09-27T20:00:00.000Z'],
    ['2026-01-01', '00:00', 'Pacific/Auckland', '2025-12-31T11:00:00.000Z'],
  ])('%s %s in %s is %s', (date, time, zone, expected) => {
    expect(localInstant(date, time, zone).toISOString()).toBe(expected);
  });

  it.each([
    // Skipped local times move forward to the first instant after the gap.
    ['2025-03-09', '02:30', 'America/New_York', '2025-03-09T07:00:00.000Z'],
    ['2025-03-30', '02:00', 'Europe/Berlin', '2025-03-30T01:00:00.000Z'],
    ['2025-03-30', '02:59', 'Europe/Berlin', '2025-03-30T01:00:00.000Z'],
    ['2025-10-05', '02:30', 'Australia/Sydney', '2025-10-04T16:00:00.000Z'],
    ['2025-09-28', '02:15', 'Pacific/Auckland', '2025-09-27T14:00:00.000Z'],
    // Midnight itself is skipped where clocks change at 00:00: the day starts at 01:00.
    ['2018-11-04', '00:00', 'America/Sao_Paulo', '2018-11-04T03:00:00.000Z'],
    ['2025-09-07', '00:00', 'America/Santiago', '2025-09-07T04:00:00.000Z'],
  ])('%s %s in %s falls in a DST gap: %s', (date, time, zone, expected) => {
    expect(localInstant(date, time, zone).toISOString()).toBe(expected);
  });

  it.each([
    ['2025-11-02', '01:30', 'America/New_York', '2025-11-02T05:30:00.000Z'],
    ['2025-10-26', '02:30', 'Europe/Berlin', '2025-10-26T00:30:00.000Z'],
    ['2025-04-06', '02:30', 'Australia/Sydney', '2025-04-05T15:30:00.000Z'],
  ])('%s %s in %s occurs twice: the first is %s', (date, time, zone, expected) => {
    expect(localInstant(date, time, zone).toISOString()).toBe(expected);
  });

  it('names the field of a bad date, time or zone', () => {
    expect(thrown(() => localInstant('2025-02-29', '09:00', 'UTC')).details[0]!.path).toBe('date');
    expect(thrown(() => localInstant('2025-03-01', '24:00', 'UTC')).details[0]!.path).toBe('time');
    expect(thrown(() => localInstant('2025-03-01', '9:00', 'UTC')).details[0]!.path).toBe('time');
    const zone = thrown(() => localInstant('2025-03-01', '09:00', 'Mars/Olympus_Mons'));
    expect(zone.details).toEqual([
      { path: 'timeZone', message: '"Mars/Olympus_Mons" is not an IANA time zone (such as "Europe/Berlin")' },
    ]);
    expect(thrown(() => localInstant('2025-03-01', '09:00', '+05:30')).details[0]!.path).toBe('timeZone');
  });

  it('localDate reads the calendar date in the zone', () => {
    expect(localDate(at('2025-12-31T11:30:00Z'), 'Pacific/Auckland')).toBe('2026-01-01');
    expect(localDate(at('2025-12-31T11:30:00Z'), 'America/New_York')).toBe('2025-12-31');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
  });
});

describe('checkContractTerm', () => {
  it('accepts a valid term', () => {
    expect(checkContractTerm(term())).toEqual(term());
    expect(checkContractTerm(term({ renewal: { mode: 'fixed' } }))).toMatchObject({
      renewal: { mode: 'fixed' },
    });
  });

  it('names every bad field at once', () => {
    const error = thrown(() =>
      checkContractTerm({
        startDate: '2025-02-30',
        termMonths: 0,
        timeZone: 'Europe/Atlantis',
        renewal: { mode: 'auto', renewalMonths: -1, noticeDays: 2.5, reminderDays: -3 },
      }),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details.map((d) => d.path)).toEqual([
      'term.startDate',
      'term.termMonths',
      'term.timeZone',
      'term.renewal.renewalMonths',
      'term.renewal.noticeDays',
      'term.renewal.reminderDays',
    ]);
    expect(error.message).toMatch(
      /^the contract term is not valid: term\.startDate: 2025-02-30 is not a day/,
    );
  });

  it('rejects notice longer than the initial term', () => {
    const error = thrown(() =>
      checkContractTerm(
        term({
          termMonths: 1,
          renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 31, reminderDays: 0 },
        }),
      ),
    );
    expect(error.details).toEqual([
      {
        path: 'term.renewal.noticeDays',
        message:
          '31 days of notice do not fit in the 31-day initial term (2025-01-01 to 2025-01-31): notice must be fewer days than the initial term',
      },
    ]);
  });

  it('rejects notice longer than the shortest renewal period', () => {
    const error = thrown(() =>
      checkContractTerm(
        term({ renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 28, reminderDays: 7 } }),
      ),
    );
    expect(error.details).toEqual([
      {
        path: 'term.renewal.noticeDays',
        message:
          '28 days of notice do not fit in a renewal period of 1 month(s), which can be as short as 28 days',
      },
    ]);
    expect(() =>
      checkContractTerm(
        term({ renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 27, reminderDays: 7 } }),
      ),
    ).not.toThrow();
  });

  it('rejects an unknown renewal mode and a missing renewal', () => {
    expect(thrown(() => checkContractTerm({ ...term(), renewal: { mode: 'sometimes' } })).details).toEqual([
      { path: 'term.renewal.mode', message: 'must be "fixed" or "auto", not "sometimes"' },
    ]);
    expect(thrown(() => checkContractTerm({ ...term(), renewal: undefined })).details[0]!.path).toBe(
      'term.renewal',
    );
    expect(thrown(() => checkContractTerm(null)).details[0]!.path).toBe('term');
  });
});

describe('nextLifecycleJob', () => {
  it('schedules the notice window at 09:00 local, then the renewal at 00:00 local after the end', () => {
    const state = contract();
    const job = nextLifecycleJob(state, at('2025-06-01T00:00:00Z'))!;
    expect(job).toEqual({
      id: 'contract:t1:c1:notice_window:2025-12-31',
      kind: 'notice_window',
      at: at('2025-11-17T08:00:00Z'),
      forEnd: '2025-12-31',
    });
    expect(scheduledJob(state, job)).toEqual({
      id: 'contract:t1:c1:notice_window:2025-12-31',
      job: 'contract.lifecycle',
      input: { tenantId: 't1', contractId: 'c1', kind: 'notice_window', forEnd: '2025-12-31' },
    });
    const opened = foldContract(applyDue(state, job.at), state);
    expect(nextLifecycleJob(opened, job.at)).toEqual({
      id: 'contract:t1:c1:renew:2025-12-31',
      kind: 'renew',
      at: at('2025-12-31T23:00:00Z'),
      forEnd: '2025-12-31',
    });
  });

  it('is the same job whenever it is asked, so rescheduling replaces it', () => {
    const state = contract();
    const a = nextLifecycleJob(state, at('2025-02-01T00:00:00Z'));
    const b = nextLifecycleJob(state, at('2025-10-01T00:00:00Z'));
    expect(a).toEqual(b);
  });

  it('an overdue window is due now; a window whose deadline passed is skipped for the renewal', () => {
    const state = contract();
    const late = at('2025-11-20T12:00:00Z');
    expect(nextLifecycleJob(state, late)).toMatchObject({ kind: 'notice_window', at: late });
    const afterDeadline = at('2025-12-02T00:00:00Z');
    expect(nextLifecycleJob(state, afterDeadline)).toMatchObject({
      kind: 'renew',
      at: at('2025-12-31T23:00:00Z'),
    });
  });

  it('a fixed term schedules only its expiry', () => {
    const state = contract({ renewal: { mode: 'fixed' } });
    expect(nextLifecycleJob(state, at('2025-01-02T00:00:00Z'))).toEqual({
      id: 'contract:t1:c1:expire:2025-12-31',
      kind: 'expire',
      at: at('2025-12-31T23:00:00Z'),
      forEnd: '2025-12-31',
    });
  });
});

/** A term whose notice window opens on `day`: the deadline two weeks later, a year's term from 2025-01-01. */
function windowOn(day: string, timeZone: string, reminderDays = 14) {
  const end = '2025-12-31';
  return {
    startDate: '2025-01-01',
    timeZone,
    renewal: {
      mode: 'auto' as const,
      renewalMonths: 12,
      noticeDays: daysBetween(addDays(day, reminderDays), end),
      reminderDays,
    },
  };
}

describe('notice e-mails, driven by a clock', () => {
  it('New York: a window opening on the Sunday clocks spring forward fires at 09:00 EDT = 13:00Z', async () => {
    // From 2024-04-01, 12 months: ends 2025-03-31; notice 8 days before, window 14 days before that.
    const start = created({
      startDate: '2024-04-01',
      timeZone: 'America/New_York',
      renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 8, reminderDays: 14 },
    });
    const run = await runLifecycle([start], at('2024-04-01T12:00:00Z'), at('2026-04-02T00:00:00Z'));
    expect(run.log.map((l) => [l.at, l.type, l.data])).toEqual([
      [
        '2025-03-09T13:00:00.000Z',
        'contract.notice_window_opened',
        {
          forEnd: '2025-03-31',
          noticeDeadline: '2025-03-23',
          to: ['owner@vendor.test', 'support-lead@vendor.test'],
        },
      ],
      [
        '2025-04-01T04:00:00.000Z',
        'contract.renewed',
        { previousEnd: '2025-03-31', start: '2025-04-01', end: '2026-03-31', period: 2 },
      ],
      // 2026-03-09 is a Monday, the day after the 2026 change: still 09:00 EDT.
      [
        '2026-03-09T13:00:00.000Z',
        'contract.notice_window_opened',
        expect.objectContaining({ forEnd: '2026-03-31', noticeDeadline: '2026-03-23' }),
      ],
      [
        '2026-04-01T04:00:00.000Z',
        'contract.renewed',
        { previousEnd: '2026-03-31', start: '2026-04-01', end: '2027-03-31', period: 3 },
      ],
    ]);
  });

  it('New York: a window opening the Saturday before the change fires at 09:00 EST = 14:00Z', async () => {
    const start = created({
      startDate: '2024-04-01',
      timeZone: 'America/New_York',
      renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 8, reminderDays: 15 },
    });
    const run = await runLifecycle([start], at('2024-04-01T12:00:00Z'), at('2025-03-31T00:00:00Z'));
    expect(run.log).toEqual([expect.objectContaining({ at: '2025-03-08T14:00:00.000Z' })]);
    // Nothing fires early: the clock stopped on the window's instant, and the renewal waits.
    expect([...run.scheduler.jobs.values()].map((j) => [j.job.id, j.when.toISOString()])).toEqual([
      ['contract:t1:c1:renew:2025-03-31', '2025-04-01T04:00:00.000Z'],
    ]);
  });

  it.each([
    // zone, the window's day, the e-mail's instant (09:00 local that day)
    ['America/New_York', '2025-03-09', '2025-03-09T13:00:00.000Z'],
    ['America/New_York', '2025-11-02', '2025-11-02T14:00:00.000Z'],
    ['Europe/Berlin', '2025-03-09', '2025-03-09T08:00:00.000Z'],
    ['Europe/Berlin', '2025-03-30', '2025-03-30T07:00:00.000Z'],
    ['Europe/Berlin', '2025-10-26', '2025-10-26T08:00:00.000Z'],
    ['Australia/Sydney', '2025-03-09', '2025-03-08T22:00:00.000Z'],
    ['Australia/Sydney', '2025-04-06', '2025-04-05T23:00:00.000Z'],
    ['Australia/Sydney', '2025-10-05', '2025-10-04T22:00:00.000Z'],
    ['Asia/Kolkata', '2025-03-09', '2025-03-09T03:30:00.000Z'],
    ['Asia/Kolkata', '2025-10-26', '2025-10-26T03:30:00.000Z'],
    ['Pacific/Auckland', '2025-03-09', '2025-03-08T20:00:00.000Z'],
    ['Pacific/Auckland', '2025-04-06', '2025-04-05T21:00:00.000Z'],
    ['Pacific/Auckland', '2025-09-28', '2025-09-27T20:00:00.000Z'],
  ])('%s: a window opening on %s e-mails the owners at %s', async (zone, day, expected) => {
    const start = created(windowOn(day, zone));
    const run = await runLifecycle([start], at('2025-01-01T12:00:00Z'), at('2025-12-15T00:00:00Z'));
    expect(run.log).toEqual([
      {
        at: expected,
        type: 'contract.notice_window_opened',
        data: expect.objectContaining({ forEnd: '2025-12-31', noticeDeadline: addDays(day, 14) }),
      },
    ]);
    expect(localDate(at(expected), zone)).toBe(day);
    // A moment before, nothing is due; at the instant, the window opens.
    const state = foldContract([start]);
    expect(applyDue(state, new Date(Date.parse(expected) - 60_000))).toEqual([]);
    expect(applyDue(state, at(expected)).map((e) => e.type)).toEqual(['contract.notice_window_opened']);
  });

  it.each([
    ['America/New_York', '2026-01-01T05:00:00.000Z'],
    ['Europe/Berlin', '2025-12-31T23:00:00.000Z'],
    ['Australia/Sydney', '2025-12-31T13:00:00.000Z'],
    ['Asia/Kolkata', '2025-12-31T18:30:00.000Z'],
    ['Pacific/Auckland', '2025-12-31T11:00:00.000Z'],
  ])('%s: the renewal runs at 00:00 local on 2026-01-01, %s', async (zone, expected) => {
    const run = await runLifecycle(
      [created({ timeZone: zone })],
      at('2025-01-01T12:00:00Z'),
      at('2026-01-02T00:00:00Z'),
    );
    expect(run.log.map((l) => [l.at, l.type])).toEqual([
      [localInstant('2025-11-17', '09:00', zone).toISOString(), 'contract.notice_window_opened'],
      [expected, 'contract.renewed'],
    ]);
  });

  it('a renewal due at a midnight that does not exist runs when the day starts', async () => {
    // Santiago moves 2025-09-07 00:00 to 01:00: the period ending 2025-09-06 renews at 01:00 (-03).
    const start = created({
      startDate: '2025-08-07',
      termMonths: 1,
      timeZone: 'America/Santiago',
      renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 5, reminderDays: 2 },
    });
    const run = await runLifecycle([start], at('2025-08-07T12:00:00Z'), at('2025-09-08T00:00:00Z'));
    expect(run.log.map((l) => [l.at, l.type])).toEqual([
      ['2025-08-30T13:00:00.000Z', 'contract.notice_window_opened'],
      ['2025-09-07T04:00:00.000Z', 'contract.renewed'],
    ]);
  });
});

describe('applyDue', () => {
  it('renews each period in turn with a fake now, numbering the events after the last', () => {
    let state = contract({
      startDate: '2025-01-31',
      termMonths: 1,
      renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 10, reminderDays: 5 },
    });
    expect(state.currentPeriod.end).toBe('2025-02-28');
    const ends: string[] = [];
    for (const now of ['2025-03-01T00:00:00Z', '2025-04-01T00:00:00Z', '2025-05-01T00:00:00Z']) {
      const events = applyDue(state, at(now));
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => state.seq + i + 1));
      expect(events.every((e) => e.at === new Date(now).toISOString())).toBe(true);
      state = foldContract(events, state);
      ends.push(state.currentPeriod.end);
    }
    expect(ends).toEqual(['2025-03-31', '2025-04-30', '2025-05-31']);
    expect(state.renewals.map((r) => [r.period, r.start, r.end])).toEqual([
      [2, '2025-03-01', '2025-03-31'],
      [3, '2025-04-01', '2025-04-30'],
      [4, '2025-05-01', '2025-05-31'],
    ]);
  });

  it('is idempotent: nothing is produced twice for an end date', () => {
    const state = contract();
    const now = at('2025-11-17T08:00:00Z');
    const first = applyDue(state, now);
    expect(first.map((e) => e.type)).toEqual(['contract.notice_window_opened']);
    expect(applyDue(state, now)).toEqual(first);
    const after = foldContract(first, state);
    expect(applyDue(after, now)).toEqual([]);
    expect(applyDue(after, at('2025-12-01T12:00:00Z'))).toEqual([]);
    const renewed = foldContract(applyDue(after, at('2025-12-31T23:00:00Z')), after);
    expect(renewed.currentPeriod).toEqual({ index: 2, start: '2026-01-01', end: '2026-12-31' });
    expect(applyDue(renewed, at('2025-12-31T23:00:00Z'))).toEqual([]);
    expect(applyDue(renewed, at('2026-01-15T00:00:00Z'))).toEqual([]);
  });

  it('counts a run a few seconds early as on time, but not a minute early', () => {
    const state = contract();
    expect(applyDue(state, at('2025-11-17T07:59:57Z'))).toHaveLength(1);
    expect(applyDue(state, at('2025-11-17T07:59:00Z'))).toHaveLength(0);
  });

  it('catches up missed renewals in order after a long outage, skipping windows already closed', () => {
    const state = contract({
      startDate: '2025-01-01',
      termMonths: 1,
      renewal: { mode: 'auto', renewalMonths: 1, noticeDays: 10, reminderDays: 5 },
    });
    // The service was down from January to 2025-04-20 (Berlin): three ends passed; April's window is open.
    const events = applyDue(state, at('2025-04-20T10:00:00Z'));
    expect(events.map((e) => [e.seq, e.type, e.data])).toEqual([
      [
        2,
        'contract.renewed',
        { previousEnd: '2025-01-31', start: '2025-02-01', end: '2025-02-28', period: 2 },
      ],
      [
        3,
        'contract.renewed',
        { previousEnd: '2025-02-28', start: '2025-03-01', end: '2025-03-31', period: 3 },
      ],
      [
        4,
        'contract.renewed',
        { previousEnd: '2025-03-31', start: '2025-04-01', end: '2025-04-30', period: 4 },
      ],
      [
        5,
        'contract.notice_window_opened',
        { forEnd: '2025-04-30', noticeDeadline: '2025-04-20', to: state.owners },
      ],
    ]);
    const caughtUp = foldContract(events, state);
    expect(caughtUp.currentPeriod).toEqual({ index: 4, start: '2025-04-01', end: '2025-04-30' });
    expect(applyDue(caughtUp, at('2025-04-20T10:00:00Z'))).toEqual([]);
    expect(nextLifecycleJob(caughtUp, at('2025-04-20T10:00:00Z'))).toMatchObject({
      kind: 'renew',
      forEnd: '2025-04-30',
      at: at('2025-04-30T22:00:00Z'),
    });
  });

  it('a fixed term expires at its end and schedules nothing after', () => {
    const state = contract({ renewal: { mode: 'fixed' } });
    expect(applyDue(state, at('2025-12-31T22:59:00Z'))).toEqual([]);
    const events = applyDue(state, at('2025-12-31T23:00:00Z'));
    expect(events.map((e) => [e.type, e.data])).toEqual([['contract.expired', { endDate: '2025-12-31' }]]);
    const ended = foldContract(events, state);
    expect(ended.status).toBe('expired');
    expect(nextLifecycleJob(ended, at('2026-01-01T00:00:00Z'))).toBeNull();
    expect(applyDue(ended, at('2030-01-01T00:00:00Z'))).toEqual([]);
  });
});

describe('non-renewal and termination', () => {
  it('notice of non-renewal leads to expiry at the end, with no e-mail for the window', async () => {
    const state = contract();
    const notice = nonRenewalEvent(
      state,
      { by: { name: 'Ada Buyer', email: 'ada@customer.test', role: 'customer' }, reason: 'moving in-house' },
      ctx('2025-10-01T09:00:00Z'),
    );
    const events: ContractEvent[] = [created(), notice];
    const noticed = foldContract(events);
    expect(nextLifecycleJob(noticed, at('2025-10-01T09:00:00Z'))).toEqual({
      id: 'contract:t1:c1:expire:2025-12-31',
      kind: 'expire',
      at: at('2025-12-31T23:00:00Z'),
      forEnd: '2025-12-31',
    });
    expect(renewalWindowFilter(noticed, '2025-11-01', '2025-12-31')).toBe(false);
    const run = await runLifecycle(events, at('2025-10-01T09:00:00Z'), at('2027-01-01T00:00:00Z'));
    expect(run.log.map((l) => [l.at, l.type])).toEqual([['2025-12-31T23:00:00.000Z', 'contract.expired']]);
    expect(run.state).toMatchObject({ status: 'expired', expiry: { endDate: '2025-12-31' } });
    expect(run.scheduler.jobs.size).toBe(0);
  });

  it('notice given after the window opened still stops the renewal', () => {
    let state = contract();
    state = foldContract(applyDue(state, at('2025-11-17T08:00:00Z')), state);
    expect(state.noticeWindowOpenedFor).toBe('2025-12-31');
    state = foldContract(
      [
        nonRenewalEvent(
          state,
          { by: { email: 'ada@customer.test' }, reason: 'budget' },
          ctx('2025-12-01T22:30:00Z'), // 23:30 in Berlin, the deadline day
        ),
      ],
      state,
    );
    expect(applyDue(state, at('2026-01-01T00:00:00Z')).map((e) => e.type)).toEqual(['contract.expired']);
  });

  it('termination stops everything', async () => {
    const state = contract();
    const terminated = foldContract(
      [terminationEvent(state, { reason: 'customer insolvency' }, ctx('2025-06-10T10:00:00Z'))],
      state,
    );
    expect(terminated).toMatchObject({
      status: 'terminated',
      termination: { reason: 'customer insolvency', effectiveDate: '2025-06-10' },
    });
    expect(nextLifecycleJob(terminated, at('2025-06-10T10:00:00Z'))).toBeNull();
    expect(applyDue(terminated, at('2027-01-01T00:00:00Z'))).toEqual([]);
    expect(renewalWindowFilter(terminated, '2025-01-01', '2027-01-01')).toBe(false);
    const run = await runLifecycle(
      [created(), terminationEvent(state, { reason: 'x' }, ctx('2025-06-10T10:00:00Z'))],
      at('2025-06-10T10:00:00Z'),
      at('2030-01-01T00:00:00Z'),
    );
    expect(run.log).toEqual([]);
    expect(run.scheduler.jobs.size).toBe(0);
  });
});

describe('renewalWindowFilter', () => {
  it('finds a contract whose notice deadline falls in the range, inclusive', () => {
    const state = contract();
    expect(renewalWindowFilter(state, '2025-11-01', '2025-12-01')).toBe(true);
    expect(renewalWindowFilter(state, '2025-12-01', '2025-12-01')).toBe(true);
    expect(renewalWindowFilter(state, '2025-12-02', '2025-12-31')).toBe(false);
    expect(renewalWindowFilter(state, '2025-10-01', '2025-11-30')).toBe(false);
    expect(renewalWindowFilter(contract({ renewal: { mode: 'fixed' } }), '2025-01-01', '2026-12-31')).toBe(
      false,
    );
  });

  it('names a bad range', () => {
    expect(thrown(() => renewalWindowFilter(contract(), '2025-13-01', '2025-12-01')).details[0]!.path).toBe(
      'from',
    );
    expect(thrown(() => renewalWindowFilter(contract(), '2025-12-01', '2025-11-01')).details).toEqual([
      { path: 'to', message: '2025-11-01 is before from (2025-12-01)' },
    ]);
  });
});
