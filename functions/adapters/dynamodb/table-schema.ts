/**
 * The one table's key schema, shared by the DynamoDB adapter, the local emulator set-up and
 * the CDK stack, so the three cannot drift apart.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;
export const TTL_ATTRIBUTE = 'ttl';

/** Envelope lists: tenant-wide, tenant+status, and owner; all sorted newest first by `createdAt#id`. */
export const INDEXES = {
  byTenant: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  byStatus: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  byOwner: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;
