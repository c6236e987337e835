import { GENESIS_HASH, verifyChain, type ChainedEvent } from '../audit-chain';
import { ValidationError } from '../errors';
import { canonicalJson } from '../hashing';
import {
  buildChain,
  describeCertificate,
  parseCertificate,
  type CertificateInfo,
  type ChainReport,
  type ParsedCertificate,
} from './certificates';
import { verifySignature } from './cms';

/**
 * The exported audit trail (`GET /v1/envelopes/{id}/audit?format=json`), checked offline: every
 * hash recomputed (docs/audit-trail.md), the head, the detached signature over the canonical
 * export, and the binding to a sealed PDF through its completion record's audit head.
 */

export const AUDIT_EXPORT_FORMAT = 'countersign-audit/1';
export const AUDIT_ALGORITHM = 'sha256(prevHash || JCS(event without hash))';

export interface AuditExport {
  format: typeof AUDIT_EXPORT_FORMAT;
  envelopeId: string;
  tenantId: string;
  exportedAt: string;
  algorithm: string;
  genesisHash: string;
  events: ChainedEvent[];
  head: { seq: number; hash: string };
  signature?: {
    algorithm: 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';
    value: string;
    certificates: string[];
  };
}

export interface AuditSignatureReport {
  algorithm: string;
  valid: boolean;
  signer: CertificateInfo | null;
  chain: ChainReport | null;
}

export interface AuditReport {
  envelopeId: string | null;
  tenantId: string | null;
  exportedAt: string | null;
  events: number;
  /** Every hash recomputed: whether the chain verifies, and where it breaks. */
  chain: { verified: boolean; brokenAt?: number; reason?: string; headHash: string };
  /** The export's declared head equals its last event. */
  head: { seq: number | null; hash: string | null; matches: boolean };
  signature: AuditSignatureReport | null;
  /** The completion record's audit head, looked up in this trail; null without a completion record. */
  completionHead: { seq: number; hash: string; found: boolean } | null;
  valid: boolean;
  problems: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that the value is an audit export at all (an object of this format with a list of
 * events); everything inside it is checked by verifyAuditExport, which reports problems.
 */
export function parseAuditExport(value: unknown): AuditExport {
  if (!isObject(value)) throw new ValidationError('the audit trail must be a JSON object');
  if (value.format !== AUDIT_EXPORT_FORMAT) {
    throw new ValidationError(
      `the audit trail's format must be "${AUDIT_EXPORT_FORMAT}", not ${JSON.stringify(value.format)}`,
    );
  }
  if (!Array.isArray(value.events) || !value.events.every(isObject)) {
    throw new ValidationError('the audit trail must have a list of events, each an object');
  }
  return value as unknown as AuditExport;
}

export function verifyAuditExport(
  audit: AuditExport,
  options: { completionHead?: { seq: number; hash: string } | null; trustedRoots?: ParsedCertificate[] } = {},
): AuditReport {
  const problems: string[] = [];
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const events = audit.events;
  const verdict = verifyChain(events);
  if (!verdict.verified) {
    problems.push(`audit trail: the chain breaks at event ${verdict.brokenAt}: ${verdict.reason}`);
  }
  if (audit.algorithm !== AUDIT_ALGORITHM) {
    problems.push(`audit trail: unknown hash algorithm ${JSON.stringify(audit.algorithm)}`);
  }
  if (audit.genesisHash !== GENESIS_HASH) {
    problems.push('audit trail: the genesis hash is not 64 zeros');
  }
  for (const event of events) {
    if (event.envelopeId !== audit.envelopeId || event.tenantId !== audit.tenantId) {
      problems.push(`audit trail: event ${event.seq} belongs to another envelope or tenant`);
      break;
    }
  }

  const last = events[events.length - 1];
  const headSeq = isObject(audit.head) && typeof audit.head.seq === 'number' ? audit.head.seq : null;
  const headHash = isObject(audit.head) ? str(audit.head.hash) : null;
  const headMatches = last !== undefined && headSeq === last.seq && headHash === last.hash;
  if (!headMatches) {
    problems.push(
      last === undefined
        ? 'audit trail: it has no events'
        : `audit trail: the declared head (${headSeq}, ${headHash}) is not the last event (${last.seq}, ${last.hash})`,
    );
  }

  const signature = audit.signature === undefined ? null : checkSignature(audit, options.trustedRoots ?? []);
  if (signature && !signature.valid) problems.push('audit trail: the export signature does not verify');
  if (signature?.chain) problems.push(...signature.chain.problems.map((p) => `audit trail signature: ${p}`));

  let completionHead: AuditReport['completionHead'] = null;
  if (options.completionHead) {
    const { seq, hash } = options.completionHead;
    const found = events.some((e) => e.seq === seq && e.hash === hash);
    completionHead = { seq, hash, found };
    if (!found) {
      problems.push(
        `audit trail: the sealed completion record's audit head (event ${seq}, ${hash}) is not an event of this trail`,
      );
    }
  }

  return {
    envelopeId: str(audit.envelopeId),
    tenantId: str(audit.tenantId),
    exportedAt: str(audit.exportedAt),
    events: events.length,
    chain: {
      verified: verdict.verified,
      ...(verdict.brokenAt !== undefined ? { brokenAt: verdict.brokenAt } : {}),
      ...(verdict.reason ? { reason: verdict.reason } : {}),
      headHash: verdict.headHash,
    },
    head: { seq: headSeq, hash: headHash, matches: headMatches },
    signature,
    completionHead,
    valid: problems.length === 0,
    problems,
  };
}

const ALGORITHMS: Record<string, 'ec' | 'rsa'> = {
  ECDSA_SHA_256: 'ec',
  RSASSA_PKCS1_V1_5_SHA_256: 'rsa',
};

function checkSignature(audit: AuditExport, trustedRoots: ParsedCertificate[]): AuditSignatureReport {
  const sig = audit.signature as unknown;
  const report: AuditSignatureReport = { algorithm: 'unknown', valid: false, signer: null, chain: null };
  if (!isObject(sig)) return report;
  report.algorithm = String(sig.algorithm);
  const certificates = Array.isArray(sig.certificates) ? sig.certificates : [];
  const parsed = certificates
    .map((c) => (typeof c === 'string' ? parseCertificate(Buffer.from(c, 'base64')) : null))
    .filter((c): c is ParsedCertificate => c !== null);
  const signer = parsed[0];
  if (!signer || typeof sig.value !== 'string') return report;
  report.signer = describeCertificate(signer);
  report.chain = buildChain(signer, parsed, trustedRoots);
  const keyType = ALGORITHMS[report.algorithm];
  const key = signer.x509.publicKey;
  if (!keyType || key.asymmetricKeyType !== keyType) return report;
  const { signature: _omitted, ...unsigned } = audit;
  // The signature is over SHA-256 of the canonical text; node:crypto hashes the text itself.
  const text = Buffer.from(canonicalJson(unsigned), 'utf8');
  report.valid = verifySignature(key, 'sha256', [text], Buffer.from(sig.value, 'base64'));
  return report;
}
