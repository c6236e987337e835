import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, ValidationError } from '../../core/errors';
import { isConditionFailure } from './client';
import { eventSk } from './keys';

export interface EventLogSpec<E> {
  /** What the log is of, for messages: `template`, `contract`. */
  noun: string;
  pk(tenantId: string, id: string): string;
  listPk(tenantId: string): string;
  idOf(event: E): string;
}

/**
 * A hash-chained event log per record, one item per event stored as its exact JSON text (the
 * bytes hashed are the bytes read back), and a list entry per record that follows the events.
 */
export class DynamoEventLog<
  E extends { tenantId: string; seq: number; type: string },
  S extends { seq: number },
> {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly spec: EventLogSpec<E>,
  ) {}

  async loadEvents(tenantId: string, id: string): Promise<E[]> {
    const events: E[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': this.spec.pk(tenantId, id), ':v': 'V#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) events.push(JSON.parse(item.event as string) as E);
      start = page.LastEvaluatedKey;
    } while (start);
    return events;
  }

  /** Writes the event at its seq (ConcurrencyError when taken), then the record's list entry. */
  async append(event: E, summary: S): Promise<void> {
    const id = this.spec.idOf(event);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: this.spec.pk(event.tenantId, id),
            sk: eventSk(event.seq),
            type: event.type,
            event: JSON.stringify(event),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        throw new ConcurrencyError(
          `event ${event.seq} of ${this.spec.noun} ${id} was written by another request`,
        );
      }
      throw err;
    }
    // An older entry never overwrites a newer one.
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: this.spec.listPk(event.tenantId),
            sk: id,
            seq: summary.seq,
            summary: JSON.stringify(summary),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR seq < :seq',
          ExpressionAttributeValues: { ':seq': summary.seq },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }

  async list(
    tenantId: string,
    query: { limit: number; cursor?: string },
  ): Promise<{ items: S[]; nextCursor?: string }> {
    let start: Record<string, unknown> | undefined;
    if (query.cursor) {
      const sk = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!sk || Buffer.from(sk, 'utf8').toString('base64url') !== query.cursor) {
        throw new ValidationError('cursor is not valid', [
          { path: 'query.cursor', message: 'invalid cursor' },
        ]);
      }
      start = { pk: this.spec.listPk(tenantId), sk };
    }
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': this.spec.listPk(tenantId) },
        Limit: query.limit,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const last = page.LastEvaluatedKey?.sk as string | undefined;
    return {
      items: (page.Items ?? []).map((item) => JSON.parse(item.summary as string) as S),
      ...(last ? { nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : {}),
    };
  }
}
