import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/adapters/system';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventually,
  eventsOfType,
  execution,
  inbox,
  inboxReaches,
  invitationToken,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signAs,
  signer,
  smsCode,
  uniqueEmail,
  waitForStatus,
  type SignerInput,
} from '../../support/signing';

/**
 * Reassign (by the sender) and delegate (by the recipient, from their link): the part passes to
 * another person in the running route, only when the tenant allows it.
 */

const clock = fixedClock(new Date());
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service.close());

const path = (id: string, rid: string) => `/v1/envelopes/${id}/recipients/${rid}/reassign`;

/** A tenant whose admin set the given recipient-change permissions, and its sender. */
async function tenant(label: string, allow: { senderMayReassign?: boolean; recipientMayDelegate?: boolean }) {
  const id = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const admin = await service.token('admin', { tenant: id, sub: 'admin-1' });
  const email = uniqueEmail('sender');
  const token = await service.token('sender', { tenant: id, sub: 'sender-1', email });
  if (Object.keys(allow).length) {
    const res = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: { recipientChanges: allow },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  return { id, token, email };
}

async function sent(t: { id: string; token: string }, signers: (number | SignerInput)[], settings = {}) {
  const routed = await createRouted(service, t.token, t.id, signers, { settings });
  await sendEnvelope(service, t.token, routed.envelope.id);
  return { ...routed, id: routed.envelope.id as string };
}

describe('reassign by the sender', () => {
  it('is refused (403, naming the setting) until an admin allows it; nothing changes', async () => {
    const t = await tenant('no-reassign', {});
    const s = await sent(t, [1]);
    const r = s.signers[0]!;
    const res = await service.api('POST', path(s.id, r.id), {
      token: t.token,
      body: { name: 'Rui Costa', email: uniqueEmail('rui'), reason: 'On leave' },
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/recipientChanges\.senderMayReassign/);
    expect(await eventsOfType(service, t.id, s.id, 'recipient.reassigned')).toEqual([]);
    expect(
      (await signer(service, 'GET', '/v1/signing/session', await invitationToken(service, r.email))).status,
    ).toBe(200);
  });

  it('an invited signer: the new person is invited at once, the previous one told and locked out; it completes', async () => {
    const t = await tenant('reassign', { senderMayReassign: true });
    const s = await sent(t, [1, 2]);
    const [a, b] = s.signers as [(typeof s.signers)[0], (typeof s.signers)[0]];
    const oldLink = await invitationToken(service, a.email);
    // The previous person had opened the link: that does not carry over.
    expect((await signer(service, 'GET', '/v1/signing/session', oldLink)).status).toBe(200);

    const rui = uniqueEmail('rui');
    const res = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: { name: 'Rui Costa', email: rui, reason: 'Ana is on leave' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const view = res.body.recipients.find((x: any) => x.id === a.id);
    expect(view).toMatchObject({ name: 'Rui Costa', email: rui.toLowerCase(), status: 'sent' });
    expect(view.viewedAt).toBeUndefined();
    expect(view.reassignedFrom).toEqual([
      {
        name: a.name,
        email: a.email.toLowerCase(),
        at: expect.any(String),
        by: 'sender',
        reason: 'Ana is on leave',
      },
    ]);

    const stale = await signer(service, 'GET', '/v1/signing/session', oldLink);
    expect(stale.status).toBe(401);
    const invitation = (await mailTo(service, rui, 'Please sign:'))[0]!;
    expect(invitation.body.text).toContain(
      `reassigned this request to you from ${a.name}: "Ana is on leave"`,
    );
    const ruiLink = await invitationToken(service, rui);
    const session = await signer(service, 'GET', '/v1/signing/session', ruiLink);
    expect(session.body.recipient).toMatchObject({ name: 'Rui Costa', email: rui.toLowerCase() });

    await signAs(service, ruiLink);
    await signAs(service, await invitationToken(service, b.email));
    await waitForStatus(service, t.token, s.id, 'completed');

    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Reassigned']);
    expect(await inboxReaches(service, rui, 2)).toEqual(['Please sign', 'Completed']);
    const [event] = await eventsOfType(service, t.id, s.id, 'recipient.reassigned');
    expect(event).toMatchObject({
      actor: { kind: 'user', id: 'sender-1' },
      data: {
        recipientId: a.id,
        from: { name: a.name, email: a.email.toLowerCase() },
        to: { name: 'Rui Costa', email: rui.toLowerCase() },
        reason: 'Ana is on leave',
        by: 'sender',
      },
    });
    const signed = await eventsOfType(service, t.id, s.id, 'recipient.signed');
    expect(signed.find((e) => e.data.recipientId === a.id)!.actor).toMatchObject({
      email: rui.toLowerCase(),
    });
    const audit = await service.api('GET', `/v1/envelopes/${s.id}/audit`, { token: t.token });
    expect(audit.body.verified).toBe(true);
  });

  it('a part whose step has not started: nobody is mailed now, and the new person is invited when it starts', async () => {
    const t = await tenant('reassign-later', { senderMayReassign: true });
    const s = await sent(t, [1, 2]);
    const [a, b] = s.signers as [(typeof s.signers)[0], (typeof s.signers)[0]];
    const vic = uniqueEmail('vic');
    const res = await service.api('POST', path(s.id, b.id), {
      token: t.token,
      body: { name: 'Vic Lane', email: vic, reason: 'Vic signs for the vendor now' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await mailTo(service, vic)).toEqual([]);

    await signAs(service, await invitationToken(service, a.email));
    await signAs(service, await invitationToken(service, vic));
    await waitForStatus(service, t.token, s.id, 'completed');
    // The previous person never had the request, so is not told anything.
    expect(await mailTo(service, b.email)).toEqual([]);
    expect(await inboxReaches(service, vic, 2)).toEqual(['Please sign', 'Completed']);
  });

  it('reminders after the change go to the new person only', async () => {
    const t = await tenant('reassign-remind', { senderMayReassign: true });
    const s = await sent(t, [1], { reminders: { firstAfterHours: 2, everyHours: 2, max: 3 } });
    const a = s.signers[0]!;
    await invitationToken(service, a.email);
    const rui = uniqueEmail('rui');
    const res = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: { name: 'Rui Costa', email: rui, reason: 'Handover' },
    });
    expect(res.status).toBe(200);
    const wait = await eventually('the route to wait', () => {
      const run = execution(service, s.id);
      return run ? service.runner.pendingTokens(run.executionId)[0] : undefined;
    });
    clock.set(wait.deadline);
    expect(service.runner.checkDeadlines()).toBe(1);
    expect(await inboxReaches(service, rui, 2)).toEqual(['Please sign', 'Reminder']);
    expect(await inbox(service, a.email)).toEqual(['Please sign', 'Reassigned']);
  });

  it("an SMS part needs the new person's phone; given it, their code goes there", async () => {
    const t = await tenant('reassign-sms', { senderMayReassign: true });
    const s = await sent(t, [{ step: 1, auth: { method: 'sms', phone: '+15555550101' } }]);
    const a = s.signers[0]!;
    const rui = uniqueEmail('rui');
    const missing = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: { name: 'Rui Costa', email: rui, reason: 'Handover' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details[0].path).toBe('body.auth');
    expect(missing.body.error.message).toMatch(/SMS code to the previous person's phone/);
    const badPhone = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: { name: 'Rui Costa', email: rui, reason: 'Handover', auth: { method: 'sms', phone: '555-0102' } },
    });
    expect(badPhone.status).toBe(400);
    expect(badPhone.body.error.details[0].path).toBe('body.auth.phone');
    expect(await eventsOfType(service, t.id, s.id, 'recipient.reassigned')).toEqual([]);

    const ok = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: {
        name: 'Rui Costa',
        email: rui,
        reason: 'Handover',
        auth: { method: 'sms', phone: '+15555550102' },
      },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const link = await invitationToken(service, rui);
    expect((await signer(service, 'POST', '/v1/signing/auth/send', link)).status).toBe(200);
    const code = await smsCode(service, '+15555550102');
    expect((await signer(service, 'POST', '/v1/signing/auth/verify', link, { code })).status).toBe(200);
    await signAs(service, link);
    await waitForStatus(service, t.token, s.id, 'completed');
    const [event] = await eventsOfType(service, t.id, s.id, 'recipient.reassigned');
    expect(event!.data.auth).toEqual({ method: 'sms', phone: '+15555550102' });
  });

  it('refuses the current recipient, someone already in the step, a signed part and an ended envelope; nothing changes', async () => {
    const t = await tenant('reassign-bad', { senderMayReassign: true });
    const s = await sent(t, [1, 1, 2]);
    const [a, b] = s.signers as [(typeof s.signers)[0], (typeof s.signers)[0]];
    const ask = (rid: string, body: Record<string, unknown>) =>
      service.api('POST', path(s.id, rid), {
        token: t.token,
        body: { name: 'X', reason: 'Because', ...body },
      });

    const self = await ask(a.id, { email: a.email.toUpperCase() });
    expect(self.status).toBe(400);
    expect(self.body.error.details[0].path).toBe('body.email');
    expect(self.body.error.message).toMatch(/already has this part/);
    const clash = await ask(a.id, { email: b.email });
    expect(clash.status).toBe(400);
    expect(clash.body.error.message).toMatch(new RegExp(`already recipient ${b.id} in step 1`));
    const noReason = await service.api('POST', path(s.id, a.id), {
      token: t.token,
      body: { name: 'X', email: uniqueEmail('x') },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: any) => d.path)).toContain('body.reason');

    await signAs(service, await invitationToken(service, a.email));
    const done = await ask(a.id, { email: uniqueEmail('late') });
    expect(done.status).toBe(409);
    expect(done.body.error.message).toMatch(/already signed/);

    const other = await service.token('sender', { tenant: t.id, sub: 'sender-2' });
    const foreign = await service.api('POST', path(s.id, b.id), {
      token: other,
      body: { name: 'X', email: uniqueEmail('x'), reason: 'Because' },
    });
    expect(foreign.status).toBe(403);

    expect(
      (await service.api('POST', `/v1/envelopes/${s.id}/void`, { token: t.token, body: { reason: 'Stop' } }))
        .status,
    ).toBe(200);
    const ended = await ask(b.id, { email: uniqueEmail('after') });
    expect(ended.status).toBe(409);
    expect(ended.body.error.message).toMatch(/voided/);
    expect(await eventsOfType(service, t.id, s.id, 'recipient.reassigned')).toEqual([]);
  });

  it('a signature racing a reassignment: exactly one of them wins', async () => {
    const t = await tenant('reassign-race', { senderMayReassign: true });
    for (let round = 0; round < 3; round++) {
      const s = await sent(t, [1, 1]);
      const a = s.signers[0]!;
      const link = await invitationToken(service, a.email);
      const session = await signer(service, 'GET', '/v1/signing/session', link);
      await signer(service, 'POST', '/v1/signing/consent', link, {
        disclosureVersion: session.body.disclosure.version,
      });
      const [signed, reassigned] = await Promise.all([
        signer(service, 'POST', '/v1/signing/sign', link, {
          signature: { type: 'typed', text: 'Ana' },
          agree: true,
        }),
        service.api('POST', path(s.id, a.id), {
          token: t.token,
          body: { name: 'Rui Costa', email: uniqueEmail('rui'), reason: 'Handover' },
        }),
      ]);
      expect([signed.status, reassigned.status].filter((x) => x === 200)).toHaveLength(1);
      const view = await readEnvelope(service, t.token, s.id);
      const r = view.recipients.find((x: any) => x.id === a.id);
      if (signed.status === 200) {
        expect(reassigned.status).toBe(409);
        expect(r).toMatchObject({ status: 'signed', email: a.email.toLowerCase() });
      } else {
        expect(signed.status).toBe(401);
        expect(r).toMatchObject({ status: 'sent', name: 'Rui Costa' });
      }
    }
  });
});

describe('delegate by the recipient', () => {
  const delegateAs = (link: string, body: Record<string, unknown>) =>
    signer(service, 'POST', '/v1/signing/delegate', link, body);

  it('is refused (403) unless the tenant allows it', async () => {
    const t = await tenant('no-delegate', { senderMayReassign: true });
    const s = await sent(t, [1]);
    const link = await invitationToken(service, s.signers[0]!.email);
    const res = await delegateAs(link, { name: 'Rui', email: uniqueEmail('rui'), reason: 'Not mine' });
    expect(res.status).toBe(403);
    expect(await eventsOfType(service, t.id, s.id, 'recipient.reassigned')).toEqual([]);
  });

  it('passes the part on: the delegate consents and signs, the delegator and the sender are told', async () => {
    const t = await tenant('delegate', { recipientMayDelegate: true });
    const s = await sent(t, [1]);
    const a = s.signers[0]!;
    const link = await invitationToken(service, a.email);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });

    const lee = uniqueEmail('lee');
    const res = await delegateAs(link, { name: 'Lee Park', email: lee, reason: 'Lee has signing authority' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ delegatedTo: { name: 'Lee Park', email: lee.toLowerCase() } });
    expect((await signer(service, 'GET', '/v1/signing/session', link)).status).toBe(401);

    const leeLink = await invitationToken(service, lee);
    expect((await mailTo(service, lee, 'Please sign:'))[0]!.body.text).toContain(
      `${a.name} <${a.email.toLowerCase()}> passed this request on to you: "Lee has signing authority"`,
    );
    // Consent is personal: the delegate must give their own before signing.
    const early = await signer(service, 'POST', '/v1/signing/sign', leeLink, {
      signature: { type: 'typed', text: 'Lee' },
      agree: true,
    });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/consent/);
    await signAs(service, leeLink);
    await waitForStatus(service, t.token, s.id, 'completed');

    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Passed on']);
    expect(await inboxReaches(service, lee, 2)).toEqual(['Please sign', 'Completed']);
    expect(await inboxReaches(service, t.email, 3)).toEqual([
      `Delegated by ${a.name}`,
      'Signed by Lee Park',
      'Completed',
    ]);
    const [event] = await eventsOfType(service, t.id, s.id, 'recipient.reassigned');
    expect(event).toMatchObject({
      actor: { kind: 'recipient', id: a.id, email: a.email.toLowerCase() },
      data: { by: 'recipient', reason: 'Lee has signing authority', to: { email: lee.toLowerCase() } },
    });
  });

  it('is refused for a part secured by an access code (only the sender can reassign it) and to oneself', async () => {
    const t = await tenant('delegate-code', { recipientMayDelegate: true });
    const s = await sent(t, [1, { step: 1, auth: { method: 'access_code', code: 'blue-heron-42' } }]);
    const [a, b] = s.signers as [(typeof s.signers)[0], (typeof s.signers)[0]];
    const linkB = await invitationToken(service, b.email);
    expect(
      (await signer(service, 'POST', '/v1/signing/auth/verify', linkB, { code: 'blue-heron-42' })).status,
    ).toBe(200);
    const coded = await delegateAs(linkB, { name: 'Rui', email: uniqueEmail('rui'), reason: 'Busy' });
    expect(coded.status).toBe(409);
    expect(coded.body.error.message).toMatch(/only the sender can reassign it/);

    const linkA = await invitationToken(service, a.email);
    const self = await delegateAs(linkA, { name: a.name, email: a.email, reason: 'Me' });
    expect(self.status).toBe(400);
    expect(self.body.error.details[0].path).toBe('body.email');
    expect(await eventsOfType(service, t.id, s.id, 'recipient.reassigned')).toEqual([]);
  });
});
