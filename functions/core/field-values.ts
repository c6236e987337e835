/**
 * The types of fields, the values a recipient enters into them, and the rules those values follow
 * by field type and validation. Pure code with no imports, so that the server (the templates and
 * envelopes, and signing/signer-actions.ts, the authority) and the web apps (the console's field
 * editors; the signing page's web/signing/validation.ts, which says what is wrong next to a field
 * before anything is sent) share them; each words the problems its own way.
 */

export const FIELD_TYPES = [
  'signature',
  'initials',
  'date_signed',
  'text',
  'number',
  'date',
  'checkbox',
  'dropdown',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The field types whose value the signer enters; the others are filled by the act of signing. */
export const VALUE_TYPES: readonly string[] = [
  'text',
  'number',
  'date',
  'checkbox',
  'dropdown',
] satisfies FieldType[];

export const isValueField = (f: { type: string }): boolean => VALUE_TYPES.includes(f.type);

/** Characters a text field holds at most. */
export const MAX_TEXT_VALUE = 1000;

/** What a field's value is held to, beyond its type. */
export interface ValueRules {
  /** A regular expression the whole value must match (text). */
  pattern?: string;
  /** Bounds (number: the value; text: the length; date: ISO dates). */
  min?: number | string;
  max?: number | string;
  /** The choices of a dropdown. */
  options?: string[];
}

/** What is wrong with a value, with what its wording needs. */
export type ValueProblem =
  | { kind: 'text' | 'pattern' | 'number' | 'date' | 'boolean' | 'option' }
  | { kind: 'tooLong'; max: number; length: number }
  | { kind: 'tooShort'; min: number; length: number }
  | { kind: 'numberMin'; min: number }
  | { kind: 'numberMax'; max: number }
  | { kind: 'dateMin'; min: string }
  | { kind: 'dateMax'; max: string };

/** A calendar date written YYYY-MM-DD that exists (2025-02-29 does not). */
export function isIsoDate(x: unknown): x is string {
  const m = typeof x === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(x) : null;
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === x;
}

/** What is wrong with a non-empty value for a field, by its type and validation; null when it fits. */
export function valueProblem(
  f: { type: string; validation?: ValueRules },
  value: string | number | boolean,
): ValueProblem | null {
  const v = f.validation ?? {};
  switch (f.type) {
    case 'text': {
      if (typeof value !== 'string') return { kind: 'text' };
      const length = [...value].length;
      if (length > MAX_TEXT_VALUE) return { kind: 'tooLong', max: MAX_TEXT_VALUE, length };
      if (typeof v.min === 'number' && length < v.min) return { kind: 'tooShort', min: v.min, length };
      if (typeof v.max === 'number' && length > v.max) return { kind: 'tooLong', max: v.max, length };
      if (v.pattern !== undefined) {
        let pattern: RegExp | undefined;
        try {
          pattern = new RegExp(`^(?:${v.pattern})$`, 'u');
        } catch {
          // Envelopes are checked when created; a pattern that does not compile constrains nothing.
        }
        if (pattern && !pattern.test(value)) return { kind: 'pattern' };
      }
      return null;
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { kind: 'number' };
      if (typeof v.min === 'number' && value < v.min) return { kind: 'numberMin', min: v.min };
      if (typeof v.max === 'number' && value > v.max) return { kind: 'numberMax', max: v.max };
      return null;
    case 'date':
      if (!isIsoDate(value)) return { kind: 'date' };
      if (isIsoDate(v.min) && value < v.min) return { kind: 'dateMin', min: v.min };
      if (isIsoDate(v.max) && value > v.max) return { kind: 'dateMax', max: v.max };
      return null;
    case 'checkbox':
      return typeof value === 'boolean' ? null : { kind: 'boolean' };
    case 'dropdown':
      return typeof value === 'string' && (v.options ?? []).includes(value) ? null : { kind: 'option' };
    default:
      return null;
  }
}

/** Initials from a name: the first letter of each word, of at most three ("Ada Buyer": "AB"). */
export function initialsOf(name: string): string {
  const letters = name
    .trim()
    .split(/\s+/)
    .map((word) => [...word].find((ch) => /\p{L}/u.test(ch)))
    .filter((ch): ch is string => ch !== undefined);
  const picked = letters.length > 3 ? [...letters.slice(0, 2), letters.at(-1)!] : letters;
  return picked.join('').toUpperCase();
}
