import { ROUTE_LIMITS } from '../../../workflows/signing-route';
import { settingsOf, type EnvelopeState, type RecipientState } from '../envelope';

/**
 * When the signing route has something to do for a waiting step: pure functions of the envelope
 * state and the time, shared by StartStep and Remind.
 *
 * - Reminders follow the step's schedule: slot k (1, 2, ...) falls `firstAfterHours + (k - 1) *
 *   everyHours` after the step's invitations went out, for k up to the reminder cap and before the
 *   expiry. At a slot, every recipient of the step who has not acted (invited or viewed, not
 *   signed, declined or withdrawn), is under the cap and has not heard from us since the slot began
 *   gets one reminder. A shared schedule means one wake-up per slot whatever the number of
 *   recipients, which is what bounds the execution's history.
 * - The expiry warning goes out once, `warnDaysBefore` days before the expiry (never when 0).
 * - At the expiry the envelope expires.
 *
 * A moment up to DUE_TOLERANCE_MS ahead counts as due: the workflow's timer and the function's
 * clock differ a little, and a wake-up a moment early must not cost another cycle.
 */

export const DUE_TOLERANCE_MS = 5_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A recipient who was asked to act and has not: the only ones reminded or warned. */
export const isPending = (r: RecipientState): boolean => r.status === 'sent' || r.status === 'viewed';

/** When the envelope expires; null for an envelope that was never sent. */
export function expiryOf(state: EnvelopeState): number | null {
  if (state.expiresAt) return Date.parse(state.expiresAt);
  if (!state.sentAt) return null;
  return Date.parse(state.sentAt) + settingsOf(state).expiresInDays * DAY_MS;
}

/** When the expiry warning is due; null when the envelope warns no one. */
export function warningOf(state: EnvelopeState): number | null {
  const expiry = expiryOf(state);
  const days = settingsOf(state).warnDaysBefore;
  return expiry === null || days <= 0 ? null : expiry - days * DAY_MS;
}

/**
 * Reminders per recipient: the envelope's setting, within the per-recipient limit and the
 * envelope's budget of reminder rounds shared by its steps.
 */
export function reminderCap(state: EnvelopeState): number {
  const steps = Math.max(1, state.steps.length);
  return Math.max(
    0,
    Math.min(
      settingsOf(state).reminders.max,
      ROUTE_LIMITS.maxReminders,
      Math.floor(ROUTE_LIMITS.maxReminderRounds / steps),
    ),
  );
}

/** The times of the step's reminder slots, in order (empty before the step is invited). */
export function reminderSlots(state: EnvelopeState, step: number): number[] {
  const invitedAt = state.steps.find((s) => s.step === step)?.invitedAt;
  const expiry = expiryOf(state);
  if (!invitedAt || expiry === null) return [];
  const { firstAfterHours, everyHours } = settingsOf(state).reminders;
  // Never more often than the minimum interval, whatever was recorded.
  const first = Math.max(firstAfterHours * HOUR_MS, ROUTE_LIMITS.minReminderSeconds * 1000);
  const every = Math.max(everyHours * HOUR_MS, ROUTE_LIMITS.minReminderSeconds * 1000);
  const slots: number[] = [];
  for (let k = 0; k < reminderCap(state); k++) {
    const at = Date.parse(invitedAt) + first + k * every;
    if (at >= expiry) break;
    slots.push(at);
  }
  return slots;
}

export interface DueWork {
  /** The envelope has reached its expiry. */
  expired: boolean;
  /** The expiry warning is due and has not gone out. */
  warn: boolean;
  /** Recipients of the step to remind now. */
  remind: RecipientState[];
}

/** What is due for a step at `now` (ms). */
export function dueWork(state: EnvelopeState, step: number, now: number): DueWork {
  const horizon = now + DUE_TOLERANCE_MS;
  const expiry = expiryOf(state);
  if (expiry !== null && horizon >= expiry) return { expired: true, warn: false, remind: [] };
  const warning = warningOf(state);
  const warn = warning !== null && !state.expiryWarnedAt && horizon >= warning;
  const slot = reminderSlots(state, step)
    .filter((at) => at <= horizon)
    .at(-1);
  const cap = reminderCap(state);
  const remind =
    slot === undefined
      ? []
      : state.recipients.filter(
          (r) =>
            r.step === step &&
            isPending(r) &&
            (r.reminders ?? 0) < cap &&
            lastContact(r) < slot - DUE_TOLERANCE_MS,
        );
  return { expired: false, warn, remind };
}

/** The next moment (ms) after `now` that the route has something to do for the step. */
export function nextDue(state: EnvelopeState, step: number, now: number): number | null {
  const horizon = now + DUE_TOLERANCE_MS;
  const candidates: number[] = [];
  const expiry = expiryOf(state);
  if (expiry !== null) candidates.push(expiry);
  const warning = warningOf(state);
  if (warning !== null && !state.expiryWarnedAt) candidates.push(warning);
  const cap = reminderCap(state);
  const remindable = state.recipients.some(
    (r) => r.step === step && isPending(r) && (r.reminders ?? 0) < cap,
  );
  if (remindable) {
    const slot = reminderSlots(state, step).find((at) => at > horizon);
    if (slot !== undefined) candidates.push(slot);
  }
  return candidates.length ? Math.min(...candidates) : null;
}

/**
 * The waiting task's time-out: whole seconds until the next due moment, at least 1. Without any
 * (an envelope never sent), the longest expiry.
 */
export function waitSeconds(state: EnvelopeState, step: number, now: number): number {
  const next = nextDue(state, step, now);
  if (next === null) return ROUTE_LIMITS.maxExpirySeconds;
  return Math.min(ROUTE_LIMITS.maxExpirySeconds, Math.max(1, Math.ceil((next - now) / 1000)));
}

/** The last time a recipient heard from the route: their latest invitation or reminder. */
function lastContact(r: RecipientState): number {
  return Math.max(
    r.invitedAt ? Date.parse(r.invitedAt) : -Infinity,
    r.remindedAt ? Date.parse(r.remindedAt) : -Infinity,
  );
}
