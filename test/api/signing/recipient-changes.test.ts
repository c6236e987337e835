import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  invitationToken,
  mailTo,
  sendEnvelope,
  signAs,
  signer,
  uniqueEmail,
  waitForStatus,
} from '../../support/signing';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

async function sentOne(steps: number[] = [1]) {
  const tenant = `changes-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
  const routed = await createRouted(service, token, tenant, steps);
  await sendEnvelope(service, token, routed.envelope.id);
  return { ...routed, token, id: routed.envelope.id as string };
}

const path = (id: string, rid: string, action: string) => `/v1/envelopes/${id}/recipients/${rid}/${action}`;

describe('resend an invitation', () => {
  it('sends a new link; the old one stops working; the change is in the audit trail', async () => {
    const s = await sentOne();
    const r = s.signers[0]!;
    const old = await invitationToken(service, r.email);
    const res = await service.api('POST', path(s.id, r.id, 'resend'), { token: s.token });
    expect(res.status).toBe(200);

    const invitations = await mailTo(service, r.email, 'Please sign:');
    expect(invitations).toHaveLength(2);
    const fresh = await invitationToken(service, r.email);
    expect(fresh).not.toBe(old);
    const stale = await signer(service, 'GET', '/v1/signing/session', old);
    expect(stale.status).toBe(401);
    expect(stale.body.error.message).toMatch(/replaced by a newer one/);

    const resent = await eventsOfType(service, s.tenant, s.id, 'recipient.invitation_resent');
    expect(resent.map((e) => e.data)).toEqual([
      expect.objectContaining({ recipientId: r.id, email: r.email.toLowerCase(), revoked: 1 }),
    ]);
    // The running route is unaffected: the new link signs and the envelope completes.
    await signAs(service, fresh);
    await waitForStatus(service, s.token, s.id, 'completed');
  });

  it('refuses recipients who have not been invited or have signed, and other senders', async () => {
    const s = await sentOne([1, 2]);
    const [first, second] = s.signers;
    const notYet = await service.api('POST', path(s.id, second!.id, 'resend'), { token: s.token });
    expect(notYet.status).toBe(409);
    expect(notYet.body.error.message).toMatch(/not been invited yet/);

    await signAs(service, await invitationToken(service, first!.email));
    const signed = await service.api('POST', path(s.id, first!.id, 'resend'), { token: s.token });
    expect(signed.status).toBe(409);
    expect(signed.body.error.message).toMatch(/already signed/);

    const other = await service.token('sender', { tenant: s.tenant, sub: 'sender-2' });
    expect((await service.api('POST', path(s.id, second!.id, 'resend'), { token: other })).status).toBe(403);
    expect((await service.api('POST', path(s.id, 'nobody', 'resend'), { token: s.token })).status).toBe(404);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.invitation_resent')).toHaveLength(0);
  });
});

describe("correct a recipient's e-mail", () => {
  it('re-invites at the corrected address; the link sent to the wrong address stops working', async () => {
    const s = await sentOne();
    const r = s.signers[0]!;
    const wrongLink = await invitationToken(service, r.email);
    const corrected = uniqueEmail('corrected');
    const res = await service.api('POST', path(s.id, r.id, 'correct'), {
      token: s.token,
      body: { email: corrected, name: 'Ana María Ruiz' },
    });
    expect(res.status).toBe(200);
    expect(res.body.recipients[0]).toMatchObject({ email: corrected.toLowerCase(), name: 'Ana María Ruiz' });

    expect((await signer(service, 'GET', '/v1/signing/session', wrongLink)).status).toBe(401);
    const link = await invitationToken(service, corrected);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    expect(session.status).toBe(200);
    expect(session.body.recipient).toMatchObject({ email: corrected.toLowerCase(), name: 'Ana María Ruiz' });

    const events = await eventsOfType(service, s.tenant, s.id, 'recipient.email_corrected');
    expect(events.map((e) => e.data)).toEqual([
      { recipientId: r.id, from: r.email.toLowerCase(), to: corrected.toLowerCase(), name: 'Ana María Ruiz' },
    ]);
    expect(events[0]!.actor).toMatchObject({ kind: 'user', id: 'sender-1' });
  });

  it('corrects a draft without sending anything', async () => {
    const tenant = `draft-${Date.now()}`;
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [1]);
    const corrected = uniqueEmail('draft');
    const res = await service.api('POST', path(envelope.id, signers[0]!.id, 'correct'), {
      token,
      body: { email: corrected },
    });
    expect(res.status).toBe(200);
    expect(await mailTo(service, corrected)).toEqual([]);
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.invitation_resent')).toHaveLength(0);
  });

  it('refuses once the recipient has acted, an unchanged address, and a bad address; nothing changes', async () => {
    const s = await sentOne();
    const r = s.signers[0]!;
    const same = await service.api('POST', path(s.id, r.id, 'correct'), {
      token: s.token,
      body: { email: r.email },
    });
    expect(same.status).toBe(400);
    expect(same.body.error.message).toMatch(/already this recipient's address/);
    const bad = await service.api('POST', path(s.id, r.id, 'correct'), {
      token: s.token,
      body: { email: 'not-an-address' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.email');

    const link = await invitationToken(service, r.email);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });
    const acted = await service.api('POST', path(s.id, r.id, 'correct'), {
      token: s.token,
      body: { email: uniqueEmail('late') },
    });
    expect(acted.status).toBe(409);
    expect(acted.body.error.message).toMatch(/already acted/);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.email_corrected')).toHaveLength(0);
  });
});
