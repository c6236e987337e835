import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealSigner } from '../../core/ports';

type SealAlgorithm = SealSigner['algorithm'];

/**
 * Seals with an asymmetric KMS key. Only the 32-byte SHA-256 digest leaves the process
 * (MessageType DIGEST: KMS signs it as is, without hashing again).
 */
export class KmsSealSigner implements SealSigner {
  private publicKeyPromise: Promise<Uint8Array> | undefined;

  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
    readonly algorithm: SealAlgorithm = 'ECDSA_SHA_256',
  ) {}

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new Error(`a SHA-256 digest is 32 bytes, got ${digest.length}`);
    const res = await this.client.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: this.algorithm,
      }),
    );
    if (!res.Signature) throw new Error('KMS returned no signature');
    return res.Signature;
  }

  /** Fetched once and cached; a failed fetch is not cached, so the next call retries. */
  publicKey(): Promise<Uint8Array> {
    this.publicKeyPromise ??= this.fetchPublicKey().catch((error: unknown) => {
      this.publicKeyPromise = undefined;
      throw error;
    });
    return this.publicKeyPromise;
  }

  private async fetchPublicKey(): Promise<Uint8Array> {
    const res = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    if (!res.PublicKey) throw new Error('KMS returned no public key');
    // A key of the wrong kind would produce seals no verifier accepts: fail loudly instead.
    if (res.KeyUsage && res.KeyUsage !== 'SIGN_VERIFY') {
      throw new Error(`KMS key ${this.keyId} is for ${res.KeyUsage}, not SIGN_VERIFY`);
    }
    if (res.SigningAlgorithms && !res.SigningAlgorithms.includes(this.algorithm)) {
      throw new Error(`KMS key ${this.keyId} does not support ${this.algorithm}`);
    }
    return res.PublicKey;
  }
}
