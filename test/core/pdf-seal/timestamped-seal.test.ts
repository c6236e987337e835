import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTimestamper } from '../../../functions/adapters/tsa/http-timestamper';
import { certificateToPem } from '../../../functions/core/pdf-seal/certificates';
import { OIDS } from '../../../functions/core/pdf-seal/cms';
import { readTlv } from '../../../functions/core/pdf-seal/der';
import {
  DEFAULT_RESERVED_BYTES,
  TIMESTAMPED_RESERVED_BYTES,
  sealPdf,
  type SealOptions,
} from '../../../functions/core/pdf-seal/seal';
import { readTimestampToken } from '../../../functions/core/pdf-seal/timestamp';
import type { SealKit as PortSealKit, SealSigner, Timestamper } from '../../../functions/core/ports';
import { openLocalSealKit } from '../../../functions/local/seal-kit';
import { makePdf } from '../../support/pdf';
import { makeNssDb, pdfsig } from '../../support/pdfsig';
import { startTsaResponder, type TsaResponder } from '../../support/tsa-responder';
import { keyDir, makeSealKit, type SealKit } from './fixtures';

/**
 * PAdES B-T (a signature timestamp from an RFC 3161 TSA on loopback) and RSA-3072 seals, checked
 * with poppler's pdfsig and, for the token, `openssl ts -verify`. pdfsig 22.12 validates the
 * signature and the chain of a B-T seal but does not report the timestamp: its "Signing Time"
 * is the signature dictionary's /M. OpenSSL verifies the token itself against the TSA's root.
 */

const run = promisify(execFile);
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');
const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());

function byteRange(pdf: Uint8Array): [number, number, number, number] {
  const m = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(latin1(pdf))!;
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}

/** The DER CMS in /Contents, without its zero padding. */
function cmsOf(pdf: Uint8Array): Uint8Array {
  const [, start, end] = byteRange(pdf);
  const padded = new Uint8Array(Buffer.from(latin1(pdf.subarray(start + 1, end - 1)), 'hex'));
  return padded.subarray(0, readTlv(padded).end);
}

function signerInfoOf(cms: Uint8Array) {
  const signedData = AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
  return signedData.signerInfos[0]!;
}

/** `openssl ts -verify` of a token over `imprint`, trusting `root`: its last line of output. */
async function opensslVerify(token: Uint8Array, imprint: Uint8Array, root: Uint8Array): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-tst-'));
  try {
    await writeFile(join(dir, 'token.der'), token);
    await writeFile(join(dir, 'root.pem'), certificateToPem(root));
    const args = [
      'ts',
      '-verify',
      '-token_in',
      '-in',
      join(dir, 'token.der'),
      '-CAfile',
      join(dir, 'root.pem'),
    ];
    const { stdout } = await run('openssl', [...args, '-digest', Buffer.from(imprint).toString('hex')]);
    return stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Counts the signer's signatures, so a test can tell that the seal got as far as signing. */
function counting(signer: SealSigner): SealSigner & { calls: number } {
  const counted = {
    calls: 0,
    get algorithm() {
      return signer.algorithm;
    },
    publicKey: () => signer.publicKey(),
    async signDigest(digest: Uint8Array) {
      counted.calls++;
      return signer.signDigest(digest);
    },
  };
  return counted;
}

describe('sealPdf with a timestamper (PAdES B-T)', () => {
  let keys: Awaited<ReturnType<typeof keyDir>>;
  let ec: SealKit;
  let tsa: TsaResponder;
  let pdf: Uint8Array;
  let sealed: Uint8Array;

  const options = (overrides: Partial<SealOptions> = {}): SealOptions => ({
    signer: ec.seal,
    chain: ec.chain,
    reason: 'Envelope completed (all parties signed)',
    name: 'Countersign Test Seal',
    signedAt: new Date('2026-02-03T04:05:06Z'),
    fieldName: 'CountersignSeal1',
    timestamper: new HttpTimestamper(tsa.url, { backoffMs: 10, attemptTimeoutMs: 2000 }),
    ...overrides,
  });

  beforeAll(async () => {
    keys = await keyDir();
    tsa = await startTsaResponder();
    ec = await makeSealKit(keys, 'ECDSA_SHA_256');
    pdf = await makePdf();
    sealed = await sealPdf(pdf, options());
  });
  afterAll(async () => {
    await tsa?.close();
    await keys?.cleanup();
  });

  it('is a valid seal for pdfsig, and trusted under its root', async () => {
    const { signatures, output } = await pdfsig(sealed, { noCert: true });
    expect(signatures).toHaveLength(1);
    expect(signatures[0]).toMatchObject({
      fieldName: 'CountersignSeal1',
      signatureType: 'ETSI.CAdES.detached',
      validation: 'Signature is Valid.',
      totalDocumentSigned: true,
    });
    console.log(`pdfsig on a B-T seal:\n${output}`);
    const nss = await makeNssDb([ec.rootCert]);
    try {
      expect((await pdfsig(sealed, { nssDir: nss.dir })).signatures[0]).toMatchObject({
        validation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
      });
    } finally {
      await nss.cleanup();
    }
  });

  it('carries the token as id-aa-signatureTimeStampToken over the SHA-256 of the signature value', async () => {
    const signerInfo = signerInfoOf(cmsOf(sealed));
    expect(signerInfo.unsignedAttrs).toHaveLength(1);
    const [attribute] = signerInfo.unsignedAttrs!;
    expect(attribute!.attrType).toBe('1.2.840.113549.1.9.16.2.14');
    expect(attribute!.attrValues).toHaveLength(1);
    const token = new Uint8Array(attribute!.attrValues[0]!);
    const signatureValue = new Uint8Array(signerInfo.signature.buffer);
    const imprint = sha256(signatureValue);
    expect(Buffer.from(readTimestampToken(token).imprint)).toEqual(Buffer.from(imprint));
    // The token verifies (signature, TSA certificate with critical timeStamping EKU, imprint).
    expect(await opensslVerify(token, imprint, tsa.rootCert)).toBe('Verification: OK');
    // And not for another imprint.
    await expect(opensslVerify(token, sha256(imprint), tsa.rootCert)).rejects.toThrow(
      /message imprint mismatch/,
    );
    // The signed attributes are those of B-B: the timestamp is outside what the seal key signed.
    expect(signerInfo.signedAttrs!.map((a) => a.attrType)).not.toContain(OIDS.signatureTimeStampToken);
  });

  it('reserves 32 KiB for the CMS by default; the token fits many times over', () => {
    const [, start, end] = byteRange(sealed);
    expect(end - start).toBe(TIMESTAMPED_RESERVED_BYTES * 2 + 2);
    const size = cmsOf(sealed).length;
    console.log(`CMS with an ECDSA chain of two and a timestamp: ${size} bytes`);
    expect(size).toBeLessThan(4000);
    // Without a timestamper, still 8 KiB.
    expect(DEFAULT_RESERVED_BYTES).toBe(8 * 1024);
  });

  it('fails, and makes no sealed bytes, when the TSA is down: the error names the TSA', async () => {
    tsa.fail('http500');
    try {
      const signer = counting(ec.seal);
      const timestamper = new HttpTimestamper(tsa.url, { attempts: 2, backoffMs: 10 });
      const before = tsa.requests.length;
      await expect(sealPdf(pdf, options({ signer, timestamper }))).rejects.toThrow(
        `the time-stamping authority at ${tsa.url} did not answer after 2 attempt(s): HTTP 500`,
      );
      expect(signer.calls).toBe(1); // it got as far as signing, then produced nothing
      expect(tsa.requests.length - before).toBe(2);
    } finally {
      tsa.heal();
    }
  });

  it('passes on any timestamper error, and refuses a token for another imprint', async () => {
    const broken: Timestamper = {
      timestamp: async () => {
        throw new Error('TSA unreachable');
      },
    };
    await expect(sealPdf(pdf, options({ timestamper: broken }))).rejects.toThrow('TSA unreachable');

    // A timestamper that answers with a genuine token, but for other bytes than the signature.
    const other = await new HttpTimestamper(tsa.url).timestamp(sha256(Uint8Array.of(1, 2, 3)));
    const wrong: Timestamper = { timestamp: async () => other };
    await expect(sealPdf(pdf, options({ timestamper: wrong }))).rejects.toThrow(
      /stamps another message imprint than the one requested/,
    );
    const garbage: Timestamper = { timestamp: async () => Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01) };
    await expect(sealPdf(pdf, options({ timestamper: garbage }))).rejects.toThrow(/not a CMS SignedData/);
  });

  it('fails when the token does not fit the space reserved for it', async () => {
    await expect(sealPdf(pdf, options({ reservedBytes: 1024 }))).rejects.toThrow(
      /does not fit the 1024 bytes reserved/,
    );
  });
});

describe('RSA-3072 seals (the local RSA key option)', () => {
  let dir: Awaited<ReturnType<typeof keyDir>>;
  let kit: PortSealKit;
  let chain: Uint8Array[];
  let tsa: TsaResponder;
  let pdf: Uint8Array;

  beforeAll(async () => {
    dir = await keyDir();
    tsa = await startTsaResponder();
    kit = await openLocalSealKit(
      dir.path('seal'),
      { now: () => new Date('2026-01-10T00:00:00Z') },
      {
        algorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      },
    );
    chain = await kit.chain();
    pdf = await makePdf();
  });
  afterAll(async () => {
    await tsa?.close();
    await dir?.cleanup();
  });

  const seal = (overrides: Partial<SealOptions> = {}) =>
    sealPdf(pdf, {
      signer: kit.signer,
      chain,
      reason: 'RSA seal',
      name: 'Countersign local mode Seal',
      signedAt: new Date('2026-02-03T04:05:06Z'),
      fieldName: 'Seal',
      ...overrides,
    });

  it('issues an RSA-3072 chain signed sha256WithRSAEncryption', () => {
    expect(kit.signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    for (const der of chain) {
      const cert = AsnConvert.parse(der, Certificate);
      expect(cert.signatureAlgorithm.algorithm).toBe(OIDS.sha256WithRsaEncryption);
      expect(cert.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm).toBe(OIDS.rsaEncryption);
      // 3072-bit modulus: the BIT STRING holds a SEQUENCE whose INTEGER is 384 bytes (+ a zero).
      const rsaKey = readTlv(new Uint8Array(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey));
      expect(readTlv(rsaKey.value).value.length).toBe(385);
    }
  });

  it('B-B: valid for pdfsig and trusted under its root, with sha256WithRSAEncryption', async () => {
    const out = await seal();
    const nss = await makeNssDb([chain[1]!]);
    try {
      expect((await pdfsig(out, { nssDir: nss.dir })).signatures[0]).toMatchObject({
        signerCommonName: 'Countersign local mode Countersign Seal',
        signatureType: 'ETSI.CAdES.detached',
        hashAlgorithm: 'SHA-256',
        validation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
      });
    } finally {
      await nss.cleanup();
    }
    const signerInfo = signerInfoOf(cmsOf(out));
    expect(signerInfo.signatureAlgorithm.algorithm).toBe(OIDS.sha256WithRsaEncryption);
    expect(signerInfo.signature.byteLength).toBe(384);
    console.log(
      `CMS of an RSA-3072 seal (chain of two): ${cmsOf(out).length} bytes; sealed PDF ${out.length} bytes`,
    );
  });

  it('B-T: valid, trusted, and its token verifies', async () => {
    const out = await seal({ timestamper: new HttpTimestamper(tsa.url) });
    const nss = await makeNssDb([chain[1]!]);
    try {
      expect((await pdfsig(out, { nssDir: nss.dir })).signatures[0]).toMatchObject({
        validation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
      });
    } finally {
      await nss.cleanup();
    }
    const cms = cmsOf(out);
    const signerInfo = signerInfoOf(cms);
    const token = new Uint8Array(signerInfo.unsignedAttrs![0]!.attrValues[0]!);
    const imprint = sha256(new Uint8Array(signerInfo.signature.buffer));
    expect(await opensslVerify(token, imprint, tsa.rootCert)).toBe('Verification: OK');
    console.log(`CMS of an RSA-3072 B-T seal: ${cms.length} bytes`);
  });

  it('refuses a signer whose algorithm does not fit the certified key', async () => {
    const pretending: SealSigner = {
      algorithm: 'ECDSA_SHA_256',
      publicKey: () => kit.signer.publicKey(),
      signDigest: (d) => kit.signer.signDigest(d),
    };
    await expect(seal({ signer: pretending })).rejects.toThrow(/cannot make ECDSA_SHA_256 signatures/);
  });
});
