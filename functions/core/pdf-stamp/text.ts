import fontkit from '@pdf-lib/fontkit';
import type { Font as FontkitFont } from '@pdf-lib/fontkit';
import bidiFactory from 'bidi-js';
import { cjkFontFor, scriptOf, type FontKey, type FontSource } from './fonts';

/** A piece of a line drawn with one font, in visual (left-to-right) order. */
export interface Run {
  /** The text to hand to the font's shaper: logical order for RTL-script runs, which fontkit reverses itself. */
  text: string;
  key: FontKey;
  rtl: boolean;
}

const bidi = bidiFactory();

/** Loads each font once per stamping call and answers coverage questions. */
export class FontBook {
  private readonly bytes = new Map<FontKey, Promise<Uint8Array>>();
  private readonly parsed = new Map<FontKey, Promise<FontkitFont>>();

  constructor(private readonly source: FontSource) {}

  load(key: FontKey): Promise<Uint8Array> {
    let bytes = this.bytes.get(key);
    if (!bytes) {
      bytes = this.source.load(key);
      this.bytes.set(key, bytes);
    }
    return bytes;
  }

  font(key: FontKey): Promise<FontkitFont> {
    let font = this.parsed.get(key);
    if (!font) {
      font = this.load(key).then((bytes) =>
        fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)),
      );
      this.parsed.set(key, font);
    }
    return font;
  }

  async covers(key: FontKey, cp: number): Promise<boolean> {
    return (await this.font(key)).hasGlyphForCodePoint(cp);
  }
}

/** Control and invisible characters that no font draws: dropped before layout. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/** Characters whose glyphs don't matter for coverage (a space may be missing from a cmap). */
const isSpace = (cp: number) => cp === 0x20 || cp === 0xa0 || cp === 0x3000;

/**
 * Splits a line into runs by font and direction and orders them visually (Unicode bidi
 * algorithm via bidi-js; fontkit joins and orders the letters inside an Arabic or Hebrew run).
 * With `handwriting`, Latin letters use the handwriting font where it has them.
 */
export async function planLine(
  text: string,
  book: FontBook,
  options: { handwriting?: boolean } = {},
): Promise<Run[]> {
  const clean = text
    .replace(/[\r\n\t]+/g, ' ')
    .replace(INVISIBLE, '')
    .trim();
  if (!clean) return [];

  const embedding = bidi.getEmbeddingLevels(clean, 'auto');
  const mirrored = bidi.getMirroredCharactersMap(clean, embedding.levels);
  const cjk = cjkFontFor(clean);

  // Per UTF-16 index; surrogate pairs are handled as one character at their first index.
  interface Char {
    index: number;
    ch: string;
    level: number;
    script: ReturnType<typeof scriptOf>;
    key?: FontKey;
  }
  const chars: Char[] = [];
  for (let i = 0; i < clean.length;) {
    const cp = clean.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    chars.push({ index: i, ch: mirrored.get(i) ?? ch, level: embedding.levels[i]!, script: scriptOf(cp) });
    i += ch.length;
  }

  for (const c of chars) {
    if (c.script === 'rtl') c.key = 'arabic';
    else if (c.script === 'han' || c.script === 'kana' || c.script === 'hangul') c.key = cjk;
    else if (c.script === 'latin') c.key = options.handwriting ? 'handwriting' : 'latin';
  }
  // Neutrals (spaces, digits, punctuation) take the font of a neighbour at the same level.
  chars.forEach((c, i) => {
    if (c.key) return;
    const before = chars
      .slice(0, i)
      .reverse()
      .find((o) => o.key && o.level === c.level);
    const after = chars.slice(i + 1).find((o) => o.key && o.level === c.level);
    c.key = before?.key ?? after?.key ?? (options.handwriting ? 'handwriting' : 'latin');
  });
  // Fall back where the chosen font lacks a glyph: Noto Sans, then DejaVu Sans.
  for (const c of chars) {
    const cp = c.ch.codePointAt(0)!;
    if (isSpace(cp) || (await book.covers(c.key!, cp))) continue;
    for (const fallback of ['latin', 'arabic'] as const) {
      if (fallback !== c.key && (await book.covers(fallback, cp))) {
        c.key = fallback;
        break;
      }
    }
  }

  // Runs of one font and one level, in logical order.
  const runs: { chars: Char[]; level: number; key: FontKey }[] = [];
  for (const c of chars) {
    const last = runs[runs.length - 1];
    if (last && last.level === c.level && last.key === c.key) last.chars.push(c);
    else runs.push({ chars: [c], level: c.level, key: c.key! });
  }

  // UAX #9 rule L2 on whole runs: from the highest level down to the lowest odd level,
  // reverse every maximal sequence of runs at that level or higher.
  const maxLevel = Math.max(...runs.map((r) => r.level));
  const minOdd = Math.min(...runs.map((r) => (r.level % 2 ? r.level : r.level + 1)));
  for (let level = maxLevel; level >= minOdd; level--) {
    for (let i = 0; i < runs.length;) {
      if (runs[i]!.level < level) {
        i++;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j]!.level >= level) j++;
      const reversed = runs.slice(i, j).reverse();
      runs.splice(i, j - i, ...reversed);
      i = j;
    }
  }

  return runs.map((run) => {
    const rtl = run.level % 2 === 1;
    const hasRtlScript = run.chars.some((c) => c.script === 'rtl');
    // fontkit reverses runs of a right-to-left script itself; other right-to-left runs
    // (neutrals only) are reversed here.
    const ordered = rtl && !hasRtlScript ? [...run.chars].reverse() : run.chars;
    return { text: ordered.map((c) => c.ch).join(''), key: run.key, rtl };
  });
}
