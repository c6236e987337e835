import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  EnvelopeKey,
  SignerTokenRecord,
  SignerTokenStore,
  WaitRecord,
  WaitStore,
} from '../../core/ports';
import { envelopePk, recipientTokensSk, SIGNER_TOKEN_SK, signerTokenPk, WAIT_SK } from './keys';

/** Signing links (by the hash of their secret) and the signing route's waiting task tokens. */
export class DynamoSigningStore implements SignerTokenStore, WaitStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async putToken(record: SignerTokenRecord): Promise<void> {
    // The recipient's list of issued links comes first: a link is never usable without being
    // listed, so a revocation cannot miss it.
    await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: {
          pk: envelopePk(record.tenantId, record.envelopeId),
          sk: recipientTokensSk(record.recipientId),
        },
        UpdateExpression: 'SET hashes = list_append(if_not_exists(hashes, :none), :hash)',
        ExpressionAttributeValues: { ':none': [], ':hash': [record.tokenHash] },
      }),
    );
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: signerTokenPk(record.tokenHash), sk: SIGNER_TOKEN_SK, record: JSON.stringify(record) },
      }),
    );
  }

  async getToken(tokenHash: string): Promise<SignerTokenRecord | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: signerTokenPk(tokenHash), sk: SIGNER_TOKEN_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.record as string) as SignerTokenRecord) : null;
  }

  async revokeRecipient(key: EnvelopeKey, recipientId: string, at: string): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: envelopePk(key.tenantId, key.envelopeId), sk: recipientTokensSk(recipientId) },
        ConsistentRead: true,
      }),
    );
    let revoked = 0;
    for (const hash of (Item?.hashes as string[] | undefined) ?? []) {
      const record = await this.getToken(hash);
      if (!record || record.revokedAt) continue;
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: signerTokenPk(hash),
            sk: SIGNER_TOKEN_SK,
            record: JSON.stringify({ ...record, revokedAt: at }),
          },
        }),
      );
      revoked++;
    }
    return revoked;
  }

  /** The latest wait replaces the one before: only the newest token can still succeed. */
  async putWait(record: WaitRecord): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: envelopePk(record.tenantId, record.envelopeId),
          sk: WAIT_SK,
          record: JSON.stringify(record),
        },
      }),
    );
  }

  async getWait(key: EnvelopeKey): Promise<WaitRecord | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: envelopePk(key.tenantId, key.envelopeId), sk: WAIT_SK },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.record as string) as WaitRecord) : null;
  }
}
