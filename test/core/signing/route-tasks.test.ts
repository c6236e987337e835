import { describe, it, expect } from 'vitest';
import { signingRouteTasks } from '../../../functions/core/signing/route-tasks';
import { releaseWait } from '../../../functions/core/signing/signer-actions';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import { TaskTokenExpiredError } from '../../../functions/core/errors';
import { sha256Hex } from '../../../functions/core/hashing';
import { ERRORS } from '../../../workflows/signing-route';
import { fakePorts, recordSigned, recordVoided, seedSentEnvelope, typesOf, type FakePorts } from './fakes';

const LINK = /https:\/\/sign\.example\/sign#t=([A-Za-z0-9_-]+)/;

async function setup(steps: number[]) {
  const ports = await fakePorts();
  const key = await seedSentEnvelope(ports, steps);
  return { ports, key, tasks: signingRouteTasks(ports) };
}

/** Every step signed, so the envelope is ready to seal. */
async function signAll(ports: FakePorts, key: { tenantId: string; envelopeId: string }) {
  const state = await loadEnvelope(ports.envelopes, key);
  for (const r of state.recipients) await recordSigned(ports, key, r.id);
}

describe('StartStep', () => {
  it('run twice, invites each recipient of the step once', async () => {
    const { ports, key, tasks } = await setup([1, 1, 2]);
    // The first wait lasts until the first reminder (48 hours by default).
    const first = { step: 1, reminded: 0, warned: false, waitSeconds: 48 * 3600 };
    expect(await tasks.StartStep({ ...key, step: 1 })).toEqual({ ...first, invited: 2 });
    expect(await tasks.StartStep({ ...key, step: 1 })).toEqual({ ...first, invited: 0 });

    expect(ports.mail.sent.map((m) => m.to)).toEqual([
      [`signer1.${key.envelopeId}@customer.example`],
      [`signer2.${key.envelopeId}@customer.example`],
    ]);
    expect(ports.signerTokens.tokens.size).toBe(2);
    const invited = (await ports.envelopes.loadEvents(key)).filter((e) => e.type === 'recipient.invited');
    expect(invited.map((e) => e.data)).toEqual([
      {
        recipientId: 'r1',
        step: 1,
        email: `signer1.${key.envelopeId}@customer.example`,
        messageId: 'mail-1',
      },
      {
        recipientId: 'r2',
        step: 1,
        email: `signer2.${key.envelopeId}@customer.example`,
        messageId: 'mail-2',
      },
    ]);
    // Each mail carries a secret whose hash, and only whose hash, is stored.
    for (const mail of ports.mail.sent) {
      const secret = LINK.exec(mail.text)![1]!;
      expect(ports.signerTokens.tokens.get(sha256Hex(secret))).toMatchObject(key);
      expect(JSON.stringify([...ports.signerTokens.tokens.values()])).not.toContain(secret);
    }
  });

  it('on a voided envelope, fails with Envelope.Voided and invites no one', async () => {
    const { ports, key, tasks } = await setup([1]);
    await recordVoided(ports, key);
    await expect(tasks.StartStep({ ...key, step: 1 })).rejects.toMatchObject({ name: ERRORS.Voided });
    expect(ports.mail.sent).toEqual([]);
  });
});

describe('AwaitStep', () => {
  it('stores its token, and answers it at once when the step is already complete', async () => {
    const { ports, key, tasks } = await setup([1, 2]);
    await tasks.StartStep({ ...key, step: 1 });
    await recordSigned(ports, key, 'r1');

    const result = await tasks.AwaitStep({ ...key, step: 1, taskToken: 'token-1', waitSeconds: 3600 });
    expect(result).toEqual({ stored: true });
    expect(await ports.waits.getWait(key)).toMatchObject({ ...key, step: 1, taskToken: 'token-1' });
    expect(ports.workflow.calls).toEqual([{ kind: 'success', token: 'token-1', output: { step: 1 } }]);
  });

  it('only stores its token while the step is still open', async () => {
    const { ports, key, tasks } = await setup([1, 1]);
    await tasks.StartStep({ ...key, step: 1 });
    await recordSigned(ports, key, 'r1');
    await tasks.AwaitStep({ ...key, step: 1, taskToken: 'token-2', waitSeconds: 3600 });
    expect(await ports.waits.getWait(key)).toMatchObject({ step: 1, taskToken: 'token-2' });
    expect(ports.workflow.calls).toEqual([]);
  });

  it('on a voided envelope, sends Envelope.Voided for its own token', async () => {
    const { ports, key, tasks } = await setup([1]);
    await tasks.StartStep({ ...key, step: 1 });
    await recordVoided(ports, key);
    await tasks.AwaitStep({ ...key, step: 1, taskToken: 'token-3', waitSeconds: 3600 });
    expect(ports.workflow.calls).toEqual([
      { kind: 'failure', token: 'token-3', error: ERRORS.Voided, cause: expect.stringContaining('voided') },
    ]);
  });

  it('a token that is no longer waiting is not a fault', async () => {
    const { ports, key, tasks } = await setup([1]);
    await recordSigned(ports, key, 'r1');
    ports.workflow.reject = () => new TaskTokenExpiredError('too late');
    await expect(
      tasks.AwaitStep({ ...key, step: 1, taskToken: 'token-4', waitSeconds: 60 }),
    ).resolves.toEqual({ stored: true });
  });
});

describe('Seal', () => {
  it('run twice, seals once', async () => {
    const { ports, key, tasks } = await setup([1, 2]);
    await signAll(ports, key);
    expect(await tasks.Seal(key)).toEqual({ documents: 1 });
    expect(await tasks.Seal(key)).toEqual({ documents: 1 });

    const types = await typesOf(ports, key);
    expect(types.filter((t) => t === 'envelope.completed')).toHaveLength(1);
    // One seal, stored under a name that carries its own SHA-256.
    expect(ports.documents.puts).toHaveLength(1);
    const sealedKey = ports.documents.puts[0]!;
    expect(sealedKey).toBe(
      `tenants/${key.tenantId}/envelopes/${key.envelopeId}/documents/doc1.sealed-${ports.documents.objects.get(sealedKey)!.sha256}.pdf`,
    );
    const state = await loadEnvelope(ports.envelopes, key);
    expect(state.status).toBe('completed');
    expect(state.sealedDocuments).toEqual([
      {
        id: 'doc1',
        name: 'msa (signed).pdf',
        storageKey: sealedKey,
        sha256: ports.documents.objects.get(sealedKey)!.sha256,
        size: ports.documents.objects.get(sealedKey)!.bytes.length,
      },
    ]);
  });

  it('refuses an envelope whose steps are not all complete', async () => {
    const { ports, key, tasks } = await setup([1, 2]);
    await recordSigned(ports, key, 'r1');
    await expect(tasks.Seal(key)).rejects.toThrow(/not every step is complete/);
    expect(ports.documents.puts).toEqual([]);
    expect(await typesOf(ports, key)).not.toContain('envelope.completed');
  });
});

describe('NotifyCompletion', () => {
  it('run twice, mails every party once with the sealed PDF attached', async () => {
    const { ports, key, tasks } = await setup([1, 2]);
    await signAll(ports, key);
    await tasks.Seal(key);

    expect(await tasks.NotifyCompletion(key)).toEqual({ sent: true, attached: true });
    expect(await tasks.NotifyCompletion(key)).toEqual({ sent: false });
    const completion = ports.mail.sent.filter((m) => m.subject.startsWith('Completed:'));
    // One message per party, so no party sees the others' addresses.
    expect(completion.map((m) => m.to)).toEqual([
      [`signer1.${key.envelopeId}@customer.example`],
      [`signer2.${key.envelopeId}@customer.example`],
      ['sam@vendor.example'],
    ]);
    const state = await loadEnvelope(ports.envelopes, key);
    for (const message of completion) {
      expect(message.attachments).toHaveLength(1);
      expect(sha256Hex(message.attachments![0]!.content)).toBe(state.sealedDocuments![0]!.sha256);
    }
    expect((await typesOf(ports, key)).filter((t) => t === 'envelope.parties_notified')).toHaveLength(1);
  });

  it('sends links instead of attachments when the sealed documents are over the mail size limit', async () => {
    const { ports, key, tasks } = await setup([1]);
    await signAll(ports, key);
    await tasks.Seal(key);
    ports.limits = { ...ports.limits, maxAttachmentBytes: 1000 };

    expect(await tasks.NotifyCompletion(key)).toEqual({ sent: true, attached: false });
    const completion = ports.mail.sent.filter((m) => m.subject.startsWith('Completed:'));
    expect(completion.length).toBeGreaterThan(0);
    for (const message of completion) {
      expect(message.attachments ?? []).toEqual([]);
      expect(message.text).toMatch(/too large to attach; download them here \(links valid for 7 days\)/);
      expect(message.text).toMatch(/\(signed\)\.pdf: \S+/);
    }
    const notified = (await ports.envelopes.loadEvents(key)).filter(
      (e) => e.type === 'envelope.parties_notified',
    );
    expect(notified.map((e) => (e.data as { attached?: boolean }).attached)).toEqual([false]);
  });

  it('does nothing for an envelope that is not completed', async () => {
    const { ports, key, tasks } = await setup([1]);
    expect(await tasks.NotifyCompletion(key)).toEqual({ sent: false });
    expect(ports.mail.sent).toEqual([]);
  });
});

describe('RecordEnd', () => {
  it('run twice, tells the parties once', async () => {
    const { ports, key, tasks } = await setup([1, 2]);
    await tasks.StartStep({ ...key, step: 1 });
    await recordVoided(ports, key);
    const payload = { ...key, step: 1, error: ERRORS.Voided, cause: 'voided' };
    expect(await tasks.RecordEnd(payload)).toEqual({ recorded: true });
    expect(await tasks.RecordEnd(payload)).toEqual({ recorded: false });

    const ended = ports.mail.sent.filter((m) => m.subject.startsWith('Voided:'));
    // Those who were invited, and the sender; the step-2 signer never heard of the envelope.
    const to = ended.flatMap((m) => m.to);
    expect(ended.every((m) => m.to.length === 1)).toBe(true);
    expect(to).toContain(`signer1.${key.envelopeId}@customer.example`);
    expect(to).toContain('sam@vendor.example');
    expect(to).not.toContain(`signer2.${key.envelopeId}@customer.example`);
    const notified = (await ports.envelopes.loadEvents(key)).filter(
      (e) => e.type === 'envelope.parties_notified',
    );
    expect(notified.map((e) => e.data)).toEqual([{ reason: 'voided', to }]);
  });
});

describe('releaseWait', () => {
  it('swallows TaskTokenExpiredError: the route re-checks the step when it stores its next token', async () => {
    const { ports, key } = await setup([1]);
    const state = await recordSigned(ports, key, 'r1');
    await ports.waits.putWait({ ...key, step: 1, taskToken: 'stale', storedAt: state.updatedAt });
    ports.workflow.reject = () => new TaskTokenExpiredError('task token is no longer waiting (timed out)');
    await expect(releaseWait(ports, state, 1, 'success')).resolves.toBeUndefined();
    await expect(releaseWait(ports, state, null, ERRORS.Voided)).resolves.toBeUndefined();
    expect(ports.workflow.calls.map((c) => [c.kind, 'token' in c ? c.token : undefined])).toEqual([
      ['success', 'stale'],
      ['failure', 'stale'],
    ]);
  });

  it('other errors do not fail the request that recorded the event; they are logged', async () => {
    const { ports, key } = await setup([1]);
    const state = await recordSigned(ports, key, 'r1');
    await ports.waits.putWait({ ...key, step: 1, taskToken: 'tok', storedAt: state.updatedAt });
    ports.workflow.reject = () => new Error('throttled');
    const warnings: string[] = [];
    ports.log = { warn: (message, error) => warnings.push(`${message}: ${(error as Error).message}`) };
    await expect(releaseWait(ports, state, 1, 'success')).resolves.toBeUndefined();
    expect(warnings).toEqual(['the signing route could not be told: throttled']);
  });

  it('answers only a wait on the step that completed', async () => {
    const { ports, key } = await setup([1, 2]);
    const state = await recordSigned(ports, key, 'r1');
    await releaseWait(ports, state, 1, 'success');
    expect(ports.workflow.calls).toEqual([]);
    await ports.waits.putWait({ ...key, step: 2, taskToken: 'step-2', storedAt: state.updatedAt });
    await releaseWait(ports, state, 1, 'success');
    expect(ports.workflow.calls).toEqual([]);
  });
});
