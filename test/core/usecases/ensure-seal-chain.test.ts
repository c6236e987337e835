import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalSealSigner } from '../../../functions/adapters/local/local-seal-signer';
import { certificatesFromPem } from '../../../functions/core/pdf-seal/certificates';
import { issueSealChain } from '../../../functions/core/seal-chain';
import {
  archiveKey,
  ensureSealChain,
  type ChainStore,
} from '../../../functions/core/usecases/ensure-seal-chain';

const dir = () => mkdtempSync(join(tmpdir(), 'chain-'));
const signer = (d: string, name: string) => new LocalSealSigner(join(d, `${name}.pem`));

class MemoryStore implements ChainStore {
  readonly objects = new Map<string, string>();
  async read(key: string) {
    return this.objects.get(key) ?? null;
  }
  async write(key: string, pem: string) {
    this.objects.set(key, pem);
  }
}

const options = {
  object: 'seal/chain.pem',
  organization: 'Acme Support',
  years: 3,
  now: new Date('2026-12-01T00:00:00Z'),
};

describe('ensureSealChain', () => {
  it('issues a chain for the seal key through the root key when none is stored, and archives it', async () => {
    const d = dir();
    const [root, seal, store] = [signer(d, 'root'), signer(d, 'seal'), new MemoryStore()];
    const result = await ensureSealChain({ root, seal, store }, options);
    expect(result.action).toBe('issued');
    const pem = store.objects.get('seal/chain.pem')!;
    expect(store.objects.get(archiveKey('seal/chain.pem', result.sealSha256))).toBe(pem);
    const [leaf, top] = certificatesFromPem(pem).map((der) => new X509Certificate(Buffer.from(der)));
    expect(leaf!.checkIssued(top!)).toBe(true);
    expect(leaf!.verify(top!.publicKey)).toBe(true);
    expect(leaf!.publicKey.export({ type: 'spki', format: 'der' })).toEqual(
      Buffer.from(await seal.publicKey()),
    );
    expect(leaf!.subject).toContain('Acme Support Countersign Seal');
  });

  it('keeps a chain that is there: a second deployment changes nothing', async () => {
    const d = dir();
    const deps = { root: signer(d, 'root'), seal: signer(d, 'seal'), store: new MemoryStore() };
    const first = await ensureSealChain(deps, options);
    const pem = deps.store.objects.get('seal/chain.pem');
    const second = await ensureSealChain(deps, { ...options, now: new Date('2027-06-01T00:00:00Z') });
    expect(second).toEqual({ action: 'kept', sealSha256: first.sealSha256 });
    expect(deps.store.objects.get('seal/chain.pem')).toBe(pem);
  });

  it('imports a chain from a CA only when it certifies the seal key; the older chain stays archived', async () => {
    const d = dir();
    const deps = { root: signer(d, 'root'), seal: signer(d, 'seal'), store: new MemoryStore() };
    const own = await ensureSealChain(deps, options);
    // A chain made by another root (standing in for a real CA) for the same seal key.
    const ca = await issueSealChain(signer(d, 'ca'), deps.seal, {
      organization: 'Trusted CA',
      years: 2,
      now: options.now,
    });
    const imported = await ensureSealChain(deps, { ...options, importedPem: ca.pem });
    expect(imported).toEqual({ action: 'imported', sealSha256: ca.sealSha256 });
    expect(deps.store.objects.get('seal/chain.pem')).toBe(ca.pem);
    expect(deps.store.objects.has(archiveKey('seal/chain.pem', own.sealSha256))).toBe(true);
    expect((await ensureSealChain(deps, { ...options, importedPem: ca.pem })).action).toBe('kept');

    const foreign = await issueSealChain(signer(d, 'ca'), signer(d, 'other-seal'), {
      organization: 'Trusted CA',
      years: 2,
      now: options.now,
    });
    await expect(ensureSealChain(deps, { ...options, importedPem: foreign.pem })).rejects.toThrow(
      /not for the seal key/,
    );
    await expect(ensureSealChain(deps, { ...options, importedPem: 'no certificates here' })).rejects.toThrow(
      /no PEM certificate/,
    );
    expect(deps.store.objects.get('seal/chain.pem')).toBe(ca.pem);
  });
});
