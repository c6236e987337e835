import { fileURLToPath } from 'node:url';

/**
 * Names shared by the signing-route definition (`signing-route.asl.json`), the CDK stack that
 * deploys it, the Lambda handlers its tasks call, the local runner and the tests. Change a name
 * here and in the definition together: a test checks that they agree.
 */

/** Absolute path of the Amazon States Language definition (JSONPath, `${...}` substitutions). */
export const SIGNING_ROUTE_FILE = fileURLToPath(new URL('./signing-route.asl.json', import.meta.url));

/** The name under which the `Workflow` port starts the signing route. */
export const SIGNING_ROUTE_WORKFLOW = 'signing-route';

export const STATES = {
  /** Pass: copies the ids and the route settings into the small execution state. */
  Init: 'Init',
  /** Choice: refuses a step count outside ROUTE_LIMITS, which the history bound relies on. */
  ValidateRoute: 'ValidateRoute',
  /** Fail: the input was outside ROUTE_LIMITS. */
  InvalidRoute: 'InvalidRoute',
  /** Choice: the loop over routing steps (a Choice, not a Map). */
  HasMoreSteps: 'HasMoreSteps',
  /** Task: invites the recipients of `route.step` and returns the first wait. */
  StartStep: 'StartStep',
  /** Task (waitForTaskToken): stores the token against the step and waits for its last signature. */
  AwaitStep: 'AwaitStep',
  /**
   * Task: the wait timed out; does what is due (reminders, the expiry warning, the expiry) and
   * returns the next wait.
   */
  Remind: 'Remind',
  /** Pass: `route.step` + 1. */
  NextStep: 'NextStep',
  /** Task: seals the completed document and stores it. */
  Seal: 'Seal',
  /** Task: emails every party the completed document. */
  NotifyCompletion: 'NotifyCompletion',
  /** Succeed: the envelope was completed and sealed. */
  Completed: 'Completed',
  /** Task: the envelope ended without completion (declined, voided, expired). */
  RecordEnd: 'RecordEnd',
  /** Succeed: the end was recorded. */
  Ended: 'Ended',
} as const;

export type StateName = (typeof STATES)[keyof typeof STATES];

/** The Task states, each backed by one Lambda function (`${<name>FunctionArn}`). */
export const TASK_STATES = [
  STATES.StartStep,
  STATES.AwaitStep,
  STATES.Remind,
  STATES.Seal,
  STATES.NotifyCompletion,
  STATES.RecordEnd,
] as const;

export type TaskStateName = (typeof TASK_STATES)[number];

/** The task that waits for a task token (`lambda:invoke.waitForTaskToken`). */
export const WAITING_TASK: TaskStateName = STATES.AwaitStep;

export const ERRORS = {
  /** The sender voided the envelope: SendTaskFailure on the waiting token, or raised by a task. */
  Voided: 'Envelope.Voided',
  /** A signer declined. */
  Declined: 'Envelope.Declined',
  /** The envelope passed its expiry; raised by Remind (or by StartStep). */
  Expired: 'Envelope.Expired',
  /** The waiting task's time-out: time to remind, warn or expire. */
  Timeout: 'States.Timeout',
  /** The route settings were outside ROUTE_LIMITS (the Fail state's error). */
  InvalidRoute: 'Route.InvalidInput',
} as const;

/** The errors that end an envelope without completion; the route catches them and records the end. */
export const ENDING_ERRORS = [ERRORS.Voided, ERRORS.Declined, ERRORS.Expired] as const;

export type EndingError = (typeof ENDING_ERRORS)[number];

/** The only errors any task retries: Lambda service faults, not the function's own errors. */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

/** `definitionSubstitutions` keys: the ARN of the Lambda function behind each Task state. */
export const SUBSTITUTIONS = {
  StartStep: 'StartStepFunctionArn',
  AwaitStep: 'AwaitStepFunctionArn',
  Remind: 'RemindFunctionArn',
  Seal: 'SealFunctionArn',
  NotifyCompletion: 'NotifyCompletionFunctionArn',
  RecordEnd: 'RecordEndFunctionArn',
} as const satisfies Record<TaskStateName, string>;

/**
 * Bounds on the route's settings. The use case that creates an envelope refuses anything outside
 * them with a clear message, `ValidateRoute` refuses a step count outside them, and the route's
 * tasks clamp what they schedule to them. Together they keep an execution's history under the
 * 25,000-event limit of Step Functions (the worst case is computed in
 * test/workflows/signing-route.test.ts) and its duration under the one-year limit:
 *
 * - `maxSteps`: routing steps per envelope.
 * - `minReminderSeconds`: the shortest reminder interval (first reminder and the ones after it).
 * - `maxReminders`: reminders one recipient gets at most (the per-envelope `reminders.max`).
 * - `maxReminderRounds`: reminder wake-ups per envelope, over all its steps: `reminders.max` times
 *   the number of steps may not exceed it. Every reminder wake-up is one time-out of the waiting
 *   task and one Remind (11 history events, 29 with every Lambda retry used), so the history is
 *   bounded by this budget, not by time: 50 steps x 50 reminders would need 27,500 events for the
 *   wake-ups alone. 500 rounds fit the defaults (10 reminders) at 50 steps.
 * - `maxExpirySeconds`: an envelope expires at most this long after it is sent; Remind (or
 *   StartStep) raises Envelope.Expired once it has.
 */
export const ROUTE_LIMITS = {
  maxSteps: 50,
  maxReminders: 50,
  maxReminderRounds: 500,
  minReminderSeconds: 60 * 60,
  maxExpirySeconds: 360 * 24 * 60 * 60,
} as const;

/** The execution input the route expects. */
export interface SigningRouteInput {
  tenantId: string;
  envelopeId: string;
  /** Routing steps, 1..ROUTE_LIMITS.maxSteps; step n's recipients sign in parallel. */
  stepCount: number;
  /** Optional execution name: starting the same name again does not start a second route. */
  executionName?: string;
}

/** What Seal and NotifyCompletion receive as `Payload`. */
export interface EnvelopePayload {
  tenantId: string;
  envelopeId: string;
}

/** What StartStep and Remind receive as `Payload`. */
export interface StepPayload extends EnvelopePayload {
  /** The routing step, from 1. */
  step: number;
}

/** What AwaitStep receives as `Payload`. */
export interface AwaitStepPayload extends StepPayload {
  /**
   * Store it against the step; the handler that records the step's last signature sends its
   * success, a decline or void its failure. When the step has already finished (or the envelope
   * has ended) by the time the token is stored, send the success (or failure) at once.
   */
  taskToken: string;
  /**
   * How long this wait lasts before it times out (the next reminder, the expiry warning or the
   * expiry): the `waitSeconds` StartStep or Remind returned. The definition passes the same value
   * to `TimeoutSecondsPath`; the local runner reads it from here.
   */
  waitSeconds: number;
}

/**
 * What StartStep and Remind return (as `$.last.result`): the seconds until the next moment the
 * route has something to do for this step, an integer of at least 1.
 */
export interface StepWaitResult {
  step: number;
  waitSeconds: number;
  [key: string]: unknown;
}

/** What RecordEnd receives as `Payload`. */
export interface RecordEndPayload extends StepPayload {
  /** One of ENDING_ERRORS. */
  error: string;
  cause: string;
}

/**
 * The Lambda function behind each Task state. Each returns a small JSON object (ids and counts:
 * it lands in the execution state as `$.last.result`). Errors are named: Remind raises
 * Envelope.Expired once the envelope has expired; any task may raise an ENDING_ERRORS name when it
 * finds the envelope already ended. StartStep and Remind return the next wait (`waitSeconds`).
 */
export interface SigningRouteTasks {
  StartStep(payload: StepPayload): Promise<StepWaitResult>;
  AwaitStep(payload: AwaitStepPayload): Promise<unknown>;
  Remind(payload: StepPayload): Promise<StepWaitResult>;
  Seal(payload: EnvelopePayload): Promise<unknown>;
  NotifyCompletion(payload: EnvelopePayload): Promise<unknown>;
  RecordEnd(payload: RecordEndPayload): Promise<unknown>;
}
