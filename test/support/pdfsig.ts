import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * poppler's pdfsig as a real verifier. It exits 0 whether a signature is valid or not, so its
 * text is parsed: one block per signature with "  - Key: Value" lines.
 */

const run = promisify(execFile);

export interface PdfSignatureReport {
  fieldName?: string;
  signerCommonName?: string;
  signerDn?: string;
  signingTime?: string;
  hashAlgorithm?: string;
  /** e.g. "ETSI.CAdES.detached" */
  signatureType?: string;
  signedRanges?: string;
  /** "Total document signed" (true) or "Not total document signed" (false). */
  totalDocumentSigned?: boolean;
  /** The text after "Signature Validation:", e.g. "Signature is Valid." or "Digest Mismatch." */
  validation?: string;
  valid: boolean;
  digestMismatch: boolean;
  /** The text after "Certificate Validation:" (absent with -nocert). */
  certificateValidation?: string;
  trusted: boolean;
}

export interface PdfsigResult {
  signatures: PdfSignatureReport[];
  output: string;
}

export interface PdfsigOptions {
  /** -nocert: check the signatures without certificate validation. */
  noCert?: boolean;
  /** -nssdir: an NSS database holding the trusted roots (see makeNssDb). */
  nssDir?: string;
}

const KEYS: Record<string, keyof PdfSignatureReport> = {
  'Signature Field Name': 'fieldName',
  'Signer Certificate Common Name': 'signerCommonName',
  'Signer full Distinguished Name': 'signerDn',
  'Signing Time': 'signingTime',
  'Signing Hash Algorithm': 'hashAlgorithm',
  'Signature Type': 'signatureType',
  'Signed Ranges': 'signedRanges',
  'Signature Validation': 'validation',
  'Certificate Validation': 'certificateValidation',
};

export function parsePdfsig(output: string): PdfSignatureReport[] {
  const blocks = output.split(/^Signature #\d+:\s*$/m).slice(1);
  return blocks.map((block) => {
    const report: Record<string, unknown> = { valid: false, digestMismatch: false, trusted: false };
    for (const line of block.split('\n')) {
      const item = /^\s+- (.*)$/.exec(line)?.[1]?.trim();
      if (!item) continue;
      if (item === 'Total document signed') report.totalDocumentSigned = true;
      else if (item === 'Not total document signed') report.totalDocumentSigned = false;
      const colon = item.indexOf(': ');
      if (colon < 0) continue;
      const key = KEYS[item.slice(0, colon)];
      if (key) report[key] = item.slice(colon + 2).trim();
    }
    report.valid = report.validation === 'Signature is Valid.';
    report.digestMismatch = report.validation === 'Digest Mismatch.';
    report.trusted = report.certificateValidation === 'Certificate is Trusted.';
    return report as unknown as PdfSignatureReport;
  });
}

async function withTempFile<T>(
  bytes: Uint8Array,
  name: string,
  use: (path: string) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-pdf-'));
  try {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs pdfsig on the bytes and parses every signature's report. */
export async function pdfsig(pdf: Uint8Array, options: PdfsigOptions = {}): Promise<PdfsigResult> {
  return withTempFile(pdf, 'doc.pdf', async (path) => {
    const args = [
      ...(options.noCert ? ['-nocert'] : []),
      ...(options.nssDir ? ['-nssdir', `sql:${options.nssDir}`] : []),
      path,
    ];
    let output: string;
    try {
      output = (await run('pdfsig', args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
    } catch (error) {
      // A file without signatures exits non-zero; its stdout still says so.
      const failed = error as { stdout?: string; code?: unknown };
      if (typeof failed.stdout !== 'string' || failed.code === 'ENOENT') throw error;
      output = failed.stdout;
    }
    return { signatures: parsePdfsig(output), output };
  });
}

/** A fresh NSS database (for pdfsig -nssdir) trusting the given DER roots for signing. */
export async function makeNssDb(roots: Uint8Array[]): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-nss-'));
  await run('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  for (const [i, root] of roots.entries()) {
    const file = join(dir, `root-${i}.der`);
    await writeFile(file, root);
    await run('certutil', ['-A', '-d', `sql:${dir}`, '-n', `root-${i}`, '-t', 'C,C,C', '-i', file]);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Renders one page's crop box (what a viewer shows) to PNG with pdftoppm at `dpi`. */
export async function renderPage(pdf: Uint8Array, page: number, dpi = 100): Promise<Buffer> {
  return withTempFile(pdf, 'doc.pdf', async (path) => {
    const { stdout } = await run(
      'pdftoppm',
      ['-png', '-cropbox', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', path],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
    );
    return stdout;
  });
}

/** The text of one page as pdftotext extracts it (its ToUnicode maps). */
export async function pageText(pdf: Uint8Array, page: number): Promise<string> {
  return withTempFile(pdf, 'doc.pdf', async (path) => {
    const { stdout } = await run('pdftotext', [
      '-f',
      String(page),
      '-l',
      String(page),
      '-enc',
      'UTF-8',
      path,
      '-',
    ]);
    return stdout;
  });
}
