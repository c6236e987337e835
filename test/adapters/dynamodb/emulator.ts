import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../../functions/adapters/dynamodb/create-table';
import { startEmulators, type Emulators } from '../../../functions/local/emulators';

export const TABLE = 'countersign';

export interface DynamoEmulator {
  emulators: Emulators;
  db: DynamoDBDocumentClient;
  close(): Promise<void>;
}

/** dynalite in memory with the service's table, and a document client built as functions/wiring/ports.ts does. */
export async function startDynamo(): Promise<DynamoEmulator> {
  const emulators = await startEmulators({ buckets: ['countersign-documents', 'countersign-staging'] });
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: emulators.endpoints.dynamodb,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await ensureTable(client, TABLE);
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    emulators,
    db,
    close: async () => {
      db.destroy();
      await emulators.close();
    },
  };
}
