import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  certificatesFromPem,
  certificateToPem,
  createRootCertificate,
  issueSealCertificate,
} from '../core/pdf-seal/certificates';
import type { Clock, SealKit } from '../core/ports';
import { LocalSealSigner } from '../adapters/local/local-seal-signer';

/**
 * The local mode's seal: two local keys standing in for the two KMS keys (a root that issues the
 * seal certificate, and the seal key itself), generated on first start and kept under the
 * state directory, with the chain as PEM beside them.
 */
export async function openLocalSealKit(directory: string, clock: Clock): Promise<SealKit> {
  mkdirSync(directory, { recursive: true });
  const signer = new LocalSealSigner(join(directory, 'seal-key.pem'));
  const chainPath = join(directory, 'chain.pem');
  if (!existsSync(chainPath)) {
    const root = new LocalSealSigner(join(directory, 'root-key.pem'));
    const now = clock.now();
    const years = (n: number) =>
      new Date(Date.UTC(now.getUTCFullYear() + n, now.getUTCMonth(), now.getUTCDate()));
    const start = new Date(now.getTime() - 60_000);
    const rootCert = await createRootCertificate(root, {
      subject: { commonName: 'Countersign Local Root', organization: 'Countersign (local mode)' },
      notBefore: start,
      notAfter: years(20),
    });
    const sealCert = await issueSealCertificate(
      { signer: root, certificate: rootCert },
      await signer.publicKey(),
      {
        subject: { commonName: 'Countersign Local Seal', organization: 'Countersign (local mode)' },
        notBefore: start,
        notAfter: years(5),
      },
    );
    writeFileSync(chainPath, certificateToPem(sealCert) + certificateToPem(rootCert));
  }
  const chain = certificatesFromPem(readFileSync(chainPath, 'utf8'));
  return { signer, chain: async () => chain };
}
