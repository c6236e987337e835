import { PDFDocument } from 'pdf-lib';
import { UnprocessableError, UnsupportedMediaTypeError } from './errors';

export interface PdfFacts {
  pages: { width: number; height: number }[];
}

const PDF_MAGIC = '%PDF-';

/**
 * Checks that the bytes are a PDF we can later stamp and seal: the magic header, not
 * encrypted, parseable, with at least one page. The page sizes (in points, rotation applied)
 * are what field placements are checked against.
 */
export async function inspectPdf(bytes: Uint8Array, name: string): Promise<PdfFacts> {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  if (!head.includes(PDF_MAGIC)) {
    throw new UnsupportedMediaTypeError(`document "${name}" is not a PDF (no %PDF- header)`);
  }
  // Stamps and the seal are appended as incremental updates, which chain to the file's last
  // cross-reference section: a file cut before its trailer cannot be extended safely.
  if (!hasTrailer(bytes)) {
    throw new UnprocessableError(`document "${name}" is a corrupt PDF: it has no cross-reference trailer`);
  }
  let doc: PDFDocument;
  let pages: PdfFacts['pages'];
  try {
    doc = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
    if (doc.isEncrypted) {
      throw new UnprocessableError(
        `document "${name}" is encrypted; upload it without a password or restrictions`,
      );
    }
    // A damaged page tree can parse and still fail here, so this is part of the check.
    pages = doc.getPages().map((page) => {
      const { width, height } = page.getSize();
      const rotated = page.getRotation().angle % 180 !== 0;
      return rotated ? { width: height, height: width } : { width, height };
    });
  } catch (err) {
    if (err instanceof UnprocessableError) throw err;
    throw new UnprocessableError(`document "${name}" is a corrupt PDF: ${(err as Error).message}`);
  }
  if (pages.length === 0) throw new UnprocessableError(`document "${name}" has no pages`);
  return { pages };
}

/** The last `startxref` must name an offset inside the file and be followed by `%%EOF`. */
function hasTrailer(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const at = text.lastIndexOf('startxref');
  if (at < 0) return false;
  const match = /^startxref\s+(\d+)\s+%%EOF/.exec(text.slice(at, at + 64));
  return match !== null && Number(match[1]) < at;
}
