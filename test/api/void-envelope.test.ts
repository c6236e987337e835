import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestService, type TestService } from '../support/service';
import { createEnvelope, footprint, newTenant, recomputeHash } from './helpers';

let service: TestService;
/** Appends that lost a race, counted so the race test can show the writers really overlapped. */
let lostAppends = 0;

beforeAll(async () => {
  service = await startTestService({
    overrides: ({ envelopes }) => ({
      envelopes: {
        loadEvents: (key, after) => envelopes.loadEvents(key, after),
        loadSnapshot: (key) => envelopes.loadSnapshot(key),
        saveSnapshot: (state) => envelopes.saveSnapshot(state),
        list: (query) => envelopes.list(query),
        append: async (event) => {
          try {
            await envelopes.append(event);
          } catch (err) {
            if ((err as Error).name === 'ConcurrencyError') lostAppends++;
            throw err;
          }
        },
      },
    }),
  });
});

afterAll(async () => {
  await service?.close();
});

const voidPath = (id: string) => `/v1/envelopes/${id}/void`;

describe('POST /v1/envelopes/{id}/void', () => {
  it('voids a draft: 200 with the voided envelope, and the trail records who and why', async () => {
    const tenant = newTenant('void');
    const token = await service.token('sender', { tenant, sub: 'sam', email: 'sam@vendor.example' });
    const envelope = await createEnvelope(service, token);

    const res = await service.api('POST', voidPath(envelope.id), {
      token,
      body: { reason: 'Customer asked for new terms' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: envelope.id,
      status: 'voided',
      voidedReason: 'Customer asked for new terms',
      version: 2,
      currentStep: null,
      createdAt: envelope.createdAt,
    });

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body).toEqual(res.body);
    const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(audit.body.verified).toBe(true);
    expect(audit.body.events.map((e: any) => e.type)).toEqual(['envelope.created', 'envelope.voided']);
    expect(audit.body.events[1]).toMatchObject({
      seq: 2,
      actor: { kind: 'user', id: 'sam', email: 'sam@vendor.example' },
      data: { reason: 'Customer asked for new terms' },
      prevHash: audit.body.events[0].hash,
    });
  });

  it('409 when the envelope is already voided, and no second event is written', async () => {
    const tenant = newTenant('void');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const envelope = await createEnvelope(service, token);
    expect(
      (await service.api('POST', voidPath(envelope.id), { token, body: { reason: 'one' } })).status,
    ).toBe(200);

    const again = await service.api('POST', voidPath(envelope.id), { token, body: { reason: 'two' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain('already voided');
    expect((await footprint(service, tenant)).events).toBe(2);
    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body.voidedReason).toBe('one');
  });

  it('404 for an unknown envelope', async () => {
    const tenant = newTenant('void');
    const token = await service.token('admin', { tenant });
    const res = await service.api('POST', voidPath('01jzzzzzzzzzzzzzzzzzzzzzzz'), {
      token,
      body: { reason: 'x' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('01jzzzzzzzzzzzzzzzzzzzzzzz');
    expect(await footprint(service, tenant)).toMatchObject({ events: 0, snapshots: 0 });
  });

  it('400 without a reason, and the envelope stays a draft', async () => {
    const tenant = newTenant('void');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const envelope = await createEnvelope(service, token);
    for (const body of [{}, { reason: '   ' }, { reason: 'x'.repeat(1001) }]) {
      const res = await service.api('POST', voidPath(envelope.id), { token, body });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: any) => d.path)).toEqual(['body.reason']);
    }
    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body.status).toBe('draft');
    expect((await footprint(service, tenant)).events).toBe(1);
  });

  it('400 for a malformed envelope id', async () => {
    const token = await service.token('admin', { tenant: newTenant('void') });
    const res = await service.api('POST', voidPath('bad%20id'), { token, body: { reason: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(['path.id']);
  });
});

describe('two writers racing on one envelope cannot both win', () => {
  it('8 concurrent voids: exactly one 200, seven 409, one voided event, and the trail verifies', async () => {
    const tenant = newTenant('race');
    const token = await service.token('admin', { tenant, sub: 'boss' });
    const envelope = await createEnvelope(service, token);
    const lostBefore = lostAppends;

    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        service.api('POST', voidPath(envelope.id), { token, body: { reason: `attempt ${i}` } }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = results.find((r) => r.status === 200)!;
    // The losers really raced for sequence number 2 (they did not merely queue up behind the winner).
    expect(lostAppends - lostBefore).toBeGreaterThan(0);
    for (const loser of results.filter((r) => r.status === 409)) {
      expect(loser.body.error.message).toContain('already voided');
    }

    const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(audit.body.verified).toBe(true);
    const voids = audit.body.events.filter((e: any) => e.type === 'envelope.voided');
    expect(voids).toHaveLength(1);
    expect(voids[0].data.reason).toBe(winner.body.voidedReason);
    expect(audit.body.events.map((e: any) => e.seq)).toEqual([1, 2]);
    for (const event of audit.body.events) expect(recomputeHash(event)).toBe(event.hash);

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body).toMatchObject({ status: 'voided', version: 2, voidedReason: winner.body.voidedReason });
    expect(await footprint(service, tenant)).toMatchObject({ events: 2, snapshots: 1 });
  });

  it('two appends at the same sequence number: the store lets exactly one win', async () => {
    const tenant = newTenant('race');
    const token = await service.token('admin', { tenant });
    const envelope = await createEnvelope(service, token);
    const key = { tenantId: tenant, envelopeId: envelope.id };
    const [created] = await service.ports.envelopes.loadEvents(key);
    const next = (reason: string) => ({
      ...created!,
      seq: 2,
      type: 'envelope.voided' as const,
      data: { reason },
      prevHash: created!.hash,
    });
    const outcomes = await Promise.allSettled([
      service.ports.envelopes.append(next('a') as never),
      service.ports.envelopes.append(next('b') as never),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason.name).toBe('ConcurrencyError');
    expect(await service.ports.envelopes.loadEvents(key)).toHaveLength(2);
  });
});
