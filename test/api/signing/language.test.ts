import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../functions/adapters/system';
import { envelopeBody } from '../helpers';
import { startTestService, type TestService } from '../../support/service';
import {
  createRouted,
  eventually,
  execution,
  invitationToken,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signer,
  uniqueEmail,
} from '../../support/signing';

/**
 * The sender chooses a recipient's language: their invitation, reminders and expiry warning are
 * written in it, and their signing page opens in it (the page reads it from the session).
 */

const clock = fixedClock(new Date());
let service: TestService;
beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});
afterAll(async () => service.close());

const newTenant = () => `lang-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

describe("a recipient's language", () => {
  it('Spanish: the invitation and the reminder in Spanish, the session and the envelope say es; English stays the default', async () => {
    const tenant = newTenant();
    const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const ana = uniqueEmail('ana');
    const bob = uniqueEmail('bob');
    const routed = await createRouted(
      service,
      token,
      tenant,
      [
        { step: 1, name: 'Ana Compradora', email: ana, language: 'es' },
        { step: 1, name: 'Bob Buyer', email: bob },
      ],
      {
        title: 'Contrato de soporte 2027',
        settings: { reminders: { firstAfterHours: 2, everyHours: 2, max: 1 } },
      },
    );
    expect(routed.envelope.recipients.map((r: { language?: string }) => r.language)).toEqual([
      'es',
      undefined,
    ]);
    await sendEnvelope(service, token, routed.envelope.id);

    const link = await invitationToken(service, ana);
    const [invitation] = await mailTo(service, ana);
    expect(invitation!.subject).toBe('Firme, por favor: Contrato de soporte 2027');
    expect(invitation!.body.text).toContain('Hola, Ana Compradora:');
    expect(invitation!.body.text).toContain('sender@acme.test le pide que firme «Contrato de soporte 2027».');
    expect(invitation!.body.text).toContain(`Abra los documentos y firme: `);
    await invitationToken(service, bob);
    expect((await mailTo(service, bob))[0]!.subject).toBe('Please sign: Contrato de soporte 2027');

    const session = await signer(service, 'GET', '/v1/signing/session', link);
    expect(session.status).toBe(200);
    expect(session.body.recipient.language).toBe('es');

    // The first reminder, when the wait times out.
    const wait = await eventually('the route to wait', () => {
      const run = execution(service, routed.envelope.id);
      return run ? service.runner.pendingTokens(run.executionId)[0] : undefined;
    });
    clock.set(wait.deadline);
    expect(service.runner.checkDeadlines()).toBe(1);
    const reminder = await eventually('the reminder to Ana', async () =>
      (await mailTo(service, ana)).find((m) => m.subject.startsWith('Recordatorio')),
    );
    expect(reminder.subject).toBe('Recordatorio: firme Contrato de soporte 2027');
    expect(reminder.body.text).toContain(
      'le pidió que firmara «Contrato de soporte 2027», y todavía espera su firma.',
    );
    const envelope = await readEnvelope(service, token, routed.envelope.id);
    expect(envelope.recipients[0].language).toBe('es');
  });

  it('a link that needs a code shows the prompt in the chosen language; an unknown language is refused', async () => {
    const tenant = newTenant();
    const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const email = uniqueEmail('eva');
    const routed = await createRouted(service, token, tenant, [
      { step: 1, email, language: 'es', auth: { method: 'email_code' } },
    ]);
    await sendEnvelope(service, token, routed.envelope.id);
    const prompt = await signer(service, 'GET', '/v1/signing/session', await invitationToken(service, email));
    expect(prompt.status).toBe(200);
    expect(prompt.body).toMatchObject({ authRequired: { method: 'email_code' }, language: 'es' });

    const body = await envelopeBody({
      recipients: [{ name: 'Fred', email: uniqueEmail('fred'), step: 1, language: 'fr', fields: [] }],
    });
    const refused = await service.api('POST', '/v1/envelopes', { token, body });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path)).toContain(
      'body.recipients[0].language',
    );
  });
});
