import { randomBytes, randomInt, scrypt, timingSafeEqual } from 'node:crypto';
import {
  authOf,
  isAuthLocked,
  MAX_AUTH_ATTEMPTS,
  MAX_AUTH_CODES_SENT,
  type AuthMethod,
  type RecipientAuth,
  type RecipientState,
  type RecipientLanguage,
} from '../envelope';
import { appendEvent, withRetry } from '../envelope-repository';
import { ConflictError, GoneError, LockedError, TooManyRequestsError, UnauthorizedError } from '../errors';
import type { HashedSecret, Ports } from '../ports';
import { verificationCodeMail, verificationCodeSms } from './messages';
import { resolveSigner, type ClientInfo, type SignerContext } from './signer-access';

/**
 * Signer authentication beyond the e-mail link: an access code given out of band, or a one-time
 * code by SMS or e-mail. Codes are kept only as salted scrypt hashes, apart from the event log;
 * failed attempts are events, so concurrent guesses are counted exactly (each is an append at the
 * next sequence number) and the lock after MAX_AUTH_ATTEMPTS holds under any concurrency.
 */

/** How long a one-time code is valid. */
export const CODE_VALID_MINUTES = 10;
const KEY_LENGTH = 32;

function scryptHex(secret: string, salt: string): Promise<string> {
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFC'), Buffer.from(salt, 'hex'), KEY_LENGTH, (err, key) =>
      err ? reject(err) : resolve(key.toString('hex')),
    ),
  );
}

/** A salted scrypt hash of a code, with a fresh random salt. */
export async function hashSecret(secret: string): Promise<HashedSecret> {
  const salt = randomBytes(16).toString('hex');
  return { salt, hash: await scryptHex(secret, salt) };
}

export async function checkSecret(secret: string, stored: HashedSecret): Promise<boolean> {
  const actual = Buffer.from(await scryptHex(secret, stored.salt), 'hex');
  const expected = Buffer.from(stored.hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** `+1*******0123`: enough for the recipient to recognise their phone. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)}${'*'.repeat(Math.max(0, phone.length - 6))}${phone.slice(-4)}`;
}

/** `a***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}***${email.slice(at)}`;
}

export function destinationHint(auth: RecipientAuth, r: Pick<RecipientState, 'email'>): string | undefined {
  if (auth.method === 'sms') return maskPhone(auth.phone);
  if (auth.method === 'email_code') return maskEmail(r.email);
  return undefined;
}

/** Whether this link still has to be authenticated with a code before it opens anything. */
export function needsCode(ctx: Pick<SignerContext, 'recipient' | 'token'>): boolean {
  return authOf(ctx.recipient).method !== 'email' && !ctx.token.authenticatedAt;
}

export interface AuthPrompt {
  authRequired: {
    method: Exclude<AuthMethod, 'email'>;
    /** The masked phone or address a one-time code goes to; absent for an access code. */
    destinationHint?: string;
    attemptsLeft: number;
    locked: boolean;
  };
  /** The sender's choice of language: the prompt is the first thing the recipient reads. */
  language?: RecipientLanguage;
}

/** All that an unauthenticated link shows: which code to enter, nothing of the envelope. */
export function authPrompt(ctx: Pick<SignerContext, 'recipient'>): AuthPrompt {
  const auth = authOf(ctx.recipient) as Exclude<RecipientAuth, { method: 'email' }>;
  const hint = destinationHint(auth, ctx.recipient);
  return {
    authRequired: {
      method: auth.method,
      ...(hint ? { destinationHint: hint } : {}),
      attemptsLeft: attemptsLeft(ctx.recipient),
      locked: isAuthLocked(ctx.recipient),
    },
    ...(ctx.recipient.language ? { language: ctx.recipient.language } : {}),
  };
}

const attemptsLeft = (r: RecipientState) =>
  isAuthLocked(r) ? 0 : Math.max(0, MAX_AUTH_ATTEMPTS - (r.authState?.failures ?? 0));

const lockedMessage = 'too many wrong codes: this link is locked until the sender sends you a new invitation';

/** Records the lock when the last allowed failure was recorded but the lock itself was not (a crash). */
async function lockedNow(ports: Ports, ctx: SignerContext): Promise<LockedError> {
  const r = ctx.recipient;
  if (!r.authState?.lockedAt) {
    await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.auth_locked',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: {
        recipientId: r.id,
        method: authOf(r).method as Exclude<AuthMethod, 'email'>,
        attempts: r.authState?.failures ?? MAX_AUTH_ATTEMPTS,
      },
    });
  }
  return new LockedError(lockedMessage);
}

export interface CodeSent {
  sent: true;
  method: 'sms' | 'email_code';
  destinationHint: string;
  expiresAt: string;
  attemptsLeft: number;
}

/** Sends a fresh 6-digit one-time code by SMS or e-mail; it replaces any code sent before. */
export async function sendAuthCode(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
): Promise<CodeSent> {
  const decided = await withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client, { allowUnauthenticated: true });
    const r = ctx.recipient;
    const auth = authOf(r);
    if (auth.method === 'email') throw new ConflictError('this link needs no code');
    if (auth.method === 'access_code') {
      throw new ConflictError('enter the access code the sender gave you; no code is sent for it');
    }
    if (ctx.token.authenticatedAt) throw new ConflictError('this link is already verified');
    if (isAuthLocked(r)) throw await lockedNow(ports, ctx);
    if ((r.authState?.codesSent ?? 0) >= MAX_AUTH_CODES_SENT) {
      throw new TooManyRequestsError(
        `${MAX_AUTH_CODES_SENT} codes were already sent for this invitation; ask the sender to send you a new invitation`,
      );
    }
    const now = ports.clock.now();
    const expiresAt = new Date(now.getTime() + CODE_VALID_MINUTES * 60_000).toISOString();
    const to = destinationHint(auth, r)!;
    // The event comes first: it counts the send, so concurrent requests cannot pass the cap.
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.auth_code_sent',
      at: now.toISOString(),
      actor: ctx.actor,
      data: { recipientId: r.id, method: auth.method, to, expiresAt },
    });
    return { ctx, auth, state, issuedAt: now.toISOString(), expiresAt, to };
  });
  const { ctx, auth, state } = decided;
  const r = state.recipients.find((x) => x.id === ctx.recipient.id)!;
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await ports.signerAuth.putOneTimeCode({ tenantId: state.tenantId, envelopeId: state.id }, r.id, {
    ...(await hashSecret(code)),
    issuedAt: decided.issuedAt,
    expiresAt: decided.expiresAt,
  });
  if (auth.method === 'sms') {
    await ports.sms.send({ to: auth.phone, text: verificationCodeSms(code, CODE_VALID_MINUTES) });
  } else {
    await ports.mail.send(verificationCodeMail(state, r, code, CODE_VALID_MINUTES));
  }
  return {
    sent: true,
    method: auth.method,
    destinationHint: decided.to,
    expiresAt: decided.expiresAt,
    attemptsLeft: attemptsLeft(r),
  };
}

export interface Verified {
  authenticated: true;
  method: Exclude<AuthMethod, 'email'>;
}

type Outcome = { kind: 'ok' | 'already' } | { kind: 'wrong'; left: number };

/**
 * Checks a code. Right: the link is authenticated (`recipient.authenticated` records the
 * procedure). Wrong: `recipient.auth_failed`; the MAX_AUTH_ATTEMPTS-th failure locks the recipient
 * (`recipient.auth_locked`) until the sender resends the invitation.
 */
export async function verifyAuthCode(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  input: { code: string },
): Promise<Verified> {
  // One scrypt per stored secret per request, however often a lost race makes the decision run again.
  const checked = new Map<string, Promise<boolean>>();
  const check = (stored: HashedSecret) => {
    const key = `${stored.salt}:${stored.hash}`;
    if (!checked.has(key)) checked.set(key, checkSecret(input.code.trim(), stored));
    return checked.get(key)!;
  };
  let method: Exclude<AuthMethod, 'email'> = 'access_code';
  let ctxKey = { tenantId: '', envelopeId: '', recipientId: '', tokenHash: '' };
  const outcome = await withRetry<Outcome>(async () => {
    const ctx = await resolveSigner(ports, token, client, { allowUnauthenticated: true });
    const r = ctx.recipient;
    const auth = authOf(r);
    if (auth.method === 'email') throw new ConflictError('this link needs no code');
    method = auth.method;
    ctxKey = {
      tenantId: ctx.envelope.tenantId,
      envelopeId: ctx.envelope.id,
      recipientId: r.id,
      tokenHash: ctx.token.tokenHash,
    };
    if (ctx.token.authenticatedAt) return { kind: 'already' };
    if (isAuthLocked(r)) throw await lockedNow(ports, ctx);
    const key = { tenantId: ctx.envelope.tenantId, envelopeId: ctx.envelope.id };
    let stored: HashedSecret | null;
    if (auth.method === 'access_code') {
      stored = await ports.signerAuth.getAccessCode(key, r.id);
      if (!stored) throw new Error(`no access code is stored for recipient ${r.id} of ${ctx.envelope.id}`);
    } else {
      const code = await ports.signerAuth.getOneTimeCode(key, r.id);
      if (!code) {
        throw new ConflictError(
          'no code has been sent for this link yet; ask for one (POST /v1/signing/auth/send)',
        );
      }
      if (ports.clock.now() >= new Date(code.expiresAt)) {
        throw new GoneError(
          `this code expired at ${code.expiresAt} (codes are valid for ${CODE_VALID_MINUTES} minutes); ask for a new one`,
        );
      }
      stored = code;
    }
    const at = ports.clock.now().toISOString();
    if (await check(stored)) {
      await appendEvent(ports.envelopes, ctx.envelope, {
        type: 'recipient.authenticated',
        at,
        actor: ctx.actor,
        data: { recipientId: r.id, method: auth.method },
      });
      return { kind: 'ok' };
    }
    const attempt = (r.authState?.failures ?? 0) + 1;
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.auth_failed',
      at,
      actor: ctx.actor,
      data: { recipientId: r.id, method: auth.method, attempt, reason: 'wrong_code' },
    });
    if (attempt >= MAX_AUTH_ATTEMPTS) {
      // A lost race here is repaired by the next attempt, which finds the failures and locks.
      await appendEvent(ports.envelopes, state, {
        type: 'recipient.auth_locked',
        at,
        actor: ctx.actor,
        data: { recipientId: r.id, method: auth.method, attempts: attempt },
      });
    }
    return { kind: 'wrong', left: MAX_AUTH_ATTEMPTS - attempt };
  });
  if (outcome.kind === 'wrong') {
    if (outcome.left <= 0) throw new LockedError(`the code is not right; ${lockedMessage}`);
    throw new UnauthorizedError(
      `the code is not right; ${outcome.left} attempt${outcome.left === 1 ? '' : 's'} left`,
      [{ path: 'body.code', message: `wrong code; ${outcome.left} attempts left` }],
    );
  }
  if (outcome.kind === 'ok') {
    await ports.signerTokens.markAuthenticated(ctxKey.tokenHash, ports.clock.now().toISOString());
    // A one-time code works once.
    if (method !== 'access_code') {
      await ports.signerAuth.deleteOneTimeCode(
        { tenantId: ctxKey.tenantId, envelopeId: ctxKey.envelopeId },
        ctxKey.recipientId,
      );
    }
  }
  return { authenticated: true, method };
}
