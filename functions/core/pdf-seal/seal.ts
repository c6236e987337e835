import { createHash } from 'node:crypto';
import { PDFArray, PDFHexString, PDFName, PDFNumber, PDFString } from 'pdf-lib';
import type { SealSigner, Timestamper } from '../ports';
import { buildCms } from './cms';
import { IncrementalPdf } from './incremental';

/**
 * The service seal: a PAdES B-B signature (SubFilter ETSI.CAdES.detached), or B-T with a
 * timestamper, appended to the PDF as an incremental update, so everything before it (the
 * uploaded bytes, stamps, earlier seals) stays a byte-identical prefix and earlier signatures
 * stay valid.
 */

export interface SealOptions {
  signer: SealSigner;
  /** DER certificates, the seal certificate first, then its issuers. */
  chain: Uint8Array[];
  reason: string;
  location?: string;
  /** The signer's name as shown by viewers (/Name). */
  name: string;
  /** The claimed signing time (/M); PAdES B-B carries no signing-time attribute. */
  signedAt: Date;
  /** The signature field's name: unique in the document, without periods. */
  fieldName: string;
  /**
   * Bytes reserved for the CMS in /Contents: by default 8 KiB, or TIMESTAMPED_RESERVED_BYTES
   * with a timestamper.
   */
  reservedBytes?: number;
  /**
   * An RFC 3161 TSA: the seal is then PAdES B-T. If it fails, sealing fails: a seal without
   * the timestamp is never made when one is configured.
   */
  timestamper?: Timestamper;
}

export const DEFAULT_RESERVED_BYTES = 8 * 1024;
/** Room for a time-stamp token too: a TSA's token with its certificates is commonly 3-10 KB. */
export const TIMESTAMPED_RESERVED_BYTES = 32 * 1024;

/** Ten characters wide, like the largest offset a ByteRange can hold. */
const BYTE_RANGE_PLACEHOLDER = '**********';

function latin1Index(haystack: Uint8Array, needle: string, from: number): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(
    needle,
    from,
    'latin1',
  );
}

function fieldNames(pdf: IncrementalPdf): Set<string> {
  const acroForm = pdf.doc.catalog.getAcroForm();
  const names = new Set<string>();
  if (!acroForm) return names;
  for (const [field] of acroForm.getAllFields()) {
    const name = field.getFullyQualifiedName();
    if (name) names.add(name);
  }
  return names;
}

/** Adds the signature field (an invisible widget on page 1) with a placeholder signature. */
function addSignatureField(pdf: IncrementalPdf, options: SealOptions, reserved: number): void {
  const { doc } = pdf;
  const { context } = doc;
  if (!options.fieldName || options.fieldName.includes('.')) {
    throw new Error(`invalid signature field name: "${options.fieldName}"`);
  }
  if (fieldNames(pdf).has(options.fieldName)) {
    throw new Error(`the PDF already has a field named "${options.fieldName}"`);
  }
  if (Number.isNaN(options.signedAt.getTime())) throw new Error('invalid signing time');
  const page = doc.getPages()[0];
  if (!page) throw new Error('the PDF has no page');

  const placeholder = PDFName.of(BYTE_RANGE_PLACEHOLDER);
  const signature = context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: [PDFNumber.of(0), placeholder, placeholder, placeholder],
    Contents: PDFHexString.of('0'.repeat(reserved * 2)),
    M: PDFString.fromDate(options.signedAt),
    Name: PDFHexString.fromText(options.name),
    Reason: PDFHexString.fromText(options.reason),
    ...(options.location ? { Location: PDFHexString.fromText(options.location) } : {}),
  });
  const signatureRef = context.register(signature);

  // A merged field and widget; Rect [0 0 0 0] makes it invisible, so it needs no appearance.
  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFHexString.fromText(options.fieldName),
    V: signatureRef,
    Rect: [0, 0, 0, 0],
    F: 132, // Print | Locked
    P: page.ref,
  });
  const widgetRef = context.register(widget);

  // The page's Annots by hand: pdf-lib's addAnnot also normalises the page (wrapping its
  // content in q/Q streams), which would add objects the seal does not need.
  const annots = page.node.lookup(PDFName.of('Annots'));
  if (annots instanceof PDFArray) annots.push(widgetRef);
  else page.node.set(PDFName.of('Annots'), context.obj([widgetRef]));

  const acroForm = doc.catalog.getOrCreateAcroForm();
  acroForm.addField(widgetRef);
  acroForm.dict.set(PDFName.of('SigFlags'), PDFNumber.of(3)); // SignaturesExist | AppendOnly
}

/**
 * Seals `pdf`. The signer is asked for exactly one signature, over the digest of the signed
 * attributes.
 */
export async function sealPdf(pdf: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  const prepared = await prepareSeal(pdf, options);
  const cms = await buildCms(prepared.digest, {
    signer: options.signer,
    chain: options.chain,
    ...(options.timestamper ? { timestamper: options.timestamper } : {}),
  });
  return prepared.complete(cms);
}

export interface PreparedSeal {
  /** The PDF with the placeholder signature; the digest covers all of it but /Contents. */
  bytes: Uint8Array;
  /** SHA-256 over the two /ByteRange ranges. */
  digest: Uint8Array;
  byteRange: [number, number, number, number];
  /** Writes the DER CMS into /Contents and returns the sealed PDF. */
  complete(cms: Uint8Array): Uint8Array;
}

/** The first half of sealPdf: the placeholder update and the digest to sign. */
export async function prepareSeal(pdf: Uint8Array, options: SealOptions): Promise<PreparedSeal> {
  const reserved =
    options.reservedBytes ?? (options.timestamper ? TIMESTAMPED_RESERVED_BYTES : DEFAULT_RESERVED_BYTES);
  const incremental = await IncrementalPdf.open(pdf);
  addSignatureField(incremental, options, reserved);
  const bytes = await incremental.save();

  // Both placeholders are in the update, which holds exactly one signature dictionary.
  const contentsNeedle = `<${'0'.repeat(reserved * 2)}>`;
  const contentsStart = latin1Index(bytes, contentsNeedle, pdf.length);
  const byteRangeText = PDFArray.withContext(incremental.doc.context);
  byteRangeText.push(PDFNumber.of(0));
  for (let i = 0; i < 3; i++) byteRangeText.push(PDFName.of(BYTE_RANGE_PLACEHOLDER));
  const byteRangeNeedle = byteRangeText.toString();
  const byteRangeStart = latin1Index(bytes, byteRangeNeedle, pdf.length);
  if (contentsStart < 0 || byteRangeStart < 0) throw new Error('the signature placeholders were not written');

  const contentsEnd = contentsStart + contentsNeedle.length;
  const byteRange: [number, number, number, number] = [
    0,
    contentsStart,
    contentsEnd,
    bytes.length - contentsEnd,
  ];
  const filled = `[${byteRange.join(' ')}]`.padEnd(byteRangeNeedle.length, ' ');
  if (filled.length !== byteRangeNeedle.length)
    throw new Error('the PDF is too large for the ByteRange placeholder');
  bytes.set(Buffer.from(filled, 'latin1'), byteRangeStart);

  const digest = new Uint8Array(
    createHash('sha256')
      .update(bytes.subarray(0, contentsStart))
      .update(bytes.subarray(contentsEnd))
      .digest(),
  );

  return {
    bytes,
    digest,
    byteRange,
    complete(cms: Uint8Array): Uint8Array {
      const hex = Buffer.from(cms).toString('hex').toUpperCase();
      if (hex.length > reserved * 2) {
        throw new Error(`the CMS (${cms.length} bytes) does not fit the ${reserved} bytes reserved for it`);
      }
      const out = Uint8Array.from(bytes);
      out.set(Buffer.from(hex, 'latin1'), contentsStart + 1);
      return out;
    },
  };
}
