import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certificateToPem } from '../../functions/core/pdf-seal/certificates';
import { IncrementalPdf } from '../../functions/core/pdf-seal/incremental';
import { sealPdf } from '../../functions/core/pdf-seal/seal';
import { makeEncryptedPdf, makePdf, toBase64 } from '../support/pdf';
import { pdfsig } from '../support/pdfsig';
import { startTestService, type TestService } from '../support/service';
import {
  createRouted,
  download,
  invitationToken,
  signAs,
  waitForExecution,
  waitForStatus,
  waitForStep,
} from '../support/signing';
import { letter, newTenant, objectKeys, s3, sha256, STAGING_BUCKET } from './helpers';

/**
 * Public verification through the local service: a contract driven to completion, its sealed
 * PDF downloaded and posted back (with its exported audit trail) without any token.
 */

let service: TestService;
let envelope: Record<string, any>;
let sealed: Uint8Array;
let audit: Record<string, any>;
let rootPem: string;

const verify = (body: unknown) => service.api('POST', '/v1/verify', { body });

beforeAll(async () => {
  service = await startTestService();
  const tenant = newTenant('verify');
  const token = await service.token('sender', { tenant, sub: 'sam', email: `sam.${tenant}@vendor.example` });
  const routed = await createRouted(service, token, tenant, [{ name: 'Ana Ruiz', step: 1 }], {
    title: `Support agreement ${tenant}`,
  });
  envelope = routed.envelope;
  const send = await service.api('POST', `/v1/envelopes/${envelope.id}/send`, { token });
  expect(send.status).toBe(200);
  await waitForStep(service, tenant, envelope.id, 1);
  await signAs(service, await invitationToken(service, routed.signers[0]!.email), {
    type: 'typed',
    text: 'Ana Ruiz',
  });
  await waitForStatus(service, token, envelope.id, 'completed', 30_000);
  await waitForExecution(service, envelope.id, 'SUCCEEDED');
  const link = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
  expect(link.status).toBe(200);
  sealed = await download(link.body.url);
  const exported = await service.api('GET', `/v1/envelopes/${envelope.id}/audit?format=json`, { token });
  expect(exported.status, JSON.stringify(exported.body)).toBe(200);
  audit = exported.body;
  const chain = await service.ports.seal.chain();
  rootPem = certificateToPem(chain[chain.length - 1]!);
}, 90_000);

afterAll(async () => {
  await service?.close();
});

describe('POST /v1/verify (public)', () => {
  it('answers valid for the sealed PDF, without any token, and reports the sealed completion record', async () => {
    const res = await verify({ contentBase64: toBase64(sealed), trustedRoots: [rootPem] });
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report.verdict, report.problems?.join('\n')).toBe('valid');
    expect(report.file).toMatchObject({ size: sealed.length, sha256: sha256(sealed) });
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({
      fieldName: `CountersignSeal_${envelope.id}`,
      subFilter: 'ETSI.CAdES.detached',
      coversWholeFile: true,
      digest: { matches: true },
      signature: { algorithm: 'ECDSA_SHA_256', valid: true },
      chain: { endsInSelfSignedRoot: true, trusted: true },
      intact: true,
    });
    expect(report.signatures[0].signer.subject).toContain('Countersign local mode Countersign Seal');
    expect(report.completion).toMatchObject({
      format: 'countersign-completion/1',
      envelopeId: envelope.id,
      documents: [{ id: 'doc1', sha256: envelope.documents[0].sha256 }],
    });
    // The uploaded original is a byte-exact prefix of the sealed file.
    expect(report.originalDocuments).toEqual([
      { id: 'doc1', name: 'msa.pdf', sha256: envelope.documents[0].sha256, prefixOfThisFile: true },
    ]);
    // Our verdict and poppler's agree.
    const poppler = await pdfsig(sealed, { noCert: true });
    expect(poppler.signatures.map((s) => s.valid)).toEqual([true]);
  });

  it('checks the exported audit trail against the audit head sealed in the PDF', async () => {
    const res = await verify({ contentBase64: toBase64(sealed), audit, trustedRoots: [rootPem] });
    expect(res.status).toBe(200);
    expect(res.body.verdict, res.body.problems.join('\n')).toBe('valid');
    expect(res.body.audit).toMatchObject({
      envelopeId: envelope.id,
      chain: { verified: true },
      head: { matches: true },
      signature: { valid: true, chain: { trusted: true } },
      completionHead: { seq: res.body.completion.auditHead.seq, found: true },
      valid: true,
    });
  });

  it('tampered when an audit event was edited', async () => {
    const edited = structuredClone(audit);
    edited.events[1].actor.ip = '203.0.113.66';
    const res = await verify({ contentBase64: toBase64(sealed), audit: edited });
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('tampered');
    expect(res.body.audit.chain).toMatchObject({ verified: false, brokenAt: 2 });
  });

  it('tampered with a digest mismatch when one signed byte is flipped', async () => {
    const text = Buffer.from(sealed).toString('latin1');
    const offset = text.indexOf('stream') + 'stream'.length + 8;
    const flipped = Uint8Array.from(sealed);
    flipped[offset] = flipped[offset]! ^ 0x20;
    const res = await verify({ contentBase64: toBase64(flipped) });
    expect(res.status).toBe(200);
    expect(res.body.verdict).toBe('tampered');
    expect(res.body.signatures[0].digest.matches).toBe(false);
    expect(res.body.problems.join('\n')).toMatch(/digest mismatch/);
  });

  it('tampered when the sealed file is truncated', async () => {
    for (const keep of [sealed.length - 1, Math.floor(sealed.length / 2)]) {
      const res = await verify({ contentBase64: toBase64(sealed.subarray(0, keep)) });
      expect(res.status).toBe(200);
      expect(res.body.verdict, `cut at ${keep}`).toBe('tampered');
    }
  });

  it('unsealed for a PDF without any signature', async () => {
    const res = await verify({ contentBase64: toBase64(await letter()) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ verdict: 'unsealed', signatures: [], problems: [] });
  });

  it('415 for a file that is not a PDF, 422 for an encrypted PDF, 400 for a malformed request', async () => {
    const text = await verify({ contentBase64: toBase64(Buffer.from('just some text, no PDF')) });
    expect(text.status).toBe(415);
    expect(text.body.error).toMatchObject({
      code: 'unsupported_media_type',
      message: expect.stringMatching(/not a PDF/),
    });

    const encrypted = await verify({ contentBase64: toBase64(await makeEncryptedPdf()) });
    expect(encrypted.status).toBe(422);
    expect(encrypted.body.error.message).toMatch(/encrypted/);

    expect((await verify({})).status).toBe(400);
    expect((await verify({ contentBase64: 'not base64!' })).status).toBe(400);
    const both = await verify({ contentBase64: toBase64(sealed), uploadId: 'x' });
    expect(both.status).toBe(400);
    const wrongAudit = await verify({ contentBase64: toBase64(sealed), audit: { format: 'something-else' } });
    expect(wrongAudit.status).toBe(400);
    expect(wrongAudit.body.error.message).toContain('body.audit');
    const badRoot = await verify({ contentBase64: toBase64(sealed), trustedRoots: ['not a certificate'] });
    expect(badRoot.status).toBe(400);
  });

  it('is described in the OpenAPI document as public', async () => {
    const doc = (await service.api('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/verify'].post).toMatchObject({ operationId: 'verifyDocument', security: [] });
    expect(doc.paths['/v1/verify/uploads'].post).toMatchObject({
      operationId: 'createVerifyUpload',
      security: [],
    });
    expect(doc.components.schemas.VerificationReport).toBeDefined();
  });
});

describe('POST /v1/verify/uploads, then POST /v1/verify with the upload id', () => {
  let big: Uint8Array;

  beforeAll(async () => {
    // Over the 3 MB inline limit: an incompressible attachment, then the service's own seal.
    const incremental = await IncrementalPdf.open(await makePdf());
    await incremental.doc.attach(randomBytes(3_300_000), 'measurements.bin', {
      mimeType: 'application/octet-stream',
    });
    big = await sealPdf(await incremental.save(), {
      signer: service.ports.seal.signer,
      chain: await service.ports.seal.chain(),
      reason: 'test',
      name: 'Countersign',
      signedAt: new Date(),
      fieldName: 'CountersignSeal_big',
    });
    expect(big.length).toBeGreaterThan(3 * 1024 * 1024);
  });

  const stagedForVerification = async () => {
    const client = s3(service);
    try {
      return await objectKeys(client, STAGING_BUCKET, 'verify/');
    } finally {
      client.destroy();
    }
  };

  it('413 inline over 3 MB; through an upload the file is verified, then deleted', async () => {
    const inline = await verify({ contentBase64: toBase64(big) });
    expect(inline.status).toBe(413);
    expect(inline.body.error.message).toContain('POST /v1/verify/uploads');

    const ticket = await service.api('POST', '/v1/verify/uploads', { body: { size: big.length } });
    expect(ticket.status).toBe(201);
    expect(ticket.body).toMatchObject({
      uploadId: expect.stringMatching(/^[a-z0-9]{26}$/),
      upload: { method: 'PUT', headers: { 'content-type': 'application/pdf' } },
    });
    const expiresAt = Date.parse(ticket.body.upload.expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    expect(ticket.body.upload.url).toContain(`verify/${ticket.body.uploadId}.pdf`);
    const put = await fetch(ticket.body.upload.url, {
      method: 'PUT',
      headers: ticket.body.upload.headers,
      body: big,
    });
    expect(put.status).toBe(200);
    expect(await stagedForVerification()).toContain(`verify/${ticket.body.uploadId}.pdf`);

    const res = await verify({ uploadId: ticket.body.uploadId });
    expect(res.status).toBe(200);
    expect(res.body.verdict, res.body.problems?.join('\n')).toBe('valid');
    expect(res.body.file.size).toBe(big.length);
    expect(res.body.embeddedFiles.map((f: any) => f.name)).toEqual(['measurements.bin']);
    expect(await stagedForVerification()).not.toContain(`verify/${ticket.body.uploadId}.pdf`);

    // The file is gone: the id cannot be used again.
    const again = await verify({ uploadId: ticket.body.uploadId });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/nothing was uploaded/);
  });

  it('refuses an upload over 50 MB and an unknown upload id', async () => {
    const tooBig = await service.api('POST', '/v1/verify/uploads', { body: { size: 50 * 1024 * 1024 + 1 } });
    expect(tooBig.status).toBe(413);
    const unknown = await verify({ uploadId: '01jzzzzzzzzzzzzzzzzzzzzzzz' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details).toEqual([{ path: 'body.uploadId', message: 'unknown upload id' }]);
  });
});
