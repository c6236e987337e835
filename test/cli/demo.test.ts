import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pdfsig } from '../support/pdfsig';
import { freePort } from '../../functions/local/emulators';

const ROOT = resolve(import.meta.dirname, '../..');
const LIMIT_MS = 120_000;

let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'countersign-demo-'));
});

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

function runDemo(env: Record<string, string>): Promise<{ code: number | null; output: string; ms: number }> {
  return new Promise((ok, fail) => {
    const started = Date.now();
    const child = spawn('npm', ['run', 'demo'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      // npm starts tsx, which starts node: end the whole group this test started.
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, LIMIT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      fail(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      ok({ code, output, ms: Date.now() - started });
    });
  });
}

describe('npm run demo', () => {
  it(
    'plays a two-step contract to a sealed PDF that pdfsig calls valid',
    async () => {
      const port = await freePort();
      const { code, output, ms } = await runDemo({
        COUNTERSIGN_HOME: home,
        COUNTERSIGN_URL: `http://127.0.0.1:${port}`,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      expect(code, output).toBe(0);
      expect(ms).toBeLessThan(LIMIT_MS);

      expect(output).toContain('starting one in the local mode');
      expect(output).toMatch(/Step 1 \(in parallel\): .+\. Step 2: .+\./);
      expect(output).toMatch(/\(step 1\) opens the invitation e-mail and signs/);
      expect(output).toMatch(/\(step 2\) opens the invitation e-mail and signs/);
      expect(output.match(/Signs with a typed signature: now signed\./g)).toHaveLength(3);
      expect(output).toContain("(matches the envelope's record)");
      expect(output).toContain('is a byte-exact prefix of the sealed file');
      expect(output).toMatch(/Service says verified=true; recomputed here: verified/);

      const files = readdirSync(join(home, 'demo')).filter((f) => f.endsWith('.pdf'));
      expect(files).toHaveLength(1);
      const file = join(home, 'demo', files[0]!);
      expect(output).toContain(`Sealed PDF: ${file}`);
      const { signatures, output: report } = await pdfsig(readFileSync(file));
      expect(signatures, report).toHaveLength(1);
      expect(signatures[0]!.valid, report).toBe(true);
      expect(signatures[0]!.signatureType).toBe('ETSI.CAdES.detached');
    },
    LIMIT_MS + 10_000,
  );
});
