import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DomainError } from '../core/errors';
import { certificatesFromPem } from '../core/pdf-seal/certificates';
import type { ChainReport } from '../core/verify/certificates';
import type { SignatureReport, VerificationReport } from '../core/verify/report';
import { verifyDocument } from '../core/verify/verify-document';
import { UsageError } from './usage-error';

export const VERIFY_USAGE = `  verify  Verify a sealed PDF offline: signatures, certificate chains, timestamps, attachments
          FILE.pdf        the PDF to verify
          --audit FILE    the exported audit trail (GET /v1/envelopes/{id}/audit?format=json)
          --trust FILE    PEM root certificate(s) to trust (repeatable)
          --json          print the report as JSON
          exit code: 0 valid, 1 tampered, 2 unsealed, 3 unreadable input, 4 wrong usage
`;

export const VERIFY_EXIT = { valid: 0, tampered: 1, unsealed: 2, unreadable: 3, usage: 4 } as const;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Input that cannot be verified at all: a missing file, not a PDF, an encrypted PDF... */
class UnreadableInput extends Error {}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UnreadableInput(`cannot read the ${what} ${path}${code ? ` (${code})` : ''}`);
  }
}

export async function verifyCommand(args: string[]): Promise<CliResult> {
  let values: { audit?: string; trust?: string[]; json?: boolean };
  let file: string;
  try {
    const parsed = parseArgs({
      args,
      options: {
        audit: { type: 'string' },
        trust: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    if (parsed.positionals.length !== 1) {
      throw new UsageError(
        parsed.positionals.length === 0 ? 'give the PDF to verify' : 'give exactly one PDF to verify',
      );
    }
    file = parsed.positionals[0]!;
  } catch (error) {
    return {
      code: VERIFY_EXIT.usage,
      stdout: '',
      stderr: `countersign verify: ${(error as Error).message}\n\nUsage: countersign verify FILE.pdf [--audit AUDIT.json] [--trust ROOT.pem] [--json]\n${VERIFY_USAGE}`,
    };
  }

  try {
    const pdf = await readInput(file, 'PDF');
    let audit: unknown;
    if (values.audit !== undefined) {
      const text = (await readInput(values.audit, 'audit trail')).toString('utf8');
      try {
        audit = JSON.parse(text);
      } catch {
        throw new UnreadableInput(`the audit trail ${values.audit} is not JSON`);
      }
    }
    const trustedRoots: Uint8Array[] = [];
    for (const path of values.trust ?? []) {
      let roots: Uint8Array[] = [];
      try {
        roots = certificatesFromPem((await readInput(path, 'trusted root')).toString('latin1'));
      } catch (error) {
        if (error instanceof UnreadableInput) throw error;
      }
      if (roots.length === 0) throw new UnreadableInput(`${path} holds no PEM certificate`);
      trustedRoots.push(...roots);
    }
    const report = await verifyDocument(pdf, { audit, trustedRoots });
    return {
      code: VERIFY_EXIT[report.verdict],
      stdout: values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, basename(file)),
      stderr: '',
    };
  } catch (error) {
    if (error instanceof UnreadableInput || error instanceof DomainError) {
      return { code: VERIFY_EXIT.unreadable, stdout: '', stderr: `countersign verify: ${error.message}\n` };
    }
    throw error;
  }
}

const VERDICTS: Record<VerificationReport['verdict'], string> = {
  valid: 'VALID: every signature is intact',
  tampered: 'TAMPERED: a check failed (see the problems below)',
  unsealed: 'UNSEALED: the PDF carries no signature',
};

function chainLine(chain: ChainReport): string {
  const names = chain.certificates.map((c) => /CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject).join(' -> ');
  const end = chain.endsInSelfSignedRoot ? 'ends in a self-signed root' : 'does not reach a root';
  const trust =
    chain.trusted === null ? 'not checked against trusted roots' : chain.trusted ? 'TRUSTED' : 'NOT trusted';
  return `${names} (${end}; ${trust})`;
}

function coverage(s: SignatureReport): string {
  if (s.coversWholeFile) return 'the whole file';
  if (s.bytesAfter < 0) return `more than the file: ${-s.bytesAfter} bytes are missing (truncated)`;
  const what = {
    none: '',
    whitespace: 'white space only',
    'incremental-update': 'an incremental update',
    'appended-bytes': 'other data',
  }[s.modifiedAfter];
  return `all but the last ${s.bytesAfter} bytes (${what})`;
}

function signatureLines(s: SignatureReport): string[] {
  const lines = [
    `Signature ${s.index}: ${s.fieldName ?? '(unnamed field)'}${s.subFilter ? ` (${s.subFilter})` : ''} - ${
      s.intact ? 'intact' : 'BROKEN'
    }`,
  ];
  const add = (label: string, value: string) => lines.push(`  ${label.padEnd(14)}${value}`);
  if (s.signer) {
    add('Signer:', `${s.signer.subject} (${s.signer.keyAlgorithm}, serial ${s.signer.serialNumber})`);
    add('Issuer:', s.signer.issuer);
    add('Valid:', `${s.signer.notBefore} to ${s.signer.notAfter}`);
  }
  if (s.name || s.reason) add('Says:', [s.name, s.reason].filter(Boolean).join(': '));
  if (s.signedAt) add('Claimed time:', s.signedAt);
  if (s.timestamp) {
    add(
      'Timestamp:',
      `${s.timestamp.genTime ?? '?'} by ${s.timestamp.tsaName ?? 'an unnamed TSA'} (${
        s.timestamp.imprintMatches && s.timestamp.signatureValid ? 'valid' : 'INVALID'
      })`,
    );
  }
  add('Digest:', s.digest.matches ? `matches (${s.digest.algorithm} ${s.digest.computed})` : 'MISMATCH');
  add(
    'Signature:',
    `${s.signature.valid ? 'valid' : 'INVALID'}${s.signature.algorithm ? ` (${s.signature.algorithm})` : ''}`,
  );
  if (s.chain) add('Chain:', chainLine(s.chain));
  add('Covers:', coverage(s));
  return lines;
}

/** The report as a person reads it. */
export function formatReport(report: VerificationReport, fileName: string): string {
  const lines = [
    `Verdict: ${VERDICTS[report.verdict]}`,
    '',
    `File: ${fileName} (${report.file.size} bytes${report.file.pages !== null ? `, ${report.file.pages} page${report.file.pages === 1 ? '' : 's'}` : ''}, ${report.file.revisions} revisions)`,
    `SHA-256: ${report.file.sha256}`,
  ];
  if (report.file.containsJavaScript) lines.push('The file contains JavaScript (never run by verification).');
  for (const s of report.signatures) lines.push('', ...signatureLines(s));
  const c = report.completion;
  if (c) {
    lines.push(
      '',
      `Completion record: envelope ${c.envelopeId ?? '?'}${c.title ? ` "${c.title}"` : ''}, sealed ${c.sealedAt ?? '?'}`,
    );
    if (c.auditHead) lines.push(`  Audit head:   event ${c.auditHead.seq}, ${c.auditHead.hash}`);
    for (const d of report.originalDocuments) {
      lines.push(
        `  Document:     ${d.name} ${d.sha256}${d.prefixOfThisFile ? ' (its bytes are the start of this file)' : ''}`,
      );
    }
  }
  if (report.slaTerms !== null && report.slaTerms !== undefined)
    lines.push('SLA terms: attached as sla-terms.json');
  const a = report.audit;
  if (a) {
    lines.push(
      '',
      `Audit trail: ${a.events} events of envelope ${a.envelopeId ?? '?'}, exported ${a.exportedAt ?? '?'}`,
      `  Chain:        ${a.chain.verified ? 'every hash verifies' : `BROKEN at event ${a.chain.brokenAt}: ${a.chain.reason}`}`,
      `  Head:         ${a.head.matches ? `event ${a.head.seq}` : 'does NOT match the last event'}`,
    );
    if (a.signature) {
      lines.push(
        `  Signature:    ${a.signature.valid ? 'valid' : 'INVALID'} (${a.signature.algorithm})${
          a.signature.chain ? `, ${chainLine(a.signature.chain)}` : ''
        }`,
      );
    }
    if (a.completionHead) {
      lines.push(
        `  Sealed head:  ${a.completionHead.found ? 'found in the trail' : 'NOT in this trail'} (event ${a.completionHead.seq})`,
      );
    }
  }
  if (report.problems.length) lines.push('', 'Problems:', ...report.problems.map((p) => `  - ${p}`));
  if (report.notes.length) lines.push('', 'Notes:', ...report.notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}
