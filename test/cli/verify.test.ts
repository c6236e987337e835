import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem } from '../../functions/core/pdf-seal/certificates';
import { sealPdf } from '../../functions/core/pdf-seal/seal';
import { makeEncryptedPdf, makePdf } from '../support/pdf';
import { keyDir, makeSealKit, type SealKit } from '../core/pdf-seal/fixtures';
import {
  SLA_TERMS,
  auditExport,
  auditTrail,
  completionRecord,
  lastCms,
  resignCms,
  sealOptions,
  withAttachments,
  withCms,
} from '../core/verify/fixtures';

/** `npx countersign verify` run as a subprocess, on files made here with the real seal code. */

const ROOT = resolve(import.meta.dirname, '../..');
let dir: string;
let keys: Awaited<ReturnType<typeof keyDir>>;
let otherKeys: Awaited<ReturnType<typeof keyDir>>;
let ec: SealKit;
let other: SealKit;
const file = (name: string) => join(dir, name);

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/countersign.js', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'countersign-verify-cli-'));
  keys = await keyDir();
  otherKeys = await keyDir();
  ec = await makeSealKit(keys);
  other = await makeSealKit(otherKeys);
  const events = auditTrail(7);
  const original = await makePdf();
  const sealed = await sealPdf(
    await withAttachments(original, {
      'sla-terms.json': SLA_TERMS,
      'countersign-completion.json': completionRecord(original, { seq: 5, hash: events[4]!.hash }),
    }),
    sealOptions(ec),
  );
  writeFileSync(file('sealed.pdf'), sealed);
  const flipped = Uint8Array.from(sealed);
  const at = Buffer.from(sealed).toString('latin1').indexOf('stream') + 14;
  flipped[at] = flipped[at]! ^ 0x20;
  writeFileSync(file('flipped.pdf'), flipped);
  writeFileSync(file('forged.pdf'), withCms(sealed, await resignCms(lastCms(sealed), other.seal)));
  writeFileSync(file('unsigned.pdf'), original);
  writeFileSync(file('encrypted.pdf'), await makeEncryptedPdf());
  writeFileSync(file('notes.txt'), 'not a PDF at all');
  writeFileSync(file('root.pem'), certificateToPem(ec.rootCert));
  writeFileSync(file('other-root.pem'), certificateToPem(other.rootCert));
  writeFileSync(file('garbage.pem'), 'no certificate here');
  const audit = await auditExport(events, { signer: ec.seal, certificates: ec.chain });
  writeFileSync(file('audit.json'), JSON.stringify(audit, null, 2));
  const edited = structuredClone(audit);
  (edited.events[2]!.data as Record<string, unknown>).note = 'quietly changed';
  writeFileSync(file('audit-edited.json'), JSON.stringify(edited, null, 2));
  writeFileSync(file('audit-broken.json'), '{ "format": "countersign-audit/1", ');
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await keys?.cleanup();
  await otherKeys?.cleanup();
});

describe('countersign verify', () => {
  it('exit 0 and a readable report for an intact seal; with --trust the chain is trusted', async () => {
    const res = await cli(['verify', file('sealed.pdf'), '--trust', file('root.pem')]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('Verdict: VALID: every signature is intact');
    expect(res.stdout).toContain(
      'Signature 1: CountersignSeal_01kverifyenvelope0000000001 (ETSI.CAdES.detached) - intact',
    );
    expect(res.stdout).toMatch(/Signer: +O=Countersign Test, CN=Countersign Test Seal \(EC P-256/);
    expect(res.stdout).toMatch(
      /Chain: +Countersign Test Seal -> Countersign Test Root CA \(ends in a self-signed root; TRUSTED\)/,
    );
    expect(res.stdout).toMatch(/Covers: +the whole file/);
    expect(res.stdout).toContain(
      'Completion record: envelope 01kverifyenvelope0000000001 "Support agreement 2027"',
    );
    expect(res.stdout).toContain('(its bytes are the start of this file)');
    expect(res.stdout).toContain('SLA terms: attached as sla-terms.json');
  });

  it('--trust with another root: the chain is not trusted, exit 1', async () => {
    const res = await cli(['verify', file('sealed.pdf'), '--trust', file('other-root.pem')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('NOT trusted');
    expect(res.stdout).toContain('the certificate chain does not end in a trusted root');
  });

  it('--json prints the report', async () => {
    const res = await cli(['verify', file('sealed.pdf'), '--json', '--audit', file('audit.json')]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout);
    expect(report).toMatchObject({
      format: 'countersign-verification/1',
      verdict: 'valid',
      signatures: [{ intact: true, signature: { valid: true } }],
      audit: { valid: true, completionHead: { seq: 5, found: true }, signature: { valid: true } },
    });
  });

  it('exit 1 for a flipped byte (digest mismatch)', async () => {
    const res = await cli(['verify', file('flipped.pdf')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('Verdict: TAMPERED');
    expect(res.stdout).toMatch(/Digest: +MISMATCH/);
  });

  it('exit 1 for a seal re-signed by another key under the same certificate', async () => {
    const res = await cli(['verify', file('forged.pdf'), '--trust', file('root.pem')]);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/Signature: +INVALID \(ECDSA_SHA_256\)/);
    expect(res.stdout).toContain("the signature does not verify with the signer certificate's key");
  });

  it('exit 1 when --audit has an edited event; exit 0 with the untouched trail', async () => {
    const edited = await cli(['verify', file('sealed.pdf'), '--audit', file('audit-edited.json')]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/Chain: +BROKEN at event 3/);
    const good = await cli(['verify', file('sealed.pdf'), '--audit', file('audit.json')]);
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toMatch(/Sealed head: +found in the trail \(event 5\)/);
  });

  it('exit 2 for a PDF without a signature', async () => {
    const res = await cli(['verify', file('unsigned.pdf')]);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('Verdict: UNSEALED');
  });

  it('exit 3 for unreadable input: missing, not a PDF, encrypted, an audit or root that is unreadable', async () => {
    const cases: [string[], RegExp][] = [
      [[file('missing.pdf')], /cannot read the PDF .*missing\.pdf \(ENOENT\)/],
      [[file('notes.txt')], /not a PDF/],
      [[file('encrypted.pdf')], /encrypted/],
      [[file('sealed.pdf'), '--audit', file('audit-broken.json')], /is not JSON/],
      [[file('sealed.pdf'), '--audit', file('root.pem')], /is not JSON/],
      [[file('sealed.pdf'), '--trust', file('garbage.pem')], /holds no PEM certificate/],
    ];
    for (const [args, message] of cases) {
      const res = await cli(['verify', ...args]);
      expect(res.code, args.join(' ')).toBe(3);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
    }
  });

  it('exit 4 with a message for wrong usage', async () => {
    for (const args of [[], [file('sealed.pdf'), file('unsigned.pdf')], [file('sealed.pdf'), '--bogus']]) {
      const res = await cli(['verify', ...args]);
      expect(res.code, args.join(' ')).toBe(4);
      expect(res.stderr).toMatch(/^countersign verify: /);
      expect(res.stderr).toContain('Usage: countersign verify FILE.pdf');
    }
  });
});
