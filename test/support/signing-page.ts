import type { TestService } from './service';
import {
  createRouted,
  invitationToken,
  sendEnvelope,
  uniqueEmail,
  waitForStep,
  type SignerInput,
} from './signing';

/** What the browser tests of the signing page start from, in Chromium and in WebKit alike. */

let phones = 0;
/** A phone number no other test file of this run uses (`prefix` tells the files apart). */
export const uniquePhone = (prefix = '+1555') =>
  `${prefix}${String(process.pid % 1000).padStart(3, '0')}${String(phones++ % 10000).padStart(4, '0')}`;

/** An envelope sent to one recipient (Ada Buyer), and their link from the invitation in the outbox. */
export async function invited(
  service: TestService,
  signer: Omit<SignerInput, 'step'> = {},
  options: { label?: string; title?: string; message?: string } = {},
) {
  const label = options.label ?? 'web';
  const tenant = `${label}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
  const email = uniqueEmail(label);
  const routed = await createRouted(
    service,
    token,
    tenant,
    [{ step: 1, name: 'Ada Buyer', email, ...signer }],
    {
      title: options.title ?? 'Support maintenance agreement 2026',
      message: options.message ?? 'Hello Ada, here is the renewal we discussed. Thank you!',
    },
  );
  const id = routed.envelope.id as string;
  await sendEnvelope(service, token, id);
  await waitForStep(service, tenant, id, 1);
  const link = await invitationToken(service, email);
  const fields = routed.envelope.recipients[0].fields as { id: string; type: string; name?: string }[];
  return { tenant, token, id, email, link, fields };
}

/** The signing page for a link: the token travels in the fragment. */
export const pageUrl = (service: TestService, link: string) => `${service.url}/sign#t=${link}`;
