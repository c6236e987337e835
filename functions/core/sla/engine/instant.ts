import { ValidationError } from '../../errors';
import { dayNumber, instantOf, isTimeZone } from './zone';

/**
 * ISO-8601 date-times to integer epoch seconds (SPEC R1). An explicit offset (`Z`, `±HH:MM`,
 * `±HHMM`, `±HH`) is required unless the caller declares the zone the source wrote local times
 * in; fractions of a second are dropped, since every rule works in whole seconds.
 */

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * Where a value came from: `subject` and `path` for the message (`ticket INC42`,
 * `status_history[3].at`), `base` for the detail's path (`tickets[7]`; default the subject).
 */
export interface Origin {
  subject: string;
  path: string;
  base?: string;
}

export function invalid(origin: Origin, message: string): ValidationError {
  const text = `${origin.subject}: ${origin.path} ${message}`;
  return new ValidationError(text, [{ path: `${origin.base ?? origin.subject}.${origin.path}`, message }]);
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Epoch seconds of an ISO-8601 date-time; a ValidationError naming `origin` otherwise. */
export function parseInstant(value: unknown, origin: Origin, sourceTimeZone?: string): number {
  if (value === undefined || value === null) throw invalid(origin, 'is missing');
  if (typeof value !== 'string')
    throw invalid(origin, `must be an ISO-8601 date-time string, not ${JSON.stringify(value)}`);
  const m = ISO.exec(value.trim());
  if (!m)
    throw invalid(origin, `"${value}" is not an ISO-8601 date-time (such as 2025-03-04T10:00:00-05:00)`);
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as number[];
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (
    month! < 1 ||
    month! > 12 ||
    day! < 1 ||
    day! > daysIn(year!, month!) ||
    hour! > 23 ||
    minute! > 59 ||
    second > 59
  )
    throw invalid(origin, `"${value}" is not a valid date and time`);
  const seconds = hour! * 3600 + minute! * 60 + second;
  const dayNo = dayNumber(year!, month!, day!);
  if (m[7]) return dayNo * 86_400 + seconds;
  if (m[8]) {
    const oh = Number(m[9]);
    const om = m[10] === undefined ? 0 : Number(m[10]);
    if (oh > 23 || om > 59) throw invalid(origin, `"${value}" has an invalid UTC offset`);
    const offset = (m[8] === '-' ? -1 : 1) * (oh * 3600 + om * 60);
    return dayNo * 86_400 + seconds - offset;
  }
  if (sourceTimeZone === undefined)
    throw invalid(origin, `"${value}" has no UTC offset (declare the source time zone)`);
  return instantOf(sourceTimeZone, dayNo, seconds);
}

/** Rejects a declared source zone Intl does not know. */
export function checkSourceTimeZone(zone: string | undefined): void {
  if (zone !== undefined && !isTimeZone(zone))
    throw new ValidationError(
      `source time zone "${zone}" is not an IANA time zone (such as "America/New_York" or "UTC")`,
      [{ path: 'sourceTimeZone', message: 'not an IANA time zone' }],
    );
}
