import { afterAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fixedClock } from '../../functions/adapters/system';
import { LocalWorkflowRunner } from '../../functions/local/workflow/local-workflow-runner';
import {
  ENDING_ERRORS,
  ERRORS,
  LAMBDA_SERVICE_ERRORS,
  ROUTE_LIMITS,
  SIGNING_ROUTE_FILE,
  SIGNING_ROUTE_WORKFLOW,
  STATES,
  SUBSTITUTIONS,
  TASK_STATES,
  WAITING_TASK,
} from '../../workflows/signing-route';
import { EnvelopeSimulator } from '../local/workflow/envelope-simulator';

interface AslValidation {
  isValid: boolean;
  errors: { message?: string }[];
  errorsText(separator?: string): string;
}
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => AslValidation;

// asl-validator is CommonJS and ships no types.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const TEXT = readFileSync(SIGNING_ROUTE_FILE, 'utf8');
const DEFINITION = JSON.parse(TEXT) as {
  StartAt: string;
  QueryLanguage?: string;
  States: Record<string, any>;
};
const states = Object.entries(DEFINITION.States);
const tasks = states.filter(([, s]) => s.Type === 'Task');

describe('signing-route.asl.json', () => {
  it('is valid Amazon States Language (asl-validator, paths and ARNs checked)', () => {
    // The validator adds fields to what it is given.
    const result = aslValidator(structuredClone(DEFINITION), { checkPaths: true, checkArn: true });
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is JSONPath, not JSONata', () => {
    expect(DEFINITION.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [, state] of states) expect(state.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('has a substitution for every ${...} placeholder, and a placeholder for every substitution', () => {
    // asl-validator accepts an unsubstituted ${...}: check the pairing here.
    const used = [...TEXT.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]);
    expect([...new Set(used)].sort()).toEqual(Object.values(SUBSTITUTIONS).sort());
    for (const [name, state] of tasks) {
      expect(state.Parameters.FunctionName).toBe(`\${${SUBSTITUTIONS[name as keyof typeof SUBSTITUTIONS]}}`);
    }
  });

  it('uses exactly the state names in STATES, and the Task states in TASK_STATES', () => {
    expect(Object.keys(DEFINITION.States).sort()).toEqual(Object.values(STATES).sort());
    expect(tasks.map(([name]) => name).sort()).toEqual([...TASK_STATES].sort());
    expect(Object.keys(SUBSTITUTIONS).sort()).toEqual([...TASK_STATES].sort());
    expect(DEFINITION.StartAt).toBe(STATES.Init);
    const targets = states.flatMap(([, s]) => [
      s.Next,
      s.Default,
      ...(s.Choices ?? []).map((c: { Next: string }) => c.Next),
      ...(s.Catch ?? []).map((c: { Next: string }) => c.Next),
    ]);
    for (const target of targets.filter(Boolean)) expect(Object.values(STATES)).toContain(target);
  });

  it('calls every Lambda through lambda:invoke (the waiting task through .waitForTaskToken)', () => {
    for (const [name, state] of tasks) {
      expect(state.Resource).toBe(
        name === WAITING_TASK
          ? 'arn:aws:states:::lambda:invoke.waitForTaskToken'
          : 'arn:aws:states:::lambda:invoke',
      );
      expect(state.ResultPath).toBe('$.last');
      expect(state.ResultSelector).toEqual({ 'result.$': name === WAITING_TASK ? '$' : '$.Payload' });
      expect(state.OutputPath).toBeUndefined();
    }
  });

  it('retries every task only on the Lambda service errors, with backoff', () => {
    const retriers = states.flatMap(([, s]) => (s.Retry ?? []) as { ErrorEquals: string[] }[]);
    expect(retriers.flatMap((r) => r.ErrorEquals)).not.toContain('States.ALL');
    expect(retriers.flatMap((r) => r.ErrorEquals)).not.toContain('States.TaskFailed');
    for (const [, state] of tasks) {
      expect(state.Retry).toHaveLength(1);
      const [retrier] = state.Retry;
      expect([...retrier.ErrorEquals].sort()).toEqual([...LAMBDA_SERVICE_ERRORS].sort());
      expect(retrier.MaxAttempts).toBeGreaterThanOrEqual(1);
      expect(retrier.MaxAttempts).toBeLessThanOrEqual(3);
      expect(retrier.IntervalSeconds).toBeGreaterThanOrEqual(1);
      expect(retrier.BackoffRate).toBeGreaterThan(1);
    }
  });

  it('gives every Task a time-out; the waiting task its reminder interval, which its Payload carries too', () => {
    for (const [name, state] of tasks) {
      const has = ['TimeoutSeconds', 'TimeoutSecondsPath'].filter((k) => k in state);
      expect(has, name).toHaveLength(1);
      if (name !== WAITING_TASK) {
        expect(state.TimeoutSeconds).toBeGreaterThan(0);
        expect(state.TimeoutSeconds).toBeLessThanOrEqual(900);
      }
    }
    const wait = DEFINITION.States[WAITING_TASK];
    expect(wait.TimeoutSecondsPath).toBe('$.route.reminderSeconds');
    expect(wait.Parameters.Payload).toEqual({
      'taskToken.$': '$$.Task.Token',
      'tenantId.$': '$.tenantId',
      'envelopeId.$': '$.envelopeId',
      'step.$': '$.route.step',
      'reminderSeconds.$': '$.route.reminderSeconds',
    });
  });

  it('sends a timed-out wait to Remind and back, and catches the ending errors into RecordEnd', () => {
    const wait = DEFINITION.States[WAITING_TASK];
    // The States.Timeout catcher comes first, and nothing catches States.TaskFailed (locally that
    // would also catch the registry's States.Timeout).
    expect(wait.Catch[0]).toEqual({
      ErrorEquals: [ERRORS.Timeout],
      Next: STATES.Remind,
      ResultPath: '$.last',
    });
    expect(DEFINITION.States[STATES.Remind].Next).toBe(WAITING_TASK);
    expect(wait.Next).toBe(STATES.NextStep);
    const catchers = states.flatMap(([, s]) => (s.Catch ?? []) as { ErrorEquals: string[] }[]);
    expect(catchers.flatMap((c) => c.ErrorEquals)).not.toContain('States.TaskFailed');
    expect(catchers.flatMap((c) => c.ErrorEquals)).not.toContain('States.ALL');
    for (const name of [STATES.StartStep, WAITING_TASK, STATES.Remind]) {
      expect(DEFINITION.States[name].Catch).toContainEqual({
        ErrorEquals: [...ENDING_ERRORS],
        Next: STATES.RecordEnd,
        ResultPath: '$.error',
      });
    }
    expect(DEFINITION.States[STATES.RecordEnd].Parameters.Payload).toMatchObject({
      'error.$': '$.error.Error',
      'cause.$': '$.error.Cause',
    });
    expect(DEFINITION.States[STATES.RecordEnd].Next).toBe(STATES.Ended);
    expect(DEFINITION.States[STATES.Ended].Type).toBe('Succeed');
  });

  it('loops over the steps with a Choice and States.MathAdd, not a Map, then seals and notifies', () => {
    expect(states.filter(([, s]) => s.Type === 'Map' || s.Type === 'Parallel')).toEqual([]);
    const choice = DEFINITION.States[STATES.HasMoreSteps];
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([
      { Variable: '$.route.step', NumericLessThanEqualsPath: '$.route.stepCount', Next: STATES.StartStep },
    ]);
    expect(choice.Default).toBe(STATES.Seal);
    expect(DEFINITION.States[STATES.StartStep].Next).toBe(WAITING_TASK);
    const next = DEFINITION.States[STATES.NextStep];
    expect(next.Parameters['step.$']).toBe('States.MathAdd($.route.step, 1)');
    expect(next.ResultPath).toBe('$.route');
    expect(next.Next).toBe(STATES.HasMoreSteps);
    expect(DEFINITION.States[STATES.Seal].Next).toBe(STATES.NotifyCompletion);
    expect(DEFINITION.States[STATES.NotifyCompletion].Next).toBe(STATES.Completed);
  });

  it('refuses settings outside ROUTE_LIMITS in ValidateRoute', () => {
    const rules = DEFINITION.States[STATES.ValidateRoute].Choices[0].And as Record<string, unknown>[];
    const bound = (variable: string, op: string) =>
      rules.find((r) => r.Variable === variable && op in r)?.[op];
    expect(bound('$.route.stepCount', 'NumericGreaterThanEquals')).toBe(1);
    expect(bound('$.route.stepCount', 'NumericLessThanEquals')).toBe(ROUTE_LIMITS.maxSteps);
    expect(bound('$.route.reminderSeconds', 'NumericGreaterThanEquals')).toBe(
      ROUTE_LIMITS.minReminderSeconds,
    );
    expect(bound('$.route.reminderSeconds', 'NumericLessThanEquals')).toBe(ROUTE_LIMITS.maxExpirySeconds);
    expect(DEFINITION.States[STATES.ValidateRoute].Default).toBe(STATES.InvalidRoute);
    expect(DEFINITION.States[STATES.InvalidRoute]).toMatchObject({
      Type: 'Fail',
      Error: ERRORS.InvalidRoute,
    });
  });
});

/**
 * History events Step Functions writes per state (Standard workflows):
 * - Pass, Choice, Succeed: <Type>StateEntered, <Type>StateExited;
 * - a lambda:invoke Task: TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded (or
 *   TaskFailed / TaskTimedOut), TaskStateExited;
 * - a .waitForTaskToken Task: the same plus TaskSubmitted;
 * - each retry of a Task: TaskScheduled, TaskStarted and TaskFailed again;
 * - the execution: ExecutionStarted and ExecutionSucceeded (or ExecutionFailed).
 */
const EVENTS = { execution: 2, pass: 2, choice: 2, succeed: 2, fail: 2, task: 5, waitingTask: 6, retry: 3 };

function eventsOf(name: string, withRetries: boolean): number {
  const state = DEFINITION.States[name];
  if (!state) throw new Error(`no state ${name}`);
  if (state.Type !== 'Task')
    return EVENTS[state.Type.toLowerCase() as 'pass' | 'choice' | 'succeed' | 'fail'];
  const base = name === WAITING_TASK ? EVENTS.waitingTask : EVENTS.task;
  const retries = withRetries
    ? (state.Retry ?? []).reduce((n: number, r: { MaxAttempts?: number }) => n + (r.MaxAttempts ?? 3), 0)
    : 0;
  return base + retries * EVENTS.retry;
}

const sum = (names: string[], withRetries: boolean) =>
  names.reduce((n, s) => n + eventsOf(s, withRetries), 0);

/** The states one routing step passes through, one reminder cycle, and the ends. */
const PATH = {
  prologue: [STATES.Init, STATES.ValidateRoute],
  step: [STATES.HasMoreSteps, STATES.StartStep, WAITING_TASK, STATES.NextStep],
  reminderCycle: [WAITING_TASK, STATES.Remind],
  completion: [STATES.HasMoreSteps, STATES.Seal, STATES.NotifyCompletion, STATES.Completed],
  ending: [STATES.RecordEnd, STATES.Ended],
};

function historyEvents(steps: number, reminderCycles: number, withRetries: boolean): number {
  return (
    EVENTS.execution +
    sum(PATH.prologue, withRetries) +
    steps * sum(PATH.step, withRetries) +
    reminderCycles * sum(PATH.reminderCycle, withRetries) +
    Math.max(sum(PATH.completion, withRetries), sum(PATH.ending, withRetries))
  );
}

/**
 * Every reminder cycle follows a wait that lasted the whole reminder interval, and the waits of
 * one execution follow one another; Remind raises Envelope.Expired at the first cycle at or after
 * the expiry. So an execution has at most ceil(maxExpiry / minInterval) cycles, plus one for a
 * Lambda clock a little behind the Step Functions timer, however many steps it has and whatever
 * the reminder cap (after the cap Remind keeps the loop going without sending).
 */
const MAX_REMINDER_CYCLES = Math.ceil(ROUTE_LIMITS.maxExpirySeconds / ROUTE_LIMITS.minReminderSeconds) + 1;

describe('the history bound', () => {
  const runners: LocalWorkflowRunner[] = [];
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.close()));
  });

  it('stays far below 25,000 events: 50 steps, 1-day reminders, 360-day expiry, every retry used', () => {
    expect(MAX_REMINDER_CYCLES).toBe(361);
    const typical = historyEvents(ROUTE_LIMITS.maxSteps, MAX_REMINDER_CYCLES, false);
    const worst = historyEvents(ROUTE_LIMITS.maxSteps, MAX_REMINDER_CYCLES, true);
    // Execution 2 + prologue 4 + 50 steps x 15 + 361 cycles x 11 + completion 14 without retries;
    // 2 + 4 + 50 x 33 + 361 x 29 + 32 with every Lambda call throttled three times.
    expect(typical).toBe(4_741);
    expect(worst).toBe(12_157);
    expect(worst).toBeLessThanOrEqual(25_000 / 2);
    // Without the minimum interval it would not hold: hourly reminders over 360 days.
    const hourly = Math.ceil(ROUTE_LIMITS.maxExpirySeconds / 3600) + 1;
    expect(historyEvents(ROUTE_LIMITS.maxSteps, hourly, false)).toBeGreaterThan(25_000);
    // Nor would the reminder cap alone (50 steps x 50 reminders, one interval each).
    const capped = ROUTE_LIMITS.maxSteps * (ROUTE_LIMITS.maxRemindersPerStep + 1);
    expect(historyEvents(ROUTE_LIMITS.maxSteps, capped, false)).toBeGreaterThan(25_000);
  });

  it('keeps an execution under the one-year limit', () => {
    const year = 365 * 86_400;
    // The waits end by the expiry; what follows (Remind, RecordEnd or Seal, NotifyCompletion,
    // with their retries) takes minutes.
    expect(ROUTE_LIMITS.maxExpirySeconds + ROUTE_LIMITS.minReminderSeconds).toBeLessThan(year);
  });

  it('counts the states a local run actually enters the way the bound does', async () => {
    const clock = fixedClock(new Date('2030-01-01T00:00:00Z'));
    const sim = new EnvelopeSimulator({
      clock,
      steps: [['alice'], ['bob'], ['carol']],
      expiresAt: new Date('2030-06-01T00:00:00Z'),
    });
    const runner = new LocalWorkflowRunner({ tasks: sim, clock });
    runners.push(runner);
    sim.connect(runner);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const reminders = [2, 0, 1];
    for (const [index, signer] of ['alice', 'bob', 'carol'].entries()) {
      let token = await until(() => sim.storedToken(index + 1));
      for (let r = 0; r < (reminders[index] ?? 0); r++) {
        clock.advance(ROUTE_LIMITS.minReminderSeconds * 1000);
        expect(runner.checkDeadlines()).toBe(1);
        const previous = token;
        token = await until(() => {
          const next = sim.storedToken(index + 1);
          return next !== previous ? next : undefined;
        });
      }
      await sim.sign(signer);
    }
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    const seen = EVENTS.execution + done.states.reduce((n, s) => n + eventsOf(s, false), 0);
    expect(seen).toBe(historyEvents(3, 3, false));
  });
});

async function until<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
