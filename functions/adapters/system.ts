import { randomBytes } from 'node:crypto';
import { ulid } from 'ulid';
import type { Clock, Ids } from '../core/ports';

export const systemClock: Clock = {
  now: () => new Date(),
};

export const systemIds: Ids = {
  // A ULID: 48 bits of time (so ids sort by creation) and 80 random bits. Lower case keeps
  // ids uniform in URLs and keys.
  newId: () => ulid().toLowerCase(),
  newSecret(bytes = 32) {
    if (!Number.isInteger(bytes) || bytes < 16) {
      throw new RangeError(`a secret needs at least 16 random bytes (128 bits), got ${bytes}`);
    }
    return randomBytes(bytes).toString('base64url');
  },
};

export interface FixedClock extends Clock {
  /** Moves the clock forward (or back, with a negative value) by `ms` milliseconds. */
  advance(ms: number): void;
  set(date: Date): void;
}

/** A clock that only moves when told to, for tests. */
export function fixedClock(start: Date): FixedClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance(ms: number) {
      current += ms;
    },
    set(date: Date) {
      current = date.getTime();
    },
  };
}
