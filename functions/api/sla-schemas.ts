import { z } from 'zod';

/** Request and response schemas of the SLA routes (ingestion, webhooks, outages, reads). */

const IANA_ZONE = z
  .string()
  .min(1)
  .max(64)
  .openapi({ description: 'IANA zone of times written without an offset (such as Europe/Paris)' });

const column = z.string().min(1).max(200);

const CsvMappingSchema = z
  .object({
    layout: z.enum(['events', 'tickets']).optional(),
    ticketId: column.optional(),
    time: column.optional(),
    kind: column.optional(),
    value: column.optional(),
    author: column.optional(),
    public: column.optional(),
    source: column.optional(),
    kinds: z.record(z.string(), z.enum(['created', 'status', 'severity', 'comment'])).optional(),
    authors: z.record(z.string(), z.enum(['customer', 'agent'])).optional(),
    createdAt: column.optional(),
    severity: column.optional(),
    customerReportedAt: column.optional(),
    firstResponseAt: column.optional(),
    solvedAt: column.optional(),
    closedAt: column.optional(),
  })
  .strict()
  .openapi('CsvMapping', {
    description:
      'Column names: the `events` layout (one row per event: ticket_id, at, kind, value, author, public, source) or the `tickets` layout (one row per ticket: ticket_id, created_at, severity, customer_reported_at, first_response_at, solved_at, closed_at)',
  });

export const TicketsBody = z
  .object({
    format: z.enum(['jsonl', 'csv', 'zendesk', 'jsm', 'servicenow']).optional().openapi({
      description:
        '`jsonl`: ticket timelines, one per line; `csv`: see csvMapping; `zendesk`: tickets with their audits; `jsm`: issues with changelog; `servicenow`: an incident event log (needs sourceTimeZone)',
    }),
    content: z
      .string()
      .max(6 * 1024 * 1024)
      .optional()
      .openapi({ description: 'The export as text, at most 5 MB' }),
    csvMapping: CsvMappingSchema.optional(),
    sourceTimeZone: IANA_ZONE.optional(),
    tickets: z
      .array(z.unknown())
      .min(1)
      .max(10_000)
      .optional()
      .openapi({ description: 'Ticket timelines as JSON (SPEC "Inputs"), instead of format and content' }),
  })
  .strict()
  .superRefine((body, ctx) => {
    const exported = body.format !== undefined || body.content !== undefined;
    if (exported && body.tickets !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tickets'],
        message: 'give either tickets or format and content, not both',
      });
    } else if (!exported && body.tickets === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tickets'], message: 'give tickets, or format and content' });
    } else if (exported) {
      if (body.format === undefined)
        ctx.addIssue({ code: 'custom', path: ['format'], message: 'required with content' });
      if (body.content === undefined)
        ctx.addIssue({ code: 'custom', path: ['content'], message: 'required with format' });
    }
    if (body.csvMapping !== undefined && body.format !== 'csv') {
      ctx.addIssue({ code: 'custom', path: ['csvMapping'], message: 'only for format csv' });
    }
  })
  .openapi('TicketIngestion');

export const TicketIngestResult = z
  .object({
    received: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int().openapi({ description: 'Already stored as sent: a replay changes nothing' }),
    skipped: z.array(z.object({ row: z.number().int(), ticket: z.string(), reason: z.string() })),
    alerted: z.number().int().openapi({ description: 'Breach and compliance alerts mailed to the owners' }),
  })
  .openapi('TicketIngestResult');

export const WebhookAccepted = z
  .object({
    accepted: z.literal(true),
    tickets: z
      .array(z.object({ id: z.string(), outcome: z.enum(['created', 'updated', 'unchanged', 'pending']) }))
      .optional()
      .openapi({
        description:
          '`pending`: a ticket not stored yet whose creation has not arrived; its events are kept and merged when it does',
      }),
    checks: z.array(z.object({ check: z.string(), open: z.boolean(), outages: z.number().int() })).optional(),
    alerted: z.number().int().optional(),
  })
  .openapi('WebhookAccepted');

export const WebhookRejected = z
  .object({
    accepted: z.literal(false),
    reason: z.string(),
    rejectedId: z.string().openapi({ description: 'Listed by GET /v1/contracts/{id}/tickets/rejected' }),
  })
  .openapi('WebhookRejected');

export const WebhookSecret = z
  .object({
    contractId: z.string(),
    secret: z.string().openapi({ description: 'Shown once: store it in the sending system' }),
    createdAt: z.string(),
    webhooks: z.object({ zendesk: z.string(), jsm: z.string(), monitoring: z.string() }),
  })
  .openapi('WebhookSecret');

export const RejectedQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(1000).default(100) })
  .strict();

export const RejectedList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        source: z.string(),
        receivedAt: z.string(),
        reason: z.string(),
        payload: z.string().openapi({ description: 'As received, cut at 64 KB' }),
      }),
    ),
    total: z.number().int(),
  })
  .openapi('RejectedPayloads');

const OUTAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const OutagesBody = z
  .object({
    outages: z
      .array(
        z
          .object({
            id: z
              .string()
              .regex(OUTAGE_ID, 'must be 1 to 128 letters, digits or . _ : -')
              .optional()
              .openapi({
                description: 'Default: derived from start, end and kind, so a replay changes nothing',
              }),
            start: z.string().max(64),
            end: z.string().max(64),
            kind: z.enum(['outage', 'maintenance']),
            notice_given_at: z.string().max(64).optional(),
            customer_caused: z.boolean().optional(),
            force_majeure: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
  })
  .strict()
  .openapi('Outages');

export const OutagesResult = z
  .object({
    received: z.number().int(),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    ids: z.array(z.string()),
  })
  .openapi('OutagesResult');

export const MonthQuery = z
  .object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM') })
  .strict();

export const LiveQuery = z.object({ hours: z.coerce.number().int().min(1).max(720).default(24) }).strict();

const line = z.object({
  severity: z.string(),
  metric: z.string(),
  counted: z.number().int(),
  breached: z.number().int(),
  compliance_pct: z.number().nullable(),
  target_pct: z.number().nullable(),
  per_breach_credit_pct: z.number(),
  compliance_credit_pct: z.number(),
  credit_pct: z.number(),
  miss: z.boolean(),
});

export const SlaStatement = z
  .object({
    contract_id: z.string(),
    month: z.string(),
    time_zone: z.string(),
    period: z.object({ start: z.string(), end: z.string() }),
    report_date: z.string(),
    lines: z.array(line),
    uptime: z.record(z.string(), z.unknown()).nullable(),
    uncapped_pct: z.number(),
    capped_pct: z.number(),
    cap_pct: z.number(),
    credit_minor: z.number().int(),
    currency: z.string(),
    monthly_fee_minor: z.number().int(),
    credits_applied: z.enum(['automatic', 'on_claim']),
    claimable_until: z.string().nullable(),
    chronic_failure: z.array(z.record(z.string(), z.unknown())),
    in_progress: z.array(z.record(z.string(), z.unknown())),
    adjustments: z.array(z.record(z.string(), z.unknown())),
    result: z.record(z.string(), z.unknown()),
    issued: z
      .boolean()
      .openapi({ description: 'Issued statements are returned as issued, never recomputed' }),
    issued_at: z.string().nullable(),
    as_of: z.string(),
    final: z.boolean().openapi({ description: 'False while the month runs: the figures are month-to-date' }),
  })
  .openapi('SlaStatement');

const metricResult = z.object({
  ticket: z.string(),
  metric: z.string(),
  severity: z.string(),
  breach_severity: z.string().nullable(),
  elapsed_min: z.number().nullable(),
  target_min: z.number().nullable(),
  due: z.string().nullable(),
  breached: z.boolean(),
  breach_at: z.string().nullable(),
  state: z.enum(['met', 'breached', 'in_progress']),
  period: z.string().nullable(),
  start: z.string(),
  stop: z.string().nullable(),
});

export const SlaTicketResults = z
  .object({ month: z.string(), as_of: z.string(), time_zone: z.string(), results: z.array(metricResult) })
  .openapi('SlaTicketResults');

const liveItem = z.object({
  ticket: z.string(),
  metric: z.string(),
  severity: z.string(),
  start: z.string(),
  due: z.string().nullable(),
  elapsed_min: z.number().nullable(),
  target_min: z.number().nullable(),
  remaining_min: z.number().nullable(),
  breach_at: z.string().nullable(),
  state: z.enum(['met', 'breached', 'in_progress']),
});

export const SlaLive = z
  .object({
    as_of: z.string(),
    time_zone: z.string(),
    month: z.string(),
    hours: z.number().int(),
    at_risk: z.array(liveItem),
    breached: z.array(liveItem),
  })
  .openapi('SlaLive');

export const ReportMonthParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'),
});

export const SlaReportList = z
  .object({
    contractId: z.string(),
    items: z.array(
      z.object({
        month: z.string(),
        issuedAt: z.string(),
        reportDate: z.string(),
        counted: z.number().int(),
        breached: z.number().int(),
        compliance_pct: z.number().nullable().openapi({
          description:
            'Every line taken together, as the month is known now (a later adjustment counts); null when nothing was counted',
        }),
        uptime_pct: z.number().nullable(),
        missedLines: z.number().int(),
        capped_pct: z.number(),
        credit_minor: z.number().int(),
        currency: z.string(),
        chronicFailures: z.number().int(),
        links: z.object({ self: z.string() }),
      }),
    ),
  })
  .openapi('SlaReportList');

const reportFile = z.object({
  url: z.string(),
  method: z.enum(['GET', 'PUT']),
  headers: z.record(z.string(), z.string()),
  expiresAt: z.string(),
  name: z.string(),
  contentType: z.string(),
  sha256: z.string(),
});

export const SlaReportFiles = z
  .object({
    contractId: z.string(),
    month: z.string(),
    issuedAt: z.string(),
    reportDate: z.string(),
    sentTo: z.array(z.string()),
    report: reportFile.openapi({ description: 'The PDF as issued: a short-lived URL' }),
    csv: reportFile.openapi({ description: 'The per-ticket CSV as issued: a short-lived URL' }),
  })
  .openapi('SlaReportFiles');
