import { requireAdmin, requireAnyRole, type Principal } from '../access';
import { ConcurrencyError, ConflictError, ValidationError } from '../errors';
import type { Ports } from '../ports';
import {
  DEFAULT_TENANT_SETTINGS,
  loadTenantSettings,
  MAX_LOGO_BYTES,
  MAX_RETENTION_DAYS,
  type StoredTenantSettings,
  type TenantBranding,
} from '../tenant-settings';
import { checkSettings, type SettingsInput } from './create-envelope';

/** A whole new version of the settings: what is left out takes the built-in default. */
export interface TenantSettingsInput {
  envelopeDefaults?: SettingsInput;
  recipientChanges?: { senderMayReassign?: boolean; recipientMayDelegate?: boolean };
  /** Days stored documents are kept under Object Lock; left out: the deployment's default. */
  documentRetentionDays?: number;
  templateApprovalRequired?: boolean;
  branding?: TenantBranding;
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
    ...brandingPart(input.branding),
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

const COLOR = /^#[0-9a-f]{6}$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The branding to store: colours in lower case, a logo that is a PNG of at most 200 KB; none when empty. */
function brandingPart(input: TenantBranding | undefined): { branding?: TenantBranding } {
  if (!input) return {};
  const problems: { path: string; message: string }[] = [];
  const branding: TenantBranding = {};
  for (const key of ['primaryColor', 'accentColor'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    if (COLOR.test(value)) branding[key] = value.toLowerCase();
    else problems.push({ path: `body.branding.${key}`, message: 'must be a colour #rrggbb' });
  }
  if (input.logoPngBase64 !== undefined) {
    const problem = logoProblem(input.logoPngBase64);
    if (problem) problems.push({ path: 'body.branding.logoPngBase64', message: problem });
    else branding.logoPngBase64 = input.logoPngBase64;
  }
  if (problems.length > 0)
    throw new ValidationError(
      `the branding cannot be used: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  return Object.keys(branding).length > 0 ? { branding } : {};
}

/** Why the logo cannot be used, or null: base64 of a PNG (its signature and header) of at most 200 KB. */
function logoProblem(base64: string): string | null {
  if (!BASE64.test(base64)) return 'must be base64 (without a data: prefix)';
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length > MAX_LOGO_BYTES)
    return `the logo is ${Math.ceil(bytes.length / 1024)} KB: at most ${MAX_LOGO_BYTES / 1024} KB`;
  const isPng =
    bytes.length >= 33 &&
    PNG_SIGNATURE.every((b, i) => bytes[i] === b) &&
    bytes.readUInt32BE(8) === 13 &&
    bytes.toString('latin1', 12, 16) === 'IHDR';
  if (!isPng) return 'must be a PNG image';
  if (bytes.readUInt32BE(16) === 0 || bytes.readUInt32BE(20) === 0) return 'the PNG has no pixels';
  return null;
}
