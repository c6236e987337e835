import { requireWriter, type Principal } from '../access';
import { PayloadTooLargeError } from '../errors';
import type { Ports, PresignedRequest } from '../ports';

export interface UploadTicket {
  uploadId: string;
  upload: PresignedRequest;
  expiresAt: string;
}

/** A presigned PUT into the staging bucket; the envelope that references the id checks the bytes. */
export async function createUpload(
  ports: Ports,
  principal: Principal,
  input: { filename: string; size: number },
): Promise<UploadTicket> {
  requireWriter(principal, 'upload documents');
  if (input.size > ports.limits.maxUploadBytes) {
    throw new PayloadTooLargeError(
      `a file of ${input.size} bytes is over the ${ports.limits.maxUploadBytes}-byte upload limit`,
    );
  }
  const uploadId = ports.ids.newId();
  const now = ports.clock.now();
  const stagingKey = `tenants/${principal.tenantId}/uploads/${uploadId}.pdf`;
  const upload = await ports.documents.stagingUploadUrl(
    stagingKey,
    input.size,
    ports.limits.uploadUrlSeconds,
  );
  const expiresAt = new Date(now.getTime() + ports.limits.uploadLifetimeSeconds * 1000).toISOString();
  await ports.uploads.putUpload({
    tenantId: principal.tenantId,
    uploadId,
    ownerSub: principal.sub,
    filename: input.filename,
    size: input.size,
    stagingKey,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { uploadId, upload, expiresAt };
}
