import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
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
import type { UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { BUNDLING } from './bundling';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import {
  AUTHORIZER_ENTRY,
  ENV,
  ROUTE_MANIFEST,
  ROUTE_TASK_MANIFEST,
  SCHEDULED_JOB_ACCESS,
  SCHEDULED_JOB_ENTRY,
} from '../functions/api/route-manifest';
import type { Access, RouteManifestEntry, RouteTaskManifestEntry } from '../functions/api/route-manifest';
import { ROLES } from '../functions/core/access';
import { INDEXES } from '../functions/adapters/dynamodb/table-schema';
import { FONT_FILES } from '../functions/adapters/fonts/node-font-source';
import { SIGNING_ROUTE_FILE, SUBSTITUTIONS, TASK_STATES } from '../workflows/signing-route';
import type { TaskStateName } from '../workflows/signing-route';
import { pinLogicalId } from './stateful-stack';
import type { StatefulNames } from './stateful-stack';
import { nagResourceName } from './nag';
import { checkStageConfig } from './stages';
import type { StageConfig, StageName } from './stages';

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
// verifyDocument parses PDFs of up to 50 MB (a verification upload) in memory.
const MEMORY_MB: Readonly<Record<string, number>> = { createEnvelope: 1024, verifyDocument: 1024 };
/** API Gateway answers after 29 s whatever the function does. */
const ROUTE_TIMEOUT_SECONDS = 29;

/** The Seal task stamps, seals and stores a PDF of up to 50 MB; a CJK font alone is 5-10 MB. */
const SEAL_MEMORY_MB = 2048;
/** Functions that draw text into PDFs (template envelopes): fonts are parsed and subset per request. */
const FONTS_MEMORY_MB = 1024;
/** A scheduled job may render a month's SLA report; schedules retry a job that fails. */
const SCHEDULED_JOB_TIMEOUT_SECONDS = 300;
/**
 * How long each task function may run, at most: the Seal 5 minutes, the others (mail, table) a
 * minute. A task's function must end before its Task state times out (`TimeoutSeconds` in the
 * definition, less TASK_TIMEOUT_MARGIN_SECONDS), so that a time-out never leaves it running after the
 * route gave up on it; see `taskTimeoutSeconds`.
 */
const TASK_TIMEOUT_SECONDS: Readonly<Partial<Record<TaskStateName, number>>> = { Seal: 300 };
const DEFAULT_TASK_TIMEOUT_SECONDS = 60;
export const TASK_TIMEOUT_MARGIN_SECONDS = 10;

/** Object key, in the documents bucket, of the PEM chain of the seal certificate (leaf first). */
export const SEAL_CHAIN_KEY = 'seal/chain.pem';
/** Where the Seal bundle carries the stamp fonts (FONT_FILES, keeping their relative paths). */
export const FONTS_DIR = '/var/task/fonts';
/** The harfbuzz build that `subset-font` loads at run time, with `require.resolve` (not bundled). */
export const HARFBUZZ_WASM = 'harfbuzzjs/dist/harfbuzz-subset.wasm';

/** The fixed name of a stage's signing route (its ARN is built from it: see ApiStack). */
export function signingRouteName(stage: StageName): string {
  return `countersign-${stage}-signing-route`;
}

/** What the API stack needs from the stateful stack (see `StatefulStack`). */
export interface StatefulResources {
  /** Fixed physical names of the table and buckets: referenced by name, not by a cross-stack reference. */
  names: StatefulNames;
  /** The data key encrypting table and buckets (a cross-stack reference: its id is generated). */
  dataKey: IKey;
  /** The asymmetric seal key: only the Seal task and the signed audit export may use it. */
  sealKey: IKey;
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
  sealKey: IKey;
}

/** What the manifest's access flags are granted on, besides the stateful resources. */
interface GrantTargets {
  refs: StatefulRefs;
  /** The signing route's ARN, built from its fixed name (no reference to the state machine). */
  signingRouteArn: string;
  /** The SES identity of the stage's sender. */
  mailIdentityArn: string;
  /** The schedules of the service's group, and the role they run with (names fixed: no cycles). */
  scheduler: { schedulesArn: string; roleArn: string };
}

type FunctionAccess = RouteTaskManifestEntry['access'];

/**
 * Stateless: Cognito, the REST API, its authorizer and one function per route; the signing route
 * (Step Functions) with one function per Task state.
 */
export class ApiStack extends Stack {
  readonly api: RestApi;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** Issuer (`iss`) of the pool's tokens, as the authorizer checks it. */
  readonly jwtIssuer: string;
  readonly authorizerFunction: NodejsFunction;
  /** Route functions by manifest name. */
  readonly routeFunctions: Readonly<Record<string, NodejsFunction>>;
  /** The functions behind the Task states of the signing route, by state name. */
  readonly taskFunctions: Readonly<Record<TaskStateName, NodejsFunction>>;
  /** The signing route: one Standard execution per envelope. */
  readonly signingRoute: StateMachine;
  /** Contract lifecycle jobs: their schedule group, the function the schedules invoke, its invoker role. */
  readonly scheduleGroup: CfnScheduleGroup;
  readonly scheduledJobs: NodejsFunction;
  readonly schedulerRole: Role;
  /**
   * Its ARN as built from the fixed name: what the callback grants name, so that no function the
   * route invokes refers to the state machine resource (that would be a dependency cycle).
   */
  readonly signingRouteArn: string;
  readonly methods: Readonly<Record<string, Method>>;
  /** The signing page and the console behind CloudFront. */
  /** The console's sign-in domain (Cognito hosted login). */
  readonly loginDomain: UserPoolDomain;

  private readonly config: StageConfig;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    checkStageConfig(config);
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
        // The console signs in through the hosted login and comes back to itself.
        callbackUrls: [`${config.publicUrl}/auth/callback`, `${config.publicUrl}/console`],
        logoutUrls: [`${config.publicUrl}/`, `${config.publicUrl}/console`],
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
    this.authorizerFunction = this.createFunction('Authorizer', AUTHORIZER_ENTRY, {
      memorySize: DEFAULT_MEMORY_MB,
      timeoutSeconds: ROUTE_TIMEOUT_SECONDS,
      environment: {
        [ENV.stage]: config.name,
        [ENV.jwtIssuer]: this.jwtIssuer,
        [ENV.jwtAudience]: this.userPoolClient.userPoolClientId,
      },
    });

    const serviceEnvironment: Record<string, string> = {
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

    // The state machine has a fixed name, so its ARN is known before it exists. The callback grants
    // use this string: the task that answers its own wait (AwaitStep) would otherwise close a cycle
    // (state machine -> task function -> its role's policy -> state machine).
    this.signingRouteArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: signingRouteName(config.name),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // Contract lifecycle jobs: one-off EventBridge schedules in the service's group invoke the
    // scheduled-jobs function with a role of their own. Names are fixed so that the functions that
    // schedule (the jobs function among them) name the target without referring to it.
    const scheduleGroupName = `countersign-${config.name}`;
    const scheduledJobsName = `countersign-${config.name}-scheduled-jobs`;
    const schedulerRoleName = `countersign-${config.name}-scheduler`;
    const scheduledJobsArn = this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: scheduledJobsName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const schedulerRoleArn = this.formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: schedulerRoleName,
    });
    const scheduleEnvironment: Record<string, string> = {
      [ENV.scheduleGroup]: scheduleGroupName,
      [ENV.scheduledJobArn]: scheduledJobsArn,
      [ENV.schedulerRoleArn]: schedulerRoleArn,
    };
    const targets: GrantTargets = {
      refs,
      signingRouteArn: this.signingRouteArn,
      mailIdentityArn: this.formatArn({
        service: 'ses',
        resource: 'identity',
        resourceName: config.mailIdentity,
      }),
      scheduler: {
        schedulesArn: this.formatArn({
          service: 'scheduler',
          resource: 'schedule',
          resourceName: `${scheduleGroupName}/*`,
        }),
        roleArn: schedulerRoleArn,
      },
    };

    const routeFunctions: Record<string, NodejsFunction> = {};
    for (const route of ROUTE_MANIFEST) {
      const fonts = route.access.fonts === true;
      const fn = this.createFunction(pascalCase(route.name), route.entry, {
        memorySize: MEMORY_MB[route.name] ?? (fonts ? FONTS_MEMORY_MB : DEFAULT_MEMORY_MB),
        timeoutSeconds: ROUTE_TIMEOUT_SECONDS,
        ...(fonts ? { afterBundling: sealBundleCommands } : {}),
        // A route that signs with the seal key (the signed audit export) reads the key and its chain.
        environment: {
          ...serviceEnvironment,
          ...(route.access.seal
            ? { [ENV.sealKeyArn]: refs.sealKey.keyArn, [ENV.sealChainKey]: SEAL_CHAIN_KEY }
            : {}),
          ...(route.access.schedule ? scheduleEnvironment : {}),
          ...(fonts ? { [ENV.fontsDir]: FONTS_DIR } : {}),
        },
      });
      this.grantAccess(fn, route.access, targets);
      routeFunctions[route.name] = fn;
    }
    this.routeFunctions = routeFunctions;

    // --- Signing route --------------------------------------------------------------------------
    const definition = readFileSync(SIGNING_ROUTE_FILE, 'utf8');
    const taskFunctions = {} as Record<TaskStateName, NodejsFunction>;
    for (const task of ROUTE_TASK_MANIFEST) {
      if (task.access.workflow === 'start') {
        throw new Error(`the route task ${task.task} cannot start the signing route it runs in`);
      }
      const seal = task.access.seal === true;
      const fn = this.createFunction(`${task.task}Task`, task.entry, {
        memorySize: seal ? SEAL_MEMORY_MB : DEFAULT_MEMORY_MB,
        timeoutSeconds: taskTimeoutSeconds(definition, task.task),
        environment: {
          ...serviceEnvironment,
          ...(seal
            ? {
                [ENV.sealKeyArn]: refs.sealKey.keyArn,
                [ENV.sealChainKey]: SEAL_CHAIN_KEY,
                [ENV.fontsDir]: FONTS_DIR,
              }
            : {}),
          // The seal's timestamp (PAdES B-T): only the function that seals calls the TSA.
          ...(task.task === 'Seal' && config.tsaUrl ? { [ENV.tsaUrl]: config.tsaUrl } : {}),
          ...(task.access.schedule ? scheduleEnvironment : {}),
        },
        ...(seal ? { afterBundling: sealBundleCommands } : {}),
      });
      this.grantAccess(fn, task.access, targets);
      taskFunctions[task.task] = fn;
    }
    this.taskFunctions = taskFunctions;

    // --- Scheduled jobs (contract lifecycle) ------------------------------------------------------
    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', { name: scheduleGroupName });
    this.scheduledJobs = this.createFunction('ScheduledJobs', SCHEDULED_JOB_ENTRY, {
      functionName: scheduledJobsName,
      // The monthly report renders a PDF with charts for a month of tickets.
      memorySize: SEAL_MEMORY_MB,
      timeoutSeconds: SCHEDULED_JOB_TIMEOUT_SECONDS,
      environment: { ...serviceEnvironment, ...scheduleEnvironment, [ENV.fontsDir]: FONTS_DIR },
      afterBundling: sealBundleCommands,
    });
    this.grantAccess(this.scheduledJobs, SCHEDULED_JOB_ACCESS, targets);
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      roleName: schedulerRoleName,
      description: `Countersign ${config.name}: EventBridge Scheduler invokes the scheduled-jobs function`,
      // Only schedules of this account may assume it (the confused-deputy guard).
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    this.scheduledJobs.grantInvoke(this.schedulerRole);
    Validations.of(this.schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagResourceName(this.scheduledJobs, this.scheduledJobs.functionArn)}:*]`,
      reason:
        'lambda:InvokeFunction from fn.grantInvoke: the scheduled-jobs function and its versions and aliases (<arn>:*) only.',
    });

    const routeLogs = new LogGroup(this, 'SigningRouteLogs', {
      retention: config.logRetention,
      removalPolicy: config.logRemovalPolicy,
    });
    this.signingRoute = new StateMachine(this, 'SigningRoute', {
      stateMachineName: signingRouteName(config.name),
      stateMachineType: StateMachineType.STANDARD,
      // The definition goes into the template (not an S3 asset) so that it can be read and checked
      // there; CloudFormation substitutes the function ARNs.
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: signingRouteSubstitutions(definition, taskFunctions),
      // Execution data (ids, task results) stays out of the logs; the events and errors are logged.
      logs: { destination: routeLogs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    const routeRole = this.signingRoute.role;
    for (const fn of Object.values(taskFunctions)) {
      fn.grantInvoke(this.signingRoute);
      Validations.of(routeRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(fn, fn.functionArn)}:*]`,
        reason:
          'lambda:InvokeFunction from fn.grantInvoke: the function and its versions and aliases (<arn>:*), of this one task function only.',
      });
    }
    Validations.of(routeRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Log delivery to CloudWatch Logs (logs:CreateLogDelivery and related) and X-Ray tracing (xray:PutTraceSegments and related) support no resource-level permissions.',
    });

    // Functions that start the route refer to the state machine itself (none of them is one of its tasks).
    // The redrive function may also start a sent envelope's route that never started.
    const executions = Stack.of(this).formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.signingRoute.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // A bulk send's rows are sent by the jobs function: it starts each envelope's route.
    if (SCHEDULED_JOB_ACCESS.workflow === 'start') {
      this.signingRoute.grantStartExecution(this.scheduledJobs);
      this.scheduledJobs.addEnvironment(ENV.signingRouteArn, this.signingRoute.stateMachineArn);
    }
    for (const route of ROUTE_MANIFEST) {
      if (route.access.workflow !== 'start' && route.access.workflow !== 'redrive') continue;
      const fn = routeFunctions[route.name]!;
      this.signingRoute.grantStartExecution(fn);
      fn.addEnvironment(ENV.signingRouteArn, this.signingRoute.stateMachineArn);
      if (route.access.workflow !== 'redrive') continue;
      Grant.addToPrincipal({ grantee: fn, actions: ['states:RedriveExecution'], resourceArns: [executions] });
      Validations.of(fn.role!).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${nagResourceName(fn, executions)}]`,
        reason:
          'states:RedriveExecution on the executions of the signing route only: the handler redrives the one execution named after the envelope, which it computes per request.',
      });
    }
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
          "No WAF web ACL by default (fixed monthly cost per deployment): stage throttling fronts every route, and the JWT authorizer or the recipient's signing token (verified by the handler) authorises each; operators can associate a web ACL with the stage.",
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

    // The console's sign-in (Cognito hosted login); the web apps live in their own stack (WebStack).
    this.loginDomain = this.userPool.addDomain('LoginDomain', {
      // A prefix unique to the account and stage (Cognito domain prefixes are global).
      cognitoDomain: { domainPrefix: `countersign-${config.name}-${this.account}` },
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.url });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'JwtIssuer', { value: this.jwtIssuer });
    new CfnOutput(this, 'SigningRouteArn', { value: this.signingRoute.stateMachineArn });
    new CfnOutput(this, 'TableName', { value: refs.table.tableName });
    new CfnOutput(this, 'DocumentsBucketName', { value: refs.documentsBucket.bucketName });
    new CfnOutput(this, 'StagingBucketName', { value: refs.stagingBucket.bucketName });
  }

  private importStateful({ names, dataKey, sealKey }: StatefulResources): StatefulRefs {
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
      sealKey,
    };
  }

  /** Grants a function the access of its manifest entry and acknowledges the wildcards that come with it. */
  private grantAccess(fn: NodejsFunction, access: FunctionAccess, targets: GrantTargets): void {
    for (const [finding, reason] of grantFunctionAccess(fn, access, targets)) {
      Validations.of(fn.role!).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
    }
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
      const reason = unauthenticatedRouteReason(route);
      Validations.of(method).acknowledge(
        { id: 'AwsSolutions-APIG4', reason },
        { id: 'AwsSolutions-COG4', reason },
      );
    }
    return method;
  }

  /** A function with its own role, log group, X-Ray tracing and locally bundled ESM code. */
  private createFunction(id: string, entry: string, options: FunctionOptions): NodejsFunction {
    const { functionName, memorySize, timeoutSeconds, environment, afterBundling } = options;
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
      ...(functionName ? { functionName } : {}),
      entry: path.join(REPO_ROOT, entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize,
      timeout: Duration.seconds(timeoutSeconds),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: { ...environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        ...BUNDLING,
        externalModules: [...BUNDLING.externalModules],
        mainFields: [...BUNDLING.mainFields],
        ...(afterBundling
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling,
              },
            }
          : {}),
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

/**
 * Grants exactly the access a manifest entry (route or route task) lists, through grant* methods;
 * answers the IAM5 findings (wildcards) the grants bring, with their reasons.
 */
function grantFunctionAccess(fn: NodejsFunction, access: FunctionAccess, targets: GrantTargets): Findings {
  const { refs } = targets;
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
  if (access.seal) {
    // Signs the digest of the signed attributes; the public key checks the certificate chain.
    refs.sealKey.grant(fn, 'kms:Sign', 'kms:GetPublicKey');
    refs.documentsBucket.grantRead(fn, SEAL_CHAIN_KEY);
    add('Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*');
  }
  if (access.workflow === 'callback') {
    // Answers the waiting task of an execution by its task token; never starts or stops one.
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
      resourceArns: [targets.signingRouteArn],
    });
  }
  // workflow 'start' is granted on the state machine itself, once it exists (see ApiStack).
  if (access.legalHold) {
    // Object Lock legal holds on the documents' objects: set, release and read, nothing else.
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['s3:PutObjectLegalHold', 's3:GetObjectLegalHold'],
      resourceArns: [refs.documentsBucket.arnForObjects('*')],
    });
    findings.set(
      `Resource::${nagResourceName(fn, refs.documentsBucket.bucketArn)}/*`,
      'Object-level actions apply to the objects of this one bucket; keys are chosen per request by the handler.',
    );
  }
  if (access.sms) {
    // A direct publish to a phone number has no resource ARN: SNS authorises it on `*`.
    Grant.addToPrincipal({ grantee: fn, actions: ['sns:Publish'], resourceArns: ['*'] });
    findings.set(
      'Resource::*',
      'sns:Publish for one-time codes by SMS: a direct publish to a phone number (E.164) has no resource ARN, so SNS authorises it on "*"; only the function that sends codes has it. Also X-Ray PutTraceSegments and PutTelemetryRecords (active tracing), which support no resource-level permissions.',
    );
  }
  if (access.mail) {
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resourceArns: [targets.mailIdentityArn],
    });
  }
  if (access.schedule) {
    // One-off schedules in the service's group, run with the scheduler role (and only handed to
    // EventBridge Scheduler).
    Grant.addToPrincipal({
      grantee: fn,
      actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      resourceArns: [targets.scheduler.schedulesArn],
    });
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [targets.scheduler.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    findings.set(
      `Resource::${nagResourceName(fn, targets.scheduler.schedulesArn)}`,
      "The contract lifecycle's one-off schedules: only schedules of the service's own group, named per contract and job by the handler.",
    );
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

interface FunctionOptions {
  /** A fixed name, for a function whose ARN others need before it exists. */
  functionName?: string;
  memorySize: number;
  timeoutSeconds: number;
  environment: Record<string, string>;
  /** Shell commands run after esbuild, with the asset's input and output directories. */
  afterBundling?: (inputDir: string, outputDir: string) => string[];
}

/** The reason a route without the JWT authorizer is acceptable; a new public route must get one here. */
function unauthenticatedRouteReason(route: RouteManifestEntry): string {
  if (route.path === '/v1/openapi.json') {
    return `${route.method} ${route.path} is public by design: it serves the OpenAPI description of the API and no data.`;
  }
  if (route.path === '/v1/verify' || route.path === '/v1/verify/uploads') {
    return `${route.method} ${route.path} is public by design: anyone holding a sealed PDF may verify it without an account. It reads no tenant data; a verification upload is a presigned PUT of at most 50 MB under the staging bucket's verify/ prefix, deleted once verified (the bucket expires the rest after a day), and the stage's throttling limits abuse.`;
  }
  if (route.path.startsWith('/v1/signing/')) {
    return `${route.method} ${route.path} is a signer route: recipients have no Cognito account, so the handler authorises each request by the recipient's signing token (256-bit random, stored only as its SHA-256 hash), sent in the X-Signing-Token header and never in the URL.`;
  }
  if (/^\/v1\/contracts\/\{id\}\/webhooks\/(zendesk|jsm|monitoring)$/.test(route.path)) {
    return `${route.method} ${route.path} is a webhook: Zendesk, Jira and monitoring systems cannot present a Cognito token, so the handler authenticates each request by the HMAC-SHA256 of its exact body under the contract's webhook secret (256-bit random, created by admin or legal and shown once), compared in constant time, with signed timestamps older than 5 minutes refused; a bad signature gets a 401 without detail, and the stage's throttling limits abuse.`;
  }
  throw new Error(`${route.method} ${route.path} is not authorized and has no reason to be public`);
}

/** The `${...}` placeholders of a definition. */
export function definitionPlaceholders(definition: string): string[] {
  return [...new Set([...definition.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] as string))].sort();
}

/** One substitution per Task state; refuses a definition whose placeholders are not exactly these. */
function signingRouteSubstitutions(
  definition: string,
  taskFunctions: Readonly<Record<TaskStateName, NodejsFunction>>,
): Record<string, string> {
  const substitutions: Record<string, string> = {};
  for (const task of TASK_STATES) {
    const fn = taskFunctions[task];
    if (!fn) throw new Error(`no function for the Task state ${task}`);
    substitutions[SUBSTITUTIONS[task]] = fn.functionArn;
  }
  const placeholders = definitionPlaceholders(definition);
  const keys = Object.keys(substitutions).sort();
  if (JSON.stringify(placeholders) !== JSON.stringify(keys)) {
    throw new Error(
      `the signing route's placeholders (${placeholders.join(', ')}) are not its substitutions (${keys.join(', ')})`,
    );
  }
  return substitutions;
}

/**
 * The time-out of a task's function: its own limit, and under the Task state's `TimeoutSeconds`
 * by TASK_TIMEOUT_MARGIN_SECONDS where the definition sets one (the waiting task has a
 * `TimeoutSecondsPath`: its wait, not the function, is what times out).
 */
export function taskTimeoutSeconds(definition: string, task: TaskStateName): number {
  const states = (JSON.parse(definition) as { States: Record<string, { TimeoutSeconds?: number }> }).States;
  const state = states[task];
  if (!state) throw new Error(`the signing route has no state ${task}`);
  const wanted = TASK_TIMEOUT_SECONDS[task] ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  return state.TimeoutSeconds === undefined
    ? wanted
    : Math.min(wanted, state.TimeoutSeconds - TASK_TIMEOUT_MARGIN_SECONDS);
}

const requireFromRoot = createRequire(path.join(REPO_ROOT, 'package.json'));

/**
 * Files the Seal bundle needs besides index.mjs, as paths relative to the repository root (from)
 * and to the bundle (to):
 * - the stamp fonts, under fonts/ with their FONT_FILES paths (NodeFontSource reads FONTS_DIR);
 * - harfbuzz's wasm, which subset-font reads with `require.resolve(HARFBUZZ_WASM)` at run time.
 *   The bundle's `require` is `createRequire(import.meta.url)` (the banner), so it resolves
 *   /var/task/node_modules/harfbuzzjs/..., through the package.json `exports` of harfbuzzjs.
 */
export function sealBundleFiles(): { from: string; to: string }[] {
  const fromRoot = (absolute: string) => path.relative(REPO_ROOT, absolute).split(path.sep).join('/');
  const fonts = Object.values(FONT_FILES).map((file) => ({
    from: fromRoot(requireFromRoot.resolve(file)),
    to: `fonts/${file}`,
  }));
  // The harfbuzzjs that subset-font itself resolves (it may be nested under subset-font).
  const wasm = createRequire(requireFromRoot.resolve('subset-font')).resolve(HARFBUZZ_WASM);
  const harfbuzzDir = path.dirname(path.dirname(wasm));
  return [
    ...fonts,
    { from: fromRoot(wasm), to: `node_modules/${HARFBUZZ_WASM}` },
    { from: fromRoot(path.join(harfbuzzDir, 'package.json')), to: 'node_modules/harfbuzzjs/package.json' },
    { from: fromRoot(path.join(harfbuzzDir, 'LICENSE')), to: 'node_modules/harfbuzzjs/LICENSE' },
  ];
}

function sealBundleCommands(inputDir: string, outputDir: string): string[] {
  return sealBundleFiles().flatMap(({ from, to }) => {
    const target = `${outputDir}/${to}`;
    return [
      `mkdir -p ${shellQuote(path.posix.dirname(target))}`,
      `cp ${shellQuote(`${inputDir}/${from}`)} ${shellQuote(target)}`,
    ];
  });
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function pathParameters(resourcePath: string): string[] {
  return [...resourcePath.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] as string);
}

function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
