import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LegalHolds } from '../../core/ports';

/**
 * The local stand-in for S3 Object Lock legal holds, which the S3 emulator does not implement:
 * the keys on hold in one JSON file, replaced whole on each change (written aside, then renamed).
 */
export class LocalLegalHolds implements LegalHolds {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  private async load(): Promise<Set<string>> {
    try {
      return new Set(JSON.parse(await readFile(this.path, 'utf8')) as string[]);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw error;
    }
  }

  async setLegalHold(key: string, on: boolean): Promise<void> {
    const change = this.queue.then(async () => {
      const held = await this.load();
      if (on) held.add(key);
      else held.delete(key);
      await mkdir(dirname(this.path), { recursive: true });
      await writeFile(`${this.path}.tmp`, JSON.stringify([...held].sort()), 'utf8');
      await rename(`${this.path}.tmp`, this.path);
    });
    this.queue = change.catch(() => undefined);
    await change;
  }

  async isOnLegalHold(key: string): Promise<boolean> {
    await this.queue;
    return (await this.load()).has(key);
  }
}
