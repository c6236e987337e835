import type { Clock, Workflow } from '../../../functions/core/ports';
import { TaskTokenExpiredError } from '../../../functions/adapters/sfn/step-functions-workflow';
import {
  ERRORS,
  ROUTE_LIMITS,
  type AwaitStepPayload,
  type EndingError,
  type EnvelopePayload,
  type RecordEndPayload,
  type SigningRouteTasks,
  type StepPayload,
  type StepWaitResult,
} from '../../../workflows/signing-route';

/**
 * An in-memory envelope that plays the signing route's Lambda functions the way the real
 * handlers are meant to: AwaitStep stores its token unless the step has already finished (then it
 * completes its own token at once) or the envelope has ended (then it fails it); the last
 * signature of a step sends the task success for the stored token; decline and void send a
 * failure; Remind reminds up to a cap and raises Envelope.Expired after the expiry. StartStep and
 * Remind return the next wait: `waitSeconds` (one day unless told otherwise), never past the expiry.
 */

export interface TaskCall {
  task: keyof SigningRouteTasks;
  payload: Record<string, unknown>;
}

export interface SimulatorOptions {
  clock: Clock;
  /** Recipients of each routing step, in order. */
  steps: string[][];
  expiresAt: Date;
  reminderCap?: number;
  /** The wait StartStep and Remind return; default one day. */
  waitSeconds?: number;
  tenantId?: string;
  envelopeId?: string;
}

export function namedError(name: string, message = name): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export class EnvelopeSimulator implements SigningRouteTasks {
  readonly tenantId: string;
  readonly envelopeId: string;
  readonly calls: TaskCall[] = [];
  readonly signed = new Set<string>();
  readonly invited = new Map<number, string[]>();
  readonly reminders: { step: number; to: string[] }[] = [];
  /** Successes the signing handler sent too late (their token had been swapped); the route is not told. */
  readonly lateSignals: string[] = [];
  /** The ending error once a decline, void or expiry happened; RecordEnd's error once recorded. */
  ending: EndingError | undefined;
  recordedEnd: string | undefined;
  sealed = false;
  notified = false;
  private readonly tokens = new Map<number, string>();
  private readonly faults = new Map<string, Error[]>();
  private readonly gates = new Map<string, Promise<void>>();
  private readonly clock: Clock;
  private readonly steps: string[][];
  private readonly expiresAt: Date;
  private readonly reminderCap: number;
  /** The next wait StartStep and Remind return; tests may change it between calls. */
  waitSeconds: number;
  private workflow: Workflow | undefined;

  constructor(options: SimulatorOptions) {
    this.clock = options.clock;
    this.steps = options.steps;
    this.expiresAt = options.expiresAt;
    this.reminderCap = options.reminderCap ?? ROUTE_LIMITS.maxReminders;
    this.waitSeconds = options.waitSeconds ?? 24 * 60 * 60;
    this.tenantId = options.tenantId ?? 'tenant-1';
    this.envelopeId = options.envelopeId ?? 'envelope-1';
  }

  /** The workflow port the handlers call (the runner under test). */
  connect(workflow: Workflow): void {
    this.workflow = workflow;
  }

  /** The route's execution input for this envelope. */
  input(): Record<string, unknown> {
    return { tenantId: this.tenantId, envelopeId: this.envelopeId, stepCount: this.steps.length };
  }

  /** The next calls of `task` throw these errors, one per call. */
  failNext(task: keyof SigningRouteTasks, ...errors: Error[]): void {
    this.faults.set(task, [...(this.faults.get(task) ?? []), ...errors]);
  }

  /** The next call of `task` waits until the returned function is called. */
  hold(task: keyof SigningRouteTasks): () => void {
    let release!: () => void;
    this.gates.set(
      task,
      new Promise<void>((resolve) => {
        release = resolve;
      }),
    );
    return release;
  }

  /** Names of the tasks called, in order. */
  taskNames(): string[] {
    return this.calls.map((c) => c.task);
  }

  /** The token AwaitStep stored for a step, if any. */
  storedToken(step: number): string | undefined {
    return this.tokens.get(step);
  }

  // --- what the signing, decline and void handlers do -------------------------------------

  async sign(recipient: string): Promise<void> {
    const step = this.stepOf(recipient);
    this.signed.add(recipient);
    if (!this.stepComplete(step)) return;
    const token = this.tokens.get(step);
    this.tokens.delete(step);
    if (token) await this.signal(() => this.port().taskSuccess(token, { step }));
  }

  async decline(recipient: string): Promise<void> {
    await this.end(ERRORS.Declined, `${recipient} declined`, this.stepOf(recipient));
  }

  async void(reason = 'voided by the sender'): Promise<void> {
    const step = Math.max(0, ...this.invited.keys());
    await this.end(ERRORS.Voided, reason, step);
  }

  // --- the Lambda functions ----------------------------------------------------------------

  async StartStep(payload: StepPayload): Promise<StepWaitResult> {
    await this.enter('StartStep', payload);
    if (this.ending) throw namedError(this.ending);
    const recipients = this.steps[payload.step - 1];
    if (!recipients) throw namedError('Envelope.NoSuchStep', `no step ${payload.step}`);
    this.invited.set(payload.step, [...recipients]);
    return { step: payload.step, invited: recipients.length, waitSeconds: this.nextWait() };
  }

  async AwaitStep(payload: AwaitStepPayload): Promise<unknown> {
    await this.enter('AwaitStep', payload);
    const { taskToken, step } = payload;
    if (this.ending) {
      await this.port().taskFailure(taskToken, this.ending, 'the envelope has ended');
      return { stored: false };
    }
    if (this.stepComplete(step)) {
      // The last signature landed while no token was stored: complete this wait at once.
      await this.port().taskSuccess(taskToken, { step });
      return { stored: false };
    }
    this.tokens.set(step, taskToken);
    return { stored: true };
  }

  async Remind(payload: StepPayload): Promise<StepWaitResult> {
    await this.enter('Remind', payload);
    if (this.clock.now().getTime() >= this.expiresAt.getTime()) {
      this.ending = ERRORS.Expired;
      throw namedError(ERRORS.Expired, 'the envelope has expired');
    }
    const sent = this.reminders.filter((r) => r.step === payload.step).length;
    if (sent >= this.reminderCap) return { step: payload.step, reminded: 0, waitSeconds: this.nextWait() };
    const to = (this.steps[payload.step - 1] ?? []).filter((r) => !this.signed.has(r));
    this.reminders.push({ step: payload.step, to });
    return { step: payload.step, reminded: to.length, waitSeconds: this.nextWait() };
  }

  async Seal(payload: EnvelopePayload): Promise<unknown> {
    await this.enter('Seal', payload);
    this.sealed = true;
    return { sealed: true };
  }

  async NotifyCompletion(payload: EnvelopePayload): Promise<unknown> {
    await this.enter('NotifyCompletion', payload);
    this.notified = true;
    return { notified: this.steps.flat().length };
  }

  async RecordEnd(payload: RecordEndPayload): Promise<unknown> {
    await this.enter('RecordEnd', payload);
    this.recordedEnd = payload.error;
    return { ended: payload.error };
  }

  // --- internals ---------------------------------------------------------------------------

  /** The configured wait, ending no later than the expiry (as the real tasks do). */
  private nextWait(): number {
    const toExpiry = Math.ceil((this.expiresAt.getTime() - this.clock.now().getTime()) / 1000);
    if (!Number.isInteger(this.waitSeconds) || this.waitSeconds < 1) return this.waitSeconds;
    return Math.max(1, Math.min(this.waitSeconds, toExpiry));
  }

  private async enter(task: keyof SigningRouteTasks, payload: object): Promise<void> {
    this.calls.push({ task, payload: { ...payload } });
    if (payload && (payload as EnvelopePayload).envelopeId !== this.envelopeId) {
      throw new Error(`unexpected envelope ${(payload as EnvelopePayload).envelopeId}`);
    }
    const gate = this.gates.get(task);
    if (gate) {
      this.gates.delete(task);
      await gate;
    }
    const fault = this.faults.get(task)?.shift();
    if (fault) throw fault;
  }

  private async end(error: EndingError, cause: string, step: number): Promise<void> {
    this.ending = error;
    const token = this.tokens.get(step);
    this.tokens.delete(step);
    if (token) await this.signal(() => this.port().taskFailure(token, error, cause));
  }

  /** Sends a task outcome; a token already swapped is not an error: the next AwaitStep sees the state. */
  private async signal(send: () => Promise<void>): Promise<void> {
    try {
      await send();
    } catch (error) {
      if (!(error instanceof TaskTokenExpiredError)) throw error;
      this.lateSignals.push(error.message);
    }
  }

  private stepOf(recipient: string): number {
    const index = this.steps.findIndex((s) => s.includes(recipient));
    if (index < 0) throw new Error(`${recipient} is not a recipient`);
    return index + 1;
  }

  private stepComplete(step: number): boolean {
    return (this.steps[step - 1] ?? []).every((r) => this.signed.has(r));
  }

  private port(): Workflow {
    if (!this.workflow) throw new Error('connect the simulator to a workflow first');
    return this.workflow;
  }
}
