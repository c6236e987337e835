/** The template routes' answers, as the console reads them (functions/api/template-schemas.ts). */

import type { Box, FieldType, FieldValidation, RecipientRole, SettingsInput } from '../types';

export { FIELD_TYPES, RECIPIENT_ROLES, type Box, type FieldType, type FieldValidation } from '../types';

export interface TemplateField extends Box {
  name: string;
  type: FieldType;
  role: string;
  required?: boolean;
  validation?: FieldValidation;
}

export interface MergeField extends Box {
  key: string;
  required?: boolean;
  fontSize?: number;
}

export interface TemplateRole {
  name: string;
  role: RecipientRole;
  step: number;
}

export interface TemplateSettings extends SettingsInput {
  notifySender?: { signed?: boolean; completed?: boolean; declined?: boolean; expired?: boolean };
}

export interface ContractTerms {
  termMonths: number;
  renewal:
    { mode: 'fixed' } | { mode: 'auto'; renewalMonths: number; noticeDays: number; reminderDays: number };
  timeZone?: string;
  owners?: string[];
}

export interface Template {
  id: string;
  version: number;
  latestVersion: number;
  approvedVersion?: number;
  status: 'pending_approval' | 'approved';
  archivedAt?: string;
  name: string;
  description: string;
  document: { name: string; sha256: string; size: number; pageCount: number };
  roles: TemplateRole[];
  fields: TemplateField[];
  mergeFields: MergeField[];
  message: string;
  settings: TemplateSettings;
  slaTerms?: Record<string, unknown>;
  scheduleAfterPage?: number;
  contract?: ContractTerms;
  createdAt: string;
  createdBy: string;
  approvedAt?: string;
  approvedBy?: string;
}

export interface TemplateSummary {
  templateId: string;
  name: string;
  latestVersion: number;
  approvedVersion?: number;
  archived: boolean;
  hasSlaTerms: boolean;
  updatedAt: string;
}

export interface Change {
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface ListChanges<T> {
  added: T[];
  removed: T[];
  changed: { name: string; changes: Change[] }[];
}

export interface TemplateDiff {
  from: number;
  to: number;
  name?: Change;
  document?: Change;
  message?: Change;
  roles: ListChanges<TemplateRole>;
  fields: ListChanges<TemplateField>;
  mergeFields: ListChanges<MergeField>;
  settings: Change[];
  slaTerms: Change[];
  contract: Change[];
}

export interface TemplateHistoryEvent {
  type: 'template.version_created' | 'template.version_approved' | 'template.archived';
  at: string;
  actor: { kind: string; id: string; email?: string };
  data: { version?: number; reason?: string; approvalRequired?: boolean };
}

export interface TemplateHistory {
  templateId: string;
  verified: boolean;
  events: TemplateHistoryEvent[];
}

export const templatePath = (id: string) => `/v1/templates/${encodeURIComponent(id)}`;
