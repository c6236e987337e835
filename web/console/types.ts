/** What the public API answers, as the console uses it (functions/api/schemas.ts is the source). */

import type { FieldType, ValueRules } from '../../functions/core/field-values';

export { FIELD_TYPES, type FieldType } from '../../functions/core/field-values';

/** What a field's value is held to beyond its type (checked as functions/core/field-values.ts does). */
export type FieldValidation = ValueRules;

export const ENVELOPE_STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'] as const;
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number];

export const RECIPIENT_ROLES = ['signer', 'approver', 'carbon_copy'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

export const AUTH_METHODS = ['email', 'email_code', 'sms', 'access_code'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export type AuthInput =
  | { method: 'email' }
  | { method: 'email_code' }
  | { method: 'sms'; phone: string }
  | { method: 'access_code'; code: string };

export interface Box {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface FieldInput extends Box {
  type: FieldType;
  name?: string;
  required?: boolean;
  documentId?: string;
  validation?: FieldValidation;
}

export interface RecipientInput {
  name: string;
  email: string;
  role: RecipientRole;
  step: number;
  fields: FieldInput[];
  auth?: AuthInput;
}

export interface SettingsInput {
  reminders?: { firstAfterHours?: number; everyHours?: number; max?: number };
  expiresInDays?: number;
  warnDaysBefore?: number;
}

export interface EnvelopeSettings {
  reminders: { firstAfterHours: number; everyHours: number; max: number };
  expiresInDays: number;
  warnDaysBefore: number;
  notifySender: { signed: boolean; completed: boolean; declined: boolean; expired: boolean };
}

export interface Recipient {
  id: string;
  name: string;
  email: string;
  role: RecipientRole;
  group?: { id: string; name: string };
  step: number;
  status: 'created' | 'sent' | 'viewed' | 'signed' | 'approved' | 'superseded' | 'declined' | 'withdrawn';
  fields: (FieldInput & { id: string; documentId: string })[];
  invitedAt?: string;
  viewedAt?: string;
  reminders?: number;
  remindedAt?: string;
  signedAt?: string;
  approvedAt?: string;
  supersededAt?: string;
  declinedAt?: string;
  declineReason?: string;
  consent?: { version: string; at: string; withdrawnAt?: string };
  language?: 'en' | 'es';
  auth: { method: AuthMethod; phone?: string; locked?: boolean; failedAttempts?: number };
}

export interface EnvelopeDocument {
  id: string;
  name: string;
  sha256: string;
  size: number;
  pageCount: number;
}

export interface Envelope {
  id: string;
  title: string;
  message: string;
  status: EnvelopeStatus;
  createdAt: string;
  updatedAt: string;
  owner: { sub: string; email?: string };
  currentStep: number | null;
  voidedReason?: string;
  declinedBy?: string;
  sentAt?: string;
  template?: { id: string; version: number; name: string; mergeData: Record<string, unknown> };
  settings: EnvelopeSettings;
  expiresAt?: string;
  expiredAt?: string;
  completedAt?: string;
  sealedDocuments?: { id: string; name: string; sha256: string; size: number }[];
  documents: EnvelopeDocument[];
  steps: {
    step: number;
    status: 'pending' | 'active' | 'completed';
    recipientIds: string[];
    invitedAt?: string;
  }[];
  recipients: Recipient[];
  version: number;
}

export interface EnvelopeSummary {
  id: string;
  title: string;
  status: EnvelopeStatus;
  createdAt: string;
  updatedAt: string;
  owner: { sub: string; email?: string };
  currentStep: number | null;
  recipientCount: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface AuditEvent {
  seq: number;
  type: string;
  at: string;
  actor: { kind: 'user' | 'recipient' | 'system'; id: string; email?: string; ip?: string };
  data: unknown;
  hash: string;
}

export interface AuditTrail {
  envelopeId: string;
  verified: boolean;
  brokenAt?: number;
  reason?: string;
  headHash: string;
  algorithm: string;
  events: AuditEvent[];
}

export interface Presigned {
  url: string;
  method: 'GET' | 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
}

export interface DocumentLink extends Presigned {
  document: { id: string; name: string; sha256: string; size: number };
}

export interface UploadTicket {
  uploadId: string;
  upload: Presigned;
  expiresAt: string;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: string;
  sha256: string;
  selfSigned: boolean;
}

export interface VerificationReport {
  format: 'countersign-verification/1';
  verdict: 'valid' | 'tampered' | 'unsealed';
  file: {
    size: number;
    sha256: string;
    pages: number | null;
    revisions: number;
    containsJavaScript: boolean;
  };
  signatures: {
    index: number;
    signedAt: string | null;
    name: string | null;
    reason: string | null;
    coversWholeFile: boolean;
    modifiedAfter: string;
    signer: CertificateInfo | null;
    chain: { trusted: boolean | null; problems: string[] } | null;
    timestamp: { genTime: string | null; tsaName: string | null; signatureValid: boolean } | null;
    intact: boolean;
    problems: string[];
  }[];
  audit: { valid: boolean; events: number; problems: string[] } | null;
  problems: string[];
  notes: string[];
}
