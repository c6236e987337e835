import { RemovalPolicy } from 'aws-cdk-lib';
import { FeaturePlan } from 'aws-cdk-lib/aws-cognito';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Deployment stages, configured in code. Only `infra/app.ts` reads the process environment;
 * it passes the account and region in here.
 */
export type StageName = 'dev' | 'prod';
export const STAGE_NAMES: readonly StageName[] = ['dev', 'prod'];

export type ObjectLockMode = 'GOVERNANCE' | 'COMPLIANCE';

/** KMS key specs the seal (and its root) can have; the functions learn which from the key itself. */
export type SealKeySpec = 'ECC_NIST_P256' | 'RSA_3072';
export const DEFAULT_SEAL_KEY_SPEC: SealKeySpec = 'ECC_NIST_P256';

export interface DeployEnv {
  account?: string;
  region?: string;
}

export interface StageConfig {
  name: StageName;
  /** Undefined account/region make environment-agnostic stacks. */
  env: DeployEnv;
  /** Default Object Lock retention of the documents bucket (and what the functions apply per object). */
  objectLock: { mode: ObjectLockMode; retentionDays: number };
  /** Retention of the server access logs of the document and staging buckets. */
  accessLogRetentionDays: number;
  /** CloudWatch log groups: Lambda logs and API access logs. */
  logRetention: RetentionDays;
  /**
   * Removal policy of the stateless log groups. Stateful resources (table, buckets, keys, user pool)
   * are always retained, in every stage.
   */
  logRemovalPolicy: RemovalPolicy;
  /** API Gateway stage-wide throttling (requests per second, burst). */
  throttling: { rateLimit: number; burstLimit: number };
  /** Cognito feature plan; PLUS turns on threat protection (priced per monthly active user). */
  userPoolFeaturePlan: FeaturePlan;
  /** Sender address of all mail (must be verified in SES). */
  mailFrom: string;
  /**
   * The SES identity (a domain or an address) that `mailFrom` sends as: the functions that mail may
   * send through this identity only (`arn:aws:ses:{region}:{account}:identity/{mailIdentity}`).
   */
  mailIdentity: string;
  /** Where the signing pages are served; signer links are `{publicUrl}/sign#t=...`. */
  publicUrl: string;
  /**
   * Key spec of the seal key and of the root key that issues its certificate (default
   * ECC_NIST_P256; RSA_3072 for verifiers that want RSA, then `certs init --rsa`). KMS cannot
   * change a key's spec: changing it on a deployed stage replaces both keys (the old ones are
   * retained) and needs a new chain (`certs init --force`); earlier seals stay valid.
   */
  sealKeySpec?: SealKeySpec;
  /**
   * An RFC 3161 time-stamping authority (http or https URL). Set, the Seal task embeds its
   * timestamp in every seal (PAdES B-T) and fails, to be retried, when the TSA does not answer.
   */
  tsaUrl?: string;
  /**
   * The seal certificate chain the deployment puts in place when none is stored: issued by the
   * root key for `organization`, or `importedChainPem` from a real CA (seal certificate first,
   * checked to certify the seal key). An existing chain is kept.
   */
  sealChain?: { organization: string; importedChainPem?: string };
}

/** Seven years, the usual retention of signed contracts and their audit trail. */
export const PROD_RETENTION_DAYS = 2555;

export function stageConfigs(env: DeployEnv): Record<StageName, StageConfig> {
  return {
    dev: {
      name: 'dev',
      env,
      objectLock: { mode: 'GOVERNANCE', retentionDays: 1 },
      accessLogRetentionDays: 30,
      logRetention: RetentionDays.ONE_MONTH,
      logRemovalPolicy: RemovalPolicy.DESTROY,
      throttling: { rateLimit: 20, burstLimit: 40 },
      userPoolFeaturePlan: FeaturePlan.ESSENTIALS,
      mailFrom: 'countersign-dev@example.com',
      // An address identity: what an SES sandbox account verifies first.
      mailIdentity: 'countersign-dev@example.com',
      publicUrl: 'https://dev.countersign.example.com',
    },
    prod: {
      name: 'prod',
      env,
      objectLock: { mode: 'COMPLIANCE', retentionDays: PROD_RETENTION_DAYS },
      accessLogRetentionDays: PROD_RETENTION_DAYS,
      logRetention: RetentionDays.ONE_YEAR,
      logRemovalPolicy: RemovalPolicy.RETAIN,
      throttling: { rateLimit: 100, burstLimit: 200 },
      userPoolFeaturePlan: FeaturePlan.PLUS,
      mailFrom: 'countersign@example.com',
      mailIdentity: 'example.com',
      publicUrl: 'https://countersign.example.com',
    },
  };
}

/**
 * Refuses a configuration whose sender does not belong to its SES identity: the functions could
 * not send (SES authorises the identity of the From address), and no test mail would tell.
 */
export function checkStageConfig(config: StageConfig): void {
  const from = senderAddress(config.mailFrom).toLowerCase();
  const identity = config.mailIdentity.toLowerCase();
  const matches = identity.includes('@') ? from === identity : from.endsWith(`@${identity}`);
  if (!matches) {
    throw new Error(
      `${config.name}: mailFrom ${config.mailFrom} is not sent through the SES identity ${config.mailIdentity}`,
    );
  }
  // The Seal task refuses to start with a malformed TSA_URL: say so at synth instead.
  if (config.tsaUrl !== undefined && !/^https?:\/\/[^\s/]+/i.test(config.tsaUrl)) {
    throw new Error(`${config.name}: tsaUrl must be an http or https URL, not "${config.tsaUrl}"`);
  }
}

/** The address of a sender, also when written `Name <address>`. */
function senderAddress(mailFrom: string): string {
  return /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

export function stackName(stage: StageName, part: 'Stateful' | 'Api' | 'Web'): string {
  return `Countersign-${stage}-${part}`;
}
