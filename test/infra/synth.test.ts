import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FONT_FILES, NodeFontSource } from '../../functions/adapters/fonts/node-font-source';
import { ROUTE_MANIFEST, ROUTE_TASK_MANIFEST } from '../../functions/api/route-manifest';
import type { FontKey } from '../../functions/core/pdf-stamp/fonts';
import { FONTS_DIR, HARFBUZZ_WASM } from '../../infra/api-stack';
import { REPO_ROOT } from './support';

/** The functions that draw text into PDFs: the seal's stamps, template envelopes, SLA reports. */
const FONT_BUNDLES = /^(SealTask|CreateEnvelope|ScheduledJobs)[0-9A-F]{8}$/;

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

interface SynthTemplate {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

/** Bytes of the files under a directory (what Lambda unzips). */
function directorySize(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? directorySize(full) : statSync(full).size);
  }, 0);
}

/** Lambda's limit on the unzipped code of a function (no layers). */
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;

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
      const template = JSON.parse(
        readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8'),
      ) as SynthTemplate;
      // CDK's web deployment handler (Python, CDK's own asset) aside.
      const functions = Object.entries(template.Resources).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && !id.startsWith('CustomCDKBucketDeployment'),
      );
      // The routes, the route tasks, the authorizer and the scheduled jobs.
      expect(functions).toHaveLength(ROUTE_MANIFEST.length + ROUTE_TASK_MANIFEST.length + 2);
      for (const [id, fn] of functions) {
        const assetPath = fn.Metadata?.['aws:asset:path'] as string;
        expect(assetPath, stack).toMatch(/^asset\./);
        const assetDir = path.join(outdir, assetPath);
        const files = readdirSync(assetDir);
        expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
        const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
        expect(code.startsWith("import { createRequire } from 'module';")).toBe(true);
        expect(directorySize(assetDir), id).toBeLessThan(LAMBDA_UNZIPPED_LIMIT);
        // Only the bundles that draw text into PDFs carry fonts and harfbuzz.
        if (!FONT_BUNDLES.test(id)) {
          expect(files, id).not.toContain('fonts');
          expect(files, id).not.toContain('node_modules');
        }
      }
    }
  });

  it('builds the web apps into the asset the deployment copies to the web bucket', () => {
    const template = JSON.parse(
      readFileSync(path.join(outdir, 'Countersign-dev-Web.template.json'), 'utf8'),
    ) as SynthTemplate;
    const deployment = Object.values(template.Resources).find(
      (r) => r.Type === 'Custom::CDKBucketDeployment',
    );
    const keys = (deployment?.Properties?.SourceObjectKeys ?? []) as unknown[];
    const built = keys
      .filter((k): k is string => typeof k === 'string' && k.endsWith('.zip'))
      .map((k) => path.join(outdir, `asset.${k.replace(/\.zip$/, '')}`))
      .filter((dir) => existsSync(path.join(dir, 'sign', 'index.html')));
    expect(built).toHaveLength(1);
    expect(existsSync(path.join(built[0]!, 'console', 'index.html'))).toBe(true);
  });

  it('bundles the stamp fonts and harfbuzz with the Seal task, the envelope creation and the scheduled jobs, where their code finds them', async () => {
    for (const stack of ['Countersign-dev-Api', 'Countersign-prod-Api']) {
      const template = JSON.parse(
        readFileSync(path.join(outdir, `${stack}.template.json`), 'utf8'),
      ) as SynthTemplate;
      const drawing = Object.entries(template.Resources).filter(
        ([id, r]) => r.Type === 'AWS::Lambda::Function' && FONT_BUNDLES.test(id),
      );
      expect(drawing, stack).toHaveLength(3);
      for (const [, fn] of drawing) {
        const assetDir = path.join(outdir, fn.Metadata?.['aws:asset:path'] as string);
        const variables = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(variables.FONTS_DIR).toBe(FONTS_DIR);

        // fonts/ holds every FONT_FILES entry at its relative path, byte for byte: FONTS_DIR is
        // /var/task/fonts, and /var/task is the unzipped asset.
        expect(readdirSync(assetDir)).toEqual(expect.arrayContaining(['index.mjs', 'fonts', 'node_modules']));
        const bundled = new NodeFontSource(path.join(assetDir, 'fonts'));
        const fromRepo = new NodeFontSource();
        for (const key of Object.keys(FONT_FILES) as FontKey[]) {
          expect(bundled.path(key), key).toBe(path.join(assetDir, 'fonts', FONT_FILES[key]));
          const [inBundle, inRepo] = await Promise.all([bundled.load(key), fromRepo.load(key)]);
          expect(inBundle.byteLength, key).toBe(inRepo.byteLength);
          expect(Buffer.from(inBundle).equals(Buffer.from(inRepo)), key).toBe(true);
        }

        // subset-font calls require.resolve(HARFBUZZ_WASM) with the bundle's require (the banner's
        // createRequire(import.meta.url)): from index.mjs it must land inside the asset.
        const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
        expect(code).toContain(`.resolve("${HARFBUZZ_WASM}")`);
        const resolved = createRequire(path.join(assetDir, 'index.mjs')).resolve(HARFBUZZ_WASM);
        expect(resolved).toBe(path.join(assetDir, 'node_modules', HARFBUZZ_WASM));
        const wasm = readFileSync(resolved);
        const repoWasm = readFileSync(
          createRequire(createRequire(path.join(REPO_ROOT, 'package.json')).resolve('subset-font')).resolve(
            HARFBUZZ_WASM,
          ),
        );
        expect(wasm.equals(repoWasm)).toBe(true);
        // A module that compiles and exports what subset-font calls (tsconfig has no DOM lib: no types).
        const wasmApi = (globalThis as any).WebAssembly as {
          compile(bytes: Uint8Array): Promise<object>;
          Module: { exports(module: object): { name: string }[] };
        };
        const module = await wasmApi.compile(wasm);
        expect(wasmApi.Module.exports(module).map((e) => e.name)).toContain('hb_subset_or_fail');

        const size = directorySize(assetDir);
        expect(size).toBeLessThan(LAMBDA_UNZIPPED_LIMIT);
        console.info(`${stack} bundle with fonts: ${(size / 1024 / 1024).toFixed(1)} MB unzipped`);
      }
    }
  });
});
