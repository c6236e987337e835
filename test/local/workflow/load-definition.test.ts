import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  LOCAL_WAIT_TIMEOUT_SECONDS,
  MAX_LOCAL_TIMER_SECONDS,
  loadDefinition,
  localFunctionArn,
  placeholderKeys,
  prepareDefinition,
  substitute,
} from '../../../functions/local/workflow/load-definition';
import { SIGNING_ROUTE_FILE, STATES, SUBSTITUTIONS, WAITING_TASK } from '../../../workflows/signing-route';

const waitingDefinition = (task: Record<string, unknown>) =>
  JSON.stringify({
    StartAt: 'W',
    States: {
      W: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: {
          FunctionName: '${Fn}',
          Payload: { 'taskToken.$': '$$.Task.Token', 'wait.$': '$.wait' },
        },
        End: true,
        ...task,
      },
    },
  });

describe('loadDefinition', () => {
  it('substitutes every ${...} with a local ARN and gives the waiting task a constant time-out', () => {
    const { definition, waitingTasks } = loadDefinition(SIGNING_ROUTE_FILE);
    const text = JSON.stringify(definition);
    expect(text).not.toContain('${');
    const seal = definition.States[STATES.Seal] as unknown as { Parameters: { FunctionName: string } };
    expect(seal.Parameters.FunctionName).toBe(localFunctionArn(SUBSTITUTIONS.Seal));
    const wait = definition.States[WAITING_TASK] as unknown as {
      TimeoutSeconds?: number;
      TimeoutSecondsPath?: string;
    };
    expect(wait.TimeoutSecondsPath).toBeUndefined();
    expect(wait.TimeoutSeconds).toBe(LOCAL_WAIT_TIMEOUT_SECONDS);
    expect(LOCAL_WAIT_TIMEOUT_SECONDS).toBeLessThanOrEqual(MAX_LOCAL_TIMER_SECONDS);
    expect(waitingTasks).toEqual({ [WAITING_TASK]: { payloadKey: 'waitSeconds' } });
  });

  it('lists and substitutes placeholders, refusing one without a value', () => {
    const text = readFileSync(SIGNING_ROUTE_FILE, 'utf8');
    expect(placeholderKeys(text).sort()).toEqual(Object.values(SUBSTITUTIONS).sort());
    expect(substitute('a ${X} b ${X}', { X: '1' })).toBe('a 1 b 1');
    expect(() => substitute('${Y}', { X: '1' })).toThrow(/\$\{Y\}/);
    expect(() => substitute('${toString}', {})).toThrow(/no substitution/);
  });

  it('needs the waiting task to carry its TimeoutSecondsPath value in its Payload', () => {
    expect(prepareDefinition(waitingDefinition({ TimeoutSecondsPath: '$.wait' })).waitingTasks).toEqual({
      W: { payloadKey: 'wait' },
    });
    expect(prepareDefinition(waitingDefinition({ TimeoutSeconds: 30 })).waitingTasks).toEqual({
      W: { seconds: 30 },
    });
    expect(() => prepareDefinition(waitingDefinition({ TimeoutSecondsPath: '$.other' }))).toThrow(
      /Payload must carry the value of its TimeoutSecondsPath/,
    );
    expect(() => prepareDefinition(waitingDefinition({}))).toThrow(/neither TimeoutSeconds nor/);
  });

  it('refuses time-outs a local timer cannot hold', () => {
    const task = JSON.stringify({
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', TimeoutSeconds: 3_000_000, End: true },
      },
    });
    expect(() => prepareDefinition(task)).toThrow(/above what a local timer can hold/);
    expect(() =>
      prepareDefinition(waitingDefinition({ TimeoutSeconds: 30 }), { waitTimeoutSeconds: 3_000_000 }),
    ).toThrow(RangeError);
  });
});
