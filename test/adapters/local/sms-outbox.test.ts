import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSmsOutbox } from '../../../functions/adapters/local/sms-outbox';
import { fixedClock } from '../../../functions/adapters/system';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sms-outbox-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalSmsOutbox', () => {
  it('has no messages before the first one', async () => {
    expect(await new LocalSmsOutbox(join(dir, 'none.jsonl')).read()).toEqual([]);
  });

  it('appends one JSON line per message, creating the directories', async () => {
    const path = join(dir, 'nested', 'deeper', 'sms.jsonl');
    let n = 0;
    const outbox = new LocalSmsOutbox(path, {
      clock: fixedClock(new Date('2025-05-01T10:00:00Z')),
      ids: { newId: () => `sms-${++n}`, newSecret: () => 'unused' },
    });
    const first = await outbox.send({ to: '+15555550123', text: 'Your code is 111111' });
    const second = await outbox.send({ to: '+15555550124', text: 'Your code is 222222\nline two' });
    expect(first).toEqual({ messageId: 'sms-1' });
    expect(second).toEqual({ messageId: 'sms-2' });

    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0]!)).toEqual({
      id: 'sms-1',
      to: '+15555550123',
      text: 'Your code is 111111',
      at: '2025-05-01T10:00:00.000Z',
    });
    expect(await outbox.read()).toEqual([
      { id: 'sms-1', to: '+15555550123', text: 'Your code is 111111', at: '2025-05-01T10:00:00.000Z' },
      {
        id: 'sms-2',
        to: '+15555550124',
        text: 'Your code is 222222\nline two',
        at: '2025-05-01T10:00:00.000Z',
      },
    ]);
  });

  it('keeps the order of concurrent sends and is readable by a second instance', async () => {
    const path = join(dir, 'sms.jsonl');
    const outbox = new LocalSmsOutbox(path);
    const sent = await Promise.all(
      Array.from({ length: 50 }, (_, i) => outbox.send({ to: '+15555550123', text: `code ${i}` })),
    );
    const messages = await new LocalSmsOutbox(path).read();
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: 50 }, (_, i) => `code ${i}`));
    expect(messages.map((m) => m.id)).toEqual(sent.map((s) => s.messageId));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(50);
    expect(messages[0]!.at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
