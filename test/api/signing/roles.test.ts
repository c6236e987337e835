import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { EnvelopeEvent } from '../../../functions/core/envelope';
import { startTestService, type TestService } from '../../support/service';
import { envelopeBody, newTenant, sha256 } from '../helpers';
import {
  eventsOfType,
  eventually,
  fieldBox,
  invitationToken,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signAs,
  signer,
  uniqueEmail,
  waitForExecution,
  waitForStatus,
  waitForStep,
} from '../../support/signing';

/**
 * Recipient roles through the local service: approvers, carbon copies and signing groups, alone
 * and in a mixed route, and the inputs that are refused.
 */

let service: TestService;

/** When armed, holds the first group member's signature until a second one arrives (or 3 s pass). */
const race = { armed: false, waiting: [] as (() => void)[] };

function gate(event: EnvelopeEvent): Promise<void> {
  if (!race.armed || event.type !== 'recipient.signed' || !event.data.group) return Promise.resolve();
  return new Promise((resolve) => {
    race.waiting.push(resolve);
    if (race.waiting.length >= 2) {
      race.armed = false;
      for (const release of race.waiting.splice(0)) release();
    } else {
      setTimeout(resolve, 3_000);
    }
  });
}

beforeAll(async () => {
  service = await startTestService({
    overrides: ({ envelopes }) => ({
      envelopes: new Proxy(envelopes, {
        get(target, prop) {
          if (prop === 'append') {
            return async (event: EnvelopeEvent) => {
              await gate(event);
              return target.append(event);
            };
          }
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }),
    }),
  });
});

afterAll(async () => {
  await service?.close();
});

const SESSION = '/v1/signing/session';
const SIGN = '/v1/signing/sign';
const APPROVE = '/v1/signing/approve';

async function sender(label: string) {
  const tenant = newTenant(label);
  const email = `sam.${tenant}@vendor.example`;
  const token = await service.token('sender', { tenant, sub: 'sam', email });
  return { tenant, token, email };
}

async function create(token: string, recipients: Record<string, unknown>[], title: string) {
  const body = await envelopeBody({ recipients, title });
  return service.api('POST', '/v1/envelopes', { token, body });
}

async function createAndSend(token: string, recipients: Record<string, unknown>[], title: string) {
  const res = await create(token, recipients, title);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await sendEnvelope(service, token, res.body.id);
  return res.body as Record<string, any>;
}

/** Opens the session and consents; returns the session. */
async function consent(token: string) {
  const session = await signer(service, 'GET', SESSION, token);
  expect(session.status, JSON.stringify(session.body)).toBe(200);
  const given = await signer(service, 'POST', '/v1/signing/consent', token, {
    disclosureVersion: session.body.disclosure.version,
  });
  expect(given.status, JSON.stringify(given.body)).toBe(200);
  return given.body as Record<string, any>;
}

const typed = (text: string) => ({ signature: { type: 'typed', text }, agree: true });

/** The subjects one address received, oldest first. */
async function subjects(email: string): Promise<string[]> {
  return (await mailTo(service, email)).map((m) => m.subject);
}

describe('approver', () => {
  it('approves without a signature, cannot sign, and the envelope completes', async () => {
    const { tenant, token } = await sender('approver');
    const s = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 1, fields: [fieldBox(0)] };
    const a = { name: 'Ana Approver', email: uniqueEmail('ana'), step: 1, role: 'approver' };
    const title = `Approved ${tenant}`;
    const envelope = await createAndSend(token, [s, a], title);
    expect(envelope.recipients[1]).toMatchObject({ role: 'approver', fields: [] });
    await waitForStep(service, tenant, envelope.id, 1);

    expect((await mailTo(service, a.email)).map((m) => m.subject)).toEqual([`Please approve: ${title}`]);
    const approverToken = await invitationToken(service, a.email);
    const signerToken = await invitationToken(service, s.email);
    const session = await consent(approverToken);
    expect(session.recipient.role).toBe('approver');
    expect(session.intent).toMatch(/approve/);
    await consent(signerToken);

    const wrongSign = await signer(service, 'POST', SIGN, approverToken, typed('Ana'));
    expect(wrongSign.status).toBe(409);
    expect(wrongSign.body.error.message).toMatch(/approve/);
    const wrongApprove = await signer(service, 'POST', APPROVE, signerToken, { agree: true });
    expect(wrongApprove.status).toBe(409);
    expect(wrongApprove.body.error.message).toMatch(/not to approve/);

    const approved = await signer(service, 'POST', APPROVE, approverToken, { agree: true });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.recipient.status).toBe('approved');
    expect((await readEnvelope(service, token, envelope.id)).status).toBe('sent');
    const again = await signer(service, 'POST', APPROVE, approverToken, { agree: true });
    expect(again.status).toBe(409);

    expect((await signer(service, 'POST', SIGN, signerToken, typed('Sol'))).status).toBe(200);
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    expect(done.recipients[1]).toMatchObject({ status: 'approved', approvedAt: expect.any(String) });
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    const [event] = await eventsOfType(service, tenant, envelope.id, 'recipient.approved');
    expect(event!.data).toMatchObject({
      recipientId: envelope.recipients[1].id,
      step: 1,
      authMethod: 'email',
    });
    expect(event!.actor.kind).toBe('recipient');
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.signed')).toHaveLength(1);
  });

  it('may decline like a signer, which ends the envelope', async () => {
    const { token } = await sender('approver-decline');
    const a = { name: 'Ana Approver', email: uniqueEmail('ana'), step: 1, role: 'approver' };
    const envelope = await createAndSend(token, [a], 'Approve or decline');
    const t = await invitationToken(service, a.email);
    await consent(t);
    const res = await signer(service, 'POST', '/v1/signing/decline', t, { reason: 'not approved' });
    expect(res.status).toBe(200);
    await waitForStatus(service, token, envelope.id, 'declined');
  });
});

describe('carbon copy', () => {
  it('is never invited, never blocks, and gets only the completion mail with the sealed PDF', async () => {
    const { tenant, token } = await sender('cc');
    const s = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 1, fields: [fieldBox(0)] };
    const cc = { name: 'Cora Copy', email: uniqueEmail('cora'), step: 1, role: 'carbon_copy' };
    const title = `Copied ${tenant}`;
    const envelope = await createAndSend(token, [s, cc], title);
    await waitForStep(service, tenant, envelope.id, 1);
    await signAs(service, await invitationToken(service, s.email));
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(done.recipients[1]).toMatchObject({ role: 'carbon_copy', status: 'created' });

    const mails = await eventually('the completion mail to the carbon copy', async () => {
      const theirs = await mailTo(service, cc.email);
      return theirs.length ? theirs : undefined;
    });
    expect(mails.map((m) => m.subject)).toEqual([`Completed: ${title}`]);
    const attachments = mails[0]!.attachments ?? [];
    expect(attachments).toHaveLength(1);
    expect(sha256(Buffer.from(attachments[0]!.content, 'base64'))).toBe(done.sealedDocuments[0].sha256);
    const invited = await eventsOfType(service, tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId)).toEqual([envelope.recipients[0].id]);
    const [notified] = await eventsOfType(service, tenant, envelope.id, 'envelope.parties_notified');
    expect(notified!.data.to).toContain(cc.email);
  });

  it('is told when the envelope is voided', async () => {
    const { tenant, token } = await sender('cc-void');
    const s = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 1, fields: [fieldBox(0)] };
    const cc = { name: 'Cora Copy', email: uniqueEmail('cora'), step: 1, role: 'carbon_copy' };
    const title = `Voided ${tenant}`;
    const envelope = await createAndSend(token, [s, cc], title);
    await waitForStep(service, tenant, envelope.id, 1);
    const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token,
      body: { reason: 'wrong terms' },
    });
    expect(voided.status).toBe(200);
    await waitForExecution(service, envelope.id, 'FAILED').catch(() => undefined);
    expect(
      await eventually('the void notice to the carbon copy', async () => {
        const s2 = await subjects(cc.email);
        return s2.length ? s2 : undefined;
      }),
    ).toEqual([`Voided: ${title}`]);
  });
});

describe('signing group', () => {
  const members = (label: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      name: `${label} Member ${i + 1}`,
      email: uniqueEmail(`${label}${i}`),
    }));

  it('invites every member; the first to sign wins; the others are told and their links stop', async () => {
    const { tenant, token } = await sender('group');
    const team = members('Ops', 3);
    const title = `Group ${tenant}`;
    const envelope = await createAndSend(
      token,
      [
        {
          id: 'ops',
          role: 'signer',
          step: 1,
          group: { name: 'Operations', members: team },
          fields: [fieldBox(0)],
        },
      ],
      title,
    );
    expect(envelope.recipients.map((r: any) => r.id)).toEqual(['ops-m1', 'ops-m2', 'ops-m3']);
    expect(envelope.recipients[0].group).toEqual({ id: 'ops', name: 'Operations' });
    await waitForStep(service, tenant, envelope.id, 1);
    const tokens = await Promise.all(team.map((m) => invitationToken(service, m.email)));
    expect(new Set(tokens).size).toBe(3);
    for (const m of team) expect(await subjects(m.email)).toEqual([`Please sign: ${title}`]);

    await consent(tokens[0]!);
    await signAs(service, tokens[1]!, { type: 'typed', text: team[1]!.name });
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    expect(done.recipients.map((r: any) => r.status)).toEqual(['superseded', 'signed', 'superseded']);

    const signed = await eventsOfType(service, tenant, envelope.id, 'recipient.signed');
    expect(signed).toHaveLength(1);
    expect(signed[0]!.data).toMatchObject({
      recipientId: 'ops-m2',
      memberEmail: team[1]!.email.toLowerCase(),
      group: { id: 'ops', name: 'Operations' },
    });
    for (const i of [0, 2]) {
      const session = await signer(service, 'GET', SESSION, tokens[i]!);
      expect([401, 410]).toContain(session.status);
      expect((await signer(service, 'POST', SIGN, tokens[i]!, typed('late'))).status).toBeGreaterThanOrEqual(
        401,
      );
      const notice = (await mailTo(service, team[i]!.email, 'Signed by another member')).at(0);
      expect(notice?.body.text).toContain(team[1]!.name);
    }
  });

  it('two members signing at the same moment: exactly one wins, the other gets 409', async () => {
    const { tenant, token } = await sender('group-race');
    const team = members('Race', 2);
    const envelope = await createAndSend(
      token,
      [{ step: 1, group: { name: 'Racers', members: team }, fields: [fieldBox(0)] }],
      'Race',
    );
    await waitForStep(service, tenant, envelope.id, 1);
    const tokens = await Promise.all(team.map((m) => invitationToken(service, m.email)));
    for (const t of tokens) await consent(t);
    race.armed = true;
    race.waiting = [];
    const answers = await Promise.all(
      tokens.map((t, i) => signer(service, 'POST', SIGN, t, typed(team[i]!.name))),
    );
    race.armed = false;
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.body.error.message).toContain('another member of the group signed');
    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.signed')).toHaveLength(1);
    await waitForStatus(service, token, envelope.id, 'completed', 30_000);
  });
});

describe('a mixed route', () => {
  it('step 1 signer and approver in parallel, step 2 a group, a carbon copy: completes', async () => {
    const { tenant, token } = await sender('mixed');
    const s = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 1, fields: [fieldBox(0)] };
    const a = { name: 'Ana Approver', email: uniqueEmail('ana'), step: 1, role: 'approver' };
    const team = [
      { name: 'Gus Group', email: uniqueEmail('gus') },
      { name: 'Gia Group', email: uniqueEmail('gia') },
    ];
    const cc = { name: 'Cora Copy', email: uniqueEmail('cora'), step: 2, role: 'carbon_copy' };
    const title = `Mixed ${tenant}`;
    const envelope = await createAndSend(
      token,
      [s, a, { id: 'legal', step: 2, group: { name: 'Legal', members: team }, fields: [fieldBox(1)] }, cc],
      title,
    );
    await waitForStep(service, tenant, envelope.id, 1);
    expect(await mailTo(service, team[0]!.email)).toEqual([]);
    await signAs(service, await invitationToken(service, s.email));
    const at = await invitationToken(service, a.email);
    await consent(at);
    expect((await signer(service, 'POST', APPROVE, at, { agree: true })).status).toBe(200);
    await waitForStep(service, tenant, envelope.id, 2);
    const gia = await invitationToken(service, team[1]!.email);
    await invitationToken(service, team[0]!.email);
    await signAs(service, gia, { type: 'typed', text: 'Gia Group' });
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(done.steps.map((x: any) => x.status)).toEqual(['completed', 'completed']);
    expect(
      await eventually('the completion mail to the carbon copy', async () => {
        const got = await subjects(cc.email);
        return got.length ? got : undefined;
      }),
    ).toEqual([`Completed: ${title}`]);
    expect(await subjects(team[0]!.email)).toEqual(
      expect.arrayContaining([`Please sign: ${title}`, `Signed by another member: ${title}`]),
    );
  });
});

describe('refused routes', () => {
  const member = (label: string) => ({ name: label, email: `${label.toLowerCase()}@customer.example` });
  const person = (label: string, step = 1, extra: Record<string, unknown> = {}) => ({
    name: label,
    email: `${label.toLowerCase()}@customer.example`,
    step,
    ...extra,
  });
  const cases: [string, Record<string, unknown>[], string, RegExp][] = [
    ['no signer or approver', [person('Cc', 1, { role: 'carbon_copy' })], 'body.recipients', /no signer/],
    [
      'a step with only carbon copies',
      [person('Sol'), person('Cc', 2, { role: 'carbon_copy' })],
      'body.recipients',
      /step 2 has no one who signs or approves/,
    ],
    ['an empty step', [person('Sol'), person('Ana', 3)], 'body.recipients', /step 2 has no recipient/],
    [
      'a duplicate recipient in one step',
      [person('Sol'), person('Sol')],
      'body.recipients[1].email',
      /appears twice in step 1/,
    ],
    [
      'a duplicate member in a group',
      [{ step: 1, group: { name: 'G', members: [member('Gus'), member('Gus')] } }],
      'body.recipients[0].group.members[1].email',
      /appears twice/,
    ],
    [
      'a group member who is also a signer of the step',
      [person('Gus'), { step: 1, group: { name: 'G', members: [member('Gia'), member('Gus')] } }],
      'body.recipients[1].group.members[1].email',
      /appears twice/,
    ],
    [
      'a signing group with no members',
      [{ step: 1, group: { name: 'G', members: [] } }],
      'body.recipients[0].group.members',
      /at least 2 members/,
    ],
    [
      'a signing group of one',
      [{ step: 1, group: { name: 'G', members: [member('Gus')] } }],
      'body.recipients[0].group.members',
      /at least 2 members/,
    ],
    [
      'an approver with fields',
      [person('Ana', 1, { role: 'approver', fields: [fieldBox(0)] })],
      'body.recipients[0].fields',
      /no fields/,
    ],
    [
      'a carbon copy with fields',
      [person('Sol'), person('Cc', 1, { role: 'carbon_copy', fields: [fieldBox(0)] })],
      'body.recipients[1].fields',
      /no fields/,
    ],
    [
      'a group that is not a signer',
      [{ step: 1, role: 'approver', group: { name: 'G', members: [member('Gus'), member('Gia')] } }],
      'body.recipients[0].role',
      /signer/,
    ],
    [
      'a group with a name and email too',
      [{ ...person('Sol'), group: { name: 'G', members: [member('Gus'), member('Gia')] } }],
      'body.recipients[0].group',
      /either name and email, or a group/,
    ],
    ['a person without an address', [{ name: 'Sol', step: 1 }], 'body.recipients[0].email', /required/],
    ['an unknown role', [person('Sol', 1, { role: 'witness' })], 'body.recipients[0].role', /.+/],
  ];

  it.each(cases)('%s: 400 naming the problem, nothing written', async (_label, recipients, path, message) => {
    const { token } = await sender('refused');
    const res = await create(token, recipients, 'Refused');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    const details = (res.body.error.details ?? []) as { path: string; message: string }[];
    expect(details.map((d) => d.path)).toContain(path);
    expect(`${res.body.error.message} ${details.map((d) => d.message).join(' ')}`).toMatch(message);
    const list = await service.api('GET', '/v1/envelopes', { token });
    expect(list.body.items).toEqual([]);
  });
});
