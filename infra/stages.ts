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
}

/** The address of a sender, also when written `Name <address>`. */
function senderAddress(mailFrom: string): string {
  return /<([^<>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

export function stackName(stage: StageName, part: 'Stateful' | 'Api'): string {
  return `Countersign-${stage}-${part}`;
}
