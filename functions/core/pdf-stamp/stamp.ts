import fontkit from '@pdf-lib/fontkit';
import {
  concatTransformationMatrix,
  degrees,
  LineCapStyle,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFImage,
  type PDFPage,
} from 'pdf-lib';
import subsetFont from 'subset-font';
import { IncrementalPdf } from '../pdf-seal/incremental';
import { scriptOf, type FontKey, type FontSource } from './fonts';
import { FontBook, planLine, type Run } from './text';

export type { FontKey, FontSource } from './fonts';

/**
 * What the signers put in their fields, drawn into each field's rectangle as one incremental
 * update, so the bytes before it (the uploaded document, earlier stamps or signatures) stay a
 * byte-identical prefix: signature stamps (the drawn or typed signature, the signer's printed
 * name, the time (UTC) and a reference), initials, entered values as plain text, check marks.
 */

export interface Rect {
  /** Points from the left edge of the page as displayed (its CropBox, turned by /Rotate). */
  x: number;
  /** Points from the top edge of the page as displayed: the origin is top-left. */
  y: number;
  width: number;
  height: number;
}

interface Placed {
  /** 1-based page number. */
  page: number;
  rect: Rect;
}

/** A signature field: the signature above a rule, then the name, the time and the reference. */
export interface Stamp extends Placed {
  /** Absent: a signature too. */
  kind?: 'signature';
  signerName: string;
  /** ISO 8601 instant; shown in UTC. */
  signedAt: string;
  /** A short reference that ties the stamp to the audit trail. */
  reference: string;
  /** A drawn signature as PNG bytes. */
  image?: Uint8Array;
  /** A typed signature, drawn in a handwriting-style font. */
  typed?: string;
}

/** Initials filling the box: typed (in the handwriting font) or drawn; no name or time lines. */
export interface InitialsStamp extends Placed {
  kind: 'initials';
  image?: Uint8Array;
  typed?: string;
}

/** A value (text, number, date, a dropdown's choice) as plain text fitted into the box; empty draws nothing. */
export interface ValueStamp extends Placed {
  kind: 'value';
  text: string;
}

/** A check mark drawn with lines when checked; nothing when not. */
export interface CheckboxStamp extends Placed {
  kind: 'checkbox';
  checked: boolean;
}

/** Whatever one field shows. */
export type FieldStamp = Stamp | InitialsStamp | ValueStamp | CheckboxStamp;

const INK = rgb(0.06, 0.13, 0.38);
const TEXT = rgb(0.13, 0.13, 0.13);
const MUTED = rgb(0.38, 0.38, 0.38);
const RULE = rgb(0.7, 0.7, 0.7);
/** Typed text in a font without a handwriting face gets a slant instead. */
const SLANT = degrees(12);

/** "2025-03-01 14:05:09 UTC" */
export function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`invalid signedAt: ${iso}`);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

interface PlannedLine {
  runs: Run[];
}

interface PlannedSignature {
  kind: 'signature';
  stamp: Stamp;
  signature?: PlannedLine;
  name: PlannedLine;
  time: PlannedLine;
  reference: PlannedLine;
}

interface PlannedInitials {
  kind: 'initials';
  stamp: InitialsStamp;
  typed?: PlannedLine;
}

interface PlannedValue {
  kind: 'value';
  stamp: ValueStamp;
  lines: PlannedLine[];
  size: number;
  /** A right-to-left paragraph: its lines are aligned right. */
  rtl: boolean;
}

interface PlannedCheckbox {
  kind: 'checkbox';
  stamp: CheckboxStamp;
}

type PlannedStamp = PlannedSignature | PlannedInitials | PlannedValue | PlannedCheckbox;

function linesOf(p: PlannedStamp): (PlannedLine | undefined)[] {
  switch (p.kind) {
    case 'signature':
      return [p.signature, p.name, p.time, p.reference];
    case 'initials':
      return [p.typed];
    case 'value':
      return p.lines;
    case 'checkbox':
      return [];
  }
}

function validate(stamp: FieldStamp, pageCount: number) {
  if (!Number.isInteger(stamp.page) || stamp.page < 1 || stamp.page > pageCount) {
    throw new Error(`stamp page ${stamp.page} is not in 1..${pageCount}`);
  }
  const { x, y, width, height } = stamp.rect;
  if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) {
    throw new Error('a stamp rectangle needs finite coordinates and a positive size');
  }
  if (
    (stamp.kind === undefined || stamp.kind === 'signature' || stamp.kind === 'initials') &&
    stamp.image &&
    stamp.typed
  )
    throw new Error('a stamp has either an image or typed text, not both');
}

/** Width of a line of runs at `size`. */
function lineWidth(runs: Run[], fonts: Map<FontKey, PDFFont>, size: number): number {
  return runs.reduce((w, run) => w + fonts.get(run.key)!.widthOfTextAtSize(run.text, size), 0);
}

/** Draws runs left to right from the baseline at (x, y). */
function drawLine(
  page: PDFPage,
  runs: Run[],
  fonts: Map<FontKey, PDFFont>,
  at: { x: number; y: number; size: number; color: ReturnType<typeof rgb>; slantNonScript?: boolean },
) {
  let x = at.x;
  for (const run of runs) {
    const font = fonts.get(run.key)!;
    page.drawText(run.text, {
      x,
      y: at.y,
      size: at.size,
      font,
      color: at.color,
      ...(at.slantNonScript && run.key !== 'handwriting' ? { ySkew: SLANT } : {}),
    });
    x += font.widthOfTextAtSize(run.text, at.size);
  }
}

/** The largest size up to `max` at which the line fits `width`. */
function fitSize(runs: Run[], fonts: Map<FontKey, PDFFont>, max: number, width: number): number {
  const w = lineWidth(runs, fonts, max);
  return w <= width || w === 0 ? max : Math.max(1, (max * width) / w);
}

export interface StampOptions {
  /** The words before the time and the reference; English by default. */
  labels?: { signed: string; reference: string };
}

const DEFAULT_LABELS = { signed: 'Signed', reference: 'Ref.' };

/**
 * Draws each stamp on its page and returns the PDF with one incremental update appended.
 * Fonts are subset to the characters used and embedded once per script for all stamps.
 */
export async function stampSignatures(
  pdf: Uint8Array,
  stamps: FieldStamp[],
  fonts: FontSource,
  options: StampOptions = {},
): Promise<Uint8Array> {
  const labels = options.labels ?? DEFAULT_LABELS;
  if (stamps.length === 0) return pdf;
  const incremental = await IncrementalPdf.open(pdf);
  const { doc } = incremental;
  doc.registerFontkit(fontkit);
  const pages = doc.getPages();
  for (const stamp of stamps) validate(stamp, pages.length);

  const book = new FontBook(fonts);
  const planned: PlannedStamp[] = [];
  for (const stamp of stamps) {
    switch (stamp.kind) {
      case undefined:
      case 'signature':
        planned.push({
          kind: 'signature',
          stamp,
          ...(stamp.typed
            ? { signature: { runs: await planLine(stamp.typed, book, { handwriting: true }) } }
            : {}),
          name: { runs: await planLine(stamp.signerName, book) },
          time: { runs: await planLine(`${labels.signed} ${formatUtc(stamp.signedAt)}`, book) },
          reference: { runs: await planLine(`${labels.reference} ${stamp.reference}`, book) },
        });
        break;
      case 'initials':
        planned.push({
          kind: 'initials',
          stamp,
          ...(stamp.typed
            ? { typed: { runs: await planLine(stamp.typed, book, { handwriting: true }) } }
            : {}),
        });
        break;
      case 'value':
        planned.push({ kind: 'value', stamp, ...(await planValue(stamp, book)) });
        break;
      case 'checkbox':
        planned.push({ kind: 'checkbox', stamp });
        break;
    }
  }

  // One subset per font for every character any stamp draws with it.
  const textByFont = new Map<FontKey, Set<string>>();
  for (const p of planned) {
    for (const line of linesOf(p)) {
      for (const run of line?.runs ?? []) {
        const set = textByFont.get(run.key) ?? new Set<string>();
        for (const ch of run.text) set.add(ch);
        textByFont.set(run.key, set);
      }
    }
  }
  const embedded = new Map<FontKey, PDFFont>();
  for (const [key, chars] of textByFont) {
    // harfbuzz subsetting first (keeps the shaping tables Arabic needs); pdf-lib's own
    // subsetting alone garbles the Noto fonts.
    const bytes = await book.load(key);
    // fontverter (inside subset-font) sniffs the format with Buffer methods: hand it a Buffer.
    const font = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const subset = await subsetFont(font, [...chars].join(''), { targetFormat: 'truetype' });
    embedded.set(key, await doc.embedFont(subset, { subset: true }));
  }

  for (const p of planned) {
    const page = pages[p.stamp.page - 1]!;
    const display = displaySpace(page);
    // Everything is drawn in display space.
    page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...display.matrix));
    const rect = displayRect(p.stamp.rect, display.height);
    switch (p.kind) {
      case 'signature': {
        const image = p.stamp.image ? await doc.embedPng(p.stamp.image) : undefined;
        drawSignature(page, rect, p, embedded, image);
        break;
      }
      case 'initials': {
        const image = p.stamp.image ? await doc.embedPng(p.stamp.image) : undefined;
        drawInitials(page, rect, p, embedded, image);
        break;
      }
      case 'value':
        drawValue(page, rect, p, embedded);
        break;
      case 'checkbox':
        if (p.stamp.checked) drawCheck(page, rect);
        break;
    }
    page.pushOperators(popGraphicsState());
  }

  return incremental.save();
}

/**
 * The page as displayed: its size and the matrix from display space (origin at the displayed
 * bottom-left, y up) to user space, for the CropBox origin and a /Rotate of 0, 90, 180 or 270.
 */
type Matrix = [number, number, number, number, number, number];

function displaySpace(page: PDFPage): { width: number; height: number; matrix: Matrix } {
  const box = page.getCropBox();
  const rotation = ((page.getRotation().angle % 360) + 360) % 360;
  const { x: bx, y: by, width: bw, height: bh } = box;
  switch (rotation) {
    case 90:
      return { width: bh, height: bw, matrix: [0, 1, -1, 0, bx + bw, by] };
    case 180:
      return { width: bw, height: bh, matrix: [-1, 0, 0, -1, bx + bw, by + bh] };
    case 270:
      return { width: bh, height: bw, matrix: [0, -1, 1, 0, bx, by + bh] };
    case 0:
      return { width: bw, height: bh, matrix: [1, 0, 0, 1, bx, by] };
    default:
      throw new Error(`unsupported page rotation: ${rotation}`);
  }
}

const PADDING = 0.06;

/** A rectangle in display space: origin at the displayed bottom-left, y up. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function displayRect(rect: Rect, pageHeight: number): Box {
  return { x: rect.x, y: pageHeight - rect.y - rect.height, width: rect.width, height: rect.height };
}

/** The box less a small margin on every side. */
function innerBox(r: Box): Box {
  const pad = Math.min(4, r.height * PADDING, r.width * PADDING);
  return { x: r.x + pad, y: r.y + pad, width: r.width - 2 * pad, height: r.height - 2 * pad };
}

/** The signature stamp's parts: a signature area on top, a rule, three lines of text. */
function layout(r: Box) {
  const inner = innerBox(r);
  // Top 55% for the signature, a rule, then three lines of text.
  const signatureHeight = inner.height * 0.55;
  const textHeight = inner.height - signatureHeight;
  const signature = {
    x: inner.x,
    y: inner.y + textHeight + signatureHeight * 0.08,
    width: inner.width,
    height: signatureHeight * 0.9,
  };
  return { inner, signature, signatureHeight, textHeight };
}

function drawSignature(
  page: PDFPage,
  rect: Box,
  p: PlannedSignature,
  fonts: Map<FontKey, PDFFont>,
  image?: PDFImage,
) {
  const { inner, signature: area, signatureHeight, textHeight } = layout(rect);

  if (image) {
    // Scaled to fit, keeping its aspect ratio, left-aligned and centred vertically.
    const scale = Math.min(area.width / image.width, area.height / image.height);
    const width = image.width * scale;
    const height = image.height * scale;
    page.drawImage(image, { x: area.x, y: area.y + (area.height - height) / 2, width, height });
  }

  if (p.signature && p.signature.runs.length > 0) {
    const size = fitSize(p.signature.runs, fonts, area.height * 0.85, area.width);
    drawLine(page, p.signature.runs, fonts, {
      x: area.x,
      y: area.y + (area.height - size) / 2 + size * 0.22,
      size,
      color: INK,
      slantNonScript: true,
    });
  }

  const ruleY = inner.y + textHeight;
  page.drawLine({
    start: { x: inner.x, y: ruleY },
    end: { x: inner.x + inner.width, y: ruleY },
    thickness: Math.max(0.3, Math.min(0.75, signatureHeight / 60)),
    color: RULE,
  });

  // Name, time and reference: sizes in proportion 1 : 0.72 : 0.72, shrunk to fit the width.
  const unit = textHeight / (1.25 + 0.9 + 0.9);
  const nameSize = fitSize(p.name.runs, fonts, Math.min(11, unit * 1.05), inner.width);
  const smallSize = Math.min(8, unit * 0.72);
  const timeSize = fitSize(p.time.runs, fonts, smallSize, inner.width);
  const refSize = fitSize(p.reference.runs, fonts, smallSize, inner.width);
  let y = ruleY - unit * 1.25 + unit * 0.25;
  drawLine(page, p.name.runs, fonts, { x: inner.x, y, size: nameSize, color: TEXT });
  y -= unit * 0.9;
  drawLine(page, p.time.runs, fonts, { x: inner.x, y, size: timeSize, color: MUTED });
  y -= unit * 0.9;
  drawLine(page, p.reference.runs, fonts, { x: inner.x, y, size: refSize, color: MUTED });
}

/** Initials fill the box, centred: the drawn image at its aspect ratio, or the typed letters. */
function drawInitials(
  page: PDFPage,
  rect: Box,
  p: PlannedInitials,
  fonts: Map<FontKey, PDFFont>,
  image?: PDFImage,
) {
  const area = innerBox(rect);
  if (image) {
    const scale = Math.min(area.width / image.width, area.height / image.height);
    const width = image.width * scale;
    const height = image.height * scale;
    page.drawImage(image, {
      x: area.x + (area.width - width) / 2,
      y: area.y + (area.height - height) / 2,
      width,
      height,
    });
  }
  if (p.typed && p.typed.runs.length > 0) {
    const size = fitSize(p.typed.runs, fonts, area.height * 0.9, area.width);
    const width = lineWidth(p.typed.runs, fonts, size);
    drawLine(page, p.typed.runs, fonts, {
      x: area.x + (area.width - width) / 2,
      // Capitals (about 0.7 of the size) centred in the box.
      y: area.y + area.height / 2 - size * 0.35,
      size,
      color: INK,
      slantNonScript: true,
    });
  }
}

/** Lines of a value from the top of the box, centred as a block; a line that overflows shrinks. */
function drawValue(page: PDFPage, rect: Box, p: PlannedValue, fonts: Map<FontKey, PDFFont>) {
  const area = innerBox(rect);
  const lineHeight = p.size * LINE_HEIGHT;
  let top = area.y + (area.height + p.lines.length * lineHeight) / 2;
  for (const line of p.lines) {
    const size = fitSize(line.runs, fonts, p.size, area.width);
    const width = lineWidth(line.runs, fonts, size);
    top -= lineHeight;
    drawLine(page, line.runs, fonts, {
      x: p.rtl ? area.x + area.width - width : area.x,
      // The baseline sits above the descenders in the line's slot.
      y: top + (lineHeight - size) / 2 + size * 0.22,
      size,
      color: TEXT,
    });
  }
}

/** A check mark of two strokes, centred in the largest square inside the box. */
function drawCheck(page: PDFPage, rect: Box) {
  const area = innerBox(rect);
  const side = Math.min(area.width, area.height);
  const x = area.x + (area.width - side) / 2;
  const y = area.y + (area.height - side) / 2;
  const at = (u: number, v: number) => ({ x: x + u * side, y: y + v * side });
  const stroke = { thickness: Math.max(0.75, side * 0.12), color: TEXT, lineCap: LineCapStyle.Round };
  page.drawLine({ start: at(0.15, 0.5), end: at(0.4, 0.22), ...stroke });
  page.drawLine({ start: at(0.4, 0.22), end: at(0.87, 0.82), ...stroke });
}

/** Points of text size at most for a value, however large its box. */
const MAX_VALUE_SIZE = 12;
/** Below this size a value is no longer wrapped into lines but shrunk onto one. */
const MIN_WRAPPED_SIZE = 5;
const LINE_HEIGHT = 1.2;

/** The width of a text at size 1, as pdf-lib measures it (the sum of the shaped glyphs' advances). */
async function unitWidth(text: string, book: FontBook): Promise<number> {
  let width = 0;
  for (const run of await planLine(text, book)) {
    const font = await book.font(run.key);
    width += font.layout(run.text).glyphs.reduce((w, g) => w + g.advanceWidth, 0) / font.unitsPerEm;
  }
  return width;
}

/**
 * A value's lines and text size: the largest size up to MAX_VALUE_SIZE at which its words,
 * wrapped at spaces (a word wider than the box, such as a run of Han characters, between its
 * characters), fit the box; failing that, one line shrunk to the box's width.
 */
async function planValue(
  stamp: ValueStamp,
  book: FontBook,
): Promise<{ lines: PlannedLine[]; size: number; rtl: boolean }> {
  const area = innerBox(stamp.rect);
  const words = stamp.text.split(/\s+/).filter(Boolean);
  const firstLetter = /\p{L}/u.exec(stamp.text)?.[0];
  const rtl = firstLetter !== undefined && scriptOf(firstLetter.codePointAt(0)!) === 'rtl';
  if (words.length === 0) return { lines: [], size: 0, rtl };
  const widths = await Promise.all(words.map((w) => unitWidth(w, book)));
  const charWidths = new Map<number, number[]>();
  const space = (await unitWidth('a a', book)) - 2 * (await unitWidth('a', book));
  const largest = Math.min(MAX_VALUE_SIZE, area.height / LINE_HEIGHT);
  for (let size = largest; size >= MIN_WRAPPED_SIZE; size *= 0.92) {
    const room = area.width / size;
    const lines: string[] = [];
    let current = '';
    let used = 0;
    const breakLine = () => {
      if (current) lines.push(current);
      current = '';
      used = 0;
    };
    for (const [i, word] of words.entries()) {
      const w = widths[i]!;
      if (w <= room) {
        if (current && used + space + w > room) breakLine();
        used += (current ? space : 0) + w;
        current += (current ? ' ' : '') + word;
        continue;
      }
      // Wider than the box: on lines of its own, broken between characters.
      breakLine();
      const chars = [...word];
      if (!charWidths.has(i)) charWidths.set(i, await Promise.all(chars.map((c) => unitWidth(c, book))));
      chars.forEach((ch, k) => {
        const cw = charWidths.get(i)![k]!;
        if (current && used + cw > room) breakLine();
        used += cw;
        current += ch;
      });
    }
    breakLine();
    if (lines.length * size * LINE_HEIGHT <= area.height) {
      return {
        lines: await Promise.all(lines.map(async (l) => ({ runs: await planLine(l, book) }))),
        size,
        rtl,
      };
    }
  }
  // Too long to wrap legibly: one line, which drawing shrinks to the width.
  return { lines: [{ runs: await planLine(words.join(' '), book) }], size: Math.max(1, largest), rtl };
}
