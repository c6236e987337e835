import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFObjectParser,
  PDFRawStream,
  PDFStream,
  type PDFObject,
  type PDFRef,
} from 'pdf-lib';

/**
 * Incremental updates (ISO 32000-1, 7.5.6): changed and new objects are appended after the
 * original bytes, followed by a cross-reference section that points back to the previous one
 * with /Prev. The original bytes stay an exact prefix, so anything that signed them (an earlier
 * seal, a stored hash) stays valid.
 *
 * pdf-lib is used for the object model only: its save() rewrites the whole file.
 */

export type XrefKind = 'table' | 'stream';

/** What the file's last cross-reference section says. */
export interface LastXref {
  /** Byte offset of the last section: the new section's /Prev. */
  offset: number;
  kind: XrefKind;
  /** The trailer's /Size: one more than the highest object number in use. */
  size: number;
  trailer: PDFDict;
}

export interface TrailerEntries {
  Root: PDFObject;
  Info?: PDFObject;
  ID?: PDFObject;
}

export interface UpdatedObject {
  ref: PDFRef;
  object: PDFObject;
}

const encoder = new TextEncoder();
const latin1 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

function isWhite(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00;
}

/** Reads the last `startxref` and the cross-reference section it points at. */
export function readLastXref(pdf: Uint8Array, doc: PDFDocument): LastXref {
  const tail = latin1(pdf.subarray(Math.max(0, pdf.length - 2048)));
  const at = tail.lastIndexOf('startxref');
  const match = at < 0 ? null : /^startxref\s+(\d+)/.exec(tail.slice(at));
  if (!match) throw new Error('the PDF has no startxref');
  const offset = Number(match[1]);
  if (!Number.isSafeInteger(offset) || offset >= pdf.length)
    throw new Error('the PDF startxref is out of range');

  let pos = offset;
  while (isWhite(pdf[pos])) pos++;
  const head = latin1(pdf.subarray(pos, Math.min(pdf.length, pos + 64)));

  if (head.startsWith('xref')) {
    const section = latin1(pdf.subarray(pos));
    const trailerAt = section.indexOf('trailer');
    if (trailerAt < 0) throw new Error('the PDF cross-reference table has no trailer');
    const parser = PDFObjectParser.forBytes(pdf.subarray(pos + trailerAt + 'trailer'.length), doc.context);
    const trailer = parser.parseObject();
    if (!(trailer instanceof PDFDict)) throw new Error('the PDF trailer is not a dictionary');
    return { offset, kind: 'table', size: sizeOf(trailer), trailer };
  }

  const header = /^(\d+)\s+(\d+)\s+obj/.exec(head);
  if (!header) throw new Error('the PDF startxref points at neither a table nor a stream');
  const parser = PDFObjectParser.forBytes(pdf.subarray(pos + header[0].length), doc.context);
  const stream = parser.parseObject();
  if (!(stream instanceof PDFRawStream) || stream.dict.lookup(PDFName.of('Type')) !== PDFName.of('XRef')) {
    throw new Error('the PDF startxref points at an object that is not a cross-reference stream');
  }
  return { offset, kind: 'stream', size: sizeOf(stream.dict), trailer: stream.dict };
}

function sizeOf(trailer: PDFDict): number {
  const size = trailer.lookup(PDFName.of('Size'));
  if (!(size instanceof PDFNumber)) throw new Error('the PDF trailer has no /Size');
  return size.asNumber();
}

function serialize(object: PDFObject): Uint8Array {
  const buffer = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(buffer, 0);
  return buffer;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Groups sorted object numbers into [first, count] runs. */
function subsections(numbers: number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const n of numbers) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === n) last[1]++;
    else runs.push([n, 1]);
  }
  return runs;
}

function bytesFor(n: number): number {
  let width = 1;
  while (n >= 256 ** width) width++;
  return width;
}

/**
 * Appends `objects` and a new cross-reference section of the same kind as the last one.
 * `nextObjectNumber` is the first number free for the xref stream itself (when one is written).
 */
export function appendUpdate(
  pdf: Uint8Array,
  last: LastXref,
  objects: UpdatedObject[],
  trailer: TrailerEntries,
  nextObjectNumber: number,
): Uint8Array {
  const chunks: Uint8Array[] = [];
  let length = pdf.length;
  const push = (chunk: Uint8Array | string) => {
    const bytes = typeof chunk === 'string' ? encoder.encode(chunk) : chunk;
    chunks.push(bytes);
    length += bytes.length;
  };

  // The update starts on a fresh line: some files end right after %%EOF.
  const lastByte = pdf[pdf.length - 1];
  if (lastByte !== 0x0a && lastByte !== 0x0d) push('\n');

  const entries: { num: number; gen: number; offset: number }[] = [];
  const sorted = [...objects].sort((a, b) => a.ref.objectNumber - b.ref.objectNumber);
  for (const { ref, object } of sorted) {
    entries.push({ num: ref.objectNumber, gen: ref.generationNumber, offset: length });
    push(`${ref.objectNumber} ${ref.generationNumber} obj\n`);
    push(serialize(object));
    push('\nendobj\n');
  }

  const trailerText = (size: number) =>
    [
      `/Size ${size}`,
      `/Root ${trailer.Root.toString()}`,
      trailer.Info ? `/Info ${trailer.Info.toString()}` : '',
      trailer.ID ? `/ID ${trailer.ID.toString()}` : '',
      `/Prev ${last.offset}`,
    ]
      .filter(Boolean)
      .join(' ');

  const xrefOffset = length;
  if (last.kind === 'table') {
    const size = Math.max(last.size, ...entries.map((e) => e.num + 1));
    let table = 'xref\n';
    let i = 0;
    for (const [first, count] of subsections(entries.map((e) => e.num))) {
      table += `${first} ${count}\n`;
      for (const e of entries.slice(i, i + count)) table += `${pad(e.offset, 10)} ${pad(e.gen, 5)} n\r\n`;
      i += count;
    }
    push(table);
    push(`trailer\n<< ${trailerText(size)} >>\nstartxref\n${xrefOffset}\n%%EOF\n`);
  } else {
    // The stream lists itself too, as writers commonly do.
    const selfNum = Math.max(nextObjectNumber, last.size, ...entries.map((e) => e.num + 1));
    entries.push({ num: selfNum, gen: 0, offset: xrefOffset });
    const size = selfNum + 1;
    const w2 = bytesFor(Math.max(...entries.map((e) => e.offset)));
    const w3 = bytesFor(Math.max(1, ...entries.map((e) => e.gen)));
    const rowLength = 1 + w2 + w3;
    const data = new Uint8Array(entries.length * rowLength);
    entries.forEach((e, row) => {
      let at = row * rowLength;
      data[at++] = 1;
      for (let b = w2 - 1; b >= 0; b--) data[at++] = Math.floor(e.offset / 256 ** b) % 256;
      for (let b = w3 - 1; b >= 0; b--) data[at++] = Math.floor(e.gen / 256 ** b) % 256;
    });
    const index = subsections(entries.map((e) => e.num))
      .map(([first, count]) => `${first} ${count}`)
      .join(' ');
    push(
      `${selfNum} 0 obj\n<< /Type /XRef ${trailerText(size)} /Index [${index}] /W [1 ${w2} ${w3}] /Length ${data.length} >>\nstream\n`,
    );
    push(data);
    push(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`);
  }

  const out = new Uint8Array(length);
  out.set(pdf, 0);
  let at = pdf.length;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function fingerprint(object: PDFObject): string {
  // A stream's contents are never edited in place by pdf-lib; its dictionary may be.
  return object instanceof PDFStream ? `stream ${object.dict.toString()}` : object.toString();
}

/**
 * A PDF opened for an incremental update: edit `doc` with pdf-lib (draw on pages, add
 * objects, change dictionaries), then `save()` appends exactly the objects that are new or
 * differ from what was loaded.
 */
export class IncrementalPdf {
  private constructor(
    readonly original: Uint8Array,
    readonly doc: PDFDocument,
    readonly last: LastXref,
    private readonly loaded: Map<string, { object: PDFObject; print: string }>,
  ) {}

  static async open(pdf: Uint8Array): Promise<IncrementalPdf> {
    // updateMetadata: false, or pdf-lib rewrites /Producer and /ModDate in the Info dictionary.
    const doc = await PDFDocument.load(pdf, { updateMetadata: false });
    const last = readLastXref(pdf, doc);
    if (last.trailer.get(PDFName.of('Encrypt')) || doc.context.trailerInfo.Encrypt) {
      throw new Error('an encrypted PDF cannot be updated');
    }
    // pdf-lib does not count the object streams and xref streams it unpacks, so its next
    // number could collide with theirs: start after everything the trailer declares.
    doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, last.size - 1);
    const loaded = new Map<string, { object: PDFObject; print: string }>();
    for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
      loaded.set(ref.tag, { object, print: fingerprint(object) });
    }
    return new IncrementalPdf(pdf, doc, last, loaded);
  }

  /** The objects that are new or changed since loading. */
  changedObjects(): UpdatedObject[] {
    const changed: UpdatedObject[] = [];
    for (const [ref, object] of this.doc.context.enumerateIndirectObjects()) {
      const before = this.loaded.get(ref.tag);
      if (!before || before.object !== object || before.print !== fingerprint(object)) {
        changed.push({ ref, object });
      }
    }
    return changed;
  }

  /** The original bytes followed by one incremental update (the original when nothing changed). */
  async save(): Promise<Uint8Array> {
    await this.doc.flush();
    const changed = this.changedObjects();
    if (changed.length === 0) return this.original;
    const { trailerInfo } = this.doc.context;
    const root = trailerInfo.Root ?? this.last.trailer.get(PDFName.of('Root'));
    if (!root) throw new Error('the PDF trailer has no /Root');
    const id = trailerInfo.ID ?? this.last.trailer.get(PDFName.of('ID'));
    const info = trailerInfo.Info ?? this.last.trailer.get(PDFName.of('Info'));
    return appendUpdate(
      this.original,
      this.last,
      changed,
      {
        Root: root,
        ...(info ? { Info: info } : {}),
        ...(id instanceof PDFArray ? { ID: id } : {}),
      },
      this.doc.context.largestObjectNumber + 1,
    );
  }
}
