/**
 * CSV input: a small RFC 4180 parser (also incremental, for large files read in chunks) and a
 * converter from CSV to ticket timelines through a column mapping, in one of two layouts:
 * - `events` (the default): one row per ticket event (created, status, severity, comment);
 * - `tickets`: one row per ticket, with its creation, severity and a few milestone times.
 */
import type { CommentAuthor, CommentSource, TicketComment, TicketTimeline } from '../ticket';
import {
  COMMENT_SOURCES,
  Problems,
  describe,
  fail,
  formatUtc,
  instantMs,
  isTimeZone,
  localToUtcMs,
  parseInstant,
  parseSlashDateTime,
  sortByInstant,
} from './jsonl';

// ---------------------------------------------------------------------------------------------
// RFC 4180 parsing

/** One CSV record: its fields, its ordinal in the file (the header is row 1) and its first line. */
export interface CsvRecord {
  fields: string[];
  row: number;
  line: number;
}

export interface CsvParseOptions {
  /** One character; default `,`. */
  delimiter?: string;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * Incremental RFC 4180 parser: fields may be quoted with `"`, a quoted field may hold delimiters,
 * line breaks and doubled quotes (`""` for `"`); records end at CRLF, LF or CR. A quote inside an
 * unquoted field, text after a closing quote and an unterminated quoted field are errors naming
 * the row and line. A leading byte-order mark is dropped. Blank lines are not returned (they
 * still count as rows).
 *
 * `push` chunks of text as they arrive and take the complete records each call returns; `end`
 * returns the last ones.
 */
export class CsvReader {
  private buffer = '';
  private rows = 0;
  private line = 1;
  private started = false;
  private readonly delimiter: number;

  constructor(options: CsvParseOptions = {}) {
    const delimiter = options.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') {
      fail(
        'options',
        undefined,
        'delimiter',
        `must be one character other than a quote or a line break, got ${describe(delimiter)}`,
      );
    }
    this.delimiter = delimiter.charCodeAt(0);
  }

  push(chunk: string): CsvRecord[] {
    if (!this.started) {
      if (chunk === '') return [];
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    this.buffer = this.buffer === '' ? chunk : this.buffer + chunk;
    return this.drain(false);
  }

  end(): CsvRecord[] {
    return this.drain(true);
  }

  private drain(final: boolean): CsvRecord[] {
    const s = this.buffer;
    const n = s.length;
    const out: CsvRecord[] = [];
    let pos = 0;
    while (pos < n) {
      const record = this.record(s, pos, final);
      if (!record) break;
      this.rows += 1;
      if (!(record.fields.length === 1 && record.fields[0] === '')) {
        out.push({ fields: record.fields, row: this.rows, line: this.line });
      }
      this.line += record.lines;
      pos = record.end;
    }
    this.buffer = pos === 0 ? s : s.slice(pos);
    return out;
  }

  /** Parses the record at `pos`; `undefined` when it may continue in a later chunk. */
  private record(
    s: string,
    pos: number,
    final: boolean,
  ): { fields: string[]; end: number; lines: number } | undefined {
    const n = s.length;
    const fields: string[] = [];
    let lines = 0;
    const where = () => `row ${this.rows + 1}`;
    for (;;) {
      let value: string;
      if (s.charCodeAt(pos) === QUOTE) {
        const openedAt = this.line + lines;
        let i = pos + 1;
        value = '';
        for (;;) {
          const q = s.indexOf('"', i);
          if (q === -1 || (q + 1 === n && !final)) {
            if (!final) return undefined;
            fail(where(), undefined, undefined, `a quoted field opened on line ${openedAt} is never closed`);
          }
          if (s.charCodeAt(q + 1) === QUOTE) {
            value += s.slice(i, q + 1);
            i = q + 2;
            continue;
          }
          value += s.slice(i, q);
          pos = q + 1;
          break;
        }
        for (let k = value.indexOf('\n'); k !== -1; k = value.indexOf('\n', k + 1)) lines += 1;
        if (!value.includes('\n')) {
          for (let k = value.indexOf('\r'); k !== -1; k = value.indexOf('\r', k + 1)) lines += 1;
        }
        const next = s.charCodeAt(pos);
        if (pos < n && next !== this.delimiter && next !== CR && next !== LF) {
          fail(
            where(),
            undefined,
            undefined,
            `line ${this.line + lines}: a closing quote must be followed by a delimiter or a line break`,
          );
        }
      } else {
        let j = pos;
        for (; j < n; j++) {
          const c = s.charCodeAt(j);
          if (c === this.delimiter || c === CR || c === LF) break;
          if (c === QUOTE) {
            fail(
              where(),
              undefined,
              undefined,
              `line ${this.line + lines}: a quote inside an unquoted field (quote the whole field and double the quote)`,
            );
          }
        }
        if (j === n && !final) return undefined;
        value = s.slice(pos, j);
        pos = j;
      }
      fields.push(value);
      if (pos >= n) {
        if (!final) return undefined;
        return { fields, end: n, lines };
      }
      const c = s.charCodeAt(pos);
      if (c === this.delimiter) {
        pos += 1;
        if (pos === n && !final) return undefined;
        if (pos === n) {
          fields.push('');
          return { fields, end: n, lines };
        }
        continue;
      }
      if (c === CR) {
        if (pos + 1 === n && !final) return undefined;
        return { fields, end: s.charCodeAt(pos + 1) === LF ? pos + 2 : pos + 1, lines: lines + 1 };
      }
      return { fields, end: pos + 1, lines: lines + 1 };
    }
  }
}

/** Parses a whole CSV text into records (see `CsvReader`). */
export function parseCsvRecords(text: string, options: CsvParseOptions = {}): CsvRecord[] {
  const reader = new CsvReader(options);
  return [...reader.push(text), ...reader.end()];
}

/** Parses a whole CSV text into rows of fields, the header included (see `CsvReader`). */
export function parseCsv(text: string, options: CsvParseOptions = {}): string[][] {
  return parseCsvRecords(text, options).map((record) => record.fields);
}

// ---------------------------------------------------------------------------------------------
// Column mapping

export type CsvEventKind = 'created' | 'status' | 'severity' | 'comment';

/**
 * The `events` layout: one row per ticket event. Each property names a column (header names
 * match exactly); the defaults are in brackets.
 * - `ticketId` [`ticket_id`]: the ticket the row belongs to. Rows of one ticket may be anywhere
 *   in the file; tickets come out in order of their first row, each history sorted by time.
 * - `time` [`at`]: when the event happened (see `CsvOptions.dateFormat`).
 * - `kind` [`kind`]: `created`, `status`, `severity` or `comment` (any case), or a word that
 *   `kinds` maps to one of them. Each ticket needs exactly one `created` row (a repeat at the
 *   same instant is harmless).
 * - `value` [`value`]: the source status of a `status` row and the source priority of a
 *   `severity` row, passed on unchanged for the terms' `status_map` and `severity_map`; not
 *   read for other kinds.
 * - `author` [`author`]: a comment's author, `customer` or `agent` (any case), or a word that
 *   `authors` maps to one of them (e.g. `{ "end-user": "customer", "staff": "agent" }`).
 * - `public` [`public`]: whether a comment is public: `true/false`, `yes/no`, `y/n`, `1/0`;
 *   empty means public.
 * - `source` [`source`]: empty, or one of `auto_acknowledgement`, `bot`, `internal_note`,
 *   `shared_account`.
 * `author`, `public` and `source` are only needed when the file has comment rows; a column named
 * explicitly in the mapping must be in the header.
 */
export interface CsvEventsMapping {
  layout?: 'events';
  ticketId?: string;
  time?: string;
  kind?: string;
  value?: string;
  author?: string;
  public?: string;
  source?: string;
  /** Extra words for event kinds, matched without regard to case. */
  kinds?: Record<string, CsvEventKind>;
  /** Extra words for comment authors, matched without regard to case. */
  authors?: Record<string, CommentAuthor>;
}

/**
 * The `tickets` layout: one row per ticket, for sources that keep milestone times rather than an
 * event history. Such a source has no status history, so the converter states one in canonical
 * statuses: `new` at creation, `solved` at `solvedAt`, `closed` at `closedAt`. Columns (defaults
 * in brackets):
 * - `ticketId` [`ticket_id`], `createdAt` [`created_at`], `severity` [`severity`]: required;
 *   the severity (a source priority, mapped by the terms' `severity_map`) holds for the ticket's
 *   whole life;
 * - `customerReportedAt` [`customer_reported_at`], `firstResponseAt` [`first_response_at`]
 *   (becomes a public agent comment), `solvedAt` [`solved_at`], `closedAt` [`closed_at`]:
 *   optional columns, and an empty cell means "not yet".
 */
export interface CsvTicketsMapping {
  layout: 'tickets';
  ticketId?: string;
  createdAt?: string;
  severity?: string;
  customerReportedAt?: string;
  firstResponseAt?: string;
  solvedAt?: string;
  closedAt?: string;
}

/** How to read a CSV: the `events` layout with its default column names when not given. */
export type CsvMapping = CsvEventsMapping | CsvTicketsMapping;

export interface CsvOptions {
  mapping?: CsvMapping;
  /**
   * How times are written: `iso` (default) for ISO-8601 date-times, or `d/m/y` and `m/d/y` for
   * `31/12/2024 17:05` and `12/31/2024 17:05` (seconds optional). Times without an offset are
   * read in `sourceTimeZone`, and are errors without it.
   */
  dateFormat?: 'iso' | 'd/m/y' | 'm/d/y';
  /** IANA zone of times written without an offset. */
  sourceTimeZone?: string;
  /** One character; default `,`. */
  delimiter?: string;
}

const DEFAULT_EVENT_COLUMNS = {
  ticketId: 'ticket_id',
  time: 'at',
  kind: 'kind',
  value: 'value',
  author: 'author',
  public: 'public',
  source: 'source',
} as const;

const DEFAULT_TICKET_COLUMNS = {
  ticketId: 'ticket_id',
  createdAt: 'created_at',
  severity: 'severity',
  customerReportedAt: 'customer_reported_at',
  firstResponseAt: 'first_response_at',
  solvedAt: 'solved_at',
  closedAt: 'closed_at',
} as const;

const KIND_WORDS: Record<string, CsvEventKind> = {
  created: 'created',
  status: 'status',
  severity: 'severity',
  comment: 'comment',
};
const AUTHOR_WORDS: Record<string, CommentAuthor> = { customer: 'customer', agent: 'agent' };
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0']);

type Columns = Record<string, number | undefined>;

/** Resolves mapping keys to header positions; required columns and explicitly named ones must exist. */
function resolveColumns(
  header: CsvRecord,
  names: Record<string, string>,
  explicit: object,
  required: readonly string[],
  problems: Problems,
): Columns {
  const positions = new Map<string, number>();
  const repeated = new Set<string>();
  header.fields.forEach((name, i) => {
    const key = name.trim();
    if (positions.has(key)) repeated.add(key);
    else positions.set(key, i);
  });
  const columns: Columns = {};
  for (const [key, name] of Object.entries(names)) {
    const at = positions.get(name);
    if (at === undefined) {
      if (required.includes(key) || (explicit as Record<string, unknown>)[key] !== undefined) {
        problems.add(
          `row ${header.row}`,
          undefined,
          undefined,
          `the header has no column "${name}" (mapping.${key})`,
        );
      }
    } else if (repeated.has(name)) {
      problems.add(
        `row ${header.row}`,
        undefined,
        undefined,
        `the header has column "${name}" (mapping.${key}) more than once`,
      );
    }
    columns[key] = at;
  }
  return columns;
}

function timeReader(
  options: CsvOptions,
): (raw: string) => { ok: true; value: string } | { ok: false; message: string } {
  const zone = options.sourceTimeZone;
  const format = options.dateFormat ?? 'iso';
  return (raw) => {
    if (format === 'iso') {
      const parsed = parseInstant(raw, zone);
      return parsed.ok ? { ok: true, value: formatUtc(parsed.ms) } : parsed;
    }
    const local = parseSlashDateTime(raw, format === 'd/m/y' ? 'dmy' : 'mdy');
    if (local === 'invalid') return { ok: false, message: `${JSON.stringify(raw)} is not a date` };
    if (!local) return { ok: false, message: `${JSON.stringify(raw)} is not a ${format} date and time` };
    if (zone === undefined) {
      return { ok: false, message: `${JSON.stringify(raw)} has no UTC offset: declare the source time zone` };
    }
    return { ok: true, value: formatUtc(localToUtcMs(local, zone)) };
  };
}

/**
 * Converts CSV text to ticket timelines through `options.mapping` (see `CsvEventsMapping` and
 * `CsvTicketsMapping`). Every problem is named by row (the header is row 1), ticket and column,
 * and all of them are thrown together as one `ValidationError`. Instants come back in UTC.
 */
export function csvToTickets(text: string, options: CsvOptions = {}): TicketTimeline[] {
  if (options.sourceTimeZone !== undefined && !isTimeZone(options.sourceTimeZone)) {
    fail(
      'options',
      undefined,
      'sourceTimeZone',
      `${describe(options.sourceTimeZone)} is not an IANA time zone`,
    );
  }
  const records = parseCsvRecords(
    text,
    options.delimiter === undefined ? {} : { delimiter: options.delimiter },
  );
  const header = records[0];
  if (!header) fail('row 1', undefined, undefined, 'the CSV is empty: a header row is required');
  const problems = new Problems();
  for (const record of records.slice(1)) {
    if (record.fields.length !== header.fields.length) {
      problems.add(
        `row ${record.row}`,
        undefined,
        undefined,
        `has ${record.fields.length} fields, the header has ${header.fields.length}`,
      );
    }
  }
  problems.throwIfAny();
  const mapping = options.mapping ?? {};
  const tickets =
    mapping.layout === 'tickets'
      ? ticketsLayout(header, records.slice(1), mapping, options, problems)
      : eventsLayout(header, records.slice(1), mapping, options, problems);
  problems.throwIfAny();
  return tickets;
}

function eventsLayout(
  header: CsvRecord,
  rows: CsvRecord[],
  mapping: CsvEventsMapping,
  options: CsvOptions,
  problems: Problems,
): TicketTimeline[] {
  const names = { ...DEFAULT_EVENT_COLUMNS, ...definedOnly(mapping, Object.keys(DEFAULT_EVENT_COLUMNS)) };
  const columns = resolveColumns(header, names, mapping, ['ticketId', 'time', 'kind'], problems);
  problems.throwIfAny();
  const kinds = lowerKeys({ ...KIND_WORDS, ...mapping.kinds });
  const authors = lowerKeys({ ...AUTHOR_WORDS, ...mapping.authors });
  const readTime = timeReader(options);
  const cell = (record: CsvRecord, key: string) => {
    const at = columns[key];
    return at === undefined ? '' : (record.fields[at] ?? '').trim();
  };
  const tickets = new Map<string, { timeline: TicketTimeline; firstRow: number; createdRow?: number }>();
  for (const record of rows) {
    const where = `row ${record.row}`;
    const id = cell(record, 'ticketId');
    if (id === '') {
      problems.add(where, undefined, names.ticketId, 'is empty: every row needs its ticket id');
      continue;
    }
    const add = (key: string, message: string) =>
      problems.add(where, id, names[key as keyof typeof names], message);
    let entry = tickets.get(id);
    if (!entry) {
      entry = {
        timeline: { id, created_at: '', severity_history: [], status_history: [], comments: [] },
        firstRow: record.row,
      };
      tickets.set(id, entry);
    }
    const timeline = entry.timeline;
    const rawKind = cell(record, 'kind');
    const kind = kinds[rawKind.toLowerCase()];
    if (!kind) {
      add(
        'kind',
        `${describe(rawKind)} is not an event kind (created, status, severity, comment${mapping.kinds ? ', or a word of mapping.kinds' : ''})`,
      );
      continue;
    }
    const time = readTime(cell(record, 'time'));
    if (!time.ok) {
      add('time', cell(record, 'time') === '' ? 'is empty' : time.message);
      continue;
    }
    const at = time.value;
    if (kind === 'created') {
      if (entry.createdRow !== undefined && instantMs(timeline.created_at) !== instantMs(at)) {
        add(
          'time',
          `gives a second creation time (${at}); row ${entry.createdRow} gave ${timeline.created_at}`,
        );
      } else {
        entry.createdRow ??= record.row;
        timeline.created_at = at;
      }
    } else if (kind === 'status' || kind === 'severity') {
      const value = cell(record, 'value');
      if (value === '')
        add('value', `is empty: a ${kind} row needs the source ${kind === 'status' ? 'status' : 'priority'}`);
      else if (kind === 'status') timeline.status_history.push({ at, status: value });
      else timeline.severity_history.push({ at, severity: value });
    } else {
      const comment: TicketComment = { at, author: 'agent' };
      const rawAuthor = cell(record, 'author');
      const author = authors[rawAuthor.toLowerCase()];
      if (author) comment.author = author;
      else if (columns.author === undefined)
        add('author', 'is not a column of the header, and comment rows need it');
      else
        add(
          'author',
          rawAuthor === ''
            ? 'is empty: a comment needs its author (customer or agent)'
            : `${describe(rawAuthor)} is not customer or agent`,
        );
      const rawPublic = cell(record, 'public').toLowerCase();
      if (TRUE_WORDS.has(rawPublic)) comment.public = true;
      else if (FALSE_WORDS.has(rawPublic)) comment.public = false;
      else if (rawPublic !== '') add('public', `${describe(cell(record, 'public'))} is not true or false`);
      const rawSource = cell(record, 'source');
      if (COMMENT_SOURCES.includes(rawSource as CommentSource)) comment.source = rawSource as CommentSource;
      else if (rawSource !== '')
        add('source', `${describe(rawSource)} is not one of ${COMMENT_SOURCES.join(', ')}`);
      timeline.comments.push(comment);
    }
  }
  const out: TicketTimeline[] = [];
  for (const { timeline, firstRow, createdRow } of tickets.values()) {
    if (createdRow === undefined) {
      problems.add(
        `row ${firstRow}`,
        timeline.id,
        undefined,
        'has no "created" row: the creation time is required',
      );
      continue;
    }
    timeline.severity_history = sortByInstant(timeline.severity_history, (e) => e.at);
    timeline.status_history = sortByInstant(timeline.status_history, (e) => e.at);
    timeline.comments = sortByInstant(timeline.comments, (e) => e.at);
    out.push(timeline);
  }
  return out;
}

function ticketsLayout(
  header: CsvRecord,
  rows: CsvRecord[],
  mapping: CsvTicketsMapping,
  options: CsvOptions,
  problems: Problems,
): TicketTimeline[] {
  const names = { ...DEFAULT_TICKET_COLUMNS, ...definedOnly(mapping, Object.keys(DEFAULT_TICKET_COLUMNS)) };
  const columns = resolveColumns(header, names, mapping, ['ticketId', 'createdAt', 'severity'], problems);
  problems.throwIfAny();
  const readTime = timeReader(options);
  const seen = new Map<string, number>();
  const out: TicketTimeline[] = [];
  for (const record of rows) {
    const where = `row ${record.row}`;
    const cell = (key: string) => {
      const at = columns[key];
      return at === undefined ? '' : (record.fields[at] ?? '').trim();
    };
    const id = cell('ticketId');
    if (id === '') {
      problems.add(where, undefined, names.ticketId, 'is empty: every row needs its ticket id');
      continue;
    }
    const first = seen.get(id);
    if (first !== undefined) {
      problems.add(
        where,
        id,
        names.ticketId,
        `repeats the ticket of row ${first}: the tickets layout has one row per ticket`,
      );
      continue;
    }
    seen.set(id, record.row);
    const before = problems.count;
    const time = (key: keyof typeof names, required: boolean): string | undefined => {
      const raw = cell(key);
      if (raw === '') {
        if (required) problems.add(where, id, names[key], 'is empty');
        return undefined;
      }
      const parsed = readTime(raw);
      if (parsed.ok) return parsed.value;
      problems.add(where, id, names[key], parsed.message);
      return undefined;
    };
    const created = time('createdAt', true);
    const severity = cell('severity');
    if (severity === '') problems.add(where, id, names.severity, 'is empty');
    const reported = time('customerReportedAt', false);
    const responded = time('firstResponseAt', false);
    const solved = time('solvedAt', false);
    const closed = time('closedAt', false);
    if (created === undefined || problems.count !== before) continue;
    const createdMs = instantMs(created);
    for (const [key, value] of [
      ['firstResponseAt', responded],
      ['solvedAt', solved],
      ['closedAt', closed],
    ] as const) {
      if (value !== undefined && instantMs(value) < createdMs) {
        problems.add(where, id, names[key], `(${value}) is before ${names.createdAt} (${created})`);
      }
    }
    if (solved !== undefined && closed !== undefined && instantMs(closed) < instantMs(solved)) {
      problems.add(where, id, names.closedAt, `(${closed}) is before ${names.solvedAt} (${solved})`);
    }
    if (problems.count !== before) continue;
    const timeline: TicketTimeline = {
      id,
      created_at: created,
      severity_history: [{ at: created, severity }],
      status_history: [{ at: created, status: 'new' }],
      comments: responded === undefined ? [] : [{ at: responded, author: 'agent', public: true }],
    };
    if (reported !== undefined) timeline.customer_reported_at = reported;
    if (solved !== undefined) timeline.status_history.push({ at: solved, status: 'solved' });
    if (closed !== undefined) timeline.status_history.push({ at: closed, status: 'closed' });
    out.push(timeline);
  }
  return out;
}

function definedOnly(mapping: object, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = (mapping as Record<string, unknown>)[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      fail('options', undefined, `mapping.${key}`, `must name a column, got ${describe(value)}`);
    }
    out[key] = value;
  }
  return out;
}

function lowerKeys<T>(record: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [key, value] of Object.entries(record)) out[key.toLowerCase()] = value;
  return out;
}
