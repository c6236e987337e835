import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startTestService, type TestService } from '../support/service';
import { createEnvelope, newTenant } from './helpers';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

/** Follows nextCursor to the end; returns the pages' ids. */
async function allPages(token: string, query: string): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const res = await service.api(
      'GET',
      `/v1/envelopes?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { token },
    );
    expect(res.status).toBe(200);
    pages.push(res.body.items.map((i: any) => i.id));
    cursor = res.body.nextCursor;
    if (pages.length > 10) throw new Error('pagination does not end');
  } while (cursor);
  return pages;
}

async function voidIt(token: string, id: string) {
  const res = await service.api('POST', `/v1/envelopes/${id}/void`, {
    token,
    body: { reason: 'superseded' },
  });
  expect(res.status).toBe(200);
}

describe('GET /v1/envelopes', () => {
  it('lists newest first, with a summary of each envelope', async () => {
    const tenant = newTenant('list');
    const token = await service.token('admin', { tenant, sub: 'boss', email: 'boss@vendor.example' });
    const first = await createEnvelope(service, token, { title: 'First' });
    const second = await createEnvelope(service, token, { title: 'Second' });

    const res = await service.api('GET', '/v1/envelopes', { token });
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeUndefined();
    expect(res.body.items).toEqual([
      {
        id: second.id,
        title: 'Second',
        status: 'draft',
        createdAt: second.createdAt,
        updatedAt: second.updatedAt,
        owner: { sub: 'boss', email: 'boss@vendor.example' },
        currentStep: null,
        recipientCount: 1,
      },
      expect.objectContaining({ id: first.id, title: 'First' }),
    ]);
  });

  it('pages with limit=2 over 5 envelopes return each envelope exactly once, newest first', async () => {
    const tenant = newTenant('list');
    const token = await service.token('admin', { tenant });
    const created: string[] = [];
    for (let i = 1; i <= 5; i++) created.push((await createEnvelope(service, token, { title: `E${i}` })).id);

    const pages = await allPages(token, 'limit=2');
    expect(pages[0]).toHaveLength(2);
    expect(pages[1]).toHaveLength(2);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    expect(pages.flat()).toEqual([...created].reverse());
  });

  it('filters by status, and pages through a filtered list', async () => {
    const tenant = newTenant('list');
    const token = await service.token('admin', { tenant });
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await createEnvelope(service, token, { title: `E${i}` })).id);
    await voidIt(token, ids[1]!);
    await voidIt(token, ids[3]!);

    expect((await allPages(token, 'status=voided&limit=1')).flat()).toEqual([ids[3], ids[1]]);
    expect((await allPages(token, 'status=draft')).flat()).toEqual([ids[4], ids[2], ids[0]]);
    expect((await allPages(token, 'status=completed')).flat()).toEqual([]);
    const voided = await service.api('GET', '/v1/envelopes?status=voided', { token });
    expect(voided.body.items.every((i: any) => i.status === 'voided')).toBe(true);
  });

  it('a sender sees only their own envelopes, with or without a status filter; an admin sees all', async () => {
    const tenant = newTenant('list');
    const sam = await service.token('sender', { tenant, sub: 'sam' });
    const sue = await service.token('sender', { tenant, sub: 'sue' });
    const admin = await service.token('admin', { tenant, sub: 'boss' });
    const s1 = (await createEnvelope(service, sam)).id;
    const u1 = (await createEnvelope(service, sue)).id;
    const s2 = (await createEnvelope(service, sam)).id;
    const u2 = (await createEnvelope(service, sue)).id;
    const s3 = (await createEnvelope(service, sam)).id;
    await voidIt(sam, s2);
    await voidIt(sue, u2);

    expect((await allPages(sam, 'limit=2')).flat()).toEqual([s3, s2, s1]);
    expect((await allPages(sue, '')).flat()).toEqual([u2, u1]);
    expect((await allPages(sam, 'status=draft&limit=1')).flat()).toEqual([s3, s1]);
    expect((await allPages(sam, 'status=voided')).flat()).toEqual([s2]);
    expect((await allPages(admin, 'limit=3')).flat()).toEqual([s3, u2, s2, u1, s1]);
    expect((await allPages(admin, 'status=voided')).flat()).toEqual([u2, s2]);
  });

  it('400 for an unknown status or a limit out of range, naming the parameter', async () => {
    const token = await service.token('admin', { tenant: newTenant('list') });
    const cases: [string, string][] = [
      ['status=signed', 'query.status'],
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['limit=ten', 'query.limit'],
      ['sort=asc', 'query'],
    ];
    for (const [query, path] of cases) {
      const res = await service.api('GET', `/v1/envelopes?${query}`, { token });
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.details.map((d: any) => d.path),
        query,
      ).toContain(path);
    }
  });
});

describe('GET /v1/envelopes cursors', () => {
  async function tenantWithCursor(role: 'admin' | 'sender' = 'admin', query = 'limit=1') {
    const tenant = newTenant('cursor');
    const token = await service.token(role, { tenant, sub: `${role}-1` });
    await createEnvelope(service, token);
    await createEnvelope(service, token);
    const res = await service.api('GET', `/v1/envelopes?${query}`, { token });
    expect(res.body.nextCursor).toEqual(expect.any(String));
    return { tenant, token, cursor: res.body.nextCursor as string };
  }

  const invalidCursor = (res: { status: number; body: any }) => {
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
  };

  it('400 for a cursor that is not one the service made', async () => {
    const token = await service.token('admin', { tenant: newTenant('cursor') });
    for (const cursor of ['garbage!', 'bm90IGpzb24', Buffer.from('[1,2]').toString('base64url')]) {
      invalidCursor(
        await service.api('GET', `/v1/envelopes?cursor=${encodeURIComponent(cursor)}`, { token }),
      );
    }
  });

  it('400 for an edited cursor that names keys of the own tenant but is not a position in the list', async () => {
    const { tenant, token } = await tenantWithCursor();
    const forged = Buffer.from(JSON.stringify({ pk: `T#${tenant}#E#x`, sk: 'SNAPSHOT' })).toString(
      'base64url',
    );
    invalidCursor(await service.api('GET', `/v1/envelopes?cursor=${forged}`, { token }));
  });

  it('400 for a cursor of another tenant', async () => {
    const { cursor } = await tenantWithCursor();
    const intruder = await service.token('admin', { tenant: newTenant('cursor') });
    invalidCursor(
      await service.api('GET', `/v1/envelopes?cursor=${encodeURIComponent(cursor)}`, { token: intruder }),
    );
  });

  it('400 for a cursor of another listing (a status-filtered cursor reused without the filter)', async () => {
    const { token, cursor } = await tenantWithCursor('admin', 'status=draft&limit=1');
    invalidCursor(
      await service.api('GET', `/v1/envelopes?limit=1&cursor=${encodeURIComponent(cursor)}`, { token }),
    );
  });
});
