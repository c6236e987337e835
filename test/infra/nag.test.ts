import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CfnResource, Stack, Validations } from 'aws-cdk-lib';
import type { App } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import cdkNag from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ROUTE_MANIFEST } from '../../functions/api/route-manifest';
import type { CountersignApp } from '../../infra/build-app';
import { buildTestApp } from './support';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface ValidationReport {
  pluginReports: { pluginName: string; violations: Violation[] }[];
}

/** cdk-nag v3 runs as a CDK validation plugin; its findings land in validation-report.json. */
function synthWithNag(extend?: (app: App) => void): {
  app: App;
  stages: CountersignApp['stages'];
  report: ValidationReport;
} {
  // Keep synthesis going on findings, so that the test can read and show them.
  const { app, stages } = buildTestApp({
    nag: true,
    context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
  });
  extend?.(app);
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as ValidationReport;
  return { app, stages, report };
}

function findings(report: ValidationReport, severity: 'error' | 'warning'): string[] {
  return report.pluginReports
    .filter((p) => p.pluginName === 'AwsSolutions')
    .flatMap((p) => p.violations)
    .filter((v) => v.severity === severity)
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`));
}

/** Acknowledged rule ids and reasons recorded on one construct (not its ancestors). */
function acknowledgments(construct: { node: App['node'] }): Record<string, string> {
  const result: Record<string, string> = {};
  for (const entry of construct.node.metadata) {
    if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
    for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
      result[id.replace(/^annotation::/i, '')] = reason;
    }
  }
  return result;
}

const { app, stages, report } = synthWithNag();

describe('cdk-nag AwsSolutions checks', () => {
  it('finds no unacknowledged errors in any stack', () => {
    expect(findings(report, 'error')).toEqual([]);
  });

  it('finds no unacknowledged warnings either', () => {
    expect(findings(report, 'warning')).toEqual([]);
  });

  it('does run: an unsafe bucket added to the app is reported', { timeout: 60_000 }, () => {
    const canary = synthWithNag((target) => {
      const stack = new Stack(target, 'NagCanary');
      new Bucket(stack, 'Unsafe');
    });
    const errors = findings(canary.report, 'error');
    expect(errors).toContain('AwsSolutions-S1 at NagCanary/Unsafe/Resource');
    expect(errors).toContain('AwsSolutions-S10 at NagCanary/Unsafe/Resource');
    expect(errors.filter((e) => !e.includes('NagCanary'))).toEqual([]);
  });

  it('every acknowledgment names an AwsSolutions rule and gives a reason of at least 10 characters', () => {
    const all = app.node.findAll().flatMap((c) => Object.entries(acknowledgments(c)));
    expect(all.length).toBeGreaterThan(0);
    for (const [id, reason] of all) {
      expect(id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(reason.trim().length, id).toBeGreaterThanOrEqual(10);
    }
  });

  it('writes the acknowledgments with their reasons into the templates (audit trail)', () => {
    const stacks = app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    let count = 0;
    for (const stack of stacks) {
      for (const resource of stack.node
        .findAll()
        .filter((c): c is CfnResource => CfnResource.isCfnResource(c))) {
        const meta = resource.getMetadata('cdk_nag') as {
          rules_to_suppress?: { id: string; reason: string }[];
        };
        for (const rule of meta?.rules_to_suppress ?? []) {
          count++;
          expect(rule.reason.length, `${resource.node.path} ${rule.id}`).toBeGreaterThanOrEqual(10);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
  });

  it('gives each route without the JWT authorizer the reason it may go without', () => {
    for (const stage of [stages.dev, stages.prod]) {
      for (const route of ROUTE_MANIFEST) {
        const acknowledged = acknowledgments(stage.api.methods[route.name]!);
        if (route.authorized) {
          expect(Object.keys(acknowledged), route.name).toEqual(['AwsSolutions-COG4']);
          continue;
        }
        expect(Object.keys(acknowledged).sort(), route.name).toEqual([
          'AwsSolutions-APIG4',
          'AwsSolutions-COG4',
        ]);
        for (const reason of Object.values(acknowledged)) {
          if (route.path === '/v1/openapi.json') {
            expect(reason).toContain('public by design');
          } else if (route.path.startsWith('/v1/verify')) {
            expect(reason).toContain('public by design');
            expect(reason).toMatch(/reads no tenant data/);
            expect(reason).toMatch(/deleted once verified/);
          } else if (/^\/v1\/contracts\/\{id\}\/webhooks\//.test(route.path)) {
            expect(reason).not.toContain('public by design');
            expect(reason).toMatch(/HMAC-SHA256 of its exact body/);
            expect(reason).toMatch(/constant time/);
            expect(reason).toMatch(/401 without detail/);
          } else {
            expect(route.path.startsWith('/v1/signing/'), route.name).toBe(true);
            expect(reason).not.toContain('public by design');
            expect(reason).toMatch(/signing token/);
            expect(reason).toMatch(/256-bit random/);
            expect(reason).toMatch(/SHA-256/);
            expect(reason).toMatch(/X-Signing-Token header/);
            expect(reason).toMatch(/no Cognito account/);
          }
        }
      }
    }
  });

  it('acknowledges the state machine role: log delivery, X-Ray and invoking each task function', () => {
    const role = stages.dev.api.signingRoute.role;
    const ids = Object.keys(acknowledgments(role)).sort();
    expect(ids).toHaveLength(Object.keys(stages.dev.api.taskFunctions).length + 1);
    expect(ids).toContain('AwsSolutions-IAM5[Resource::*]');
    for (const fn of Object.values(stages.dev.api.taskFunctions)) {
      expect(
        ids.some((id) => id.includes(`<${fn.node.id}`) && id.endsWith('.Arn>:*]')),
        fn.node.id,
      ).toBe(true);
    }
  });

  it('acknowledges exactly the IAM5 wildcards that each function role has, no stale ones', () => {
    const { IAMNoWildcardPermissions } = cdkNag.rules.iam;
    const roles = app.node
      .findAll()
      .filter((c) => c.node.id.endsWith('Role') && c.node.tryFindChild('DefaultPolicy') !== undefined)
      .filter((c) => c.node.path.includes('-Api/') || c.node.path.includes('-Web/'));
    // Authorizer, routes, tasks and scheduled jobs (each its own role), the state machine and the
    // scheduler; in the web stack, the web deployment's handler.
    const api = stages.dev.api;
    expect(roles.filter((r) => r.node.path.includes('-dev-Api/'))).toHaveLength(
      1 + Object.keys(api.routeFunctions).length + Object.keys(api.taskFunctions).length + 1 + 2,
    );
    expect(roles.filter((r) => r.node.path.includes('-dev-Web/'))).toHaveLength(1);
    for (const role of roles) {
      const policy = role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource;
      const result = IAMNoWildcardPermissions(policy);
      const actual = Array.isArray(result) ? result.map((f) => `AwsSolutions-IAM5[${f}]`) : [];
      const acknowledged = Object.keys(acknowledgments(role)).filter((id) =>
        id.startsWith('AwsSolutions-IAM5'),
      );
      expect(acknowledged.sort(), role.node.path).toEqual(actual.sort());
    }
  });
});
