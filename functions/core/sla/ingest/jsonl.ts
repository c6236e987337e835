/**
 * Ticket timelines as JSON Lines (SPEC.md "Inputs": one JSON object per ticket), checked for
 * structure: required fields, arrays, types, instants and unknown properties, each problem named
 * by line, ticket and field. Statuses and severities are left as given: the engine maps them
 * through the terms and rejects the ones it does not know.
 *
 * This module also holds what every ticket converter shares:
 * - instants: every instant a converter emits is UTC (`2024-03-01T09:30:00Z`, with `.sss` only
 *   when there are milliseconds). An instant without an offset is resolved in the source time
 *   zone the caller declares (a local time that does not exist moves forward to the first valid
 *   instant, an ambiguous one takes its first occurrence, as SPEC.md R2 says for calendars), and
 *   is an error when none is declared;
 * - `Problems`, which gathers bad-input messages and throws them as one `ValidationError`.
 */
import { ValidationError, type ErrorDetail } from '../../errors';
import { localToUtcMs, type LocalDateTime } from '../../time/zone';
import type { CommentSource, TicketComment, TicketTimeline } from '../ticket';

// ---------------------------------------------------------------------------------------------
// Problems

/** At most this many problems are listed in an error's details; the message gives the total. */
const MAX_DETAILS = 100;

/**
 * Collects bad-input problems so that one error names all of them (up to 100), each as
 * `<where> (ticket <id>): <field> <message>`, e.g. `line 3 (ticket T-7): created_at "x" is not a date`.
 */
export class Problems {
  readonly details: ErrorDetail[] = [];
  count = 0;

  /**
   * @param where the location in the input: `line 3`, `row 17`, `ticket 42`
   * @param ticket the ticket id when known
   * @param field the field, property path or column, when the problem is about one
   */
  add(where: string, ticket: string | undefined, field: string | undefined, message: string): void {
    this.count += 1;
    if (this.details.length >= MAX_DETAILS) return;
    const text = `${where}${ticket === undefined ? '' : ` (ticket ${ticket})`}: ${field ? `${field} ` : ''}${message}`;
    this.details.push({ path: field ? `${where}.${field}` : where, message: text });
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /** Throws the collected problems as one `ValidationError`, if there are any. */
  throwIfAny(): void {
    if (this.count === 0) return;
    const more = this.count - 1;
    const first = this.details[0]!.message;
    throw new ValidationError(
      more === 0 ? first : `${first} (and ${more} more problem${more === 1 ? '' : 's'})`,
      this.details,
    );
  }
}

/** Throws one problem at once. */
export function fail(
  where: string,
  ticket: string | undefined,
  field: string | undefined,
  message: string,
): never {
  const problems = new Problems();
  problems.add(where, ticket, field, message);
  problems.throwIfAny();
  throw new Error('unreachable');
}

// ---------------------------------------------------------------------------------------------
// Instants

// Zone arithmetic lives in the shared time module; the converters import it from here.
export { isTimeZone, localToUtcMs, zoneOffsetMs, type LocalDateTime } from '../../time/zone';

export type InstantResult = { ok: true; ms: number } | { ok: false; message: string };

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)? ?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the parts name a real calendar date and wall-clock time (no 24:00, no leap second). */
export function isValidLocal(t: LocalDateTime): boolean {
  return (
    t.year >= 1 &&
    t.month >= 1 &&
    t.month <= 12 &&
    t.day >= 1 &&
    t.day <= daysInMonth(t.year, t.month) &&
    t.hour <= 23 &&
    t.minute <= 59 &&
    (t.second ?? 0) <= 59
  );
}

/**
 * Parses an ISO-8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z`, `±HH:MM`, `±HHMM` or
 * `±HH` (a space may stand for the `T`, and before the offset, as some exports write it). Without
 * an offset, the time is read in `zone`, when given.
 */
export function parseInstant(value: string, zone?: string): InstantResult {
  const m = ISO_INSTANT.exec(value);
  if (!m) return { ok: false, message: `${JSON.stringify(value)} is not an ISO-8601 date-time` };
  const local: LocalDateTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
    millisecond: m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0')),
  };
  if (!isValidLocal(local)) return { ok: false, message: `${JSON.stringify(value)} is not a date` };
  const offset = m[8];
  if (offset === undefined) {
    if (zone === undefined) {
      return {
        ok: false,
        message: `${JSON.stringify(value)} has no UTC offset: give one, or declare the source time zone`,
      };
    }
    return { ok: true, ms: localToUtcMs(local, zone) };
  }
  const wall = Date.UTC(
    local.year,
    local.month - 1,
    local.day,
    local.hour,
    local.minute,
    local.second,
    local.millisecond,
  );
  if (offset === 'Z' || offset === 'z') return { ok: true, ms: wall };
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 18 || minutes > 59)
    return { ok: false, message: `${JSON.stringify(value)} has no valid UTC offset` };
  const sign = offset.startsWith('-') ? -1 : 1;
  return { ok: true, ms: wall - sign * (hours * 60 + minutes) * 60_000 };
}

const SLASH_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Reads an offsetless `d/m/yyyy H:MM[:SS]` (`order` `dmy`) or `m/d/yyyy H:MM[:SS]` (`mdy`) time:
 * `undefined` when the text has another shape, `invalid` when it names no real date or time
 * (`31/2/2016 10:00`).
 */
export function parseSlashDateTime(
  value: string,
  order: 'dmy' | 'mdy',
): LocalDateTime | 'invalid' | undefined {
  const m = SLASH_DATE_TIME.exec(value);
  if (!m) return undefined;
  const first = Number(m[1]);
  const second = Number(m[2]);
  const local: LocalDateTime = {
    year: Number(m[3]),
    month: order === 'dmy' ? second : first,
    day: order === 'dmy' ? first : second,
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: m[6] === undefined ? 0 : Number(m[6]),
  };
  return isValidLocal(local) ? local : 'invalid';
}

/** `2024-03-01T09:30:00Z`, with milliseconds only when there are some. */
export function formatUtc(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** Parses `value` as an instant (see `parseInstant`) and returns it as a UTC string. */
export function toUtcInstant(
  value: unknown,
  zone?: string,
): { ok: true; value: string } | { ok: false; message: string } {
  if (typeof value !== 'string') {
    return { ok: false, message: `must be an ISO-8601 date-time string, got ${describe(value)}` };
  }
  const parsed = parseInstant(value.trim(), zone);
  return parsed.ok ? { ok: true, value: formatUtc(parsed.ms) } : parsed;
}

/** Milliseconds since the epoch of an instant string the converters emit (or any ISO instant with an offset). */
export function instantMs(value: string): number {
  const parsed = parseInstant(value);
  return parsed.ok ? parsed.ms : Number.NaN;
}

/** A short description of a value of the wrong type, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** Sorts entries by instant, keeping the input order of entries at the same instant. */
export function sortByInstant<T>(entries: T[], at: (entry: T) => string): T[] {
  return entries
    .map((entry, index) => ({ entry, index, ms: instantMs(at(entry)) }))
    .sort((a, b) => a.ms - b.ms || a.index - b.index)
    .map(({ entry }) => entry);
}

// ---------------------------------------------------------------------------------------------
// Ticket timelines

export const COMMENT_SOURCES: readonly CommentSource[] = [
  'auto_acknowledgement',
  'bot',
  'internal_note',
  'shared_account',
];

const TICKET_KEYS = new Set([
  'id',
  'created_at',
  'customer_reported_at',
  'as_of',
  'severity_history',
  'status_history',
  'comments',
]);
const COMMENT_KEYS = new Set(['at', 'author', 'public', 'source']);

export interface TimelineCheckOptions {
  /** IANA zone in which instants without an offset are read; without it they are errors. */
  sourceTimeZone?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks one ticket object's structure and returns it with its instants in UTC, or `undefined`
 * after adding its problems to `problems` under `where` (e.g. `line 3`).
 */
export function checkTicketTimeline(
  value: unknown,
  where: string,
  problems: Problems,
  options: TimelineCheckOptions = {},
): TicketTimeline | undefined {
  const before = problems.count;
  if (!isRecord(value)) {
    problems.add(
      where,
      undefined,
      undefined,
      `must be a JSON object (a ticket timeline), got ${describe(value)}`,
    );
    return undefined;
  }
  const ticket = typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
  const add = (field: string, message: string) => problems.add(where, ticket, field, message);
  const instant = (field: string, raw: unknown): string => {
    if (raw === undefined) {
      add(field, 'is required');
      return '';
    }
    const result = toUtcInstant(raw, options.sourceTimeZone);
    if (result.ok) return result.value;
    add(field, result.message);
    return '';
  };
  for (const key of Object.keys(value)) {
    if (!TICKET_KEYS.has(key)) add(key, 'is not a property of a ticket timeline');
  }
  if (ticket === undefined)
    add(
      'id',
      value.id === undefined ? 'is required' : `must be a non-empty string, got ${describe(value.id)}`,
    );
  const timeline: TicketTimeline = {
    id: ticket ?? '',
    created_at: instant('created_at', value.created_at),
    severity_history: [],
    status_history: [],
    comments: [],
  };
  for (const key of ['customer_reported_at', 'as_of'] as const) {
    if (value[key] !== undefined) timeline[key] = instant(key, value[key]);
  }
  const list = (key: 'severity_history' | 'status_history' | 'comments'): unknown[] => {
    const raw = value[key];
    if (raw === undefined) add(key, 'is required (an array, possibly empty)');
    else if (!Array.isArray(raw)) add(key, `must be an array, got ${describe(raw)}`);
    else return raw;
    return [];
  };
  for (const [key, field] of [
    ['severity_history', 'severity'],
    ['status_history', 'status'],
  ] as const) {
    list(key).forEach((entry, i) => {
      const path = `${key}[${i}]`;
      if (!isRecord(entry)) return add(path, `must be an object {at, ${field}}, got ${describe(entry)}`);
      for (const k of Object.keys(entry))
        if (k !== 'at' && k !== field) add(`${path}.${k}`, `is not a property of a ${key} entry`);
      const at = instant(`${path}.at`, entry.at);
      const v = entry[field];
      if (typeof v !== 'string' || v === '') {
        add(
          `${path}.${field}`,
          v === undefined ? 'is required' : `must be a non-empty string, got ${describe(v)}`,
        );
      }
      if (key === 'severity_history') timeline.severity_history.push({ at, severity: String(v) });
      else timeline.status_history.push({ at, status: String(v) });
    });
  }
  list('comments').forEach((entry, i) => {
    const path = `comments[${i}]`;
    if (!isRecord(entry))
      return add(path, `must be an object {at, author, public?, source?}, got ${describe(entry)}`);
    for (const k of Object.keys(entry))
      if (!COMMENT_KEYS.has(k)) add(`${path}.${k}`, 'is not a property of a comment');
    const comment: TicketComment = {
      at: instant(`${path}.at`, entry.at),
      author: 'agent',
    };
    if (entry.author === 'customer' || entry.author === 'agent') comment.author = entry.author;
    else
      add(
        `${path}.author`,
        entry.author === undefined
          ? 'is required'
          : `must be "customer" or "agent", got ${describe(entry.author)}`,
      );
    if (entry.public !== undefined) {
      if (typeof entry.public === 'boolean') comment.public = entry.public;
      else add(`${path}.public`, `must be true or false, got ${describe(entry.public)}`);
    }
    if (entry.source !== undefined) {
      if (COMMENT_SOURCES.includes(entry.source as CommentSource))
        comment.source = entry.source as CommentSource;
      else
        add(`${path}.source`, `must be one of ${COMMENT_SOURCES.join(', ')}, got ${describe(entry.source)}`);
    }
    timeline.comments.push(comment);
  });
  return problems.count === before ? timeline : undefined;
}

/**
 * Parses JSON Lines of ticket timelines. Blank lines are ignored; every problem is named by its
 * line (1-based), ticket and field, and all of them are thrown together as one `ValidationError`.
 * Ticket ids must be unique. Instants come back in UTC.
 */
export function parseTicketJsonl(text: string, options: TimelineCheckOptions = {}): TicketTimeline[] {
  const problems = new Problems();
  const tickets: TicketTimeline[] = [];
  const seen = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const where = `line ${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      problems.add(where, undefined, undefined, `is not JSON (${(err as Error).message})`);
      return;
    }
    const ticket = checkTicketTimeline(value, where, problems, options);
    if (!ticket) return;
    const first = seen.get(ticket.id);
    if (first !== undefined) {
      problems.add(
        where,
        ticket.id,
        'id',
        `repeats the ticket of line ${first}: ids are unique per contract`,
      );
      return;
    }
    seen.set(ticket.id, index + 1);
    tickets.push(ticket);
  });
  problems.throwIfAny();
  return tickets;
}
