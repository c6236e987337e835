import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalSealSigner } from '../../../functions/adapters/local/local-seal-signer';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'seal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (data: Uint8Array) => new Uint8Array(createHash('sha256').update(data).digest());
const spki = (der: Uint8Array) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });

describe('LocalSealSigner, ECDSA P-256', () => {
  it('signs a ready digest without hashing it again', async () => {
    const signer = new LocalSealSigner(join(dir, 'keys', 'seal.pem'));
    expect(signer.algorithm).toBe('ECDSA_SHA_256');
    const message = Buffer.from('signed attributes of the CMS');
    const signature = await signer.signDigest(sha256(message));
    const publicKey = spki(await signer.publicKey());
    expect(publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    // node hashes `message` once itself: this verifies only if the signer signed sha256(message).
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    expect(verify('sha256', sha256(message), publicKey, signature)).toBe(false);
    // DER: SEQUENCE of two INTEGERs, as KMS returns.
    expect(signature[0]).toBe(0x30);
    expect(signature[1]).toBe(signature.length - 2);
  });

  it('keeps the key in a 0600 PKCS#8 PEM file and loads it again', async () => {
    const path = join(dir, 'seal.pem');
    const first = new LocalSealSigner(path);
    const publicKey = await first.publicKey();
    const pem = await readFile(path, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const second = new LocalSealSigner(path);
    expect(Buffer.from(await second.publicKey()).equals(Buffer.from(publicKey))).toBe(true);
    const message = randomBytes(100);
    expect(verify('sha256', message, spki(publicKey), await second.signDigest(sha256(message)))).toBe(true);
    expect(await readFile(path, 'utf8')).toBe(pem);
  });

  it('creates one key when asked concurrently', async () => {
    const signer = new LocalSealSigner(join(dir, 'seal.pem'));
    const keys = await Promise.all([
      signer.publicKey(),
      signer.publicKey(),
      signer.signDigest(sha256(Buffer.from('x'))),
    ]);
    expect(Buffer.from(keys[0]).equals(Buffer.from(keys[1]))).toBe(true);
    expect(verify('sha256', Buffer.from('x'), spki(keys[0]), keys[2])).toBe(true);
  });

  it('refuses a digest that is not 32 bytes', async () => {
    const signer = new LocalSealSigner(join(dir, 'seal.pem'));
    await expect(signer.signDigest(new Uint8Array(31))).rejects.toThrow(/32 bytes/);
    await expect(signer.signDigest(new Uint8Array(48))).rejects.toThrow(/32 bytes/);
  });

  it('refuses a key file of the wrong kind', async () => {
    const path = join(dir, 'seal.pem');
    await new LocalSealSigner(path, { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }).publicKey();
    await expect(new LocalSealSigner(path).publicKey()).rejects.toThrow(/does not hold a P-256 key/);
  });
});

describe('LocalSealSigner, RSA 3072 PKCS#1 v1.5', () => {
  it('signs a ready digest as RSASSA-PKCS1-v1_5 with SHA-256, kept and reloaded', async () => {
    const path = join(dir, 'rsa.pem');
    const signer = new LocalSealSigner(path, { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect(signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    const message = Buffer.from('signed attributes');
    const signature = await signer.signDigest(sha256(message));
    const publicKey = spki(await signer.publicKey());
    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(signature).toHaveLength(384);
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const again = new LocalSealSigner(path, { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' });
    expect(Buffer.from(await again.publicKey()).equals(Buffer.from(await signer.publicKey()))).toBe(true);
    // PKCS#1 v1.5 is deterministic: the same digest gives the same signature.
    expect(Buffer.from(await again.signDigest(sha256(message))).equals(Buffer.from(signature))).toBe(true);
  });

  it('refuses an EC key file', async () => {
    const path = join(dir, 'seal.pem');
    await new LocalSealSigner(path).publicKey();
    await expect(
      new LocalSealSigner(path, { algorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }).publicKey(),
    ).rejects.toThrow(/does not hold an RSA key/);
  });

  it('reports a corrupt key file', async () => {
    const path = join(dir, 'seal.pem');
    await writeFile(path, 'not a key');
    await expect(new LocalSealSigner(path).publicKey()).rejects.toThrow();
  });
});
