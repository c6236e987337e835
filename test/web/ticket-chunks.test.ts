/**
 * The console's splitting of ticket exports into request-sized chunks: each chunk is read by the
 * API's own converters, and together they give every ticket of the file once, as the whole file
 * does. The ServiceNow case runs on the incident log in shared/data, the UCI Machine Learning
 * Repository data set 498, "Incident management process enriched event log" (Amaral, Fantinato,
 * Peres; University of São Paulo), published under CC BY 4.0.
 */
import { readFileSync } from 'node:fs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseTicketInput, type TicketInputFormat } from '../../functions/core/sla/ingest';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import {
  CHUNK_BYTES,
  ChunkError,
  chunkTickets,
  fileNumber,
  requestBytes,
  type ChunkFormat,
  type TicketChunk,
} from '../../web/console/ticket-chunks';

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');
/** The bytes a chunk's content takes in the request body, as the browser sends it. */
const inBody = (content: string) => utf8(JSON.stringify(content)) - 2;

function chunkError(run: () => unknown): ChunkError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ChunkError);
    return err as ChunkError;
  }
  throw new Error('the file was split');
}

/** Every chunk within the limit, measured as it travels; its tickets as the API reads them. */
function readChunks(
  chunks: TicketChunk[],
  format: ChunkFormat,
  limit: number,
  options: { sourceTimeZone?: string } = {},
) {
  return chunks.map((chunk) => {
    expect(chunk.bytes).toBe(inBody(chunk.content));
    expect(chunk.bytes).toBeLessThanOrEqual(limit);
    expect(utf8(chunk.content)).toBeLessThanOrEqual(limit);
    const result = parseTicketInput(format as TicketInputFormat, chunk.content, options);
    if (format !== 'servicenow') expect(result.tickets).toHaveLength(chunk.tickets);
    return result;
  });
}

/** The union of the chunks' tickets is the file's, each once. */
function expectRoundTrip(text: string, format: ChunkFormat, limit: number, options = {}): TicketChunk[] {
  const whole = parseTicketInput(format as TicketInputFormat, text, options);
  const chunks = chunkTickets(text, format, limit);
  const parts = readChunks(chunks, format, limit, options);
  const tickets = parts.flatMap((p) => p.tickets);
  expect(tickets.map((t) => t.id)).toEqual(whole.tickets.map((t) => t.id));
  expect(new Set(tickets.map((t) => t.id)).size).toBe(tickets.length);
  expect(tickets).toEqual(whole.tickets);
  return chunks;
}

/** A ticket timeline in the example terms' words, `comments` replies long (to vary the sizes). */
function timeline(id: string, day: number, comments = 2): TicketTimeline {
  const at = (minutes: number) => new Date(Date.UTC(2025, 2, day, 14, minutes)).toISOString();
  return {
    id,
    created_at: at(0),
    severity_history: [{ at: at(0), severity: day % 2 ? 'Normal' : 'High' }],
    status_history: [
      { at: at(0), status: 'New' },
      { at: at(30), status: 'Solved' },
    ],
    comments: Array.from({ length: comments }, (_, i) => ({
      at: at(i + 1),
      author: i % 2 ? ('customer' as const) : ('agent' as const),
    })),
  };
}

describe('JSON Lines', () => {
  // Ids with quotes, accents and an emoji: measured as escaped and encoded in the request.
  const tickets = Array.from({ length: 120 }, (_, i) =>
    timeline(i % 7 === 0 ? `T-${i}-"ñandú"-🎫` : `T-${i}`, 1 + (i % 28), 1 + (i % 9)),
  );

  it('splits by lines within the limit; the chunks give every ticket once', () => {
    const text = tickets.map((t) => JSON.stringify(t)).join('\n');
    const limit = 4000;
    const chunks = expectRoundTrip(text, 'jsonl', limit);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.reduce((n, c) => n + c.tickets, 0)).toBe(tickets.length);
    // Greedy: a chunk and the first ticket of the next would not fit together.
    const lines = text.split('\n');
    chunks.slice(0, -1).forEach((chunk) => {
      expect(chunk.bytes + 2 + inBody(lines[chunk.last]!)).toBeGreaterThan(limit);
    });
  });

  it('keeps CRLF, blank lines and a byte-order mark readable; line numbers map back to the file', () => {
    const text = `\uFEFF${tickets
      .slice(0, 40)
      .map((t, i) => JSON.stringify(t) + (i % 5 === 0 ? '\r\n\r\n' : '\r\n'))
      .join('')}`;
    const chunks = expectRoundTrip(text, 'jsonl', 3000);
    const fileLines = text.slice(1).split(/\r?\n/);
    for (const chunk of chunks) {
      const chunkLines = chunk.content.split(/\r?\n/);
      chunkLines.forEach((line, i) => expect(fileLines[fileNumber(chunk, i + 1) - 1]).toBe(line));
      expect(chunk.first).toBe(chunk.offset + 1);
    }
  });

  it('one chunk at the default limit when the file is small', () => {
    const text = tickets.map((t) => JSON.stringify(t)).join('\n');
    const [only, ...rest] = chunkTickets(text, 'jsonl');
    expect(rest).toEqual([]);
    expect(only!.content).toBe(text);
    expect(only!.tickets).toBe(120);
    expect(CHUNK_BYTES).toBe(4 * 1024 * 1024);
  });

  it('reports a ticket larger than a chunk, a line that is not JSON and a repeated id', () => {
    const big = timeline('T-BIG', 3, 200);
    const text = [tickets[1], big, tickets[2]].map((t) => JSON.stringify(t)).join('\n');
    const oversize = chunkError(() => chunkTickets(text, 'jsonl', 4000));
    expect(oversize.problem).toMatchObject({
      kind: 'oversize',
      ticket: 'T-BIG',
      where: { unit: 'line', n: 2 },
    });
    expect(oversize.message).toMatch(/^ticket T-BIG \(line 2\) takes .* MB, over the .* MB/);

    const broken = chunkError(() => chunkTickets(`${JSON.stringify(tickets[1])}\n{"id": "T-9",\n`, 'jsonl'));
    expect(broken.problem).toMatchObject({ kind: 'notJson', where: { unit: 'line', n: 2 } });

    const twice = chunkError(() =>
      chunkTickets([tickets[1], tickets[2], tickets[1]].map((t) => JSON.stringify(t)).join('\n'), 'jsonl'),
    );
    expect(twice.problem).toMatchObject({
      kind: 'duplicate',
      ticket: 'T-1',
      where: { n: 3 },
      first: { n: 1 },
    });
    expect(chunkError(() => chunkTickets('\n \n', 'jsonl')).problem).toEqual({ kind: 'empty' });
  });
});

/** A Zendesk ticket with its audits, as the Ticket Audits API gives it (`include=users`). */
function zendeskTicket(id: number, comments: number) {
  const requester = 9000 + id;
  return {
    ticket: {
      id,
      created_at: '2025-03-03T14:00:00Z',
      subject: `Portal error, code [${id}] {"quoted"}, with a comma`,
      status: 'open',
      priority: 'normal',
      requester_id: requester,
    },
    users: [
      { id: requester, name: 'Dana Requester', role: 'end-user' },
      { id: 77, name: 'Sam Agent', role: 'agent' },
    ],
    audits: [
      {
        id: id * 100,
        created_at: '2025-03-03T14:00:00Z',
        author_id: requester,
        events: [
          { id: 1, type: 'Comment', author_id: requester, body: 'Our portal is down ] }', public: true },
          { id: 2, type: 'Create', field_name: 'status', value: 'new' },
          { id: 3, type: 'Create', field_name: 'priority', value: 'normal' },
        ],
      },
      ...Array.from({ length: comments }, (_, i) => ({
        id: id * 100 + i + 1,
        created_at: `2025-03-03T15:${String(i % 60).padStart(2, '0')}:00Z`,
        author_id: 77,
        events: [{ id: 10 + i, type: 'Comment', author_id: 77, body: `Reply ${i}\n«ñ»`, public: true }],
      })),
    ],
  };
}

/** A Jira Service Management issue with its changelog and comments. */
function jsmIssue(n: number, comments: number) {
  const reporter = { accountId: `qm:customer-${n}`, accountType: 'customer', displayName: 'Dana' };
  return {
    key: `SUP-${n}`,
    fields: {
      summary: `Cannot log in, [${n}] {"x"}`,
      created: '2025-03-03T09:00:00.000-0500',
      priority: { name: 'High' },
      status: { name: 'Resolved' },
      reporter,
      comment: {
        comments: Array.from({ length: comments }, (_, i) => ({
          id: String(i),
          created: `2025-03-03T10:${String(i % 60).padStart(2, '0')}:00.000-0500`,
          author: i % 2 ? reporter : { accountId: 'agent-1', accountType: 'atlassian' },
          jsdPublic: true,
          body: `Comment ${i}, «é»`,
        })),
      },
    },
    changelog: {
      histories: [
        {
          created: '2025-03-03T11:00:00.000-0500',
          items: [
            { field: 'status', fieldId: 'status', fromString: 'Waiting for support', toString: 'Resolved' },
          ],
        },
      ],
    },
  };
}

describe.each([
  { format: 'zendesk' as const, item: zendeskTicket, idOf: (i: number) => String(i) },
  { format: 'jsm' as const, item: jsmIssue, idOf: (i: number) => `SUP-${i}` },
])('$format exports', ({ format, item, idOf }) => {
  const items = Array.from({ length: 60 }, (_, i) => item(i + 1, 1 + (i % 11)));

  it('a JSON array becomes several arrays of whole items, their text as the file has it', () => {
    for (const text of [JSON.stringify(items), JSON.stringify(items, null, 2)]) {
      const chunks = expectRoundTrip(text, format, 12_000);
      expect(chunks.length).toBeGreaterThan(3);
      for (const chunk of chunks) {
        const parsed = JSON.parse(chunk.content) as unknown[];
        expect(Array.isArray(parsed)).toBe(true);
        expect(parsed).toEqual(items.slice(chunk.first - 1, chunk.last));
        expect(chunk.unit).toBe('item');
        expect(fileNumber(chunk, 1)).toBe(chunk.first);
      }
    }
  });

  it('JSON Lines are split by lines; a single object is one chunk', () => {
    const lines = items.map((i) => JSON.stringify(i)).join('\n');
    const chunks = expectRoundTrip(lines, format, 12_000);
    expect(chunks.every((c) => c.unit === 'line')).toBe(true);
    const one = expectRoundTrip(JSON.stringify(items[3], null, 2), format, 12_000);
    expect(one).toHaveLength(1);
  });

  it('reports an item larger than a chunk by its ticket, a repeated ticket, and a broken array', () => {
    const big = [items[0], item(99, 400), items[1]];
    const oversize = chunkError(() => chunkTickets(JSON.stringify(big), format, 12_000));
    expect(oversize.problem).toMatchObject({
      kind: 'oversize',
      ticket: idOf(99),
      where: { unit: 'item', n: 2 },
    });
    expect(oversize.message).toContain(`ticket ${idOf(99)} (item 2)`);
    const twice = chunkError(() => chunkTickets(JSON.stringify([items[0], items[1], items[0]]), format));
    expect(twice.problem).toMatchObject({
      kind: 'duplicate',
      ticket: idOf(1),
      where: { n: 3 },
      first: { n: 1 },
    });
    const broken = chunkError(() => chunkTickets(JSON.stringify(items).slice(0, -20), format));
    expect(broken.problem).toMatchObject({ kind: 'notJson', where: undefined });
    expect(chunkError(() => chunkTickets('[]', format)).problem).toEqual({ kind: 'empty' });
  });
});

describe('ServiceNow incident logs', () => {
  const HEADER = 'number,incident_state,sys_mod_count,made_sla,opened_at,sys_updated_at,priority,notes';
  const row = (n: string, state: string, mod: number, updated: string, notes = 'x') =>
    [n, state, mod, 'true', '1/3/2016 13:13', updated, '3 - Moderate', notes].join(',');
  const ZONE = { sourceTimeZone: 'America/Sao_Paulo' };

  /** An incident: New, Active, Resolved, Closed; one of its notes quoted, with a comma, a quote and a line break. */
  const incident = (k: number, rows = 4) =>
    Array.from({ length: rows }, (_, i) =>
      row(
        `INC${String(k).padStart(7, '0')}`,
        ['New', 'Active', 'Resolved', 'Closed'][Math.min(i, 3)]!,
        i,
        `${2 + i}/3/2016 10:00`,
        i === 1 ? '"said ""hi"", then\nleft"' : 'x',
      ),
    );

  it('repeats the header, keeps each incident in one chunk, and maps skipped rows back to the file', () => {
    const rows = [
      ...incident(1),
      '',
      ...incident(2, 9),
      // Bad data the API skips and lists: a negative state, a row without a number.
      row('INC0000003', 'New', 0, '2/3/2016 10:00'),
      row('INC0000003', '-100', 1, '3/3/2016 10:00'),
      row('?', 'Active', 0, '3/3/2016 10:00'),
      ...Array.from({ length: 30 }, (_, k) => incident(k + 4, 1 + (k % 6))).flat(),
    ];
    const text = `${HEADER}\r\n${rows.join('\r\n')}\r\n`;
    const limit = 1500;
    const whole = parseTicketInput('servicenow', text, ZONE);
    const chunks = expectRoundTrip(text, 'servicenow', limit, ZONE);
    expect(chunks.length).toBeGreaterThan(4);
    const seen = new Map<string, number>();
    chunks.forEach((chunk, c) => {
      expect(chunk.content.startsWith(`${HEADER}\r\n`)).toBe(true);
      for (const t of parseTicketInput('servicenow', chunk.content, ZONE).tickets) {
        expect(seen.has(t.id), `${t.id} in chunks ${seen.get(t.id)} and ${c}`).toBe(false);
        seen.set(t.id, c);
      }
    });
    // Every row of an incident is in its chunk: the timelines equal the whole file's (above).
    const skipped = chunks.flatMap((chunk) =>
      parseTicketInput('servicenow', chunk.content, ZONE).skipped.map((s) => ({
        ...s,
        row: fileNumber(chunk, s.row),
      })),
    );
    expect(skipped).toEqual(whole.skipped);
    expect(skipped.map((s) => s.row)).toEqual([17, 18]);
  });

  it('the incident log of shared/data: 12 chunks under 4 MB, every incident once, as the whole log gives them', () => {
    const files = unzipSync(
      readFileSync(new URL('../../../shared/data/incident_event_log.zip', import.meta.url)),
    );
    const text = strFromU8(files['incident_event_log.csv']!);
    const whole = parseTicketInput('servicenow', text, ZONE);
    expect(whole.tickets).toHaveLength(24_918);
    const chunks = chunkTickets(text, 'servicenow');
    expect(chunks).toHaveLength(12);
    const header = text.slice(0, text.indexOf('\n') + 1);
    const parts = readChunks(chunks, 'servicenow', CHUNK_BYTES, ZONE);
    chunks.forEach((chunk, i) => {
      expect(chunk.content.startsWith(header)).toBe(true);
      expect(parts[i]!.tickets.length).toBe(chunk.tickets);
    });
    const tickets = parts.flatMap((p) => p.tickets);
    expect(tickets).toEqual(whole.tickets);
    const skipped = parts.flatMap((p, i) =>
      p.skipped.map((s) => ({ ...s, row: fileNumber(chunks[i]!, s.row) })),
    );
    expect(skipped).toEqual(whole.skipped);
    // Consecutive: the file's data rows, none left out or sent twice.
    expect(chunks[0]!.first).toBe(2);
    chunks.slice(1).forEach((chunk, i) => expect(chunk.first).toBe(chunks[i]!.last + 1));
    expect(chunks.at(-1)!.last).toBe(141_713);
  }, 60_000);

  it('reports an incident larger than a chunk, rows of an incident apart, and a log without a number column', () => {
    const text = [HEADER, ...incident(1), ...incident(2, 40), ...incident(3)].join('\n');
    const oversize = chunkError(() => chunkTickets(text, 'servicenow', 2000));
    expect(oversize.problem).toMatchObject({
      kind: 'oversize',
      ticket: 'INC0000002',
      where: { unit: 'row', n: 6 },
    });
    expect(oversize.message).toContain('ticket INC0000002 (row 6)');

    const apart = [HEADER, ...incident(1), ...incident(2), ...incident(1, 1)].join('\n');
    expect(chunkError(() => chunkTickets(apart, 'servicenow')).problem).toEqual({
      kind: 'incidentApart',
      ticket: 'INC0000001',
      where: { unit: 'row', n: 10 },
      first: { unit: 'row', n: 2 },
    });
    expect(chunkError(() => chunkTickets('id,state\n1,New\n', 'servicenow')).problem).toEqual({
      kind: 'noNumberColumn',
    });
    expect(chunkError(() => chunkTickets(`${HEADER}\n`, 'servicenow')).problem).toEqual({ kind: 'empty' });
  });
});

describe('request size', () => {
  it('counts UTF-8 bytes of the text escaped as a JSON string', () => {
    for (const text of [
      'plain',
      'q"uo\\te',
      'tab\tnl\ncr\r',
      '\u0001\u001f',
      'ñandú €',
      '🎫',
      'lone \ud800 x',
    ]) {
      expect(requestBytes(text), JSON.stringify(text)).toBe(inBody(text));
    }
  });
});
