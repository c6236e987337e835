/**
 * A ticket export split into request-sized chunks for `POST /v1/contracts/{id}/tickets`, which
 * takes at most 5 MB of content per request. No ticket is split across chunks:
 * - `jsonl`: whole lines (one ticket timeline each);
 * - `zendesk` / `jsm`: a JSON array of tickets (or issues) becomes several arrays, each item's
 *   text kept as it is; JSON Lines are split by lines; a single object is one chunk;
 * - `servicenow` (an incident event log, several rows per incident): every chunk starts with the
 *   header row, and all rows of one incident (the `number` column) stay in one chunk.
 *
 * A chunk is measured as it travels: the UTF-8 bytes of its text escaped as a JSON string, which
 * is never less than the text's own UTF-8 size. A ticket that alone exceeds the limit, a line that
 * is not JSON, a ticket id given twice and an incident whose rows are not together are errors
 * (`ChunkError`) before anything is sent: sent as one request, the API would refuse such a file,
 * and in separate chunks it could not tell.
 *
 * Each chunk is a contiguous part of the file, so a line, row or item number the API gives for a
 * chunk is that number plus the chunk's `offset` in the file (`fileNumber`).
 */

export type ChunkFormat = 'jsonl' | 'zendesk' | 'jsm' | 'servicenow';

/** Bytes a chunk may take by default: a margin under the API's 5 MB per request. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** How a position in the file is counted: lines, CSV rows (the header is row 1) or array items. */
export type Unit = 'line' | 'row' | 'item';

export interface Where {
  unit: Unit;
  n: number;
}

export interface TicketChunk {
  /** The chunk's text, in the file's format. */
  content: string;
  /** Tickets in it (ServiceNow: incidents; rows without an incident number are not counted). */
  tickets: number;
  /** Its size in the request body (UTF-8 of the JSON-escaped text). */
  bytes: number;
  unit: Unit;
  /** The file's line, row or item numbers of its first and last ticket. */
  first: number;
  last: number;
  /** What to add to a line, row or item number within the chunk to get the file's. */
  offset: number;
}

export type ChunkProblem =
  | { kind: 'empty' }
  | { kind: 'oversize'; ticket: string | undefined; where: Where; bytes: number; limit: number }
  | { kind: 'notJson'; where: Where | undefined; reason: string }
  | { kind: 'duplicate'; ticket: string; where: Where; first: Where }
  | { kind: 'noNumberColumn' }
  | { kind: 'incidentApart'; ticket: string; where: Where; first: Where };

const place = (w: Where) => `${w.unit} ${w.n}`;
const megabytes = (bytes: number) => `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

function describeProblem(p: ChunkProblem): string {
  switch (p.kind) {
    case 'empty':
      return 'the file holds no tickets';
    case 'oversize':
      return `${p.ticket === undefined ? '' : `ticket ${p.ticket} `}(${place(p.where)}) takes ${megabytes(p.bytes)}, over the ${megabytes(p.limit)} one request may carry`;
    case 'notJson':
      return `${p.where ? `${place(p.where)} ` : 'the file '}is not JSON (${p.reason})`;
    case 'duplicate':
      return `ticket ${p.ticket} (${place(p.where)}) repeats the ticket of ${place(p.first)}: ids are unique per contract`;
    case 'noNumberColumn':
      return 'the header row has no number column: this is not a ServiceNow incident log';
    case 'incidentApart':
      return `incident ${p.ticket} (${place(p.where)}) appears again after other incidents (first at ${place(p.first)}): keep each incident's rows together (sort the log by number)`;
  }
}

/** The file cannot be split as it is (see `ChunkProblem`); nothing should be sent. */
export class ChunkError extends Error {
  constructor(readonly problem: ChunkProblem) {
    super(describeProblem(problem));
    this.name = 'ChunkError';
  }
}

/** UTF-8 bytes of `text[start, end)` once escaped as a JSON string (without its quotes). */
export function requestBytes(text: string, start = 0, end = text.length): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c === 0x22 || c === 0x5c) n += 2;
      else if (c >= 0x20) n += 1;
      // \b \t \n \f \r, other control characters as \u00XX
      else n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    } else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = i + 1 < end ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6; // a lone surrogate is escaped
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}

/** A file's line, row or item number for one the API gave about a chunk. */
export const fileNumber = (chunk: TicketChunk, n: number) => n + chunk.offset;

/** One ticket's text in the file: `[start, end)` without its line break, `cost` with what follows it. */
interface Piece {
  start: number;
  end: number;
  cost: number;
  tickets: number;
  name: string | undefined;
  first: number;
  last: number;
}

const BOM = 0xfeff;

/** Where the lines of `text` begin and end (`end` before `\n` or `\r\n`), from `from` on. */
function* lines(text: string, from: number): Generator<{ start: number; end: number; next: number }> {
  let start = from;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const next = nl === -1 ? text.length : nl + 1;
    let end = nl === -1 ? text.length : nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end -= 1;
    yield { start, end, next };
    start = next;
  }
}

const isBlank = (text: string, start: number, end: number) => text.slice(start, end).trim() === '';

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const idText = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number' && Number.isFinite(value)
      ? String(value)
      : undefined;

/** The ticket id an item of the format carries, as the converters read it. */
function ticketName(format: ChunkFormat, value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (format === 'zendesk') return isRecord(value.ticket) ? idText(value.ticket.id) : undefined;
  if (format === 'jsm') return idText(value.key);
  return typeof value.id === 'string' && value.id !== '' ? value.id : undefined;
}

/** Remembers each ticket id's first place; a repeat is an error. */
function uniqueNames(): (name: string | undefined, where: Where) => void {
  const seen = new Map<string, Where>();
  return (name, where) => {
    if (name === undefined) return;
    const first = seen.get(name);
    if (first) throw new ChunkError({ kind: 'duplicate', ticket: name, where, first });
    seen.set(name, where);
  };
}

/** JSON Lines: one ticket per non-blank line, each line checked to be JSON. */
function linePieces(text: string, from: number, format: ChunkFormat): Piece[] {
  const pieces: Piece[] = [];
  const unique = uniqueNames();
  let number = 0;
  for (const line of lines(text, from)) {
    number += 1;
    if (isBlank(text, line.start, line.end)) {
      // A blank line travels with the ticket before it.
      const last = pieces[pieces.length - 1];
      if (last) last.cost += requestBytes(text, line.start, line.next);
      continue;
    }
    const where: Where = { unit: 'line', n: number };
    const parsed = parseJson(text.slice(line.start, line.end));
    if (!parsed.ok) throw new ChunkError({ kind: 'notJson', where, reason: parsed.reason });
    const name = ticketName(format, parsed.value);
    unique(name, where);
    pieces.push({
      start: line.start,
      end: line.end,
      cost: requestBytes(text, line.start, line.next),
      tickets: 1,
      name,
      first: number,
      last: number,
    });
  }
  return pieces;
}

/** The text spans of the items of the JSON array starting at `open` (the document is valid JSON). */
function arrayItemSpans(text: string, open: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  let depth = 0;
  let start = -1;
  const close = (end: number) => {
    let e = end;
    while (e > start && /\s/.test(text[e - 1]!)) e -= 1;
    spans.push({ start, end: e });
    start = -1;
  };
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      if (depth === 1 && start === -1) start = i;
      // Skip the string, escapes included.
      for (i += 1; i < text.length; i++) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i += 1;
        else if (s === 0x22) break;
      }
      continue;
    }
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth === 2 && start === -1) start = i;
      continue;
    }
    if (c === 0x5d || c === 0x7d) {
      depth -= 1;
      if (depth === 0) {
        if (start !== -1) close(i);
        break;
      }
      continue;
    }
    if (depth === 1 && c === 0x2c) {
      close(i);
      continue;
    }
    if (depth === 1 && start === -1) start = i;
  }
  return spans;
}

/** Chunks of whole pieces, greedily: `frame` is a chunk's fixed cost, `gap` the cost between two pieces. */
function pack(
  pieces: Piece[],
  limit: number,
  frame: number,
  gap: number,
  unit: Unit,
  build: (group: Piece[]) => string,
): TicketChunk[] {
  const chunks: TicketChunk[] = [];
  let group: Piece[] = [];
  let cost = frame;
  const flush = () => {
    if (group.length === 0) return;
    const content = build(group);
    chunks.push({
      content,
      tickets: group.reduce((sum, p) => sum + p.tickets, 0),
      bytes: requestBytes(content),
      unit,
      first: group[0]!.first,
      last: group[group.length - 1]!.last,
      offset: 0,
    });
    group = [];
    cost = frame;
  };
  for (const piece of pieces) {
    if (frame + piece.cost > limit) {
      throw new ChunkError({
        kind: 'oversize',
        ticket: piece.name,
        where: { unit, n: piece.first },
        bytes: frame + piece.cost,
        limit,
      });
    }
    const added = (group.length ? gap : 0) + piece.cost;
    if (cost + added > limit) flush();
    cost += (group.length ? gap : 0) + piece.cost;
    group.push(piece);
  }
  flush();
  return chunks;
}

/** Line-based chunks: the file's text from the first ticket's line to the last one's. */
function lineChunks(text: string, pieces: Piece[], limit: number): TicketChunk[] {
  return pack(pieces, limit, 0, 0, 'line', (group) =>
    text.slice(group[0]!.start, group[group.length - 1]!.end),
  ).map((chunk) => ({ ...chunk, offset: chunk.first - 1 }));
}

function jsonChunks(text: string, from: number, format: 'zendesk' | 'jsm', limit: number): TicketChunk[] {
  const body = text.slice(from);
  const trimmed = body.trim();
  if (trimmed === '') throw new ChunkError({ kind: 'empty' });
  const whole = parseJson(trimmed);
  if (!whole.ok) {
    // One broken document, not JSON Lines: say so rather than blame its first line.
    if (trimmed.startsWith('['))
      throw new ChunkError({ kind: 'notJson', where: undefined, reason: whole.reason });
    return lineChunks(text, linePieces(text, from, format), limit);
  }
  if (!Array.isArray(whole.value)) {
    // One ticket, as the API reads a single object.
    const start = from + body.indexOf(trimmed[0]!);
    const piece: Piece = {
      start,
      end: start + trimmed.length,
      cost: requestBytes(trimmed),
      tickets: 1,
      name: ticketName(format, whole.value),
      first: 1,
      last: 1,
    };
    return pack([piece], limit, 0, 0, 'item', () => trimmed);
  }
  const items = whole.value;
  const spans = arrayItemSpans(text, from + body.indexOf('['));
  if (spans.length !== items.length) throw new Error('the JSON array could not be split into its items');
  const unique = uniqueNames();
  const pieces = spans.map((span, i): Piece => {
    const name = ticketName(format, items[i]);
    unique(name, { unit: 'item', n: i + 1 });
    return {
      ...span,
      cost: requestBytes(text, span.start, span.end),
      tickets: 1,
      name,
      first: i + 1,
      last: i + 1,
    };
  });
  // `[` and `]` around, `,` between.
  return pack(
    pieces,
    limit,
    2,
    1,
    'item',
    (group) => `[${group.map((p) => text.slice(p.start, p.end)).join(',')}]`,
  ).map((chunk) => ({ ...chunk, offset: chunk.first - 1 }));
}

/**
 * The CSV record at `pos`, as the API's reader takes it (quoted fields may hold commas, quotes
 * and line breaks; records end at CRLF, LF or CR): the field at `want` (all fields when `want`
 * is -1), where the record ends, and where the next begins.
 */
function csvRecord(
  text: string,
  pos: number,
  want: number,
): { fields: string[]; wanted: string | undefined; end: number; next: number } {
  const fields: string[] = [];
  let wanted: string | undefined;
  let index = 0;
  const n = text.length;
  for (;;) {
    let value: string | undefined;
    let i = pos;
    if (text.charCodeAt(i) === 0x22) {
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          i = n;
          break;
        }
        if (text.charCodeAt(q + 1) === 0x22) i = q + 2;
        else {
          i = q + 1;
          break;
        }
      }
      // Text after the closing quote, if any, belongs to the field (the API refuses it).
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x2c || c === 0x0a || c === 0x0d) break;
        i += 1;
      }
      if (want === -1 || index === want)
        value = text
          .slice(pos + 1, i)
          .replace(/"$/, '')
          .replace(/""/g, '"');
    } else {
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 0x2c || c === 0x0a || c === 0x0d) break;
        i += 1;
      }
      if (want === -1 || index === want) value = text.slice(pos, i);
    }
    if (want === -1) fields.push(value!);
    else if (index === want) wanted = value;
    index += 1;
    if (i >= n) return { fields, wanted, end: n, next: n };
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      pos = i + 1;
      if (pos === n) return { fields, wanted, end: n, next: n };
      continue;
    }
    const next = c === 0x0d && text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
    return { fields, wanted, end: i, next };
  }
}

const MISSING = '?';

function servicenowChunks(text: string, from: number, limit: number): TicketChunk[] {
  if (text.slice(from).trim() === '') throw new ChunkError({ kind: 'empty' });
  const header = csvRecord(text, from, -1);
  const column = header.fields.map((name) => name.trim()).indexOf('number');
  if (column === -1) throw new ChunkError({ kind: 'noNumberColumn' });
  // The header and its line break, as the file has them (a final header gets one).
  const headerText = header.next > header.end ? text.slice(from, header.next) : `${text.slice(from)}\n`;
  const headerCost = requestBytes(headerText);

  const pieces: Piece[] = [];
  const finished = new Map<string, number>();
  let row = 1;
  let current: Piece | undefined;
  for (let pos = header.next; pos < text.length;) {
    const record = csvRecord(text, pos, column);
    row += 1;
    const blank = record.end === pos;
    const number = blank ? undefined : (record.wanted ?? '').trim() || MISSING;
    if (number === undefined) {
      // A blank line counts as a row; it travels with the rows before it.
      if (current) current.cost += requestBytes(text, pos, record.next);
      pos = record.next;
      continue;
    }
    if (current && current.name === number) {
      current.end = record.end;
      current.last = row;
      current.cost += requestBytes(text, pos, record.next);
    } else {
      if (current && current.name !== MISSING) finished.set(current.name!, current.first);
      const earlier = finished.get(number);
      if (number !== MISSING && earlier !== undefined) {
        throw new ChunkError({
          kind: 'incidentApart',
          ticket: number,
          where: { unit: 'row', n: row },
          first: { unit: 'row', n: earlier },
        });
      }
      current = {
        start: pos,
        end: record.end,
        cost: requestBytes(text, pos, record.next),
        tickets: number === MISSING ? 0 : 1,
        name: number,
        first: row,
        last: row,
      };
      pieces.push(current);
    }
    pos = record.next;
  }
  if (pieces.length === 0) throw new ChunkError({ kind: 'empty' });
  // Row 1 of each chunk is the header; its row 2 is the file's row `first`.
  return pack(
    pieces,
    limit,
    headerCost,
    0,
    'row',
    (group) => headerText + text.slice(group[0]!.start, group[group.length - 1]!.end),
  ).map((chunk) => ({ ...chunk, offset: chunk.first - 2 }));
}

/**
 * Splits an export's text into chunks of at most `limit` bytes each (see the top of this file).
 * Throws a `ChunkError` when the file cannot be sent as it is.
 */
export function chunkTickets(text: string, format: ChunkFormat, limit = CHUNK_BYTES): TicketChunk[] {
  const from = text.charCodeAt(0) === BOM ? 1 : 0;
  let chunks: TicketChunk[];
  switch (format) {
    case 'jsonl':
      chunks = lineChunks(text, linePieces(text, from, 'jsonl'), limit);
      break;
    case 'zendesk':
    case 'jsm':
      chunks = jsonChunks(text, from, format, limit);
      break;
    case 'servicenow':
      chunks = servicenowChunks(text, from, limit);
      break;
  }
  if (chunks.length === 0) throw new ChunkError({ kind: 'empty' });
  return chunks;
}
