import { describe, expect, it } from 'vitest';
import { fixedClock, systemClock, systemIds } from '../../functions/adapters/system';

describe('systemClock', () => {
  it('tells the current time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('systemIds', () => {
  it('makes lower-case ULIDs that sort by creation time', async () => {
    const first = systemIds.newId();
    await new Promise((resolve) => setTimeout(resolve, 2));
    const second = systemIds.newId();
    expect(first).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/);
    expect(second > first).toBe(true);
  });

  it('never repeats an id', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => systemIds.newId()));
    expect(ids.size).toBe(1000);
  });

  it('makes URL-safe secrets of the asked size, 32 bytes by default', () => {
    const secret = systemIds.newSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(Buffer.from(systemIds.newSecret(16), 'base64url')).toHaveLength(16);
    expect(systemIds.newSecret()).not.toBe(secret);
  });

  it('refuses secrets under 128 bits', () => {
    expect(() => systemIds.newSecret(15)).toThrow(/at least 16/);
    expect(() => systemIds.newSecret(0)).toThrow(RangeError);
    expect(() => systemIds.newSecret(16.5)).toThrow(RangeError);
  });
});

describe('fixedClock', () => {
  it('stays put until advanced or set', () => {
    const clock = fixedClock(new Date('2025-01-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
    clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:01:30.000Z');
    clock.set(new Date('2030-06-01T12:00:00Z'));
    expect(clock.now().toISOString()).toBe('2030-06-01T12:00:00.000Z');
  });

  it('hands out copies that callers cannot move', () => {
    const clock = fixedClock(new Date('2025-01-01T00:00:00Z'));
    clock.now().setUTCFullYear(1999);
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });
});
