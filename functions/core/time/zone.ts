/**
 * Local date and time in IANA time zones, through Intl (full ICU ships with Node): the one place
 * the code base turns instants into wall-clock times and back.
 *
 * - Instants are integer epoch seconds (`offsetAt`, `localOf`, `instantOf`); the `…Ms` helpers
 *   take and give epoch milliseconds for callers that work with `Date`.
 * - Local dates are day numbers: days since 1970-01-01 (`dayNumber`, `civil`).
 * - A local time that does not exist (clocks go forward) moves forward to the first valid
 *   instant, the end of the gap; one that occurs twice (clocks go back) takes its first
 *   occurrence (SPEC R2; the contract lifecycle and the ticket converters follow the same rule).
 * - Zone names are IANA names and their aliases (`UTC`, `Etc/UTC`, `US/Eastern`). Ids that ICU
 *   accepts but IANA does not define (Java's three-letter ids such as `BST` or `IST`, the
 *   `SystemV/…` zones) and UTC offsets are refused by `isTimeZone`.
 *
 * Offsets are cached per zone and UTC day, so evaluating many instants in one zone costs one
 * Intl call per day seen rather than one per instant.
 */

export const DAY_SECONDS = 86_400;
const DAY = DAY_SECONDS;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

const validZones = new Map<string, boolean>();

/**
 * Ids Intl (ICU) accepts that are not in the IANA database: Java's three-letter ids, which ICU
 * resolves to one zone each whatever the writer meant (`BST` is Asia/Dhaka, `IST` Asia/Kolkata,
 * `ART` Africa/Cairo), and the SystemV zones.
 */
const ICU_ONLY_ZONES =
  /^(?:ACT|AET|AGT|ART|AST|BET|BST|CAT|CNT|CST|CTT|EAT|ECT|IET|IST|JST|MIT|NET|NST|PLT|PNT|PRT|PST|SST|VST)$|^SystemV\//i;

/**
 * True for an IANA zone name or alias that Intl knows (`UTC`, `Etc/UTC`, `US/Eastern`,
 * `Europe/Kyiv`); false for anything else, ICU's own ids and UTC offsets (`+01:00`) included.
 */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  let known = validZones.get(zone);
  if (known === undefined) {
    if (/^[+-]/.test(zone) || ICU_ONLY_ZONES.test(zone)) known = false;
    else {
      try {
        formatter(zone);
        known = true;
      } catch {
        known = false;
      }
    }
    validZones.set(zone, known);
  }
  return known;
}

function exactOffset(zone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(t * 1000)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const local = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour! % 24,
    parts.minute!,
    parts.second!,
  );
  return local / 1000 - t;
}

/** Per zone and UTC day: the offset of the whole day, or null when it changes within the day. */
const dayOffsets = new Map<string, Map<number, number | null>>();

/** Seconds to add to instant `t` (epoch seconds) to get its local wall-clock time in `zone`. */
export function offsetAt(zone: string, t: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  let days = dayOffsets.get(zone);
  if (!days) dayOffsets.set(zone, (days = new Map()));
  const day = Math.floor(t / DAY);
  let whole = days.get(day);
  if (whole === undefined) {
    const first = exactOffset(zone, day * DAY);
    // Zones change offset at most once a day: equal ends mean one offset all day.
    whole = first === exactOffset(zone, day * DAY + DAY - 1) ? first : null;
    days.set(day, whole);
  }
  return whole ?? exactOffset(zone, t);
}

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Days since 1970-01-01 of a calendar date (month 1-12). */
export function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000;
}

export function civil(dayNo: number): CivilDate {
  const d = new Date(dayNo * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0 = Sunday ... 6 = Saturday. */
export function weekday(dayNo: number): number {
  return (((dayNo + 4) % 7) + 7) % 7;
}

/** The local day number and seconds since local midnight of an instant. */
export function localOf(zone: string, t: number): { dayNo: number; seconds: number } {
  const local = t + offsetAt(zone, t);
  const dayNo = Math.floor(local / DAY);
  return { dayNo, seconds: local - dayNo * DAY };
}

/**
 * The earliest instant whose local wall-clock time in `zone` is exactly `seconds` (0 to 86400)
 * on local day `dayNo`, or undefined when that time does not exist (it falls in a gap).
 */
export function exactInstantOf(zone: string, dayNo: number, seconds: number): number | undefined {
  const local = dayNo * DAY + seconds;
  // The offsets in force a day either side cover both sides of any one transition near `local`.
  const before = local - offsetAt(zone, local - DAY);
  const after = local - offsetAt(zone, local + DAY);
  let first: number | undefined;
  for (const t of [before, after])
    if (t + offsetAt(zone, t) === local && (first === undefined || t < first)) first = t;
  return first;
}

/**
 * The instant of local wall-clock `seconds` (0 to 86400) on local day `dayNo` (SPEC R2): a time
 * that does not exist moves forward to the first valid instant (the transition), an ambiguous
 * one takes its first occurrence.
 */
export function instantOf(zone: string, dayNo: number, seconds: number): number {
  const exact = exactInstantOf(zone, dayNo, seconds);
  if (exact !== undefined) return exact;
  // In a gap: the transition lies between the two readings; find its first second.
  const local = dayNo * DAY + seconds;
  const a = local - offsetAt(zone, local - DAY);
  const b = local - offsetAt(zone, local + DAY);
  let lo = Math.min(a, b);
  let hi = Math.max(a, b);
  const atLo = offsetAt(zone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === atLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Milliseconds, for callers that work with `Date` and epoch milliseconds.

/** Wall-clock parts of a local date and time; month is 1-12. */
export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

/** The zone's UTC offset in milliseconds at instant `ms` (local = UTC + offset). */
export function zoneOffsetMs(zone: string, ms: number): number {
  return offsetAt(zone, Math.floor(ms / 1000)) * 1000;
}

/**
 * The instant, in epoch milliseconds, of a local wall-clock time in an IANA zone. A time that
 * does not exist (in a DST gap) moves forward to the first valid instant, the end of the gap
 * (02:30 on a spring-forward night in New York becomes 03:00 EDT); an ambiguous one (in a
 * fall-back overlap) takes its first occurrence.
 */
export function localToUtcMs(t: LocalDateTime, zone: string): number {
  const dayNo = dayNumber(t.year, t.month, t.day);
  const seconds = t.hour * 3600 + t.minute * 60 + (t.second ?? 0);
  const exact = exactInstantOf(zone, dayNo, seconds);
  // In a gap the result is the transition itself, on a whole second.
  return exact === undefined ? instantOf(zone, dayNo, seconds) * 1000 : exact * 1000 + (t.millisecond ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Dates and months.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a day number. */
export function isoDate(dayNo: number): string {
  const { year, month, day } = civil(dayNo);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/** `2025-03-04T12:15:00-05:00`: the local time in `zone` with its offset (`+00:00` for UTC). */
export function formatInstant(t: number, zone: string): string {
  const offset = offsetAt(zone, t);
  const { dayNo, seconds } = localOf(zone, t);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const clock = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  const zoneText = `${sign}${pad(Math.floor(abs / 3600))}:${pad(Math.floor(abs / 60) % 60)}`;
  return `${isoDate(dayNo)}T${clock}${zoneText}`;
}

/** `YYYY-MM` of the local date of an instant. */
export function monthOf(t: number, zone: string): string {
  return isoDate(localOf(zone, t).dayNo).slice(0, 7);
}

/** A month `YYYY-MM` as `[1st 00:00, next 1st 00:00)` in `zone`. */
export function monthRange(month: string, zone: string): { start: number; end: number } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return {
    start: instantOf(zone, dayNumber(year, mon, 1), 0),
    end: instantOf(zone, dayNumber(year, mon + 1, 1), 0),
  };
}

/** The month before or after `YYYY-MM` by `delta` months. */
export function shiftMonth(month: string, delta: number): string {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (mon - 1) + delta;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
