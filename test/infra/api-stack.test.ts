import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  ENV,
  ROUTE_MANIFEST,
  ROUTE_TASK_MANIFEST,
  SCHEDULED_JOB_ACCESS,
} from '../../functions/api/route-manifest';
import type { RouteTaskManifestEntry } from '../../functions/api/route-manifest';
import { FONTS_DIR, SEAL_CHAIN_KEY, taskTimeoutSeconds } from '../../infra/api-stack';
import { checkStageConfig, stageConfigs } from '../../infra/stages';
import { SIGNING_ROUTE_FILE, TASK_STATES } from '../../workflows/signing-route';
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

/** The same for the function of a Task state of the signing route. */
function devTaskStatements(task: RouteTaskManifestEntry['task']): Record<string, unknown>[] {
  const fn = stages.dev.api.taskFunctions[task];
  if (!fn?.role) throw new Error(`no function for ${task}`);
  return statementsOfRole(dev.json, logicalIdOf(fn.role));
}

/** Every route and route task with its access and the statements of its role (dev stage). */
interface FunctionUnderTest {
  name: string;
  access: RouteTaskManifestEntry['access'];
  statements: () => Record<string, unknown>[];
}
const ALL_FUNCTIONS: FunctionUnderTest[] = [
  ...ROUTE_MANIFEST.map((r) => ({ name: r.name, access: r.access, statements: () => devStatements(r.name) })),
  ...ROUTE_TASK_MANIFEST.map((t) => ({
    name: t.task,
    access: t.access,
    statements: () => devTaskStatements(t.task),
  })),
  {
    name: 'ScheduledJobs',
    access: SCHEDULED_JOB_ACCESS,
    statements: () => statementsOfRole(dev.json, logicalIdOf(stages.dev.api.scheduledJobs.role!)),
  },
];

const DEFINITION = readFileSync(SIGNING_ROUTE_FILE, 'utf8');

describe('api stack: functions', () => {
  it.each(both)(
    '%s: one function per manifest route and per route task, plus the authorizer and the scheduled jobs',
    (stage, { template }) => {
      // (CDK's handler that copies the web apps into their bucket is in the web stack.)
      template.resourceCountIs(
        'AWS::Lambda::Function',
        ROUTE_MANIFEST.length + ROUTE_TASK_MANIFEST.length + 2,
      );
      expect(Object.keys(stages[stage].api.routeFunctions).sort()).toEqual(
        ROUTE_MANIFEST.map((r) => r.name).sort(),
      );
      expect(Object.keys(stages[stage].api.taskFunctions).sort()).toEqual([...TASK_STATES].sort());
      expect(ROUTE_TASK_MANIFEST.map((t) => t.task).sort()).toEqual([...TASK_STATES].sort());
    },
  );

  it.each(both)(
    "%s: the stack stays under CloudFormation's 500 resources, with room for three more routes",
    (_stage, { json }) => {
      const count = Object.keys(json.Resources).length;
      // A route costs about 7 resources (function, role, policy, log group, permission, method, path).
      expect(count, `${count} resources; a new route adds about 7`).toBeLessThanOrEqual(500 - 3 * 7);
    },
  );

  it.each(both)(
    '%s: every function runs nodejs24.x on arm64 with tracing and source maps',
    (_stage, { json }) => {
      // CDK's own web deployment handler aside (its runtime is CDK's choice).
      const functions = Object.entries(json.Resources)
        .filter(
          ([id, r]) => r.Type === 'AWS::Lambda::Function' && !id.startsWith('CustomCDKBucketDeployment'),
        )
        .map(([, r]) => r);
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps' } },
          LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        });
      }
    },
  );

  it('gives the API functions 29 s, the time API Gateway waits', () => {
    const api = stages.dev.api;
    for (const fn of [api.authorizerFunction, ...Object.values(api.routeFunctions)]) {
      expect(functionProps(dev.json, logicalIdOf(fn)).Timeout, fn.node.id).toBe(29);
    }
  });

  it('ends every task function before its Task state times out; the Seal gets the longest', () => {
    const states = (JSON.parse(DEFINITION) as { States: Record<string, { TimeoutSeconds?: number }> }).States;
    const timeouts: Record<string, number> = {};
    for (const task of TASK_STATES) {
      const timeout = functionProps(dev.json, logicalIdOf(stages.dev.api.taskFunctions[task])).Timeout;
      expect(timeout, task).toBe(taskTimeoutSeconds(DEFINITION, task));
      const stateTimeout = states[task]?.TimeoutSeconds;
      if (stateTimeout !== undefined) expect(timeout as number, task).toBeLessThan(stateTimeout);
      timeouts[task] = timeout as number;
    }
    // About 5 minutes (fonts for CJK are large), under the 300 s of the Seal state.
    expect(timeouts.Seal).toBeGreaterThanOrEqual(280);
    expect(timeouts.Seal).toBeLessThanOrEqual(300);
    for (const task of TASK_STATES) {
      if (task !== 'Seal') expect(timeouts[task], task).toBe(60);
    }
  });

  it('gives createEnvelope and verifyDocument 1024 MB, the Seal task 2048 MB and the others 512 MB', () => {
    for (const route of ROUTE_MANIFEST) {
      const props = functionProps(dev.json, logicalIdOf(stages.dev.api.routeFunctions[route.name]!));
      expect(props.MemorySize, route.name).toBe(
        route.name === 'createEnvelope' || route.name === 'verifyDocument' ? 1024 : 512,
      );
    }
    for (const task of TASK_STATES) {
      const props = functionProps(dev.json, logicalIdOf(stages.dev.api.taskFunctions[task]));
      expect(props.MemorySize, task).toBe(task === 'Seal' ? 2048 : 512);
    }
    expect(functionProps(dev.json, logicalIdOf(stages.dev.api.authorizerFunction)).MemorySize).toBe(512);
  });

  it.each(both)('%s: each function has its own role, without managed policies', (stage, { json }) => {
    const api = stages[stage].api;
    const functions = [
      api.authorizerFunction,
      ...Object.values(api.routeFunctions),
      ...Object.values(api.taskFunctions),
    ];
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
  ] as const)('%s: route and task functions get the service configuration', (stage, { json }, mode, days) => {
    const api = stages[stage].api;
    for (const fn of [...Object.values(api.routeFunctions), ...Object.values(api.taskFunctions)]) {
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
    '%s: only sendEnvelope and redriveRoute get the signing route ARN: the state machine itself',
    (stage, { json }) => {
      const api = stages[stage].api;
      const starters = ROUTE_MANIFEST.filter(
        (r) => r.access.workflow === 'start' || r.access.workflow === 'redrive',
      ).map((r) => r.name);
      expect(starters.sort()).toEqual(['redriveRoute', 'sendEnvelope']);
      const functions = [
        ...Object.entries(api.routeFunctions),
        ...Object.entries(api.taskFunctions),
        ['authorizer', api.authorizerFunction] as const,
      ];
      for (const [name, fn] of functions) {
        const variables = variablesOf(json, logicalIdOf(fn));
        if (starters.includes(name)) {
          expect(variables[ENV.signingRouteArn], name).toEqual({ Ref: logicalIdOf(api.signingRoute) });
        } else {
          expect(variables[ENV.signingRouteArn], name).toBeUndefined();
        }
      }
    },
  );

  it.each(both)(
    '%s: only the Seal task gets the seal key, the chain and the fonts directory; the audit export the key and chain; routes that draw into PDFs the fonts',
    (stage, { json }) => {
      const api = stages[stage].api;
      for (const [name, fn] of [
        ...Object.entries(api.routeFunctions),
        ...Object.entries(api.taskFunctions),
      ]) {
        const variables = variablesOf(json, logicalIdOf(fn));
        if (name === 'Seal') {
          expect(variables).toMatchObject({
            [ENV.sealKeyArn]: expect.objectContaining({}),
            [ENV.sealChainKey]: 'seal/chain.pem',
            [ENV.fontsDir]: '/var/task/fonts',
          });
          expect(JSON.stringify(variables[ENV.sealKeyArn])).toContain('SealKey');
        } else if (name === 'getAuditTrail') {
          expect(variables).toMatchObject({ [ENV.sealChainKey]: 'seal/chain.pem' });
          expect(JSON.stringify(variables[ENV.sealKeyArn])).toContain('SealKey');
          expect(variables[ENV.fontsDir]).toBeUndefined();
        } else {
          for (const key of [ENV.sealKeyArn, ENV.sealChainKey]) {
            expect(variables[key], `${name} ${key}`).toBeUndefined();
          }
          const drawsText = ROUTE_MANIFEST.some((r) => r.name === name && r.access.fonts);
          expect(variables[ENV.fontsDir], name).toBe(drawsText ? FONTS_DIR : undefined);
        }
      }
      expect(ROUTE_MANIFEST.filter((r) => r.access.fonts).map((r) => r.name)).toEqual(['createEnvelope']);
      expect(variablesOf(json, logicalIdOf(api.scheduledJobs))[ENV.fontsDir]).toBe(FONTS_DIR);
      expect(SEAL_CHAIN_KEY).toBe('seal/chain.pem');
      expect(FONTS_DIR).toBe('/var/task/fonts');
    },
  );

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

  it.each(ALL_FUNCTIONS.map((f) => [f.name, f] as const))(
    '%s gets exactly the access of the manifest',
    (_name, entry) => {
      const statements = entry.statements();
      const text = JSON.stringify(statements);
      const actions = actionsOf(statements);
      const { table, documents, staging, dataKey, seal, legalHold } = entry.access;

      expect(actions.some((a) => a.startsWith('dynamodb:'))).toBe(table !== 'none');
      expect(actions.some((a) => dynamoWrites.includes(a))).toBe(table === 'write' || table === 'readwrite');
      expect(actions.includes('dynamodb:Query')).toBe(table === 'read' || table === 'readwrite');

      // The seal reads its certificate chain from the documents bucket; legal holds act on its objects.
      expect(text.includes('countersign-dev-documents-')).toBe(
        documents !== 'none' || seal === true || legalHold === true,
      );
      // bucket.grantPut brings s3:PutObjectLegalHold with it; reading holds comes only with legalHold.
      expect(actions.includes('s3:GetObjectLegalHold')).toBe(legalHold === true);
      if (legalHold) expect(actions).toContain('s3:PutObjectLegalHold');
      expect(text.includes('countersign-dev-staging-')).toBe(staging !== 'none');
      const bucketStatements = (bucket: string) =>
        statements.filter((s) => JSON.stringify(s.Resource).includes(bucket));
      const documentActions = actionsOf(bucketStatements('countersign-dev-documents-'));
      const documentStatements = bucketStatements('countersign-dev-documents-');
      const stagingActions = actionsOf(bucketStatements('countersign-dev-staging-'));
      expect(documentActions.includes('s3:GetObject*')).toBe(
        documents === 'read' || documents === 'readwrite' || seal === true,
      );
      // Reads of the documents bucket: all objects, or (the seal) also the certificate chain.
      const readsAllDocuments = documentStatements.some(
        (s) => actionsOf([s]).includes('s3:GetObject*') && JSON.stringify(s.Resource).includes('/*"'),
      );
      expect(readsAllDocuments).toBe(documents === 'read' || documents === 'readwrite');
      expect(text.includes('/seal/chain.pem')).toBe(seal === true);
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
        dataKey || table !== 'none' || documents !== 'none' || staging !== 'none' || seal === true,
      );
      // The seal key: the Seal task only, to sign and to read its public key.
      expect(text.includes('SealKey')).toBe(seal === true);
      const sealKeyActions = actionsOf(
        statements.filter((s) => JSON.stringify(s.Resource).includes('SealKey')),
      );
      expect(sealKeyActions.sort()).toEqual(seal ? ['kms:GetPublicKey', 'kms:Sign'] : []);

      // The signing route: start it, or answer its waiting task; nothing else.
      const stateActions = actions.filter((a) => a.startsWith('states:')).sort();
      expect(stateActions).toEqual(
        entry.access.workflow === 'start'
          ? ['states:StartExecution']
          : entry.access.workflow === 'redrive'
            ? ['states:RedriveExecution', 'states:StartExecution']
            : entry.access.workflow === 'callback'
              ? ['states:SendTaskFailure', 'states:SendTaskSuccess']
              : [],
      );
      // Mail through the stage's SES identity only.
      const sesStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
      if (entry.access.mail) {
        expect(actionsOf(sesStatements).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
        expect(sesStatements.map((s) => s.Resource)).toEqual([
          {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ses:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':identity/countersign-dev@example.com',
              ],
            ],
          },
        ]);
      } else {
        expect(sesStatements).toEqual([]);
      }
      // SMS through SNS: a direct publish to a phone number, by the functions that send codes only.
      const snsStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sns:')));
      if (entry.access.sms) {
        // CDK merges it with the X-Ray statement, which is on "*" too; nothing else shares it.
        expect(actionsOf(snsStatements).filter((a) => !a.startsWith('xray:'))).toEqual(['sns:Publish']);
        expect(snsStatements.map((s) => s.Resource)).toEqual(['*']);
      } else {
        expect(snsStatements).toEqual([]);
      }
      // Schedules of the service's own group, and the scheduler role handed to EventBridge Scheduler only.
      const schedulerStatements = statements.filter((s) =>
        actionsOf([s]).some((a) => a.startsWith('scheduler:') || a === 'iam:PassRole'),
      );
      if (entry.access.schedule) {
        expect(actionsOf(schedulerStatements).sort()).toEqual([
          'iam:PassRole',
          'scheduler:CreateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:UpdateSchedule',
        ]);
        const text = JSON.stringify(schedulerStatements);
        expect(text).toContain(':schedule/countersign-dev/*');
        expect(text).toContain(':role/countersign-dev-scheduler');
        expect(text).toContain('"iam:PassedToService":"scheduler.amazonaws.com"');
      } else {
        expect(schedulerStatements).toEqual([]);
      }
      expect(
        actions.filter(
          (a) => !/^(logs|xray|dynamodb|s3|kms|states|ses|sns|scheduler):/.test(a) && a !== 'iam:PassRole',
        ),
      ).toEqual([]);
    },
  );

  /** The names of the functions (routes and tasks) whose role allows an action (dev stage). */
  const allowedTo = (action: string) =>
    ALL_FUNCTIONS.filter((f) => actionsOf(f.statements()).includes(action))
      .map((f) => f.name)
      .sort();

  it('only the completion task, the contract changes, a new bulk send and the scheduled jobs may schedule', () => {
    expect(allowedTo('scheduler:CreateSchedule')).toEqual([
      'NotifyCompletion',
      'ScheduledJobs',
      'createBulkSend',
      'giveNonRenewalNotice',
      'terminateContract',
    ]);
  });

  it('the scheduled-jobs function has a fixed name; only EventBridge Scheduler of this account may invoke it, through its own role', () => {
    const fnName = `countersign-dev-scheduled-jobs`;
    dev.template.hasResourceProperties('AWS::Lambda::Function', { FunctionName: fnName });
    dev.template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'countersign-dev' });
    dev.template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'countersign-dev-scheduler',
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ],
      },
    });
    const invoker = statementsOfRole(dev.json, logicalIdOf(stages.dev.api.schedulerRole));
    expect(actionsOf(invoker)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(invoker)).toContain(logicalIdOf(stages.dev.api.scheduledJobs));
    // Every function that schedules names the group, the target and the role.
    for (const fn of [stages.dev.api.scheduledJobs, stages.dev.api.taskFunctions.NotifyCompletion]) {
      const env = (dev.json.Resources[logicalIdOf(fn)]!.Properties as any).Environment.Variables;
      expect(env[ENV.scheduleGroup]).toBe('countersign-dev');
      expect(JSON.stringify(env[ENV.scheduledJobArn])).toContain(`:function:${fnName}`);
      expect(JSON.stringify(env[ENV.schedulerRoleArn])).toContain(':role/countersign-dev-scheduler');
    }
  });

  it('only the Seal task and the signed audit export may sign with the seal key', () => {
    expect(allowedTo('kms:Sign')).toEqual(['Seal', 'getAuditTrail']);
    expect(allowedTo('kms:GetPublicKey')).toEqual(['Seal', 'getAuditTrail']);
  });

  it("only sendEnvelope, redriveRoute and the scheduled jobs (a bulk send's rows) start the signing route; only redriveRoute redrives it, on its executions alone", () => {
    expect(allowedTo('states:StartExecution')).toEqual(['ScheduledJobs', 'redriveRoute', 'sendEnvelope']);
    expect(allowedTo('states:RedriveExecution')).toEqual(['redriveRoute']);
    const redrive = devStatements('redriveRoute').filter((s) =>
      actionsOf([s]).includes('states:RedriveExecution'),
    );
    expect(JSON.stringify(redrive.map((s) => s.Resource))).toMatch(/:execution:.*SigningRoute.*:\*/);
  });

  it('only AwaitStep, sign, approve, decline and voidEnvelope answer the waiting task', () => {
    const callers = ['AwaitStep', 'approve', 'decline', 'sign', 'voidEnvelope'].sort();
    expect(allowedTo('states:SendTaskSuccess')).toEqual(callers);
    expect(allowedTo('states:SendTaskFailure')).toEqual(callers);
    expect(allowedTo('states:SendTaskHeartbeat')).toEqual([]);
  });

  it('only the functions that mail may send through SES', () => {
    const mailers = ALL_FUNCTIONS.filter((f) => f.access.mail)
      .map((f) => f.name)
      .sort();
    expect(mailers).toEqual(
      [
        'withdrawConsent',
        'sign',
        'sendAuthCode',
        'resendInvitation',
        'correctRecipient',
        'reassignRecipient',
        'delegate',
        'StartStep',
        'Remind',
        'NotifyCompletion',
        'RecordEnd',
        'ScheduledJobs',
        // SLA breach and compliance alerts to the contract's owners.
        'ingestTickets',
        'zendeskWebhook',
        'jsmWebhook',
      ].sort(),
    );
    expect(allowedTo('ses:SendEmail')).toEqual(mailers);
    expect(allowedTo('ses:SendRawEmail')).toEqual(mailers);
    const authorizer = actionsOf(
      statementsOfRole(dev.json, logicalIdOf(stages.dev.api.authorizerFunction.role!)),
    );
    expect(authorizer.filter((a) => a.startsWith('ses:'))).toEqual([]);
  });

  it('only the function that sends one-time codes may publish SMS through SNS', () => {
    const texters = ALL_FUNCTIONS.filter((f) => f.access.sms).map((f) => f.name);
    expect(texters).toEqual(['sendAuthCode']);
    expect(allowedTo('sns:Publish')).toEqual(['sendAuthCode']);
    const authorizer = actionsOf(
      statementsOfRole(dev.json, logicalIdOf(stages.dev.api.authorizerFunction.role!)),
    );
    expect(authorizer.filter((a) => a.startsWith('sns:'))).toEqual([]);
  });

  it('the callback grants name the signing route by its fixed name, not by a reference', () => {
    for (const name of ['AwaitStep', 'sign', 'approve', 'decline', 'voidEnvelope']) {
      const entry = ALL_FUNCTIONS.find((f) => f.name === name)!;
      const statement = entry.statements().find((s) => actionsOf([s]).includes('states:SendTaskSuccess'));
      expect(statement?.Resource, name).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':states:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':stateMachine:countersign-dev-signing-route',
          ],
        ],
      });
    }
    const start = devStatements('sendEnvelope').find((s) => actionsOf([s]).includes('states:StartExecution'));
    expect(start?.Resource).toEqual({ Ref: logicalIdOf(stages.dev.api.signingRoute) });
  });

  it('mails through the identity of the stage: an address in dev, the domain in prod', () => {
    const prodSes = statementsOfRole(prod.json, logicalIdOf(stages.prod.api.taskFunctions.Remind.role!)).find(
      (s) => actionsOf([s]).includes('ses:SendEmail'),
    );
    expect(JSON.stringify(prodSes?.Resource)).toContain(':identity/example.com"');
    const configs = stageConfigs({});
    expect(configs.dev.mailIdentity).toBe('countersign-dev@example.com');
    expect(configs.prod.mailIdentity).toBe('example.com');
  });

  it('refuses a sender outside the configured SES identity', () => {
    const { dev: config } = stageConfigs({});
    expect(() => checkStageConfig(config)).not.toThrow();
    expect(() => checkStageConfig({ ...config, mailIdentity: 'example.com' })).not.toThrow();
    expect(() =>
      checkStageConfig({ ...config, mailFrom: 'Countersign <countersign-dev@example.com>' }),
    ).not.toThrow();
    expect(() => checkStageConfig({ ...config, mailIdentity: 'example.org' })).toThrow(/SES identity/);
    expect(() => checkStageConfig({ ...config, mailIdentity: 'other@example.com' })).toThrow(/SES identity/);
    expect(() => checkStageConfig({ ...config, mailIdentity: 'ample.com' })).toThrow(/SES identity/);
  });
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

  it('the signer routes, the OpenAPI route, public verification and the SLA webhooks are the only ones without the JWT authorizer', () => {
    const unauthorized = ROUTE_MANIFEST.filter((r) => !r.authorized).map((r) => r.path);
    expect(unauthorized.sort()).toEqual(
      [
        '/v1/openapi.json',
        '/v1/verify',
        '/v1/verify/uploads',
        '/v1/signing/approve',
        '/v1/signing/auth/send',
        '/v1/signing/auth/verify',
        '/v1/signing/consent',
        '/v1/signing/consent/withdraw',
        '/v1/signing/decline',
        '/v1/signing/delegate',
        '/v1/signing/document',
        '/v1/signing/session',
        '/v1/signing/sign',
        // Webhooks: authenticated by the HMAC of the body under the contract's secret.
        '/v1/contracts/{id}/webhooks/zendesk',
        '/v1/contracts/{id}/webhooks/jsm',
        '/v1/contracts/{id}/webhooks/monitoring',
      ].sort(),
    );
    for (const route of ROUTE_MANIFEST) {
      if (route.path.startsWith('/v1/signing/')) expect(route.authorized, route.name).toBe(false);
    }
  });

  it.each(both)(
    '%s: authorized routes use the authorizer (CUSTOM); signer and OpenAPI routes are NONE',
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
    // The values the web stack reads from this one aside.
    expect(
      Object.keys(json.Outputs ?? {})
        .filter((k) => !/^(ExportsOutput|PublishOutput)/.test(k))
        .sort(),
    ).toEqual(
      [
        'ApiUrl',
        'DocumentsBucketName',
        'JwtIssuer',
        'SigningRouteArn',
        'StagingBucketName',
        'TableName',
        'UserPoolClientId',
        'UserPoolId',
      ].sort(),
    );
  });
});

describe('the seal root key', () => {
  it.each(both)(
    '%s: no function of the API stack can reach it (only countersign certs init uses it)',
    (_stage, { json }) => {
      const rootKeyId = logicalIdOf(stages.dev.stateful.rootKey);
      expect(JSON.stringify(json)).not.toContain(rootKeyId);
      expect(JSON.stringify(json)).not.toContain('seal-root');
    },
  );
});
