import { z } from 'zod';
import type { Principal } from '../core/access';
import type { Ports } from '../core/ports';
import { createEnvelope } from '../core/usecases/create-envelope';
import { getBulkSend, startBulkSend } from '../core/usecases/bulk-send';
import { BulkSend, BulkSendIdParams, CreateBulkSendBody } from './bulk-send-schemas';
import { createUpload } from '../core/usecases/create-upload';
import { getAuditTrail, getDocumentUrl, getEnvelope, listEnvelopes } from '../core/usecases/envelope-queries';
import { idempotent } from '../core/usecases/idempotent';
import { exportAuditTrail } from '../core/usecases/audit-export';
import { voidEnvelope } from '../core/usecases/void-envelope';
import { createVerifyUpload, verifyRequest } from '../core/usecases/verify-request';
import { sendEnvelope } from '../core/signing/send-envelope';
import { redriveRoute } from '../core/signing/redrive-route';
import { placeLegalHold, releaseLegalHold } from '../core/usecases/legal-hold';
import { correctRecipient, resendInvitation } from '../core/signing/recipient-changes';
import { delegate, reassignRecipient } from '../core/signing/reassign';
import {
  getTenantSettings,
  listTenantSettings,
  updateTenantSettings,
} from '../core/usecases/tenant-settings';
import {
  decline,
  giveConsent,
  openSession,
  sign,
  approve,
  signerDocument,
  withdrawConsent,
} from '../core/signing/signer-actions';
import { sendAuthCode, verifyAuthCode } from '../core/signing/signer-auth';
import {
  approveTemplateVersion,
  archiveTemplate,
  createTemplate,
  diffTemplate,
  getTemplate,
  listTemplates,
  templateDocumentUrl,
  updateTemplate,
  versionOf,
} from '../core/usecases/templates';
import {
  contractTerms,
  getContract,
  giveNonRenewalNotice,
  listContracts,
  terminateContract,
} from '../core/usecases/contracts';
import { localDate } from '../core/contracts/lifecycle';
import type { ContractState } from '../core/contracts/contract';
import {
  Contract,
  ContractHistory,
  ContractIdParams,
  ContractList,
  ContractListQuery,
  ContractTerms,
  NonRenewalBody,
  TerminateBody,
  TermsQuery,
} from './contract-schemas';
import { contractHistoryView, contractListView, contractTermsView, contractView } from './contract-views';
import {
  ingestTickets,
  listRejectedPayloads,
  receiveMonitoringWebhook,
  receiveTicketWebhook,
  recordOutages,
  rotateWebhookSecret,
  type TicketsInput,
  type WebhookRequest,
} from '../core/usecases/sla-ingest';
import { slaLive, slaStatement, slaTicketResults } from '../core/usecases/sla-read';
import { getSlaReport, listSlaReports } from '../core/usecases/sla-report-queries';
import {
  LiveQuery,
  MonthQuery,
  OutagesBody,
  OutagesResult,
  RejectedList,
  RejectedQuery,
  ReportMonthParams,
  SlaLive,
  SlaReportFiles,
  SlaReportList,
  SlaStatement,
  SlaTicketResults,
  TicketIngestResult,
  TicketsBody,
  WebhookAccepted,
  WebhookRejected,
  WebhookSecret,
} from './sla-schemas';
import { ROUTE_MANIFEST, type RouteManifestEntry } from './route-manifest';
import {
  ArchiveBody,
  CreateTemplateBody,
  DiffQuery,
  Template,
  TemplateDiff,
  TemplateHistory,
  TemplateIdParams,
  TemplateList,
  TemplateListQuery,
  TemplateQuery,
  TemplateVersionParams,
  UpdateTemplateBody,
} from './template-schemas';
import { templateHistoryView, templateListView, templateView } from './template-views';
import {
  AuditTrail,
  AuditExport,
  AuditQuery,
  CreateEnvelopeBody,
  CreateUploadBody,
  DocumentLink,
  DocumentParams,
  DocumentQuery,
  Envelope,
  EnvelopeIdParams,
  EnvelopeList,
  ListQuery,
  UploadTicket,
  VoidBody,
  ConsentBody,
  CorrectRecipientBody,
  ReassignBody,
  RouteRedriven,
  LegalHoldBody,
  DelegateBody,
  Delegated,
  TenantSettings,
  TenantSettingsBody,
  TenantSettingsHistory,
  RecipientParams,
  DeclineBody,
  SignBody,
  ApproveBody,
  SIGNING_TOKEN_HEADER,
  SigningDocumentQuery,
  SigningSession,
  SigningAuthPrompt,
  VerifyCodeBody,
  CodeSent,
  CodeVerified,
  VerificationReport,
  VerifyBody,
  VerifyUploadBody,
} from './schemas';
import { auditView, envelopeView, summaryView, tenantSettingsView } from './views';

export interface ApiRequest<P = unknown, Q = unknown, B = unknown> {
  principal: Principal | null;
  params: P;
  query: Q;
  body: B;
  /** The body as received, unparsed (routes with `rawBody`: webhooks verify a signature over it). */
  rawBody?: string;
  idempotencyKey?: string;
  requestId: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  client: { ip?: string; userAgent?: string };
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  manifest: RouteManifestEntry;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  idempotent?: boolean;
  /** Authorised by the recipient's signing token in a header instead of a bearer token. */
  signer?: boolean;
  /** The handler reads `req.rawBody` (no `body` schema): a webhook signed over the exact bytes. */
  rawBody?: boolean;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  run(ports: Ports, req: ApiRequest<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<ApiResponse>;
}

const manifest = (name: string): RouteManifestEntry => {
  const entry = ROUTE_MANIFEST.find((r) => r.name === name);
  if (!entry) throw new Error(`route ${name} is not in the manifest`);
  return entry;
};

function define<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: RouteDefinition<P, Q, B>,
): RouteDefinition {
  return def as unknown as RouteDefinition;
}

const viewOf = (now: Date, c: ContractState) => contractView(c, localDate(now, c.term.timeZone));

/** Handlers authenticate through the authorizer; a route that needs a principal gets one. */
const who = (req: ApiRequest): Principal => {
  if (!req.principal) throw new Error('authorized route reached without a principal');
  return req.principal;
};

/**
 * The create request as its hash sees it: an access code is a secret, and an unsalted hash of a
 * request around a short code would let it be guessed offline. A retry with the same
 * Idempotency-Key is the same request whatever code it carries.
 */
function withoutAccessCodes(body: z.infer<typeof CreateEnvelopeBody>): unknown {
  const hide = <R extends { auth?: { method: string } }>(r: R) =>
    r.auth?.method === 'access_code' ? { ...r, auth: { method: 'access_code' } } : r;
  return {
    ...body,
    ...(body.recipients ? { recipients: body.recipients.map(hide) } : {}),
    ...(body.roles
      ? { roles: Object.fromEntries(Object.entries(body.roles).map(([name, r]) => [name, hide(r)])) }
      : {}),
  };
}

/** A webhook's request as its use case sees it: the contract, the exact body, the headers. */
const webhookRequest = (req: ApiRequest<{ id: string }>): WebhookRequest => ({
  contractId: req.params.id,
  rawBody: req.rawBody ?? '',
  headers: req.headers,
});

const WEBHOOK_RESPONSES = {
  200: { description: 'Accepted and merged (a replay changes nothing)', schema: WebhookAccepted },
  202: {
    description: 'Signed, but the payload cannot be used: kept with the reason in the rejected list',
    schema: WebhookRejected,
  },
  401: { description: 'Missing, stale or wrong signature (no detail is given)' },
};

/** A signing endpoint: the recipient's token comes from its header, and the answer is a 200. */
function defineSigner<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: Omit<RouteDefinition<P, Q, B>, 'run' | 'signer'> & {
    act(
      ports: Ports,
      token: string | undefined,
      client: ApiRequest['client'],
      req: ApiRequest<z.infer<P>, z.infer<Q>, z.infer<B>>,
    ): Promise<unknown>;
  },
): RouteDefinition {
  const { act, ...rest } = def;
  return define<P, Q, B>({
    ...rest,
    signer: true,
    run: async (ports, req) => ({
      status: 200,
      body: await act(ports, req.headers[SIGNING_TOKEN_HEADER], req.client, req),
    }),
  });
}

export const ROUTES: Record<string, RouteDefinition> = {
  createEnvelope: define({
    manifest: manifest('createEnvelope'),
    summary: 'Create an envelope from PDFs and recipients',
    body: CreateEnvelopeBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        'createEnvelope',
        req.idempotencyKey,
        withoutAccessCodes(req.body),
        async ({ resourceId, requestHash }) => {
          const { state } = await createEnvelope(ports, who(req), req.body, {
            envelopeId: resourceId,
            requestHash,
          });
          return { status: 201, body: envelopeView(state) };
        },
      ),
  }),
  createBulkSend: define({
    manifest: manifest('createBulkSend'),
    summary:
      'Send a template to many parties at once, one envelope per row: every row is checked first, then the rows are sent in the background (follow with GET /v1/bulk-sends/{id})',
    body: CreateBulkSendBody,
    idempotent: true,
    responses: { 202: { description: 'Checked, recorded and sending', schema: BulkSend } },
    run: async (ports, req) =>
      idempotent(ports, who(req), 'createBulkSend', req.idempotencyKey, req.body, async (run) => ({
        status: 202,
        body: await startBulkSend(ports, who(req), req.body, {
          batchId: run.resourceId,
          requestHash: run.requestHash,
        }),
      })),
  }),
  getBulkSend: define({
    manifest: manifest('getBulkSend'),
    summary: "A bulk send's progress: each row's envelope and whether it was sent",
    params: BulkSendIdParams,
    responses: { 200: { description: 'The batch and its rows', schema: BulkSend } },
    run: async (ports, req) => ({ status: 200, body: await getBulkSend(ports, who(req), req.params.id) }),
  }),
  listEnvelopes: define({
    manifest: manifest('listEnvelopes'),
    summary: 'List envelopes, newest first',
    query: ListQuery,
    responses: { 200: { description: 'A page of envelopes', schema: EnvelopeList } },
    run: async (ports, req) => {
      const page = await listEnvelopes(ports, who(req), req.query);
      return {
        status: 200,
        body: {
          items: page.items.map(summaryView),
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        },
      };
    },
  }),
  getEnvelope: define({
    manifest: manifest('getEnvelope'),
    summary: 'Read an envelope: status, steps, recipients',
    params: EnvelopeIdParams,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) => ({
      status: 200,
      body: envelopeView(await getEnvelope(ports, who(req), req.params.id)),
    }),
  }),
  getAuditTrail: define({
    manifest: manifest('getAuditTrail'),
    summary:
      "Read the envelope's hash-chained audit trail and whether it verifies; `?format=json` exports it signed, to check offline",
    params: EnvelopeIdParams,
    query: AuditQuery,
    responses: {
      200: {
        description: 'The audit trail, or with format=json its signed export',
        schema: z.union([AuditTrail, AuditExport]),
      },
    },
    run: async (ports, req) =>
      req.query.format === 'json'
        ? {
            status: 200,
            body: await exportAuditTrail(ports, who(req), req.params.id),
            headers: { 'content-disposition': `attachment; filename="audit-${req.params.id}.json"` },
          }
        : { status: 200, body: auditView(await getAuditTrail(ports, who(req), req.params.id)) },
  }),
  getDocument: define({
    manifest: manifest('getDocument'),
    summary: 'Get a short-lived download URL for a document',
    params: DocumentParams,
    query: DocumentQuery,
    responses: { 200: { description: 'A presigned URL', schema: DocumentLink } },
    run: async (ports, req) => ({
      status: 200,
      body: await getDocumentUrl(ports, who(req), req.params.id, req.params.doc, req.query.version),
    }),
  }),
  voidEnvelope: define({
    manifest: manifest('voidEnvelope'),
    summary: 'Void an envelope before it completes',
    params: EnvelopeIdParams,
    body: VoidBody,
    idempotent: true,
    responses: { 200: { description: 'The voided envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `voidEnvelope:${req.params.id}`,
        req.idempotencyKey,
        req.body,
        async ({ resourceId, keyed }) => ({
          status: 200,
          body: envelopeView(
            await voidEnvelope(
              ports,
              who(req),
              req.params.id,
              req.body.reason,
              keyed ? resourceId : undefined,
            ),
          ),
        }),
      ),
  }),
  createUpload: define({
    manifest: manifest('createUpload'),
    summary: 'Get a presigned upload for a PDF of up to 50 MB',
    body: CreateUploadBody,
    idempotent: true,
    responses: { 201: { description: 'Upload URL and id', schema: UploadTicket } },
    run: async (ports, req) =>
      idempotent(ports, who(req), 'createUpload', req.idempotencyKey, req.body, async () => ({
        status: 201,
        body: await createUpload(ports, who(req), req.body),
      })),
  }),
  sendEnvelope: define({
    manifest: manifest('sendEnvelope'),
    summary: 'Send a draft: the signing route starts and invites the first step',
    params: EnvelopeIdParams,
    idempotent: true,
    responses: { 200: { description: 'The sent envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `sendEnvelope:${req.params.id}`,
        req.idempotencyKey,
        {},
        async ({ resourceId, keyed }) => ({
          status: 200,
          body: envelopeView(
            await sendEnvelope(ports, who(req), req.params.id, keyed ? { operationId: resourceId } : {}),
          ),
        }),
      ),
  }),
  resendInvitation: define({
    manifest: manifest('resendInvitation'),
    summary: "Resend a recipient's invitation: a new link, and the old ones stop working",
    params: RecipientParams,
    idempotent: true,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `resend:${req.params.id}:${req.params.rid}`,
        req.idempotencyKey,
        {},
        async () => ({
          status: 200,
          body: envelopeView(await resendInvitation(ports, who(req), req.params.id, req.params.rid)),
        }),
      ),
  }),
  correctRecipient: define({
    manifest: manifest('correctRecipient'),
    summary: "Correct a recipient's e-mail (and name) before they act; an invited recipient is invited again",
    params: RecipientParams,
    body: CorrectRecipientBody,
    idempotent: true,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `correct:${req.params.id}:${req.params.rid}`,
        req.idempotencyKey,
        req.body,
        async () => ({
          status: 200,
          body: envelopeView(
            await correctRecipient(ports, who(req), req.params.id, req.params.rid, req.body),
          ),
        }),
      ),
  }),
  placeLegalHold: define({
    manifest: manifest('placeLegalHold'),
    summary:
      'Place a legal hold on every stored object of the envelope (admin or legal): none can be deleted or overwritten until it is released',
    params: EnvelopeIdParams,
    body: LegalHoldBody,
    idempotent: true,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(ports, who(req), `legal-hold:${req.params.id}`, req.idempotencyKey, req.body, async () => ({
        status: 200,
        body: envelopeView(await placeLegalHold(ports, who(req), req.params.id, req.body)),
      })),
  }),
  releaseLegalHold: define({
    manifest: manifest('releaseLegalHold'),
    summary: "Release the envelope's legal hold (admin or legal); retention dates apply again",
    params: EnvelopeIdParams,
    body: LegalHoldBody,
    idempotent: true,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `legal-hold-release:${req.params.id}`,
        req.idempotencyKey,
        req.body,
        async () => ({
          status: 200,
          body: envelopeView(await releaseLegalHold(ports, who(req), req.params.id, req.body)),
        }),
      ),
  }),
  redriveRoute: define({
    manifest: manifest('redriveRoute'),
    summary:
      "Resume an envelope's signing route after it failed (an outage that outlasted the retries); nothing already sent is sent again",
    params: EnvelopeIdParams,
    responses: { 202: { description: 'The route resumed', schema: RouteRedriven } },
    run: async (ports, req) => ({ status: 202, body: await redriveRoute(ports, who(req), req.params.id) }),
  }),
  reassignRecipient: define({
    manifest: manifest('reassignRecipient'),
    summary:
      "Reassign a recipient's part to another person before they act (when the organisation allows it); an invited part is invited again at once",
    params: RecipientParams,
    body: ReassignBody,
    idempotent: true,
    responses: { 200: { description: 'The envelope', schema: Envelope } },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        `reassign:${req.params.id}:${req.params.rid}`,
        req.idempotencyKey,
        req.body,
        async () => ({
          status: 200,
          body: envelopeView(
            await reassignRecipient(ports, who(req), req.params.id, req.params.rid, req.body),
          ),
        }),
      ),
  }),
  getTenantSettings: define({
    manifest: manifest('getTenantSettings'),
    summary: "The organisation's settings: envelope defaults and which recipient changes are allowed",
    responses: { 200: { description: 'The current settings', schema: TenantSettings } },
    run: async (ports, req) => ({
      status: 200,
      body: tenantSettingsView(await getTenantSettings(ports, who(req))),
    }),
  }),
  updateTenantSettings: define({
    manifest: manifest('updateTenantSettings'),
    summary: "Replace the organisation's settings with a new version (admins only)",
    body: TenantSettingsBody,
    responses: { 200: { description: 'The new version', schema: TenantSettings } },
    run: async (ports, req) => ({
      status: 200,
      body: tenantSettingsView(await updateTenantSettings(ports, who(req), req.body)),
    }),
  }),
  listTenantSettings: define({
    manifest: manifest('listTenantSettings'),
    summary: "Every version of the organisation's settings, newest first (admins only)",
    responses: { 200: { description: 'The versions', schema: TenantSettingsHistory } },
    run: async (ports, req) => ({
      status: 200,
      body: { items: (await listTenantSettings(ports, who(req))).map(tenantSettingsView) },
    }),
  }),
  createTemplate: define({
    manifest: manifest('createTemplate'),
    summary:
      'Create a template: a PDF with roles, fields, merge fields, message, settings and SLA terms (version 1)',
    body: CreateTemplateBody,
    idempotent: true,
    responses: { 201: { description: 'Created', schema: Template } },
    run: async (ports, req) =>
      idempotent(ports, who(req), 'createTemplate', req.idempotencyKey, req.body, async (run) => {
        const state = await createTemplate(ports, who(req), req.body, {
          templateId: run.resourceId,
          requestHash: run.requestHash,
        });
        return { status: 201, body: templateView(state, versionOf(state)) };
      }),
  }),
  listTemplates: define({
    manifest: manifest('listTemplates'),
    summary: 'List templates (archived ones with includeArchived=true)',
    query: TemplateListQuery,
    responses: { 200: { description: 'A page of templates', schema: TemplateList } },
    run: async (ports, req) => ({
      status: 200,
      body: templateListView(await listTemplates(ports, who(req), req.query)),
    }),
  }),
  getTemplate: define({
    manifest: manifest('getTemplate'),
    summary: 'A template at one version (the latest when none is named)',
    params: TemplateIdParams,
    query: TemplateQuery,
    responses: { 200: { description: 'The template', schema: Template } },
    run: async (ports, req) => {
      const { state } = await getTemplate(ports, who(req), req.params.tid);
      return { status: 200, body: templateView(state, versionOf(state, req.query.version)) };
    },
  }),
  updateTemplate: define({
    manifest: manifest('updateTemplate'),
    summary:
      'Save a change as a new immutable version; `baseVersion` names the version it was made from, and a version saved since is not overwritten (409)',
    params: TemplateIdParams,
    body: UpdateTemplateBody,
    responses: { 200: { description: 'The new version', schema: Template } },
    run: async (ports, req) => {
      const state = await updateTemplate(ports, who(req), req.params.tid, req.body);
      return { status: 200, body: templateView(state, versionOf(state)) };
    },
  }),
  archiveTemplate: define({
    manifest: manifest('archiveTemplate'),
    summary: 'Archive a template: no new envelope or version from it; its versions stay readable',
    params: TemplateIdParams,
    body: ArchiveBody,
    responses: { 200: { description: 'The archived template', schema: Template } },
    run: async (ports, req) => {
      const state = await archiveTemplate(ports, who(req), req.params.tid, req.body.reason);
      return { status: 200, body: templateView(state, versionOf(state)) };
    },
  }),
  approveTemplateVersion: define({
    manifest: manifest('approveTemplateVersion'),
    summary:
      'Approve a version for use (legal or admin, and not its author) when the organisation requires approval',
    params: TemplateVersionParams,
    responses: { 200: { description: 'The approved version', schema: Template } },
    run: async (ports, req) => {
      const state = await approveTemplateVersion(ports, who(req), req.params.tid, req.params.v);
      return { status: 200, body: templateView(state, versionOf(state, req.params.v)) };
    },
  }),
  diffTemplate: define({
    manifest: manifest('diffTemplate'),
    summary:
      'What changed between two versions: name, PDF, message, roles, fields, merge fields, settings, SLA terms',
    params: TemplateIdParams,
    query: DiffQuery,
    responses: { 200: { description: 'The changes', schema: TemplateDiff } },
    run: async (ports, req) => ({
      status: 200,
      body: await diffTemplate(ports, who(req), req.params.tid, req.query.from, req.query.to),
    }),
  }),
  getTemplateHistory: define({
    manifest: manifest('getTemplateHistory'),
    summary: "The template's hash-chained trail: every version, approval (who and when) and archiving",
    params: TemplateIdParams,
    responses: { 200: { description: 'The trail', schema: TemplateHistory } },
    run: async (ports, req) => {
      const { state, events } = await getTemplate(ports, who(req), req.params.tid);
      return { status: 200, body: templateHistoryView(state, events) };
    },
  }),
  getTemplateDocument: define({
    manifest: manifest('getTemplateDocument'),
    summary: "A short-lived link to a version's PDF (the latest when none is named)",
    params: TemplateIdParams,
    query: TemplateQuery,
    responses: { 200: { description: 'The link', schema: DocumentLink } },
    run: async (ports, req) => ({
      status: 200,
      body: await templateDocumentUrl(ports, who(req), req.params.tid, req.query.version),
    }),
  }),
  listContracts: define({
    manifest: manifest('listContracts'),
    summary:
      'List signed contracts: filter by status, by counterparty, or by a renewal window (notice deadlines between two dates)',
    query: ContractListQuery,
    responses: { 200: { description: 'A page of contracts', schema: ContractList } },
    run: async (ports, req) => ({
      status: 200,
      body: contractListView(await listContracts(ports, who(req), req.query)),
    }),
  }),
  getContract: define({
    manifest: manifest('getContract'),
    summary:
      'A contract: parties, term and renewal rule, current period, notice deadline, fee, amendments, termination rights, links to the sealed PDF and audit trail',
    params: ContractIdParams,
    responses: { 200: { description: 'The contract', schema: Contract } },
    run: async (ports, req) => {
      const { state } = await getContract(ports, who(req), req.params.id);
      return { status: 200, body: viewOf(ports.clock.now(), state) };
    },
  }),
  getContractTerms: define({
    manifest: manifest('getContractTerms'),
    summary: 'The SLA terms and fee in force on a date, and every set of terms the contract has had',
    params: ContractIdParams,
    query: TermsQuery,
    responses: { 200: { description: 'The terms', schema: ContractTerms } },
    run: async (ports, req) => ({
      status: 200,
      body: contractTermsView(await contractTerms(ports, who(req), req.params.id, req.query.date)),
    }),
  }),
  getContractHistory: define({
    manifest: manifest('getContractHistory'),
    summary:
      "The contract's hash-chained events: creation, notice windows, renewals, notices, amendments, the end",
    params: ContractIdParams,
    responses: { 200: { description: 'The events', schema: ContractHistory } },
    run: async (ports, req) => {
      const { state, events } = await getContract(ports, who(req), req.params.id);
      return { status: 200, body: contractHistoryView(state, events) };
    },
  }),
  giveNonRenewalNotice: define({
    manifest: manifest('giveNonRenewalNotice'),
    summary:
      'Record notice of non-renewal (admin or legal, by the notice deadline): the contract ends with its current period',
    params: ContractIdParams,
    body: NonRenewalBody,
    responses: { 200: { description: 'The contract', schema: Contract } },
    run: async (ports, req) => ({
      status: 200,
      body: viewOf(ports.clock.now(), await giveNonRenewalNotice(ports, who(req), req.params.id, req.body)),
    }),
  }),
  terminateContract: define({
    manifest: manifest('terminateContract'),
    summary:
      'Terminate the contract with a reason (admin or legal), possibly exercising a chronic-failure right recorded from the SLA',
    params: ContractIdParams,
    body: TerminateBody,
    responses: { 200: { description: 'The contract', schema: Contract } },
    run: async (ports, req) => ({
      status: 200,
      body: viewOf(
        ports.clock.now(),
        await terminateContract(
          ports,
          who(req),
          req.params.id,
          req.body as Parameters<typeof terminateContract>[3],
        ),
      ),
    }),
  }),
  getSigningSession: defineSigner({
    manifest: manifest('getSigningSession'),
    summary:
      'What this recipient is asked to sign, the sender, the message and the consumer disclosure; or, while the link still needs a code, only the prompt for it',
    responses: {
      200: {
        description: 'The signing session, or the code prompt (`authRequired`) until the code is entered',
        schema: z.union([SigningSession, SigningAuthPrompt]),
      },
    },
    act: (ports, token, client) => openSession(ports, token, client),
  }),
  sendAuthCode: defineSigner({
    manifest: manifest('sendAuthCode'),
    summary: 'Send a 6-digit one-time code by SMS or e-mail (valid 10 minutes; it replaces an earlier code)',
    responses: { 200: { description: 'Where the code went', schema: CodeSent } },
    act: (ports, token, client) => sendAuthCode(ports, token, client),
  }),
  verifyAuthCode: defineSigner({
    manifest: manifest('verifyAuthCode'),
    summary:
      'Enter the access code or one-time code: the link opens; 5 wrong codes lock the recipient until the invitation is resent',
    body: VerifyCodeBody,
    responses: {
      200: { description: 'This link is authenticated', schema: CodeVerified },
      401: { description: 'Wrong code; the message says how many attempts are left' },
      410: { description: 'The one-time code expired' },
      423: { description: 'Locked after 5 wrong codes, until the sender resends the invitation' },
    },
    act: (ports, token, client, req) => verifyAuthCode(ports, token, client, req.body),
  }),
  getSigningDocument: defineSigner({
    manifest: manifest('getSigningDocument'),
    summary: 'A short-lived URL of the document version this recipient signs (the sealed one once completed)',
    query: SigningDocumentQuery,
    responses: { 200: { description: 'A presigned URL', schema: DocumentLink } },
    act: (ports, token, client, req) => signerDocument(ports, token, client, req.query.document),
  }),
  giveConsent: defineSigner({
    manifest: manifest('giveConsent'),
    summary: 'Consent to electronic records and signatures (required before signing)',
    body: ConsentBody,
    responses: { 200: { description: 'The signing session', schema: SigningSession } },
    act: (ports, token, client, req) => giveConsent(ports, token, client, req.body),
  }),
  withdrawConsent: defineSigner({
    manifest: manifest('withdrawConsent'),
    summary: 'Withdraw consent before signing; the sender is told',
    responses: { 200: { description: 'The signing session', schema: SigningSession } },
    act: (ports, token, client) => withdrawConsent(ports, token, client),
  }),
  sign: defineSigner({
    manifest: manifest('sign'),
    summary: 'Sign: adopt a typed or drawn signature for every field of this recipient',
    body: SignBody,
    responses: { 200: { description: 'The signing session after signing', schema: SigningSession } },
    act: (ports, token, client, req) => sign(ports, token, client, req.body),
  }),
  approve: defineSigner({
    manifest: manifest('approve'),
    summary: 'Approve, for a recipient whose role is approver: no signature, no fields',
    body: ApproveBody,
    responses: { 200: { description: 'The signing session after approving', schema: SigningSession } },
    act: (ports, token, client, req) => approve(ports, token, client, req.body),
  }),
  decline: defineSigner({
    manifest: manifest('decline'),
    summary: 'Decline to sign, with a reason; the envelope ends',
    body: DeclineBody,
    responses: { 200: { description: 'Declined', schema: z.object({ status: z.literal('declined') }) } },
    act: async (ports, token, client, req) => {
      await decline(ports, token, client, req.body);
      return { status: 'declined' };
    },
  }),
  delegate: defineSigner({
    manifest: manifest('delegate'),
    summary:
      "Pass your part on to another person (when the sender's organisation allows it); your link stops working and they are invited",
    body: DelegateBody,
    responses: { 200: { description: 'Passed on', schema: Delegated } },
    act: (ports, token, client, req) => delegate(ports, token, client, req.body),
  }),
  verifyDocument: define({
    manifest: manifest('verifyDocument'),
    summary:
      'Verify a sealed PDF (and optionally its exported audit trail) without an account: every signature, its certificate chain and timestamp, the attachments as sealed; the verdict is in the body',
    body: VerifyBody,
    responses: {
      200: {
        description: 'The report, whatever the verdict (`valid`, `tampered` or `unsealed`)',
        schema: VerificationReport,
      },
      400: { description: 'Malformed request, or an audit trail that is not a `countersign-audit/1` export' },
      410: { description: 'The upload id expired' },
      413: { description: 'An inline PDF over 3 MB (use POST /v1/verify/uploads), or an upload over 50 MB' },
      415: { description: 'The file is not a PDF' },
      422: { description: 'The PDF is encrypted, or corrupt without any signature to check' },
    },
    run: async (ports, req) => ({ status: 200, body: await verifyRequest(ports, req.body) }),
  }),
  createVerifyUpload: define({
    manifest: manifest('createVerifyUpload'),
    summary:
      'Get a presigned upload for a PDF of up to 50 MB to verify (no account); the URL is valid 15 minutes and the file is deleted once verified',
    body: VerifyUploadBody,
    responses: { 201: { description: 'Upload URL and id', schema: UploadTicket } },
    run: async (ports, req) => ({ status: 201, body: await createVerifyUpload(ports, req.body) }),
  }),
  ingestTickets: define({
    manifest: manifest('ingestTickets'),
    summary:
      "Add support tickets to a contract's SLA: an export (JSON Lines, CSV, Zendesk, Jira Service Management, ServiceNow) or timelines, merged with the stored tickets by id and event time; all checked against the terms before anything is stored",
    params: ContractIdParams,
    body: TicketsBody,
    idempotent: true,
    responses: {
      200: { description: 'What was merged; a replay changes nothing', schema: TicketIngestResult },
      400: { description: 'A ticket that cannot be used: the message names the ticket and the field' },
      409: { description: 'A ticket kept changing under concurrent requests; retry' },
      413: { description: 'Content over 5 MB, or a ticket too large to store' },
    },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        'ingestTickets',
        req.idempotencyKey,
        { contractId: req.params.id, body: req.body },
        async () => ({
          status: 200,
          body: await ingestTickets(ports, who(req), req.params.id, req.body as TicketsInput),
        }),
      ),
  }),
  listRejectedTickets: define({
    manifest: manifest('listRejectedTickets'),
    summary:
      'Webhook payloads that could not be used (unmapped status or priority, malformed), with the reason; newest first',
    params: ContractIdParams,
    query: RejectedQuery,
    responses: { 200: { description: 'The rejected payloads', schema: RejectedList } },
    run: async (ports, req) => ({
      status: 200,
      body: await listRejectedPayloads(ports, who(req), req.params.id, req.query.limit),
    }),
  }),
  zendeskWebhook: define({
    manifest: manifest('zendeskWebhook'),
    summary:
      "Zendesk ticket webhook (trigger body or ticket events), signed with the contract's webhook secret: X-Zendesk-Webhook-Signature over the timestamp and the body",
    params: ContractIdParams,
    rawBody: true,
    responses: WEBHOOK_RESPONSES,
    run: async (ports, req) => receiveTicketWebhook(ports, 'zendesk', webhookRequest(req)),
  }),
  jsmWebhook: define({
    manifest: manifest('jsmWebhook'),
    summary:
      "Jira Service Management webhook (issue created or updated, comment created), signed with the contract's webhook secret: X-Hub-Signature sha256=<hex>",
    params: ContractIdParams,
    rawBody: true,
    responses: WEBHOOK_RESPONSES,
    run: async (ports, req) => receiveTicketWebhook(ports, 'jsm', webhookRequest(req)),
  }),
  monitoringWebhook: define({
    manifest: manifest('monitoringWebhook'),
    summary:
      'Monitoring events {status: down|up, at, check?} (one or an array): down opens an outage of the check, up closes it; signed as the JSM webhook',
    params: ContractIdParams,
    rawBody: true,
    responses: WEBHOOK_RESPONSES,
    run: async (ports, req) => receiveMonitoringWebhook(ports, webhookRequest(req)),
  }),
  rotateWebhookSecret: define({
    manifest: manifest('rotateWebhookSecret'),
    summary:
      "Create or replace the contract's webhook secret (admin or legal): returned once, the previous one stops working at once",
    params: ContractIdParams,
    responses: { 201: { description: 'The new secret and the webhook paths', schema: WebhookSecret } },
    run: async (ports, req) => ({
      status: 201,
      body: await rotateWebhookSecret(ports, who(req), req.params.id),
    }),
  }),
  recordOutages: define({
    manifest: manifest('recordOutages'),
    summary:
      'Record outages and maintenance windows for uptime, each by id (given, or derived from start, end and kind): a replay changes nothing',
    params: ContractIdParams,
    body: OutagesBody,
    idempotent: true,
    responses: {
      200: { description: 'What was recorded', schema: OutagesResult },
      400: {
        description: 'An outage without offsets, or ending before it starts: the index and field are named',
      },
    },
    run: async (ports, req) =>
      idempotent(
        ports,
        who(req),
        'recordOutages',
        req.idempotencyKey,
        { contractId: req.params.id, body: req.body },
        async () => ({
          status: 200,
          body: await recordOutages(ports, who(req), req.params.id, req.body.outages),
        }),
      ),
  }),
  getSlaStatement: define({
    manifest: manifest('getSlaStatement'),
    summary:
      "A month's SLA statement: lines, uptime, credits, chronic-failure flags, in-progress instances, adjustments; the issued statement once the month is issued, month-to-date while it runs",
    params: ContractIdParams,
    query: MonthQuery,
    responses: { 200: { description: 'The statement', schema: SlaStatement } },
    run: async (ports, req) => ({
      status: 200,
      body: await slaStatement(ports, who(req), req.params.id, req.query.month),
    }),
  }),
  getSlaTickets: define({
    manifest: manifest('getSlaTickets'),
    summary:
      'Per-ticket metric results that count in a month (breached in it, or met when they stopped in it)',
    params: ContractIdParams,
    query: MonthQuery,
    responses: { 200: { description: 'The results', schema: SlaTicketResults } },
    run: async (ports, req) => ({
      status: 200,
      body: await slaTicketResults(ports, who(req), req.params.id, req.query.month),
    }),
  }),
  getSlaLive: define({
    manifest: manifest('getSlaLive'),
    summary:
      'Live view: running metrics due within the next `hours` (default 24), and breaches of the current reporting month',
    params: ContractIdParams,
    query: LiveQuery,
    responses: { 200: { description: 'At risk and breached', schema: SlaLive } },
    run: async (ports, req) => ({
      status: 200,
      body: await slaLive(ports, who(req), req.params.id, req.query.hours),
    }),
  }),
  listSlaReports: define({
    manifest: manifest('listSlaReports'),
    summary:
      "The contract's issued monthly SLA reports, oldest first: each month's summary (compliance, uptime, credit) and where its files are",
    params: ContractIdParams,
    responses: { 200: { description: 'The issued months', schema: SlaReportList } },
    run: async (ports, req) => ({
      status: 200,
      body: await listSlaReports(ports, who(req), req.params.id),
    }),
  }),
  getSlaReport: define({
    manifest: manifest('getSlaReport'),
    summary: "Short-lived links to an issued month's report PDF and per-ticket CSV, as they were mailed",
    params: ReportMonthParams,
    responses: {
      200: { description: 'The links', schema: SlaReportFiles },
      404: { description: 'The month was not issued (yet)' },
    },
    run: async (ports, req) => ({
      status: 200,
      body: await getSlaReport(ports, who(req), req.params.id, req.params.month),
    }),
  }),
};
