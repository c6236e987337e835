import { PDFDocument } from 'pdf-lib';
import { Composer, TEXT, type Piece } from '../completion/pages';
import { ValidationError, type ErrorDetail } from '../errors';
import type { FontSource } from '../pdf-stamp/fonts';
import { drawSlaSchedule } from './sla-schedule';
import type { Box, MergeField, TemplateField, TemplateVersion } from './template';

/**
 * What an envelope made from a template gets of it: its PDF with the merge fields filled in and
 * the SLA schedule generated from its terms, and its fields moved to the pages they land on.
 * Pure over bytes: the caller loads the template's PDF and stores the result.
 */

export type MergeData = Record<string, unknown>;

/** A merge value found at a dotted key: text, a number or a boolean; anything else is refused. */
export function mergeValue(data: MergeData, key: string): string | undefined {
  const at = lookup(data, key);
  if (at === undefined || at === null) return undefined;
  if (typeof at === 'string') return at;
  if (typeof at === 'number' && Number.isFinite(at)) return String(at);
  if (typeof at === 'boolean') return at ? 'Yes' : 'No';
  return undefined;
}

function lookup(data: MergeData, key: string): unknown {
  let at: unknown = data;
  for (const part of key.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** Every merge value the template needs, as text; a ValidationError names each missing or unusable key. */
export function resolveMergeData(
  mergeFields: MergeField[],
  data: MergeData,
  prefix = 'body.mergeData',
): Map<string, string> {
  const values = new Map<string, string>();
  const problems: ErrorDetail[] = [];
  for (const field of mergeFields) {
    if (values.has(field.key)) continue;
    const value = mergeValue(data, field.key);
    const raw = field.key
      .split('.')
      .reduce<unknown>(
        (at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined),
        data,
      );
    if (value === undefined && raw !== undefined && raw !== null) {
      problems.push({ path: `${prefix}.${field.key}`, message: 'must be text, a number or true/false' });
    } else if (value === undefined || value.trim() === '') {
      if (field.required)
        problems.push({ path: `${prefix}.${field.key}`, message: 'required by the template' });
    } else if (value.length > 500) {
      problems.push({ path: `${prefix}.${field.key}`, message: 'must be at most 500 characters' });
    } else {
      values.set(field.key, value.replace(/\s+/g, ' ').trim());
    }
  }
  if (problems.length > 0) {
    throw new ValidationError(
      `the merge data does not fill the template: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return values;
}

export interface Instantiated {
  pdf: Uint8Array;
  /** The template's signer fields on the pages of the new PDF. */
  fields: TemplateField[];
  /** 1-based pages of the SLA schedule in the new PDF, when the template has terms. */
  schedulePages?: { first: number; count: number };
}

/**
 * Fills the merge fields into the template's PDF, then inserts the SLA schedule after
 * `scheduleAfterPage` (or appends it); fields on later pages move down by the schedule's pages.
 */
export async function instantiateTemplate(
  templatePdf: Uint8Array,
  version: TemplateVersion,
  values: Map<string, string>,
  fonts: FontSource,
): Promise<Instantiated> {
  const doc = await PDFDocument.load(templatePdf, { updateMetadata: false });
  await fillMergeFields(doc, version.mergeFields, values, fonts);

  let schedulePages: Instantiated['schedulePages'];
  let shift = (box: Box) => box.page;
  if (version.slaTerms) {
    const after = version.scheduleAfterPage ?? doc.getPageCount();
    const { firstPage, pageCount } = await drawSlaSchedule(doc, version.slaTerms, { at: after, fonts });
    schedulePages = { first: firstPage + 1, count: pageCount };
    shift = (box) => (box.page > after ? box.page + pageCount : box.page);
  }
  const fields = version.fields.map((f) => ({ ...f, page: shift(f) }));
  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, fields, ...(schedulePages ? { schedulePages } : {}) };
}

const DEFAULT_SIZE = 11;
const MIN_SIZE = 5;

/** Each value on one line in its box: at the field's size, smaller when it would not fit. */
async function fillMergeFields(
  doc: PDFDocument,
  mergeFields: MergeField[],
  values: Map<string, string>,
  fonts: FontSource,
): Promise<void> {
  const placed: { field: MergeField; piece: Piece }[] = [];
  const c = await Composer.create(doc, fonts);
  for (const field of mergeFields) {
    const value = values.get(field.key);
    if (value === undefined) continue;
    const wanted = Math.min(field.fontSize ?? DEFAULT_SIZE, field.height * 0.8);
    let piece = await c.line(value, 'text', wanted, TEXT);
    if (piece.width > field.width) {
      const size = Math.max(MIN_SIZE, (wanted * field.width) / piece.width);
      piece = await c.line(value, 'text', size, TEXT);
    }
    c.use(piece);
    placed.push({ field, piece });
  }
  await c.embed();
  const pages = doc.getPages();
  for (const { field, piece } of placed) {
    const page = pages[field.page - 1]!;
    const { height } = page.getSize();
    const { y: originY, x: originX } = page.getCropBox();
    // Boxes are measured from the top-left corner; the baseline sits a little above the box's bottom.
    const bottom = originY + height - field.y - field.height;
    const baseline = bottom + (field.height - piece.size) / 2 + piece.size * 0.2;
    c.draw(page, piece, originX + field.x, baseline);
  }
}
