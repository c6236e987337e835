import { parseArgs } from 'node:util';
import { KMSClient } from '@aws-sdk/client-kms';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
  if (sub !== 'init') throw new UsageError(`unknown certs command "${sub ?? ''}"; try: certs init`);
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
  await s3.send(
    new PutObjectCommand({
      Bucket: values.bucket,
      Key: object,
      Body: chain.pem,
      ContentType: 'application/x-pem-file',
    }),
  );
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
