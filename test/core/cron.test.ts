import { describe, expect, it } from 'vitest';
import { nextCronTime, parseCron } from '../../functions/core/cron';

const next = (expression: string, timeZone: string, after: string) =>
  nextCronTime(expression, timeZone, new Date(after)).toISOString();

/** The next `count` runs after `after`. */
function runs(expression: string, timeZone: string, after: string, count: number): string[] {
  const result: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i++) {
    at = nextCronTime(expression, timeZone, at);
    result.push(at.toISOString());
  }
  return result;
}

describe('nextCronTime in UTC', () => {
  it('runs every minute, strictly after the given time', () => {
    expect(next('* * * * *', 'UTC', '2025-05-01T10:00:00Z')).toBe('2025-05-01T10:01:00.000Z');
    expect(next('* * * * *', 'UTC', '2025-05-01T10:00:59.999Z')).toBe('2025-05-01T10:01:00.000Z');
  });

  it('handles fixed times, rolling over days, months and years', () => {
    expect(next('0 6 * * *', 'UTC', '2025-05-01T05:59:00Z')).toBe('2025-05-01T06:00:00.000Z');
    expect(next('0 6 * * *', 'UTC', '2025-05-01T06:00:00Z')).toBe('2025-05-02T06:00:00.000Z');
    expect(next('0 6 1 * *', 'UTC', '2025-12-15T00:00:00Z')).toBe('2026-01-01T06:00:00.000Z');
    expect(next('59 23 31 12 *', 'UTC', '2025-12-31T23:59:00Z')).toBe('2026-12-31T23:59:00.000Z');
  });

  it('handles steps, ranges with steps, lists and value/step', () => {
    expect(runs('*/15 * * * *', 'UTC', '2025-05-01T10:01:00Z', 4)).toEqual([
      '2025-05-01T10:15:00.000Z',
      '2025-05-01T10:30:00.000Z',
      '2025-05-01T10:45:00.000Z',
      '2025-05-01T11:00:00.000Z',
    ]);
    expect(runs('0 9-17/4 * * *', 'UTC', '2025-05-01T00:00:00Z', 4)).toEqual([
      '2025-05-01T09:00:00.000Z',
      '2025-05-01T13:00:00.000Z',
      '2025-05-01T17:00:00.000Z',
      '2025-05-02T09:00:00.000Z',
    ]);
    expect(runs('5,20 8,12 * * *', 'UTC', '2025-05-01T00:00:00Z', 5)).toEqual([
      '2025-05-01T08:05:00.000Z',
      '2025-05-01T08:20:00.000Z',
      '2025-05-01T12:05:00.000Z',
      '2025-05-01T12:20:00.000Z',
      '2025-05-02T08:05:00.000Z',
    ]);
    expect(parseCron('50/5 * * * *').minutes).toEqual([50, 55]);
  });

  it('handles days of the week, with 0 and 7 both Sunday, and names', () => {
    // 2025-05-01 is a Thursday.
    expect(runs('0 9 * * 1-5', 'UTC', '2025-05-01T10:00:00Z', 3)).toEqual([
      '2025-05-02T09:00:00.000Z',
      '2025-05-05T09:00:00.000Z',
      '2025-05-06T09:00:00.000Z',
    ]);
    expect(next('0 12 * * 0', 'UTC', '2025-05-01T00:00:00Z')).toBe('2025-05-04T12:00:00.000Z');
    expect(next('0 12 * * 7', 'UTC', '2025-05-01T00:00:00Z')).toBe('2025-05-04T12:00:00.000Z');
    expect(next('0 12 * * sun', 'UTC', '2025-05-01T00:00:00Z')).toBe('2025-05-04T12:00:00.000Z');
    expect(parseCron('0 9 * JAN-MAR MON-FRI').months).toEqual([1, 2, 3]);
    expect(parseCron('0 9 * * MON-FRI').daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(parseCron('0 0 * * */2').daysOfWeek).toEqual([0, 2, 4, 6]);
  });

  it('matches either day field when both are restricted, as POSIX cron does', () => {
    // The 13th of each month, and every Friday. 2025-06-06 is a Friday.
    expect(runs('0 0 13 * 5', 'UTC', '2025-06-01T00:00:00Z', 3)).toEqual([
      '2025-06-06T00:00:00.000Z',
      '2025-06-13T00:00:00.000Z',
      '2025-06-20T00:00:00.000Z',
    ]);
    // With `?` (or `*`) in day-of-week only the day of the month counts.
    expect(next('0 0 13 * ?', 'UTC', '2025-06-01T00:00:00Z')).toBe('2025-06-13T00:00:00.000Z');
  });

  it('finds 29 February years ahead', () => {
    expect(next('0 0 29 2 *', 'UTC', '2025-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', 'UTC', '2097-01-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
  });

  it('skips days a month does not have', () => {
    expect(runs('0 0 31 * *', 'UTC', '2025-01-31T00:00:00Z', 2)).toEqual([
      '2025-03-31T00:00:00.000Z',
      '2025-05-31T00:00:00.000Z',
    ]);
  });
});

describe('nextCronTime in a time zone', () => {
  it('uses the wall clock of the zone, including half-hour offsets', () => {
    expect(next('0 9 * * *', 'Europe/Berlin', '2025-01-10T00:00:00Z')).toBe('2025-01-10T08:00:00.000Z');
    expect(next('0 9 * * *', 'Europe/Berlin', '2025-07-10T00:00:00Z')).toBe('2025-07-10T07:00:00.000Z');
    // 2025-06-06 is a Friday; 09:00 in Kolkata is 03:30 UTC.
    expect(next('0 9 * * 1-5', 'Asia/Kolkata', '2025-06-06T04:00:00Z')).toBe('2025-06-09T03:30:00.000Z');
  });

  it('uses the local date, not the UTC date', () => {
    // 23:30 on 31 January in New York is already 1 February in UTC.
    expect(next('30 23 31 1 *', 'America/New_York', '2025-01-01T00:00:00Z')).toBe('2025-02-01T04:30:00.000Z');
    expect(next('0 0 1 * *', 'Asia/Tokyo', '2025-01-15T00:00:00Z')).toBe('2025-01-31T15:00:00.000Z');
  });

  describe('America/New_York (clocks 02:00 -> 03:00 on 9 March 2025, 02:00 -> 01:00 on 2 November 2025)', () => {
    const zone = 'America/New_York';

    it('keeps the wall-clock time across the spring change', () => {
      expect(runs('0 9 * * *', zone, '2025-03-08T00:00:00Z', 2)).toEqual([
        '2025-03-08T14:00:00.000Z', // EST, UTC-5
        '2025-03-09T13:00:00.000Z', // EDT, UTC-4
      ]);
    });

    it('skips a time that does not exist on the spring day', () => {
      expect(runs('30 2 * * *', zone, '2025-03-08T00:00:00Z', 2)).toEqual([
        '2025-03-08T07:30:00.000Z',
        '2025-03-10T06:30:00.000Z',
      ]);
    });

    it('runs a repeated time once, at its first occurrence, on the autumn day', () => {
      expect(runs('30 1 * * *', zone, '2025-11-01T12:00:00Z', 2)).toEqual([
        '2025-11-02T05:30:00.000Z', // 01:30 EDT; 01:30 EST (06:30Z) does not run
        '2025-11-03T06:30:00.000Z',
      ]);
    });

    it('does not repeat the hour that clocks go back for frequent schedules', () => {
      expect(runs('*/30 * * * *', zone, '2025-11-02T05:00:00Z', 3)).toEqual([
        '2025-11-02T05:30:00.000Z', // 01:30 EDT
        '2025-11-02T07:00:00.000Z', // 02:00 EST; 01:00 and 01:30 EST ran already as EDT
        '2025-11-02T07:30:00.000Z',
      ]);
    });

    it('from inside the repeated hour, goes on after it', () => {
      // 06:10Z is 01:10 EST, the second pass through 01:xx.
      expect(next('*/15 * * * *', zone, '2025-11-02T06:10:00Z')).toBe('2025-11-02T07:00:00.000Z');
    });

    it('runs every hour that exists on the spring day', () => {
      expect(runs('0 * * * *', zone, '2025-03-09T05:30:00Z', 3)).toEqual([
        '2025-03-09T06:00:00.000Z', // 01:00 EST
        '2025-03-09T07:00:00.000Z', // 03:00 EDT
        '2025-03-09T08:00:00.000Z', // 04:00 EDT
      ]);
    });
  });

  describe('Europe/Berlin (clocks 02:00 -> 03:00 on 30 March 2025, 03:00 -> 02:00 on 26 October 2025)', () => {
    const zone = 'Europe/Berlin';

    it('keeps the wall-clock time across the spring change', () => {
      expect(next('0 9 * * *', zone, '2025-03-29T08:30:00Z')).toBe('2025-03-30T07:00:00.000Z');
    });

    it('skips a yearly time that does not exist, to the next year it does', () => {
      expect(next('30 2 30 3 *', zone, '2025-03-01T00:00:00Z')).toBe('2026-03-30T00:30:00.000Z');
    });

    it('runs 02:30 once on the autumn day', () => {
      expect(runs('30 2 * * *', zone, '2025-10-25T12:00:00Z', 2)).toEqual([
        '2025-10-26T00:30:00.000Z', // 02:30 CEST
        '2025-10-27T01:30:00.000Z', // 02:30 CET the next day
      ]);
    });

    it('keeps a monthly report on the first of the month at 06:00 local', () => {
      expect(runs('0 6 1 * *', zone, '2025-02-15T00:00:00Z', 3)).toEqual([
        '2025-03-01T05:00:00.000Z',
        '2025-04-01T04:00:00.000Z',
        '2025-05-01T04:00:00.000Z',
      ]);
    });
  });
});

describe('invalid expressions', () => {
  const cases: [string, RegExp][] = [
    ['', /expected 5 fields.*got 0/],
    ['* * * *', /expected 5 fields.*got 4/],
    ['* * * * * *', /expected 5 fields.*got 6/],
    ['60 * * * *', /minute field "60" has value 60 outside 0-59/],
    ['* 24 * * *', /hour field "24"/],
    ['* * 0 * *', /day-of-month field "0"/],
    ['* * 32 * *', /day-of-month field "32"/],
    ['* * * 13 *', /month field "13"/],
    ['* * * * 8', /day-of-week field "8"/],
    ['*/0 * * * *', /minute field "\*\/0" has an invalid step/],
    ['5-1 * * * *', /minute field "5-1" has a range "5-1" that runs backwards/],
    ['1,,2 * * * *', /minute field "1,,2" has an empty list item/],
    ['x * * * *', /minute field "x" has an invalid value "x"/],
    ['* * * * FOO', /day-of-week field "FOO" has an invalid value/],
    ['? * * * *', /minute field "\?" may not be "\?"/],
    ['1-2-3 * * * *', /minute field "1-2-3" has an invalid range/],
    ['-1 * * * *', /minute field "-1"/],
    ['0 0 31 2 *', /day-of-month field "31" never occurs in month field "2"/],
    ['0 0 30,31 2 *', /never occurs/],
  ];
  it.each(cases)('rejects "%s"', (expression, message) => {
    expect(() => nextCronTime(expression, 'UTC', new Date('2025-01-01T00:00:00Z'))).toThrow(message);
  });

  it('names the expression in the message', () => {
    expect(() => parseCron('0 25 * * *')).toThrow('Invalid cron expression "0 25 * * *": hour field "25"');
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextCronTime('* * * * *', 'Mars/Olympus', new Date())).toThrow(
      /Unknown time zone "Mars\/Olympus"/,
    );
  });

  it('rejects an invalid date', () => {
    expect(() => nextCronTime('* * * * *', 'UTC', new Date('nope'))).toThrow(/valid date/);
  });

  it('accepts 30 February together with 31 January, which occurs', () => {
    expect(next('0 0 30,31 1,2 *', 'UTC', '2025-02-01T00:00:00Z')).toBe('2026-01-30T00:00:00.000Z');
  });
});

describe('parseCron', () => {
  it('reports which day fields are restricted', () => {
    expect(parseCron('0 0 * * *')).toMatchObject({ dayOfMonthRestricted: false, dayOfWeekRestricted: false });
    expect(parseCron('0 0 1 * ?')).toMatchObject({ dayOfMonthRestricted: true, dayOfWeekRestricted: false });
    expect(parseCron('0 0 ? * 1')).toMatchObject({ dayOfMonthRestricted: false, dayOfWeekRestricted: true });
    expect(parseCron('0 0 */2 * *')).toMatchObject({
      dayOfMonthRestricted: true,
      dayOfWeekRestricted: false,
    });
  });
});
