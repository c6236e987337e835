import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3DocumentStore } from '../../../functions/adapters/s3/document-store';
import { IntegrityError, PayloadTooLargeError } from '../../../functions/core/errors';
import { startEmulators, type Emulators } from '../../../functions/local/emulators';
import { makePdf } from '../../support/pdf';

const BUCKETS = { documents: 'countersign-documents', staging: 'countersign-staging' };
let emulators: Emulators;
let s3: S3Client;
let store: S3DocumentStore;
let pdf: Uint8Array;
let other: Uint8Array;
let counter = 0;
const key = () => `tenants/acme/envelopes/env${counter++}/documents/doc1.pdf`;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const retainUntil = new Date(Date.now() + 86_400_000);

beforeAll(async () => {
  emulators = await startEmulators({ buckets: [BUCKETS.documents, BUCKETS.staging] });
  // As functions/wiring/ports.ts builds it for the local mode.
  s3 = new S3Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  store = new S3DocumentStore(s3, { ...BUCKETS, objectLockMode: 'GOVERNANCE' });
  pdf = await makePdf([[612, 792]], 'Original');
  other = await makePdf([[612, 792]], 'Forged');
});

afterAll(async () => {
  s3?.destroy();
  await emulators?.close();
});

async function exists(bucket: string, k: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: k }));
    return true;
  } catch {
    return false;
  }
}

async function overwrite(k: string, bytes: Uint8Array, metadata?: Record<string, string>) {
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKETS.documents,
      Key: k,
      Body: bytes,
      ...(metadata ? { Metadata: metadata } : {}),
    }),
  );
}

describe('S3DocumentStore documents', () => {
  it('stores a document and reads the same bytes back, checked against its SHA-256', async () => {
    const k = key();
    await store.putDocument(k, pdf, sha256(pdf), retainUntil);
    const back = await store.getDocument(k, sha256(pdf));
    expect(Buffer.from(back).equals(Buffer.from(pdf))).toBe(true);
  });

  it('refuses to store bytes that do not match the SHA-256 it is given, and stores nothing', async () => {
    const k = key();
    await expect(store.putDocument(k, pdf, sha256(other), retainUntil)).rejects.toBeInstanceOf(
      IntegrityError,
    );
    expect(await exists(BUCKETS.documents, k)).toBe(false);
  });

  it('throws IntegrityError when the expected SHA-256 differs', async () => {
    const k = key();
    await store.putDocument(k, pdf, sha256(pdf), retainUntil);
    await expect(store.getDocument(k, sha256(other))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('throws IntegrityError when the stored bytes were replaced', async () => {
    const k = key();
    await store.putDocument(k, pdf, sha256(pdf), retainUntil);
    await overwrite(k, other, { sha256: sha256(pdf) });
    const error = await store.getDocument(k, sha256(pdf)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect((error as Error).message).toContain(sha256(other));
  });

  it('hands out a short-lived URL that serves the document as an attachment', async () => {
    const k = key();
    await store.putDocument(k, pdf, sha256(pdf), retainUntil);
    const before = Date.now();
    const link = await store.documentUrl(k, 'Master "services" agreement.pdf', 300, sha256(pdf));
    expect(link.method).toBe('GET');
    expect(Date.parse(link.expiresAt) - before).toBeGreaterThanOrEqual(299_000);
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('300');
    const res = await fetch(link.url);
    expect(res.status).toBe(200);
    expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(sha256(pdf));
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="Master _services_ agreement.pdf"',
    );
  });

  it('hands out no URL for a document whose stored bytes were replaced', async () => {
    const bare = key();
    await store.putDocument(bare, pdf, sha256(pdf), retainUntil);
    await overwrite(bare, other);
    await expect(store.documentUrl(bare, 'a.pdf', 300, sha256(pdf))).rejects.toBeInstanceOf(IntegrityError);
  });

  it('hands out no URL for a document whose stored bytes were replaced with the sha256 metadata kept', async () => {
    const disguised = key();
    await store.putDocument(disguised, pdf, sha256(pdf), retainUntil);
    await overwrite(disguised, other, { sha256: sha256(pdf) });
    await expect(store.documentUrl(disguised, 'a.pdf', 300, sha256(pdf))).rejects.toBeInstanceOf(
      IntegrityError,
    );
  });
});

describe('S3DocumentStore staging', () => {
  it('readStaging answers null for an upload that never happened', async () => {
    expect(await store.readStaging('tenants/acme/uploads/never.pdf', 1_000_000)).toBeNull();
  });

  it('a presigned PUT, then readStaging returns the bytes; deleteStaging removes them', async () => {
    const k = `tenants/acme/uploads/up${counter++}.pdf`;
    const ticket = await store.stagingUploadUrl(k, pdf.length, 900);
    expect(ticket).toMatchObject({ method: 'PUT', headers: { 'content-type': 'application/pdf' } });
    expect(ticket.url).toContain(BUCKETS.staging);
    expect(new URL(ticket.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');

    const put = await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: pdf });
    expect(put.status).toBe(200);
    const staged = await store.readStaging(k, 1_000_000);
    expect(staged && sha256(staged)).toBe(sha256(pdf));
    expect(await exists(BUCKETS.documents, k)).toBe(false);

    await store.deleteStaging(k);
    expect(await store.readStaging(k, 1_000_000)).toBeNull();
  });

  it('readStaging refuses an object over the size limit', async () => {
    const k = `tenants/acme/uploads/up${counter++}.pdf`;
    const ticket = await store.stagingUploadUrl(k, pdf.length, 900);
    await fetch(ticket.url, { method: 'PUT', headers: ticket.headers, body: pdf });
    await expect(store.readStaging(k, pdf.length - 1)).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(await store.readStaging(k, pdf.length)).not.toBeNull();
  });
});
