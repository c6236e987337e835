import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { Method, RequestValidator } from 'aws-cdk-lib/aws-apigateway';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AUTHORIZER_ENTRY, ENV, ROUTE_MANIFEST } from '../functions/api/route-manifest';
import type { Access, RouteManifestEntry } from '../functions/api/route-manifest';
import { ROLES } from '../functions/core/access';
import { INDEXES } from '../functions/adapters/dynamodb/table-schema';
import { pinLogicalId } from './stateful-stack';
import type { StatefulNames } from './stateful-stack';
import { nagResourceName } from './nag';
import type { StageConfig } from './stages';

/** Repository root: entry files in the manifest, package-lock.json and tsconfig.json are relative to it. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

/**
 * API access log fields. `$context.resourcePath` is the route template (`/v1/envelopes/{id}`);
 * the raw path (`$context.path`) and query string are never logged.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  principalId: '$context.authorizer.principalId',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
} as const;

const DEFAULT_MEMORY_MB = 512;
/** createEnvelope parses and hashes PDFs of up to 50 MB. */
const MEMORY_MB: Readonly<Record<string, number>> = { createEnvelope: 1024 };

/** What the API stack needs from the stateful stack (see `StatefulStack`). */
export interface StatefulResources {
  /** Fixed physical names of the table and buckets: referenced by name, not by a cross-stack reference. */
  names: StatefulNames;
  /** The data key encrypting table and buckets (a cross-stack reference: its id is generated). */
  dataKey: IKey;
}

export interface ApiStackProps extends StackProps {
  config: StageConfig;
  stateful: StatefulResources;
}

/** The stateful resources as seen from the API stack, for grant* calls and environment values. */
interface StatefulRefs {
  table: ITable;
  documentsBucket: IBucket;
  stagingBucket: IBucket;
  dataKey: IKey;
}

/** Stateless: Cognito, the REST API, its authorizer and one function per route. */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** Issuer (`iss`) of the pool's tokens, as the authorizer checks it. */
  readonly jwtIssuer: string;
  readonly authorizerFunction: NodejsFunction;
  /** Route functions by manifest name. */
  readonly routeFunctions: Readonly<Record<string, NodejsFunction>>;
  readonly methods: Readonly<Record<string, Method>>;

  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    const refs = this.importStateful(props.stateful);

    // --- Users and roles ----------------------------------------------------------------------
    const plus = config.userPoolFeaturePlan === FeaturePlan.PLUS;
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `countersign-${config.name}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        givenName: { required: false, mutable: true },
        familyName: { required: false, mutable: true },
      },
      // The tenant is fixed when an admin creates the user and can never change.
      customAttributes: { tenant_id: new StringAttribute({ minLen: 1, maxLen: 64, mutable: false }) },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: config.userPoolFeaturePlan,
      ...(plus ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      // Users, their tenants and roles are state: never delete or replace the pool.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    pinLogicalId(this.userPool, 'UserPool');
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP) so that tenants can roll it out to their users; signers never hold pool accounts and are verified per envelope.',
    });
    if (!plus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: `The ${config.name} stage uses the Essentials plan to avoid per-user threat-protection charges; prod runs on Plus with threat protection enforced.`,
      });
    }

    for (const role of ROLES) {
      this.userPool.addGroup(`Group-${role}`, {
        groupName: role,
        description: `Countersign role: ${role}`,
      });
    }

    this.userPoolClient = this.userPool.addClient('WebClient', {
      userPoolClientName: `countersign-${config.name}-web`,
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${config.publicUrl}/auth/callback`],
        logoutUrls: [`${config.publicUrl}/`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, givenName: true, familyName: true })
        .withCustomAttributes('tenant_id'),
      // custom:tenant_id is deliberately absent: no app client may write the tenant.
      writeAttributes: new ClientAttributes().withStandardAttributes({ givenName: true, familyName: true }),
    });

    // The `iss` claim of the pool's tokens (built explicitly: the ProviderURL attribute is not documented
    // to carry the scheme).
    this.jwtIssuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;

    // --- Functions ------------------------------------------------------------------------------
    this.authorizerFunction = this.createFunction('Authorizer', AUTHORIZER_ENTRY, DEFAULT_MEMORY_MB, {
      [ENV.stage]: config.name,
      [ENV.jwtIssuer]: this.jwtIssuer,
      [ENV.jwtAudience]: this.userPoolClient.userPoolClientId,
    });

    const routeEnvironment: Record<string, string> = {
      [ENV.stage]: config.name,
      [ENV.tableName]: refs.table.tableName,
      [ENV.documentsBucket]: refs.documentsBucket.bucketName,
      [ENV.stagingBucket]: refs.stagingBucket.bucketName,
      [ENV.dataKeyArn]: refs.dataKey.keyArn,
      [ENV.objectLockMode]: config.objectLock.mode,
      [ENV.retentionDays]: String(config.objectLock.retentionDays),
      [ENV.mailFrom]: config.mailFrom,
      [ENV.publicUrl]: config.publicUrl,
    };

    const routeFunctions: Record<string, NodejsFunction> = {};
    for (const route of ROUTE_MANIFEST) {
      const fn = this.createFunction(
        pascalCase(route.name),
        route.entry,
        MEMORY_MB[route.name] ?? DEFAULT_MEMORY_MB,
        routeEnvironment,
      );
      const findings = grantRouteAccess(fn, route.access, refs);
      for (const [finding, reason] of findings) {
        Validations.of(fn.role!).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
      }
      routeFunctions[route.name] = fn;
    }
    this.routeFunctions = routeFunctions;

    // --- REST API -------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: config.logRetention,
      removalPolicy: config.logRemovalPolicy,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `countersign-${config.name}`,
      description: `Countersign ${config.name} API`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: false,
      minCompressionSize: Size.kibibytes(1),
      deployOptions: {
        stageName: config.name,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: config.throttling.rateLimit,
        throttlingBurstLimit: config.throttling.burstLimit,
      },
    });
    // RestApi adds an `Endpoint` output of its own; ApiUrl below is the one output for it.
    this.api.node.tryRemoveChild('Endpoint');
    Validations.of(this.api.deploymentStage).acknowledge(
      {
        id: 'AwsSolutions-APIG6',
        reason:
          'Execution logging needs the account-wide API Gateway CloudWatch role (one per account, shared by every stage and app) and at INFO level would record request headers, where signer tokens travel; access logs with the route template cover every request.',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL by default (fixed monthly cost per deployment): stage throttling and the JWT authorizer front every route; operators can associate a web ACL with the stage.',
      },
    );

    const authorizer = new TokenAuthorizer(this, 'JwtAuthorizer', {
      authorizerName: `countersign-${config.name}-jwt`,
      handler: this.authorizerFunction,
      identitySource: IdentitySource.header('Authorization'),
      // Malformed headers get a 401 from API Gateway without invoking the function (same pattern as
      // functions/api/authorizer.ts).
      validationRegex: '^Bearer [A-Za-z0-9._~+/=-]+$',
      // The authorizer allows the whole stage (`.../<stage>/*`), so a cached decision fits every route.
      resultsCacheTtl: Duration.minutes(5),
    });

    // Bodies, query strings and headers are validated in the handlers (zod): no request models are
    // attached, so body validation here has nothing to check. Parameter validation enforces the
    // required path parameters declared on each method.
    const validator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: `countersign-${config.name}-basic`,
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    const methods: Record<string, Method> = {};
    for (const route of ROUTE_MANIFEST) {
      const fn = routeFunctions[route.name];
      if (!fn) throw new Error(`no function for route ${route.name}`);
      methods[route.name] = this.addRoute(route, fn, authorizer, validator);
    }
    this.methods = methods;

    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'JwtIssuer', { value: this.jwtIssuer });
    new CfnOutput(this, 'TableName', { value: refs.table.tableName });
    new CfnOutput(this, 'DocumentsBucketName', { value: refs.documentsBucket.bucketName });
    new CfnOutput(this, 'StagingBucketName', { value: refs.stagingBucket.bucketName });
  }

  private importStateful({ names, dataKey }: StatefulResources): StatefulRefs {
    return {
      table: Table.fromTableAttributes(this, 'EnvelopeTable', {
        tableName: names.table,
        encryptionKey: dataKey,
        globalIndexes: Object.values(INDEXES).map((index) => index.name),
      }),
      documentsBucket: Bucket.fromBucketAttributes(this, 'DocumentsBucket', {
        bucketName: names.documentsBucket,
        encryptionKey: dataKey,
      }),
      stagingBucket: Bucket.fromBucketAttributes(this, 'StagingBucket', {
        bucketName: names.stagingBucket,
        encryptionKey: dataKey,
      }),
      dataKey,
    };
  }

  private addRoute(
    route: RouteManifestEntry,
    fn: NodejsFunction,
    authorizer: TokenAuthorizer,
    validator: RequestValidator,
  ): Method {
    const resource = this.api.root.resourceForPath(route.path);
    const method = resource.addMethod(
      route.method,
      new LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }),
      {
        ...(route.authorized
          ? { authorizer, authorizationType: AuthorizationType.CUSTOM }
          : { authorizationType: AuthorizationType.NONE }),
        requestValidator: validator,
        requestParameters: Object.fromEntries(
          pathParameters(route.path).map((name) => [`method.request.path.${name}`, true]),
        ),
      },
    );
    if (route.authorized) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'Authorized by a Lambda TOKEN authorizer that verifies Cognito ID tokens (issuer, app client, JWKS) with aws-jwt-verify and maps custom:tenant_id and cognito:groups; the same code runs in local mode.',
      });
    } else {
      const reason = `${route.method} ${route.path} is public by design: it serves the OpenAPI description of the API and no data.`;
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason },
        { id: 'AwsSolutions-COG4', reason },
      );
    }
    return method;
  }

  /** A function with its own role, log group, X-Ray tracing and locally bundled ESM code. */
  private createFunction(
    id: string,
    entry: string,
    memorySize: number,
    environment: Record<string, string>,
  ): NodejsFunction {
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: this.config.logRetention,
      removalPolicy: this.config.logRemovalPolicy,
    });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole: it may write to
    // its own log group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Countersign ${this.config.name} ${id} function`,
    });
    logGroup.grantWrite(role);

    const fn = new NodejsFunction(this, id, {
      entry: path.join(REPO_ROOT, entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout: Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module';const require = createRequire(import.meta.url);",
        // Bundle the SDK versions pinned in package-lock.json instead of the runtime's copy.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords, added by active tracing, support no resource-level permissions.',
    });
    return fn;
  }
}

/** Wildcards that grant* methods put into a policy, with the reason each one is acceptable. */
const GRANT_WILDCARDS = {
  'Action::kms:GenerateDataKey*':
    'kms:GenerateDataKey* comes from grant* on the data key (SSE-KMS writes to the table and buckets); the statement names only the data key.',
  'Action::kms:ReEncrypt*':
    'kms:ReEncrypt* comes from grant* on the data key for SSE-KMS encryption; the statement names only the data key.',
  'Action::s3:GetObject*':
    'bucket.grantRead: GetObject, GetObjectVersion and related reads, on the objects of this one bucket only.',
  'Action::s3:GetBucket*': 'bucket.grantRead: bucket metadata reads, on this one bucket only.',
  'Action::s3:List*':
    'bucket.grantRead: listing this one bucket (needed to tell a missing key from a denied one).',
  'Action::s3:Abort*': 'bucket.grantPut: aborting multipart uploads of large PDFs, in this one bucket only.',
  'Action::s3:DeleteObject*':
    'bucket.grantDelete on the staging bucket only: a staged upload is deleted once copied into the locked documents bucket.',
} as const;

type Findings = Map<string, string>;

/** Grants exactly the access the route manifest lists, through grant* methods only. */
function grantRouteAccess(
  fn: NodejsFunction,
  access: RouteManifestEntry['access'],
  refs: StatefulRefs,
): Findings {
  const findings: Findings = new Map();
  const add = (...ids: (keyof typeof GRANT_WILDCARDS)[]) =>
    ids.forEach((id) => findings.set(id, GRANT_WILDCARDS[id]));
  const { table } = refs;
  if (access.table !== 'none') {
    if (access.table === 'read') table.grantReadData(fn);
    if (access.table === 'write') table.grantWriteData(fn);
    if (access.table === 'readwrite') table.grantReadWriteData(fn);
    // Writes to a table encrypted with the data key come with encrypt permissions on it.
    if (access.table !== 'read') add('Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*');
    findings.set(
      `Resource::${nagResourceName(fn, table.tableArn)}/index/*`,
      'The list queries use the three GSIs of the one table; /index/* names exactly those indexes.',
    );
  }
  grantBucket(fn, refs.documentsBucket, access.documents, false, findings, add);
  // Staged uploads are deleted once copied into the documents bucket; documents are WORM and never deleted.
  grantBucket(fn, refs.stagingBucket, access.staging, true, findings, add);
  if (access.dataKey) {
    refs.dataKey.grantEncryptDecrypt(fn);
    add('Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*');
  }
  return findings;
}

function grantBucket(
  fn: NodejsFunction,
  bucket: IBucket,
  access: Access,
  deleteOnReadWrite: boolean,
  findings: Findings,
  add: (...ids: (keyof typeof GRANT_WILDCARDS)[]) => void,
): void {
  if (access === 'none') return;
  if (access === 'read' || access === 'readwrite') {
    bucket.grantRead(fn);
    add('Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*');
  }
  if (access === 'write' || access === 'readwrite') {
    bucket.grantPut(fn);
    // Objects are SSE-KMS: writing them (also through a presigned PUT) needs the data key.
    add('Action::s3:Abort*', 'Action::kms:GenerateDataKey*', 'Action::kms:ReEncrypt*');
  }
  if (access === 'readwrite' && deleteOnReadWrite) {
    bucket.grantDelete(fn);
    add('Action::s3:DeleteObject*');
  }
  findings.set(
    `Resource::${nagResourceName(fn, bucket.bucketArn)}/*`,
    'Object-level actions apply to the objects of this one bucket; keys are chosen per request by the handler.',
  );
}

function pathParameters(resourcePath: string): string[] {
  return [...resourcePath.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] as string);
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
