import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import { startTestService, type TestService } from '../support/service';
import { dynamo, envelopeBody, footprint, itemsWithPrefix, letter, listStored, newTenant } from './helpers';

let service: TestService;
const clock = fixedClock(new Date());
/** When set, the next snapshot save fails: a crash after the event append, before the snapshot. */
let failNextSnapshot = false;
const LOCK_EXPIRED = 61_000;

beforeAll(async () => {
  service = await startTestService({
    overrides: ({ envelopes }) => ({
      clock,
      envelopes: {
        loadEvents: (key, after) => envelopes.loadEvents(key, after),
        loadSnapshot: (key) => envelopes.loadSnapshot(key),
        append: (event) => envelopes.append(event),
        list: (query) => envelopes.list(query),
        saveSnapshot: async (state) => {
          if (failNextSnapshot) {
            failNextSnapshot = false;
            throw new Error('injected crash: DynamoDB connection reset while saving snapshot');
          }
          await envelopes.saveSnapshot(state);
        },
      },
    }),
  });
});

afterAll(async () => {
  await service?.close();
});

const keyed = (key: string) => ({ 'idempotency-key': key });

function create(token: string, body: unknown, key?: string) {
  return service.api('POST', '/v1/envelopes', { token, body, ...(key ? { headers: keyed(key) } : {}) });
}

/** Ids of the envelopes that have events in the table, whether or not their snapshot was saved. */
async function envelopeIdsInLog(tenant: string): Promise<string[]> {
  const db = dynamo(service);
  try {
    const items = await itemsWithPrefix(db, `T#${tenant}#E#`);
    return [
      ...new Set(
        items.filter((i) => String(i.sk).startsWith('V#')).map((i) => String(i.pk).split('#E#')[1]!),
      ),
    ];
  } finally {
    db.destroy();
  }
}

function expectGeneric500(res: { status: number; body: any; headers: Headers }) {
  expect(res.status).toBe(500);
  expect(res.body).toEqual({
    error: { code: 'internal', message: 'internal error', requestId: res.headers.get('x-request-id') },
  });
  const text = JSON.stringify(res.body);
  for (const leak of ['injected', 'DynamoDB', 'snapshot', 'stack', 'T#']) expect(text).not.toContain(leak);
}

describe('Idempotency-Key on POST /v1/envelopes', () => {
  it('a retry returns the first answer (same status and body) and creates nothing twice', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const body = await envelopeBody();
    const first = await create(token, body, 'create-1');
    expect(first.status).toBe(201);
    const second = await create(token, body, 'create-1');
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);

    expect((await listStored(service, tenant)).map((e) => e.id)).toEqual([first.body.id]);
    expect(await footprint(service, tenant)).toEqual({
      events: 1,
      snapshots: 1,
      idempotencyClaims: 1,
      documents: 1,
    });
  });

  it('the same key with a different body is refused (422) and creates nothing', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const first = await create(token, await envelopeBody({ title: 'Original' }), 'create-2');
    expect(first.status).toBe(201);
    const other = await create(token, await envelopeBody({ title: 'Something else' }), 'create-2');
    expect(other.status).toBe(422);
    expect(other.body.error.message).toContain('Idempotency-Key was already used for a different request');
    expect((await listStored(service, tenant)).map((e) => e.title)).toEqual(['Original']);
    expect((await footprint(service, tenant)).events).toBe(1);
  });

  it('a request that failed schema validation can be retried with the same key once fixed', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const body = await envelopeBody();
    const broken = await create(token, { ...body, title: '' }, 'create-3');
    expect(broken.status).toBe(400);
    const fixed = await create(token, body, 'create-3');
    expect(fixed.status).toBe(201);
    expect(await listStored(service, tenant)).toHaveLength(1);
  });

  it('a request refused by the use case (field off the page, not a PDF) can be retried with the same key', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const good = await envelopeBody();
    const offPage = structuredClone(good);
    offPage.recipients[0].fields[0].x = 600;
    expect((await create(token, offPage, 'create-4')).status).toBe(400);
    const notPdf = await envelopeBody({ pdf: Buffer.from('plain text, not a PDF') });
    expect((await create(token, notPdf, 'create-4')).status).toBe(415);
    expect(await footprint(service, tenant)).toMatchObject({ events: 0, idempotencyClaims: 0, documents: 0 });

    const fixed = await create(token, good, 'create-4');
    expect(fixed.status).toBe(201);
    const replay = await create(token, good, 'create-4');
    expect(replay.body.id).toBe(fixed.body.id);
    expect(await listStored(service, tenant)).toHaveLength(1);
  });

  it('keys belong to the caller: the same key from another user is a different request', async () => {
    const tenant = newTenant('idem');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const sue = await service.token('sender', { tenant, sub: 'sue' });
    const body = await envelopeBody();
    const a = await create(sam, body, 'shared-key');
    const b = await create(sue, body, 'shared-key');
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect(b.body.owner.sub).toBe('sue');
  });

  it('400 for a malformed Idempotency-Key, and nothing is written', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    for (const key of ['has space', 'x'.repeat(256)]) {
      const res = await create(token, await envelopeBody(), key);
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual([{ path: 'headers.Idempotency-Key', message: 'invalid value' }]);
    }
    expect(await footprint(service, tenant)).toMatchObject({ events: 0, documents: 0 });
  });

  it('concurrent creates with the same key make exactly one envelope', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const body = await envelopeBody();
    const results = await Promise.all(Array.from({ length: 8 }, () => create(token, body, 'burst')));

    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of results) expect([201, 409], JSON.stringify(r.body)).toContain(r.status);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    for (const r of results.filter((x) => x.status === 409)) {
      expect(r.body.error.message).toContain('still in progress');
    }
    expect((await listStored(service, tenant)).map((e) => e.id)).toEqual([created[0]!.body.id]);
    expect(await footprint(service, tenant)).toMatchObject({ events: 1, snapshots: 1, documents: 1 });
    // Once the first finished, a retry replays it.
    const later = await create(token, body, 'burst');
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(created[0]!.body.id);
  });
});

describe('Idempotency-Key on the other mutating routes', () => {
  it('a retried void returns the first answer and writes one voided event', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const envelope = (await create(token, await envelopeBody())).body;
    const voidIt = () =>
      service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
        token,
        body: { reason: 'duplicate' },
        headers: keyed('void-1'),
      });
    const first = await voidIt();
    expect(first.status).toBe(200);
    const second = await voidIt();
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect((await footprint(service, tenant)).events).toBe(2);

    const otherReason = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token,
      body: { reason: 'another reason' },
      headers: keyed('void-1'),
    });
    expect(otherReason.status).toBe(422);
  });

  it('a retried upload request returns the same upload id', async () => {
    const tenant = newTenant('idem');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const body = { filename: 'big.pdf', contentType: 'application/pdf', size: 5_000_000 };
    const first = await service.api('POST', '/v1/uploads', { token, body, headers: keyed('upload-1') });
    const second = await service.api('POST', '/v1/uploads', { token, body, headers: keyed('upload-1') });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    const db = dynamo(service);
    expect(await itemsWithPrefix(db, `T#${tenant}#U#`)).toHaveLength(1);
    db.destroy();
  });
});

describe('a crash between the event append and the snapshot save', () => {
  async function crashedCreate(tenant: string, key: string) {
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const body = await envelopeBody({ pdf: await letter() });
    failNextSnapshot = true;
    const crashed = await create(token, body, key);
    expect(failNextSnapshot).toBe(false);
    expectGeneric500(crashed);
    const ids = await envelopeIdsInLog(tenant);
    expect(ids).toHaveLength(1);
    return { token, body, id: ids[0]! };
  }

  it('answers 500 with a request id only; the next GET repairs it and the list then shows it', async () => {
    const tenant = newTenant('crash');
    const { token, id } = await crashedCreate(tenant, 'crash-1');

    const read = await service.api('GET', `/v1/envelopes/${id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: 'draft', version: 1 });

    const list = await service.api('GET', '/v1/envelopes', { token });
    expect(list.body.items.map((i: any) => [i.id, i.status])).toEqual([[id, 'draft']]);
    const audit = await service.api('GET', `/v1/envelopes/${id}/audit`, { token });
    expect(audit.body.verified).toBe(true);
  });

  it('a retry with the same key waits for the lock, then returns the same envelope; only one exists', async () => {
    const tenant = newTenant('crash');
    const { token, body, id } = await crashedCreate(tenant, 'crash-2');

    const tooSoon = await create(token, body, 'crash-2');
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.error.message).toContain('still in progress');

    clock.advance(LOCK_EXPIRED);
    const retry = await create(token, body, 'crash-2');
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ id, status: 'draft', version: 1 });

    const replay = await create(token, body, 'crash-2');
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(retry.body);

    expect((await listStored(service, tenant)).map((e) => e.id)).toEqual([id]);
    expect(await envelopeIdsInLog(tenant)).toEqual([id]);
    expect(await footprint(service, tenant)).toMatchObject({ events: 1, snapshots: 1, documents: 1 });
  });

  it('after the GET repaired it, the retry with the same key still returns that envelope', async () => {
    const tenant = newTenant('crash');
    const { token, body, id } = await crashedCreate(tenant, 'crash-3');
    expect((await service.api('GET', `/v1/envelopes/${id}`, { token })).body.status).toBe('draft');
    clock.advance(LOCK_EXPIRED);
    const retry = await create(token, body, 'crash-3');
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBe(id);
    expect(await listStored(service, tenant)).toHaveLength(1);
  });

  it('a crashed void is repaired by the next read, and its retry does not void twice', async () => {
    const tenant = newTenant('crash');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const envelope = (await create(token, await envelopeBody())).body;
    const voidIt = () =>
      service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
        token,
        body: { reason: 'wrong customer' },
        headers: keyed('void-crash'),
      });

    failNextSnapshot = true;
    expectGeneric500(await voidIt());

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body).toMatchObject({ status: 'voided', version: 2, voidedReason: 'wrong customer' });
    const voidedList = await service.api('GET', '/v1/envelopes?status=voided', { token });
    expect(voidedList.body.items.map((i: any) => i.id)).toEqual([envelope.id]);
    const draftList = await service.api('GET', '/v1/envelopes?status=draft', { token });
    expect(draftList.body.items).toEqual([]);

    clock.advance(LOCK_EXPIRED);
    const retry = await voidIt();
    const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(audit.body.verified).toBe(true);
    expect(audit.body.events.filter((e: any) => e.type === 'envelope.voided')).toHaveLength(1);
    // The void this key asked for did happen: its retry reports success, not a conflict.
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ id: envelope.id, status: 'voided', voidedReason: 'wrong customer' });
  });
});
