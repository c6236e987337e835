import { requireAnyRole, requireLegal, requireWriter, type Principal } from '../access';
import { GENESIS_HASH, seal, type Actor } from '../audit-chain';
import {
  ConcurrencyError,
  ConflictError,
  ForbiddenError,
  GoneError,
  NotFoundError,
  ValidationError,
} from '../errors';
import type { Ports } from '../ports';
import { checkSlaTerms } from '../sla/terms';
import { checkDefinition } from '../templates/check-definition';
import { diffVersions, type TemplateDiff } from '../templates/diff';
import {
  foldTemplate,
  latestVersion,
  summaryOf,
  type FieldValidation,
  type FieldType,
  type MergeField,
  type TemplateContractTerms,
  type TemplateDefinition,
  type TemplateEvent,
  type TemplateRole,
  type TemplateState,
  type TemplateSummary,
  type TemplateVersion,
} from '../templates/template';
import { loadTenantSettings, retainUntil } from '../tenant-settings';
import { checkSettings, readDocumentInput, type DocumentInput, type SettingsInput } from './create-envelope';

export interface TemplateFieldInput {
  name: string;
  type: FieldType;
  role: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  required?: boolean;
  validation?: FieldValidation;
}

export interface TemplateInput extends SettingsInput {
  name: string;
  description?: string;
  /** Required for a new template; a new version without it keeps the previous PDF. */
  document?: DocumentInput;
  roles: TemplateRole[];
  fields?: TemplateFieldInput[];
  mergeFields?: (Omit<MergeField, 'required'> & { required?: boolean })[];
  message?: string;
  slaTerms?: unknown;
  scheduleAfterPage?: number;
  contract?: TemplateContractTerms;
}

const actorOf = (p: Principal): Actor => ({
  kind: 'user',
  id: p.sub,
  ...(p.email ? { email: p.email } : {}),
});

async function load(
  ports: Ports,
  principal: Principal,
  templateId: string,
): Promise<{ state: TemplateState; events: TemplateEvent[] }> {
  const events = await ports.templates.loadEvents(principal.tenantId, templateId);
  const state = foldTemplate(events);
  if (!state) throw new NotFoundError(`template ${templateId} not found`);
  return { state, events };
}

/** Seals the next event onto the template's log and stores it; the state after it is returned. */
async function append(
  ports: Ports,
  prior: TemplateEvent[],
  templateId: string,
  tenantId: string,
  event: Pick<TemplateEvent, 'type' | 'data' | 'actor'>,
): Promise<TemplateState> {
  const last = prior.at(-1);
  const sealed = seal<TemplateEvent>({
    templateId,
    tenantId,
    seq: (last?.seq ?? 0) + 1,
    at: ports.clock.now().toISOString(),
    prevHash: last?.hash ?? GENESIS_HASH,
    ...event,
  } as Omit<TemplateEvent, 'hash'>);
  const state = foldTemplate([...prior, sealed])!;
  await ports.templates.append(sealed, summaryOf(state));
  return state;
}

async function definitionFrom(
  ports: Ports,
  principal: Principal,
  templateId: string,
  input: TemplateInput,
  previous: TemplateVersion | undefined,
): Promise<{ definition: TemplateDefinition; bytes?: Uint8Array }> {
  // Checked as an envelope would take them; kept as given, so the tenant's defaults fill the rest later.
  checkSettings(input, new Set(input.roles.map((r) => r.step)).size);
  const settings = {
    ...(input.reminders ? { reminders: input.reminders } : {}),
    ...(input.expiresInDays !== undefined ? { expiresInDays: input.expiresInDays } : {}),
    ...(input.warnDaysBefore !== undefined ? { warnDaysBefore: input.warnDaysBefore } : {}),
    ...(input.notifySender ? { notifySender: input.notifySender } : {}),
  };
  const slaTerms = input.slaTerms === undefined ? undefined : checkSlaTerms(input.slaTerms);
  let document = previous?.document;
  let bytes: Uint8Array | undefined;
  if (input.document) {
    const loaded = await readDocumentInput(ports, principal, input.document, 'doc', 'body.document', '');
    document = {
      name: loaded.record.name,
      sha256: loaded.record.sha256,
      size: loaded.record.size,
      pages: loaded.record.pages,
      // Named by content: versions that keep the PDF share it; a new PDF never overwrites an old one.
      storageKey: `tenants/${principal.tenantId}/templates/${templateId}/${loaded.record.sha256}.pdf`,
    };
    bytes = loaded.bytes;
  }
  if (!document) {
    throw new ValidationError('a template needs its PDF', [{ path: 'body.document', message: 'required' }]);
  }
  const fields = (input.fields ?? []).map((f) => ({ ...f, required: f.required ?? false }));
  const mergeFields = (input.mergeFields ?? []).map((m) => ({ ...m, required: m.required ?? true }));
  checkDefinition({
    document,
    roles: input.roles,
    fields,
    mergeFields,
    ...(input.scheduleAfterPage !== undefined ? { scheduleAfterPage: input.scheduleAfterPage } : {}),
    ...(input.contract ? { contract: input.contract } : {}),
    hasSlaTerms: slaTerms !== undefined,
  });
  return {
    definition: {
      name: input.name,
      description: input.description ?? '',
      document,
      roles: input.roles,
      fields,
      mergeFields,
      message: input.message ?? '',
      settings,
      ...(slaTerms ? { slaTerms } : {}),
      ...(input.scheduleAfterPage !== undefined ? { scheduleAfterPage: input.scheduleAfterPage } : {}),
      ...(input.contract ? { contract: input.contract } : {}),
    },
    ...(bytes ? { bytes } : {}),
  };
}

/**
 * What a new version records, from the input: its definition (its PDF stored when new) and
 * whether it waits for approval under the tenant's settings.
 */
async function newVersion(
  ports: Ports,
  principal: Principal,
  templateId: string,
  input: TemplateInput,
  previous: TemplateVersion | undefined,
): Promise<{ definition: TemplateDefinition; approvalRequired: boolean }> {
  const { definition, bytes } = await definitionFrom(ports, principal, templateId, input, previous);
  const tenant = await loadTenantSettings(ports.tenantSettings, principal.tenantId);
  if (bytes) {
    const d = definition.document;
    const keepUntil = await retainUntil(ports, principal.tenantId);
    await ports.documents.putDocument(d.storageKey, bytes, d.sha256, keepUntil);
  }
  return { definition, approvalRequired: Boolean(tenant.templateApprovalRequired) };
}

/**
 * Version 1 of a new template. `requestHash` ties it to the request: a retry of the same request
 * (same Idempotency-Key after a crash) finds the template it made; anything else is a conflict.
 */
export async function createTemplate(
  ports: Ports,
  principal: Principal,
  input: TemplateInput,
  opts: { templateId: string; requestHash: string },
): Promise<TemplateState> {
  requireWriter(principal, 'create templates');
  const { templateId, requestHash } = opts;
  const resumed = async (): Promise<TemplateState | null> => {
    const events = await ports.templates.loadEvents(principal.tenantId, templateId);
    const first = events[0];
    if (!first) return null;
    if (first.type === 'template.version_created' && first.data.requestHash === requestHash) {
      return foldTemplate(events);
    }
    throw new ConflictError(`template ${templateId} already exists`);
  };
  const existing = await resumed();
  if (existing) return existing;
  const { definition, approvalRequired } = await newVersion(ports, principal, templateId, input, undefined);
  try {
    return await append(ports, [], templateId, principal.tenantId, {
      type: 'template.version_created',
      actor: actorOf(principal),
      data: { version: 1, definition, approvalRequired, requestHash },
    });
  } catch (err) {
    if (err instanceof ConcurrencyError) {
      const raced = await resumed();
      if (raced) return raced;
    }
    throw err;
  }
}

/** A new version from the one named by `baseVersion`; a change saved since is not overwritten (409). */
export async function updateTemplate(
  ports: Ports,
  principal: Principal,
  templateId: string,
  input: TemplateInput & { baseVersion: number },
): Promise<TemplateState> {
  requireWriter(principal, 'change templates');
  const { state, events } = await load(ports, principal, templateId);
  if (state.archivedAt) throw new GoneError(`template ${templateId} was archived at ${state.archivedAt}`);
  const latest = latestVersion(state);
  if (input.baseVersion !== latest.version) {
    throw new ConflictError(
      `template ${templateId} is at version ${latest.version}, not ${input.baseVersion}: read it again and reapply your change`,
    );
  }
  const { definition, approvalRequired } = await newVersion(ports, principal, templateId, input, latest);
  try {
    return await append(ports, events, templateId, principal.tenantId, {
      type: 'template.version_created',
      actor: actorOf(principal),
      data: { version: latest.version + 1, definition, approvalRequired },
    });
  } catch (err) {
    if (err instanceof ConcurrencyError) {
      throw new ConflictError(
        `template ${templateId} was changed at the same moment: read it again and reapply your change`,
      );
    }
    throw err;
  }
}

export async function approveTemplateVersion(
  ports: Ports,
  principal: Principal,
  templateId: string,
  version: number,
): Promise<TemplateState> {
  requireLegal(principal, 'approve template versions');
  const { state, events } = await load(ports, principal, templateId);
  const target = state.versions.find((v) => v.version === version);
  if (!target) throw new NotFoundError(`template ${templateId} has no version ${version}`);
  if (state.archivedAt) throw new GoneError(`template ${templateId} was archived at ${state.archivedAt}`);
  if (target.status === 'approved') {
    throw new ConflictError(
      `version ${version} of template ${templateId} was approved at ${target.approvedAt} by ${target.approvedBy}`,
    );
  }
  // Four eyes: the author of a version does not approve it.
  if (target.createdBy === principal.sub) {
    throw new ForbiddenError(
      `you wrote version ${version}; another member of legal or an admin must approve it`,
    );
  }
  return retryConflict(templateId, () =>
    append(ports, events, templateId, principal.tenantId, {
      type: 'template.version_approved',
      actor: actorOf(principal),
      data: { version },
    }),
  );
}

export async function archiveTemplate(
  ports: Ports,
  principal: Principal,
  templateId: string,
  reason?: string,
): Promise<TemplateState> {
  requireWriter(principal, 'archive templates');
  const { state, events } = await load(ports, principal, templateId);
  if (state.archivedAt)
    throw new ConflictError(`template ${templateId} was already archived at ${state.archivedAt}`);
  return retryConflict(templateId, () =>
    append(ports, events, templateId, principal.tenantId, {
      type: 'template.archived',
      actor: actorOf(principal),
      data: reason ? { reason } : {},
    }),
  );
}

async function retryConflict<T>(templateId: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof ConcurrencyError) {
      throw new ConflictError(
        `template ${templateId} was changed at the same moment: read it again and retry`,
      );
    }
    throw err;
  }
}

export async function getTemplate(
  ports: Ports,
  principal: Principal,
  templateId: string,
): Promise<{ state: TemplateState; events: TemplateEvent[] }> {
  requireAnyRole(principal, 'read templates');
  return load(ports, principal, templateId);
}

export function versionOf(state: TemplateState, version?: number): TemplateVersion {
  if (version === undefined) return latestVersion(state);
  const found = state.versions.find((v) => v.version === version);
  if (!found)
    throw new NotFoundError(
      `template ${state.id} has no version ${version} (it has 1 to ${state.versions.length})`,
    );
  return found;
}

export async function listTemplates(
  ports: Ports,
  principal: Principal,
  query: { limit: number; cursor?: string; includeArchived?: boolean },
): Promise<{ items: TemplateSummary[]; nextCursor?: string }> {
  requireAnyRole(principal, 'list templates');
  const page = await ports.templates.list(principal.tenantId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
  });
  return { ...page, items: query.includeArchived ? page.items : page.items.filter((t) => !t.archived) };
}

/** A short-lived link to the PDF of a version (the latest when none is named). */
export async function templateDocumentUrl(
  ports: Ports,
  principal: Principal,
  templateId: string,
  version?: number,
) {
  const { state } = await getTemplate(ports, principal, templateId);
  const v = versionOf(state, version);
  const url = await ports.documents.documentUrl(
    v.document.storageKey,
    v.document.name,
    ports.limits.downloadUrlSeconds,
    v.document.sha256,
  );
  return {
    ...url,
    document: {
      id: `v${v.version}`,
      name: v.document.name,
      sha256: v.document.sha256,
      size: v.document.size,
    },
  };
}

export async function diffTemplate(
  ports: Ports,
  principal: Principal,
  templateId: string,
  from: number,
  to: number,
): Promise<TemplateDiff> {
  const { state } = await getTemplate(ports, principal, templateId);
  return diffVersions(versionOf(state, from), versionOf(state, to));
}
