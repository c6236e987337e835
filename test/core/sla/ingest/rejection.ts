import { expect } from 'vitest';
import { ValidationError } from '../../../../functions/core/errors';

/** The ValidationError that `run` throws; fails the test when it throws none or another error. */
export function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the input was accepted');
}

/** `rejection` for an asynchronous `run`. */
export async function rejectionOf(run: () => Promise<unknown>): Promise<ValidationError> {
  try {
    await run();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('the input was accepted');
}
