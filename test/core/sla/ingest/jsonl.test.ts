import { describe, expect, it } from 'vitest';
import {
  formatUtc,
  localToUtcMs,
  parseInstant,
  parseSlashDateTime,
  parseTicketJsonl,
  toUtcInstant,
} from '../../../../functions/core/sla/ingest/jsonl';
import { rejection } from './rejection';

const utc = (local: Parameters<typeof localToUtcMs>[0], zone: string) => formatUtc(localToUtcMs(local, zone));

describe('instants', () => {
  it('reads the ISO-8601 forms the sources write, and emits UTC', () => {
    expect(toUtcInstant('2024-03-01T09:30:00Z')).toEqual({ ok: true, value: '2024-03-01T09:30:00Z' });
    expect(toUtcInstant('2024-03-01T10:30:00+01:00')).toEqual({ ok: true, value: '2024-03-01T09:30:00Z' });
    // Jira's offset without a colon, with milliseconds.
    expect(toUtcInstant('2024-01-15T09:30:00.000+0000')).toEqual({ ok: true, value: '2024-01-15T09:30:00Z' });
    // Zendesk event webhooks: nanoseconds.
    expect(toUtcInstant('2025-01-08T14:25:30.123456789Z')).toEqual({
      ok: true,
      value: '2025-01-08T14:25:30.123Z',
    });
    // Zendesk placeholders: minutes only.
    expect(toUtcInstant('2013-12-12T05:35Z')).toEqual({ ok: true, value: '2013-12-12T05:35:00Z' });
    // Zendesk incremental exports: a space before the offset.
    expect(toUtcInstant('2025-09-03 12:56:17.000000000 +0000')).toEqual({
      ok: true,
      value: '2025-09-03T12:56:17Z',
    });
    expect(toUtcInstant('2024-03-01T09:30:00-05')).toEqual({ ok: true, value: '2024-03-01T14:30:00Z' });
  });

  it('rejects impossible dates, other shapes and non-strings', () => {
    expect(parseInstant('2023-02-29T10:00:00Z')).toEqual({
      ok: false,
      message: '"2023-02-29T10:00:00Z" is not a date',
    });
    expect(parseInstant('2024-01-01T24:00:00Z').ok).toBe(false);
    expect(parseInstant('2024-01-01').ok).toBe(false);
    expect(parseInstant('yesterday').ok).toBe(false);
    expect(parseInstant('2024-01-01T10:00:00+19:00').ok).toBe(false);
    expect(toUtcInstant(1700000000)).toEqual({
      ok: false,
      message: 'must be an ISO-8601 date-time string, got number 1700000000',
    });
  });

  it('rejects an offsetless time unless the source zone is declared', () => {
    const bare = parseInstant('2024-07-01T09:00:00');
    expect(bare.ok).toBe(false);
    expect(bare.ok ? '' : bare.message).toMatch(/has no UTC offset.*declare the source time zone/);
    expect(toUtcInstant('2024-07-01T09:00:00', 'Europe/Paris')).toEqual({
      ok: true,
      value: '2024-07-01T07:00:00Z',
    });
    expect(toUtcInstant('2024-01-15 09:00', 'America/New_York')).toEqual({
      ok: true,
      value: '2024-01-15T14:00:00Z',
    });
  });

  it('moves a local time in a DST gap forward to the end of the gap', () => {
    // New York springs forward at 02:00 EST (07:00Z) on 2024-03-10: 02:00-02:59 do not exist.
    expect(utc({ year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, 'America/New_York')).toBe(
      '2024-03-10T07:00:00Z',
    );
    expect(utc({ year: 2024, month: 3, day: 10, hour: 3, minute: 0 }, 'America/New_York')).toBe(
      '2024-03-10T07:00:00Z',
    );
    expect(utc({ year: 2024, month: 3, day: 10, hour: 1, minute: 59 }, 'America/New_York')).toBe(
      '2024-03-10T06:59:00Z',
    );
    // São Paulo's 2016 spring-forward was at midnight: 16 Oct 00:00-00:59 do not exist.
    expect(utc({ year: 2016, month: 10, day: 16, hour: 0, minute: 30 }, 'America/Sao_Paulo')).toBe(
      '2016-10-16T03:00:00Z',
    );
    // Lord Howe Island moves by 30 minutes.
    expect(utc({ year: 2024, month: 10, day: 6, hour: 2, minute: 10 }, 'Australia/Lord_Howe')).toBe(
      '2024-10-05T15:30:00Z',
    );
  });

  it('takes the first occurrence of an ambiguous local time', () => {
    // New York falls back at 02:00 EDT on 2024-11-03: 01:30 happens at 05:30Z and again at 06:30Z.
    expect(utc({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York')).toBe(
      '2024-11-03T05:30:00Z',
    );
    expect(utc({ year: 2024, month: 10, day: 27, hour: 1, minute: 30 }, 'Europe/London')).toBe(
      '2024-10-27T00:30:00Z',
    );
    // São Paulo fell back at midnight on 2017-02-19: 23:30 of the 18th happened twice.
    expect(utc({ year: 2017, month: 2, day: 18, hour: 23, minute: 30 }, 'America/Sao_Paulo')).toBe(
      '2017-02-19T01:30:00Z',
    );
  });

  it('reads d/m/yyyy and m/d/yyyy times and tells a wrong shape from an impossible date', () => {
    expect(parseSlashDateTime('29/2/2016 01:16', 'dmy')).toEqual({
      year: 2016,
      month: 2,
      day: 29,
      hour: 1,
      minute: 16,
      second: 0,
    });
    expect(parseSlashDateTime('2/29/2016 1:16:05', 'mdy')).toEqual({
      year: 2016,
      month: 2,
      day: 29,
      hour: 1,
      minute: 16,
      second: 5,
    });
    expect(parseSlashDateTime('31/2/2016 10:00', 'dmy')).toBe('invalid');
    expect(parseSlashDateTime('2016-02-29 10:00', 'dmy')).toBeUndefined();
  });
});

const TICKET = {
  id: 'T-1',
  created_at: '2025-03-03T09:00:00-05:00',
  severity_history: [{ at: '2025-03-03T09:00:00-05:00', severity: 'High' }],
  status_history: [
    { at: '2025-03-03T09:00:00-05:00', status: 'New' },
    { at: '2025-03-03T10:00:00-05:00', status: 'Solved' },
  ],
  comments: [
    { at: '2025-03-03T09:10:00-05:00', author: 'agent', public: true },
    { at: '2025-03-03T09:05:00-05:00', author: 'agent', public: false, source: 'internal_note' },
  ],
};

describe('JSON Lines of ticket timelines', () => {
  it('reads tickets, ignores blank lines and returns instants in UTC', () => {
    const second = {
      ...TICKET,
      id: 'T-2',
      as_of: '2025-03-04T00:00:00Z',
      customer_reported_at: '2025-03-03T13:30:00Z',
    };
    const text = `\n${JSON.stringify(TICKET)}\r\n\n   \n${JSON.stringify(second)}\n`;
    const tickets = parseTicketJsonl(text);
    expect(tickets.map((t) => t.id)).toEqual(['T-1', 'T-2']);
    expect(tickets[0]).toEqual({
      id: 'T-1',
      created_at: '2025-03-03T14:00:00Z',
      severity_history: [{ at: '2025-03-03T14:00:00Z', severity: 'High' }],
      status_history: [
        { at: '2025-03-03T14:00:00Z', status: 'New' },
        { at: '2025-03-03T15:00:00Z', status: 'Solved' },
      ],
      comments: [
        { at: '2025-03-03T14:10:00Z', author: 'agent', public: true },
        { at: '2025-03-03T14:05:00Z', author: 'agent', public: false, source: 'internal_note' },
      ],
    });
    expect(tickets[1]).toMatchObject({
      as_of: '2025-03-04T00:00:00Z',
      customer_reported_at: '2025-03-03T13:30:00Z',
    });
  });

  it('resolves offsetless instants in a declared zone, and names them otherwise', () => {
    const local = { ...TICKET, created_at: '2025-03-03T09:00:00' };
    expect(
      parseTicketJsonl(JSON.stringify(local), { sourceTimeZone: 'America/New_York' })[0]!.created_at,
    ).toBe('2025-03-03T14:00:00Z');
    const err = rejection(() => parseTicketJsonl(JSON.stringify(local)));
    expect(err.message).toBe(
      'line 1 (ticket T-1): created_at "2025-03-03T09:00:00" has no UTC offset: give one, or declare the source time zone',
    );
  });

  it('names every problem by line, ticket and field, all in one error', () => {
    const lines = [
      JSON.stringify(TICKET),
      '{"id": "T-2", "created_at": "2025-02-30T10:00:00Z"',
      JSON.stringify({ ...TICKET, id: 'T-3', created_at: '2025-02-30T10:00:00Z', severity_history: {} }),
      JSON.stringify({
        ...TICKET,
        id: 'T-4',
        status_history: [{ at: '2025-03-03T14:00:00Z' }, 'open'],
        comments: [
          { at: '2025-03-03T14:00:00Z', author: 'robot', public: 'yes', source: 'macro', body: 'hi' },
        ],
        priority: 'P1',
      }),
      '',
      JSON.stringify({ ...TICKET, id: 'T-1' }),
      '[1, 2]',
      JSON.stringify({ created_at: '2025-03-03T14:00:00Z', severity_history: [], status_history: [] }),
    ];
    const err = rejection(() => parseTicketJsonl(lines.join('\n')));
    expect(err.message).toMatch(/^line 2: is not JSON \(.*\) \(and 13 more problems\)$/);
    expect(err.details.map((d) => d.message)).toEqual([
      expect.stringMatching(/^line 2: is not JSON/),
      'line 3 (ticket T-3): created_at "2025-02-30T10:00:00Z" is not a date',
      'line 3 (ticket T-3): severity_history must be an array, got an object',
      'line 4 (ticket T-4): priority is not a property of a ticket timeline',
      'line 4 (ticket T-4): status_history[0].status is required',
      'line 4 (ticket T-4): status_history[1] must be an object {at, status}, got "open"',
      'line 4 (ticket T-4): comments[0].body is not a property of a comment',
      'line 4 (ticket T-4): comments[0].author must be "customer" or "agent", got "robot"',
      'line 4 (ticket T-4): comments[0].public must be true or false, got "yes"',
      'line 4 (ticket T-4): comments[0].source must be one of auto_acknowledgement, bot, internal_note, shared_account, got "macro"',
      'line 6 (ticket T-1): id repeats the ticket of line 1: ids are unique per contract',
      'line 7: must be a JSON object (a ticket timeline), got an array',
      'line 8: id is required',
      'line 8: comments is required (an array, possibly empty)',
    ]);
    expect(err.details[2]).toEqual({
      path: 'line 3.severity_history',
      message: 'line 3 (ticket T-3): severity_history must be an array, got an object',
    });
  });

  it('reads an empty text as no tickets', () => {
    expect(parseTicketJsonl('\n  \n')).toEqual([]);
  });
});
