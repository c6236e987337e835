import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError, ValidationError } from '../../core/errors';
import type { TemplateEvent, TemplateStore, TemplateSummary } from '../../core/templates/template';
import { isConditionFailure } from './client';
import { eventSk, templateListPk, templatePk } from './keys';

/** Template events as their exact JSON text (the bytes hashed are the bytes read back), and a list entry per template. */
export class DynamoTemplateStore implements TemplateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async loadEvents(tenantId: string, templateId: string): Promise<TemplateEvent[]> {
    const events: TemplateEvent[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
          ExpressionAttributeValues: { ':pk': templatePk(tenantId, templateId), ':v': 'V#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) events.push(JSON.parse(item.event as string) as TemplateEvent);
      start = page.LastEvaluatedKey;
    } while (start);
    return events;
  }

  async append(event: TemplateEvent, summary: TemplateSummary): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: templatePk(event.tenantId, event.templateId),
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
          `event ${event.seq} of template ${event.templateId} was written by another request`,
        );
      }
      throw err;
    }
    // The list entry follows the events; an older entry never overwrites a newer one.
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: templateListPk(event.tenantId),
            sk: event.templateId,
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
  ): Promise<{ items: TemplateSummary[]; nextCursor?: string }> {
    let start: Record<string, unknown> | undefined;
    if (query.cursor) {
      try {
        start = { pk: templateListPk(tenantId), sk: Buffer.from(query.cursor, 'base64url').toString('utf8') };
      } catch {
        throw new ValidationError('cursor is not valid', [
          { path: 'query.cursor', message: 'invalid cursor' },
        ]);
      }
    }
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': templateListPk(tenantId) },
        Limit: query.limit,
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    const last = page.LastEvaluatedKey?.sk as string | undefined;
    return {
      items: (page.Items ?? []).map((item) => JSON.parse(item.summary as string) as TemplateSummary),
      ...(last ? { nextCursor: Buffer.from(last, 'utf8').toString('base64url') } : {}),
    };
  }
}
