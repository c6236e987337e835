import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeJwt } from 'jose';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/local/issuer';
import { startTestService } from '../support/service';

const ROOT = resolve(import.meta.dirname, '../..');
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'countersign-cli-'));
});

afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ['bin/countersign.js', ...args], { cwd: ROOT }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('countersign token', () => {
  it('prints a JWT for the role and tenant asked for', async () => {
    const res = await cli(['token', '--role', 'sender', '--tenant', 'acme', '--home', home]);
    expect(res.code).toBe(0);
    const token = res.stdout.trim();
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = decodeJwt(token);
    expect(payload).toMatchObject({
      'custom:tenant_id': 'acme',
      'cognito:groups': ['sender'],
      token_use: 'id',
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      sub: 'local-sender',
    });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
  });

  it('takes several roles, a subject and a lifetime', async () => {
    const res = await cli([
      'token',
      '--role',
      'legal',
      '--role',
      'auditor',
      '--sub',
      'lee',
      '--ttl',
      '600',
      '--home',
      home,
    ]);
    expect(res.code).toBe(0);
    const payload = decodeJwt(res.stdout.trim());
    expect(payload).toMatchObject({
      'cognito:groups': ['legal', 'auditor'],
      sub: 'lee',
      'custom:tenant_id': 'local',
    });
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('its token is accepted by a service on the same home', async () => {
    const token = (
      await cli(['token', '--role', 'sender', '--tenant', 'acme', '--home', home])
    ).stdout.trim();
    const service = await startTestService({ home, port: 0 });
    try {
      const res = await service.api('GET', '/v1/envelopes', { token });
      expect(res.status).toBe(200);
    } finally {
      await service.close();
    }
  });

  it('refuses an unknown role, naming it and the roles there are', async () => {
    const res = await cli(['token', '--role', 'nosuch', '--home', home]);
    expect(res.code).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain('unknown role "nosuch"');
    expect(res.stderr).toContain('admin, sender, legal, support-manager, auditor');
  });

  it('refuses a malformed tenant and an unknown option', async () => {
    const tenant = await cli(['token', '--tenant', 'acme corp', '--home', home]);
    expect(tenant.code).not.toBe(0);
    expect(tenant.stderr).toContain('--tenant');
    const option = await cli(['token', '--roles', 'admin', '--home', home]);
    expect(option.code).not.toBe(0);
    expect(option.stderr).toContain('--roles');
  });

  it('an unknown command prints the usage', async () => {
    const res = await cli(['frobnicate']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('unknown command "frobnicate"');
    expect(res.stderr).toContain('Usage: countersign');
  });
});
