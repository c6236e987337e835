import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../functions/core/hashing';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  invitationToken,
  sendEnvelope,
  signAs,
  signer,
  waitForStatus,
} from '../../support/signing';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

describe('links that no longer work, and envelopes that have ended', () => {
  it('a revoked link answers 401 saying it was replaced, and records nothing', async () => {
    const tenant = `revoked-${Date.now()}`;
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    const record = (await service.ports.signerTokens.getToken(sha256Hex(link)))!;
    await service.ports.signerTokens.putToken({ ...record, revokedAt: new Date().toISOString() });

    const before = (await eventsOfType(service, tenant, envelope.id, 'recipient.viewed')).length;
    const res = await signer(service, 'GET', '/v1/signing/session', link);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/replaced by a newer one/);
    const sign = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'X' },
      agree: true,
    });
    expect(sign.status).toBe(401);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.viewed')).toHaveLength(before);
  });

  it('a completed envelope can be read by its signers (the sealed copy) but not signed or declined again', async () => {
    const tenant = `completed-${Date.now()}`;
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    await signAs(service, link);
    const done = await waitForStatus(service, token, envelope.id, 'completed');

    const session = await signer(service, 'GET', '/v1/signing/session', link);
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ canSign: false, reason: 'the envelope is completed' });
    const doc = await signer(service, 'GET', '/v1/signing/document', link);
    expect(doc.status).toBe(200);
    expect(doc.body.document.sha256).toBe(done.sealedDocuments[0].sha256);

    const again = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'Again' },
      agree: true,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/completed/);
    const decline = await signer(service, 'POST', '/v1/signing/decline', link, { reason: 'changed my mind' });
    expect(decline.status).toBe(409);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.signed')).toHaveLength(1);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.declined')).toHaveLength(0);
  });

  it('an envelope without a signer cannot be sent twice, and a sent one cannot be voided after completion', async () => {
    const tenant = `twice-${Date.now()}`;
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const second = await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/only a draft can be sent/);
    await signAs(service, await invitationToken(service, signers[0]!.email));
    await waitForStatus(service, token, envelope.id, 'completed');
    const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token,
      body: { reason: 'late' },
    });
    expect(voided.status).toBe(409);
    expect(voided.body.error.message).toMatch(/already completed/);
  });
});
