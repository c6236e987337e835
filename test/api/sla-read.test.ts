import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import type { IssuedStatement } from '../../functions/core/sla/store';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import { signedContract, type Signed } from '../support/contracts';
import { startTestService, type TestService } from '../support/service';
import { exampleTicket, postHubSigned, slaExamples, webhookSecret } from '../support/sla';

/** Signed in mid-January 2025; the tests move the clock to the months they read. */
const SIGNED_AT = new Date('2025-01-15T15:00:00Z');
const clock = fixedClock(SIGNED_AT);
let service: TestService;
let c: Signed;

beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
  c = await signedContract(service, clock, SIGNED_AT, 'sla-read');
}, 120_000);
afterAll(async () => service?.close());

const get = (path: string) =>
  service.api('GET', `/v1/contracts/${c.contractId}${path}`, { token: c.t.auditor });
const ingest = async (tickets: TicketTimeline[]) => {
  const res = await service.api('POST', `/v1/contracts/${c.contractId}/tickets`, {
    token: c.t.sender,
    body: { tickets },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const recordOutages = (outages: unknown[]) =>
  service.api('POST', `/v1/contracts/${c.contractId}/outages`, { token: c.t.sender, body: { outages } });

const lineOf = (statement: any, severity: string, metric: string) =>
  statement.lines.find((l: any) => l.severity === severity && l.metric === metric);

describe('GET /v1/contracts/{id}/sla', () => {
  it('April 2025 with example E6: its lines, per-breach credit and amount, checked by hand', async () => {
    clock.set(new Date('2025-05-10T12:00:00Z'));
    await ingest([exampleTicket('E6')]);
    const res = await get('/sla?month=2025-04');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      month: '2025-04',
      time_zone: 'America/New_York',
      period: { start: '2025-04-01T00:00:00-04:00', end: '2025-05-01T00:00:00-04:00' },
      report_date: '2025-05-05',
      issued: false,
      issued_at: null,
      final: true,
      as_of: '2025-05-01T00:00:00-04:00',
    });
    // First response 30 min of 120: met. The customer's reply on the 9th (11:00) answered at 13:00:
    // 120 of 240 business minutes. Resolution 1005 of 960: breached, 2% of the fee.
    expect(lineOf(s, 'S2', 'first_response')).toMatchObject({ counted: 1, breached: 0, compliance_pct: 100 });
    expect(lineOf(s, 'S2', 'next_response')).toMatchObject({ counted: 1, breached: 0 });
    expect(lineOf(s, 'S2', 'resolution')).toMatchObject({
      counted: 1,
      breached: 1,
      compliance_pct: 0,
      per_breach_credit_pct: 2,
      credit_pct: 2,
    });
    expect(s.uptime).toMatchObject({ downtime_min: 0, uptime_pct: 100, credit_pct: 0 });
    expect(s).toMatchObject({ uncapped_pct: 2, capped_pct: 2, credit_minor: 20_000, currency: 'USD' });
    expect(s.chronic_failure).toEqual([]);
    expect(s.in_progress).toEqual([]);
  });

  it('per-ticket results of the month, as of its end', async () => {
    clock.set(new Date('2025-05-10T12:00:00Z'));
    const res = await get('/sla/tickets?month=2025-04');
    expect(res.status).toBe(200);
    expect(res.body.as_of).toBe('2025-05-01T00:00:00-04:00');
    const e6 = res.body.results.filter((r: any) => r.ticket === 'E6');
    expect(e6.map((r: any) => r.metric)).toEqual(['first_response', 'next_response', 'resolution']);
    expect(e6[0]).toMatchObject({
      elapsed_min: 30,
      target_min: 120,
      breached: false,
      state: 'met',
      period: '2025-04',
    });
    expect(e6[2]).toMatchObject({
      severity: 'S2',
      elapsed_min: 1005,
      target_min: 960,
      breached: true,
      breach_at: '2025-04-10T15:00:00-04:00',
      period: '2025-04',
      stop: '2025-04-10T15:45:00-04:00',
    });
    // Nothing of E6 counts in March or May.
    expect(
      (await get('/sla/tickets?month=2025-05')).body.results.filter((r: any) => r.ticket === 'E6'),
    ).toEqual([]);
  });

  it('examples E1, E2 and E5: first responses across a weekend, a DST change and a UTC start', async () => {
    clock.set(new Date('2025-12-01T12:00:00Z'));
    await ingest([exampleTicket('E1'), exampleTicket('E2'), exampleTicket('E5')]);
    const first = async (month: string, id: string) =>
      (await get(`/sla/tickets?month=${month}`)).body.results.find(
        (r: any) => r.ticket === id && r.metric === 'first_response',
      );
    expect(await first('2025-03', 'E1')).toMatchObject({
      elapsed_min: 90,
      target_min: 120,
      breached: false,
      due: '2025-03-04T12:15:00-05:00',
    });
    expect(await first('2025-02', 'E2')).toMatchObject({
      elapsed_min: 90,
      target_min: 120,
      breached: false,
      due: '2025-02-10T10:30:00-05:00',
    });
    expect(await first('2025-11', 'E5')).toMatchObject({
      elapsed_min: 100,
      target_min: 120,
      breached: false,
    });
  });

  it('June 2025 uptime from recorded outages (example E13): 110 minutes down, 10% credit', async () => {
    clock.set(new Date('2025-07-02T12:00:00Z'));
    const e13 = slaExamples().period_examples.E13_uptime_june_2025;
    const res = await recordOutages(e13.outages);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ received: 6, created: 6, updated: 0, unchanged: 0 });
    const replay = await recordOutages(e13.outages);
    expect(replay.body).toMatchObject({ received: 6, created: 0, unchanged: 6, ids: res.body.ids });
    const s = (await get('/sla?month=2025-06')).body;
    expect(s.uptime).toMatchObject({
      total_min: e13.expected.total_min,
      downtime_min: e13.expected.downtime_min,
      uptime_pct: e13.expected.uptime_pct_all_minutes,
      credit_pct: e13.expected.credit_pct,
      miss: true,
    });
    expect(s).toMatchObject({ uncapped_pct: 10, credit_minor: 100_000 });
  });

  it('outages: a range that ends before it starts, or a time without an offset, is a 400 naming the index and field; nothing is stored', async () => {
    const before = (await service.ports.sla.listOutages(c.t.tenant, c.contractId)).length;
    const res = await recordOutages([
      { start: '2025-08-01T10:00:00Z', end: '2025-08-01T11:00:00Z', kind: 'outage' },
      { start: '2025-08-02T10:00:00Z', end: '2025-08-02T09:00:00Z', kind: 'outage' },
      { start: '2025-08-03T10:00:00', end: '2025-08-03T11:00:00Z', kind: 'maintenance' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toEqual([
      'body.outages[1].end',
      'body.outages[2].start',
    ]);
    expect(res.body.error.message).toMatch(/outages\[1\]: end 2025-08-02T09:00:00Z is not after start/);
    const kind = await recordOutages([
      { start: '2025-08-01T10:00:00Z', end: '2025-08-01T11:00:00Z', kind: 'blip' },
    ]);
    expect(kind.status).toBe(400);
    expect(kind.body.error.details[0].path).toBe('body.outages[0].kind');
    expect((await service.ports.sla.listOutages(c.t.tenant, c.contractId)).length).toBe(before);
  });

  it('the monitoring webhook opens and closes outages; order, replays and races do not matter; an open one lasts until now', async () => {
    clock.set(new Date('2025-07-20T01:00:00Z'));
    const secret = await webhookSecret(service, c.t.legal, c.contractId);
    const send = (payload: unknown) => postHubSigned(service, c.contractId, 'monitoring', secret, payload);
    // `up` arrives before its `down`, concurrently, then again.
    const [up, down] = await Promise.all([
      send({ status: 'up', at: '2025-07-02T10:30:00Z', check: 'portal' }),
      send({ status: 'down', at: '2025-07-02T10:00:00Z', check: 'portal' }),
    ]);
    expect([up.status, down.status]).toEqual([200, 200]);
    expect((await send([{ status: 'down', at: '2025-07-02T10:00:00Z', check: 'portal' }])).body).toEqual({
      accepted: true,
      checks: [{ check: 'portal', open: false, outages: 1 }],
    });
    const open = await send({ status: 'down', at: '2025-07-20T00:00:00Z', check: 'api' });
    expect(open.body.checks).toEqual([{ check: 'api', open: true, outages: 1 }]);
    const outages = (await service.ports.sla.listOutages(c.t.tenant, c.contractId)).filter((o) =>
      o.source.startsWith('monitoring:'),
    );
    expect(outages.map((o) => [o.start, o.end, o.open ?? false])).toEqual([
      ['2025-07-20T00:00:00.000Z', '2025-07-20T00:00:00.000Z', true],
      ['2025-07-02T10:00:00.000Z', '2025-07-02T10:30:00.000Z', false],
    ]);
    // Month to date: the 25 July minutes of E13's last June outage (00:00 to 00:25 UTC), the
    // 30 closed minutes, and the open outage's 60 minutes until now.
    const s = (await get('/sla?month=2025-07')).body;
    expect(s).toMatchObject({ final: false, as_of: '2025-07-19T21:00:00-04:00' });
    expect(s.uptime.downtime_min).toBe(25 + 30 + 60);

    const bad = await send({ status: 'sideways', at: '2025-07-20T00:10:00' });
    expect(bad.status).toBe(202);
    expect(bad.body.reason).toMatch(/status/);
    expect(bad.body.reason).toMatch(/at/);
    expect(
      (
        await postHubSigned(service, c.contractId, 'monitoring', 'wrong', {
          status: 'up',
          at: '2025-07-20T00:10:00Z',
        })
      ).status,
    ).toBe(401);
  });

  it('an issued month is returned as issued, never recomputed; a late change shows as an adjustment next month', async () => {
    clock.set(new Date('2025-05-10T12:00:00Z'));
    const {
      issued: _i,
      issued_at: _at,
      as_of: _as,
      final: _f,
      ...statement
    } = (await get('/sla?month=2025-04')).body;
    const record: IssuedStatement = {
      contractId: c.contractId,
      month: '2025-04',
      issuedAt: '2025-05-05T10:00:00Z',
      statement,
      result: statement.result,
      reportKey: 'report.pdf',
      csvKey: 'tickets.csv',
      sha256: { report: 'a'.repeat(64), csv: 'b'.repeat(64) },
      sentTo: [c.owner],
    };
    expect(await service.ports.sla.issueStatement(c.t.tenant, record)).toBe(true);

    // A late ticket: another S2 resolution breached in April.
    await ingest([exampleTicket('E6', 'E6-late')]);
    const april = (await get('/sla?month=2025-04')).body;
    expect(april).toMatchObject({
      issued: true,
      issued_at: '2025-05-05T10:00:00Z',
      final: true,
      credit_minor: 20_000,
    });
    expect(lineOf(april, 'S2', 'resolution')).toMatchObject({ counted: 1, breached: 1 });

    const may = (await get('/sla?month=2025-05')).body;
    expect(may.issued).toBe(false);
    expect(may.adjustments).toHaveLength(1);
    expect(may.adjustments[0]).toMatchObject({
      month: '2025-04',
      credit_minor_was: 20_000,
      credit_minor: 40_000,
      credit_minor_delta: 20_000,
    });
  });

  it('a month that is not YYYY-MM is a 400', async () => {
    for (const month of ['2025-4', '2025-13', 'april', '']) {
      const res = await get(`/sla?month=${month}`);
      expect(res.status, month).toBe(400);
      expect(res.body.error.details[0].path).toBe('query.month');
    }
    expect((await get('/sla')).status).toBe(400);
    expect((await get('/sla/tickets?month=2025-00')).status).toBe(400);
  });
});

describe('GET /v1/contracts/{id}/sla/live', () => {
  it("lists what is due within the next hours, and this month's breaches, at a fixed now", async () => {
    // Tuesday 5 August 2025, 10:00 in New York.
    clock.set(new Date('2025-08-05T14:00:00Z'));
    const open = (id: string, created: string, severity: string): TicketTimeline => ({
      id,
      created_at: created,
      severity_history: [{ at: created, severity }],
      status_history: [{ at: created, status: 'New' }],
      comments: [{ at: created, author: 'customer' }],
    });
    await ingest([
      // High, opened at 09:30: first response due at 11:30 (120 business minutes).
      open('LV-1', '2025-08-05T13:30:00Z', 'High'),
      // Urgent, opened at 08:00: its 30-minute first response breached at 08:30.
      open('LV-2', '2025-08-05T12:00:00Z', 'Urgent'),
      // Urgent in July: breached last month, not listed.
      open('LV-3', '2025-07-31T12:00:00Z', 'Urgent'),
    ]);
    const res = await get('/sla/live');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ as_of: '2025-08-05T10:00:00-04:00', month: '2025-08', hours: 24 });
    const atRisk = res.body.at_risk.filter((i: any) => i.ticket.startsWith('LV-'));
    expect(atRisk).toEqual([
      {
        ticket: 'LV-1',
        metric: 'first_response',
        severity: 'S2',
        start: '2025-08-05T09:30:00-04:00',
        due: '2025-08-05T11:30:00-04:00',
        elapsed_min: 30,
        target_min: 120,
        remaining_min: 90,
        breach_at: null,
        state: 'in_progress',
      },
      // LV-2's resolution: 240 minutes around the clock, due at 12:00.
      expect.objectContaining({
        ticket: 'LV-2',
        metric: 'resolution',
        due: '2025-08-05T12:00:00-04:00',
        remaining_min: 120,
      }),
    ]);
    const breached = res.body.breached.filter((i: any) => i.ticket.startsWith('LV-'));
    expect(breached.map((i: any) => [i.ticket, i.metric, i.breach_at])).toEqual([
      ['LV-2', 'first_response', '2025-08-05T08:30:00-04:00'],
    ]);
    expect(breached[0]).toMatchObject({
      severity: 'S1',
      target_min: 30,
      elapsed_min: 120,
      remaining_min: -90,
    });

    const soon = (await get('/sla/live?hours=1')).body.at_risk.filter((i: any) => i.ticket.startsWith('LV-'));
    expect(soon).toEqual([]);
    // Within a month, LV-1's resolution too (960 business minutes: Thursday at 09:30).
    const month = (await get('/sla/live?hours=720')).body.at_risk.filter((i: any) =>
      i.ticket.startsWith('LV-'),
    );
    expect(month.map((i: any) => [i.ticket, i.metric, i.due])).toEqual([
      ['LV-1', 'first_response', '2025-08-05T11:30:00-04:00'],
      ['LV-2', 'resolution', '2025-08-05T12:00:00-04:00'],
      ['LV-1', 'resolution', '2025-08-07T09:30:00-04:00'],
    ]);
    for (const hours of ['0', '721', 'x']) expect((await get(`/sla/live?hours=${hours}`)).status).toBe(400);
  });
});
