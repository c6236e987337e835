import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { makePdf, toBase64 } from '../support/pdf';
import { startTestService, type TestService } from '../support/service';
import { createEnvelope, documentKey, letter, newTenant, overwriteDocument, sha256 } from './helpers';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

const docPath = (id: string, doc: string) => `/v1/envelopes/${id}/documents/${doc}`;

async function download(url: string): Promise<{ status: number; bytes: Uint8Array; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), headers: res.headers };
}

describe('GET /v1/envelopes/{id}/documents/{doc}', () => {
  it('answers a short-lived presigned URL that serves the exact bytes that were sent', async () => {
    const tenant = newTenant('docs');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const pdf = await letter();
    const envelope = await createEnvelope(service, token, { pdf });

    const before = Date.now();
    const res = await service.api('GET', docPath(envelope.id, 'doc1'), { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      method: 'GET',
      document: { id: 'doc1', name: 'msa.pdf', sha256: sha256(pdf), size: pdf.length },
    });
    const expiresIn = Date.parse(res.body.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(60_000);
    expect(expiresIn).toBeLessThanOrEqual(5 * 60_000 + 5_000);
    expect(new URL(res.body.url).searchParams.get('X-Amz-Expires')).toBe('300');
    expect(res.headers.get('cache-control')).toBe('no-store');

    const file = await download(res.body.url);
    expect(file.status).toBe(200);
    expect(Buffer.from(file.bytes).equals(Buffer.from(pdf))).toBe(true);
    expect(sha256(file.bytes)).toBe(res.body.document.sha256);
    expect(file.headers.get('content-type')).toBe('application/pdf');
  });

  it('serves each document of a multi-document envelope', async () => {
    const tenant = newTenant('docs');
    const token = await service.token('admin', { tenant });
    const msa = await makePdf([[612, 792]], 'MSA');
    const sla = await makePdf([[612, 792]], 'SLA');
    const envelope = await createEnvelope(service, token, {
      documents: [
        { id: 'msa', name: 'msa.pdf', contentBase64: toBase64(msa) },
        { id: 'sla', name: 'sla.pdf', contentBase64: toBase64(sla) },
      ],
      recipients: [{ name: 'Ada', email: 'ada@customer.example', step: 1 }],
    });
    for (const [id, bytes] of [
      ['msa', msa],
      ['sla', sla],
    ] as const) {
      const res = await service.api('GET', docPath(envelope.id, id), { token });
      expect(res.status).toBe(200);
      expect(sha256((await download(res.body.url)).bytes)).toBe(sha256(bytes));
    }
  });

  it('an auditor of the tenant may download', async () => {
    const tenant = newTenant('docs');
    const sender = await service.token('sender', { tenant, sub: 'sam' });
    const auditor = await service.token('auditor', { tenant, sub: 'aud' });
    const envelope = await createEnvelope(service, sender);
    expect((await service.api('GET', docPath(envelope.id, 'doc1'), { token: auditor })).status).toBe(200);
  });

  it('404 for a document the envelope does not have, and for an unknown envelope', async () => {
    const tenant = newTenant('docs');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const envelope = await createEnvelope(service, token);
    const missing = await service.api('GET', docPath(envelope.id, 'doc2'), { token });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('"doc2"');
    expect(missing.body.url).toBeUndefined();
    const unknown = await service.api('GET', docPath('01jzzzzzzzzzzzzzzzzzzzzzzz', 'doc1'), { token });
    expect(unknown.status).toBe(404);
  });
});

describe('a stored document that no longer matches its SHA-256 is never served', () => {
  async function tampered(metadataOf: (originalSha: string) => Record<string, string> | undefined) {
    const tenant = newTenant('tamper');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const original = await letter();
    const envelope = await createEnvelope(service, token, { pdf: original });
    const forged = await makePdf([[612, 792]], 'Maintenance agreement, now with a 90% price rise');
    await overwriteDocument(
      service,
      documentKey(tenant, envelope.id, 'doc1'),
      forged,
      metadataOf(sha256(original)),
    );
    return service.api('GET', docPath(envelope.id, 'doc1'), { token });
  }

  function expectRefused(res: { status: number; body: any; headers: Headers }) {
    expect(res.status).toBe(500);
    expect(res.body.url).toBeUndefined();
    expect(res.body).toEqual({
      error: { code: 'internal', message: 'internal error', requestId: res.headers.get('x-request-id') },
    });
    expect(JSON.stringify(res.body)).not.toContain('http');
    expect(JSON.stringify(res.body)).not.toContain('SHA-256');
  }

  it('bytes overwritten in S3: 500, no URL', async () => {
    expectRefused(await tampered(() => undefined));
  });

  it('bytes overwritten in S3 while the recorded sha256 metadata is kept: 500, no URL', async () => {
    expectRefused(await tampered((sha) => ({ sha256: sha })));
  });
});
