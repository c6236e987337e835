/**
 * Named domain errors. Handlers map them to HTTP status codes; their messages are shown
 * to the caller, so they say what is wrong without leaking internals.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly code = 'validation_failed';
}
export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
}
export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
}
export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
}
export class ConflictError extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}
export class GoneError extends DomainError {
  readonly status = 410;
  readonly code = 'gone';
}
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported_media_type';
}
/** The request is well-formed but its content cannot be used (an encrypted PDF, a reused idempotency key). */
export class UnprocessableError extends DomainError {
  readonly status = 422;
  readonly code = 'unprocessable';
}

/** Raised by stores when a conditional write loses a race; use cases retry or report a conflict. */
export class ConcurrencyError extends Error {
  constructor(message = 'concurrent modification') {
    super(message);
    this.name = 'ConcurrencyError';
  }
}

/** Stored bytes do not match their recorded SHA-256: never served, always reported. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/**
 * The task token is no longer waiting: its task timed out (the workflow moved on to send
 * reminders with a fresh token) or the execution ended. Callers treat this as "too late", not
 * as a fault.
 */
export class TaskTokenExpiredError extends Error {
  override readonly name = 'TaskTokenExpiredError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The signing link opens nothing until the recipient enters the code their method requires. */
export class AuthRequiredError extends DomainError {
  readonly status = 403;
  readonly code = 'auth_required';
}
/** Too many wrong codes: the recipient is locked until the sender resends the invitation. */
export class LockedError extends DomainError {
  readonly status = 423;
  readonly code = 'auth_locked';
}
export class TooManyRequestsError extends DomainError {
  readonly status = 429;
  readonly code = 'too_many_requests';
}
