import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ENV, ROUTE_MANIFEST } from '../../functions/api/route-manifest';
import { actionsOf, buildTestApp, logicalIdOf, statementsOfRole, synthTemplate } from './support';
import type { TemplateJson } from './support';

const { stages } = buildTestApp();
const dev = synthTemplate(stages.dev.api);
const prod = synthTemplate(stages.prod.api);
const both = [
  ['dev', dev],
  ['prod', prod],
] as const;

const SERVICE_ENV = [
  ENV.stage,
  ENV.tableName,
  ENV.documentsBucket,
  ENV.stagingBucket,
  ENV.dataKeyArn,
  ENV.objectLockMode,
  ENV.retentionDays,
  ENV.mailFrom,
  ENV.publicUrl,
];

function functionProps(json: TemplateJson, logicalId: string): Record<string, unknown> {
  const fn = json.Resources[logicalId];
  expect(fn?.Type).toBe('AWS::Lambda::Function');
  return fn?.Properties ?? {};
}

function variablesOf(json: TemplateJson, logicalId: string): Record<string, unknown> {
  return (functionProps(json, logicalId).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** All statements of the policies attached to the role of a route's function (dev stage). */
function devStatements(route: string): Record<string, unknown>[] {
  const fn = stages.dev.api.routeFunctions[route];
  if (!fn?.role) throw new Error(`no function for ${route}`);
  return statementsOfRole(dev.json, logicalIdOf(fn.role));
}

describe('api stack: functions', () => {
  it.each(both)('%s: one function per manifest route, plus the authorizer', (stage, { template }) => {
    template.resourceCountIs('AWS::Lambda::Function', ROUTE_MANIFEST.length + 1);
    expect(Object.keys(stages[stage].api.routeFunctions).sort()).toEqual(
      ROUTE_MANIFEST.map((r) => r.name).sort(),
    );
  });

  it.each(both)(
    '%s: every function runs nodejs24.x on arm64 with tracing, 29 s and source maps',
    (_stage, { json }) => {
      const functions = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Timeout: 29,
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
          LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        });
      }
    },
  );

  it('gives createEnvelope 1024 MB and the others 512 MB', () => {
    for (const route of ROUTE_MANIFEST) {
      const props = functionProps(dev.json, logicalIdOf(stages.dev.api.routeFunctions[route.name]!));
      expect(props.MemorySize, route.name).toBe(route.name === 'createEnvelope' ? 1024 : 512);
    }
    expect(functionProps(dev.json, logicalIdOf(stages.dev.api.authorizerFunction)).MemorySize).toBe(512);
  });

  it.each(both)('%s: each function has its own role, without managed policies', (stage, { json }) => {
    const api = stages[stage].api;
    const functions = [api.authorizerFunction, ...Object.values(api.routeFunctions)];
    const roles = functions.map((fn) => logicalIdOf(fn.role!));
    expect(new Set(roles).size).toBe(functions.length);
    for (const role of roles) {
      expect(json.Resources[role]?.Type).toBe('AWS::IAM::Role');
      expect(json.Resources[role]?.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });

  it.each([
    ['dev', dev, 'GOVERNANCE', '1'],
    ['prod', prod, 'COMPLIANCE', '2555'],
  ] as const)('%s: route functions get the service configuration', (stage, { json }, mode, days) => {
    for (const fn of Object.values(stages[stage].api.routeFunctions)) {
      const variables = variablesOf(json, logicalIdOf(fn));
      for (const name of SERVICE_ENV) expect(variables[name], name).toBeDefined();
      expect(variables).toMatchObject({
        [ENV.stage]: stage,
        [ENV.tableName]: `countersign-${stage}-envelopes`,
        [ENV.objectLockMode]: mode,
        [ENV.retentionDays]: days,
        [ENV.publicUrl]: expect.stringMatching(/^https:\/\//),
      });
      // Route functions never see the JWT settings; only the authorizer verifies tokens.
      expect(variables[ENV.jwtIssuer]).toBeUndefined();
    }
  });

  it.each(both)(
    '%s: the authorizer gets the Cognito issuer and the app client as audience',
    (stage, { json }) => {
      const api = stages[stage].api;
      const variables = variablesOf(json, logicalIdOf(api.authorizerFunction));
      expect(variables[ENV.stage]).toBe(stage);
      expect(variables[ENV.jwtIssuer]).toEqual({
        'Fn::Join': [
          '',
          [
            'https://cognito-idp.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: 'UserPool' },
          ],
        ],
      });
      expect(variables[ENV.jwtAudience]).toEqual({ Ref: logicalIdOf(api.userPoolClient) });
      expect(variables[ENV.tableName]).toBeUndefined();
    },
  );
});

describe('api stack: least privilege', () => {
  const dynamoWrites = [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ];

  it('listEnvelopes reads the table and nothing else', () => {
    const statements = devStatements('listEnvelopes');
    const actions = actionsOf(statements);
    expect(actions).toContain('dynamodb:Query');
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual([]);
    for (const write of dynamoWrites) expect(actions).not.toContain(write);
    expect(actions.filter((a) => a.startsWith('kms:')).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
  });

  it('createUpload may put into staging and has no access to the documents bucket', () => {
    const statements = devStatements('createUpload');
    const text = JSON.stringify(statements);
    expect(text).not.toContain('countersign-dev-documents-');
    expect(text).toContain('countersign-dev-staging-');
    const actions = actionsOf(statements);
    expect(actions).toContain('s3:PutObject');
    expect(actions).not.toContain('s3:DeleteObject*');
    expect(actions.filter((a) => a.startsWith('s3:Get'))).toEqual([]);
  });

  it('getOpenApi and the authorizer touch no data at all', () => {
    const roles = [stages.dev.api.routeFunctions.getOpenApi!.role!, stages.dev.api.authorizerFunction.role!];
    for (const role of roles) {
      const actions = actionsOf(statementsOfRole(dev.json, logicalIdOf(role)));
      expect(actions.sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it.each(ROUTE_MANIFEST.map((r) => [r.name, r] as const))(
    '%s gets exactly the access of the manifest',
    (_name, route) => {
      const statements = devStatements(route.name);
      const text = JSON.stringify(statements);
      const actions = actionsOf(statements);
      const { table, documents, staging, dataKey } = route.access;

      expect(actions.some((a) => a.startsWith('dynamodb:'))).toBe(table !== 'none');
      expect(actions.some((a) => dynamoWrites.includes(a))).toBe(table === 'write' || table === 'readwrite');
      expect(actions.includes('dynamodb:Query')).toBe(table === 'read' || table === 'readwrite');

      expect(text.includes('countersign-dev-documents-')).toBe(documents !== 'none');
      expect(text.includes('countersign-dev-staging-')).toBe(staging !== 'none');
      const bucketStatements = (bucket: string) =>
        statements.filter((s) => JSON.stringify(s.Resource).includes(bucket));
      const documentActions = actionsOf(bucketStatements('countersign-dev-documents-'));
      const stagingActions = actionsOf(bucketStatements('countersign-dev-staging-'));
      expect(documentActions.includes('s3:GetObject*')).toBe(
        documents === 'read' || documents === 'readwrite',
      );
      expect(documentActions.includes('s3:PutObject')).toBe(
        documents === 'write' || documents === 'readwrite',
      );
      // Documents are WORM: nothing may delete them.
      expect(documentActions.filter((a) => a.startsWith('s3:Delete'))).toEqual([]);
      expect(stagingActions.includes('s3:GetObject*')).toBe(staging === 'read' || staging === 'readwrite');
      expect(stagingActions.includes('s3:PutObject')).toBe(staging === 'write' || staging === 'readwrite');
      expect(stagingActions.includes('s3:DeleteObject*')).toBe(staging === 'readwrite');

      // The data key is needed to use it directly, and to write into anything it encrypts.
      const writesEncrypted =
        table === 'write' ||
        table === 'readwrite' ||
        [documents, staging].some((a) => a === 'write' || a === 'readwrite');
      expect(actions.includes('kms:GenerateDataKey*')).toBe(dataKey || writesEncrypted);
      expect(actions.some((a) => a.startsWith('kms:'))).toBe(
        dataKey || table !== 'none' || documents !== 'none' || staging !== 'none',
      );
      // Never the seal key: no route seals.
      expect(text).not.toContain('SealKey');
    },
  );
});

describe('api stack: REST API', () => {
  it.each(both)('%s: access logs record the route template, never the raw path', (stage, { json }) => {
    const stageResource = Object.values(json.Resources).find((r) => r.Type === 'AWS::ApiGateway::Stage');
    const format = (stageResource?.Properties?.AccessLogSetting as { Format: string }).Format;
    expect(stageResource?.Properties?.StageName).toBe(stage);
    expect(format).toContain('$context.resourcePath');
    expect(format).not.toContain('$context.path');
    expect(format).not.toMatch(/querystring|\$input|\$context\.requestOverride/i);
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      latency: '$context.responseLatency',
      resourcePath: '$context.resourcePath',
    });
  });

  it.each([
    ['dev', dev, 20, 40],
    ['prod', prod, 100, 200],
  ] as const)('%s: the stage is traced and throttled', (_stage, { template }, rate, burst) => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: rate,
          ThrottlingBurstLimit: burst,
          DataTraceEnabled: false,
        }),
      ],
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { MinimumCompressionSize: 1024 });
  });

  it.each(both)(
    '%s: a TOKEN authorizer reads the Authorization header and caches for 5 minutes',
    (stage, { template }) => {
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 300,
        IdentityValidationExpression: '^Bearer [A-Za-z0-9._~+/=-]+$',
      });
      const authorizer = JSON.stringify(template.findResources('AWS::ApiGateway::Authorizer'));
      expect(authorizer).toContain(logicalIdOf(stages[stage].api.authorizerFunction));
    },
  );

  it.each(both)(
    '%s: authorized routes use the authorizer; the OpenAPI route is public',
    (stage, { json }) => {
      const api = stages[stage].api;
      const authorizerId = Object.entries(json.Resources).find(
        ([, r]) => r.Type === 'AWS::ApiGateway::Authorizer',
      )![0];
      for (const route of ROUTE_MANIFEST) {
        const method = json.Resources[logicalIdOf(api.methods[route.name]!)];
        expect(method?.Type).toBe('AWS::ApiGateway::Method');
        expect(method?.Properties?.HttpMethod).toBe(route.method);
        if (route.authorized) {
          expect(method?.Properties?.AuthorizationType, route.name).toBe('CUSTOM');
          expect(method?.Properties?.AuthorizerId, route.name).toEqual({ Ref: authorizerId });
        } else {
          expect(method?.Properties?.AuthorizationType, route.name).toBe('NONE');
          expect(method?.Properties?.AuthorizerId, route.name).toBeUndefined();
        }
        // Proxy integration with the route's own function.
        expect(method?.Properties?.Integration).toMatchObject({
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
        });
        expect(JSON.stringify(method?.Properties?.Integration)).toContain(
          logicalIdOf(api.routeFunctions[route.name]!),
        );
      }
      const openApi = ROUTE_MANIFEST.find((r) => r.path === '/v1/openapi.json');
      expect(openApi?.authorized).toBe(false);
    },
  );

  it.each(both)('%s: every method goes through the request validator', (_stage, { json, template }) => {
    template.resourceCountIs('AWS::ApiGateway::RequestValidator', 1);
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const validatorId = Object.entries(json.Resources).find(
      ([, r]) => r.Type === 'AWS::ApiGateway::RequestValidator',
    )![0];
    const methods = Object.values(json.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods).toHaveLength(ROUTE_MANIFEST.length);
    for (const method of methods) expect(method.Properties?.RequestValidatorId).toEqual({ Ref: validatorId });
  });

  it('declares the path parameters of each route as required', () => {
    const method = dev.json.Resources[logicalIdOf(stages.dev.api.methods.getDocument!)];
    expect(method?.Properties?.RequestParameters).toEqual({
      'method.request.path.id': true,
      'method.request.path.doc': true,
    });
  });
});

describe('api stack: Cognito', () => {
  it.each(both)(
    '%s: admins create users; the tenant is an immutable custom attribute',
    (_stage, { template }) => {
      template.resourceCountIs('AWS::Cognito::UserPool', 1);
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        UsernameAttributes: ['email'],
        MfaConfiguration: 'OPTIONAL',
        DeletionProtection: 'ACTIVE',
        Policies: {
          PasswordPolicy: {
            MinimumLength: 12,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          },
        },
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'tenant_id', AttributeDataType: 'String', Mutable: false }),
        ]),
      });
      template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
    },
  );

  it('uses the Plus plan with threat protection in prod only', () => {
    prod.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', { UserPoolTier: 'ESSENTIALS' });
  });

  it.each(both)(
    '%s: the app client reads custom:tenant_id but can never write it',
    (_stage, { template, json }) => {
      template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
        AllowedOAuthFlows: ['code'],
        ReadAttributes: Match.arrayWith(['custom:tenant_id']),
      });
      const client = Object.values(json.Resources).find((r) => r.Type === 'AWS::Cognito::UserPoolClient');
      const writeAttributes = client?.Properties?.WriteAttributes as string[] | undefined;
      // Present (without it every writable attribute would be writable) and without the tenant.
      expect(Array.isArray(writeAttributes)).toBe(true);
      expect(writeAttributes).not.toContain('custom:tenant_id');
      expect(writeAttributes?.some((a) => a.startsWith('custom:'))).toBe(false);
      expect(client?.Properties?.ExplicitAuthFlows).not.toContain('ALLOW_USER_PASSWORD_AUTH');
    },
  );

  it.each(both)('%s: the five role groups exist', (_stage, { template, json }) => {
    template.resourceCountIs('AWS::Cognito::UserPoolGroup', 5);
    const names = Object.values(json.Resources)
      .filter((r) => r.Type === 'AWS::Cognito::UserPoolGroup')
      .map((r) => r.Properties?.GroupName);
    expect(names.sort()).toEqual(['admin', 'auditor', 'legal', 'sender', 'support-manager']);
  });

  it.each(both)('%s: the user pool keeps its logical id', (stage) => {
    expect(logicalIdOf(stages[stage].api.userPool)).toBe('UserPool');
  });
});

describe('api stack: outputs', () => {
  it.each(both)('%s: publishes the API URL, pool, client and bucket names', (_stage, { json }) => {
    expect(Object.keys(json.Outputs ?? {}).sort()).toEqual(
      [
        'ApiUrl',
        'DocumentsBucketName',
        'JwtIssuer',
        'StagingBucketName',
        'TableName',
        'UserPoolClientId',
        'UserPoolId',
      ].sort(),
    );
  });
});
