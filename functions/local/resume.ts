import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EnvelopeState } from '../core/envelope';
import { SNAPSHOT_SK } from '../adapters/dynamodb/keys';

/**
 * Local executions live in memory: after a restart, every envelope still out for signing gets
 * its route started again. The route's tasks are idempotent, so it walks through the steps
 * already done and waits where the envelope is. (A scan is fine for a local table; in AWS the
 * executions themselves survive.)
 */
export async function envelopesInFlight(db: DynamoDBDocumentClient, table: string): Promise<EnvelopeState[]> {
  const found: EnvelopeState[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'sk = :snapshot AND #status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':snapshot': SNAPSHOT_SK, ':sent': 'sent' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) found.push(JSON.parse(item.state as string) as EnvelopeState);
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
}
