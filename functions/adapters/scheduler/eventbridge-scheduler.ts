import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { parseCron } from '../../core/cron';
import type { ScheduledJob, Scheduler } from '../../core/ports';

export interface EventBridgeSchedulerConfig {
  groupName: string;
  /** The Lambda function that receives `{ job, input, id }` and runs the job. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke the target. */
  roleArn: string;
  /** The time now, in ms (for tests; default the system's). */
  now?: () => number;
}

/**
 * EventBridge Scheduler refuses a one-time schedule whose time has passed, and invokes with minute
 * precision: a job due now, or too soon to be created in time, is scheduled this far ahead.
 */
export const SOONEST_MS = 60_000;

/** The message the target receives, as JSON. */
export interface ScheduledInvocation {
  id: string;
  job: string;
  input: Record<string, unknown>;
}

export class EventBridgeScheduler implements Scheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: EventBridgeSchedulerConfig,
  ) {}

  /** A one-off schedule in UTC that deletes itself after it has run. */
  async at(when: Date, job: ScheduledJob): Promise<void> {
    const soonest = (this.config.now ?? Date.now)() + SOONEST_MS;
    await this.put(job, {
      ScheduleExpression: `at(${atTime(new Date(Math.max(when.getTime(), soonest)))})`,
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
    });
  }

  async cron(expression: string, timeZone: string, job: ScheduledJob): Promise<void> {
    await this.put(job, {
      ScheduleExpression: `cron(${toEventBridgeCron(expression)})`,
      ScheduleExpressionTimezone: timeZone,
      ActionAfterCompletion: 'NONE',
    });
  }

  async cancel(id: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleName(id), GroupName: this.config.groupName }),
      );
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
    }
  }

  /** Create, or replace when a schedule of that name exists (scheduling an id again replaces it). */
  private async put(
    job: ScheduledJob,
    timing: Pick<
      CreateScheduleCommandInput,
      'ScheduleExpression' | 'ScheduleExpressionTimezone' | 'ActionAfterCompletion'
    >,
  ): Promise<void> {
    const invocation: ScheduledInvocation = { job: job.job, input: job.input, id: job.id };
    const input = {
      Name: scheduleName(job.id),
      GroupName: this.config.groupName,
      ...timing,
      FlexibleTimeWindow: { Mode: 'OFF' as const },
      State: 'ENABLED' as const,
      Target: { Arn: this.config.targetArn, RoleArn: this.config.roleArn, Input: JSON.stringify(invocation) },
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (errorName(error) !== 'ConflictException') throw error;
      await this.client.send(new UpdateScheduleCommand(input));
    }
  }
}

/**
 * Schedule names allow [0-9a-zA-Z-_.]{1,64}. Ids that fit are used as they are; others are
 * cleaned and shortened, with a hash of the whole id appended so distinct ids stay distinct.
 */
export function scheduleName(id: string): string {
  if (/^[0-9a-zA-Z_.-]{1,64}$/.test(id)) return id;
  const hash = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);
  const cleaned = id.replace(/[^0-9a-zA-Z_.-]/g, '-').slice(0, 64 - hash.length - 1);
  return `${cleaned}-${hash}`;
}

/** `yyyy-mm-ddThh:mm:ss` in UTC, rounded up to a whole second so a job never runs early. */
function atTime(when: Date): string {
  const ms = when.getTime();
  if (Number.isNaN(ms)) throw new Error('a schedule needs a valid date');
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().slice(0, 19);
}

/**
 * A five-field cron (minute hour day-of-month month day-of-week) in EventBridge's six-field
 * form. EventBridge needs `?` in one of the day fields, counts days of the week 1-7 from
 * Sunday (cron counts 0-6), and has a year field.
 */
export function toEventBridgeCron(expression: string): string {
  const schedule = parseCron(expression);
  if (schedule.dayOfMonthRestricted && schedule.dayOfWeekRestricted) {
    throw new Error(
      `cron expression "${expression}" restricts both day-of-month and day-of-week, which EventBridge cannot express: use one of them`,
    );
  }
  const minutes = field(schedule.minutes, 0, 59);
  const hours = field(schedule.hours, 0, 23);
  const months = field(schedule.months, 1, 12);
  let daysOfMonth = '?';
  let daysOfWeek = '?';
  if (schedule.dayOfWeekRestricted) {
    daysOfWeek = field(
      schedule.daysOfWeek.map((d) => d + 1),
      1,
      7,
    );
  } else {
    daysOfMonth = schedule.dayOfMonthRestricted ? field(schedule.daysOfMonth, 1, 31) : '*';
  }
  return `${minutes} ${hours} ${daysOfMonth} ${months} ${daysOfWeek} *`;
}

/** `*` for every value, else a list of values and ranges, e.g. `0,15,30,45` or `2-6`. */
function field(values: readonly number[], min: number, max: number): string {
  if (values.length === max - min + 1) return '*';
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${values[i]}-${values[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(values[k]));
    i = j + 1;
  }
  return parts.join(',');
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
