import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { IdempotencyBegin, IdempotencyClaim, IdempotencyStore, StoredResponse } from '../../core/ports';
import { isConditionFailure } from './client';
import { IDEMPOTENCY_SK, idempotencyPk } from './keys';
import { TTL_ATTRIBUTE } from './table-schema';

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/**
 * Idempotency claims. Expiry is checked in code as well as by TTL, because TTL deletes late
 * in AWS and never in the local emulator.
 */
export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private key(c: IdempotencyClaim) {
    return { pk: idempotencyPk(c.tenantId, c.subject, c.operation, c.key), sk: IDEMPOTENCY_SK };
  }

  async begin(c: IdempotencyClaim): Promise<IdempotencyBegin> {
    const now = seconds(c.now);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key(c),
            state: 'pending',
            requestHash: c.requestHash,
            resourceId: c.resourceId,
            lockedUntil: now + c.lockSeconds,
            [TTL_ATTRIBUTE]: now + c.ttlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { outcome: 'started', resourceId: c.resourceId };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
    const { Item: item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: this.key(c), ConsistentRead: true }),
    );
    if (!item) return this.begin(c); // released between our two calls
    if (item.requestHash !== c.requestHash) return { outcome: 'mismatch' };
    if (item.state === 'done')
      return { outcome: 'replay', response: JSON.parse(item.response as string) as StoredResponse };
    if ((item.lockedUntil as number) > now) return { outcome: 'in_progress' };
    // The earlier attempt stopped without finishing: take it over, keeping its resource id.
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: this.key(c),
          UpdateExpression: 'SET lockedUntil = :until',
          ConditionExpression: 'lockedUntil = :seen AND #state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':until': now + c.lockSeconds,
            ':seen': item.lockedUntil,
            ':pending': 'pending',
          },
        }),
      );
      return { outcome: 'started', resourceId: item.resourceId as string };
    } catch (err) {
      if (isConditionFailure(err)) return { outcome: 'in_progress' };
      throw err;
    }
  }

  async complete(c: IdempotencyClaim, response: StoredResponse): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: this.key(c),
        UpdateExpression: 'SET #state = :done, #response = :response REMOVE lockedUntil',
        ConditionExpression: 'requestHash = :hash',
        ExpressionAttributeNames: { '#state': 'state', '#response': 'response' },
        ExpressionAttributeValues: {
          ':done': 'done',
          ':response': JSON.stringify(response),
          ':hash': c.requestHash,
        },
      }),
    );
  }

  async release(c: IdempotencyClaim): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: this.key(c),
          ConditionExpression: '#state = :pending AND requestHash = :hash',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':pending': 'pending', ':hash': c.requestHash },
        }),
      );
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
    }
  }
}
