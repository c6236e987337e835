import type { BusinessCalendar, LocalWindow, SlaCalendar, Weekday } from '../terms';
import { dayNumber, instantOf, localOf, weekday } from './zone';

/**
 * Calendar time (SPEC R2): `24x7` counts every second; a business calendar counts its local
 * windows, each bound made an instant with that date's own offset. Both questions are answered
 * by walking whole days of windows, so a month costs about thirty steps, not 43,200.
 */

type Window = [start: number, end: number];

interface Compiled {
  zone: string;
  /** Windows in seconds since local midnight, by weekday (0 = Sunday). */
  weekly: Window[][];
  holidays: Set<number>;
  exceptions: Map<number, Window[]>;
  /** Windows as instants, by local day number. */
  days: Map<number, Window[]>;
}

export type Clock = { type: '24x7' } | ({ type: 'business' } & Compiled);

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/** A business calendar whose windows never amount to time gives up after this many days. */
const MAX_DAYS = 366 * 50;

const seconds = (clock: string) => {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 3600 + m * 60;
};
const windows = (list: LocalWindow[] | undefined): Window[] =>
  (list ?? []).map(([s, e]) => [seconds(s), seconds(e)] as Window).sort((a, b) => a[0] - b[0]);
const parseDate = (date: string) => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return dayNumber(y, m, d);
};

const compiled = new WeakMap<SlaCalendar, Clock>();
const ALWAYS: Clock = { type: '24x7' };

export function clockOf(calendar: SlaCalendar): Clock {
  if (calendar.type === '24x7') return ALWAYS;
  let clock = compiled.get(calendar);
  if (!clock) {
    const business = calendar as BusinessCalendar;
    clock = {
      type: 'business',
      zone: business.time_zone,
      weekly: WEEKDAYS.map((day) => windows(business.weekly[day])),
      holidays: new Set((business.holidays ?? []).map(parseDate)),
      exceptions: new Map((business.exceptions ?? []).map((e) => [parseDate(e.date), windows(e.windows)])),
      days: new Map(),
    };
    compiled.set(calendar, clock);
  }
  return clock;
}

/** The windows of one local date as instants, in order; empty ones (inside a DST gap) dropped. */
function windowsOn(clock: Compiled, dayNo: number): Window[] {
  let found = clock.days.get(dayNo);
  if (!found) {
    const local = clock.holidays.has(dayNo)
      ? []
      : (clock.exceptions.get(dayNo) ?? clock.weekly[weekday(dayNo)]!);
    found = local
      .map(([s, e]) => [instantOf(clock.zone, dayNo, s), instantOf(clock.zone, dayNo, e)] as Window)
      .filter(([s, e]) => e > s);
    clock.days.set(dayNo, found);
  }
  return found;
}

/** Seconds of `clock` in `[from, to)`. */
export function calendarSeconds(clock: Clock, from: number, to: number): number {
  if (to <= from) return 0;
  if (clock.type === '24x7') return to - from;
  let total = 0;
  const last = localOf(clock.zone, to).dayNo + 1;
  // The day before too: with a gap at midnight a window may end past the local date.
  for (let day = localOf(clock.zone, from).dayNo - 1; day <= last; day++)
    for (const [s, e] of windowsOn(clock, day)) {
      const a = Math.max(s, from);
      const b = Math.min(e, to);
      if (b > a) total += b - a;
    }
  return total;
}

/**
 * The first instant `t ≥ from` with `calendarSeconds(from, t) = amount`, or null when the
 * calendar never accrues that much (its windows all fall in DST gaps, say).
 */
export function instantAfter(clock: Clock, from: number, amount: number): number | null {
  if (amount <= 0) return from;
  if (clock.type === '24x7') return from + amount;
  let left = amount;
  const first = localOf(clock.zone, from).dayNo - 1;
  for (let day = first; day <= first + MAX_DAYS; day++)
    for (const [s, e] of windowsOn(clock, day)) {
      if (e <= from) continue;
      const a = Math.max(s, from);
      if (e - a >= left) return a + left;
      left -= e - a;
    }
  return null;
}
