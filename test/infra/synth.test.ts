import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROUTE_MANIFEST } from '../../functions/api/route-manifest';
import { REPO_ROOT } from './support';

const STACKS = [
  'Countersign-dev-Stateful',
  'Countersign-dev-Api',
  'Countersign-prod-Stateful',
  'Countersign-prod-Api',
];

/** The environment of a machine without AWS credentials, without network lookups. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(AWS_|CDK_DEFAULT_)/.test(name)) delete env[name];
  }
  // Vitest sets NODE_ENV=test; a user's shell does not.
  delete env.NODE_ENV;
  return {
    ...env,
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // No profile or credentials files of this machine.
    AWS_CONFIG_FILE: path.join(tmpdir(), 'countersign-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(tmpdir(), 'countersign-no-aws-credentials'),
  };
}

describe('cdk synth (real, with esbuild bundling)', () => {
  // A fresh output directory: stale templates in cdk.out must not make this pass.
  const outdir = mkdtempSync(path.join(tmpdir(), 'countersign-cdk-out-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes all four stacks offline with the functions bundled', { timeout: 300_000 }, () => {
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
      cwd: REPO_ROOT,
      env: offlineEnv(),
      encoding: 'utf8',
      timeout: 240_000,
    });
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    expect(result.error, output).toBeUndefined();
    expect(result.status, output).toBe(0);

    for (const stack of STACKS) {
      expect(existsSync(path.join(outdir, `${stack}.template.json`)), stack).toBe(true);
    }

    // Every function of the API stacks has a bundled ESM asset with the createRequire banner.
    for (const stack of ['Countersign-dev-Api', 'Countersign-prod-Api']) {
      const template = JSON.parse(readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8')) as {
        Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
      };
      const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
      expect(functions).toHaveLength(ROUTE_MANIFEST.length + 1);
      for (const fn of functions) {
        const assetPath = fn.Metadata?.['aws:asset:path'] as string;
        expect(assetPath, stack).toMatch(/^asset\./);
        const files = readdirSync(path.join(outdir, assetPath));
        expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
        const code = readFileSync(path.join(outdir, assetPath, 'index.mjs'), 'utf8');
        expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
      }
    }
  });
});
