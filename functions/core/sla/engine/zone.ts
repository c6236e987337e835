/**
 * Local date and time in an IANA zone, through Intl (full ICU ships with Node). Instants are
 * integer epoch seconds; local dates are day numbers (days since 1970-01-01).
 */

const DAY = 86_400;

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
 * Ids ICU accepts that are not IANA zones (Java's three-letter ids, resolved to one zone each
 * whatever the writer meant, and the SystemV zones): refused, as the terms check refuses them.
 */
const ICU_ONLY_ZONES =
  /^(?:ACT|AET|AGT|ART|AST|BET|BST|CAT|CNT|CST|CTT|EAT|ECT|IET|IST|JST|MIT|NET|NST|PLT|PNT|PRT|PST|SST|VST)$|^SystemV\//i;

/** True for an IANA zone name or alias that Intl knows. */
export function isTimeZone(zone: string): boolean {
  let known = validZones.get(zone);
  if (known === undefined) {
    try {
      formatter(zone);
      known = !ICU_ONLY_ZONES.test(zone);
    } catch {
      known = false;
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
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return local / 1000 - t;
}

/** Per zone and UTC day: the offset of the whole day, or null when it changes within the day. */
const dayOffsets = new Map<string, Map<number, number | null>>();

/** Seconds to add to an instant to get its local wall-clock time in `zone`. */
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
 * The instant of local wall-clock `seconds` (0 to 86400) on local day `dayNo` (SPEC R2): a time
 * that does not exist moves forward to the first valid instant (the transition), an ambiguous
 * one takes its first occurrence.
 */
export function instantOf(zone: string, dayNo: number, seconds: number): number {
  const local = dayNo * DAY + seconds;
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  const candidates = [local - before, local - after]
    .filter((t) => t + offsetAt(zone, t) === local)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return candidates[0]!;
  // In a gap: the transition lies between the two readings; find its first second.
  let lo = Math.min(local - before, local - after);
  let hi = Math.max(local - before, local - after);
  const atLo = offsetAt(zone, lo);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === atLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

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
