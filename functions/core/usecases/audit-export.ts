import type { Principal } from '../access';
import { GENESIS_HASH } from '../audit-chain';
import type { EnvelopeEvent } from '../envelope';
import { UnprocessableError } from '../errors';
import { canonicalJson, sha256Hex } from '../hashing';
import type { Ports, SealSigner } from '../ports';
import { getAuditTrail } from './envelope-queries';

export const AUDIT_EXPORT_FORMAT = 'countersign-audit/1';

/**
 * The audit trail as a file anyone can check offline (docs/audit-trail.md, "The export"): every
 * event, the chain's head, and a detached signature by the service's seal key over the canonical
 * JSON of the rest, so that a trail which ends without a sealed PDF (declined, voided, expired) is
 * anchored too.
 */
export interface AuditExport {
  format: typeof AUDIT_EXPORT_FORMAT;
  envelopeId: string;
  tenantId: string;
  exportedAt: string;
  algorithm: string;
  genesisHash: string;
  events: EnvelopeEvent[];
  head: { seq: number; hash: string };
  signature: {
    algorithm: SealSigner['algorithm'];
    /** Base64 DER signature over SHA-256 of canonicalJson(this export without `signature`). */
    value: string;
    /** Base64 DER certificates, the seal certificate first. */
    certificates: string[];
  };
}

export async function exportAuditTrail(
  ports: Ports,
  principal: Principal,
  envelopeId: string,
): Promise<AuditExport> {
  const trail = await getAuditTrail(ports, principal, envelopeId);
  // A trail that does not verify is never signed: the signature would vouch for a broken record.
  if (!trail.verdict.verified) {
    throw new UnprocessableError(
      `the audit trail of envelope ${envelopeId} does not verify (${trail.verdict.reason ?? 'broken'}): it is not exported`,
    );
  }
  const last = trail.events.at(-1)!;
  const unsigned = {
    format: AUDIT_EXPORT_FORMAT,
    envelopeId,
    tenantId: principal.tenantId,
    exportedAt: ports.clock.now().toISOString(),
    algorithm: 'sha256(prevHash || JCS(event without hash))',
    genesisHash: GENESIS_HASH,
    events: trail.events,
    head: { seq: last.seq, hash: last.hash },
  } as const;
  const digest = Buffer.from(sha256Hex(canonicalJson(unsigned)), 'hex');
  const [value, chain] = await Promise.all([ports.seal.signer.signDigest(digest), ports.seal.chain()]);
  return {
    ...unsigned,
    signature: {
      algorithm: ports.seal.signer.algorithm,
      value: Buffer.from(value).toString('base64'),
      certificates: chain.map((der) => Buffer.from(der).toString('base64')),
    },
  };
}
