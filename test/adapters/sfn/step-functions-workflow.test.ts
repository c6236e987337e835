import {
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  StepFunctionsWorkflow,
  TaskTokenExpiredError,
} from '../../../functions/adapters/sfn/step-functions-workflow';

const ARNS = {
  signing: 'arn:aws:states:eu-central-1:111122223333:stateMachine:signing',
  report: 'arn:aws:states:eu-central-1:111122223333:stateMachine:report',
};

/** A client whose `send` records each command and answers with the next scripted answer. */
function fakeSfn(...answers: (object | Error)[]) {
  const commands: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      commands.push(command);
      const answer = answers.shift() ?? {};
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as SFNClient;
  return { client, commands };
}

const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name, $fault: 'client' });

describe('StepFunctionsWorkflow.start', () => {
  it('starts the state machine chosen by name, with the input as JSON', async () => {
    const { client, commands } = fakeSfn({ executionArn: `${ARNS.signing}:exec-1`, startDate: new Date() });
    const result = await new StepFunctionsWorkflow(client, ARNS).start('signing', { envelopeId: 'e1' });
    expect(result).toEqual({ executionId: `${ARNS.signing}:exec-1` });
    expect(commands[0]).toBeInstanceOf(StartExecutionCommand);
    expect((commands[0] as StartExecutionCommand).input).toEqual({
      stateMachineArn: ARNS.signing,
      input: '{"envelopeId":"e1"}',
    });
  });

  it('names the execution after executionName, so a repeated start is not a second execution', async () => {
    const { client, commands } = fakeSfn({ executionArn: 'arn:x' });
    await new StepFunctionsWorkflow(client, ARNS).start('report', {
      executionName: 'tenant-1_2025-05',
      month: 5,
    });
    expect((commands[0] as StartExecutionCommand).input).toEqual({
      stateMachineArn: ARNS.report,
      input: '{"executionName":"tenant-1_2025-05","month":5}',
      name: 'tenant-1_2025-05',
    });
  });

  it('refuses an execution name Step Functions would refuse', async () => {
    const { client, commands } = fakeSfn();
    const workflow = new StepFunctionsWorkflow(client, ARNS);
    await expect(workflow.start('signing', { executionName: 'has space' })).rejects.toThrow(/executionName/);
    await expect(workflow.start('signing', { executionName: 'x'.repeat(81) })).rejects.toThrow(
      /executionName/,
    );
    await expect(workflow.start('signing', { executionName: 42 })).rejects.toThrow(/executionName/);
    expect(commands).toHaveLength(0);
  });

  it('refuses an unknown workflow, including inherited property names', async () => {
    const { client, commands } = fakeSfn();
    const workflow = new StepFunctionsWorkflow(client, ARNS);
    await expect(workflow.start('nope', {})).rejects.toThrow(
      /no state machine is configured for workflow "nope"/,
    );
    await expect(workflow.start('toString', {})).rejects.toThrow(/no state machine/);
    expect(commands).toHaveLength(0);
  });

  it('passes start errors on unchanged', async () => {
    const error = awsError('ExecutionAlreadyExists');
    const { client } = fakeSfn(error);
    await expect(new StepFunctionsWorkflow(client, ARNS).start('signing', {})).rejects.toBe(error);
  });
});

describe('StepFunctionsWorkflow task callbacks', () => {
  it('sends task success with the output as JSON', async () => {
    const { client, commands } = fakeSfn({});
    await new StepFunctionsWorkflow(client, ARNS).taskSuccess('token-1', { step: 2 });
    expect(commands[0]).toBeInstanceOf(SendTaskSuccessCommand);
    expect((commands[0] as SendTaskSuccessCommand).input).toEqual({
      taskToken: 'token-1',
      output: '{"step":2}',
    });
  });

  it('sends task failure with error and cause, cut to the API limits', async () => {
    const { client, commands } = fakeSfn({}, {});
    const workflow = new StepFunctionsWorkflow(client, ARNS);
    await workflow.taskFailure('token-1', 'Envelope.Declined', 'signer declined');
    expect(commands[0]).toBeInstanceOf(SendTaskFailureCommand);
    expect((commands[0] as SendTaskFailureCommand).input).toEqual({
      taskToken: 'token-1',
      error: 'Envelope.Declined',
      cause: 'signer declined',
    });
    await workflow.taskFailure('token-2', 'E'.repeat(300), 'c'.repeat(40_000));
    const input = (commands[1] as SendTaskFailureCommand).input;
    expect(input.error).toHaveLength(256);
    expect(input.cause).toHaveLength(32_768);
  });

  it.each(['TaskTimedOut', 'TaskDoesNotExist'])(
    'turns %s on task success into TaskTokenExpiredError',
    async (name) => {
      const original = awsError(name, 'Task Timed Out');
      const { client } = fakeSfn(original);
      const error = await new StepFunctionsWorkflow(client, ARNS)
        .taskSuccess('late', {})
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TaskTokenExpiredError);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('TaskTokenExpiredError');
      expect((error as Error).message).toContain(name);
      expect((error as Error).cause).toBe(original);
    },
  );

  it('turns an expired token on task failure into TaskTokenExpiredError too', async () => {
    const { client } = fakeSfn(awsError('TaskTimedOut'));
    await expect(
      new StepFunctionsWorkflow(client, ARNS).taskFailure('late', 'E', 'c'),
    ).rejects.toBeInstanceOf(TaskTokenExpiredError);
  });

  it.each(['InvalidToken', 'InvalidOutput', 'ThrottlingException'])(
    'passes %s on unchanged',
    async (name) => {
      const original = awsError(name);
      const { client } = fakeSfn(original);
      await expect(new StepFunctionsWorkflow(client, ARNS).taskSuccess('t', {})).rejects.toBe(original);
    },
  );
});

describe('StepFunctionsWorkflow.redrive', () => {
  it('redrives the execution named after the envelope, on the execution ARN of the state machine', async () => {
    const { client, commands } = fakeSfn({ redriveDate: new Date() });
    expect(await new StepFunctionsWorkflow(client, ARNS).redrive('signing', 't1-env_1')).toBe('redriven');
    expect(commands[0]).toBeInstanceOf(RedriveExecutionCommand);
    expect((commands[0] as RedriveExecutionCommand).input).toEqual({
      executionArn: 'arn:aws:states:eu-central-1:111122223333:execution:signing:t1-env_1',
    });
  });

  it('tells an execution that never started from one that cannot be redriven', async () => {
    const missing = fakeSfn(awsError('ExecutionDoesNotExist'));
    expect(await new StepFunctionsWorkflow(missing.client, ARNS).redrive('signing', 'x')).toBe('not_found');
    const running = fakeSfn(awsError('ExecutionNotRedrivable'));
    expect(await new StepFunctionsWorkflow(running.client, ARNS).redrive('signing', 'x')).toBe(
      'not_redrivable',
    );
    const other = fakeSfn(awsError('AccessDeniedException'));
    await expect(new StepFunctionsWorkflow(other.client, ARNS).redrive('signing', 'x')).rejects.toThrow(
      'AccessDeniedException',
    );
    await expect(new StepFunctionsWorkflow(other.client, ARNS).redrive('nope', 'x')).rejects.toThrow(
      /no state machine is configured for workflow "nope"/,
    );
  });
});
