import { requireManage, type Principal } from '../access';
import { hasActed, type EnvelopeState, type RecipientState } from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { MailMessage, Ports } from '../ports';
import { issueInvitation } from './invite';

export function recipientOf(state: EnvelopeState, recipientId: string): RecipientState {
  const r = state.recipients.find((x) => x.id === recipientId);
  if (!r) throw new NotFoundError(`envelope ${state.id} has no recipient "${recipientId}"`);
  return r;
}

/** A recipient who has consented, signed, declined or withdrawn has acted: their record stays as it is. */
function requireNotActed(r: RecipientState, action: string): void {
  if (r.status === 'superseded') {
    throw new ConflictError(
      `another member of recipient ${r.id}'s signing group signed; you cannot ${action}`,
    );
  }
  if (hasActed(r) || r.status === 'declined' || r.status === 'withdrawn' || r.consent) {
    throw new ConflictError(
      `recipient ${r.id} has already acted (${r.consent && r.status !== 'signed' ? 'consented' : r.status}); you cannot ${action}`,
    );
  }
}

export const invited = (r: RecipientState) => r.status === 'sent' || r.status === 'viewed';

/**
 * Resend: a new link goes out and every earlier link of this recipient stops working; a recipient
 * locked out by wrong codes may try again, with the new link and a new code. Allowed
 * while the envelope is out for signing and the recipient, already invited, has not acted.
 */
export async function resendInvitation(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  recipientId: string,
): Promise<EnvelopeState> {
  const key = { tenantId: principal.tenantId, envelopeId };
  const state = await loadEnvelope(ports.envelopes, key);
  requireManage(principal, state, 'resend an invitation');
  if (state.status !== 'sent')
    throw new ConflictError(
      `envelope ${envelopeId} is ${state.status}; only a sent envelope's invitations can be resent`,
    );
  const r = recipientOf(state, recipientId);
  if (r.role === 'carbon_copy') {
    throw new ConflictError(
      `recipient ${r.id} is a carbon copy: they get the completed documents, no invitation`,
    );
  }
  if (r.status === 'superseded') {
    throw new ConflictError(
      `another member of recipient ${r.id}'s signing group signed; there is nothing to resend`,
    );
  }
  if (hasActed(r) || r.status === 'declined') {
    throw new ConflictError(`recipient ${r.id} has already ${r.status}; there is nothing to resend`);
  }
  // A recipient who withdrew consent may be asked again: the resend gives them a fresh start.
  if (!invited(r) && r.status !== 'withdrawn') {
    throw new ConflictError(`recipient ${r.id} has not been invited yet: their step has not started`);
  }
  return reinvite(ports, key, r);
}

/**
 * Revokes every link of the recipient, then mails a fresh one (the `compose`d invitation) and
 * records it; a lock on wrong codes and any outstanding one-time code go with the old links.
 */
export async function reinvite(
  ports: Ports,
  key: { tenantId: string; envelopeId: string },
  r: RecipientState,
  compose?: (s: EnvelopeState, r: RecipientState, link: string) => MailMessage,
): Promise<EnvelopeState> {
  const at = ports.clock.now().toISOString();
  const revoked = await ports.signerTokens.revokeRecipient(key, r.id, at);
  // An outstanding one-time code dies with the links; the resend event lifts a lock (see the fold).
  await ports.signerAuth.deleteOneTimeCode(key, r.id);
  const current = await loadEnvelope(ports.envelopes, key);
  const { messageId } = await issueInvitation(ports, current, recipientOf(current, r.id), compose);
  return withRetry(async () => {
    const latest = await loadEnvelope(ports.envelopes, key);
    const { state } = await appendEvent(ports.envelopes, latest, {
      type: 'recipient.invitation_resent',
      at,
      actor: { kind: 'system', id: 'signing-route' },
      data: { recipientId: r.id, email: recipientOf(latest, r.id).email, messageId, revoked },
    });
    return state;
  });
}

/**
 * Corrects a recipient's address (and optionally name) before they act. An invited recipient's
 * old links stop working and the invitation goes to the corrected address.
 */
export async function correctRecipient(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  recipientId: string,
  input: { email: string; name?: string },
): Promise<EnvelopeState> {
  const key = { tenantId: principal.tenantId, envelopeId };
  const email = input.email.trim().toLowerCase();
  const corrected = await withRetry(async () => {
    const state = await loadEnvelope(ports.envelopes, key);
    requireManage(principal, state, "correct a recipient's address");
    if (state.status !== 'draft' && state.status !== 'sent') {
      throw new ConflictError(
        `envelope ${envelopeId} is ${state.status}; its recipients can no longer change`,
      );
    }
    const r = recipientOf(state, recipientId);
    requireNotActed(r, "correct this recipient's address");
    if (email === r.email && (input.name === undefined || input.name === r.name)) {
      throw new ValidationError(`${email} is already this recipient's address`, [
        { path: 'body.email', message: 'unchanged' },
      ]);
    }
    const { state: next } = await appendEvent(ports.envelopes, state, {
      type: 'recipient.email_corrected',
      at: ports.clock.now().toISOString(),
      actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      data: {
        recipientId: r.id,
        from: r.email,
        to: email,
        ...(input.name !== undefined ? { name: input.name } : {}),
      },
    });
    return next;
  });
  const r = recipientOf(corrected, recipientId);
  return corrected.status === 'sent' && invited(r) ? reinvite(ports, key, r) : corrected;
}
