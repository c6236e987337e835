/**
 * The console's rules that need no page: matching a route to its pattern, merge values as the
 * API takes them, and when the next reminder goes out. Kept free of the DOM so that they are
 * tested on their own (test/web/console-logic.test.ts).
 */

import type { Envelope, Recipient } from './types';

export interface RouteMatch<T> {
  entry: T;
  params: Record<string, string>;
}

/**
 * The entry whose `path` pattern fits: the same number of segments, `:name` taking any segment;
 * literal segments win over parameters, whatever the order (`/templates/new` over `/templates/:id`).
 */
export function matchRoute<T extends { path: string }>(
  path: string,
  entries: readonly T[],
): RouteMatch<T> | null {
  const segments = path.split('/').filter(Boolean);
  let best: (RouteMatch<T> & { score: number }) | null = null;
  for (const entry of entries) {
    const pattern = entry.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let score = 0;
    let ok = true;
    for (const [i, part] of pattern.entries()) {
      const segment = segments[i]!;
      if (part.startsWith(':')) {
        try {
          params[part.slice(1)] = decodeURIComponent(segment);
        } catch {
          ok = false;
        }
      } else if (part === segment) score += 1;
      else ok = false;
      if (!ok) break;
    }
    if (ok && (!best || score > best.score)) best = { entry, params, score };
  }
  return best ? { entry: best.entry, params: best.params } : null;
}

/** `{ 'customer.name': 'Acme' }` as the API takes merge data: `{ customer: { name: 'Acme' } }`. */
export function nestMergeData(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.');
    let at = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) at[part] = value;
      else {
        const next = at[part];
        at = (next && typeof next === 'object' ? next : (at[part] = {})) as Record<string, unknown>;
      }
    });
  }
  return out;
}

const HOUR = 3600_000;

/**
 * When the next reminder goes to a recipient, from the envelope's settings: the first after
 * `firstAfterHours` from the step's invitations, then every `everyHours` after the last one.
 * `null`: no more (the most were sent, or the next would fall after the expiry); undefined: the
 * recipient is not waited for (acted, not their step yet, a copy, the envelope not in progress).
 */
export function nextReminder(envelope: Envelope, recipient: Recipient): Date | null | undefined {
  if (envelope.status !== 'sent' || !['sent', 'viewed'].includes(recipient.status)) return undefined;
  if (recipient.role === 'carbon_copy') return undefined;
  const step = envelope.steps.find((s) => s.step === recipient.step);
  if (step?.status !== 'active') return undefined;
  const { firstAfterHours, everyHours, max } = envelope.settings.reminders;
  if ((recipient.reminders ?? 0) >= max) return null;
  const from = recipient.remindedAt
    ? Date.parse(recipient.remindedAt) + everyHours * HOUR
    : Date.parse(step.invitedAt ?? recipient.invitedAt ?? '') + firstAfterHours * HOUR;
  if (Number.isNaN(from)) return undefined;
  if (envelope.expiresAt && from >= Date.parse(envelope.expiresAt)) return null;
  return new Date(from);
}
