/**
 * Just enough DER to assemble structures whose inner parts must stay byte-exact: a certificate
 * around the TBS bytes that were signed, a CMS around certificates as they were issued.
 */

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(contents);
  return concat([Uint8Array.of(tag), lengthBytes(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const bitString = (bytes: Uint8Array) => tlv(0x03, Uint8Array.of(0), bytes);
export const derNull = () => Uint8Array.of(0x05, 0x00);

/** SET OF: DER sorts the encoded elements (X.690, 11.6). */
export function setOf(items: Uint8Array[]): Uint8Array {
  return tlv(0x31, ...[...items].sort(compareBytes));
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A non-negative INTEGER from big-endian magnitude bytes (a leading zero is added when needed). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

export function smallInteger(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 127) throw new RangeError('only 0..127');
  return Uint8Array.of(0x02, 0x01, n);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc % 128];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n % 128));
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

/** The value bytes of the first TLV in `der` and where the whole element ends. */
export function readTlv(der: Uint8Array, at = 0): { tag: number; value: Uint8Array; end: number } {
  const tag = der[at];
  let lengthByte = der[at + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let pos = at + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = der[pos++];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
  }
  if (pos + length > der.length) throw new Error('truncated DER');
  return { tag, value: der.subarray(pos, pos + length), end: pos + length };
}
