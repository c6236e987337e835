import { PDFArray, PDFDict, PDFDocument, PDFName } from 'pdf-lib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import {
  completionCertificate,
  type CompletionCertificate,
} from '../../../functions/core/completion/certificate';
import { appendCertificatePages } from '../../../functions/core/completion/pages';
import { foldEnvelope } from '../../../functions/core/envelope';
import { makePdf } from '../../support/pdf';
import { fontsOf, pageCount, pageSize, qpdfCheck } from '../../support/pdf-tools';
import { pageText, renderPage } from '../../support/pdfsig';
import { darkPixels } from '../../support/signing';
import { signedLog } from './log';

const fonts = new NodeFontSource();
const SEALED_AT = new Date('2026-11-02T12:00:00.000Z');
const NAMES = ['José Müller-Ñúñez', '王小明', 'محمد العلي'];

const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length > prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

/** pdftotext's text without the bidi marks it adds around right-to-left runs. */
const textOf = async (pdf: Uint8Array, page: number) =>
  (await pageText(pdf, page)).replace(/[\u202a-\u202e\u200e\u200f]/g, '');

function certificateFor(
  names: string[],
  change?: (log: ReturnType<typeof signedLog>) => void,
): CompletionCertificate {
  const log = signedLog(names);
  change?.(log);
  return completionCertificate(foldEnvelope(log.events), log.events, SEALED_AT);
}

/** Share of the page's pixels that are ink. */
function inkRatio(png: PNG, region = { x: 0, y: 0, width: png.width, height: png.height }): number {
  return darkPixels(png, region) / (region.width * region.height);
}

describe('certificate pages after a Letter document with names in three scripts', () => {
  let pdf: Uint8Array;
  let out: Uint8Array;
  let cert: CompletionCertificate;

  beforeAll(async () => {
    pdf = await makePdf([
      [612, 792],
      [612, 792],
    ]);
    cert = certificateFor(NAMES);
    out = await appendCertificatePages(pdf, cert, fonts, {
      files: [{ name: 'countersign-completion.json', description: 'this certificate, machine-readable' }],
    });
  });

  it('appends US Letter pages after the last page, as an incremental update qpdf accepts', async () => {
    expect(isPrefix(pdf, out)).toBe(true);
    expect(await pageCount(out)).toBe(4);
    expect(await pageSize(out, 3)).toEqual({ width: 612, height: 792 });
    expect(await pageSize(out, 4)).toEqual({ width: 612, height: 792 });
    const check = await qpdfCheck(out);
    expect(check.ok, check.output).toBe(true);
  });

  it('prints the envelope, the document hash, every recipient and their events, and the audit head', async () => {
    const text = (await textOf(out, 3)) + (await textOf(out, 4));
    const { record } = cert;
    for (const expected of [
      'Certificate of Completion',
      record.envelopeId,
      record.title,
      'sam@vendor.example',
      'msa.pdf',
      record.documents[0]!.sha256,
      record.auditHead.hash,
      `#${record.auditHead.seq}`,
      'countersign-completion.json',
      'Completed and sealed',
      '2026-11-02 12:00:00 UTC',
      ...NAMES,
      ...record.recipients.map((r) => r.email),
      'disclosure 2026-11-1',
      '198.51.100.2',
      'Mozilla/5.0',
      'Certificate page 1 of 2',
      'Certificate page 2 of 2',
    ]) {
      expect(text, expected).toContain(expected);
    }
    // Every event of every recipient is a line with its time.
    for (const r of record.recipients) {
      for (const e of r.events) expect(text).toContain(e.at.slice(0, 19).replace('T', ' '));
    }
    expect(text.match(/Invited \(step 1\)/g)).toHaveLength(3);
    expect(text.match(/Signed\s+\d{4}-/g)?.length).toBeGreaterThanOrEqual(3);
  });

  it('embeds subsets of the fonts for Latin, Han and Arabic names', async () => {
    const embedded = (await fontsOf(out)).filter((f) => f.embedded).map((f) => f.name);
    expect(embedded.some((n) => n.startsWith('NotoSans-'))).toBe(true);
    expect(embedded.some((n) => n.startsWith('NotoSansSC-'))).toBe(true);
    expect(embedded.some((n) => n.startsWith('DejaVuSans'))).toBe(true);
    expect(embedded.some((n) => n.startsWith('NotoSansJP-') || n.startsWith('NotoSansKR-'))).toBe(false);
  });

  it('renders readable ink inside the margins and nothing outside them', async () => {
    const dpi = 60;
    const png = PNG.sync.read(await renderPage(out, 3, dpi));
    const px = (pt: number) => (pt * dpi) / 72;
    const ratio = inkRatio(png);
    expect(ratio).toBeGreaterThan(0.02);
    expect(ratio).toBeLessThan(0.3);
    // Side margins (50 of the 56 points) stay white.
    expect(darkPixels(png, { x: 0, y: 0, width: px(50), height: png.height })).toBe(0);
    expect(darkPixels(png, { x: png.width - px(50), y: 0, width: px(50), height: png.height })).toBe(0);
  });
});

describe('certificate page sizes', () => {
  const cert = certificateFor(['Ana Ruiz']);

  it('is A4 after an A4 page, or a page of any other size', async () => {
    for (const size of [
      [595.28, 841.89],
      [400, 400],
      [842, 595],
    ] as [number, number][]) {
      const out = await appendCertificatePages(await makePdf([size]), cert, fonts);
      expect(await pageSize(out, 2), String(size)).toEqual({ width: 595.28, height: 841.89 });
    }
  });

  it('is Letter after a landscape Letter page', async () => {
    const out = await appendCertificatePages(await makePdf([[792, 612]]), cert, fonts);
    expect(await pageSize(out, 2)).toEqual({ width: 612, height: 792 });
  });
});

/** A three-page PDF whose page tree has two levels: the root holds two /Pages nodes. */
async function nestedPageTree(): Promise<Uint8Array> {
  const doc = await PDFDocument.load(
    await makePdf([
      [612, 792],
      [612, 792],
      [612, 792],
    ]),
  );
  const { context } = doc;
  const rootRef = doc.catalog.get(PDFName.of('Pages'))!;
  const root = context.lookup(rootRef, PDFDict);
  const pages = root.lookup(PDFName.of('Kids'), PDFArray).asArray();
  const node = (kids: typeof pages) => {
    const ref = context.register(
      context.obj({ Type: 'Pages', Parent: rootRef, Kids: kids, Count: kids.length }),
    );
    for (const kid of kids) context.lookup(kid, PDFDict).set(PDFName.of('Parent'), ref);
    return ref;
  };
  root.set(PDFName.of('Kids'), context.obj([node(pages.slice(0, 2)), node(pages.slice(2))]));
  return doc.save({ useObjectStreams: false, addDefaultPage: false });
}

describe('a document whose page tree has levels', () => {
  it('gets the certificate after its last page', async () => {
    const pdf = await nestedPageTree();
    expect(await pageCount(pdf)).toBe(3);
    const out = await appendCertificatePages(pdf, certificateFor(['Ana Ruiz']), fonts);
    expect(await pageCount(out)).toBe(4);
    expect(await textOf(out, 3)).toContain('Maintenance agreement - page 3');
    expect(await textOf(out, 4)).toContain('Certificate of Completion');
    const check = await qpdfCheck(out);
    expect(check.ok, check.output).toBe(true);
  });
});

describe('a certificate longer than a page', () => {
  it('flows 50 recipients over numbered pages, every one of them named', async () => {
    const names = Array.from({ length: 50 }, (_, i) =>
      i % 10 === 4 ? `王小明 ${i + 1}` : `Signer ${i + 1} Example`,
    );
    const cert = certificateFor(names);
    const pdf = await makePdf([[612, 792]]);
    const started = performance.now();
    const out = await appendCertificatePages(pdf, cert, fonts);
    const elapsed = performance.now() - started;
    const pages = (await pageCount(out)) - 1;
    expect(pages).toBeGreaterThan(5);
    expect(pages).toBeLessThan(15);
    // Generous against a slow machine: about 0.3-1.3 s here.
    expect(elapsed).toBeLessThan(10_000);
    // Added: the pages and one Latin and one Han font subset.
    expect(out.length - pdf.length).toBeLessThan(80_000);

    let all = '';
    for (let n = 1; n <= pages; n++) {
      const text = await textOf(out, n + 1);
      expect(text).toContain(`Certificate page ${n} of ${pages}`);
      all += text;
    }
    for (const name of names) expect(all).toContain(name);
    expect(all).toContain(cert.record.auditHead.hash);
  });

  it('splits a recipient taller than a page, marking the rest as continued', async () => {
    const cert = certificateFor(['Ana Ruiz'], (log) => {
      for (let count = 1; count <= 90; count++) {
        log.add('recipient.reminded', { recipientId: 'r1', count, messageId: `rem${count}` });
      }
    });
    const out = await appendCertificatePages(await makePdf([[612, 792]]), cert, fonts);
    const count = await pageCount(out);
    expect(count).toBeGreaterThanOrEqual(3);
    const second = await textOf(out, 3);
    expect(second).toContain('Ana Ruiz');
    expect(second).toContain('(continued)');
    expect(second).not.toContain('Envelope ID');
    expect(await textOf(out, count)).toContain('Reminded (90)');
  });

  it('wraps long values inside the margins', async () => {
    const cert = certificateFor(['Ana Ruiz'], (log) => {
      const created = log.events[0]!;
      (created.data as { title: string }).title =
        `Maintenance and support agreement ${'with a very long title '.repeat(12)}end`;
    });
    const out = await appendCertificatePages(await makePdf([[612, 792]]), cert, fonts);
    const text = await textOf(out, 2);
    expect(text).toContain('Maintenance and support agreement');
    expect(text).toContain('title end');
    const png = PNG.sync.read(await renderPage(out, 2, 72));
    expect(darkPixels(png, { x: png.width - 50, y: 0, width: 50, height: png.height })).toBe(0);
  });
});
