import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UploadRecord, UploadStore } from '../../core/ports';
import { UPLOAD_SK, uploadPk } from './keys';
import { TTL_ATTRIBUTE } from './table-schema';

export class DynamoUploadStore implements UploadStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putUpload(upload: UploadRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: uploadPk(upload.tenantId, upload.uploadId),
          sk: UPLOAD_SK,
          upload: JSON.stringify(upload),
          // Kept a week past expiry so a late reference is told "expired", not "unknown".
          [TTL_ATTRIBUTE]: Math.floor(new Date(upload.expiresAt).getTime() / 1000) + 7 * 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getUpload(tenantId: string, uploadId: string): Promise<UploadRecord | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: uploadPk(tenantId, uploadId), sk: UPLOAD_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.upload as string) as UploadRecord) : null;
  }
}
