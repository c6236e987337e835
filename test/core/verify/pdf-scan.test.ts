import { describe, expect, it } from 'vitest';
import {
  fieldNameFromBytes,
  findSignatures,
  revisionEnds,
  requireNotEncrypted,
  requirePdfHeader,
} from '../../../functions/core/verify/pdf-scan';
import { decodeTextString, parsePdfDate, parseValue } from '../../../functions/core/verify/pdf-syntax';

/** Reading signature dictionaries from raw bytes, whatever the writer's layout. */

const utf16 = (text: string) => {
  const le = Buffer.from(text, 'utf16le');
  le.swap16();
  return `<FEFF${le.toString('hex').toUpperCase()}>`;
};

describe('findSignatures', () => {
  it('reads a dictionary whatever the order of its entries, with escapes, UTF-16 and nested dictionaries', () => {
    const text = [
      '%PDF-1.7',
      '7 0 obj',
      '<< /Contents <3082ABCD0000> /Type /Sig /Prop_Build << /Filter << /Name /Adobe.PPKLite >> >>',
      `/Name ${utf16('José Müller 王')} /Reason (Approved \\(final\\)\\nby legal) /M (D:20260203050506+01'00')`,
      '/Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 42 56 100] >>',
      'endobj',
      '9 0 obj << /FT /Sig /T (Legal approval) /V 7 0 R /Rect [0 0 0 0] >> endobj',
      '%%EOF',
    ].join('\n');
    const [sig] = findSignatures(text);
    expect(sig).toMatchObject({
      object: { num: 7, gen: 0 },
      byteRange: [0, 42, 56, 100],
      filter: 'Adobe.PPKLite',
      subFilter: 'adbe.pkcs7.detached',
      name: 'José Müller 王',
      reason: 'Approved (final)\nby legal',
      signedAt: '2026-02-03T04:05:06.000Z',
      problems: [],
    });
    expect(Buffer.from(sig!.contents!).toString('hex')).toBe('3082abcd0000');
    expect(fieldNameFromBytes(text, sig!.object!)).toBe('Legal approval');
  });

  it('reports each signature once, and a dictionary it cannot read as a problem, not a crash', () => {
    const text = [
      '%PDF-1.7',
      '1 0 obj << /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >> endobj',
      '1 0 obj << /Type /Sig /ByteRange [0 10 20 30] /Contents <00> >> endobj',
      '2 0 obj << /Type /Sig /ByteRange [0 1 2 3] /Contents <zz> >> endobj',
      '/ByteRange [0 5 6 7] without any dictionary',
    ].join('\n');
    const found = findSignatures(text);
    expect(found.map((s) => s.byteRange)).toEqual([
      [0, 10, 20, 30],
      [0, 1, 2, 3],
      [0, 5, 6, 7],
    ]);
    expect(found[1]!.problems[0]).toMatch(/cannot be read: invalid characters in a hex string/);
    expect(found[2]!.problems[0]).toMatch(/could not be found/);
  });

  it('finds no signature in a placeholder that was never filled', () => {
    expect(findSignatures('<< /ByteRange [0 /********** /********** /**********] >>')).toEqual([]);
  });
});

describe('the file as a whole', () => {
  it('needs the %PDF- header and refuses an encryption dictionary', () => {
    expect(() => requirePdfHeader('hello')).toThrow(/not a PDF/);
    expect(() => requirePdfHeader(`${' '.repeat(100)}%PDF-1.4`)).not.toThrow();
    expect(() => requireNotEncrypted('trailer << /Root 1 0 R /Encrypt 5 0 R >>')).toThrow(/encrypted/);
    expect(() => requireNotEncrypted('<< /Type /XRef /Encrypt << /Filter /Standard >> >>')).toThrow(
      /encrypted/,
    );
  });

  it('counts revisions by their %%EOF markers', () => {
    expect(revisionEnds('%PDF-1.7\n%%EOF\nmore\n%%EOF\r\n%%EOF')).toEqual([15, 27, 32]);
  });
});

describe('PDF syntax', () => {
  it('parses references, arrays and dictionaries, and refuses hostile nesting', () => {
    const { value } = parseValue('<< /Kids [1 0 R 2 0 R] /Count 2 /Parent 3 0 R /Flag true >>', 0);
    expect(value).toMatchObject({
      kind: 'dict',
      entries: new Map<string, unknown>([
        [
          'Kids',
          {
            kind: 'array',
            items: [
              { kind: 'ref', num: 1, gen: 0 },
              { kind: 'ref', num: 2, gen: 0 },
            ],
          },
        ],
        ['Count', { kind: 'number', value: 2 }],
        ['Parent', { kind: 'ref', num: 3, gen: 0 }],
        ['Flag', { kind: 'boolean', value: true }],
      ]),
    });
    expect(() => parseValue('['.repeat(1000), 0)).toThrow(/nested too deeply/);
  });

  it('decodes text strings and dates', () => {
    expect(decodeTextString(Uint8Array.of(0xfe, 0xff, 0x00, 0x41, 0x00, 0xe9))).toBe('Aé');
    expect(parsePdfDate('D:20260203040506Z')).toBe('2026-02-03T04:05:06.000Z');
    expect(parsePdfDate("D:20260203000506-05'30'")).toBe('2026-02-03T05:35:06.000Z');
    expect(parsePdfDate('D:2026')).toBe('2026-01-01T00:00:00.000Z');
    expect(parsePdfDate('yesterday')).toBeNull();
  });
});
