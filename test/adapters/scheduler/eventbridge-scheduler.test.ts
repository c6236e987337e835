import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  UpdateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import {
  EventBridgeScheduler,
  scheduleName,
  toEventBridgeCron,
} from '../../../functions/adapters/scheduler/eventbridge-scheduler';

const CONFIG = {
  groupName: 'countersign',
  targetArn: 'arn:aws:lambda:eu-central-1:111122223333:function:jobs',
  roleArn: 'arn:aws:iam::111122223333:role/scheduler',
  now: () => Date.parse('2025-01-01T00:00:00Z'),
};

function fakeScheduler(...answers: (object | Error)[]) {
  const commands: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      commands.push(command);
      const answer = answers.shift() ?? {};
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as SchedulerClient;
  return { client, commands, scheduler: new EventBridgeScheduler(client, CONFIG) };
}

const awsError = (name: string) => Object.assign(new Error(name), { name });
const job = { id: 'expire-env-1', job: 'expireEnvelope', input: { envelopeId: 'env-1' } };

describe('EventBridgeScheduler.at', () => {
  it('creates a one-off UTC schedule that deletes itself', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.at(new Date('2025-05-01T10:20:30.000Z'), job);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toBeInstanceOf(CreateScheduleCommand);
    expect((commands[0] as CreateScheduleCommand).input).toEqual({
      Name: 'expire-env-1',
      GroupName: 'countersign',
      ScheduleExpression: 'at(2025-05-01T10:20:30)',
      ScheduleExpressionTimezone: 'UTC',
      ActionAfterCompletion: 'DELETE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: CONFIG.targetArn,
        RoleArn: CONFIG.roleArn,
        Input: '{"job":"expireEnvelope","input":{"envelopeId":"env-1"},"id":"expire-env-1"}',
      },
    });
  });

  it('a job due now, or in the past, is scheduled a minute ahead (EventBridge refuses a time that has passed)', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.at(new Date('2024-12-31T23:59:00Z'), job);
    await scheduler.at(new Date('2025-01-01T00:00:30Z'), job);
    await scheduler.at(new Date('2025-01-01T00:01:01Z'), job);
    expect(commands.map((c) => (c as CreateScheduleCommand).input.ScheduleExpression)).toEqual([
      'at(2025-01-01T00:01:00)',
      'at(2025-01-01T00:01:00)',
      'at(2025-01-01T00:01:01)',
    ]);
  });

  it('rounds a fraction of a second up, so the job never runs early', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.at(new Date('2025-12-31T23:59:59.001Z'), job);
    expect((commands[0] as CreateScheduleCommand).input.ScheduleExpression).toBe('at(2026-01-01T00:00:00)');
  });

  it('replaces an existing schedule of the same id with UpdateSchedule', async () => {
    const { commands, scheduler } = fakeScheduler(awsError('ConflictException'), {});
    await scheduler.at(new Date('2025-05-01T10:20:30Z'), job);
    expect(commands).toHaveLength(2);
    expect(commands[1]).toBeInstanceOf(UpdateScheduleCommand);
    expect((commands[1] as UpdateScheduleCommand).input).toEqual(
      (commands[0] as CreateScheduleCommand).input,
    );
  });

  it('passes other errors on without updating', async () => {
    const error = awsError('ValidationException');
    const { commands, scheduler } = fakeScheduler(error);
    await expect(scheduler.at(new Date('2025-05-01T10:20:30Z'), job)).rejects.toBe(error);
    expect(commands).toHaveLength(1);
  });

  it('refuses an invalid date', async () => {
    const { commands, scheduler } = fakeScheduler();
    await expect(scheduler.at(new Date('nope'), job)).rejects.toThrow(/valid date/);
    expect(commands).toHaveLength(0);
  });
});

describe('EventBridgeScheduler.cron', () => {
  it('creates a recurring schedule in the given time zone that stays after running', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.cron('0 6 1 * *', 'Europe/Berlin', { id: 'report-t1', job: 'monthlyReport', input: {} });
    expect((commands[0] as CreateScheduleCommand).input).toMatchObject({
      Name: 'report-t1',
      ScheduleExpression: 'cron(0 6 1 * ? *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Input: '{"job":"monthlyReport","input":{},"id":"report-t1"}' },
    });
  });

  it('refuses an invalid expression before calling AWS', async () => {
    const { commands, scheduler } = fakeScheduler();
    await expect(scheduler.cron('0 25 * * *', 'UTC', job)).rejects.toThrow(/hour field "25"/);
    expect(commands).toHaveLength(0);
  });
});

describe('toEventBridgeCron', () => {
  it.each([
    ['* * * * *', '* * * * ? *'],
    ['0 6 1 * *', '0 6 1 * ? *'],
    ['*/15 * * * *', '0,15,30,45 * * * ? *'],
    ['0 9-17 * * *', '0 9-17 * * ? *'],
    ['0 9 * * 1-5', '0 9 ? * 2-6 *'],
    ['0 9 * * MON-FRI', '0 9 ? * 2-6 *'],
    ['0 9 * * 0', '0 9 ? * 1 *'],
    ['0 9 * * 7', '0 9 ? * 1 *'],
    ['0 9 * * 5-7', '0 9 ? * 1,6,7 *'],
    ['0 9 * * */2', '0 9 ? * 1,3,5,7 *'],
    ['0 0 1,15 1-3,7 ?', '0 0 1,15 1-3,7 ? *'],
    ['30 2 ? * 0-6', '30 2 ? * * *'],
  ])('turns "%s" into "%s"', (cron, eventBridge) => {
    expect(toEventBridgeCron(cron)).toBe(eventBridge);
  });

  it('refuses EventBridge-only syntax such as L, which the local scheduler could not run', () => {
    expect(() => toEventBridgeCron('0 12 L * *')).toThrow(/day-of-month field "L"/);
  });

  it('refuses both day fields restricted, which EventBridge cannot express', () => {
    expect(() => toEventBridgeCron('0 0 13 * 5')).toThrow(/both day-of-month and day-of-week/);
  });
});

describe('EventBridgeScheduler.cancel', () => {
  it('deletes the schedule', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.cancel('expire-env-1');
    expect(commands[0]).toBeInstanceOf(DeleteScheduleCommand);
    expect((commands[0] as DeleteScheduleCommand).input).toEqual({
      Name: 'expire-env-1',
      GroupName: 'countersign',
    });
  });

  it('treats a schedule that is already gone as cancelled', async () => {
    const { scheduler } = fakeScheduler(awsError('ResourceNotFoundException'));
    await expect(scheduler.cancel('gone')).resolves.toBeUndefined();
  });

  it('passes other errors on', async () => {
    const error = awsError('AccessDeniedException');
    const { scheduler } = fakeScheduler(error);
    await expect(scheduler.cancel('x')).rejects.toBe(error);
  });
});

describe('scheduleName', () => {
  it('keeps ids that are valid names', () => {
    expect(scheduleName('expire-env_1.a')).toBe('expire-env_1.a');
    expect(scheduleName('a'.repeat(64))).toBe('a'.repeat(64));
  });

  it('cleans and shortens other ids deterministically, keeping distinct ids distinct', () => {
    const long = `report:${'tenant/'.repeat(20)}`;
    const names = [long, 'a/b', 'a:b', 'a-b-x', 'ü', 'a'.repeat(65)].map(scheduleName);
    for (const name of names) expect(name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(scheduleName(long)).toBe(scheduleName(long));
    expect(scheduleName('a/b')).not.toBe(scheduleName('a:b'));
    expect(scheduleName('a/b')).toMatch(/^a-b-[0-9a-f]{16}$/);
  });

  it('uses the cleaned name in every command', async () => {
    const { commands, scheduler } = fakeScheduler();
    await scheduler.at(new Date('2025-05-01T00:00:00Z'), { ...job, id: 'tenant/1:expire' });
    await scheduler.cancel('tenant/1:expire');
    const created = (commands[0] as CreateScheduleCommand).input;
    expect(created.Name).toBe(scheduleName('tenant/1:expire'));
    expect((commands[1] as DeleteScheduleCommand).input.Name).toBe(created.Name);
    // The target still receives the original id.
    expect(JSON.parse(created.Target!.Input!).id).toBe('tenant/1:expire');
  });
});
