import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../support/service';
import { createEnvelope, letter, sha256 } from '../api/helpers';

let home: string;
let running: TestService | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'countersign-home-'));
});

afterAll(async () => {
  await running?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function startOnHome(): Promise<TestService> {
  running = await startTestService({ home, port: 0 });
  return running;
}

async function stop(): Promise<void> {
  await running?.close();
  running = undefined;
}

describe('the local service keeps its state in its home directory', () => {
  it('envelopes, audit trails, documents and tokens survive a restart', async () => {
    let service = await startOnHome();
    const token = await service.token('sender', { tenant: 'acme', sub: 'sam' });
    const kept = await createEnvelope(service, token, { title: 'Kept' });
    const voided = await createEnvelope(service, token, { title: 'Voided' });
    const res = await service.api('POST', `/v1/envelopes/${voided.id}/void`, {
      token,
      body: { reason: 'x' },
    });
    expect(res.status).toBe(200);
    expect(existsSync(join(home, 'countersign.pid'))).toBe(true);
    await stop();
    expect(existsSync(join(home, 'countersign.pid'))).toBe(false);

    service = await startOnHome();
    // A token minted before the restart still verifies: the issuer key lives in the home too.
    const read = await service.api('GET', `/v1/envelopes/${kept.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(kept);

    const audit = await service.api('GET', `/v1/envelopes/${voided.id}/audit`, { token });
    expect(audit.status).toBe(200);
    expect(audit.body.verified).toBe(true);
    expect(audit.body.events.map((e: any) => e.type)).toEqual(['envelope.created', 'envelope.voided']);

    const list = await service.api('GET', '/v1/envelopes', { token });
    expect(list.body.items.map((i: any) => [i.title, i.status])).toEqual([
      ['Voided', 'voided'],
      ['Kept', 'draft'],
    ]);

    const link = await service.api('GET', `/v1/envelopes/${kept.id}/documents/doc1`, { token });
    expect(link.status).toBe(200);
    const bytes = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(await letter()));

    // Work continues where it stopped.
    const more = await service.api('POST', `/v1/envelopes/${kept.id}/void`, {
      token,
      body: { reason: 'later' },
    });
    expect(more.status).toBe(200);
    expect(more.body.version).toBe(2);
    await stop();
  });

  it('without a home nothing is kept: two in-memory services do not share envelopes', async () => {
    const a = await startTestService();
    const b = await startTestService();
    try {
      const tokenA = await a.token('admin', { tenant: 'acme' });
      await createEnvelope(a, tokenA);
      const tokenB = await b.token('admin', { tenant: 'acme' });
      expect((await b.api('GET', '/v1/envelopes', { token: tokenB })).body.items).toEqual([]);
      // Each in-memory service has its own issuer key, too.
      expect((await b.api('GET', '/v1/envelopes', { token: tokenA })).status).toBe(401);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
