import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type {
  EnvelopeKey,
  HashedSecret,
  OneTimeCodeRecord,
  SignerAuthStore,
  SignerTokenRecord,
  SignerTokenStore,
  WaitRecord,
  WaitStore,
} from '../../core/ports';
import {
  accessCodeSk,
  envelopePk,
  oneTimeCodeSk,
  recipientTokensSk,
  SIGNER_TOKEN_SK,
  signerTokenPk,
  WAIT_SK,
} from './keys';
import { TTL_ATTRIBUTE } from './table-schema';

/**
 * Signing links (by the hash of their secret), recipients' code hashes, and the signing route's
 * waiting task tokens.
 */
export class DynamoSigningStore implements SignerTokenStore, SignerAuthStore, WaitStore {
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

  async markAuthenticated(tokenHash: string, at: string): Promise<void> {
    const record = await this.getToken(tokenHash);
    if (!record || record.authenticatedAt) return;
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: signerTokenPk(tokenHash),
          sk: SIGNER_TOKEN_SK,
          record: JSON.stringify({ ...record, authenticatedAt: at }),
        },
      }),
    );
  }

  async putAccessCode(key: EnvelopeKey, recipientId: string, secret: HashedSecret): Promise<void> {
    await this.putSecret(key, accessCodeSk(recipientId), secret);
  }

  async getAccessCode(key: EnvelopeKey, recipientId: string): Promise<HashedSecret | null> {
    return this.getSecret<HashedSecret>(key, accessCodeSk(recipientId));
  }

  async putOneTimeCode(key: EnvelopeKey, recipientId: string, code: OneTimeCodeRecord): Promise<void> {
    // Expired codes are refused in code; the TTL only clears them away (a day later).
    const ttl = Math.floor(new Date(code.expiresAt).getTime() / 1000) + 86_400;
    await this.putSecret(key, oneTimeCodeSk(recipientId), code, ttl);
  }

  async getOneTimeCode(key: EnvelopeKey, recipientId: string): Promise<OneTimeCodeRecord | null> {
    return this.getSecret<OneTimeCodeRecord>(key, oneTimeCodeSk(recipientId));
  }

  async deleteOneTimeCode(key: EnvelopeKey, recipientId: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.table,
        Key: { pk: envelopePk(key.tenantId, key.envelopeId), sk: oneTimeCodeSk(recipientId) },
      }),
    );
  }

  private async putSecret(key: EnvelopeKey, sk: string, value: object, ttl?: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          pk: envelopePk(key.tenantId, key.envelopeId),
          sk,
          record: JSON.stringify(value),
          ...(ttl !== undefined ? { [TTL_ATTRIBUTE]: ttl } : {}),
        },
      }),
    );
  }

  private async getSecret<T>(key: EnvelopeKey, sk: string): Promise<T | null> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: { pk: envelopePk(key.tenantId, key.envelopeId), sk },
        ConsistentRead: true,
      }),
    );
    return Item ? (JSON.parse(Item.record as string) as T) : null;
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
