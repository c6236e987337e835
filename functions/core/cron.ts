/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week) evaluated on the
 * wall clock of an IANA time zone.
 *
 * Each field takes `*`, numbers, names (JAN-DEC, SUN-SAT), lists `1,2`, ranges `1-5` and
 * steps `*\/15`, `0-30/10`, `5/15`. Day-of-week runs 0-7 with both 0 and 7 meaning Sunday.
 * `?` is accepted in the two day fields as a synonym of `*`.
 * When both day fields are restricted (neither is `*` or `?`), a day matches if either does,
 * as in POSIX cron.
 *
 * Daylight saving time follows EventBridge Scheduler, so the local mode behaves as AWS does: a
 * wall-clock time skipped when clocks go forward does not run that day; a wall-clock time that
 * occurs twice when clocks go back runs once, at its first occurrence.
 */
import { DAY_SECONDS, exactInstantOf, isTimeZone, offsetAt } from './time/zone';

export interface CronSchedule {
  /** Sorted, distinct values of each field. Day-of-week is 0-6, 0 being Sunday. */
  minutes: readonly number[];
  hours: readonly number[];
  daysOfMonth: readonly number[];
  months: readonly number[];
  daysOfWeek: readonly number[];
  /** False when the field is `*` or `?`. */
  dayOfMonthRestricted: boolean;
  dayOfWeekRestricted: boolean;
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES },
];

/** Longest month length per month (February may have 29 days). */
const MAX_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const MINUTE = 60_000;
const DAY = 86_400_000;
/** A valid expression runs at least every eight years (29 February across a century). */
const SEARCH_LIMIT = 10 * 366 * DAY;

export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new Error(
      `Invalid cron expression "${expression}": expected 5 fields (minute hour day-of-month month day-of-week), got ${
        expression.trim() === '' ? 0 : fields.length
      }`,
    );
  }
  const values = fields.map((text, i) => parseField(expression, text, FIELDS[i]!));
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = values as [
    number[],
    number[],
    number[],
    number[],
    number[],
  ];
  const daysOfWeek = [...new Set(rawDaysOfWeek.map((d) => d % 7))].sort((a, b) => a - b);
  const dayOfMonthRestricted = !isWildcard(fields[2]!);
  const dayOfWeekRestricted = !isWildcard(fields[4]!);
  if (dayOfMonthRestricted && !dayOfWeekRestricted) {
    const possible = months.some((m) => daysOfMonth.some((d) => d <= MAX_DAYS[m - 1]!));
    if (!possible) {
      throw new Error(
        `Invalid cron expression "${expression}": day-of-month field "${fields[2]}" never occurs in month field "${fields[3]}"`,
      );
    }
  }
  return { minutes, hours, daysOfMonth, months, daysOfWeek, dayOfMonthRestricted, dayOfWeekRestricted };
}

function isWildcard(field: string): boolean {
  return field === '*' || field === '?';
}

function parseField(expression: string, text: string, spec: FieldSpec): number[] {
  const fail = (problem: string): never => {
    throw new Error(`Invalid cron expression "${expression}": ${spec.name} field "${text}" ${problem}`);
  };
  const isDayField = spec.name === 'day-of-month' || spec.name === 'day-of-week';
  if (text === '?') {
    if (!isDayField) fail('may not be "?" (only the day fields may)');
    text = '*';
  }
  const result = new Set<number>();
  for (const part of text.split(',')) {
    if (part === '') fail('has an empty list item');
    const match = /^([^/]+)(?:\/(\d+))?$/.exec(part);
    if (!match) fail(`has an invalid item "${part}"`);
    const [, base, stepText] = match!;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isSafeInteger(step) || step < 1) fail(`has an invalid step "${stepText}"`);
    let from: number;
    let to: number;
    if (base === '*') {
      from = spec.min;
      to = spec.name === 'day-of-week' ? 6 : spec.max;
    } else {
      const bounds = base!.split('-');
      if (bounds.length > 2) fail(`has an invalid range "${base}"`);
      from = parseValue(bounds[0]!, spec, fail);
      const top = spec.name === 'day-of-week' ? 6 : spec.max;
      to = bounds.length === 2 ? parseValue(bounds[1]!, spec, fail) : stepText === undefined ? from : top;
      if (from > to) fail(`has a range "${base}" that runs backwards`);
    }
    for (let v = from; v <= to; v += step) result.add(v);
  }
  return [...result].sort((a, b) => a - b);
}

function parseValue(text: string, spec: FieldSpec, fail: (problem: string) => never): number {
  let value: number;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else {
    const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
    if (index < 0) return fail(`has an invalid value "${text}"`);
    value = index + (spec.name === 'month' ? 1 : 0);
  }
  if (value < spec.min || value > spec.max) {
    fail(`has value ${value} outside ${spec.min}-${spec.max}`);
  }
  return value;
}

/**
 * The first instant strictly after `after` at which the expression fires in `timeZone`.
 * Instants are whole minutes.
 */
export function nextCronTime(expression: string, timeZone: string, after: Date): Date {
  const schedule = parseCron(expression);
  if (!isTimeZone(timeZone))
    throw new Error(`Unknown time zone "${timeZone}": expected an IANA name such as "Europe/Berlin"`);
  const afterMs = after.getTime();
  if (Number.isNaN(afterMs)) throw new Error('nextCronTime needs a valid date');

  const minutes = new Set(schedule.minutes);
  const hours = new Set(schedule.hours);
  const daysOfMonth = new Set(schedule.daysOfMonth);
  const months = new Set(schedule.months);
  const daysOfWeek = new Set(schedule.daysOfWeek);
  const dayMatches = (d: Date): boolean => {
    const dom = daysOfMonth.has(d.getUTCDate());
    const dow = daysOfWeek.has(d.getUTCDay());
    if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) return dom || dow;
    if (schedule.dayOfMonthRestricted) return dom;
    if (schedule.dayOfWeekRestricted) return dow;
    return true;
  };

  // Search wall-clock times (held as UTC fields of a Date), field by field, then map each
  // match back to an instant in the zone.
  let wall = Math.floor(wallTime(timeZone, afterMs) / MINUTE) * MINUTE + MINUTE;
  const limit = wall + SEARCH_LIMIT;
  while (wall <= limit) {
    const d = new Date(wall);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth();
    const day = d.getUTCDate();
    const hour = d.getUTCHours();
    if (!months.has(month + 1)) {
      wall = Date.UTC(year, month + 1, 1);
    } else if (!dayMatches(d)) {
      wall = Date.UTC(year, month, day + 1);
    } else if (!hours.has(hour)) {
      wall = Date.UTC(year, month, day, hour + 1);
    } else if (!minutes.has(d.getUTCMinutes())) {
      wall += MINUTE;
    } else {
      const instant = firstInstant(timeZone, wall);
      // No instant: the time was skipped by a DST change. An earlier instant: `after` lies in
      // the repeated hour after this time's first occurrence, which already ran.
      if (instant !== undefined && instant > afterMs) return new Date(instant);
      wall += MINUTE;
    }
  }
  throw new Error(`cron expression "${expression}" has no run in the ten years after ${after.toISOString()}`);
}

/** The wall-clock time in the zone at an instant, as milliseconds of a UTC date with those fields. */
function wallTime(timeZone: string, instant: number): number {
  const t = Math.floor(instant / 1000);
  return (t + offsetAt(timeZone, t)) * 1000;
}

/** The earliest instant whose wall-clock time in the zone is `wall`, or undefined in a DST gap. */
function firstInstant(timeZone: string, wall: number): number | undefined {
  const seconds = wall / 1000;
  const dayNo = Math.floor(seconds / DAY_SECONDS);
  const first = exactInstantOf(timeZone, dayNo, seconds - dayNo * DAY_SECONDS);
  return first === undefined ? undefined : first * 1000;
}
