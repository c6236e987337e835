import fontkit from '@pdf-lib/fontkit';
import {
  concatTransformationMatrix,
  degrees,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  type PDFFont,
  type PDFImage,
  type PDFPage,
} from 'pdf-lib';
import subsetFont from 'subset-font';
import { IncrementalPdf } from '../pdf-seal/incremental';
import type { FontKey, FontSource } from './fonts';
import { FontBook, planLine, type Run } from './text';

export type { FontKey, FontSource } from './fonts';

/**
 * Visible signature stamps: the drawn or typed signature, the signer's printed name, the time
 * (UTC) and a reference, drawn into a field's rectangle as an incremental update, so the bytes
 * before it (the uploaded document, earlier stamps or signatures) stay a byte-identical prefix.
 */

export interface Rect {
  /** Points from the left edge of the page as displayed (its CropBox, turned by /Rotate). */
  x: number;
  /** Points from the top edge of the page as displayed: the origin is top-left. */
  y: number;
  width: number;
  height: number;
}

export interface Stamp {
  /** 1-based page number. */
  page: number;
  rect: Rect;
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

interface PlannedStamp {
  stamp: Stamp;
  signature?: PlannedLine;
  name: PlannedLine;
  time: PlannedLine;
  reference: PlannedLine;
}

function validate(stamp: Stamp, pageCount: number) {
  if (!Number.isInteger(stamp.page) || stamp.page < 1 || stamp.page > pageCount) {
    throw new Error(`stamp page ${stamp.page} is not in 1..${pageCount}`);
  }
  const { x, y, width, height } = stamp.rect;
  if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) {
    throw new Error('a stamp rectangle needs finite coordinates and a positive size');
  }
  if (stamp.image && stamp.typed) throw new Error('a stamp has either an image or typed text, not both');
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
  stamps: Stamp[],
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
    planned.push({
      stamp,
      ...(stamp.typed
        ? { signature: { runs: await planLine(stamp.typed, book, { handwriting: true }) } }
        : {}),
      name: { runs: await planLine(stamp.signerName, book) },
      time: { runs: await planLine(`${labels.signed} ${formatUtc(stamp.signedAt)}`, book) },
      reference: { runs: await planLine(`${labels.reference} ${stamp.reference}`, book) },
    });
  }

  // One subset per font for every character any stamp draws with it.
  const textByFont = new Map<FontKey, Set<string>>();
  for (const p of planned) {
    for (const line of [p.signature, p.name, p.time, p.reference]) {
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
    const image = p.stamp.image ? await doc.embedPng(p.stamp.image) : undefined;
    drawStamp(pages[p.stamp.page - 1]!, p, embedded, image);
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

/** The stamp's parts in display space: a signature area on top, a rule, three lines of text. */
function layout(rect: Rect, pageHeight: number) {
  const r = { x: rect.x, y: pageHeight - rect.y - rect.height, width: rect.width, height: rect.height };
  const pad = Math.min(4, r.height * PADDING, r.width * PADDING);
  const inner = { x: r.x + pad, y: r.y + pad, width: r.width - 2 * pad, height: r.height - 2 * pad };
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

function drawStamp(page: PDFPage, p: PlannedStamp, fonts: Map<FontKey, PDFFont>, image?: PDFImage) {
  const display = displaySpace(page);
  const { inner, signature: area, signatureHeight, textHeight } = layout(p.stamp.rect, display.height);
  // Everything below is drawn in display space.
  page.pushOperators(pushGraphicsState(), concatTransformationMatrix(...display.matrix));

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

  page.pushOperators(popGraphicsState());
}
