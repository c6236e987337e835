import { DEFAULT_ENVELOPE_SETTINGS, type EnvelopeSettings } from './envelope';

/**
 * A tenant's settings: the defaults its envelopes start from, and which recipient changes it
 * allows. Every change is a new numbered version; earlier versions are kept as its history.
 */
export interface TenantSettings {
  /** What an envelope gets for every reminder, expiry and notification setting it leaves out. */
  envelopeDefaults: EnvelopeSettings;
  recipientChanges: {
    /** The sender (or an admin) may hand a recipient's part to another person before they act. */
    senderMayReassign: boolean;
    /** A recipient may pass their part on to another person from their signing link. */
    recipientMayDelegate: boolean;
  };
  /** Days each stored document is kept under Object Lock; absent: the deployment's default. */
  documentRetentionDays?: number;
  /** New template versions wait for approval by legal or an admin (not their author) before use. */
  templateApprovalRequired?: boolean;
  /** How the console, the signing page and the invitations look for this tenant. */
  branding?: TenantBranding;
}

/** A tenant's look: its logo and two colours; what is left out keeps the product's own. */
export interface TenantBranding {
  /** A PNG of at most `MAX_LOGO_BYTES`, base64. */
  logoPngBase64?: string;
  /** `#rrggbb` (lower case): the header and the main buttons. */
  primaryColor?: string;
  /** `#rrggbb` (lower case): links and highlights. */
  accentColor?: string;
}

/** The largest logo a tenant may store: 200 KB. */
export const MAX_LOGO_BYTES = 200 * 1024;

export interface StoredTenantSettings extends TenantSettings {
  tenantId: string;
  /** 0 for the built-in defaults of a tenant that never changed them. */
  version: number;
  updatedAt?: string;
  updatedBy?: { sub: string; email?: string };
}

/** Until an admin says otherwise, nobody hands a recipient's part to someone else. */
export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  envelopeDefaults: DEFAULT_ENVELOPE_SETTINGS,
  recipientChanges: { senderMayReassign: false, recipientMayDelegate: false },
};

export function defaultTenantSettings(tenantId: string): StoredTenantSettings {
  return { tenantId, version: 0, ...DEFAULT_TENANT_SETTINGS };
}

export interface TenantSettingsStore {
  /** The latest version, or null when the tenant never changed its settings. */
  getSettings(tenantId: string): Promise<StoredTenantSettings | null>;
  /** Writes a new version; ConcurrencyError when that version number is taken. */
  putSettings(settings: StoredTenantSettings): Promise<void>;
  /** Every version, newest first. */
  listSettings(tenantId: string, limit: number): Promise<StoredTenantSettings[]>;
}

/** The tenant's current settings (version 0: the built-in defaults, never changed). */
export async function loadTenantSettings(
  store: TenantSettingsStore,
  tenantId: string,
): Promise<StoredTenantSettings> {
  return (await store.getSettings(tenantId)) ?? defaultTenantSettings(tenantId);
}

/** Longest retention a tenant may ask for: 100 years. */
export const MAX_RETENTION_DAYS = 36_500;

/** When a document stored now may be deleted: the tenant's retention, or the deployment's. */
export async function retainUntil(
  ports: {
    tenantSettings: TenantSettingsStore;
    clock: { now(): Date };
    limits: { documentRetentionDays: number };
  },
  tenantId: string,
): Promise<Date> {
  const days =
    (await ports.tenantSettings.getSettings(tenantId))?.documentRetentionDays ??
    ports.limits.documentRetentionDays;
  return new Date(ports.clock.now().getTime() + days * 86_400_000);
}
