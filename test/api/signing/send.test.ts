import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestService, type TestService } from '../../support/service';
import { footprint, newTenant, sha256 } from '../helpers';
import {
  createRouted,
  eventsOfType,
  invitationToken,
  mailTo,
  outbox,
  addressedTo,
  waitForStep,
  wholeTableText,
} from '../../support/signing';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

const sendPath = (id: string) => `/v1/envelopes/${id}/send`;

async function sender(tenant: string, sub = 'sam') {
  return service.token('sender', { tenant, sub, email: `${sub}.${tenant}@vendor.example` });
}

describe('POST /v1/envelopes/{id}/send', () => {
  it('invites only step 1, each with a personal link carrying the token in the fragment', async () => {
    const tenant = newTenant('send');
    const token = await sender(tenant);
    const { envelope, signers } = await createRouted(service, token, tenant, [1, 1, 2]);

    const res = await service.api('POST', sendPath(envelope.id), { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: envelope.id, status: 'sent', currentStep: 1 });
    expect(res.body.sentAt).toEqual(expect.any(String));

    await waitForStep(service, tenant, envelope.id, 1);
    const [a, b, c] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0]];
    const tokens = new Set<string>();
    for (const s of [a, b]) {
      const mails = await mailTo(service, s.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.destination.to).toEqual([s.email]);
      expect(mail.subject).toBe(`Please sign: ${envelope.title}`);
      const secret = await invitationToken(service, s.email);
      expect(mail.body.text).toContain(`${service.url}/sign#t=${secret}`);
      // At least 128 bits: 22 base64url characters, decoding to 16 bytes or more.
      expect(secret).toMatch(/^[A-Za-z0-9_-]{22,}$/);
      expect(Buffer.from(secret, 'base64url').length).toBeGreaterThanOrEqual(16);
      // The token is never in a path or query that a server would log.
      expect(mail.body.text).not.toMatch(/\?[^\s]*t=/);
      tokens.add(secret);
    }
    expect(tokens.size).toBe(2);
    expect(await mailTo(service, c.email)).toEqual([]);

    const invited = await eventsOfType(service, tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId).sort()).toEqual([a.id, b.id].sort());
    expect(invited.every((e) => e.data.step === 1 && e.actor.kind === 'system')).toBe(true);
    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body.recipients.map((r: any) => r.status)).toEqual(['sent', 'sent', 'created']);
    expect(read.body.steps.map((s: any) => s.status)).toEqual(['active', 'pending']);
  });

  it('stores only the SHA-256 of a signing token, never the token itself', async () => {
    const tenant = newTenant('send');
    const token = await sender(tenant);
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    await service.api('POST', sendPath(envelope.id), { token });
    const secret = await invitationToken(service, signers[0]!.email);
    await waitForStep(service, tenant, envelope.id, 1);

    const table = await wholeTableText(service);
    expect(table).toContain(sha256(secret));
    expect(table).not.toContain(secret);
  });

  it('409 when the envelope was already sent, and nothing more is written or mailed', async () => {
    const tenant = newTenant('send');
    const token = await sender(tenant);
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    expect((await service.api('POST', sendPath(envelope.id), { token })).status).toBe(200);
    await waitForStep(service, tenant, envelope.id, 1);
    const before = await footprint(service, tenant);

    const again = await service.api('POST', sendPath(envelope.id), { token });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
    expect(again.body.error.message).toContain('only a draft can be sent');
    expect((await footprint(service, tenant)).events).toBe(before.events);
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.sent')).toHaveLength(1);
    expect(await mailTo(service, signers[0]!.email)).toHaveLength(1);
  });

  it('403 for an auditor and for another sender of the tenant; the envelope stays a draft', async () => {
    const tenant = newTenant('send');
    const owner = await sender(tenant, 'sam');
    const { envelope, signers } = await createRouted(service, owner, tenant, [1]);
    const auditor = await service.token('auditor', { tenant, sub: 'audrey' });
    const other = await sender(tenant, 'olga');

    const byAuditor = await service.api('POST', sendPath(envelope.id), { token: auditor });
    expect(byAuditor.status).toBe(403);
    expect(byAuditor.body.error.code).toBe('forbidden');
    const byOther = await service.api('POST', sendPath(envelope.id), { token: other });
    expect(byOther.status).toBe(403);
    expect(byOther.body.error.code).toBe('forbidden');

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: owner });
    expect(read.body.status).toBe('draft');
    expect((await footprint(service, tenant)).events).toBe(1);
    expect(await mailTo(service, signers[0]!.email)).toEqual([]);
  });

  it('a retry with the same Idempotency-Key answers 200 with the same body; one envelope.sent', async () => {
    const tenant = newTenant('send');
    const token = await sender(tenant);
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    const headers = { 'idempotency-key': `send-${tenant}` };

    const first = await service.api('POST', sendPath(envelope.id), { token, headers });
    expect(first.status).toBe(200);
    await waitForStep(service, tenant, envelope.id, 1);
    const second = await service.api('POST', sendPath(envelope.id), { token, headers });
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);

    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.sent')).toHaveLength(1);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.invited')).toHaveLength(1);
    const invitations = (await outbox(service)).filter((m) => addressedTo(m, signers[0]!.email));
    expect(invitations).toHaveLength(1);
    // A different key is a different request: the envelope is no longer a draft.
    const other = await service.api('POST', sendPath(envelope.id), {
      token,
      headers: { 'idempotency-key': `other-${tenant}` },
    });
    expect(other.status).toBe(409);
  });
});
