import type { Principal } from '../access';
import type { TemplateRef } from '../envelope';
import { ConflictError, GoneError, ValidationError, type ErrorDetail } from '../errors';
import { sha256Hex } from '../hashing';
import { inspectPdf } from '../pdf';
import type { Ports } from '../ports';
import type { SlaTerms } from '../sla/terms';
import { instantiateTemplate, resolveMergeData, type MergeData } from '../templates/instantiate';
import { foldTemplate, latestApproved, type TemplateVersion } from '../templates/template';
import {
  checkRecipients,
  type LoadedDocument,
  type RecipientInput,
  type SettingsInput,
} from './create-envelope';

/** A person (or signing group) for one of the template's roles; step, role and fields come from the template. */
export type RoleAssignment = Pick<RecipientInput, 'name' | 'email' | 'group' | 'auth' | 'language'>;

export interface FromTemplateInput extends SettingsInput {
  template: { id: string; version?: number };
  roles?: Record<string, RoleAssignment>;
  mergeData?: MergeData;
  message?: string;
  slaTerms?: unknown;
  documents?: unknown;
  recipients?: unknown;
}

/** What createEnvelope needs, made from a template instead of the request. */
export interface TemplatePlan {
  recipients: RecipientInput[];
  /** The template's settings under the request's own: the tenant's defaults fill the rest. */
  settings: SettingsInput;
  message: string;
  slaTerms?: SlaTerms;
  document: LoadedDocument;
  template: TemplateRef;
}

/** The id of the envelope's one document when it comes from a template. */
export const TEMPLATE_DOCUMENT_ID = 'contract';

/**
 * Picks the template version (the one named, or the newest approved), assigns people to its roles,
 * and builds the document: merge fields filled, SLA schedule inserted. Reads only; writes nothing.
 */
export async function planFromTemplate(
  ports: Ports,
  principal: Principal,
  input: FromTemplateInput,
  envelopeId: string,
): Promise<TemplatePlan> {
  for (const key of ['documents', 'recipients', 'slaTerms'] as const) {
    if (input[key] !== undefined) {
      throw new ValidationError(`an envelope from a template takes its ${key} from the template`, [
        { path: `body.${key}`, message: 'not allowed with body.template: use roles and mergeData' },
      ]);
    }
  }
  const version = await pickVersion(ports, principal, input.template);
  const recipients = assignRoles(version, input.roles ?? {});
  const values = resolveMergeData(version.mergeFields, input.mergeData ?? {});

  const source = await ports.documents.getDocument(version.document.storageKey, version.document.sha256);
  const made = await instantiateTemplate(source, version, values, ports.fonts);
  const facts = await inspectPdf(made.pdf, version.document.name);
  const storageKey = `tenants/${principal.tenantId}/envelopes/${envelopeId}/documents/${TEMPLATE_DOCUMENT_ID}.pdf`;
  const document: LoadedDocument = {
    bytes: made.pdf,
    record: {
      id: TEMPLATE_DOCUMENT_ID,
      name: version.document.name,
      sha256: sha256Hex(made.pdf),
      size: made.pdf.length,
      pages: facts.pages,
      storageKey,
    },
  };
  // The fields go to the people assigned to their roles, on the pages they now land on.
  for (const r of recipients) {
    r.fields = made.fields
      .filter((f) => f.role === r.id)
      .map((f) => ({
        type: f.type,
        name: f.name,
        required: f.required,
        ...(f.validation ? { validation: f.validation } : {}),
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
      }));
  }
  return {
    recipients,
    settings: layeredSettings(version.settings, input),
    message: input.message ?? version.message,
    ...(version.slaTerms ? { slaTerms: version.slaTerms } : {}),
    document,
    template: {
      id: input.template.id,
      version: version.version,
      name: version.name,
      mergeData: input.mergeData ?? {},
      ...(made.schedulePages ? { schedulePages: made.schedulePages } : {}),
      ...(version.contract ? { contract: contractOf(version, input.mergeData ?? {}) } : {}),
    },
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The template's contract terms, starting on the merge data's `effective_from` or the terms'. */
function contractOf(version: TemplateVersion, mergeData: MergeData) {
  const fromMerge = mergeData.effective_from;
  const startDate =
    typeof fromMerge === 'string' && ISO_DATE.test(fromMerge) ? fromMerge : version.slaTerms?.effective_from;
  return { ...version.contract!, ...(startDate ? { startDate } : {}) };
}

/** The version named, or the newest approved one; refused when archived or not approved. */
export async function pickVersion(
  ports: Ports,
  principal: Principal,
  ref: FromTemplateInput['template'],
): Promise<TemplateVersion> {
  const state = foldTemplate(await ports.templates.loadEvents(principal.tenantId, ref.id));
  if (!state) {
    throw new ValidationError(`template ${ref.id} not found`, [
      { path: 'body.template.id', message: 'no such template' },
    ]);
  }
  if (state.archivedAt) throw new GoneError(`template ${ref.id} was archived at ${state.archivedAt}`);
  if (ref.version === undefined) {
    const approved = latestApproved(state);
    if (!approved) {
      throw new ConflictError(`template ${ref.id} has no approved version yet: legal must approve one first`);
    }
    return approved;
  }
  const version = state.versions.find((v) => v.version === ref.version);
  if (!version) {
    throw new ValidationError(`template ${ref.id} has no version ${ref.version}`, [
      { path: 'body.template.version', message: `versions are 1 to ${state.versions.length}` },
    ]);
  }
  if (version.status !== 'approved') {
    throw new ConflictError(
      `version ${ref.version} of template ${ref.id} awaits approval and cannot be used yet`,
    );
  }
  return version;
}

/**
 * What createEnvelope would refuse in these roles and merge data for this version, found without
 * building the document (a bulk send checks every row before it sends any).
 */
export function checkAgainstTemplate(
  version: TemplateVersion,
  input: { roles?: Record<string, RoleAssignment>; mergeData?: MergeData },
): Map<string, string> {
  checkRecipients(assignRoles(version, input.roles ?? {}));
  return resolveMergeData(version.mergeFields, input.mergeData ?? {});
}

/** One recipient per template role, in the template's order; every role must be assigned. */
function assignRoles(version: TemplateVersion, roles: Record<string, RoleAssignment>): RecipientInput[] {
  const problems: ErrorDetail[] = [];
  const known = new Set(version.roles.map((r) => r.name));
  for (const name of Object.keys(roles)) {
    if (!known.has(name)) {
      problems.push({
        path: `body.roles.${name}`,
        message: `the template has no role "${name}" (its roles: ${[...known].join(', ')})`,
      });
    }
  }
  const recipients = version.roles.flatMap((role): RecipientInput[] => {
    const who = roles[role.name];
    if (!who) {
      problems.push({
        path: `body.roles.${role.name}`,
        message: `required: who is the ${role.role} for this role`,
      });
      return [];
    }
    return [
      {
        id: role.name,
        role: role.role,
        step: role.step,
        ...(who.name !== undefined ? { name: who.name } : {}),
        ...(who.email !== undefined ? { email: who.email } : {}),
        ...(who.group ? { group: who.group } : {}),
        ...(who.auth ? { auth: who.auth } : {}),
        ...(who.language ? { language: who.language } : {}),
      },
    ];
  });
  if (problems.length > 0) {
    throw new ValidationError(
      `the roles do not match the template: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return recipients;
}

/** The request's settings over the template's, key by key. */
export function layeredSettings(template: SettingsInput, request: SettingsInput): SettingsInput {
  const reminders = { ...template.reminders, ...request.reminders };
  const notifySender = { ...template.notifySender, ...request.notifySender };
  const expiresInDays = request.expiresInDays ?? template.expiresInDays;
  const warnDaysBefore = request.warnDaysBefore ?? template.warnDaysBefore;
  return {
    ...(Object.keys(reminders).length ? { reminders } : {}),
    ...(Object.keys(notifySender).length ? { notifySender } : {}),
    ...(expiresInDays !== undefined ? { expiresInDays } : {}),
    ...(warnDaysBefore !== undefined ? { warnDaysBefore } : {}),
  };
}
