import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvelopeEvent, EnvelopeState } from '../../core/envelope';
import { ConcurrencyError, ValidationError } from '../../core/errors';
import type { EnvelopeKey, EnvelopeStore, ListQuery, Page } from '../../core/ports';
import { isConditionFailure } from './client';
import {
  envelopePk,
  eventSk,
  ownerListPk,
  SNAPSHOT_SK,
  statusListPk,
  tenantListPk,
  tenantPrefix,
} from './keys';
import { INDEXES } from './table-schema';

/**
 * Event log and snapshots in the one table. Events are stored as their exact JSON text so
 * that the bytes hashed are the bytes read back; numbers and key order survive untouched.
 */
export class DynamoEnvelopeStore implements EnvelopeStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async loadEvents(key: EnvelopeKey, afterSeq = 0): Promise<EnvelopeEvent[]> {
    const events: EnvelopeEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': envelopePk(key.tenantId, key.envelopeId),
            ':from': eventSk(afterSeq + 1),
            ':to': eventSk(9_999_999_999),
          },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) events.push(JSON.parse(item.event as string) as EnvelopeEvent);
      start = page.LastEvaluatedKey;
    } while (start);
    return events;
  }

  async append(event: EnvelopeEvent): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: envelopePk(event.tenantId, event.envelopeId),
            sk: eventSk(event.seq),
            type: event.type,
            at: event.at,
            event: JSON.stringify(event),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        throw new ConcurrencyError(
          `event ${event.seq} of envelope ${event.envelopeId} was written by another request`,
        );
      }
      throw err;
    }
  }

  async loadSnapshot(key: EnvelopeKey): Promise<EnvelopeState | null> {
    const res = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: envelopePk(key.tenantId, key.envelopeId), sk: SNAPSHOT_SK },
        ConsistentRead: true,
      }),
    );
    return res.Item ? (JSON.parse(res.Item.state as string) as EnvelopeState) : null;
  }

  async saveSnapshot(state: EnvelopeState): Promise<void> {
    const order = `${state.createdAt}#${state.id}`;
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: envelopePk(state.tenantId, state.id),
            sk: SNAPSHOT_SK,
            version: state.version,
            status: state.status,
            state: JSON.stringify(state),
            [INDEXES.byTenant.partitionKey]: tenantListPk(state.tenantId),
            [INDEXES.byTenant.sortKey]: order,
            [INDEXES.byStatus.partitionKey]: statusListPk(state.tenantId, state.status),
            [INDEXES.byStatus.sortKey]: order,
            [INDEXES.byOwner.partitionKey]: ownerListPk(state.tenantId, state.owner.sub),
            [INDEXES.byOwner.sortKey]: order,
          },
          // A slower writer holding an older state must not overwrite a newer snapshot.
          ConditionExpression: 'attribute_not_exists(pk) OR version < :v',
          ExpressionAttributeValues: { ':v': state.version },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async list(query: ListQuery): Promise<Page<EnvelopeState>> {
    const { tenantId, status, ownerSub } = query;
    const index = ownerSub ? INDEXES.byOwner : status ? INDEXES.byStatus : INDEXES.byTenant;
    const pk = ownerSub
      ? ownerListPk(tenantId, ownerSub)
      : status
        ? statusListPk(tenantId, status)
        : tenantListPk(tenantId);
    const items: EnvelopeState[] = [];
    let start = query.cursor ? decodeCursor(query.cursor, tenantId, index, pk) : undefined;
    // An owner's list filtered by status may need several pages to fill one.
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index.name,
          KeyConditionExpression: `${index.partitionKey} = :pk`,
          ...(ownerSub && status
            ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
            : {}),
          ExpressionAttributeValues: { ':pk': pk, ...(ownerSub && status ? { ':status': status } : {}) },
          ScanIndexForward: false,
          Limit: query.limit - items.length,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) items.push(JSON.parse(item.state as string) as EnvelopeState);
      start = page.LastEvaluatedKey;
    } while (start && items.length < query.limit);
    return { items, ...(start ? { nextCursor: encodeCursor(start) } : {}) };
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * A cursor is opaque to callers but checked here: it must be a key of this very list (same
 * index, same partition) pointing at an envelope of this tenant, or DynamoDB would be asked
 * to start somewhere it refuses, or somewhere it must not go.
 */
function decodeCursor(
  cursor: string,
  tenantId: string,
  index: { partitionKey: string; sortKey: string },
  listPk: string,
): Record<string, unknown> {
  const invalid = () =>
    new ValidationError(
      'cursor is not valid for this list; pass the nextCursor of the previous page unchanged',
      [{ path: 'query.cursor', message: 'invalid cursor' }],
    );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) throw invalid();
  const k = key as Record<string, unknown>;
  const expected = ['pk', 'sk', index.partitionKey, index.sortKey].sort();
  const names = Object.keys(k).sort();
  if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) throw invalid();
  if (Object.values(k).some((v) => typeof v !== 'string' || v.length === 0)) throw invalid();
  if (k[index.partitionKey] !== listPk || k.sk !== SNAPSHOT_SK) throw invalid();
  if (!(k.pk as string).startsWith(`${tenantPrefix(tenantId)}E#`)) throw invalid();
  return k;
}
