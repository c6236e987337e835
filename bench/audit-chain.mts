import { createHash } from 'node:crypto';
import { GENESIS_HASH, seal, verifyChain, type ChainedEvent } from '../functions/core/audit-chain';
import { bench } from './harness';

/** Verifying a 5,000-event trail, against hashing the same events' plain JSON. */
const events: ChainedEvent[] = [];
let prev = GENESIS_HASH;
for (let seq = 1; seq <= 5000; seq++) {
  const e = seal<ChainedEvent>({
    envelopeId: 'e',
    tenantId: 't',
    seq,
    type: 'recipient.viewed',
    at: new Date(1_800_000_000_000 + seq * 1000).toISOString(),
    actor: { kind: 'recipient', id: `r${seq % 50}`, ip: '203.0.113.7', userAgent: 'Mozilla/5.0' },
    data: { recipientId: `r${seq % 50}` },
    prevHash: prev,
  });
  events.push(e);
  prev = e.hash;
}

await bench({
  name: 'verify a 5,000-event audit trail (RFC 8785 + SHA-256 chain)',
  baseline: {
    name: 'SHA-256 of each event as JSON.stringify',
    run: () => events.map((e) => createHash('sha256').update(JSON.stringify(e)).digest('hex')),
  },
  subject: () => {
    if (!verifyChain(events).verified) throw new Error('chain should verify');
  },
});
