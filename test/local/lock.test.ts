import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, InstanceLockedError } from '../../functions/local/lock';

let root: string;
/** Another live process, whose pid stands for a running service. */
let other: ChildProcess;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'countersign-lock-'));
  other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
});

afterAll(() => {
  if (other?.pid) process.kill(other.pid, 'SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

let n = 0;
const home = () => join(root, `home-${n++}`);
const pidFile = (dir: string) => join(dir, 'countersign.pid');

describe('acquireLock', () => {
  it('creates the directory and a pid file naming this process; release removes it', () => {
    const dir = home();
    const release = acquireLock(dir);
    expect(readFileSync(pidFile(dir), 'utf8')).toBe(String(process.pid));
    release();
    expect(existsSync(pidFile(dir))).toBe(false);
    // Free again after release.
    acquireLock(dir)();
  });

  it('refuses a directory held by another running process, naming its pid and the way out', () => {
    const dir = home();
    acquireLock(dir)();
    writeFileSync(pidFile(dir), String(other.pid));
    let error: unknown;
    try {
      acquireLock(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InstanceLockedError);
    const message = (error as Error).message;
    expect(message).toContain(`pid ${other.pid}`);
    expect(message).toContain(dir);
    expect(message).toContain('COUNTERSIGN_HOME');
    // The holder's lock is left alone.
    expect(readFileSync(pidFile(dir), 'utf8')).toBe(String(other.pid));
  });

  it('refuses a second lock on the same directory from this very process while the first is held', () => {
    const dir = home();
    const release = acquireLock(dir);
    try {
      expect(() => acquireLock(dir)).toThrow(InstanceLockedError);
      expect(readFileSync(pidFile(dir), 'utf8')).toBe(String(process.pid));
    } finally {
      release();
    }
  });

  it('takes over a stale pid file left by a process that is gone', () => {
    const dir = home();
    acquireLock(dir)();
    writeFileSync(pidFile(dir), '999999');
    const release = acquireLock(dir);
    expect(readFileSync(pidFile(dir), 'utf8')).toBe(String(process.pid));
    release();
  });

  it('takes over a pid file with garbage in it', () => {
    const dir = home();
    acquireLock(dir)();
    writeFileSync(pidFile(dir), 'not a pid\n');
    const release = acquireLock(dir);
    expect(readFileSync(pidFile(dir), 'utf8')).toBe(String(process.pid));
    release();
  });
});
