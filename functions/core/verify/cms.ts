import { createHash, createPublicKey, createVerify, constants, type KeyObject } from 'node:crypto';
import {
  DerError,
  TAG,
  children,
  contextTag,
  decodeOid,
  expectTag,
  integerHex,
  readNode,
  type DerNode,
} from './der';

/**
 * CMS SignedData (RFC 5652) as a verifier reads it: the certificates exactly as carried, and for
 * each SignerInfo its identifier, algorithms, the signed attributes' exact bytes, the signature
 * and the unsigned attributes. Verifying the signature uses node:crypto only.
 */

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimestamp: '1.2.840.113549.1.9.16.2.14',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
} as const;

export type DigestName = 'sha256' | 'sha384' | 'sha512' | 'sha1';

const DIGESTS: Record<string, DigestName> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export interface Attribute {
  type: string;
  values: DerNode[];
}

export interface SignerInfo {
  /** issuerAndSerialNumber: the issuer Name element and the serial as hex; or a subject key id. */
  sid: { issuer: DerNode; serialHex: string } | { subjectKeyIdentifier: Uint8Array };
  digestAlgorithm: string;
  /** The [0] IMPLICIT signed attributes exactly as encoded, or null when absent. */
  signedAttributesDer: Uint8Array | null;
  signedAttributes: Attribute[];
  signatureAlgorithm: string;
  signature: Uint8Array;
  unsignedAttributes: Attribute[];
}

export interface SignedData {
  contentType: string;
  /** The encapsulated content when present (a timestamp token's TSTInfo); null when detached. */
  content: Uint8Array | null;
  /** DER of each certificate, in the order carried. */
  certificates: Uint8Array[];
  signerInfos: SignerInfo[];
}

function attributes(node: DerNode): Attribute[] {
  return children(node).map((attr) => {
    const [type, values] = children(expectTag(attr, TAG.sequence, 'Attribute'));
    return {
      type: decodeOid(expectTag(type, TAG.oid, 'attribute type')),
      values: children(expectTag(values, TAG.set, 'attribute values')),
    };
  });
}

function algorithm(node: DerNode | undefined, what: string): string {
  const [oid] = children(expectTag(node, TAG.sequence, what));
  return decodeOid(expectTag(oid, TAG.oid, what));
}

function signerInfo(node: DerNode): SignerInfo {
  const fields = children(expectTag(node, TAG.sequence, 'SignerInfo'));
  let i = 1; // after the version
  const sidNode = fields[i++];
  let sid: SignerInfo['sid'];
  if (sidNode?.tag === TAG.sequence) {
    const [issuer, serial] = children(sidNode);
    sid = {
      issuer: expectTag(issuer, TAG.sequence, 'signer issuer'),
      serialHex: integerHex(expectTag(serial, TAG.integer, 'signer serial')),
    };
  } else if (sidNode?.tag === contextTag(0, false)) {
    sid = { subjectKeyIdentifier: sidNode.value };
  } else throw new DerError('SignerInfo has no signer identifier');
  const digestAlgorithm = algorithm(fields[i++], 'digest algorithm');
  let signedAttributesDer: Uint8Array | null = null;
  let signedAttributes: Attribute[] = [];
  if (fields[i]?.tag === contextTag(0)) {
    signedAttributesDer = fields[i]!.bytes;
    signedAttributes = attributes(fields[i]!);
    i++;
  }
  const signatureAlgorithm = algorithm(fields[i++], 'signature algorithm');
  const signature = expectTag(fields[i++], TAG.octetString, 'signature').value;
  const unsignedAttributes = fields[i]?.tag === contextTag(1) ? attributes(fields[i]!) : [];
  return {
    sid,
    digestAlgorithm,
    signedAttributesDer,
    signedAttributes,
    signatureAlgorithm,
    signature,
    unsignedAttributes,
  };
}

/** Parses a ContentInfo holding SignedData; trailing bytes (the zero padding of /Contents) are ignored. */
export function parseSignedData(der: Uint8Array): SignedData {
  const contentInfo = readNode(der);
  const [type, wrapped] = children(expectTag(contentInfo, TAG.sequence, 'ContentInfo'));
  const contentType = decodeOid(expectTag(type, TAG.oid, 'content type'));
  if (contentType !== OID.signedData) throw new DerError(`the CMS content is ${contentType}, not SignedData`);
  const [signedData] = children(expectTag(wrapped, contextTag(0), 'SignedData wrapper'));
  const fields = children(expectTag(signedData, TAG.sequence, 'SignedData'));
  const encap = children(expectTag(fields[2], TAG.sequence, 'encapsulated content'));
  const eContentType = decodeOid(expectTag(encap[0], TAG.oid, 'encapsulated content type'));
  let content: Uint8Array | null = null;
  if (encap[1]) {
    const [octets] = children(expectTag(encap[1], contextTag(0), 'encapsulated content'));
    content = expectTag(octets, TAG.octetString, 'encapsulated content').value;
  }
  let i = 3;
  let certificates: Uint8Array[] = [];
  if (fields[i]?.tag === contextTag(0)) {
    // Only X.509 certificates (SEQUENCE); other choices are skipped.
    certificates = children(fields[i]!)
      .filter((c) => c.tag === TAG.sequence)
      .map((c) => c.bytes);
    i++;
  }
  if (fields[i]?.tag === contextTag(1)) i++; // CRLs
  const infos = children(expectTag(fields[i], TAG.set, 'signer infos')).map(signerInfo);
  if (infos.length === 0) throw new DerError('the CMS has no SignerInfo');
  return { contentType: eContentType, content, certificates, signerInfos: infos };
}

export function attribute(attrs: Attribute[], type: string): Attribute | undefined {
  return attrs.find((a) => a.type === type);
}

export function digestName(oid: string): DigestName | null {
  return DIGESTS[oid] ?? null;
}

export function hash(name: DigestName, ...parts: Uint8Array[]): Uint8Array {
  const h = createHash(name);
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

/** What the signature algorithm means with this key: a label and the node:crypto parameters. */
export function signatureScheme(
  info: Pick<SignerInfo, 'signatureAlgorithm' | 'digestAlgorithm'>,
  key: KeyObject,
): { label: string; digest: DigestName } | { error: string } {
  const digest = digestName(info.digestAlgorithm);
  const byAlgorithm: Record<string, DigestName | undefined> = {
    [OID.ecdsaWithSha256]: 'sha256',
    [OID.ecdsaWithSha384]: 'sha384',
    [OID.ecdsaWithSha512]: 'sha512',
    [OID.sha256WithRsa]: 'sha256',
    [OID.sha384WithRsa]: 'sha384',
    [OID.sha512WithRsa]: 'sha512',
  };
  const alg = info.signatureAlgorithm;
  if (alg === OID.rsaPss) return { error: 'RSASSA-PSS signatures are not supported' };
  const ecdsa = alg === OID.ecPublicKey || alg.startsWith('1.2.840.10045.4.3.');
  const rsa = alg === OID.rsaEncryption || alg.startsWith('1.2.840.113549.1.1.');
  if (!ecdsa && !rsa) return { error: `unknown signature algorithm ${alg}` };
  const used = byAlgorithm[alg] ?? digest;
  if (!used) return { error: `unknown digest algorithm ${info.digestAlgorithm}` };
  if (used === 'sha1') return { error: 'SHA-1 signatures are not accepted' };
  if (ecdsa && key.asymmetricKeyType !== 'ec') return { error: 'an ECDSA signature with a non-EC key' };
  if (rsa && key.asymmetricKeyType !== 'rsa') return { error: 'an RSA signature with a non-RSA key' };
  const size = used.slice(3);
  return {
    label: ecdsa ? `ECDSA_SHA_${size}` : `RSASSA_PKCS1_V1_5_SHA_${size}`,
    digest: used,
  };
}

/**
 * Checks `signature` over the concatenated `parts` with the public key: ECDSA (DER signature)
 * or RSASSA-PKCS1-v1_5. Never throws: a malformed signature is simply not valid.
 */
export function verifySignature(
  key: KeyObject,
  digest: DigestName,
  parts: Uint8Array[],
  signature: Uint8Array,
): boolean {
  try {
    const verifier = createVerify(digest);
    for (const part of parts) verifier.update(part);
    return key.asymmetricKeyType === 'rsa'
      ? verifier.verify({ key, padding: constants.RSA_PKCS1_PADDING }, signature)
      : verifier.verify({ key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/**
 * The bytes a SignerInfo's signature covers when it has signed attributes: their DER with the
 * [0] IMPLICIT tag replaced by the SET OF tag (RFC 5652, 5.4).
 */
export function signedAttributesForSignature(der: Uint8Array): Uint8Array {
  const out = Uint8Array.from(der);
  out[0] = TAG.set;
  return out;
}

export function publicKeyOf(spkiDer: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiDer), format: 'der', type: 'spki' });
}
