import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { IntegrityError, PayloadTooLargeError } from '../../core/errors';
import { sha256Base64, sha256Hex } from '../../core/hashing';
import type { DocumentStore, PresignedRequest } from '../../core/ports';

export interface DocumentBuckets {
  documents: string;
  staging: string;
  /** KMS key for SSE-KMS; omitted locally, where the emulator has no KMS. */
  dataKeyArn?: string;
  objectLockMode?: 'GOVERNANCE' | 'COMPLIANCE';
}

const SHA_META = 'sha256';

/**
 * Documents in S3. The SHA-256 of every object is sent with the write (S3 verifies it in
 * AWS), recorded as metadata, and checked again here on every read, because the local
 * emulator ignores checksums.
 */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: DocumentBuckets,
  ) {}

  private encryption() {
    return this.buckets.dataKeyArn
      ? {
          ServerSideEncryption: 'aws:kms' as const,
          SSEKMSKeyId: this.buckets.dataKeyArn,
          BucketKeyEnabled: true,
        }
      : {};
  }

  async putDocument(
    key: string,
    bytes: Uint8Array,
    sha256: string,
    retainUntil: Date,
    contentType = 'application/pdf',
  ): Promise<void> {
    if (sha256Hex(bytes) !== sha256) throw new IntegrityError(`bytes for ${key} do not match their SHA-256`);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.buckets.documents,
        Key: key,
        Body: bytes,
        ContentType: contentType,
        ChecksumSHA256: sha256Base64(bytes),
        Metadata: { [SHA_META]: sha256 },
        ...this.encryption(),
        ...(this.buckets.objectLockMode
          ? { ObjectLockMode: this.buckets.objectLockMode, ObjectLockRetainUntilDate: retainUntil }
          : {}),
      }),
    );
    await this.checkWritten(key, sha256, bytes.length);
  }

  async getDocument(key: string, expectedSha256: string): Promise<Uint8Array> {
    const res = await this.s3.send(new GetObjectCommand({ Bucket: this.buckets.documents, Key: key }));
    const bytes = await res.Body!.transformToByteArray();
    const actual = sha256Hex(bytes);
    if (actual !== expectedSha256) {
      throw new IntegrityError(`document ${key} has SHA-256 ${actual}, expected ${expectedSha256}`);
    }
    return bytes;
  }

  async documentUrl(
    key: string,
    filename: string,
    expiresIn: number,
    expectedSha256: string,
    contentType = 'application/pdf',
  ): Promise<PresignedRequest> {
    await this.checkStored(key, expectedSha256);
    const command = new GetObjectCommand({
      Bucket: this.buckets.documents,
      Key: key,
      ResponseContentType: contentType,
      ResponseContentDisposition: `attachment; filename="${filename.replace(/[^\w .()-]/g, '_')}"`,
    });
    const url = await getSignedUrl(this.s3, command, { expiresIn });
    return {
      url,
      method: 'GET',
      headers: {},
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  async stagingUploadUrl(key: string, contentLength: number, expiresIn: number): Promise<PresignedRequest> {
    const command = new PutObjectCommand({
      Bucket: this.buckets.staging,
      Key: key,
      ContentType: 'application/pdf',
      ContentLength: contentLength,
      ...this.encryption(),
    });
    // Content-Length and Content-Type are signed: S3 refuses a body of another size.
    const url = await getSignedUrl(this.s3, command, {
      expiresIn,
      signableHeaders: new Set(['content-type', 'content-length']),
    });
    const headers: Record<string, string> = { 'content-type': 'application/pdf' };
    if (this.buckets.dataKeyArn) {
      headers['x-amz-server-side-encryption'] = 'aws:kms';
      headers['x-amz-server-side-encryption-aws-kms-key-id'] = this.buckets.dataKeyArn;
    }
    return { url, method: 'PUT', headers, expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString() };
  }

  async readStaging(key: string, maxBytes: number): Promise<Uint8Array | null> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.buckets.staging, Key: key }));
      if ((head.ContentLength ?? 0) > maxBytes) {
        throw new PayloadTooLargeError(
          `the uploaded file is ${head.ContentLength} bytes, over the ${maxBytes}-byte limit`,
        );
      }
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.buckets.staging, Key: key }));
      return await res.Body!.transformToByteArray();
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async deleteStaging(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.buckets.staging, Key: key }));
  }

  /**
   * Right after a write, the local emulator can answer a HEAD before the new object is fully in
   * place (S3 itself is read-after-write consistent): look again briefly before calling it a mismatch.
   */
  private async checkWritten(key: string, sha256: string, size: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.checkStored(key, sha256, size);
      } catch (err) {
        // Not there yet, or not all of it: the emulator under load; S3 never answers either after a PUT.
        if (!(err instanceof IntegrityError || isMissing(err)) || attempt >= 4) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  /**
   * The object as stored must hash to the SHA-256 we recorded. S3 computes the checksum of
   * what it received itself (we send one with every write), so where it reports one that is
   * proof enough; where it does not (the local emulator), the bytes are read and hashed.
   */
  private async checkStored(key: string, sha256: string, size?: number): Promise<void> {
    const head = await this.s3.send(
      new HeadObjectCommand({ Bucket: this.buckets.documents, Key: key, ChecksumMode: 'ENABLED' }),
    );
    const mismatch = () =>
      new IntegrityError(`stored document ${key} does not match its recorded SHA-256 or size`);
    if (size !== undefined && head.ContentLength !== size) throw mismatch();
    const reported = head.ChecksumSHA256;
    if (reported && !reported.includes('-')) {
      if (Buffer.from(reported, 'base64').toString('hex') !== sha256) throw mismatch();
      return;
    }
    await this.getDocument(key, sha256);
  }
}

function isMissing(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
