import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService } from '../../support/service';
import { pdfsig } from '../../support/pdfsig';
import { letter, sha256 } from '../helpers';
import {
  createRouted,
  download,
  eventsOfType,
  invitationToken,
  signAs,
  signer,
  waitForExecution,
  waitForStatus,
  waitForStep,
  type Party,
} from '../../support/signing';

let home: string;
let running: TestService | undefined;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'countersign-restart-'));
});

afterAll(async () => {
  await running?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function start(): Promise<TestService> {
  running = await startTestService({ home, port: 0 });
  return running;
}

describe('a restarted local service resumes the signing routes in flight', () => {
  it('signers keep their links, and the envelope completes and is sealed', async () => {
    const tenant = 'restart';
    let service = await start();
    const token = await service.token('sender', { tenant, sub: 'sam', email: 'sam@vendor.example' });
    const { envelope, signers } = await createRouted(service, token, tenant, [1, 1, 2]);
    const [a, b, c] = signers as [Party, Party, Party];
    expect((await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token })).status).toBe(200);
    await waitForStep(service, tenant, envelope.id, 1);
    const tokenA = await invitationToken(service, a.email);
    const tokenB = await invitationToken(service, b.email);
    await signAs(service, tokenA);
    await service.close();
    running = undefined;

    service = await start();
    expect(service.resumed).toBeGreaterThanOrEqual(1);
    // The link from the first run still opens this signer's view.
    const session = await signer(service, 'GET', '/v1/signing/session', tokenB);
    expect(session.status).toBe(200);
    expect(session.body.recipient.id).toBe(b.id);
    await signAs(service, tokenB);

    const tokenC = await invitationToken(service, c.email);
    await waitForStep(service, tenant, envelope.id, 2);
    await signAs(service, tokenC);
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');

    // Nothing was done twice: one send, one invitation each, one completion.
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.sent')).toHaveLength(1);
    const invited = await eventsOfType(service, tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId)).toEqual([a.id, b.id, c.id]);
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.completed')).toHaveLength(1);

    const link = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
    const sealed = await download(link.body.url);
    expect(sha256(sealed)).toBe(done.sealedDocuments[0].sha256);
    const uploaded = await letter();
    expect(Buffer.from(sealed.subarray(0, uploaded.length)).equals(Buffer.from(uploaded))).toBe(true);
    const { signatures, output } = await pdfsig(sealed);
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]!.valid, output).toBe(true);
    const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(audit.body.verified).toBe(true);
  });
});
