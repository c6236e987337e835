import { requireAdmin, requireAnyRole, type Principal } from '../access';
import { ConcurrencyError, ConflictError, ValidationError } from '../errors';
import type { Ports } from '../ports';
import {
  DEFAULT_TENANT_SETTINGS,
  loadTenantSettings,
  MAX_RETENTION_DAYS,
  type StoredTenantSettings,
} from '../tenant-settings';
import { checkSettings, type SettingsInput } from './create-envelope';

/** A whole new version of the settings: what is left out takes the built-in default. */
export interface TenantSettingsInput {
  envelopeDefaults?: SettingsInput;
  recipientChanges?: { senderMayReassign?: boolean; recipientMayDelegate?: boolean };
  /** Days stored documents are kept under Object Lock; left out: the deployment's default. */
  documentRetentionDays?: number;
  templateApprovalRequired?: boolean;
  /** The version the change was made from; when given, a change made since is not overwritten. */
  version?: number;
}

export async function getTenantSettings(ports: Ports, principal: Principal): Promise<StoredTenantSettings> {
  requireAnyRole(principal, "read the organisation's settings");
  return loadTenantSettings(ports.tenantSettings, principal.tenantId);
}

export async function listTenantSettings(
  ports: Ports,
  principal: Principal,
  limit = 50,
): Promise<StoredTenantSettings[]> {
  requireAdmin(principal, "read the history of the organisation's settings");
  return ports.tenantSettings.listSettings(principal.tenantId, limit);
}

export async function updateTenantSettings(
  ports: Ports,
  principal: Principal,
  input: TenantSettingsInput,
): Promise<StoredTenantSettings> {
  requireAdmin(principal, "change the organisation's settings");
  // One routing step: the per-envelope budget is applied to each envelope when it is created.
  const envelopeDefaults = checkSettings(
    input.envelopeDefaults ?? {},
    1,
    DEFAULT_TENANT_SETTINGS.envelopeDefaults,
    'body.envelopeDefaults',
  );
  const current = await loadTenantSettings(ports.tenantSettings, principal.tenantId);
  if (input.version !== undefined && input.version !== current.version) {
    throw new ConflictError(
      `the settings were changed since version ${input.version} (now version ${current.version}): read them again and reapply your change`,
    );
  }
  const next: StoredTenantSettings = {
    tenantId: principal.tenantId,
    version: current.version + 1,
    envelopeDefaults,
    recipientChanges: { ...DEFAULT_TENANT_SETTINGS.recipientChanges, ...input.recipientChanges },
    ...(input.templateApprovalRequired ? { templateApprovalRequired: true } : {}),
    ...(input.documentRetentionDays !== undefined
      ? { documentRetentionDays: checkRetention(input.documentRetentionDays) }
      : {}),
    updatedAt: ports.clock.now().toISOString(),
    updatedBy: { sub: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
  };
  try {
    await ports.tenantSettings.putSettings(next);
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
    throw new ConflictError(
      `another change to the settings was saved at the same moment (version ${next.version}): read them again and reapply your change`,
    );
  }
  return next;
}

function checkRetention(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new ValidationError(
      `documentRetentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
      [{ path: 'body.documentRetentionDays', message: `from 1 to ${MAX_RETENTION_DAYS} days` }],
    );
  }
  return days;
}
