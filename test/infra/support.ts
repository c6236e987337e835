import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { REPO_ROOT } from '../../infra/api-stack';
import { buildApp } from '../../infra/build-app';
import type { BuildAppOptions, CountersignApp } from '../../infra/build-app';

export { REPO_ROOT };

/** The `context` block of cdk.json: the CLI hands it to the app, so the tests do too. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The app as `infra/app.ts` builds it, with the cdk.json context and Lambda bundling skipped
 * (`aws:cdk:bundling-stacks` = []): no esbuild run, so these tests do not depend on the state of
 * functions/. cdk-nag is off unless asked for (it fails synthesis on findings; nag.test.ts checks it).
 */
export function buildTestApp(
  options: { nag?: boolean; env?: BuildAppOptions['env']; context?: Record<string, unknown> } = {},
): CountersignApp {
  return buildApp({
    env: options.env ?? {},
    nag: options.nag ?? false,
    appProps: { context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...options.context } },
  });
}

export interface CfnResourceJson {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

export interface TemplateJson {
  Resources: Record<string, CfnResourceJson>;
  Outputs?: Record<string, unknown>;
}

export function synthTemplate(stack: Stack): { template: Template; json: TemplateJson } {
  const template = Template.fromStack(stack);
  return { template, json: template.toJSON() as TemplateJson };
}

/** Logical id of a construct's CloudFormation resource (its default child, or itself), overrides included. */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild ?? construct;
  if (!(element instanceof CfnElement))
    throw new Error(`${construct.node.path} is not a CloudFormation element`);
  return Stack.of(element).resolve(element.logicalId) as string;
}

/** The statements of every IAM policy attached to the given role (by logical id). */
export function statementsOfRole(json: TemplateJson, roleLogicalId: string): Record<string, unknown>[] {
  return Object.values(json.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => JSON.stringify(r.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
}

export function actionsOf(statements: Record<string, unknown>[]): string[] {
  return statements.flatMap((s) => (Array.isArray(s.Action) ? (s.Action as string[]) : [s.Action as string]));
}
