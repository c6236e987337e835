import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../functions/core/errors';
import { calendarSeconds, clockOf, instantAfter } from '../../../../functions/core/sla/engine/calendar';
import { parseInstant } from '../../../../functions/core/sla/engine/instant';
import {
  dayNumber,
  formatInstant,
  instantOf,
  monthOf,
  monthRange,
} from '../../../../functions/core/sla/engine/zone';
import type { BusinessCalendar } from '../../../../functions/core/sla/terms';

const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso) / 1000;
const here = { subject: 'ticket T1', path: 'created_at' };
const parse = (text: string, zone?: string) => parseInstant(text, here, zone);

describe('instants (R1)', () => {
  it('reads Z and every offset form to whole epoch seconds', () => {
    expect(parse('2025-03-04T15:15:00Z')).toBe(at('2025-03-04T15:15:00Z'));
    expect(parse('2025-03-04T10:15:00-05:00')).toBe(at('2025-03-04T15:15:00Z'));
    expect(parse('2025-03-04T10:15:00-0500')).toBe(at('2025-03-04T15:15:00Z'));
    expect(parse('2025-03-04T20:45+05:30')).toBe(at('2025-03-04T15:15:00Z'));
    expect(parse('2025-03-04T16:15:00+01')).toBe(at('2025-03-04T15:15:00Z'));
    // Fractions of a second are dropped, not rounded up.
    expect(parse('2025-03-04T15:15:00.999Z')).toBe(at('2025-03-04T15:15:00Z'));
  });

  it('rejects a time without an offset unless the source zone is declared', () => {
    expect(() => parse('2025-03-04T10:00')).toThrow(
      'ticket T1: created_at "2025-03-04T10:00" has no UTC offset (declare the source time zone)',
    );
    expect(parse('2025-03-04T10:00', NY)).toBe(at('2025-03-04T15:00:00Z'));
    expect(parse('2025-07-04T10:00:00', NY)).toBe(at('2025-07-04T14:00:00Z'));
  });

  it('resolves a declared-zone time in the spring-forward gap to the first valid instant', () => {
    // 02:30 does not exist on 2025-03-09 in New York: the clock jumps from 02:00 EST to 03:00 EDT.
    expect(parse('2025-03-09T02:30:00', NY)).toBe(at('2025-03-09T07:00:00Z'));
    expect(parse('2025-03-09T03:30:00', NY)).toBe(at('2025-03-09T07:30:00Z'));
  });

  it('resolves an ambiguous fall-back time to its first occurrence', () => {
    expect(parse('2025-11-02T01:30:00', NY)).toBe(at('2025-11-02T05:30:00Z'));
    expect(parse('2025-11-02T02:30:00', NY)).toBe(at('2025-11-02T07:30:00Z'));
  });

  it('rejects what is not a date-time', () => {
    expect(() => parse('2025-02-30T10:00:00Z')).toThrow(
      '"2025-02-30T10:00:00Z" is not a valid date and time',
    );
    expect(() => parse('2025-03-04')).toThrow(/is not an ISO-8601 date-time/);
    expect(() => parse('yesterday')).toThrow(ValidationError);
    expect(() => parseInstant(1741100000, here)).toThrow(/must be an ISO-8601 date-time string/);
  });
});

describe('zones', () => {
  it('a midnight gap (Santiago, 2025-09-07) moves local midnight to 01:00', () => {
    const day = dayNumber(2025, 9, 7);
    expect(instantOf('America/Santiago', day, 0)).toBe(at('2025-09-07T04:00:00Z'));
    expect(formatInstant(instantOf('America/Santiago', day, 0), 'America/Santiago')).toBe(
      '2025-09-07T01:00:00-03:00',
    );
  });

  it('formats in the zone with its offset, +00:00 for UTC', () => {
    expect(formatInstant(at('2025-03-04T17:15:00Z'), NY)).toBe('2025-03-04T12:15:00-05:00');
    expect(formatInstant(at('2025-07-04T17:15:00Z'), NY)).toBe('2025-07-04T13:15:00-04:00');
    expect(formatInstant(at('2025-07-04T17:15:09Z'), 'UTC')).toBe('2025-07-04T17:15:09+00:00');
    expect(formatInstant(at('2025-07-04T17:15:00Z'), 'Asia/Kolkata')).toBe('2025-07-04T22:45:00+05:30');
  });

  it('months run from local midnight of the 1st to the next 1st', () => {
    const march = monthRange('2025-03', NY);
    expect(march.start).toBe(at('2025-03-01T05:00:00Z'));
    expect(march.end).toBe(at('2025-04-01T04:00:00Z'));
    expect(march.end - march.start).toBe((31 * 24 - 1) * 3600);
    expect(monthOf(at('2025-04-01T03:59:59Z'), NY)).toBe('2025-03');
    expect(monthOf(at('2025-04-01T04:00:00Z'), NY)).toBe('2025-04');
    expect(monthRange('2025-12', 'UTC').end).toBe(at('2026-01-01T00:00:00Z'));
  });
});

const business = (extra: Partial<BusinessCalendar> = {}): BusinessCalendar => ({
  type: 'business',
  time_zone: NY,
  weekly: {
    mon: [['09:00', '17:00']],
    tue: [['09:00', '17:00']],
    wed: [['09:00', '17:00']],
    thu: [['09:00', '17:00']],
    fri: [['09:00', '17:00']],
  },
  holidays: ['2025-01-01', '2025-07-04', '2025-11-27', '2025-12-25'],
  ...extra,
});

describe('calendars (R2)', () => {
  const biz = clockOf(business());
  const always = clockOf({ type: '24x7' });
  const minutes = (clock: ReturnType<typeof clockOf>, from: string, to: string) =>
    calendarSeconds(clock, at(from), at(to)) / 60;

  it('a business day is 8 hours on both sides of a DST change', () => {
    // Fri 16:00 EST to Mon 10:00 EDT across the spring-forward weekend: 60 + 60.
    expect(minutes(biz, '2025-03-07T16:00:00-05:00', '2025-03-10T10:00:00-04:00')).toBe(120);
    expect(minutes(biz, '2025-03-10T00:00:00-04:00', '2025-03-11T00:00:00-04:00')).toBe(480);
    expect(minutes(biz, '2025-10-31T16:00:00-04:00', '2025-11-03T10:00:00-05:00')).toBe(120);
  });

  it('a 24x7 day across a DST change has 23 or 25 hours', () => {
    expect(minutes(always, '2025-03-08T12:00:00-05:00', '2025-03-09T12:00:00-04:00')).toBe(23 * 60);
    expect(minutes(always, '2025-11-01T12:00:00-04:00', '2025-11-02T12:00:00-05:00')).toBe(25 * 60);
  });

  it('a whole-day business window is 23 or 25 hours on DST days; a window in the gap shrinks', () => {
    const sundays = clockOf(business({ weekly: { sun: [['00:00', '24:00']] } }));
    expect(minutes(sundays, '2025-03-09T00:00:00-05:00', '2025-03-10T00:00:00-04:00')).toBe(23 * 60);
    expect(minutes(sundays, '2025-11-02T00:00:00-04:00', '2025-11-03T00:00:00-05:00')).toBe(25 * 60);
    // 02:00-04:00 on spring-forward day: 02:00 does not exist and moves to 03:00 EDT.
    const early = clockOf(business({ weekly: { sun: [['02:00', '04:00']] } }));
    expect(minutes(early, '2025-03-09T00:00:00-05:00', '2025-03-10T00:00:00-04:00')).toBe(60);
    // 01:00-02:00 on fall-back day: 01:00 first occurrence (EDT) to 02:00 EST is two real hours.
    const repeated = clockOf(business({ weekly: { sun: [['01:00', '02:00']] } }));
    expect(minutes(repeated, '2025-11-02T00:00:00-04:00', '2025-11-03T00:00:00-05:00')).toBe(120);
  });

  it('a holiday removes the whole date; an exception replaces its windows', () => {
    // Thu 3 July 16:00 to Mon 7 July 10:00, Friday the 4th a holiday.
    expect(minutes(biz, '2025-07-03T16:00:00-04:00', '2025-07-07T10:00:00-04:00')).toBe(120);
    const halfDay = clockOf(
      business({
        exceptions: [
          { date: '2025-12-24', windows: [['09:00', '12:00']] },
          { date: '2025-12-27', windows: [['10:00', '11:00']] },
        ],
      }),
    );
    // Wed 24 Dec 09:00-12:00, Thu 25 holiday, Fri 26 8 h, Sat 27 the exception's hour.
    expect(minutes(halfDay, '2025-12-24T00:00:00-05:00', '2025-12-28T00:00:00-05:00')).toBe(180 + 480 + 60);
  });

  it('counts a year of business time by day windows', () => {
    // 2025: 261 weekdays, four of them holidays.
    expect(minutes(biz, '2025-01-01T00:00:00-05:00', '2026-01-01T00:00:00-05:00')).toBe(257 * 480);
  });

  it('finds the first instant a number of business seconds has elapsed', () => {
    const after = (from: string, mins: number) => formatInstant(instantAfter(biz, at(from), mins * 60)!, NY);
    // Exactly filling a day ends at 17:00, not the next morning.
    expect(after('2025-03-03T09:00:00-05:00', 480)).toBe('2025-03-03T17:00:00-05:00');
    expect(after('2025-03-03T09:00:00-05:00', 481)).toBe('2025-03-04T09:01:00-05:00');
    // From a Saturday: Monday 09:00 plus the amount.
    expect(after('2025-03-08T11:00:00-05:00', 30)).toBe('2025-03-10T09:30:00-04:00');
    // Zero elapses at once.
    expect(after('2025-03-08T11:00:00-05:00', 0)).toBe('2025-03-08T11:00:00-05:00');
    // Over the 4 July holiday.
    expect(after('2025-07-03T16:00:00-04:00', 90)).toBe('2025-07-07T09:30:00-04:00');
    expect(instantAfter(always, at('2025-03-09T01:30:00-05:00'), 3600)).toBe(at('2025-03-09T03:30:00-04:00'));
  });

  it('the two questions agree on random spans', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const base = at('2025-01-01T00:00:00Z');
    for (let i = 0; i < 300; i++) {
      const from = base + Math.floor(random() * 365 * 86400);
      const amount = Math.floor(random() * 3000 * 60);
      const due = instantAfter(biz, from, amount)!;
      expect(calendarSeconds(biz, from, due)).toBe(amount);
      // It is the first such instant: one second earlier falls short.
      if (amount > 0) expect(calendarSeconds(biz, from, due - 1)).toBe(amount - 1);
    }
  });
});
