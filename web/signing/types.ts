/** What the public signing API answers and takes, as this page uses it (functions/api/schemas.ts). */

import type { ValueRules } from '../../functions/core/field-values';

export interface SigningField {
  id: string;
  documentId: string;
  type: 'signature' | 'initials' | 'date_signed' | 'text' | 'number' | 'date' | 'checkbox' | 'dropdown';
  name?: string;
  required: boolean;
  validation?: ValueRules;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SigningDocument {
  id: string;
  name: string;
  sha256: string;
  pageCount: number;
}

export interface SigningSession {
  envelope: { id: string; title: string; message: string; status: string };
  sender: { email?: string };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: string;
    step: number;
    status: string;
    fields: SigningField[];
    group?: { id: string; name: string };
    /** The language the sender chose for this recipient. */
    language?: string;
  };
  documents: SigningDocument[];
  disclosure: { version: string; sha256: string; text: string };
  consent: { given: boolean; at?: string; withdrawnAt?: string };
  /** The sender organisation's logo and colours (in the session as opened). */
  branding?: { logoPngBase64?: string; primaryColor?: string; accentColor?: string };
  canSign: boolean;
  reason?: string;
  intent: string;
  authentication: { method: string; verifiedAt?: string };
}

export interface AuthPrompt {
  authRequired: {
    method: 'access_code' | 'sms' | 'email_code';
    destinationHint?: string;
    attemptsLeft: number;
    locked: boolean;
  };
  language?: string;
}

export interface CodeSent {
  sent: true;
  method: 'sms' | 'email_code';
  destinationHint: string;
  expiresAt: string;
  attemptsLeft: number;
}

export interface DocumentLink {
  url: string;
  method: 'GET';
  headers: Record<string, string>;
  expiresAt: string;
  document: { id: string; name: string; sha256: string; size: number };
}

export type SignatureInput = { type: 'typed'; text: string } | { type: 'drawn'; pngBase64: string };

export interface SignRequest {
  signature: SignatureInput;
  initials?: SignatureInput;
  fields?: Record<string, string | number | boolean>;
  documents?: { id: string; sha256: string }[];
  agree: true;
}

export type { ErrorDetail } from '../../functions/core/errors';
