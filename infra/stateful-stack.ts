import { Aws, CfnOutput, CfnResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectLockRetention,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct, IConstruct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../functions/adapters/dynamodb/table-schema';
import { SealChain } from './seal-chain';
import { DEFAULT_SEAL_KEY_SPEC, type SealKeySpec, type StageConfig, type StageName } from './stages';

export interface StatefulStackProps extends StackProps {
  config: StageConfig;
}

/**
 * Logical ids of the stateful resources. They must never change: a new logical id makes
 * CloudFormation create a new resource (and, with RETAIN, orphan the old one with its data).
 * test/infra/stateful-stack.test.ts pins them literally.
 */
export const STATEFUL_LOGICAL_IDS = {
  table: 'EnvelopeTable',
  documentsBucket: 'DocumentsBucket',
  stagingBucket: 'StagingBucket',
  accessLogsBucket: 'AccessLogsBucket',
  dataKey: 'DataKey',
  sealKey: 'SealKey',
  rootKey: 'SealRootKey',
} as const;

/**
 * Physical names of the table and buckets. They are fixed so that the stateless stack can refer to
 * them without a cross-stack reference (its IAM policies then name the resources in its own
 * template), and so that a retained resource is never silently replaced by a new, empty one.
 * Bucket names carry the account and region (pseudo parameters, the same in every stack).
 */
export interface StatefulNames {
  table: string;
  documentsBucket: string;
  stagingBucket: string;
  accessLogsBucket: string;
}

export function statefulNames(stage: StageName): StatefulNames {
  const bucket = (purpose: string) => `countersign-${stage}-${purpose}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
  return {
    table: `countersign-${stage}-envelopes`,
    documentsBucket: bucket('documents'),
    stagingBucket: bucket('staging'),
    accessLogsBucket: bucket('access-logs'),
  };
}

/** The KMS key spec of each stage's choice for the seal and root keys. */
const SEAL_KEY_SPECS: Record<SealKeySpec, KeySpec> = {
  ECC_NIST_P256: KeySpec.ECC_NIST_P256,
  RSA_3072: KeySpec.RSA_3072,
};

/** Table, buckets and keys: retained on delete, behind termination protection, never renamed. */
export class StatefulStack extends Stack {
  readonly config: StageConfig;
  readonly names: StatefulNames;
  /** Symmetric key for data at rest: table, documents, staging. */
  readonly dataKey: Key;
  /**
   * Asymmetric key (ECC_NIST_P256, or RSA_3072 per stage) that seals completed documents and
   * signs exported trails.
   */
  readonly sealKey: Key;
  /** Issues the seal certificate (`countersign certs init`); no function may use it. */
  readonly rootKey: Key;
  readonly sealChain: SealChain;
  readonly table: Table;
  readonly documentsBucket: Bucket;
  readonly stagingBucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { config } = props;
    this.config = config;
    this.names = statefulNames(config.name);
    const retain = RemovalPolicy.RETAIN;
    const sealKeySpec = SEAL_KEY_SPECS[config.sealKeySpec ?? DEFAULT_SEAL_KEY_SPEC];

    this.dataKey = new Key(this, 'DataKey', {
      description: `Countersign ${config.name}: data at rest (table, documents, staging uploads)`,
      alias: `alias/countersign-${config.name}-data`,
      enableKeyRotation: true,
      removalPolicy: retain,
    });
    pinLogicalId(this.dataKey, STATEFUL_LOGICAL_IDS.dataKey);

    this.sealKey = new Key(this, 'SealKey', {
      description: `Countersign ${config.name}: seals completed documents (PAdES) and signs exported audit trails`,
      alias: `alias/countersign-${config.name}-seal`,
      keySpec: sealKeySpec,
      keyUsage: KeyUsage.SIGN_VERIFY,
      // KMS does not rotate asymmetric keys; a new seal key means a new certificate.
      enableKeyRotation: false,
      removalPolicy: retain,
    });
    pinLogicalId(this.sealKey, STATEFUL_LOGICAL_IDS.sealKey);

    this.rootKey = new Key(this, 'SealRootKey', {
      description: `Countersign ${config.name}: root that issues the seal certificate; used only by the seal chain custom resource and countersign certs init`,
      alias: `alias/countersign-${config.name}-seal-root`,
      keySpec: sealKeySpec,
      keyUsage: KeyUsage.SIGN_VERIFY,
      enableKeyRotation: false,
      removalPolicy: retain,
    });
    pinLogicalId(this.rootKey, STATEFUL_LOGICAL_IDS.rootKey);

    // AWS::DynamoDB::Table, not TableV2 (GlobalTable): TableV2 cannot render a customer-managed key
    // in an environment-agnostic stack, and the type of a retained table can never change later.
    this.table = new Table(this, 'EnvelopeTable', {
      tableName: this.names.table,
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.dataKey,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: true,
      removalPolicy: retain,
    });
    for (const index of Object.values(INDEXES)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
    pinLogicalId(this.table, STATEFUL_LOGICAL_IDS.table);

    // Server access logs of both buckets. S3 cannot deliver access logs into an SSE-KMS bucket,
    // so this one uses SSE-S3.
    this.accessLogsBucket = new Bucket(this, 'AccessLogsBucket', {
      bucketName: this.names.accessLogsBucket,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        { id: 'expire-access-logs', expiration: Duration.days(config.accessLogRetentionDays) },
      ],
      removalPolicy: retain,
    });
    pinLogicalId(this.accessLogsBucket, STATEFUL_LOGICAL_IDS.accessLogsBucket);
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the server access log bucket of the documents and staging buckets; logging it into itself would loop and another log bucket would need one too.',
    });

    const retention =
      config.objectLock.mode === 'COMPLIANCE'
        ? ObjectLockRetention.compliance(Duration.days(config.objectLock.retentionDays))
        : ObjectLockRetention.governance(Duration.days(config.objectLock.retentionDays));

    this.documentsBucket = new Bucket(this, 'DocumentsBucket', {
      bucketName: this.names.documentsBucket,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: retention,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // The signing page and the console read documents through presigned URLs, from their origin only.
      cors: [
        {
          allowedMethods: [HttpMethods.GET, HttpMethods.HEAD],
          allowedOrigins: [new URL(config.publicUrl).origin],
          allowedHeaders: ['*'],
          maxAge: 3000,
        },
      ],
      removalPolicy: retain,
    });
    pinLogicalId(this.documentsBucket, STATEFUL_LOGICAL_IDS.documentsBucket);

    // Large PDFs (up to 50 MB) are uploaded here through a presigned PUT, then copied into the
    // locked documents bucket once accepted. No Object Lock: what is not accepted expires in a day.
    this.stagingBucket = new Bucket(this, 'StagingBucket', {
      bucketName: this.names.stagingBucket,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.dataKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'staging/',
      lifecycleRules: [
        {
          id: 'expire-staged-uploads',
          expiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      // The console PUTs large PDFs to presigned URLs, from its origin only.
      cors: [
        {
          allowedMethods: [HttpMethods.PUT],
          allowedOrigins: [new URL(config.publicUrl).origin],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag'],
          maxAge: 3000,
        },
      ],
      removalPolicy: retain,
    });
    pinLogicalId(this.stagingBucket, STATEFUL_LOGICAL_IDS.stagingBucket);

    // The seal's certificate chain, in place from the first deployment on (kept on later ones).
    this.sealChain = new SealChain(this, 'SealChain', {
      sealKey: this.sealKey,
      rootKey: this.rootKey,
      documentsBucket: this.documentsBucket,
      organization: config.sealChain?.organization ?? `Countersign ${config.name}`,
      ...(config.sealChain?.importedChainPem ? { importedChainPem: config.sealChain.importedChainPem } : {}),
      logRetention: config.logRetention,
      logRemovalPolicy: config.logRemovalPolicy,
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'DocumentsBucketName', { value: this.documentsBucket.bucketName });
    new CfnOutput(this, 'StagingBucketName', { value: this.stagingBucket.bucketName });
    new CfnOutput(this, 'DataKeyArn', { value: this.dataKey.keyArn });
    new CfnOutput(this, 'SealKeyArn', { value: this.sealKey.keyArn });
    new CfnOutput(this, 'SealRootKeyArn', { value: this.rootKey.keyArn });
  }
}

/** Fixes the logical id of a construct's CloudFormation resource, whatever its construct path. */
export function pinLogicalId(construct: IConstruct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) {
    throw new Error(`${construct.node.path} has no CloudFormation resource to pin`);
  }
  resource.overrideLogicalId(logicalId);
}
