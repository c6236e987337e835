import { describe, expect, it } from 'vitest';
import { RouteEndedError, signingRouteTasks } from '../../../functions/core/signing/route-tasks';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import { ERRORS } from '../../../workflows/signing-route';
import { fakePorts, recordSigned, recordVoided, seedSentEnvelope, typesOf } from './fakes';

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
