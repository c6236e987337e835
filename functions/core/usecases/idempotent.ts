import type { Principal } from '../access';
import { ConflictError, DomainError, UnprocessableError, ValidationError } from '../errors';
import { canonicalJson, sha256Hex } from '../hashing';
import type { IdempotencyClaim, Ports, StoredResponse } from '../ports';

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface IdempotentRun {
  /** Id to give the resource this request creates; the same on every retry of one key. */
  resourceId: string;
  requestHash: string;
  /** True when the caller sent an Idempotency-Key, so `resourceId` is stable across retries. */
  keyed: boolean;
}

/**
 * Runs a mutating request at most once per Idempotency-Key. A retry of a finished request
 * gets the first answer back; a retry after a crash resumes with the same resource id, so the
 * use case can find what the first attempt already wrote. A request that failed validation
 * leaves no claim behind, so the corrected request may reuse the key.
 */
export async function idempotent(
  ports: Ports,
  principal: Principal,
  operation: string,
  key: string | undefined,
  request: unknown,
  run: (ctx: IdempotentRun) => Promise<StoredResponse>,
): Promise<StoredResponse> {
  const requestHash = sha256Hex(canonicalJson({ operation, request }));
  if (key === undefined) return run({ resourceId: ports.ids.newId(), requestHash, keyed: false });
  if (!KEY_PATTERN.test(key)) {
    throw new ValidationError('Idempotency-Key must be 1 to 255 printable ASCII characters without spaces', [
      { path: 'headers.Idempotency-Key', message: 'invalid value' },
    ]);
  }
  const claim: IdempotencyClaim = {
    tenantId: principal.tenantId,
    subject: principal.sub,
    key,
    operation,
    requestHash,
    resourceId: ports.ids.newId(),
    now: ports.clock.now(),
    lockSeconds: ports.limits.idempotencyLockSeconds,
    ttlSeconds: ports.limits.idempotencyTtlSeconds,
  };
  const begun = await ports.idempotency.begin(claim);
  switch (begun.outcome) {
    case 'replay':
      return begun.response;
    case 'mismatch':
      throw new UnprocessableError('this Idempotency-Key was already used for a different request');
    case 'in_progress':
      throw new ConflictError('a request with this Idempotency-Key is still in progress; retry shortly');
    case 'started':
      break;
  }
  const resumed = { ...claim, resourceId: begun.resourceId };
  let response: StoredResponse;
  try {
    response = await run({ resourceId: begun.resourceId, requestHash, keyed: true });
  } catch (err) {
    // A refused request wrote nothing: drop the claim. Anything else may have written
    // part of the work, so the claim (and its resource id) stays for the retry to resume.
    if (err instanceof DomainError) await ports.idempotency.release(resumed);
    throw err;
  }
  await ports.idempotency.complete(resumed, response);
  return response;
}
