import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import { startTestService, type TestService } from '../support/service';
import {
  dynamo,
  envelopeBody,
  footprint,
  itemsWithPrefix,
  letter,
  newTenant,
  NOTHING,
  objectKeys,
  s3,
  sha256,
  STAGING_BUCKET,
} from './helpers';

let service: TestService;
const clock = fixedClock(new Date());
const HOUR = 3_600_000;

beforeAll(async () => {
  service = await startTestService({ overrides: () => ({ clock }) });
});

afterAll(async () => {
  await service?.close();
});

async function requestUpload(token: string, size: number, filename = 'contract.pdf') {
  return service.api('POST', '/v1/uploads', {
    token,
    body: { filename, contentType: 'application/pdf', size },
  });
}

async function put(ticket: any, bytes: Uint8Array) {
  const res = await fetch(ticket.upload.url, { method: 'PUT', headers: ticket.upload.headers, body: bytes });
  expect(res.status).toBe(200);
}

/** A valid PDF of exactly `total` bytes (padding after %%EOF, which readers ignore). */
async function pdfOfSize(total: number): Promise<Uint8Array> {
  const pdf = await letter();
  return Buffer.concat([pdf, Buffer.from('\n%'), Buffer.alloc(total - pdf.length - 2, 0x41)]);
}

function createFromUpload(token: string, uploadId: string) {
  return envelopeBody({ documents: [{ name: 'contract.pdf', uploadId }] }).then((body) =>
    service.api('POST', '/v1/envelopes', { token, body }),
  );
}

async function uploadsOf(tenant: string) {
  const db = dynamo(service);
  try {
    return await itemsWithPrefix(db, `T#${tenant}#U#`);
  } finally {
    db.destroy();
  }
}

async function stagedOf(tenant: string) {
  const client = s3(service);
  try {
    return await objectKeys(client, STAGING_BUCKET, `tenants/${tenant}/`);
  } finally {
    client.destroy();
  }
}

describe('POST /v1/uploads, then an envelope that references the upload', () => {
  it('a presigned PUT into staging, then the envelope takes the bytes (over the 3 MB inline limit)', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const pdf = await pdfOfSize(4 * 1024 * 1024);

    const res = await requestUpload(token, pdf.length);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      uploadId: expect.stringMatching(/^[a-z0-9]{26}$/),
      upload: { method: 'PUT', headers: { 'content-type': 'application/pdf' } },
      expiresAt: new Date(clock.now().getTime() + 24 * HOUR).toISOString(),
    });
    expect(res.body.upload.url).toContain('countersign-staging');
    await put(res.body, pdf);
    expect(await stagedOf(tenant)).toHaveLength(1);

    const created = await createFromUpload(token, res.body.uploadId);
    expect(created.status).toBe(201);
    expect(created.body.documents).toEqual([
      { id: 'doc1', name: 'contract.pdf', sha256: sha256(pdf), size: pdf.length, pageCount: 1 },
    ]);
    // Accepted bytes moved under retention: the staged copy is gone.
    expect(await stagedOf(tenant)).toEqual([]);

    const link = await service.api('GET', `/v1/envelopes/${created.body.id}/documents/doc1`, { token });
    const downloaded = new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(pdf));
  });

  it('400 for an unknown upload id, naming the field, and nothing is written', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const res = await createFromUpload(token, '01jzzzzzzzzzzzzzzzzzzzzzzz');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('unknown upload id "01jzzzzzzzzzzzzzzzzzzzzzzz"');
    expect(res.body.error.details).toEqual([
      { path: 'body.documents[0].uploadId', message: 'unknown upload id' },
    ]);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it("400 for another user's or another tenant's upload id", async () => {
    const tenant = newTenant('upload');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const sue = await service.token('sender', { tenant, sub: 'sue' });
    const pdf = await letter();
    const ticket = (await requestUpload(sam, pdf.length)).body;
    await put(ticket, pdf);

    const byColleague = await createFromUpload(sue, ticket.uploadId);
    expect(byColleague.status).toBe(400);
    expect(byColleague.body.error.details[0].path).toBe('body.documents[0].uploadId');

    const outsider = newTenant('upload');
    const byOutsider = await createFromUpload(
      await service.token('admin', { tenant: outsider, sub: 'sam' }),
      ticket.uploadId,
    );
    expect(byOutsider.status).toBe(400);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
    expect(await footprint(service, outsider)).toEqual(NOTHING);
    // The owner can still use it.
    expect((await createFromUpload(sam, ticket.uploadId)).status).toBe(201);
  });

  it('400 for an upload id whose PUT never happened', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const ticket = (await requestUpload(token, 1234)).body;
    const res = await createFromUpload(token, ticket.uploadId);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`nothing was uploaded for upload id "${ticket.uploadId}"`);
    expect(res.body.error.details[0].path).toBe('body.documents[0].uploadId');
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it('410 for an upload that expired (after 24 hours), and nothing is written', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const pdf = await letter();
    const ticket = (await requestUpload(token, pdf.length)).body;
    await put(ticket, pdf);

    clock.advance(24 * HOUR - 60_000);
    const fresh = await requestUpload(token, pdf.length);
    await put(fresh.body, pdf);
    clock.advance(60_001);

    const res = await createFromUpload(token, ticket.uploadId);
    expect(res.status).toBe(410);
    expect(res.body.error.code).toBe('gone');
    expect(res.body.error.message).toContain(`upload "${ticket.uploadId}" expired at ${ticket.expiresAt}`);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
    // An upload made later is still good.
    expect((await createFromUpload(token, fresh.body.uploadId)).status).toBe(201);
  });

  it('415 when the uploaded file is not a PDF, and nothing is written', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant, sub: 'sam' });
    const text = Buffer.from('not a pdf at all');
    const ticket = (await requestUpload(token, text.length, 'notes.pdf')).body;
    await put(ticket, text);
    const res = await createFromUpload(token, ticket.uploadId);
    expect(res.status).toBe(415);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });
});

describe('POST /v1/uploads refuses bad requests and records nothing', () => {
  it.each([
    [{ filename: 'a.pdf', contentType: 'application/msword', size: 10 }, 400, 'body.contentType'],
    [{ filename: 'a.pdf', contentType: 'application/pdf', size: 0 }, 400, 'body.size'],
    [{ filename: 'a.pdf', contentType: 'application/pdf', size: 1.5 }, 400, 'body.size'],
    [{ contentType: 'application/pdf', size: 10 }, 400, 'body.filename'],
  ])('%j → %i naming %s', async (body, status, path) => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant });
    const res = await service.api('POST', '/v1/uploads', { token, body });
    expect(res.status).toBe(status);
    expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
    expect(await uploadsOf(tenant)).toEqual([]);
  });

  it('413 for a file over 50 MB', async () => {
    const tenant = newTenant('upload');
    const token = await service.token('sender', { tenant });
    const res = await requestUpload(token, 50 * 1024 * 1024 + 1);
    expect(res.status).toBe(413);
    expect(res.body.error.message).toContain('upload limit');
    expect(await uploadsOf(tenant)).toEqual([]);
    expect((await requestUpload(token, 50 * 1024 * 1024)).status).toBe(201);
  });
});
