import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificatesFromPem } from '../core/pdf-seal/certificates';
import type { Clock, SealKit } from '../core/ports';
import { issueSealChain } from '../core/seal-chain';
import { LocalSealSigner } from '../adapters/local/local-seal-signer';

/**
 * The local mode's seal: two local keys standing in for the two KMS keys (a root that issues the
 * seal certificate, and the seal key itself), generated on first start and kept under the
 * state directory, with the chain as PEM beside them, made as `countersign certs init` makes it.
 */
export async function openLocalSealKit(directory: string, clock: Clock): Promise<SealKit> {
  mkdirSync(directory, { recursive: true });
  const signer = new LocalSealSigner(join(directory, 'seal-key.pem'));
  const chainPath = join(directory, 'chain.pem');
  if (!existsSync(chainPath)) {
    const root = new LocalSealSigner(join(directory, 'root-key.pem'));
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
