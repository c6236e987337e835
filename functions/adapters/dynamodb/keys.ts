/** Item keys. Every partition key starts with the tenant, so no query can cross tenants. */
export const envelopePk = (tenantId: string, envelopeId: string) => `T#${tenantId}#E#${envelopeId}`;
export const eventSk = (seq: number) => `V#${String(seq).padStart(10, '0')}`;
export const SNAPSHOT_SK = 'SNAPSHOT';
export const tenantListPk = (tenantId: string) => `T#${tenantId}#ENVELOPES`;
export const statusListPk = (tenantId: string, status: string) => `T#${tenantId}#ENVELOPES#${status}`;
export const ownerListPk = (tenantId: string, sub: string) => `T#${tenantId}#OWNER#${sub}`;
export const idempotencyPk = (tenantId: string, subject: string, operation: string, key: string) =>
  `T#${tenantId}#IDEM#${subject}#${operation}#${key}`;
export const IDEMPOTENCY_SK = 'IDEM';
export const uploadPk = (tenantId: string, uploadId: string) => `T#${tenantId}#U#${uploadId}`;
export const UPLOAD_SK = 'UPLOAD';
export const tenantPrefix = (tenantId: string) => `T#${tenantId}#`;
/** Signing links are looked up by the hash of their secret alone; the item names its tenant. */
export const signerTokenPk = (tokenHash: string) => `SIGNER#${tokenHash}`;
export const SIGNER_TOKEN_SK = 'TOKEN';
export const WAIT_SK = 'WAIT';
export const recipientTokensSk = (recipientId: string) => `TOKENS#${recipientId}`;
/** A recipient's access code hash, and their current one-time code hash, under the envelope. */
export const accessCodeSk = (recipientId: string) => `AUTH#ACCESS#${recipientId}`;
export const oneTimeCodeSk = (recipientId: string) => `AUTH#OTP#${recipientId}`;
/** A tenant's settings: one item per version, the latest read first. */
export const tenantSettingsPk = (tenantId: string) => `T#${tenantId}#SETTINGS`;
export const settingsVersionSk = (version: number) => `V#${String(version).padStart(10, '0')}`;
/** Public verification uploads belong to no tenant: their own prefix, never under `T#`. */
export const verifyUploadPk = (uploadId: string) => `VERIFY#U#${uploadId}`;
/** A template's events (sk: eventSk), and the tenant's list of templates (sk: the template id). */
export const templatePk = (tenantId: string, templateId: string) => `T#${tenantId}#TPL#${templateId}`;
export const templateListPk = (tenantId: string) => `T#${tenantId}#TEMPLATES`;

/** A contract's events (sk: eventSk), and the tenant's list of contracts (sk: the contract id). */
export const contractPk = (tenantId: string, contractId: string) => `T#${tenantId}#CON#${contractId}`;
export const contractListPk = (tenantId: string) => `T#${tenantId}#CONTRACTS`;

/**
 * A contract's SLA records, one partition per contract: tickets (`TKT#id`), outages (`OUT#id`),
 * monitoring checks (`OUT#MON#check`), rejected payloads (`REJ#time#id`), issued statements
 * (`STMT#YYYY-MM`), sent alerts (`ALERT#key`) and pending webhook events (`PEND#ticket`).
 */
export const slaPk = (tenantId: string, contractId: string) => `T#${tenantId}#CON#${contractId}#SLA`;
export const ticketSk = (ticketId: string) => `TKT#${ticketId}`;
export const outageSk = (outageId: string) => `OUT#${outageId}`;
/** A monitoring check's events and the outages derived from them: listed with the outages. */
export const monitoringSk = (check: string) => `OUT#MON#${check}`;
export const rejectedSk = (receivedAt: string, id: string) => `REJ#${receivedAt}#${id}`;
export const statementSk = (month: string) => `STMT#${month}`;
export const alertSk = (key: string) => `ALERT#${key}`;
/** Webhook events of a ticket that cannot be stored yet (its creation has not arrived). */
export const pendingTicketSk = (ticketId: string) => `PEND#${ticketId}`;
export const WEBHOOK_SECRET_SK = 'SECRET';
/** A contract's webhook secret is found by the contract id alone (public routes); the item names its tenant. */
export const webhookSecretPk = (contractId: string) => `SLA_WEBHOOK#${contractId}`;

/** A bulk send: the batch as recorded (`BATCH`) and one item per row outcome (`ROW#0001`...). */
export const bulkSendPk = (tenantId: string, batchId: string) => `T#${tenantId}#BULK#${batchId}`;
export const BULK_BATCH_SK = 'BATCH';
export const bulkRowSk = (row: number) => `ROW#${String(row).padStart(6, '0')}`;
