import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyStore } from '../../../functions/adapters/dynamodb/idempotency-store';
import type { IdempotencyClaim } from '../../../functions/core/ports';
import { startDynamo, TABLE, type DynamoEmulator } from './emulator';

let emulator: DynamoEmulator;
let store: DynamoIdempotencyStore;
let counter = 0;

beforeAll(async () => {
  emulator = await startDynamo();
  store = new DynamoIdempotencyStore(emulator.db, TABLE);
});

afterAll(async () => {
  await emulator?.close();
});

const T0 = new Date('2025-06-01T12:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

/** A claim on a fresh key; later claims on the same key are made with `again`. */
function claim(overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return {
    tenantId: 'acme',
    subject: 'sam',
    key: `key-${counter++}`,
    operation: 'createEnvelope',
    requestHash: 'hash-a',
    resourceId: `res-${counter}`,
    now: T0,
    lockSeconds: 60,
    ttlSeconds: 3600,
    ...overrides,
  };
}

const again = (c: IdempotencyClaim, overrides: Partial<IdempotencyClaim>): IdempotencyClaim => ({
  ...c,
  resourceId: `res-${counter++}`,
  ...overrides,
});

const response = { status: 201, body: { id: 'env-1', title: 'MSA', price: 1.5 } };

describe('DynamoIdempotencyStore', () => {
  it('begin on a new key starts, with the proposed resource id', async () => {
    const c = claim();
    expect(await store.begin(c)).toEqual({ outcome: 'started', resourceId: c.resourceId });
  });

  it('a second begin while the first runs is in_progress', async () => {
    const c = claim();
    await store.begin(c);
    expect(await store.begin(again(c, { now: at(30) }))).toEqual({ outcome: 'in_progress' });
  });

  it('complete, then begin again replays the stored response', async () => {
    const c = claim();
    await store.begin(c);
    await store.complete(c, response);
    expect(await store.begin(again(c, { now: at(5) }))).toEqual({ outcome: 'replay', response });
    // Long after the lock would have expired, still a replay.
    expect(await store.begin(again(c, { now: at(3000) }))).toEqual({ outcome: 'replay', response });
  });

  it('the same key with another request is a mismatch, whether running or done', async () => {
    const running = claim();
    await store.begin(running);
    expect(await store.begin(again(running, { requestHash: 'hash-b', now: at(1) }))).toEqual({
      outcome: 'mismatch',
    });
    const done = claim();
    await store.begin(done);
    await store.complete(done, response);
    expect(await store.begin(again(done, { requestHash: 'hash-b', now: at(1) }))).toEqual({
      outcome: 'mismatch',
    });
  });

  it('after the lock expires a retry takes the claim over and keeps the first resource id', async () => {
    const c = claim();
    await store.begin(c);
    expect(await store.begin(again(c, { now: at(59) }))).toEqual({ outcome: 'in_progress' });
    const takeover = await store.begin(again(c, { now: at(61) }));
    expect(takeover).toEqual({ outcome: 'started', resourceId: c.resourceId });
    // The takeover holds a fresh lock.
    expect(await store.begin(again(c, { now: at(90) }))).toEqual({ outcome: 'in_progress' });
    const second = await store.begin(again(c, { now: at(122) }));
    expect(second).toEqual({ outcome: 'started', resourceId: c.resourceId });
  });

  it('of concurrent takeovers of an expired lock only one starts', async () => {
    const c = claim();
    await store.begin(c);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => store.begin(again(c, { now: at(61) }))),
    );
    expect(outcomes.filter((o) => o.outcome === 'started')).toEqual([
      { outcome: 'started', resourceId: c.resourceId },
    ]);
    expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(5);
  });

  it('of concurrent begins on a new key only one starts', async () => {
    const c = claim();
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.begin(again(c, { resourceId: `proposal-${i}` }))),
    );
    expect(outcomes.filter((o) => o.outcome === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === 'in_progress')).toHaveLength(5);
  });

  it('release drops an unfinished claim, so a corrected request may use the key', async () => {
    const c = claim();
    await store.begin(c);
    await store.release(c);
    const corrected = again(c, { requestHash: 'hash-corrected', now: at(1) });
    expect(await store.begin(corrected)).toEqual({ outcome: 'started', resourceId: corrected.resourceId });
  });

  it('release does not drop a finished claim, nor a claim of another request', async () => {
    const done = claim();
    await store.begin(done);
    await store.complete(done, response);
    await store.release(done);
    expect(await store.begin(again(done, { now: at(1) }))).toEqual({ outcome: 'replay', response });

    const running = claim();
    await store.begin(running);
    await store.release(again(running, { requestHash: 'hash-other' }));
    expect(await store.begin(again(running, { now: at(1) }))).toEqual({ outcome: 'in_progress' });
  });

  it('a claim past its TTL counts as absent, even though the emulator never deletes it', async () => {
    const c = claim({ ttlSeconds: 120 });
    await store.begin(c);
    await store.complete(c, response);
    const { Item } = await emulator.db.send(
      new GetCommand({
        TableName: TABLE,
        Key: { pk: `T#acme#IDEM#sam#createEnvelope#${c.key}`, sk: 'IDEM' },
      }),
    );
    expect(Item).toMatchObject({ state: 'done', ttl: Math.floor(T0.getTime() / 1000) + 120 });

    expect(await store.begin(again(c, { now: at(119) }))).toEqual({ outcome: 'replay', response });
    const fresh = again(c, { now: at(121) });
    expect(await store.begin(fresh)).toEqual({ outcome: 'started', resourceId: fresh.resourceId });
  });

  it('a claim past its TTL does not count as a mismatch for another request', async () => {
    const c = claim({ ttlSeconds: 120 });
    await store.begin(c);
    const other = again(c, { requestHash: 'hash-b', now: at(121) });
    expect(await store.begin(other)).toEqual({ outcome: 'started', resourceId: other.resourceId });
  });

  it('keys are scoped by tenant, subject and operation', async () => {
    const c = claim();
    await store.begin(c);
    for (const scope of [{ tenantId: 'globex' }, { subject: 'sue' }, { operation: 'createUpload' }]) {
      const other = again(c, scope);
      expect(await store.begin(other), JSON.stringify(scope)).toEqual({
        outcome: 'started',
        resourceId: other.resourceId,
      });
    }
  });
});
