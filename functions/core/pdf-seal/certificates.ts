import { createHash, randomBytes } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
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
  Time,
  Validity,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import type { SealSigner } from '../ports';
import { bitString, readTlv, sequence } from './der';

/**
 * Certificates for the service seal, made through SealSigners so that the private keys never
 * leave KMS: a self-signed root (its key is a second KMS key) issues the seal certificate for
 * the seal key. A verifier that trusts the root then reports the seal as trusted.
 */

export interface DistinguishedName {
  commonName: string;
  organization?: string;
  organizationalUnit?: string;
  /** Two-letter ISO 3166 code. */
  country?: string;
}

export interface CertificateOptions {
  subject: DistinguishedName;
  notBefore: Date;
  notAfter: Date;
  /** Big-endian positive serial; 16 random bytes when absent. */
  serialNumber?: Uint8Array;
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  country: '2.5.4.6',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
} as const;

const NULL_PARAMETERS = Uint8Array.of(0x05, 0x00).buffer;

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** The X.509 signature algorithm for certificates signed by this signer. */
export function certificateSignatureAlgorithm(algorithm: SealSigner['algorithm']): AlgorithmIdentifier {
  return algorithm === 'ECDSA_SHA_256'
    ? new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSha256 })
    : new AlgorithmIdentifier({ algorithm: OID.sha256WithRsa, parameters: NULL_PARAMETERS });
}

function buildName(dn: DistinguishedName): Name {
  const rdn = (type: string, value: AttributeValue) =>
    new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value })]);
  const rdns: RelativeDistinguishedName[] = [];
  if (dn.country) {
    if (!/^[A-Z]{2}$/.test(dn.country)) throw new Error(`country must be two capital letters: ${dn.country}`);
    rdns.push(rdn(OID.country, new AttributeValue({ printableString: dn.country })));
  }
  if (dn.organization) rdns.push(rdn(OID.organization, new AttributeValue({ utf8String: dn.organization })));
  if (dn.organizationalUnit) {
    rdns.push(rdn(OID.organizationalUnit, new AttributeValue({ utf8String: dn.organizationalUnit })));
  }
  if (!dn.commonName) throw new Error('a certificate needs a common name');
  rdns.push(rdn(OID.commonName, new AttributeValue({ utf8String: dn.commonName })));
  return new Name(rdns);
}

/** RFC 5280 validity: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date: Date): Time {
  if (Number.isNaN(date.getTime())) throw new Error('invalid certificate date');
  return date.getUTCFullYear() < 2050 ? new Time({ utcTime: date }) : new Time({ generalTime: date });
}

function newSerial(given?: Uint8Array): ArrayBuffer {
  const serial = given ? Uint8Array.from(given) : new Uint8Array(randomBytes(16));
  if (serial.length === 0 || serial.length > 20) throw new Error('a serial number is 1 to 20 bytes');
  if (!given) serial[0] = (serial[0]! & 0x7f) | 0x40; // positive, no leading zero octet
  if (serial[0]! & 0x80) throw new Error('the serial number must be positive');
  return toArrayBuffer(serial);
}

/** RFC 5280, 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING value. */
function keyIdentifier(spki: SubjectPublicKeyInfo): Uint8Array {
  return new Uint8Array(createHash('sha1').update(new Uint8Array(spki.subjectPublicKey)).digest());
}

const extension = (extnID: string, critical: boolean, value: unknown) =>
  new Extension({ extnID, critical, extnValue: new OctetString(AsnConvert.serialize(value)) });

async function signTbs(tbs: TBSCertificate, signer: SealSigner): Promise<Uint8Array> {
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const digest = new Uint8Array(createHash('sha256').update(tbsDer).digest());
  const signature = await signer.signDigest(digest);
  // Assembled by hand around the exact TBS bytes that were signed.
  return sequence(
    tbsDer,
    new Uint8Array(AsnConvert.serialize(certificateSignatureAlgorithm(signer.algorithm))),
    bitString(signature),
  );
}

function checkValidity(options: CertificateOptions) {
  if (!(options.notAfter.getTime() > options.notBefore.getTime())) {
    throw new Error('notAfter must be later than notBefore');
  }
}

/** A self-signed root certificate for the key behind `rootSigner`, able to issue seal certificates. */
export async function createRootCertificate(
  rootSigner: SealSigner,
  options: CertificateOptions,
): Promise<Uint8Array> {
  checkValidity(options);
  const spki = AsnConvert.parse(await rootSigner.publicKey(), SubjectPublicKeyInfo);
  const name = buildName(options.subject);
  const ski = keyIdentifier(spki);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: newSerial(options.serialNumber),
    signature: certificateSignatureAlgorithm(rootSigner.algorithm),
    issuer: name,
    validity: new Validity({ notBefore: options.notBefore, notAfter: options.notAfter }),
    subject: name,
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      // pathLen 0: the root issues end-entity certificates only.
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(toArrayBuffer(ski))),
    ]),
  });
  tbs.validity.notBefore = time(options.notBefore);
  tbs.validity.notAfter = time(options.notAfter);
  return signTbs(tbs, rootSigner);
}

export interface Issuer {
  signer: SealSigner;
  /** DER of the issuer's certificate; its public key must be the signer's. */
  certificate: Uint8Array;
}

/**
 * The seal certificate for `subjectPublicKey` (DER SPKI, e.g. the seal SealSigner's
 * publicKey()), issued and signed by `issuer`.
 */
export async function issueSealCertificate(
  issuer: Issuer,
  subjectPublicKey: Uint8Array,
  options: CertificateOptions,
): Promise<Uint8Array> {
  checkValidity(options);
  const issuerCert = AsnConvert.parse(issuer.certificate, Certificate);
  const issuerSpki = issuerCert.tbsCertificate.subjectPublicKeyInfo;
  const signerSpki = AsnConvert.parse(await issuer.signer.publicKey(), SubjectPublicKeyInfo);
  if (
    Buffer.compare(
      Buffer.from(AsnConvert.serialize(issuerSpki)),
      Buffer.from(AsnConvert.serialize(signerSpki)),
    ) !== 0
  ) {
    throw new Error("the issuer's signer does not hold the key of the issuer certificate");
  }
  const spki = AsnConvert.parse(subjectPublicKey, SubjectPublicKeyInfo);
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: newSerial(options.serialNumber),
    signature: certificateSignatureAlgorithm(issuer.signer.algorithm),
    issuer: issuerCert.tbsCertificate.subject,
    validity: new Validity({ notBefore: options.notBefore, notAfter: options.notAfter }),
    subject: buildName(options.subject),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions([
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: false })),
      // Signing documents: digitalSignature and nonRepudiation (contentCommitment).
      extension(
        id_ce_keyUsage,
        true,
        new KeyUsage(KeyUsageFlags.digitalSignature | KeyUsageFlags.nonRepudiation),
      ),
      extension(
        id_ce_subjectKeyIdentifier,
        false,
        new SubjectKeyIdentifier(toArrayBuffer(keyIdentifier(spki))),
      ),
      extension(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({
          keyIdentifier: new KeyIdentifier(toArrayBuffer(keyIdentifier(issuerSpki))),
        }),
      ),
    ]),
  });
  tbs.validity.notBefore = time(options.notBefore);
  tbs.validity.notAfter = time(options.notAfter);
  return signTbs(tbs, issuer.signer);
}

/** PEM text of a DER certificate. */
export function certificateToPem(der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** DER certificates from PEM text (any number of CERTIFICATE blocks, in order). */
export function certificatesFromPem(pem: string): Uint8Array[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => {
    const der = new Uint8Array(Buffer.from(block.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'));
    readTlv(der); // throws on truncated input
    return der;
  });
}
