import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class InstanceLockedError extends Error {}

/** Locks this process holds: a pid file naming our own pid is ours only if it is listed here. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One service per state directory: two dynalite servers on one LevelDB hang. The lock is a
 * pid file created exclusively; a file left by a process that is gone is taken over.
 */
export function acquireLock(directory: string): () => void {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'countersign.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      held.add(path);
      return () => {
        held.delete(path);
        rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      const ours = pid === process.pid;
      if (held.has(path) || (!ours && Number.isInteger(pid) && pid > 0 && alive(pid))) {
        throw new InstanceLockedError(
          `another Countersign service (pid ${pid}${ours ? ', this process' : ''}) is already running on ${directory}; stop it first, or set COUNTERSIGN_HOME to another directory`,
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new InstanceLockedError(`could not lock ${directory}: another service is starting on it`);
}
