import { X509Certificate, createHash } from 'node:crypto';
import { ContentInfo, SignedData, id_contentType, id_messageDigest } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSealSigner } from '../../../functions/adapters/local/local-seal-signer';
import {
  certificateToPem,
  certificatesFromPem,
  issueSealCertificate,
} from '../../../functions/core/pdf-seal/certificates';
import { buildCms, OIDS } from '../../../functions/core/pdf-seal/cms';
import { readTlv } from '../../../functions/core/pdf-seal/der';
import { IncrementalPdf } from '../../../functions/core/pdf-seal/incremental';
import { sealPdf, type SealOptions } from '../../../functions/core/pdf-seal/seal';
import { makeEncryptedPdf, makePdf } from '../../support/pdf';
import { makeNssDb, pdfsig } from '../../support/pdfsig';
import { keyDir, makeSealKit, type SealKit } from './fixtures';

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length >= prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

/** Every /ByteRange in the file, in file order. */
function byteRanges(pdf: Uint8Array): [number, number, number, number][] {
  return [...latin1(pdf).matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map(
    (m) => [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number],
  );
}

/** The DER CMS in the n-th signature's /Contents (without the zero padding). */
function cmsOf(pdf: Uint8Array, n = 0): Uint8Array {
  const range = byteRanges(pdf)[n]!;
  const hex = latin1(pdf.subarray(range[1] + 1, range[2] - 1));
  const padded = new Uint8Array(Buffer.from(hex, 'hex'));
  return padded.subarray(0, readTlv(padded).end);
}

function rangeDigest(pdf: Uint8Array, n = 0): Buffer {
  const [a, b, c, d] = byteRanges(pdf)[n]!;
  return createHash('sha256')
    .update(pdf.subarray(a, a + b))
    .update(pdf.subarray(c, c + d))
    .digest();
}

describe('sealPdf (PAdES B-B, checked with poppler pdfsig)', () => {
  let keys: Awaited<ReturnType<typeof keyDir>>;
  let ec: SealKit;
  let pdf: Uint8Array;
  let sealed: Uint8Array;

  const options = (kit: SealKit, overrides: Partial<SealOptions> = {}): SealOptions => ({
    signer: kit.seal,
    chain: kit.chain,
    reason: 'Envelope completed (all parties signed)',
    location: 'Countersign',
    name: 'Countersign Test Seal',
    signedAt: new Date('2026-02-03T04:05:06Z'),
    fieldName: 'CountersignSeal1',
    ...overrides,
  });

  beforeAll(async () => {
    keys = await keyDir();
    ec = await makeSealKit(keys, 'ECDSA_SHA_256');
    pdf = await makePdf([
      [612, 792],
      [595, 842],
    ]);
    sealed = await sealPdf(pdf, options(ec));
  });

  afterAll(async () => keys?.cleanup());

  it('produces a signature pdfsig reports as valid, of type ETSI.CAdES.detached', async () => {
    const { signatures } = await pdfsig(sealed, { noCert: true });
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatchObject({
      fieldName: 'CountersignSeal1',
      signerCommonName: 'Countersign Test Seal',
      signatureType: 'ETSI.CAdES.detached',
      hashAlgorithm: 'SHA-256',
      validation: 'Signature is Valid.',
      totalDocumentSigned: true,
    });
    // Also with certificate validation (no trust store: the signature is still valid).
    const plain = await pdfsig(sealed);
    expect(plain.signatures[0]?.valid).toBe(true);
  });

  it('appends an incremental update: the original bytes are an exact prefix', async () => {
    expect(isPrefix(pdf, sealed)).toBe(true);
    const added = latin1(sealed.subarray(pdf.length));
    // pdf-lib writes object streams, so the last section was an xref stream: so is the new one.
    expect(added).toMatch(/\/Type \/XRef[^>]*\/Prev \d+/);
    expect(added).toContain('/SubFilter /ETSI.CAdES.detached');
    expect(added).toMatch(/\/M \(D:20260203040506Z\)/);
  });

  it('reports a digest mismatch when one signed byte changes', async () => {
    const tampered = Uint8Array.from(sealed);
    tampered[10] = tampered[10]! ^ 0x01; // in the header's binary comment: inside the first range
    const { signatures } = await pdfsig(tampered, { noCert: true });
    expect(signatures[0]?.valid).toBe(false);
    expect(signatures[0]?.validation).toBe('Digest Mismatch.');

    // A byte after /Contents (in the second range) too.
    const tail = Uint8Array.from(sealed);
    const [, , start] = byteRanges(sealed)[0]!;
    const at = latin1(sealed).indexOf('/Reason', start) + 10; // inside the hex text of /Reason
    tail[at] = tail[at] === 0x41 ? 0x42 : 0x41;
    expect((await pdfsig(tail, { noCert: true })).signatures[0]?.valid).toBe(false);
  });

  it('seals twice and both seals stay valid', async () => {
    const twice = await sealPdf(
      sealed,
      options(ec, { fieldName: 'CountersignSeal2', reason: 'Second seal' }),
    );
    expect(isPrefix(sealed, twice)).toBe(true);
    const { signatures } = await pdfsig(twice, { noCert: true });
    expect(signatures.map((s) => [s.fieldName, s.validation, s.totalDocumentSigned])).toEqual([
      ['CountersignSeal1', 'Signature is Valid.', false],
      ['CountersignSeal2', 'Signature is Valid.', true],
    ]);
  });

  it('refuses a field name that is already taken', async () => {
    await expect(sealPdf(sealed, options(ec))).rejects.toThrow(
      /already has a field named "CountersignSeal1"/,
    );
  });

  it('works with an RSA-3072 seal key issued by an RSA root', async () => {
    const rsa = await makeSealKit(keys, 'RSASSA_PKCS1_V1_5_SHA_256');
    const out = await sealPdf(pdf, options(rsa));
    const { signatures } = await pdfsig(out, { noCert: true });
    expect(signatures[0]).toMatchObject({
      validation: 'Signature is Valid.',
      signatureType: 'ETSI.CAdES.detached',
    });
  });

  it('works with a mixed chain: an RSA seal key under an ECDSA root', async () => {
    const mixed = await makeSealKit(keys, 'RSASSA_PKCS1_V1_5_SHA_256', 'ECDSA_SHA_256');
    const out = await sealPdf(pdf, options(mixed));
    expect((await pdfsig(out, { noCert: true })).signatures[0]?.valid).toBe(true);
  });

  it('seals a PDF with a classic cross-reference table, appending a table with /Prev', async () => {
    const doc = await PDFDocument.load(pdf);
    const classic = await doc.save({ useObjectStreams: false });
    expect(latin1(classic)).toMatch(/\nxref\n/);
    const out = await sealPdf(classic, options(ec));
    expect(isPrefix(classic, out)).toBe(true);
    const added = latin1(out.subarray(classic.length));
    expect(added).toMatch(/\nxref\n/);
    expect(added).toMatch(/trailer\n<< \/Size \d+ \/Root \d+ 0 R.*\/Prev \d+ >>/);
    expect(added).not.toContain('/Type /XRef');
    const twice = await sealPdf(out, options(ec, { fieldName: 'CountersignSeal2' }));
    const { signatures } = await pdfsig(twice, { noCert: true });
    expect(signatures.map((s) => s.validation)).toEqual(['Signature is Valid.', 'Signature is Valid.']);
  });

  it('builds a CAdES CMS: content-type, message-digest, signing-certificate-v2 and no signing-time', async () => {
    const info = AsnConvert.parse(cmsOf(sealed), ContentInfo);
    expect(info.contentType).toBe('1.2.840.113549.1.7.2');
    const signedData = AsnConvert.parse(info.content, SignedData);
    expect(signedData.encapContentInfo.eContent).toBeUndefined(); // detached
    expect(signedData.certificates).toHaveLength(2);
    const [signerInfo] = signedData.signerInfos;
    const attributes = signerInfo!.signedAttrs!;
    const types = attributes.map((a) => a.attrType);
    expect(types.sort()).toEqual([id_contentType, id_messageDigest, OIDS.signingCertificateV2].sort());
    expect(types).not.toContain(OIDS.signingTime);

    const digest = attributes.find((a) => a.attrType === id_messageDigest)!.attrValues[0]!;
    expect(Buffer.from(readTlv(new Uint8Array(digest)).value)).toEqual(rangeDigest(sealed));

    // ESSCertIDv2.certHash is the SHA-256 of the seal certificate.
    const signingCert = new Uint8Array(
      attributes.find((a) => a.attrType === OIDS.signingCertificateV2)!.attrValues[0]!,
    );
    const certs = readTlv(signingCert).value;
    const essCertId = readTlv(readTlv(certs).value).value;
    const certHash = readTlv(essCertId);
    expect(certHash.tag).toBe(0x04);
    expect(Buffer.from(certHash.value)).toEqual(createHash('sha256').update(ec.sealCert).digest());
    expect(signerInfo!.signatureAlgorithm.algorithm).toBe(OIDS.ecdsaWithSha256);
  });

  it('reserves 8 KiB for the CMS, of which an ECDSA chain of two uses about 1.2 KB', () => {
    const [range] = byteRanges(sealed);
    expect(range![2] - range![1]).toBe(8 * 1024 * 2 + 2);
    expect(cmsOf(sealed).length).toBeLessThan(2000);
  });

  it('refuses a chain whose first certificate is for another key', async () => {
    const other = new LocalSealSigner(keys.path('other.pem'));
    await expect(buildCms(new Uint8Array(32), { signer: other, chain: ec.chain })).rejects.toThrow(
      /not for the signer's key/,
    );
  });

  it('refuses an encrypted PDF', async () => {
    await expect(sealPdf(await makeEncryptedPdf(), options(ec))).rejects.toThrow(/encrypted/);
  });

  it('seals a 100-page PDF quickly (time before the signer is asked is measured)', async () => {
    const big = await makePdf(Array.from({ length: 100 }, () => [612, 792] as [number, number]));
    let signerMs = 0;
    const timed = {
      algorithm: ec.seal.algorithm,
      publicKey: () => ec.seal.publicKey(),
      async signDigest(digest: Uint8Array) {
        const t = performance.now();
        const signature = await ec.seal.signDigest(digest);
        signerMs += performance.now() - t;
        return signature;
      },
    };
    await ec.seal.publicKey();
    const started = performance.now();
    const out = await sealPdf(big, options(ec, { signer: timed }));
    const ms = performance.now() - started - signerMs;
    console.log(`sealing a 100-page PDF (${big.length} bytes): ${ms.toFixed(1)} ms without the signer`);
    expect((await pdfsig(out, { noCert: true })).signatures[0]?.valid).toBe(true);
    expect(ms).toBeLessThan(2000);
  });

  it(
    'seals a 2,000-page PDF; pdfsig finds the seal valid over the whole file',
    { timeout: 60_000 },
    async () => {
      const huge = await makePdf(Array.from({ length: 2000 }, () => [612, 792] as [number, number]));
      const out = await sealPdf(huge, options(ec));
      expect(isPrefix(huge, out)).toBe(true);
      const report = await pdfsig(out, { noCert: true });
      expect(report.signatures).toHaveLength(1);
      expect(report.signatures[0]?.valid).toBe(true);
    },
  );

  it('seals a PDF that carries JavaScript without running or removing it; the seal is valid', async () => {
    const doc = await PDFDocument.load(pdf);
    const action = doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert("hello");') });
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.register(action));
    const scripted = await doc.save({ useObjectStreams: false });
    const out = await sealPdf(scripted, options(ec));
    expect(latin1(out)).toContain('/JavaScript');
    expect((await pdfsig(out, { noCert: true })).signatures[0]?.valid).toBe(true);
  });

  it.each([
    ['a truncated PDF', (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['bytes that are not a PDF', () => new TextEncoder().encode('%PNG not a pdf at all')],
    ['an empty file', () => new Uint8Array(0)],
  ])('refuses %s with an error, never a sealed file', async (_what, damage) => {
    await expect(sealPdf(damage(pdf), options(ec))).rejects.toThrow();
  });

  it('only the changed objects go into the update', async () => {
    const incremental = await IncrementalPdf.open(pdf);
    expect(incremental.changedObjects()).toEqual([]);
    expect(await incremental.save()).toBe(pdf);
  });
});

describe('certificates made through SealSigners', () => {
  let keys: Awaited<ReturnType<typeof keyDir>>;
  let ec: SealKit;

  beforeAll(async () => {
    keys = await keyDir();
    ec = await makeSealKit(keys, 'ECDSA_SHA_256');
  });
  afterAll(async () => keys?.cleanup());

  it('makes a self-signed CA root that issued the seal certificate', () => {
    const root = new X509Certificate(ec.rootCert);
    const leaf = new X509Certificate(ec.sealCert);
    expect(root.ca).toBe(true);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.subject).toContain('CN=Countersign Test Seal');
    expect(leaf.issuer).toBe(root.subject);
    expect(new Date(leaf.validTo).getUTCFullYear()).toBe(2040);
  });

  it('writes and reads PEM', () => {
    const pem = certificateToPem(ec.sealCert) + certificateToPem(ec.rootCert);
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n/);
    expect(certificatesFromPem(pem).map((c) => Buffer.from(c))).toEqual(ec.chain.map((c) => Buffer.from(c)));
    expect(
      new X509Certificate(pem.split('-----END CERTIFICATE-----')[0] + '-----END CERTIFICATE-----').subject,
    ).toContain('Countersign Test Seal');
  });

  it('puts the seal key in the seal certificate', async () => {
    const leaf = new X509Certificate(ec.sealCert);
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    expect(Buffer.from(spki)).toEqual(Buffer.from(await ec.seal.publicKey()));
  });

  it('pdfsig trusts the seal when the root is in its NSS database, and not otherwise', async () => {
    const pdf = await makePdf();
    const sealed = await sealPdf(pdf, {
      signer: ec.seal,
      chain: ec.chain,
      reason: 'Trust check',
      name: 'Countersign Test Seal',
      signedAt: new Date(),
      fieldName: 'Seal',
    });
    const nss = await makeNssDb([ec.rootCert]);
    try {
      const trusted = await pdfsig(sealed, { nssDir: nss.dir });
      expect(trusted.signatures[0]).toMatchObject({
        validation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
      });
    } finally {
      await nss.cleanup();
    }
    const empty = await makeNssDb([]);
    try {
      const untrusted = await pdfsig(sealed, { nssDir: empty.dir });
      expect(untrusted.signatures[0]?.valid).toBe(true);
      expect(untrusted.signatures[0]?.trusted).toBe(false);
      expect(untrusted.signatures[0]?.certificateValidation).toBe("Certificate issuer isn't Trusted.");
    } finally {
      await empty.cleanup();
    }
  });

  it('refuses to issue with a signer whose key is not the issuer certificate’s', async () => {
    await expect(
      issueSealCertificate({ signer: ec.seal, certificate: ec.rootCert }, await ec.seal.publicKey(), {
        subject: { commonName: 'x' },
        notBefore: new Date('2025-01-01T00:00:00Z'),
        notAfter: new Date('2026-01-01T00:00:00Z'),
      }),
    ).rejects.toThrow(/does not hold the key of the issuer certificate/);
  });
});
