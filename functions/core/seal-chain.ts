import { createHash } from 'node:crypto';
import { certificateToPem, createRootCertificate, issueSealCertificate } from './pdf-seal/certificates';
import type { SealSigner } from './ports';

export interface SealChainOptions {
  organization: string;
  /** Years the seal certificate is valid; the root gets four times as long. */
  years: number;
  now: Date;
}

export interface SealChain {
  /** PEM: the seal certificate first, then the root. */
  pem: string;
  sealSha256: string;
  rootSha256: string;
}

const addYears = (d: Date, n: number) =>
  new Date(Date.UTC(d.getUTCFullYear() + n, d.getUTCMonth(), d.getUTCDate()));

/**
 * The seal's certificate chain, made entirely through signers: the root key signs its own
 * certificate and the seal certificate for the seal key. Neither private key is ever read,
 * so both can live in KMS. A verifier that trusts the root trusts every seal it issued.
 */
export async function issueSealChain(
  root: SealSigner,
  seal: SealSigner,
  options: SealChainOptions,
): Promise<SealChain> {
  if (!options.organization.trim()) throw new Error('the organization name is required');
  if (!Number.isInteger(options.years) || options.years < 1 || options.years > 10) {
    throw new Error('the seal certificate lifetime must be 1 to 10 years');
  }
  const notBefore = new Date(options.now.getTime() - 5 * 60_000);
  const rootCert = await createRootCertificate(root, {
    subject: { commonName: `${options.organization} Countersign Root`, organization: options.organization },
    notBefore,
    notAfter: addYears(options.now, options.years * 4),
  });
  const sealCert = await issueSealCertificate(
    { signer: root, certificate: rootCert },
    await seal.publicKey(),
    {
      subject: { commonName: `${options.organization} Countersign Seal`, organization: options.organization },
      notBefore,
      notAfter: addYears(options.now, options.years),
    },
  );
  const fingerprint = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');
  return {
    pem: certificateToPem(sealCert) + certificateToPem(rootCert),
    sealSha256: fingerprint(sealCert),
    rootSha256: fingerprint(rootCert),
  };
}
