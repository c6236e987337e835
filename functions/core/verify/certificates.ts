import { X509Certificate, createHash } from 'node:crypto';
import { TAG, children, decodeOid, expectTag, formatName, integerHex, readNode, type DerNode } from './der';
import { digestName, type SignerInfo } from './cms';

/** What a report says about one certificate. */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** Lowercase hex. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  /** e.g. "EC P-256", "RSA 3072". */
  keyAlgorithm: string;
  sha256: string;
  selfSigned: boolean;
}

export interface ChainLink extends CertificateInfo {
  /**
   * Whether this certificate's signature verifies with its issuer's key; null when its issuer
   * is not available (neither carried nor among the trusted roots).
   */
  signatureValid: boolean | null;
  /** The certificate is one of the trusted roots given (byte for byte). */
  trustedRoot: boolean;
}

export interface ChainReport {
  /** Leaf first, then each issuer as found among the carried certificates (and the trusted roots). */
  certificates: ChainLink[];
  /** The chain ends in a self-signed certificate whose own signature verifies. */
  endsInSelfSignedRoot: boolean;
  /** The chain ends in one of the trusted roots; null when no trusted roots were given. */
  trusted: boolean | null;
  problems: string[];
}

export interface ParsedCertificate {
  der: Uint8Array;
  x509: X509Certificate;
}

const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

export function parseCertificate(der: Uint8Array): ParsedCertificate | null {
  try {
    return { der, x509: new X509Certificate(Buffer.from(der)) };
  } catch {
    return null;
  }
}

const oneLine = (dn: string) => dn.split('\n').filter(Boolean).join(', ');

function keyAlgorithm(cert: X509Certificate): string {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const curve = details.namedCurve ?? 'unknown curve';
    return `EC ${CURVES[curve] ?? curve}`;
  }
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details.modulusLength ?? '?'}`;
  return (key.asymmetricKeyType ?? 'unknown').toUpperCase();
}

export function isSelfSigned(cert: ParsedCertificate): boolean {
  try {
    return cert.x509.checkIssued(cert.x509) && cert.x509.verify(cert.x509.publicKey);
  } catch {
    return false;
  }
}

export function describeCertificate(cert: ParsedCertificate): CertificateInfo {
  const x = cert.x509;
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    serialNumber: x.serialNumber.toLowerCase().replace(/^(00)+(?=.)/, ''),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    keyAlgorithm: keyAlgorithm(x),
    sha256: createHash('sha256').update(cert.der).digest('hex'),
    selfSigned: isSelfSigned(cert),
  };
}

/** The issuer Name element and serial number of a certificate, as encoded. */
function issuerAndSerial(der: Uint8Array): { issuer: Uint8Array; serialHex: string } {
  const [tbs] = children(readNode(der));
  const fields = children(expectTag(tbs, TAG.sequence, 'TBSCertificate'));
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[i++]!;
  i++; // signature algorithm
  return { issuer: fields[i]!.bytes, serialHex: integerHex(serial) };
}

/** The certificate a SignerInfo names, among those carried. */
export function findSignerCertificate(
  sid: SignerInfo['sid'],
  certificates: ParsedCertificate[],
): ParsedCertificate | undefined {
  if ('subjectKeyIdentifier' in sid) {
    const wanted = Buffer.from(sid.subjectKeyIdentifier);
    return certificates.find((c) => {
      const ski = subjectKeyIdentifier(c.der);
      return ski !== null && Buffer.from(ski).equals(wanted);
    });
  }
  const named = (c: ParsedCertificate, exact: boolean) => {
    try {
      const { issuer, serialHex } = issuerAndSerial(c.der);
      if (serialHex !== sid.serialHex) return false;
      // Some signers re-encode the issuer name (another string type): compare it as text then.
      return exact
        ? Buffer.from(issuer).equals(Buffer.from(sid.issuer.bytes))
        : formatName(readNode(issuer)) === formatName(sid.issuer);
    } catch {
      return false;
    }
  };
  return certificates.find((c) => named(c, true)) ?? certificates.find((c) => named(c, false));
}

/** The subjectKeyIdentifier extension's key id, from the certificate's DER. */
function subjectKeyIdentifier(der: Uint8Array): Uint8Array | null {
  try {
    const [tbs] = children(readNode(der));
    const extensions = children(tbs!).find((f) => f.tag === 0xa3);
    if (!extensions) return null;
    const [list] = children(extensions);
    for (const extension of children(list!)) {
      const fields = children(extension);
      if (decodeOid(fields[0]!) !== '2.5.29.14') continue;
      const octets = fields[fields.length - 1]!;
      return expectTag(readNode(octets.value), TAG.octetString, 'key identifier').value;
    }
  } catch {
    // an unreadable extension is no identifier
  }
  return null;
}

function issuedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return child.x509.checkIssued(issuer.x509);
  } catch {
    return false;
  }
}

function signedBy(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  try {
    return child.x509.verify(issuer.x509.publicKey);
  } catch {
    return false;
  }
}

/**
 * Builds the chain upwards from `leaf`: each issuer is looked for among the carried certificates,
 * then among the trusted roots, and its key must verify the certificate below it.
 */
export function buildChain(
  leaf: ParsedCertificate,
  carried: ParsedCertificate[],
  trustedRoots: ParsedCertificate[],
): ChainReport {
  const problems: string[] = [];
  const isTrusted = (c: ParsedCertificate) =>
    trustedRoots.some((r) => Buffer.from(r.der).equals(Buffer.from(c.der)));
  const links: ChainLink[] = [];
  const visited = new Set<string>();
  let current: ParsedCertificate | undefined = leaf;
  let endsInSelfSignedRoot = false;
  while (current && links.length < 10) {
    const info = describeCertificate(current);
    if (visited.has(info.sha256)) break;
    visited.add(info.sha256);
    const link: ChainLink = { ...info, signatureValid: null, trustedRoot: isTrusted(current) };
    links.push(link);
    if (info.selfSigned) {
      link.signatureValid = true;
      endsInSelfSignedRoot = true;
      break;
    }
    const candidates = [...carried, ...trustedRoots].filter((c) => c !== current && issuedBy(current!, c));
    const issuer = candidates.find((c) => signedBy(current!, c));
    if (!issuer) {
      if (candidates.length > 0) {
        link.signatureValid = false;
        problems.push(
          `the certificate "${info.subject}" does not verify with the key of its issuer "${info.issuer}"`,
        );
      } else if (current.x509.checkIssued(current.x509)) {
        link.signatureValid = false;
        problems.push(`the self-issued certificate "${info.subject}" does not verify with its own key`);
      }
      break;
    }
    link.signatureValid = true;
    current = issuer;
  }
  const top = links[links.length - 1];
  return {
    certificates: links,
    endsInSelfSignedRoot,
    trusted: trustedRoots.length === 0 ? null : Boolean(top?.trustedRoot && top.signatureValid),
    problems,
  };
}

/** The signing-certificate(-v2) attribute's hash of the signer's certificate matches it. */
export function essCertIdMatches(value: DerNode, certDer: Uint8Array, v2: boolean): boolean {
  const [certs] = children(expectTag(value, TAG.sequence, 'SigningCertificate'));
  const [first] = children(expectTag(certs, TAG.sequence, 'ESSCertIDs'));
  const fields = children(expectTag(first, TAG.sequence, 'ESSCertID'));
  let algorithm: string | undefined = v2 ? 'sha256' : 'sha1';
  let i = 0;
  if (v2 && fields[0]?.tag === TAG.sequence) {
    const [oid] = children(fields[0]);
    algorithm = digestName(decodeOid(expectTag(oid, TAG.oid, 'hash algorithm'))) ?? undefined;
    i = 1;
  }
  if (!algorithm) return false;
  const certHash = expectTag(fields[i], TAG.octetString, 'certHash').value;
  return Buffer.from(certHash).equals(createHash(algorithm).update(certDer).digest());
}
