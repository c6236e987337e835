import type { Actor } from '../audit-chain';
import { authOf, isFinal, type EnvelopeState, type RecipientState } from '../envelope';
import { loadEnvelope } from '../envelope-repository';
import { AuthRequiredError, GoneError, NotFoundError, UnauthorizedError } from '../errors';
import { sha256Hex } from '../hashing';
import type { Ports, SignerTokenRecord } from '../ports';

/** Where a signer's request came from, recorded with what they do. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface SignerContext {
  token: SignerTokenRecord;
  envelope: EnvelopeState;
  recipient: RecipientState;
  actor: Actor;
}

const TOKEN_FORMAT = /^[A-Za-z0-9_-]{22,128}$/;

/**
 * Resolves a signing link's secret to its recipient. The secret is never stored: only its
 * SHA-256 is, so a copy of the table does not let anyone sign.
 */
export async function resolveSigner(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  /** `allowUnauthenticated`: the code prompt and the code endpoints, which a link reaches before its code. */
  /** `allowSuperseded`: a signature that lost the race to a fellow group member, to answer 409 rather than 410. */
  opts: { allowEnded?: boolean; allowUnauthenticated?: boolean; allowSuperseded?: boolean } = {},
): Promise<SignerContext> {
  if (!token) throw new UnauthorizedError('the signing token is missing; open the link from your invitation');
  if (!TOKEN_FORMAT.test(token)) throw new UnauthorizedError('this signing link is not valid');
  const record = await ports.signerTokens.getToken(sha256Hex(token));
  if (!record) throw new UnauthorizedError('this signing link is not valid');
  const envelope = await loadEnvelope(ports.envelopes, {
    tenantId: record.tenantId,
    envelopeId: record.envelopeId,
  });
  const recipient = envelope.recipients.find((r) => r.id === record.recipientId);
  // A member of a signing group whose group was signed for by another member: the link stops
  // working at once (its revocation follows), whatever the envelope's status.
  if (recipient?.status === 'superseded' && !opts.allowSuperseded) {
    throw new GoneError(
      `another member of the group "${recipient.group?.name ?? ''}" signed for it; this link no longer works`,
    );
  }
  if (record.revokedAt && recipient?.status !== 'superseded')
    throw new UnauthorizedError('this signing link was replaced by a newer one; use the latest invitation');
  // The part passed to another address (reassigned, delegated, corrected) before this link's
  // revocation was written: it is already no longer this link's.
  if (recipient && record.email !== undefined && record.email !== recipient.email)
    throw new UnauthorizedError('this signing link was replaced by a newer one; use the latest invitation');
  if (!recipient)
    throw new NotFoundError('this signing link names a recipient who is no longer on the envelope');
  if (isFinal(envelope.status) && envelope.status !== 'completed' && !opts.allowEnded) {
    throw new GoneError(`this envelope was ${envelope.status}; the link no longer works`);
  }
  // Past its expiry an envelope's links stop working at once, before the route records it.
  if (envelope.status === 'sent' && envelope.expiresAt && ports.clock.now() >= new Date(envelope.expiresAt)) {
    throw new GoneError(`this envelope expired at ${envelope.expiresAt}; the link no longer works`);
  }
  if (envelope.completedAt) {
    const until = new Date(
      new Date(envelope.completedAt).getTime() + ports.limits.completedLinkDays * 86_400_000,
    );
    if (ports.clock.now() > until) {
      throw new GoneError(
        `this link opened the completed document until ${until.toISOString()}; ask the sender for a copy`,
      );
    }
  }
  const method = authOf(recipient).method;
  if (method !== 'email' && !record.authenticatedAt && !opts.allowUnauthenticated) {
    throw new AuthRequiredError(
      method === 'access_code'
        ? 'a code is required: enter the access code the sender gave you (POST /v1/signing/auth/verify) before this link opens anything'
        : `a code is required: ask for a one-time code by ${method === 'sms' ? 'SMS' : 'e-mail'} (POST /v1/signing/auth/send) and enter it (POST /v1/signing/auth/verify) before this link opens anything`,
    );
  }
  return {
    token: record,
    envelope,
    recipient,
    actor: {
      kind: 'recipient',
      id: recipient.id,
      email: recipient.email,
      ...(client.ip ? { ip: client.ip } : {}),
      ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 512) } : {}),
    },
  };
}
