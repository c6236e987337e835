import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoSlaStore } from '../../../functions/adapters/dynamodb/sla-store';
import { ConcurrencyError, ConflictError, PayloadTooLargeError } from '../../../functions/core/errors';
import type { IssuedStatement, StoredOutage, StoredTicket } from '../../../functions/core/sla/store';
import type { TicketTimeline } from '../../../functions/core/sla/ticket';
import { startDynamo, TABLE, type DynamoEmulator } from './emulator';

let emulator: DynamoEmulator;
let store: DynamoSlaStore;
let counter = 0;

beforeAll(async () => {
  emulator = await startDynamo();
  store = new DynamoSlaStore(emulator.db, TABLE);
});
afterAll(async () => emulator?.close());

const fresh = () => ({ tenant: `acme-${counter}`, contract: `con-${counter++}` });

function timeline(id: string, comments = 1): TicketTimeline {
  const at = '2025-04-07T14:00:00Z';
  return {
    id,
    created_at: at,
    severity_history: [{ at, severity: 'S2' }],
    status_history: [{ at, status: 'new' }],
    comments: Array.from({ length: comments }, (_, i) => ({
      at: new Date(Date.parse(at) + i * 1000).toISOString(),
      author: i % 2 ? ('agent' as const) : ('customer' as const),
    })),
  };
}

const stored = (contractId: string, ticket: TicketTimeline, version?: number): StoredTicket => ({
  contractId,
  ticket,
  source: 'api',
  updatedAt: '2025-04-08T00:00:00Z',
  ...(version === undefined ? {} : { version }),
});

describe('DynamoSlaStore: tickets', () => {
  it('writes a new ticket at version 0, then only over the version it read', async () => {
    const { tenant, contract } = fresh();
    await store.putTickets(tenant, contract, [stored(contract, timeline('T-1'), 0)]);
    const first = await store.getTicket(tenant, contract, 'T-1');
    expect(first).toEqual(stored(contract, timeline('T-1'), 1));
    // A second creator loses: the ticket exists.
    await expect(
      store.putTickets(tenant, contract, [stored(contract, timeline('T-1', 2), 0)]),
    ).rejects.toThrow(ConcurrencyError);
    await store.putTickets(tenant, contract, [stored(contract, timeline('T-1', 3), 1)]);
    // A writer that read version 1 loses to the one that wrote version 2.
    await expect(
      store.putTickets(tenant, contract, [stored(contract, timeline('T-1', 4), 1)]),
    ).rejects.toThrow(/tickets changed by another request: T-1/);
    expect(await store.getTicket(tenant, contract, 'T-1')).toEqual(stored(contract, timeline('T-1', 3), 2));
    expect(await store.getTicket(tenant, contract, 'nope')).toBeNull();
  });

  it('refuses a ticket over 350 KB with a clear error, writing none of the batch', async () => {
    const { tenant, contract } = fresh();
    const huge = timeline('BIG', 8000);
    const err = await store
      .putTickets(tenant, contract, [stored(contract, timeline('SMALL')), stored(contract, huge)])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as Error).message).toMatch(/ticket BIG is \d+ bytes as stored, over the 358400 bytes/);
    expect(await store.listTickets(tenant, contract)).toEqual([]);
  });

  it('lists every ticket of a contract over several pages; other contracts stay apart', async () => {
    const { tenant, contract } = fresh();
    // About 1.6 MB: more than one query page, and more than one batch of 25.
    const tickets = Array.from({ length: 40 }, (_, i) =>
      stored(contract, timeline(`P-${String(i).padStart(2, '0')}`, 700)),
    );
    await store.putTickets(tenant, contract, tickets);
    await store.putTickets(tenant, `${contract}-other`, [stored(`${contract}-other`, timeline('X'))]);
    const listed = await store.listTickets(tenant, contract);
    expect(listed.map((t) => t.ticket.id)).toEqual(tickets.map((t) => t.ticket.id));
    expect(listed[0]!.ticket).toEqual(tickets[0]!.ticket);
  });

  it('retries the items a batch write leaves unprocessed', async () => {
    const { tenant, contract } = fresh();
    let calls = 0;
    const flaky = new Proxy(emulator.db, {
      get(target, prop, receiver) {
        if (prop !== 'send') return Reflect.get(target, prop, receiver);
        return async (command: unknown) => {
          if (command instanceof BatchWriteCommand && calls++ === 0) {
            // Write the first item only; hand the rest back as DynamoDB does under throttling.
            const requests = command.input.RequestItems![TABLE]!;
            await target.send(new BatchWriteCommand({ RequestItems: { [TABLE]: requests.slice(0, 1) } }));
            return { UnprocessedItems: { [TABLE]: requests.slice(1) } };
          }
          return target.send(command as never);
        };
      },
    }) as DynamoDBDocumentClient;
    const flakyStore = new DynamoSlaStore(flaky, TABLE);
    await flakyStore.putTickets(
      tenant,
      contract,
      ['A', 'B', 'C'].map((id) => stored(contract, timeline(id))),
    );
    expect(calls).toBe(2);
    expect((await store.listTickets(tenant, contract)).map((t) => t.ticket.id)).toEqual(['A', 'B', 'C']);
  });
});

describe('DynamoSlaStore: outages, monitoring, rejected payloads, statements, alerts, secrets', () => {
  const outage = (id: string): StoredOutage => ({
    id,
    start: '2025-06-10T14:00:00Z',
    end: '2025-06-10T14:45:00Z',
    kind: 'outage',
    source: 'api',
    recordedAt: '2025-06-11T00:00:00Z',
  });

  it("outages by id (a replay replaces the same item), with the monitoring checks' outages", async () => {
    const { tenant, contract } = fresh();
    await store.putOutages(tenant, contract, [outage('o-1'), outage('o-2')]);
    await store.putOutages(tenant, contract, [outage('o-1')]);
    const derived = { ...outage('mon-portal-1'), source: 'monitoring:portal', open: true };
    await store.putMonitoringCheck(
      tenant,
      contract,
      { check: 'portal', version: 1, events: [{ at: derived.start, status: 'down' }], outages: [derived] },
      0,
    );
    const listed = await store.listOutages(tenant, contract);
    expect(listed.sort((a, b) => a.id.localeCompare(b.id))).toEqual([derived, outage('o-1'), outage('o-2')]);
    await expect(store.putOutages(tenant, contract, [outage('MON#portal')])).rejects.toThrow(/contains #/);
  });

  it('a monitoring check is written only over the version read', async () => {
    const { tenant, contract } = fresh();
    const state = { check: 'api', version: 1, events: [], outages: [] };
    await store.putMonitoringCheck(tenant, contract, state, 0);
    await expect(store.putMonitoringCheck(tenant, contract, state, 0)).rejects.toThrow(ConcurrencyError);
    await store.putMonitoringCheck(tenant, contract, { ...state, version: 2 }, 1);
    await expect(store.putMonitoringCheck(tenant, contract, { ...state, version: 2 }, 1)).rejects.toThrow(
      ConcurrencyError,
    );
    expect(await store.getMonitoringCheck(tenant, contract, 'api')).toEqual({ ...state, version: 2 });
    expect(await store.getMonitoringCheck(tenant, contract, 'other')).toBeNull();
  });

  it('pending webhook events of a ticket: written over the version read, deleted only at that version', async () => {
    const { tenant, contract } = fresh();
    const pending = {
      ticketId: 'Z-9',
      version: 1,
      source: 'zendesk',
      events: [{ ticket_id: 'Z-9', at: '2025-05-05T15:00:00Z', kind: 'status' as const, status: 'Open' }],
      receivedAt: '2025-05-05T15:00:01Z',
    };
    await store.putPendingTicket(tenant, contract, pending, 0);
    await expect(store.putPendingTicket(tenant, contract, pending, 0)).rejects.toThrow(ConcurrencyError);
    await store.putPendingTicket(tenant, contract, { ...pending, version: 2 }, 1);
    await expect(store.deletePendingTicket(tenant, contract, 'Z-9', 1)).rejects.toThrow(ConcurrencyError);
    expect(await store.getPendingTicket(tenant, contract, 'Z-9')).toEqual({ ...pending, version: 2 });
    await store.deletePendingTicket(tenant, contract, 'Z-9', 2);
    expect(await store.getPendingTicket(tenant, contract, 'Z-9')).toBeNull();
    // Not a ticket, not an outage.
    expect(await store.listTickets(tenant, contract)).toEqual([]);
  });

  it('keeps rejected payloads with their reason, cut at 64 KB', async () => {
    const { tenant, contract } = fresh();
    const big = 'x'.repeat(100 * 1024);
    await store.putRejected(tenant, contract, {
      id: 'r-2',
      source: 'jsm',
      receivedAt: '2025-05-02T00:00:00Z',
      reason: 'unknown priority',
      payload: big,
    });
    await store.putRejected(tenant, contract, {
      id: 'r-1',
      source: 'zendesk',
      receivedAt: '2025-05-01T00:00:00Z',
      reason: 'not JSON',
      payload: '{',
    });
    const listed = await store.listRejected(tenant, contract);
    expect(listed.map((r) => r.id)).toEqual(['r-1', 'r-2']);
    expect(Buffer.byteLength(listed[1]!.payload)).toBeLessThanOrEqual(64 * 1024);
    expect(listed[1]!.payload).toMatch(/\[cut: 102400 bytes received\]$/);
    expect(listed[0]!.payload).toBe('{');
  });

  it('issues a month once: a second issue of the month is refused and changes nothing', async () => {
    const { tenant, contract } = fresh();
    const issued = (credit: number) =>
      ({
        contractId: contract,
        month: '2025-04',
        issuedAt: '2025-05-05T10:00:00Z',
        statement: { month: '2025-04', credit_minor: credit },
        result: { month: '2025-04' },
        reportKey: 'r',
        csvKey: 'c',
        sha256: { report: 'a', csv: 'b' },
        sentTo: ['owner@acme.test'],
      }) as unknown as IssuedStatement;
    expect(await store.issueStatement(tenant, issued(100))).toBe(true);
    expect(await store.issueStatement(tenant, issued(999))).toBe(false);
    expect(await store.listIssued(tenant, contract)).toEqual([issued(100)]);
  });

  it('claims an alert once per key, also under concurrent claims', async () => {
    const { tenant, contract } = fresh();
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        store.claimAlert(tenant, contract, 'breach:T-1:first_response:x', 'now'),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimAlert(tenant, contract, 'breach:T-1:resolution:x', 'now')).toBe(true);
  });

  it('finds a webhook secret by contract id alone; the id cannot be taken by another tenant', async () => {
    const { tenant, contract } = fresh();
    const record = {
      tenantId: tenant,
      contractId: contract,
      secret: 's1',
      createdAt: '2025-05-01T00:00:00Z',
    };
    await store.putWebhookSecret(record);
    await store.putWebhookSecret({ ...record, secret: 's2' });
    expect(await store.getWebhookSecret(contract)).toEqual({ ...record, secret: 's2' });
    await expect(store.putWebhookSecret({ ...record, tenantId: 'intruder', secret: 's3' })).rejects.toThrow(
      ConflictError,
    );
    expect((await store.getWebhookSecret(contract))?.secret).toBe('s2');
    expect(await store.getWebhookSecret('unknown')).toBeNull();
  });
});
