import type { Actor } from '../audit-chain';
import { ValidationError, type ErrorDetail } from '../errors';
import type { ScheduledJob } from '../ports';
import { instantOf, isTimeZone, localOf } from '../time/zone';
// contract.ts imports this module too: only functions cross, so the cycle is harmless.
import {
  nextEvent,
  type ContractEvent,
  type ContractEventOf,
  type ContractEventType,
  type ContractPeriod,
  type ContractState,
  type ContractTerm,
} from './contract';

/**
 * The contract's calendar, pure: local dates in the contract's IANA time zone, and the instants
 * its lifecycle jobs run at.
 *
 * - A period of `months` from `start` ends on its last included day: the day before the same day
 *   of the month `months` later (`start + months - 1 day`); when that month has no such day, on
 *   that month's last day. 2025-01-31 + 1 month ends 2025-02-28; 2025-03-01 + 1 month ends
 *   2025-03-31. A renewal period starts the day after the previous one ends.
 * - The notice deadline is the last day notice of non-renewal may be given: `end - noticeDays`.
 *   The notice window opens `reminderDays` before it; the owners are e-mailed at 09:00 local on
 *   that day.
 * - A period renews or expires at 00:00 local on the day after its end.
 * - A local time that does not exist (clocks go forward) is taken at the first instant after the
 *   gap; one that occurs twice (clocks go back) at its first occurrence.
 */

/** `YYYY-MM-DD`, a calendar date local to the contract's time zone. */
export type IsoDate = string;

/** When the notice-window e-mail goes out, local to the contract. */
export const NOTICE_WINDOW_TIME = '09:00';
/** When a period renews or expires: the start of the day after its end. */
export const PERIOD_CHANGE_TIME = '00:00';
/** A job run this early still counts as on time: the scheduler's clock and ours differ a little. */
export const DUE_TOLERANCE_MS = 5_000;
/** Renewals caught up at most in one call: a hundred years of monthly renewals. */
const MAX_CATCH_UP = 1_200;
/** The longest term or renewal period, in months. */
export const MAX_MONTHS = 1_200;

export const LIFECYCLE_ACTOR: Actor = { kind: 'system', id: 'contract-lifecycle' };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A value as a message shows it: numbers as they are (NaN, Infinity), anything else as JSON. */
export function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
}

function invalid(path: string, message: string): never {
  throw new ValidationError(`${path}: ${message}`, [{ path, message }]);
}

/** The fields of a real calendar date, or the reason it is not one. */
function dateFields(value: unknown): { y: number; m: number; d: number } | string {
  const match = typeof value === 'string' ? DATE.exec(value) : null;
  if (!match) return `must be a date YYYY-MM-DD, not ${JSON.stringify(value)}`;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m))
    return `${value} is not a day of the calendar`;
  return { y, m, d };
}

/** Throws a ValidationError naming `path` unless `value` is a real `YYYY-MM-DD` date. */
export function checkDate(value: unknown, path: string): IsoDate {
  const fields = dateFields(value);
  if (typeof fields === 'string') invalid(path, fields);
  return value as IsoDate;
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function dayNumber(date: IsoDate): number {
  const f = dateFields(date);
  if (typeof f === 'string') invalid('date', f);
  return Date.UTC(f.y, f.m - 1, f.d) / DAY_MS;
}

function fromDayNumber(day: number): IsoDate {
  const d = new Date(day * DAY_MS);
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** The date `days` later (earlier when negative). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Days from `from` to `to`: 0 for the same day. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

function checkMonths(months: unknown, path: string): number {
  if (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > MAX_MONTHS)
    invalid(path, `must be a whole number of months from 1 to ${MAX_MONTHS}, not ${shown(months)}`);
  return months;
}

/**
 * The last day of a period of `months` from `startDate`, included in the period: the day before
 * the same day of the month `months` later, or that month's last day when it has no such day.
 */
export function periodEnd(startDate: IsoDate, months: number): IsoDate {
  const start = dateFields(startDate);
  if (typeof start === 'string') invalid('startDate', start);
  checkMonths(months, 'months');
  const index = start.y * 12 + (start.m - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  if (start.d === 1) return fromDayNumber(Date.UTC(y, m - 1, 1) / DAY_MS - 1);
  return fromDayNumber(Date.UTC(y, m - 1, Math.min(start.d - 1, daysInMonth(y, m))) / DAY_MS);
}

type Lifecycle = Pick<ContractState, 'term' | 'currentPeriod'>;

/** The last day notice of non-renewal may be given for the current end; null for a fixed term. */
export function noticeDeadline(state: Lifecycle): IsoDate | null {
  const renewal = state.term.renewal;
  return renewal.mode === 'auto' ? addDays(state.currentPeriod.end, -renewal.noticeDays) : null;
}

/** The day the notice window opens: the notice deadline less `reminderDays`; null for a fixed term. */
export function windowOpens(state: Lifecycle): IsoDate | null {
  const renewal = state.term.renewal;
  const deadline = noticeDeadline(state);
  return renewal.mode === 'auto' && deadline !== null ? addDays(deadline, -renewal.reminderDays) : null;
}

// ---------------------------------------------------------------------------------------------
// Local time.

/**
 * Throws a ValidationError naming `path` unless `zone` is an IANA time zone (names and their
 * aliases; not ICU's own ids such as `BST`, nor UTC offsets), as the SLA terms require.
 */
export function checkTimeZone(zone: unknown, path = 'timeZone'): string {
  if (typeof zone !== 'string' || zone === '' || /^[+-]/.test(zone))
    invalid(path, `must be an IANA time zone such as "Europe/Berlin", not ${JSON.stringify(zone)}`);
  if (!isTimeZone(zone))
    invalid(path, `${JSON.stringify(zone)} is not an IANA time zone (such as "Europe/Berlin")`);
  return zone;
}

/**
 * The instant of a local date and time in an IANA zone. A time skipped when clocks go forward is
 * taken at the first instant after the gap (02:30 on the day New York springs forward is 03:00
 * EDT); a time that occurs twice when clocks go back, at its first occurrence.
 */
export function localInstant(date: IsoDate, time: string, zone: string): Date {
  const day = dateFields(date);
  if (typeof day === 'string') invalid('date', day);
  const clock = typeof time === 'string' ? TIME.exec(time) : null;
  if (!clock) invalid('time', `must be a local time HH:MM from 00:00 to 23:59, not ${JSON.stringify(time)}`);
  checkTimeZone(zone);
  const dayNo = Date.UTC(day.y, day.m - 1, day.d) / DAY_MS;
  return new Date(instantOf(zone, dayNo, Number(clock[1]) * 3600 + Number(clock[2]) * 60) * 1000);
}

/** The local date in the zone at an instant. */
export function localDate(instant: Date, zone: string): IsoDate {
  checkTimeZone(zone);
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
  return fromDayNumber(localOf(zone, Math.floor(ms / 1000)).dayNo);
}

// ---------------------------------------------------------------------------------------------
// Checking a term.

const shortest = new Map<number, number>();

/**
 * The fewest days a period of `months` can have, whatever day it starts on: over the starts of a
 * four-year cycle, which holds every arrangement of month lengths and leap days.
 */
export function shortestPeriodDays(months: number): number {
  let days = shortest.get(months);
  if (days === undefined) {
    days = Infinity;
    const first = Date.UTC(2023, 0, 1) / DAY_MS;
    for (let day = first; day < first + 1461; day++) {
      const start = fromDayNumber(day);
      days = Math.min(days, daysBetween(start, periodEnd(start, months)) + 1);
    }
    shortest.set(months, days);
  }
  return days;
}

const wholeDays = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** The period a notice must fit in, for messages: the initial term, the current period. */
export interface NoticePeriod {
  label: string;
  start: IsoDate;
  end: IsoDate;
}

/** `noticeDays` fits in a period when its deadline (`end - noticeDays`) falls within it. */
export function noticeFitProblem(notice: number, period: NoticePeriod): string | null {
  const length = daysBetween(period.start, period.end) + 1;
  return notice < length
    ? null
    : `${notice} days of notice do not fit in the ${length}-day ${period.label} (${period.start} to ${period.end}): notice must be fewer days than the ${period.label}`;
}

/**
 * The problems of a renewal rule, under `path`. Notice must fit in `within` (the period the rule
 * first governs) and in the shortest renewal period the rule can produce.
 */
export function renewalProblems(renewal: unknown, path: string, within?: NoticePeriod): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const problem = (field: string, message: string) =>
    problems.push({ path: field ? `${path}.${field}` : path, message });
  if (typeof renewal !== 'object' || renewal === null) {
    problem('', 'required: {mode: "fixed"} or {mode: "auto", renewalMonths, noticeDays, reminderDays}');
    return problems;
  }
  const r = renewal as Record<string, unknown>;
  if (r.mode === 'fixed') return problems;
  if (r.mode !== 'auto') {
    problem('mode', `must be "fixed" or "auto", not ${shown(r.mode)}`);
    return problems;
  }
  let renewalMonths: number | undefined;
  try {
    renewalMonths = checkMonths(r.renewalMonths, `${path}.renewalMonths`);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    problems.push(...error.details);
  }
  for (const field of ['noticeDays', 'reminderDays'] as const)
    if (!wholeDays(r[field]))
      problem(field, `must be a whole number of days, 0 or more, not ${shown(r[field])}`);
  const notice = r.noticeDays;
  if (wholeDays(notice)) {
    const unfit = within ? noticeFitProblem(notice, within) : null;
    if (unfit) problem('noticeDays', unfit);
    if (renewalMonths !== undefined && notice >= shortestPeriodDays(renewalMonths))
      problem(
        'noticeDays',
        `${notice} days of notice do not fit in a renewal period of ${renewalMonths} month(s), which can be as short as ${shortestPeriodDays(renewalMonths)} days`,
      );
  }
  return problems;
}

/**
 * The term when it holds together; otherwise a ValidationError naming every field that does not,
 * under `path`. Notice must fall within every period: `noticeDays` is fewer than the days of the
 * initial term and of the shortest renewal period.
 */
export function checkContractTerm(term: unknown, path = 'term'): ContractTerm {
  const problems: ErrorDetail[] = [];
  const attempt = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.details);
      return undefined;
    }
  };
  if (typeof term !== 'object' || term === null)
    invalid(path, 'required: {startDate, termMonths, renewal, timeZone}');
  const t = term as Partial<ContractTerm>;
  const start = attempt(() => checkDate(t.startDate, `${path}.startDate`));
  const months = attempt(() => checkMonths(t.termMonths, `${path}.termMonths`));
  attempt(() => checkTimeZone(t.timeZone, `${path}.timeZone`));
  const initial =
    start !== undefined && months !== undefined
      ? { label: 'initial term', start, end: periodEnd(start, months) }
      : undefined;
  problems.push(...renewalProblems(t.renewal, `${path}.renewal`, initial));
  if (problems.length > 0)
    throw new ValidationError(
      `the contract term is not valid: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  return term as ContractTerm;
}

// ---------------------------------------------------------------------------------------------
// Scheduling.

export type LifecycleJobKind = 'notice_window' | 'renew' | 'expire';

export interface LifecycleJob {
  /** `contract:{tenant}:{id}:{kind}:{forEnd}`: scheduling it again replaces it. */
  id: string;
  kind: LifecycleJobKind;
  at: Date;
  /** The end date of the period the job is for. */
  forEnd: IsoDate;
}

/** The name of the job handler that runs lifecycle jobs (it calls `applyDue`). */
export const LIFECYCLE_JOB = 'contract.lifecycle';

function lifecycleJobId(
  state: Pick<ContractState, 'tenantId' | 'id'>,
  kind: LifecycleJobKind,
  forEnd: IsoDate,
): string {
  return `contract:${state.tenantId}:${state.id}:${kind}:${forEnd}`;
}

/** Whether the current period renews at its end: auto-renewal, and no notice of non-renewal. */
export function renews(state: Pick<ContractState, 'term' | 'nonRenewal'>): boolean {
  return state.term.renewal.mode === 'auto' && !state.nonRenewal;
}

/** When the current period ends: 00:00 local on the day after its last day. */
export function endsAt(state: Lifecycle): Date {
  return localInstant(addDays(state.currentPeriod.end, 1), PERIOD_CHANGE_TIME, state.term.timeZone);
}

interface Progress {
  period: ContractPeriod;
  openedFor: IsoDate | undefined;
}

/**
 * The notice window still to open for the period, with when it opens and when it closes (the end
 * of the notice deadline day); null when there is none (fixed term, notice given, already opened).
 */
function pendingWindow(
  state: ContractState,
  p: Progress,
): { opens: Date; closes: Date; deadline: IsoDate } | null {
  const lifecycle = { term: state.term, currentPeriod: p.period };
  const deadline = noticeDeadline(lifecycle);
  const opensOn = windowOpens(lifecycle);
  if (!renews(state) || deadline === null || opensOn === null || p.openedFor === p.period.end) return null;
  const zone = state.term.timeZone;
  return {
    opens: localInstant(opensOn, NOTICE_WINDOW_TIME, zone),
    closes: localInstant(addDays(deadline, 1), PERIOD_CHANGE_TIME, zone),
    deadline,
  };
}

const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

/**
 * The next lifecycle job to schedule, never in the past (an overdue job is due `now`): the notice
 * window at 09:00 local on its opening day, unless notice was given, it was opened for this end,
 * or the deadline has passed; then the renewal (auto-renewing, no notice of non-renewal) or the
 * expiry at 00:00 local on the day after the end. Null once the contract has ended.
 */
export function nextLifecycleJob(state: ContractState, now: Date): LifecycleJob | null {
  if (state.status !== 'active') return null;
  const forEnd = state.currentPeriod.end;
  const job = (kind: LifecycleJobKind, at: Date): LifecycleJob => ({
    id: lifecycleJobId(state, kind, forEnd),
    kind,
    at: later(at, now),
    forEnd,
  });
  const window = pendingWindow(state, {
    period: state.currentPeriod,
    openedFor: state.noticeWindowOpenedFor,
  });
  if (window && now.getTime() < window.closes.getTime()) return job('notice_window', window.opens);
  return job(renews(state) ? 'renew' : 'expire', endsAt(state));
}

/** The job as the Scheduler port takes it. */
export function scheduledJob(state: Pick<ContractState, 'tenantId' | 'id'>, job: LifecycleJob): ScheduledJob {
  return {
    id: job.id,
    job: LIFECYCLE_JOB,
    input: { tenantId: state.tenantId, contractId: state.id, kind: job.kind, forEnd: job.forEnd },
  };
}

/**
 * The events due at `now`, in order, numbered after the state's last event. Idempotent: what was
 * recorded for an end date is not produced again, so a duplicate or late run is harmless. After
 * an outage every missed renewal is produced in turn; a notice window whose deadline has passed
 * is skipped (its e-mail would come too late to act on), and one still open is opened late.
 */
export function applyDue(state: ContractState, now: Date, actor: Actor = LIFECYCLE_ACTOR): ContractEvent[] {
  const events: ContractEvent[] = [];
  if (state.status !== 'active') return events;
  const t = now.getTime() + DUE_TOLERANCE_MS;
  // Each event chains to the one before it, the first to the contract's head.
  let head: Pick<ContractState, 'id' | 'tenantId' | 'seq' | 'headHash'> = state;
  const push = <T extends ContractEventType>(type: T, data: ContractEventOf<T>['data']) => {
    const event = nextEvent(head, type, data, { at: now, actor });
    events.push(event);
    head = { ...head, seq: event.seq, headHash: event.hash };
  };
  const p: Progress = { period: state.currentPeriod, openedFor: state.noticeWindowOpenedFor };
  for (let caughtUp = 0; ; caughtUp++) {
    if (caughtUp > MAX_CATCH_UP)
      throw new Error(`contract ${state.id}: more than ${MAX_CATCH_UP} renewals due`);
    const window = pendingWindow(state, p);
    if (window && t >= window.opens.getTime() && now.getTime() < window.closes.getTime()) {
      push('contract.notice_window_opened', {
        forEnd: p.period.end,
        noticeDeadline: window.deadline,
        to: state.owners,
      });
      p.openedFor = p.period.end;
    }
    if (t < endsAt({ term: state.term, currentPeriod: p.period }).getTime()) return events;
    if (!renews(state) || state.term.renewal.mode !== 'auto') {
      push('contract.expired', { endDate: p.period.end });
      return events;
    }
    const start = addDays(p.period.end, 1);
    const next = {
      index: p.period.index + 1,
      start,
      end: periodEnd(start, state.term.renewal.renewalMonths),
    };
    push('contract.renewed', {
      previousEnd: p.period.end,
      start: next.start,
      end: next.end,
      period: next.index,
    });
    p.period = next;
  }
}

/**
 * Whether the contract is in its renewal window for a listing: active, auto-renewing without
 * notice of non-renewal, and its notice deadline within `from`..`to` (local dates, inclusive).
 */
export function renewalWindowFilter(state: ContractState, from: IsoDate, to: IsoDate): boolean {
  checkDate(from, 'from');
  checkDate(to, 'to');
  if (from > to) invalid('to', `${to} is before from (${from})`);
  if (state.status !== 'active' || !renews(state) || state.noticeDeadline === null) return false;
  return from <= state.noticeDeadline && state.noticeDeadline <= to;
}
