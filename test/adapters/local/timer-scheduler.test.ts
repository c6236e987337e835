import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_TIMER_MS,
  TimerScheduler,
  type TimerSchedulerOptions,
} from '../../../functions/adapters/local/timer-scheduler';
import { fixedClock, type FixedClock } from '../../../functions/adapters/system';
import type { ScheduledJob } from '../../../functions/core/ports';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Timers driven by hand: `advance` moves the clock and fires due timers in time order. */
function manualTimers(clock: FixedClock) {
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const delays: number[] = [];
  return {
    delays,
    count: () => timers.size,
    setTimer: (fn: () => void, ms: number) => {
      const id = ++seq;
      timers.set(id, { at: clock.now().getTime() + ms, fn });
      delays.push(ms);
      return id;
    },
    clearTimer: (handle: unknown) => {
      timers.delete(handle as number);
    },
    advance(ms: number) {
      const end = clock.now().getTime() + ms;
      for (;;) {
        const [next] = [...timers.entries()]
          .filter(([, t]) => t.at <= end)
          .sort(([a, x], [b, y]) => x.at - y.at || a - b);
        if (!next) break;
        timers.delete(next[0]);
        clock.set(new Date(Math.max(clock.now().getTime(), next[1].at)));
        next[1].fn();
      }
      clock.set(new Date(end));
    },
  };
}

function setup(extra: Partial<TimerSchedulerOptions> = {}, start = '2025-05-01T10:00:00Z') {
  const clock = fixedClock(new Date(start));
  const timers = manualTimers(clock);
  const ran: { job: ScheduledJob; at: string }[] = [];
  const scheduler = new TimerScheduler({
    run: async (job) => {
      ran.push({ job, at: clock.now().toISOString() });
    },
    clock,
    setTimer: timers.setTimer,
    clearTimer: timers.clearTimer,
    ...extra,
  });
  return { clock, timers, ran, scheduler };
}

const job = (id: string, input: Record<string, unknown> = {}): ScheduledJob => ({ id, job: 'remind', input });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'timer-scheduler-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('TimerScheduler one-off jobs', () => {
  it('runs a job at its time, once', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.start();
    await scheduler.at(new Date('2025-05-01T10:05:00Z'), job('j1', { envelopeId: 'e1' }));
    timers.advance(4 * MINUTE);
    await scheduler.idle();
    expect(ran).toEqual([]);
    timers.advance(MINUTE);
    await scheduler.idle();
    expect(ran).toEqual([{ job: job('j1', { envelopeId: 'e1' }), at: '2025-05-01T10:05:00.000Z' }]);
    expect(scheduler.pending()).toEqual([]);
    timers.advance(DAY);
    await scheduler.idle();
    expect(ran).toHaveLength(1);
  });

  it('runs a job whose time has passed at once', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.at(new Date('2025-05-01T09:00:00Z'), job('late'));
    expect(timers.delays).toEqual([0]);
    timers.advance(0);
    await scheduler.idle();
    expect(ran.map((r) => r.job.id)).toEqual(['late']);
  });

  it('replaces a job scheduled again under the same id', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.at(new Date('2025-05-01T10:05:00Z'), job('j1', { v: 1 }));
    await scheduler.at(new Date('2025-05-01T10:10:00Z'), job('j1', { v: 2 }));
    expect(timers.count()).toBe(1);
    expect(scheduler.pending()).toHaveLength(1);
    timers.advance(20 * MINUTE);
    await scheduler.idle();
    expect(ran).toEqual([{ job: job('j1', { v: 2 }), at: '2025-05-01T10:10:00.000Z' }]);
  });

  it('cancels a job, and cancelling an unknown id is fine', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.at(new Date('2025-05-01T10:05:00Z'), job('j1'));
    await scheduler.at(new Date('2025-05-01T10:06:00Z'), job('j2'));
    await scheduler.cancel('j1');
    await scheduler.cancel('never-scheduled');
    timers.advance(DAY);
    await scheduler.idle();
    expect(ran.map((r) => r.job.id)).toEqual(['j2']);
    expect(timers.count()).toBe(0);
  });

  it('chains timers for a job 40 days out, since setTimeout overflows past 2^31-1 ms', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.at(new Date(Date.parse('2025-05-01T10:00:00Z') + 40 * DAY), job('far'));
    expect(timers.delays).toEqual([MAX_TIMER_MS]);
    timers.advance(MAX_TIMER_MS);
    await scheduler.idle();
    expect(ran).toEqual([]);
    expect(timers.delays).toEqual([MAX_TIMER_MS, 40 * DAY - MAX_TIMER_MS]);
    timers.advance(40 * DAY - MAX_TIMER_MS);
    await scheduler.idle();
    expect(ran).toEqual([{ job: job('far'), at: '2025-06-10T10:00:00.000Z' }]);
  });

  it('waits on when a timer fires before the clock says the job is due', async () => {
    const { clock, timers, ran, scheduler } = setup();
    await scheduler.at(new Date('2025-05-01T10:05:00Z'), job('j1'));
    // Fire the timer while the clock still reads 10:04.
    clock.advance(-MINUTE);
    timers.advance(5 * MINUTE);
    await scheduler.idle();
    expect(ran).toEqual([]);
    timers.advance(MINUTE);
    await scheduler.idle();
    expect(ran.map((r) => r.at)).toEqual(['2025-05-01T10:05:00.000Z']);
  });

  it('keeps a job that was rescheduled while it ran', async () => {
    const clock = fixedClock(new Date('2025-05-01T10:00:00Z'));
    const timers = manualTimers(clock);
    let runs = 0;
    const scheduler: TimerScheduler = new TimerScheduler({
      clock,
      setTimer: timers.setTimer,
      clearTimer: timers.clearTimer,
      run: async (j) => {
        runs++;
        if (runs === 1) await scheduler.at(new Date(clock.now().getTime() + MINUTE), j);
      },
    });
    await scheduler.at(new Date('2025-05-01T10:01:00Z'), job('again'));
    timers.advance(MINUTE);
    await scheduler.idle();
    expect(scheduler.pending()).toEqual([{ kind: 'at', due: '2025-05-01T10:02:00.000Z', job: job('again') }]);
    timers.advance(MINUTE);
    await scheduler.idle();
    expect(runs).toBe(2);
    expect(scheduler.pending()).toEqual([]);
  });

  it('reports a failing job and drops it', async () => {
    const errors: [unknown, ScheduledJob][] = [];
    const { timers, scheduler } = setup({
      run: async () => {
        throw new Error('boom');
      },
      onError: (error, j) => errors.push([error, j]),
    });
    await scheduler.at(new Date('2025-05-01T10:01:00Z'), job('bad'));
    timers.advance(MINUTE);
    await scheduler.idle();
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('boom');
    expect(errors[0]![1].id).toBe('bad');
    expect(scheduler.pending()).toEqual([]);
  });

  it('refuses an invalid date', async () => {
    const { scheduler } = setup();
    await expect(scheduler.at(new Date('nope'), job('x'))).rejects.toThrow(/valid date/);
  });
});

describe('TimerScheduler cron jobs', () => {
  it('runs on the expression and re-arms after each run', async () => {
    const { timers, ran, scheduler } = setup({}, '2025-05-01T10:01:00Z');
    await scheduler.cron('*/15 * * * *', 'UTC', job('every-15'));
    expect(scheduler.pending()[0]).toMatchObject({ kind: 'cron', due: '2025-05-01T10:15:00.000Z' });
    timers.advance(60 * MINUTE);
    await scheduler.idle();
    expect(ran.map((r) => r.at)).toEqual([
      '2025-05-01T10:15:00.000Z',
      '2025-05-01T10:30:00.000Z',
      '2025-05-01T10:45:00.000Z',
      '2025-05-01T11:00:00.000Z',
    ]);
    expect(scheduler.pending()[0]).toMatchObject({ due: '2025-05-01T11:15:00.000Z' });
    expect(timers.count()).toBe(1);
  });

  it('follows the time zone: a monthly report at 06:00 Berlin time', async () => {
    const { timers, ran, scheduler } = setup({}, '2025-02-15T00:00:00Z');
    await scheduler.cron('0 6 1 * *', 'Europe/Berlin', job('report'));
    timers.advance(80 * DAY);
    await scheduler.idle();
    expect(ran.map((r) => r.at)).toEqual([
      '2025-03-01T05:00:00.000Z',
      '2025-04-01T04:00:00.000Z',
      '2025-05-01T04:00:00.000Z',
    ]);
  });

  it('keeps going after a run fails', async () => {
    let calls = 0;
    const { timers, scheduler } = setup(
      {
        run: async () => {
          calls++;
          throw new Error('boom');
        },
        onError: () => undefined,
      },
      '2025-05-01T10:00:30Z',
    );
    await scheduler.cron('* * * * *', 'UTC', job('minutely'));
    timers.advance(3 * MINUTE);
    await scheduler.idle();
    expect(calls).toBe(3);
    expect(scheduler.pending()).toHaveLength(1);
  });

  it('refuses a bad expression or time zone', async () => {
    const { scheduler } = setup();
    await expect(scheduler.cron('* * *', 'UTC', job('x'))).rejects.toThrow(/5 fields/);
    await expect(scheduler.cron('* * * * *', 'Nowhere/Special', job('x'))).rejects.toThrow(
      /Unknown time zone/,
    );
    expect(scheduler.pending()).toEqual([]);
  });

  it('can be cancelled', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.cron('* * * * *', 'UTC', job('minutely'));
    timers.advance(MINUTE);
    await scheduler.idle();
    await scheduler.cancel('minutely');
    timers.advance(10 * MINUTE);
    await scheduler.idle();
    expect(ran).toHaveLength(1);
    expect(timers.count()).toBe(0);
  });
});

describe('TimerScheduler persistence', () => {
  it('keeps pending jobs in the file and re-arms them in a new instance', async () => {
    const file = join(dir, 'state', 'jobs.json');
    const first = setup({ stateFile: file });
    await first.scheduler.start();
    await first.scheduler.at(new Date('2025-05-01T11:00:00Z'), job('one-off', { envelopeId: 'e1' }));
    await first.scheduler.cron('0 6 * * *', 'America/New_York', job('daily'));
    await first.scheduler.stop();
    expect(first.timers.count()).toBe(0);

    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toEqual({
      version: 1,
      jobs: [
        { kind: 'at', due: '2025-05-01T11:00:00.000Z', job: job('one-off', { envelopeId: 'e1' }) },
        {
          kind: 'cron',
          due: '2025-05-02T10:00:00.000Z',
          expression: '0 6 * * *',
          timeZone: 'America/New_York',
          job: job('daily'),
        },
      ],
    });

    const second = setup({ stateFile: file });
    expect(second.scheduler.pending()).toEqual([]);
    await second.scheduler.start();
    expect(second.scheduler.pending()).toHaveLength(2);
    second.timers.advance(DAY);
    await second.scheduler.idle();
    expect(second.ran).toEqual([
      { job: job('one-off', { envelopeId: 'e1' }), at: '2025-05-01T11:00:00.000Z' },
      { job: job('daily'), at: '2025-05-02T10:00:00.000Z' },
    ]);
    const after = JSON.parse(await readFile(file, 'utf8'));
    expect(after.jobs).toEqual([expect.objectContaining({ kind: 'cron', due: '2025-05-03T10:00:00.000Z' })]);
  });

  it('runs jobs that fell due while the process was down at once, a missed cron job once', async () => {
    const file = join(dir, 'jobs.json');
    const first = setup({ stateFile: file });
    await first.scheduler.at(new Date('2025-05-01T10:30:00Z'), job('missed'));
    await first.scheduler.cron('0 * * * *', 'UTC', job('hourly'));
    await first.scheduler.stop();

    const second = setup({ stateFile: file }, '2025-05-01T15:20:00Z');
    await second.scheduler.start();
    second.timers.advance(0);
    await second.scheduler.idle();
    expect(second.ran.map((r) => [r.job.id, r.at])).toEqual([
      ['missed', '2025-05-01T15:20:00.000Z'],
      ['hourly', '2025-05-01T15:20:00.000Z'],
    ]);
    expect(second.scheduler.pending()).toEqual([
      expect.objectContaining({ due: '2025-05-01T16:00:00.000Z' }),
    ]);
  });

  it('does not lose saved jobs when a job is scheduled before start()', async () => {
    const file = join(dir, 'jobs.json');
    const first = setup({ stateFile: file });
    await first.scheduler.at(new Date('2025-05-01T12:00:00Z'), job('saved'));
    await first.scheduler.stop();

    const second = setup({ stateFile: file });
    await second.scheduler.at(new Date('2025-05-01T13:00:00Z'), job('new'));
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.jobs.map((j: { job: ScheduledJob }) => j.job.id)).toEqual(['saved', 'new']);
    await second.scheduler.start();
    second.timers.advance(DAY);
    await second.scheduler.idle();
    expect(second.ran.map((r) => r.job.id)).toEqual(['saved', 'new']);
  });

  it('removes a cancelled job from the file', async () => {
    const file = join(dir, 'jobs.json');
    const { scheduler } = setup({ stateFile: file });
    await scheduler.at(new Date('2025-05-01T12:00:00Z'), job('a'));
    await scheduler.at(new Date('2025-05-01T12:00:00Z'), job('b'));
    await scheduler.cancel('a');
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved.jobs.map((j: { job: ScheduledJob }) => j.job.id)).toEqual(['b']);
  });

  it('refuses a file that is not its own', async () => {
    const file = join(dir, 'jobs.json');
    await import('node:fs/promises').then((fs) => fs.writeFile(file, '{"something":"else"}'));
    const { scheduler } = setup({ stateFile: file });
    await expect(scheduler.start()).rejects.toThrow(/not a scheduler state file/);
  });
});

describe('TimerScheduler lifecycle', () => {
  it('stop() clears every timer and arms nothing until started again', async () => {
    const { timers, ran, scheduler } = setup();
    await scheduler.start();
    await scheduler.at(new Date('2025-05-01T10:05:00Z'), job('a'));
    await scheduler.cron('* * * * *', 'UTC', job('b'));
    expect(timers.count()).toBe(2);
    await scheduler.stop();
    expect(timers.count()).toBe(0);
    await scheduler.at(new Date('2025-05-01T10:06:00Z'), job('c'));
    expect(timers.count()).toBe(0);
    timers.advance(10 * MINUTE);
    await scheduler.idle();
    expect(ran).toEqual([]);

    await scheduler.start();
    await scheduler.start();
    expect(timers.count()).toBe(3);
  });

  it('works with node timers under vitest fake timers', async () => {
    vi.useFakeTimers({ now: new Date('2025-05-01T10:00:00Z') });
    const ran: string[] = [];
    const scheduler = new TimerScheduler({
      run: async (j) => {
        ran.push(`${j.id}@${new Date().toISOString()}`);
      },
    });
    await scheduler.start();
    await scheduler.at(new Date('2025-05-01T11:00:00Z'), job('hourly-check'));
    await scheduler.cron('30 10 * * *', 'UTC', job('daily'));
    await vi.advanceTimersByTimeAsync(59 * MINUTE);
    expect(ran).toEqual(['daily@2025-05-01T10:30:00.000Z']);
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(ran).toEqual(['daily@2025-05-01T10:30:00.000Z', 'hourly-check@2025-05-01T11:00:00.000Z']);
    await scheduler.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
