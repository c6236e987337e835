import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/adapters/system';
import type { PendingWait } from '../../../functions/local/workflow/token-registry';
import { envelopeBody, footprint, NOTHING } from '../helpers';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  eventually,
  execution,
  inbox,
  inboxReaches,
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
} from '../../support/signing';

/**
 * Reminders and expiry through the real signing route (the ASL run locally), with a fixed clock:
 * each test moves the clock to the route's next deadline and lets the token registry time the
 * waiting task out, then reads what each party received from the local outbox.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const clock = fixedClock(new Date());
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service.close());

const tenantFor = (label: string) => `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

/** The route's pending wait for an envelope (a different one from `not`, when given). */
function pendingWait(envelopeId: string, not?: PendingWait): Promise<PendingWait> {
  return eventually(`the route of ${envelopeId} to wait`, () => {
    const run = execution(service, envelopeId);
    if (!run) return undefined;
    const [wait] = service.runner.pendingTokens(run.executionId);
    return wait && wait.token !== not?.token ? wait : undefined;
  });
}

/** Moves the clock to the wait's deadline and lets the registry time it out. */
function reach(wait: PendingWait): void {
  clock.set(wait.deadline);
  expect(service.runner.checkDeadlines()).toBeGreaterThanOrEqual(1);
}

async function sender(label: string) {
  const tenant = tenantFor(label);
  const email = uniqueEmail('sender');
  return { tenant, email, token: await service.token('sender', { tenant, email }) };
}

describe('reminders', () => {
  it('go to the pending recipients of the current step: first after N hours, then every M, up to the cap', async () => {
    const owner = await sender('remind');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 1, 2], {
      settings: { reminders: { firstAfterHours: 2, everyHours: 3, max: 2 }, expiresInDays: 10 },
    });
    const [a, b, c] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0]];
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    const linkA = await invitationToken(service, a.email);
    const firstB = await invitationToken(service, b.email);

    // The first wait ends at the first reminder, 2 hours after the step's invitations.
    let wait = await pendingWait(envelope.id);
    expect(wait.deadline.getTime()).toBe(t0 + 2 * HOUR);
    await signAs(service, linkA);
    // Not a second early.
    clock.set(new Date(wait.deadline.getTime() - 1000));
    service.runner.checkDeadlines();
    expect((await pendingWait(envelope.id)).token).toBe(wait.token);

    reach(wait);
    wait = await pendingWait(envelope.id, wait);
    // Only b, who has not acted, is reminded; the next one is due 3 hours later.
    expect(await inboxReaches(service, b.email, 2)).toEqual(['Please sign', 'Reminder']);
    expect(wait.deadline.getTime()).toBe(t0 + 5 * HOUR);

    reach(wait);
    wait = await pendingWait(envelope.id, wait);
    expect(await inboxReaches(service, b.email, 3)).toEqual(['Please sign', 'Reminder', 'Reminder']);
    // The cap (2) is reached: the next wait runs to the warning, 3 days (the default) before the expiry.
    expect(wait.deadline.getTime()).toBe(t0 + 7 * DAY);

    const reminders = await eventsOfType(service, owner.tenant, envelope.id, 'recipient.reminded');
    expect(reminders.map((e) => [e.data.recipientId, e.data.count])).toEqual([
      [b.id, 1],
      [b.id, 2],
    ]);
    expect(reminders.map((e) => e.at)).toEqual([
      new Date(t0 + 2 * HOUR).toISOString(),
      new Date(t0 + 5 * HOUR).toISOString(),
    ]);
    const view = await readEnvelope(service, owner.token, envelope.id);
    expect(view.recipients[1]).toMatchObject({ reminders: 2, remindedAt: reminders[1]!.at });
    expect(view.recipients[0].reminders).toBeUndefined();

    // Each reminder carries a fresh link; the earlier ones keep working.
    const mails = await mailTo(service, b.email);
    const links = mails.map((m) => LINK.exec(m.body.text ?? '')![1]!);
    expect(new Set(links).size).toBe(3);
    expect(mails[1]!.body.text).toContain('still waiting for your signature');
    expect((await signer(service, 'GET', '/v1/signing/session', firstB)).status).toBe(200);
    expect((await signer(service, 'GET', '/v1/signing/session', links[1]!)).status).toBe(200);
    // A reminder link signs.
    await signAs(service, links[2]!);

    // Step 2: c is invited only now, and signs; nobody else was reminded.
    const linkC = await invitationToken(service, c.email);
    await signAs(service, linkC);
    await waitForStatus(service, owner.token, envelope.id, 'completed');
    expect(await inboxReaches(service, c.email, 2)).toEqual(['Please sign', 'Completed']);
    expect(await inboxReaches(service, b.email, 4)).toEqual([
      'Please sign',
      'Reminder',
      'Reminder',
      'Completed',
    ]);
    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Completed']);
    // The sender hears of each signature (on by default), then of the completion.
    expect(await inboxReaches(service, owner.email, 4)).toEqual([
      'Signed by Signer 1',
      'Signed by Signer 2',
      'Signed by Signer 3',
      'Completed',
    ]);
    expect((await waitForExecution(service, envelope.id, 'SUCCEEDED')).states.at(-1)).toBe('Completed');
  });

  it('with max 0 none are sent; the wait runs to the warning', async () => {
    const owner = await sender('no-remind');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1], {
      settings: { reminders: { max: 0 }, expiresInDays: 5, warnDaysBefore: 2 },
    });
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    await invitationToken(service, signers[0]!.email);
    expect((await pendingWait(envelope.id)).deadline.getTime()).toBe(t0 + 3 * DAY);
    await signAs(service, await invitationToken(service, signers[0]!.email));
    await waitForStatus(service, owner.token, envelope.id, 'completed');
    expect(await inboxReaches(service, signers[0]!.email, 2)).toEqual(['Please sign', 'Completed']);
  });
});

describe('expiry', () => {
  it('warns once before, then expires: links answer 410, recipients and sender are told, the route ends', async () => {
    const owner = await sender('expire-warn');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2], {
      settings: { reminders: { max: 0 }, expiresInDays: 4, warnDaysBefore: 1 },
    });
    const [a, b] = signers as [(typeof signers)[0], (typeof signers)[0]];
    const t0 = clock.now().getTime();
    const sent = await sendEnvelope(service, owner.token, envelope.id);
    expect(sent.expiresAt).toBe(new Date(t0 + 4 * DAY).toISOString());
    const linkA = await invitationToken(service, a.email);
    const step1 = await pendingWait(envelope.id);
    await signAs(service, linkA);
    const linkB = await invitationToken(service, b.email);

    // Step 2 waits until the warning, one day before the expiry.
    let wait = await pendingWait(envelope.id, step1);
    expect(wait.deadline.getTime()).toBe(t0 + 3 * DAY);
    reach(wait);
    wait = await pendingWait(envelope.id, wait);
    expect(wait.deadline.getTime()).toBe(t0 + 4 * DAY);
    // b, who has not acted, and the sender are warned; a, who signed, is not.
    expect(await inboxReaches(service, b.email, 2)).toEqual(['Please sign', 'Expires soon']);
    expect((await inboxReaches(service, owner.email, 2)).filter((x) => !x.startsWith('Signed by'))).toEqual([
      'Expires soon',
    ]);
    expect(await inbox(service, a.email)).toEqual(['Please sign']);
    const warned = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.expiry_warned');
    expect(warned.map((e) => e.data)).toEqual([
      {
        expiresAt: new Date(t0 + 4 * DAY).toISOString(),
        to: [b.email.toLowerCase(), owner.email.toLowerCase()],
      },
    ]);

    reach(wait);
    const done = await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(done.states.slice(-4)).toEqual(['AwaitStep', 'Remind', 'RecordEnd', 'Ended']);
    const view = await readEnvelope(service, owner.token, envelope.id);
    expect(view).toMatchObject({ status: 'expired', expiredAt: new Date(t0 + 4 * DAY).toISOString() });

    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Expired']);
    expect(await inboxReaches(service, b.email, 3)).toEqual(['Please sign', 'Expires soon', 'Expired']);
    expect((await inboxReaches(service, owner.email, 3)).filter((x) => !x.startsWith('Signed by'))).toEqual([
      'Expires soon',
      'Expired',
    ]);
    for (const link of [linkA, linkB]) {
      const res = await signer(service, 'GET', '/v1/signing/session', link);
      expect(res.status).toBe(410);
      expect(res.body.error.message).toMatch(/expired/);
    }
    const types = (await eventsOfType(service, owner.tenant, envelope.id, 'envelope.expired')).map(
      (e) => e.data,
    );
    expect(types).toEqual([{ expiresAt: new Date(t0 + 4 * DAY).toISOString() }]);
    const notified = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.parties_notified');
    expect(notified.map((e) => e.data.reason)).toEqual(['expired']);
    expect(await eventsOfType(service, owner.tenant, envelope.id, 'envelope.expiry_warned')).toHaveLength(1);
  });

  it('without a warning: nothing before the expiry, then everyone invited and the sender are told', async () => {
    const owner = await sender('expire-quiet');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 1], {
      settings: { reminders: { max: 0 }, expiresInDays: 2, warnDaysBefore: 0 },
    });
    const t0 = clock.now().getTime();
    await sendEnvelope(service, owner.token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    await invitationToken(service, signers[1]!.email);
    const wait = await pendingWait(envelope.id);
    expect(wait.deadline.getTime()).toBe(t0 + 2 * DAY);

    // A moment before the expiry the link still works; at the expiry it stops at once.
    clock.set(new Date(t0 + 2 * DAY - 1000));
    expect((await signer(service, 'GET', '/v1/signing/session', link)).status).toBe(200);
    reach(wait);
    expect((await signer(service, 'GET', '/v1/signing/session', link)).status).toBe(410);
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    await waitForStatus(service, owner.token, envelope.id, 'expired');
    for (const s of signers)
      expect(await inboxReaches(service, s.email, 2)).toEqual(['Please sign', 'Expired']);
    expect(await inboxReaches(service, owner.email, 1)).toEqual(['Expired']);
    expect(await eventsOfType(service, owner.tenant, envelope.id, 'envelope.expiry_warned')).toEqual([]);
    const sign = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'Too late' },
      agree: true,
    });
    expect(sign.status).toBe(410);
  });
});

describe('reminder and expiry settings', () => {
  it('are recorded when the envelope is created and shown with the defaults filled in', async () => {
    const owner = await sender('settings');
    const { envelope } = await createRouted(service, owner.token, owner.tenant, [1], {
      settings: { reminders: { everyHours: 24 }, expiresInDays: 30 },
    });
    const settings = {
      reminders: { firstAfterHours: 48, everyHours: 24, max: 10 },
      expiresInDays: 30,
      warnDaysBefore: 3,
      notifySender: { signed: true, completed: true, declined: true, expired: true },
    };
    expect(envelope.settings).toEqual(settings);
    const [created] = await eventsOfType(service, owner.tenant, envelope.id, 'envelope.created');
    expect(created!.data.settings).toEqual(settings);
    const plain = await createRouted(service, owner.token, owner.tenant, [1]);
    expect(plain.envelope.settings).toEqual({
      reminders: { firstAfterHours: 48, everyHours: 48, max: 10 },
      expiresInDays: 120,
      warnDaysBefore: 3,
      notifySender: { signed: true, completed: true, declined: true, expired: true },
    });
    const t0 = clock.now().getTime();
    const sent = await sendEnvelope(service, owner.token, plain.envelope.id);
    expect(sent.expiresAt).toBe(new Date(t0 + 120 * DAY).toISOString());
    const [sentEvent] = await eventsOfType(service, owner.tenant, plain.envelope.id, 'envelope.sent');
    expect(sentEvent!.data.expiresAt).toBe(sent.expiresAt);
    // Void the envelopes so that their routes end here.
    for (const id of [envelope.id, plain.envelope.id]) {
      await service.api('POST', `/v1/envelopes/${id}/void`, { token: owner.token, body: { reason: 'test' } });
    }
  });

  const recipients = (steps: number) =>
    Array.from({ length: steps }, (_, i) => ({
      name: `Signer ${i + 1}`,
      email: `s${i + 1}@customer.example`,
      step: i + 1,
      fields: [],
    }));

  const cases: [string, Record<string, unknown>, string, RegExp, number?][] = [
    [
      'a reminder interval below one hour',
      { reminders: { everyHours: 0 } },
      'body.reminders.everyHours',
      /at least 1 hour/,
    ],
    [
      'a first reminder below one hour',
      { reminders: { firstAfterHours: 0.5 } },
      'body.reminders.firstAfterHours',
      /whole number of hours|at least 1 hour/,
    ],
    [
      'a reminder interval above the expiry',
      { reminders: { everyHours: 31 * 24 }, expiresInDays: 30 },
      'body.reminders.everyHours',
      /above the expiry \(30 days = 720 hours\)/,
    ],
    [
      'a first reminder after the expiry',
      { reminders: { firstAfterHours: 49 }, expiresInDays: 2 },
      'body.reminders.firstAfterHours',
      /above the expiry/,
    ],
    ['an expiry beyond 360 days', { expiresInDays: 361 }, 'body.expiresInDays', /at most 360 days/],
    ['an expiry of 0 days', { expiresInDays: 0 }, 'body.expiresInDays', /at least 1 day/],
    ['an expiry in the past', { expiresInDays: -3 }, 'body.expiresInDays', /at least 1 day/],
    ['more than 50 reminders', { reminders: { max: 51 } }, 'body.reminders.max', /at most 50/],
    [
      'a warning not before the expiry',
      { expiresInDays: 5, warnDaysBefore: 5 },
      'body.warnDaysBefore',
      /less than expiresInDays \(5\)/,
    ],
    ['an unknown reminder setting', { reminders: { every: 3 } }, 'body.reminders', /every/],
    [
      'more reminders than the envelope budget allows for its steps',
      { reminders: { max: 20 } },
      'body.reminders.max',
      /with 26 routing steps at most 19 reminders per recipient/,
      26,
    ],
  ];

  for (const [what, settings, path, message, steps] of cases) {
    it(`refuses ${what} with 400 naming ${path}, and writes nothing`, async () => {
      const owner = await sender('bad-settings');
      const body = await envelopeBody(steps ? { recipients: recipients(steps) } : {});
      const res = await service.api('POST', '/v1/envelopes', {
        token: owner.token,
        body: { ...body, ...settings },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      const detail = (res.body.error.details as { path: string; message: string }[]).find((d) =>
        d.path.startsWith(path),
      );
      expect(detail, JSON.stringify(res.body.error)).toBeDefined();
      expect(`${detail!.path}: ${detail!.message}`).toMatch(message);
      expect(res.body.error.message).toContain(path);
      expect(await footprint(service, owner.tenant)).toEqual(NOTHING);
    });
  }
});
