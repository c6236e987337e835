import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: HMAC-SHA256 of the raw body under the contract's secret, compared in
 * constant time. Any failure is the same `false`: the caller answers 401 without saying why.
 */

/** How far a signed timestamp may be from now, either way. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

function equal(actual: Buffer, expected: Buffer): boolean {
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const hmac = (secret: string, text: string) => createHmac('sha256', secret).update(text, 'utf8').digest();

/**
 * Zendesk: `X-Zendesk-Webhook-Signature` is base64(HMAC-SHA256(secret, timestamp + body)) and
 * `X-Zendesk-Webhook-Signature-Timestamp` the ISO-8601 instant it was signed at.
 */
export function verifyZendeskSignature(
  secret: string,
  body: string,
  signature: string | undefined,
  timestamp: string | undefined,
  now: Date,
): boolean {
  if (!signature || !timestamp) return false;
  const signedAt = Date.parse(timestamp);
  if (!Number.isFinite(signedAt) || Math.abs(now.getTime() - signedAt) > MAX_SIGNATURE_AGE_MS) return false;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature.trim())) return false;
  return equal(Buffer.from(signature.trim(), 'base64'), hmac(secret, timestamp + body));
}

/** Jira and monitoring senders: `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. */
export function verifyHubSignature(secret: string, body: string, header: string | undefined): boolean {
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header?.trim() ?? '');
  if (!match) return false;
  return equal(Buffer.from(match[1]!.toLowerCase(), 'hex'), hmac(secret, body));
}

/** What a sender computes: for tests, examples and senders written against this service. */
export function zendeskSignature(secret: string, body: string, timestamp: string): string {
  return hmac(secret, timestamp + body).toString('base64');
}

export function hubSignature(secret: string, body: string): string {
  return `sha256=${hmac(secret, body).toString('hex')}`;
}
