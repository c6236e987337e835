import { TAG, decodeOid } from './der';
import {
  OID,
  attribute,
  digestName,
  hash,
  parseSignedData,
  signatureScheme,
  signedAttributesForSignature,
  verifySignature,
  type SignedData,
} from './cms';
import {
  buildChain,
  describeCertificate,
  essCertIdMatches,
  findSignerCertificate,
  parseCertificate,
  type ParsedCertificate,
} from './certificates';
import type { RawSignature } from './pdf-scan';
import type { ModificationAfterSigning, SignatureReport } from './report';
import { verifyTimestamp } from './timestamp';

/**
 * One signature checked against the file: the signed ranges, the digest the CMS signed, the CMS
 * signature with the signer certificate's key, the certificate chain carried in the CMS and an
 * RFC 3161 signature timestamp when there is one.
 */

export type CheckedSignature = Omit<SignatureReport, 'index' | 'fieldName'> & {
  /** Facts that do not make the signature fail. */
  notes: string[];
};

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function modification(tail: string): ModificationAfterSigning {
  if (tail.length === 0) return 'none';
  if (/^[\s\0]*$/.test(tail)) return 'whitespace';
  if (/%%EOF|startxref|\bxref\b|\d+\s+\d+\s+obj\b/.test(tail)) return 'incremental-update';
  return 'appended-bytes';
}

export function checkSignature(
  bytes: Uint8Array,
  text: string,
  raw: RawSignature,
  trustedRoots: ParsedCertificate[],
): CheckedSignature {
  const problems = [...raw.problems];
  const notes: string[] = [];
  const [a, b, c, d] = raw.byteRange;
  const end = c + d;
  const report: CheckedSignature = {
    filter: raw.filter,
    subFilter: raw.subFilter,
    signedAt: raw.signedAt,
    name: raw.name,
    reason: raw.reason,
    location: raw.location,
    byteRange: raw.byteRange,
    coversWholeFile: false,
    bytesAfter: bytes.length - end,
    modifiedAfter: 'none',
    digest: { algorithm: 'sha256', computed: null, signed: null, matches: false },
    signature: { algorithm: null, valid: false },
    signingCertificateMatches: null,
    signer: null,
    chain: null,
    certificateValidAtSigningTime: null,
    timestamp: null,
    intact: false,
    problems,
    notes,
  };

  const wellFormed = a === 0 && b > 0 && c > a + b && d >= 0;
  if (!wellFormed) problems.push(`the signed ranges [${raw.byteRange.join(' ')}] are malformed`);
  const truncated = end > bytes.length;
  if (truncated) {
    problems.push(
      `the file is truncated: the signature covers ${end} bytes, but the file has only ${bytes.length}`,
    );
  } else {
    report.modifiedAfter = modification(text.slice(end));
    report.coversWholeFile = wellFormed && end === bytes.length;
  }

  // What the ranges leave out must be exactly the /Contents hex string, and it holds the CMS.
  let cmsBytes: Uint8Array | null = null;
  if (wellFormed && c <= bytes.length) {
    const gap = text.slice(a + b, c);
    if (!/^<[0-9A-Fa-f\s]*>$/.test(gap)) {
      problems.push('the bytes left out of the signed ranges are not just the signature value');
    } else {
      const clean = gap.slice(1, -1).replace(/\s+/g, '');
      cmsBytes = new Uint8Array(Buffer.from(clean.length % 2 ? `${clean}0` : clean, 'hex'));
      if (raw.contents && !Buffer.from(raw.contents).equals(Buffer.from(cmsBytes))) {
        problems.push("the signature dictionary's /Contents is not the value its /ByteRange leaves out");
      }
    }
  } else if (raw.contents) {
    cmsBytes = raw.contents;
  }
  if (!cmsBytes || cmsBytes.length === 0) {
    if (!problems.length) problems.push('the signature has no value (/Contents)');
    return finish(report);
  }

  let signed: SignedData;
  try {
    signed = parseSignedData(cmsBytes);
  } catch (error) {
    problems.push(`the signature value is not a readable CMS SignedData: ${(error as Error).message}`);
    return finish(report);
  }
  const info = signed.signerInfos[0]!;
  if (signed.signerInfos.length > 1)
    notes.push('the CMS holds more than one SignerInfo; the first is checked');

  // The digest of the signed ranges, with the CMS's digest algorithm.
  const digest = digestName(info.digestAlgorithm);
  report.digest.algorithm = digest ?? info.digestAlgorithm;
  const ranges = truncated || !wellFormed ? null : [bytes.subarray(a, a + b), bytes.subarray(c, end)];
  if (!digest || digest === 'sha1')
    problems.push(`the digest algorithm ${info.digestAlgorithm} is not accepted`);
  else if (ranges) report.digest.computed = hex(hash(digest, ...ranges));

  // A real chain is a handful of certificates; a CMS stuffed with thousands is not searched.
  const certificates = signed.certificates
    .slice(0, 32)
    .map(parseCertificate)
    .filter((cert): cert is ParsedCertificate => cert !== null);
  if (certificates.length < signed.certificates.length)
    problems.push('a certificate in the CMS cannot be read');
  const signer = findSignerCertificate(info.sid, certificates);
  if (!signer) {
    problems.push('the CMS does not carry the certificate of its signer');
  } else {
    report.signer = describeCertificate(signer);
    report.chain = buildChain(signer, certificates, trustedRoots);
    problems.push(...report.chain.problems);
    if (!report.chain.endsInSelfSignedRoot) {
      notes.push('the certificate chain in the signature does not reach a self-signed root');
    }
  }

  if (info.signedAttributesDer) {
    const messageDigest = attribute(info.signedAttributes, OID.messageDigest)?.values[0];
    if (messageDigest?.tag === TAG.octetString) report.digest.signed = hex(messageDigest.value);
    else problems.push('the signed attributes have no message digest');
    const contentType = attribute(info.signedAttributes, OID.contentType)?.values[0];
    if (!contentType || decodeOid(contentType) !== OID.data) {
      problems.push('the signed attributes do not give the content type id-data');
    }
    report.digest.matches =
      report.digest.computed !== null && report.digest.computed === report.digest.signed;
    if (report.digest.computed !== null && !report.digest.matches) {
      problems.push('digest mismatch: the signed bytes of the file were changed after signing');
    }
    if (signer) {
      const v2 = attribute(info.signedAttributes, OID.signingCertificateV2)?.values[0];
      const v1 = attribute(info.signedAttributes, OID.signingCertificate)?.values[0];
      try {
        if (v2) report.signingCertificateMatches = essCertIdMatches(v2, signer.der, true);
        else if (v1) report.signingCertificateMatches = essCertIdMatches(v1, signer.der, false);
      } catch {
        report.signingCertificateMatches = false;
      }
      if (report.signingCertificateMatches === false) {
        problems.push(
          'the signed attributes name another certificate than the one carried (signing-certificate)',
        );
      }
      if (report.signingCertificateMatches === null)
        notes.push('no signing-certificate attribute (not PAdES)');
    }
  }

  if (signer) {
    const key = signer.x509.publicKey;
    const scheme = signatureScheme(info, key);
    if ('error' in scheme) {
      problems.push(scheme.error);
    } else {
      report.signature.algorithm = scheme.label;
      if (info.signedAttributesDer) {
        report.signature.valid = verifySignature(
          key,
          scheme.digest,
          [signedAttributesForSignature(info.signedAttributesDer)],
          info.signature,
        );
      } else if (ranges) {
        // No signed attributes (adbe.pkcs7.detached allows it): the signature is over the content.
        report.signature.valid = verifySignature(key, scheme.digest, ranges, info.signature);
        report.digest.matches = report.signature.valid;
      }
      if (!report.signature.valid) {
        problems.push("the signature does not verify with the signer certificate's key");
      }
    }
  }

  const token = attribute(info.unsignedAttributes, OID.signatureTimestamp)?.values[0];
  if (token) {
    report.timestamp = verifyTimestamp(token, info.signature, trustedRoots);
    problems.push(...report.timestamp.problems);
  }

  if (report.signer) {
    const at = report.timestamp?.genTime ?? report.signedAt;
    if (at) {
      const t = Date.parse(at);
      report.certificateValidAtSigningTime =
        t >= Date.parse(report.signer.notBefore) && t <= Date.parse(report.signer.notAfter);
      if (!report.certificateValidAtSigningTime) {
        notes.push(`the signer certificate was not valid at the signing time (${at})`);
      }
    }
  }
  return finish(report);
}

function finish(report: CheckedSignature): CheckedSignature {
  report.intact = report.problems.length === 0;
  return report;
}
