import { ContentInfo, SignedData, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert } from '@peculiar/asn1-schema';
import { TSTInfo, id_ct_tstInfo } from '@peculiar/asn1-tsp';

/**
 * RFC 3161 time-stamp tokens as a PAdES B-T signature carries them: the token is a CMS
 * SignedData over a TSTInfo whose message imprint is the SHA-256 of the SignerInfo's signature
 * value, embedded as the unsigned attribute id-aa-signatureTimeStampToken.
 */

export const ID_AA_SIGNATURE_TIME_STAMP_TOKEN = '1.2.840.113549.1.9.16.2.14';
export const SHA256_OID = '2.16.840.1.101.3.4.2.1';

export interface TimestampTokenInfo {
  /** The TSA's time (TSTInfo genTime). */
  genTime: Date;
  /** OID of the imprint's hash algorithm. */
  hashAlgorithm: string;
  /** The hashed message the TSA stamped. */
  imprint: Uint8Array;
  /** The request's nonce as echoed back (INTEGER content octets), when present. */
  nonce?: Uint8Array;
  policy: string;
  serialNumber: Uint8Array;
}

/** Reads the TSTInfo out of a DER TimeStampToken; throws on anything that is not one. */
export function readTimestampToken(token: Uint8Array): TimestampTokenInfo {
  let info: ContentInfo;
  let signedData: SignedData;
  try {
    info = AsnConvert.parse(token, ContentInfo);
    if (info.contentType !== id_signedData) throw new Error(`content type ${info.contentType}`);
    signedData = AsnConvert.parse(info.content, SignedData);
  } catch (error) {
    throw new Error(`the time-stamp token is not a CMS SignedData: ${(error as Error).message}`);
  }
  const encap = signedData.encapContentInfo;
  if (encap.eContentType !== id_ct_tstInfo) {
    throw new Error(`the time-stamp token holds ${encap.eContentType}, not a TSTInfo`);
  }
  const content = encap.eContent?.single ?? encap.eContent?.any;
  if (!content) throw new Error('the time-stamp token has no TSTInfo');
  const tstInfo = AsnConvert.parse(content instanceof ArrayBuffer ? content : content.buffer, TSTInfo);
  if (signedData.signerInfos.length !== 1) {
    throw new Error(`the time-stamp token has ${signedData.signerInfos.length} signers, not one`);
  }
  return {
    genTime: tstInfo.genTime,
    hashAlgorithm: tstInfo.messageImprint.hashAlgorithm.algorithm,
    imprint: new Uint8Array(tstInfo.messageImprint.hashedMessage.buffer),
    ...(tstInfo.nonce ? { nonce: new Uint8Array(tstInfo.nonce) } : {}),
    policy: tstInfo.policy,
    serialNumber: new Uint8Array(tstInfo.serialNumber),
  };
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * Refuses a token that does not stamp `sha256Digest` with SHA-256: embedded, it would claim a
 * time for some other signature.
 */
export function checkTimestampImprint(token: Uint8Array, sha256Digest: Uint8Array): TimestampTokenInfo {
  const info = readTimestampToken(token);
  if (info.hashAlgorithm !== SHA256_OID) {
    throw new Error(`the time-stamp token's imprint uses ${info.hashAlgorithm}, not SHA-256`);
  }
  if (!same(info.imprint, sha256Digest)) {
    throw new Error('the time-stamp token stamps another message imprint than the one requested');
  }
  return info;
}
