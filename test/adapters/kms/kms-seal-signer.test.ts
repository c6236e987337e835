import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { KmsSealSigner, sealAlgorithmForKeySpec } from '../../../functions/adapters/kms/kms-seal-signer';

const KEY = 'arn:aws:kms:eu-central-1:111122223333:key/seal';
const SIGNATURE = new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
const PUBLIC_KEY = new Uint8Array([0x30, 0x59, 1, 2, 3]);

/** A client whose `send` records commands and answers from a script (an Error is thrown). */
function fakeKms(answers: Partial<Record<'Sign' | 'GetPublicKey', (object | Error)[]>>) {
  const commands: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      commands.push(command);
      const kind =
        command instanceof SignCommand
          ? 'Sign'
          : command instanceof GetPublicKeyCommand
            ? 'GetPublicKey'
            : '';
      const answer = answers[kind as 'Sign']?.shift();
      if (answer === undefined) throw new Error(`unexpected ${kind} call`);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  } as unknown as KMSClient;
  return { client, commands };
}

describe('KmsSealSigner', () => {
  it('signs the digest as a DIGEST with ECDSA_SHA_256 by default', async () => {
    const { client, commands } = fakeKms({ Sign: [{ Signature: SIGNATURE, KeyId: KEY }] });
    const signer = new KmsSealSigner(client, KEY);
    expect(signer.algorithm).toBe('ECDSA_SHA_256');
    const digest = new Uint8Array(32).fill(7);
    expect(await signer.signDigest(digest)).toBe(SIGNATURE);
    expect(commands[0]).toBeInstanceOf(SignCommand);
    expect((commands[0] as SignCommand).input).toEqual({
      KeyId: KEY,
      Message: digest,
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
  });

  it('uses the RSA algorithm when configured so', async () => {
    const { client, commands } = fakeKms({ Sign: [{ Signature: SIGNATURE }] });
    await new KmsSealSigner(client, KEY, 'RSASSA_PKCS1_V1_5_SHA_256').signDigest(new Uint8Array(32));
    expect((commands[0] as SignCommand).input.SigningAlgorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
  });

  it('refuses digests that are not 32 bytes without calling KMS', async () => {
    const { client, commands } = fakeKms({});
    const signer = new KmsSealSigner(client, KEY);
    await expect(signer.signDigest(new Uint8Array(0))).rejects.toThrow(/32 bytes, got 0/);
    await expect(signer.signDigest(new Uint8Array(64))).rejects.toThrow(/32 bytes, got 64/);
    expect(commands).toHaveLength(0);
  });

  it('fails when KMS returns no signature, and passes KMS errors on', async () => {
    const disabled = Object.assign(new Error('key is disabled'), { name: 'DisabledException' });
    const { client } = fakeKms({ Sign: [{}, disabled] });
    const signer = new KmsSealSigner(client, KEY);
    await expect(signer.signDigest(new Uint8Array(32))).rejects.toThrow(/no signature/);
    await expect(signer.signDigest(new Uint8Array(32))).rejects.toMatchObject({ name: 'DisabledException' });
  });

  it('fetches the public key once and caches it', async () => {
    const { client, commands } = fakeKms({
      GetPublicKey: [
        { PublicKey: PUBLIC_KEY, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] },
      ],
    });
    const signer = new KmsSealSigner(client, KEY);
    const [a, b] = await Promise.all([signer.publicKey(), signer.publicKey()]);
    expect(await signer.publicKey()).toBe(PUBLIC_KEY);
    expect(a).toBe(PUBLIC_KEY);
    expect(b).toBe(PUBLIC_KEY);
    expect(commands).toHaveLength(1);
    expect((commands[0] as GetPublicKeyCommand).input).toEqual({ KeyId: KEY });
  });

  it('does not cache a failed fetch', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const { client, commands } = fakeKms({ GetPublicKey: [throttled, { PublicKey: PUBLIC_KEY }] });
    const signer = new KmsSealSigner(client, KEY);
    await expect(signer.publicKey()).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(await signer.publicKey()).toBe(PUBLIC_KEY);
    expect(commands).toHaveLength(2);
  });

  it('refuses a key that cannot make this kind of signature', async () => {
    const { client } = fakeKms({
      GetPublicKey: [
        { PublicKey: PUBLIC_KEY, KeyUsage: 'ENCRYPT_DECRYPT' },
        { PublicKey: PUBLIC_KEY, KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['RSASSA_PSS_SHA_256'] },
        {},
      ],
    });
    const signer = new KmsSealSigner(client, KEY, 'RSASSA_PKCS1_V1_5_SHA_256');
    await expect(signer.publicKey()).rejects.toThrow(/ENCRYPT_DECRYPT, not SIGN_VERIFY/);
    await expect(signer.publicKey()).rejects.toThrow(/does not support RSASSA_PKCS1_V1_5_SHA_256/);
    await expect(signer.publicKey()).rejects.toThrow(/no public key/);
  });

  it('with from-key, signs RSA_3072 keys RSASSA_PKCS1_V1_5_SHA_256, learnt from GetPublicKey', async () => {
    const { client, commands } = fakeKms({
      GetPublicKey: [
        {
          PublicKey: PUBLIC_KEY,
          KeySpec: 'RSA_3072',
          KeyUsage: 'SIGN_VERIFY',
          SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
        },
      ],
      Sign: [{ Signature: SIGNATURE }],
    });
    const signer = new KmsSealSigner(client, KEY, 'from-key');
    expect(() => signer.algorithm).toThrow(/known once its public key is fetched/);
    // Signing first fetches the key (once) to know how to sign.
    await signer.signDigest(new Uint8Array(32));
    expect(signer.algorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    expect(await signer.publicKey()).toBe(PUBLIC_KEY);
    expect(commands.map((c) => (c as object).constructor.name)).toEqual([
      'GetPublicKeyCommand',
      'SignCommand',
    ]);
    expect((commands[1] as SignCommand).input.SigningAlgorithm).toBe('RSASSA_PKCS1_V1_5_SHA_256');
  });

  it('with from-key, signs ECC_NIST_P256 keys ECDSA_SHA_256 and refuses other specs', async () => {
    const { client } = fakeKms({
      GetPublicKey: [
        { PublicKey: PUBLIC_KEY, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
        { PublicKey: PUBLIC_KEY, KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' },
        { PublicKey: PUBLIC_KEY, KeyUsage: 'SIGN_VERIFY' },
      ],
    });
    const ec = new KmsSealSigner(client, KEY, 'from-key');
    await ec.publicKey();
    expect(ec.algorithm).toBe('ECDSA_SHA_256');
    const other = new KmsSealSigner(client, KEY, 'from-key');
    await expect(other.publicKey()).rejects.toThrow(/ECC_SECG_P256K1 KMS key cannot make the seal/);
    await expect(other.publicKey()).rejects.toThrow(/did not say the key spec/);
    expect(() => other.algorithm).toThrow(/known once/);
    expect(sealAlgorithmForKeySpec('RSA_3072')).toBe('RSASSA_PKCS1_V1_5_SHA_256');
    expect(() => sealAlgorithmForKeySpec('HMAC_256')).toThrow(/cannot make the seal/);
  });
});
