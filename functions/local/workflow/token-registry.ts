import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/ports';
import { TaskTokenExpiredError } from '../../adapters/sfn/step-functions-workflow';
import { LOCAL_WAIT_TIMEOUT_SECONDS } from './load-definition';

/**
 * The task tokens of the local workflow runner. aws-local-stepfunctions has no task tokens, so
 * each wait of a `waitForTaskToken` task registers here under a fresh random token and waits on
 * the promise it gets back; the local SendTaskSuccess/SendTaskFailure settle it. The wait's
 * deadline is enforced here, through the clock port:
 *
 * - a wait registered at clock time t with a time-out of T seconds is overdue from
 *   t + T * 1000 * timeScale (clock milliseconds), capped at `maxWaitMs`;
 * - an overdue wait is rejected with an error named `States.Timeout` (the route catches it and
 *   reminds), by `checkDeadlines()` (tests move a fake clock and call it), by a real timer scaled
 *   the same way (which consults the clock when it fires), or by a late success or failure, which
 *   then fails with TaskTokenExpiredError, as a late SendTaskSuccess fails with TaskTimedOut in AWS;
 * - a token that is unknown, timed out or already used fails with TaskTokenExpiredError and
 *   changes nothing;
 * - `rejectAll()` settles every pending wait on shutdown, so that the library's own per-task timers
 *   are cleared and the process can exit.
 */

/** The error a wait fails with when its deadline passes. */
export class WaitTimeoutError extends Error {
  override readonly name = 'States.Timeout';
  constructor(message = 'the task timed out waiting for its task token') {
    super(message);
  }
}

/** The error a wait fails with after SendTaskFailure: its name is the error name that was sent. */
export class TaskFailureError extends Error {
  override readonly name: string;
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/** The error pending waits fail with when the registry shuts down; no state catches it. */
export class RegistryClosedError extends Error {
  override readonly name = 'Local.Shutdown';
  constructor(message = 'the local workflow runner shut down') {
    super(message);
  }
}

/** Limits of SendTaskFailure, applied locally too. */
export const MAX_ERROR_CHARS = 256;
export const MAX_CAUSE_CHARS = 32_768;

export interface TokenRegistryOptions {
  clock: Clock;
  /**
   * Clock milliseconds per millisecond of workflow time: 1 runs waits in real time; 1 / 172800
   * turns a 48-hour wait for a reminder into one second (a demo). Default 1.
   */
  timeScale?: number;
  /**
   * Longest wait in clock milliseconds; longer waits time out at this point (the route's Remind
   * then finds nothing due yet and waits again for the rest). Default: one minute under the constant time-out the loader gives waiting tasks, so the
   * registry always decides before the library's own timer does.
   */
  maxWaitMs?: number;
  /** Token generator; default 32 random bytes, base64url. */
  newToken?: () => string;
}

/** Who is waiting: for listings and for tests. */
export interface WaitLabel {
  executionId?: string;
  state?: string;
  [key: string]: unknown;
}

export interface PendingWait {
  token: string;
  label: WaitLabel;
  registeredAt: Date;
  deadline: Date;
}

export interface RegisteredWait {
  token: string;
  deadline: Date;
  /** Settles with the success output, or rejects with WaitTimeoutError, TaskFailureError, RegistryClosedError. */
  result: Promise<unknown>;
}

type Outcome = 'succeeded' | 'failed' | 'timed out' | 'discarded' | 'shut down';

interface Wait extends PendingWait {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer?: ReturnType<typeof setTimeout>;
}

/** How many settled tokens are remembered, only to say why a token no longer works. */
const SPENT_MEMORY = 10_000;

/** setTimeout's longest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenRegistry {
  private readonly clock: Clock;
  private readonly timeScale: number;
  private readonly maxWaitMs: number;
  private readonly newToken: () => string;
  private readonly waits = new Map<string, Wait>();
  private readonly spent = new Map<string, Outcome>();
  private closed = false;

  constructor(options: TokenRegistryOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!Number.isFinite(timeScale) || timeScale <= 0) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
    const maxWaitMs = options.maxWaitMs ?? (LOCAL_WAIT_TIMEOUT_SECONDS - 60) * 1000;
    if (!Number.isFinite(maxWaitMs) || maxWaitMs < 1) {
      throw new RangeError(`maxWaitMs must be a positive number, got ${maxWaitMs}`);
    }
    this.clock = options.clock;
    this.timeScale = timeScale;
    this.maxWaitMs = maxWaitMs;
    this.newToken = options.newToken ?? (() => randomBytes(32).toString('base64url'));
  }

  /** Clock milliseconds a wait of `timeoutSeconds` lasts here. */
  scaledWaitMs(timeoutSeconds: number): number {
    return Math.min(this.maxWaitMs, Math.max(1, Math.ceil(timeoutSeconds * 1000 * this.timeScale)));
  }

  /** Registers a wait under a fresh token; its deadline is `timeoutSeconds` of workflow time from now. */
  register(timeoutSeconds: number, label: WaitLabel = {}): RegisteredWait {
    if (this.closed) throw new RegistryClosedError();
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 1) {
      throw new RangeError(`a wait needs a time-out of at least 1 second, got ${timeoutSeconds}`);
    }
    let token = this.newToken();
    while (this.waits.has(token) || this.spent.has(token)) token = this.newToken();
    const registeredAt = this.clock.now();
    const deadline = new Date(registeredAt.getTime() + this.scaledWaitMs(timeoutSeconds));
    let resolve!: (value: unknown) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<unknown>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // The waiting task attaches its own handler only after the task function returns; a wait
    // settled before then must not count as an unhandled rejection.
    promise.catch(() => {});
    const wait: Wait = { token, label: { ...label }, registeredAt, deadline, resolve, reject };
    this.waits.set(token, wait);
    this.arm(wait);
    return { token, deadline, result: promise };
  }

  /** SendTaskSuccess. Throws TaskTokenExpiredError for a token that is not waiting (any more). */
  succeed(token: string, output: unknown): void {
    const wait = this.take(token);
    wait.resolve(output);
    this.settle(wait, 'succeeded');
  }

  /** SendTaskFailure: the wait fails with an error named `error`. Throws as `succeed` does. */
  fail(token: string, error: string, cause: string): void {
    const wait = this.take(token);
    wait.reject(new TaskFailureError(error.slice(0, MAX_ERROR_CHARS), cause.slice(0, MAX_CAUSE_CHARS)));
    this.settle(wait, 'failed');
  }

  /** Drops a wait without settling it (its task failed before waiting). True when it was pending. */
  discard(token: string): boolean {
    const wait = this.waits.get(token);
    if (!wait) return false;
    this.settle(wait, 'discarded');
    return true;
  }

  /** Times out every wait whose deadline the clock has reached; returns how many. */
  checkDeadlines(): number {
    const now = this.clock.now().getTime();
    let count = 0;
    for (const wait of [...this.waits.values()]) {
      if (now >= wait.deadline.getTime()) {
        this.timeOut(wait);
        count++;
      }
    }
    return count;
  }

  /** The waits still pending, oldest first. */
  pending(filter?: (wait: PendingWait) => boolean): PendingWait[] {
    const list = [...this.waits.values()].map(({ token, label, registeredAt, deadline }) => ({
      token,
      label: { ...label },
      registeredAt,
      deadline,
    }));
    return filter ? list.filter(filter) : list;
  }

  get size(): number {
    return this.waits.size;
  }

  /** Rejects every pending wait and refuses new ones; returns how many were pending. */
  rejectAll(reason: Error = new RegistryClosedError()): number {
    this.closed = true;
    const waits = [...this.waits.values()];
    for (const wait of waits) {
      wait.reject(reason);
      this.settle(wait, 'shut down');
    }
    return waits.length;
  }

  private take(token: string): Wait {
    const wait = this.waits.get(token);
    if (!wait) {
      const outcome = this.spent.get(token);
      throw new TaskTokenExpiredError(
        outcome
          ? `task token is no longer waiting (${outcome})`
          : 'task token is not waiting (unknown token)',
      );
    }
    if (this.clock.now().getTime() >= wait.deadline.getTime()) {
      this.timeOut(wait);
      throw new TaskTokenExpiredError('task token is no longer waiting (timed out)');
    }
    return wait;
  }

  private timeOut(wait: Wait): void {
    wait.reject(new WaitTimeoutError());
    this.settle(wait, 'timed out');
  }

  private settle(wait: Wait, outcome: Outcome): void {
    if (wait.timer) clearTimeout(wait.timer);
    this.waits.delete(wait.token);
    this.spent.set(wait.token, outcome);
    if (this.spent.size > SPENT_MEMORY) {
      const oldest = this.spent.keys().next();
      if (!oldest.done) this.spent.delete(oldest.value);
    }
  }

  /** A real timer for the remaining clock time; when it fires, the clock decides. */
  private arm(wait: Wait): void {
    const remaining = wait.deadline.getTime() - this.clock.now().getTime();
    const timer = setTimeout(
      () => {
        if (!this.waits.has(wait.token)) return;
        if (this.clock.now().getTime() >= wait.deadline.getTime()) this.timeOut(wait);
        else this.arm(wait);
      },
      Math.min(MAX_TIMER_MS, Math.max(1, remaining)),
    );
    // The wait itself does not keep a process alive; the runner settles waits on shutdown.
    timer.unref();
    wait.timer = timer;
  }
}
