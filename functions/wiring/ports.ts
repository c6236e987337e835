import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KMSClient } from '@aws-sdk/client-kms';
import { SESClient } from '@aws-sdk/client-ses';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SIGNING_ROUTE_WORKFLOW } from '../../workflows/signing-route';
import {
  DEFAULT_LIMITS,
  type Limits,
  type Ports,
  type Scheduler,
  type SealKit,
  type SmsSender,
  type Workflow,
} from '../core/ports';
import { certificatesFromPem } from '../core/pdf-seal/certificates';
import { DynamoEnvelopeStore } from '../adapters/dynamodb/envelope-store';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/idempotency-store';
import { DynamoSigningStore } from '../adapters/dynamodb/signing-store';
import { DynamoTenantSettingsStore } from '../adapters/dynamodb/tenant-settings-store';
import { DynamoTemplateStore } from '../adapters/dynamodb/template-store';
import { DynamoBulkSendStore } from '../adapters/dynamodb/bulk-send-store';
import { DynamoContractStore } from '../adapters/dynamodb/contract-store';
import { DynamoSlaStore } from '../adapters/dynamodb/sla-store';
import { EventBridgeScheduler } from '../adapters/scheduler/eventbridge-scheduler';
import { DynamoUploadStore } from '../adapters/dynamodb/upload-store';
import { DynamoVerifyUploadStore } from '../adapters/dynamodb/verify-upload-store';
import { NodeFontSource } from '../adapters/fonts/node-font-source';
import { KmsSealSigner } from '../adapters/kms/kms-seal-signer';
import { S3DocumentStore } from '../adapters/s3/document-store';
import { S3LegalHolds } from '../adapters/s3/legal-holds';
import { SesMailer } from '../adapters/ses/ses-mailer';
import { SnsSms } from '../adapters/sns/sns-sms';
import { HttpTimestamper } from '../adapters/tsa/http-timestamper';
import { StepFunctionsWorkflow } from '../adapters/sfn/step-functions-workflow';
import { systemClock, systemIds } from '../adapters/system';
import type { ServiceConfig } from './config';

// s3rver accepts only its own well-known key pair; dynalite and the local SES accept any.
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

function missing(setting: string, port: string): never {
  throw new Error(`${setting} is not configured for this function, which therefore cannot use ${port}`);
}

/**
 * The AWS adapters, pointed at AWS or (with `endpoints`) at the local emulators: the SDK code
 * path is the same in both places. Ports a function may not need (the workflow, the seal, SMS) are
 * built on first use, so a function without their settings fails loudly only if it uses them.
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
  const signing = new DynamoSigningStore(dynamo, config.tableName);
  const sla = new DynamoSlaStore(dynamo, config.tableName);

  let workflow: Workflow | undefined;
  let sms: SmsSender | undefined;
  let seal: SealKit | undefined;
  let scheduler: Scheduler | undefined;
  const ports: Ports = {
    clock: systemClock,
    ids: systemIds,
    envelopes: new DynamoEnvelopeStore(dynamo, config.tableName),
    idempotency: new DynamoIdempotencyStore(dynamo, config.tableName),
    uploads: new DynamoUploadStore(dynamo, config.tableName),
    verifyUploads: new DynamoVerifyUploadStore(dynamo, config.tableName),
    documents: new S3DocumentStore(s3, {
      documents: config.documentsBucket,
      staging: config.stagingBucket,
      ...(config.dataKeyArn ? { dataKeyArn: config.dataKeyArn } : {}),
      ...(config.objectLockMode ? { objectLockMode: config.objectLockMode } : {}),
    }),
    mail: new SesMailer(ses, config.mailFrom),
    limits,
    signerTokens: signing,
    signerAuth: signing,
    waits: signing,
    tenantSettings: new DynamoTenantSettingsStore(dynamo, config.tableName),
    templates: new DynamoTemplateStore(dynamo, config.tableName),
    bulkSends: new DynamoBulkSendStore(dynamo, config.tableName),
    contracts: new DynamoContractStore(dynamo, config.tableName),
    sla,
    slaWebhooks: sla,
    get scheduler(): Scheduler {
      scheduler ??= new EventBridgeScheduler(new SchedulerClient(common), {
        groupName: config.scheduleGroup ?? missing('SCHEDULE_GROUP', 'the scheduler'),
        targetArn: config.scheduledJobArn ?? missing('SCHEDULED_JOB_ARN', 'the scheduler'),
        roleArn: config.schedulerRoleArn ?? missing('SCHEDULER_ROLE_ARN', 'the scheduler'),
      });
      return scheduler;
    },
    legalHolds: new S3LegalHolds(s3, config.documentsBucket),
    // SNS is used (and granted) only by the functions that send codes; locally, an outbox file.
    get sms(): SmsSender {
      sms ??= new SnsSms(new SNSClient(common));
      return sms;
    },
    get workflow(): Workflow {
      workflow ??= new StepFunctionsWorkflow(new SFNClient(common), {
        [SIGNING_ROUTE_WORKFLOW]: config.signingRouteArn ?? missing('SIGNING_ROUTE_ARN', 'the signing route'),
      });
      return workflow;
    },
    get seal(): SealKit {
      if (!seal) {
        // The algorithm follows the key (ECC_NIST_P256 or RSA_3072, a per-stage choice).
        const signer = new KmsSealSigner(
          new KMSClient(common),
          config.sealKeyArn ?? missing('SEAL_KEY_ARN', 'the seal'),
          'from-key',
        );
        const chainKey = config.sealChainKey ?? missing('SEAL_CHAIN_KEY', 'the seal');
        let chain: Promise<Uint8Array[]> | undefined;
        seal = {
          signer,
          chain: () =>
            (chain ??= s3
              .send(new GetObjectCommand({ Bucket: config.documentsBucket, Key: chainKey }))
              .then(async (res) => certificatesFromPem(await res.Body!.transformToString()))),
        };
      }
      return seal;
    },
    fonts: new NodeFontSource(config.fontsDir),
    // Only the seal task is given TSA_URL: its seals are then PAdES B-T, or fail.
    ...(config.tsaUrl ? { timestamper: new HttpTimestamper(config.tsaUrl) } : {}),
    log: {
      warn: (message, error) =>
        console.warn(
          JSON.stringify({
            level: 'warn',
            message,
            error: error instanceof Error ? error.message : String(error),
          }),
        ),
    },
    links: { publicUrl: config.publicUrl },
  };
  return withOverrides(ports, overrides);
}

/** Replaces ports in place; spreading would run the lazy getters and build what is not configured. */
export function withOverrides(ports: Ports, overrides: Partial<Ports>): Ports {
  for (const [name, value] of Object.entries(overrides)) {
    Object.defineProperty(ports, name, { value, writable: true, enumerable: true, configurable: true });
  }
  return ports;
}
