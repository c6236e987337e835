import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { VerifyUploadRecord, VerifyUploadStore } from '../../core/ports';
import { UPLOAD_SK, verifyUploadPk } from './keys';
import { TTL_ATTRIBUTE } from './table-schema';

/** Uploads for public verification: one item each, under a key no tenant's data uses. */
export class DynamoVerifyUploadStore implements VerifyUploadStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putVerifyUpload(upload: VerifyUploadRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: verifyUploadPk(upload.uploadId),
          sk: UPLOAD_SK,
          upload: JSON.stringify(upload),
          // Kept a day past expiry so a late reference is told "expired", not "unknown".
          [TTL_ATTRIBUTE]: Math.floor(new Date(upload.expiresAt).getTime() / 1000) + 86_400,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getVerifyUpload(uploadId: string): Promise<VerifyUploadRecord | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: verifyUploadPk(uploadId), sk: UPLOAD_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.upload as string) as VerifyUploadRecord) : null;
  }
}
