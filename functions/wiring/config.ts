import { z } from 'zod';
import { ENV } from '../api/route-manifest';

/**
 * Configuration, read once where the process starts, validated and frozen: a missing value
 * fails the cold start, never a request half-way.
 */
export const ServiceConfig = z.object({
  stage: z.string().min(1),
  region: z.string().min(1),
  tableName: z.string().min(1),
  documentsBucket: z.string().min(1),
  stagingBucket: z.string().min(1),
  dataKeyArn: z.string().min(1).optional(),
  objectLockMode: z.enum(['GOVERNANCE', 'COMPLIANCE']).optional(),
  retentionDays: z.number().int().min(1).max(36500),
  mailFrom: z.string().min(3),
  publicUrl: z.string().url(),
  /** Only the functions that use these get them: the API to start the route, the seal task to seal. */
  signingRouteArn: z.string().min(1).optional(),
  sealKeyArn: z.string().min(1).optional(),
  /** Object key (documents bucket) of the PEM seal certificate chain. */
  sealChainKey: z.string().min(1).optional(),
  /** RFC 3161 time-stamping authority (the seal task only): set, every seal is PAdES B-T. */
  tsaUrl: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//i.test(url), 'the TSA URL must be http or https')
    .optional(),
  fontsDir: z.string().min(1).optional(),
  /** Functions that schedule jobs: the group, the function the schedules invoke and the role they use. */
  scheduleGroup: z.string().min(1).optional(),
  scheduledJobArn: z.string().min(1).optional(),
  schedulerRoleArn: z.string().min(1).optional(),
  /** Emulator endpoints, only in the local mode. */
  endpoints: z
    .object({ dynamodb: z.string().url(), s3: z.string().url(), ses: z.string().url() })
    .partial()
    .optional(),
});
export type ServiceConfig = z.infer<typeof ServiceConfig>;

export const AuthConfig = z.object({
  issuer: z.string().url(),
  audience: z.string().min(1),
});

function fail(what: string, error: z.ZodError): never {
  const problems = error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new Error(`invalid ${what} configuration: ${problems}`);
}

export function readServiceConfig(env: Record<string, string | undefined>): Readonly<ServiceConfig> {
  const parsed = ServiceConfig.safeParse({
    stage: env[ENV.stage],
    region: env.AWS_REGION,
    tableName: env[ENV.tableName],
    documentsBucket: env[ENV.documentsBucket],
    stagingBucket: env[ENV.stagingBucket],
    dataKeyArn: env[ENV.dataKeyArn],
    objectLockMode: env[ENV.objectLockMode],
    retentionDays: Number(env[ENV.retentionDays]),
    mailFrom: env[ENV.mailFrom],
    publicUrl: env[ENV.publicUrl],
    signingRouteArn: env[ENV.signingRouteArn],
    sealKeyArn: env[ENV.sealKeyArn],
    sealChainKey: env[ENV.sealChainKey],
    tsaUrl: env[ENV.tsaUrl] || undefined,
    fontsDir: env[ENV.fontsDir],
    scheduleGroup: env[ENV.scheduleGroup],
    scheduledJobArn: env[ENV.scheduledJobArn],
    schedulerRoleArn: env[ENV.schedulerRoleArn],
  });
  if (!parsed.success) fail('service', parsed.error);
  return Object.freeze(parsed.data);
}

export function readAuthConfig(
  env: Record<string, string | undefined>,
): Readonly<z.infer<typeof AuthConfig>> {
  const parsed = AuthConfig.safeParse({ issuer: env[ENV.jwtIssuer], audience: env[ENV.jwtAudience] });
  if (!parsed.success) fail('authorizer', parsed.error);
  // A deployed stage must never trust the local issuer's keys.
  if (!parsed.data.issuer.startsWith('https://cognito-idp.')) {
    throw new Error(`the authorizer in AWS accepts only a Cognito issuer, not ${parsed.data.issuer}`);
  }
  return Object.freeze(parsed.data);
}
