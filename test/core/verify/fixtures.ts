import { createHash } from 'node:crypto';
import { GENESIS_HASH, seal, type ChainedEvent } from '../../../functions/core/audit-chain';
import { canonicalJson } from '../../../functions/core/hashing';
import { IncrementalPdf } from '../../../functions/core/pdf-seal/incremental';
import {
  octetString,
  oid,
  sequence,
  setOf,
  smallInteger,
  tlv,
  unsignedInteger,
} from '../../../functions/core/pdf-seal/der';
import { sealPdf, type SealOptions } from '../../../functions/core/pdf-seal/seal';
import type { SealSigner } from '../../../functions/core/ports';
import { children, readNode } from '../../../functions/core/verify/der';
import type { AuditExport } from '../../../functions/core/verify/audit';
import type { SealKit } from '../pdf-seal/fixtures';

/**
 * Fixtures for verification: sealed PDFs with the Countersign attachments, CMS surgery (a
 * signature by another key, an RFC 3161 timestamp added as an unsigned attribute), audit trails
 * hash-chained with the real `seal`, and their signed exports.
 */

export const ENVELOPE_ID = '01kverifyenvelope0000000001';
export const TENANT_ID = 'acme';

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash('sha256').update(data).digest());
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

/** The PDF with files attached, as one incremental update (as the completion step attaches them). */
export async function withAttachments(pdf: Uint8Array, files: Record<string, unknown>): Promise<Uint8Array> {
  const incremental = await IncrementalPdf.open(pdf);
  for (const [name, value] of Object.entries(files)) {
    const content = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    await incremental.doc.attach(Buffer.from(content, 'utf8'), name, { mimeType: 'application/json' });
  }
  return incremental.save();
}

export function sealOptions(kit: SealKit, overrides: Partial<SealOptions> = {}): SealOptions {
  return {
    signer: kit.seal,
    chain: kit.chain,
    reason: `Signed by every party in envelope ${ENVELOPE_ID}`,
    location: 'Countersign',
    name: 'Countersign Test Seal',
    signedAt: new Date('2026-02-03T04:05:06Z'),
    fieldName: `CountersignSeal_${ENVELOPE_ID}`,
    ...overrides,
  };
}

export const SLA_TERMS = {
  schema_version: '1.0',
  service: 'Premium support',
  response: { p1Minutes: 30, p2Minutes: 240 },
};

export function completionRecord(original: Uint8Array, auditHead: { seq: number; hash: string }) {
  return {
    format: 'countersign-completion/1',
    envelopeId: ENVELOPE_ID,
    tenantId: TENANT_ID,
    title: 'Support agreement 2027',
    sealedAt: '2026-02-03T04:05:06.000Z',
    documents: [
      { id: 'doc1', name: 'msa.pdf', sha256: Buffer.from(sha256(original)).toString('hex'), pages: 1 },
    ],
    recipients: [
      { id: 'r1', name: 'Ana Ruiz', email: 'ana@example.com', signedAt: '2026-02-03T04:00:00.000Z' },
    ],
    auditHead,
  };
}

/** A hash-chained trail of `count` events, as the service records them. */
export function auditTrail(count: number): ChainedEvent[] {
  const types = [
    'envelope.created',
    'envelope.sent',
    'recipient.invited',
    'recipient.viewed',
    'recipient.signed',
  ];
  const events: ChainedEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const event = seal({
      envelopeId: ENVELOPE_ID,
      tenantId: TENANT_ID,
      seq,
      type: seq === count ? 'envelope.completed' : types[(seq - 1) % types.length]!,
      at: new Date(Date.UTC(2026, 1, 3, 4, 0, seq)).toISOString(),
      actor: { kind: 'system', id: 'countersign' },
      data: { note: `event ${seq}`, recipientId: 'r1' },
      prevHash: prev,
    });
    events.push(event);
    prev = event.hash;
  }
  return events;
}

/** The audit export, signed when a signer and its certificates are given. */
export async function auditExport(
  events: ChainedEvent[],
  signing?: { signer: SealSigner; certificates: Uint8Array[] },
): Promise<AuditExport> {
  const last = events[events.length - 1]!;
  const unsigned: AuditExport = {
    format: 'countersign-audit/1',
    envelopeId: ENVELOPE_ID,
    tenantId: TENANT_ID,
    exportedAt: '2031-05-06T07:08:09.000Z',
    algorithm: 'sha256(prevHash || JCS(event without hash))',
    genesisHash: GENESIS_HASH,
    events,
    head: { seq: last.seq, hash: last.hash },
  };
  if (!signing) return unsigned;
  return signExport(unsigned, signing);
}

export async function signExport(
  audit: AuditExport,
  signing: { signer: SealSigner; certificates: Uint8Array[] },
): Promise<AuditExport> {
  const { signature: _old, ...unsigned } = audit;
  const value = await signing.signer.signDigest(sha256(canonicalJson(unsigned)));
  return {
    ...unsigned,
    signature: {
      algorithm: signing.signer.algorithm,
      value: Buffer.from(value).toString('base64'),
      certificates: signing.certificates.map((c) => Buffer.from(c).toString('base64')),
    },
  };
}

/** Every /ByteRange in the file, in file order. */
export function byteRanges(pdf: Uint8Array): [number, number, number, number][] {
  return [...latin1(pdf).matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map(
    (m) => [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number],
  );
}

/** The DER CMS of the last signature (without the zero padding). */
export function lastCms(pdf: Uint8Array): Uint8Array {
  const range = byteRanges(pdf).at(-1)!;
  const padded = new Uint8Array(Buffer.from(latin1(pdf.subarray(range[1] + 1, range[2] - 1)), 'hex'));
  return padded.subarray(0, readNode(padded).bytes.length);
}

/** The PDF with the last signature's /Contents replaced (same reserved size, zero padded). */
export function withCms(pdf: Uint8Array, cms: Uint8Array): Uint8Array {
  const range = byteRanges(pdf).at(-1)!;
  const width = range[2] - range[1] - 2;
  const hex = Buffer.from(cms).toString('hex').toUpperCase();
  if (hex.length > width) throw new Error('the CMS does not fit the reserved space');
  const out = Uint8Array.from(pdf);
  out.set(Buffer.from(hex.padEnd(width, '0'), 'latin1'), range[1] + 1);
  return out;
}

/** Rebuilds ContentInfo > SignedData > the first SignerInfo with its fields changed. */
function editSignerInfo(cms: Uint8Array, edit: (fields: Uint8Array[]) => Uint8Array[]): Uint8Array {
  const [type, wrapper] = children(readNode(cms));
  const [signedData] = children(wrapper!);
  const fields = children(signedData!);
  const infos = fields[fields.length - 1]!;
  const [info, ...others] = children(infos);
  const newInfo = sequence(...edit(children(info!).map((f) => f.bytes)));
  const newSignedData = sequence(
    ...fields.slice(0, -1).map((f) => f.bytes),
    tlv(0x31, newInfo, ...others.map((o) => o.bytes)),
  );
  return sequence(type!.bytes, tlv(0xa0, newSignedData));
}

/**
 * The same CMS, its signature replaced by one from another key over the same signed attributes:
 * the certificate (and so the claimed signer) is kept.
 */
export async function resignCms(cms: Uint8Array, other: SealSigner): Promise<Uint8Array> {
  let signedAttributes: Uint8Array | undefined;
  const info = children(children(children(readNode(cms))[1]!)[0]!).at(-1)!;
  for (const field of children(children(info)[0]!)) if (field.tag === 0xa0) signedAttributes = field.bytes;
  if (!signedAttributes) throw new Error('no signed attributes');
  const set = Uint8Array.from(signedAttributes);
  set[0] = 0x31;
  const signature = await other.signDigest(sha256(set));
  return editSignerInfo(cms, (fields) => fields.map((f) => (f[0] === 0x04 ? octetString(signature) : f)));
}

function signatureValue(cms: Uint8Array): Uint8Array {
  const info = children(children(children(readNode(cms))[1]!)[0]!).at(-1)!;
  const octets = children(children(info)[0]!).find((f) => f.tag === 0x04)!;
  return octets.value;
}

const generalizedTime = (d: Date) =>
  tlv(
    0x18,
    Buffer.from(
      d
        .toISOString()
        .replace(/[-:T]/g, '')
        .replace(/\.\d+Z$/, 'Z'),
      'latin1',
    ),
  );

/** The subject Name and the issuer Name and serial of a certificate, as encoded. */
function names(certDer: Uint8Array): { issuer: Uint8Array; subject: Uint8Array; serial: Uint8Array } {
  const tbs = children(children(readNode(certDer))[0]!);
  const i = tbs[0]!.tag === 0xa0 ? 1 : 0;
  return { serial: tbs[i]!.bytes, issuer: tbs[i + 2]!.bytes, subject: tbs[i + 4]!.bytes };
}

export interface Tsa {
  signer: SealSigner;
  /** The TSA certificate first, then its issuers. */
  chain: Uint8Array[];
}

/**
 * An RFC 3161 TimeStampToken over `imprint` (SHA-256), signed by the TSA: TSTInfo with a tsa
 * name, in a SignedData with content-type and message-digest signed attributes.
 */
export async function timestampToken(imprint: Uint8Array, tsa: Tsa, genTime: Date): Promise<Uint8Array> {
  const cert = names(tsa.chain[0]!);
  const tstInfo = sequence(
    smallInteger(1),
    oid('1.3.6.1.4.1.99999.1'),
    sequence(sequence(oid('2.16.840.1.101.3.4.2.1')), octetString(imprint)),
    unsignedInteger(Uint8Array.of(0x01, 0x23, 0x45)),
    generalizedTime(genTime),
    tlv(0xa0, tlv(0xa4, cert.subject)),
  );
  const attrs = [
    sequence(oid('1.2.840.113549.1.9.3'), setOf([oid('1.2.840.113549.1.9.16.1.4')])),
    sequence(oid('1.2.840.113549.1.9.4'), setOf([octetString(sha256(tstInfo))])),
  ];
  const signedSet = setOf(attrs);
  const signature = await tsa.signer.signDigest(sha256(signedSet));
  const algorithm =
    tsa.signer.algorithm === 'ECDSA_SHA_256'
      ? sequence(oid('1.2.840.10045.4.3.2'))
      : sequence(oid('1.2.840.113549.1.1.11'), Uint8Array.of(0x05, 0x00));
  const signerInfo = sequence(
    smallInteger(1),
    sequence(cert.issuer, cert.serial),
    sequence(oid('2.16.840.1.101.3.4.2.1')),
    tlv(0xa0, readNode(signedSet).value),
    algorithm,
    octetString(signature),
  );
  const signedData = sequence(
    smallInteger(3),
    setOf([sequence(oid('2.16.840.1.101.3.4.2.1'))]),
    sequence(oid('1.2.840.113549.1.9.16.1.4'), tlv(0xa0, octetString(tstInfo))),
    tlv(0xa0, ...tsa.chain),
    setOf([signerInfo]),
  );
  return sequence(oid('1.2.840.113549.1.7.2'), tlv(0xa0, signedData));
}

/** The CMS with a signature timestamp (unsigned attribute) over its signature value. */
export async function addTimestamp(
  cms: Uint8Array,
  tsa: Tsa,
  genTime: Date,
  imprint: Uint8Array = sha256(signatureValue(cms)),
): Promise<Uint8Array> {
  const token = await timestampToken(imprint, tsa, genTime);
  const unsigned = tlv(0xa1, sequence(oid('1.2.840.113549.1.9.16.2.14'), setOf([token])));
  return editSignerInfo(cms, (fields) => [...fields, unsigned]);
}

/** Seals with a larger reservation (room for a timestamp token). */
export async function sealRoomy(pdf: Uint8Array, kit: SealKit, overrides: Partial<SealOptions> = {}) {
  return sealPdf(pdf, sealOptions(kit, { reservedBytes: 16 * 1024, ...overrides }));
}
