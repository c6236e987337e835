import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  type DynamoDBDocumentClient as DocClient,
} from '@aws-sdk/lib-dynamodb';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { EnvelopeState } from '../../functions/core/envelope';
import type { TestService } from '../support/service';
import { makePdf, toBase64 } from '../support/pdf';

export const TABLE = 'countersign';
export const DOCUMENTS_BUCKET = 'countersign-documents';
export const STAGING_BUCKET = 'countersign-staging';
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

let letterPdf: Promise<Uint8Array> | undefined;
/** A one-page US Letter PDF (612 x 792 points), made once per test file. */
export function letter(): Promise<Uint8Array> {
  letterPdf ??= makePdf([[612, 792]]);
  return letterPdf;
}

export interface BodyOptions {
  title?: string;
  pdf?: Uint8Array;
  recipients?: unknown[];
  documents?: unknown[];
}

/** A valid create-envelope body: one PDF, one signer with one signature field. */
export async function envelopeBody(options: BodyOptions = {}): Promise<Record<string, any>> {
  const pdf = options.pdf ?? (await letter());
  return {
    title: options.title ?? 'Maintenance agreement 2025',
    message: 'Please sign',
    documents: options.documents ?? [{ name: 'msa.pdf', contentBase64: toBase64(pdf) }],
    recipients: options.recipients ?? [
      {
        name: 'Ada Buyer',
        email: 'ada@customer.example',
        step: 1,
        fields: [{ type: 'signature', page: 1, x: 72, y: 600, width: 200, height: 50 }],
      },
    ],
  };
}

/** Creates an envelope through the API and fails loudly unless it answers 201. */
export async function createEnvelope(
  service: TestService,
  token: string,
  options: BodyOptions & { idempotencyKey?: string } = {},
): Promise<Record<string, any>> {
  const res = await service.api('POST', '/v1/envelopes', {
    token,
    body: await envelopeBody(options),
    ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
  });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Every envelope snapshot of a tenant, straight from the store (not through the API). */
export async function listStored(service: TestService, tenantId: string): Promise<EnvelopeState[]> {
  const all: EnvelopeState[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.ports.envelopes.list({ tenantId, limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

export function dynamo(service: TestService): DocClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: service.endpoints.dynamodb,
      credentials: CREDENTIALS,
    }),
  );
}

export function s3(service: TestService): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint: service.endpoints.s3,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Raw table items whose key starts with the prefix (the emulator's table is small). */
export async function itemsWithPrefix(db: DocClient, prefix: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: TABLE,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': prefix },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

export async function objectKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (res.Contents ?? []).map((o) => o.Key!);
}

/**
 * Everything a tenant has written: envelope items (events and snapshots), idempotency claims and
 * stored documents. A refused request must leave all of these as they were.
 */
export async function footprint(service: TestService, tenantId: string) {
  const db = dynamo(service);
  const client = s3(service);
  try {
    const envelopeItems = await itemsWithPrefix(db, `T#${tenantId}#E#`);
    const idempotencyItems = await itemsWithPrefix(db, `T#${tenantId}#IDEM#`);
    const documents = await objectKeys(client, DOCUMENTS_BUCKET, `tenants/${tenantId}/`);
    return {
      events: envelopeItems.filter((i) => String(i.sk).startsWith('V#')).length,
      snapshots: envelopeItems.filter((i) => i.sk === 'SNAPSHOT').length,
      idempotencyClaims: idempotencyItems.length,
      documents: documents.length,
    };
  } finally {
    db.destroy();
    client.destroy();
  }
}

export const NOTHING = { events: 0, snapshots: 0, idempotencyClaims: 0, documents: 0 };

export const eventKey = (tenantId: string, envelopeId: string, seq: number) => ({
  pk: `T#${tenantId}#E#${envelopeId}`,
  sk: `V#${String(seq).padStart(10, '0')}`,
});

/** Rewrites one stored audit event in DynamoDB, as someone with table access could. */
export async function tamperEvent(
  service: TestService,
  tenantId: string,
  envelopeId: string,
  seq: number,
  change: (event: Record<string, any>) => void,
): Promise<void> {
  const db = dynamo(service);
  try {
    const key = eventKey(tenantId, envelopeId, seq);
    const { Item } = await db.send(new GetCommand({ TableName: TABLE, Key: key }));
    if (!Item) throw new Error(`no event ${seq} for ${envelopeId}`);
    const event = JSON.parse(Item.event as string) as Record<string, any>;
    change(event);
    await db.send(new PutCommand({ TableName: TABLE, Item: { ...Item, event: JSON.stringify(event) } }));
  } finally {
    db.destroy();
  }
}

export const documentKey = (tenantId: string, envelopeId: string, docId: string) =>
  `tenants/${tenantId}/envelopes/${envelopeId}/documents/${docId}.pdf`;

/** Overwrites a stored document in the S3 emulator. */
export async function overwriteDocument(
  service: TestService,
  key: string,
  bytes: Uint8Array,
  metadata?: Record<string, string>,
): Promise<void> {
  const client = s3(service);
  try {
    await client.send(
      new PutObjectCommand({
        Bucket: DOCUMENTS_BUCKET,
        Key: key,
        Body: bytes,
        ContentType: 'application/pdf',
        ...(metadata ? { Metadata: metadata } : {}),
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Recomputes an event's hash as docs/audit-trail.md describes, independently of the service code. */
export function recomputeHash(event: Record<string, any>): string {
  const { hash: _hash, ...rest } = event;
  return sha256(String(event.prevHash) + canonicalize(rest)!);
}

let counter = 0;
/** A tenant id of its own for each test, so tests never see each other's data. */
export const newTenant = (label = 't') =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
