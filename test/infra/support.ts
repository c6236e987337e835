import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/build-app';
import type { BuildAppOptions, CountersignApp } from '../../infra/build-app';
import { REPO_ROOT } from '../../infra/api-stack';

export { REPO_ROOT };

/** The `context` block of cdk.json: the CLI passes it to the app, so the tests do too. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The whole app as `infra/app.ts` builds it, with the cdk.json context and Lambda bundling
 * skipped (`aws:cdk:bundling-stacks` = []), so no esbuild run and no dependency on the state of
 * functions/. cdk-nag is off unless asked for: it fails synthesis on findings, which the nag test
 * checks on its own.
 */
export function buildTestApp(
  options: { nag?: boolean; env?: BuildAppOptions['env']; context?: Record<string, unknown> } = {},
): CountersignApp {
  return buildApp({
    env: options.env ?? {},
    nag: options.nag ?? false,
    appProps: {
      context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...options.context },
    },
  });
}

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

/** Template and its JSON, synthesized once per stack. */
export function templateOf(stack: Stack): { template: Template; json: { Resources: Resources; [k: string]: unknown } } {
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as { Resources: Resources } };
}
