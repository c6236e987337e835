/**
 * Just enough PDF syntax (ISO 32000-1, 7.3) to read signature dictionaries straight from the
 * file's bytes, without trusting any cross-reference table: names, strings, numbers, arrays,
 * dictionaries and indirect references. The text is the file as latin1, one character per byte.
 */

export type PdfValue =
  | { kind: 'name'; value: string }
  | { kind: 'string'; bytes: Uint8Array; hex: boolean }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'ref'; num: number; gen: number }
  | { kind: 'array'; items: PdfValue[] }
  | { kind: 'dict'; entries: Map<string, PdfValue>; start: number; end: number };

export class PdfSyntaxError extends Error {
  override readonly name = 'PdfSyntaxError';
}

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIMITERS = new Set('()<>[]{}/%'.split('').map((c) => c.charCodeAt(0)));

export const isWhite = (code: number) => WHITE.has(code);
const isRegular = (code: number) => !WHITE.has(code) && !DELIMITERS.has(code);

/** Skips white space and comments. */
export function skipWhite(text: string, at: number): number {
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (WHITE.has(c)) i++;
    else if (c === 0x25 /* % */) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else break;
  }
  return i;
}

function readLiteralString(text: string, at: number): { bytes: Uint8Array; end: number } {
  // text[at] === '('
  const out: number[] = [];
  let depth = 1;
  let i = at + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined) break;
      const simple: Record<string, number> = { n: 10, r: 13, t: 9, b: 8, f: 12, '(': 40, ')': 41, '\\': 92 };
      if (n in simple) {
        out.push(simple[n]!);
        i += 2;
      } else if (/[0-7]/.test(n)) {
        const octal = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
        out.push(parseInt(octal, 8) & 0xff);
        i += 1 + octal.length;
      } else if (n === '\r' || n === '\n') {
        // A line continuation.
        i += n === '\r' && text[i + 2] === '\n' ? 3 : 2;
      } else {
        out.push(n.charCodeAt(0));
        i += 2;
      }
      continue;
    }
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return { bytes: Uint8Array.from(out), end: i + 1 };
    out.push(c.charCodeAt(0) & 0xff);
    i++;
  }
  throw new PdfSyntaxError('unterminated literal string');
}

function readHexString(text: string, at: number): { bytes: Uint8Array; end: number } {
  const close = text.indexOf('>', at + 1);
  if (close < 0) throw new PdfSyntaxError('unterminated hex string');
  let hex = text.slice(at + 1, close).replace(/[\s\0]+/g, '');
  if (!/^[0-9A-Fa-f]*$/.test(hex)) throw new PdfSyntaxError('invalid characters in a hex string');
  if (hex.length % 2) hex += '0';
  return { bytes: new Uint8Array(Buffer.from(hex, 'hex')), end: close + 1 };
}

function readName(text: string, at: number): { value: string; end: number } {
  let i = at + 1;
  while (i < text.length && isRegular(text.charCodeAt(i))) i++;
  const raw = text
    .slice(at + 1, i)
    .replace(/#([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return { value: raw, end: i };
}

/** Parses one direct object at `at` (after white space). Depth-limited against hostile nesting. */
export function parseValue(text: string, at: number, depth = 0): { value: PdfValue; end: number } {
  if (depth > 64) throw new PdfSyntaxError('objects nested too deeply');
  const i = skipWhite(text, at);
  const c = text[i];
  if (c === undefined) throw new PdfSyntaxError('unexpected end of file');
  if (c === '/') {
    const { value, end } = readName(text, i);
    return { value: { kind: 'name', value }, end };
  }
  if (c === '(') {
    const { bytes, end } = readLiteralString(text, i);
    return { value: { kind: 'string', bytes, hex: false }, end };
  }
  if (c === '<') {
    if (text[i + 1] === '<') return parseDict(text, i, depth);
    const { bytes, end } = readHexString(text, i);
    return { value: { kind: 'string', bytes, hex: true }, end };
  }
  if (c === '[') {
    const items: PdfValue[] = [];
    let j = i + 1;
    for (;;) {
      j = skipWhite(text, j);
      if (j >= text.length) throw new PdfSyntaxError('unterminated array');
      if (text[j] === ']') return { value: { kind: 'array', items }, end: j + 1 };
      const item = parseValue(text, j, depth + 1);
      items.push(item.value);
      j = foldReference(text, items, item.end);
    }
  }
  const token = /^[^\s\0()<>[\]{}/%]+/.exec(text.slice(i, i + 64))?.[0];
  if (!token) throw new PdfSyntaxError(`unexpected "${c}"`);
  const end = i + token.length;
  if (token === 'true' || token === 'false')
    return { value: { kind: 'boolean', value: token === 'true' }, end };
  if (token === 'null') return { value: { kind: 'null' }, end };
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) return { value: { kind: 'number', value: Number(token) }, end };
  throw new PdfSyntaxError(`unexpected token "${token.slice(0, 20)}"`);
}

/** `n g R` arrives as two numbers and then R: turn the last two items into a reference. */
function foldReference(text: string, items: PdfValue[], end: number): number {
  const j = skipWhite(text, end);
  if (text[j] === 'R' && !isRegular(text.charCodeAt(j + 1) || 0x20)) {
    const gen = items[items.length - 1];
    const num = items[items.length - 2];
    if (num?.kind === 'number' && gen?.kind === 'number') {
      items.splice(items.length - 2, 2, { kind: 'ref', num: num.value, gen: gen.value });
      return j + 1;
    }
  }
  return end;
}

function parseDict(text: string, at: number, depth: number): { value: PdfValue; end: number } {
  const entries = new Map<string, PdfValue>();
  let j = at + 2;
  for (;;) {
    j = skipWhite(text, j);
    if (j >= text.length) throw new PdfSyntaxError('unterminated dictionary');
    if (text[j] === '>' && text[j + 1] === '>') {
      return { value: { kind: 'dict', entries, start: at, end: j + 2 }, end: j + 2 };
    }
    if (text[j] !== '/') throw new PdfSyntaxError('a dictionary key must be a name');
    const key = readName(text, j);
    const first = parseValue(text, key.end, depth + 1);
    // A value of the form `n g R`.
    const after = skipWhite(text, first.end);
    const ref = /^(\d+)\s+R(?=[\s/<>[\]()%]|$)/.exec(text.slice(after, after + 24));
    if (first.value.kind === 'number' && ref) {
      entries.set(key.value, { kind: 'ref', num: first.value.value, gen: Number(ref[1]) });
      j = after + ref[0].length;
    } else {
      entries.set(key.value, first.value);
      j = first.end;
    }
  }
}

/**
 * The start of the innermost dictionary that encloses `at`: walks backwards counting `<<` and
 * `>>`. Hex strings hold neither, so the signature's /Contents does not disturb the count.
 */
export function enclosingDictStart(text: string, at: number, limit = 1 << 20): number {
  let depth = 0;
  const stop = Math.max(0, at - limit);
  for (let i = at - 1; i > stop; i--) {
    if (text[i] === '<' && text[i - 1] === '<') {
      if (depth === 0) return i - 1;
      depth--;
      i--;
    } else if (text[i] === '>' && text[i - 1] === '>') {
      depth++;
      i--;
    }
  }
  return -1;
}

/** PDF text strings: UTF-16BE with a byte order mark, UTF-8 with one (PDF 2.0), else PDFDocEncoding. */
export function decodeTextString(bytes: Uint8Array): string {
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    if (swapped.length % 2) return swapped.toString('latin1');
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return Buffer.from(bytes.subarray(3)).toString('utf8');
  }
  return Buffer.from(bytes).toString('latin1');
}

/** A PDF date, `D:YYYYMMDDHHmmSSOHH'mm'` with every part after the year optional, as ISO-8601 UTC. */
export function parsePdfDate(text: string): string | null {
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(?:(\d{2})'?)?)?)?$/.exec(
      text.trim(),
    );
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (Number(oh) * 60 + Number(om)) * 60_000;
  if (sign === '+') ms -= offset;
  if (sign === '-') ms += offset;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
