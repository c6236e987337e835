import { createHash } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { certificatesFromPem } from '../pdf-seal/certificates';
import type { SealSigner } from '../ports';
import { issueSealChain } from '../seal-chain';

/** Where the chain is kept: the object the seal reads, and an archive of every chain by fingerprint. */
export interface ChainStore {
  read(key: string): Promise<string | null>;
  write(key: string, pem: string): Promise<void>;
}

export interface EnsureChainOptions {
  /** The object the seal function reads, e.g. `seal/chain.pem`. */
  object: string;
  organization: string;
  years: number;
  now: Date;
  /** A chain from a real CA (seal certificate first): used instead of issuing one. */
  importedPem?: string;
}

export interface EnsureChainResult {
  action: 'kept' | 'issued' | 'imported';
  sealSha256: string;
}

const fingerprint = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

/** `seal/chain.pem` -> `seal/chains/<sha256 of the seal certificate>.pem` */
export const archiveKey = (object: string, sealSha256: string) =>
  `${object.replace(/[^/]*$/, '')}chains/${sealSha256}.pem`;

/**
 * Makes sure a certificate chain for the seal key is where the seal reads it. An existing chain is
 * kept; an imported one must certify the seal key itself; otherwise the root key issues one. Every
 * chain put in place is archived under its fingerprint too, so that after a rotation the chains of
 * older seals are still at hand (each sealed PDF also carries its own chain).
 */
export async function ensureSealChain(
  /** `root` is needed only to issue a chain (not to keep or import one). */
  deps: { root?: SealSigner; seal: SealSigner; store: ChainStore },
  options: EnsureChainOptions,
): Promise<EnsureChainResult> {
  const current = await deps.store.read(options.object);
  if (options.importedPem !== undefined) {
    const chain = certificatesFromPem(options.importedPem);
    if (chain.length === 0) throw new Error('the imported chain holds no PEM certificate');
    const leafKey = AsnConvert.serialize(
      AsnConvert.parse(chain[0]!, Certificate).tbsCertificate.subjectPublicKeyInfo,
    );
    if (!Buffer.from(leafKey).equals(Buffer.from(await deps.seal.publicKey()))) {
      throw new Error(
        "the imported chain's first certificate is not for the seal key: it would make every seal invalid",
      );
    }
    const sealSha256 = fingerprint(chain[0]!);
    if (current !== null && sameChain(current, options.importedPem)) return { action: 'kept', sealSha256 };
    await deps.store.write(archiveKey(options.object, sealSha256), options.importedPem);
    await deps.store.write(options.object, options.importedPem);
    return { action: 'imported', sealSha256 };
  }
  if (current !== null) {
    const [leaf] = certificatesFromPem(current);
    if (leaf) return { action: 'kept', sealSha256: fingerprint(leaf) };
  }
  if (!deps.root) throw new Error('no chain is stored and no root key is given to issue one');
  const issued = await issueSealChain(deps.root, deps.seal, {
    organization: options.organization,
    years: options.years,
    now: options.now,
  });
  await deps.store.write(archiveKey(options.object, issued.sealSha256), issued.pem);
  await deps.store.write(options.object, issued.pem);
  return { action: 'issued', sealSha256: issued.sealSha256 };
}

function sameChain(a: string, b: string): boolean {
  const da = certificatesFromPem(a).map(fingerprint);
  const db = certificatesFromPem(b).map(fingerprint);
  return da.length === db.length && da.every((x, i) => x === db[i]);
}
