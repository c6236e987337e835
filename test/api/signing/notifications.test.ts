import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventsOfType,
  eventually,
  invitationToken,
  mailTo,
  sendEnvelope,
  signAs,
  uniqueEmail,
  waitForStatus,
} from '../../support/signing';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

async function completeWith(notifySender?: Record<string, boolean>) {
  const tenant = `notify-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const email = uniqueEmail('sender');
  const token = await service.token('sender', { tenant, email });
  const { envelope, signers } = await createRouted(service, token, tenant, [1, 2], {
    ...(notifySender ? { settings: { notifySender } } : {}),
  });
  await sendEnvelope(service, token, envelope.id);
  for (const s of signers) await signAs(service, await invitationToken(service, s.email));
  await waitForStatus(service, token, envelope.id, 'completed');
  // Every party's completion mail has gone out once the route has recorded that it told them.
  await eventually('the parties to be told of the completion', async () =>
    (await eventsOfType(service, tenant, envelope.id, 'envelope.parties_notified')).length === 1
      ? true
      : undefined,
  );
  return { email, envelope };
}

describe('sender notifications', () => {
  it('by default, the sender hears of each signature and of the completion', async () => {
    const { email, envelope } = await completeWith();
    const subjects = (await mailTo(service, email)).map((m) => m.subject);
    expect(subjects).toEqual([
      `Signed by Signer 1: ${envelope.title}`,
      `Signed by Signer 2: ${envelope.title}`,
      `Completed: ${envelope.title}`,
    ]);
    expect(envelope.settings.notifySender).toEqual({
      signed: true,
      completed: true,
      declined: true,
      expired: true,
    });
  });

  it('turned off per envelope, the sender gets neither', async () => {
    const { email, envelope } = await completeWith({ signed: false, completed: false });
    expect(await mailTo(service, email)).toEqual([]);
    expect(envelope.settings.notifySender).toEqual({
      signed: false,
      completed: false,
      declined: true,
      expired: true,
    });
  });
});
