import {
  TAG,
  children,
  contextTag,
  decodeOid,
  decodeTime,
  expectTag,
  formatName,
  integerHex,
  readNode,
  type DerNode,
} from './der';
import {
  OID,
  attribute,
  digestName,
  hash,
  parseSignedData,
  signatureScheme,
  signedAttributesForSignature,
  verifySignature,
} from './cms';
import {
  buildChain,
  describeCertificate,
  findSignerCertificate,
  parseCertificate,
  type CertificateInfo,
  type ChainReport,
  type ParsedCertificate,
} from './certificates';

/**
 * An RFC 3161 signature timestamp (the unsigned attribute id-aa-signatureTimeStampToken of
 * RFC 3161 appendix A): a TSA's SignedData over a TSTInfo whose message imprint is the hash of
 * the signature value it timestamps.
 */

export interface TimestampReport {
  /** The TSA's time, ISO-8601 UTC. */
  genTime: string | null;
  /** The TSTInfo's tsa name, else the TSA certificate's subject. */
  tsaName: string | null;
  policy: string | null;
  serialNumber: string | null;
  imprintAlgorithm: string | null;
  /** The imprint equals the hash of this signature's value. */
  imprintMatches: boolean;
  /** The token's own signature (and its message digest over the TSTInfo) verifies. */
  signatureValid: boolean;
  tsaCertificate: CertificateInfo | null;
  chain: ChainReport | null;
  problems: string[];
}

interface TstInfo {
  policy: string;
  imprintAlgorithm: string;
  imprint: Uint8Array;
  serialHex: string;
  genTime: Date;
  tsa: string | null;
}

function generalName(node: DerNode): string {
  // directoryName [4] EXPLICIT Name; the other choices as their text.
  if (node.tag === contextTag(4)) return formatName(children(node)[0]!);
  return Buffer.from(node.value).toString('latin1');
}

function parseTstInfo(der: Uint8Array): TstInfo {
  const fields = children(expectTag(readNode(der), TAG.sequence, 'TSTInfo'));
  const policy = decodeOid(expectTag(fields[1], TAG.oid, 'TSA policy'));
  const [alg, imprint] = children(expectTag(fields[2], TAG.sequence, 'message imprint'));
  const [algOid] = children(expectTag(alg, TAG.sequence, 'imprint algorithm'));
  const serialHex = integerHex(expectTag(fields[3], TAG.integer, 'serial number'));
  const genTime = decodeTime(expectTag(fields[4], TAG.generalizedTime, 'genTime'));
  const tsaField = fields.slice(5).find((f) => f.tag === contextTag(0));
  return {
    policy,
    imprintAlgorithm: decodeOid(expectTag(algOid, TAG.oid, 'imprint algorithm')),
    imprint: expectTag(imprint, TAG.octetString, 'imprint').value,
    serialHex,
    genTime,
    tsa: tsaField ? generalName(children(tsaField)[0]!) : null,
  };
}

export function verifyTimestamp(
  token: DerNode,
  signatureValue: Uint8Array,
  trustedRoots: ParsedCertificate[],
): TimestampReport {
  const report: TimestampReport = {
    genTime: null,
    tsaName: null,
    policy: null,
    serialNumber: null,
    imprintAlgorithm: null,
    imprintMatches: false,
    signatureValid: false,
    tsaCertificate: null,
    chain: null,
    problems: [],
  };
  try {
    const signed = parseSignedData(token.bytes);
    if (signed.contentType !== OID.tstInfo || !signed.content) {
      report.problems.push('the timestamp token does not hold a TSTInfo');
      return report;
    }
    const tst = parseTstInfo(signed.content);
    report.genTime = tst.genTime.toISOString();
    report.policy = tst.policy;
    report.serialNumber = tst.serialHex;
    const imprintDigest = digestName(tst.imprintAlgorithm);
    report.imprintAlgorithm = imprintDigest ?? tst.imprintAlgorithm;
    report.imprintMatches =
      imprintDigest !== null &&
      imprintDigest !== 'sha1' &&
      Buffer.from(hash(imprintDigest, signatureValue)).equals(Buffer.from(tst.imprint));
    if (!report.imprintMatches) {
      report.problems.push('the timestamp imprint is not the hash of this signature value');
    }

    const certificates = signed.certificates
      .slice(0, 32)
      .map(parseCertificate)
      .filter((c): c is ParsedCertificate => c !== null);
    const info = signed.signerInfos[0]!;
    const tsaCert = findSignerCertificate(info.sid, certificates);
    report.tsaName = tst.tsa;
    if (!tsaCert) {
      report.problems.push('the timestamp token does not carry the TSA certificate');
      return report;
    }
    report.tsaCertificate = describeCertificate(tsaCert);
    report.tsaName ??= report.tsaCertificate.subject;
    report.chain = buildChain(tsaCert, certificates, trustedRoots);
    report.problems.push(...report.chain.problems.map((p) => `timestamp: ${p}`));

    const key = tsaCert.x509.publicKey;
    const scheme = signatureScheme(info, key);
    if ('error' in scheme) {
      report.problems.push(`timestamp: ${scheme.error}`);
      return report;
    }
    if (!info.signedAttributesDer) {
      report.problems.push('the timestamp token has no signed attributes');
      return report;
    }
    const contentType = attribute(info.signedAttributes, OID.contentType)?.values[0];
    const messageDigest = attribute(info.signedAttributes, OID.messageDigest)?.values[0];
    const digestOk =
      contentType !== undefined &&
      decodeOid(contentType) === OID.tstInfo &&
      messageDigest?.tag === TAG.octetString &&
      Buffer.from(hash(scheme.digest, signed.content)).equals(Buffer.from(messageDigest.value));
    const signatureOk = verifySignature(
      key,
      scheme.digest,
      [signedAttributesForSignature(info.signedAttributesDer)],
      info.signature,
    );
    report.signatureValid = digestOk && signatureOk;
    if (!digestOk) report.problems.push("the timestamp token's message digest does not match its TSTInfo");
    if (!signatureOk)
      report.problems.push("the timestamp token's signature does not verify with the TSA key");
  } catch (error) {
    report.problems.push(`the timestamp token cannot be read: ${(error as Error).message}`);
  }
  return report;
}
