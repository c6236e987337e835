import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InstanceLockedError } from '../../functions/local/lock';
import { startLocalService } from '../../functions/local/service';
import { envelopeBody } from '../api/helpers';
import { freePort } from '../../functions/local/emulators';

const ROOT = resolve(import.meta.dirname, '../..');

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `npx tsx functions/local/main.ts`, in its own process group so the whole tree can be signalled. */
function start(env: Record<string, string>): Running {
  const child = spawn('npx', ['tsx', 'functions/local/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let home: string;
let port: number;
let service: Running;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'countersign-main-'));
  port = await freePort();
  service = start({ PORT: String(port), COUNTERSIGN_HOME: home });
  await waitFor('the start-up banner', () => service.stdout().includes('Another token'), 60_000).catch(
    (e) => {
      throw new Error(`${(e as Error).message}\nstdout:\n${service.stdout()}\nstderr:\n${service.stderr()}`);
    },
  );
});

afterAll(async () => {
  // Whatever the tests did, leave no service behind.
  if (service?.child.pid && service.child.exitCode === null) {
    try {
      process.kill(-service.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const pidFile = home && join(home, 'countersign.pid');
  if (pidFile && existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid && pid !== process.pid && alive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (home) rmSync(home, { recursive: true, force: true });
});

function banner() {
  const lines = service.stdout().split('\n');
  const value = (label: string) => {
    const line = lines.find((l) => l.trim().startsWith(label));
    return line?.slice(line.indexOf(label) + label.length).trim();
  };
  const tokenLine = lines.findIndex((l) => l.startsWith('Bearer token'));
  return {
    api: value('API:'),
    openApi: value('OpenAPI:'),
    mail: value('Sent mail:'),
    state: value('State:'),
    token: lines[tokenLine + 1]?.trim(),
  };
}

describe('npm start (functions/local/main.ts) as a real process', () => {
  it('prints where the API, the OpenAPI document and the sent mail are, and a working admin token', async () => {
    const b = banner();
    expect(b.api).toBe(`http://127.0.0.1:${port}/v1`);
    expect(b.openApi).toBe(`http://127.0.0.1:${port}/v1/openapi.json`);
    expect(b.mail).toBe(`${b.mail!.split(' ')[0]}  (JSON at http://127.0.0.1:${port}/local/mail)`);
    expect(b.mail).toMatch(/^http:\/\/127\.0\.0\.1:\d+ /);
    expect(b.state).toBe(home);
    expect(b.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const openApi = await fetch(b.openApi!);
    expect(openApi.status).toBe(200);
    expect(((await openApi.json()) as any).openapi).toMatch(/^3\.1/);

    const mailUrl = b.mail!.split(' ')[0]!;
    const store = await fetch(`${mailUrl}/store`);
    expect(store.status).toBe(200);
    expect(await store.json()).toEqual(expect.any(Object));
    const outbox = await fetch(`http://127.0.0.1:${port}/local/mail`);
    expect(outbox.status).toBe(200);
    expect(((await outbox.json()) as any).emails).toEqual(expect.any(Array));

    const headers = { authorization: `Bearer ${b.token}`, 'content-type': 'application/json' };
    const list = await fetch(`${b.api}/envelopes`, { headers });
    expect(list.status).toBe(200);
    const created = await fetch(`${b.api}/envelopes`, {
      method: 'POST',
      headers,
      body: JSON.stringify(await envelopeBody()),
    });
    expect(created.status).toBe(201);
    const after = (await (await fetch(`${b.api}/envelopes`, { headers })).json()) as any;
    expect(after.items).toHaveLength(1);
    // The same API refuses a request without the token.
    expect((await fetch(`${b.api}/envelopes`)).status).toBe(401);
  });

  it('writes its access log with route templates, never concrete paths', async () => {
    const b = banner();
    await fetch(`${b.api}/envelopes/01jsecretidnottobelogged0/audit`, {
      headers: { authorization: `Bearer ${b.token}` },
    });
    await waitFor('an access log line', () => service.stdout().includes('/v1/envelopes/{id}/audit'));
    expect(service.stdout()).not.toContain('01jsecretidnottobelogged0');
  });

  it('a second service on the same state directory is refused, naming the running one', async () => {
    const pid = Number(readFileSync(join(home, 'countersign.pid'), 'utf8'));
    expect(alive(pid)).toBe(true);

    await expect(startLocalService({ home, port: 0 })).rejects.toThrow(InstanceLockedError);
    await expect(startLocalService({ home, port: 0 })).rejects.toThrow(`pid ${pid}`);

    const second = start({ PORT: String(await freePort()), COUNTERSIGN_HOME: home });
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toContain(
      `another Countersign service (pid ${pid}) is already running on ${home}`,
    );
    // The first one is unharmed.
    expect(
      (await fetch(`${banner().api}/envelopes`, { headers: { authorization: `Bearer ${banner().token}` } }))
        .status,
    ).toBe(200);
  });

  it('stops on SIGTERM: the process exits, the port closes and the lock is released', async () => {
    const pid = Number(readFileSync(join(home, 'countersign.pid'), 'utf8'));
    process.kill(-service.child.pid!, 'SIGTERM');
    await waitFor('the service process to exit', () => !alive(pid), 15_000);
    await service.exited;
    expect(existsSync(join(home, 'countersign.pid'))).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/v1/openapi.json`)).rejects.toThrow();

    // The state survives: the next start on the same directory sees the envelope.
    const again = await startLocalService({ home, port: 0 });
    try {
      const token = await again.issuer.mint({ roles: ['admin'], tenant: 'local', sub: 'local-admin' });
      const list = await fetch(`${again.url}/v1/envelopes`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(((await list.json()) as any).items).toHaveLength(1);
    } finally {
      await again.close();
    }
  });
});
