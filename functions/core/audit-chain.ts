import { canonicalJson, sha256Hex } from './hashing';

/**
 * The hash chain over an envelope's events. The exact format is written down in
 * docs/audit-trail.md so that anyone can verify a trail without this code:
 *   hash(n) = SHA-256( prevHash(n) as lowercase hex ‖ JCS(event n without "hash") ), lowercase hex
 * and prevHash(1) is 64 zeros.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface Actor {
  kind: 'user' | 'recipient' | 'system';
  id: string;
  email?: string;
  ip?: string;
  userAgent?: string;
}

/** One event of a tenant's hash-chained log: an envelope's, a template's, a contract's. */
export interface LoggedEvent<T extends string = string, D = unknown> {
  tenantId: string;
  seq: number;
  type: T;
  at: string;
  actor: Actor;
  data: D;
  prevHash: string;
  hash: string;
}

export interface ChainedEvent<T extends string = string, D = unknown> extends LoggedEvent<T, D> {
  envelopeId: string;
}

/** What chains a record to the one before it: envelope events, template events. */
export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
}

export type UnhashedEvent<E extends ChainLink = ChainedEvent> = Omit<E, 'hash'>;

export function hashEvent(event: Omit<ChainLink, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = event;
  return sha256Hex(event.prevHash + canonicalJson(rest));
}

export function seal<E extends ChainLink = ChainedEvent>(event: UnhashedEvent<E>): E {
  return { ...event, hash: hashEvent(event) } as E;
}

export interface ChainVerdict {
  verified: boolean;
  /** Sequence number of the first event that does not verify, when one does not. */
  brokenAt?: number;
  reason?: string;
  headHash: string;
  length: number;
}

export function verifyChain(events: readonly ChainLink[]): ChainVerdict {
  let prev = GENESIS_HASH;
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    const fail = (reason: string): ChainVerdict => ({
      verified: false,
      brokenAt: event.seq,
      reason,
      headHash: prev,
      length: events.length,
    });
    if (event.seq !== i + 1) return fail(`expected sequence number ${i + 1}, found ${event.seq}`);
    if (event.prevHash !== prev) return fail('prevHash does not match the hash of the previous event');
    if (hashEvent(event) !== event.hash) return fail('hash does not match the event content');
    prev = event.hash;
  }
  return { verified: true, headHash: prev, length: events.length };
}
