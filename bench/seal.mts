import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { LocalSealSigner } from '../functions/adapters/local/local-seal-signer';
import { NodeFontSource } from '../functions/adapters/fonts/node-font-source';
import { issueSealChain } from '../functions/core/seal-chain';
import { certificatesFromPem } from '../functions/core/pdf-seal/certificates';
import { sealPdf } from '../functions/core/pdf-seal/seal';
import { stampSignatures } from '../functions/core/pdf-stamp/stamp';
import { bench } from './harness';

/** Sealing and stamping a 100-page contract, against the cost of merely parsing it. */
async function contract(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let p = 0; p < pages; p++) {
    const page = doc.addPage([612, 792]);
    for (let l = 0; l < 40; l++)
      page.drawText(`Clause ${p + 1}.${l + 1}: the vendor shall respond within the agreed targets.`, {
        x: 50,
        y: 750 - l * 17,
        size: 10,
        font,
      });
  }
  return doc.save();
}

const dir = mkdtempSync(join(tmpdir(), 'countersign-bench-'));
const signer = new LocalSealSigner(join(dir, 'seal.pem'));
const root = new LocalSealSigner(join(dir, 'root.pem'));
const chain = certificatesFromPem(
  (await issueSealChain(root, signer, { organization: 'Bench', years: 1, now: new Date() })).pem,
);
const pdf = await contract(100);
const parse = {
  name: 'pdf-lib load of the same file',
  run: () => PDFDocument.load(pdf, { updateMetadata: false }),
};
const fonts = new NodeFontSource();

await bench({
  name: 'seal a 100-page PDF (PAdES B-B, local P-256 key)',
  baseline: parse,
  subject: () =>
    sealPdf(pdf, {
      signer,
      chain,
      reason: 'bench',
      name: 'Countersign',
      signedAt: new Date(),
      fieldName: 'Bench',
    }),
});
await bench({
  name: 'stamp three signatures (Latin, Han, Arabic) into a 100-page PDF',
  baseline: parse,
  subject: () =>
    stampSignatures(
      pdf,
      ['Ana Ruiz', '王小明', 'محمد علي'].map((name, i) => ({
        page: 100,
        rect: { x: 72, y: 100 + i * 120, width: 240, height: 80 },
        signerName: name,
        signedAt: new Date().toISOString(),
        reference: `bench/${i}`,
        typed: name,
      })),
      fonts,
    ),
  rounds: 7,
});
