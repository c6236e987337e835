import { createHash } from 'node:crypto';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFDocument,
  type PDFObject,
} from 'pdf-lib';
import { canonicalJson } from '../hashing';
import { IncrementalPdf } from '../pdf-seal/incremental';
import type { SlaTerms } from '../sla/terms';
import type { CompletionRecord } from './certificate';

/**
 * Files attached to a sealed PDF (ISO 32000-2, 7.11.4 and 14.13): each an embedded file stream
 * with a file specification named in the catalog's /Names /EmbeddedFiles name tree and listed in
 * the catalog's /AF (associated files) with its /AFRelationship. Added as an incremental update,
 * so the bytes before stay an exact prefix and the seal that follows covers the files.
 */

export const COMPLETION_FILE = 'countersign-completion.json';
export const SLA_TERMS_FILE = 'sla-terms.json';

export type AfRelationship = 'Source' | 'Data' | 'Alternative' | 'Supplement' | 'Unspecified';

export interface AttachedFile {
  /** The file name shown by viewers; also its key in the name tree. */
  name: string;
  bytes: Uint8Array;
  mimeType: string;
  description: string;
  relationship: AfRelationship;
  /** The file's modification date (/Params /ModDate). */
  modifiedAt: Date;
}

const encoder = new TextEncoder();

/**
 * The files every sealed document carries: the certificate of completion as canonical JSON (the
 * pages are its visual presentation, hence /Data) and, when the envelope has them, the SLA terms
 * as canonical JSON (the machine-readable source the contract's service levels are measured by,
 * hence /Source).
 */
export function completionFiles(record: CompletionRecord, slaTerms?: SlaTerms): AttachedFile[] {
  const modifiedAt = new Date(record.sealedAt);
  const files: AttachedFile[] = [
    {
      name: COMPLETION_FILE,
      bytes: encoder.encode(canonicalJson(record)),
      mimeType: 'application/json',
      description: `Certificate of completion of envelope ${record.envelopeId} (${record.format})`,
      relationship: 'Data',
      modifiedAt,
    },
  ];
  if (slaTerms) {
    files.push({
      name: SLA_TERMS_FILE,
      bytes: encoder.encode(canonicalJson(slaTerms)),
      mimeType: 'application/json',
      description: `SLA terms of contract ${String(slaTerms.contract_id)}`,
      relationship: 'Source',
      modifiedAt,
    });
  }
  return files;
}

type NameKey = PDFString | PDFHexString;

const isKey = (o: PDFObject | undefined): o is NameKey => o instanceof PDFString || o instanceof PDFHexString;

/** Every leaf entry of a name tree, in tree order (cycles and absurd depths are refused). */
function leaves(node: PDFDict, depth = 0, seen = new Set<PDFDict>()): [NameKey, PDFObject][] {
  if (depth > 32 || seen.has(node)) throw new Error('the PDF embedded files name tree is malformed');
  seen.add(node);
  const out: [NameKey, PDFObject][] = [];
  const names = node.lookup(PDFName.of('Names'));
  if (names instanceof PDFArray) {
    for (let i = 0; i + 1 < names.size(); i += 2) {
      const key = names.lookup(i);
      if (isKey(key)) out.push([key, names.get(i + 1)]);
    }
  }
  const kids = node.lookup(PDFName.of('Kids'));
  if (kids instanceof PDFArray) {
    for (let i = 0; i < kids.size(); i++) {
      const kid = kids.lookup(i);
      if (kid instanceof PDFDict) out.push(...leaves(kid, depth + 1, seen));
    }
  }
  return out;
}

/** Name tree keys are ordered by their bytes. */
function compareKeys(a: NameKey, b: NameKey): number {
  return Buffer.compare(Buffer.from(a.asBytes()), Buffer.from(b.asBytes()));
}

/**
 * Adds the files to the document: new embedded file streams and file specifications, a new flat
 * /EmbeddedFiles name tree holding the earlier entries and these (an earlier file of the same
 * name is replaced in this revision; earlier revisions keep it), and the catalog's /AF.
 */
export function embedFiles(doc: PDFDocument, files: AttachedFile[]): void {
  const { context, catalog } = doc;
  const names = new Set(files.map((f) => f.name));
  if (names.size !== files.length) throw new Error('attached files need distinct names');

  const added: [NameKey, PDFRef][] = files.map((file) => {
    const stream = context.flateStream(file.bytes, {
      Type: 'EmbeddedFile',
      Subtype: file.mimeType,
      Params: {
        Size: file.bytes.length,
        ModDate: PDFString.fromDate(file.modifiedAt),
        CheckSum: PDFHexString.of(createHash('md5').update(file.bytes).digest('hex')),
      },
    });
    const streamRef = context.register(stream);
    const spec = context.obj({
      Type: 'Filespec',
      F: PDFString.of(file.name),
      UF: PDFHexString.fromText(file.name),
      EF: { F: streamRef, UF: streamRef },
      Desc: PDFHexString.fromText(file.description),
      AFRelationship: file.relationship,
    });
    return [PDFString.of(file.name), context.register(spec)];
  });

  let namesDict = catalog.lookup(PDFName.of('Names'));
  if (!(namesDict instanceof PDFDict)) {
    namesDict = context.obj({});
    catalog.set(PDFName.of('Names'), namesDict);
  }
  const tree = (namesDict as PDFDict).lookup(PDFName.of('EmbeddedFiles'));
  const earlier = tree instanceof PDFDict ? leaves(tree) : [];
  const replaced = earlier.filter(([key]) => names.has(key.decodeText()));
  const entries = [...earlier.filter(([key]) => !names.has(key.decodeText())), ...added].sort(([a], [b]) =>
    compareKeys(a, b),
  );
  const flat = context.obj({ Names: entries.flat() });
  (namesDict as PDFDict).set(PDFName.of('EmbeddedFiles'), context.register(flat));

  // Associated files (PDF 2.0, PDF/A-3): what the document carries and how it relates to it.
  const gone = new Set(replaced.map(([, spec]) => spec).filter((s): s is PDFRef => s instanceof PDFRef));
  const af = catalog.lookup(PDFName.of('AF'));
  const kept =
    af instanceof PDFArray ? af.asArray().filter((o) => !(o instanceof PDFRef && gone.has(o))) : [];
  catalog.set(PDFName.of('AF'), context.obj([...kept, ...added.map(([, ref]) => ref)]));
}

/** The PDF with the files attached in one incremental update. */
export async function attachFiles(pdf: Uint8Array, files: AttachedFile[]): Promise<Uint8Array> {
  if (files.length === 0) return pdf;
  const incremental = await IncrementalPdf.open(pdf);
  embedFiles(incremental.doc, files);
  return incremental.save();
}

/** The files embedded in a PDF's /EmbeddedFiles name tree, by name (as a verifier reads them). */
export function embeddedFiles(doc: PDFDocument): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const names = doc.catalog.lookup(PDFName.of('Names'));
  const tree = names instanceof PDFDict ? names.lookup(PDFName.of('EmbeddedFiles')) : undefined;
  if (!(tree instanceof PDFDict)) return out;
  for (const [key, value] of leaves(tree)) {
    const spec = doc.context.lookup(value);
    if (!(spec instanceof PDFDict)) continue;
    const ef = spec.lookup(PDFName.of('EF'));
    const stream =
      ef instanceof PDFDict ? (ef.lookup(PDFName.of('UF')) ?? ef.lookup(PDFName.of('F'))) : undefined;
    if (stream instanceof PDFRawStream) out.set(key.decodeText(), decodePDFRawStream(stream).decode());
  }
  return out;
}
