import { readFileSync } from 'node:fs';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  attachFiles,
  COMPLETION_FILE,
  completionFiles,
  embeddedFiles,
  SLA_TERMS_FILE,
  type AttachedFile,
} from '../../../functions/core/completion/attachments';
import { completionRecord } from '../../../functions/core/completion/certificate';
import { foldEnvelope } from '../../../functions/core/envelope';
import { canonicalJson } from '../../../functions/core/hashing';
import { makePdf } from '../../support/pdf';
import { attachment, attachmentNames, qpdfCheck } from '../../support/pdf-tools';
import { signedLog } from './log';

const TERMS = JSON.parse(
  readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'),
);

const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length > prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

const file = (
  name: string,
  text: string,
  relationship: AttachedFile['relationship'] = 'Data',
): AttachedFile => ({
  name,
  bytes: new TextEncoder().encode(text),
  mimeType: 'application/json',
  description: `the file ${name}`,
  relationship,
  modifiedAt: new Date('2026-11-02T12:00:00Z'),
});

/** The catalog's /AF entries: each file specification's name and relationship. */
async function associatedFiles(pdf: Uint8Array): Promise<[string, string][]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const af = doc.catalog.lookup(PDFName.of('AF'), PDFArray);
  return af.asArray().map((ref) => {
    const spec = doc.context.lookup(ref, PDFDict);
    const uf = spec.lookup(PDFName.of('UF'));
    const relationship = spec.lookup(PDFName.of('AFRelationship'));
    return [
      uf instanceof PDFHexString || uf instanceof PDFString ? uf.decodeText() : '?',
      relationship instanceof PDFName ? relationship.decodeText() : 'none',
    ];
  });
}

describe('completionFiles', () => {
  it('holds the record and the SLA terms as canonical JSON, related as data and source', () => {
    const log = signedLog(['Ana Ruiz'], { slaTerms: TERMS });
    const state = foldEnvelope(log.events);
    const record = completionRecord(state, log.events, new Date('2026-11-02T12:00:00Z'));
    const files = completionFiles(record, state.slaTerms);
    expect(files.map((f) => [f.name, f.relationship, f.mimeType])).toEqual([
      [COMPLETION_FILE, 'Data', 'application/json'],
      [SLA_TERMS_FILE, 'Source', 'application/json'],
    ]);
    expect(Buffer.from(files[0]!.bytes).toString()).toBe(canonicalJson(record));
    expect(Buffer.from(files[1]!.bytes).toString()).toBe(canonicalJson(TERMS));
    expect(completionFiles(record).map((f) => f.name)).toEqual([COMPLETION_FILE]);
  });
});

describe('attachFiles', () => {
  let pdf: Uint8Array;
  let out: Uint8Array;

  beforeAll(async () => {
    pdf = await makePdf([[612, 792]]);
    out = await attachFiles(pdf, [
      file(COMPLETION_FILE, '{"a":1}'),
      file(SLA_TERMS_FILE, '{"b":2}', 'Source'),
    ]);
  });

  it('appends one incremental update: the input is an exact prefix, and qpdf finds no fault', async () => {
    expect(isPrefix(pdf, out)).toBe(true);
    expect(Buffer.from(out.subarray(pdf.length)).toString('latin1').match(/%%EOF/g)).toHaveLength(1);
    const check = await qpdfCheck(out);
    expect(check.ok, check.output).toBe(true);
  });

  it('pdfdetach lists and extracts both files', async () => {
    expect(await attachmentNames(out)).toEqual([COMPLETION_FILE, SLA_TERMS_FILE]);
    expect((await attachment(out, COMPLETION_FILE)).toString()).toBe('{"a":1}');
    expect((await attachment(out, SLA_TERMS_FILE)).toString()).toBe('{"b":2}');
  });

  it('lists them in the catalog /AF with their relationship', async () => {
    expect(await associatedFiles(out)).toEqual([
      [COMPLETION_FILE, 'Data'],
      [SLA_TERMS_FILE, 'Source'],
    ]);
    const doc = await PDFDocument.load(out);
    expect([...embeddedFiles(doc).keys()]).toEqual([COMPLETION_FILE, SLA_TERMS_FILE]);
  });

  it('keeps the files a document already had, sorted in the name tree, and replaces a same-named one', async () => {
    // A document with its own attachment in a name tree of two levels (/Kids), as large files have.
    const doc = await PDFDocument.load(await makePdf([[595, 842]]));
    await doc.attach(new TextEncoder().encode('old'), COMPLETION_FILE, { mimeType: 'application/json' });
    await doc.attach(new TextEncoder().encode('zzz'), 'zz-notes.txt', { mimeType: 'text/plain' });
    await doc.flush();
    const names = doc.catalog.lookup(PDFName.of('Names'), PDFDict);
    const leaf = names.lookup(PDFName.of('EmbeddedFiles'), PDFDict);
    names.set(PDFName.of('EmbeddedFiles'), doc.context.obj({ Kids: [doc.context.register(leaf)] }));
    const own = await doc.save({ useObjectStreams: false });
    expect(await attachmentNames(own)).toEqual([COMPLETION_FILE, 'zz-notes.txt']);

    const updated = await attachFiles(own, [
      file(COMPLETION_FILE, '{"new":true}'),
      file('a-first.json', '[]'),
    ]);
    expect(isPrefix(own, updated)).toBe(true);
    const check = await qpdfCheck(updated);
    expect(check.ok, check.output).toBe(true);
    // The classic cross-reference table stays a table.
    expect(Buffer.from(updated.subarray(own.length)).toString('latin1')).toMatch(/\nxref\n/);
    expect(await attachmentNames(updated)).toEqual(['a-first.json', COMPLETION_FILE, 'zz-notes.txt']);
    expect((await attachment(updated, COMPLETION_FILE)).toString()).toBe('{"new":true}');
    expect((await attachment(updated, 'zz-notes.txt')).toString()).toBe('zzz');
    // The replaced file's specification left /AF; the other one stayed.
    expect(await associatedFiles(updated)).toEqual([
      ['zz-notes.txt', 'none'],
      [COMPLETION_FILE, 'Data'],
      ['a-first.json', 'Data'],
    ]);
  });

  it('refuses two files of one name and changes nothing without files', async () => {
    await expect(attachFiles(pdf, [file('x.json', '1'), file('x.json', '2')])).rejects.toThrow(
      /distinct names/,
    );
    expect(await attachFiles(pdf, [])).toBe(pdf);
  });
});
