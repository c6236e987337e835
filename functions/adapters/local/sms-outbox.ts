import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock, Ids, SmsSender } from '../../core/ports';
import { systemClock, systemIds } from '../system';

export interface OutboxSms {
  id: string;
  to: string;
  text: string;
  /** ISO 8601 time the message was "sent". */
  at: string;
}

/**
 * The local stand-in for SNS: each SMS becomes one JSON line in a file, which the developer
 * (or a test) reads to get the code.
 */
export class LocalSmsOutbox implements SmsSender {
  /** Appends run one after another so lines never interleave and keep their order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly deps: { clock?: Clock; ids?: Ids } = {},
  ) {}

  async send(message: { to: string; text: string }): Promise<{ messageId: string }> {
    const sms: OutboxSms = {
      id: (this.deps.ids ?? systemIds).newId(),
      to: message.to,
      text: message.text,
      at: (this.deps.clock ?? systemClock).now().toISOString(),
    };
    const write = this.queue.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      await appendFile(this.path, `${JSON.stringify(sms)}\n`, 'utf8');
    });
    this.queue = write.catch(() => undefined);
    await write;
    return { messageId: sms.id };
  }

  /** Every message in the outbox, oldest first; none when the file does not exist yet. */
  async read(): Promise<OutboxSms[]> {
    await this.queue;
    let content: string;
    try {
      content = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return content
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as OutboxSms);
  }
}
