/**
 * CDK entry point (`cdk.json`: `npx tsx infra/app.ts`). The only place that reads the process
 * environment; everything else is configured in code (infra/stages.ts).
 */
import { buildApp } from './build-app';

const { app } = buildApp({
  env: {
    account: process.env.CDK_DEFAULT_ACCOUNT || undefined,
    region: process.env.CDK_DEFAULT_REGION || undefined,
  },
});
app.synth();
