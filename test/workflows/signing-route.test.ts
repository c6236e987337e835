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

  it('gives every Task a time-out; the waiting task the waitSeconds of the task before it, which its Payload carries too', () => {
    for (const [name, state] of tasks) {
      const has = ['TimeoutSeconds', 'TimeoutSecondsPath'].filter((k) => k in state);
      expect(has, name).toHaveLength(1);
      if (name !== WAITING_TASK) {
        expect(state.TimeoutSeconds).toBeGreaterThan(0);
        expect(state.TimeoutSeconds).toBeLessThanOrEqual(900);
      }
    }
    const wait = DEFINITION.States[WAITING_TASK];
    expect(wait.TimeoutSecondsPath).toBe('$.last.result.waitSeconds');
    expect(wait.Parameters.Payload).toEqual({
      'taskToken.$': '$$.Task.Token',
      'tenantId.$': '$.tenantId',
      'envelopeId.$': '$.envelopeId',
      'step.$': '$.route.step',
      'waitSeconds.$': '$.last.result.waitSeconds',
    });
    // Only StartStep and Remind lead into the wait, and each leaves its result (with waitSeconds)
    // under $.last.result.
    const into = states.filter(([, s]) => s.Next === WAITING_TASK).map(([name]) => name);
    expect(into.sort()).toEqual([STATES.Remind, STATES.StartStep].sort());
    for (const name of into) {
      expect(DEFINITION.States[name].ResultSelector).toEqual({ 'result.$': '$.Payload' });
      expect(DEFINITION.States[name].ResultPath).toBe('$.last');
    }
  });

  it('keeps the execution state small: ids and counters under $.route, the last result under $.last', () => {
    expect(DEFINITION.States[STATES.Init].Parameters).toEqual({
      'tenantId.$': '$.tenantId',
      'envelopeId.$': '$.envelopeId',
      route: { step: 1, 'stepCount.$': '$.stepCount' },
    });
    expect(DEFINITION.States[STATES.NextStep].Parameters).toEqual({
      'step.$': 'States.MathAdd($.route.step, 1)',
      'stepCount.$': '$.route.stepCount',
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

  it('refuses a step count outside ROUTE_LIMITS in ValidateRoute', () => {
    const rules = DEFINITION.States[STATES.ValidateRoute].Choices[0].And as Record<string, unknown>[];
    const bound = (variable: string, op: string) =>
      rules.find((r) => r.Variable === variable && op in r)?.[op];
    expect(bound('$.route.stepCount', 'IsNumeric')).toBe(true);
    expect(bound('$.route.stepCount', 'NumericGreaterThanEquals')).toBe(1);
    expect(bound('$.route.stepCount', 'NumericLessThanEquals')).toBe(ROUTE_LIMITS.maxSteps);
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
 * The waiting task times out only at a due moment (StartStep and Remind return the seconds until
 * the next one, at least 1), so every reminder cycle (a time-out of AwaitStep, then Remind) is one
 * of these, and each happens once:
 *
 * - a reminder slot of a step: a step's recipients share one schedule (first after
 *   `firstAfterHours`, then every `everyHours`), so a slot is one wake-up whatever the number of
 *   recipients; a step has at most `reminderCap` slots, and the caps of all steps add up to at most
 *   `maxReminderRounds` (the create use case refuses `reminders.max` x steps above it, and the tasks
 *   clamp the cap to it);
 * - the expiry warning, once per envelope;
 * - the expiry, which ends the route;
 * - and, to be safe, one spare wake-up per step (a workflow timer that fires more than the tasks'
 *   tolerance before its moment finds nothing due and waits again).
 *
 * Time does not bound the cycles any more: with 1-hour reminders over 360 days it would allow
 * 8,641. Nor would the per-recipient cap alone: 50 steps x 50 reminders.
 */
const MAX_REMINDER_CYCLES = ROUTE_LIMITS.maxReminderRounds + 2 + ROUTE_LIMITS.maxSteps;

describe('the history bound', () => {
  const runners: LocalWorkflowRunner[] = [];
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.close()));
  });

  it('stays under 25,000 events with a margin: 50 steps, the reminder budget, warning, expiry, every retry used', () => {
    expect(MAX_REMINDER_CYCLES).toBe(552);
    const typical = historyEvents(ROUTE_LIMITS.maxSteps, MAX_REMINDER_CYCLES, false);
    const worst = historyEvents(ROUTE_LIMITS.maxSteps, MAX_REMINDER_CYCLES, true);
    // Per state: Pass/Choice/Succeed 2, a Lambda task 5, the waiting task 6, each retry 3 more
    // (3 retries each). Per step: HasMoreSteps 2 + StartStep 5 + AwaitStep 6 + NextStep 2 = 15
    // (33 with retries); per reminder cycle: AwaitStep 6 + Remind 5 = 11 (29 with retries).
    // Execution 2 + prologue 4 + 50 steps x 15 + 552 cycles x 11 + completion 14 = 6,842 without
    // retries; 2 + 4 + 50 x 33 + 552 x 29 + 32 = 17,696 with every Lambda call throttled three times.
    expect(sum(PATH.step, false)).toBe(15);
    expect(sum(PATH.reminderCycle, false)).toBe(11);
    expect(sum(PATH.reminderCycle, true)).toBe(29);
    expect(typical).toBe(6_842);
    expect(worst).toBe(17_696);
    // A margin of 7,304 events (29%) in the worst case.
    expect(25_000 - worst).toBe(7_304);
    expect(worst).toBeLessThanOrEqual(25_000 * 0.75);
    // The defaults (10 reminders per recipient) fit the budget at the most steps.
    expect(ROUTE_LIMITS.maxSteps * 10).toBeLessThanOrEqual(ROUTE_LIMITS.maxReminderRounds);
  });

  it('needs the per-envelope reminder budget: the per-recipient cap alone, or time alone, would not hold', () => {
    // 50 steps x 50 reminders, one wake-up each: over 25,000 even without a single retry.
    const capped = ROUTE_LIMITS.maxSteps * ROUTE_LIMITS.maxReminders + 2 + ROUTE_LIMITS.maxSteps;
    expect(historyEvents(ROUTE_LIMITS.maxSteps, capped, false)).toBe(28_842);
    expect(historyEvents(ROUTE_LIMITS.maxSteps, capped, false)).toBeGreaterThan(25_000);
    // Hourly reminders over the longest expiry, bounded by time only.
    const hourly = ROUTE_LIMITS.maxExpirySeconds / ROUTE_LIMITS.minReminderSeconds + 1;
    expect(historyEvents(ROUTE_LIMITS.maxSteps, hourly, false)).toBeGreaterThan(25_000);
  });

  it('keeps an execution under the one-year limit', () => {
    const year = 365 * 86_400;
    // The waits end by the expiry; what follows (Remind, RecordEnd or Seal, NotifyCompletion,
    // with their retries) takes minutes.
    expect(ROUTE_LIMITS.maxExpirySeconds + 86_400).toBeLessThan(year);
  });

  it('counts the states a local run actually enters the way the bound does', async () => {
    const clock = fixedClock(new Date('2030-01-01T00:00:00Z'));
    const sim = new EnvelopeSimulator({
      clock,
      steps: [['alice'], ['bob'], ['carol']],
      expiresAt: new Date('2030-06-01T00:00:00Z'),
      waitSeconds: ROUTE_LIMITS.minReminderSeconds,
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
