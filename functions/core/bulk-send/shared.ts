/**
 * What the API and the console share of a bulk send: the row limit and where a batch stands. A
 * module without imports, so that the console reads the same.
 */

/** Rows in one batch; the stored batch must also fit one table item (see MAX_BATCH_BYTES). */
export const MAX_BULK_ROWS = 1000;

export type BatchStatus = 'sending' | 'done';

export interface BulkSendProgress {
  id: string;
  status: BatchStatus;
  template: { id: string; version: number; name: string };
  title: string;
  createdAt: string;
  finishedAt?: string;
  total: number;
  sent: number;
  failed: number;
  pending: number;
  rows: {
    row: number;
    title: string;
    status: 'pending' | 'sent' | 'failed';
    envelopeId: string;
    recipients: { role: string; name?: string; email?: string }[];
    error?: string;
  }[];
}
