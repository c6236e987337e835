import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../../../functions/adapters/system';
import { TaskTokenExpiredError } from '../../../functions/adapters/sfn/step-functions-workflow';
import {
  MAX_CAUSE_CHARS,
  MAX_ERROR_CHARS,
  RegistryClosedError,
  TaskFailureError,
  TokenRegistry,
  WaitTimeoutError,
} from '../../../functions/local/workflow/token-registry';
import { LOCAL_WAIT_TIMEOUT_SECONDS } from '../../../functions/local/workflow/load-definition';

const START = new Date('2030-01-01T00:00:00Z');
const registries: TokenRegistry[] = [];

afterEach(() => {
  for (const registry of registries.splice(0)) registry.rejectAll();
});

function make(options: Partial<ConstructorParameters<typeof TokenRegistry>[0]> = {}) {
  const clock = fixedClock(START);
  const registry = new TokenRegistry({ clock, ...options });
  registries.push(registry);
  return { clock, registry };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TokenRegistry', () => {
  it('gives every wait a fresh, unguessable token and a deadline on the clock', () => {
    const { registry } = make();
    const a = registry.register(3600, { executionId: 'x', state: 'AwaitStep' });
    const b = registry.register(3600);
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.deadline).toEqual(new Date(START.getTime() + 3_600_000));
    expect(registry.pending().map((w) => w.token)).toEqual([a.token, b.token]);
    expect(registry.pending()[0]?.label).toEqual({ executionId: 'x', state: 'AwaitStep' });
    expect(registry.size).toBe(2);
  });

  it('resolves a wait with the success output, once', async () => {
    const { registry } = make();
    const wait = registry.register(60);
    registry.succeed(wait.token, { step: 1 });
    await expect(wait.result).resolves.toEqual({ step: 1 });
    expect(() => registry.succeed(wait.token, { step: 2 })).toThrow(TaskTokenExpiredError);
    expect(() => registry.fail(wait.token, 'E', 'c')).toThrow(/no longer waiting \(succeeded\)/);
    await expect(wait.result).resolves.toEqual({ step: 1 });
    expect(registry.size).toBe(0);
  });

  it('rejects a wait with an error named as SendTaskFailure said, within its limits', async () => {
    const { registry } = make();
    const wait = registry.register(60);
    registry.fail(wait.token, 'Envelope.Declined', 'bob declined');
    await expect(wait.result).rejects.toMatchObject({ name: 'Envelope.Declined', message: 'bob declined' });
    await expect(wait.result).rejects.toBeInstanceOf(TaskFailureError);
    const long = registry.register(60);
    registry.fail(long.token, 'E'.repeat(300), 'c'.repeat(40_000));
    const error = await long.result.catch((e: Error) => e);
    expect((error as Error).name).toHaveLength(MAX_ERROR_CHARS);
    expect((error as Error).message).toHaveLength(MAX_CAUSE_CHARS);
  });

  it('refuses unknown tokens', () => {
    const { registry } = make();
    expect(() => registry.succeed('nope', {})).toThrow(TaskTokenExpiredError);
    expect(() => registry.succeed('nope', {})).toThrow(/unknown token/);
  });

  it('times out overdue waits when the clock passes their deadline and checkDeadlines runs', async () => {
    const { clock, registry } = make();
    const short = registry.register(60);
    const long = registry.register(120);
    clock.advance(59_999);
    expect(registry.checkDeadlines()).toBe(0);
    clock.advance(1);
    expect(registry.checkDeadlines()).toBe(1);
    await expect(short.result).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(short.result).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(() => registry.succeed(short.token, {})).toThrow(/timed out/);
    expect(registry.pending().map((w) => w.token)).toEqual([long.token]);
  });

  it('times out a wait whose deadline passed when its success arrives, and refuses the success', async () => {
    const { clock, registry } = make();
    const wait = registry.register(60);
    clock.advance(60_000);
    expect(() => registry.succeed(wait.token, {})).toThrow(TaskTokenExpiredError);
    await expect(wait.result).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(registry.size).toBe(0);
  });

  it('scales deadlines by timeScale and caps them below the local wait time-out', () => {
    const { registry } = make({ timeScale: 1 / 172_800 });
    expect(registry.register(172_800).deadline).toEqual(new Date(START.getTime() + 1000));
    expect(registry.scaledWaitMs(1)).toBe(1);
    const unscaled = make().registry;
    expect(unscaled.scaledWaitMs(100 * 86_400)).toBe((LOCAL_WAIT_TIMEOUT_SECONDS - 60) * 1000);
    expect(() => make({ timeScale: 0 })).toThrow(RangeError);
    expect(() => registry.register(0)).toThrow(RangeError);
  });

  it('times out on its scaled real timer with the system clock', async () => {
    const registry = new TokenRegistry({ clock: systemClock, timeScale: 0.02 });
    registries.push(registry);
    const started = Date.now();
    const wait = registry.register(1);
    await expect(wait.result).rejects.toMatchObject({ name: 'States.Timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('lets a fake clock decide when its real timer fires', async () => {
    const { clock, registry } = make({ timeScale: 0.01 });
    const wait = registry.register(1);
    await sleep(40);
    // The 10 ms timer fired, but the fake clock has not moved: still waiting.
    expect(registry.size).toBe(1);
    clock.advance(10);
    await expect(wait.result).rejects.toMatchObject({ name: 'States.Timeout' });
  });

  it('drops a discarded wait without settling it', async () => {
    const { registry } = make();
    const wait = registry.register(60);
    expect(registry.discard(wait.token)).toBe(true);
    expect(registry.discard(wait.token)).toBe(false);
    expect(() => registry.succeed(wait.token, {})).toThrow(/discarded/);
    const settled = await Promise.race([wait.result.then(() => 'settled'), sleep(10).then(() => 'pending')]);
    expect(settled).toBe('pending');
  });

  it('rejects every pending wait on shutdown and refuses new ones', async () => {
    const { registry } = make();
    const a = registry.register(60);
    const b = registry.register(60);
    expect(registry.rejectAll()).toBe(2);
    await expect(a.result).rejects.toBeInstanceOf(RegistryClosedError);
    await expect(b.result).rejects.toMatchObject({ name: 'Local.Shutdown' });
    expect(() => registry.succeed(a.token, {})).toThrow(/shut down/);
    expect(() => registry.register(60)).toThrow(RegistryClosedError);
  });
});
