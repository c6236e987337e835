import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal, type ChainedEvent } from '../../../functions/core/audit-chain';
import { ValidationError } from '../../../functions/core/errors';
import { parseCertificate } from '../../../functions/core/verify/certificates';
import { parseAuditExport, verifyAuditExport } from '../../../functions/core/verify/audit';
import { keyDir, makeSealKit, type SealKit } from '../pdf-seal/fixtures';
import { auditExport, auditTrail, signExport } from './fixtures';

let keys: Awaited<ReturnType<typeof keyDir>>;
let ec: SealKit;
let rsa: SealKit;
const events = auditTrail(6);

beforeAll(async () => {
  keys = await keyDir();
  ec = await makeSealKit(keys, 'ECDSA_SHA_256');
  rsa = await makeSealKit(keys, 'RSASSA_PKCS1_V1_5_SHA_256');
});
afterAll(async () => keys?.cleanup());

/** Re-chains events after an edit, as a forger with the hash algorithm (but no key) can. */
function rechain(list: ChainedEvent[]): ChainedEvent[] {
  let prev = '0'.repeat(64);
  return list.map((e, i) => {
    const { hash: _hash, ...rest } = e;
    const sealed = seal({ ...rest, seq: i + 1, prevHash: prev });
    prev = sealed.hash;
    return sealed;
  });
}

describe('verifyAuditExport', () => {
  it('an untouched trail verifies: every hash, the head, and the completion head', async () => {
    const report = verifyAuditExport(await auditExport(events), {
      completionHead: { seq: 4, hash: events[3]!.hash },
    });
    expect(report).toMatchObject({
      envelopeId: '01kverifyenvelope0000000001',
      tenantId: 'acme',
      events: 6,
      chain: { verified: true, headHash: events[5]!.hash },
      head: { seq: 6, hash: events[5]!.hash, matches: true },
      signature: null,
      completionHead: { seq: 4, found: true },
      valid: true,
      problems: [],
    });
  });

  it.each([
    ['an edited event', (l: ChainedEvent[]) => (((l[2]!.data as any).note = 'changed'), l), 3],
    // brokenAt is the sequence number of the first event out of place.
    ['a removed event', (l: ChainedEvent[]) => (l.splice(2, 1), l), 4],
    ['two events swapped', (l: ChainedEvent[]) => (([l[1], l[2]] = [l[2]!, l[1]!]), l), 3],
    ['an edited hash', (l: ChainedEvent[]) => ((l[4]!.hash = 'f'.repeat(64)), l), 5],
  ])('catches %s', async (_what, change, brokenAt) => {
    const list = change(structuredClone(events));
    const report = verifyAuditExport({ ...(await auditExport(events)), events: list });
    expect(report.valid).toBe(false);
    expect(report.chain).toMatchObject({ verified: false, brokenAt });
    expect(report.problems[0]).toMatch(new RegExp(`chain breaks at event ${brokenAt}`));
  });

  it('catches a trail re-chained after an edit: the sealed audit head is no longer in it', async () => {
    const forged = structuredClone(events);
    (forged[1]!.data as any).note = 'rewritten history';
    const audit = await auditExport(rechain(forged));
    const report = verifyAuditExport(audit, { completionHead: { seq: 4, hash: events[3]!.hash } });
    expect(report.chain.verified).toBe(true);
    expect(report.completionHead).toMatchObject({ found: false });
    expect(report.valid).toBe(false);
  });

  it('catches a trail cut short at its end (the declared head is gone)', async () => {
    const audit = await auditExport(events);
    const report = verifyAuditExport({ ...audit, events: events.slice(0, 4) });
    expect(report.chain.verified).toBe(true);
    expect(report.head.matches).toBe(false);
    expect(report.valid).toBe(false);
  });

  it.each(['ECDSA_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] as const)(
    'verifies the export signature (%s) and fails it after any change',
    async (algorithm) => {
      const kit = algorithm === 'ECDSA_SHA_256' ? ec : rsa;
      const signed = await auditExport(events, { signer: kit.seal, certificates: kit.chain });
      const roots = [parseCertificate(kit.rootCert)!];
      const report = verifyAuditExport(signed, { trustedRoots: roots });
      expect(report.valid, report.problems.join('\n')).toBe(true);
      expect(report.signature).toMatchObject({
        algorithm,
        valid: true,
        signer: { subject: 'O=Countersign Test, CN=Countersign Test Seal' },
        chain: { trusted: true, endsInSelfSignedRoot: true },
      });

      const edited = verifyAuditExport({ ...signed, exportedAt: '2031-05-06T07:08:10.000Z' });
      expect(edited.signature!.valid).toBe(false);
      expect(edited.problems).toContain('audit trail: the export signature does not verify');
    },
  );

  it("fails a signature by another key under the service's certificate", async () => {
    const signed = await auditExport(events, { signer: ec.seal, certificates: ec.chain });
    const forged = await signExport(signed, { signer: rsa.seal, certificates: ec.chain });
    expect(verifyAuditExport(forged).signature!.valid).toBe(false);
  });
});

describe('parseAuditExport', () => {
  it('refuses what is not an audit export at all', () => {
    for (const value of [
      null,
      'text',
      [],
      { format: 'other' },
      { format: 'countersign-audit/1', events: 'x' },
    ]) {
      expect(() => parseAuditExport(value)).toThrow(ValidationError);
    }
    expect(() => parseAuditExport({ format: 'countersign-audit/1', events: [1] })).toThrow(/each an object/);
  });
});
