import { describe, expect, it } from 'vitest';
import { parseTicketInput, type TicketInputFormat } from '../../../../functions/core/sla/ingest';
import { rejection } from './rejection';

const zendeskTicket = (id: number, requester = 1) => ({
  ticket: {
    id,
    created_at: '2025-03-03T14:00:00Z',
    status: 'open',
    priority: 'high',
    requester_id: requester,
  },
  audits: [
    {
      created_at: '2025-03-03T14:00:00Z',
      author_id: requester,
      events: [
        { type: 'Comment', author_id: requester, public: true },
        { type: 'Create', field_name: 'status', value: 'new' },
        { type: 'Create', field_name: 'priority', value: 'high' },
      ],
    },
    {
      created_at: '2025-03-03T14:30:00Z',
      author_id: 2,
      events: [
        { type: 'Comment', author_id: 2, public: true },
        { type: 'Change', field_name: 'status', value: 'open', previous_value: 'new' },
      ],
    },
  ],
});

const jsmIssue = (key: string) => ({
  key,
  fields: {
    created: '2025-03-03T09:00:00.000-0500',
    status: { name: 'Waiting for support' },
    priority: { name: 'High' },
    reporter: { accountId: 'c-1', accountType: 'customer' },
    comment: {
      comments: [
        {
          created: '2025-03-03T09:10:00.000-0500',
          author: { accountId: 'a-1', accountType: 'atlassian' },
          jsdPublic: true,
        },
      ],
      total: 1,
    },
  },
  changelog: { histories: [], total: 0 },
});

describe('parseTicketInput', () => {
  it('reads JSON Lines, in a declared zone when times have no offset', () => {
    const line = {
      id: 'T-1',
      created_at: '2025-03-03T09:00:00',
      severity_history: [{ at: '2025-03-03T09:00:00', severity: 'High' }],
      status_history: [{ at: '2025-03-03T09:00:00', status: 'New' }],
      comments: [],
    };
    expect(parseTicketInput('jsonl', JSON.stringify(line), { sourceTimeZone: 'America/New_York' })).toEqual({
      tickets: [
        {
          id: 'T-1',
          created_at: '2025-03-03T14:00:00Z',
          severity_history: [{ at: '2025-03-03T14:00:00Z', severity: 'High' }],
          status_history: [{ at: '2025-03-03T14:00:00Z', status: 'New' }],
          comments: [],
        },
      ],
      skipped: [],
    });
  });

  it('reads CSV with a mapping and CSV settings', () => {
    const text = 'Key;Opened;Priority\nSUP-9;04/03/2025 16:30;High\n';
    const result = parseTicketInput('csv', text, {
      csvMapping: { layout: 'tickets', ticketId: 'Key', createdAt: 'Opened', severity: 'Priority' },
      csv: { delimiter: ';', dateFormat: 'd/m/y' },
      sourceTimeZone: 'Europe/London',
    });
    expect(result.tickets.map((t) => [t.id, t.created_at])).toEqual([['SUP-9', '2025-03-04T16:30:00Z']]);
    expect(result.skipped).toEqual([]);
  });

  it('reads Zendesk and JSM exports as a JSON array, a single object, or JSON Lines', () => {
    const array = parseTicketInput('zendesk', JSON.stringify([zendeskTicket(1), zendeskTicket(2)]));
    expect(array.tickets.map((t) => t.id)).toEqual(['1', '2']);
    expect(array.tickets[0]!.comments).toEqual([
      { at: '2025-03-03T14:00:00Z', author: 'customer', public: true },
      { at: '2025-03-03T14:30:00Z', author: 'agent', public: true },
    ]);
    const lines = parseTicketInput(
      'zendesk',
      `${JSON.stringify(zendeskTicket(1))}\n\n${JSON.stringify(zendeskTicket(2))}\n`,
    );
    expect(lines).toEqual(array);
    expect(parseTicketInput('zendesk', JSON.stringify(zendeskTicket(1), null, 2)).tickets).toEqual([
      array.tickets[0],
    ]);
    const jsm = parseTicketInput(
      'jsm',
      [jsmIssue('SUP-1'), jsmIssue('SUP-2')].map((i) => JSON.stringify(i)).join('\n'),
    );
    expect(jsm.tickets.map((t) => [t.id, t.status_history[0]!.status, t.comments[0]!.author])).toEqual([
      ['SUP-1', 'Waiting for support', 'agent'],
      ['SUP-2', 'Waiting for support', 'agent'],
    ]);
    expect(parseTicketInput('jsm', '[]')).toEqual({ tickets: [], skipped: [] });
  });

  it('passes Zendesk and JSM options on', () => {
    const result = parseTicketInput('zendesk', JSON.stringify([zendeskTicket(1)]), {
      zendesk: { botUserIds: [2] },
    });
    expect(result.tickets[0]!.comments[1]!.source).toBe('bot');
    const jsm = parseTicketInput('jsm', JSON.stringify([jsmIssue('SUP-1')]), {
      jsm: { sharedAccountIds: ['a-1'] },
    });
    expect(jsm.tickets[0]!.comments[0]!.source).toBe('shared_account');
  });

  it('reads a ServiceNow log with its skipped rows and made_sla verdicts', () => {
    const text = [
      'number,incident_state,sys_mod_count,made_sla,opened_at,sys_updated_at,priority',
      'INC0000001,New,0,true,1/3/2016 10:00,1/3/2016 10:00,3 - Moderate',
      'INC0000001,-100,1,true,1/3/2016 10:00,1/3/2016 10:05,3 - Moderate',
      'INC0000001,Active,2,false,1/3/2016 10:00,1/3/2016 10:30,3 - Moderate',
    ].join('\r\n');
    expect(parseTicketInput('servicenow', text, { sourceTimeZone: 'America/Sao_Paulo' })).toEqual({
      tickets: [
        {
          id: 'INC0000001',
          created_at: '2016-03-01T13:00:00Z',
          severity_history: [{ at: '2016-03-01T13:00:00Z', severity: '3 - Moderate' }],
          status_history: [
            { at: '2016-03-01T13:00:00Z', status: 'New' },
            { at: '2016-03-01T13:30:00Z', status: 'Active' },
          ],
          comments: [{ at: '2016-03-01T13:30:00Z', author: 'agent', public: true }],
        },
      ],
      skipped: [{ row: 3, ticket: 'INC0000001', reason: 'incident_state "-100" is not a state' }],
      made_sla: { INC0000001: false },
    });
    expect(rejection(() => parseTicketInput('servicenow', text)).message).toMatch(
      /^options: sourceTimeZone is required/,
    );
  });

  it('names duplicate tickets, bad JSON lines, unknown formats and zones', () => {
    expect(
      rejection(() => parseTicketInput('zendesk', JSON.stringify([zendeskTicket(1), zendeskTicket(1)])))
        .message,
    ).toBe('item 2 (ticket 1): id repeats the ticket of item 1: ids are unique per contract');
    expect(
      rejection(() =>
        parseTicketInput('jsm', `${JSON.stringify(jsmIssue('SUP-1'))}\n{"key": "SUP-2",\n "fields": {}}\n`),
      ).details.map((d) => d.path),
    ).toEqual(['line 2', 'line 3']);
    expect(
      rejection(() => parseTicketInput('jsm', JSON.stringify([jsmIssue('SUP-1'), { key: 'SUP-2' }]))).message,
    ).toBe('item 2: fields must be an issue {key, fields, changelog}, got nothing');
    expect(rejection(() => parseTicketInput('xml' as TicketInputFormat, '<a/>')).message).toBe(
      'unknown ticket input format "xml": use one of jsonl, csv, zendesk, jsm, servicenow',
    );
    expect(rejection(() => parseTicketInput('jsonl', '', { sourceTimeZone: 'EST5EDT-ish' })).message).toBe(
      'sourceTimeZone "EST5EDT-ish" is not an IANA time zone',
    );
  });
});
