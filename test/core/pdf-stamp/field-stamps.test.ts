import { PDFDocument, degrees } from 'pdf-lib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { stampSignatures, type FieldStamp, type Rect } from '../../../functions/core/pdf-stamp/stamp';
import { makePdf } from '../../support/pdf';
import { pageText, renderPage } from '../../support/pdfsig';

/** At 72 dpi one pixel is one point: a field's rectangle is its pixels. */
const DPI = 72;

const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length >= prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

/** Pixels with a luminance below 160 inside a rectangle (points from the top-left). */
function darkPixels(png: PNG, rect: Rect): number {
  let dark = 0;
  for (const [x, y] of pixelsOf(png, rect)) {
    const i = (y * png.width + x) * 4;
    const lum = 0.299 * png.data[i]! + 0.587 * png.data[i + 1]! + 0.114 * png.data[i + 2]!;
    if (lum < 160) dark++;
  }
  return dark;
}

function* pixelsOf(png: PNG, rect: Rect): Generator<[number, number]> {
  const x1 = Math.min(png.width, Math.ceil(rect.x + rect.width));
  const y1 = Math.min(png.height, Math.ceil(rect.y + rect.height));
  for (let y = Math.max(0, Math.floor(rect.y)); y < y1; y++) {
    for (let x = Math.max(0, Math.floor(rect.x)); x < x1; x++) yield [x, y];
  }
}

/** The smallest rectangle holding every dark pixel of `rect`; null when there is none. */
function inkBounds(png: PNG, rect: Rect): Rect | null {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of pixelsOf(png, rect)) {
    if (darkPixels(png, { x, y, width: 1, height: 1 }) === 0) continue;
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  }
  return x1 < x0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** The ring of `margin` points around a rectangle, as four rectangles. */
const around = (r: Rect, margin = 6): Rect[] => [
  { x: r.x - margin, y: r.y - margin, width: r.width + 2 * margin, height: margin },
  { x: r.x - margin, y: r.y + r.height, width: r.width + 2 * margin, height: margin },
  { x: r.x - margin, y: r.y, width: margin, height: r.height },
  { x: r.x + r.width, y: r.y, width: margin, height: r.height },
];

/** Drawn initials: two dark strokes crossing on a transparent background. */
function initialsPng(width = 120, height = 80): Uint8Array {
  const png = new PNG({ width, height });
  for (let x = 0; x < width; x++) {
    for (const y of [
      Math.round((x * (height - 1)) / width),
      Math.round(height - 1 - (x * (height - 1)) / width),
    ]) {
      for (let dy = -2; dy <= 2; dy++) {
        const yy = Math.min(height - 1, Math.max(0, y + dy));
        const i = (yy * width + x) * 4;
        png.data.set([20, 30, 100, 255], i);
      }
    }
  }
  return PNG.sync.write(png);
}

const LONG =
  'Support covers the hosted ticketing platform, its integrations with the customer mail servers, ' +
  'and the nightly exports to the data warehouse, during business hours in the customer time zone.';

/** One field of every kind on page 1 of a Letter page, each with its own rectangle. */
const FIELDS = {
  signature: { x: 40, y: 80, width: 240, height: 90 },
  typedInitials: { x: 320, y: 80, width: 70, height: 36 },
  drawnInitials: { x: 420, y: 80, width: 70, height: 36 },
  text: { x: 40, y: 200, width: 220, height: 20 },
  number: { x: 300, y: 200, width: 100, height: 20 },
  date: { x: 420, y: 200, width: 100, height: 20 },
  dropdown: { x: 40, y: 240, width: 160, height: 20 },
  dateSigned: { x: 240, y: 240, width: 100, height: 20 },
  scripts: { x: 360, y: 240, width: 200, height: 24 },
  long: { x: 40, y: 290, width: 240, height: 80 },
  checked: { x: 320, y: 300, width: 18, height: 18 },
  unchecked: { x: 360, y: 300, width: 18, height: 18 },
  empty: { x: 400, y: 300, width: 120, height: 20 },
  cjk: { x: 320, y: 340, width: 100, height: 40 },
  overflow: { x: 40, y: 400, width: 90, height: 14 },
} satisfies Record<string, Rect>;

const VALUES = {
  text: 'Acme Support Ltd.',
  number: '1250.5',
  date: '2026-04-01',
  dropdown: 'Premium 24/7',
  dateSigned: '2026-03-01',
  scripts: 'Zoë 王小明 محمد',
  cjk: '本合同自双方签字之日起生效有效期一年',
  overflow: 'a-value-far-too-long-for-its-little-box-0123456789',
};

describe('stampSignatures: a stamp for every kind of field', () => {
  const fonts = new NodeFontSource();
  let pdf: Uint8Array;
  let stamped: Uint8Array;
  let page: PNG;
  let text: string;

  beforeAll(async () => {
    pdf = await makePdf([[612, 792]]);
    const at = (rect: Rect) => ({ page: 1, rect });
    const stamps: FieldStamp[] = [
      {
        ...at(FIELDS.signature),
        signerName: 'Ada Buyer',
        signedAt: '2026-03-01T14:05:09Z',
        reference: 'CS-1/r1',
        typed: 'Ada Buyer',
      },
      { ...at(FIELDS.typedInitials), kind: 'initials', typed: 'AB' },
      { ...at(FIELDS.drawnInitials), kind: 'initials', image: initialsPng() },
      { ...at(FIELDS.text), kind: 'value', text: VALUES.text },
      { ...at(FIELDS.number), kind: 'value', text: VALUES.number },
      { ...at(FIELDS.date), kind: 'value', text: VALUES.date },
      { ...at(FIELDS.dropdown), kind: 'value', text: VALUES.dropdown },
      { ...at(FIELDS.dateSigned), kind: 'value', text: VALUES.dateSigned },
      { ...at(FIELDS.scripts), kind: 'value', text: VALUES.scripts },
      { ...at(FIELDS.long), kind: 'value', text: LONG },
      { ...at(FIELDS.checked), kind: 'checkbox', checked: true },
      { ...at(FIELDS.unchecked), kind: 'checkbox', checked: false },
      { ...at(FIELDS.empty), kind: 'value', text: '' },
      { ...at(FIELDS.cjk), kind: 'value', text: VALUES.cjk },
      { ...at(FIELDS.overflow), kind: 'value', text: VALUES.overflow },
    ];
    stamped = await stampSignatures(pdf, stamps, fonts);
    page = PNG.sync.read(await renderPage(stamped, 1, DPI));
    text = (await pageText(stamped, 1)).replace(/[\u202a-\u202e]/g, '');
  });

  it('is one incremental update: the original bytes are an exact prefix', () => {
    expect(isPrefix(pdf, stamped)).toBe(true);
    expect(Buffer.from(stamped.subarray(pdf.length)).toString('latin1')).toMatch(/\/Prev \d+/);
  });

  it('inks every filled field inside its box, and nothing around it', () => {
    const filled = Object.entries(FIELDS).filter(([name]) => !['unchecked', 'empty'].includes(name));
    for (const [name, rect] of filled) {
      // The overflowing value is shrunk to a few points: little ink, but inside its box.
      expect(darkPixels(page, rect), name).toBeGreaterThan(name === 'overflow' ? 10 : 30);
      for (const [i, side] of around(rect).entries())
        expect(darkPixels(page, side), `${name} side ${i}`).toBe(0);
    }
  });

  it('draws nothing for an unchecked box or an empty value', () => {
    expect(darkPixels(page, FIELDS.unchecked)).toBe(0);
    expect(darkPixels(page, FIELDS.empty)).toBe(0);
  });

  it('writes the values as text that extracts back, in any script', () => {
    for (const [name, value] of Object.entries(VALUES)) {
      if (name === 'scripts' || name === 'cjk') continue;
      expect(text, name).toContain(value);
    }
    for (const word of ['Zoë', '王小明', 'محمد']) expect(text).toContain(word);
    // The long value wraps onto several lines: every word is there.
    const words = text.split(/\s+/);
    for (const word of LONG.split(' ')) expect(words, word).toContain(word);
    expect(text).toContain('AB');
  });

  it('wraps a long value over the box rather than shrinking it onto one line', () => {
    const ink = inkBounds(page, FIELDS.long)!;
    expect(ink.height).toBeGreaterThan(FIELDS.long.height * 0.6);
    expect(ink.width).toBeGreaterThan(FIELDS.long.width * 0.8);
  });

  it('breaks a run of Han characters, which has no spaces, between characters', () => {
    const ink = inkBounds(page, FIELDS.cjk)!;
    expect(ink.height).toBeGreaterThan(FIELDS.cjk.height * 0.5);
    expect(text.replace(/\s+/g, '')).toContain(VALUES.cjk);
  });

  it('fills the box with initials, typed or drawn, without name or time lines', () => {
    for (const name of ['typedInitials', 'drawnInitials'] as const) {
      const rect = FIELDS[name];
      const ink = inkBounds(page, rect)!;
      expect(ink.height, name).toBeGreaterThan(rect.height * 0.5);
    }
    // A signature stamp writes "Signed <time>"; initials write only the letters.
    expect(text.match(/Signed /g)).toHaveLength(1);
  });

  it('draws the check mark with lines across most of the box', () => {
    const ink = inkBounds(page, FIELDS.checked)!;
    expect(ink.width).toBeGreaterThan(FIELDS.checked.width * 0.6);
    expect(ink.height).toBeGreaterThan(FIELDS.checked.height * 0.5);
  });

  it('places values and check marks by the page as displayed on a rotated page', async () => {
    const doc = await PDFDocument.create();
    doc.addPage([612, 792]).setRotation(degrees(90));
    const rotated = await doc.save();
    const value = { x: 30, y: 40, width: 200, height: 22 };
    const box = { x: 300, y: 40, width: 20, height: 20 };
    const out = await stampSignatures(
      rotated,
      [
        { page: 1, rect: value, kind: 'value', text: 'Rotated value' },
        { page: 1, rect: box, kind: 'checkbox', checked: true },
      ],
      fonts,
    );
    const png = PNG.sync.read(await renderPage(out, 1, DPI));
    expect(darkPixels(png, value)).toBeGreaterThan(30);
    expect(darkPixels(png, box)).toBeGreaterThan(20);
    for (const side of [...around(value), ...around(box)]) expect(darkPixels(png, side)).toBe(0);
    expect(await pageText(out, 1)).toContain('Rotated value');
  });

  it('refuses initials with both an image and typed letters', async () => {
    await expect(
      stampSignatures(
        pdf,
        [{ page: 1, rect: FIELDS.typedInitials, kind: 'initials', typed: 'AB', image: initialsPng() }],
        fonts,
      ),
    ).rejects.toThrow(/either an image/);
  });
});
