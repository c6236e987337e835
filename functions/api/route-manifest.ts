/**
 * Every API route, with the Lambda entry that serves it and the access that function needs.
 * The CDK stack creates one function per route from this list and grants exactly these
 * permissions; the local HTTP adapter routes with the same list.
 */
export type Access = 'none' | 'read' | 'write' | 'readwrite';

export interface RouteManifestEntry {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  /** API Gateway resource path with `{param}` placeholders. */
  path: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  /** Checked by the JWT authorizer. Signing routes are not: the recipient's token authorises them. */
  authorized: boolean;
  access: {
    table: Access;
    documents: Access;
    staging: Access;
    /** Encrypt/decrypt with the data key (documents bucket objects are SSE-KMS). */
    dataKey: boolean;
    /** Start the signing route, answer its waiting task (SendTaskSuccess/Failure), or redrive it. */
    workflow?: 'start' | 'callback' | 'redrive';
    /** Send e-mail through SES. */
    mail?: boolean;
    /** Send SMS through SNS (sns:Publish to phone numbers). */
    sms?: boolean;
    /** kms:Sign and kms:GetPublicKey on the seal key, and the seal chain (signed audit exports). */
    seal?: boolean;
    /** s3:PutObjectLegalHold and s3:GetObjectLegalHold on the documents bucket's objects. */
    legalHold?: boolean;
    /** Create, replace and delete schedules in the service's schedule group (contract lifecycle jobs). */
    schedule?: boolean;
    /** Draws text into PDFs (merge fields, SLA schedule, reports): the fonts come in the bundle. */
    fonts?: boolean;
  };
}

const noAccess = { table: 'none', documents: 'none', staging: 'none', dataKey: false } as const;

export const ROUTE_MANIFEST: readonly RouteManifestEntry[] = [
  {
    name: 'createEnvelope',
    method: 'POST',
    path: '/v1/envelopes',
    entry: 'functions/handlers/create-envelope.ts',
    authorized: true,
    // Documents read: an envelope from a template starts from the template's PDF; fonts: the merge
    // values and the SLA schedule are drawn into it.
    access: { table: 'readwrite', documents: 'readwrite', staging: 'readwrite', dataKey: true, fonts: true },
  },
  {
    name: 'createBulkSend',
    method: 'POST',
    path: '/v1/bulk-sends',
    entry: 'functions/handlers/create-bulk-send.ts',
    authorized: true,
    // Reads the template and tenant settings, records the batch; the jobs function sends the rows.
    access: { ...noAccess, table: 'readwrite', schedule: true },
  },
  {
    name: 'getBulkSend',
    method: 'GET',
    path: '/v1/bulk-sends/{id}',
    entry: 'functions/handlers/get-bulk-send.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'listEnvelopes',
    method: 'GET',
    path: '/v1/envelopes',
    entry: 'functions/handlers/list-envelopes.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getEnvelope',
    method: 'GET',
    path: '/v1/envelopes/{id}',
    entry: 'functions/handlers/get-envelope.ts',
    authorized: true,
    // Reads repair a snapshot left behind by a crash, so they write the table too.
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'getAuditTrail',
    method: 'GET',
    path: '/v1/envelopes/{id}/audit',
    entry: 'functions/handlers/get-audit-trail.ts',
    authorized: true,
    // Seal: `?format=json` exports the trail signed with the seal key.
    access: { ...noAccess, table: 'readwrite', seal: true },
  },
  {
    name: 'getDocument',
    method: 'GET',
    path: '/v1/envelopes/{id}/documents/{doc}',
    entry: 'functions/handlers/get-document.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', documents: 'read', dataKey: true },
  },
  {
    name: 'voidEnvelope',
    method: 'POST',
    path: '/v1/envelopes/{id}/void',
    entry: 'functions/handlers/void-envelope.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', workflow: 'callback' },
  },
  {
    name: 'sendEnvelope',
    method: 'POST',
    path: '/v1/envelopes/{id}/send',
    entry: 'functions/handlers/send-envelope.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', workflow: 'start' },
  },
  {
    name: 'placeLegalHold',
    method: 'POST',
    path: '/v1/envelopes/{id}/legal-hold',
    entry: 'functions/handlers/place-legal-hold.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', legalHold: true },
  },
  {
    name: 'releaseLegalHold',
    method: 'POST',
    path: '/v1/envelopes/{id}/legal-hold/release',
    entry: 'functions/handlers/release-legal-hold.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', legalHold: true },
  },
  {
    name: 'redriveRoute',
    method: 'POST',
    path: '/v1/envelopes/{id}/redrive',
    entry: 'functions/handlers/redrive-route.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', workflow: 'redrive' },
  },
  {
    name: 'resendInvitation',
    method: 'POST',
    path: '/v1/envelopes/{id}/recipients/{rid}/resend',
    entry: 'functions/handlers/resend-invitation.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'correctRecipient',
    method: 'POST',
    path: '/v1/envelopes/{id}/recipients/{rid}/correct',
    entry: 'functions/handlers/correct-recipient.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'reassignRecipient',
    method: 'POST',
    path: '/v1/envelopes/{id}/recipients/{rid}/reassign',
    entry: 'functions/handlers/reassign-recipient.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'getTenantSettings',
    method: 'GET',
    path: '/v1/tenant/settings',
    entry: 'functions/handlers/get-tenant-settings.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'updateTenantSettings',
    method: 'PUT',
    path: '/v1/tenant/settings',
    entry: 'functions/handlers/update-tenant-settings.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'listTenantSettings',
    method: 'GET',
    path: '/v1/tenant/settings/history',
    entry: 'functions/handlers/list-tenant-settings.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'createTemplate',
    method: 'POST',
    path: '/v1/templates',
    entry: 'functions/handlers/create-template.ts',
    authorized: true,
    access: { table: 'readwrite', documents: 'write', staging: 'readwrite', dataKey: true },
  },
  {
    name: 'listTemplates',
    method: 'GET',
    path: '/v1/templates',
    entry: 'functions/handlers/list-templates.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getTemplate',
    method: 'GET',
    path: '/v1/templates/{tid}',
    entry: 'functions/handlers/get-template.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'updateTemplate',
    method: 'PUT',
    path: '/v1/templates/{tid}',
    entry: 'functions/handlers/update-template.ts',
    authorized: true,
    access: { table: 'readwrite', documents: 'write', staging: 'readwrite', dataKey: true },
  },
  {
    name: 'archiveTemplate',
    method: 'POST',
    path: '/v1/templates/{tid}/archive',
    entry: 'functions/handlers/archive-template.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'approveTemplateVersion',
    method: 'POST',
    path: '/v1/templates/{tid}/versions/{v}/approve',
    entry: 'functions/handlers/approve-template-version.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'diffTemplate',
    method: 'GET',
    path: '/v1/templates/{tid}/diff',
    entry: 'functions/handlers/diff-template.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getTemplateHistory',
    method: 'GET',
    path: '/v1/templates/{tid}/history',
    entry: 'functions/handlers/get-template-history.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getTemplateDocument',
    method: 'GET',
    path: '/v1/templates/{tid}/document',
    entry: 'functions/handlers/get-template-document.ts',
    authorized: true,
    access: { ...noAccess, table: 'read', documents: 'read', dataKey: true },
  },
  {
    name: 'listContracts',
    method: 'GET',
    path: '/v1/contracts',
    entry: 'functions/handlers/list-contracts.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getContract',
    method: 'GET',
    path: '/v1/contracts/{id}',
    entry: 'functions/handlers/get-contract.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getContractTerms',
    method: 'GET',
    path: '/v1/contracts/{id}/terms',
    entry: 'functions/handlers/get-contract-terms.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getContractHistory',
    method: 'GET',
    path: '/v1/contracts/{id}/history',
    entry: 'functions/handlers/get-contract-history.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'giveNonRenewalNotice',
    method: 'POST',
    path: '/v1/contracts/{id}/non-renewal',
    entry: 'functions/handlers/give-non-renewal-notice.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', schedule: true },
  },
  {
    name: 'terminateContract',
    method: 'POST',
    path: '/v1/contracts/{id}/terminate',
    entry: 'functions/handlers/terminate-contract.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', schedule: true },
  },
  {
    name: 'getSigningSession',
    method: 'GET',
    path: '/v1/signing/session',
    entry: 'functions/handlers/signing-session.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'sendAuthCode',
    method: 'POST',
    path: '/v1/signing/auth/send',
    entry: 'functions/handlers/signing-auth-send.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', mail: true, sms: true },
  },
  {
    name: 'verifyAuthCode',
    method: 'POST',
    path: '/v1/signing/auth/verify',
    entry: 'functions/handlers/signing-auth-verify.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'getSigningDocument',
    method: 'GET',
    path: '/v1/signing/document',
    entry: 'functions/handlers/signing-document.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', documents: 'read', dataKey: true },
  },
  {
    name: 'giveConsent',
    method: 'POST',
    path: '/v1/signing/consent',
    entry: 'functions/handlers/signing-consent.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'withdrawConsent',
    method: 'POST',
    path: '/v1/signing/consent/withdraw',
    entry: 'functions/handlers/signing-withdraw.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'sign',
    method: 'POST',
    path: '/v1/signing/sign',
    entry: 'functions/handlers/signing-sign.ts',
    authorized: false,
    // Mail: the other members of a signing group are told when one of them signs for it.
    access: {
      ...noAccess,
      table: 'readwrite',
      documents: 'write',
      dataKey: true,
      workflow: 'callback',
      mail: true,
    },
  },
  {
    name: 'approve',
    method: 'POST',
    path: '/v1/signing/approve',
    entry: 'functions/handlers/signing-approve.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', workflow: 'callback' },
  },
  {
    name: 'decline',
    method: 'POST',
    path: '/v1/signing/decline',
    entry: 'functions/handlers/signing-decline.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', workflow: 'callback' },
  },
  {
    name: 'delegate',
    method: 'POST',
    path: '/v1/signing/delegate',
    entry: 'functions/handlers/signing-delegate.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'createUpload',
    method: 'POST',
    path: '/v1/uploads',
    entry: 'functions/handlers/create-upload.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite', staging: 'write' },
  },
  {
    name: 'verifyDocument',
    method: 'POST',
    path: '/v1/verify',
    entry: 'functions/handlers/verify.ts',
    authorized: false,
    // Reads (and then deletes) a verification upload from staging; its record is in the table.
    access: { ...noAccess, table: 'read', staging: 'readwrite', dataKey: true },
  },
  {
    name: 'createVerifyUpload',
    method: 'POST',
    path: '/v1/verify/uploads',
    entry: 'functions/handlers/verify-upload.ts',
    authorized: false,
    access: { ...noAccess, table: 'write', staging: 'write' },
  },
  {
    name: 'ingestTickets',
    method: 'POST',
    path: '/v1/contracts/{id}/tickets',
    entry: 'functions/handlers/ingest-tickets.ts',
    authorized: true,
    // Mail: breach and compliance alerts to the contract's owners.
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'listRejectedTickets',
    method: 'GET',
    path: '/v1/contracts/{id}/tickets/rejected',
    entry: 'functions/handlers/list-rejected-tickets.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'zendeskWebhook',
    method: 'POST',
    path: '/v1/contracts/{id}/webhooks/zendesk',
    entry: 'functions/handlers/zendesk-webhook.ts',
    authorized: false,
    // Public: authenticated by the HMAC of the body under the contract's webhook secret.
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'jsmWebhook',
    method: 'POST',
    path: '/v1/contracts/{id}/webhooks/jsm',
    entry: 'functions/handlers/jsm-webhook.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    name: 'monitoringWebhook',
    method: 'POST',
    path: '/v1/contracts/{id}/webhooks/monitoring',
    entry: 'functions/handlers/monitoring-webhook.ts',
    authorized: false,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'rotateWebhookSecret',
    method: 'POST',
    path: '/v1/contracts/{id}/webhook-secret',
    entry: 'functions/handlers/rotate-webhook-secret.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'recordOutages',
    method: 'POST',
    path: '/v1/contracts/{id}/outages',
    entry: 'functions/handlers/record-outages.ts',
    authorized: true,
    access: { ...noAccess, table: 'readwrite' },
  },
  {
    name: 'getSlaStatement',
    method: 'GET',
    path: '/v1/contracts/{id}/sla',
    entry: 'functions/handlers/get-sla-statement.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getSlaTickets',
    method: 'GET',
    path: '/v1/contracts/{id}/sla/tickets',
    entry: 'functions/handlers/get-sla-tickets.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getSlaLive',
    method: 'GET',
    path: '/v1/contracts/{id}/sla/live',
    entry: 'functions/handlers/get-sla-live.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'listSlaReports',
    method: 'GET',
    path: '/v1/contracts/{id}/reports',
    entry: 'functions/handlers/list-sla-reports.ts',
    authorized: true,
    access: { ...noAccess, table: 'read' },
  },
  {
    name: 'getSlaReport',
    method: 'GET',
    path: '/v1/contracts/{id}/reports/{month}',
    entry: 'functions/handlers/get-sla-report.ts',
    authorized: true,
    // Checks the stored PDF and CSV against their hashes before handing out the links.
    access: { ...noAccess, table: 'read', documents: 'read', dataKey: true },
  },
  {
    name: 'getOpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    entry: 'functions/handlers/get-openapi.ts',
    authorized: false,
    access: noAccess,
  },
];

export const AUTHORIZER_ENTRY = 'functions/handlers/authorizer.ts';

/** Environment variables the functions read at cold start (functions/wiring/aws-config.ts). */
export const ENV = {
  stage: 'STAGE',
  tableName: 'TABLE_NAME',
  documentsBucket: 'DOCUMENTS_BUCKET',
  stagingBucket: 'STAGING_BUCKET',
  dataKeyArn: 'DATA_KEY_ARN',
  objectLockMode: 'OBJECT_LOCK_MODE',
  retentionDays: 'DOCUMENT_RETENTION_DAYS',
  mailFrom: 'MAIL_FROM',
  publicUrl: 'PUBLIC_URL',
  signingRouteArn: 'SIGNING_ROUTE_ARN',
  sealKeyArn: 'SEAL_KEY_ARN',
  sealChainKey: 'SEAL_CHAIN_KEY',
  tsaUrl: 'TSA_URL',
  fontsDir: 'FONTS_DIR',
  scheduleGroup: 'SCHEDULE_GROUP',
  scheduledJobArn: 'SCHEDULED_JOB_ARN',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
} as const;

/** The signing route's Lambda tasks: the Task state they serve, their entry, and their access. */
export interface RouteTaskManifestEntry {
  task: 'StartStep' | 'AwaitStep' | 'Remind' | 'Seal' | 'NotifyCompletion' | 'RecordEnd';
  entry: string;
  /** `seal` on a task also brings the fonts in the bundle. */
  access: RouteManifestEntry['access'];
}

export const ROUTE_TASK_MANIFEST: readonly RouteTaskManifestEntry[] = [
  {
    task: 'StartStep',
    entry: 'functions/handlers/route-start-step.ts',
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    task: 'AwaitStep',
    entry: 'functions/handlers/route-await-step.ts',
    access: { ...noAccess, table: 'readwrite', workflow: 'callback' },
  },
  {
    task: 'Remind',
    entry: 'functions/handlers/route-remind.ts',
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
  {
    task: 'Seal',
    entry: 'functions/handlers/route-seal.ts',
    access: { ...noAccess, table: 'readwrite', documents: 'readwrite', dataKey: true, seal: true },
  },
  {
    task: 'NotifyCompletion',
    entry: 'functions/handlers/route-notify-completion.ts',
    // Schedule: a completed contract's lifecycle jobs start here.
    access: { ...noAccess, table: 'readwrite', documents: 'read', dataKey: true, mail: true, schedule: true },
  },
  {
    task: 'RecordEnd',
    entry: 'functions/handlers/route-record-end.ts',
    access: { ...noAccess, table: 'readwrite', mail: true },
  },
];

/** The target of every schedule (contract lifecycle jobs): it runs the job the schedule names. */
export const SCHEDULED_JOB_ENTRY = 'functions/handlers/scheduled-job.ts';
export const SCHEDULED_JOB_ACCESS: RouteManifestEntry['access'] = {
  ...noAccess,
  table: 'readwrite',
  // The monthly SLA report: stored under retention and mailed; drawn with the fonts.
  documents: 'readwrite',
  dataKey: true,
  mail: true,
  schedule: true,
  fonts: true,
  // A bulk send's rows: each one's envelope made from its template and its signing route started.
  workflow: 'start',
};
