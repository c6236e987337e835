import { X509Certificate } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSealSigner } from '../../functions/adapters/local/local-seal-signer';
import { certs } from '../../functions/cli/certs';
import { UsageError } from '../../functions/cli/usage-error';
import { startEmulators, type Emulators } from '../../functions/local/emulators';

/**
 * KMS has no emulator: this stand-in answers Sign and GetPublicKey from two local keys, exactly
 * as KMS does for MessageType DIGEST (DER signature over the given digest, DER SPKI).
 */
function fakeKms(keys: Record<string, LocalSealSigner>): { client: KMSClient; calls: string[] } {
  const calls: string[] = [];
  const client = {
    send: async (command: { constructor: { name: string }; input: any }) => {
      const key = keys[command.input.KeyId];
      if (!key)
        throw Object.assign(new Error(`key ${command.input.KeyId} not found`), { name: 'NotFoundException' });
      calls.push(`${command.constructor.name}:${command.input.KeyId}`);
      if (command.constructor.name === 'SignCommand') {
        expect(command.input.MessageType).toBe('DIGEST');
        return { Signature: await key.signDigest(command.input.Message) };
      }
      return {
        PublicKey: await key.publicKey(),
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['ECDSA_SHA_256'],
      };
    },
  } as unknown as KMSClient;
  return { client, calls };
}

let emulators: Emulators;
let s3: S3Client;
const dir = mkdtempSync(join(tmpdir(), 'countersign-certs-'));
const keys = {
  'alias/seal': new LocalSealSigner(join(dir, 'seal.pem')),
  'alias/root': new LocalSealSigner(join(dir, 'root.pem')),
};

beforeAll(async () => {
  emulators = await startEmulators({ buckets: ['docs'] });
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emulators.endpoints.s3,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
});
afterAll(async () => emulators.close());

const args = [
  'init',
  '--seal-key',
  'alias/seal',
  '--root-key',
  'alias/root',
  '--bucket',
  'docs',
  '--organization',
  'Acme Support',
];

describe('countersign certs init', () => {
  it('issues the root and the seal certificate through the two KMS keys and stores the chain', async () => {
    const kms = fakeKms(keys);
    const out = await certs(args, {
      kms: () => kms.client,
      s3: () => s3,
      now: () => new Date('2026-12-01T00:00:00Z'),
    });
    expect(out).toContain('s3://docs/seal/chain.pem');
    expect(kms.calls).toEqual(
      expect.arrayContaining(['SignCommand:alias/root', 'GetPublicKeyCommand:alias/seal']),
    );
    expect(kms.calls).not.toContain('SignCommand:alias/seal');

    const pem = await (
      await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'seal/chain.pem' }))
    ).Body!.transformToString();
    const [seal, root] = pem.split(/(?<=-----END CERTIFICATE-----\n)/).map((p) => new X509Certificate(p));
    expect(seal!.subject).toContain('CN=Acme Support Countersign Seal');
    expect(seal!.issuer).toBe(root!.subject);
    expect(seal!.verify(root!.publicKey)).toBe(true);
    expect(root!.verify(root!.publicKey)).toBe(true);
    expect(root!.ca).toBe(true);
    expect(seal!.ca).toBe(false);
    expect(Buffer.from(seal!.publicKey.export({ type: 'spki', format: 'der' }))).toEqual(
      Buffer.from(await keys['alias/seal'].publicKey()),
    );
    expect(seal!.validTo).toContain('2029');
    expect(out).toContain(seal!.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it('refuses to replace a chain without --force, and replaces it with --force', async () => {
    const kms = fakeKms(keys);
    const deps = { kms: () => kms.client, s3: () => s3, now: () => new Date() };
    await expect(certs(args, deps)).rejects.toThrow(/already holds a chain; pass --force/);
    await expect(certs([...args, '--force'], deps)).resolves.toContain('stored');
  });

  it('names what is wrong with the arguments', async () => {
    const deps = { kms: () => fakeKms(keys).client, s3: () => s3, now: () => new Date() };
    await expect(certs(['init', '--seal-key', 'alias/seal'], deps)).rejects.toThrow(UsageError);
    await expect(
      certs(['init', '--seal-key', 'k', '--root-key', 'k', '--bucket', 'b', '--organization', 'o'], deps),
    ).rejects.toThrow(/two different keys/);
    await expect(certs([...args, '--years', '40'], deps)).rejects.toThrow(/--years/);
    await expect(certs(['rotate'], deps)).rejects.toThrow(/unknown certs command/);
  });
});
