/**
 * Which font draws which characters. pdf-lib's standard fonts cover only Western text, so the
 * stamps embed a subset of a real font per script: Noto Sans for Latin, Greek and Cyrillic,
 * DejaVu Sans for Arabic and Hebrew (and as a fallback for scripts Noto Sans lacks), Noto Sans
 * SC/JP/KR for Han, kana and Hangul (5-10 MB each, so loaded only when a text needs them), and
 * Dancing Script for typed signatures in Latin letters.
 */

export type FontKey = 'latin' | 'arabic' | 'cjk-sc' | 'cjk-jp' | 'cjk-kr' | 'handwriting';

export const FONT_KEYS: readonly FontKey[] = ['latin', 'arabic', 'cjk-sc', 'cjk-jp', 'cjk-kr', 'handwriting'];

/** Where the font files come from (node_modules, a bundle, a bucket): injected, so the core reads no files. */
export interface FontSource {
  /** The TrueType/OpenType bytes of the font for `key`. */
  load(key: FontKey): Promise<Uint8Array>;
}

const inRange = (cp: number, ranges: readonly (readonly [number, number])[]) =>
  ranges.some(([lo, hi]) => cp >= lo && cp <= hi);

const KANA: readonly [number, number][] = [
  [0x3040, 0x30ff],
  [0x31f0, 0x31ff],
  [0xff66, 0xff9f],
  [0x1b000, 0x1b16f],
];
const HANGUL: readonly [number, number][] = [
  [0x1100, 0x11ff],
  [0x3130, 0x318f],
  [0xa960, 0xa97f],
  [0xac00, 0xd7ff],
  [0xffa0, 0xffdc],
];
const HAN: readonly [number, number][] = [
  [0x2e80, 0x2fdf],
  [0x3000, 0x303f], // CJK punctuation
  [0x3100, 0x312f], // Bopomofo
  [0x31a0, 0x31bf],
  [0x3190, 0x319f],
  [0x3200, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff65], // full-width forms
  [0x20000, 0x3134f],
];
const RTL: readonly [number, number][] = [
  [0x0590, 0x05ff], // Hebrew
  [0x0600, 0x06ff], // Arabic
  [0x0700, 0x074f], // Syriac (not covered by the fonts; falls back)
  [0x0750, 0x077f],
  [0x08a0, 0x08ff],
  [0xfb1d, 0xfb4f],
  [0xfb50, 0xfdff],
  [0xfe70, 0xfeff],
];

export type ScriptClass = 'latin' | 'rtl' | 'han' | 'kana' | 'hangul' | 'neutral';

/** A coarse script class per code point; 'neutral' for spaces, digits and punctuation. */
export function scriptOf(cp: number): ScriptClass {
  if (cp < 0x80) {
    const isLetter = (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
    return isLetter ? 'latin' : 'neutral';
  }
  if (inRange(cp, KANA)) return 'kana';
  if (inRange(cp, HANGUL)) return 'hangul';
  if (inRange(cp, HAN)) return 'han';
  if (inRange(cp, RTL)) return 'rtl';
  // General punctuation, combining marks and symbols take the font of their neighbours.
  if ((cp >= 0x2000 && cp <= 0x206f) || (cp >= 0x0300 && cp <= 0x036f) || cp === 0xa0) return 'neutral';
  return 'latin';
}

/** The CJK font for a text: kana means Japanese, Hangul Korean, Han alone Simplified Chinese. */
export function cjkFontFor(text: string): FontKey {
  let hasKana = false;
  let hasHangul = false;
  for (const ch of text) {
    const s = scriptOf(ch.codePointAt(0)!);
    if (s === 'kana') hasKana = true;
    if (s === 'hangul') hasHangul = true;
  }
  return hasKana ? 'cjk-jp' : hasHangul ? 'cjk-kr' : 'cjk-sc';
}
