import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BulkSendBatch, RowOutcome } from '../../core/bulk-send/batch';
import { ConflictError } from '../../core/errors';
import type { BulkSendStore } from '../../core/ports';
import { isConditionFailure } from './client';
import { BULK_BATCH_SK, bulkRowSk, bulkSendPk } from './keys';

/**
 * A batch in one partition: the batch item, written once, and one item per row outcome, so that
 * rows finishing at once never contend for one item. The batch is stored as JSON text.
 */
export class DynamoBulkSendStore implements BulkSendStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async createBatch(batch: BulkSendBatch): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: bulkSendPk(batch.tenantId, batch.id), sk: BULK_BATCH_SK, batch: JSON.stringify(batch) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) throw new ConflictError(`bulk send ${batch.id} already exists`);
      throw err;
    }
  }

  async getBatch(tenantId: string, batchId: string): Promise<BulkSendBatch | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: bulkSendPk(tenantId, batchId), sk: BULK_BATCH_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.batch as string) as BulkSendBatch) : undefined;
  }

  async putOutcome(tenantId: string, batchId: string, outcome: RowOutcome): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: bulkSendPk(tenantId, batchId), sk: bulkRowSk(outcome.row), outcome },
      }),
    );
  }

  async listOutcomes(tenantId: string, batchId: string): Promise<RowOutcome[]> {
    const outcomes: RowOutcome[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rows)',
          ExpressionAttributeValues: { ':pk': bulkSendPk(tenantId, batchId), ':rows': 'ROW#' },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) outcomes.push(item.outcome as RowOutcome);
      start = page.LastEvaluatedKey;
    } while (start);
    return outcomes;
  }
}
