// The polyfill must be evaluated before aws-local-stepfunctions: keep this import first.
import './polyfill';
import { randomUUID } from 'node:crypto';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';
import type { Clock, Workflow } from '../../core/ports';
import {
  SIGNING_ROUTE_FILE,
  SIGNING_ROUTE_WORKFLOW,
  type SigningRouteTasks,
} from '../../../workflows/signing-route';
import {
  forEachState,
  loadDefinition,
  type LoadedDefinition,
  type WaitTimeoutSource,
} from './load-definition';
import { RegistryClosedError, TokenRegistry, type PendingWait } from './token-registry';

/**
 * The `Workflow` port, locally: runs the signing route's definition from `workflows/` with
 * aws-local-stepfunctions, every Task overridden by a local function.
 *
 * - A plain `lambda:invoke` task calls its function with the `Payload` and returns
 *   `{ Payload: result }`, the shape the definition's `$.Payload` selectors expect.
 * - The waiting task (`lambda:invoke.waitForTaskToken`) registers a wait under a fresh token,
 *   calls its function with the token in place of the placeholder `$$.Task.Token` resolves to,
 *   and then waits for the registry: `taskSuccess`/`taskFailure` settle the wait, and the
 *   registry times it out (`States.Timeout`) when its deadline passes on the clock.
 * - Time: waits last their time-out times `timeScale` on the clock. With a fake clock, move the
 *   clock and call `checkDeadlines()`; with the system clock, scaled real timers do it.
 * - `close()` aborts the running executions and rejects every pending token, so that the library's
 *   own per-task timers are cleared and the process can exit. Executions live in memory only: after
 *   a restart the service has to start again the routes of envelopes still in flight.
 */

/** What `$$.Task.Token` resolves to locally; each wait swaps it for a fresh token. */
/** How long close() waits for task functions still running. */
const CLOSE_GRACE_MS = 10_000;

export const PLACEHOLDER_TASK_TOKEN = 'local-placeholder-task-token';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  executionId: string;
  workflow: string;
  input: unknown;
  status: ExecutionStatus;
  startedAt: Date;
  stoppedAt?: Date;
  /** The execution's output, when it succeeded. */
  output?: unknown;
  /** The error name and cause, when it failed. */
  error?: string;
  cause?: string;
  /** Names of the states entered, in order (a state entered again appears again). */
  states: string[];
  /** How many times the execution was redriven after it failed. */
  redriveCount?: number;
}

export interface LocalWorkflowRunnerOptions {
  /** The local function behind each Task state, by state name. */
  tasks: SigningRouteTasks;
  clock: Clock;
  /** Clock time per workflow time: 1 / 172800 turns 48 hours of waiting into one second. Default 1. */
  timeScale?: number;
  /** Called once per execution when it stops (succeeded, failed or aborted). */
  onExecutionEnd?: (execution: ExecutionRecord) => void;
  /** Per-state pause before a retry, in ms (the library's override): keeps retries fast in tests. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** The definition file; default the signing route. */
  definitionFile?: string;
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type LocalHandler = LocalHandlers[string];
type JsonValue = Parameters<LocalHandler>[0];
type TaskFunction = (payload: unknown) => Promise<unknown>;

interface Run {
  record: ExecutionRecord;
  abort(): void;
  /** The library has settled the execution's result. */
  settled: boolean;
  aborted: boolean;
  done: Promise<ExecutionRecord>;
}

/** Step Functions execution names: 1-80 characters; the same subset the AWS adapter allows. */
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

export class LocalWorkflowRunner implements Workflow {
  /** The task tokens; exposed for tests and for the service's status page. */
  readonly registry: TokenRegistry;
  private readonly clock: Clock;
  private readonly loaded: LoadedDefinition;
  private readonly machine: StateMachine;
  private readonly tasks: Record<string, TaskFunction> = {};
  private readonly taskStates: string[] = [];
  private readonly onExecutionEnd: ((execution: ExecutionRecord) => void) | undefined;
  private readonly retryIntervalOverrides: Record<string, number | number[]> | undefined;
  private readonly runs = new Map<string, Run>();
  private closed = false;
  /** Rejecters of the task calls in flight, so that close() can settle them. */
  private readonly inFlight = new Set<(error: Error) => void>();
  /** Task functions still running: close() lets them finish before the stores behind them go away. */
  private readonly working = new Set<Promise<unknown>>();

  constructor(options: LocalWorkflowRunnerOptions) {
    this.clock = options.clock;
    this.registry = new TokenRegistry({ clock: options.clock, timeScale: options.timeScale });
    this.loaded = loadDefinition(options.definitionFile ?? SIGNING_ROUTE_FILE);
    this.machine = machineFor(this.loaded);
    this.onExecutionEnd = options.onExecutionEnd;
    this.retryIntervalOverrides = options.retryIntervalOverrides;
    const given = options.tasks as unknown as Record<string, unknown>;
    forEachState(this.loaded.definition, (name, state) => {
      if (state.Type !== 'Task') return;
      const fn = given[name];
      if (typeof fn !== 'function') throw new Error(`no local function is given for Task ${name}`);
      // Bound, so that a class instance can serve as the task map.
      this.tasks[name] = (fn as TaskFunction).bind(options.tasks);
      this.taskStates.push(name);
    });
  }

  async start(name: string, input: unknown): Promise<{ executionId: string }> {
    if (this.closed) throw new Error('the local workflow runner is closed');
    if (name !== SIGNING_ROUTE_WORKFLOW)
      throw new Error(`no state machine is configured for workflow "${name}"`);
    const json = toJson(input ?? {});
    const executionName = executionNameOf(json);
    if (executionName !== undefined) {
      const existing = this.runs.get(executionArn(name, executionName));
      if (existing) {
        // Standard workflows: the same name and input while running is the same execution.
        if (
          existing.record.status === 'RUNNING' &&
          JSON.stringify(existing.record.input) === JSON.stringify(json)
        ) {
          return { executionId: existing.record.executionId };
        }
        throw namedError('ExecutionAlreadyExists', `execution ${executionName} already exists`);
      }
    }
    const executionId = executionArn(name, executionName ?? randomUUID());
    const record: ExecutionRecord = {
      executionId,
      workflow: name,
      input: json,
      status: 'RUNNING',
      startedAt: this.clock.now(),
      states: [],
    };
    this.launch(record);
    return { executionId };
  }

  /**
   * Runs a failed or aborted execution again under the same id, as RedriveExecution does in AWS.
   * Locally it runs from the start state rather than from the state that failed: every task reads
   * the envelope's log and does only what is not yet recorded, so the states before the failure
   * pass through without sending anything again.
   */
  async redrive(name: string, executionName: string): Promise<'redriven' | 'not_found' | 'not_redrivable'> {
    if (this.closed) throw new Error('the local workflow runner is closed');
    const run = this.runs.get(executionArn(name, executionName));
    if (!run) return 'not_found';
    if (run.record.status !== 'FAILED' && run.record.status !== 'ABORTED') return 'not_redrivable';
    const record = run.record;
    record.status = 'RUNNING';
    record.redriveCount = (record.redriveCount ?? 0) + 1;
    delete record.stoppedAt;
    delete record.error;
    delete record.cause;
    this.launch(record);
    return 'redriven';
  }

  private launch(record: ExecutionRecord): void {
    const { executionId } = record;
    const json = record.input;
    const execution = this.machine.run(json as JsonValue, {
      context: { Task: { Token: PLACEHOLDER_TASK_TOKEN } },
      overrides: {
        taskResourceLocalHandlers: this.handlersFor(executionId),
        ...(this.retryIntervalOverrides ? { retryIntervalOverrides: this.retryIntervalOverrides } : {}),
      },
      noThrowOnAbort: true,
    });
    const run: Run = {
      record,
      abort: execution.abort,
      settled: false,
      aborted: false,
      done: undefined as never,
    };
    const events = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered') record.states.push(event.state.name);
      }
    })();
    const outcome = execution.result.then(
      (output) => {
        run.settled = true;
        return { ok: true as const, output };
      },
      (error: unknown) => {
        run.settled = true;
        return { ok: false as const, error };
      },
    );
    run.done = Promise.all([outcome, events]).then(([result]) => {
      if (run.aborted) record.status = 'ABORTED';
      else if (result.ok) {
        record.status = 'SUCCEEDED';
        record.output = result.output;
      } else {
        // The library wraps the state's error in an ExecutionError; the state's error is its cause.
        const cause = (result.error as { cause?: unknown }).cause ?? result.error;
        record.status = 'FAILED';
        record.error = errorName(cause);
        record.cause = cause instanceof Error ? cause.message : String(cause);
      }
      record.stoppedAt = this.clock.now();
      const snapshot = copy(record);
      try {
        this.onExecutionEnd?.(snapshot);
      } catch (error) {
        console.error('onExecutionEnd failed', error);
      }
      return snapshot;
    });
    this.runs.set(executionId, run);
  }

  async taskSuccess(token: string, output: unknown): Promise<void> {
    this.registry.succeed(token, toJson(output ?? {}));
  }

  async taskFailure(token: string, error: string, cause: string): Promise<void> {
    this.registry.fail(token, error, cause);
  }

  /** Times out the waits whose deadline the clock has reached (after moving a fake clock). */
  checkDeadlines(): number {
    return this.registry.checkDeadlines();
  }

  /** Pending waits, optionally of one execution. */
  pendingTokens(executionId?: string): PendingWait[] {
    return this.registry.pending(
      (wait) => executionId === undefined || wait.label.executionId === executionId,
    );
  }

  /** Every execution started, oldest first (copies). */
  executions(): ExecutionRecord[] {
    return [...this.runs.values()].map((run) => copy(run.record));
  }

  /** The execution once it has stopped. */
  async wait(executionId: string): Promise<ExecutionRecord> {
    const run = this.runs.get(executionId);
    if (!run) throw new Error(`no execution ${executionId}`);
    return run.done;
  }

  /** Aborts every running execution and rejects every pending token; new starts are refused. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const run of this.runs.values()) {
        if (!run.settled) {
          run.aborted = true;
          run.abort();
        }
      }
      // Settle what the library still awaits, so that it clears its per-task timers.
      for (const reject of [...this.inFlight]) reject(new RegistryClosedError());
      this.inFlight.clear();
      this.registry.rejectAll();
    }
    await Promise.all([...this.runs.values()].map((run) => run.done));
    // A task (a seal, a mail) may still be at work after its execution was aborted; give it a
    // bounded time to finish, so it does not write to stores that are closing.
    const grace = new Promise((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref());
    await Promise.race([Promise.allSettled([...this.working]), grace]);
  }

  private handlersFor(executionId: string): LocalHandlers {
    const handlers: LocalHandlers = {};
    for (const name of this.taskStates) {
      const fn = this.tasks[name] as TaskFunction;
      const wait = this.loaded.waitingTasks[name];
      handlers[name] = wait
        ? (input) => this.runWaitingTask(executionId, name, fn, wait, input)
        : (input) => this.runTask(fn, input);
    }
    return handlers;
  }

  private async runTask(fn: TaskFunction, input: JsonValue): Promise<JsonValue> {
    const result = await this.untilShutdown(this.track(call(fn, payloadOf(input))));
    // A Lambda function that returns nothing gives `Payload: null`.
    return { Payload: result === undefined ? null : (toJson(result) as JsonValue) };
  }

  private async runWaitingTask(
    executionId: string,
    state: string,
    fn: TaskFunction,
    source: WaitTimeoutSource,
    input: JsonValue,
  ): Promise<JsonValue> {
    const payload = payloadOf(input);
    const seconds = 'seconds' in source ? source.seconds : timeoutFrom(payload, source.payloadKey, state);
    const wait = this.registry.register(seconds, { executionId, state });
    try {
      await this.untilShutdown(this.track(call(fn, withToken(payload, wait.token, state))));
    } catch (error) {
      this.registry.discard(wait.token);
      throw error;
    }
    return toJson(await this.untilShutdown(wait.result)) as JsonValue;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.working.add(promise);
    const forget = () => this.working.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** The promise, or a rejection when the runner closes first. */
  private untilShutdown<T>(promise: Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RegistryClosedError());
    return new Promise<T>((resolve, reject) => {
      this.inFlight.add(reject);
      promise.then(
        (value) => {
          this.inFlight.delete(reject);
          resolve(value);
        },
        (error: unknown) => {
          this.inFlight.delete(reject);
          reject(error);
        },
      );
    });
  }
}

/**
 * Constructing a StateMachine validates the definition, which takes a few hundred milliseconds;
 * a machine holds no execution state, so one per definition serves every runner in the process.
 */
const machines = new Map<string, StateMachine>();

function machineFor(loaded: LoadedDefinition): StateMachine {
  const key = JSON.stringify(loaded.definition);
  let machine = machines.get(key);
  if (!machine) {
    machine = new StateMachine(loaded.definition);
    machines.set(key, machine);
  }
  return machine;
}

function executionArn(workflow: string, name: string): string {
  return `arn:aws:states:local:000000000000:execution:${workflow}:${name}`;
}

function executionNameOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || !('executionName' in input)) return undefined;
  const name = (input as { executionName: unknown }).executionName;
  if (typeof name !== 'string' || !EXECUTION_NAME.test(name)) {
    throw new Error(
      `executionName must be 1-80 characters of A-Z, a-z, 0-9, - and _, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The `Payload` of a `lambda:invoke` Parameters result. */
function payloadOf(input: unknown): Record<string, unknown> {
  const payload = (input as { Payload?: unknown } | null)?.Payload;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw namedError('States.Runtime', 'a lambda:invoke task needs an object Payload in its Parameters');
  }
  return payload as Record<string, unknown>;
}

function timeoutFrom(payload: Record<string, unknown>, key: string, state: string): number {
  const value = payload[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw namedError(
      'States.Runtime',
      `${state}: Payload.${key} must be a positive integer (the wait's time-out)`,
    );
  }
  return value;
}

/** The payload with the placeholder token replaced by the wait's own. */
function withToken(payload: Record<string, unknown>, token: string, state: string): Record<string, unknown> {
  let found = false;
  const result = Object.fromEntries(
    Object.entries(payload).map(([key, value]) => {
      if (value !== PLACEHOLDER_TASK_TOKEN) return [key, value];
      found = true;
      return [key, token];
    }),
  );
  if (!found) throw namedError('States.Runtime', `${state}: its Payload does not pass $$.Task.Token`);
  return result;
}

async function call(fn: TaskFunction, payload: unknown): Promise<unknown> {
  try {
    return await fn(payload);
  } catch (error) {
    throw error instanceof Error ? error : new Error(String(error));
  }
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

function errorName(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** JSON round trip: what a Lambda result or SendTaskSuccess output becomes on the way. */
function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function copy(record: ExecutionRecord): ExecutionRecord {
  return { ...record, states: [...record.states] };
}
