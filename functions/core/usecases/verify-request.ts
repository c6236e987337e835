import { GoneError, PayloadTooLargeError, ValidationError } from '../errors';
import { certificatesFromPem } from '../pdf-seal/certificates';
import type { Ports, PresignedRequest } from '../ports';
import type { VerificationReport } from '../verify/report';
import { verifyDocument } from '../verify/verify-document';

/**
 * Public verification (no account): anyone may check a sealed PDF, and its exported audit trail,
 * against the service's own checks. Files up to 3 MB come inline; larger ones (up to 50 MB)
 * through a presigned upload under the staging bucket's `verify/` prefix, deleted once verified.
 */

export interface VerifyUploadTicket {
  uploadId: string;
  upload: PresignedRequest;
  expiresAt: string;
}

/** How long an upload id may be used; the presigned URL itself lives `uploadUrlSeconds`. */
export const VERIFY_UPLOAD_LIFETIME_SECONDS = 60 * 60;

export async function createVerifyUpload(ports: Ports, input: { size: number }): Promise<VerifyUploadTicket> {
  if (input.size > ports.limits.maxUploadBytes) {
    throw new PayloadTooLargeError(
      `a file of ${input.size} bytes is over the ${ports.limits.maxUploadBytes}-byte limit for verification`,
    );
  }
  const uploadId = ports.ids.newId();
  const now = ports.clock.now();
  const stagingKey = `verify/${uploadId}.pdf`;
  const upload = await ports.documents.stagingUploadUrl(
    stagingKey,
    input.size,
    ports.limits.uploadUrlSeconds,
  );
  const expiresAt = new Date(now.getTime() + VERIFY_UPLOAD_LIFETIME_SECONDS * 1000).toISOString();
  await ports.verifyUploads.putVerifyUpload({
    uploadId,
    size: input.size,
    stagingKey,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { uploadId, upload, expiresAt };
}

/** Exactly one of `contentBase64` and `uploadId`. */
export interface VerifyInput {
  contentBase64?: string;
  uploadId?: string;
  audit?: unknown;
  /** PEM root certificates to report chains against. */
  trustedRoots?: string[];
}

export async function verifyRequest(ports: Ports, input: VerifyInput): Promise<VerificationReport> {
  const trustedRoots = (input.trustedRoots ?? []).flatMap((pem, i) => {
    const ders = certificatesFromPemSafe(pem);
    if (ders.length === 0) {
      throw new ValidationError(`trustedRoots[${i}] holds no PEM certificate`, [
        { path: `body.trustedRoots[${i}]`, message: 'not a PEM certificate' },
      ]);
    }
    return ders;
  });
  if (input.contentBase64 !== undefined) {
    const bytes = decodeBase64(input.contentBase64);
    if (bytes.length > ports.limits.maxInlinePdfBytes) {
      throw new PayloadTooLargeError(
        `the PDF is ${bytes.length} bytes; inline PDFs may be at most ${ports.limits.maxInlinePdfBytes} bytes, use POST /v1/verify/uploads for larger files`,
      );
    }
    return verifyDocument(bytes, { audit: input.audit, trustedRoots });
  }

  if (input.uploadId === undefined) throw new ValidationError('give contentBase64 or uploadId');
  const upload = await ports.verifyUploads.getVerifyUpload(input.uploadId);
  if (!upload) {
    throw new ValidationError(`unknown upload id "${input.uploadId}"`, [
      { path: 'body.uploadId', message: 'unknown upload id' },
    ]);
  }
  if (new Date(upload.expiresAt) <= ports.clock.now()) {
    throw new GoneError(`upload "${input.uploadId}" expired at ${upload.expiresAt}; upload the file again`);
  }
  const bytes = await ports.documents.readStaging(upload.stagingKey, ports.limits.maxUploadBytes);
  if (!bytes) {
    throw new ValidationError(
      `nothing was uploaded for upload id "${input.uploadId}" (or it was verified already)`,
      [{ path: 'body.uploadId', message: 'the presigned upload was not completed' }],
    );
  }
  try {
    if (bytes.length !== upload.size) {
      throw new ValidationError(
        `the file uploaded for "${input.uploadId}" is ${bytes.length} bytes, but ${upload.size} were declared`,
        [{ path: 'body.uploadId', message: 'uploaded size differs from the declared size' }],
      );
    }
    return await verifyDocument(bytes, { audit: input.audit, trustedRoots });
  } finally {
    // Verified or refused, the file is not kept.
    await ports.documents.deleteStaging(upload.stagingKey).catch((error: unknown) => {
      ports.log?.warn(`could not delete the verification upload ${upload.stagingKey}`, error);
    });
  }
}

function certificatesFromPemSafe(pem: string): Uint8Array[] {
  try {
    return certificatesFromPem(pem);
  } catch {
    return [];
  }
}

function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new ValidationError('contentBase64 is not valid base64', [
      { path: 'body.contentBase64', message: 'not valid base64' },
    ]);
  }
  return Buffer.from(clean, 'base64');
}
