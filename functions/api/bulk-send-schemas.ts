import { z } from 'zod';
import { MAX_BULK_ROWS } from '../core/bulk-send/batch';
import { RoleAssignmentInput, settingsShape, text } from './schemas';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export const BulkSendRowInput = z
  .object({
    title: text(200)
      .optional()
      .openapi({ description: "This row's title; default the batch's (placeholders filled likewise)" }),
    roles: z
      .record(id, RoleAssignmentInput)
      .openapi({ description: "Who takes each of the template's roles (every role) in this row's envelope" }),
    mergeData: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "This row's values of the template's merge fields, by dotted key" }),
  })
  .strict()
  .openapi('BulkSendRow');

export const CreateBulkSendBody = z
  .object({
    template: z
      .object({
        id,
        version: z.number().int().min(1).optional().openapi({
          description: 'An approved version; default the newest approved one, fixed for the whole batch',
        }),
      })
      .strict(),
    title: text(200).openapi({
      description: "Each envelope's title; `{{key}}` is replaced by the row's merge value for that key",
      example: 'Support agreement 2027 — {{customer.name}}',
    }),
    message: z.string().max(10_000).optional(),
    rows: z
      .array(BulkSendRowInput)
      .min(1, 'a bulk send needs at least one row')
      .max(MAX_BULK_ROWS, `a bulk send has at most ${MAX_BULK_ROWS} rows: split the list`)
      .openapi({ description: `One envelope per row, 1 to ${MAX_BULK_ROWS}` }),
    ...settingsShape,
  })
  .strict()
  .openapi('CreateBulkSend');

export const BulkSendIdParams = z.object({ id });

export const BulkSend = z
  .object({
    id: z.string(),
    status: z.enum(['sending', 'done']),
    template: z.object({ id: z.string(), version: z.number().int(), name: z.string() }),
    title: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().optional(),
    total: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
    rows: z.array(
      z.object({
        row: z.number().int().openapi({ description: 'From 1, in the order given' }),
        title: z.string(),
        status: z.enum(['pending', 'sent', 'failed']),
        envelopeId: z.string().openapi({ description: "The row's envelope (once sent, or made)" }),
        recipients: z.array(
          z.object({ role: z.string(), name: z.string().optional(), email: z.string().optional() }),
        ),
        error: z.string().optional().openapi({ description: 'Why the row was not sent' }),
      }),
    ),
  })
  .openapi('BulkSend');
