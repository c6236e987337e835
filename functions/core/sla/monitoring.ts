import { PayloadTooLargeError } from '../errors';
import type { StoredOutage } from './store';

/**
 * Outages from a monitoring check's event stream (`down` / `up` at an instant). The events are
 * kept per check, and the check's outages are derived from all of them each time, so a replayed
 * or late event lands where it belongs: `down` opens an outage unless one is open, `up` closes
 * the open one, and an outage still open at the last event stays open (`open: true`).
 */

export type MonitorStatus = 'down' | 'up';

export interface MonitorEvent {
  /** UTC, ISO-8601. */
  at: string;
  status: MonitorStatus;
}

/** One check of one contract: its events, and the outages derived from them, written together. */
export interface MonitoringCheck {
  check: string;
  /** 0 before the first write; each write takes the next. */
  version: number;
  events: MonitorEvent[];
  outages: StoredOutage[];
}

/** The events of one check are one item (400 KB); past this, a check must be split by name. */
export const MAX_CHECK_EVENTS_BYTES = 300 * 1024;

const order = (a: MonitorEvent, b: MonitorEvent) =>
  Date.parse(a.at) - Date.parse(b.at) || (a.status === b.status ? 0 : a.status === 'down' ? -1 : 1);

/** The events with `added` merged in: each (instant, status) once, in time order. */
export function mergeMonitorEvents(events: readonly MonitorEvent[], added: readonly MonitorEvent[]) {
  const seen = new Map<string, MonitorEvent>();
  for (const e of [...events, ...added]) seen.set(`${Date.parse(e.at)}|${e.status}`, e);
  const merged = [...seen.values()].sort(order);
  const size = Buffer.byteLength(JSON.stringify(merged), 'utf8');
  if (size > MAX_CHECK_EVENTS_BYTES) {
    throw new PayloadTooLargeError(
      `the check's events would use ${size} bytes, over the ${MAX_CHECK_EVENTS_BYTES} a check may keep: report under a new check name`,
      [{ path: 'check', message: 'too many events for one check' }],
    );
  }
  return merged;
}

const compact = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+/, '');

/**
 * The outages of a check's (merged, sorted) events. An outage keeps the `recordedAt` it had in
 * `previous`, so re-deriving changes nothing that did not change.
 */
export function deriveOutages(
  check: string,
  events: readonly MonitorEvent[],
  previous: readonly StoredOutage[],
  now: string,
): StoredOutage[] {
  const outages: StoredOutage[] = [];
  const recorded = new Map(previous.map((o) => [o.id, o.recordedAt]));
  const push = (start: string, end: string, open: boolean) => {
    const id = `mon-${check}-${compact(start)}`;
    outages.push({
      id,
      start,
      end,
      kind: 'outage',
      source: `monitoring:${check}`,
      recordedAt: recorded.get(id) ?? now,
      ...(open ? { open: true } : {}),
    });
  };
  let open: { start: string; last: string } | null = null;
  for (const e of events) {
    if (e.status === 'down') {
      if (open) open.last = e.at;
      else open = { start: e.at, last: e.at };
    } else if (open) {
      push(open.start, e.at, false);
      open = null;
    }
  }
  if (open) push(open.start, open.last, true);
  return outages;
}
