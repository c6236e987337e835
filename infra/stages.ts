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
      publicUrl: 'https://countersign.example.com',
    },
  };
}

export function stackName(stage: StageName, part: 'Stateful' | 'Api'): string {
  return `Countersign-${stage}-${part}`;
}
