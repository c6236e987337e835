import { z } from 'zod';
import { text } from './schemas';

/** Request and response schemas of the contract routes. */

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const ContractIdParams = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });

export const ContractListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
    status: z.enum(['active', 'expired', 'terminated']).optional(),
    counterparty: z.string().min(1).max(200).optional().openapi({
      description: 'Contracts with a party whose name, organisation or e-mail contains this (any case)',
    }),
    renewalFrom: DATE.optional().openapi({
      description: 'Renewing contracts whose notice deadline is on or after',
    }),
    renewalTo: DATE.optional().openapi({
      description: 'Renewing contracts whose notice deadline is on or before',
    }),
  })
  .strict();

export const TermsQuery = z
  .object({ date: DATE.optional().openapi({ description: "Default: today in the contract's time zone" }) })
  .strict();

export const NonRenewalBody = z
  .object({
    reason: text(1000),
    role: z.string().max(64).optional().openapi({ description: 'The party role the notice is given for' }),
  })
  .strict()
  .openapi('NonRenewalNotice');

export const TerminateBody = z
  .object({
    reason: text(1000),
    chronicFailure: z
      .object({
        rule: z.record(z.string(), z.unknown()),
        months: z.array(z.string().regex(/^\d{4}-\d{2}$/)).min(1),
      })
      .strict()
      .optional()
      .openapi({ description: 'Exercise a chronic-failure termination right recorded on the contract' }),
  })
  .strict()
  .openapi('Termination');

const party = z.object({
  role: z.string(),
  name: z.string(),
  email: z.string().optional(),
  organisation: z.string().optional(),
});
const fee = z.object({ currency: z.string(), monthlyMinor: z.number().int() });
const renewal = z.union([
  z.object({ mode: z.literal('fixed') }),
  z.object({
    mode: z.literal('auto'),
    renewalMonths: z.number().int(),
    noticeDays: z.number().int(),
    reminderDays: z.number().int(),
  }),
]);

export const Contract = z
  .object({
    id: z.string(),
    title: z.string().optional(),
    status: z.enum(['active', 'expired', 'terminated']),
    envelopeId: z.string(),
    template: z.object({ id: z.string(), version: z.number().int() }),
    parties: z.array(party),
    owners: z.array(z.string()),
    term: z.object({
      startDate: z.string(),
      termMonths: z.number().int(),
      renewal,
      timeZone: z.string(),
    }),
    currentPeriod: z.object({ index: z.number().int(), start: z.string(), end: z.string() }).openapi({
      description: 'Local dates; `end` is the last day included',
    }),
    noticeDeadline: z.string().nullable(),
    noticeWindowOpensOn: z.string().nullable(),
    fee: fee.openapi({ description: 'The fee in force today' }),
    renewals: z.array(
      z.object({ period: z.number().int(), start: z.string(), end: z.string(), at: z.string() }),
    ),
    amendments: z.array(
      z.object({ envelopeId: z.string(), effectiveFrom: z.string(), recordedAt: z.string() }),
    ),
    terminationRights: z.array(
      z.object({
        rule: z.record(z.string(), z.unknown()),
        months: z.array(z.string()),
        deadline: z.string(),
        recordedAt: z.string(),
      }),
    ),
    nonRenewal: z
      .object({ noticedOn: z.string(), reason: z.string(), forEnd: z.string(), at: z.string() })
      .optional(),
    expiry: z.object({ at: z.string(), endDate: z.string() }).optional(),
    termination: z
      .object({
        reason: z.string(),
        effectiveDate: z.string(),
        at: z.string(),
        chronicFailure: z.unknown().optional(),
      })
      .optional(),
    links: z.object({ document: z.string(), audit: z.string(), terms: z.string(), history: z.string() }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Contract');

export const ContractList = z
  .object({
    items: z.array(
      z.object({
        contractId: z.string(),
        title: z.string().optional(),
        status: z.enum(['active', 'expired', 'terminated']),
        parties: z.array(party),
        startDate: z.string(),
        endDate: z.string(),
        renews: z.boolean(),
        noticeDeadline: z.string().nullable(),
        currency: z.string(),
        monthlyMinor: z.number().int(),
        updatedAt: z.string(),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .openapi('ContractList');

const termsEntry = z.object({
  effectiveFrom: z.string(),
  slaTerms: z.record(z.string(), z.unknown()),
  fee,
  amendmentEnvelopeId: z.string().optional(),
  recordedAt: z.string(),
});

export const ContractTerms = z
  .object({
    date: z.string(),
    inForce: termsEntry
      .nullable()
      .openapi({ description: 'The terms in force on `date`; null before the start' }),
    history: z.array(termsEntry).openapi({ description: 'Every set of terms, the initial one first' }),
  })
  .openapi('ContractTerms');

export const ContractHistory = z
  .object({
    contractId: z.string(),
    verified: z.boolean(),
    headHash: z.string(),
    events: z.array(z.record(z.string(), z.unknown())),
  })
  .openapi('ContractHistory');
