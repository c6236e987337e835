import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DEFAULT_LIMITS, type Limits, type Ports } from '../core/ports';
import { DynamoEnvelopeStore } from '../adapters/dynamodb/envelope-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { DynamoUploadStore } from '../adapters/dynamodb/upload-store';
import { S3DocumentStore } from '../adapters/s3/document-store';
import { SesMailer } from '../adapters/ses/ses-mailer';
import { systemClock, systemIds } from '../adapters/system';
import type { ServiceConfig } from './config';

/** Credentials the local emulators accept; in AWS the SDK finds the function's role itself. */
// s3rver accepts only its own well-known key pair; dynalite and the local SES accept any.
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * The AWS adapters, pointed at AWS or (with `endpoints`) at the local emulators: the SDK code
 * path is the same in both places.
 */
export function buildPorts(config: ServiceConfig, overrides: Partial<Ports> = {}): Ports {
  const local = config.endpoints !== undefined;
  const common = {
    region: config.region,
    ...(local ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...common,
      ...(config.endpoints?.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const s3 = new S3Client({
    ...common,
    ...(config.endpoints?.s3
      ? {
          endpoint: config.endpoints.s3,
          forcePathStyle: true,
          // With the defaults, s3rver stores a streamed body with its chunk framing.
          requestChecksumCalculation: 'WHEN_REQUIRED' as const,
          responseChecksumValidation: 'WHEN_REQUIRED' as const,
        }
      : {}),
  });
  const ses = new SESClient({
    ...common,
    ...(config.endpoints?.ses ? { endpoint: config.endpoints.ses } : {}),
    // The local SES never answers calls it does not support: do not wait for ever.
    requestHandler: { requestTimeout: 10_000 },
  });
  const limits: Limits = { ...DEFAULT_LIMITS, documentRetentionDays: config.retentionDays };
  return {
    clock: systemClock,
    ids: systemIds,
    envelopes: new DynamoEnvelopeStore(dynamo, config.tableName),
    idempotency: new DynamoIdempotencyStore(dynamo, config.tableName),
    uploads: new DynamoUploadStore(dynamo, config.tableName),
    documents: new S3DocumentStore(s3, {
      documents: config.documentsBucket,
      staging: config.stagingBucket,
      ...(config.dataKeyArn ? { dataKeyArn: config.dataKeyArn } : {}),
      ...(config.objectLockMode ? { objectLockMode: config.objectLockMode } : {}),
    }),
    mail: new SesMailer(ses, config.mailFrom),
    limits,
    ...overrides,
  };
}
