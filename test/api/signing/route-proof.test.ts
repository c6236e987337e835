import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, type FixedClock } from '../../../functions/adapters/system';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import { TaskTokenExpiredError } from '../../../functions/core/errors';
import type { WaitRecord } from '../../../functions/core/ports';
import { releaseWait } from '../../../functions/core/signing/signer-actions';
import type { PendingWait } from '../../../functions/local/workflow/token-registry';
import { DOCUMENTS_BUCKET, envelopeBody, objectKeys, recomputeHash, s3 } from '../helpers';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  eventually,
  execution,
  fieldBox,
  inbox,
  invitationToken,
  LINK,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signAs,
  signer,
  uniqueEmail,
  waitForExecution,
  waitForStatus,
  type Party,
} from '../../support/signing';

/**
 * Proof items of the signing route, end to end through the public API, the local outbox and the
 * local runner's token registry: what each party receives on every branch of the route, declines
 * and voids that end it, a signature that lands while the waiting task is being replaced,
 * duplicate task successes, and a restart with reminders pending. Time never passes by itself: a
 * fixed clock is moved to the route's next deadline and the registry is told to look.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SESSION = '/v1/signing/session';

const clock = fixedClock(new Date());

/**
 * When `envelopeId` is set, the route's next `putWait` for that envelope is held until released:
 * the moment between the old task token timing out and the new one being stored.
 */
const storing = { envelopeId: undefined as string | undefined, held: [] as (() => void)[] };

/** When armed, every SendTaskSuccess is sent twice at once for the same token; the outcomes are kept. */
const twice = { armed: false, calls: [] as { token: string; results: PromiseSettledResult<void>[] }[] };

/** The object with some methods replaced; every other property read from it (methods bound to it). */
function intercept<T extends object>(target: T, replace: Partial<T>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(replace, prop)) return replace[prop as keyof T];
      const value = Reflect.get(t, prop, t) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    overrides: (ports) => {
      const waits = ports.waits;
      const workflow = ports.workflow;
      return {
        clock,
        waits: intercept(waits, {
          putWait: async (record: WaitRecord) => {
            if (record.envelopeId === storing.envelopeId) {
              await new Promise<void>((release) => storing.held.push(release));
            }
            return waits.putWait(record);
          },
        }),
        workflow: intercept(workflow, {
          taskSuccess: async (token: string, output: unknown) => {
            if (!twice.armed) return workflow.taskSuccess(token, output);
            const results = await Promise.allSettled([
              workflow.taskSuccess(token, output),
              workflow.taskSuccess(token, output),
            ]);
            twice.calls.push({ token, results });
            const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
            if (failed.length === results.length) throw failed[0]!.reason;
          },
        }),
      };
    },
  });
});
afterAll(async () => {
  // Nothing may stay held if a test failed half-way.
  storing.envelopeId = undefined;
  for (const release of storing.held.splice(0)) release();
  await service?.close();
});

const tenantFor = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

async function sender(svc: TestService, label: string) {
  const tenant = tenantFor(label);
  const email = uniqueEmail('sender');
  return { tenant, email, token: await svc.token('sender', { tenant, email }) };
}

type Owner = Awaited<ReturnType<typeof sender>>;

/** Each party's inbox, by label. */
async function inboxes(svc: TestService, parties: Record<string, string>): Promise<Record<string, string[]>> {
  const result: Record<string, string[]> = {};
  for (const [label, email] of Object.entries(parties)) result[label] = await inbox(svc, email);
  return result;
}

/**
 * The route's wait on `step`: the token stored for the step is the one pending in the registry
 * (and not `not`). A restarted route passes through the steps already done, storing and answering
 * a token for each, so the stored step is what tells the waits apart.
 */
function stepWait(
  svc: TestService,
  tenantId: string,
  envelopeId: string,
  step: number,
  not?: PendingWait,
): Promise<PendingWait> {
  return eventually(`the route of ${envelopeId} to wait on step ${step}`, async () => {
    const run = execution(svc, envelopeId);
    const stored = await svc.ports.waits.getWait({ tenantId, envelopeId });
    if (!run || stored?.step !== step || stored.taskToken === not?.token) return undefined;
    return svc.runner.pendingTokens(run.executionId).find((w) => w.token === stored.taskToken);
  });
}

/** Moves the clock to the wait's deadline and lets the registry time it out. */
function reach(svc: TestService, at: FixedClock, wait: PendingWait): void {
  at.set(wait.deadline);
  expect(svc.runner.checkDeadlines()).toBeGreaterThanOrEqual(1);
}

/** Creates an envelope from raw recipients (roles, groups) with the owner's token, and sends it. */
async function createAndSend(owner: Owner, recipients: Record<string, unknown>[]) {
  const body = await envelopeBody({ recipients });
  const res = await service.api('POST', '/v1/envelopes', { token: owner.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  await sendEnvelope(service, owner.token, res.body.id);
  return res.body as Record<string, any>;
}

async function consent(token: string): Promise<void> {
  const session = await signer(service, 'GET', SESSION, token);
  expect(session.status, JSON.stringify(session.body)).toBe(200);
  const given = await signer(service, 'POST', '/v1/signing/consent', token, {
    disclosureVersion: session.body.disclosure.version,
  });
  expect(given.status, JSON.stringify(given.body)).toBe(200);
}

async function declineAs(token: string, reason: string): Promise<void> {
  const res = await signer(service, 'POST', '/v1/signing/decline', token, { reason });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ status: 'declined' });
}

async function voidIt(owner: Owner, envelopeId: string, reason: string): Promise<void> {
  const res = await service.api('POST', `/v1/envelopes/${envelopeId}/void`, {
    token: owner.token,
    body: { reason },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

const count = (states: string[], name: string) => states.filter((s) => s === name).length;

describe('the emails each recipient receives, in order, are asserted from the local outbox', () => {
  it('sequential: step 1 signs, then step 2 is invited and signs', async () => {
    const owner = await sender(service, 'mail-seq');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2]);
    const [a, b] = signers as [Party, Party];
    await sendEnvelope(service, owner.token, envelope.id);
    await signAs(service, await invitationToken(service, a.email));
    await signAs(service, await invitationToken(service, b.email));
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Completed'],
      b: ['Please sign', 'Completed'],
    });
    // Step 2 was invited only after step 1 signed.
    const [invitedA, invitedB] = await eventsOfType(service, owner.tenant, envelope.id, 'recipient.invited');
    const [signedA] = await eventsOfType(service, owner.tenant, envelope.id, 'recipient.signed');
    expect([invitedA!.data.recipientId, invitedB!.data.recipientId]).toEqual([a.id, b.id]);
    expect(invitedB!.seq).toBeGreaterThan(signedA!.seq);
  });

  it('parallel: two signers in step 1', async () => {
    const owner = await sender(service, 'mail-par');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 1]);
    const [a, b] = signers as [Party, Party];
    await sendEnvelope(service, owner.token, envelope.id);
    const linkA = await invitationToken(service, a.email);
    const linkB = await invitationToken(service, b.email);
    await signAs(service, linkA);
    await signAs(service, linkB);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Completed'],
      b: ['Please sign', 'Completed'],
    });
  });

  it('approver: step 1 approves, step 2 signs', async () => {
    const owner = await sender(service, 'mail-approver');
    const ana = { name: 'Ana Approver', email: uniqueEmail('ana'), step: 1, role: 'approver' };
    const sol = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 2, fields: [fieldBox(0)] };
    const envelope = await createAndSend(owner, [ana, sol]);
    const anaLink = await invitationToken(service, ana.email);
    await consent(anaLink);
    const approved = await signer(service, 'POST', '/v1/signing/approve', anaLink, { agree: true });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    await signAs(service, await invitationToken(service, sol.email));
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, ana: ana.email, sol: sol.email })).toEqual({
      sender: ['Approved by Ana Approver', 'Signed by Sol Signer', 'Completed'],
      ana: ['Please approve', 'Completed'],
      sol: ['Please sign', 'Completed'],
    });
  });

  it('carbon copy: never invited, gets the completion only', async () => {
    const owner = await sender(service, 'mail-cc');
    const sol = { name: 'Sol Signer', email: uniqueEmail('sol'), step: 1, fields: [fieldBox(0)] };
    const cora = { name: 'Cora Copy', email: uniqueEmail('cora'), step: 1, role: 'carbon_copy' };
    const envelope = await createAndSend(owner, [sol, cora]);
    await signAs(service, await invitationToken(service, sol.email));
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, sol: sol.email, cora: cora.email })).toEqual({
      sender: ['Signed by Sol Signer', 'Completed'],
      sol: ['Please sign', 'Completed'],
      cora: ['Completed'],
    });
  });

  it('signing group: the winning member and the losing member', async () => {
    const owner = await sender(service, 'mail-group');
    const team = [1, 2].map((i) => ({ name: `Ops Member ${i}`, email: uniqueEmail(`ops${i}`) }));
    const [loser, winner] = team as [(typeof team)[0], (typeof team)[0]];
    const envelope = await createAndSend(owner, [
      { id: 'ops', step: 1, group: { name: 'Operations', members: team }, fields: [fieldBox(0)] },
    ]);
    const loserLink = await invitationToken(service, loser.email);
    await consent(loserLink);
    await signAs(service, await invitationToken(service, winner.email));
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, winner: winner.email, loser: loser.email })).toEqual(
      {
        sender: ['Signed by Ops Member 2', 'Completed'],
        winner: ['Please sign', 'Completed'],
        loser: ['Please sign', 'Signed by another member', 'Completed'],
      },
    );
  });

  it('decline: a step-1 signer declines after the other signed', async () => {
    const owner = await sender(service, 'mail-decline');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 1, 2]);
    const [a, b, c] = signers as [Party, Party, Party];
    await sendEnvelope(service, owner.token, envelope.id);
    await signAs(service, await invitationToken(service, a.email));
    await declineAs(await invitationToken(service, b.email), 'Wrong price list');
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email, c: c.email })).toEqual({
      sender: ['Signed by Signer 1', 'Declined'],
      a: ['Please sign', 'Declined'],
      b: ['Please sign'],
      c: [],
    });
  });

  it('void: voided while step 1 waits', async () => {
    const owner = await sender(service, 'mail-void');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2]);
    const [a, b] = signers as [Party, Party];
    await sendEnvelope(service, owner.token, envelope.id);
    await invitationToken(service, a.email);
    await stepWait(service, owner.tenant, envelope.id, 1);
    await voidIt(owner, envelope.id, 'Wrong customer entity');
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Voided'],
      a: ['Please sign', 'Voided'],
      b: [],
    });
  });

  it('expiry with a warning: warned once, then expired', async () => {
    const owner = await sender(service, 'mail-expiry');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2], {
      settings: { reminders: { max: 0 }, expiresInDays: 4, warnDaysBefore: 1 },
    });
    const [a, b] = signers as [Party, Party];
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    await invitationToken(service, a.email);
    let wait = await stepWait(service, owner.tenant, envelope.id, 1);
    expect(wait.deadline.getTime()).toBe(t0 + 3 * DAY);
    reach(service, clock, wait);
    wait = await stepWait(service, owner.tenant, envelope.id, 1, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 4 * DAY);
    reach(service, clock, wait);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect((await readEnvelope(service, owner.token, envelope.id)).status).toBe('expired');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Expires soon', 'Expired'],
      a: ['Please sign', 'Expires soon', 'Expired'],
      b: [],
    });
  });

  it('reminders: in step 1 up to the cap, then in step 2, then the completion', async () => {
    const owner = await sender(service, 'mail-remind');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2], {
      settings: { reminders: { firstAfterHours: 1, everyHours: 2, max: 2 }, expiresInDays: 10 },
    });
    const [a, b] = signers as [Party, Party];
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    const linkA = await invitationToken(service, a.email);
    let wait = await stepWait(service, owner.tenant, envelope.id, 1);
    expect(wait.deadline.getTime()).toBe(t0 + HOUR);
    reach(service, clock, wait);
    wait = await stepWait(service, owner.tenant, envelope.id, 1, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 3 * HOUR);
    reach(service, clock, wait);
    // The cap (2) is reached: the next wait runs to the warning, 3 days (the default) before the expiry.
    wait = await stepWait(service, owner.tenant, envelope.id, 1, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 7 * DAY);
    await signAs(service, linkA);

    const linkB = await invitationToken(service, b.email);
    wait = await stepWait(service, owner.tenant, envelope.id, 2);
    expect(wait.deadline.getTime()).toBe(t0 + 4 * HOUR);
    reach(service, clock, wait);
    await stepWait(service, owner.tenant, envelope.id, 2, wait);
    await signAs(service, linkB);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Reminder', 'Reminder', 'Completed'],
      b: ['Please sign', 'Reminder', 'Completed'],
    });
  });
});

describe('a decline ends the route', () => {
  const cases: [string, number[], number[], number, number[]][] = [
    // label, steps, who signs first, who declines, who (besides the sender) is told
    ['in step 1, after the other step-1 signer signed', [1, 1, 2], [0], 1, [0]],
    ['in a later step (step 2 of a 2-step route)', [1, 1, 2, 2], [0, 1], 2, [0, 1]],
  ];

  it.each(cases)(
    '%s: declined, sender and earlier signers told, links gone, route ended, audit verifies',
    async (_label, steps, signing, declining, told) => {
      const owner = await sender(service, 'decline');
      const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, steps);
      await sendEnvelope(service, owner.token, envelope.id);
      const links = new Map<string, string>();
      for (const i of signing) {
        const link = await invitationToken(service, signers[i]!.email);
        links.set(signers[i]!.id, link);
        await signAs(service, link);
      }
      const decliner = signers[declining]!;
      const declineStep = decliner.step;
      const link = await invitationToken(service, decliner.email);
      links.set(decliner.id, link);
      await stepWait(service, owner.tenant, envelope.id, declineStep);
      // Every link issued so far (a later step's fellow signers too).
      for (const s of signers.filter((x) => x.step === declineStep && !links.has(x.id))) {
        links.set(s.id, await invitationToken(service, s.email));
      }
      const reason = `Liability cap too low (${declineStep})`;
      await declineAs(link, reason);

      const view = await readEnvelope(service, owner.token, envelope.id);
      expect(view).toMatchObject({ status: 'declined', declinedBy: decliner.id, currentStep: null });

      // The route ends through RecordEnd, and no task token is left waiting.
      const done = await waitForExecution(service, envelope.id, 'SUCCEEDED');
      expect(done.states.slice(-3)).toEqual(['AwaitStep', 'RecordEnd', 'Ended']);
      expect(count(done.states, 'StartStep')).toBe(declineStep);
      expect(count(done.states, 'Seal')).toBe(0);
      expect(service.runner.pendingTokens(done.executionId)).toEqual([]);

      // The sender and those who signed before are told; the decliner and the others are not.
      const toldEmails = [...told.map((i) => signers[i]!.email), owner.email].map((e) => e.toLowerCase());
      const notified = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.parties_notified');
      expect(notified.map((e) => e.data.reason)).toEqual(['declined']);
      expect([...notified[0]!.data.to].sort()).toEqual([...toldEmails].sort());
      for (const s of signers) {
        const declined = await mailTo(service, s.email, 'Declined:');
        expect(declined, s.email).toHaveLength(told.includes(signers.indexOf(s)) ? 1 : 0);
        if (declined.length) expect(declined[0]!.body.text).toContain(reason);
      }
      const toSender = await mailTo(service, owner.email, 'Declined:');
      expect(toSender).toHaveLength(1);
      expect(toSender[0]!.body.text).toContain(reason);

      // Every link is gone.
      expect(links.size).toBe(signers.filter((s) => s.step <= declineStep).length);
      for (const [id, t] of links) {
        const session = await signer(service, 'GET', SESSION, t);
        expect(session.status, id).toBe(410);
        expect(session.body.error.code).toBe('gone');
      }
      // Those of later steps were never invited.
      for (const s of signers.filter((x) => x.step > declineStep))
        expect(await mailTo(service, s.email)).toEqual([]);

      // The audit trail verifies, independently too, and holds the decline with its reason.
      const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token: owner.token });
      expect(audit.status).toBe(200);
      expect(audit.body.verified).toBe(true);
      const trail = audit.body.events as Record<string, any>[];
      trail.forEach((e, i) => {
        expect(e.prevHash).toBe(i === 0 ? '0'.repeat(64) : trail[i - 1]!.hash);
        expect(recomputeHash(e)).toBe(e.hash);
      });
      const declinedEvents = trail.filter((e) => e.type === 'recipient.declined');
      expect(declinedEvents.map((e) => e.data)).toEqual([{ recipientId: decliner.id, reason }]);
      expect(trail.slice(-2).map((e) => e.type)).toEqual(['recipient.declined', 'envelope.parties_notified']);
    },
  );
});

describe('a void while the route waits', () => {
  it('ends the execution, tells the parties, and leaves no pending token in the registry', async () => {
    const owner = await sender(service, 'void-wait');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2]);
    const [a, b] = signers as [Party, Party];
    await sendEnvelope(service, owner.token, envelope.id);
    const linkA = await invitationToken(service, a.email);
    await signAs(service, linkA);
    const linkB = await invitationToken(service, b.email);
    // AwaitStep of step 2 is pending on its token.
    const wait = await stepWait(service, owner.tenant, envelope.id, 2);
    const run = execution(service, envelope.id)!;
    expect(wait.label).toMatchObject({ executionId: run.executionId, state: 'AwaitStep' });
    expect(service.runner.pendingTokens(run.executionId)).toHaveLength(1);

    await voidIt(owner, envelope.id, 'Wrong customer entity');
    const done = await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(done.states).toEqual([
      'Init',
      'ValidateRoute',
      'HasMoreSteps',
      'StartStep',
      'AwaitStep',
      'NextStep',
      'HasMoreSteps',
      'StartStep',
      'AwaitStep',
      'RecordEnd',
      'Ended',
    ]);
    // The token is gone from the registry: nothing pending, and answering it now fails.
    expect(service.runner.pendingTokens(run.executionId)).toEqual([]);
    expect(service.runner.registry.pending((w) => w.token === wait.token)).toEqual([]);
    await expect(service.runner.taskSuccess(wait.token, { step: 2 })).rejects.toThrow(TaskTokenExpiredError);
    await expect(service.runner.taskSuccess(wait.token, { step: 2 })).rejects.toThrow(/no longer waiting/);

    expect((await readEnvelope(service, owner.token, envelope.id)).status).toBe('voided');
    const notified = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.parties_notified');
    expect(notified.map((e) => e.data.reason)).toEqual(['voided']);
    expect([...notified[0]!.data.to].sort()).toEqual(
      [a.email, b.email, owner.email].map((e) => e.toLowerCase()).sort(),
    );
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Voided'],
      a: ['Please sign', 'Voided'],
      b: ['Please sign', 'Voided'],
    });
    for (const link of [linkA, linkB]) expect((await signer(service, 'GET', SESSION, link)).status).toBe(410);
  });
});

describe('a signature that lands while the waiting task is being replaced', () => {
  it('after the old token timed out and before the new one is stored: the route completes exactly once', async () => {
    const owner = await sender(service, 'replace');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 1], {
      settings: { reminders: { firstAfterHours: 1, everyHours: 1, max: 3 }, expiresInDays: 10 },
    });
    const [a, b] = signers as [Party, Party];
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    const linkA = await invitationToken(service, a.email);
    const linkB = await invitationToken(service, b.email);
    const old = await stepWait(service, owner.tenant, envelope.id, 1);
    expect(old.deadline.getTime()).toBe(t0 + HOUR);
    await signAs(service, linkA);
    await consent(linkB);

    // The wait times out for a reminder; the new AwaitStep is held before it stores its token.
    storing.envelopeId = envelope.id;
    try {
      reach(service, clock, old);
      await eventually('the new AwaitStep to store its token', () => storing.held.length === 1);
      const run = execution(service, envelope.id)!;
      const [fresh, ...others] = service.runner.pendingTokens(run.executionId);
      expect(others).toEqual([]);
      expect(fresh!.token).not.toBe(old.token);
      // The store still names the old token, which has timed out.
      expect(
        (await service.ports.waits.getWait({ tenantId: owner.tenant, envelopeId: envelope.id }))!.taskToken,
      ).toBe(old.token);
      await expect(service.runner.taskSuccess(old.token, { step: 1 })).rejects.toThrow(/timed out/);
      expect(await inbox(service, b.email)).toEqual(['Please sign', 'Reminder']);

      // The step's last signature lands now: it finds no live token to complete.
      const signed = await signer(service, 'POST', '/v1/signing/sign', linkB, {
        signature: { type: 'typed', text: 'Signer 2' },
        agree: true,
      });
      expect(signed.status, JSON.stringify(signed.body)).toBe(200);
      const between = await readEnvelope(service, owner.token, envelope.id);
      expect(between.steps.map((s: any) => s.status)).toEqual(['completed']);
      expect(execution(service, envelope.id)!.states).not.toContain('NextStep');
      expect(service.runner.pendingTokens(run.executionId).map((w) => w.token)).toEqual([fresh!.token]);
    } finally {
      storing.envelopeId = undefined;
      for (const release of storing.held.splice(0)) release();
    }

    // The new AwaitStep stores its token, sees the step complete, and the route goes on, once.
    const done = await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(done.states).toEqual([
      'Init',
      'ValidateRoute',
      'HasMoreSteps',
      'StartStep',
      'AwaitStep',
      'Remind',
      'AwaitStep',
      'NextStep',
      'HasMoreSteps',
      'Seal',
      'NotifyCompletion',
      'Completed',
    ]);
    const view = await waitForStatus(service, owner.token, envelope.id, 'completed');
    expect(await eventsOfType(service, owner.tenant, envelope.id, 'envelope.completed')).toHaveLength(1);
    expect(view.sealedDocuments).toHaveLength(1);
    const client = s3(service);
    try {
      const keys = await objectKeys(
        client,
        DOCUMENTS_BUCKET,
        `tenants/${owner.tenant}/envelopes/${envelope.id}/`,
      );
      expect(keys.filter((k) => k.includes('.sealed-'))).toHaveLength(1);
    } finally {
      client.destroy();
    }
    const notified = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.parties_notified');
    expect(notified.map((e) => e.data.reason)).toEqual(['completed']);
    expect(
      (await eventsOfType(service, owner.tenant, envelope.id, 'recipient.reminded')).map((e) => [
        e.data.recipientId,
        e.data.count,
      ]),
    ).toEqual([[b.id, 1]]);
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Completed'],
      b: ['Please sign', 'Reminder', 'Completed'],
    });
  });
});

describe('duplicate task-success calls', () => {
  it('answering the same waiting token twice advances the route once per step', async () => {
    const owner = await sender(service, 'twice');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2]);
    const [a, b] = signers as [Party, Party];
    twice.calls = [];
    twice.armed = true;
    let first: PendingWait;
    let second: PendingWait;
    try {
      await sendEnvelope(service, owner.token, envelope.id);
      const linkA = await invitationToken(service, a.email);
      first = await stepWait(service, owner.tenant, envelope.id, 1);
      // A's signature completes step 1: its SendTaskSuccess goes out twice at once.
      await signAs(service, linkA);
      const linkB = await invitationToken(service, b.email);
      second = await stepWait(service, owner.tenant, envelope.id, 2);
      await signAs(service, linkB);
      await waitForStatus(service, owner.token, envelope.id, 'completed');
    } finally {
      twice.armed = false;
    }
    const done = await waitForExecution(service, envelope.id, 'SUCCEEDED');

    // Of each pair, one answer was taken and the other refused as no longer waiting.
    expect(twice.calls.map((c) => c.token)).toEqual([first.token, second.token]);
    for (const call of twice.calls) {
      expect(call.results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
      const reason = (call.results[1] as PromiseRejectedResult).reason as Error;
      expect(reason).toBeInstanceOf(TaskTokenExpiredError);
      expect(reason.message).toMatch(/no longer waiting \(succeeded\)/);
    }
    // Late answers, to the port and through the product's own release, change nothing.
    for (const [w, step] of [
      [first, 1],
      [second, 2],
    ] as const) {
      await expect(service.ports.workflow.taskSuccess(w.token, { step })).rejects.toThrow(
        TaskTokenExpiredError,
      );
    }
    const key = { tenantId: owner.tenant, envelopeId: envelope.id };
    const before = (await service.ports.envelopes.loadEvents(key)).length;
    const final = await loadEnvelope(service.ports.envelopes, key);
    await Promise.all([
      releaseWait(service.ports, final, 2, 'success'),
      releaseWait(service.ports, final, 2, 'success'),
    ]);
    expect(await service.ports.envelopes.loadEvents(key)).toHaveLength(before);

    expect(done.states).toEqual([
      'Init',
      'ValidateRoute',
      'HasMoreSteps',
      'StartStep',
      'AwaitStep',
      'NextStep',
      'HasMoreSteps',
      'StartStep',
      'AwaitStep',
      'NextStep',
      'HasMoreSteps',
      'Seal',
      'NotifyCompletion',
      'Completed',
    ]);
    const invited = await eventsOfType(service, owner.tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId)).toEqual([a.id, b.id]);
    expect(await eventsOfType(service, owner.tenant, envelope.id, 'envelope.completed')).toHaveLength(1);
    expect(
      (await eventsOfType(service, owner.tenant, envelope.id, 'envelope.parties_notified')).map(
        (e) => e.data.reason,
      ),
    ).toEqual(['completed']);
    const view = await readEnvelope(service, owner.token, envelope.id);
    expect(view.steps.map((s: any) => s.status)).toEqual(['completed', 'completed']);
    expect(await inboxes(service, { sender: owner.email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Completed'],
      b: ['Please sign', 'Completed'],
    });
  });
});

describe('a restart mid-route with reminders pending', () => {
  let home: string;
  let running: TestService | undefined;
  const later = fixedClock(new Date());

  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'countersign-route-proof-'));
  });
  afterAll(async () => {
    await running?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function start(): Promise<TestService> {
    running = await startTestService({ home, port: 0, overrides: () => ({ clock: later }) });
    return running;
  }
  async function stop(): Promise<void> {
    await running?.close();
    running = undefined;
  }

  it('the reminders continue where they were: none repeated for a slot, none lost, then it completes', async () => {
    let svc = await start();
    const tenant = tenantFor('restart');
    const email = uniqueEmail('sender');
    let token = await svc.token('sender', { tenant, email });
    const { envelope, signers } = await createRouted(svc, token, tenant, [1, 2], {
      settings: { reminders: { firstAfterHours: 2, everyHours: 3, max: 3 }, expiresInDays: 10 },
    });
    const [a, b] = signers as [Party, Party];
    const t0 = later.now().getTime();
    await sendEnvelope(svc, token, envelope.id);
    await signAs(svc, await invitationToken(svc, a.email));
    const invitationB = await invitationToken(svc, b.email);
    let wait = await stepWait(svc, tenant, envelope.id, 2);
    expect(wait.deadline.getTime()).toBe(t0 + 2 * HOUR);
    reach(svc, later, wait);
    wait = await stepWait(svc, tenant, envelope.id, 2, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 5 * HOUR);
    expect(await inbox(svc, b.email)).toEqual(['Please sign', 'Reminder']);
    await stop();

    // Back an hour later, before the next slot: the route waits again for that slot, and reminds no one now.
    later.set(new Date(t0 + 3 * HOUR));
    svc = await start();
    expect(svc.resumed).toBe(1);
    wait = await stepWait(svc, tenant, envelope.id, 2);
    expect(wait.deadline.getTime()).toBe(t0 + 5 * HOUR);
    expect(await inbox(svc, b.email)).toEqual(['Please sign', 'Reminder']);
    expect(await eventsOfType(svc, tenant, envelope.id, 'recipient.reminded')).toHaveLength(1);
    reach(svc, later, wait);
    wait = await stepWait(svc, tenant, envelope.id, 2, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 8 * HOUR);
    expect(await inbox(svc, b.email)).toEqual(['Please sign', 'Reminder', 'Reminder']);
    await stop();

    // Back after the third slot passed while the service was down: that reminder goes out at once.
    later.set(new Date(t0 + 9 * HOUR));
    svc = await start();
    expect(svc.resumed).toBe(1);
    // The cap (3) is then reached: the next wait runs to the warning, 3 days before the expiry.
    wait = await stepWait(svc, tenant, envelope.id, 2);
    expect(wait.deadline.getTime()).toBe(t0 + 7 * DAY);
    const reminders = await eventsOfType(svc, tenant, envelope.id, 'recipient.reminded');
    expect(reminders.map((e) => [e.data.recipientId, e.data.count, e.at])).toEqual([
      [b.id, 1, new Date(t0 + 2 * HOUR).toISOString()],
      [b.id, 2, new Date(t0 + 5 * HOUR).toISOString()],
      [b.id, 3, new Date(t0 + 9 * HOUR).toISOString()],
    ]);
    token = await svc.token('sender', { tenant, email });
    expect((await readEnvelope(svc, token, envelope.id)).recipients[1]).toMatchObject({
      reminders: 3,
      remindedAt: new Date(t0 + 9 * HOUR).toISOString(),
    });

    // Each reminder carried its own link; the invitation from the first run still signs.
    const links = (await mailTo(svc, b.email)).map((m) => LINK.exec(m.body.text ?? '')![1]!);
    expect(new Set(links).size).toBe(4);
    await signAs(svc, invitationB);
    await waitForStatus(svc, token, envelope.id, 'completed');
    const done = await waitForExecution(svc, envelope.id, 'SUCCEEDED');
    expect(done.states.slice(-3)).toEqual(['Seal', 'NotifyCompletion', 'Completed']);

    expect(await eventsOfType(svc, tenant, envelope.id, 'envelope.completed')).toHaveLength(1);
    const invited = await eventsOfType(svc, tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId)).toEqual([a.id, b.id]);
    expect(await inboxes(svc, { sender: email, a: a.email, b: b.email })).toEqual({
      sender: ['Signed by Signer 1', 'Signed by Signer 2', 'Completed'],
      a: ['Please sign', 'Completed'],
      b: ['Please sign', 'Reminder', 'Reminder', 'Reminder', 'Completed'],
    });
  }, 60_000);
});
