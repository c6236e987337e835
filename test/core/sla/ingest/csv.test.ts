import { describe, expect, it } from 'vitest';
import {
  CsvReader,
  csvToTickets,
  parseCsv,
  parseCsvRecords,
} from '../../../../functions/core/sla/ingest/csv';
import { rejection } from './rejection';

const TRICKY =
  '\uFEFFticket_id,at,kind,value,note\r\n' +
  'ZD-1,2025-03-03T09:00:00Z,created,,"Printer on floor 3, near the lift"\r\n' +
  'ZD-1,2025-03-03T09:00:00Z,status,Open,"Customer wrote:\r\n""It is broken""\nagain"\r\n' +
  'ZD-1,2025-03-03T09:00:00Z,severity,High,\r\n' +
  '\r\n' +
  'ZD-1,2025-03-03T09:20:00Z,comment,,""\r\n';

describe('CSV parsing (RFC 4180)', () => {
  it('reads quoted delimiters, line breaks and doubled quotes, and drops the byte-order mark', () => {
    expect(parseCsv(TRICKY)).toEqual([
      ['ticket_id', 'at', 'kind', 'value', 'note'],
      ['ZD-1', '2025-03-03T09:00:00Z', 'created', '', 'Printer on floor 3, near the lift'],
      ['ZD-1', '2025-03-03T09:00:00Z', 'status', 'Open', 'Customer wrote:\r\n"It is broken"\nagain'],
      ['ZD-1', '2025-03-03T09:00:00Z', 'severity', 'High', ''],
      ['ZD-1', '2025-03-03T09:20:00Z', 'comment', '', ''],
    ]);
  });

  it('numbers records as rows and gives the line each one starts on', () => {
    expect(parseCsvRecords(TRICKY).map(({ row, line }) => [row, line])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 6],
      [6, 8],
    ]);
  });

  it('gives the same records whatever the chunks, split at every position', () => {
    const whole = parseCsvRecords(TRICKY);
    for (let cut = 0; cut <= TRICKY.length; cut++) {
      for (const size of [1, 3]) {
        const reader = new CsvReader();
        const records = [...reader.push(TRICKY.slice(0, cut))];
        for (let i = cut; i < TRICKY.length; i += size)
          records.push(...reader.push(TRICKY.slice(i, i + size)));
        records.push(...reader.end());
        expect(records).toEqual(whole);
      }
    }
  });

  it('handles a last record without a line break, a trailing empty field, LF and CR endings and other delimiters', () => {
    expect(parseCsv('a,b\n1,')).toEqual([
      ['a', 'b'],
      ['1', ''],
    ]);
    expect(parseCsv('a,b\r1,2\r')).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a;b\r1;"x;y"\r', { delimiter: ';' })).toEqual([
      ['a', 'b'],
      ['1', 'x;y'],
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('names the row and line of malformed quoting', () => {
    expect(rejection(() => parseCsv('a,b\n1,"open\n2,3\n')).message).toBe(
      'row 2: a quoted field opened on line 2 is never closed',
    );
    expect(rejection(() => parseCsv('a,b\n1,5" screen\n')).message).toBe(
      'row 2: line 2: a quote inside an unquoted field (quote the whole field and double the quote)',
    );
    expect(rejection(() => parseCsv('a,b\n"x\ny",1\n"q"z,2\n')).message).toBe(
      'row 3: line 4: a closing quote must be followed by a delimiter or a line break',
    );
  });
});

const EVENTS = [
  'ticket_id,at,kind,value,author,public,source,body',
  'ZD-7,2025-03-03T09:05:00-05:00,comment,,agent,true,auto_acknowledgement,"Thanks, we got it"',
  'ZD-7,2025-03-03T09:00:00-05:00,created,,,,,',
  'ZD-7,2025-03-03T09:00:00-05:00,status,New,,,,',
  'ZD-7,2025-03-03T09:00:00-05:00,severity,Normal,,,,',
  'ZD-8,2025-03-03T11:00:00-05:00,created,,,,,',
  'ZD-7,2025-03-03T09:40:00-05:00,comment,,Agent,,,"Hello,\nplease try ""restart"""',
  'ZD-7,2025-03-03T09:30:00-05:00,comment,,agent,no,internal_note,',
  'ZD-7,2025-03-03T09:35:00-05:00,severity,Urgent,,,,',
  'ZD-7,2025-03-03T10:00:00-05:00,comment,,customer,yes,,still broken',
  'ZD-7,2025-03-03T12:00:00-05:00,status,Solved,,,,',
  'ZD-8,2025-03-03T11:00:00-05:00,status,Open,,,,',
  'ZD-8,2025-03-03T11:00:00-05:00,severity,Low,,,,',
].join('\n');

describe('CSV to ticket timelines, one row per event', () => {
  it('groups rows by ticket, sorts each history by time and keeps source values', () => {
    const tickets = csvToTickets(EVENTS);
    expect(tickets).toEqual([
      {
        id: 'ZD-7',
        created_at: '2025-03-03T14:00:00Z',
        severity_history: [
          { at: '2025-03-03T14:00:00Z', severity: 'Normal' },
          { at: '2025-03-03T14:35:00Z', severity: 'Urgent' },
        ],
        status_history: [
          { at: '2025-03-03T14:00:00Z', status: 'New' },
          { at: '2025-03-03T17:00:00Z', status: 'Solved' },
        ],
        comments: [
          { at: '2025-03-03T14:05:00Z', author: 'agent', public: true, source: 'auto_acknowledgement' },
          { at: '2025-03-03T14:30:00Z', author: 'agent', public: false, source: 'internal_note' },
          { at: '2025-03-03T14:40:00Z', author: 'agent' },
          { at: '2025-03-03T15:00:00Z', author: 'customer', public: true },
        ],
      },
      {
        id: 'ZD-8',
        created_at: '2025-03-03T16:00:00Z',
        severity_history: [{ at: '2025-03-03T16:00:00Z', severity: 'Low' }],
        status_history: [{ at: '2025-03-03T16:00:00Z', status: 'Open' }],
        comments: [],
      },
    ]);
  });

  it('follows a column mapping with its own words, date format and zone', () => {
    const text = [
      'Case;When;What;New value;Who;Visible',
      '4411;3/3/2025 09:00;opened;;;',
      '4411;3/3/2025 09:00;state;Waiting;;',
      '4411;3/3/2025 09:00;prio;P2;;',
      '4411;3/3/2025 09:12;note;;end-user;Y',
      '4411;3/3/2025 09:30;note;;staff;Y',
    ].join('\n');
    const tickets = csvToTickets(text, {
      delimiter: ';',
      dateFormat: 'd/m/y',
      sourceTimeZone: 'Europe/Berlin',
      mapping: {
        ticketId: 'Case',
        time: 'When',
        kind: 'What',
        value: 'New value',
        author: 'Who',
        public: 'Visible',
        kinds: { opened: 'created', state: 'status', prio: 'severity', note: 'comment' },
        authors: { 'End-User': 'customer', staff: 'agent' },
      },
    });
    expect(tickets).toEqual([
      {
        id: '4411',
        created_at: '2025-03-03T08:00:00Z',
        severity_history: [{ at: '2025-03-03T08:00:00Z', severity: 'P2' }],
        status_history: [{ at: '2025-03-03T08:00:00Z', status: 'Waiting' }],
        comments: [
          { at: '2025-03-03T08:12:00Z', author: 'customer', public: true },
          { at: '2025-03-03T08:30:00Z', author: 'agent', public: true },
        ],
      },
    ]);
  });

  it('names every bad row by row, ticket and column', () => {
    const text = [
      'ticket_id,at,kind,value,author,public,source',
      'ZD-1,2025-03-03T09:00:00Z,created,,,,',
      'ZD-1,2025-02-30T09:00:00Z,status,Open,,,',
      'ZD-1,2025-03-03T09:00:00,status,Open,,,',
      'ZD-1,2025-03-03T09:00:00Z,severity,,,,',
      'ZD-1,2025-03-03T09:00:00Z,reopened,,,,',
      'ZD-1,2025-03-03T09:10:00Z,comment,,bot,maybe,macro',
      ',2025-03-03T09:10:00Z,comment,,agent,,',
      'ZD-1,2025-03-04T09:00:00Z,created,,,,',
      'ZD-2,2025-03-03T09:00:00Z,status,Open,,,',
      'ZD-1,,comment,,agent,,',
    ].join('\n');
    const err = rejection(() => csvToTickets(text));
    expect(err.details.map((d) => d.message)).toEqual([
      'row 3 (ticket ZD-1): at "2025-02-30T09:00:00Z" is not a date',
      'row 4 (ticket ZD-1): at "2025-03-03T09:00:00" has no UTC offset: give one, or declare the source time zone',
      'row 5 (ticket ZD-1): value is empty: a severity row needs the source priority',
      'row 6 (ticket ZD-1): kind "reopened" is not an event kind (created, status, severity, comment)',
      'row 7 (ticket ZD-1): author "bot" is not customer or agent',
      'row 7 (ticket ZD-1): public "maybe" is not true or false',
      'row 7 (ticket ZD-1): source "macro" is not one of auto_acknowledgement, bot, internal_note, shared_account',
      'row 8: ticket_id is empty: every row needs its ticket id',
      'row 9 (ticket ZD-1): at gives a second creation time (2025-03-04T09:00:00Z); row 2 gave 2025-03-03T09:00:00Z',
      'row 11 (ticket ZD-1): at is empty',
      'row 10 (ticket ZD-2): has no "created" row: the creation time is required',
    ]);
    expect(err.message).toBe(
      'row 3 (ticket ZD-1): at "2025-02-30T09:00:00Z" is not a date (and 10 more problems)',
    );
    expect(err.details[0]!.path).toBe('row 3.at');
  });

  it('names missing header columns by their mapping key, and rows of the wrong width', () => {
    expect(rejection(() => csvToTickets('ticket,at,kind\nZD-1,2025-03-03T09:00:00Z,created')).message).toBe(
      'row 1: the header has no column "ticket_id" (mapping.ticketId)',
    );
    expect(
      rejection(() =>
        csvToTickets('ticket_id,at,kind\nZD-1,2025-03-03T09:00:00Z,created', {
          mapping: { author: 'Author' },
        }),
      ).message,
    ).toBe('row 1: the header has no column "Author" (mapping.author)');
    expect(rejection(() => csvToTickets('ticket_id,at,kind\nZD-1,2025-03-03T09:00:00Z')).message).toBe(
      'row 2: has 2 fields, the header has 3',
    );
    expect(
      rejection(() => csvToTickets('ticket_id,at,kind\nZD-1,2025-03-03T09:00:00Z,comment')).details,
    ).toEqual([
      {
        path: 'row 2.author',
        message: 'row 2 (ticket ZD-1): author is not a column of the header, and comment rows need it',
      },
      { path: 'row 2', message: 'row 2 (ticket ZD-1): has no "created" row: the creation time is required' },
    ]);
    expect(rejection(() => csvToTickets('')).message).toBe(
      'row 1: the CSV is empty: a header row is required',
    );
    expect(rejection(() => csvToTickets('a\n1', { sourceTimeZone: 'Mars/Olympus' })).message).toBe(
      'options: sourceTimeZone "Mars/Olympus" is not an IANA time zone',
    );
  });
});

describe('CSV to ticket timelines, one row per ticket', () => {
  const FLAT = [
    'ticket_id,created_at,severity,customer_reported_at,first_response_at,solved_at,closed_at',
    'INC-1,2025-03-03T09:00:00Z,P1,2025-03-03T08:45:00Z,2025-03-03T09:20:00Z,2025-03-03T12:00:00Z,2025-03-05T12:00:00Z',
    'INC-2,2025-03-04T09:00:00Z,P3,,,,',
  ].join('\n');

  it('states canonical statuses for a source without a status history', () => {
    expect(csvToTickets(FLAT, { mapping: { layout: 'tickets' } })).toEqual([
      {
        id: 'INC-1',
        created_at: '2025-03-03T09:00:00Z',
        customer_reported_at: '2025-03-03T08:45:00Z',
        severity_history: [{ at: '2025-03-03T09:00:00Z', severity: 'P1' }],
        status_history: [
          { at: '2025-03-03T09:00:00Z', status: 'new' },
          { at: '2025-03-03T12:00:00Z', status: 'solved' },
          { at: '2025-03-05T12:00:00Z', status: 'closed' },
        ],
        comments: [{ at: '2025-03-03T09:20:00Z', author: 'agent', public: true }],
      },
      {
        id: 'INC-2',
        created_at: '2025-03-04T09:00:00Z',
        severity_history: [{ at: '2025-03-04T09:00:00Z', severity: 'P3' }],
        status_history: [{ at: '2025-03-04T09:00:00Z', status: 'new' }],
        comments: [],
      },
    ]);
  });

  it('takes only the required columns when the optional ones are absent, under mapped names', () => {
    const text = 'Key,Opened,Priority\nSUP-9,"03/04/2025 16:30",High\n';
    expect(
      csvToTickets(text, {
        mapping: { layout: 'tickets', ticketId: 'Key', createdAt: 'Opened', severity: 'Priority' },
        dateFormat: 'm/d/y',
        sourceTimeZone: 'America/Chicago',
      }),
    ).toEqual([
      {
        id: 'SUP-9',
        created_at: '2025-03-04T22:30:00Z',
        severity_history: [{ at: '2025-03-04T22:30:00Z', severity: 'High' }],
        status_history: [{ at: '2025-03-04T22:30:00Z', status: 'new' }],
        comments: [],
      },
    ]);
  });

  it('names bad rows by row, ticket and column', () => {
    const text = [
      'ticket_id,created_at,severity,first_response_at,solved_at,closed_at',
      'INC-1,2025-03-03T09:00:00Z,,,,',
      'INC-2,2025-03-03T09:00:00Z,P2,2025-03-03T08:00:00Z,2025-03-04T09:00:00Z,2025-03-03T10:00:00Z',
      'INC-3,31/2/2025 09:00,P2,,,',
      'INC-2,2025-03-03T09:00:00Z,P2,,,',
    ].join('\n');
    expect(
      rejection(() => csvToTickets(text, { mapping: { layout: 'tickets' } })).details.map((d) => d.message),
    ).toEqual([
      'row 2 (ticket INC-1): severity is empty',
      'row 3 (ticket INC-2): first_response_at (2025-03-03T08:00:00Z) is before created_at (2025-03-03T09:00:00Z)',
      'row 3 (ticket INC-2): closed_at (2025-03-03T10:00:00Z) is before solved_at (2025-03-04T09:00:00Z)',
      'row 4 (ticket INC-3): created_at "31/2/2025 09:00" is not an ISO-8601 date-time',
      'row 5 (ticket INC-2): ticket_id repeats the ticket of row 3: the tickets layout has one row per ticket',
    ]);
    expect(
      rejection(() =>
        csvToTickets('ticket_id,created_at,severity\nINC-3,31/2/2025 09:00,P2', {
          mapping: { layout: 'tickets' },
          dateFormat: 'd/m/y',
          sourceTimeZone: 'UTC',
        }),
      ).message,
    ).toBe('row 2 (ticket INC-3): created_at "31/2/2025 09:00" is not a date');
  });
});
