import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealSigner } from '../../core/ports';

type SealAlgorithm = SealSigner['algorithm'];

/**
 * The signing algorithm a KMS key spec seals with: ECC_NIST_P256 (the default seal key) signs
 * ECDSA_SHA_256, an RSA key (RSA_3072 is the stages' option) RSASSA_PKCS1_V1_5_SHA_256.
 */
export function sealAlgorithmForKeySpec(keySpec: string): SealAlgorithm {
  if (keySpec === 'ECC_NIST_P256') return 'ECDSA_SHA_256';
  if (keySpec === 'RSA_2048' || keySpec === 'RSA_3072' || keySpec === 'RSA_4096') {
    return 'RSASSA_PKCS1_V1_5_SHA_256';
  }
  throw new Error(`a ${keySpec} KMS key cannot make the seal (ECC_NIST_P256 or RSA_3072 can)`);
}

/**
 * Seals with an asymmetric KMS key. Only the 32-byte SHA-256 digest leaves the process
 * (MessageType DIGEST: KMS signs it as is, without hashing again).
 *
 * With `'from-key'` the algorithm follows the key's spec, learnt from GetPublicKey: a stage can
 * then switch its seal key between P-256 and RSA-3072 without configuring the functions. Until
 * publicKey() has resolved, `algorithm` is unknown and reading it throws; the CMS and the
 * certificates read it only after asking for the public key, and signDigest() fetches it itself.
 */
export class KmsSealSigner implements SealSigner {
  private publicKeyPromise: Promise<Uint8Array> | undefined;
  private resolvedAlgorithm: SealAlgorithm | undefined;

  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
    private readonly configured: SealAlgorithm | 'from-key' = 'ECDSA_SHA_256',
  ) {
    if (configured !== 'from-key') this.resolvedAlgorithm = configured;
  }

  get algorithm(): SealAlgorithm {
    if (!this.resolvedAlgorithm) {
      throw new Error(`the algorithm of KMS key ${this.keyId} is known once its public key is fetched`);
    }
    return this.resolvedAlgorithm;
  }

  async signDigest(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new Error(`a SHA-256 digest is 32 bytes, got ${digest.length}`);
    if (!this.resolvedAlgorithm) await this.publicKey();
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
    let algorithm: SealAlgorithm;
    if (this.configured === 'from-key') {
      if (!res.KeySpec) throw new Error(`KMS did not say the key spec of ${this.keyId}`);
      algorithm = sealAlgorithmForKeySpec(res.KeySpec);
    } else {
      algorithm = this.configured;
    }
    if (res.SigningAlgorithms && !res.SigningAlgorithms.includes(algorithm)) {
      throw new Error(`KMS key ${this.keyId} does not support ${algorithm}`);
    }
    this.resolvedAlgorithm = algorithm;
    return res.PublicKey;
  }
}
