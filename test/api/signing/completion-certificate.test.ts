import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../functions/core/hashing';
import { sealPdf } from '../../../functions/core/pdf-seal/seal';
import { keyDir, makeSealKit } from '../../core/pdf-seal/fixtures';
import { makePdf, toBase64 } from '../../support/pdf';
import { attachment, attachmentNames, fontsOf, pageCount, qpdfCheck } from '../../support/pdf-tools';
import { pageText, pdfsig, renderPage } from '../../support/pdfsig';
import { startTestService, type TestService } from '../../support/service';
import {
  darkPixels,
  download,
  fieldBox,
  invitationToken,
  signAs,
  uniqueEmail,
  waitForExecution,
  waitForStatus,
  waitForStep,
} from '../../support/signing';
import { letter, newTenant, sha256 } from '../helpers';

/**
 * The certificate of completion end to end: a route signed through the API comes back sealed
 * with the certificate pages after the document and two attached files, all under the seal.
 */

const TERMS = JSON.parse(
  readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'),
);

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

interface Signer {
  name: string;
  email: string;
  step: number;
}

/** Creates and sends an envelope of `pdf` with SLA terms, signs it step by step, and returns it sealed. */
async function completeRoute(pdf: Uint8Array, names: [string, number][], label: string) {
  const tenant = newTenant(label);
  const token = await service.token('sender', { tenant, sub: 'sam', email: `sam.${tenant}@vendor.example` });
  const signers: Signer[] = names.map(([name, step], i) => ({
    name,
    step,
    email: uniqueEmail(`cert${i + 1}`),
  }));
  const created = await service.api('POST', '/v1/envelopes', {
    token,
    body: {
      title: `Support agreement ${tenant}`,
      message: 'Please sign',
      documents: [{ name: 'msa.pdf', contentBase64: toBase64(pdf) }],
      recipients: signers.map((s, i) => ({
        name: s.name,
        email: s.email,
        step: s.step,
        fields: [fieldBox(i)],
      })),
      slaTerms: TERMS,
    },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const envelope = created.body as Record<string, any>;
  expect((await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token })).status).toBe(200);
  for (const step of [...new Set(signers.map((s) => s.step))].sort()) {
    await waitForStep(service, tenant, envelope.id, step);
    for (const s of signers.filter((x) => x.step === step)) {
      await signAs(service, await invitationToken(service, s.email), { type: 'typed', text: s.name });
    }
  }
  await waitForStatus(service, token, envelope.id, 'completed', 30_000);
  await waitForExecution(service, envelope.id, 'SUCCEEDED');
  const link = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
  expect(link.status).toBe(200);
  const sealed = await download(link.body.url);
  const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
  expect(audit.status).toBe(200);
  return { tenant, envelope, signers, sealed, events: audit.body.events as any[] };
}

describe('a completed route: certificate pages and attached files under the seal', () => {
  const names: [string, number][] = [
    ['José Müller-Ñúñez', 1],
    ['王小明', 1],
    ['محمد العلي', 2],
  ];
  let uploaded: Uint8Array;
  let route: Awaited<ReturnType<typeof completeRoute>>;
  let certificatePages: number[];

  beforeAll(async () => {
    uploaded = await letter();
    route = await completeRoute(uploaded, names, 'certificate');
    const pages = await pageCount(route.sealed);
    certificatePages = Array.from({ length: pages - 1 }, (_, i) => i + 2);
  }, 60_000);

  it('has the certificate pages after the uploaded page, and they name the envelope', async () => {
    expect(certificatePages.length).toBeGreaterThanOrEqual(1);
    expect(certificatePages.length).toBeLessThanOrEqual(2);
    const first = await pageText(route.sealed, certificatePages[0]!);
    expect(first).toContain('Certificate of Completion');
    expect(first).toContain(route.envelope.id);
    expect(await pageText(route.sealed, 1)).not.toContain('Certificate of Completion');
  });

  it('pdfsig reports the seal valid over the whole file', async () => {
    const { signatures, output } = await pdfsig(route.sealed);
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]).toMatchObject({ validation: 'Signature is Valid.', totalDocumentSigned: true });
  });

  it('qpdf --check finds the structure sound', async () => {
    const check = await qpdfCheck(route.sealed);
    expect(check.ok, check.output).toBe(true);
  });

  it('keeps the uploaded bytes as an exact prefix', () => {
    expect(Buffer.from(route.sealed.subarray(0, uploaded.length)).equals(Buffer.from(uploaded))).toBe(true);
  });

  it('attaches countersign-completion.json in the agreed shape, anchored at the last event before completion', async () => {
    expect(await attachmentNames(route.sealed)).toEqual(['countersign-completion.json', 'sla-terms.json']);
    const raw = (await attachment(route.sealed, 'countersign-completion.json')).toString('utf8');
    const record = JSON.parse(raw);
    expect(raw).toBe(canonicalJson(record));
    expect(Object.keys(record).sort()).toEqual(
      [
        'auditHead',
        'documents',
        'envelopeId',
        'format',
        'recipients',
        'sealedAt',
        'tenantId',
        'title',
      ].sort(),
    );
    const completedAt = route.events.findIndex((e) => e.type === 'envelope.completed');
    const head = route.events[completedAt - 1];
    expect(record).toMatchObject({
      format: 'countersign-completion/1',
      envelopeId: route.envelope.id,
      tenantId: route.tenant,
      title: route.envelope.title,
      auditHead: { seq: head.seq, hash: head.hash },
    });
    expect(Date.parse(record.sealedAt)).toBeLessThanOrEqual(Date.parse(route.events[completedAt].at));
    expect(Date.parse(record.sealedAt)).toBeGreaterThanOrEqual(Date.parse(head.at));
    expect(record.documents).toEqual([{ id: 'doc1', name: 'msa.pdf', sha256: sha256(uploaded), pages: 1 }]);

    const allowed = [
      'id',
      'name',
      'email',
      'role',
      'step',
      'group',
      'authMethod',
      'consent',
      'signedAt',
      'approvedAt',
      'events',
    ];
    expect(record.recipients.map((r: any) => [r.name, r.email, r.role, r.step])).toEqual(
      route.signers.map((s) => [s.name, s.email, 'signer', s.step]),
    );
    for (const r of record.recipients) {
      expect(Object.keys(r).filter((k) => !allowed.includes(k))).toEqual([]);
      const theirs = route.events.filter((e) => e.data?.recipientId === r.id && e.seq <= head.seq);
      expect(r.events).toEqual(
        theirs.map((e) => ({
          type: e.type,
          at: e.at,
          ...(e.actor.kind === 'recipient' && e.actor.ip ? { ip: e.actor.ip } : {}),
          ...(e.actor.kind === 'recipient' && e.actor.userAgent ? { userAgent: e.actor.userAgent } : {}),
        })),
      );
      expect(r.events.map((e: any) => e.type)).toEqual([
        'recipient.invited',
        'recipient.viewed',
        'recipient.consented',
        'recipient.signed',
      ]);
      expect(r.events[3].ip).toEqual(expect.any(String));
      expect(r.events[3].userAgent).toEqual(expect.any(String));
      const signed = theirs.find((e) => e.type === 'recipient.signed');
      const consented = theirs.find((e) => e.type === 'recipient.consented');
      expect(r).toMatchObject({
        authMethod: 'email',
        signedAt: signed.at,
        consent: { version: consented.data.disclosureVersion, at: consented.at },
      });
    }
  });

  it('attaches sla-terms.json: the terms given at creation', async () => {
    const raw = (await attachment(route.sealed, 'sla-terms.json')).toString('utf8');
    expect(JSON.parse(raw)).toEqual(TERMS);
    expect(raw).toBe(canonicalJson(TERMS));
  });

  it('renders the certificate page with ink, and the names in Chinese and Arabic with their own fonts', async () => {
    const png = PNG.sync.read(await renderPage(route.sealed, certificatePages[0]!, 60));
    const ratio =
      darkPixels(png, { x: 0, y: 0, width: png.width, height: png.height }) / (png.width * png.height);
    expect(ratio).toBeGreaterThan(0.02);
    expect(ratio).toBeLessThan(0.3);

    let text = '';
    for (const n of certificatePages) text += await pageText(route.sealed, n);
    text = text.replace(/[\u202a-\u202e\u200e\u200f]/g, '');
    for (const [name] of names) expect(text).toContain(name);
    for (const s of route.signers) expect(text).toContain(s.email);
    const head = route.events[route.events.findIndex((e) => e.type === 'envelope.completed') - 1];
    expect(text).toContain(head.hash);
    expect(text).toContain(sha256(uploaded));
    const embedded = (await fontsOf(route.sealed)).filter((f) => f.embedded).map((f) => f.name);
    expect(embedded.some((n) => n.startsWith('NotoSansSC-'))).toBe(true);
    expect(embedded.some((n) => n.startsWith('DejaVuSans'))).toBe(true);
  });
});

describe('a document that was signed before it was uploaded', () => {
  let keys: Awaited<ReturnType<typeof keyDir>>;

  afterAll(async () => keys?.cleanup());

  it('keeps its first signature valid after our pages, attachments and seal', async () => {
    keys = await keyDir();
    const vendor = await makeSealKit(keys, 'ECDSA_SHA_256');
    const presigned = await sealPdf(await makePdf([[612, 792]], 'Vendor-signed agreement'), {
      signer: vendor.seal,
      chain: vendor.chain,
      reason: 'Approved by the vendor',
      name: 'Vendor Legal',
      signedAt: new Date('2026-10-01T10:00:00Z'),
      fieldName: 'VendorSignature',
    });
    const route = await completeRoute(presigned, [['Ana Ruiz', 1]], 'presigned');
    expect(Buffer.from(route.sealed.subarray(0, presigned.length)).equals(Buffer.from(presigned))).toBe(true);
    const { signatures, output } = await pdfsig(route.sealed, { noCert: true });
    expect(signatures, output).toHaveLength(2);
    expect(signatures.map((s) => [s.fieldName, s.validation, s.totalDocumentSigned])).toEqual([
      ['VendorSignature', 'Signature is Valid.', false],
      [`CountersignSeal_${route.envelope.id}`, 'Signature is Valid.', true],
    ]);
    expect(await pageCount(route.sealed)).toBeGreaterThanOrEqual(2);
    expect(await attachmentNames(route.sealed)).toEqual(['countersign-completion.json', 'sla-terms.json']);
    const check = await qpdfCheck(route.sealed);
    expect(check.ok, check.output).toBe(true);
  }, 60_000);
});
