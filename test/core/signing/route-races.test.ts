import { describe, expect, it } from 'vitest';
import { RouteEndedError, signingRouteTasks } from '../../../functions/core/signing/route-tasks';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import { ERRORS } from '../../../workflows/signing-route';
import { reassignRecipient } from '../../../functions/core/signing/reassign';
import { defaultTenantSettings } from '../../../functions/core/tenant-settings';
import type { EnvelopeKey } from '../../../functions/core/ports';
import { fakePorts, recordSigned, recordVoided, seedSentEnvelope, typesOf, type FakePorts } from './fakes';

describe('the route against a void that lands while it works', () => {
  it('Seal: a void during sealing wins; nothing is completed and nobody gets the document', async () => {
    const ports = await fakePorts();
    const key = await seedSentEnvelope(ports, [1]);
    const state = await loadEnvelope(ports.envelopes, key);
    for (const r of state.recipients) await recordSigned(ports, key, r.id);
    const put = ports.documents.putDocument.bind(ports.documents);
    ports.documents.putDocument = async (...args) => {
      await put(...args);
      await recordVoided(ports, key);
    };
    const tasks = signingRouteTasks(ports);

    const error = await tasks.Seal(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RouteEndedError);
    expect((error as Error).name).toBe(ERRORS.Voided);
    expect(await typesOf(ports, key)).not.toContain('envelope.completed');
    expect((await loadEnvelope(ports.envelopes, key)).status).toBe('voided');
    expect(await tasks.NotifyCompletion(key)).toEqual({ sent: false });
  });

  it('StartStep: a void after the first invitation stops the others', async () => {
    const ports = await fakePorts();
    const key = await seedSentEnvelope(ports, [1, 1, 1]);
    const send = ports.mail.send.bind(ports.mail);
    let voided = false;
    ports.mail.send = async (message) => {
      const sent = await send(message);
      if (!voided) {
        voided = true;
        await recordVoided(ports, key);
      }
      return sent;
    };
    const tasks = signingRouteTasks(ports);

    await expect(tasks.StartStep({ ...key, step: 1 })).rejects.toMatchObject({ name: ERRORS.Voided });
    expect(ports.mail.sent.filter((m) => m.subject.startsWith('Please sign:'))).toHaveLength(1);
    // The one invitation that went out is on the record; the void stopped the rest.
    expect((await typesOf(ports, key)).filter((t) => t === 'recipient.invited')).toHaveLength(1);
  });
});

describe('the route against a reassignment that lands while it invites', () => {
  const rui = 'rui@customer.example';
  const sender = {
    tenantId: 'tenant-a',
    sub: 'sam',
    email: 'sam@vendor.example',
    roles: ['sender' as const],
  };

  async function setUp() {
    const ports = await fakePorts();
    ports.tenantSettings.getSettings = async (tenantId) => ({
      ...defaultTenantSettings(tenantId),
      recipientChanges: { senderMayReassign: true, recipientMayDelegate: false },
    });
    const key = await seedSentEnvelope(ports, [1]);
    const first = (await loadEnvelope(ports.envelopes, key)).recipients[0]!;
    return { ports, key, first };
  }
  const reassign = (ports: FakePorts, key: EnvelopeKey, id: string) =>
    reassignRecipient(ports, sender, key.envelopeId, id, {
      name: 'Rui Costa',
      email: rui,
      reason: 'Handover',
    });
  const inbox = (ports: FakePorts, email: string) =>
    ports.mail.sent.filter((m) => m.to.includes(email)).map((m) => m.subject.split(':')[0]);

  it('after the invitation went out and before it is recorded: the route invites the new person, once', async () => {
    const { ports, key, first } = await setUp();
    const send = ports.mail.send.bind(ports.mail);
    let reassigned = false;
    ports.mail.send = async (message) => {
      const sent = await send(message);
      if (!reassigned && message.to.includes(first.email)) {
        reassigned = true;
        await reassign(ports, key, first.id);
      }
      return sent;
    };

    await signingRouteTasks(ports).StartStep({ ...key, step: 1 });
    expect(inbox(ports, rui)).toEqual(['Please sign']);
    expect(ports.mail.sent.find((m) => m.to.includes(rui))!.text).toContain(
      `reassigned this request to you from ${first.name}: "Handover"`,
    );
    expect(inbox(ports, first.email)).toEqual(['Please sign', 'Reassigned']);
    const tokens = [...ports.signerTokens.tokens.values()].filter((t) => !t.revokedAt);
    expect(tokens.map((t) => t.email)).toEqual([rui]);
  });

  it('after the invitation is recorded: the reassignment invites the new person, and the route does not again', async () => {
    const { ports, key, first } = await setUp();
    const append = ports.envelopes.append.bind(ports.envelopes);
    let reassigned = false;
    ports.envelopes.append = async (event) => {
      await append(event);
      if (!reassigned && event.type === 'recipient.invited') {
        reassigned = true;
        await reassign(ports, key, first.id);
      }
    };

    await signingRouteTasks(ports).StartStep({ ...key, step: 1 });
    expect(inbox(ports, rui)).toEqual(['Please sign']);
    expect(inbox(ports, first.email)).toEqual(['Please sign', 'Reassigned']);
    const resent = (await ports.envelopes.loadEvents(key)).filter(
      (e) => e.type === 'recipient.invitation_resent',
    );
    expect(resent).toHaveLength(1);
  });

  it('while a reminder goes out: the new person is invited once and not reminded for the old one', async () => {
    const { ports, key, first } = await setUp();
    const tasks = signingRouteTasks(ports);
    await tasks.StartStep({ ...key, step: 1 });
    const send = ports.mail.send.bind(ports.mail);
    let reassigned = false;
    ports.mail.send = async (message) => {
      const sent = await send(message);
      if (!reassigned && message.subject.startsWith('Reminder')) {
        reassigned = true;
        await reassign(ports, key, first.id);
      }
      return sent;
    };
    ports.clock.advance(49 * 3_600_000);

    expect((await tasks.Remind({ ...key, step: 1 })).reminded).toBe(1);
    expect(inbox(ports, rui)).toEqual(['Please sign']);
    expect(inbox(ports, first.email)).toEqual(['Please sign', 'Reminder', 'Reassigned']);
  });
});
