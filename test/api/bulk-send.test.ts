import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import type { Ports } from '../../functions/core/ports';
import { runBulkSend, TAKEOVER_MS } from '../../functions/core/usecases/bulk-send';
import { startTestService, type TestService } from '../support/service';
import { eventually, mailTo, uniqueEmail } from '../support/signing';
import { templateBody } from '../support/templates';
import { tenantWith as tenantOf } from '../support/tenants';

/**
 * Bulk send: one template to many parties, one envelope per row, checked whole before anything is
 * sent, sent in the background by the jobs the scheduler runs, followed row by row.
 */

const clock = fixedClock(new Date());
/** Failure injection: in these tenants, the nth start of a signing route fails (once). */
const refuseStart = new Map<string, { nth: number; seen: number }>();
let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    overrides: (ports: Ports) => {
      const workflow = ports.workflow;
      return {
        clock,
        limits: { ...ports.limits, bulkSendRowsPerRun: 2 },
        workflow: {
          ...workflow,
          start: async (...args: Parameters<Ports['workflow']['start']>) => {
            const refusal = refuseStart.get((args[1] as { tenantId: string }).tenantId);
            if (refusal && ++refusal.seen === refusal.nth) {
              throw new Error('injected: the signing route could not be started');
            }
            return workflow.start(...args);
          },
        } as Ports['workflow'],
      };
    },
  });
});
afterAll(async () => service.close());

async function withTemplate(label: string) {
  const t = await tenantOf(service, label);
  const res = await service.api('POST', '/v1/templates', { token: t.sender, body: await templateBody() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...t, templateId: res.body.id as string };
}

const row = (customer: string, email = uniqueEmail(customer.toLowerCase())) => ({
  roles: {
    customer: { name: `${customer} Buyer`, email },
    vendor: { name: 'Victor Vendor', email: 'victor@vendor.example' },
    procurement: { name: 'Pat Procurement', email: 'pat@customer.example' },
  },
  mergeData: {
    customer: { name: `${customer} Corp` },
    fee: { monthly: 'USD 1,000.00' },
    effective_from: '2027-01-01',
  },
});

const batchBody = (templateId: string, rows: unknown[]) => ({
  template: { id: templateId },
  title: 'Support agreement 2027 — {{customer.name}}',
  reminders: { firstAfterHours: 24, everyHours: 24 },
  rows,
});

async function finished(token: string, id: string) {
  return eventually(
    `bulk send ${id} to finish`,
    async () => {
      const res = await service.api('GET', `/v1/bulk-sends/${id}`, { token });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.status === 'done' ? res.body : undefined;
    },
    20_000,
  );
}

const envelopesOf = async (token: string) =>
  (await service.api('GET', '/v1/envelopes?limit=100', { token })).body.items as {
    id: string;
    title: string;
  }[];

describe('bulk send', () => {
  it('sends one envelope per row, titled from the row, each first signer invited once; progress row by row', async () => {
    const t = await withTemplate('bulk');
    const people = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli'].map((name) => ({
      name,
      email: uniqueEmail(name.toLowerCase()),
    }));
    const res = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(
        t.templateId,
        people.map((p) => row(p.name, p.email)),
      ),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ total: 5, template: { id: t.templateId, version: 1 } });
    expect(res.body.rows[0]).toMatchObject({ row: 1, title: 'Support agreement 2027 — Acme Corp' });

    // Two rows a run (the limit set above): the runs hand over until every row is sent.
    const done = await finished(t.sender, res.body.id);
    expect(done).toMatchObject({ total: 5, sent: 5, failed: 0, pending: 0 });
    expect(done.finishedAt).toBeDefined();
    const titles = (await envelopesOf(t.sender)).map((e) => e.title).sort();
    expect(titles).toEqual(people.map((p) => `Support agreement 2027 — ${p.name} Corp`).sort());
    for (const [i, p] of people.entries()) {
      const envelope = await service.api('GET', `/v1/envelopes/${done.rows[i].envelopeId}`, {
        token: t.sender,
      });
      expect(envelope.body).toMatchObject({ status: 'sent', template: { id: t.templateId, version: 1 } });
      expect(envelope.body.recipients.find((r: { id: string }) => r.id === 'customer').email).toBe(p.email);
      const invitations = await eventually(`${p.email}'s invitation`, async () => {
        const mail = await mailTo(service, p.email, 'Please sign:');
        return mail.length ? mail : undefined;
      });
      expect(invitations).toHaveLength(1);
    }
  });

  it('a repeated request with the same Idempotency-Key is the same batch: nothing is sent twice', async () => {
    const t = await withTemplate('bulk-retry');
    const body = batchBody(t.templateId, [row('Acme'), row('Globex')]);
    const headers = { 'idempotency-key': `bulk-${Date.now()}` };
    const first = await service.api('POST', '/v1/bulk-sends', { token: t.sender, body, headers });
    const again = await service.api('POST', '/v1/bulk-sends', { token: t.sender, body, headers });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    await finished(t.sender, first.body.id);
    expect(await envelopesOf(t.sender)).toHaveLength(2);
  });

  it('a run that dies mid-batch is taken over: every row sent once, the route of the stopped row started', async () => {
    const t = await withTemplate('bulk-crash');
    const emails = [uniqueEmail('a'), uniqueEmail('b'), uniqueEmail('c')];
    // Two rows a run: the first run sends rows 1 and 2, the next one stops at row 3.
    refuseStart.set(t.tenant, { nth: 3, seen: 0 });
    const res = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(
        t.templateId,
        emails.map((e, i) => row(`Party${i}`, e)),
      ),
    });
    expect(res.status).toBe(202);
    const stalled = await eventually('the run to stop at the refused row', async () => {
      const p = (await service.api('GET', `/v1/bulk-sends/${res.body.id}`, { token: t.sender })).body;
      return p.sent === 2 && refuseStart.get(t.tenant)!.seen >= 3 ? p : undefined;
    });
    await service.scheduler.idle();
    expect(stalled).toMatchObject({ status: 'sending', pending: 1 });
    expect(stalled.rows[2].status).toBe('pending');
    // The stopped row's envelope was made and marked sent, but its route never started.
    const half = await service.api('GET', `/v1/envelopes/${res.body.rows[2].envelopeId}`, {
      token: t.sender,
    });
    expect(half.body.status).toBe('sent');
    expect(await mailTo(service, emails[2]!)).toEqual([]);

    clock.advance(TAKEOVER_MS);
    await service.scheduler.runDue();
    const done = await finished(t.sender, res.body.id);
    expect(done).toMatchObject({ sent: 3, failed: 0 });
    expect(await envelopesOf(t.sender)).toHaveLength(3);
    for (const email of emails) {
      const mail = await eventually(`${email}'s invitation`, async () => {
        const m = await mailTo(service, email, 'Please sign:');
        return m.length ? m : undefined;
      });
      expect(mail).toHaveLength(1);
    }
  });

  it('runs of one batch at the same time (a takeover while a run still goes): every row sent once', async () => {
    const t = await withTemplate('bulk-race');
    const emails = Array.from({ length: 6 }, (_, i) => uniqueEmail(`race${i}`));
    const res = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(
        t.templateId,
        emails.map((e, i) => row(`Race${i}`, e)),
      ),
    });
    expect(res.status).toBe(202);
    // Beside the run the request scheduled, two more on the same rows.
    const job = { id: 'race', job: 'bulk-send', input: { tenantId: t.tenant, batchId: res.body.id } };
    await Promise.all([runBulkSend(service.ports, job), runBulkSend(service.ports, job)]);
    const done = await finished(t.sender, res.body.id);
    expect(done).toMatchObject({ total: 6, sent: 6, failed: 0 });
    expect(await envelopesOf(t.sender)).toHaveLength(6);
    for (const email of emails) {
      const mail = await eventually(`${email}'s invitation`, async () => {
        const m = await mailTo(service, email, 'Please sign:');
        return m.length ? m : undefined;
      });
      expect(mail).toHaveLength(1);
    }
  });

  it('any bad row refuses the whole batch (400 naming each row); nothing is recorded or sent', async () => {
    const t = await withTemplate('bulk-bad');
    const missingRole = row('Globex');
    delete (missingRole.roles as Partial<typeof missingRole.roles>).vendor;
    const missingMerge = row('Initech');
    delete (missingMerge.mergeData as Partial<typeof missingMerge.mergeData>).customer;
    const badEmail = row('Hooli', 'not-an-address');
    const res = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(t.templateId, [row('Acme'), missingRole, missingMerge, badEmail]),
    });
    expect(res.status).toBe(400);
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([expect.stringMatching(/^body\.rows\[3\]\.roles\.customer\.email/)]),
    );
    // The schema refuses the address first; without it the other rows are named by row.
    const res2 = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(t.templateId, [row('Acme'), missingRole, missingMerge]),
    });
    expect(res2.status).toBe(400);
    expect(res2.body.error.message).toMatch(/^2 of 3 rows cannot be sent; nothing was sent/);
    expect((res2.body.error.details as { path: string }[]).map((d) => d.path)).toEqual([
      'body.rows[1].roles.vendor',
      'body.rows[2].mergeData.customer.name',
    ]);
    expect(await envelopesOf(t.sender)).toEqual([]);
  });

  it('refuses what cannot be sent as asked: an unknown title placeholder, access codes, no rows, too many rows', async () => {
    const t = await withTemplate('bulk-refused');
    const cases: [unknown, number, string][] = [
      [
        { ...batchBody(t.templateId, [row('Acme')]), title: 'Agreement {{customer.nmae}}' },
        400,
        'body.title',
      ],
      [
        batchBody(t.templateId, [
          {
            ...row('Acme'),
            roles: {
              ...row('Acme').roles,
              customer: {
                name: 'Ada',
                email: uniqueEmail('ada'),
                auth: { method: 'access_code', code: '4711-2024' },
              },
            },
          },
        ]),
        400,
        'body.rows[0].roles.customer.auth.method',
      ],
      [batchBody(t.templateId, []), 400, 'body.rows'],
      [
        batchBody(
          t.templateId,
          Array.from({ length: 1001 }, () => row('Acme', 'a@b.example')),
        ),
        400,
        'body.rows',
      ],
      [
        { ...batchBody(t.templateId, [row('Acme')]), template: { id: 'no-such-template' } },
        400,
        'body.template.id',
      ],
    ];
    for (const [body, status, path] of cases) {
      const res = await service.api('POST', '/v1/bulk-sends', { token: t.sender, body });
      expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(status);
      expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(path);
    }
    expect(await envelopesOf(t.sender)).toEqual([]);
  });

  it('a batch is read by its sender and by those who read the whole tenant; not by another sender or tenant', async () => {
    const t = await withTemplate('bulk-access');
    const res = await service.api('POST', '/v1/bulk-sends', {
      token: t.sender,
      body: batchBody(t.templateId, [row('Acme')]),
    });
    expect(res.status).toBe(202);
    const otherSender = await service.token('sender', { tenant: t.tenant, sub: 'sender-2' });
    const otherTenant = await service.token('admin', { tenant: `${t.tenant}-x`, sub: 'admin-1' });
    const read = (token: string) => service.api('GET', `/v1/bulk-sends/${res.body.id}`, { token });
    expect((await read(t.auditor)).status).toBe(200);
    expect((await read(t.admin)).status).toBe(200);
    expect((await read(otherSender)).status).toBe(404);
    expect((await read(otherTenant)).status).toBe(404);
    const auditorSends = await service.api('POST', '/v1/bulk-sends', {
      token: t.auditor,
      body: batchBody(t.templateId, [row('Acme')]),
    });
    expect(auditorSends.status).toBe(403);
    await finished(t.sender, res.body.id);
  });
});
