import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../functions/core/access';
import { LocalIssuer } from '../../functions/local/issuer';
import { startTestService, type TestService } from '../support/service';
import { createEnvelope, envelopeBody, footprint, newTenant, NOTHING, sleep } from './helpers';

let service: TestService;
let otherKeyDir: string;

beforeAll(async () => {
  service = await startTestService();
  otherKeyDir = mkdtempSync(join(tmpdir(), 'countersign-other-issuer-'));
});

afterAll(async () => {
  await service?.close();
  if (otherKeyDir) rmSync(otherKeyDir, { recursive: true, force: true });
});

const unauthorized = { message: 'Unauthorized' };

describe('authentication: every route but the OpenAPI document needs a valid token', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/v1/envelopes'],
    ['GET', '/v1/envelopes/01jabc'],
    ['GET', '/v1/envelopes/01jabc/audit'],
    ['GET', '/v1/envelopes/01jabc/documents/doc1'],
    ['POST', '/v1/envelopes/01jabc/void', { reason: 'x' }],
    ['POST', '/v1/uploads', { filename: 'a.pdf', contentType: 'application/pdf', size: 10 }],
  ];

  it.each(routes)('401 without a token: %s %s', async (method, path, body) => {
    const res = await service.api(method, path, body === undefined ? {} : { body });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized);
  });

  it('401 without a token on create, and nothing is written', async () => {
    const tenant = newTenant('auth');
    const res = await service.api('POST', '/v1/envelopes', { body: await envelopeBody() });
    expect(res.status).toBe(401);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it('401 for a header that is not a Bearer token', async () => {
    const token = await service.token('admin', { tenant: newTenant('auth') });
    for (const value of [`Basic ${token}`, token, 'Bearer', 'Bearer not a jwt']) {
      const res = await service.api('GET', '/v1/envelopes', { headers: { authorization: value } });
      expect(res.status, value.slice(0, 20)).toBe(401);
    }
  });

  it('401 for a garbled token', async () => {
    const res = await service.api('GET', '/v1/envelopes', { token: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
    expect(res.status).toBe(401);
  });

  it('401 for an expired token, which worked while it was valid', async () => {
    const tenant = newTenant('auth');
    const token = await service.token('admin', { tenant, ttl: 1 });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(200);
    await sleep(2100);
    const res = await service.api('GET', '/v1/envelopes', { token });
    expect(res.status).toBe(401);
    expect(res.body).toEqual(unauthorized);
  });

  it('401 for a token that expired long ago', async () => {
    const token = await service.token('admin', { tenant: newTenant('auth'), ttl: -3600 });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(401);
  });

  it('401 for a token from another issuer', async () => {
    const token = await service.token('admin', {
      tenant: newTenant('auth'),
      issuer: 'https://evil.example/issuer',
    });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(401);
  });

  it('401 for a token for another audience', async () => {
    const token = await service.token('admin', { tenant: newTenant('auth'), audience: 'another-app-client' });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(401);
  });

  it('401 for a token signed by another key, and nothing is written', async () => {
    const tenant = newTenant('auth');
    const other = await LocalIssuer.open(otherKeyDir);
    const token = await other.mint({ roles: ['admin'], tenant });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(401);
    const create = await service.api('POST', '/v1/envelopes', { token, body: await envelopeBody() });
    expect(create.status).toBe(401);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it('401 for a token with a malformed tenant', async () => {
    const token = await service.token('admin', { tenant: 'acme#E#other' });
    expect((await service.api('GET', '/v1/envelopes', { token })).status).toBe(401);
  });

  it('403 for a token without any known role, and nothing is written', async () => {
    const tenant = newTenant('auth');
    for (const roles of [[], ['superuser']] as unknown as Role[][]) {
      const token = await service.token(roles, { tenant });
      const list = await service.api('GET', '/v1/envelopes', { token });
      expect(list.status).toBe(403);
      const create = await service.api('POST', '/v1/envelopes', { token, body: await envelopeBody() });
      expect(create.status).toBe(403);
    }
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it('the OpenAPI document needs no token', async () => {
    expect((await service.api('GET', '/v1/openapi.json')).status).toBe(200);
  });
});

describe('roles decide what a user may do', () => {
  it('an auditor may not create an envelope or an upload (403), and nothing is written', async () => {
    const tenant = newTenant('roles');
    const token = await service.token('auditor', { tenant });
    const create = await service.api('POST', '/v1/envelopes', { token, body: await envelopeBody() });
    expect(create.status).toBe(403);
    expect(create.body.error.code).toBe('forbidden');
    expect(create.body.error.message).toContain('may not create envelopes');
    const upload = await service.api('POST', '/v1/uploads', {
      token,
      body: { filename: 'a.pdf', contentType: 'application/pdf', size: 1000 },
    });
    expect(upload.status).toBe(403);
    expect(await footprint(service, tenant)).toEqual(NOTHING);
  });

  it('an auditor reads every envelope of the tenant but may not void one', async () => {
    const tenant = newTenant('roles');
    const sender = await service.token('sender', { tenant, sub: 'sam' });
    const auditor = await service.token('auditor', { tenant, sub: 'aud' });
    const envelope = await createEnvelope(service, sender);

    expect((await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: auditor })).status).toBe(200);
    expect((await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token: auditor })).status).toBe(
      200,
    );
    const list = await service.api('GET', '/v1/envelopes', { token: auditor });
    expect(list.body.items.map((i: any) => i.id)).toEqual([envelope.id]);

    const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token: auditor,
      body: { reason: 'auditing' },
    });
    expect(voided.status).toBe(403);
    const after = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: sender });
    expect(after.body.status).toBe('draft');
    expect(after.body.version).toBe(1);
  });

  it("a sender may not read, download or void another sender's envelope (403)", async () => {
    const tenant = newTenant('roles');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const sue = await service.token('sender', { tenant, sub: 'sue' });
    const envelope = await createEnvelope(service, sam);

    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: sue });
    expect(read.status).toBe(403);
    expect(read.body.error.message).toContain('only the envelopes you sent');
    expect(JSON.stringify(read.body)).not.toContain('Maintenance agreement');
    expect((await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token: sue })).status).toBe(403);
    expect(
      (await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token: sue })).status,
    ).toBe(403);

    const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token: sue,
      body: { reason: 'not mine' },
    });
    expect(voided.status).toBe(403);
    expect(voided.body.error.message).toContain("only the envelope's sender or an admin");
    const after = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: sam });
    expect(after.body.status).toBe('draft');
  });

  it("an admin may void a sender's envelope of the same tenant", async () => {
    const tenant = newTenant('roles');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const admin = await service.token('admin', { tenant, sub: 'boss' });
    const envelope = await createEnvelope(service, sam);
    const res = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token: admin,
      body: { reason: 'customer cancelled' },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('voided');
  });

  it('legal reads the whole tenant; a support manager reads only their own', async () => {
    const tenant = newTenant('roles');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const legal = await service.token('legal', { tenant, sub: 'lee' });
    const manager = await service.token('support-manager', { tenant, sub: 'max' });
    const samsEnvelope = await createEnvelope(service, sam, { title: "Sam's" });
    const maxsEnvelope = await createEnvelope(service, manager, { title: "Max's" });

    expect((await service.api('GET', `/v1/envelopes/${samsEnvelope.id}`, { token: legal })).status).toBe(200);
    const legalList = await service.api('GET', '/v1/envelopes', { token: legal });
    expect(legalList.body.items.map((i: any) => i.id)).toEqual([maxsEnvelope.id, samsEnvelope.id]);

    expect((await service.api('GET', `/v1/envelopes/${samsEnvelope.id}`, { token: manager })).status).toBe(
      403,
    );
    const managerList = await service.api('GET', '/v1/envelopes', { token: manager });
    expect(managerList.body.items.map((i: any) => i.id)).toEqual([maxsEnvelope.id]);
  });
});

describe('tenants never see each other', () => {
  it("another tenant's envelope id answers 404 on every route, and nothing changes", async () => {
    const acme = newTenant('acme');
    const globex = newTenant('globex');
    const acmeAdmin = await service.token('admin', { tenant: acme, sub: 'same-sub' });
    // Same subject, other tenant: only the tenant claim differs.
    const globexAdmin = await service.token('admin', { tenant: globex, sub: 'same-sub' });
    const envelope = await createEnvelope(service, acmeAdmin);

    for (const path of [
      `/v1/envelopes/${envelope.id}`,
      `/v1/envelopes/${envelope.id}/audit`,
      `/v1/envelopes/${envelope.id}/documents/doc1`,
    ]) {
      const res = await service.api('GET', path, { token: globexAdmin });
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toContain('Maintenance agreement');
    }
    const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
      token: globexAdmin,
      body: { reason: 'hostile' },
    });
    expect(voided.status).toBe(404);

    const own = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token: acmeAdmin });
    expect(own.body.status).toBe('draft');
    expect(await footprint(service, globex)).toEqual(NOTHING);
  });

  it("the list shows only the caller's tenant", async () => {
    const acme = newTenant('acme');
    const globex = newTenant('globex');
    const acmeAdmin = await service.token('admin', { tenant: acme });
    const globexAdmin = await service.token('admin', { tenant: globex });
    const a = await createEnvelope(service, acmeAdmin, { title: 'Acme deal' });
    const g = await createEnvelope(service, globexAdmin, { title: 'Globex deal' });

    const acmeList = await service.api('GET', '/v1/envelopes', { token: acmeAdmin });
    expect(acmeList.body.items.map((i: any) => i.id)).toEqual([a.id]);
    const globexList = await service.api('GET', '/v1/envelopes', { token: globexAdmin });
    expect(globexList.body.items.map((i: any) => i.id)).toEqual([g.id]);
  });
});
