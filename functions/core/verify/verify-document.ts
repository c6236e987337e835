import { createHash } from 'node:crypto';
import { UnprocessableError, ValidationError } from '../errors';
import { parseAuditExport, verifyAuditExport, type AuditReport } from './audit';
import { parseCertificate, type ParsedCertificate } from './certificates';
import { readDocument, type DocumentFacts } from './pdf-document';
import {
  containsJavaScript,
  fieldNameFromBytes,
  findSignatures,
  latin1,
  requireNotEncrypted,
  requirePdfHeader,
  revisionEnds,
} from './pdf-scan';
import {
  REPORT_FORMAT,
  type CompletionRecord,
  type SignatureReport,
  type VerificationReport,
} from './report';
import { checkSignature } from './signature';

export interface VerifyOptions {
  /** The exported audit trail (parsed JSON); its shape is checked first. */
  audit?: unknown;
  /** DER root certificates to trust: a chain ending in one of them is reported as trusted. */
  trustedRoots?: Uint8Array[];
}

export const COMPLETION_FORMAT = 'countersign-completion/1';
const COMPLETION_FILE = 'countersign-completion.json';
const SLA_TERMS_FILE = 'sla-terms.json';
/** More signature dictionaries than any real document has: refused rather than checked one by one. */
const MAX_SIGNATURES = 100;

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Verifies a PDF and, optionally, its exported audit trail. Throws only for input that is no
 * readable PDF at all: UnsupportedMediaTypeError (not a PDF), UnprocessableError (encrypted, or
 * corrupt without any signature to check) and ValidationError (an audit trail or trusted root of
 * the wrong shape). Everything else, tampering included, is a report.
 */
export async function verifyDocument(
  bytes: Uint8Array,
  options: VerifyOptions = {},
): Promise<VerificationReport> {
  const text = latin1(bytes);
  requirePdfHeader(text);
  requireNotEncrypted(text);
  const audit = options.audit === undefined ? undefined : parseAuditExport(options.audit);
  const trustedRoots = (options.trustedRoots ?? []).map((der, i) => {
    const cert = parseCertificate(der);
    if (!cert) throw new ValidationError(`trusted root ${i + 1} is not an X.509 certificate`);
    return cert;
  });

  const problems: string[] = [];
  const notes: string[] = [];

  const found = findSignatures(text);
  if (found.length > MAX_SIGNATURES) {
    throw new UnprocessableError(
      `the PDF has ${found.length} signatures; at most ${MAX_SIGNATURES} are verified`,
    );
  }
  // Signing order: the signature that covers the least of the file came first.
  const checked = found
    .map((raw) => ({ raw, result: checkSignature(bytes, text, raw, trustedRoots) }))
    .sort((x, y) => x.raw.byteRange[2] + x.raw.byteRange[3] - (y.raw.byteRange[2] + y.raw.byteRange[3]));

  // pdf-lib reads the revision the last signature sealed, so that an update appended after the
  // seal cannot change what is reported as sealed.
  const last = checked[checked.length - 1];
  const sealedEnd = last ? last.raw.byteRange[2] + last.raw.byteRange[3] : bytes.length;
  const revision = sealedEnd <= bytes.length ? bytes.subarray(0, sealedEnd) : bytes;
  let facts: DocumentFacts | null = null;
  try {
    facts = await readDocument(revision);
  } catch (error) {
    if (checked.length === 0 && endsWithEof(text)) {
      throw new UnprocessableError(`the PDF is corrupt: ${(error as Error).message}`);
    }
    notes.push(
      `the document structure cannot be read (${(error as Error).message}); attachments are not reported`,
    );
  }

  const signatures: SignatureReport[] = checked.map(({ raw, result }, i) => {
    const { notes: own, ...rest } = result;
    const fieldName =
      (raw.object ? fieldNameFromBytes(text, raw.object) : null) ??
      facts?.signatureFields.get(raw.byteRange.join(' ')) ??
      null;
    const label = `signature ${i + 1}${fieldName ? ` (${fieldName})` : ''}`;
    problems.push(...rest.problems.map((p) => `${label}: ${p}`));
    notes.push(...own.map((n) => `${label}: ${n}`));
    return { index: i + 1, fieldName, ...rest };
  });

  const seal = signatures[signatures.length - 1];
  if (seal) {
    if (seal.modifiedAfter === 'incremental-update' || seal.modifiedAfter === 'appended-bytes') {
      problems.push(
        `the file was modified after it was sealed: ${seal.bytesAfter} bytes (${
          seal.modifiedAfter === 'incremental-update' ? 'an incremental update' : 'other data'
        }) follow the last signature`,
      );
    }
    if (trustedRoots.length > 0 && seal.chain?.trusted === false) {
      problems.push(`signature ${seal.index}: the certificate chain does not end in a trusted root`);
    }
  } else if (looksSigned(text)) {
    problems.push('the PDF has a signature field or dictionary, but no signature can be read (cut off?)');
  } else if (!endsWithEof(text)) {
    problems.push('the file is truncated: it does not end with %%EOF');
  }
  if (trustedRoots.length === 0 && signatures.length > 0) {
    notes.push('no trusted roots were given: the certificate chains are reported, not trusted');
  }

  // The attachments, as sealed.
  const files = facts?.embeddedFiles ?? [];
  const json = (name: string): unknown => {
    const file = files.find((f) => f.name === name);
    if (!file) return null;
    if (file.problem || !file.content) {
      notes.push(`${name}: ${file.problem ?? 'not decoded'}`);
      return null;
    }
    try {
      return JSON.parse(Buffer.from(file.content).toString('utf8'));
    } catch {
      notes.push(`${name} is not valid JSON`);
      return null;
    }
  };
  const completion = completionRecord(json(COMPLETION_FILE), notes);
  const slaTerms = json(SLA_TERMS_FILE);
  if (signatures.length > 0 && !completion) notes.push(`the sealed PDF carries no ${COMPLETION_FILE}`);

  const auditReport = audit ? checkAudit(audit, completion, trustedRoots, notes) : null;
  if (auditReport) problems.push(...auditReport.problems);

  const verdict = problems.length > 0 ? 'tampered' : signatures.length === 0 ? 'unsealed' : 'valid';
  return {
    format: REPORT_FORMAT,
    verdict,
    file: {
      size: bytes.length,
      sha256: sha256(bytes),
      pages: facts?.pages ?? null,
      revisions: revisionEnds(text).length,
      containsJavaScript: containsJavaScript(text),
    },
    signatures,
    embeddedFiles: files.map(({ name, size, sha256: hash }) => ({ name, size, sha256: hash })),
    completion,
    originalDocuments: originalDocuments(bytes, text, completion),
    slaTerms,
    audit: auditReport,
    problems,
    notes,
  };
}

function endsWithEof(text: string): boolean {
  return /%%EOF[\s\0]*$/.test(text.slice(-1024));
}

function looksSigned(text: string): boolean {
  return /\/FT\s*\/Sig\b|\/Type\s*\/Sig\b|\/SubFilter\s*\/(ETSI\.CAdES\.detached|adbe\.pkcs7)/.test(text);
}

function completionRecord(value: unknown, notes: string[]): CompletionRecord | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    notes.push('countersign-completion.json is not a JSON object');
    return null;
  }
  const record = value as CompletionRecord;
  if (record.format !== COMPLETION_FORMAT) {
    notes.push(`countersign-completion.json has the format ${JSON.stringify(record.format)}`);
  }
  return record;
}

function checkAudit(
  audit: ReturnType<typeof parseAuditExport>,
  completion: CompletionRecord | null,
  trustedRoots: ParsedCertificate[],
  notes: string[],
): AuditReport {
  const head = completion?.auditHead;
  const completionHead =
    head && typeof head.seq === 'number' && typeof head.hash === 'string'
      ? { seq: head.seq, hash: head.hash }
      : null;
  const report = verifyAuditExport(audit, { completionHead, trustedRoots });
  if (!completion) {
    notes.push('the PDF carries no completion record, so the audit trail is not bound to it');
  } else {
    if (!completionHead) report.problems.push('the completion record has no audit head to bind the trail to');
    if (completion.envelopeId !== audit.envelopeId || completion.tenantId !== audit.tenantId) {
      report.problems.push(
        `the audit trail is of envelope ${audit.envelopeId}, the sealed PDF of envelope ${completion.envelopeId}`,
      );
    }
  }
  report.valid = report.problems.length === 0;
  return report;
}

/** The completion record's documents whose SHA-256 is that of a revision of this file. */
function originalDocuments(
  bytes: Uint8Array,
  text: string,
  completion: CompletionRecord | null,
): VerificationReport['originalDocuments'] {
  const documents = Array.isArray(completion?.documents) ? completion.documents : [];
  if (documents.length === 0) return [];
  // One pass over the file: the hash of every prefix that ends a revision (with and without
  // the end of line after %%EOF), so a thousand revisions cost no more than one.
  const prefixes = new Set<string>();
  const running = createHash('sha256');
  let hashed = 0;
  const hashTo = (end: number) => {
    running.update(bytes.subarray(hashed, end));
    hashed = end;
    prefixes.add(running.copy().digest('hex'));
  };
  for (const end of revisionEnds(text)) {
    const bare = text.lastIndexOf('%%EOF', end) + 5;
    if (bare > hashed && bare !== end) hashTo(bare);
    if (end > hashed) hashTo(end);
  }
  return documents
    .filter((d) => d && typeof d.sha256 === 'string')
    .map((d) => ({
      id: String(d.id),
      name: String(d.name),
      sha256: d.sha256,
      prefixOfThisFile: prefixes.has(d.sha256),
    }));
}
