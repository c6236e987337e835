import { z } from 'zod';
import { RECIPIENT_ROLES } from '../core/envelope';
import { FIELD_TYPES } from '../core/templates/template';
import { DocumentInput, FieldValidationInput, settingsShape, text } from './schemas';

/** Request and response schemas of the template routes. */

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

const box = {
  page: z.number().int().min(1).openapi({ description: '1-based page number' }),
  x: z.number().min(0).openapi({ description: 'Points from the left edge of the page' }),
  y: z.number().min(0).openapi({ description: 'Points from the top edge of the page' }),
  width: z.number().positive(),
  height: z.number().positive(),
};

export const TemplateRoleInput = z
  .object({
    name: z.string().regex(NAME, 'letters, digits, - and _ (at most 64)'),
    role: z.enum(RECIPIENT_ROLES),
    step: z.number().int().min(1).max(50).openapi({ description: 'Routing step of this role' }),
  })
  .strict()
  .openapi('TemplateRole');

export const TemplateFieldInput = z
  .object({
    name: z.string().regex(NAME, 'letters, digits, - and _ (at most 64)'),
    type: z.enum(FIELD_TYPES),
    role: z.string().regex(NAME),
    ...box,
    required: z.boolean().optional().openapi({ description: 'Default false' }),
    validation: FieldValidationInput.optional(),
  })
  .strict()
  .openapi('TemplateField');

export const MergeFieldInput = z
  .object({
    key: z.string().max(200).openapi({ example: 'customer.name' }),
    ...box,
    required: z.boolean().optional().openapi({ description: 'Default true' }),
    fontSize: z.number().min(4).max(72).optional(),
  })
  .strict()
  .openapi('MergeField');

const days = (max: number) => z.number().int().min(0).max(max);

export const ContractTermsInput = z
  .object({
    termMonths: z.number().int().min(1).max(120).openapi({ description: 'The initial term' }),
    renewal: z.discriminatedUnion('mode', [
      z.object({ mode: z.literal('fixed') }).strict(),
      z
        .object({
          mode: z.literal('auto'),
          renewalMonths: z.number().int().min(1).max(120),
          noticeDays: days(730).openapi({
            description: 'Notice of non-renewal is due this many days before the end',
          }),
          reminderDays: days(365).openapi({
            description: 'The owners are e-mailed this many days before the notice deadline',
          }),
        })
        .strict(),
    ]),
    timeZone: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: "IANA; default the SLA terms' reporting zone" }),
    owners: z.array(z.email().max(254)).max(20).optional(),
  })
  .strict()
  .openapi('ContractTerms');

const definition = {
  name: text(200),
  description: z.string().max(2000).optional(),
  roles: z.array(TemplateRoleInput).min(1).max(50),
  fields: z.array(TemplateFieldInput).max(500).optional(),
  mergeFields: z.array(MergeFieldInput).max(500).optional(),
  message: z.string().max(10_000).optional(),
  slaTerms: z.record(z.string(), z.unknown()).optional().openapi({
    description: 'The SLA terms (schema_version 1.0), checked against the schema and for consistency',
  }),
  scheduleAfterPage: z.number().int().min(1).optional().openapi({
    description: 'The SLA schedule pages go after this page; without it they are appended',
  }),
  contract: ContractTermsInput.optional().openapi({
    description: 'How a completed envelope of this template runs as a tracked contract (needs slaTerms)',
  }),
  ...settingsShape,
};

export const CreateTemplateBody = z
  .object({ ...definition, document: DocumentInput })
  .strict()
  .openapi('CreateTemplate');

export const UpdateTemplateBody = z
  .object({
    ...definition,
    document: DocumentInput.optional().openapi({
      description: 'A new PDF; without it the version keeps the previous one',
    }),
    baseVersion: z.number().int().min(1).openapi({
      description: 'The version this change was made from: a version saved since is not overwritten (409)',
    }),
  })
  .strict()
  .openapi('UpdateTemplate');

export const TemplateIdParams = z.object({ tid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export const TemplateVersionParams = TemplateIdParams.extend({ v: z.coerce.number().int().min(1) });
export const TemplateQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
export const TemplateListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
    includeArchived: z
      .enum(['true', 'false'])
      .optional()
      .transform((x) => x === 'true'),
  })
  .strict();
export const DiffQuery = z
  .object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) })
  .strict();
export const ArchiveBody = z.object({ reason: z.string().max(1000).optional() }).strict();

export const Template = z
  .object({
    id: z.string(),
    version: z.number().int(),
    latestVersion: z.number().int(),
    approvedVersion: z.number().int().optional(),
    status: z.enum(['pending_approval', 'approved']),
    archivedAt: z.string().optional(),
    name: z.string(),
    description: z.string(),
    document: z.object({
      name: z.string(),
      sha256: z.string(),
      size: z.number().int(),
      pageCount: z.number().int(),
    }),
    roles: z.array(TemplateRoleInput),
    fields: z.array(TemplateFieldInput),
    mergeFields: z.array(MergeFieldInput),
    message: z.string(),
    settings: z.object(settingsShape).openapi({
      description:
        "What the template sets; the envelope's own settings win, the tenant's defaults fill the rest",
    }),
    slaTerms: z.record(z.string(), z.unknown()).optional(),
    scheduleAfterPage: z.number().int().optional(),
    contract: ContractTermsInput.optional(),
    createdAt: z.string(),
    createdBy: z.string(),
    approvedAt: z.string().optional(),
    approvedBy: z.string().optional(),
  })
  .openapi('Template');

export const TemplateHistory = z
  .object({
    templateId: z.string(),
    verified: z
      .boolean()
      .openapi({ description: 'Every event hashes to the next (see docs/audit-trail.md)' }),
    headHash: z.string(),
    events: z.array(z.record(z.string(), z.unknown())).openapi({
      description:
        "Every event whole (template.version_created carries the version's definition), so anyone can recompute the hashes",
    }),
  })
  .openapi('TemplateHistory');

export const TemplateList = z
  .object({
    items: z.array(
      z.object({
        templateId: z.string(),
        name: z.string(),
        latestVersion: z.number().int(),
        approvedVersion: z.number().int().optional(),
        archived: z.boolean(),
        hasSlaTerms: z.boolean(),
        updatedAt: z.string(),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .openapi('TemplateList');

const change = z.object({ path: z.string(), from: z.unknown().optional(), to: z.unknown().optional() });
const listChanges = <T extends z.ZodType>(item: T) =>
  z.object({
    added: z.array(item),
    removed: z.array(item),
    changed: z.array(z.object({ name: z.string(), changes: z.array(change) })),
  });

export const TemplateDiff = z
  .object({
    from: z.number().int(),
    to: z.number().int(),
    name: change.optional(),
    document: change.optional().openapi({ description: 'The SHA-256 of the PDF, when it changed' }),
    message: change.optional(),
    roles: listChanges(TemplateRoleInput),
    fields: listChanges(TemplateFieldInput),
    mergeFields: listChanges(MergeFieldInput),
    settings: z.array(change),
    slaTerms: z.array(change),
    contract: z.array(change),
  })
  .openapi('TemplateDiff');
