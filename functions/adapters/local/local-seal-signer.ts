import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  privateEncrypt,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { p256 } from '@noble/curves/nist.js';
import type { SealSigner } from '../../core/ports';

type SealAlgorithm = SealSigner['algorithm'];

/** DER of the DigestInfo header for SHA-256 (RFC 8017, section 9.2, note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

interface LoadedKey {
  privateKey: KeyObject;
  /** Raw 32-byte P-256 scalar, for @noble/curves. */
  ecScalar?: Uint8Array;
  publicKeyDer: Uint8Array;
}

/**
 * The local stand-in for the KMS seal key: a key in a PKCS#8 PEM file (mode 0600), created on
 * first use. Like KMS with MessageType DIGEST it signs a ready digest without hashing again,
 * which node:crypto's sign() cannot do (it always hashes), hence @noble/curves for ECDSA and
 * privateEncrypt over DigestInfo for RSA.
 */
export class LocalSealSigner implements SealSigner {
  readonly algorithm: SealAlgorithm;
  private key: Promise<LoadedKey> | undefined;

  constructor(
    private readonly keyPath: string,
    options: { algorithm?: SealAlgorithm } = {},
  ) {
    this.algorithm = options.algorithm ?? 'ECDSA_SHA_256';
  }

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new Error(`a SHA-256 digest is 32 bytes, got ${digest.length}`);
    const key = await this.loadKey();
    if (this.algorithm === 'ECDSA_SHA_256') {
      // prehash: false signs the digest as given; 'der' is the encoding KMS returns.
      return p256.sign(digest, key.ecScalar!, { prehash: false, format: 'der' });
    }
    // RSASSA-PKCS1-v1_5: the padded block is DigestInfo(SHA-256) || digest.
    const signature = privateEncrypt(
      { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING },
      Buffer.concat([SHA256_DIGEST_INFO, digest]),
    );
    return new Uint8Array(signature);
  }

  async publicKey(): Promise<Uint8Array> {
    return (await this.loadKey()).publicKeyDer;
  }

  private loadKey(): Promise<LoadedKey> {
    this.key ??= this.readOrCreate().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }

  private async readOrCreate(): Promise<LoadedKey> {
    let pem: string;
    try {
      pem = await readFile(this.keyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      pem = await this.create();
    }
    return this.describe(createPrivateKey(pem));
  }

  private async create(): Promise<string> {
    // Asynchronous: an RSA 3072 key takes a noticeable fraction of a second to generate.
    const generate = promisify(generateKeyPair);
    const { privateKey } =
      this.algorithm === 'ECDSA_SHA_256'
        ? await generate('ec', { namedCurve: 'P-256' })
        : await generate('rsa', { modulusLength: 3072 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await mkdir(dirname(this.keyPath), { recursive: true, mode: 0o700 });
    try {
      // 'wx': never overwrite a key another process created meanwhile; use that one instead.
      await writeFile(this.keyPath, pem, { mode: 0o600, flag: 'wx' });
      return pem;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return readFile(this.keyPath, 'utf8');
    }
  }

  private describe(privateKey: KeyObject): LoadedKey {
    const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
    if (this.algorithm === 'ECDSA_SHA_256') {
      const jwk = privateKey.export({ format: 'jwk' });
      if (privateKey.asymmetricKeyType !== 'ec' || jwk.crv !== 'P-256' || !jwk.d) {
        throw new Error(`${this.keyPath} does not hold a P-256 key, which ECDSA_SHA_256 needs`);
      }
      return { privateKey, ecScalar: new Uint8Array(Buffer.from(jwk.d, 'base64url')), publicKeyDer };
    }
    if (privateKey.asymmetricKeyType !== 'rsa') {
      throw new Error(`${this.keyPath} does not hold an RSA key, which ${this.algorithm} needs`);
    }
    return { privateKey, publicKeyDer };
  }
}
