import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DocumentStore, Ports } from '../../functions/core/ports';
import { startTestService, type TestService } from '../support/service';
import {
  createRouted,
  eventsOfType,
  invitationToken,
  sendEnvelope,
  signAs,
  waitForStatus,
} from '../support/signing';
import { createEnvelope, newTenant } from './helpers';

/** When each stored object may be deleted, as the service asked the store. */
const retention = new Map<string, Date>();

let service: TestService;
beforeAll(async () => {
  service = await startTestService({
    overrides: (ports: Ports) => {
      const documents = ports.documents;
      const recording: DocumentStore = Object.assign(Object.create(documents) as DocumentStore, {
        putDocument: async (
          key: string,
          bytes: Uint8Array,
          sha256: string,
          retainUntil: Date,
          type?: string,
        ) => {
          retention.set(key, retainUntil);
          return documents.putDocument(key, bytes, sha256, retainUntil, type);
        },
      });
      return { documents: recording };
    },
  });
});
afterAll(async () => service.close());

async function setup(label: string) {
  const tenant = newTenant(label);
  const sender = await service.token('sender', { tenant, sub: 'sam' });
  const legal = await service.token('legal', { tenant, sub: 'lee', email: 'lee@acme.test' });
  const envelope = await createEnvelope(service, sender);
  return { tenant, sender, legal, envelope };
}

const hold = (token: string, id: string, body: unknown = { reason: 'Dispute over Q3 credits' }) =>
  service.api('POST', `/v1/envelopes/${id}/legal-hold`, { token, body });
const release = (token: string, id: string, body: unknown = { reason: 'Dispute settled' }) =>
  service.api('POST', `/v1/envelopes/${id}/legal-hold/release`, { token, body });

async function storedKeys(tenant: string, id: string): Promise<string[]> {
  const events = await service.ports.envelopes.loadEvents({ tenantId: tenant, envelopeId: id });
  const created = events.find((e) => e.type === 'envelope.created')!;
  return (created.data as { documents: { storageKey: string }[] }).documents.map((d) => d.storageKey);
}

describe('legal hold', () => {
  it('legal places it on every stored object, recorded in the audit trail; then releases it', async () => {
    const { tenant, legal, envelope } = await setup('hold');
    const keys = await storedKeys(tenant, envelope.id);
    expect(keys.length).toBeGreaterThan(0);

    const placed = await hold(legal, envelope.id);
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    expect(placed.body.legalHold).toEqual({
      since: expect.any(String),
      reason: 'Dispute over Q3 credits',
      by: 'lee',
    });
    for (const key of keys) expect(await service.ports.legalHolds.isOnLegalHold(key)).toBe(true);
    const [event] = await eventsOfType(service, tenant, envelope.id, 'envelope.legal_hold_placed');
    expect(event).toMatchObject({
      actor: { kind: 'user', id: 'lee', email: 'lee@acme.test' },
      data: { reason: 'Dispute over Q3 credits', objects: keys.length },
    });

    const again = await hold(legal, envelope.id);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/on legal hold since/);

    const released = await release(legal, envelope.id);
    expect(released.status).toBe(200);
    expect(released.body.legalHold).toBeUndefined();
    for (const key of keys) expect(await service.ports.legalHolds.isOnLegalHold(key)).toBe(false);
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.legal_hold_released')).toHaveLength(1);
    expect((await release(legal, envelope.id)).status).toBe(409);
    const audit = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token: legal });
    expect(audit.body.verified).toBe(true);
  });

  it('only admin or legal may place or release it; a reason is required; nothing changes otherwise', async () => {
    const { tenant, sender, legal, envelope } = await setup('hold-refused');
    const auditor = await service.token('auditor', { tenant, sub: 'ava' });
    for (const token of [sender, auditor]) {
      const res = await hold(token, envelope.id);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toMatch(/only admin or legal/);
    }
    const noReason = await hold(legal, envelope.id, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: any) => d.path)).toContain('body.reason');
    const elsewhere = await service.token('legal', { tenant: newTenant('other'), sub: 'x' });
    expect((await hold(elsewhere, envelope.id)).status).toBe(404);
    expect(await eventsOfType(service, tenant, envelope.id, 'envelope.legal_hold_placed')).toEqual([]);
    for (const key of await storedKeys(tenant, envelope.id)) {
      expect(await service.ports.legalHolds.isOnLegalHold(key)).toBe(false);
    }
  });
});

describe('retention per tenant', () => {
  it("documents are kept for the tenant's retention, or the deployment's when the tenant sets none", async () => {
    const tenant = newTenant('retention');
    const admin = await service.token('admin', { tenant, sub: 'ada' });
    const before = Date.now();
    const plain = await createEnvelope(service, admin);
    const [plainKey] = await storedKeys(tenant, plain.id);
    const days = (key: string) => Math.round((retention.get(key)!.getTime() - before) / 86_400_000);
    expect(days(plainKey!)).toBe(service.ports.limits.documentRetentionDays);

    const set = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: { documentRetentionDays: 3650 },
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.documentRetentionDays).toBe(3650);
    const kept = await createEnvelope(service, admin);
    const [keptKey] = await storedKeys(tenant, kept.id);
    expect(days(keptKey!)).toBe(3650);

    const bad = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: { documentRetentionDays: 0 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('body.documentRetentionDays');
  });
});

describe('legal hold on an envelope still out for signing', () => {
  it('also holds the sealed copies stored when it completes', async () => {
    const tenant = newTenant('hold-live');
    const sender = await service.token('sender', { tenant, sub: 'sam' });
    const legal = await service.token('legal', { tenant, sub: 'lee' });
    const { envelope, signers } = await createRouted(service, sender, tenant, [1]);
    await sendEnvelope(service, sender, envelope.id);
    expect((await hold(legal, envelope.id)).status).toBe(200);
    await signAs(service, await invitationToken(service, signers[0]!.email));
    const done = await waitForStatus(service, sender, envelope.id, 'completed');
    const events = await service.ports.envelopes.loadEvents({ tenantId: tenant, envelopeId: envelope.id });
    const completed = events.find((e) => e.type === 'envelope.completed')!;
    const sealedKeys = (completed.data as { documents: { storageKey: string }[] }).documents.map(
      (d) => d.storageKey,
    );
    expect(sealedKeys).toHaveLength(done.sealedDocuments.length);
    for (const key of sealedKeys) expect(await service.ports.legalHolds.isOnLegalHold(key)).toBe(true);
    // The sealed copy is kept for the deployment's retention like the original.
    for (const key of sealedKeys) expect(retention.has(key)).toBe(true);
  });
});
