import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { FIELD_TYPES } from '../core/templates/template';
import {
  AUTH_METHODS,
  ENVELOPE_STATUSES,
  RECIPIENT_LANGUAGES,
  RECIPIENT_ROLES,
  RECIPIENT_STATUSES,
} from '../core/envelope';

extendZodWithOpenApi(z);

/**
 * The request and response schemas. The same objects validate requests in the handlers and
 * produce the OpenAPI description, so the two cannot disagree.
 */

export const text = (max: number) => z.string().trim().min(1).max(max);

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');

export const FieldValidationInput = z
  .object({
    pattern: z.string().max(500).optional(),
    min: z.union([z.number(), z.string().max(10)]).optional(),
    max: z.union([z.number(), z.string().max(10)]).optional(),
    options: z.array(z.string().trim().min(1).max(200)).max(100).optional(),
  })
  .strict()
  .openapi('FieldValidation', {
    description:
      'pattern (text); min and max (number: the value, text: the length, date: YYYY-MM-DD); options (dropdown)',
  });

export const FieldInput = z
  .object({
    type: z.enum(FIELD_TYPES).openapi({
      description:
        'signature and initials are adopted when signing; date_signed is filled with the signing date; the others take the value the signer enters',
    }),
    name: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)')
      .optional()
      .openapi({ description: 'Unique per recipient; the value is recorded under it' }),
    required: z
      .boolean()
      .optional()
      .openapi({ description: 'Default: true for signature and initials, else false' }),
    validation: FieldValidationInput.optional(),
    documentId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .openapi({ description: 'Required when there are several documents' }),
    page: z.number().int().min(1).openapi({ description: '1-based page number' }),
    x: z.number().min(0).openapi({ description: 'Points from the left edge of the page' }),
    y: z.number().min(0).openapi({ description: 'Points from the top edge of the page' }),
    width: z.number().positive(),
    height: z.number().positive(),
  })
  .strict()
  .openapi('FieldInput');

const E164 = /^\+[1-9]\d{6,14}$/;

export const RecipientAuthInput = z
  .discriminatedUnion('method', [
    z
      .object({ method: z.literal('email') })
      .strict()
      .openapi({ description: 'The e-mail link alone (the default)' }),
    z
      .object({
        method: z.literal('access_code'),
        code: z
          .string()
          .min(6, 'must be at least 6 characters')
          .max(32, 'must be at most 32 characters')
          .openapi({
            description:
              'A code the sender gives the recipient out of band; kept only as a salted hash and never shown again',
          }),
      })
      .strict(),
    z
      .object({
        method: z.literal('sms'),
        phone: z
          .string({ error: 'an SMS code needs a phone number in E.164 form, such as +15555550123' })
          .regex(E164, 'must be a phone number in E.164 form, such as +15555550123')
          .openapi({ example: '+15555550123' }),
      })
      .strict()
      .openapi({ description: 'A 6-digit one-time code by SMS, valid 10 minutes' }),
    z
      .object({ method: z.literal('email_code') })
      .strict()
      .openapi({ description: "A 6-digit one-time code to the recipient's address, valid 10 minutes" }),
  ])
  .openapi('RecipientAuthInput', {
    description:
      'How the recipient proves who they are before the link opens anything; 5 wrong codes lock them until the invitation is resent',
  });

export const RecipientInput = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    name: text(200).optional().openapi({ description: 'Required unless `group` is given' }),
    email: z.email().max(254).optional().openapi({ description: 'Required unless `group` is given' }),
    role: z.enum(RECIPIENT_ROLES).default('signer').openapi({
      description:
        '`signer` signs; `approver` approves without a signature (no fields); `carbon_copy` is never invited, never blocks its step, and receives the completed documents (no fields)',
    }),
    group: z
      .object({
        name: text(200),
        members: z
          .array(z.object({ name: text(200), email: z.email().max(254) }).strict())
          .min(2, 'a signing group needs at least 2 members')
          .max(20, 'a signing group has at most 20 members'),
      })
      .strict()
      .optional()
      .openapi({
        description:
          'A signing group instead of `name` and `email` (role `signer` only): every member is invited with their own link, the first to sign signs for the group, and the others are told',
      }),
    step: z
      .number()
      .int()
      .min(1)
      .max(50)
      .openapi({ description: 'Routing step; steps run in order, recipients of one step in parallel' }),
    fields: z.array(FieldInput).max(200).default([]),
    auth: RecipientAuthInput.optional(),
    language: z.enum(RECIPIENT_LANGUAGES).optional().openapi({
      description:
        "The recipient's language (en, es): their invitation, reminders and expiry warning, and their signing page unless they choose another; default English mail and the browser's language",
    }),
  })
  .strict()
  .openapi('RecipientInput');

const documentBase = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
  name: text(200),
};

export const DocumentInput = z
  .union([
    z
      .object({
        ...documentBase,
        contentBase64: z.string().min(1).openapi({ description: 'The PDF, base64; at most 3 MB decoded' }),
      })
      .strict(),
    z
      .object({
        ...documentBase,
        uploadId: z.string().min(1).max(64).openapi({ description: 'Id from POST /v1/uploads' }),
      })
      .strict(),
  ])
  .openapi('DocumentInput');

const hours = (what: string, fallback: number) =>
  z
    .number()
    .int('must be a whole number of hours')
    .min(1, 'a reminder interval must be at least 1 hour')
    .max(360 * 24, 'a reminder interval must be at most the longest expiry (8640 hours)')
    .optional()
    .openapi({ description: `${what}; default ${fallback}`, example: fallback });

export const RemindersInput = z
  .object({
    firstAfterHours: hours("Hours from a step's invitations to the first reminder", 48),
    everyHours: hours('Hours between later reminders, until the recipient acts', 48),
    max: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be at least 0 (0 sends no reminders)')
      .max(50, 'must be at most 50')
      .optional()
      .openapi({
        description:
          'Reminders per recipient at most; default 10. Times the number of routing steps, at most 500.',
        example: 10,
      }),
  })
  .strict()
  .openapi('RemindersInput', {
    description: 'Only recipients of the current step who have not acted are reminded, with a fresh link',
  });

/** Reminder, expiry and notification settings: an envelope's own, or a tenant's defaults. */
export const settingsShape = {
  reminders: RemindersInput.optional(),
  notifySender: z
    .object({
      signed: z.boolean().optional(),
      completed: z.boolean().optional(),
      declined: z.boolean().optional(),
      expired: z.boolean().optional(),
    })
    .strict()
    .optional()
    .openapi({
      description: 'What the sender is e-mailed about; all on by default (a void always reaches the owner)',
    }),
  expiresInDays: z
    .number()
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(360, 'must be at most 360 days')
    .optional()
    .openapi({
      description: 'Days from sending until the envelope expires; default 120',
      example: 120,
    }),
  warnDaysBefore: z
    .number()
    .int('must be a whole number of days')
    .min(0, 'must be at least 0 (0 sends no warning)')
    .max(359, 'must be less than expiresInDays')
    .optional()
    .openapi({
      description:
        'Days before the expiry that recipients who have not acted, and the sender, are warned; default 3, 0 for none; less than expiresInDays',
      example: 3,
    }),
};

export const RoleAssignmentInput = RecipientInput.pick({
  name: true,
  email: true,
  group: true,
  auth: true,
  language: true,
})
  .strict()
  .openapi('RoleAssignment', {
    description: "A person (name and email) or a signing group for one of the template's roles",
  });

export const CreateEnvelopeBody = z
  .object({
    title: text(200),
    message: z
      .string()
      .max(10_000)
      .optional()
      .openapi({ description: "The invitation's message; from a template, the template's by default" }),
    documents: z
      .array(DocumentInput)
      .min(1)
      .max(20)
      .optional()
      .openapi({ description: 'Required without `template`; not allowed with it' }),
    recipients: z
      .array(RecipientInput)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Required without `template`; with one, `roles` says who takes each role' }),
    template: z
      .object({
        id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
        version: z.number().int().min(1).optional().openapi({
          description: 'An approved version; default the newest approved one',
        }),
      })
      .strict()
      .optional()
      .openapi({
        description:
          "Make the envelope from a template: its PDF with the merge fields filled and the SLA schedule generated from its terms, its roles' fields, message, settings and SLA terms",
      }),
    roles: z
      .record(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), RoleAssignmentInput)
      .optional()
      .openapi({ description: "With `template`: who takes each of the template's roles (every role)" }),
    amends: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional()
      .openapi({
        description:
          "The id of a contract this envelope amends: once completed, its SLA terms and fee apply from their effective date (merge data `effective_from`, else the terms' `effective_from`)",
      }),
    mergeData: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description: 'With `template`: the values of its merge fields, by dotted key',
        example: {
          customer: { name: 'Acme Corp' },
          fee: { monthly: 'USD 10,000.00' },
          effective_from: '2026-01-01',
        },
      }),
    ...settingsShape,
    slaTerms: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        "The contract's machine-readable SLA terms (the SLA terms schema, schema_version 1.0); validated, recorded, and attached to the sealed PDF as sla-terms.json",
    }),
  })
  .strict()
  .openapi('CreateEnvelope');

export const VoidBody = z
  .object({ reason: text(1000) })
  .strict()
  .openapi('VoidEnvelope');

export const CreateUploadBody = z
  .object({
    filename: text(200),
    contentType: z.literal('application/pdf'),
    size: z.number().int().positive().openapi({ description: 'Exact size in bytes; at most 50 MB' }),
  })
  .strict()
  .openapi('CreateUpload');

export const EnvelopeIdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
export const DocumentQuery = z
  .object({
    version: z.enum(['current', 'original']).default('current').openapi({
      description: 'current: the sealed copy once the envelope is completed; original: the bytes uploaded',
    }),
  })
  .strict();
export const DocumentParams = EnvelopeIdParams.extend({ doc: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export const RecipientParams = EnvelopeIdParams.extend({ rid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export const CorrectRecipientBody = z
  .object({ email: z.email().max(254), name: text(200).optional() })
  .strict()
  .openapi('CorrectRecipient');

export const ReassignBody = z
  .object({
    name: text(200),
    email: z.email().max(254),
    reason: text(1000),
    auth: RecipientAuthInput.optional().openapi({
      description:
        "The new person's authentication; required when the part used an access code or an SMS code (those belong to the previous person)",
    }),
  })
  .strict()
  .openapi('ReassignRecipient');

export const LegalHoldBody = z
  .object({ reason: text(1000).openapi({ example: 'Dispute with the vendor over Q3 credits' }) })
  .strict()
  .openapi('LegalHold');

export const RouteRedriven = z
  .object({
    envelopeId: z.string(),
    route: z.enum(['redriven', 'started']).openapi({
      description:
        '`redriven`: the failed route resumed; `started`: the route of a sent envelope had never started',
    }),
  })
  .openapi('RouteRedriven');

export const DelegateBody = z
  .object({ name: text(200), email: z.email().max(254), reason: text(1000) })
  .strict()
  .openapi('Delegate');

export const Delegated = z
  .object({ delegatedTo: z.object({ name: z.string(), email: z.string() }) })
  .openapi('Delegated');

const recipientChanges = {
  senderMayReassign: z.boolean().openapi({
    description: "The sender (or an admin) may hand a recipient's part to another person before they act",
  }),
  recipientMayDelegate: z.boolean().openapi({
    description: 'A recipient may pass their part on to another person from their signing link',
  }),
};

const COLOR = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb')
  .openapi({ example: '#0b5cad' });

export const Branding = z
  .object({
    logoPngBase64: z
      .string()
      .max(280_000)
      .optional()
      .openapi({ description: 'A PNG of at most 200 KB, base64 (no data: prefix)' }),
    primaryColor: COLOR.optional().openapi({ description: 'The header and the main buttons' }),
    accentColor: COLOR.optional().openapi({ description: 'Links and highlights' }),
  })
  .strict()
  .openapi('Branding', {
    description:
      "The tenant's logo and colours, shown in the console, on the signing page and in invitations",
  });

export const TenantSettingsBody = z
  .object({
    envelopeDefaults: z
      .object(settingsShape)
      .strict()
      .optional()
      .openapi({ description: 'Defaults for every envelope setting an envelope leaves out' }),
    recipientChanges: z
      .object({
        senderMayReassign: recipientChanges.senderMayReassign.optional(),
        recipientMayDelegate: recipientChanges.recipientMayDelegate.optional(),
      })
      .strict()
      .optional(),
    documentRetentionDays: z
      .number()
      .int('must be a whole number of days')
      .min(1, 'must be at least 1 day')
      .max(36_500, 'must be at most 36500 days (100 years)')
      .optional()
      .openapi({
        description:
          "Days each stored document (originals, sealed copies, drawn signatures) is kept under Object Lock; left out: the deployment's default",
      }),
    templateApprovalRequired: z.boolean().optional().openapi({
      description:
        'New template versions wait for approval by legal or an admin (not their author) before use',
    }),
    branding: Branding.optional(),
    version: z.number().int().min(0).optional().openapi({
      description: 'The version this change was made from: a change saved since is not overwritten (409)',
    }),
  })
  .strict()
  .openapi('TenantSettingsInput', {
    description: 'A whole new version of the settings: what is left out takes the built-in default',
  });

export const EnvelopeSettingsView = z
  .object({
    reminders: z.object({
      firstAfterHours: z.number().int(),
      everyHours: z.number().int(),
      max: z.number().int(),
    }),
    expiresInDays: z.number().int(),
    warnDaysBefore: z.number().int(),
    notifySender: z.object({
      signed: z.boolean(),
      completed: z.boolean(),
      declined: z.boolean(),
      expired: z.boolean(),
    }),
  })
  .openapi('EnvelopeSettings');

export const TenantSettings = z
  .object({
    version: z.number().int().openapi({ description: '0: the built-in defaults, never changed' }),
    envelopeDefaults: EnvelopeSettingsView,
    recipientChanges: z.object(recipientChanges),
    documentRetentionDays: z.number().int().optional(),
    templateApprovalRequired: z.boolean().optional(),
    branding: Branding.optional(),
    updatedAt: z.string().optional(),
    updatedBy: z.object({ sub: z.string(), email: z.string().optional() }).optional(),
  })
  .openapi('TenantSettings');

export const TenantSettingsHistory = z
  .object({ items: z.array(TenantSettings) })
  .openapi('TenantSettingsHistory');

export const ListQuery = z
  .object({
    status: z.enum(ENVELOPE_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
  })
  .strict();

export const IdempotencyHeader = z
  .string()
  .optional()
  .openapi({
    param: { name: 'Idempotency-Key', in: 'header' },
    description: 'Makes the request safe to retry: a retry returns the first answer',
  });

const Field = FieldInput.extend({ id: z.string(), documentId: z.string() }).openapi('Field');

export const Recipient = z
  .object({
    id: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(RECIPIENT_ROLES),
    group: z
      .object({ id: z.string(), name: z.string() })
      .optional()
      .openapi({ description: 'The signing group this recipient is a member of' }),
    step: z.number().int(),
    status: z.enum(RECIPIENT_STATUSES),
    fields: z.array(Field),
    invitedAt: z.string().optional(),
    viewedAt: z.string().optional(),
    reminders: z.number().int().optional().openapi({ description: 'Reminders sent to this recipient' }),
    remindedAt: z.string().optional(),
    consent: z.object({ version: z.string(), at: z.string(), withdrawnAt: z.string().optional() }).optional(),
    signedAt: z.string().optional(),
    approvedAt: z.string().optional(),
    supersededAt: z
      .string()
      .optional()
      .openapi({ description: 'When another member of the signing group signed for it' }),
    declinedAt: z.string().optional(),
    declineReason: z.string().optional(),
    language: z.enum(RECIPIENT_LANGUAGES).optional(),
    auth: z
      .object({
        method: z.enum(AUTH_METHODS),
        phone: z.string().optional().openapi({ description: 'Masked' }),
        locked: z.boolean().optional(),
        failedAttempts: z.number().int().optional(),
      })
      .openapi({ description: 'The authentication method (never the access code)' }),
    reassignedFrom: z
      .array(
        z.object({
          name: z.string(),
          email: z.string(),
          at: z.string(),
          by: z.enum(['sender', 'recipient']),
          reason: z.string(),
        }),
      )
      .optional()
      .openapi({
        description: 'The people who had this part before, oldest first (reassigned or delegated)',
      }),
  })
  .openapi('Recipient');

export const Envelope = z
  .object({
    id: z.string(),
    title: z.string(),
    message: z.string(),
    status: z.enum(ENVELOPE_STATUSES),
    createdAt: z.string(),
    updatedAt: z.string(),
    owner: z.object({ sub: z.string(), email: z.string().optional() }),
    currentStep: z.number().int().nullable(),
    voidedReason: z.string().optional(),
    declinedBy: z.string().optional().openapi({ description: 'The recipient who declined' }),
    sentAt: z.string().optional(),
    slaTerms: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "The contract's SLA terms, when the envelope has them" }),
    template: z
      .object({
        id: z.string(),
        version: z.number().int(),
        name: z.string(),
        mergeData: z.record(z.string(), z.unknown()),
        schedulePages: z
          .object({ first: z.number().int(), count: z.number().int() })
          .optional()
          .openapi({ description: 'The pages of the SLA schedule generated from the terms' }),
      })
      .optional()
      .openapi({ description: 'The template version the envelope was made from' }),
    amends: z.string().optional().openapi({ description: 'The contract this envelope amends' }),
    legalHold: z
      .object({ since: z.string(), reason: z.string(), by: z.string() })
      .optional()
      .openapi({ description: 'Set while every stored object of the envelope is on legal hold' }),
    settings: EnvelopeSettingsView.openapi({
      description: 'Reminder, expiry and notification settings, with the defaults filled in',
    }),
    expiresAt: z.string().optional().openapi({ description: 'Set when the envelope is sent' }),
    expiryWarnedAt: z.string().optional(),
    expiredAt: z.string().optional(),
    completedAt: z.string().optional(),
    sealedDocuments: z
      .array(z.object({ id: z.string(), name: z.string(), sha256: z.string(), size: z.number().int() }))
      .optional()
      .openapi({ description: 'The completed, sealed documents' }),
    documents: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        sha256: z.string(),
        size: z.number().int(),
        pageCount: z.number().int(),
      }),
    ),
    steps: z.array(
      z.object({
        step: z.number().int(),
        status: z.enum(['pending', 'active', 'completed']),
        recipientIds: z.array(z.string()),
        invitedAt: z.string().optional().openapi({ description: "When the step's invitations went out" }),
      }),
    ),
    recipients: z.array(Recipient),
    version: z.number().int().openapi({ description: 'Sequence number of the last audit event' }),
  })
  .openapi('Envelope');

export const EnvelopeSummary = Envelope.pick({
  id: true,
  title: true,
  status: true,
  createdAt: true,
  updatedAt: true,
  owner: true,
  currentStep: true,
})
  .extend({ recipientCount: z.number().int() })
  .openapi('EnvelopeSummary');

export const EnvelopeList = z
  .object({ items: z.array(EnvelopeSummary), nextCursor: z.string().optional() })
  .openapi('EnvelopeList');

export const AuditEvent = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    at: z.string(),
    actor: z.object({
      kind: z.enum(['user', 'recipient', 'system']),
      id: z.string(),
      email: z.string().optional(),
      ip: z.string().optional(),
      userAgent: z.string().optional(),
    }),
    data: z.unknown(),
    prevHash: z.string(),
    hash: z.string(),
    envelopeId: z.string(),
    tenantId: z.string(),
  })
  .openapi('AuditEvent');

export const AuditTrail = z
  .object({
    envelopeId: z.string(),
    verified: z.boolean().openapi({ description: 'Whether every hash in the chain checks out' }),
    brokenAt: z.number().int().optional(),
    reason: z.string().optional(),
    headHash: z.string(),
    algorithm: z.string(),
    events: z.array(AuditEvent),
  })
  .openapi('AuditTrail');

export const AuditQuery = z
  .object({
    format: z.enum(['json']).optional().openapi({
      description:
        '`json`: the export to check offline (docs/audit-trail.md): every event, the head, and a detached signature by the seal key',
    }),
  })
  .strict();

export const AuditExport = z
  .object({
    format: z.literal('countersign-audit/1'),
    envelopeId: z.string(),
    tenantId: z.string(),
    exportedAt: z.string(),
    algorithm: z.string(),
    genesisHash: z.string(),
    events: z.array(AuditEvent),
    head: z.object({ seq: z.number().int(), hash: z.string() }),
    signature: z.object({
      algorithm: z.enum(['ECDSA_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256']),
      value: z.string().openapi({
        description:
          'Base64 DER signature over SHA-256 of the canonical JSON of the export without `signature`',
      }),
      certificates: z.array(z.string()).openapi({ description: 'Base64 DER, the seal certificate first' }),
    }),
  })
  .openapi('AuditExport');

export const Presigned = z
  .object({
    url: z.string(),
    method: z.enum(['GET', 'PUT']),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.string(),
  })
  .openapi('PresignedRequest');

export const DocumentLink = Presigned.extend({
  document: z.object({ id: z.string(), name: z.string(), sha256: z.string(), size: z.number().int() }),
}).openapi('DocumentLink');

export const UploadTicket = z
  .object({ uploadId: z.string(), upload: Presigned, expiresAt: z.string() })
  .openapi('UploadTicket');

/** Signing endpoints: the recipient's secret travels in this header, never in a URL. */
export const SIGNING_TOKEN_HEADER = 'x-signing-token';

export const SigningTokenHeader = z
  .string()
  .min(1)
  .openapi({
    param: { name: 'X-Signing-Token', in: 'header', required: true },
    description: "The recipient's signing token, from the fragment of the invitation link (`#t=...`)",
  });

export const SigningDocumentQuery = z
  .object({
    document: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
  })
  .strict();

export const ConsentBody = z
  .object({
    disclosureVersion: z
      .string()
      .min(1)
      .max(64)
      .openapi({ description: 'The version of the disclosure shown' }),
  })
  .strict()
  .openapi('Consent');

/** A typed text (drawn in a handwriting font) or a drawn PNG: a signature, or initials. */
const typedOrDrawn = (maxText: number) =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('typed'), text: text(maxText) }).strict(),
    z
      .object({
        type: z.literal('drawn'),
        pngBase64: z
          .string()
          .min(1)
          // No length cap here: the body limit bounds it, and the use case answers 413 past 500 KB.
          .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
          .openapi({ description: 'A PNG image of at most 500 KB' }),
      })
      .strict(),
  ]);

export const SignBody = z
  .object({
    signature: typedOrDrawn(100),
    initials: typedOrDrawn(20).optional().openapi({
      description:
        "For the recipient's initials fields; when absent, typed initials from the typed signature or the recipient's name",
    }),
    fields: z
      .record(z.string().min(1).max(200), z.union([z.string().max(10_000), z.number(), z.boolean()]))
      .optional()
      .openapi({
        description:
          "Values of this recipient's text, number, date (YYYY-MM-DD), checkbox and dropdown fields, by field id as the session lists them; checked against each field's rules",
      }),
    documents: z
      .array(z.object({ id: z.string().min(1).max(64), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict())
      .max(20)
      .optional()
      .openapi({ description: 'The SHA-256 of each document as shown; refused if the document changed' }),
    agree: z
      .literal(true)
      .openapi({ description: 'The explicit act: the signer adopts the signature with legal effect' }),
  })
  .strict()
  .openapi('Sign');

export const ApproveBody = z
  .object({
    documents: z
      .array(z.object({ id: z.string().min(1).max(64), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict())
      .max(20)
      .optional()
      .openapi({ description: 'The SHA-256 of each document as shown; refused if the document changed' }),
    agree: z.literal(true).openapi({
      description: 'The explicit act: the approver approves the documents, without signing them',
    }),
  })
  .strict()
  .openapi('Approve');

export const DeclineBody = z
  .object({ reason: text(1000) })
  .strict()
  .openapi('Decline');

const SigningField = Field.extend({
  required: z.boolean().openapi({ description: 'Whether signing needs a value (a checkbox: checked)' }),
}).openapi('SigningField');

export const SigningSession = z
  .object({
    envelope: z.object({
      id: z.string(),
      title: z.string(),
      message: z.string(),
      status: z.enum(ENVELOPE_STATUSES),
    }),
    sender: z.object({ email: z.string().optional() }),
    recipient: z.object({
      id: z.string(),
      name: z.string(),
      email: z.string(),
      role: z.string(),
      step: z.number().int(),
      status: z.enum(RECIPIENT_STATUSES),
      fields: z.array(SigningField),
      group: z.object({ id: z.string(), name: z.string() }).optional(),
      language: z.enum(RECIPIENT_LANGUAGES).optional().openapi({
        description: "The language the sender chose for this recipient (the page's default)",
      }),
    }),
    documents: z.array(
      z.object({ id: z.string(), name: z.string(), sha256: z.string(), pageCount: z.number().int() }),
    ),
    disclosure: z.object({ version: z.string(), sha256: z.string(), text: z.string() }),
    consent: z.object({ given: z.boolean(), at: z.string().optional(), withdrawnAt: z.string().optional() }),
    branding: Branding.optional().openapi({
      description: "The sender organisation's logo and colours (when the session is opened)",
    }),
    canSign: z.boolean(),
    reason: z.string().optional(),
    intent: z.string(),
    authentication: z.object({
      method: z.enum(AUTH_METHODS),
      verifiedAt: z.string().optional().openapi({ description: 'When this link passed its code' }),
    }),
  })
  .openapi('SigningSession');

const CODE_METHODS = ['access_code', 'sms', 'email_code'] as const;

export const SigningAuthPrompt = z
  .object({
    authRequired: z.object({
      method: z.enum(CODE_METHODS),
      destinationHint: z
        .string()
        .optional()
        .openapi({ description: 'The masked phone or address a one-time code goes to' }),
      attemptsLeft: z.number().int(),
      locked: z.boolean(),
    }),
    language: z.enum(RECIPIENT_LANGUAGES).optional(),
  })
  .openapi('SigningAuthPrompt', {
    description: 'What a link shows until its code is entered: nothing of the envelope',
  });

export const VerifyCodeBody = z
  .object({ code: z.string().trim().min(1).max(64) })
  .strict()
  .openapi('VerifyCode');

export const CodeSent = z
  .object({
    sent: z.literal(true),
    method: z.enum(['sms', 'email_code']),
    destinationHint: z.string(),
    expiresAt: z.string(),
    attemptsLeft: z.number().int(),
  })
  .openapi('CodeSent');

export const CodeVerified = z
  .object({ authenticated: z.literal(true), method: z.enum(CODE_METHODS) })
  .openapi('CodeVerified');

// --- Public verification (POST /v1/verify, POST /v1/verify/uploads) ----------------------------

export const AuditExportInput = z
  .looseObject({
    format: z.literal('countersign-audit/1'),
    events: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('AuditExportInput', {
    description:
      'The exported audit trail exactly as `GET /v1/envelopes/{id}/audit?format=json` returns it (envelopeId, tenantId, exportedAt, algorithm, genesisHash, events, head, and the optional detached signature); every hash and the signature are checked',
  });

const verifyCommon = {
  audit: AuditExportInput.optional(),
  trustedRoots: z.array(z.string().min(1).max(20_000)).max(10).optional().openapi({
    description:
      'PEM root certificates to trust (e.g. the root printed by `countersign certs init`): a chain ending in one is reported as trusted, and a seal whose chain does not is a failed check',
  }),
};

export const VerifyBody = z
  .object({
    contentBase64: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: 'The PDF, base64; at most 3 MB decoded. Give this or `uploadId`' }),
    uploadId: z.string().min(1).max(64).optional().openapi({
      description: 'Id from POST /v1/verify/uploads, for larger files. Give this or `contentBase64`',
    }),
    ...verifyCommon,
  })
  .strict()
  .superRefine((body, ctx) => {
    if ((body.contentBase64 === undefined) === (body.uploadId === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['contentBase64'],
        message: 'give exactly one of contentBase64 (up to 3 MB) and uploadId (from POST /v1/verify/uploads)',
      });
    }
  })
  .openapi('Verify');

export const VerifyUploadBody = z
  .object({
    contentType: z.literal('application/pdf').optional(),
    size: z.number().int().positive().openapi({ description: 'Exact size in bytes; at most 50 MB' }),
  })
  .strict()
  .openapi('CreateVerifyUpload');

const CertificateInfoView = z
  .object({
    subject: z.string(),
    issuer: z.string(),
    serialNumber: z.string(),
    notBefore: z.string(),
    notAfter: z.string(),
    keyAlgorithm: z.string().openapi({ example: 'EC P-256' }),
    sha256: z.string(),
    selfSigned: z.boolean(),
  })
  .openapi('CertificateInfo');

const ChainView = z
  .object({
    certificates: z.array(
      CertificateInfoView.extend({ signatureValid: z.boolean().nullable(), trustedRoot: z.boolean() }),
    ),
    endsInSelfSignedRoot: z.boolean(),
    trusted: z.boolean().nullable().openapi({ description: 'null when no trusted roots were given' }),
    problems: z.array(z.string()),
  })
  .openapi('CertificateChain');

export const VerificationReport = z
  .object({
    format: z.literal('countersign-verification/1'),
    verdict: z.enum(['valid', 'tampered', 'unsealed']).openapi({
      description:
        '`valid`: every signature intact (and the audit checks pass when a trail was given); `tampered`: a check failed (see `problems`); `unsealed`: a readable PDF without any signature',
    }),
    file: z.object({
      size: z.number().int(),
      sha256: z.string(),
      pages: z.number().int().nullable(),
      revisions: z.number().int(),
      containsJavaScript: z.boolean(),
    }),
    signatures: z.array(
      z.object({
        index: z.number().int(),
        fieldName: z.string().nullable(),
        filter: z.string().nullable(),
        subFilter: z.string().nullable(),
        signedAt: z.string().nullable(),
        name: z.string().nullable(),
        reason: z.string().nullable(),
        location: z.string().nullable(),
        byteRange: z.array(z.number().int()),
        coversWholeFile: z.boolean(),
        bytesAfter: z.number().int(),
        modifiedAfter: z.enum(['none', 'incremental-update', 'appended-bytes', 'whitespace']),
        digest: z.object({
          algorithm: z.string(),
          computed: z.string().nullable(),
          signed: z.string().nullable(),
          matches: z.boolean(),
        }),
        signature: z.object({ algorithm: z.string().nullable(), valid: z.boolean() }),
        signingCertificateMatches: z.boolean().nullable(),
        signer: CertificateInfoView.nullable(),
        chain: ChainView.nullable(),
        certificateValidAtSigningTime: z.boolean().nullable(),
        timestamp: z
          .object({
            genTime: z.string().nullable(),
            tsaName: z.string().nullable(),
            policy: z.string().nullable(),
            serialNumber: z.string().nullable(),
            imprintAlgorithm: z.string().nullable(),
            imprintMatches: z.boolean(),
            signatureValid: z.boolean(),
            tsaCertificate: CertificateInfoView.nullable(),
            chain: ChainView.nullable(),
            problems: z.array(z.string()),
          })
          .nullable(),
        intact: z.boolean(),
        problems: z.array(z.string()),
      }),
    ),
    embeddedFiles: z.array(
      z.object({ name: z.string(), size: z.number().int().nullable(), sha256: z.string().nullable() }),
    ),
    completion: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ description: 'countersign-completion.json of the sealed revision' }),
    originalDocuments: z.array(
      z.object({ id: z.string(), name: z.string(), sha256: z.string(), prefixOfThisFile: z.boolean() }),
    ),
    slaTerms: z.unknown().openapi({ description: 'sla-terms.json of the sealed revision, or null' }),
    audit: z
      .object({
        envelopeId: z.string().nullable(),
        tenantId: z.string().nullable(),
        exportedAt: z.string().nullable(),
        events: z.number().int(),
        chain: z.object({
          verified: z.boolean(),
          brokenAt: z.number().int().optional(),
          reason: z.string().optional(),
          headHash: z.string(),
        }),
        head: z.object({
          seq: z.number().int().nullable(),
          hash: z.string().nullable(),
          matches: z.boolean(),
        }),
        signature: z
          .object({
            algorithm: z.string(),
            valid: z.boolean(),
            signer: CertificateInfoView.nullable(),
            chain: ChainView.nullable(),
          })
          .nullable(),
        completionHead: z.object({ seq: z.number().int(), hash: z.string(), found: z.boolean() }).nullable(),
        valid: z.boolean(),
        problems: z.array(z.string()),
      })
      .nullable(),
    problems: z.array(z.string()).openapi({ description: 'Every failed check, readable' }),
    notes: z.array(z.string()).openapi({ description: 'Facts that do not change the verdict' }),
  })
  .openapi('VerificationReport');
