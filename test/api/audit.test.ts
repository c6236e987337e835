import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { X509Certificate, verify } from 'node:crypto';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import canonicalize from 'canonicalize';
import { startTestService, type TestService } from '../support/service';
import {
  createEnvelope,
  dynamo,
  eventKey,
  letter,
  newTenant,
  recomputeHash,
  sha256,
  TABLE,
  tamperEvent,
} from './helpers';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

const GENESIS = '0'.repeat(64);

async function voidedEnvelope(tenant: string) {
  const token = await service.token('sender', { tenant, sub: 'sam', email: 'sam@vendor.example' });
  const envelope = await createEnvelope(service, token);
  const voided = await service.api('POST', `/v1/envelopes/${envelope.id}/void`, {
    token,
    body: { reason: 'Replaced by v2' },
  });
  expect(voided.status).toBe(200);
  return { token, envelope };
}

describe('GET /v1/envelopes/{id}/audit', () => {
  it('returns the hash-chained events, which verify, and which anyone can re-check', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ envelopeId: envelope.id, verified: true });
    expect(res.body.brokenAt).toBeUndefined();
    expect(res.body.algorithm).toContain('sha256');
    const events = res.body.events;
    expect(events.map((e: any) => [e.seq, e.type])).toEqual([
      [1, 'envelope.created'],
      [2, 'envelope.voided'],
    ]);
    expect(events[0]).toMatchObject({
      envelopeId: envelope.id,
      tenantId: tenant,
      prevHash: GENESIS,
      actor: { kind: 'user', id: 'sam', email: 'sam@vendor.example' },
      data: { title: envelope.title, owner: { sub: 'sam' } },
    });
    // The created event records the SHA-256 of the exact document.
    expect(events[0].data.documents[0].sha256).toBe(sha256(await letter()));
    expect(events[1].prevHash).toBe(events[0].hash);
    // Re-computed from the published format, not with the service's code.
    for (const event of events) {
      expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(recomputeHash(event)).toBe(event.hash);
    }
    expect(res.body.headHash).toBe(events[1].hash);
  });

  it('says verified: false with brokenAt when a stored event was altered in the table', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    await tamperEvent(service, tenant, envelope.id, 1, (event) => {
      event.data.title = 'A much cheaper agreement';
    });

    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.status).toBe(200);
    expect(res.body.verified).toBe(false);
    expect(res.body.brokenAt).toBe(1);
    expect(res.body.reason).toContain('hash does not match');
    expect(res.body.events[0].data.title).toBe('A much cheaper agreement');
  });

  it('detects an altered later event', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    await tamperEvent(service, tenant, envelope.id, 2, (event) => {
      event.actor.id = 'someone-else';
    });
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.body).toMatchObject({ verified: false, brokenAt: 2 });
  });

  it('detects an event re-hashed after editing, because the next event no longer links to it', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    await tamperEvent(service, tenant, envelope.id, 1, (event) => {
      event.data.message = 'edited';
      event.hash = recomputeHash(event);
    });
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.body.verified).toBe(false);
    expect(res.body.brokenAt).toBe(2);
    expect(res.body.reason).toContain('prevHash');
  });

  it('detects a deleted event', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    const db = dynamo(service);
    await db.send(new DeleteCommand({ TableName: TABLE, Key: eventKey(tenant, envelope.id, 1) }));
    db.destroy();
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.body.verified).toBe(false);
    expect(res.body.brokenAt).toBe(2);
  });

  it('detects a deleted last event: the envelope records version 2, the trail must not verify with one', async () => {
    const tenant = newTenant('audit');
    const { token, envelope } = await voidedEnvelope(tenant);
    const db = dynamo(service);
    await db.send(new DeleteCommand({ TableName: TABLE, Key: eventKey(tenant, envelope.id, 2) }));
    db.destroy();
    const read = await service.api('GET', `/v1/envelopes/${envelope.id}`, { token });
    expect(read.body).toMatchObject({ status: 'voided', version: 2 });
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
    expect(res.body.events).toHaveLength(1);
    expect(res.body.verified).toBe(false);
  });

  it('404 for an unknown envelope', async () => {
    const token = await service.token('auditor', { tenant: newTenant('audit') });
    const res = await service.api('GET', '/v1/envelopes/01jzzzzzzzzzzzzzzzzzzzzzzz/audit', { token });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });
});

describe('GET /v1/envelopes/{id}/audit?format=json: the signed export', () => {
  /** Checks the export's detached signature the way docs/audit-trail.md tells an outsider to. */
  function signatureHolds(exported: Record<string, any>): boolean {
    const { signature, ...rest } = exported;
    const [leaf] = signature.certificates as string[];
    const key = new X509Certificate(Buffer.from(leaf!, 'base64')).publicKey;
    return verify('sha256', Buffer.from(canonicalize(rest)!), key, Buffer.from(signature.value, 'base64'));
  }

  it('exports every event, the head and a signature by the seal key that an outsider can check', async () => {
    const tenant = newTenant('export');
    const { token, envelope } = await voidedEnvelope(tenant);
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit?format=json`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="audit-${envelope.id}.json"`);
    const exported = res.body;
    expect(exported).toMatchObject({
      format: 'countersign-audit/1',
      envelopeId: envelope.id,
      tenantId: tenant,
      genesisHash: GENESIS,
      head: { seq: 2, hash: exported.events[1].hash },
      signature: { algorithm: 'ECDSA_SHA_256' },
    });
    expect(exported.events.map((e: any) => e.type)).toEqual(['envelope.created', 'envelope.voided']);
    for (const event of exported.events) expect(recomputeHash(event)).toBe(event.hash);
    // The chain of the service's seal: the seal certificate, then its root.
    expect(exported.signature.certificates).toHaveLength(2);
    expect(signatureHolds(exported)).toBe(true);

    // Any edit of the export (an event, the head, the time) breaks the signature.
    const edited = structuredClone(exported);
    edited.events[1].data.reason = 'No reason';
    expect(signatureHolds(edited)).toBe(false);
    const dropped = structuredClone(exported);
    dropped.events.pop();
    expect(signatureHolds(dropped)).toBe(false);
  });

  it('is refused (422) when the stored trail does not verify, rather than signed', async () => {
    const tenant = newTenant('export');
    const { token, envelope } = await voidedEnvelope(tenant);
    await tamperEvent(service, tenant, envelope.id, 2, (event) => {
      event.data.reason = 'Edited in the table';
    });
    const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit?format=json`, { token });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/does not verify/);
  });

  it('400 for an unknown format; 403 for a sender who may not read the envelope', async () => {
    const tenant = newTenant('export');
    const { token, envelope } = await voidedEnvelope(tenant);
    const csv = await service.api('GET', `/v1/envelopes/${envelope.id}/audit?format=csv`, { token });
    expect(csv.status).toBe(400);
    expect(csv.body.error.details[0].path).toBe('query.format');
    const other = await service.token('sender', { tenant, sub: 'someone-else' });
    expect(
      (await service.api('GET', `/v1/envelopes/${envelope.id}/audit?format=json`, { token: other })).status,
    ).toBe(403);
  });
});
