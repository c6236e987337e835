/**
 * A small, defensive DER reader for verification: every element keeps its exact bytes, because
 * signatures are checked over bytes as they were encoded, never over a re-encoding. Anything
 * malformed throws a DerError; callers turn it into a reported problem.
 */

export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  constructed: boolean;
  /** The whole element: identifier, length and contents. */
  bytes: Uint8Array;
  /** The contents octets. */
  value: Uint8Array;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  teletexString: 0x14,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Context-specific tag `[n]`, constructed or not. */
export const contextTag = (n: number, constructed = true) => 0x80 | (constructed ? 0x20 : 0) | n;

/** Reads the element starting at `at`. */
export function readNode(der: Uint8Array, at = 0): DerNode {
  const tag = der[at];
  const first = der[at + 1];
  if (tag === undefined || first === undefined) throw new DerError('truncated DER element');
  if ((tag & 0x1f) === 0x1f) throw new DerError('DER tags above 30 are not supported');
  let pos = at + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0) throw new DerError('indefinite-length (BER) encoding is not DER');
    if (count > 4) throw new DerError('DER length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = der[pos++];
      if (b === undefined) throw new DerError('truncated DER length');
      length = length * 256 + b;
    }
  }
  const end = pos + length;
  if (end > der.length) throw new DerError('truncated DER element');
  return {
    tag,
    constructed: (tag & 0x20) !== 0,
    bytes: der.subarray(at, end),
    value: der.subarray(pos, end),
  };
}

/** The elements inside a constructed element. */
export function children(node: DerNode): DerNode[] {
  if (!node.constructed) throw new DerError(`tag 0x${node.tag.toString(16)} is not constructed`);
  const out: DerNode[] = [];
  let at = 0;
  while (at < node.value.length) {
    const child = readNode(node.value, at);
    out.push(child);
    at += child.bytes.length;
  }
  return out;
}

export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node) throw new DerError(`${what} is missing`);
  if (node.tag !== tag) {
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  }
  return node;
}

export function decodeOid(node: DerNode): string {
  expectTag(node, TAG.oid, 'OBJECT IDENTIFIER');
  const bytes = node.value;
  if (bytes.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** An INTEGER as lowercase hex of its magnitude (serial numbers can be 20 bytes). */
export function integerHex(node: DerNode): string {
  expectTag(node, TAG.integer, 'INTEGER');
  let start = 0;
  while (start < node.value.length - 1 && node.value[start] === 0) start++;
  return Buffer.from(node.value.subarray(start)).toString('hex');
}

export function smallInteger(node: DerNode): number {
  expectTag(node, TAG.integer, 'INTEGER');
  if (node.value.length > 6) throw new DerError('INTEGER too large');
  let n = 0;
  for (const b of node.value) n = n * 256 + b;
  return n;
}

/** UTCTime or GeneralizedTime (with optional fractional seconds), as a Date. */
export function decodeTime(node: DerNode): Date {
  const text = Buffer.from(node.value).toString('latin1');
  let match: RegExpExecArray | null;
  if (node.tag === TAG.utcTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
    if (!match) throw new DerError(`invalid UTCTime "${text}"`);
    const yy = Number(match[1]);
    const year = yy < 50 ? 2000 + yy : 1900 + yy;
    return new Date(Date.UTC(year, Number(match[2]) - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!));
  }
  if (node.tag === TAG.generalizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d{1,9}))?Z$/.exec(text);
    if (!match) throw new DerError(`invalid GeneralizedTime "${text}"`);
    const ms = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
    return new Date(
      Date.UTC(+match[1]!, Number(match[2]) - 1, +match[3]!, +match[4]!, +match[5]!, +match[6]!, ms),
    );
  }
  throw new DerError(`tag 0x${node.tag.toString(16)} is not a time`);
}

const NAME_ATTRIBUTES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.42': 'GN',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export function decodeString(node: DerNode): string {
  switch (node.tag) {
    case TAG.utf8String:
      return Buffer.from(node.value).toString('utf8');
    case TAG.bmpString: {
      const swapped = Buffer.from(node.value);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    default:
      return Buffer.from(node.value).toString('latin1');
  }
}

/** An X.501 Name as "CN=..., O=..., C=..." in encoded order. */
export function formatName(name: DerNode): string {
  expectTag(name, TAG.sequence, 'Name');
  const parts: string[] = [];
  for (const rdn of children(name)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      const oid = decodeOid(expectTag(type, TAG.oid, 'attribute type'));
      parts.push(`${NAME_ATTRIBUTES[oid] ?? oid}=${value ? decodeString(value) : ''}`);
    }
  }
  return parts.join(', ');
}
