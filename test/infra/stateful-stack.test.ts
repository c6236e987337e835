import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '../../functions/adapters/dynamodb/table-schema';
import { buildTestApp, logicalIdOf, synthTemplate } from './support';

const { app, stages } = buildTestApp();
const dev = synthTemplate(stages.dev.stateful);
const prod = synthTemplate(stages.prod.stateful);
const both = [
  ['dev', dev],
  ['prod', prod],
] as const;

describe('stateful stack', () => {
  it('has termination protection on, in every stage', () => {
    const assembly = app.synth();
    for (const stage of [stages.dev, stages.prod]) {
      expect(stage.stateful.terminationProtection).toBe(true);
      expect(assembly.getStackByName(stage.stateful.stackName).terminationProtection).toBe(true);
    }
    expect(stages.dev.stateful.stackName).toBe('Countersign-dev-Stateful');
    expect(stages.prod.stateful.stackName).toBe('Countersign-prod-Stateful');
  });

  it.each(both)(
    '%s: the table is on demand, with PITR, SSE under the data key and TTL',
    (_stage, { template }) => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
        },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(TTL_ATTRIBUTE).toBe('ttl');
    },
  );

  it.each(both)(
    '%s: the table has the three GSIs of the shared schema, projecting ALL',
    (_stage, { json }) => {
      const table = json.Resources.EnvelopeTable;
      const indexes = table?.Properties?.GlobalSecondaryIndexes as {
        IndexName: string;
        KeySchema: { AttributeName: string; KeyType: string }[];
        Projection: { ProjectionType: string };
      }[];
      expect(indexes).toHaveLength(3);
      expect(indexes.map((i) => i.IndexName)).toEqual(['gsi1', 'gsi2', 'gsi3']);
      for (const index of Object.values(INDEXES)) {
        expect(indexes).toContainEqual({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        });
      }
      // Every key attribute is a string.
      const definitions = table?.Properties?.AttributeDefinitions as { AttributeType: string }[];
      expect(definitions.every((d) => d.AttributeType === 'S')).toBe(true);
    },
  );

  it.each([
    ['dev', dev, 'GOVERNANCE', 1],
    ['prod', prod, 'COMPLIANCE', 2555],
  ] as const)(
    '%s: documents are versioned and object-locked (%s, %i days)',
    (_stage, { json }, mode, days) => {
      const bucket = json.Resources.DocumentsBucket;
      expect(bucket?.Type).toBe('AWS::S3::Bucket');
      expect(bucket?.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: days } },
        },
      });
    },
  );

  it.each(both)(
    '%s: documents are SSE-KMS under the data key, private and access-logged',
    (_stage, { json }) => {
      expect(json.Resources.DocumentsBucket?.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
              },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'AccessLogsBucket' } },
      });
    },
  );

  it.each(both)('%s: every bucket policy denies requests without TLS 1.2', (_stage, { template }) => {
    for (const bucket of ['DocumentsBucket', 'StagingBucket', 'AccessLogsBucket']) {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            }),
          ]),
        },
      });
    }
  });

  it.each(both)(
    '%s: browsers reach the buckets from the public URL only: documents to read, staging to upload',
    (stage, { json }) => {
      const origin =
        stage === 'dev' ? 'https://dev.countersign.example.com' : 'https://countersign.example.com';
      expect(json.Resources.DocumentsBucket?.Properties?.CorsConfiguration).toEqual({
        CorsRules: [
          { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: [origin], AllowedHeaders: ['*'], MaxAge: 3000 },
        ],
      });
      expect(json.Resources.StagingBucket?.Properties?.CorsConfiguration).toMatchObject({
        CorsRules: [{ AllowedMethods: ['PUT'], AllowedOrigins: [origin] }],
      });
    },
  );

  it.each(both)('%s: staged uploads expire after a day and are never object-locked', (stage, { json }) => {
    const staging = json.Resources.StagingBucket?.Properties ?? {};
    expect(staging.ObjectLockEnabled).toBeUndefined();
    expect(staging.ObjectLockConfiguration).toBeUndefined();
    expect(staging.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'expire-staged-uploads',
          Status: 'Enabled',
          ExpirationInDays: 1,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    expect(staging).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true },
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: ['PUT'],
            AllowedOrigins: [
              stage === 'dev' ? 'https://dev.countersign.example.com' : 'https://countersign.example.com',
            ],
            AllowedHeaders: ['*'],
            ExposedHeaders: ['ETag'],
            MaxAge: 3000,
          },
        ],
      },
    });
  });

  it.each(both)(
    '%s: the seal key is ECC_NIST_P256 for SIGN_VERIFY; the data key rotates',
    (_stage, { json }) => {
      expect(json.Resources.SealKey?.Properties).toMatchObject({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        EnableKeyRotation: false,
      });
      // The root that issues the seal certificate is a second, separate signing key.
      expect(json.Resources.SealRootKey?.Properties).toMatchObject({
        KeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
      });
      expect(json.Resources.DataKey?.Properties).toMatchObject({ EnableKeyRotation: true });
      expect(json.Resources.DataKey?.Properties?.KeySpec ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
    },
  );

  it.each(both)(
    '%s: table, buckets and keys are retained on delete and on replacement',
    (_stage, { json }) => {
      for (const id of [
        'EnvelopeTable',
        'DocumentsBucket',
        'StagingBucket',
        'AccessLogsBucket',
        'DataKey',
        'SealKey',
        'SealRootKey',
      ]) {
        expect(json.Resources[id], id).toMatchObject({
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
        });
      }
      // Nothing stateful is left with another policy.
      for (const [id, resource] of Object.entries(json.Resources)) {
        if (['AWS::DynamoDB::Table', 'AWS::S3::Bucket', 'AWS::KMS::Key'].includes(resource.Type)) {
          expect(resource.DeletionPolicy, id).toBe('Retain');
        }
      }
    },
  );
});

describe('the seal certificate chain', () => {
  it.each(both)(
    '%s: a custom resource puts it in place at seal/chain.pem, for the seal key, through the root key',
    (stage, { template, json }) => {
      template.resourceCountIs('Custom::CountersignSealChain', 1);
      template.hasResourceProperties('Custom::CountersignSealChain', {
        ChainObject: 'seal/chain.pem',
        SealKeyArn: { 'Fn::GetAtt': ['SealKey', 'Arn'] },
        RootKeyArn: { 'Fn::GetAtt': ['SealRootKey', 'Arn'] },
        Organization: `Countersign ${stage}`,
      });
      // Its function is the only one of the stack, and the only principal that may sign with the root key.
      const policies = Object.values(json.Resources as Record<string, any>).filter(
        (r) => r.Type === 'AWS::IAM::Policy',
      );
      const signers = policies.filter((p) =>
        JSON.stringify(p.Properties.PolicyDocument).match(
          /kms:Sign[\s\S]*SealRootKey|SealRootKey[\s\S]*kms:Sign/,
        ),
      );
      expect(signers).toHaveLength(1);
      const statements = signers[0].Properties.PolicyDocument.Statement as {
        Action: string | string[];
        Resource: unknown;
      }[];
      const onRoot = statements.filter((st) => JSON.stringify(st.Resource).includes('SealRootKey'));
      expect(onRoot.flatMap((st) => st.Action).sort()).toEqual(['kms:GetPublicKey', 'kms:Sign']);
      const onSeal = statements.filter((st) => JSON.stringify(st.Resource).includes('"SealKey"'));
      expect(onSeal.flatMap((st) => st.Action)).toEqual(['kms:GetPublicKey']);
      // The chain objects only, in the documents bucket.
      const s3 = statements.filter((st) => [st.Action].flat().some((a) => a.startsWith('s3:')));
      for (const st of s3) expect(JSON.stringify(st.Resource)).toMatch(/seal\/\*/);
      template.resourceCountIs('AWS::Lambda::Function', 1);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
      });
    },
  );
});

describe('pinned logical ids of stateful resources', () => {
  it.each(both)('%s: table, buckets and keys keep their logical ids', (stage, { json }) => {
    const stack = stages[stage].stateful;
    expect(logicalIdOf(stack.table)).toBe('EnvelopeTable');
    expect(logicalIdOf(stack.documentsBucket)).toBe('DocumentsBucket');
    expect(logicalIdOf(stack.stagingBucket)).toBe('StagingBucket');
    expect(logicalIdOf(stack.dataKey)).toBe('DataKey');
    expect(logicalIdOf(stack.sealKey)).toBe('SealKey');
    expect(logicalIdOf(stack.rootKey)).toBe('SealRootKey');
    expect(logicalIdOf(stack.accessLogsBucket)).toBe('AccessLogsBucket');

    expect(json.Resources.EnvelopeTable?.Type).toBe('AWS::DynamoDB::Table');
    expect(json.Resources.DocumentsBucket?.Type).toBe('AWS::S3::Bucket');
    expect(json.Resources.StagingBucket?.Type).toBe('AWS::S3::Bucket');
    expect(json.Resources.AccessLogsBucket?.Type).toBe('AWS::S3::Bucket');
    expect(json.Resources.DataKey?.Type).toBe('AWS::KMS::Key');
    expect(json.Resources.SealKey?.Type).toBe('AWS::KMS::Key');
  });

  it.each(both)('%s: the table and buckets keep their physical names', (stage, { json }) => {
    expect(json.Resources.EnvelopeTable?.Properties?.TableName).toBe(`countersign-${stage}-envelopes`);
    expect(json.Resources.DocumentsBucket?.Properties?.BucketName).toEqual({
      'Fn::Join': [
        '',
        [`countersign-${stage}-documents-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
      ],
    });
    expect(json.Resources.StagingBucket?.Properties?.BucketName).toEqual({
      'Fn::Join': [
        '',
        [`countersign-${stage}-staging-`, { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
      ],
    });
  });
});
