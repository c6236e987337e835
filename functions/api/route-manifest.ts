/**
 * Every API route, with the Lambda entry that serves it and the access that function needs.
 * The CDK stack creates one function per route from this list and grants exactly these
 * permissions; the local HTTP adapter routes with the same list.
 */
export type Access = 'none' | 'read' | 'write' | 'readwrite';

export interface RouteManifestEntry {
  name: string;
  method: 'GET' | 'POST';
  /** API Gateway resource path with `{param}` placeholders. */
  path: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  authorized: boolean;
  access: {
    table: Access;
    documents: Access;
    staging: Access;
    /** Encrypt/decrypt with the data key (documents bucket objects are SSE-KMS). */
    dataKey: boolean;
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
    access: { table: 'readwrite', documents: 'write', staging: 'readwrite', dataKey: true },
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
    access: { ...noAccess, table: 'readwrite' },
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
    access: { ...noAccess, table: 'readwrite' },
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
  jwtIssuer: 'JWT_ISSUER',
  jwtAudience: 'JWT_AUDIENCE',
} as const;
