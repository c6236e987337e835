import { describe, expect, it } from 'vitest';
import { jsmIssueToTimeline, jsmWebhookEvents } from '../../../../functions/core/sla/ingest/jsm';
import { applyEvents } from '../../../../functions/core/sla/ingest/zendesk';
import { rejection } from './rejection';

const CUSTOMER = {
  accountId: 'qm:7a1b2c3d:customer-1',
  accountType: 'customer',
  displayName: 'Dana Customer',
  active: true,
};
const PARTICIPANT = {
  accountId: 'qm:7a1b2c3d:customer-2',
  accountType: 'customer',
  displayName: 'Lee Colleague',
};
const AGENT = {
  accountId: '5b10ac8d82e05b22cc7d4ef5',
  accountType: 'atlassian',
  displayName: 'Sam Agent',
  active: true,
};
const AUTOMATION = {
  accountId: '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077',
  accountType: 'app',
  displayName: 'Automation for Jira',
};
const adf = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});
const statusItem = (from: string, to: string) => ({
  field: 'status',
  fieldtype: 'jira',
  fieldId: 'status',
  from: '1',
  fromString: from,
  to: '2',
  toString: to,
});

/** `GET /rest/api/3/issue/SUP-42?expand=changelog` of a Service Management request. */
function issue(): any {
  return {
    expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
    id: '10042',
    self: 'https://example.atlassian.net/rest/api/3/issue/10042',
    key: 'SUP-42',
    changelog: {
      startAt: 0,
      maxResults: 5,
      total: 5,
      histories: [
        {
          id: '10100',
          author: AGENT,
          created: '2025-03-03T09:12:00.000-0500',
          items: [
            statusItem('Waiting for support', 'In Progress'),
            {
              field: 'assignee',
              fieldtype: 'jira',
              fieldId: 'assignee',
              from: null,
              fromString: null,
              to: AGENT.accountId,
              toString: 'Sam Agent',
            },
          ],
        },
        {
          id: '10101',
          author: AGENT,
          created: '2025-03-03T09:30:00.000-0500',
          items: [
            {
              field: 'priority',
              fieldtype: 'jira',
              fieldId: 'priority',
              from: '3',
              fromString: 'Medium',
              to: '2',
              toString: 'High',
            },
          ],
        },
        {
          id: '10102',
          author: AGENT,
          created: '2025-03-03T10:00:00.000-0500',
          items: [statusItem('In Progress', 'Waiting for customer')],
        },
        {
          id: '10103',
          author: AUTOMATION,
          created: '2025-03-03T10:35:01.000-0500',
          items: [statusItem('Waiting for customer', 'Waiting for support')],
        },
        {
          id: '10104',
          author: AGENT,
          created: '2025-03-03T12:00:00.000-0500',
          items: [
            statusItem('Waiting for support', 'Resolved'),
            {
              field: 'resolution',
              fieldtype: 'jira',
              fieldId: 'resolution',
              from: null,
              fromString: null,
              to: '10000',
              toString: 'Done',
            },
          ],
        },
      ],
    },
    fields: {
      summary: 'VPN drops every 10 minutes',
      created: '2025-03-03T09:00:00.000-0500',
      updated: '2025-03-03T12:00:00.000-0500',
      priority: { self: 'https://example.atlassian.net/rest/api/3/priority/2', name: 'High', id: '2' },
      status: { name: 'Resolved', id: '5', statusCategory: { key: 'done' } },
      reporter: CUSTOMER,
      comment: {
        startAt: 0,
        maxResults: 5,
        total: 5,
        comments: [
          {
            id: '10200',
            author: AUTOMATION,
            body: adf('We got your request.'),
            created: '2025-03-03T09:00:05.000-0500',
            jsdPublic: true,
          },
          {
            id: '10201',
            author: AGENT,
            body: adf('Looks like the MTU.'),
            created: '2025-03-03T09:15:00.000-0500',
            jsdPublic: false,
          },
          {
            id: '10202',
            author: AGENT,
            body: adf('Please try the new profile.'),
            created: '2025-03-03T09:20:00.000-0500',
            jsdPublic: true,
          },
          {
            id: '10203',
            author: CUSTOMER,
            body: adf('Still dropping.'),
            created: '2025-03-03T10:35:00.000-0500',
            jsdPublic: true,
          },
          {
            id: '10204',
            author: PARTICIPANT,
            body: adf('Same here.'),
            created: '2025-03-03T10:38:00.000-0500',
            jsdPublic: true,
          },
        ],
      },
    },
  };
}

const EXPECTED = {
  id: 'SUP-42',
  created_at: '2025-03-03T14:00:00Z',
  severity_history: [
    { at: '2025-03-03T14:00:00Z', severity: 'Medium' },
    { at: '2025-03-03T14:30:00Z', severity: 'High' },
  ],
  status_history: [
    { at: '2025-03-03T14:00:00Z', status: 'Waiting for support' },
    { at: '2025-03-03T14:12:00Z', status: 'In Progress' },
    { at: '2025-03-03T15:00:00Z', status: 'Waiting for customer' },
    { at: '2025-03-03T15:35:01Z', status: 'Waiting for support' },
    { at: '2025-03-03T17:00:00Z', status: 'Resolved' },
  ],
  comments: [
    { at: '2025-03-03T14:00:05Z', author: 'agent', public: true, source: 'bot' },
    { at: '2025-03-03T14:15:00Z', author: 'agent', public: false, source: 'internal_note' },
    { at: '2025-03-03T14:20:00Z', author: 'agent', public: true },
    { at: '2025-03-03T15:35:00Z', author: 'customer', public: true },
    { at: '2025-03-03T15:38:00Z', author: 'customer', public: true },
  ],
};

describe('Jira Service Management issue with changelog', () => {
  it('builds the timeline: first values from the changelog, changes in order, comments by author type', () => {
    expect(jsmIssueToTimeline(issue())).toEqual(EXPECTED);
  });

  it('sorts histories by time and takes the reporter as the customer even when a licensed user', () => {
    const input = issue();
    input.changelog.histories.reverse();
    input.fields.reporter = { accountId: 'licensed-1', accountType: 'atlassian' };
    input.fields.comment.comments[3].author = { accountId: 'licensed-1', accountType: 'atlassian' };
    const timeline = jsmIssueToTimeline(input);
    expect(timeline.status_history).toEqual(EXPECTED.status_history);
    expect(timeline.comments[3]).toEqual({ at: '2025-03-03T15:35:00Z', author: 'customer', public: true });
  });

  it('takes the current status and priority when they never changed, and "-" for no priority', () => {
    const input = issue();
    delete input.changelog;
    input.fields.priority = null;
    input.fields.comment = { comments: [], total: 0 };
    expect(jsmIssueToTimeline(input)).toEqual({
      id: 'SUP-42',
      created_at: '2025-03-03T14:00:00Z',
      severity_history: [{ at: '2025-03-03T14:00:00Z', severity: '-' }],
      status_history: [{ at: '2025-03-03T14:00:00Z', status: 'Resolved' }],
      comments: [],
    });
  });

  it('marks listed bot and shared accounts', () => {
    const timeline = jsmIssueToTimeline(issue(), { botAccountIds: [AGENT.accountId] });
    expect(timeline.comments.map((c) => c.source)).toEqual([
      'bot',
      'internal_note',
      'bot',
      undefined,
      undefined,
    ]);
    const shared = jsmIssueToTimeline(issue(), { sharedAccountIds: [AGENT.accountId] });
    expect(shared.comments[2]).toEqual({
      at: '2025-03-03T14:20:00Z',
      author: 'agent',
      public: true,
      source: 'shared_account',
    });
  });

  it('rejects an export holding only a page of the comments or of the changelog', () => {
    const input = issue();
    input.fields.comment.total = 73;
    input.changelog.total = 120;
    expect(rejection(() => jsmIssueToTimeline(input, {}, 'item 1')).details.map((d) => d.message)).toEqual([
      'item 1 (ticket SUP-42): changelog holds 5 of 120 histories: fetch the whole changelog (GET /rest/api/3/issue/SUP-42/changelog)',
      'item 1 (ticket SUP-42): fields.comment holds 5 of 73 comments: fetch them all (GET /rest/api/3/issue/SUP-42/comment)',
    ]);
  });

  it('names bad input by item, issue and property path', () => {
    const input = issue();
    input.fields.created = '2025-03-03T09:00:00.000';
    input.changelog.histories[2].created = '03/03/2025';
    input.fields.comment.comments[1].author = undefined;
    input.fields.comment.comments[2].jsdPublic = 'yes';
    expect(rejection(() => jsmIssueToTimeline(input, {}, 'line 4')).details.map((d) => d.message)).toEqual([
      'line 4 (ticket SUP-42): fields.created "2025-03-03T09:00:00.000" has no UTC offset: give one, or declare the source time zone',
      'line 4 (ticket SUP-42): changelog.histories[2].created "03/03/2025" is not an ISO-8601 date-time',
      'line 4 (ticket SUP-42): fields.comment.comments[1] author is required to tell an agent from a customer',
      'line 4 (ticket SUP-42): fields.comment.comments[2] jsdPublic must be true or false, got "yes"',
    ]);
    expect(rejection(() => jsmIssueToTimeline({ key: 'SUP-1' })).message).toBe(
      'input: fields must be an issue {key, fields, changelog}, got nothing',
    );
    const nameless = issue();
    delete nameless.key;
    nameless.changelog.histories[1].items[0].toString = '';
    expect(rejection(() => jsmIssueToTimeline(nameless)).details.map((d) => d.message)).toEqual([
      'input: key must be the issue key, got nothing',
    ]);
  });
});

describe('Jira webhooks', () => {
  const issueFields = {
    created: '2025-03-03T09:00:00.000-0500',
    status: { name: 'Waiting for support' },
    priority: { name: 'Medium' },
    reporter: CUSTOMER,
  };
  const webhooks = [
    {
      timestamp: Date.parse('2025-03-03T14:00:01Z'),
      webhookEvent: 'jira:issue_created',
      issue_event_type_name: 'issue_created',
      user: CUSTOMER,
      issue: { id: '10042', key: 'SUP-42', fields: issueFields },
    },
    {
      timestamp: Date.parse('2025-03-03T14:00:05Z'),
      webhookEvent: 'comment_created',
      comment: { id: '10200', author: AUTOMATION, created: '2025-03-03T09:00:05.000-0500', jsdPublic: true },
      issue: { id: '10042', key: 'SUP-42', fields: { status: { name: 'Waiting for support' } } },
    },
    {
      timestamp: Date.parse('2025-03-03T14:12:00Z'),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_generic',
      user: AGENT,
      issue: { id: '10042', key: 'SUP-42', fields: { ...issueFields, status: { name: 'In Progress' } } },
      changelog: { id: '10100', items: [statusItem('Waiting for support', 'In Progress')] },
    },
    {
      timestamp: Date.parse('2025-03-03T14:15:00Z'),
      webhookEvent: 'comment_created',
      comment: { id: '10201', author: AGENT, created: '2025-03-03T09:15:00.000-0500', jsdPublic: false },
      issue: { id: '10042', key: 'SUP-42', fields: issueFields },
    },
    {
      timestamp: Date.parse('2025-03-03T14:20:00Z'),
      webhookEvent: 'jira:issue_updated',
      issue_event_type_name: 'issue_commented',
      issue: { id: '10042', key: 'SUP-42', fields: issueFields },
      comment: { id: '10202', author: AGENT, created: '2025-03-03T09:20:00.000-0500', jsdPublic: true },
    },
    {
      timestamp: Date.parse('2025-03-03T14:30:00Z'),
      webhookEvent: 'jira:issue_updated',
      issue: { id: '10042', key: 'SUP-42', fields: { ...issueFields, priority: { name: 'High' } } },
      changelog: {
        id: '10101',
        items: [
          {
            field: 'priority',
            fieldtype: 'jira',
            fieldId: 'priority',
            fromString: 'Medium',
            toString: 'High',
          },
        ],
      },
    },
    {
      timestamp: Date.parse('2025-03-03T14:31:00Z'),
      webhookEvent: 'comment_updated',
      comment: { id: '10202', author: AGENT, created: '2025-03-03T09:20:00.000-0500', jsdPublic: true },
      issue: { id: '10042', key: 'SUP-42', fields: issueFields },
    },
  ];

  it('turns issue and comment webhooks into events', () => {
    expect(jsmWebhookEvents(webhooks[0])).toEqual([
      { ticket_id: 'SUP-42', at: '2025-03-03T14:00:00Z', kind: 'created' },
      { ticket_id: 'SUP-42', at: '2025-03-03T14:00:00Z', kind: 'status', status: 'Waiting for support' },
      { ticket_id: 'SUP-42', at: '2025-03-03T14:00:00Z', kind: 'severity', severity: 'Medium' },
    ]);
    expect(jsmWebhookEvents(webhooks[1])).toEqual([
      {
        ticket_id: 'SUP-42',
        at: '2025-03-03T14:00:05Z',
        kind: 'comment',
        comment: { author: 'agent', public: true, source: 'bot' },
      },
    ]);
    expect(jsmWebhookEvents(webhooks[5])).toEqual([
      { ticket_id: 'SUP-42', at: '2025-03-03T14:00:00Z', kind: 'created' },
      { ticket_id: 'SUP-42', at: '2025-03-03T14:30:00Z', kind: 'severity', severity: 'High' },
    ]);
    expect(jsmWebhookEvents(webhooks[6])).toEqual([]);
    expect(jsmWebhookEvents({ webhookEvent: 'jira:issue_deleted', issue: { key: 'SUP-42' } })).toEqual([]);
  });

  it('merges webhook events, in any order and replayed, into the same timeline as the issue export', () => {
    const events = webhooks.flatMap((w) => jsmWebhookEvents(w));
    const fromHooks = applyEvents(undefined, events);
    const fromExport = jsmIssueToTimeline(issue());
    const upTo = (at: string) => (entry: { at: string }) => entry.at <= at;
    expect(fromHooks).toEqual({
      ...fromExport,
      status_history: fromExport.status_history.filter(upTo('2025-03-03T14:30:00Z')),
      comments: fromExport.comments.filter(upTo('2025-03-03T14:30:00Z')),
    });
    expect(applyEvents(undefined, [...events].reverse())).toEqual(fromHooks);
    expect(applyEvents(fromHooks, events)).toEqual(fromHooks);
  });

  it('names bad webhook fields', () => {
    expect(
      rejection(() =>
        jsmWebhookEvents({
          webhookEvent: 'jira:issue_updated',
          timestamp: 'soon',
          issue: { key: 'SUP-42', fields: { created: '2025-03-03T09:00:00.000-0500' } },
        }),
      ).message,
    ).toBe('webhook (ticket SUP-42): timestamp "soon" is not an ISO-8601 date-time');
    expect(
      rejection(() =>
        jsmWebhookEvents({
          webhookEvent: 'jira:issue_updated',
          timestamp: 1741010400000,
          issue: { key: 'SUP-42', fields: {} },
          changelog: { items: [{ field: 'status', fromString: 'Open', toString: null }] },
        }),
      ).message,
    ).toBe('webhook (ticket SUP-42): changelog.items[0].toString must be the new status, got null');
    expect(
      rejection(() => jsmWebhookEvents({ webhookEvent: 'comment_created', issue: { key: 'SUP-42' } }))
        .message,
    ).toBe('webhook (ticket SUP-42): comment is required in a comment_created event');
    expect(
      rejection(() =>
        jsmWebhookEvents({ webhookEvent: 'jira:issue_created', issue: { fields: { created: 'x' } } }),
      ).details.map((d) => d.message),
    ).toEqual([
      'webhook: issue.key must be the issue key, got nothing',
      'webhook: issue.fields.created "x" is not an ISO-8601 date-time',
    ]);
  });
});
