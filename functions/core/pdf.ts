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
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(bytes, {
      ignoreEncryption: true,
      updateMetadata: false,
      throwOnInvalidObject: true,
    });
  } catch (err) {
    throw new UnprocessableError(`document "${name}" is a corrupt PDF: ${(err as Error).message}`);
  }
  if (doc.isEncrypted) {
    throw new UnprocessableError(
      `document "${name}" is encrypted; upload it without a password or restrictions`,
    );
  }
  const pages = doc.getPages();
  if (pages.length === 0) throw new UnprocessableError(`document "${name}" has no pages`);
  return {
    pages: pages.map((page) => {
      const { width, height } = page.getSize();
      const rotated = page.getRotation().angle % 180 !== 0;
      return rotated ? { width: height, height: width } : { width, height };
    }),
  };
}
