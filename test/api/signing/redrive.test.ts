import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailMessage, Ports } from '../../../functions/core/ports';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  inbox,
  inboxReaches,
  invitationToken,
  sendEnvelope,
  signAs,
  uniqueEmail,
  waitForExecution,
  waitForStatus,
} from '../../support/signing';

/**
 * A route that failed (an outage that outlasted the retries) is redriven through the API and
 * finishes without anyone receiving anything twice. Failures are injected into the ports.
 */

/** Addresses the mail service refuses while they are listed: an outage for them. */
const mailOutage = new Set<string>();
/** While set, the seal signer fails: a KMS outage. */
let kmsDown = false;
/** While set, starting a route fails: the Step Functions API unreachable. */
let startDown = false;

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    overrides: (ports: Ports) => {
      // The originals, before the overrides replace them on the same object.
      const { mail, seal: kit, workflow } = ports;
      return {
        mail: {
          send: async (message: MailMessage) => {
            if (message.to.some((to) => mailOutage.has(to.toLowerCase()))) {
              throw new Error(`mail service unavailable for ${message.to.join(', ')}`);
            }
            return mail.send(message);
          },
        },
        seal: {
          chain: () => kit.chain(),
          signer: {
            algorithm: kit.signer.algorithm,
            publicKey: () => kit.signer.publicKey(),
            signDigest: async (digest: Uint8Array) => {
              if (kmsDown) throw new Error('KMS is unavailable');
              return kit.signer.signDigest(digest);
            },
          },
        },
        workflow: {
          start: async (name: string, input: unknown) => {
            if (startDown) throw new Error('Step Functions is unavailable');
            return workflow.start(name, input);
          },
          redrive: (name: string, execution: string) => workflow.redrive(name, execution),
          taskSuccess: (token: string, output: unknown) => workflow.taskSuccess(token, output),
          taskFailure: (token: string, error: string, cause: string) =>
            workflow.taskFailure(token, error, cause),
        },
      };
    },
  });
});
afterAll(async () => service.close());

async function sender(label: string) {
  const tenant = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const email = uniqueEmail('sender');
  return { tenant, email, token: await service.token('sender', { tenant, sub: 'sender-1', email }) };
}

const redrive = (token: string, id: string) => service.api('POST', `/v1/envelopes/${id}/redrive`, { token });

describe('redriving a failed signing route', () => {
  it('a mail outage in step 2: redriven, the one already invited is not invited again', async () => {
    const owner = await sender('redrive-mail');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1, 2, 2]);
    const [a, b, c] = signers as [(typeof signers)[0], (typeof signers)[0], (typeof signers)[0]];
    mailOutage.add(c.email.toLowerCase());
    try {
      await sendEnvelope(service, owner.token, envelope.id);
      await signAs(service, await invitationToken(service, a.email));
      const failed = await waitForExecution(service, envelope.id, 'FAILED');
      expect(failed.cause).toMatch(/mail service unavailable/);
      // b was invited before c's invitation failed; c got nothing.
      expect(await inbox(service, b.email)).toEqual(['Please sign']);
      expect(await inbox(service, c.email)).toEqual([]);
    } finally {
      mailOutage.delete(c.email.toLowerCase());
    }

    const res = await redrive(owner.token, envelope.id);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ envelopeId: envelope.id, route: 'redriven' });
    await signAs(service, await invitationToken(service, c.email));
    await signAs(service, await invitationToken(service, b.email));
    await waitForStatus(service, owner.token, envelope.id, 'completed');
    const run = await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(run.redriveCount).toBe(1);

    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Completed']);
    expect(await inboxReaches(service, b.email, 2)).toEqual(['Please sign', 'Completed']);
    expect(await inboxReaches(service, c.email, 2)).toEqual(['Please sign', 'Completed']);
    const invited = await eventsOfType(service, owner.tenant, envelope.id, 'recipient.invited');
    expect(invited.map((e) => e.data.recipientId).sort()).toEqual([a.id, b.id, c.id].sort());
  });

  it('a KMS outage while sealing: redriven, sealed once, and every party told once', async () => {
    const owner = await sender('redrive-seal');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1]);
    const a = signers[0]!;
    kmsDown = true;
    try {
      await sendEnvelope(service, owner.token, envelope.id);
      await signAs(service, await invitationToken(service, a.email));
      const failed = await waitForExecution(service, envelope.id, 'FAILED');
      expect(failed.cause).toMatch(/KMS is unavailable/);
    } finally {
      kmsDown = false;
    }
    const stuck = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: owner.token });
    expect(stuck.body.status).toBe('sent');
    expect(stuck.body.steps.map((s: any) => s.status)).toEqual(['completed']);

    expect((await redrive(owner.token, envelope.id)).status).toBe(202);
    await waitForStatus(service, owner.token, envelope.id, 'completed');
    await waitForExecution(service, envelope.id, 'SUCCEEDED');
    expect(await eventsOfType(service, owner.tenant, envelope.id, 'envelope.completed')).toHaveLength(1);
    expect(await inboxReaches(service, a.email, 2)).toEqual(['Please sign', 'Completed']);
    expect(await inboxReaches(service, owner.email, 2)).toEqual([`Signed by ${a.name}`, 'Completed']);
  });

  it('a sent envelope whose route never started: the redrive starts it', async () => {
    const owner = await sender('redrive-start');
    const { envelope, signers } = await createRouted(service, owner.token, owner.tenant, [1]);
    startDown = true;
    try {
      const send = await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token: owner.token });
      expect(send.status).toBe(500);
    } finally {
      startDown = false;
    }
    expect(await inbox(service, signers[0]!.email)).toEqual([]);
    const res = await redrive(owner.token, envelope.id);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.route).toBe('started');
    await signAs(service, await invitationToken(service, signers[0]!.email));
    await waitForStatus(service, owner.token, envelope.id, 'completed');
    expect(await inboxReaches(service, signers[0]!.email, 2)).toEqual(['Please sign', 'Completed']);
  });

  it('refuses a route that is running or finished, a draft, and another sender (4xx, nothing started)', async () => {
    const owner = await sender('redrive-refused');
    const draft = await createRouted(service, owner.token, owner.tenant, [1]);
    const drafted = await redrive(owner.token, draft.envelope.id);
    expect(drafted.status).toBe(409);
    expect(drafted.body.error.message).toMatch(/draft/);

    const live = await createRouted(service, owner.token, owner.tenant, [1]);
    await sendEnvelope(service, owner.token, live.envelope.id);
    await invitationToken(service, live.signers[0]!.email);
    const running = await redrive(owner.token, live.envelope.id);
    expect(running.status).toBe(409);
    expect(running.body.error.message).toMatch(/running or ran to its end/);
    const other = await service.token('sender', { tenant: owner.tenant, sub: 'sender-2' });
    expect((await redrive(other, live.envelope.id)).status).toBe(403);

    await signAs(service, await invitationToken(service, live.signers[0]!.email));
    await waitForExecution(service, live.envelope.id, 'SUCCEEDED');
    expect((await redrive(owner.token, live.envelope.id)).status).toBe(409);
    expect(await inbox(service, live.signers[0]!.email)).toEqual(['Please sign', 'Completed']);
    expect((await redrive(owner.token, 'env_unknown')).status).toBe(404);
  });
});
