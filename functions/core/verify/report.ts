import type { AuditReport } from './audit';
import type { CertificateInfo, ChainReport } from './certificates';
import type { ByteRange } from './pdf-scan';
import type { TimestampReport } from './timestamp';

/**
 * The verification report: what anyone can establish about a sealed PDF (and its exported audit
 * trail) from the bytes alone, years later, without trusting the service that sealed it.
 */

export const REPORT_FORMAT = 'countersign-verification/1';

/**
 * `valid`: every signature intact (and the audit checks pass when a trail was given);
 * `tampered`: any check failed; `unsealed`: a readable PDF without any signature.
 */
export type Verdict = 'valid' | 'tampered' | 'unsealed';

export type ModificationAfterSigning =
  /** The signature covers the file to its end. */
  | 'none'
  /** Another revision (objects, a cross-reference section, %%EOF) was appended after it. */
  | 'incremental-update'
  /** Other bytes were appended after it. */
  | 'appended-bytes'
  /** Only white space follows (which readers ignore). */
  | 'whitespace';

export interface SignatureReport {
  /** 1-based, in signing order (by how much of the file each covers). */
  index: number;
  fieldName: string | null;
  filter: string | null;
  subFilter: string | null;
  /** The claimed signing time (/M), ISO-8601 UTC; only a timestamp proves a time. */
  signedAt: string | null;
  /** /Name, /Reason and /Location as written in the signature dictionary. */
  name: string | null;
  reason: string | null;
  location: string | null;
  byteRange: ByteRange;
  /** The signed ranges cover everything but /Contents, from the first byte to the end of the file. */
  coversWholeFile: boolean;
  /** Bytes in the file after the signed ranges end (negative: the file is shorter than signed). */
  bytesAfter: number;
  modifiedAfter: ModificationAfterSigning;
  /** SHA-256 of the two signed ranges, and the message digest the CMS signed. */
  digest: { algorithm: string; computed: string | null; signed: string | null; matches: boolean };
  /** The CMS signature over the signed attributes, with the signer certificate's key. */
  signature: { algorithm: string | null; valid: boolean };
  /** The signing-certificate(-v2) attribute names this certificate; null when absent. */
  signingCertificateMatches: boolean | null;
  signer: CertificateInfo | null;
  chain: ChainReport | null;
  /** The signer certificate was valid at the timestamp's time, else at the claimed time. */
  certificateValidAtSigningTime: boolean | null;
  timestamp: TimestampReport | null;
  /** Digest, signature, chain signatures and timestamp all check out for the bytes it covers. */
  intact: boolean;
  problems: string[];
}

export interface CompletionRecord {
  format: string;
  envelopeId?: string;
  tenantId?: string;
  title?: string;
  sealedAt?: string;
  documents?: { id: string; name: string; sha256: string; pages?: unknown }[];
  recipients?: unknown[];
  auditHead?: { seq: number; hash: string };
  [key: string]: unknown;
}

export interface VerificationReport {
  format: typeof REPORT_FORMAT;
  verdict: Verdict;
  file: {
    size: number;
    sha256: string;
    pages: number | null;
    /** Revisions: one per %%EOF marker (the original file, then each incremental update). */
    revisions: number;
    /** The file holds JavaScript; verification never runs it. */
    containsJavaScript: boolean;
  };
  signatures: SignatureReport[];
  /** Attachments of the sealed revision: name, and size and SHA-256 of the ones read. */
  embeddedFiles: { name: string; size: number | null; sha256: string | null }[];
  /** countersign-completion.json from the sealed revision, as parsed JSON. */
  completion: CompletionRecord | null;
  /**
   * For each document of the completion record: whether its SHA-256 is that of a revision of this
   * file (the uploaded bytes are a byte-exact prefix of the sealed file).
   */
  originalDocuments: { id: string; name: string; sha256: string; prefixOfThisFile: boolean }[];
  /** sla-terms.json from the sealed revision, as parsed JSON. */
  slaTerms: unknown;
  audit: AuditReport | null;
  /** Why the verdict is not `valid`: every failed check, readable. */
  problems: string[];
  /** Facts worth knowing that do not change the verdict (no trusted roots given, an expired certificate...). */
  notes: string[];
}
