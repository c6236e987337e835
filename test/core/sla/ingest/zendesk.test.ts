import { describe, expect, it } from 'vitest';
import {
  applyEvents,
  zendeskTicketToTimeline,
  zendeskWebhookEvents,
  type TicketEvent,
} from '../../../../functions/core/sla/ingest/zendesk';
import type { TicketTimeline } from '../../../../functions/core/sla/ticket';
import { rejection } from './rejection';

const REQUESTER = 20978392;
const AGENT = 235323;
const CC = 90001;
const trigger = (id: number, title: string) => ({
  channel: 'rule',
  source: { from: { id, title }, rel: 'trigger' },
});

/** A ticket and its audits, shaped as `GET /api/v2/tickets/35436/audits.json?include=users` answers. */
function exported(): any {
  return {
    ticket: {
      id: 35436,
      created_at: '2025-03-03T14:00:00Z',
      updated_at: '2025-03-07T15:00:00Z',
      subject: 'Customer portal returns 502',
      status: 'closed',
      priority: 'urgent',
      requester_id: REQUESTER,
      via: { channel: 'email', source: { from: {}, to: {}, rel: null } },
    },
    users: [
      { id: REQUESTER, name: 'Dana Requester', role: 'end-user' },
      { id: AGENT, name: 'Sam Agent', role: 'agent' },
      { id: CC, name: 'Lee Colleague', role: 'end-user' },
      { id: -1, name: 'Zendesk', role: 'admin' },
    ],
    audits: [
      {
        id: 1001,
        ticket_id: 35436,
        created_at: '2025-03-03T14:00:00Z',
        author_id: REQUESTER,
        metadata: { system: { client: 'Mail' }, custom: {} },
        via: { channel: 'email', source: { from: { address: 'dana@example.com' }, to: {}, rel: null } },
        events: [
          {
            id: 1,
            type: 'Comment',
            author_id: REQUESTER,
            body: 'Our portal is down',
            public: true,
            attachments: [],
          },
          { id: 2, type: 'Create', field_name: 'subject', value: 'Customer portal returns 502' },
          { id: 3, type: 'Create', field_name: 'status', value: 'new' },
          { id: 4, type: 'Create', field_name: 'priority', value: 'high' },
          {
            id: 5,
            type: 'Notification',
            subject: '[Request received]',
            recipients: [REQUESTER],
            via: trigger(360001, 'Notify requester of received request'),
          },
          {
            id: 6,
            type: 'Comment',
            author_id: AGENT,
            body: 'Thanks for reaching out: we have received your request.',
            public: true,
            attachments: [],
            via: trigger(360002, 'Auto-reply with acknowledgement'),
          },
        ],
      },
      {
        id: 1002,
        ticket_id: 35436,
        created_at: '2025-03-03T14:12:00Z',
        author_id: AGENT,
        via: { channel: 'web', source: { from: {}, to: {}, rel: null } },
        events: [
          { id: 11, type: 'Comment', author_id: AGENT, body: 'LB logs show the pool drained', public: false },
          { id: 12, type: 'Change', field_name: 'status', value: 'open', previous_value: 'new' },
          { id: 13, type: 'Change', field_name: 'priority', value: 'urgent', previous_value: 'high' },
          { id: 14, type: 'Change', field_name: 'assignee_id', value: String(AGENT), previous_value: null },
        ],
      },
      {
        id: 1003,
        ticket_id: 35436,
        created_at: '2025-03-03T14:20:00Z',
        author_id: AGENT,
        via: { channel: 'web', source: { rel: null } },
        events: [
          {
            id: 21,
            type: 'Comment',
            author_id: AGENT,
            body: 'A fix is deployed, please retry',
            public: true,
          },
          { id: 22, type: 'Change', field_name: 'status', value: 'pending', previous_value: 'open' },
        ],
      },
      {
        id: 1004,
        ticket_id: 35436,
        created_at: '2025-03-03T14:25:00Z',
        author_id: CC,
        via: { channel: 'email', source: { rel: null } },
        events: [
          { id: 31, type: 'Comment', author_id: CC, body: 'Still seeing errors here', public: true },
          { id: 32, type: 'Change', field_name: 'status', value: 'open', previous_value: 'pending' },
        ],
      },
      {
        id: 1005,
        ticket_id: 35436,
        created_at: '2025-03-03T15:00:00Z',
        author_id: AGENT,
        via: { channel: 'web', source: { rel: null } },
        events: [
          { id: 41, type: 'Comment', author_id: AGENT, body: 'Second node fixed too', public: true },
          { id: 42, type: 'Change', field_name: 'status', value: 'solved', previous_value: 'open' },
        ],
      },
      {
        id: 1006,
        ticket_id: 35436,
        created_at: '2025-03-07T15:00:00Z',
        author_id: -1,
        via: {
          channel: 'rule',
          source: { from: { id: 77, title: 'Close 4 days after solved' }, rel: 'automation' },
        },
        events: [
          { id: 51, type: 'Comment', author_id: -1, body: 'This request is now closed.', public: true },
          { id: 52, type: 'Change', field_name: 'status', value: 'closed', previous_value: 'solved' },
        ],
      },
    ],
    next_page: null,
    previous_page: null,
    count: 6,
  };
}

describe('Zendesk ticket with audits', () => {
  it('builds the timeline: Create values at creation, Change entries, comments with their sources', () => {
    expect(zendeskTicketToTimeline(exported())).toEqual({
      id: '35436',
      created_at: '2025-03-03T14:00:00Z',
      severity_history: [
        { at: '2025-03-03T14:00:00Z', severity: 'high' },
        { at: '2025-03-03T14:12:00Z', severity: 'urgent' },
      ],
      status_history: [
        { at: '2025-03-03T14:00:00Z', status: 'new' },
        { at: '2025-03-03T14:12:00Z', status: 'open' },
        { at: '2025-03-03T14:20:00Z', status: 'pending' },
        { at: '2025-03-03T14:25:00Z', status: 'open' },
        { at: '2025-03-03T15:00:00Z', status: 'solved' },
        { at: '2025-03-07T15:00:00Z', status: 'closed' },
      ],
      comments: [
        { at: '2025-03-03T14:00:00Z', author: 'customer', public: true },
        { at: '2025-03-03T14:00:00Z', author: 'agent', public: true, source: 'auto_acknowledgement' },
        { at: '2025-03-03T14:12:00Z', author: 'agent', public: false, source: 'internal_note' },
        { at: '2025-03-03T14:20:00Z', author: 'agent', public: true },
        { at: '2025-03-03T14:25:00Z', author: 'customer', public: true },
        { at: '2025-03-03T15:00:00Z', author: 'agent', public: true },
        { at: '2025-03-07T15:00:00Z', author: 'agent', public: true, source: 'bot' },
      ],
    });
  });

  it('without sideloaded users, tells the requester from agents (a CC then counts as an agent), unless author_role says', () => {
    const input = exported();
    delete input.users;
    const comments = zendeskTicketToTimeline(input).comments;
    expect(comments[4]).toEqual({ at: '2025-03-03T14:25:00Z', author: 'agent', public: true });
    input.audits[3].events[0].author_role = 'end-user';
    expect(zendeskTicketToTimeline(input).comments[4]).toEqual({
      at: '2025-03-03T14:25:00Z',
      author: 'customer',
      public: true,
    });
  });

  it('sorts audits by time, and takes a comment made private later as private', () => {
    const input = exported();
    input.audits.reverse();
    input.audits.push({
      id: 1007,
      created_at: '2025-03-03T14:21:00Z',
      author_id: AGENT,
      events: [{ id: 61, type: 'CommentPrivacyChange', comment_id: 21, public: false }],
    });
    const timeline = zendeskTicketToTimeline(input);
    expect(timeline.status_history.map((s) => s.status)).toEqual([
      'new',
      'open',
      'pending',
      'open',
      'solved',
      'closed',
    ]);
    expect(timeline.comments[3]).toEqual({
      at: '2025-03-03T14:20:00Z',
      author: 'agent',
      public: false,
      source: 'internal_note',
    });
  });

  it('marks bots, shared logins, Answer Bot and (when asked) API comments', () => {
    const input = {
      ticket: {
        id: 9,
        created_at: '2025-03-03T14:00:00Z',
        requester_id: 1,
        status: 'open',
        priority: 'normal',
      },
      audits: [
        {
          created_at: '2025-03-03T14:01:00Z',
          author_id: 500,
          via: { channel: 'api' },
          events: [{ type: 'Comment', author_id: 500, public: true }],
        },
        {
          created_at: '2025-03-03T14:02:00Z',
          author_id: 600,
          via: { channel: 'web' },
          events: [{ type: 'Comment', author_id: 600, public: true }],
        },
        {
          created_at: '2025-03-03T14:03:00Z',
          author_id: 700,
          via: { channel: 'answer_bot_for_web_widget' },
          events: [{ type: 'Comment', author_id: 700, public: true }],
        },
        {
          created_at: '2025-03-03T14:04:00Z',
          author_id: 800,
          via: { channel: 'api' },
          events: [{ type: 'VoiceComment', author_id: 800, public: true }],
        },
      ],
    };
    const plain = zendeskTicketToTimeline(input);
    expect(plain.comments.map((c) => c.source)).toEqual([undefined, undefined, 'bot', undefined]);
    // A ticket whose status and priority never changed has its current ones from creation.
    expect(plain.status_history).toEqual([{ at: '2025-03-03T14:00:00Z', status: 'open' }]);
    expect(plain.severity_history).toEqual([{ at: '2025-03-03T14:00:00Z', severity: 'normal' }]);
    const marked = zendeskTicketToTimeline(input, {
      botUserIds: ['500'],
      sharedAccountUserIds: [600],
      apiCommentsAreBots: true,
    });
    expect(marked.comments.map((c) => c.source)).toEqual(['bot', 'shared_account', 'bot', 'bot']);
  });

  it('gives a ticket without a priority the priority "-", and takes the status at creation from the first change', () => {
    const timeline = zendeskTicketToTimeline({
      ticket: {
        id: 10,
        created_at: '2025-03-03T14:00:00Z',
        requester_id: 1,
        status: 'solved',
        priority: 'low',
      },
      audits: [
        {
          created_at: '2025-03-03T15:00:00Z',
          author_id: 2,
          events: [
            { type: 'Change', field_name: 'priority', value: 'low', previous_value: null },
            { type: 'Change', field_name: 'status', value: 'solved', previous_value: 'open' },
          ],
        },
      ],
    });
    expect(timeline.severity_history).toEqual([
      { at: '2025-03-03T14:00:00Z', severity: '-' },
      { at: '2025-03-03T15:00:00Z', severity: 'low' },
    ]);
    expect(timeline.status_history).toEqual([
      { at: '2025-03-03T14:00:00Z', status: 'open' },
      { at: '2025-03-03T15:00:00Z', status: 'solved' },
    ]);
  });

  it('names bad input by item, ticket and property path', () => {
    expect(rejection(() => zendeskTicketToTimeline({ audits: [] }, {}, 'item 3')).message).toBe(
      'item 3: ticket must be an object {ticket, audits}, got nothing',
    );
    const input = exported();
    input.ticket.created_at = '2025-03-03 14:00';
    input.audits[1].created_at = 'yesterday';
    input.audits[2].events = 'none';
    expect(
      rejection(() => zendeskTicketToTimeline(input, {}, 'item 3')).details.map((d) => d.message),
    ).toEqual([
      'item 3 (ticket 35436): ticket.created_at "2025-03-03 14:00" has no UTC offset: give one, or declare the source time zone',
      'item 3 (ticket 35436): audits[1].created_at "yesterday" is not an ISO-8601 date-time',
      'item 3 (ticket 35436): audits[2].events must be an array, got "none"',
    ]);
    const anonymous = exported();
    delete anonymous.users;
    delete anonymous.ticket.requester_id;
    expect(rejection(() => zendeskTicketToTimeline(anonymous)).message).toBe(
      'input (ticket 35436): audits[0].events[0].author_id cannot be told customer or agent: give ticket.requester_id, the sideloaded users, or the event author_role (and 6 more problems)',
    );
    const odd = exported();
    odd.users[1].role = 'robot';
    expect(rejection(() => zendeskTicketToTimeline(odd)).details[0]!.message).toBe(
      'input (ticket 35436): audits[0].events[5].author_id has the role "robot", neither an end user nor an agent',
    );
  });
});

/** Trigger webhook bodies for ticket 35436, in the order Zendesk sent them. */
const TRIGGER_BODIES = [
  {
    ticket_id: '35436',
    created_at: '2025-03-03T14:00Z',
    updated_at: '2025-03-03T14:00Z',
    status: 'New',
    priority: 'High',
    latest_comment: { public: true, author_role: 'end-user' },
  },
  {
    ticket_id: '35436',
    created_at: '2025-03-03T14:00Z',
    updated_at: '2025-03-03T14:12Z',
    status: 'Open',
    priority: 'Urgent',
    latest_comment: { public: 'false', author_role: 'Agent' },
  },
  {
    ticket_id: '35436',
    created_at: '2025-03-03T14:00Z',
    updated_at: '2025-03-03T14:20Z',
    status: 'Pending',
    priority: 'Urgent',
    latest_comment: { public: 'true', author_role: 'agent' },
  },
  {
    ticket_id: '35436',
    created_at: '2025-03-03T14:00Z',
    updated_at: '2025-03-03T15:00Z',
    status: 'Solved',
    priority: 'Urgent',
    latest_comment: null,
  },
];

describe('Zendesk webhooks', () => {
  it('turns a trigger body into created, status, severity and comment events', () => {
    expect(zendeskWebhookEvents(TRIGGER_BODIES[1])).toEqual([
      { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'created' },
      { ticket_id: '35436', at: '2025-03-03T14:12:00Z', kind: 'status', status: 'Open' },
      { ticket_id: '35436', at: '2025-03-03T14:12:00Z', kind: 'severity', severity: 'Urgent' },
      {
        ticket_id: '35436',
        at: '2025-03-03T14:12:00Z',
        kind: 'comment',
        comment: { author: 'agent', public: false, source: 'internal_note' },
      },
    ]);
    expect(
      zendeskWebhookEvents({
        ticket_id: 7,
        updated_at: '2025-03-03T14:12:00Z',
        latest_comment: {
          created_at: '2025-03-03T14:11:30Z',
          public: true,
          author_role: 'agent',
          via_channel: 'rule',
        },
      }),
    ).toEqual([
      {
        ticket_id: '7',
        at: '2025-03-03T14:11:30Z',
        kind: 'comment',
        comment: { author: 'agent', public: true, source: 'auto_acknowledgement' },
      },
    ]);
  });

  it('turns ticket event webhooks into events, and ignores the others', () => {
    const base = {
      account_id: 22129848,
      detail: {
        id: '35436',
        created_at: '2025-03-03T14:00:00Z',
        updated_at: '2025-03-03T14:12:00Z',
        status: 'OPEN',
        priority: 'URGENT',
        requester_id: String(REQUESTER),
      },
      subject: 'zen:ticket:35436',
      zendesk_event_version: '2022-11-06',
    };
    expect(
      zendeskWebhookEvents({
        ...base,
        type: 'zen:event-type:ticket.created',
        time: '2025-03-03T14:00:00.5Z',
        detail: { ...base.detail, status: 'NEW', priority: 'HIGH' },
        event: {},
      }),
    ).toEqual([
      { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'created' },
      { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'status', status: 'NEW' },
      { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'severity', severity: 'HIGH' },
    ]);
    expect(
      zendeskWebhookEvents({
        ...base,
        type: 'zen:event-type:ticket.status_changed',
        time: '2025-03-03T14:12:00.123456789Z',
        event: { current: 'OPEN', previous: 'NEW' },
      }),
    ).toEqual([
      { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'created' },
      { ticket_id: '35436', at: '2025-03-03T14:12:00.123Z', kind: 'status', status: 'OPEN' },
    ]);
    expect(
      zendeskWebhookEvents({
        ...base,
        type: 'zen:event-type:ticket.priority_changed',
        time: '2025-03-03T14:12:00Z',
        event: { current: null, previous: 'HIGH' },
      })[1],
    ).toEqual({ ticket_id: '35436', at: '2025-03-03T14:12:00Z', kind: 'severity', severity: '-' });
    expect(
      zendeskWebhookEvents({
        ...base,
        type: 'zen:event-type:ticket.comment_added',
        time: '2025-03-03T14:25:00Z',
        event: {
          comment: {
            id: 31,
            body: 'Still broken',
            is_public: true,
            author: { id: String(CC), is_staff: false, name: 'Lee' },
          },
        },
      })[1],
    ).toEqual({
      ticket_id: '35436',
      at: '2025-03-03T14:25:00Z',
      kind: 'comment',
      comment: { author: 'customer', public: true },
    });
    expect(
      zendeskWebhookEvents({
        ...base,
        type: 'zen:event-type:ticket.tags_changed',
        time: '2025-03-03T14:25:00Z',
      }),
    ).toEqual([]);
    expect(zendeskWebhookEvents({ type: 'zen:event-type:user.active_changed', detail: { id: '1' } })).toEqual(
      [],
    );
  });

  it('names bad webhook fields', () => {
    expect(
      rejection(() =>
        zendeskWebhookEvents({
          ticket_id: '5',
          updated_at: '2025-03-03T14:12',
          status: '',
          latest_comment: { author_role: 'bot' },
        }),
      ).details.map((d) => d.message),
    ).toEqual([
      'webhook (ticket 5): updated_at "2025-03-03T14:12" has no UTC offset: give one, or declare the source time zone',
    ]);
    expect(
      rejection(() =>
        zendeskWebhookEvents({
          ticket_id: '5',
          updated_at: '2025-03-03T14:12Z',
          status: '',
          latest_comment: { author_role: 'bot', public: 'maybe' },
        }),
      ).details.map((d) => d.message),
    ).toEqual([
      'webhook (ticket 5): status must be the status, got ""',
      'webhook (ticket 5): latest_comment.author_role must be end-user, agent or admin, got "bot"',
      'webhook (ticket 5): latest_comment.public must be true or false, got "maybe"',
    ]);
    expect(
      rejection(() =>
        zendeskWebhookEvents({
          type: 'zen:event-type:ticket.comment_added',
          time: '2025-03-03T14:25:00Z',
          detail: { id: 5 },
          event: {},
        }),
      ).message,
    ).toBe('webhook (ticket 5): event.comment.author.is_staff is required to tell an agent from a customer');
    expect(rejection(() => zendeskWebhookEvents('{}')).message).toBe(
      'webhook: must be a JSON object, got "{}"',
    );
  });
});

describe('applyEvents', () => {
  const events = TRIGGER_BODIES.flatMap((body) => zendeskWebhookEvents(body));
  const expected: TicketTimeline = {
    id: '35436',
    created_at: '2025-03-03T14:00:00Z',
    severity_history: [
      { at: '2025-03-03T14:00:00Z', severity: 'High' },
      { at: '2025-03-03T14:12:00Z', severity: 'Urgent' },
      { at: '2025-03-03T14:20:00Z', severity: 'Urgent' },
      { at: '2025-03-03T15:00:00Z', severity: 'Urgent' },
    ],
    status_history: [
      { at: '2025-03-03T14:00:00Z', status: 'New' },
      { at: '2025-03-03T14:12:00Z', status: 'Open' },
      { at: '2025-03-03T14:20:00Z', status: 'Pending' },
      { at: '2025-03-03T15:00:00Z', status: 'Solved' },
    ],
    comments: [
      { at: '2025-03-03T14:00:00Z', author: 'customer', public: true },
      { at: '2025-03-03T14:12:00Z', author: 'agent', public: false, source: 'internal_note' },
      { at: '2025-03-03T14:20:00Z', author: 'agent', public: true },
    ],
  };

  it('builds a timeline from webhook events, one request at a time', () => {
    let timeline = undefined as ReturnType<typeof applyEvents> | undefined;
    for (const body of TRIGGER_BODIES) timeline = applyEvents(timeline, zendeskWebhookEvents(body));
    expect(timeline).toEqual(expected);
  });

  it('is idempotent: replaying events, or a whole request again, changes nothing', () => {
    const once = applyEvents(undefined, events);
    expect(applyEvents(undefined, [...events, ...events])).toEqual(once);
    expect(applyEvents(once, events)).toEqual(once);
    expect(applyEvents(once, zendeskWebhookEvents(TRIGGER_BODIES[2]))).toEqual(once);
    expect(applyEvents(once, [])).toEqual(once);
  });

  it('sorts events arriving out of order into place, whatever the order', () => {
    const reversed = [...events].reverse();
    expect(applyEvents(undefined, reversed)).toEqual(expected);
    // Deliveries in a scrambled order, one request at a time.
    let timeline = applyEvents(undefined, zendeskWebhookEvents(TRIGGER_BODIES[3]));
    for (const i of [1, 0, 2]) timeline = applyEvents(timeline, zendeskWebhookEvents(TRIGGER_BODIES[i]));
    expect(timeline).toEqual(expected);
    // A late event lands between the entries it belongs between, and keeps what followed.
    const late: TicketEvent = {
      ticket_id: '35436',
      at: '2025-03-03T14:40:00Z',
      kind: 'status',
      status: 'Open',
    };
    expect(applyEvents(timeline, [late]).status_history.map((s) => s.status)).toEqual([
      'New',
      'Open',
      'Pending',
      'Open',
      'Solved',
    ]);
  });

  it('replaces an entry at the same instant, keeps distinct comments at one instant, and keeps the earliest creation', () => {
    const start = applyEvents(undefined, events);
    const corrected = applyEvents(start, [
      { ticket_id: '35436', at: '2025-03-03T15:00:00+00:00', kind: 'status', status: 'Closed' },
      {
        ticket_id: '35436',
        at: '2025-03-03T14:20:00Z',
        kind: 'comment',
        comment: { author: 'customer', public: true },
      },
      { ticket_id: '35436', at: '2025-03-03T15:30:00Z', kind: 'created' },
      { ticket_id: '35436', at: '2025-03-03T13:59:00Z', kind: 'created' },
    ]);
    expect(corrected.status_history.at(-1)).toEqual({ at: '2025-03-03T15:00:00Z', status: 'Closed' });
    expect(corrected.status_history).toHaveLength(4);
    expect(corrected.comments.filter((c) => c.at === '2025-03-03T14:20:00Z')).toHaveLength(2);
    expect(corrected.created_at).toBe('2025-03-03T13:59:00Z');
    // The input timeline is left as it was.
    expect(start).toEqual(expected);
  });

  it('keeps the timeline fields it does not manage', () => {
    const timeline = {
      ...expected,
      as_of: '2025-03-31T00:00:00Z',
      customer_reported_at: '2025-03-03T13:00:00Z',
    };
    expect(applyEvents(timeline, events)).toEqual(timeline);
  });

  it('names events for another ticket, bad instants and kinds, and a new ticket without a creation time', () => {
    const err = rejection(() =>
      applyEvents(undefined, [
        { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'created' },
        { ticket_id: '99', at: '2025-03-03T14:00:00Z', kind: 'created' },
        { ticket_id: '35436', at: '2025-03-03 14:00', kind: 'status', status: 'Open' },
        { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'reopened' } as unknown as TicketEvent,
        { ticket_id: '35436', at: '2025-03-03T14:00:00Z', kind: 'severity', severity: '' },
        {
          ticket_id: '35436',
          at: '2025-03-03T14:00:00Z',
          kind: 'comment',
          comment: { author: 'bot' },
        } as unknown as TicketEvent,
      ]),
    );
    expect(err.details.map((d) => d.message)).toEqual([
      'event 1 (ticket 35436): ticket_id "99" is another ticket',
      'event 2 (ticket 35436): at "2025-03-03 14:00" has no UTC offset: give one, or declare the source time zone',
      'event 3 (ticket 35436): kind "reopened" is not created, status, severity or comment',
      'event 4 (ticket 35436): severity must be a non-empty string, got ""',
      'event 5 (ticket 35436): comment.author must be "customer" or "agent", got "bot"',
    ]);
    expect(
      rejection(() =>
        applyEvents(undefined, [
          { ticket_id: '1', at: '2025-03-03T14:00:00Z', kind: 'status', status: 'Open' },
        ]),
      ).message,
    ).toBe(
      'events (ticket 1): carry no creation time: the first events of a new ticket must include its `created` event',
    );
    expect(rejection(() => applyEvents(undefined, [])).message).toBe(
      'events: name no ticket: give a timeline, or events with a ticket_id',
    );
  });

  it('gives the same timeline from ticket event webhooks as from the audits', () => {
    const detail = { id: '35436', created_at: '2025-03-03T14:00:00Z', requester_id: String(REQUESTER) };
    const hook = (type: string, time: string, event: object, extra: object = {}) => ({
      type: `zen:event-type:ticket.${type}`,
      time,
      subject: 'zen:ticket:35436',
      detail: { ...detail, ...extra },
      event,
    });
    const author = (id: number, staff: boolean) => ({ id: String(id), is_staff: staff });
    const webhooks = [
      hook('status_changed', '2025-03-07T15:00:00Z', { current: 'closed', previous: 'solved' }),
      hook('created', '2025-03-03T14:00:00Z', {}, { status: 'new', priority: 'high' }),
      hook('comment_added', '2025-03-03T14:00:00Z', {
        comment: { is_public: true, author: author(REQUESTER, false) },
      }),
      hook('comment_added', '2025-03-03T14:12:00Z', {
        comment: { is_public: false, author: author(AGENT, true) },
      }),
      hook('status_changed', '2025-03-03T14:12:00Z', { current: 'open', previous: 'new' }),
      hook('priority_changed', '2025-03-03T14:12:00Z', { current: 'urgent', previous: 'high' }),
      hook('comment_added', '2025-03-03T14:20:00Z', {
        comment: { is_public: true, author: author(AGENT, true) },
      }),
      hook('status_changed', '2025-03-03T14:20:00Z', { current: 'pending', previous: 'open' }),
      hook('comment_added', '2025-03-03T14:25:00Z', {
        comment: { is_public: true, author: author(CC, false) },
      }),
      hook('status_changed', '2025-03-03T14:25:00Z', { current: 'open', previous: 'pending' }),
      hook('comment_added', '2025-03-03T15:00:00Z', {
        comment: { is_public: true, author: author(AGENT, true) },
      }),
      hook('status_changed', '2025-03-03T15:00:00Z', { current: 'solved', previous: 'open' }),
    ];
    const fromHooks = applyEvents(
      undefined,
      webhooks.flatMap((w) => zendeskWebhookEvents(w)),
    );
    const fromAudits = zendeskTicketToTimeline(exported());
    // Event webhooks do not say how a comment was made: the trigger's acknowledgement and the
    // automation's closing note are not in this feed.
    expect(fromHooks).toEqual({
      ...fromAudits,
      comments: fromAudits.comments.filter((c) => c.source !== 'auto_acknowledgement' && c.source !== 'bot'),
    });
  });
});
