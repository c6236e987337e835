import { readFileSync } from 'node:fs';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Reads a workflow definition from `workflows/` and makes it runnable by aws-local-stepfunctions:
 *
 * - every `${Key}` substitution is replaced by a local placeholder ARN (every Task is overridden
 *   by a local function, so the ARN only has to be well formed);
 * - each waiting task (`....waitForTaskToken`) gets a constant `TimeoutSeconds` instead of its
 *   `TimeoutSecondsPath`: the library evaluates that path against the Parameters result (AWS reads
 *   the state input) after calling the override, and it runs a real timer; the local token registry
 *   enforces the wait's own deadline through the clock port instead;
 * - timers the library cannot hold are refused: it sets a real `setTimeout` per Task, and Node
 *   fires a delay above 2,147,483 s at once.
 */

/** Longest delay Node's setTimeout holds (2^31 - 1 ms), in whole seconds. */
export const MAX_LOCAL_TIMER_SECONDS = 2_147_483;

/**
 * The constant time-out given to waiting tasks locally (about 23 days). The registry's deadline
 * (the wait the route's task asked for, scaled) always comes first: it caps its own waits below this.
 */
export const LOCAL_WAIT_TIMEOUT_SECONDS = 2_000_000;

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The placeholder ARN a substitution key stands for locally. */
export function localFunctionArn(key: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:countersign-local-${key}`;
}

/** The distinct `${...}` keys a definition text uses, in order of first use. */
export function placeholderKeys(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''))];
}

/** Replaces every `${Key}`; a key without a value is an error, as it is for CDK's substitutions. */
export function substitute(text: string, substitutions: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_whole, key: string) => {
    const value = Object.hasOwn(substitutions, key) ? substitutions[key] : undefined;
    if (value === undefined) throw new Error(`definition uses \${${key}} but no substitution is given`);
    return value;
  });
}

export interface LoadDefinitionOptions {
  /** Values for the `${...}` keys; by default every key gets `localFunctionArn(key)`. */
  substitutions?: Readonly<Record<string, string>>;
  /** The constant time-out for waiting tasks; default LOCAL_WAIT_TIMEOUT_SECONDS. */
  waitTimeoutSeconds?: number;
}

/** Where the local runner reads a waiting task's own time-out from. */
export type WaitTimeoutSource =
  /** The definition's constant `TimeoutSeconds`. */
  | { seconds: number }
  /** The Payload key that carries the value of the definition's `TimeoutSecondsPath`. */
  | { payloadKey: string };

export interface LoadedDefinition {
  /** The definition as the library runs it. */
  definition: StateMachineDefinition;
  /** The waiting tasks, by state name, and where each one's time-out comes from. */
  waitingTasks: Record<string, WaitTimeoutSource>;
}

/** Reads and prepares a definition file for the local runner. */
export function loadDefinition(file: string, options: LoadDefinitionOptions = {}): LoadedDefinition {
  return prepareDefinition(readFileSync(file, 'utf8'), options);
}

/** As loadDefinition, from the definition's text. */
export function prepareDefinition(text: string, options: LoadDefinitionOptions = {}): LoadedDefinition {
  const substitutions =
    options.substitutions ??
    Object.fromEntries(placeholderKeys(text).map((key) => [key, localFunctionArn(key)]));
  const definition = JSON.parse(substitute(text, substitutions)) as StateMachineDefinition;
  if (definition.TimeoutSeconds !== undefined && definition.TimeoutSeconds > MAX_LOCAL_TIMER_SECONDS) {
    throw new Error(
      `the definition's TimeoutSeconds (${definition.TimeoutSeconds}) is above what a local timer can hold ` +
        `(${MAX_LOCAL_TIMER_SECONDS} s)`,
    );
  }
  const waitTimeoutSeconds = options.waitTimeoutSeconds ?? LOCAL_WAIT_TIMEOUT_SECONDS;
  if (!Number.isInteger(waitTimeoutSeconds) || waitTimeoutSeconds < 1) {
    throw new RangeError(`waitTimeoutSeconds must be a positive integer, got ${waitTimeoutSeconds}`);
  }
  if (waitTimeoutSeconds > MAX_LOCAL_TIMER_SECONDS) {
    throw new RangeError(`waitTimeoutSeconds must be at most ${MAX_LOCAL_TIMER_SECONDS}`);
  }
  const waitingTasks: Record<string, WaitTimeoutSource> = {};
  forEachState(definition, (name, state) => {
    if (state.Type !== 'Task') return;
    if (isWaitingTask(state)) {
      waitingTasks[name] = waitTimeoutSource(name, state);
      delete state.TimeoutSecondsPath;
      state.TimeoutSeconds = waitTimeoutSeconds;
    } else if (state.TimeoutSeconds !== undefined && state.TimeoutSeconds > MAX_LOCAL_TIMER_SECONDS) {
      throw new Error(
        `Task ${name} has TimeoutSeconds ${state.TimeoutSeconds}, above what a local timer can hold ` +
          `(${MAX_LOCAL_TIMER_SECONDS} s)`,
      );
    }
  });
  return { definition, waitingTasks };
}

function waitTimeoutSource(name: string, state: Partial<TaskState>): WaitTimeoutSource {
  if (typeof state.TimeoutSeconds === 'number') return { seconds: state.TimeoutSeconds };
  const path = state.TimeoutSecondsPath;
  if (typeof path !== 'string') {
    throw new Error(`waiting task ${name} has neither TimeoutSeconds nor TimeoutSecondsPath`);
  }
  const parameters = state.Parameters;
  const payload =
    parameters && typeof parameters === 'object' && !Array.isArray(parameters)
      ? parameters.Payload
      : undefined;
  const key =
    payload && typeof payload === 'object' && !Array.isArray(payload)
      ? Object.keys(payload).find((k) => k.endsWith('.$') && payload[k] === path)
      : undefined;
  if (!key) {
    throw new Error(
      `waiting task ${name}: its Payload must carry the value of its TimeoutSecondsPath (${path}) too, ` +
        "so the local runner can enforce the wait's deadline",
    );
  }
  return { payloadKey: key.slice(0, -2) };
}

type AnyState = StateMachineDefinition['States'][string];
type TaskState = Extract<AnyState, { Type: 'Task' }>;

/** A task that waits for its task token. */
export function isWaitingTask(state: { Type: string; Resource?: string }): boolean {
  return (
    state.Type === 'Task' &&
    typeof state.Resource === 'string' &&
    state.Resource.endsWith('.waitForTaskToken')
  );
}

/** Visits every state, including those inside Parallel branches and Map processors. */
export function forEachState(
  definition: Pick<StateMachineDefinition, 'States'>,
  visit: (name: string, state: AnyState & Partial<TaskState>) => void,
): void {
  for (const [name, state] of Object.entries(definition.States)) {
    visit(name, state as AnyState & Partial<TaskState>);
    if (state.Type === 'Parallel') for (const branch of state.Branches) forEachState(branch, visit);
    if (state.Type === 'Map') {
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) forEachState(processor, visit);
    }
  }
}
