import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/core/errors';
import { checkTimeZone, localDate, localInstant } from '../../../functions/core/contracts/lifecycle';
import { nextCronTime } from '../../../functions/core/cron';
import { parseInstant as engineParseInstant } from '../../../functions/core/sla/engine/instant';
import { parseTicketInput } from '../../../functions/core/sla/ingest';
import { localToUtcMs as ingestLocalToUtcMs } from '../../../functions/core/sla/ingest/jsonl';
import { checkSlaTerms } from '../../../functions/core/sla/terms';
import {
  dayNumber,
  exactInstantOf,
  instantOf,
  isTimeZone,
  localOf,
  localToUtcMs,
  offsetAt,
  zoneOffsetMs,
} from '../../../functions/core/time/zone';

const NY = 'America/New_York';
const at = (iso: string) => Date.parse(iso) / 1000;

describe('offsets and local times', () => {
  it('reads the offset in force at an instant, on either side of a transition', () => {
    expect(offsetAt(NY, at('2025-03-09T06:59:59Z'))).toBe(-5 * 3600);
    expect(offsetAt(NY, at('2025-03-09T07:00:00Z'))).toBe(-4 * 3600);
    expect(offsetAt('Australia/Lord_Howe', at('2025-04-05T15:00:00Z'))).toBe(10.5 * 3600);
    expect(offsetAt('Australia/Lord_Howe', at('2025-04-05T14:59:59Z'))).toBe(11 * 3600);
    expect(offsetAt('UTC', 1e9)).toBe(0);
    expect(zoneOffsetMs('Asia/Kolkata', Date.parse('2025-01-01T00:00:00.750Z'))).toBe(19_800_000);
  });

  it('gives the local day and time of an instant', () => {
    expect(localOf('Pacific/Auckland', at('2025-12-31T11:30:00Z'))).toEqual({
      dayNo: dayNumber(2026, 1, 1),
      seconds: 30 * 60,
    });
  });

  it('moves a time in a gap forward to the transition, and takes the first of a repeated time', () => {
    const spring = dayNumber(2025, 3, 9);
    expect(exactInstantOf(NY, spring, 2.5 * 3600)).toBeUndefined();
    expect(instantOf(NY, spring, 2.5 * 3600)).toBe(at('2025-03-09T07:00:00Z'));
    const fall = dayNumber(2025, 11, 2);
    expect(instantOf(NY, fall, 1.5 * 3600)).toBe(at('2025-11-02T05:30:00Z'));
    expect(exactInstantOf(NY, fall, 1.5 * 3600)).toBe(at('2025-11-02T05:30:00Z'));
    // Samoa skipped 30 December 2011 entirely.
    expect(instantOf('Pacific/Apia', dayNumber(2011, 12, 30), 12 * 3600)).toBe(at('2011-12-30T10:00:00Z'));
  });

  it('keeps milliseconds of a time that exists, and gives the transition itself for one that does not', () => {
    const local = { year: 2025, month: 3, day: 9, hour: 1, minute: 59, second: 59, millisecond: 500 };
    expect(localToUtcMs(local, NY)).toBe(Date.parse('2025-03-09T06:59:59.500Z'));
    expect(localToUtcMs({ ...local, hour: 2, minute: 30 }, NY)).toBe(Date.parse('2025-03-09T07:00:00Z'));
  });
});

describe('one module for every caller', () => {
  it('gives the engine, the converters, the contract lifecycle and cron the same instants', () => {
    const local = { year: 2025, month: 10, day: 26, hour: 2, minute: 30 };
    const expected = Date.parse('2025-10-26T00:30:00Z');
    expect(localToUtcMs(local, 'Europe/Berlin')).toBe(expected);
    expect(ingestLocalToUtcMs(local, 'Europe/Berlin')).toBe(expected);
    expect(localInstant('2025-10-26', '02:30', 'Europe/Berlin').getTime()).toBe(expected);
    const here = { subject: 'ticket T1', path: 'created_at' };
    expect(engineParseInstant('2025-10-26T02:30:00', here, 'Europe/Berlin') * 1000).toBe(expected);
    expect(nextCronTime('30 2 * * *', 'Europe/Berlin', new Date('2025-10-25T12:00:00Z')).getTime()).toBe(
      expected,
    );
    expect(localDate(new Date(expected), 'Europe/Berlin')).toBe('2025-10-26');
  });
});

describe('isTimeZone', () => {
  it.each(['UTC', 'Etc/UTC', 'utc', 'US/Eastern', 'Europe/Kyiv', 'Asia/Kolkata', 'EST', 'CET', 'Etc/GMT-2'])(
    'accepts the IANA name or alias %j',
    (zone) => expect(isTimeZone(zone)).toBe(true),
  );

  it.each(['+01:00', '-05:00', 'UTC+1', '', 'Europe/Londres', 'BST', 'IST', 'PST', 'bst', 'SystemV/EST5EDT'])(
    'refuses %j',
    (zone) => expect(isTimeZone(zone)).toBe(false),
  );

  it('refuses what is not a string', () => {
    for (const value of [undefined, null, 5, {}, ['UTC']]) expect(isTimeZone(value)).toBe(false);
  });

  // BST is Asia/Dhaka to ICU, whatever the writer meant: every place that takes a zone refuses it,
  // as the SLA terms do.
  it.each(['BST', 'IST', 'SystemV/EST5EDT'])('%j is refused everywhere a zone is given', (zone) => {
    const terms = JSON.parse(
      readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'),
    );
    terms.reporting.time_zone = zone;
    expect(() => checkSlaTerms(terms)).toThrow(ValidationError);
    expect(() => checkTimeZone(zone)).toThrow(ValidationError);
    expect(() => localInstant('2025-03-01', '09:00', zone)).toThrow(ValidationError);
    expect(() => nextCronTime('0 9 * * *', zone, new Date('2025-03-01T00:00:00Z'))).toThrow(
      /Unknown time zone/,
    );
    expect(() => parseTicketInput('jsonl', '', { sourceTimeZone: zone })).toThrow(ValidationError);
  });
});
