import { describe, expect, it } from 'vitest';
import '../../../functions/local/workflow/polyfill';

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason?: unknown): void;
};

describe('Promise.withResolvers polyfill', () => {
  it('is present after the import and settles its promise', async () => {
    const withResolvers = (Promise as unknown as { withResolvers: WithResolvers }).withResolvers;
    expect(typeof withResolvers).toBe('function');
    const a = withResolvers.call(Promise) as ReturnType<WithResolvers>;
    a.resolve(1);
    await expect(a.promise).resolves.toBe(1);
    const b = withResolvers.call(Promise) as ReturnType<WithResolvers>;
    b.reject(new Error('no'));
    await expect(b.promise).rejects.toThrow('no');
  });
});
