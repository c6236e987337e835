import type { Role } from '../access';
import type { ErrorDetail } from '../errors';
import type { MergeData } from '../templates/instantiate';
import type { SettingsInput } from '../usecases/create-envelope';
import type { RoleAssignment } from '../usecases/envelope-from-template';
import type { BulkSendProgress } from './shared';

export { MAX_BULK_ROWS, type BulkSendProgress } from './shared';

/**
 * A bulk send: one template version sent to many parties, one envelope per row. The batch is
 * recorded whole before anything is sent; each row's outcome is recorded as it is reached, so a
 * run that stops (crash, time-out) is resumed by the next without sending a row twice.
 */

/** The recorded batch (definition and rows) as JSON: a DynamoDB item holds 400 KB. */
export const MAX_BATCH_BYTES = 350 * 1024;

export interface BulkSendRow {
  /** The row's own title; default the batch's, with `{{merge.key}}` filled from the row. */
  title?: string;
  roles: Record<string, RoleAssignment>;
  mergeData?: MergeData;
}

export interface BulkSendInput extends SettingsInput {
  template: { id: string; version?: number };
  title: string;
  message?: string;
  rows: BulkSendRow[];
}

export interface BulkSendBatch {
  tenantId: string;
  id: string;
  createdAt: string;
  /** Who sent it: every envelope of the batch is theirs, made with their rights. */
  createdBy: { sub: string; email?: string; roles: Role[] };
  /** The version is fixed when the batch is made: every row gets the same one. */
  template: { id: string; version: number; name: string };
  title: string;
  message?: string;
  settings: SettingsInput;
  rows: BulkSendRow[];
  /** The request's hash: a repeated request with the same Idempotency-Key finds this batch. */
  requestHash: string;
}

export type RowOutcome =
  | { row: number; status: 'sent'; envelopeId: string; at: string }
  | { row: number; status: 'failed'; envelopeId: string; at: string; error: string };

/** Row n's envelope: named after the batch, so a resumed run finds the one it made. */
export const rowEnvelopeId = (batchId: string, row: number) => `${batchId}-${String(row).padStart(4, '0')}`;

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

/** The title of a row: `{{key}}` replaced by the row's merge value for that key. */
export function rowTitle(template: string, values: ReadonlyMap<string, string>): string {
  return template.replace(PLACEHOLDER, (_, key: string) => values.get(key) ?? '');
}

/** Placeholders of a title that the template's merge fields do not fill. */
export function unknownPlaceholders(title: string, keys: ReadonlySet<string>): string[] {
  return [...title.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((k) => !keys.has(k));
}

/** A row's error details, with the paths of the single-envelope request moved under the row. */
export function underRow(row: number, roleNames: readonly string[], details: ErrorDetail[]): ErrorDetail[] {
  const at = `body.rows[${row - 1}]`;
  return details.map((d) => {
    const recipient = /^body\.recipients\[(\d+)\](.*)$/.exec(d.path);
    if (recipient) {
      const role = roleNames[Number(recipient[1])];
      return { ...d, path: role ? `${at}.roles.${role}${recipient[2]}` : `${at}.roles` };
    }
    return { ...d, path: d.path.replace(/^body\./, `${at}.`) };
  });
}

/** Where a batch stands, from its rows and the outcomes recorded so far. */
export function progressOf(batch: BulkSendBatch, outcomes: readonly RowOutcome[]): BulkSendProgress {
  const byRow = new Map(outcomes.map((o) => [o.row, o]));
  const rows = batch.rows.map((r, i) => {
    const row = i + 1;
    const outcome = byRow.get(row);
    return {
      row,
      title: r.title ?? batch.title,
      status: outcome?.status ?? ('pending' as const),
      envelopeId: rowEnvelopeId(batch.id, row),
      recipients: Object.entries(r.roles).map(([role, who]) => ({
        role,
        ...(who.name !== undefined ? { name: who.name } : {}),
        ...(who.email !== undefined ? { email: who.email } : {}),
      })),
      ...(outcome?.status === 'failed' ? { error: outcome.error } : {}),
    };
  });
  const sent = rows.filter((r) => r.status === 'sent').length;
  const failed = rows.filter((r) => r.status === 'failed').length;
  const pending = rows.length - sent - failed;
  const last = outcomes.reduce<string | undefined>((at, o) => (at && at > o.at ? at : o.at), undefined);
  return {
    id: batch.id,
    status: pending === 0 ? 'done' : 'sending',
    template: batch.template,
    title: batch.title,
    createdAt: batch.createdAt,
    ...(pending === 0 && last ? { finishedAt: last } : {}),
    total: rows.length,
    sent,
    failed,
    pending,
    rows,
  };
}
