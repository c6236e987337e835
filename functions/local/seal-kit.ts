import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesFromPem } from '../core/pdf-seal/certificates';
import type { Clock, SealKit, SealSigner } from '../core/ports';
import { issueSealChain } from '../core/seal-chain';
import { LocalSealSigner } from '../adapters/local/local-seal-signer';

/**
 * The local mode's seal: two local keys standing in for the two KMS keys (a root that issues the
 * seal certificate, and the seal key itself), generated on first start and kept under the
 * state directory, with the chain as PEM beside them, made as `countersign certs init` makes it.
 * P-256 keys by default; with `algorithm: 'RSASSA_PKCS1_V1_5_SHA_256'` RSA-3072 keys, in files
 * of their own (`*-rsa.pem`), so the two kinds can take turns on one state directory.
 */
export async function openLocalSealKit(
  directory: string,
  clock: Clock,
  options: { algorithm?: SealSigner['algorithm'] } = {},
): Promise<SealKit> {
  mkdirSync(directory, { recursive: true });
  const algorithm = options.algorithm ?? 'ECDSA_SHA_256';
  const suffix = algorithm === 'ECDSA_SHA_256' ? '' : '-rsa';
  const signer = new LocalSealSigner(join(directory, `seal-key${suffix}.pem`), { algorithm });
  const chainPath = join(directory, `chain${suffix}.pem`);
  if (!existsSync(chainPath)) {
    const root = new LocalSealSigner(join(directory, `root-key${suffix}.pem`), { algorithm });
    const chain = await issueSealChain(root, signer, {
      organization: 'Countersign local mode',
      years: 5,
      now: clock.now(),
    });
    writeFileSync(chainPath, chain.pem);
  }
  const chain = certificatesFromPem(readFileSync(chainPath, 'utf8'));
  return { signer, chain: async () => chain };
}
