import type { LoggedEvent } from '../audit-chain';
import type { RenewalRule } from '../contracts/contract';
import type { EnvelopeSettings, RecipientRole } from '../envelope';
import type { FieldType, ValueRules } from '../field-values';
import type { SlaTerms } from '../sla/terms';

/**
 * A template: reusable roles, fields, merge fields, message, settings and SLA terms on one PDF.
 * Event-sourced like envelopes (hash-chained, one item per event): every change is a new
 * immutable version, and approvals and archiving are events of the same trail.
 */

export { FIELD_TYPES, type FieldType } from '../field-values';

export interface Box {
  page: number;
  /** PDF points from the top-left corner of the page. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What a field's value is held to beyond its type (field-values.ts checks a value against it). */
export type FieldValidation = ValueRules;

export interface TemplateField extends Box {
  /** Unique in the template; the value is recorded under it. */
  name: string;
  type: FieldType;
  /** The template role that fills it. */
  role: string;
  required: boolean;
  validation?: FieldValidation;
}

/** A text box whose value comes from the envelope's merge data when it is created. */
export interface MergeField extends Box {
  /** A dotted path into the merge data: `customer.name`, `fee.monthly`. */
  key: string;
  required: boolean;
  fontSize?: number;
}

export interface TemplateRole {
  /** Unique in the template: `customer_signer`, `vendor_approver`. */
  name: string;
  role: RecipientRole;
  step: number;
}

export interface TemplateDocument {
  name: string;
  sha256: string;
  size: number;
  pages: { width: number; height: number }[];
  storageKey: string;
}

/** Everything a version defines; a new version repeats what did not change. */
export interface TemplateDefinition {
  name: string;
  description: string;
  document: TemplateDocument;
  roles: TemplateRole[];
  fields: TemplateField[];
  mergeFields: MergeField[];
  message: string;
  /** What the template sets; an envelope's own settings win, and the tenant's defaults fill the rest. */
  settings: TemplateSettings;
  slaTerms?: SlaTerms;
  /** Where the SLA schedule pages go: after this page of the document; absent: appended. */
  scheduleAfterPage?: number;
  /** How a completed envelope of this template runs as a contract (needs SLA terms). */
  contract?: TemplateContractTerms;
}

/** The contract's term and renewal rule; its start date comes from each envelope. */
export interface TemplateContractTerms {
  termMonths: number;
  renewal: RenewalRule;
  /** IANA; default the SLA terms' reporting time zone. */
  timeZone?: string;
  /** Who hears of notice windows and renewals besides the envelope's sender. */
  owners?: string[];
}

export interface TemplateSettings {
  reminders?: Partial<EnvelopeSettings['reminders']>;
  expiresInDays?: number;
  warnDaysBefore?: number;
  notifySender?: Partial<EnvelopeSettings['notifySender']>;
}

export type VersionStatus = 'pending_approval' | 'approved';

export interface TemplateVersion extends TemplateDefinition {
  version: number;
  status: VersionStatus;
  createdAt: string;
  createdBy: string;
  approvedAt?: string;
  approvedBy?: string;
}

interface TemplateEventBase<T extends string, D> extends LoggedEvent<T, D> {
  templateId: string;
}

export type TemplateEvent =
  | TemplateEventBase<
      'template.version_created',
      {
        version: number;
        definition: TemplateDefinition;
        approvalRequired: boolean;
        /** Version 1 only: the creating request, so a retry of it finds the template. */
        requestHash?: string;
      }
    >
  | TemplateEventBase<'template.version_approved', { version: number }>
  | TemplateEventBase<'template.archived', { reason?: string }>;

export interface TemplateState {
  id: string;
  tenantId: string;
  versions: TemplateVersion[];
  archivedAt?: string;
  createdAt: string;
  updatedAt: string;
  /** The sequence number and hash of the last event. */
  seq: number;
  headHash: string;
}

export function latestVersion(t: TemplateState): TemplateVersion {
  return t.versions.at(-1)!;
}

/** The newest approved version: what an envelope uses when it names no version. */
export function latestApproved(t: TemplateState): TemplateVersion | undefined {
  return [...t.versions].reverse().find((v) => v.status === 'approved');
}

export function foldTemplate(events: readonly TemplateEvent[]): TemplateState | null {
  let state: TemplateState | null = null;
  for (const e of events) {
    const base: TemplateState = {
      id: e.templateId,
      tenantId: e.tenantId,
      versions: state?.versions ?? [],
      createdAt: state?.createdAt ?? e.at,
      updatedAt: e.at,
      seq: e.seq,
      headHash: e.hash,
      ...(state?.archivedAt ? { archivedAt: state.archivedAt } : {}),
    };
    switch (e.type) {
      case 'template.version_created':
        state = {
          ...base,
          versions: [
            ...base.versions,
            {
              ...e.data.definition,
              version: e.data.version,
              status: e.data.approvalRequired ? 'pending_approval' : 'approved',
              createdAt: e.at,
              createdBy: e.actor.id,
              ...(e.data.approvalRequired ? {} : { approvedAt: e.at, approvedBy: e.actor.id }),
            },
          ],
        };
        break;
      case 'template.version_approved':
        state = {
          ...base,
          versions: base.versions.map((v) =>
            v.version === e.data.version
              ? { ...v, status: 'approved' as const, approvedAt: e.at, approvedBy: e.actor.id }
              : v,
          ),
        };
        break;
      case 'template.archived':
        state = { ...base, archivedAt: e.at };
        break;
    }
  }
  return state;
}

/** What a list of templates shows of each, kept beside its events. */
export interface TemplateSummary {
  templateId: string;
  name: string;
  latestVersion: number;
  approvedVersion?: number;
  archived: boolean;
  hasSlaTerms: boolean;
  updatedAt: string;
  seq: number;
}

export function summaryOf(t: TemplateState): TemplateSummary {
  const latest = latestVersion(t);
  const approved = latestApproved(t);
  return {
    templateId: t.id,
    name: latest.name,
    latestVersion: latest.version,
    ...(approved ? { approvedVersion: approved.version } : {}),
    archived: Boolean(t.archivedAt),
    hasSlaTerms: Boolean(latest.slaTerms),
    updatedAt: t.updatedAt,
    seq: t.seq,
  };
}

export interface TemplateStore {
  loadEvents(tenantId: string, templateId: string): Promise<TemplateEvent[]>;
  /** Writes the event at its seq (ConcurrencyError when taken), then the template's list entry. */
  append(event: TemplateEvent, summary: TemplateSummary): Promise<void>;
  list(
    tenantId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: TemplateSummary[]; nextCursor?: string }>;
}
