import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { DynamoUploadStore } from '../../../functions/adapters/dynamodb/upload-store';
import type { UploadRecord } from '../../../functions/core/ports';
import { startDynamo, TABLE, type DynamoEmulator } from './emulator';

let emulator: DynamoEmulator;
let store: DynamoUploadStore;

beforeAll(async () => {
  emulator = await startDynamo();
  store = new DynamoUploadStore(emulator.db, TABLE);
});

afterAll(async () => {
  await emulator?.close();
});

const upload = (overrides: Partial<UploadRecord> = {}): UploadRecord => ({
  tenantId: 'acme',
  uploadId: 'up1',
  ownerSub: 'sam',
  filename: 'contract.pdf',
  size: 12_345_678,
  stagingKey: 'tenants/acme/uploads/up1.pdf',
  createdAt: '2025-06-01T12:00:00.000Z',
  expiresAt: '2025-06-02T12:00:00.000Z',
  ...overrides,
});

describe('DynamoUploadStore', () => {
  it('stores an upload and reads it back in its tenant only', async () => {
    const record = upload();
    await store.putUpload(record);
    expect(await store.getUpload('acme', 'up1')).toEqual(record);
    expect(await store.getUpload('globex', 'up1')).toBeNull();
    expect(await store.getUpload('acme', 'up2')).toBeNull();
  });

  it('never overwrites an upload id', async () => {
    const record = upload({ uploadId: 'up-dup', stagingKey: 'tenants/acme/uploads/up-dup.pdf' });
    await store.putUpload(record);
    await expect(store.putUpload({ ...record, ownerSub: 'mallory' })).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    });
    expect((await store.getUpload('acme', 'up-dup'))!.ownerSub).toBe('sam');
  });
});
