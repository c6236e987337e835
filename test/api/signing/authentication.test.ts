import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/adapters/system';
import { listStored } from '../helpers';
import { startTestService, type ApiResult, type TestService } from '../../support/service';
import {
  createRouted,
  events,
  eventsOfType,
  invitationToken,
  mailCode,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signAs,
  signer,
  smsCode,
  smsOutbox,
  uniqueEmail,
  wholeTableText,
} from '../../support/signing';

/**
 * Signer authentication through the HTTP adapter and the real service: access codes given out of
 * band, one-time codes by SMS (the local outbox) and by e-mail, the prompt a link shows until its
 * code is entered, the lock after 5 wrong codes and the resend that lifts it.
 */

const clock = fixedClock(new Date());
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service?.close());

let counter = 0;
const uniquePhone = () =>
  `+1555${String(process.pid % 1000).padStart(3, '0')}${String(counter++ % 10000).padStart(4, '0')}`;
const newTenant = () => `auth-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

async function sentWith(auth?: Record<string, unknown>) {
  const tenant = newTenant();
  const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
  const routed = await createRouted(service, token, tenant, [{ step: 1, ...(auth ? { auth } : {}) }], {
    title: 'Confidential maintenance terms',
    message: 'Private note for the signer',
  });
  await sendEnvelope(service, token, routed.envelope.id);
  const r = routed.signers[0]!;
  const link = await invitationToken(service, r.email);
  return { ...routed, token, id: routed.envelope.id as string, r, link };
}

const verify = (link: string, code: string) =>
  signer(service, 'POST', '/v1/signing/auth/verify', link, { code });
const sendCode = (link: string) => signer(service, 'POST', '/v1/signing/auth/send', link);
const resend = (s: { id: string; token: string; r: { id: string } }) =>
  service.api('POST', `/v1/envelopes/${s.id}/recipients/${s.r.id}/resend`, { token: s.token });

/** Every signer call that needs an authenticated link. */
async function gatedCalls(link: string): Promise<ApiResult[]> {
  return [
    await signer(service, 'GET', '/v1/signing/document', link),
    await signer(service, 'POST', '/v1/signing/consent', link, { disclosureVersion: '1' }),
    await signer(service, 'POST', '/v1/signing/consent/withdraw', link),
    await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'Mallory' },
      agree: true,
    }),
    await signer(service, 'POST', '/v1/signing/decline', link, { reason: 'no' }),
  ];
}

describe('access code given out of band', () => {
  it('the link alone opens only the prompt; the right code opens it; the procedure is in the audit trail', async () => {
    const accessCode = `Zebra-${Math.random().toString(36).slice(2, 10)}`;
    const s = await sentWith({ method: 'access_code', code: accessCode });
    const answers: unknown[] = [s.envelope];

    const prompt = await signer(service, 'GET', '/v1/signing/session', s.link);
    answers.push(prompt.body);
    expect(prompt.status).toBe(200);
    expect(prompt.body).toEqual({ authRequired: { method: 'access_code', attemptsLeft: 5, locked: false } });
    const promptText = JSON.stringify(prompt.body);
    for (const hidden of ['Confidential', 'Private note', 'msa.pdf', s.r.email]) {
      expect(promptText).not.toContain(hidden);
    }
    for (const res of await gatedCalls(s.link)) {
      answers.push(res.body);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('auth_required');
      expect(res.body.error.message).toMatch(/a code is required/);
    }
    // Nothing was recorded for the link alone: no view, no consent, no decline.
    expect((await events(service, s.tenant, s.id)).map((e) => e.type)).toEqual([
      'envelope.created',
      'envelope.sent',
      'recipient.invited',
    ]);

    const ok = await verify(s.link, accessCode);
    answers.push(ok.body);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ authenticated: true, method: 'access_code' });
    const session = await signer(service, 'GET', '/v1/signing/session', s.link);
    answers.push(session.body);
    expect(session.status).toBe(200);
    expect(session.body.envelope.title).toBe('Confidential maintenance terms');
    expect(session.body.authentication).toEqual({ method: 'access_code', verifiedAt: expect.any(String) });
    answers.push((await signAs(service, s.link)).body);

    const [authenticated] = await eventsOfType(service, s.tenant, s.id, 'recipient.authenticated');
    expect(authenticated?.data).toEqual({ recipientId: s.r.id, method: 'access_code' });
    expect(authenticated?.actor).toMatchObject({ kind: 'recipient', id: s.r.id, ip: expect.any(String) });
    expect(authenticated?.actor.userAgent).toBeTruthy();
    const [signed] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(signed?.data.authMethod).toBe('access_code');

    const audit = await service.api('GET', `/v1/envelopes/${s.id}/audit`, { token: s.token });
    answers.push(audit.body, await readEnvelope(service, s.token, s.id));
    expect(audit.body.verified).toBe(true);
    const created = audit.body.events[0];
    expect(created.data.recipients[0].auth).toEqual({ method: 'access_code' });

    // The code is in no answer and nowhere in the table in clear.
    for (const answer of answers) expect(JSON.stringify(answer)).not.toContain(accessCode);
    expect(await wholeTableText(service)).not.toContain(accessCode);
  });

  it('wrong codes name the attempts left; the 5th locks; a resend lifts the lock with a new link', async () => {
    const accessCode = 'correct-horse-battery';
    const s = await sentWith({ method: 'access_code', code: accessCode });
    for (let left = 4; left >= 1; left--) {
      const wrong = await verify(s.link, 'not-the-code');
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toBe(
        `the code is not right; ${left} attempt${left === 1 ? '' : 's'} left`,
      );
    }
    const fifth = await verify(s.link, 'not-the-code');
    expect(fifth.status).toBe(423);
    expect(fifth.body.error.message).toMatch(/locked until the sender sends you a new invitation/);
    // Locked: even the right code is refused, and the prompt says so.
    expect((await verify(s.link, accessCode)).status).toBe(423);
    const prompt = await signer(service, 'GET', '/v1/signing/session', s.link);
    expect(prompt.body.authRequired).toMatchObject({ locked: true, attemptsLeft: 0 });
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.auth_failed')).toHaveLength(5);
    const [locked] = await eventsOfType(service, s.tenant, s.id, 'recipient.auth_locked');
    expect(locked?.data).toEqual({ recipientId: s.r.id, method: 'access_code', attempts: 5 });
    expect((await readEnvelope(service, s.token, s.id)).recipients[0].auth).toEqual({
      method: 'access_code',
      locked: true,
      failedAttempts: 5,
    });

    expect((await resend(s)).status).toBe(200);
    const fresh = await invitationToken(service, s.r.email);
    expect(fresh).not.toBe(s.link);
    expect((await verify(s.link, accessCode)).status).toBe(401); // the old link was revoked
    const fresher = await signer(service, 'GET', '/v1/signing/session', fresh);
    expect(fresher.body).toEqual({ authRequired: { method: 'access_code', attemptsLeft: 5, locked: false } });
    expect((await verify(fresh, accessCode)).status).toBe(200);
    await signAs(service, fresh);
  });

  it('10 parallel wrong guesses: exactly 5 are counted, then the recipient is locked', async () => {
    const accessCode = 'parallel-right-code';
    const s = await sentWith({ method: 'access_code', code: accessCode });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => verify(s.link, `guess-${i}`)));
    for (const a of answers) expect([401, 409, 423]).toContain(a.status);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(4);
    const failed = await eventsOfType(service, s.tenant, s.id, 'recipient.auth_failed');
    expect(failed.map((e) => e.data.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.auth_locked')).toHaveLength(1);
    expect((await verify(s.link, accessCode)).status).toBe(423);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.auth_failed')).toHaveLength(5);
  });
});

describe('one-time code by SMS', () => {
  it('sends a 6-digit code to the phone; a wrong code names the attempts left; the right one opens the link', async () => {
    const phone = uniquePhone();
    const s = await sentWith({ method: 'sms', phone });
    const prompt = await signer(service, 'GET', '/v1/signing/session', s.link);
    expect(prompt.body).toEqual({
      authRequired: {
        method: 'sms',
        destinationHint: `+1******${phone.slice(-4)}`,
        attemptsLeft: 5,
        locked: false,
      },
    });
    expect((await gatedCalls(s.link)).map((r) => r.status)).toEqual([403, 403, 403, 403, 403]);

    const sent = await sendCode(s.link);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      sent: true,
      method: 'sms',
      destinationHint: `+1******${phone.slice(-4)}`,
    });
    expect(new Date(sent.body.expiresAt).getTime() - clock.now().getTime()).toBe(10 * 60_000);
    const code = await smsCode(service, phone);
    expect(code).toMatch(/^\d{6}$/);

    const wrong = await verify(s.link, code === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/4 attempts left/);
    const ok = await verify(s.link, code);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ authenticated: true, method: 'sms' });
    await signAs(service, s.link);

    const [codeSent] = await eventsOfType(service, s.tenant, s.id, 'recipient.auth_code_sent');
    expect(codeSent?.data).toMatchObject({
      recipientId: s.r.id,
      method: 'sms',
      to: `+1******${phone.slice(-4)}`,
    });
    expect(JSON.stringify(await events(service, s.tenant, s.id))).not.toContain(code);
    const [signed] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(signed?.data.authMethod).toBe('sms');
    expect((await readEnvelope(service, s.token, s.id)).recipients[0].auth).toMatchObject({
      method: 'sms',
      phone: `+1******${phone.slice(-4)}`,
    });
  });

  it('a code expires after 10 minutes, with a clear message; a new code works', async () => {
    const phone = uniquePhone();
    const s = await sentWith({ method: 'sms', phone });
    expect((await sendCode(s.link)).status).toBe(200);
    const code = await smsCode(service, phone);
    clock.advance(10 * 60_000);
    const late = await verify(s.link, code);
    expect(late.status).toBe(410);
    expect(late.body.error.message).toMatch(
      /this code expired at .* valid for 10 minutes.*ask for a new one/,
    );
    // An expired code is not a guess: nothing counted.
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.auth_failed')).toHaveLength(0);

    expect((await sendCode(s.link)).status).toBe(200);
    const fresh = await smsCode(service, phone);
    clock.advance(10 * 60_000 - 1000);
    expect((await verify(s.link, fresh)).status).toBe(200);
  });

  it('locks after 5 wrong codes; a resend lifts the lock and makes the outstanding code invalid', async () => {
    const phone = uniquePhone();
    const s = await sentWith({ method: 'sms', phone });
    expect((await sendCode(s.link)).status).toBe(200);
    const code = await smsCode(service, phone);
    const wrongCode = code === '999999' ? '888888' : '999999';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await verify(s.link, wrongCode)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    expect((await verify(s.link, code)).status).toBe(423);
    expect((await sendCode(s.link)).status).toBe(423);
    const [locked] = await eventsOfType(service, s.tenant, s.id, 'recipient.auth_locked');
    expect(locked?.data).toEqual({ recipientId: s.r.id, method: 'sms', attempts: 5 });

    expect((await resend(s)).status).toBe(200);
    const fresh = await invitationToken(service, s.r.email);
    const stale = await verify(fresh, code);
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/no code has been sent/);
    expect((await sendCode(fresh)).status).toBe(200);
    expect((await verify(fresh, await smsCode(service, phone))).status).toBe(200);
    await signAs(service, fresh);
  });
});

describe('one-time code by e-mail', () => {
  it('mails a code (without a link) that opens the link', async () => {
    const s = await sentWith({ method: 'email_code' });
    const prompt = await signer(service, 'GET', '/v1/signing/session', s.link);
    expect(prompt.body.authRequired).toMatchObject({
      method: 'email_code',
      destinationHint: `s***@customer.example`,
    });
    const sent = await sendCode(s.link);
    expect(sent.status).toBe(200);
    const [mail] = await mailTo(service, s.r.email, 'Your verification code');
    expect(mail?.body.text).not.toMatch(/\/sign#t=/);
    const code = await mailCode(service, s.r.email);
    expect((await verify(s.link, code)).status).toBe(200);
    // A one-time code works once, and only on the link it was entered on.
    const again = await verify(s.link, code);
    expect(again.status).toBe(200);
    await signAs(service, s.link);
    const [authenticated] = await eventsOfType(service, s.tenant, s.id, 'recipient.authenticated');
    expect(authenticated?.data).toEqual({ recipientId: s.r.id, method: 'email_code' });
  });
});

describe('the e-mail link alone', () => {
  it('opens at once, records the procedure with the signature, and has no code to send', async () => {
    const s = await sentWith();
    const session = await signer(service, 'GET', '/v1/signing/session', s.link);
    expect(session.body.authentication).toEqual({ method: 'email' });
    expect((await sendCode(s.link)).status).toBe(409);
    await signAs(service, s.link);
    const [signed] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(signed?.data.authMethod).toBe('email');
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.authenticated')).toHaveLength(0);
  });
});

describe('bad input', () => {
  it.each([
    ['an SMS code without a phone', { method: 'sms' }, 'body.recipients[0].auth.phone'],
    [
      'an SMS code with a phone not in E.164 form',
      { method: 'sms', phone: '555-0123' },
      'body.recipients[0].auth.phone',
    ],
    [
      'an access code of 5 characters',
      { method: 'access_code', code: 'abcde' },
      'body.recipients[0].auth.code',
    ],
    ['an unknown method', { method: 'fingerprint' }, 'body.recipients[0].auth.method'],
  ])('%s: 400 naming the field, and nothing written', async (_, auth, path) => {
    const tenant = newTenant();
    const token = await service.token('sender', { tenant, sub: 'sender-1' });
    const smsBefore = (await smsOutbox(service)).length;
    const email = uniqueEmail('bad');
    await expect(createRouted(service, token, tenant, [{ step: 1, email, auth }])).rejects.toThrow(
      /create answered 400/,
    );
    const res = await service.api('POST', '/v1/envelopes', {
      token,
      body: {
        title: 'x',
        documents: [{ name: 'a.pdf', contentBase64: 'JVBERi0=' }],
        recipients: [{ name: 'A', email, step: 1, auth }],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    expect(await listStored(service, tenant)).toEqual([]);
    expect((await smsOutbox(service)).length).toBe(smsBefore);
  });
});
