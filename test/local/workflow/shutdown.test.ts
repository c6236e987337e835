import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));

interface Outcome {
  /** Exit code, or null when the process was still running at the deadline (and was killed). */
  code: number | null;
  lines: unknown[];
  stderr: string;
}

/** Runs the child; kills it (by its own pid) if it has not exited `graceMs` after its first line. */
function runChild(args: string[], graceMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killer: ReturnType<typeof setTimeout> | undefined;
    let killed = false;
    const hardStop = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, 25_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      killer ??= setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, graceMs);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(hardStop);
      if (killer) clearTimeout(killer);
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as unknown);
      resolve({ code: killed ? null : code, lines, stderr });
    });
  });
}

describe('LocalWorkflowRunner shutdown', () => {
  it('lets the process exit on its own after close(), with a token pending', async () => {
    const outcome = await runChild([], 5_000);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.lines).toEqual([{ pending: 1 }, { status: 'ABORTED', pending: 0 }]);
  });

  it('(control) without close(), the pending wait keeps the process alive', async () => {
    const outcome = await runChild(['--no-close'], 1_500);
    expect(outcome.lines).toEqual([{ pending: 1 }]);
    expect(outcome.code).toBeNull();
  });
});
