import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  GENESIS_HASH,
  hashEvent,
  seal,
  verifyChain,
  type ChainedEvent,
} from '../../functions/core/audit-chain';
import { canonicalJson } from '../../functions/core/hashing';

function chain(n: number): ChainedEvent[] {
  const events: ChainedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const event = seal<ChainedEvent>({
      envelopeId: 'e1',
      tenantId: 't1',
      seq,
      type: seq === 1 ? 'envelope.created' : 'envelope.note',
      at: `2026-11-30T10:00:0${seq}.000Z`,
      actor: { kind: 'user', id: 'u1' },
      data: { n: seq, text: 'Ünïcödé ✓', nested: { b: 2, a: 1 } },
      prevHash: prev,
    });
    events.push(event);
    prev = event.hash;
  }
  return events;
}

describe('audit chain', () => {
  it('hashes the previous hash followed by the RFC 8785 form of the event without its hash', () => {
    const [first] = chain(1);
    const { hash, ...rest } = first!;
    const expected = createHash('sha256')
      .update(GENESIS_HASH + canonicalJson(rest))
      .digest('hex');
    expect(hash).toBe(expected);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of object members', () => {
    const [first] = chain(1);
    const reordered = JSON.parse(JSON.stringify({ data: first!.data, ...first }));
    expect(hashEvent(reordered)).toBe(first!.hash);
  });

  it('verifies an intact chain and reports its head', () => {
    const events = chain(5);
    expect(verifyChain(events)).toEqual({ verified: true, headHash: events[4]!.hash, length: 5 });
    expect(verifyChain([])).toEqual({ verified: true, headHash: GENESIS_HASH, length: 0 });
  });

  it('finds an edited event', () => {
    const events = chain(4);
    events[2] = { ...events[2]!, data: { n: 99 } };
    const verdict = verifyChain(events);
    expect(verdict.verified).toBe(false);
    expect(verdict.brokenAt).toBe(3);
    expect(verdict.reason).toMatch(/hash does not match/);
  });

  it('finds an edited event whose own hash was recomputed, at the next link', () => {
    const events = chain(4);
    const forged = { ...events[1]!, data: { n: 42 } };
    events[1] = { ...forged, hash: hashEvent(forged) };
    const verdict = verifyChain(events);
    expect(verdict).toMatchObject({ verified: false, brokenAt: 3 });
    expect(verdict.reason).toMatch(/prevHash/);
  });

  it('finds a removed or reordered event', () => {
    const events = chain(4);
    expect(verifyChain([events[0]!, events[2]!, events[3]!])).toMatchObject({ verified: false, brokenAt: 3 });
    expect(verifyChain([events[1]!, events[0]!])).toMatchObject({ verified: false, brokenAt: 2 });
  });
});
