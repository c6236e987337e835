import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A real PDF with the given page sizes (points), each page labelled with its number. */
export async function makePdf(
  pages: [number, number][] = [[612, 792]],
  label = 'Maintenance agreement',
): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  pages.forEach(([w, h], i) => {
    const page = doc.addPage([w, h]);
    page.drawText(`${label} - page ${i + 1}`, { x: 50, y: h - 60, size: 14, font });
  });
  return doc.save();
}

export const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** A PDF whose trailer names an encryption dictionary, as a password-protected file does. */
export async function makeEncryptedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage([612, 792]);
  const encrypt = doc.context.obj({ Filter: 'Standard', V: 2, R: 3, Length: 128, P: -3904 });
  doc.context.trailerInfo.Encrypt = doc.context.register(encrypt);
  return doc.save({ useObjectStreams: false });
}
