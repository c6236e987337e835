import { UnprocessableError, UnsupportedMediaTypeError } from '../errors';
import {
  decodeTextString,
  enclosingDictStart,
  parsePdfDate,
  parseValue,
  skipWhite,
  type PdfValue,
} from './pdf-syntax';

/**
 * Reads what verification needs straight from the file's bytes: every signature dictionary
 * (found by its /ByteRange, since signature dictionaries cannot live in compressed object
 * streams: their offsets must be real), the revisions, encryption and JavaScript.
 */

export type ByteRange = [number, number, number, number];

export interface RawSignature {
  /** Offset of the signature dictionary in the file. */
  offset: number;
  /** The indirect object holding it, when it is one. */
  object: { num: number; gen: number } | null;
  byteRange: ByteRange;
  /** The /Contents bytes (hex-decoded, padding included), when the dictionary has them. */
  contents: Uint8Array | null;
  filter: string | null;
  subFilter: string | null;
  /** /M as ISO-8601 UTC. */
  signedAt: string | null;
  name: string | null;
  reason: string | null;
  location: string | null;
  /** Problems with the dictionary itself (it is still reported). */
  problems: string[];
}

const PDF_MAGIC = '%PDF-';

export const latin1 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

/** Refuses what is not a PDF at all: the header must be in the first 1024 bytes (ISO 32000-1, 7.5.2). */
export function requirePdfHeader(text: string): void {
  if (!text.slice(0, 1024).includes(PDF_MAGIC)) {
    throw new UnsupportedMediaTypeError('the file is not a PDF (no %PDF- header)');
  }
}

/** A trailer (or cross-reference stream) that names an encryption dictionary. */
export function requireNotEncrypted(text: string): void {
  if (/\/Encrypt\s*(\d+\s+\d+\s+R|<<)/.test(text)) {
    throw new UnprocessableError(
      'the PDF is encrypted; a sealed Countersign document never is, so it cannot be verified',
    );
  }
}

export function containsJavaScript(text: string): boolean {
  return /\/(JavaScript|JS)\b/.test(text);
}

/** Offsets just past each `%%EOF` marker (and its end of line): one per revision. */
export function revisionEnds(text: string): number[] {
  const ends: number[] = [];
  const re = /%%EOF(\r\n|\r|\n)?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) ends.push(m.index + m[0].length);
  return ends;
}

const str = (v: PdfValue | undefined): string | null =>
  v?.kind === 'string' ? decodeTextString(v.bytes) : null;
const name = (v: PdfValue | undefined): string | null => (v?.kind === 'name' ? v.value : null);

const BYTE_RANGE = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;

/** Every signature dictionary in the file, in file order; the same ByteRange twice is one signature. */
export function findSignatures(text: string): RawSignature[] {
  const found: RawSignature[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(BYTE_RANGE)) {
    const byteRange = match.slice(1, 5).map(Number) as ByteRange;
    const key = byteRange.join(' ');
    if (seen.has(key)) continue;
    seen.add(key);
    found.push(readSignatureDictionary(text, match.index, byteRange));
  }
  return found;
}

function readSignatureDictionary(text: string, at: number, byteRange: ByteRange): RawSignature {
  const signature: RawSignature = {
    offset: at,
    object: null,
    byteRange,
    contents: null,
    filter: null,
    subFilter: null,
    signedAt: null,
    name: null,
    reason: null,
    location: null,
    problems: [],
  };
  const start = enclosingDictStart(text, at);
  if (start < 0) {
    signature.problems.push('the signature dictionary around /ByteRange could not be found');
    return signature;
  }
  signature.offset = start;
  let dict: PdfValue;
  try {
    dict = parseValue(text, start).value;
  } catch (error) {
    signature.problems.push(`the signature dictionary cannot be read: ${(error as Error).message}`);
    return signature;
  }
  if (dict.kind !== 'dict') return signature;
  const header = /(\d+)\s+(\d+)\s+obj\s*$/.exec(text.slice(Math.max(0, start - 40), start));
  if (header) signature.object = { num: Number(header[1]), gen: Number(header[2]) };
  const e = dict.entries;
  const contents = e.get('Contents');
  if (contents?.kind === 'string') signature.contents = contents.bytes;
  signature.filter = name(e.get('Filter'));
  signature.subFilter = name(e.get('SubFilter'));
  const m = str(e.get('M'));
  if (m !== null) {
    signature.signedAt = parsePdfDate(m);
    if (!signature.signedAt) signature.problems.push(`the signing time /M "${m}" is not a PDF date`);
  }
  signature.name = str(e.get('Name'));
  signature.reason = str(e.get('Reason'));
  signature.location = str(e.get('Location'));
  return signature;
}

/**
 * The name of the field whose /V is this signature: a raw scan for `/V n g R` in a dictionary
 * with /T. Fields in compressed object streams are not found here (the pdf-lib pass finds them).
 */
export function fieldNameFromBytes(text: string, object: { num: number; gen: number }): string | null {
  const re = new RegExp(`/V\\s+${object.num}\\s+${object.gen}\\s+R(?![0-9A-Za-z])`, 'g');
  for (const match of text.matchAll(re)) {
    const start = enclosingDictStart(text, match.index, 64 * 1024);
    if (start < 0) continue;
    try {
      const dict = parseValue(text, skipWhite(text, start)).value;
      if (dict.kind !== 'dict') continue;
      const t = str(dict.entries.get('T'));
      if (t !== null) return t;
    } catch {
      // not a dictionary we can read: keep looking
    }
  }
  return null;
}
