import type { BulkSendBatch, RowOutcome } from './bulk-send/batch';
import type { ContractStore } from './contracts/records';
import type { TemplateStore } from './templates/template';
import type { TenantSettingsStore } from './tenant-settings';
import type { EnvelopeEvent, EnvelopeState, EnvelopeStatus } from './envelope';
import type { FontSource } from './pdf-stamp/fonts';
import type { SlaStore } from './sla/store';
import type { SlaWebhookStore } from './sla/webhooks';

/**
 * The ports the use cases need. Adapters live in functions/adapters; which adapter backs a
 * port is decided once, where the process starts (functions/wiring).
 */

export interface Clock {
  now(): Date;
}

export interface Ids {
  /** Time-ordered, unguessable id for an envelope, upload or other record. */
  newId(): string;
  /** Random secret of at least 128 bits, URL-safe. */
  newSecret(bytes?: number): string;
}

export interface EnvelopeKey {
  tenantId: string;
  envelopeId: string;
}

export interface ListQuery {
  tenantId: string;
  status?: EnvelopeStatus;
  /** Only envelopes owned by this subject. */
  ownerSub?: string;
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface EnvelopeStore {
  /** Events in sequence order, optionally only those after `afterSeq`. */
  loadEvents(key: EnvelopeKey, afterSeq?: number): Promise<EnvelopeEvent[]>;
  /** Writes the event at its `seq`; throws ConcurrencyError when that seq is already taken. */
  append(event: EnvelopeEvent): Promise<void>;
  loadSnapshot(key: EnvelopeKey): Promise<EnvelopeState | null>;
  /** Stores the snapshot unless a snapshot of the same or a later version is already stored. */
  saveSnapshot(state: EnvelopeState): Promise<void>;
  list(query: ListQuery): Promise<Page<EnvelopeState>>;
}

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyBegin =
  | { outcome: 'started'; resourceId: string }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'in_progress' }
  | { outcome: 'mismatch' };

export interface IdempotencyClaim {
  tenantId: string;
  /** The caller's subject: keys are scoped per caller as well as per tenant. */
  subject: string;
  key: string;
  operation: string;
  requestHash: string;
  /** Proposed id for the resource the request creates; a resumed claim keeps the first one. */
  resourceId: string;
  now: Date;
  /** How long a claim blocks others before a retry may take it over (a crashed attempt). */
  lockSeconds: number;
  ttlSeconds: number;
}

export interface IdempotencyStore {
  begin(claim: IdempotencyClaim): Promise<IdempotencyBegin>;
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Drops an unfinished claim so that a corrected request with the same key can run. */
  release(claim: IdempotencyClaim): Promise<void>;
}

export interface UploadRecord {
  tenantId: string;
  uploadId: string;
  ownerSub: string;
  filename: string;
  size: number;
  stagingKey: string;
  createdAt: string;
  expiresAt: string;
}

export interface UploadStore {
  putUpload(upload: UploadRecord): Promise<void>;
  getUpload(tenantId: string, uploadId: string): Promise<UploadRecord | null>;
}

/**
 * A presigned upload for public verification (POST /v1/verify/uploads): no tenant and no owner,
 * stored apart from the tenants' uploads, under the staging bucket's `verify/` prefix.
 */
export interface VerifyUploadRecord {
  uploadId: string;
  size: number;
  stagingKey: string;
  createdAt: string;
  expiresAt: string;
}

export interface VerifyUploadStore {
  putVerifyUpload(upload: VerifyUploadRecord): Promise<void>;
  getVerifyUpload(uploadId: string): Promise<VerifyUploadRecord | null>;
}

export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  headers: Record<string, string>;
  expiresAt: string;
}

export interface DocumentStore {
  /** Stores accepted bytes under retention; the store checks the SHA-256 it is given. */
  putDocument(
    key: string,
    bytes: Uint8Array,
    sha256: string,
    retainUntil: Date,
    contentType?: string,
  ): Promise<void>;
  /** Reads and checks against the expected SHA-256; throws IntegrityError on a mismatch. */
  getDocument(key: string, expectedSha256: string): Promise<Uint8Array>;
  /**
   * Checks the stored object against the expected SHA-256 before handing out a short-lived URL;
   * the download is served as `contentType` (default a PDF).
   */
  documentUrl(
    key: string,
    filename: string,
    expiresInSeconds: number,
    expectedSha256: string,
    contentType?: string,
  ): Promise<PresignedRequest>;
  stagingUploadUrl(key: string, contentLength: number, expiresInSeconds: number): Promise<PresignedRequest>;
  /** The staged bytes, or null when nothing was uploaded (or the object has expired). */
  readStaging(key: string, maxBytes: number): Promise<Uint8Array | null>;
  deleteStaging(key: string): Promise<void>;
}

/**
 * S3 Object Lock legal holds on stored documents: while on, the object cannot be deleted or
 * overwritten, whatever its retention date.
 */
export interface LegalHolds {
  setLegalHold(key: string, on: boolean): Promise<void>;
  isOnLegalHold(key: string): Promise<boolean>;
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
  /** Set for an image shown inside the HTML (`<img src="cid:...">`) rather than offered as a file. */
  contentId?: string;
}

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
}

export interface SmsSender {
  send(message: { to: string; text: string }): Promise<{ messageId: string }>;
}

/** `not_found`: never started; `not_redrivable`: running, or ran to its end. */
export type RedriveOutcome = 'redriven' | 'not_found' | 'not_redrivable';

export interface Workflow {
  start(name: string, input: unknown): Promise<{ executionId: string }>;
  /** Resumes a failed, timed-out or aborted execution (Step Functions RedriveExecution). */
  redrive(name: string, executionName: string): Promise<RedriveOutcome>;
  taskSuccess(token: string, output: unknown): Promise<void>;
  taskFailure(token: string, error: string, cause: string): Promise<void>;
}

/**
 * An RFC 3161 time-stamping authority (PAdES B-T): returns the DER TimeStampToken (a CMS
 * ContentInfo) whose message imprint is the given SHA-256 digest. Absent: seals are B-B.
 */
export interface Timestamper {
  timestamp(sha256Digest: Uint8Array): Promise<Uint8Array>;
}

export interface SealSigner {
  readonly algorithm: 'ECDSA_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256';
  /** Signs a ready SHA-256 digest; returns the DER signature as KMS does. */
  signDigest(digest: Uint8Array): Promise<Uint8Array>;
  /** The public key as DER SubjectPublicKeyInfo. */
  publicKey(): Promise<Uint8Array>;
}

export interface ScheduledJob {
  id: string;
  /** What to run: the name of a job handler and its input. */
  job: string;
  input: Record<string, unknown>;
}

export interface Scheduler {
  /** One-off job at an instant; scheduling the same id again replaces it. */
  at(when: Date, job: ScheduledJob): Promise<void>;
  /** Recurring job on a cron expression (minute hour day-of-month month day-of-week) in a time zone. */
  cron(expression: string, timeZone: string, job: ScheduledJob): Promise<void>;
  cancel(id: string): Promise<void>;
}

export interface Limits {
  maxInlinePdfBytes: number;
  maxUploadBytes: number;
  uploadUrlSeconds: number;
  uploadLifetimeSeconds: number;
  downloadUrlSeconds: number;
  documentRetentionDays: number;
  /** SES v1 messages are at most 10 MB; larger sealed documents travel as links. */
  maxAttachmentBytes: number;
  /** A drawn signature image. */
  maxSignatureImageBytes: number;
  /** How long a signer's link still opens the completed document. */
  completedLinkDays: number;
  /** The created event and the snapshot are DynamoDB items (400 KB): the event may use this much. */
  maxEnvelopeRecordBytes: number;
  idempotencyLockSeconds: number;
  idempotencyTtlSeconds: number;
  /** Rows one run of a bulk send takes before it hands over to the next run. */
  bulkSendRowsPerRun: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxInlinePdfBytes: 3 * 1024 * 1024,
  maxUploadBytes: 50 * 1024 * 1024,
  uploadUrlSeconds: 15 * 60,
  uploadLifetimeSeconds: 24 * 60 * 60,
  downloadUrlSeconds: 5 * 60,
  documentRetentionDays: 7 * 365,
  maxAttachmentBytes: 7 * 1024 * 1024,
  maxSignatureImageBytes: 500 * 1024,
  completedLinkDays: 30,
  maxEnvelopeRecordBytes: 150 * 1024,
  idempotencyLockSeconds: 60,
  idempotencyTtlSeconds: 24 * 60 * 60,
  bulkSendRowsPerRun: 250,
};

/** A recipient's signing link, stored only as the SHA-256 of its secret. */
export interface SignerTokenRecord {
  tokenHash: string;
  tenantId: string;
  envelopeId: string;
  recipientId: string;
  /** The address the link was mailed to: once the part belongs to another address, it opens nothing. */
  email?: string;
  issuedAt: string;
  revokedAt?: string;
  /** When the recipient proved who they are with a code on this link (methods other than `email`). */
  authenticatedAt?: string;
}

export interface SignerTokenStore {
  putToken(record: SignerTokenRecord): Promise<void>;
  getToken(tokenHash: string): Promise<SignerTokenRecord | null>;
  /** Marks one link as authenticated: a code verified on it opens it (and only it). */
  markAuthenticated(tokenHash: string, at: string): Promise<void>;
  /** Every link issued to this recipient stops working (a resend or a corrected address). */
  revokeRecipient(key: EnvelopeKey, recipientId: string, at: string): Promise<number>;
}

/** A code kept only as a salted scrypt hash (hex), never in clear. */
export interface HashedSecret {
  salt: string;
  hash: string;
}

/** The one-time code (SMS or e-mail) a recipient was sent last; it replaces any earlier one. */
export interface OneTimeCodeRecord extends HashedSecret {
  issuedAt: string;
  expiresAt: string;
}

/**
 * Recipients' authentication secrets, kept apart from the event log (which is exported and
 * printed): access codes given out of band, and the current one-time code.
 */
export interface SignerAuthStore {
  putAccessCode(key: EnvelopeKey, recipientId: string, secret: HashedSecret): Promise<void>;
  getAccessCode(key: EnvelopeKey, recipientId: string): Promise<HashedSecret | null>;
  putOneTimeCode(key: EnvelopeKey, recipientId: string, code: OneTimeCodeRecord): Promise<void>;
  getOneTimeCode(key: EnvelopeKey, recipientId: string): Promise<OneTimeCodeRecord | null>;
  deleteOneTimeCode(key: EnvelopeKey, recipientId: string): Promise<void>;
}

/** The task token the signing route waits on for one step of one envelope. */
export interface WaitRecord {
  tenantId: string;
  envelopeId: string;
  step: number;
  taskToken: string;
  storedAt: string;
}

export interface WaitStore {
  putWait(record: WaitRecord): Promise<void>;
  getWait(key: EnvelopeKey): Promise<WaitRecord | null>;
}

/** The service seal: a signer whose key never leaves KMS (or the local key file) and its chain. */
export interface SealKit {
  signer: SealSigner;
  /** DER certificates, the seal certificate first. */
  chain(): Promise<Uint8Array[]>;
}

export interface Links {
  /** Where the signing page is served: `{publicUrl}/sign#t=TOKEN`. */
  publicUrl: string;
}

/** Where a use case reports a fault it deliberately does not fail the request for. */
export interface Log {
  warn(message: string, error: unknown): void;
}

/** Everything a use case may touch. */
export interface BulkSendStore {
  /** Records a new batch; a ConflictError when its id is taken. */
  createBatch(batch: BulkSendBatch): Promise<void>;
  getBatch(tenantId: string, batchId: string): Promise<BulkSendBatch | undefined>;
  /** Records a row's outcome (a second record of the same row replaces the first). */
  putOutcome(tenantId: string, batchId: string, outcome: RowOutcome): Promise<void>;
  listOutcomes(tenantId: string, batchId: string): Promise<RowOutcome[]>;
}

export interface Ports {
  clock: Clock;
  ids: Ids;
  envelopes: EnvelopeStore;
  idempotency: IdempotencyStore;
  uploads: UploadStore;
  verifyUploads: VerifyUploadStore;
  documents: DocumentStore;
  mail: Mailer;
  limits: Limits;
  signerTokens: SignerTokenStore;
  signerAuth: SignerAuthStore;
  sms: SmsSender;
  waits: WaitStore;
  workflow: Workflow;
  seal: SealKit;
  fonts: FontSource;
  links: Links;
  tenantSettings: TenantSettingsStore;
  templates: TemplateStore;
  contracts: ContractStore;
  /** Per contract: ticket timelines, outages, rejected payloads, issued statements, sent alerts. */
  sla: SlaStore;
  /** For the public webhooks: the secrets they are signed with (by contract id), monitoring checks. */
  slaWebhooks: SlaWebhookStore;
  /** One-off and recurring jobs: EventBridge Scheduler in AWS, in-process timers locally. */
  scheduler: Scheduler;
  /** Bulk sends: each batch as recorded, and its rows' outcomes. */
  bulkSends: BulkSendStore;
  legalHolds: LegalHolds;
  /** Set when a TSA URL is configured: every seal then carries a signature timestamp. */
  timestamper?: Timestamper;
  log?: Log;
}
