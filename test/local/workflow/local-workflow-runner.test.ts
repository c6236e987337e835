import { afterEach, describe, expect, it, vi } from 'vitest';
import { fixedClock, systemClock } from '../../../functions/adapters/system';
import { TaskTokenExpiredError } from '../../../functions/adapters/sfn/step-functions-workflow';
import type { Clock } from '../../../functions/core/ports';
import {
  LocalWorkflowRunner,
  PLACEHOLDER_TASK_TOKEN,
  type ExecutionRecord,
} from '../../../functions/local/workflow/local-workflow-runner';
import { ERRORS, ROUTE_LIMITS, SIGNING_ROUTE_WORKFLOW, STATES } from '../../../workflows/signing-route';
import { EnvelopeSimulator, namedError } from './envelope-simulator';

const START = new Date('2030-01-01T00:00:00Z');
/** The wait the simulator's StartStep and Remind return unless told otherwise. */
const DAY_SECONDS = 24 * 60 * 60;
const DAY_MS = DAY_SECONDS * 1000;

const runners: LocalWorkflowRunner[] = [];

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.close()));
});

interface SetupOptions {
  expiresInDays?: number;
  reminderCap?: number;
  retryIntervalOverrides?: Record<string, number | number[]>;
  clock?: Clock & { advance?(ms: number): void };
  timeScale?: number;
}

function setup(steps: string[][], options: SetupOptions = {}) {
  const clock = fixedClock(START);
  const runClock = options.clock ?? clock;
  const sim = new EnvelopeSimulator({
    clock: runClock,
    steps,
    expiresAt: new Date(runClock.now().getTime() + (options.expiresInDays ?? 30) * DAY_MS),
    reminderCap: options.reminderCap,
  });
  const ended: ExecutionRecord[] = [];
  const runner = new LocalWorkflowRunner({
    tasks: sim,
    clock: runClock,
    timeScale: options.timeScale,
    onExecutionEnd: (execution) => ended.push(execution),
    retryIntervalOverrides: options.retryIntervalOverrides,
  });
  sim.connect(runner);
  runners.push(runner);
  return { clock, sim, runner, ended };
}

/** Polls until the assertion holds (the route runs on promises; nothing here sleeps for time to pass). */
function until(assertion: () => void, timeout = 5000): Promise<void> {
  return vi.waitFor(assertion, { timeout, interval: 1 });
}

async function tokenFor(sim: EnvelopeSimulator, step: number, not?: string): Promise<string> {
  let token: string | undefined;
  await until(() => {
    token = sim.storedToken(step);
    expect(token).toBeDefined();
    expect(token).not.toBe(not);
  });
  return token as string;
}

/** Moves the fake clock past one reminder interval and lets the registry time the wait out. */
function passReminderInterval(clock: { advance(ms: number): void }, runner: LocalWorkflowRunner): void {
  clock.advance(DAY_MS);
  expect(runner.checkDeadlines()).toBe(1);
}

const HAPPY_STATES = [
  STATES.Init,
  STATES.ValidateRoute,
  STATES.HasMoreSteps,
  STATES.StartStep,
  STATES.AwaitStep,
  STATES.NextStep,
  STATES.HasMoreSteps,
  STATES.StartStep,
  STATES.AwaitStep,
  STATES.NextStep,
  STATES.HasMoreSteps,
  STATES.Seal,
  STATES.NotifyCompletion,
  STATES.Completed,
];

describe('LocalWorkflowRunner: the signing route', () => {
  it('runs two steps in order (two parallel signers, then one), then seals and notifies', async () => {
    const { sim, runner, ended } = setup([['alice', 'bob'], ['carol']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());

    const token1 = await tokenFor(sim, 1);
    expect(token1).not.toBe(PLACEHOLDER_TASK_TOKEN);
    // Both signers of step 1 are invited together; step 2 waits for them.
    expect(sim.invited.get(1)).toEqual(['alice', 'bob']);
    expect(sim.invited.has(2)).toBe(false);
    await sim.sign('bob');
    expect(sim.storedToken(1)).toBe(token1);
    expect(sim.invited.has(2)).toBe(false);
    await sim.sign('alice');

    const token2 = await tokenFor(sim, 2);
    expect(token2).not.toBe(token1);
    expect(sim.invited.get(2)).toEqual(['carol']);
    await sim.sign('carol');

    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual([
      'StartStep',
      'AwaitStep',
      'StartStep',
      'AwaitStep',
      'Seal',
      'NotifyCompletion',
    ]);
    expect(sim.calls.map((c) => c.payload.step)).toEqual([1, 1, 2, 2, undefined, undefined]);
    expect(sim.calls[1]?.payload).toEqual({
      taskToken: token1,
      tenantId: 'tenant-1',
      envelopeId: 'envelope-1',
      step: 1,
      waitSeconds: DAY_SECONDS,
    });
    expect(sim.calls[4]?.payload).toEqual({ tenantId: 'tenant-1', envelopeId: 'envelope-1' });
    expect(done.states).toEqual(HAPPY_STATES);
    expect(done.output).toEqual({
      tenantId: 'tenant-1',
      envelopeId: 'envelope-1',
      route: { step: 3, stepCount: 2 },
      last: { result: { notified: 3 } },
    });
    expect(sim.sealed && sim.notified).toBe(true);
    expect(runner.pendingTokens()).toEqual([]);
    expect(ended).toEqual([done]);
    expect(runner.executions()).toEqual([done]);
  });

  for (const gate of ['Remind', 'AwaitStep'] as const) {
    it(`never loses a signature that lands while tokens are swapped (held in ${gate})`, async () => {
      const { clock, sim, runner } = setup([['alice']]);
      const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
      const token1 = await tokenFor(sim, 1);
      // For AwaitStep, hold its next call (the wait after the reminder).
      const release = sim.hold(gate);
      passReminderInterval(clock, runner);
      await until(() =>
        expect(sim.taskNames().filter((t) => t === gate).length).toBe(gate === 'Remind' ? 1 : 2),
      );

      // The last signature lands: the stored token has timed out, so its success is too late.
      await sim.sign('alice');
      expect(sim.lateSignals).toHaveLength(1);
      await expect(runner.taskSuccess(token1, {})).rejects.toBeInstanceOf(TaskTokenExpiredError);
      release();

      // The next AwaitStep finds the step finished and completes its own token at once.
      const done = await runner.wait(executionId);
      expect(done.status).toBe('SUCCEEDED');
      expect(sim.taskNames()).toEqual([
        'StartStep',
        'AwaitStep',
        'Remind',
        'AwaitStep',
        'Seal',
        'NotifyCompletion',
      ]);
      expect(sim.calls[3]?.payload.taskToken).not.toBe(token1);
      expect(runner.pendingTokens()).toEqual([]);
    });
  }

  it('reminds after the interval, waits again with a new token and rejects the old one', async () => {
    const { clock, sim, runner } = setup([['alice', 'bob']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    const [pending] = runner.pendingTokens(executionId);
    expect(pending?.deadline).toEqual(new Date(START.getTime() + DAY_MS));
    expect(pending?.label).toEqual({ executionId, state: STATES.AwaitStep });

    // Not yet: one second short of the interval.
    clock.advance(DAY_MS - 1000);
    expect(runner.checkDeadlines()).toBe(0);
    await sim.sign('alice');
    clock.advance(1000);
    expect(runner.checkDeadlines()).toBe(1);

    const token2 = await tokenFor(sim, 1, token1);
    expect(sim.reminders).toEqual([{ step: 1, to: ['bob'] }]);
    await expect(runner.taskSuccess(token1, { step: 1 })).rejects.toBeInstanceOf(TaskTokenExpiredError);
    await expect(runner.taskFailure(token1, ERRORS.Voided, 'late')).rejects.toBeInstanceOf(
      TaskTokenExpiredError,
    );
    expect(runner.pendingTokens(executionId).map((w) => w.token)).toEqual([token2]);
    expect(runner.pendingTokens(executionId)[0]?.deadline).toEqual(new Date(START.getTime() + 2 * DAY_MS));

    await sim.sign('bob');
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual([
      'StartStep',
      'AwaitStep',
      'Remind',
      'AwaitStep',
      'Seal',
      'NotifyCompletion',
    ]);
    expect(done.states.slice(0, 7)).toEqual([
      STATES.Init,
      STATES.ValidateRoute,
      STATES.HasMoreSteps,
      STATES.StartStep,
      STATES.AwaitStep,
      STATES.Remind,
      STATES.AwaitStep,
    ]);
  });

  it('refuses a success that comes after the deadline, even before the deadline was checked', async () => {
    const { clock, sim, runner } = setup([['alice']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    clock.advance(DAY_MS + 1);
    // No checkDeadlines(): the late success itself finds the deadline passed on the clock.
    await expect(runner.taskSuccess(token1, { step: 1 })).rejects.toBeInstanceOf(TaskTokenExpiredError);
    // ...and the wait has timed out: the route reminds and waits again.
    const token2 = await tokenFor(sim, 1, token1);
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'Remind', 'AwaitStep']);
    await runner.taskSuccess(token2, { step: 1 });
    expect((await runner.wait(executionId)).status).toBe('SUCCEEDED');
  });

  it('ignores a duplicate success: it fails and changes nothing', async () => {
    const { sim, runner } = setup([['alice'], ['bob']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    await sim.sign('alice');
    await expect(runner.taskSuccess(token1, { step: 1 })).rejects.toBeInstanceOf(TaskTokenExpiredError);
    await tokenFor(sim, 2);
    await expect(runner.taskSuccess(token1, { step: 1 })).rejects.toBeInstanceOf(TaskTokenExpiredError);
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'StartStep', 'AwaitStep']);
    expect(runner.pendingTokens(executionId)).toHaveLength(1);
    await sim.sign('bob');
    const done = await runner.wait(executionId);
    expect(done.states).toEqual(HAPPY_STATES);
    expect(sim.taskNames()).toEqual([
      'StartStep',
      'AwaitStep',
      'StartStep',
      'AwaitStep',
      'Seal',
      'NotifyCompletion',
    ]);
  });

  it('ends a voided envelope through RecordEnd with Envelope.Voided, inviting no further step', async () => {
    const { sim, runner } = setup([['alice'], ['bob']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    await sim.void('the deal fell through');
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'RecordEnd']);
    expect(sim.calls[2]?.payload).toEqual({
      tenantId: 'tenant-1',
      envelopeId: 'envelope-1',
      step: 1,
      error: ERRORS.Voided,
      cause: 'the deal fell through',
    });
    expect(sim.recordedEnd).toBe(ERRORS.Voided);
    expect(sim.invited.has(2)).toBe(false);
    expect(sim.sealed).toBe(false);
    expect(done.states.slice(-3)).toEqual([STATES.AwaitStep, STATES.RecordEnd, STATES.Ended]);
    await expect(runner.taskSuccess(token1, {})).rejects.toBeInstanceOf(TaskTokenExpiredError);
  });

  it('ends a declined envelope through RecordEnd with Envelope.Declined', async () => {
    const { sim, runner } = setup([['alice'], ['bob', 'carol']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    await tokenFor(sim, 1);
    await sim.sign('alice');
    await tokenFor(sim, 2);
    await sim.sign('bob');
    await sim.decline('carol');
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'StartStep', 'AwaitStep', 'RecordEnd']);
    expect(sim.calls[4]?.payload).toMatchObject({ step: 2, error: ERRORS.Declined, cause: 'carol declined' });
    expect(sim.sealed).toBe(false);
  });

  it('ends a void that lands while tokens are swapped: the next AwaitStep fails its own token', async () => {
    const { clock, sim, runner } = setup([['alice'], ['bob']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    await tokenFor(sim, 1);
    const release = sim.hold('Remind');
    passReminderInterval(clock, runner);
    await until(() => expect(sim.taskNames()).toContain('Remind'));
    await sim.void();
    release();
    const done = await runner.wait(executionId);
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'Remind', 'AwaitStep', 'RecordEnd']);
    expect(sim.recordedEnd).toBe(ERRORS.Voided);
    expect(done.states.at(-1)).toBe(STATES.Ended);
  });

  it('ends an expired envelope when Remind raises Envelope.Expired', async () => {
    const { clock, sim, runner } = setup([['alice']], { expiresInDays: 1.5 });
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    passReminderInterval(clock, runner);
    await tokenFor(sim, 1, token1);
    passReminderInterval(clock, runner);
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'Remind', 'AwaitStep', 'Remind', 'RecordEnd']);
    expect(sim.reminders).toHaveLength(1);
    expect(sim.calls.at(-1)?.payload).toMatchObject({ step: 1, error: ERRORS.Expired });
    expect(runner.pendingTokens()).toEqual([]);
  });

  it('stops reminding at the cap but keeps waiting until a signature (or the expiry)', async () => {
    const { clock, sim, runner } = setup([['alice']], { reminderCap: 2 });
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    let token = await tokenFor(sim, 1);
    for (let i = 0; i < 4; i++) {
      passReminderInterval(clock, runner);
      token = await tokenFor(sim, 1, token);
    }
    expect(sim.taskNames().filter((t) => t === 'Remind')).toHaveLength(4);
    expect(sim.reminders).toHaveLength(2);
    await sim.sign('alice');
    expect((await runner.wait(executionId)).status).toBe('SUCCEEDED');
  });

  it('retries a task that fails with Lambda.TooManyRequestsException, and the route succeeds', async () => {
    const { sim, runner } = setup([['alice']], { retryIntervalOverrides: { Seal: 0, AwaitStep: 0 } });
    sim.failNext('Seal', namedError('Lambda.TooManyRequestsException', 'Rate exceeded'));
    sim.failNext('AwaitStep', namedError('Lambda.ServiceException', 'try again'));
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token = await tokenFor(sim, 1);
    // The failed AwaitStep attempt had its own token, which no longer works.
    const firstToken = sim.calls[1]?.payload.taskToken as string;
    expect(firstToken).not.toBe(token);
    await expect(runner.taskSuccess(firstToken, {})).rejects.toBeInstanceOf(TaskTokenExpiredError);
    await sim.sign('alice');
    const done = await runner.wait(executionId);
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual([
      'StartStep',
      'AwaitStep',
      'AwaitStep',
      'Seal',
      'Seal',
      'NotifyCompletion',
    ]);
    expect(done.states.filter((s) => s === STATES.Seal)).toHaveLength(1);
  });

  it('fails the execution when a task fails with any other error (no retry)', async () => {
    const { sim, runner } = setup([['alice']], { retryIntervalOverrides: { Seal: 0 } });
    sim.failNext('Seal', namedError('Seal.KeyUnavailable', 'the seal key is disabled'));
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    await tokenFor(sim, 1);
    await sim.sign('alice');
    const done = await runner.wait(executionId);
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'Seal.KeyUnavailable',
      cause: 'the seal key is disabled',
    });
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep', 'Seal']);
    expect(sim.notified).toBe(false);
  });

  it('fails the execution once the Lambda service retries are used up', async () => {
    const { sim, runner } = setup([['alice']], { retryIntervalOverrides: { StartStep: 0 } });
    const throttled = () => namedError('Lambda.TooManyRequestsException', 'Rate exceeded');
    sim.failNext('StartStep', throttled(), throttled(), throttled(), throttled());
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const done = await runner.wait(executionId);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Lambda.TooManyRequestsException' });
    // One attempt and MaxAttempts (3) retries.
    expect(sim.taskNames()).toEqual(['StartStep', 'StartStep', 'StartStep', 'StartStep']);
  });

  it('refuses route settings outside ROUTE_LIMITS', async () => {
    const { sim, runner } = setup([['alice']]);
    const inputs = [
      { ...sim.input(), stepCount: 0 },
      { ...sim.input(), stepCount: ROUTE_LIMITS.maxSteps + 1 },
      { ...sim.input(), stepCount: '2' },
    ];
    for (const input of inputs) {
      const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, input);
      const done = await runner.wait(executionId);
      expect(done).toMatchObject({ status: 'FAILED', error: ERRORS.InvalidRoute });
      expect(done.states).toEqual([STATES.Init, STATES.ValidateRoute, STATES.InvalidRoute]);
    }
    expect(sim.calls).toEqual([]);
  });

  it('waits as long as the last StartStep or Remind said: the next due moment, not a fixed interval', async () => {
    const { clock, sim, runner } = setup([['alice']], { expiresInDays: 30 });
    sim.waitSeconds = 7200;
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    expect(runner.pendingTokens(executionId)[0]?.deadline).toEqual(new Date(START.getTime() + 7200_000));
    // Remind says the next moment is 5 hours away, then 3 days.
    sim.waitSeconds = 5 * 3600;
    clock.advance(7200_000 - 1000);
    expect(runner.checkDeadlines()).toBe(0);
    clock.advance(1000);
    expect(runner.checkDeadlines()).toBe(1);
    const token2 = await tokenFor(sim, 1, token1);
    expect(sim.calls.at(-1)?.payload).toMatchObject({ taskToken: token2, waitSeconds: 5 * 3600 });
    expect(runner.pendingTokens(executionId)[0]?.deadline).toEqual(new Date(START.getTime() + 7 * 3600_000));
    sim.waitSeconds = 3 * DAY_SECONDS;
    clock.advance(5 * 3600_000);
    expect(runner.checkDeadlines()).toBe(1);
    await tokenFor(sim, 1, token2);
    expect(runner.pendingTokens(executionId)[0]?.deadline).toEqual(
      new Date(START.getTime() + 7 * 3600_000 + 3 * DAY_MS),
    );
    await sim.sign('alice');
    expect((await runner.wait(executionId)).status).toBe('SUCCEEDED');
    expect(sim.taskNames().filter((t) => t === 'Remind')).toHaveLength(2);
  });

  for (const bad of [0, 1.5, -3]) {
    it(`fails the execution when a task gives waitSeconds ${bad}: a wait needs a positive integer`, async () => {
      const { sim, runner } = setup([['alice']]);
      sim.waitSeconds = bad;
      const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
      const done = await runner.wait(executionId);
      expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
      expect(runner.pendingTokens()).toEqual([]);
    });
  }

  it('starts an execution name once while it runs; refuses it with other input; refuses unknown workflows', async () => {
    const { sim, runner } = setup([['alice']]);
    const input = { ...sim.input(), executionName: 'tenant-1_envelope-1' };
    const first = await runner.start(SIGNING_ROUTE_WORKFLOW, input);
    expect(await runner.start(SIGNING_ROUTE_WORKFLOW, { ...input })).toEqual(first);
    await expect(runner.start(SIGNING_ROUTE_WORKFLOW, { ...input, stepCount: 2 })).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
    await expect(
      runner.start(SIGNING_ROUTE_WORKFLOW, { ...input, executionName: 'has space' }),
    ).rejects.toThrow(/executionName/);
    await expect(runner.start('toString', {})).rejects.toThrow(/no state machine is configured/);
    expect(runner.executions()).toHaveLength(1);
    await tokenFor(sim, 1);
    await sim.sign('alice');
    expect((await runner.wait(first.executionId)).status).toBe('SUCCEEDED');
    await expect(runner.start(SIGNING_ROUTE_WORKFLOW, input)).rejects.toMatchObject({
      name: 'ExecutionAlreadyExists',
    });
  });

  it('rejects every pending token on close, aborting the running executions', async () => {
    const { sim, runner, ended } = setup([['alice']]);
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token = await tokenFor(sim, 1);
    expect(runner.pendingTokens()).toHaveLength(1);
    await runner.close();
    expect(runner.pendingTokens()).toEqual([]);
    const done = await runner.wait(executionId);
    expect(done.status).toBe('ABORTED');
    expect(ended.map((e) => e.status)).toEqual(['ABORTED']);
    await expect(runner.taskSuccess(token, {})).rejects.toBeInstanceOf(TaskTokenExpiredError);
    await expect(runner.start(SIGNING_ROUTE_WORKFLOW, sim.input())).rejects.toThrow(/closed/);
    // Nothing runs on after the abort.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sim.taskNames()).toEqual(['StartStep', 'AwaitStep']);
  });

  it('also settles a task function that never returns, on close', async () => {
    const { sim, runner } = setup([['alice']]);
    sim.hold('StartStep');
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    await until(() => expect(sim.taskNames()).toEqual(['StartStep']));
    await runner.close();
    expect((await runner.wait(executionId)).status).toBe('ABORTED');
  });

  it('scales waits in real time: a one-day wait lasts 50 ms at timeScale 1/1,728,000', async () => {
    const { sim, runner } = setup([['alice']], { clock: systemClock, timeScale: 1 / (DAY_SECONDS * 20) });
    const started = performance.now();
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    const token1 = await tokenFor(sim, 1);
    await tokenFor(sim, 1, token1);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(sim.taskNames()).toContain('Remind');
    await sim.sign('alice');
    expect((await runner.wait(executionId)).status).toBe('SUCCEEDED');
  });

  it('runs a whole route of two steps with two reminders quickly (measured)', async () => {
    const { clock, sim, runner } = setup([['alice', 'bob'], ['carol']]);
    const started = performance.now();
    const { executionId } = await runner.start(SIGNING_ROUTE_WORKFLOW, sim.input());
    let token = await tokenFor(sim, 1);
    passReminderInterval(clock, runner);
    token = await tokenFor(sim, 1, token);
    await sim.sign('alice');
    await sim.sign('bob');
    token = await tokenFor(sim, 2);
    passReminderInterval(clock, runner);
    await tokenFor(sim, 2, token);
    await sim.sign('carol');
    const done = await runner.wait(executionId);
    const elapsed = performance.now() - started;
    expect(done.status).toBe('SUCCEEDED');
    expect(sim.taskNames()).toEqual([
      'StartStep',
      'AwaitStep',
      'Remind',
      'AwaitStep',
      'StartStep',
      'AwaitStep',
      'Remind',
      'AwaitStep',
      'Seal',
      'NotifyCompletion',
    ]);
    console.log(`whole route, 2 steps and 2 reminders: ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(5000);
  });
});
