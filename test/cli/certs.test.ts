import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsSealSigner } from '../../functions/adapters/kms/kms-seal-signer';
import { LocalSealSigner } from '../../functions/adapters/local/local-seal-signer';
import { certificatesFromPem } from '../../functions/core/pdf-seal/certificates';
import { sealPdf } from '../../functions/core/pdf-seal/seal';
import { issueSealChain } from '../../functions/core/seal-chain';
import { certs } from '../../functions/cli/certs';
import { UsageError } from '../../functions/cli/usage-error';
import { startEmulators, type Emulators } from '../../functions/local/emulators';
import { makePdf } from '../support/pdf';
import { makeNssDb, pdfsig } from '../support/pdfsig';

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
      const rsa = key.algorithm === 'RSASSA_PKCS1_V1_5_SHA_256';
      return {
        PublicKey: await key.publicKey(),
        KeySpec: rsa ? 'RSA_3072' : 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: rsa ? ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'] : ['ECDSA_SHA_256'],
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

  it('with --rsa, issues an RSA-3072 chain; the seal task signs through KMS and pdfsig trusts the seal', async () => {
    const rsa = { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' } as const;
    const kms = fakeKms({
      'alias/rsa-seal': new LocalSealSigner(join(dir, 'rsa-seal.pem'), rsa),
      'alias/rsa-root': new LocalSealSigner(join(dir, 'rsa-root.pem'), rsa),
    });
    const deps = { kms: () => kms.client, s3: () => s3, now: () => new Date('2026-12-01T00:00:00Z') };
    const rsaArgs = [
      'init',
      '--seal-key',
      'alias/rsa-seal',
      '--root-key',
      'alias/rsa-root',
      '--bucket',
      'docs',
      '--organization',
      'Acme Support',
      '--object',
      'seal/rsa-chain.pem',
    ];
    // The P-256 default does not fit RSA keys: refused before anything is stored.
    await expect(certs(rsaArgs, deps)).rejects.toThrow(/does not support ECDSA_SHA_256/);
    await certs([...rsaArgs, '--rsa'], deps);

    const pem = await (
      await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'seal/rsa-chain.pem' }))
    ).Body!.transformToString();
    const chain = certificatesFromPem(pem);
    const [seal, root] = chain.map((der) => new X509Certificate(der));
    for (const cert of [seal!, root!]) {
      expect(cert.publicKey.asymmetricKeyType).toBe('rsa');
      expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    }
    expect(seal!.verify(root!.publicKey)).toBe(true);

    // As the Seal task does it: the algorithm follows the KMS key.
    const signer = new KmsSealSigner(kms.client, 'alias/rsa-seal', 'from-key');
    const sealed = await sealPdf(await makePdf(), {
      signer,
      chain,
      reason: 'Envelope completed',
      name: 'Acme Support Countersign Seal',
      signedAt: new Date('2026-12-02T00:00:00Z'),
      fieldName: 'CountersignSeal',
    });
    expect(signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    expect(kms.calls).toContain('SignCommand:alias/rsa-seal');
    const nss = await makeNssDb([chain[1]!]);
    try {
      expect((await pdfsig(sealed, { nssDir: nss.dir })).signatures[0]).toMatchObject({
        signerCommonName: 'Acme Support Countersign Seal',
        validation: 'Signature is Valid.',
        certificateValidation: 'Certificate is Trusted.',
      });
    } finally {
      await nss.cleanup();
    }
  });
});

describe('countersign certs import', () => {
  const read = async (key: string) => {
    const res = await s3.send(new GetObjectCommand({ Bucket: 'docs', Key: key }));
    return res.Body!.transformToString();
  };

  it('puts a CA chain for the seal key in place and archives it; the chain issued before stays archived', async () => {
    const deps = { kms: () => fakeKms(keys).client, s3: () => s3, now: () => new Date() };
    const before = await certs([...args, '--object', 'import/chain.pem'], deps);
    const ownSha = /seal certificate SHA-256: ([0-9a-f]{64})/.exec(before)![1]!;
    expect(await read(`import/chains/${ownSha}.pem`)).toBe(await read('import/chain.pem'));

    // A chain from another root (standing in for a real CA) for the same seal key.
    const ca = await issueSealChain(new LocalSealSigner(join(dir, 'ca.pem')), keys['alias/seal'], {
      organization: 'Trusted CA',
      years: 2,
      now: new Date(),
    });
    const file = join(dir, 'ca-chain.pem');
    writeFileSync(file, ca.pem);
    const base = [
      'import',
      '--chain',
      file,
      '--seal-key',
      'alias/seal',
      '--bucket',
      'docs',
      '--object',
      'import/chain.pem',
    ];
    const out = await certs(base, deps);
    expect(out).toContain(`Imported chain stored at s3://docs/import/chain.pem`);
    expect(out).toContain(ca.sealSha256);
    expect(await read('import/chain.pem')).toBe(ca.pem);
    expect(await read(`import/chains/${ca.sealSha256}.pem`)).toBe(ca.pem);
    expect(await read(`import/chains/${ownSha}.pem`)).toMatch(/BEGIN CERTIFICATE/);
    expect(await certs(base, deps)).toContain('nothing changed');
  });

  it('refuses a chain for another key, a file without certificates, and missing arguments', async () => {
    const deps = { kms: () => fakeKms(keys).client, s3: () => s3, now: () => new Date() };
    const other = await issueSealChain(keys['alias/root'], new LocalSealSigner(join(dir, 'other.pem')), {
      organization: 'Elsewhere',
      years: 1,
      now: new Date(),
    });
    const foreign = join(dir, 'foreign.pem');
    writeFileSync(foreign, other.pem);
    const empty = join(dir, 'empty.pem');
    writeFileSync(empty, 'nothing here');
    const base = ['--seal-key', 'alias/seal', '--bucket', 'docs', '--object', 'refused/chain.pem'];
    await expect(certs(['import', '--chain', foreign, ...base], deps)).rejects.toThrow(
      /not for the seal key/,
    );
    await expect(certs(['import', '--chain', empty, ...base], deps)).rejects.toThrow(UsageError);
    await expect(certs(['import', '--chain', join(dir, 'missing.pem'), ...base], deps)).rejects.toThrow(
      /cannot read/,
    );
    await expect(certs(['import', '--seal-key', 'alias/seal'], deps)).rejects.toThrow(/--chain is required/);
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'docs', Key: 'refused/chain.pem' })),
    ).rejects.toThrow();
  });
});
