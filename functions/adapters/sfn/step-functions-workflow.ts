import {
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { TaskTokenExpiredError } from '../../core/errors';
import type { RedriveOutcome, Workflow } from '../../core/ports';

export { TaskTokenExpiredError };

const EXPIRED_TOKEN_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist']);

/** Limits of SendTaskFailure. */
const MAX_ERROR_CHARS = 256;
const MAX_CAUSE_CHARS = 32_768;

/** Step Functions execution names: 1-80 characters; we allow only the ASCII-safe subset. */
const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

export class StepFunctionsWorkflow implements Workflow {
  constructor(
    private readonly client: SFNClient,
    private readonly stateMachineArns: Record<string, string>,
  ) {}

  /**
   * Starts the state machine registered under `name`. When the input carries an
   * `executionName`, it names the execution: starting the same name with the same input again
   * returns the existing execution instead of a second one (Standard workflows).
   */
  async start(name: string, input: unknown): Promise<{ executionId: string }> {
    const stateMachineArn = this.arnOf(name);
    const executionName = executionNameOf(input);
    const res = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify(input ?? {}),
        ...(executionName !== undefined ? { name: executionName } : {}),
      }),
    );
    if (!res.executionArn) throw new Error('Step Functions started an execution but returned no ARN');
    return { executionId: res.executionArn };
  }

  /**
   * Redrives the named execution from the state that failed. Its tasks read the envelope's log
   * and do only what is not yet recorded, so what ran before the failure is not done again.
   */
  async redrive(name: string, executionName: string): Promise<RedriveOutcome> {
    // arn:aws:states:REGION:ACCOUNT:stateMachine:NAME -> arn:aws:states:REGION:ACCOUNT:execution:NAME:EXECUTION
    const executionArn = `${this.arnOf(name).replace(':stateMachine:', ':execution:')}:${executionName}`;
    try {
      await this.client.send(new RedriveExecutionCommand({ executionArn }));
      return 'redriven';
    } catch (error) {
      const code = (error as { name?: string }).name;
      if (code === 'ExecutionDoesNotExist') return 'not_found';
      if (code === 'ExecutionNotRedrivable') return 'not_redrivable';
      throw error;
    }
  }

  private arnOf(name: string): string {
    const arn = Object.hasOwn(this.stateMachineArns, name) ? this.stateMachineArns[name] : undefined;
    if (!arn) throw new Error(`no state machine is configured for workflow "${name}"`);
    return arn;
  }

  async taskSuccess(token: string, output: unknown): Promise<void> {
    try {
      await this.client.send(
        new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output ?? {}) }),
      );
    } catch (error) {
      throw mapTokenError(error);
    }
  }

  async taskFailure(token: string, error: string, cause: string): Promise<void> {
    try {
      await this.client.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, MAX_ERROR_CHARS),
          cause: cause.slice(0, MAX_CAUSE_CHARS),
        }),
      );
    } catch (err) {
      throw mapTokenError(err);
    }
  }
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

function mapTokenError(error: unknown): unknown {
  const name = (error as { name?: unknown } | null)?.name;
  if (typeof name === 'string' && EXPIRED_TOKEN_ERRORS.has(name)) {
    return new TaskTokenExpiredError(`task token is no longer waiting (${name})`, { cause: error });
  }
  return error;
}
