/**
 * The checks the server makes on the values a signer enters, made here first so that the page can
 * say what is wrong next to the field before anything is sent. The server stays the authority: its
 * answer (400 with details by field) is shown the same way.
 *
 * Pure functions with no DOM, so they can be checked on their own.
 */

import type { SigningField } from './types';

/** The field types whose value the signer enters; the others are filled by the act of signing. */
export const VALUE_TYPES: readonly SigningField['type'][] = [
  'text',
  'number',
  'date',
  'checkbox',
  'dropdown',
];

/** Characters a text field holds at most (the server's limit). */
export const MAX_TEXT_VALUE = 1000;
/** Characters of a typed signature, and of typed initials, at most. */
export const MAX_SIGNATURE_TEXT = 100;
export const MAX_INITIALS_TEXT = 20;

/** What the signer has entered: text as typed, a checkbox as checked or not. */
export type RawValue = string | boolean;

/** A problem, by message key and its parameters: the caller words it in the page's language. */
export type Problem =
  | { key: 'check.required' | 'check.requiredBox' | 'check.text' | 'check.pattern' }
  | { key: 'check.number' | 'check.date' | 'check.option' }
  | { key: 'check.tooLong'; max: number; length: number }
  | { key: 'check.tooShort'; min: number; length: number }
  | { key: 'check.numberMin'; min: number }
  | { key: 'check.numberMax'; max: number }
  | { key: 'check.dateMin'; min: string }
  | { key: 'check.dateMax'; max: string };

export const isValueField = (f: Pick<SigningField, 'type'>) => VALUE_TYPES.includes(f.type);

export function isIsoDate(x: unknown): x is string {
  const m = typeof x === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(x) : null;
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === x;
}

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
  const v = f.validation ?? {};
  const value = typeof raw === 'string' ? raw.trim() : raw;
  switch (f.type) {
    case 'text': {
      if (typeof value !== 'string') return { key: 'check.text' };
      const length = [...value].length;
      if (length > MAX_TEXT_VALUE) return { key: 'check.tooLong', max: MAX_TEXT_VALUE, length };
      if (typeof v.min === 'number' && length < v.min) return { key: 'check.tooShort', min: v.min, length };
      if (typeof v.max === 'number' && length > v.max) return { key: 'check.tooLong', max: v.max, length };
      if (v.pattern !== undefined) {
        let pattern: RegExp | undefined;
        try {
          pattern = new RegExp(`^(?:${v.pattern})$`, 'u');
        } catch {
          // The server lets a pattern that does not compile constrain nothing; so does the page.
        }
        if (pattern && !pattern.test(value)) return { key: 'check.pattern' };
      }
      return null;
    }
    case 'number': {
      const n = typeof value === 'string' ? parseNumber(value) : undefined;
      if (n === undefined) return { key: 'check.number' };
      if (typeof v.min === 'number' && n < v.min) return { key: 'check.numberMin', min: v.min };
      if (typeof v.max === 'number' && n > v.max) return { key: 'check.numberMax', max: v.max };
      return null;
    }
    case 'date':
      if (!isIsoDate(value)) return { key: 'check.date' };
      if (isIsoDate(v.min) && value < v.min) return { key: 'check.dateMin', min: v.min };
      if (isIsoDate(v.max) && value > v.max) return { key: 'check.dateMax', max: v.max };
      return null;
    case 'checkbox':
      return null;
    case 'dropdown':
      return typeof value === 'string' && (v.options ?? []).includes(value) ? null : { key: 'check.option' };
    default:
      return null;
  }
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

/** Initials from a name, as the server makes them: the first letter of each word, at most three. */
export function initialsOf(name: string): string {
  const letters = name
    .trim()
    .split(/\s+/)
    .map((word) => [...word].find((ch) => /\p{L}/u.test(ch)))
    .filter((ch): ch is string => ch !== undefined);
  const picked = letters.length > 3 ? [...letters.slice(0, 2), letters.at(-1)!] : letters;
  return picked.join('').toUpperCase();
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
