import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSealSigner } from '../../functions/adapters/local/local-seal-signer';
import type { ChainStore } from '../../functions/core/usecases/ensure-seal-chain';
import { makeSealChainResource, type CustomResourceEvent } from '../../functions/wiring/seal-chain-resource';

/** A stand-in for CloudFormation's presigned response URL: records each answer. */
const answers: { path: string; contentType: string | undefined; body: Record<string, any> }[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    answers.push({ path: req.url ?? '', contentType: req.headers['content-type'], body: JSON.parse(body) });
    res.end();
  });
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const objects = new Map<string, string>();
const store: ChainStore = {
  read: async (key) => objects.get(key) ?? null,
  write: async (key, pem) => void objects.set(key, pem),
};
const dir = mkdtempSync(join(tmpdir(), 'chain-resource-'));
const handler = makeSealChainResource({
  signers: () => ({
    root: new LocalSealSigner(join(dir, 'root.pem')),
    seal: new LocalSealSigner(join(dir, 'seal.pem')),
  }),
  store: () => store,
  now: () => new Date('2026-12-01T00:00:00Z'),
});

const event = (
  type: CustomResourceEvent['RequestType'],
  extra: Partial<CustomResourceEvent['ResourceProperties']> = {},
) =>
  ({
    RequestType: type,
    ResponseURL: `${url}/answer/${type}`,
    StackId: 'arn:aws:cloudformation:eu-central-1:111122223333:stack/Countersign-dev-Stateful/1',
    RequestId: `req-${answers.length}`,
    LogicalResourceId: 'SealChain',
    ...(type === 'Create' ? {} : { PhysicalResourceId: 'seal-chain-seal/chain.pem' }),
    ResourceProperties: {
      Bucket: 'documents',
      ChainObject: 'seal/chain.pem',
      SealKeyArn: 'arn:seal',
      RootKeyArn: 'arn:root',
      Organization: 'Acme Support',
      ...extra,
    },
  }) satisfies CustomResourceEvent;

describe('the seal chain custom resource', () => {
  it('on create issues the chain and answers SUCCESS with its fingerprint; on update keeps it', async () => {
    await handler(event('Create'));
    const created = answers.at(-1)!;
    expect(created.path).toBe('/answer/Create');
    expect(created.contentType).toBe('');
    expect(created.body).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'seal-chain-seal/chain.pem',
      LogicalResourceId: 'SealChain',
      Data: { Action: 'issued', SealCertificateSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(objects.get('seal/chain.pem')).toMatch(/BEGIN CERTIFICATE[\s\S]*BEGIN CERTIFICATE/);
    await handler(event('Update'));
    expect(answers.at(-1)!.body.Data).toEqual({ ...created.body.Data, Action: 'kept' });
  });

  it('answers FAILED with the reason (and does not hang the stack) when the chain cannot be put in place', async () => {
    await handler(event('Update', { ImportedChainPem: 'not a chain' }));
    expect(answers.at(-1)!.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(/no PEM certificate/),
    });
  });

  it('on delete leaves the chain where it is', async () => {
    const before = objects.get('seal/chain.pem');
    await handler(event('Delete'));
    expect(answers.at(-1)!.body.Status).toBe('SUCCESS');
    expect(objects.get('seal/chain.pem')).toBe(before);
  });
});
