import { describe, expect, it } from 'vitest';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import type { EnvelopeSettings, EnvelopeState } from '../../../functions/core/envelope';
import { DEFAULT_ENVELOPE_SETTINGS } from '../../../functions/core/envelope';
import { signingRouteTasks } from '../../../functions/core/signing/route-tasks';
import { reminderCap, reminderSlots } from '../../../functions/core/signing/schedule';
import { checkSettings } from '../../../functions/core/usecases/create-envelope';
import { ValidationError } from '../../../functions/core/errors';
import { ERRORS, ROUTE_LIMITS } from '../../../workflows/signing-route';
import { fakePorts, recordSigned, seedSentEnvelope, typesOf } from './fakes';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const settings = (over: Partial<EnvelopeSettings> & { max?: number } = {}): EnvelopeSettings => ({
  reminders: { firstAfterHours: 24, everyHours: 12, max: over.max ?? 2 },
  expiresInDays: over.expiresInDays ?? 10,
  warnDaysBefore: over.warnDaysBefore ?? 0,
  notifySender: DEFAULT_ENVELOPE_SETTINGS.notifySender,
});

async function setup(steps: number[], s: EnvelopeSettings) {
  const ports = await fakePorts();
  const key = await seedSentEnvelope(ports, steps, s);
  return { ports, key, tasks: signingRouteTasks(ports), t0: ports.clock.now().getTime() };
}

describe('Remind', () => {
  it('reminds only pending recipients of the step, on schedule, once per slot, up to the cap', async () => {
    const { ports, key, tasks, t0 } = await setup([1, 1, 2], settings());
    expect(await tasks.StartStep({ ...key, step: 1 })).toMatchObject({ invited: 2, waitSeconds: 24 * 3600 });
    await recordSigned(ports, key, 'r1');
    ports.mail.sent.length = 0;

    // Woken early (beyond the tolerance): nothing is due, the wait is the rest.
    ports.clock.set(new Date(t0 + 23 * HOUR));
    expect(await tasks.Remind({ ...key, step: 1 })).toEqual({
      step: 1,
      reminded: 0,
      warned: false,
      waitSeconds: 3600,
    });

    ports.clock.set(new Date(t0 + 24 * HOUR));
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({ reminded: 1, waitSeconds: 12 * 3600 });
    // Run twice (a Lambda retry): nothing is sent twice.
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({ reminded: 0, waitSeconds: 12 * 3600 });
    expect(ports.mail.sent.map((m) => [m.to, m.subject])).toEqual([
      [[`signer2.${key.envelopeId}@customer.example`], `Reminder: please sign Agreement ${key.envelopeId}`],
    ]);

    ports.clock.set(new Date(t0 + 36 * HOUR));
    // The cap (2) is reached: the next wait runs to the expiry.
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({
      reminded: 1,
      waitSeconds: (10 * DAY - 36 * HOUR) / 1000,
    });
    const reminded = (await ports.envelopes.loadEvents(key)).filter((e) => e.type === 'recipient.reminded');
    expect(reminded.map((e) => e.data)).toEqual([
      { recipientId: 'r2', count: 1, messageId: expect.any(String) },
      { recipientId: 'r2', count: 2, messageId: expect.any(String) },
    ]);
    // Each reminder issued its own link, and none was revoked.
    expect([...ports.signerTokens.tokens.values()].filter((t) => t.recipientId === 'r2')).toHaveLength(3);
    expect([...ports.signerTokens.tokens.values()].some((t) => t.revokedAt)).toBe(false);
  });

  it('warns once, then expires the envelope with Envelope.Expired', async () => {
    const { ports, key, tasks, t0 } = await setup(
      [1],
      settings({ max: 0, expiresInDays: 5, warnDaysBefore: 2 }),
    );
    expect(await tasks.StartStep({ ...key, step: 1 })).toMatchObject({ waitSeconds: 3 * 86_400 });
    ports.mail.sent.length = 0;
    ports.clock.set(new Date(t0 + 3 * DAY));
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({ warned: true, waitSeconds: 2 * 86_400 });
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({ warned: false, waitSeconds: 2 * 86_400 });
    expect(ports.mail.sent.map((m) => [m.to[0], m.subject.split(':')[0]])).toEqual([
      [`signer1.${key.envelopeId}@customer.example`, 'Expires soon'],
      ['sam@vendor.example', 'Expires soon'],
    ]);
    ports.clock.set(new Date(t0 + 5 * DAY));
    await expect(tasks.Remind({ ...key, step: 1 })).rejects.toMatchObject({ name: ERRORS.Expired });
    const state = await loadEnvelope(ports.envelopes, key);
    expect(state.status).toBe('expired');
    const types = await typesOf(ports, key);
    expect(types.filter((t) => t === 'envelope.expiry_warned')).toHaveLength(1);
    expect(types.filter((t) => t === 'envelope.expired')).toHaveLength(1);
    // Another run finds the envelope expired and says so, recording nothing more.
    await expect(tasks.Remind({ ...key, step: 1 })).rejects.toMatchObject({ name: ERRORS.Expired });
    expect(await typesOf(ports, key)).toEqual(types);
  });

  it('leaves a complete step alone: completion wins over an expiry after the last signature', async () => {
    const { ports, key, tasks, t0 } = await setup([1], settings({ expiresInDays: 1 }));
    await tasks.StartStep({ ...key, step: 1 });
    await recordSigned(ports, key, 'r1');
    ports.clock.set(new Date(t0 + 2 * DAY));
    expect(await tasks.Remind({ ...key, step: 1 })).toMatchObject({ reminded: 0, warned: false });
    expect((await loadEnvelope(ports.envelopes, key)).status).toBe('sent');
  });
});

describe('StartStep', () => {
  it('after the expiry, expires the envelope and invites no one', async () => {
    const { ports, key, tasks, t0 } = await setup([1, 2], settings({ expiresInDays: 1 }));
    await tasks.StartStep({ ...key, step: 1 });
    await recordSigned(ports, key, 'r1');
    ports.mail.sent.length = 0;
    ports.clock.set(new Date(t0 + DAY));
    await expect(tasks.StartStep({ ...key, step: 2 })).rejects.toMatchObject({ name: ERRORS.Expired });
    expect(ports.mail.sent).toEqual([]);
    expect((await loadEnvelope(ports.envelopes, key)).status).toBe('expired');
  });
});

describe('the reminder budget', () => {
  it('clamps the cap to the envelope budget shared by its steps, and the create use case refuses more', () => {
    const state = (steps: number, max: number) =>
      ({
        settings: { ...settings({ max }), expiresInDays: 360 },
        steps: Array.from({ length: steps }, (_, i) => ({
          step: i + 1,
          invitedAt: '2030-01-01T00:00:00.000Z',
        })),
        sentAt: '2030-01-01T00:00:00.000Z',
      }) as unknown as EnvelopeState;
    expect(reminderCap(state(1, 50))).toBe(50);
    expect(reminderCap(state(10, 50))).toBe(50);
    expect(reminderCap(state(11, 50))).toBe(45);
    expect(reminderCap(state(50, 50))).toBe(10);
    expect(reminderSlots(state(50, 50), 1)).toHaveLength(10);
    for (const steps of [1, 7, 26, 50]) {
      expect(steps * reminderCap(state(steps, 50))).toBeLessThanOrEqual(ROUTE_LIMITS.maxReminderRounds);
    }
    expect(() => checkSettings({ reminders: { max: 11 } }, 50)).toThrow(ValidationError);
    expect(checkSettings({ reminders: { max: 10 } }, 50).reminders.max).toBe(10);
  });
});
