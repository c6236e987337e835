import type { EnvelopeState, RecipientState } from '../envelope';
import { sha256Hex } from '../hashing';
import type { MailMessage, Ports } from '../ports';
import { brandedMessage, invitation, signingLink } from './messages';

/**
 * Issues a fresh signing link to a recipient and mails it (by default in an invitation; a
 * reminder passes its own message), with an HTML alternative in the tenant's branding when it has
 * one. Only the link's hash is stored; the secret exists in the e-mail alone. Earlier links are not touched: a resend revokes them itself.
 */
export async function issueInvitation(
  ports: Ports,
  state: EnvelopeState,
  recipient: RecipientState,
  compose: (s: EnvelopeState, r: RecipientState, link: string) => MailMessage = invitation,
): Promise<{ messageId: string }> {
  const token = ports.ids.newSecret(32);
  await ports.signerTokens.putToken({
    tokenHash: sha256Hex(token),
    tenantId: state.tenantId,
    envelopeId: state.id,
    recipientId: recipient.id,
    email: recipient.email,
    issuedAt: ports.clock.now().toISOString(),
  });
  const message = compose(state, recipient, signingLink(ports.links.publicUrl, token));
  // In the sender organisation's colours and with its logo, when it has set them.
  const branding = (await ports.tenantSettings.getSettings(state.tenantId))?.branding;
  return ports.mail.send(branding ? brandedMessage(message, branding, recipient.language) : message);
}
