import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { S3ChainStore } from '../adapters/s3/chain-store';
import { archiveKey, ensureSealChain } from '../core/usecases/ensure-seal-chain';
import { issueSealChain } from '../core/seal-chain';
import type { SealSigner } from '../core/ports';
import { KmsSealSigner } from '../adapters/kms/kms-seal-signer';
import { UsageError } from './usage-error';

export const CERTS_USAGE = `  certs init   Issue the seal certificate chain through KMS and store it where the seal task reads it
          --seal-key KEY      KMS key id or ARN of the seal key (ECC_NIST_P256 or RSA_3072, SIGN_VERIFY)
          --root-key KEY      KMS key id or ARN of the root key that issues the seal certificate
          --bucket NAME       the documents bucket
          --object KEY        object key of the chain (default seal/chain.pem)
          --organization O    organization named in the certificates
          --years N           seal certificate lifetime, 1-10 (default 3; the root lives 4x as long)
          --rsa               the keys are RSA_3072 (default ECC_NIST_P256)
          --force             replace an existing chain (earlier seals keep verifying: each PDF carries its chain)
          --region R          AWS region (default from the environment)
  certs import Put a chain from a real CA (PEM, the seal certificate first) where the seal task reads it
          --chain FILE        the PEM file
          --seal-key KEY      KMS key id or ARN of the seal key the chain must certify
          --bucket NAME       the documents bucket
          --object KEY        object key of the chain (default seal/chain.pem)
          --region R          AWS region (default from the environment)
  Every chain put in place is also kept under seal/chains/<seal certificate SHA-256>.pem.
`;

export interface CertsDeps {
  kms: (region?: string) => KMSClient;
  s3: (region?: string) => S3Client;
  now: () => Date;
}

const defaultDeps: CertsDeps = {
  kms: (region) => new KMSClient(region ? { region } : {}),
  s3: (region) => new S3Client(region ? { region } : {}),
  now: () => new Date(),
};

export async function certs(args: string[], deps: CertsDeps = defaultDeps): Promise<string> {
  const [sub, ...rest] = args;
  if (sub === 'import') return importChain(rest, deps);
  if (sub !== 'init')
    throw new UsageError(`unknown certs command "${sub ?? ''}"; try: certs init, certs import`);
  const { values } = parseArgs({
    args: rest,
    options: {
      'seal-key': { type: 'string' },
      'root-key': { type: 'string' },
      bucket: { type: 'string' },
      object: { type: 'string' },
      organization: { type: 'string' },
      years: { type: 'string' },
      rsa: { type: 'boolean' },
      force: { type: 'boolean' },
      region: { type: 'string' },
    },
    strict: true,
  });
  for (const required of ['seal-key', 'root-key', 'bucket', 'organization'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  if (values['seal-key'] === values['root-key']) {
    throw new UsageError('--seal-key and --root-key must be two different keys');
  }
  const years = values.years === undefined ? 3 : Number(values.years);
  if (!Number.isInteger(years) || years < 1 || years > 10)
    throw new UsageError('--years must be a whole number from 1 to 10');
  const object = values.object ?? 'seal/chain.pem';
  const algorithm = values.rsa ? 'RSASSA_PKCS1_V1_5_SHA_256' : 'ECDSA_SHA_256';
  const kms = deps.kms(values.region);
  const s3 = deps.s3(values.region);

  if (!values.force && (await exists(s3, values.bucket!, object))) {
    throw new UsageError(`s3://${values.bucket}/${object} already holds a chain; pass --force to replace it`);
  }
  const root: SealSigner = new KmsSealSigner(kms, values['root-key']!, algorithm);
  const seal: SealSigner = new KmsSealSigner(kms, values['seal-key']!, algorithm);
  const chain = await issueSealChain(root, seal, {
    organization: values.organization!,
    years,
    now: deps.now(),
  });
  // The archive first: after a rotation the chains of older seals stay at hand.
  const store = new S3ChainStore(s3, values.bucket!);
  await store.write(archiveKey(object, chain.sealSha256), chain.pem);
  await store.write(object, chain.pem);
  return [
    `Seal certificate chain stored at s3://${values.bucket}/${object}`,
    `  seal certificate SHA-256: ${chain.sealSha256}`,
    `  root certificate SHA-256: ${chain.rootSha256}`,
    'Give the root certificate to verifiers that should trust the seals (the second PEM block).',
  ].join('\n');
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (status === 404 || (err as Error).name === 'NotFound') return false;
    throw err;
  }
}

async function importChain(args: string[], deps: CertsDeps): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      chain: { type: 'string' },
      'seal-key': { type: 'string' },
      bucket: { type: 'string' },
      object: { type: 'string' },
      region: { type: 'string' },
    },
    strict: true,
  });
  for (const required of ['chain', 'seal-key', 'bucket'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  let pem: string;
  try {
    pem = await readFile(values.chain!, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${values.chain}: ${(error as Error).message}`);
  }
  const object = values.object ?? 'seal/chain.pem';
  const seal = new KmsSealSigner(deps.kms(values.region), values['seal-key']!, 'from-key');
  let result;
  try {
    result = await ensureSealChain(
      { seal, store: new S3ChainStore(deps.s3(values.region), values.bucket!) },
      { object, organization: '', years: 1, now: deps.now(), importedPem: pem },
    );
  } catch (error) {
    // A chain for another key or without certificates: the user's input is what is wrong.
    if (/no PEM certificate|not for the seal key/.test((error as Error).message)) {
      throw new UsageError(`${values.chain}: ${(error as Error).message}`);
    }
    throw error;
  }
  return [
    result.action === 'kept'
      ? `s3://${values.bucket}/${object} already holds this chain; nothing changed`
      : `Imported chain stored at s3://${values.bucket}/${object}`,
    `  seal certificate SHA-256: ${result.sealSha256}`,
  ].join('\n');
}
