import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalSealSigner } from '../../../functions/adapters/local/local-seal-signer';
import { createRootCertificate, issueSealCertificate } from '../../../functions/core/pdf-seal/certificates';
import type { SealSigner } from '../../../functions/core/ports';

export interface SealKit {
  root: SealSigner;
  seal: SealSigner;
  rootCert: Uint8Array;
  sealCert: Uint8Array;
  /** Leaf first. */
  chain: Uint8Array[];
}

export const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
export const NOT_AFTER = new Date('2040-01-01T00:00:00Z');

/** Temporary key files, removed by cleanup(). */
export async function keyDir(): Promise<{ path(name: string): string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-seal-keys-'));
  return { path: (name) => join(dir, name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A root key, a seal key and the chain the certificates module makes for them. */
export async function makeSealKit(
  keys: { path(name: string): string },
  algorithm: SealSigner['algorithm'] = 'ECDSA_SHA_256',
  rootAlgorithm: SealSigner['algorithm'] = algorithm,
): Promise<SealKit> {
  const root = new LocalSealSigner(keys.path(`root-${rootAlgorithm}.pem`), { algorithm: rootAlgorithm });
  const seal = new LocalSealSigner(keys.path(`seal-${algorithm}.pem`), { algorithm });
  const rootCert = await createRootCertificate(root, {
    subject: { commonName: 'Countersign Test Root CA', organization: 'Countersign Test', country: 'DE' },
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
  });
  const sealCert = await issueSealCertificate(
    { signer: root, certificate: rootCert },
    await seal.publicKey(),
    {
      subject: { commonName: 'Countersign Test Seal', organization: 'Countersign Test' },
      notBefore: NOT_BEFORE,
      notAfter: NOT_AFTER,
    },
  );
  return { root, seal, rootCert, sealCert, chain: [sealCert, rootCert] };
}
