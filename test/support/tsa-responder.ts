import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_contentType,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  Accuracy,
  MessageImprint,
  PKIFreeText,
  PKIStatus,
  PKIStatusInfo,
  TSTInfo,
  TimeStampReq,
  TimeStampResp,
  TimeStampToken,
  id_ct_tstInfo,
} from '@peculiar/asn1-tsp';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  RelativeDistinguishedName,
  SubjectKeyIdentifier,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_kp_timeStamping,
} from '@peculiar/asn1-x509';
import { bitString, octetString, oid, sequence, setOf } from '../../functions/core/pdf-seal/der';

/**
 * A small RFC 3161 time-stamping authority for the tests, on 127.0.0.1 over node:http. It signs
 * its tokens (ECDSA P-256, SHA-256) with its own key, under a TSA certificate with the critical
 * timeStamping extended key usage issued by its own root; `openssl ts -verify` accepts them.
 * `fail()` switches it to a fault for the next requests: HTTP 500, no answer at all, a token
 * for another imprint or nonce, or a rejection.
 */

export type TsaFault = 'http500' | 'http400' | 'hang' | 'wrongImprint' | 'wrongNonce' | 'rejection';

export interface TsaRequestRecord {
  contentType: string | undefined;
  request: TimeStampReq;
}

export interface TsaResponder {
  url: string;
  /** Every request received, in order. */
  requests: TsaRequestRecord[];
  /** DER of the TSA's root and of its signing certificate. */
  rootCert: Uint8Array;
  tsaCert: Uint8Array;
  /** Answers the next `times` requests (default: all) with the fault; then normally again. */
  fail(fault: TsaFault, times?: number): void;
  /** Answers normally again. */
  heal(): void;
  close(): Promise<void>;
}

const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  policy: '1.3.6.1.4.1.55555.1.1',
} as const;

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
const der = (value: unknown) => new Uint8Array(AsnConvert.serialize(value));
const buffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
const ecdsa = () => new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 });

function positiveSerial(): ArrayBuffer {
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return buffer(serial);
}

function name(commonName: string): Name {
  return new Name([
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({
        type: OID.commonName,
        value: new AttributeValue({ utf8String: commonName }),
      }),
    ]),
  ]);
}

const extension = (extnID: string, critical: boolean, value: unknown) =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

function spkiOf(key: KeyObject): SubjectPublicKeyInfo {
  return AsnConvert.parse(key.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
}

const keyId = (spki: SubjectPublicKeyInfo) =>
  buffer(new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest()));

function certificate(
  subject: string,
  subjectKey: KeyObject,
  issuer: { name: string; key: KeyObject; publicKey: KeyObject },
  ca: boolean,
): Uint8Array {
  const spki = spkiOf(subjectKey);
  const extensions = ca
    ? [
        extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
        extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      ]
    : [
        extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
        extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
        // RFC 3161, 2.3: the TSA's certificate has exactly this EKU, marked critical.
        extension(id_ce_extKeyUsage, true, new ExtendedKeyUsage([id_kp_timeStamping])),
        extension(
          id_ce_authorityKeyIdentifier,
          false,
          new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId(spkiOf(issuer.publicKey))) }),
        ),
      ];
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: positiveSerial(),
    signature: ecdsa(),
    issuer: name(issuer.name),
    validity: new Validity({
      notBefore: new Date('2025-01-01T00:00:00Z'),
      notAfter: new Date('2045-01-01T00:00:00Z'),
    }),
    subject: name(subject),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      ...extensions,
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyId(spki))),
    ]),
  });
  const tbsDer = der(tbs);
  return sequence(tbsDer, der(ecdsa()), bitString(sign('sha256', tbsDer, issuer.key)));
}

/** SigningCertificateV2 with one ESSCertIDv2 (default hash SHA-256): the TSA's certificate hash. */
const signingCertificateV2 = (cert: Uint8Array) => sequence(sequence(sequence(octetString(sha256(cert)))));

interface TokenOptions {
  imprint: MessageImprint;
  nonce?: ArrayBuffer;
  withCertificate: boolean;
}

function token(tsa: { key: KeyObject; cert: Uint8Array }, options: TokenOptions): TimeStampToken {
  const genTime = new Date(Math.floor(Date.now() / 1000) * 1000);
  const tstInfo = der(
    new TSTInfo({
      policy: OID.policy,
      messageImprint: options.imprint,
      serialNumber: positiveSerial(),
      genTime,
      accuracy: new Accuracy({ seconds: 1 }),
      ...(options.nonce ? { nonce: options.nonce } : {}),
    }),
  );
  const attributes = [
    der(new Attribute({ attrType: id_contentType, attrValues: [buffer(oid(id_ct_tstInfo))] })),
    der(new Attribute({ attrType: id_messageDigest, attrValues: [buffer(octetString(sha256(tstInfo)))] })),
    der(
      new Attribute({
        attrType: OID.signingCertificateV2,
        attrValues: [buffer(signingCertificateV2(tsa.cert))],
      }),
    ),
  ].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const cert = AsnConvert.parse(tsa.cert, Certificate);
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: cert.tbsCertificate.issuer,
        serialNumber: cert.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: OID.sha256 }),
    signedAttrs: attributes.map((a) => AsnConvert.parse(a, Attribute)),
    signatureAlgorithm: ecdsa(),
    signature: new OctetString(buffer(sign('sha256', setOf(attributes), tsa.key))),
  });
  const signedData = new SignedData({
    version: CMSVersion.v3,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new AlgorithmIdentifier({ algorithm: OID.sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: id_ct_tstInfo,
      eContent: new EncapsulatedContent({ single: new OctetString(buffer(tstInfo)) }),
    }),
    ...(options.withCertificate
      ? { certificates: new CertificateSet([new CertificateChoices({ certificate: cert })]) }
      : {}),
    signerInfos: new SignerInfos([signerInfo]),
  });
  return new TimeStampToken({ contentType: id_signedData, content: AsnConvert.serialize(signedData) });
}

function readBody(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

export async function startTsaResponder(): Promise<TsaResponder> {
  const root = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const tsa = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rootIssuer = { name: 'Countersign Test TSA Root', key: root.privateKey, publicKey: root.publicKey };
  const rootCert = certificate(rootIssuer.name, root.publicKey, rootIssuer, true);
  const tsaCert = certificate('Countersign Test TSA', tsa.publicKey, rootIssuer, false);

  const requests: TsaRequestRecord[] = [];
  let fault: TsaFault | undefined;
  let faultsLeft = 0;

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const request = AsnConvert.parse(body, TimeStampReq);
    requests.push({ contentType: req.headers['content-type'], request });
    const current = faultsLeft > 0 ? fault : undefined;
    if (current) faultsLeft--;
    if (current === 'hang') return; // never answers; close() drops the connection
    if (current === 'http500' || current === 'http400') {
      res.writeHead(current === 'http500' ? 500 : 400, { 'content-type': 'text/plain' });
      res.end('the TSA is unavailable');
      return;
    }
    let resp: TimeStampResp;
    if (current === 'rejection') {
      resp = new TimeStampResp({
        status: new PKIStatusInfo({
          status: PKIStatus.rejection,
          statusString: new PKIFreeText(['policy not supported']),
        }),
      });
    } else {
      const requested = request.messageImprint;
      const imprint =
        current === 'wrongImprint'
          ? new MessageImprint({
              hashAlgorithm: requested.hashAlgorithm,
              hashedMessage: new OctetString(buffer(sha256(new Uint8Array(requested.hashedMessage.buffer)))),
            })
          : requested;
      let nonce = request.nonce;
      if (nonce && current === 'wrongNonce') {
        const other = new Uint8Array(nonce.slice(0));
        other[other.length - 1] = other[other.length - 1]! ^ 0x01;
        nonce = buffer(other);
      }
      resp = new TimeStampResp({
        status: new PKIStatusInfo({ status: PKIStatus.granted }),
        timeStampToken: token(
          { key: tsa.privateKey, cert: tsaCert },
          { imprint, ...(nonce ? { nonce } : {}), withCertificate: request.certReq },
        ),
      });
    }
    res.writeHead(200, { 'content-type': 'application/timestamp-reply' });
    res.end(Buffer.from(AsnConvert.serialize(resp)));
  }

  const server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405).end();
      return;
    }
    answer(req, res).catch((error: unknown) => {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`bad request: ${(error as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    requests,
    rootCert,
    tsaCert,
    fail(next, times = Number.POSITIVE_INFINITY) {
      fault = next;
      faultsLeft = times;
    },
    heal() {
      fault = undefined;
      faultsLeft = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
