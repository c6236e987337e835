import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { DomainError, UnprocessableError, UnsupportedMediaTypeError } from '../../../functions/core/errors';
import { sealPdf } from '../../../functions/core/pdf-seal/seal';
import { HttpTimestamper } from '../../../functions/adapters/tsa/http-timestamper';
import { IncrementalPdf } from '../../../functions/core/pdf-seal/incremental';
import { verifyDocument } from '../../../functions/core/verify/verify-document';
import { makeEncryptedPdf, makePdf } from '../../support/pdf';
import { pdfsig } from '../../support/pdfsig';
import { startTsaResponder } from '../../support/tsa-responder';
import { keyDir, makeSealKit, type SealKit } from '../pdf-seal/fixtures';
import {
  SLA_TERMS,
  addTimestamp,
  auditExport,
  auditTrail,
  byteRanges,
  completionRecord,
  lastCms,
  resignCms,
  sealOptions,
  sealRoomy,
  withAttachments,
  withCms,
  type Tsa,
} from './fixtures';

let keys: Awaited<ReturnType<typeof keyDir>>;
let otherKeys: Awaited<ReturnType<typeof keyDir>>;
let ec: SealKit;
let rsa: SealKit;
/** Another organisation's keys: a signer's own signature, or a forger. */
let other: SealKit;
let original: Uint8Array;
let sealed: Uint8Array;
const events = auditTrail(8);
/** The last event before sealing; the completion and notification events follow it. */
const head = { seq: 6, hash: events[5]!.hash };

beforeAll(async () => {
  keys = await keyDir();
  otherKeys = await keyDir();
  ec = await makeSealKit(keys, 'ECDSA_SHA_256');
  rsa = await makeSealKit(keys, 'RSASSA_PKCS1_V1_5_SHA_256');
  other = await makeSealKit(otherKeys, 'ECDSA_SHA_256');
  original = await makePdf();
  const attached = await withAttachments(original, {
    'sla-terms.json': SLA_TERMS,
    'countersign-completion.json': completionRecord(original, head),
  });
  sealed = await sealPdf(attached, sealOptions(ec));
});

afterAll(async () => {
  await keys?.cleanup();
  await otherKeys?.cleanup();
});

const flip = (pdf: Uint8Array, offset: number) => {
  const out = Uint8Array.from(pdf);
  out[offset] = out[offset]! ^ 0x20;
  return out;
};

describe('verifyDocument: a sealed contract', () => {
  it('is valid: digest, signature, certificate, chain and the sealed attachments', async () => {
    const report = await verifyDocument(sealed);
    expect(report.verdict, report.problems.join('\n')).toBe('valid');
    expect(report.problems).toEqual([]);
    expect(report.file).toMatchObject({
      size: sealed.length,
      pages: 1,
      revisions: 3,
      containsJavaScript: false,
    });
    expect(report.signatures).toHaveLength(1);
    const [seal] = report.signatures;
    expect(seal).toMatchObject({
      index: 1,
      fieldName: `CountersignSeal_01kverifyenvelope0000000001`,
      filter: 'Adobe.PPKLite',
      subFilter: 'ETSI.CAdES.detached',
      signedAt: '2026-02-03T04:05:06.000Z',
      name: 'Countersign Test Seal',
      location: 'Countersign',
      coversWholeFile: true,
      bytesAfter: 0,
      modifiedAfter: 'none',
      digest: { algorithm: 'sha256', matches: true },
      signature: { algorithm: 'ECDSA_SHA_256', valid: true },
      signingCertificateMatches: true,
      certificateValidAtSigningTime: true,
      timestamp: null,
      intact: true,
      signer: {
        subject: 'O=Countersign Test, CN=Countersign Test Seal',
        issuer: 'C=DE, O=Countersign Test, CN=Countersign Test Root CA',
        notBefore: '2025-01-01T00:00:00.000Z',
        notAfter: '2040-01-01T00:00:00.000Z',
        keyAlgorithm: 'EC P-256',
        selfSigned: false,
      },
    });
    expect(seal!.digest.computed).toBe(seal!.digest.signed);
    expect(seal!.chain).toMatchObject({ endsInSelfSignedRoot: true, trusted: null });
    expect(seal!.chain!.certificates.map((c) => [c.subject, c.signatureValid])).toEqual([
      ['O=Countersign Test, CN=Countersign Test Seal', true],
      ['C=DE, O=Countersign Test, CN=Countersign Test Root CA', true],
    ]);
    expect(report.completion).toMatchObject({ format: 'countersign-completion/1', auditHead: head });
    expect(report.slaTerms).toEqual(SLA_TERMS);
    expect(report.embeddedFiles.map((f) => f.name).sort()).toEqual([
      'countersign-completion.json',
      'sla-terms.json',
    ]);
    expect(report.originalDocuments).toEqual([
      { id: 'doc1', name: 'msa.pdf', sha256: expect.any(String), prefixOfThisFile: true },
    ]);
    expect(report.notes).toContain(
      'no trusted roots were given: the certificate chains are reported, not trusted',
    );
  });

  it('agrees with poppler pdfsig', async () => {
    const { signatures, output } = await pdfsig(sealed, { noCert: true });
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]).toMatchObject({ valid: true, totalDocumentSigned: true });
  });

  it('reports the chain as trusted when its root is given, and fails a chain from another root', async () => {
    const trusted = await verifyDocument(sealed, { trustedRoots: [ec.rootCert] });
    expect(trusted.verdict).toBe('valid');
    expect(trusted.signatures[0]!.chain).toMatchObject({ trusted: true, endsInSelfSignedRoot: true });
    expect(trusted.signatures[0]!.chain!.certificates[1]!.trustedRoot).toBe(true);

    const untrusted = await verifyDocument(sealed, { trustedRoots: [other.rootCert] });
    expect(untrusted.verdict).toBe('tampered');
    expect(untrusted.signatures[0]!.chain!.trusted).toBe(false);
    expect(untrusted.problems).toContain('signature 1: the certificate chain does not end in a trusted root');
  });

  it('verifies an RSA-3072 seal (RSASSA-PKCS1-v1_5 with SHA-256)', async () => {
    const report = await verifyDocument(await sealPdf(original, sealOptions(rsa)), {
      trustedRoots: [rsa.rootCert],
    });
    expect(report.verdict, report.problems.join('\n')).toBe('valid');
    expect(report.signatures[0]).toMatchObject({
      signature: { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', valid: true },
      signer: { keyAlgorithm: 'RSA 3072' },
      chain: { trusted: true },
    });
  });
});

describe('verifyDocument: tampering', () => {
  it('one flipped byte inside the signed range is a digest mismatch; the CMS itself is intact', async () => {
    const [, length] = byteRanges(sealed)[0]!;
    const text = Buffer.from(sealed).toString('latin1');
    const offset = text.indexOf('stream') + 'stream'.length + 8;
    expect(offset).toBeLessThan(length);
    const tampered = flip(sealed, offset);
    const report = await verifyDocument(tampered);
    expect(report.verdict).toBe('tampered');
    expect(report.signatures[0]).toMatchObject({
      digest: { matches: false },
      signature: { valid: true },
      modifiedAfter: 'none',
      intact: false,
    });
    expect(report.problems.join('\n')).toMatch(/digest mismatch/);
    const poppler = await pdfsig(tampered, { noCert: true });
    expect(poppler.signatures[0]!.digestMismatch, poppler.output).toBe(true);
  });

  it('a truncated file is tampered, wherever it is cut', async () => {
    for (const keep of [sealed.length - 1, sealed.length - 200, byteRanges(sealed)[0]![2] - 5, 2000, 600]) {
      const report = await verifyDocument(sealed.subarray(0, keep));
      expect(report.verdict, `cut at ${keep}`).toBe('tampered');
      expect(report.problems.join('\n'), `cut at ${keep}`).toMatch(/truncated|cut off/);
    }
  });

  it('an incremental update appended after the seal is reported as such, not as a digest mismatch', async () => {
    const incremental = await IncrementalPdf.open(sealed);
    const page = incremental.doc.getPage(0);
    page.drawText('Amount due: 1,000,000 EUR', { x: 50, y: 500, size: 18 });
    await incremental.doc.attach(
      Buffer.from(JSON.stringify({ ...SLA_TERMS, response: { p1Minutes: 9999 } })),
      'sla-terms.json',
      { mimeType: 'application/json' },
    );
    const updated = await incremental.save();
    expect(updated.length).toBeGreaterThan(sealed.length);

    const report = await verifyDocument(updated);
    expect(report.verdict).toBe('tampered');
    expect(report.signatures[0]).toMatchObject({
      coversWholeFile: false,
      bytesAfter: updated.length - sealed.length,
      modifiedAfter: 'incremental-update',
      digest: { matches: true },
      signature: { valid: true },
      intact: true,
    });
    expect(report.problems).toEqual([
      expect.stringMatching(
        /^the file was modified after it was sealed: \d+ bytes \(an incremental update\)/,
      ),
    ]);
    // What is reported as sealed is the sealed revision, not the appended terms.
    expect(report.slaTerms).toEqual(SLA_TERMS);
    const poppler = await pdfsig(updated, { noCert: true });
    expect(poppler.signatures[0]).toMatchObject({ valid: true, totalDocumentSigned: false });
  });

  it('white space after the seal changes nothing a reader sees: still valid, and said so', async () => {
    const padded = Buffer.concat([sealed, Buffer.from('\n\n  \n')]);
    const report = await verifyDocument(padded);
    expect(report.verdict).toBe('valid');
    expect(report.signatures[0]).toMatchObject({ modifiedAfter: 'whitespace', coversWholeFile: false });
  });

  it('a seal re-signed by another key under the same certificate is a bad signature', async () => {
    const forged = withCms(sealed, await resignCms(lastCms(sealed), other.seal));
    const report = await verifyDocument(forged, { trustedRoots: [ec.rootCert] });
    expect(report.verdict).toBe('tampered');
    expect(report.signatures[0]).toMatchObject({
      digest: { matches: true },
      signature: { algorithm: 'ECDSA_SHA_256', valid: false },
      signer: { subject: 'O=Countersign Test, CN=Countersign Test Seal' },
      chain: { trusted: true },
    });
    expect(report.problems).toEqual([
      "signature 1 (CountersignSeal_01kverifyenvelope0000000001): the signature does not verify with the signer certificate's key",
    ]);
    const poppler = await pdfsig(forged, { noCert: true });
    expect(poppler.signatures[0]!.valid, poppler.output).toBe(false);
  });

  it('a whole seal made by someone else with their own chain is intact but not trusted', async () => {
    const forged = await sealPdf(original, sealOptions(other));
    const untrusted = await verifyDocument(forged);
    expect(untrusted.verdict).toBe('valid');
    const checked = await verifyDocument(forged, { trustedRoots: [ec.rootCert] });
    expect(checked.verdict).toBe('tampered');
    expect(checked.signatures[0]!.chain!.trusted).toBe(false);
  });

  it('survives bytes flipped anywhere: a report or a named input error, never a crash', async () => {
    let state = 7;
    const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 150; i++) {
      const offset = Math.floor(random() * sealed.length);
      try {
        const report = await verifyDocument(flip(sealed, offset));
        expect(['valid', 'tampered', 'unsealed']).toContain(report.verdict);
        // Only bytes nothing covers may change without a failed check: the signature's padding.
        const [, b, c] = byteRanges(sealed)[0]!;
        if (report.verdict === 'valid') expect(offset > b && offset < c, `offset ${offset}`).toBe(true);
      } catch (error) {
        expect(error, `offset ${offset}`).toBeInstanceOf(DomainError);
      }
    }
  });
});

describe('verifyDocument: more than one signature, timestamps', () => {
  it("reports a signer's own signature followed by the seal, both intact", async () => {
    const signedBySigner = await sealPdf(
      original,
      sealOptions(other, { fieldName: 'AnaRuizSignature', name: 'Ana Ruiz', reason: 'I agree' }),
    );
    const both = await sealPdf(signedBySigner, sealOptions(ec));
    const report = await verifyDocument(both, { trustedRoots: [ec.rootCert] });
    expect(report.verdict, report.problems.join('\n')).toBe('valid');
    expect(report.signatures.map((s) => [s.index, s.fieldName, s.name, s.coversWholeFile, s.intact])).toEqual(
      [
        [1, 'AnaRuizSignature', 'Ana Ruiz', false, true],
        [2, 'CountersignSeal_01kverifyenvelope0000000001', 'Countersign Test Seal', true, true],
      ],
    );
    expect(report.signatures[0]!.modifiedAfter).toBe('incremental-update');
    expect(report.signatures[0]!.chain!.trusted).toBe(false);
    expect(report.signatures[1]!.chain!.trusted).toBe(true);
    const poppler = await pdfsig(both, { noCert: true });
    expect(
      poppler.signatures.map((s) => s.valid),
      poppler.output,
    ).toEqual([true, true]);
  });

  it('checks an RFC 3161 signature timestamp: time, TSA, imprint and token signature', async () => {
    const tsa: Tsa = { signer: rsa.seal, chain: rsa.chain };
    const base = await sealRoomy(original, ec);
    const genTime = new Date('2026-02-03T04:05:09Z');
    const stamped = withCms(base, await addTimestamp(lastCms(base), tsa, genTime));
    const report = await verifyDocument(stamped, { trustedRoots: [ec.rootCert, rsa.rootCert] });
    expect(report.verdict, report.problems.join('\n')).toBe('valid');
    expect(report.signatures[0]!.timestamp).toMatchObject({
      genTime: '2026-02-03T04:05:09.000Z',
      tsaName: 'O=Countersign Test, CN=Countersign Test Seal',
      imprintAlgorithm: 'sha256',
      imprintMatches: true,
      signatureValid: true,
      tsaCertificate: { keyAlgorithm: 'RSA 3072' },
      chain: { trusted: true },
      problems: [],
    });
    const poppler = await pdfsig(stamped, { noCert: true });
    expect(poppler.signatures[0]!.valid, poppler.output).toBe(true);

    const wrongImprint = withCms(
      base,
      await addTimestamp(lastCms(base), tsa, genTime, new Uint8Array(32).fill(7)),
    );
    const bad = await verifyDocument(wrongImprint);
    expect(bad.verdict).toBe('tampered');
    expect(bad.signatures[0]!.timestamp).toMatchObject({ imprintMatches: false, signatureValid: true });
    expect(bad.problems.join('\n')).toMatch(/imprint is not the hash of this signature value/);
  });
});

describe('verifyDocument: a PAdES B-T seal from the sealing code and a real RFC 3161 responder', () => {
  it('reports the TSA time and name and checks the token against the TSA root', async () => {
    const tsa = await startTsaResponder();
    try {
      const before = Date.now();
      const stamped = await sealPdf(original, {
        ...sealOptions(ec),
        timestamper: new HttpTimestamper(tsa.url, { backoffMs: 10, attemptTimeoutMs: 2000 }),
      });
      const report = await verifyDocument(stamped, { trustedRoots: [ec.rootCert, tsa.rootCert] });
      expect(report.verdict, report.problems.join('\n')).toBe('valid');
      const timestamp = report.signatures[0]!.timestamp!;
      expect(timestamp).toMatchObject({
        imprintAlgorithm: 'sha256',
        imprintMatches: true,
        signatureValid: true,
        tsaCertificate: { subject: 'CN=Countersign Test TSA', keyAlgorithm: 'EC P-256' },
        chain: { trusted: true, endsInSelfSignedRoot: true },
        problems: [],
      });
      expect(timestamp.tsaName).toContain('Countersign Test TSA');
      expect(Date.parse(timestamp.genTime!)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(timestamp.genTime!)).toBeLessThanOrEqual(Date.now() + 1000);

      // Only the TSA's own root makes its chain trusted.
      const untrusted = await verifyDocument(stamped, { trustedRoots: [ec.rootCert] });
      expect(untrusted.signatures[0]!.timestamp!.chain!.trusted).toBe(false);
    } finally {
      await tsa.close();
    }
  });
});

describe('verifyDocument: the audit trail against the sealed completion record', () => {
  it('valid when every hash verifies and the sealed audit head is an event of the trail', async () => {
    const audit = await auditExport(events, { signer: ec.seal, certificates: ec.chain });
    const report = await verifyDocument(sealed, { audit, trustedRoots: [ec.rootCert] });
    expect(report.verdict, report.problems.join('\n')).toBe('valid');
    expect(report.audit).toMatchObject({
      events: 8,
      chain: { verified: true },
      head: { seq: 8, matches: true },
      signature: { algorithm: 'ECDSA_SHA_256', valid: true, chain: { trusted: true } },
      completionHead: { seq: 6, hash: head.hash, found: true },
      valid: true,
    });
  });

  it('tampered when an event was edited, or the trail is not the one the PDF sealed', async () => {
    const edited = structuredClone(events);
    (edited[3]!.data as Record<string, unknown>).note = 'edited';
    const report = await verifyDocument(sealed, { audit: await auditExport(edited) });
    expect(report.verdict).toBe('tampered');
    expect(report.audit!.chain).toMatchObject({ verified: false, brokenAt: 4 });

    const shorter = await auditExport(events.slice(0, 5));
    const cut = await verifyDocument(sealed, { audit: shorter });
    expect(cut.verdict).toBe('tampered');
    expect(cut.audit!.completionHead).toMatchObject({ seq: 6, found: false });
  });
});

describe('verifyDocument: input that is not a sealed PDF', () => {
  it('an unsigned, readable PDF is unsealed', async () => {
    const report = await verifyDocument(original);
    expect(report).toMatchObject({ verdict: 'unsealed', signatures: [], problems: [], file: { pages: 1 } });
  });

  it('refuses what is not a PDF (415), an encrypted PDF and a corrupt one (422)', async () => {
    await expect(verifyDocument(Buffer.from('hello, I am a text file'))).rejects.toBeInstanceOf(
      UnsupportedMediaTypeError,
    );
    await expect(verifyDocument(new Uint8Array(0))).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    await expect(verifyDocument(await makeEncryptedPdf())).rejects.toThrow(/encrypted/);
    await expect(verifyDocument(await makeEncryptedPdf())).rejects.toBeInstanceOf(UnprocessableError);
    const corrupt = Buffer.from(
      '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nthis is not pdf\n%%EOF\n',
    );
    await expect(verifyDocument(corrupt)).rejects.toBeInstanceOf(UnprocessableError);
  });

  it('verifies a PDF that carries JavaScript like any other, and says it does', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]);
    const action = doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert("pwned");') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(action));
    const withScript = await sealPdf(await doc.save({ useObjectStreams: false }), sealOptions(ec));
    const report = await verifyDocument(withScript);
    expect(report.verdict).toBe('valid');
    expect(report.file.containsJavaScript).toBe(true);
  });
});

describe('verifyDocument: speed', () => {
  it('verifies a sealed 200-page and 2,000-page contract quickly', { timeout: 120_000 }, async () => {
    const timings: Record<number, number> = {};
    for (const pages of [200, 2000]) {
      const pdf = await makePdf(Array.from({ length: pages }, () => [612, 792] as [number, number]));
      const big = await sealPdf(pdf, sealOptions(ec));
      const started = performance.now();
      const report = await verifyDocument(big, { trustedRoots: [ec.rootCert] });
      timings[pages] = Math.round(performance.now() - started);
      expect(report.verdict).toBe('valid');
      expect(report.file.pages).toBe(pages);
    }
    console.log(`verify: 200 pages ${timings[200]} ms, 2000 pages ${timings[2000]} ms`);
    expect(timings[2000]).toBeLessThan(10_000);
  });
});
