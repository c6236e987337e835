import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING } from './bundling';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { nagResourceName } from './nag';

const REPO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Where the seal function reads its certificate chain (also archived under `seal/chains/`). */
export const SEAL_CHAIN_OBJECT = 'seal/chain.pem';

export interface SealChainProps {
  sealKey: IKey;
  rootKey: IKey;
  documentsBucket: IBucket;
  organization: string;
  /** A chain from a real CA (PEM, the seal certificate first); without it the root key issues one. */
  importedChainPem?: string;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/**
 * The deployment's seal certificate chain: a custom resource whose function, on each deployment,
 * keeps the chain in place, imports a configured one (after checking it certifies the seal key), or
 * has the root key issue one. It is the only function that may sign with the root key.
 */
export class SealChain extends Construct {
  readonly function: NodejsFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SealChainProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Countersign seal chain custom resource',
    });
    logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'functions/handlers/seal-chain-resource.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(2),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        ...BUNDLING,
        externalModules: [...BUNDLING.externalModules],
        mainFields: [...BUNDLING.mainFields],
      },
    });
    // Sign with both keys and read their public keys; read and write the chain objects only.
    props.rootKey.grant(role, 'kms:Sign', 'kms:GetPublicKey');
    props.sealKey.grant(role, 'kms:GetPublicKey');
    props.documentsBucket.grantRead(role, 'seal/*');
    props.documentsBucket.grantPut(role, 'seal/*');
    const bucket = nagResourceName(this, props.documentsBucket.bucketArn);
    const acknowledge = (finding: string, reason: string) =>
      Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    acknowledge(
      `Resource::${bucket}/seal/*`,
      'The seal certificate chain and its archive (seal/chain.pem, seal/chains/*.pem) only.',
    );
    acknowledge(
      'Action::s3:GetObject*',
      'bucket.grantRead on the seal/ prefix of the documents bucket only.',
    );
    acknowledge('Action::s3:GetBucket*', 'bucket.grantRead: bucket metadata reads, on this one bucket only.');
    acknowledge('Action::s3:List*', 'bucket.grantRead: telling a missing chain from a denied read.');
    acknowledge('Action::s3:Abort*', 'bucket.grantPut on the seal/ prefix only.');
    acknowledge(
      'Action::kms:GenerateDataKey*',
      'The documents bucket is SSE-KMS: writing the chain needs its data key; the statement names that key only.',
    );
    acknowledge(
      'Action::kms:ReEncrypt*',
      'SSE-KMS writes of the chain; the statement names the data key only.',
    );
    acknowledge(
      'Resource::*',
      'X-Ray PutTraceSegments and PutTelemetryRecords, added by active tracing, support no resource-level permissions.',
    );

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.function.functionArn,
      resourceType: 'Custom::CountersignSealChain',
      properties: {
        Bucket: props.documentsBucket.bucketName,
        ChainObject: SEAL_CHAIN_OBJECT,
        SealKeyArn: props.sealKey.keyArn,
        RootKeyArn: props.rootKey.keyArn,
        Organization: props.organization,
        ...(props.importedChainPem ? { ImportedChainPem: props.importedChainPem } : {}),
      },
    });
  }
}
