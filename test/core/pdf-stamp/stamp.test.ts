import { deflateSync } from 'node:zlib';
import { PDFDocument, degrees } from 'pdf-lib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { sealPdf } from '../../../functions/core/pdf-seal/seal';
import type { FontKey, FontSource } from '../../../functions/core/pdf-stamp/fonts';
import { stampSignatures, type Stamp } from '../../../functions/core/pdf-stamp/stamp';
import { FontBook, planLine } from '../../../functions/core/pdf-stamp/text';
import { makePdf } from '../../support/pdf';
import { pageText, pdfsig, renderPage } from '../../support/pdfsig';
import { keyDir, makeSealKit, type SealKit } from '../pdf-seal/fixtures';

const DPI = 100;
const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length >= prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

/** A drawn signature: a dark blue wave on a transparent background, as a signing pad sends it. */
function wavePng(width = 300, height = 100): Uint8Array {
  const png = new PNG({ width, height });
  for (let x = 0; x < width; x++) {
    const y = Math.round(height / 2 + (height / 3) * Math.sin(x / 18));
    for (let dy = -2; dy <= 2; dy++) {
      const i = ((y + dy) * width + x) * 4;
      png.data[i] = 10;
      png.data[i + 1] = 20;
      png.data[i + 2] = 90;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A PNG written by hand with node:zlib (8-bit grayscale): the encoder does not matter. */
function handmadePng(width: number, height: number, pixel: (x: number, y: number) => number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // grayscale
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = pixel(x, y);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Dark pixels (luminance below 160) inside a rectangle given in points from the top-left. */
function darkPixels(png: PNG, rect: { x: number; y: number; width: number; height: number }): number {
  const scale = DPI / 72;
  const x0 = Math.floor(rect.x * scale);
  const y0 = Math.floor(rect.y * scale);
  const x1 = Math.min(png.width, Math.ceil((rect.x + rect.width) * scale));
  const y1 = Math.min(png.height, Math.ceil((rect.y + rect.height) * scale));
  let dark = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * 4;
      const lum = 0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]!;
      if (lum < 160) dark++;
    }
  }
  return dark;
}

const SEVEN = [
  { script: 'Latin', name: 'José Ñúñez' },
  { script: 'Han', name: '王小明' },
  { script: 'Arabic', name: 'محمد علي' },
  { script: 'Cyrillic', name: 'Дмитрий Иванов' },
  { script: 'Greek', name: 'Γιώργος Παπαδόπουλος' },
  { script: 'Japanese', name: '山田 はなこ' },
  { script: 'Hangul', name: '김민준' },
];

const grid = (i: number) => ({
  x: 40 + (i % 2) * 280,
  y: 90 + Math.floor(i / 2) * 160,
  width: 250,
  height: 110,
});

/** Counts which fonts were asked for. */
class CountingFontSource implements FontSource {
  readonly loads: FontKey[] = [];
  constructor(private readonly inner: FontSource) {}
  load(key: FontKey) {
    this.loads.push(key);
    return this.inner.load(key);
  }
}

describe('stampSignatures', () => {
  const fonts = new NodeFontSource();
  let keys: Awaited<ReturnType<typeof keyDir>>;
  let kit: SealKit;
  let pdf: Uint8Array;
  let stamps: Stamp[];
  let stamped: Uint8Array;
  let page: PNG;

  beforeAll(async () => {
    keys = await keyDir();
    kit = await makeSealKit(keys);
    pdf = await makePdf([
      [612, 792],
      [612, 792],
    ]);
    stamps = SEVEN.map(({ name }, i) => ({
      page: 1,
      rect: grid(i),
      signerName: name,
      signedAt: '2026-03-01T14:05:09.123Z',
      reference: `CS-7F3A-${i + 1}`,
      ...(i === 0 ? { image: wavePng() } : i % 2 ? { typed: name } : {}),
    }));
    stamps.push({
      page: 1,
      rect: grid(7),
      signerName: "Sarah O'Brien",
      signedAt: '2026-03-01T14:06:00Z',
      reference: 'CS-7F3A-8',
      typed: "Sarah O'Brien",
    });
    stamps.push({
      page: 2,
      rect: { x: 300, y: 600, width: 200, height: 80 },
      signerName: 'Ana Lima',
      signedAt: '2026-03-01T14:07:00Z',
      reference: 'CS-7F3A-9',
      image: handmadePng(120, 40, (x, y) =>
        Math.abs(y - 20 - Math.round(12 * Math.sin(x / 8))) < 3 ? 0 : 255,
      ),
    });
    stamped = await stampSignatures(pdf, stamps, fonts);
    page = PNG.sync.read(await renderPage(stamped, 1, DPI));
  });

  afterAll(async () => keys?.cleanup());

  it('appends an incremental update: the original bytes are an exact prefix', () => {
    expect(isPrefix(pdf, stamped)).toBe(true);
    expect(Buffer.from(stamped.subarray(pdf.length)).toString('latin1')).toMatch(/\/Prev \d+/);
  });

  it('draws ink in every stamp: the signature area and the text area', async () => {
    for (const stamp of stamps.filter((s) => s.page === 1)) {
      const { x, y, width, height } = stamp.rect;
      const signature = darkPixels(page, { x, y, width, height: height * 0.5 });
      const text = darkPixels(page, { x, y: y + height * 0.6, width, height: height * 0.4 });
      if (stamp.image || stamp.typed) expect(signature, `${stamp.signerName} signature`).toBeGreaterThan(150);
      else expect(signature, `${stamp.signerName} has no signature image`).toBe(0);
      expect(text, `${stamp.signerName} text`).toBeGreaterThan(150);
    }
    // Between the stamps the page stays blank.
    expect(darkPixels(page, { x: 300, y: 90, width: 15, height: 600 })).toBe(0);
    const second = PNG.sync.read(await renderPage(stamped, 2, DPI));
    expect(darkPixels(second, { x: 300, y: 600, width: 200, height: 40 })).toBeGreaterThan(100);
  });

  it('writes the names with real glyphs in every script (their text extracts back)', async () => {
    const text = (await pageText(stamped, 1)).replace(/[\u202a-\u202e]/g, '');
    for (const { name } of SEVEN) expect(text).toContain(name);
    expect(text).toContain('Signed 2026-03-01 14:05:09 UTC');
    expect(text).toContain('Ref. CS-7F3A-3');
    expect(text).toContain("Sarah O'Brien");
  });

  it('loads the large CJK fonts only when a name needs them', async () => {
    const counting = new CountingFontSource(fonts);
    await stampSignatures(pdf, [{ ...stamps[0]!, image: undefined, typed: undefined }], counting);
    expect(counting.loads).toEqual(['latin']);
  });

  it('keeps seven names in seven scripts small', async () => {
    const plain = SEVEN.map(({ name }, i) => ({
      page: 1,
      rect: grid(i),
      signerName: name,
      signedAt: '2026-03-01T14:05:09Z',
      reference: `CS-${i}`,
    }));
    const out = await stampSignatures(pdf, plain, fonts);
    const added = out.length - pdf.length;
    console.log(`seven names in seven scripts add ${added} bytes`);
    expect(added).toBeLessThan(40_000);
  });

  it('can be sealed afterwards, and a seal before stamping stays valid', async () => {
    const sealed = await sealPdf(stamped, {
      signer: kit.seal,
      chain: kit.chain,
      reason: 'Completed',
      name: 'Countersign',
      signedAt: new Date('2026-03-01T15:00:00Z'),
      fieldName: 'Seal',
    });
    expect(isPrefix(stamped, sealed)).toBe(true);
    expect((await pdfsig(sealed, { noCert: true })).signatures.map((s) => s.validation)).toEqual([
      'Signature is Valid.',
    ]);

    const restamped = await stampSignatures(sealed, [{ ...stamps[1]!, page: 2, rect: grid(5) }], fonts);
    expect(isPrefix(sealed, restamped)).toBe(true);
    const { signatures } = await pdfsig(restamped, { noCert: true });
    expect(signatures[0]).toMatchObject({ validation: 'Signature is Valid.', totalDocumentSigned: false });
  });

  it('stamps a classic-xref PDF and a page whose crop box is offset', async () => {
    const doc = await PDFDocument.create();
    const p = doc.addPage([700, 900]);
    p.setCropBox(50, 60, 612, 792);
    const classic = await doc.save({ useObjectStreams: false });
    const rect = { x: 20, y: 20, width: 200, height: 80 };
    const out = await stampSignatures(
      classic,
      [
        {
          page: 1,
          rect,
          signerName: 'Zoë Brontë',
          signedAt: '2026-01-01T00:00:00Z',
          reference: 'R-1',
          typed: 'Zoë',
        },
      ],
      fonts,
    );
    expect(isPrefix(classic, out)).toBe(true);
    expect(Buffer.from(out.subarray(classic.length)).toString('latin1')).toMatch(/\nxref\n[\s\S]*trailer/);
    // pdftoppm renders the crop box, so the stamp is at its top-left corner.
    const png = PNG.sync.read(await renderPage(out, 1, DPI));
    expect(darkPixels(png, rect)).toBeGreaterThan(150);
    expect(darkPixels(png, { x: 300, y: 300, width: 200, height: 200 })).toBe(0);
  });

  it('places stamps on rotated pages by the page as displayed', async () => {
    const doc = await PDFDocument.create();
    for (const angle of [90, 180, 270]) doc.addPage([612, 792]).setRotation(degrees(angle));
    const rotated = await doc.save();
    const rect = { x: 30, y: 40, width: 220, height: 90 };
    const out = await stampSignatures(
      rotated,
      [1, 2, 3].map((n) => ({
        page: n,
        rect,
        signerName: `Page ${n} Signer`,
        signedAt: '2026-01-01T00:00:00Z',
        reference: `R-${n}`,
        typed: 'Ana Lima',
      })),
      fonts,
    );
    for (const n of [1, 2, 3]) {
      const png = PNG.sync.read(await renderPage(out, n, DPI));
      // Displayed upright: the signature in the top part of the rect, the text below it.
      expect(darkPixels(png, { ...rect, height: rect.height / 2 }), `page ${n} signature`).toBeGreaterThan(
        150,
      );
      expect(
        darkPixels(png, { ...rect, y: rect.y + rect.height * 0.6, height: rect.height * 0.4 }),
      ).toBeGreaterThan(150);
      expect(darkPixels(png, { x: 300, y: 300, width: 200, height: 200 }), `page ${n} elsewhere`).toBe(0);
      expect(await pageText(out, n)).toContain(`Page ${n} Signer`);
    }
  });

  it('refuses a page that does not exist and an image together with typed text', async () => {
    const base = stamps[1]!;
    await expect(stampSignatures(pdf, [{ ...base, page: 3 }], fonts)).rejects.toThrow(
      /page 3 is not in 1..2/,
    );
    await expect(stampSignatures(pdf, [{ ...base, image: wavePng() }], fonts)).rejects.toThrow(
      /either an image/,
    );
    await expect(stampSignatures(pdf, [{ ...base, signedAt: 'yesterday' }], fonts)).rejects.toThrow(
      /signedAt/,
    );
  });

  it('takes other labels for the time and the reference', async () => {
    const out = await stampSignatures(pdf, [{ ...stamps[1]! }], fonts, {
      labels: { signed: 'Подписано', reference: 'Réf.' },
    });
    const text = await pageText(out, 1);
    expect(text).toContain('Подписано 2026-03-01 14:05:09 UTC');
    expect(text).toContain('Réf. CS-7F3A-2');
  });

  it('returns the input unchanged when there is nothing to stamp', async () => {
    expect(await stampSignatures(pdf, [], fonts)).toBe(pdf);
  });
});

describe('planLine (fonts per script, bidi order)', () => {
  const book = new FontBook(new NodeFontSource());

  it('keeps a Latin line in one run of the Latin font', async () => {
    expect(await planLine('José Ñúñez', book)).toEqual([{ text: 'José Ñúñez', key: 'latin', rtl: false }]);
  });

  it('puts an Arabic name in one right-to-left run that fontkit shapes and orders', async () => {
    expect(await planLine('محمد علي', book)).toEqual([{ text: 'محمد علي', key: 'arabic', rtl: true }]);
  });

  it('orders mixed-direction runs visually', async () => {
    const runs = await planLine('محمد Smith', book);
    // Right-to-left paragraph: the Latin word comes first from the left.
    expect(runs.map((r) => [r.text.trim(), r.key])).toEqual([
      ['Smith', 'latin'],
      ['محمد', 'arabic'],
    ]);
    // Digits after Arabic letters are Arabic numbers (UAX #9, W2): they stay in the
    // right-to-left part, left of the Arabic word.
    const ltr = await planLine('Smith محمد 42', book);
    expect(ltr.map((r) => [r.text.trim(), r.key])).toEqual([
      ['Smith', 'latin'],
      ['42', 'latin'],
      ['محمد', 'arabic'],
    ]);
  });

  it('chooses the CJK font by the kana or Hangul in the text', async () => {
    expect((await planLine('王小明', book)).map((r) => r.key)).toEqual(['cjk-sc']);
    expect((await planLine('山田 はなこ', book)).map((r) => r.key)).toEqual(['cjk-jp']);
    expect((await planLine('김민준', book)).map((r) => r.key)).toEqual(['cjk-kr']);
  });

  it('uses the handwriting font for Latin letters of a typed signature', async () => {
    expect((await planLine('Ana Lima', book, { handwriting: true })).map((r) => r.key)).toEqual([
      'handwriting',
    ]);
    expect((await planLine('Ана', book, { handwriting: true })).map((r) => r.key)).toEqual(['latin']);
  });

  it('draws Hebrew with DejaVu Sans and drops invisible format characters', async () => {
    expect(await planLine('שלום\u200f', book)).toEqual([{ text: 'שלום', key: 'arabic', rtl: true }]);
  });
});
