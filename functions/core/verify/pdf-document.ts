import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  ParseSpeeds,
  type PDFObject,
} from 'pdf-lib';

/**
 * What pdf-lib can tell about one revision of the file: the page count, the signature fields
 * and the embedded files. Nothing in the document is ever run: pdf-lib only parses objects, and
 * only the two Countersign attachments are decoded (bounded, against compression bombs).
 */

export interface EmbeddedFile {
  name: string;
  /** The decoded size, when it was decoded. */
  size: number | null;
  sha256: string | null;
  mimeType: string | null;
  /** The decoded bytes of the files verification reads; null for the others. */
  content: Uint8Array | null;
  problem?: string;
}

export interface DocumentFacts {
  pages: number;
  /** Signature field names by the signature's /ByteRange ("a b c d"). */
  signatureFields: Map<string, string>;
  embeddedFiles: EmbeddedFile[];
}

/** The attachments verification decodes, and the most it decodes of each. */
export const READ_ATTACHMENTS = new Set(['sla-terms.json', 'countersign-completion.json']);
const MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024;

const textOf = (o: PDFObject | undefined): string | null =>
  o instanceof PDFString || o instanceof PDFHexString ? o.decodeText() : null;

export async function readDocument(bytes: Uint8Array): Promise<DocumentFacts> {
  const doc = await PDFDocument.load(bytes, {
    ignoreEncryption: true,
    updateMetadata: false,
    throwOnInvalidObject: true,
    parseSpeed: ParseSpeeds.Fastest,
  });
  return {
    pages: doc.getPageCount(),
    signatureFields: signatureFields(doc),
    embeddedFiles: embeddedFiles(doc),
  };
}

function lookup(doc: PDFDocument, o: PDFObject | undefined): PDFObject | undefined {
  return o instanceof PDFRef ? doc.context.lookup(o) : o;
}

function signatureFields(doc: PDFDocument): Map<string, string> {
  const fields = new Map<string, string>();
  const acroForm = lookup(doc, doc.catalog.get(PDFName.of('AcroForm')));
  if (!(acroForm instanceof PDFDict)) return fields;
  const seen = new Set<PDFObject>();
  const visit = (node: PDFObject | undefined, prefix: string, depth: number) => {
    const dict = lookup(doc, node);
    if (!(dict instanceof PDFDict) || seen.has(dict) || depth > 32) return;
    seen.add(dict);
    const partial = textOf(dict.get(PDFName.of('T')));
    const name = partial === null ? prefix : prefix ? `${prefix}.${partial}` : partial;
    const value = lookup(doc, dict.get(PDFName.of('V')));
    if (value instanceof PDFDict) {
      const range = lookup(doc, value.get(PDFName.of('ByteRange')));
      if (range instanceof PDFArray) {
        const numbers = range.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
        if (name) fields.set(numbers.join(' '), name);
      }
    }
    const kids = lookup(doc, dict.get(PDFName.of('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) visit(kid, name, depth + 1);
  };
  const list = lookup(doc, acroForm.get(PDFName.of('Fields')));
  if (list instanceof PDFArray) for (const field of list.asArray()) visit(field, '', 0);
  return fields;
}

function embeddedFiles(doc: PDFDocument): EmbeddedFile[] {
  const specs: { name: string; spec: PDFDict }[] = [];
  const seen = new Set<PDFDict>();
  const add = (name: string | null, spec: PDFObject | undefined) => {
    const dict = lookup(doc, spec);
    if (!(dict instanceof PDFDict) || seen.has(dict)) return;
    seen.add(dict);
    const fileName =
      textOf(dict.get(PDFName.of('UF'))) ?? textOf(dict.get(PDFName.of('F'))) ?? name ?? '(unnamed)';
    specs.push({ name: fileName, spec: dict });
  };

  // The EmbeddedFiles name tree: /Names [key value ...] leaves under /Kids.
  const names = lookup(doc, doc.catalog.get(PDFName.of('Names')));
  const tree = names instanceof PDFDict ? lookup(doc, names.get(PDFName.of('EmbeddedFiles'))) : undefined;
  const walk = (node: PDFObject | undefined, depth: number) => {
    const dict = lookup(doc, node);
    if (!(dict instanceof PDFDict) || depth > 32) return;
    const leaf = lookup(doc, dict.get(PDFName.of('Names')));
    if (leaf instanceof PDFArray) {
      const items = leaf.asArray();
      for (let i = 0; i + 1 < items.length; i += 2) add(textOf(lookup(doc, items[i])), items[i + 1]);
    }
    const kids = lookup(doc, dict.get(PDFName.of('Kids')));
    if (kids instanceof PDFArray) for (const kid of kids.asArray()) walk(kid, depth + 1);
  };
  walk(tree, 0);
  // Associated files of the document (PDF/A-3, PDF 2.0).
  const af = lookup(doc, doc.catalog.get(PDFName.of('AF')));
  if (af instanceof PDFArray) for (const spec of af.asArray()) add(null, spec);

  return specs.map(({ name, spec }) => readSpec(doc, name, spec));
}

function readSpec(doc: PDFDocument, name: string, spec: PDFDict): EmbeddedFile {
  const file: EmbeddedFile = { name, size: null, sha256: null, mimeType: null, content: null };
  const ef = lookup(doc, spec.get(PDFName.of('EF')));
  const stream = ef instanceof PDFDict ? lookup(doc, ef.get(PDFName.of('F'))) : undefined;
  if (!(stream instanceof PDFRawStream)) {
    file.problem = 'the attachment has no embedded file stream';
    return file;
  }
  const subtype = stream.dict.get(PDFName.of('Subtype'));
  if (subtype instanceof PDFName) file.mimeType = subtype.decodeText().replace(/#2F/gi, '/');
  if (!READ_ATTACHMENTS.has(name)) return file;
  try {
    const content = decodeStream(doc, stream);
    file.content = content;
    file.size = content.length;
    file.sha256 = createHash('sha256').update(content).digest('hex');
  } catch (error) {
    file.problem = `the attachment cannot be decoded: ${(error as Error).message}`;
  }
  return file;
}

/** No filter or FlateDecode (without a predictor), bounded. */
function decodeStream(doc: PDFDocument, stream: PDFRawStream): Uint8Array {
  const filter = lookup(doc, stream.dict.get(PDFName.of('Filter')));
  const filters =
    filter === undefined
      ? []
      : filter instanceof PDFArray
        ? filter.asArray().map((f) => lookup(doc, f))
        : [filter];
  let data: Uint8Array = stream.contents;
  for (const f of filters) {
    if (!(f instanceof PDFName) || f.decodeText() !== 'FlateDecode') {
      throw new Error(`unsupported filter ${String(f)}`);
    }
    if (stream.dict.get(PDFName.of('DecodeParms'))) throw new Error('predictors are not supported');
    data = new Uint8Array(inflateSync(data, { maxOutputLength: MAX_ATTACHMENT_BYTES }));
  }
  if (data.length > MAX_ATTACHMENT_BYTES) throw new Error('the attachment is too large');
  return data;
}
