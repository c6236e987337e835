import { requireManage, type Principal } from '../access';
import type { Actor } from '../audit-chain';
import {
  authOf,
  type EnvelopeState,
  type PersonRef,
  type RecipientAuth,
  type RecipientState,
} from '../envelope';
import { appendEvent, loadEnvelope, withRetry } from '../envelope-repository';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import type { MailMessage, Ports } from '../ports';
import { loadTenantSettings } from '../tenant-settings';
import { authProblems, recordedAuth, type AuthInput } from '../usecases/create-envelope';
import { delegatedNotice, partReassigned, reassignedInvitation } from './messages';
import { invited, recipientOf, reinvite } from './recipient-changes';
import { hashSecret } from './signer-auth';
import { resolveSigner, type ClientInfo } from './signer-access';

/** Reassign (by the sender) and delegate (by the recipient): another person takes the part. */

export interface ReassignInput {
  name: string;
  email: string;
  reason: string;
  /** The new person's authentication; needed when the part used an access code or an SMS code. */
  auth?: AuthInput;
}

type Key = { tenantId: string; envelopeId: string };
export type Change = { from: PersonRef; to: PersonRef; by: 'sender' | 'recipient'; reason: string };

export async function reassignRecipient(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
  recipientId: string,
  input: ReassignInput,
): Promise<EnvelopeState> {
  const key = { tenantId: principal.tenantId, envelopeId };
  const to = person(input);
  const tenant = await loadTenantSettings(ports.tenantSettings, principal.tenantId);
  const problems = authProblems(input.auth, 'body.auth');
  if (problems.length) {
    throw new ValidationError(
      `invalid authentication: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  }
  let previous: RecipientState | undefined;
  const next = await withRetry(async () => {
    const state = await loadEnvelope(ports.envelopes, key);
    requireManage(principal, state, 'reassign a recipient');
    if (!tenant.recipientChanges.senderMayReassign) {
      throw new ForbiddenError(
        'your organisation does not allow reassigning recipients; an admin can allow it in the settings (recipientChanges.senderMayReassign)',
      );
    }
    if (state.status !== 'draft' && state.status !== 'sent') {
      throw new ConflictError(
        `envelope ${envelopeId} is ${state.status}; its recipients can no longer change`,
      );
    }
    const r = recipientOf(state, recipientId);
    requireUnacted(r, `recipient ${r.id}`);
    checkTarget(state, r, to);
    const auth = newAuth(r, input.auth);
    // The code is in place before the event names the new person: they can be let in at once.
    if (input.auth?.method === 'access_code') {
      await ports.signerAuth.putAccessCode(key, r.id, await hashSecret(input.auth.code));
    }
    previous = r;
    const actor: Actor = {
      kind: 'user',
      id: principal.sub,
      ...(principal.email ? { email: principal.email } : {}),
    };
    return (
      await appendEvent(ports.envelopes, state, reassigned(ports, actor, r, to, input.reason, 'sender', auth))
    ).state;
  });
  const r = previous!;
  return takeEffect(ports, key, next, r, {
    from: { name: r.name, email: r.email },
    to,
    by: 'sender',
    reason: input.reason,
  });
}

/**
 * A recipient passes their part on from their own link. Only a part authenticated by the e-mail
 * link or an e-mail code can be: an access code or a phone belongs to the person the sender chose.
 */
export async function delegate(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  input: Omit<ReassignInput, 'auth'>,
): Promise<{ delegatedTo: PersonRef }> {
  const to = person(input);
  let previous: RecipientState | undefined;
  let key: Key | undefined;
  const next = await withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    const { envelope: state, recipient: r } = ctx;
    key = { tenantId: state.tenantId, envelopeId: state.id };
    const tenant = await loadTenantSettings(ports.tenantSettings, state.tenantId);
    if (!tenant.recipientChanges.recipientMayDelegate) {
      throw new ForbiddenError(
        "the sender's organisation does not allow passing a request on to someone else",
      );
    }
    if (state.status !== 'sent')
      throw new ConflictError(`the envelope is ${state.status}; you cannot pass it on`);
    requireUnacted(r, 'you');
    const method = authOf(r).method;
    if (method === 'access_code' || method === 'sms') {
      throw new ConflictError(
        `your part needs ${method === 'sms' ? 'a code sent to your phone' : 'the access code the sender gave you'}: only the sender can reassign it`,
      );
    }
    checkTarget(state, r, to);
    previous = r;
    return (
      await appendEvent(
        ports.envelopes,
        state,
        reassigned(ports, ctx.actor, r, to, input.reason, 'recipient'),
      )
    ).state;
  });
  const r = previous!;
  await takeEffect(ports, key!, next, r, {
    from: { name: r.name, email: r.email },
    to,
    by: 'recipient',
    reason: input.reason,
  });
  return { delegatedTo: to };
}

function reassigned(
  ports: Ports,
  actor: Actor,
  r: RecipientState,
  to: PersonRef,
  reason: string,
  by: Change['by'],
  auth?: RecipientAuth,
) {
  return {
    type: 'recipient.reassigned' as const,
    at: ports.clock.now().toISOString(),
    actor,
    data: {
      recipientId: r.id,
      from: { name: r.name, email: r.email },
      to,
      reason,
      by,
      ...(auth ? { auth } : {}),
    },
  };
}

const person = (input: { name: string; email: string }): PersonRef => ({
  name: input.name.trim(),
  email: input.email.trim().toLowerCase(),
});

/** Until the part is done (signed, approved, declined, or signed for by a fellow group member). */
function requireUnacted(r: RecipientState, who: string): void {
  const done: Partial<Record<RecipientState['status'], string>> = {
    signed: 'signed',
    approved: 'approved',
    declined: 'declined',
    superseded: 'been signed for by another member of the group',
  };
  const what = done[r.status];
  if (what)
    throw new ConflictError(
      `${who} ${who === 'you' ? 'have' : 'has'} already ${what}; the part cannot pass to someone else`,
    );
}

/** Another person, not already a recipient of the same step. */
function checkTarget(state: EnvelopeState, r: RecipientState, to: PersonRef): void {
  if (to.email === r.email) {
    throw new ValidationError(`${to.email} already has this part: a reassignment needs another person`, [
      { path: 'body.email', message: 'is the current recipient' },
    ]);
  }
  const clash = state.recipients.find((x) => x.id !== r.id && x.step === r.step && x.email === to.email);
  if (clash) {
    throw new ValidationError(`${to.email} is already recipient ${clash.id} in step ${r.step}`, [
      { path: 'body.email', message: `already a recipient in step ${r.step}` },
    ]);
  }
}

/**
 * The new person's authentication: as given, or the part's own when it is not tied to the
 * previous person (an access code they were told, a phone that is theirs).
 */
function newAuth(r: RecipientState, given: AuthInput | undefined): RecipientAuth | undefined {
  if (given) {
    if (given.method === 'sms' && r.group) {
      throw new ValidationError('a signing group member cannot use SMS codes', [
        { path: 'body.auth.method', message: 'not for a group member' },
      ]);
    }
    return recordedAuth(given);
  }
  const method = authOf(r).method;
  if (method === 'sms' || method === 'access_code') {
    throw new ValidationError(
      `recipient ${r.id} is authenticated by ${method === 'sms' ? "an SMS code to the previous person's phone" : 'an access code given to the previous person'}: give the new person's authentication in auth`,
      [{ path: 'body.auth', message: `required: the part uses ${method}` }],
    );
  }
  return undefined;
}

/**
 * The change reaches the running route: an invited part is invited again at once (the route reads
 * the recipient from the log at each step, so reminders follow the new person), the previous
 * person's links stop working, and they are told. Mail that cannot go out after the change is
 * recorded is logged: the change stands.
 */
async function takeEffect(
  ports: Ports,
  key: Key,
  state: EnvelopeState,
  previous: RecipientState,
  change: Change,
): Promise<EnvelopeState> {
  const r = recipientOf(state, previous.id);
  const wasInvited = invited(previous) || previous.status === 'withdrawn';
  let result = state;
  // A part not yet invited has no links; one the route is inviting at this moment is re-invited by
  // the route itself when it sees the address changed.
  if (state.status === 'sent' && wasInvited && r.role !== 'carbon_copy') {
    result = await inviteNewPerson(ports, key, r, change);
  }
  if (wasInvited) await notice(ports, partReassigned(state, change.from, change.to, change.by));
  if (change.by === 'recipient' && state.owner.email) {
    await notice(ports, delegatedNotice(state, change.from, change.to, change.reason, state.owner.email));
  }
  return result;
}

/** The part's new person gets a fresh link, with who passed the part on and why. */
export function inviteNewPerson(
  ports: Ports,
  key: Key,
  r: RecipientState,
  change: Change,
): Promise<EnvelopeState> {
  return reinvite(ports, key, r, (s, x, link) => reassignedInvitation(s, x, link, change));
}

/** Mail that cannot go out after the change is recorded is logged: the change stands. */
export async function notice(ports: Ports, message: MailMessage): Promise<void> {
  await ports.mail
    .send(message)
    .catch((err: unknown) => ports.log?.warn('a reassignment notice was not sent', err));
}
