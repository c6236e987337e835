import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/adapters/system';
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
import { makePdf, toBase64 } from '../../support/pdf';

const clock = fixedClock(new Date());
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service.close());

const tenantFor = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

/** A PNG header claiming the given size, with no image data after it. */
function pngHeader(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  bytes[24] = 8;
  bytes[25] = 6;
  return bytes.toString('base64');
}

describe('drawn signatures are checked only for a known signer, and by their header first', () => {
  it('a request without a valid link is refused before the image is looked at', async () => {
    const res = await signer(service, 'POST', '/v1/signing/sign', undefined, {
      signature: { type: 'drawn', pngBase64: pngHeader(60_000, 60_000) },
      agree: true,
    });
    expect(res.status).toBe(401);
  });

  it('an image whose header claims a huge size is refused without decoding it', async () => {
    const tenant = tenantFor('bomb');
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });
    const res = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'drawn', pngBase64: pngHeader(20_000, 20_000) },
      agree: true,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/20000x20000 pixels; each side must be 1 to 2000/);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.signed')).toHaveLength(0);
  });
});

describe('limits of the envelope record', () => {
  it('an envelope whose record would not fit in the store is refused (413) before anything is written', async () => {
    const tenant = tenantFor('huge');
    const token = await service.token('sender', { tenant });
    const pdf = toBase64(await makePdf(Array.from({ length: 40 }, () => [612, 792] as [number, number])));
    const field = (i: number) => ({
      type: 'signature',
      page: (i % 40) + 1,
      x: 10,
      y: 10,
      width: 50,
      height: 20,
    });
    const recipients = Array.from({ length: 100 }, (_, r) => ({
      name: `Recipient number ${r} with a long name to fill the record`,
      email: `recipient${r}@customer.example`,
      step: 1,
      fields: Array.from({ length: 20 }, (_, f) => field(r + f)),
    }));
    const res = await service.api('POST', '/v1/envelopes', {
      token,
      body: { title: 'Huge', documents: [{ name: 'big.pdf', contentBase64: pdf }], recipients },
    });
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/record would be \d+ bytes/);
    expect((await service.api('GET', '/v1/envelopes', { token })).body.items).toEqual([]);
  });
});

describe('ending and consent edge cases', () => {
  it('every party signed: the envelope can no longer be voided while it is sealed', async () => {
    const tenant = tenantFor('sealing');
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    await signAs(service, await invitationToken(service, signers[0]!.email));
    const res = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token,
      body: { reason: 'late' },
    });
    // Either still sealing (every party has signed) or already completed: never voided.
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/every party has signed|already completed/);
    await waitForStatus(service, token, envelope.id, 'completed');
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.voided')).toHaveLength(0);
  });

  it('withdrawing consent that was never given is refused; after a withdrawal, a resend lets the recipient sign', async () => {
    const tenant = tenantFor('withdraw');
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    const early = await signer(service, 'POST', '/v1/signing/consent/withdraw', link);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/no consent to withdraw/);

    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });
    expect((await signer(service, 'POST', '/v1/signing/consent/withdraw', link)).status).toBe(200);

    const resend = await service.api(
      'POST',
      `/v1/envelopes/${envelope.id}/recipients/${signers[0]!.id}/resend`,
      { token },
    );
    expect(resend.status).toBe(200);
    expect(resend.body.recipients[0].status).toBe('sent');
    const fresh = await invitationToken(service, signers[0]!.email);
    expect(fresh).not.toBe(link);
    await signAs(service, fresh);
    await waitForStatus(service, token, envelope.id, 'completed');
  });

  it('a signer link opens the completed document for 30 days, then answers 410', async () => {
    const tenant = tenantFor('late');
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    await signAs(service, link);
    await waitForStatus(service, token, envelope.id, 'completed');
    expect((await signer(service, 'GET', '/v1/signing/document', link)).status).toBe(200);

    clock.advance(31 * 86_400_000);
    const late = await signer(service, 'GET', '/v1/signing/document', link);
    expect(late.status).toBe(410);
    expect(late.body.error.message).toMatch(/ask the sender for a copy/);
  });
});
