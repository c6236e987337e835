import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConcurrencyError } from '../../core/errors';
import type { StoredTenantSettings, TenantSettingsStore } from '../../core/tenant-settings';
import { isConditionFailure } from './client';
import { settingsVersionSk, tenantSettingsPk } from './keys';

/** Each version is its own item, written only if its number is free: two admins cannot both win. */
export class DynamoTenantSettingsStore implements TenantSettingsStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async getSettings(tenantId: string): Promise<StoredTenantSettings | null> {
    const [latest] = await this.listSettings(tenantId, 1);
    return latest ?? null;
  }

  async putSettings(settings: StoredTenantSettings): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: tenantSettingsPk(settings.tenantId),
            sk: settingsVersionSk(settings.version),
            settings: JSON.stringify(settings),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) {
        throw new ConcurrencyError(`settings version ${settings.version} of ${settings.tenantId} exists`);
      }
      throw err;
    }
  }

  async listSettings(tenantId: string, limit: number): Promise<StoredTenantSettings[]> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': tenantSettingsPk(tenantId) },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map((item) => JSON.parse(item.settings as string) as StoredTenantSettings);
  }
}
