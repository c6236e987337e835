import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoEnvelopeStore } from '../../../functions/adapters/dynamodb/envelope-store';
import { GENESIS_HASH, seal, verifyChain } from '../../../functions/core/audit-chain';
import { foldEnvelope, type EnvelopeEvent } from '../../../functions/core/envelope';
import { ConcurrencyError, ValidationError } from '../../../functions/core/errors';
import { startDynamo, TABLE, type DynamoEmulator } from './emulator';

let emulator: DynamoEmulator;
let store: DynamoEnvelopeStore;
let counter = 0;
const tenant = (label: string) => `${label}-${counter++}`;

beforeAll(async () => {
  emulator = await startDynamo();
  store = new DynamoEnvelopeStore(emulator.db, TABLE);
});

afterAll(async () => {
  await emulator?.close();
});

function created(
  tenantId: string,
  envelopeId: string,
  options: { at?: string; owner?: string; title?: string } = {},
) {
  const owner = options.owner ?? 'sam';
  return seal<EnvelopeEvent>({
    envelopeId,
    tenantId,
    seq: 1,
    type: 'envelope.created',
    at: options.at ?? new Date().toISOString(),
    actor: { kind: 'user', id: owner },
    data: {
      title: options.title ?? 'Maintenance agreement',
      message: 'Price: 1.50 EUR per ticket',
      owner: { sub: owner },
      documents: [
        {
          id: 'doc1',
          name: 'msa.pdf',
          sha256: 'ab'.repeat(32),
          size: 1234,
          pages: [{ width: 612, height: 792.5 }],
          storageKey: `tenants/${tenantId}/envelopes/${envelopeId}/documents/doc1.pdf`,
        },
      ],
      recipients: [
        { id: 'r1', name: 'Ada', email: 'ada@customer.example', role: 'signer', step: 1, fields: [] },
      ],
      requestHash: 'cd'.repeat(32),
    },
    prevHash: GENESIS_HASH,
  });
}

function voided(previous: EnvelopeEvent, reason = 'superseded'): EnvelopeEvent {
  return seal<EnvelopeEvent>({
    envelopeId: previous.envelopeId,
    tenantId: previous.tenantId,
    seq: previous.seq + 1,
    type: 'envelope.voided',
    at: new Date(Date.parse(previous.at) + 1000).toISOString(),
    actor: { kind: 'user', id: 'sam' },
    data: { reason },
    prevHash: previous.hash,
  });
}

describe('DynamoEnvelopeStore events', () => {
  it('appends events and reads them back exactly, in order, optionally after a sequence number', async () => {
    const t = tenant('events');
    const first = created(t, 'env1');
    const second = voided(first);
    await store.append(first);
    await store.append(second);
    const key = { tenantId: t, envelopeId: 'env1' };

    const events = await store.loadEvents(key);
    expect(events).toEqual([first, second]);
    expect(verifyChain(events).verified).toBe(true);
    expect(await store.loadEvents(key, 1)).toEqual([second]);
    expect(await store.loadEvents(key, 2)).toEqual([]);
    expect(await store.loadEvents({ tenantId: t, envelopeId: 'nope' })).toEqual([]);
    // Same envelope id in another tenant: nothing.
    expect(await store.loadEvents({ tenantId: tenant('other'), envelopeId: 'env1' })).toEqual([]);
  });

  it('a second append at a taken sequence number throws ConcurrencyError and changes nothing', async () => {
    const t = tenant('conflict');
    const first = created(t, 'env1', { title: 'first' });
    await store.append(first);
    const rival = created(t, 'env1', { title: 'rival' });
    const error = await store.append(rival).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurrencyError);
    expect((error as Error).message).toContain('event 1 of envelope env1');
    expect(await store.loadEvents({ tenantId: t, envelopeId: 'env1' })).toEqual([first]);
  });

  it('of many concurrent appends at one sequence number exactly one wins', async () => {
    const t = tenant('race');
    const first = created(t, 'env1');
    await store.append(first);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.append(voided(first, `writer ${i}`))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((x) => x.status === 'rejected')) {
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    }
    expect(await store.loadEvents({ tenantId: t, envelopeId: 'env1' })).toHaveLength(2);
  });

  it('keeps the event as its exact JSON text', async () => {
    const t = tenant('text');
    const event = created(t, 'env1');
    await store.append(event);
    const { Item } = await emulator.db.send(
      new GetCommand({ TableName: TABLE, Key: { pk: `T#${t}#E#env1`, sk: 'V#0000000001' } }),
    );
    expect(Item?.event).toBe(JSON.stringify(event));
  });
});

describe('DynamoEnvelopeStore snapshots', () => {
  it('stores and loads a snapshot; none for an unknown envelope', async () => {
    const t = tenant('snap');
    const state = foldEnvelope([created(t, 'env1')]);
    expect(await store.loadSnapshot({ tenantId: t, envelopeId: 'env1' })).toBeNull();
    await store.saveSnapshot(state);
    expect(await store.loadSnapshot({ tenantId: t, envelopeId: 'env1' })).toEqual(state);
  });

  it('does not overwrite a newer snapshot with an older one, nor one of the same version', async () => {
    const t = tenant('snap');
    const first = created(t, 'env1');
    const v1 = foldEnvelope([first]);
    const v2 = foldEnvelope([first, voided(first)]);
    await store.saveSnapshot(v2);
    await store.saveSnapshot(v1);
    expect(await store.loadSnapshot({ tenantId: t, envelopeId: 'env1' })).toEqual(v2);

    await store.saveSnapshot({ ...v2, title: 'same version, other content' });
    expect((await store.loadSnapshot({ tenantId: t, envelopeId: 'env1' }))!.title).toBe(v2.title);
  });

  it('a newer snapshot replaces an older one, and moves the envelope between status lists', async () => {
    const t = tenant('snap');
    const first = created(t, 'env1');
    await store.saveSnapshot(foldEnvelope([first]));
    expect((await store.list({ tenantId: t, status: 'draft', limit: 10 })).items).toHaveLength(1);
    await store.saveSnapshot(foldEnvelope([first, voided(first)]));
    expect((await store.loadSnapshot({ tenantId: t, envelopeId: 'env1' }))!.status).toBe('voided');
    expect((await store.list({ tenantId: t, status: 'draft', limit: 10 })).items).toEqual([]);
    expect((await store.list({ tenantId: t, status: 'voided', limit: 10 })).items.map((s) => s.id)).toEqual([
      'env1',
    ]);
  });
});

describe('DynamoEnvelopeStore lists', () => {
  /** Five envelopes a second apart, alternately owned by sam and sue; env2 and env4 voided. */
  async function seed(t: string) {
    const base = Date.parse('2025-03-01T10:00:00.000Z');
    for (let i = 1; i <= 5; i++) {
      const first = created(t, `env${i}`, {
        at: new Date(base + i * 1000).toISOString(),
        owner: i % 2 ? 'sam' : 'sue',
      });
      const events = i % 2 ? [first] : [first, voided(first)];
      await store.saveSnapshot(foldEnvelope(events));
    }
  }

  async function pages(query: Parameters<DynamoEnvelopeStore['list']>[0]): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let n = 0;
    do {
      const page = await store.list({ ...query, ...(cursor ? { cursor } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(query.limit);
      ids.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
      if (++n > 10) throw new Error('pagination does not end');
    } while (cursor);
    return ids;
  }

  it('lists a tenant newest first, page by page, each envelope once', async () => {
    const t = tenant('list');
    await seed(t);
    await seed(tenant('list-other'));
    expect(await pages({ tenantId: t, limit: 2 })).toEqual(['env5', 'env4', 'env3', 'env2', 'env1']);
  });

  it('filters by status and by owner, and by both', async () => {
    const t = tenant('list');
    await seed(t);
    expect(await pages({ tenantId: t, status: 'voided', limit: 1 })).toEqual(['env4', 'env2']);
    expect(await pages({ tenantId: t, ownerSub: 'sam', limit: 2 })).toEqual(['env5', 'env3', 'env1']);
    expect(await pages({ tenantId: t, ownerSub: 'sue', status: 'voided', limit: 1 })).toEqual([
      'env4',
      'env2',
    ]);
    expect(await pages({ tenantId: t, ownerSub: 'sam', status: 'voided', limit: 2 })).toEqual([]);
  });

  it('refuses a cursor that is garbage, or that belongs to another tenant, with a ValidationError', async () => {
    const a = tenant('cursor');
    const b = tenant('cursor');
    await seed(a);
    await seed(b);
    const page = await store.list({ tenantId: a, limit: 2 });
    expect(page.nextCursor).toEqual(expect.any(String));
    await expect(store.list({ tenantId: b, limit: 2, cursor: page.nextCursor! })).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(store.list({ tenantId: a, limit: 2, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('refuses a cursor that names the own tenant but is no position of this list, with a ValidationError', async () => {
    const a = tenant('cursor');
    await seed(a);
    const forged = Buffer.from(JSON.stringify({ pk: `T#${a}#E#env1`, sk: 'SNAPSHOT' })).toString('base64url');
    await expect(store.list({ tenantId: a, limit: 2, cursor: forged })).rejects.toBeInstanceOf(
      ValidationError,
    );
    // A real cursor of the status list, used on the tenant list.
    const voidedPage = await store.list({ tenantId: a, status: 'voided', limit: 1 });
    await expect(
      store.list({ tenantId: a, limit: 2, cursor: voidedPage.nextCursor! }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
