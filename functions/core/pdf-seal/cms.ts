import { createHash } from 'node:crypto';
import {
  Attribute,
  CMSVersion,
  IssuerAndSerialNumber,
  SignerIdentifier,
  SignerInfo,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
} from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate } from '@peculiar/asn1-x509';
import type { SealSigner, Timestamper } from '../ports';
import {
  compareBytes,
  octetString,
  oid,
  readTlv,
  sequence,
  setOf,
  smallInteger,
  tlv,
  unsignedInteger,
} from './der';
import { ID_AA_SIGNATURE_TIME_STAMP_TOKEN, checkTimestampImprint } from './timestamp';

/**
 * The CMS SignedData of a PAdES baseline B-B signature (ETSI EN 319 142-1, SubFilter
 * ETSI.CAdES.detached): detached content, signed attributes content-type, message-digest and
 * signing-certificate-v2, and deliberately no signing-time (the claimed time is the signature
 * dictionary's /M). The DER of the signed-attributes SET is hashed here and only that digest
 * goes to the signer, as KMS Sign with MessageType DIGEST expects.
 *
 * With a timestamper it is B-T: the SignerInfo also carries, unsigned, an RFC 3161 token over
 * the SHA-256 of its signature value (id-aa-signatureTimeStampToken).
 */

export const OIDS = {
  sha256: '2.16.840.1.101.3.4.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsaEncryption: '1.2.840.113549.1.1.11',
  ecPublicKey: '1.2.840.10045.2.1',
  signatureTimeStampToken: ID_AA_SIGNATURE_TIME_STAMP_TOKEN,
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

export interface CmsOptions {
  signer: SealSigner;
  /** DER certificates, the signer's own first, then its issuers. */
  chain: Uint8Array[];
  /** Makes the signature B-T; its failure fails the CMS (never a signature without the token). */
  timestamper?: Timestamper;
}

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
const der = (value: unknown) => new Uint8Array(AsnConvert.serialize(value));
const buffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

function attribute(type: string, value: Uint8Array): Uint8Array {
  return der(new Attribute({ attrType: type, attrValues: [buffer(value)] }));
}

/**
 * SigningCertificateV2 (RFC 5035) naming the signer's certificate: ESSCertIDv2 with the
 * default hash (SHA-256, so the AlgorithmIdentifier is omitted), the certificate's hash and its
 * issuer and serial number.
 */
function signingCertificateV2(leafDer: Uint8Array, leaf: Certificate): Uint8Array {
  const issuerName = rawIssuer(leafDer);
  const generalNames = sequence(tlv(0xa4, issuerName)); // directoryName [4] EXPLICIT Name
  const issuerSerial = sequence(
    generalNames,
    unsignedInteger(new Uint8Array(leaf.tbsCertificate.serialNumber)),
  );
  const essCertIdV2 = sequence(octetString(sha256(leafDer)), issuerSerial);
  return sequence(sequence(essCertIdV2));
}

/**
 * The SignerInfo's signatureAlgorithm. For RSA, sha256WithRSAEncryption (with NULL parameters)
 * rather than the bare rsaEncryption: both are allowed by RFC 5754, but the former names the
 * hash as ETSI TS 119 312 lists it, and pdfsig (NSS) accepts either.
 */
function signatureAlgorithm(algorithm: SealSigner['algorithm']): AlgorithmIdentifier {
  return algorithm === 'ECDSA_SHA_256'
    ? new AlgorithmIdentifier({ algorithm: OIDS.ecdsaWithSha256 })
    : new AlgorithmIdentifier({
        algorithm: OIDS.sha256WithRsaEncryption,
        parameters: Uint8Array.of(0x05, 0x00).buffer,
      });
}

/** The public-key algorithm a signer's algorithm needs in the certificate. */
const KEY_ALGORITHM: Record<SealSigner['algorithm'], string> = {
  ECDSA_SHA_256: OIDS.ecPublicKey,
  RSASSA_PKCS1_V1_5_SHA_256: OIDS.rsaEncryption,
};

/** The issuer Name exactly as encoded in the certificate. */
function rawIssuer(certDer: Uint8Array): Uint8Array {
  const tbs = readTlv(readTlv(certDer).value).value;
  let at = 0;
  if (readTlv(tbs, at).tag === 0xa0) at = readTlv(tbs, at).end; // [0] version
  at = readTlv(tbs, at).end; // serialNumber
  at = readTlv(tbs, at).end; // signature
  return tbs.subarray(at, readTlv(tbs, at).end);
}

/** The signed attributes, each DER-encoded, in DER SET order. */
export function signedAttributes(contentDigest: Uint8Array, leafDer: Uint8Array): Uint8Array[] {
  const leaf = AsnConvert.parse(leafDer, Certificate);
  return [
    attribute(id_contentType, oid(id_data)),
    attribute(id_messageDigest, octetString(contentDigest)),
    attribute(OIDS.signingCertificateV2, signingCertificateV2(leafDer, leaf)),
  ];
}

/**
 * The id-aa-signatureTimeStampToken attribute (ETSI EN 319 122-1, 5.3): a token over the
 * SHA-256 of the signature value's octets. A token for another imprint is refused, not embedded.
 */
async function signatureTimestamp(timestamper: Timestamper, signature: Uint8Array): Promise<Attribute> {
  const imprint = sha256(signature);
  const token = await timestamper.timestamp(imprint);
  checkTimestampImprint(token, imprint);
  return new Attribute({ attrType: OIDS.signatureTimeStampToken, attrValues: [buffer(token)] });
}

/** The element at `index` inside a SEQUENCE's value. */
function fieldAt(sequenceValue: Uint8Array, index: number): ReturnType<typeof readTlv> {
  let at = 0;
  for (let i = 0; i < index; i++) at = readTlv(sequenceValue, at).end;
  return readTlv(sequenceValue, at);
}

/**
 * Builds the CMS ContentInfo (DER) for a detached signature over content whose SHA-256 is
 * `contentDigest` (for a PDF: the digest of the two /ByteRange ranges).
 */
export async function buildCms(contentDigest: Uint8Array, options: CmsOptions): Promise<Uint8Array> {
  if (contentDigest.length !== 32) throw new Error('a SHA-256 digest is 32 bytes');
  const [leafDer] = options.chain;
  if (!leafDer) throw new Error('the certificate chain is empty');
  const leaf = AsnConvert.parse(leafDer, Certificate);

  // A certificate for another key would produce a signature nobody can verify: refuse early.
  const leafSpki = der(leaf.tbsCertificate.subjectPublicKeyInfo);
  const signerSpki = await options.signer.publicKey();
  if (Buffer.compare(Buffer.from(leafSpki), Buffer.from(signerSpki)) !== 0) {
    throw new Error("the first certificate of the chain is not for the signer's key");
  }
  const keyAlgorithm = leaf.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm;
  if (keyAlgorithm !== KEY_ALGORITHM[options.signer.algorithm]) {
    throw new Error(`the seal key (${keyAlgorithm}) cannot make ${options.signer.algorithm} signatures`);
  }

  // Verifiers find the certificate by issuer and serial, comparing encoded names: the
  // re-encoded issuer in the SignerInfo must be the certificate's own bytes.
  if (compareBytes(der(leaf.tbsCertificate.issuer), rawIssuer(leafDer)) !== 0) {
    throw new Error("the seal certificate's issuer name is not in canonical DER");
  }

  const attributes = signedAttributes(contentDigest, leafDer);
  const signedAttributesSet = setOf(attributes);
  const signature = await options.signer.signDigest(sha256(signedAttributesSet));
  const unsignedAttrs = options.timestamper
    ? [await signatureTimestamp(options.timestamper, signature)]
    : undefined;

  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: leaf.tbsCertificate.issuer,
        serialNumber: leaf.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: new AlgorithmIdentifier({ algorithm: OIDS.sha256 }),
    // In the sorted order of the SET that was hashed.
    signedAttrs: [...attributes].sort(compareBytes).map((a) => AsnConvert.parse(a, Attribute)),
    signatureAlgorithm: signatureAlgorithm(options.signer.algorithm),
    signature: new OctetString(buffer(signature)),
    ...(unsignedAttrs ? { unsignedAttrs } : {}),
  });
  const signerInfoDer = der(signerInfo);
  // The SignerInfo must carry exactly the bytes that were signed, as [0] IMPLICIT SET.
  const carried = fieldAt(readTlv(signerInfoDer).value, 3);
  if (carried.tag !== 0xa0 || compareBytes(carried.value, readTlv(signedAttributesSet).value) !== 0) {
    throw new Error('the encoded signed attributes differ from the signed ones');
  }

  const signedData = sequence(
    smallInteger(1),
    setOf([sequence(oid(OIDS.sha256))]),
    sequence(oid(id_data)),
    // Certificates as issued, not re-encoded; the signer's first.
    tlv(0xa0, ...options.chain),
    setOf([signerInfoDer]),
  );
  return sequence(oid(id_signedData), tlv(0xa0, signedData));
}
