import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, ConflictError, PayloadTooLargeError } from '../../core/errors';
import type {
  IssuedStatement,
  RejectedPayload,
  SlaStore,
  StoredOutage,
  StoredTicket,
} from '../../core/sla/store';
import { MAX_TICKET_BYTES } from '../../core/sla/merge';
import type { MonitoringCheck } from '../../core/sla/monitoring';
import type { PendingTicket, SlaWebhookStore, WebhookSecretRecord } from '../../core/sla/webhooks';
import { isConditionFailure } from './client';
import {
  alertSk,
  monitoringSk,
  outageSk,
  pendingTicketSk,
  rejectedSk,
  slaPk,
  statementSk,
  ticketSk,
  WEBHOOK_SECRET_SK,
  webhookSecretPk,
} from './keys';

/** A rejected payload is kept up to this size (the rest is cut, and the cut is said). */
const MAX_REJECTED_PAYLOAD_BYTES = 64 * 1024;
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;
/** How many conditional writes run at once. */
const WRITE_CONCURRENCY = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await run(items[next++]!);
  });
  await Promise.all(workers);
}

/** A write that expects the item at `expected` (0: no item yet). */
function versionCondition(expected: number) {
  return expected === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': expected } };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const marker = `\n[cut: ${bytes.length} bytes received]`;
  // Decoding a cut in the middle of a character yields U+FFFD, never invalid text.
  return bytes.subarray(0, maxBytes - marker.length).toString('utf8') + marker;
}

/**
 * The SLA records of a contract, in one partition of the one table (see keys.ts). Timelines,
 * statements and payloads are stored as JSON text: the text read back is the text written.
 */
export class DynamoSlaStore implements SlaStore, SlaWebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putTickets(tenantId: string, contractId: string, tickets: StoredTicket[]): Promise<void> {
    const pk = slaPk(tenantId, contractId);
    const items = tickets.map((t) => {
      const timeline = JSON.stringify(t.ticket);
      const size = Buffer.byteLength(timeline, 'utf8');
      if (size > MAX_TICKET_BYTES) {
        throw new PayloadTooLargeError(
          `ticket ${t.ticket.id} is ${size} bytes as stored, over the ${MAX_TICKET_BYTES} bytes a ticket may use`,
          [{ path: `tickets.${t.ticket.id}`, message: 'ticket timeline too large' }],
        );
      }
      return {
        stored: t,
        item: {
          pk,
          sk: ticketSk(t.ticket.id),
          ticketId: t.ticket.id,
          source: t.source,
          updatedAt: t.updatedAt,
          version: (t.version ?? 0) + 1,
          timeline,
        },
      };
    });
    const conditional = items.filter((i) => i.stored.version !== undefined);
    const plain = items.filter((i) => i.stored.version === undefined).map((i) => i.item);
    await this.batchPut(plain);
    const lost: string[] = [];
    await eachLimited(conditional, WRITE_CONCURRENCY, async ({ stored, item }) => {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: item,
            ...versionCondition(stored.version!),
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
        lost.push(stored.ticket.id);
      }
    });
    if (lost.length > 0) {
      throw new ConcurrencyError(`tickets changed by another request: ${lost.sort().join(', ')}`);
    }
  }

  async getTicket(tenantId: string, contractId: string, ticketId: string): Promise<StoredTicket | null> {
    const item = await this.get(slaPk(tenantId, contractId), ticketSk(ticketId));
    return item ? this.ticketOf(contractId, item) : null;
  }

  async listTickets(tenantId: string, contractId: string): Promise<StoredTicket[]> {
    const items = await this.query(slaPk(tenantId, contractId), 'TKT#');
    return items.map((item) => this.ticketOf(contractId, item));
  }

  async putOutages(tenantId: string, contractId: string, outages: StoredOutage[]): Promise<void> {
    const pk = slaPk(tenantId, contractId);
    // `OUT#MON#…` holds the monitoring checks: a recorded outage's id never contains `#`.
    const bad = outages.find((o) => o.id === '' || o.id.includes('#'));
    if (bad) throw new Error(`outage id ${JSON.stringify(bad.id)} is empty or contains #`);
    await this.batchPut(
      outages.map((o) => ({ pk, sk: outageSk(o.id), outageId: o.id, outage: JSON.stringify(o) })),
    );
  }

  /** Recorded outages and those derived from monitoring checks (`OUT#MON#check`, see below). */
  async listOutages(tenantId: string, contractId: string): Promise<StoredOutage[]> {
    const items = await this.query(slaPk(tenantId, contractId), 'OUT#');
    return items.flatMap((item) =>
      item.check !== undefined
        ? (JSON.parse(item.outages as string) as StoredOutage[])
        : [JSON.parse(item.outage as string) as StoredOutage],
    );
  }

  async putRejected(tenantId: string, contractId: string, rejected: RejectedPayload): Promise<void> {
    const kept: RejectedPayload = {
      ...rejected,
      reason: truncateUtf8(rejected.reason, 4096),
      payload: truncateUtf8(rejected.payload, MAX_REJECTED_PAYLOAD_BYTES),
    };
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: slaPk(tenantId, contractId),
          sk: rejectedSk(rejected.receivedAt, rejected.id),
          rejected: JSON.stringify(kept),
        },
      }),
    );
  }

  async listRejected(tenantId: string, contractId: string): Promise<RejectedPayload[]> {
    const items = await this.query(slaPk(tenantId, contractId), 'REJ#');
    return items.map((item) => JSON.parse(item.rejected as string) as RejectedPayload);
  }

  async issueStatement(tenantId: string, issued: IssuedStatement): Promise<boolean> {
    return this.putNew({
      pk: slaPk(tenantId, issued.contractId),
      sk: statementSk(issued.month),
      month: issued.month,
      issuedAt: issued.issuedAt,
      issued: JSON.stringify(issued),
    });
  }

  async listIssued(tenantId: string, contractId: string): Promise<IssuedStatement[]> {
    const items = await this.query(slaPk(tenantId, contractId), 'STMT#');
    return items.map((item) => JSON.parse(item.issued as string) as IssuedStatement);
  }

  async claimAlert(tenantId: string, contractId: string, key: string, at: string): Promise<boolean> {
    return this.putNew({ pk: slaPk(tenantId, contractId), sk: alertSk(key), sentAt: at });
  }

  async putWebhookSecret(record: WebhookSecretRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: webhookSecretPk(record.contractId),
            sk: WEBHOOK_SECRET_SK,
            tenantId: record.tenantId,
            contractId: record.contractId,
            secret: record.secret,
            createdAt: record.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :tenant',
          ExpressionAttributeValues: { ':tenant': record.tenantId },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError('this contract id is bound to another account');
      throw err;
    }
  }

  async getWebhookSecret(contractId: string): Promise<WebhookSecretRecord | null> {
    const item = await this.get(webhookSecretPk(contractId), WEBHOOK_SECRET_SK);
    if (!item) return null;
    return {
      tenantId: item.tenantId as string,
      contractId: item.contractId as string,
      secret: item.secret as string,
      createdAt: item.createdAt as string,
    };
  }

  async getMonitoringCheck(
    tenantId: string,
    contractId: string,
    check: string,
  ): Promise<MonitoringCheck | null> {
    const item = await this.get(slaPk(tenantId, contractId), monitoringSk(check));
    if (!item) return null;
    return {
      check: item.check as string,
      version: item.version as number,
      events: JSON.parse(item.events as string) as MonitoringCheck['events'],
      outages: JSON.parse(item.outages as string) as MonitoringCheck['outages'],
    };
  }

  async putMonitoringCheck(
    tenantId: string,
    contractId: string,
    state: MonitoringCheck,
    expectedVersion: number,
  ): Promise<void> {
    await this.putVersioned(
      {
        pk: slaPk(tenantId, contractId),
        sk: monitoringSk(state.check),
        check: state.check,
        version: state.version,
        events: JSON.stringify(state.events),
        outages: JSON.stringify(state.outages),
      },
      expectedVersion,
      `check ${state.check} changed meanwhile`,
    );
  }

  async getPendingTicket(
    tenantId: string,
    contractId: string,
    ticketId: string,
  ): Promise<PendingTicket | null> {
    const item = await this.get(slaPk(tenantId, contractId), pendingTicketSk(ticketId));
    return item ? (JSON.parse(item.pending as string) as PendingTicket) : null;
  }

  async putPendingTicket(
    tenantId: string,
    contractId: string,
    pending: PendingTicket,
    expectedVersion: number,
  ): Promise<void> {
    await this.putVersioned(
      {
        pk: slaPk(tenantId, contractId),
        sk: pendingTicketSk(pending.ticketId),
        version: pending.version,
        pending: JSON.stringify(pending),
      },
      expectedVersion,
      `pending ticket ${pending.ticketId} changed meanwhile`,
    );
  }

  async deletePendingTicket(
    tenantId: string,
    contractId: string,
    ticketId: string,
    version: number,
  ): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { pk: slaPk(tenantId, contractId), sk: pendingTicketSk(ticketId) },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': version },
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConcurrencyError(`pending ticket ${ticketId} changed meanwhile`);
      throw err;
    }
  }

  private ticketOf(contractId: string, item: Record<string, unknown>): StoredTicket {
    return {
      contractId,
      ticket: JSON.parse(item.timeline as string) as StoredTicket['ticket'],
      source: item.source as string,
      updatedAt: item.updatedAt as string,
      version: (item.version as number | undefined) ?? 1,
    };
  }

  private async get(pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
    const res = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk, sk }, ConsistentRead: true }),
    );
    return res.Item;
  }

  /** Writes `item` unless its key is taken; says whether it wrote. */
  private async putNew(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  /** Writes `item` over the version `expected` (0: none yet); a ConcurrencyError when it moved on. */
  private async putVersioned(item: Record<string, unknown>, expected: number, changed: string) {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.table, Item: item, ...versionCondition(expected) }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConcurrencyError(changed);
      throw err;
    }
  }

  private async query(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Unconditional puts, 25 a request; unprocessed items are retried with backoff until written. */
  private async batchPut(items: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH_SIZE) {
      let pending = items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (attempt > MAX_BATCH_ATTEMPTS) {
          throw new Error(
            `${pending.length} items were still unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
          );
        }
        if (attempt > 1) await sleep(Math.min(2000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2));
        const res = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: pending } }));
        pending = (res.UnprocessedItems?.[this.table] ?? []) as typeof pending;
      }
    }
  }
}
