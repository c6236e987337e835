/**
 * The checks the server makes on the values a signer enters, made here first (with the server's
 * own rules, functions/core/field-values.ts) so that the page can say what is wrong next to the
 * field before anything is sent. The server stays the authority: its answer (400 with details by
 * field) is shown the same way.
 *
 * Pure functions with no DOM, so they can be checked on their own.
 */

import { isValueField, valueProblem } from '../../functions/core/field-values';
import type { SigningField } from './types';

export { initialsOf, isValueField } from '../../functions/core/field-values';

/** Characters of a typed signature, and of typed initials, at most. */
export const MAX_SIGNATURE_TEXT = 100;
export const MAX_INITIALS_TEXT = 20;

/** What the signer has entered: text as typed, a checkbox as checked or not. */
export type RawValue = string | boolean;

/**
 * A problem, by message key (`check.` and the kind of problem of field-values.ts) and its
 * parameters: the caller words it in the page's language.
 */
export type Problem =
  | { key: 'check.required' | 'check.requiredBox' | 'check.text' | 'check.pattern' }
  | { key: 'check.number' | 'check.date' | 'check.option' }
  | { key: 'check.tooLong'; max: number; length: number }
  | { key: 'check.tooShort'; min: number; length: number }
  | { key: 'check.numberMin'; min: number }
  | { key: 'check.numberMax'; max: number }
  | { key: 'check.dateMin'; min: string }
  | { key: 'check.dateMax'; max: string };

/**
 * A number from what the signer typed: digits with a decimal point, or a decimal comma. A comma
 * followed by exactly three digits ("1,000") could be a thousands separator, so it is refused
 * rather than guessed.
 */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$/.test(trimmed)) return undefined;
  if (/,\d{3}(?!\d)/.test(trimmed)) return undefined;
  const value = Number(trimmed.replace(',', '.'));
  return Number.isFinite(value) ? value : undefined;
}

/** Whether the field has no value yet: empty text, or an unchecked box. */
export function isEmpty(f: Pick<SigningField, 'type'>, raw: RawValue | undefined): boolean {
  if (raw === undefined) return true;
  if (f.type === 'checkbox') return raw !== true;
  return typeof raw !== 'string' || raw.trim() === '';
}

/** The value sent for a field, or undefined when nothing is sent for it. */
export function valueOf(f: SigningField, raw: RawValue | undefined): string | number | boolean | undefined {
  if (f.type === 'checkbox') return raw === true;
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  if (f.type === 'number') return parseNumber(raw) ?? raw.trim();
  return raw.trim();
}

/** What is wrong with what the signer entered in `f`, or null when it fits (as the server checks it). */
export function checkField(f: SigningField, raw: RawValue | undefined): Problem | null {
  if (isEmpty(f, raw)) {
    if (!f.required) return null;
    return { key: f.type === 'checkbox' ? 'check.requiredBox' : 'check.required' };
  }
  // A value as it is sent (a number parsed), checked as the server checks it. A checkbox that is
  // not empty is checked: it has no problem of its own.
  const problem = valueProblem(f, valueOf(f, raw)!);
  if (problem === null) return null;
  const { kind, ...params } = problem;
  return { key: `check.${kind}`, ...params } as Problem;
}

/** The `fields` of a sign request: a value for every value field that has one (a checkbox always). */
export function fieldValues(
  fields: SigningField[],
  raw: Record<string, RawValue>,
): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const f of fields) {
    if (!isValueField(f)) continue;
    const value = valueOf(f, raw[f.id]);
    if (value !== undefined) out[f.id] = value;
  }
  return out;
}

/** The field id a server detail path names (`body.fields.<id>`), if any. */
export function fieldOfPath(path: string): string | undefined {
  const m = /^body\.fields\.(.+)$/.exec(path);
  return m?.[1];
}

/** Fields in reading order: document, page, top to bottom, left to right. */
export function readingOrder(fields: SigningField[], documentOrder: string[]): SigningField[] {
  const docIndex = (id: string) => {
    const i = documentOrder.indexOf(id);
    return i < 0 ? documentOrder.length : i;
  };
  return [...fields].sort(
    (a, b) =>
      docIndex(a.documentId) - docIndex(b.documentId) ||
      a.page - b.page ||
      // Boxes on about the same line read left to right.
      (Math.abs(a.y - b.y) > Math.min(a.height, b.height) / 2 ? a.y - b.y : a.x - b.x),
  );
}
