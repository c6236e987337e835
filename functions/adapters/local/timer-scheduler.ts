import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { nextCronTime } from '../../core/cron';
import type { Clock, ScheduledJob, Scheduler } from '../../core/ports';
import { systemClock } from '../system';

export interface TimerSchedulerOptions {
  /** Runs a job when it is due (in AWS the scheduler's target Lambda does this). */
  run: (job: ScheduledJob) => Promise<void>;
  clock?: Clock;
  /** Where pending jobs are kept so they survive a restart; in memory only when omitted. */
  stateFile?: string;
  /** Timer functions, for tests; node's setTimeout and clearTimeout by default. */
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Told about a job that threw; by default it is logged. */
  onError?: (error: unknown, job: ScheduledJob) => void;
}

export type PendingJob =
  | { kind: 'at'; due: string; job: ScheduledJob }
  | { kind: 'cron'; due: string; expression: string; timeZone: string; job: ScheduledJob };

interface StateFile {
  version: 1;
  jobs: PendingJob[];
}

/** setTimeout fires at once for delays above this (a signed 32-bit number of ms, about 24.8 days). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The local stand-in for EventBridge Scheduler: node timers in this process. Pending jobs are
 * written to a JSON file and re-armed by start(); a job whose time passed while the process
 * was down runs at once (a cron job once, then on its schedule again). A one-off job leaves the
 * file only after it has run, so a crash mid-run runs it again: jobs must be idempotent, as
 * with EventBridge, which also delivers at least once.
 */
export class TimerScheduler implements Scheduler {
  private readonly jobs = new Map<string, PendingJob>();
  private readonly timers = new Map<string, unknown>();
  private readonly clock: Clock;
  private readonly setTimer: (callback: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private stopped = false;
  private loading: Promise<void> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: TimerSchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as NodeJS.Timeout));
  }

  /** Loads the jobs saved by an earlier process and arms every pending job. */
  async start(): Promise<void> {
    await this.load();
    this.stopped = false;
    for (const pending of this.jobs.values()) this.arm(pending);
  }

  /** Clears every timer; pending jobs stay saved. Resolves when running jobs and writes finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clearTimer(handle);
    this.timers.clear();
    await this.idle();
  }

  /** Resolves when no job is running and every change has been written. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    await this.writes;
  }

  /** Jobs waiting to run, for inspection. */
  pending(): PendingJob[] {
    return [...this.jobs.values()];
  }

  async at(when: Date, job: ScheduledJob): Promise<void> {
    if (Number.isNaN(when.getTime())) throw new Error('a job needs a valid date');
    await this.load();
    await this.put({ kind: 'at', due: when.toISOString(), job });
  }

  async cron(expression: string, timeZone: string, job: ScheduledJob): Promise<void> {
    // Computing the first run also validates the expression and the time zone.
    const due = nextCronTime(expression, timeZone, this.clock.now());
    await this.load();
    await this.put({ kind: 'cron', due: due.toISOString(), expression, timeZone, job });
  }

  async cancel(id: string): Promise<void> {
    await this.load();
    this.disarm(id);
    if (this.jobs.delete(id)) await this.save();
  }

  /** Reads the saved jobs once, before anything changes the list (a write would replace them). */
  private load(): Promise<void> {
    const file = this.options.stateFile;
    this.loading ??= (async () => {
      if (!file) return;
      for (const pending of await readState(file)) {
        if (!this.jobs.has(pending.job.id)) this.jobs.set(pending.job.id, pending);
      }
    })().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  private async put(pending: PendingJob): Promise<void> {
    this.jobs.set(pending.job.id, pending);
    this.arm(pending);
    await this.save();
  }

  private arm(pending: PendingJob): void {
    const id = pending.job.id;
    this.disarm(id);
    if (this.stopped) return;
    const delay = Date.parse(pending.due) - this.clock.now().getTime();
    // Longer delays overflow setTimeout: wait the longest allowed time, then measure again.
    const handle =
      delay > MAX_TIMER_MS
        ? this.setTimer(() => this.rearm(pending), MAX_TIMER_MS)
        : this.setTimer(() => this.fire(pending), Math.max(0, delay));
    this.timers.set(id, handle);
  }

  /**
   * Runs every job due by the clock now, without waiting for its timer, and resolves when they
   * have run: for a clock that jumped (a fake clock in tests, a machine that slept).
   */
  async runDue(): Promise<number> {
    await this.load();
    const now = this.clock.now().getTime();
    const due = [...this.jobs.values()].filter((p) => Date.parse(p.due) <= now);
    for (const pending of due) {
      this.disarm(pending.job.id);
      this.fire(pending);
    }
    await this.idle();
    return due.length;
  }

  private rearm(pending: PendingJob): void {
    this.timers.delete(pending.job.id);
    if (this.jobs.get(pending.job.id) === pending) this.arm(pending);
  }

  private disarm(id: string): void {
    const handle = this.timers.get(id);
    if (handle !== undefined) {
      this.clearTimer(handle);
      this.timers.delete(id);
    }
  }

  private fire(pending: PendingJob): void {
    const id = pending.job.id;
    this.timers.delete(id);
    if (this.jobs.get(id) !== pending) return; // replaced or cancelled meanwhile
    // A timer may fire a little early against the clock (fake clocks, coarse timers): wait on.
    if (Date.parse(pending.due) > this.clock.now().getTime()) {
      this.arm(pending);
      return;
    }
    if (pending.kind === 'cron') {
      const after = new Date(Math.max(this.clock.now().getTime(), Date.parse(pending.due)));
      const next: PendingJob = {
        ...pending,
        due: nextCronTime(pending.expression, pending.timeZone, after).toISOString(),
      };
      this.jobs.set(id, next);
      this.arm(next);
      this.save().catch(() => undefined); // logged by save()
    }
    const run = this.execute(pending.job).then(async () => {
      // A one-off job leaves the list only once it has run, unless it was rescheduled meanwhile.
      if (pending.kind === 'at' && this.jobs.get(id) === pending) {
        this.jobs.delete(id);
        await this.save().catch(() => undefined); // logged by save()
      }
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async execute(job: ScheduledJob): Promise<void> {
    try {
      await this.options.run(job);
    } catch (error) {
      if (this.options.onError) this.options.onError(error, job);
      else console.error(`scheduled job ${job.id} (${job.job}) failed`, error);
    }
  }

  /** Writes the whole list; writes run one at a time, each one the latest state. */
  private save(): Promise<void> {
    const file = this.options.stateFile;
    if (!file) return Promise.resolve();
    const write = this.writes.then(async () => {
      const state: StateFile = { version: 1, jobs: [...this.jobs.values()] };
      await mkdir(dirname(file), { recursive: true });
      // Write then rename, so a crash never leaves half a file.
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, 'utf8');
      await rename(temp, file);
    });
    this.writes = write.catch((error: unknown) => {
      console.error(`could not save scheduled jobs to ${file}`, error);
    });
    return write;
  }
}

async function readState(file: string): Promise<PendingJob[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const state = JSON.parse(text) as Partial<StateFile>;
  if (state.version !== 1 || !Array.isArray(state.jobs)) {
    throw new Error(`${file} is not a scheduler state file (version 1)`);
  }
  return state.jobs;
}
