import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, staticSite } from '../../functions/local/static-files';

/** The local mode's static files: the signing page at `/sign`, its assets, and nothing else. */

let server: Server;
let base: string;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'countersign-static-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>page</title>');
  writeFileSync(join(root, 'main.js'), 'export {};');
  writeFileSync(join(root, '.build-hash'), 'secret');
  mkdirSync(join(root, 'fonts'));
  writeFileSync(join(root, 'fonts', 'a.ttf'), 'font');
  writeFileSync(join(tmpdir(), 'outside.txt'), 'outside');
  const handler = staticSite({ mount: '/sign', root, connect: ['http://127.0.0.1:4569'] });
  server = createServer((req, res) => {
    if (handler(req, res)) return;
    res.writeHead(418).end('not mine');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { redirect: 'manual', ...init });

describe('staticSite', () => {
  it('serves the page at the mount itself, with the security headers', async () => {
    const res = await get('/sign');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<title>page</title>');
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy(['http://127.0.0.1:4569']));
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self' http://127.0.0.1:4569");
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('serves assets by type, and HEAD without a body', async () => {
    const js = await get('/sign/main.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const font = await get('/sign/fonts/a.ttf', { method: 'HEAD' });
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toBe('font/ttf');
    expect(font.headers.get('content-length')).toBe('4');
    expect(await font.text()).toBe('');
  });

  it('redirects /sign/ to /sign (relative links), keeping the query', async () => {
    const res = await get('/sign/?x=1');
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/sign?x=1');
  });

  it('never serves hidden files, folders, or anything outside its root', async () => {
    for (const path of [
      '/sign/.build-hash',
      '/sign/fonts',
      '/sign/..%2Foutside.txt',
      '/sign/fonts/..%2F..%2Foutside.txt',
      '/sign/missing.js',
      '/sign/a%00b',
    ]) {
      expect((await get(path)).status, path).toBe(404);
    }
    expect((await get('/sign/%E0%A4%A')).status).toBe(400);
  });

  it('answers only GET and HEAD, and leaves other paths to the next handler', async () => {
    const post = await get('/sign', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await get('/signature')).status).toBe(418);
    expect((await get('/v1/signing/session')).status).toBe(418);
  });
});
