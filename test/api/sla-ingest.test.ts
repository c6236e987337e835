import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import { incomingOf, mergeTicket } from '../../functions/core/sla/merge';
import { zendeskSignature } from '../../functions/core/sla/signatures';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import { signedContract, type Signed } from '../support/contracts';
import { startTestService, type TestService } from '../support/service';
import { mailTo } from '../support/signing';
import {
  exampleTicket,
  jsonLines,
  postHubSigned,
  postZendesk,
  racingSlaStore,
  webhookSecret,
} from '../support/sla';

/** Signed in mid-January 2025; the tests move the clock to the months their tickets are in. */
const SIGNED_AT = new Date('2025-01-15T15:00:00Z');
const clock = fixedClock(SIGNED_AT);
let racing: ReturnType<typeof racingSlaStore>;
let service: TestService;
let c: Signed;

beforeAll(async () => {
  service = await startTestService({
    overrides: (ports) => {
      racing = racingSlaStore(ports.sla);
      return { clock, sla: racing.store };
    },
  });
  c = await signedContract(service, clock, SIGNED_AT, 'sla-ingest');
}, 120_000);
afterAll(async () => service?.close());

const ticketsPath = () => `/v1/contracts/${c.contractId}/tickets`;
const post = (body: unknown, headers: Record<string, string> = {}, token = c.t.sender) =>
  service.api('POST', ticketsPath(), { token, body, headers });
const stored = (id: string) => service.ports.sla.getTicket(c.t.tenant, c.contractId, id);

/** A ticket in the terms' source words: created by the customer, answered, solved. */
function ticket(id: string, day: string, more: Partial<TicketTimeline> = {}): TicketTimeline {
  return {
    id,
    created_at: `${day}T14:00:00Z`,
    severity_history: [{ at: `${day}T14:00:00Z`, severity: 'Normal' }],
    status_history: [{ at: `${day}T14:00:00Z`, status: 'New' }],
    comments: [{ at: `${day}T14:00:00Z`, author: 'customer' }],
    ...more,
  };
}

describe('ticket ingestion through the API', () => {
  it('JSON Lines: stored, then a replay changes nothing; an Idempotency-Key replays the first answer', async () => {
    clock.set(new Date('2025-04-20T12:00:00Z'));
    const content = jsonLines([exampleTicket('E6', 'JL-E6'), ticket('JL-2', '2025-04-14')]);
    const first = await post({ format: 'jsonl', content });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // Both breached in April (E6's resolution, JL-2's unanswered first response): the owners are told.
    expect(first.body).toEqual({
      received: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
      skipped: [],
      alerted: 2,
    });
    const again = await post({ format: 'jsonl', content });
    expect(again.body).toMatchObject({ received: 2, created: 0, updated: 0, unchanged: 2 });
    const e6 = await stored('JL-E6');
    expect(e6?.source).toBe('jsonl');
    expect(e6?.ticket.status_history).toHaveLength(7);
    expect(e6?.ticket.comments).toHaveLength(4);

    const key = { 'idempotency-key': `jl-${Date.now()}` };
    const body = { format: 'jsonl', content: jsonLines([ticket('JL-3', '2025-04-15')]) };
    const keyed = await post(body, key);
    expect(keyed.body).toMatchObject({ created: 1 });
    const retried = await post(body, key);
    expect(retried.status).toBe(200);
    expect(retried.body).toEqual(keyed.body);
  });

  it('CSV (events layout): a later file adds events to the stored ticket', async () => {
    clock.set(new Date('2025-04-20T12:00:00Z'));
    const header = 'ticket_id,at,kind,value,author,public,source';
    const first = [
      header,
      'CSV-1,2025-04-14T14:00:00Z,created,,,,',
      'CSV-1,2025-04-14T14:00:00Z,status,New,,,',
      'CSV-1,2025-04-14T14:00:00Z,severity,High,,,',
      'CSV-1,2025-04-14T14:00:00Z,comment,,customer,,',
      'CSV-1,2025-04-14T14:01:00Z,comment,,agent,true,auto_acknowledgement',
    ].join('\n');
    const res = await post({ format: 'csv', content: first });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 1, created: 1 });

    const later = [
      header,
      'CSV-1,2025-04-14T14:00:00Z,created,,,,',
      'CSV-1,2025-04-14T15:30:00Z,comment,,agent,true,',
      'CSV-1,2025-04-14T15:30:00Z,status,Open,,,',
      'CSV-1,2025-04-15T13:00:00Z,status,Solved,,,',
    ].join('\n');
    const res2 = await post({ format: 'csv', content: later });
    expect(res2.body).toMatchObject({ received: 1, created: 0, updated: 1, unchanged: 0 });
    const t = (await stored('CSV-1'))!.ticket;
    expect(t.status_history.map((s) => s.status)).toEqual(['New', 'Open', 'Solved']);
    expect(t.comments.map((x) => [x.at, x.author, x.source ?? null])).toEqual([
      ['2025-04-14T14:00:00Z', 'customer', null],
      ['2025-04-14T14:01:00Z', 'agent', 'auto_acknowledgement'],
      ['2025-04-14T15:30:00Z', 'agent', null],
    ]);
    // First response: 10:00 to 11:30 New York time on a Monday, 90 business minutes.
    const results = await service.api('GET', `/v1/contracts/${c.contractId}/sla/tickets?month=2025-04`, {
      token: c.t.auditor,
    });
    expect(
      results.body.results.find((r: any) => r.ticket === 'CSV-1' && r.metric === 'first_response'),
    ).toMatchObject({ severity: 'S2', elapsed_min: 90, target_min: 120, breached: false, state: 'met' });
  });

  it('a bad ticket is a 400 naming the ticket and the field, and nothing of the request is stored', async () => {
    clock.set(new Date('2025-04-20T12:00:00Z'));
    const good = ticket('BAD-ok', '2025-04-14');
    const noOffset = ticket('BAD-offset', '2025-04-14', { created_at: '2025-04-14T14:00:00' });
    const res = await post({ format: 'jsonl', content: jsonLines([good, noOffset]) });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/ticket BAD-offset/);
    expect(res.body.error.message).toMatch(/created_at/);

    const unknownStatus = ticket('BAD-status', '2025-04-14', {
      status_history: [
        { at: '2025-04-14T14:00:00Z', status: 'New' },
        { at: '2025-04-14T15:00:00Z', status: 'Escalated' },
      ],
    });
    const res2 = await post({ tickets: [good, unknownStatus] });
    expect(res2.status).toBe(400);
    expect(res2.body.error.message).toMatch(/ticket BAD-status/);
    expect(res2.body.error.message).toMatch(/status_history\[1\]\.status/);
    expect(res2.body.error.message).toMatch(/Escalated/);
    expect(JSON.stringify(res2.body.error.details)).toMatch(/tickets\[1\]\.status_history\[1\]\.status/);

    const unknownPriority = ticket('BAD-priority', '2025-04-14', {
      severity_history: [{ at: '2025-04-14T14:00:00Z', severity: 'Critical' }],
    });
    const res3 = await post({ tickets: [good, unknownPriority] });
    expect(res3.status).toBe(400);
    expect(res3.body.error.message).toMatch(/ticket BAD-priority.*severity_history\[0\]\.severity/);

    for (const id of ['BAD-ok', 'BAD-offset', 'BAD-status', 'BAD-priority'])
      expect(await stored(id)).toBeNull();
  });

  it('rejects a malformed request body with the field named', async () => {
    const both = await post({ format: 'jsonl', content: '', tickets: [ticket('X', '2025-04-14')] });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/body\.tickets: give either tickets or format and content/);
    const noFormat = await post({ content: 'x' });
    expect(noFormat.status).toBe(400);
    expect(noFormat.body.error.message).toMatch(/body\.format: required with content/);
    const badFormat = await post({ format: 'xml', content: 'x' });
    expect(badFormat.status).toBe(400);
    expect(badFormat.body.error.details[0].path).toBe('body.format');
    const auditor = await post({ tickets: [ticket('AUD-1', '2025-04-14')] }, {}, c.t.auditor);
    expect(auditor.status).toBe(403);
  });

  it('two concurrent requests with overlapping events lose nothing: the one that loses the race merges again', async () => {
    clock.set(new Date('2025-04-20T12:00:00Z'));
    const ids = ['RACE-1', 'RACE-2', 'RACE-3'];
    const a = ids.map((id) =>
      ticket(id, '2025-04-15', {
        comments: [
          { at: '2025-04-15T14:00:00Z', author: 'customer' },
          { at: '2025-04-15T14:30:00Z', author: 'agent' },
        ],
        status_history: [
          { at: '2025-04-15T14:00:00Z', status: 'New' },
          { at: '2025-04-15T14:30:00Z', status: 'Open' },
        ],
      }),
    );
    const b = ids.map((id) =>
      ticket(id, '2025-04-15', {
        comments: [
          { at: '2025-04-15T14:00:00Z', author: 'customer' },
          { at: '2025-04-15T16:00:00Z', author: 'customer' },
          { at: '2025-04-15T17:00:00Z', author: 'agent' },
        ],
        status_history: [
          { at: '2025-04-15T14:00:00Z', status: 'New' },
          { at: '2025-04-15T17:30:00Z', status: 'Solved' },
        ],
      }),
    );
    const before = racing.conflicts;
    racing.arm(ids);
    const [ra, rb] = await Promise.all([
      post({ format: 'jsonl', content: jsonLines(a) }),
      post({ tickets: b }),
    ]);
    expect(ra.status, JSON.stringify(ra.body)).toBe(200);
    expect(rb.status, JSON.stringify(rb.body)).toBe(200);
    // Both read nothing stored; one created each ticket, the other had to merge with it.
    expect(racing.conflicts - before).toBe(3);
    expect(ra.body.created + rb.body.created).toBe(3);
    expect(ra.body.updated + rb.body.updated).toBe(3);
    for (const [i, id] of ids.entries()) {
      const expected = mergeTicket(mergeTicket(undefined, incomingOf(a[i]!)), incomingOf(b[i]!));
      expect((await stored(id))!.ticket).toEqual(expected);
      expect(expected.comments).toHaveLength(4);
      expect(expected.status_history.map((s) => s.status)).toEqual(['New', 'Open', 'Solved']);
    }
  });
});

describe('webhooks', () => {
  let secret: string;
  const now = () => clock.now().toISOString();

  beforeAll(async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    secret = await webhookSecret(service, c.t.legal, c.contractId);
  });

  it('only admin or legal may set the secret; it is shown once and not readable afterwards', async () => {
    const bySender = await service.api('POST', `/v1/contracts/${c.contractId}/webhook-secret`, {
      token: c.t.sender,
    });
    expect(bySender.status).toBe(403);
    const unknown = await service.api('POST', `/v1/contracts/nope-${Date.now()}/webhook-secret`, {
      token: c.t.legal,
    });
    expect(unknown.status).toBe(404);
  });

  it('Zendesk: signed trigger bodies are merged into the ticket; a replay changes nothing', async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    const opened = {
      ticket_id: 7001,
      created_at: '2025-05-05T14:00:00Z',
      updated_at: '2025-05-05T14:00:00Z',
      status: 'New',
      priority: 'High',
      latest_comment: { author_role: 'end-user', public: true },
    };
    const first = await postZendesk(service, c.contractId, secret, opened, now());
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ accepted: true, tickets: [{ id: '7001', outcome: 'created' }] });
    const replied = {
      ticket_id: 7001,
      updated_at: '2025-05-05T15:00:00Z',
      status: 'Open',
      priority: 'High',
      latest_comment: { author_role: 'agent', public: true },
    };
    const second = await postZendesk(service, c.contractId, secret, replied, now());
    expect(second.body).toMatchObject({ accepted: true, tickets: [{ id: '7001', outcome: 'updated' }] });
    const replay = await postZendesk(service, c.contractId, secret, replied, now());
    expect(replay.body).toMatchObject({ accepted: true, tickets: [{ id: '7001', outcome: 'unchanged' }] });
    const t = (await stored('7001'))!;
    expect(t.source).toBe('zendesk');
    expect(t.ticket.status_history.map((s) => s.status)).toEqual(['New', 'Open']);
    expect(t.ticket.comments.map((x) => x.author)).toEqual(['customer', 'agent']);
    // 10:00 to 11:00 New York time on a Monday: a first response in 60 of its 120 minutes.
    const results = await service.api('GET', `/v1/contracts/${c.contractId}/sla/tickets?month=2025-05`, {
      token: c.t.auditor,
    });
    expect(results.body.results.find((r: any) => r.ticket === '7001')).toMatchObject({
      metric: 'first_response',
      elapsed_min: 60,
      target_min: 120,
      state: 'met',
    });
  });

  it('Zendesk: a missing, wrong or stale signature is a 401 without detail, and nothing is stored', async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    const payload = {
      ticket_id: 7002,
      created_at: '2025-05-05T14:00:00Z',
      updated_at: '2025-05-05T14:00:00Z',
      status: 'New',
      priority: 'High',
    };
    const path = `/v1/contracts/${c.contractId}/webhooks/zendesk`;
    const unsigned = await service.api('POST', path, { body: payload });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.error).toMatchObject({
      code: 'unauthorized',
      message: 'the webhook signature is not valid',
    });
    expect(unsigned.body.error.details).toBeUndefined();
    const wrongKey = await postZendesk(service, c.contractId, 'not-the-secret', payload, now());
    expect(wrongKey.status).toBe(401);
    const stale = new Date(clock.now().getTime() - 6 * 60 * 1000).toISOString();
    const old = await postZendesk(service, c.contractId, secret, payload, stale);
    expect(old.status).toBe(401);
    expect(old.body.error.message).toBe('the webhook signature is not valid');
    // Signed over another body than the one sent.
    const tampered = await postZendesk(service, c.contractId, secret, payload, now(), {
      'x-zendesk-webhook-signature': zendeskSignature(
        secret,
        JSON.stringify({ ...payload, priority: 'Low' }),
        now(),
      ),
    });
    expect(tampered.status).toBe(401);
    const noSecret = await postZendesk(service, `nope-${Date.now()}`, secret, payload, now());
    expect(noSecret.status).toBe(401);
    expect(await stored('7002')).toBeNull();
  });

  it('a signed payload that cannot be mapped is kept in the rejected list with the reason (202)', async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    const payload = {
      ticket_id: 7003,
      created_at: '2025-05-05T14:00:00Z',
      updated_at: '2025-05-05T14:00:00Z',
      status: 'New',
      priority: 'Critical',
    };
    const res = await postZendesk(service, c.contractId, secret, payload, now());
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(false);
    expect(res.body.reason).toMatch(/ticket 7003/);
    expect(res.body.reason).toMatch(/Critical/);
    expect(await stored('7003')).toBeNull();

    const malformed = await postZendesk(service, c.contractId, secret, { updated_at: 'yesterday' }, now());
    expect(malformed.status).toBe(202);
    expect(malformed.body.reason).toMatch(/ticket_id/);

    const list = await service.api('GET', `/v1/contracts/${c.contractId}/tickets/rejected`, {
      token: c.t.auditor,
    });
    expect(list.status).toBe(200);
    const kept = list.body.items.find((r: any) => r.id === res.body.rejectedId);
    expect(kept).toMatchObject({
      source: 'zendesk',
      reason: res.body.reason,
      payload: JSON.stringify(payload),
    });
    expect(list.body.items.map((r: any) => r.id)).toContain(malformed.body.rejectedId);
  });

  it('two webhooks racing on one new ticket: both are kept, the one that lost the race merges again', async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    const opened = {
      ticket_id: 7010,
      created_at: '2025-05-05T14:00:00Z',
      updated_at: '2025-05-05T14:00:00Z',
      status: 'New',
      priority: 'Low',
    };
    const before = racing.conflicts;
    racing.arm(['7010']);
    const [a, b] = await Promise.all([
      postZendesk(
        service,
        c.contractId,
        secret,
        { ...opened, latest_comment: { author_role: 'end-user' } },
        now(),
      ),
      postZendesk(
        service,
        c.contractId,
        secret,
        { ...opened, latest_comment: { author_role: 'agent', created_at: '2025-05-05T14:05:00Z' } },
        now(),
      ),
    ]);
    expect([a.status, b.status], JSON.stringify([a.body, b.body])).toEqual([200, 200]);
    expect(racing.conflicts - before).toBe(1);
    expect([a.body.tickets[0].outcome, b.body.tickets[0].outcome].sort()).toEqual(['created', 'updated']);
    const t = (await stored('7010'))!.ticket;
    expect(t.comments).toEqual([
      { at: '2025-05-05T14:00:00Z', author: 'customer', public: true },
      { at: '2025-05-05T14:05:00Z', author: 'agent', public: true },
    ]);
  });

  it("an update delivered before the ticket's creation is kept pending, then merged when the creation arrives", async () => {
    clock.set(new Date('2025-05-05T16:00:00Z'));
    const update = {
      ticket_id: 7020,
      updated_at: '2025-05-05T15:00:00Z',
      status: 'Open',
      latest_comment: { author_role: 'agent' },
    };
    const early = await postZendesk(service, c.contractId, secret, update, now());
    expect(early.status).toBe(200);
    expect(early.body.tickets).toEqual([{ id: '7020', outcome: 'pending' }]);
    expect(await stored('7020')).toBeNull();
    const opened = {
      ticket_id: 7020,
      created_at: '2025-05-05T14:00:00Z',
      updated_at: '2025-05-05T14:00:00Z',
      status: 'New',
      priority: 'High',
    };
    const late = await postZendesk(service, c.contractId, secret, opened, now());
    expect(late.body.tickets).toEqual([{ id: '7020', outcome: 'created' }]);
    const t = (await stored('7020'))!.ticket;
    expect(t.status_history.map((x) => [x.at, x.status])).toEqual([
      ['2025-05-05T14:00:00Z', 'New'],
      ['2025-05-05T15:00:00Z', 'Open'],
    ]);
    expect(t.comments).toEqual([{ at: '2025-05-05T15:00:00Z', author: 'agent', public: true }]);
    expect(await service.ports.slaWebhooks.getPendingTicket(c.t.tenant, c.contractId, '7020')).toBeNull();

    // The same two, delivered at once: nothing is lost either way round.
    const u2 = { ...update, ticket_id: 7021 };
    const o2 = { ...opened, ticket_id: 7021 };
    racing.arm(['7021']);
    const both = await Promise.all([
      postZendesk(service, c.contractId, secret, u2, now()),
      postZendesk(service, c.contractId, secret, o2, now()),
    ]);
    expect(
      both.map((r) => r.status),
      JSON.stringify(both.map((r) => r.body)),
    ).toEqual([200, 200]);
    const t2 = (await stored('7021'))!.ticket;
    expect(t2.status_history.map((x) => x.status)).toEqual(['New', 'Open']);
    expect(t2.comments).toHaveLength(1);
    expect(await service.ports.slaWebhooks.getPendingTicket(c.t.tenant, c.contractId, '7021')).toBeNull();
  });

  it('JSM: signed issue and comment events are merged; a bad signature is a 401', async () => {
    clock.set(new Date('2025-05-06T14:00:00Z'));
    const created = {
      webhookEvent: 'jira:issue_created',
      timestamp: Date.parse('2025-05-06T13:00:00Z'),
      issue: {
        key: 'SUP-1',
        fields: {
          created: '2025-05-06T13:00:00.000+0000',
          status: { name: 'Open' },
          priority: { name: 'Urgent' },
          reporter: { accountId: 'customer-1', accountType: 'customer' },
        },
      },
    };
    const res = await postHubSigned(service, c.contractId, 'jsm', secret, created);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.tickets).toEqual([{ id: 'SUP-1', outcome: 'created' }]);
    const comment = {
      webhookEvent: 'comment_created',
      issue: { key: 'SUP-1', fields: { created: '2025-05-06T13:00:00.000+0000' } },
      comment: {
        created: '2025-05-06T13:20:00.000+0000',
        author: { accountId: 'agent-1', accountType: 'atlassian' },
        jsdPublic: true,
      },
    };
    const res2 = await postHubSigned(service, c.contractId, 'jsm', secret, comment);
    expect(res2.body.tickets).toEqual([{ id: 'SUP-1', outcome: 'updated' }]);
    const res3 = await postHubSigned(service, c.contractId, 'jsm', secret, comment);
    expect(res3.body.tickets).toEqual([{ id: 'SUP-1', outcome: 'unchanged' }]);
    const t = (await stored('SUP-1'))!.ticket;
    expect(t.comments).toEqual([{ at: '2025-05-06T13:20:00Z', author: 'agent', public: true }]);

    const bad = await postHubSigned(service, c.contractId, 'jsm', 'wrong', comment);
    expect(bad.status).toBe(401);
    const missing = await service.api('POST', `/v1/contracts/${c.contractId}/webhooks/jsm`, {
      body: comment,
    });
    expect(missing.status).toBe(401);
  });

  it('a rotated secret replaces the old one at once', async () => {
    clock.set(new Date('2025-05-06T14:00:00Z'));
    const other = await webhookSecret(service, c.t.admin, c.contractId);
    const payload = { webhookEvent: 'jira:issue_updated', issue: { key: 'SUP-1' }, timestamp: Date.now() };
    expect((await postHubSigned(service, c.contractId, 'jsm', secret, payload)).status).toBe(401);
    expect((await postHubSigned(service, c.contractId, 'jsm', other, payload)).status).toBe(200);
    secret = other;
  });
});

describe('breach alerts', () => {
  const alertsAbout = async (ticketId: string) =>
    (await mailTo(service, c.owner, 'SLA alert')).filter((m) => m.body.text?.includes(`Ticket ${ticketId}:`));

  it('a breach is mailed to the owners once, however often the ticket is ingested', async () => {
    clock.set(new Date('2025-06-10T20:00:00Z'));
    // Urgent (S1), no agent reply: the 30-minute first response breached at 18:30 UTC.
    const urgent = ticket('AL-1', '2025-06-10', {
      created_at: '2025-06-10T18:00:00Z',
      severity_history: [{ at: '2025-06-10T18:00:00Z', severity: 'Urgent' }],
      status_history: [{ at: '2025-06-10T18:00:00Z', status: 'New' }],
      comments: [{ at: '2025-06-10T18:00:00Z', author: 'customer' }],
    });
    const first = await post({ tickets: [urgent] });
    expect(first.body).toMatchObject({ created: 1, alerted: 1 });
    const mails = await alertsAbout('AL-1');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^SLA alert: 1 SLA breach on /);
    expect(mails[0]!.body.text).toContain(
      'Ticket AL-1: first response (S1) breached at 2025-06-10T14:30:00-04:00, target 30 min, elapsed so far 120 min',
    );
    expect(mails[0]!.destination.to.map((a) => a.toLowerCase())).toContain(c.owner.toLowerCase());

    expect((await post({ tickets: [urgent] })).body).toMatchObject({ unchanged: 1, alerted: 0 });
    const chased = {
      ...urgent,
      comments: [...urgent.comments, { at: '2025-06-10T19:00:00Z', author: 'customer' as const }],
    };
    expect((await post({ tickets: [chased] })).body).toMatchObject({ updated: 1, alerted: 0 });
    expect(await alertsAbout('AL-1')).toHaveLength(1);
  });

  it('concurrent ingestions of one breach mail once', async () => {
    clock.set(new Date('2025-06-10T20:00:00Z'));
    const urgent = ticket('AL-4', '2025-06-10', {
      created_at: '2025-06-10T18:00:00Z',
      severity_history: [{ at: '2025-06-10T18:00:00Z', severity: 'Urgent' }],
      status_history: [{ at: '2025-06-10T18:00:00Z', status: 'New' }],
      comments: [{ at: '2025-06-10T18:00:00Z', author: 'customer' }],
    });
    const answers = await Promise.all([
      post({ tickets: [urgent] }),
      post({ format: 'jsonl', content: jsonLines([urgent]) }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(answers[0]!.body.alerted + answers[1]!.body.alerted).toBe(1);
    expect(await alertsAbout('AL-4')).toHaveLength(1);
  });

  it("a line's month-to-date compliance below its target is mailed once a month", async () => {
    clock.set(new Date('2025-06-10T20:00:00Z'));
    // Normal (S3), solved after 6 business days: its 2400-minute resolution breached on Friday at 17:00.
    const slow = (id: string) =>
      ticket(id, '2025-06-02', {
        created_at: '2025-06-02T13:00:00Z',
        severity_history: [{ at: '2025-06-02T13:00:00Z', severity: 'Normal' }],
        status_history: [
          { at: '2025-06-02T13:00:00Z', status: 'New' },
          { at: '2025-06-02T13:30:00Z', status: 'Open' },
          { at: '2025-06-10T13:00:00Z', status: 'Solved' },
        ],
        comments: [
          { at: '2025-06-02T13:00:00Z', author: 'customer' },
          { at: '2025-06-02T13:30:00Z', author: 'agent' },
        ],
      });
    const res = await post({ tickets: [slow('AL-2')] });
    expect(res.body).toMatchObject({ created: 1, alerted: 2 });
    const mail = (await alertsAbout('AL-2'))[0]!;
    expect(mail.subject).toMatch(/1 SLA breach and compliance below target on 1 line/);
    expect(mail.body.text).toContain(
      'Ticket AL-2: resolution (S3) breached at 2025-06-06T17:00:00-04:00, target 2400 min, took 2880 min',
    );
    expect(mail.body.text).toContain('2025-06 S3 resolution: 0% (0 of 1 met), target 90%');

    // Another breach on the same line: its own breach alert, but no second compliance alert this month.
    expect((await post({ tickets: [slow('AL-3')] })).body).toMatchObject({ created: 1, alerted: 1 });
    const second = (await alertsAbout('AL-3'))[0]!;
    expect(second.subject).toMatch(/^SLA alert: 1 SLA breach on /);
    expect(second.body.text).not.toContain('compliance');
  });
});
