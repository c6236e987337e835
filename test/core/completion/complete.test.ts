import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { COMPLETION_FILE, SLA_TERMS_FILE } from '../../../functions/core/completion/attachments';
import { COMPLETION_FORMAT } from '../../../functions/core/completion/certificate';
import { addCompletion } from '../../../functions/core/completion/complete';
import { foldEnvelope } from '../../../functions/core/envelope';
import { loadEnvelope } from '../../../functions/core/envelope-repository';
import { canonicalJson } from '../../../functions/core/hashing';
import { sealPdf } from '../../../functions/core/pdf-seal/seal';
import { stampSignatures } from '../../../functions/core/pdf-stamp/stamp';
import { signingRouteTasks } from '../../../functions/core/signing/route-tasks';
import { makePdf } from '../../support/pdf';
import { attachment, attachmentNames, pageCount, qpdfCheck } from '../../support/pdf-tools';
import { pdfsig } from '../../support/pdfsig';
import { keyDir, makeSealKit, type SealKit } from '../pdf-seal/fixtures';
import { fakePorts, recordSigned, seedSentEnvelope } from '../signing/fakes';
import { signedLog } from './log';

const TERMS = JSON.parse(
  readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'),
);
const fonts = new NodeFontSource();

const isPrefix = (prefix: Uint8Array, whole: Uint8Array) =>
  whole.length > prefix.length && Buffer.from(prefix).equals(Buffer.from(whole.subarray(0, prefix.length)));

describe('a document signed elsewhere before it was uploaded', () => {
  let keys: Awaited<ReturnType<typeof keyDir>>;
  let theirs: SealKit;
  let ours: SealKit;
  let upload: Uint8Array;
  let sealed: Uint8Array;

  beforeAll(async () => {
    keys = await keyDir();
    theirs = await makeSealKit(keys, 'RSASSA_PKCS1_V1_5_SHA_256');
    ours = await makeSealKit(keys, 'ECDSA_SHA_256');
    // Signed by another party's tool: a signature over the whole file as it was uploaded.
    upload = await sealPdf(await makePdf([[612, 792]]), {
      signer: theirs.seal,
      chain: theirs.chain,
      reason: 'Approved by the vendor',
      name: 'Vendor Legal',
      signedAt: new Date('2026-10-01T10:00:00Z'),
      fieldName: 'VendorSignature',
    });
    const log = signedLog(['José Müller-Ñúñez', '王小明'], { slaTerms: TERMS });
    const state = foldEnvelope(log.events);
    const stamped = await stampSignatures(
      upload,
      [
        {
          page: 1,
          rect: { x: 72, y: 500, width: 200, height: 60 },
          signerName: 'José Müller-Ñúñez',
          signedAt: '2026-11-02T09:00:06.000Z',
          reference: 'env-cert-1/r1',
          typed: 'José Müller-Ñúñez',
        },
      ],
      fonts,
    );
    const sealedAt = new Date('2026-11-02T12:00:00Z');
    const { bytes, pages } = await addCompletion(stamped, state, log.events, { sealedAt, fonts });
    expect(pages).toBeGreaterThanOrEqual(1);
    sealed = await sealPdf(bytes, {
      signer: ours.seal,
      chain: ours.chain,
      reason: 'Signed by every party',
      name: 'Countersign',
      signedAt: sealedAt,
      fieldName: 'CountersignSeal_env-cert-1',
    });
  });

  afterAll(async () => keys?.cleanup());

  it('keeps the upload as an exact prefix of the sealed file', () => {
    expect(isPrefix(upload, sealed)).toBe(true);
  });

  it('pdfsig finds both signatures valid: theirs over the upload, ours over everything', async () => {
    const { signatures, output } = await pdfsig(sealed, { noCert: true });
    expect(signatures, output).toHaveLength(2);
    expect(signatures[0]).toMatchObject({
      fieldName: 'VendorSignature',
      validation: 'Signature is Valid.',
      totalDocumentSigned: false,
    });
    expect(signatures[1]).toMatchObject({
      fieldName: 'CountersignSeal_env-cert-1',
      validation: 'Signature is Valid.',
      totalDocumentSigned: true,
    });
  });

  it('passes qpdf --check, with the certificate pages and both attachments under the seal', async () => {
    const check = await qpdfCheck(sealed);
    expect(check.ok, check.output).toBe(true);
    expect(await pageCount(sealed)).toBeGreaterThanOrEqual(2);
    expect(await attachmentNames(sealed)).toEqual([COMPLETION_FILE, SLA_TERMS_FILE]);
    const record = JSON.parse((await attachment(sealed, COMPLETION_FILE)).toString());
    expect(record).toMatchObject({ format: COMPLETION_FORMAT, sealedAt: '2026-11-02T12:00:00.000Z' });
    expect((await attachment(sealed, SLA_TERMS_FILE)).toString()).toBe(canonicalJson(TERMS));
  });
});

describe('the Seal task', () => {
  for (const count of [2, 50]) {
    it(`seals ${count} recipients with the certificate and the record, quickly and once`, async () => {
      const ports = await fakePorts();
      const key = await seedSentEnvelope(
        ports,
        Array.from({ length: count }, (_, i) => (i < count / 2 ? 1 : 2)),
      );
      const before = await loadEnvelope(ports.envelopes, key);
      for (const r of before.recipients) await recordSigned(ports, key, r.id);
      const tasks = signingRouteTasks(ports);

      const started = performance.now();
      expect(await tasks.Seal(key)).toEqual({ documents: 1 });
      const elapsed = performance.now() - started;
      // About 0.3 s for 2 and 0.5-1.5 s for 50 here; generous against a slow machine.
      expect(elapsed).toBeLessThan(15_000);
      expect(await tasks.Seal(key)).toEqual({ documents: 1 });
      expect(ports.documents.puts).toHaveLength(1);

      const state = await loadEnvelope(ports.envelopes, key);
      const events = await ports.envelopes.loadEvents(key);
      const completed = events.findIndex((e) => e.type === 'envelope.completed');
      const head = events[completed - 1]!;
      const doc = state.sealedDocuments![0]!;
      const sealed = await ports.documents.getDocument(doc.storageKey, doc.sha256);

      const original = await ports.documents.getDocument(
        state.documents[0]!.storageKey,
        state.documents[0]!.sha256,
      );
      expect(isPrefix(original, sealed)).toBe(true);
      const record = JSON.parse((await attachment(sealed, COMPLETION_FILE)).toString());
      expect(record.auditHead).toEqual({ seq: head.seq, hash: head.hash });
      expect(record.recipients).toHaveLength(count);
      expect(await attachmentNames(sealed)).toEqual([COMPLETION_FILE]);
      expect(await pageCount(sealed)).toBeGreaterThan(1);
      const { signatures, output } = await pdfsig(sealed, { noCert: true });
      expect(
        signatures.map((s) => s.validation),
        output,
      ).toEqual(['Signature is Valid.']);
      // The record the envelope keeps does not grow with the certificate: it stays far under its limit.
      expect(JSON.stringify(state).length).toBeLessThan(ports.limits.maxEnvelopeRecordBytes);
    });
  }
});
