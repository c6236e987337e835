import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { definitionPlaceholders, signingRouteName } from '../../infra/api-stack';
import { SIGNING_ROUTE_FILE, SUBSTITUTIONS, TASK_STATES } from '../../workflows/signing-route';
import {
  actionsOf,
  buildTestApp,
  dependencyCycle,
  logicalIdOf,
  statementsOfRole,
  synthTemplate,
} from './support';
import type { TemplateJson } from './support';

const { stages } = buildTestApp();
const dev = synthTemplate(stages.dev.api);
const prod = synthTemplate(stages.prod.api);
const both = [
  ['dev', dev],
  ['prod', prod],
] as const;

const DEFINITION = readFileSync(SIGNING_ROUTE_FILE, 'utf8');

function stateMachineOf(json: TemplateJson): Record<string, unknown> {
  const machines = Object.values(json.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  expect(machines).toHaveLength(1);
  return machines[0]?.Properties ?? {};
}

describe('signing route state machine', () => {
  it.each(both)('%s: a Standard state machine with a fixed name per stage', (stage, { json }) => {
    expect(stateMachineOf(json)).toMatchObject({
      StateMachineName: `countersign-${stage}-signing-route`,
      StateMachineType: 'STANDARD',
    });
    expect(signingRouteName(stage)).toBe(`countersign-${stage}-signing-route`);
  });

  it.each([
    ['dev', dev, 30],
    ['prod', prod, 365],
  ] as const)(
    '%s: logs every event, without execution data, to its own log group (%i days), and is traced',
    (stage, { json }, days) => {
      const machine = stateMachineOf(json);
      const logGroupId = logicalIdOf(stages[stage].api.node.findChild('SigningRouteLogs'));
      expect(machine).toMatchObject({
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: false,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
        },
        TracingConfiguration: { Enabled: true },
      });
      expect(json.Resources[logGroupId]?.Properties?.RetentionInDays).toBe(days);
    },
  );

  it.each(both)('%s: deploys the definition file as it is, in the template', (_stage, { json }) => {
    expect(stateMachineOf(json).DefinitionString).toBe(DEFINITION);
    expect(stateMachineOf(json).DefinitionS3Location).toBeUndefined();
  });

  it('the substitution keys are exactly the placeholders of the definition file', () => {
    const placeholders = definitionPlaceholders(DEFINITION);
    expect(placeholders.length).toBe(TASK_STATES.length);
    expect(placeholders).toEqual(Object.values(SUBSTITUTIONS).sort());
    for (const { json } of [dev, prod]) {
      const substitutions = stateMachineOf(json).DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(substitutions).sort()).toEqual(placeholders);
    }
    // The helper finds placeholders the way CloudFormation reads them.
    expect(definitionPlaceholders('{"a":"${X}","b":"${Y}","c":"${X}","d":"$.e"}')).toEqual(['X', 'Y']);
  });

  it.each(both)(
    '%s: once substituted, the definition has no ${ left and names each task function',
    (stage, { json }) => {
      const machine = stateMachineOf(json);
      const substitutions = machine.DefinitionSubstitutions as Record<string, unknown>;
      // What CloudFormation does with DefinitionSubstitutions, with a marker for each value.
      let substituted = machine.DefinitionString as string;
      for (const key of Object.keys(substitutions)) {
        substituted = substituted.split(`\${${key}}`).join(`arn-of-${key}`);
      }
      expect(substituted).not.toContain('${');
      const states = (
        JSON.parse(substituted) as { States: Record<string, { Parameters?: { FunctionName?: string } }> }
      ).States;
      for (const task of TASK_STATES) {
        expect(states[task]?.Parameters?.FunctionName, task).toBe(`arn-of-${SUBSTITUTIONS[task]}`);
        expect(substitutions[SUBSTITUTIONS[task]], task).toEqual({
          'Fn::GetAtt': [logicalIdOf(stages[stage].api.taskFunctions[task]), 'Arn'],
        });
      }
    },
  );

  it.each(both)('%s: the state machine may invoke the task functions and nothing else', (stage, { json }) => {
    const api = stages[stage].api;
    const statements = statementsOfRole(json, logicalIdOf(api.signingRoute.role));
    const invoke = statements.filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
    expect(actionsOf(invoke)).toEqual(['lambda:InvokeFunction']);
    const expected = TASK_STATES.flatMap((task) => {
      const arn = { 'Fn::GetAtt': [logicalIdOf(api.taskFunctions[task]), 'Arn'] };
      return [arn, { 'Fn::Join': ['', [arn, ':*']] }];
    });
    const resources = invoke.flatMap((s) => [s.Resource].flat());
    expect(resources).toHaveLength(expected.length);
    expect(resources).toEqual(expect.arrayContaining(expected));
    // Besides: log delivery and X-Ray, which have no resource-level permissions.
    const others = actionsOf(statements.filter((s) => !invoke.includes(s)));
    expect(others.every((a) => /^(logs|xray):/.test(a))).toBe(true);
    expect(others).toContain('logs:CreateLogDelivery');
    expect(others).toContain('xray:PutTraceSegments');
  });

  it.each(both)('%s: the ARN built from the fixed name is the state machine ARN', (stage) => {
    const api = stages[stage].api;
    const resolved = JSON.stringify(Stack.of(api).resolve(api.signingRouteArn));
    expect(resolved).toContain(`:stateMachine:countersign-${stage}-signing-route`);
    expect(resolved).not.toContain(logicalIdOf(api.signingRoute));
  });
});

describe('no dependency cycle', () => {
  it.each(both)('%s: the API template has no cycle among its resources', (_stage, { json }) => {
    expect(dependencyCycle(json)).toBeUndefined();
  });

  it('the stateful templates have none either', () => {
    for (const stage of [stages.dev, stages.prod]) {
      expect(dependencyCycle(synthTemplate(stage.stateful).json)).toBeUndefined();
    }
  });

  it('would find the cycle of a callback grant that referred to the state machine', () => {
    // The tempting grantTaskResponse on the waiting task: state machine -> AwaitStep function ->
    // its role's policy -> state machine. With the template validation of cdk.json the synth fails...
    const strict = buildTestApp();
    strict.stages.dev.api.signingRoute.grantTaskResponse(strict.stages.dev.api.taskFunctions.AwaitStep);
    expect(() => Template.fromStack(strict.stages.dev.api)).toThrow(/Circular dependenc/i);

    // ... and so does the check above, on the same shape of template.
    const json = (resources: Record<string, unknown>) =>
      ({
        Resources: Object.fromEntries(
          Object.entries(resources).map(([id, properties]) => [id, { Type: 'X', Properties: properties }]),
        ),
      }) as TemplateJson;
    const cyclic = json({
      Machine: { Substitutions: { Fn: { 'Fn::GetAtt': ['Task', 'Arn'] } } },
      Task: { Role: { 'Fn::GetAtt': ['TaskRole', 'Arn'] } },
      TaskRole: {},
      TaskPolicy: { Resource: { Ref: 'Machine' }, Roles: [{ Ref: 'TaskRole' }] },
    });
    (cyclic.Resources.Task as { DependsOn?: string[] }).DependsOn = ['TaskPolicy'];
    expect(dependencyCycle(cyclic)).toEqual(['Machine', 'Task', 'TaskPolicy', 'Machine']);
    const fixed = json({
      Machine: { Substitutions: { Fn: { 'Fn::GetAtt': ['Task', 'Arn'] } } },
      Task: { Role: { 'Fn::GetAtt': ['TaskRole', 'Arn'] } },
      TaskRole: {},
      TaskPolicy: { Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:states:::stateMachine:name' } },
    });
    (fixed.Resources.Task as { DependsOn?: string[] }).DependsOn = ['TaskPolicy'];
    expect(dependencyCycle(fixed)).toBeUndefined();
    const viaSub = json({
      A: { X: { 'Fn::Sub': '${B.Arn}' } },
      B: { Y: { 'Fn::Sub': ['${C}', {}] } },
      C: { Ref: 'A' },
    });
    expect(dependencyCycle(viaSub)).toEqual(['A', 'B', 'C', 'A']);
  });
});
