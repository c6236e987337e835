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

/** The resources a template value refers to: `Ref`, `Fn::GetAtt` and `${...}` in `Fn::Sub`. */
function referencesOf(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesOf(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'Ref' && typeof item === 'string') into.add(item);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(item) ? item[0] : String(item).split('.')[0];
        if (typeof target === 'string') into.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(item) ? item[0] : item;
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([^}!][^}.]*)/g)) into.add(m[1] as string);
        }
      }
      referencesOf(item, into);
    }
  }
  return into;
}

/**
 * A dependency cycle among the resources of a template (through references and DependsOn), as the
 * logical ids along it, or undefined. CloudFormation refuses to deploy a template with one.
 */
export function dependencyCycle(json: TemplateJson): string[] | undefined {
  const ids = new Set(Object.keys(json.Resources));
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    const raw = resource as CfnResourceJson & { DependsOn?: string | string[] };
    const targets = referencesOf(raw.Properties ?? {}, new Set<string>());
    for (const dep of [raw.DependsOn ?? []].flat()) targets.add(dep);
    edges.set(
      id,
      [...targets].filter((t) => ids.has(t)),
    );
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'open');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of ids) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}
