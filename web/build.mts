/**
 * Builds the static web apps into web/dist: the signing page (web/signing) and the sender console
 * (web/console, its pages split into chunks loaded on demand), bundled by esbuild, each with
 * pdf.js's worker, fonts and character maps as plain files (and the signing page with its
 * handwriting font). Code and styles both use live in web/shared. No server renders anything: any
 * static host (or the local mode) serves web/dist/sign at `/sign` and web/dist/console at `/console`.
 *
 * `npm run build:web` runs it; the local mode runs `ensureWebApp()` at start, which builds only when
 * web/dist is missing or was built from other sources (a hash of them is kept beside the build).
 */

import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const WEB_ROOT = here;
export const DIST = join(here, 'dist');
const SOURCES = join(here, 'signing');
const CONSOLE_SOURCES = join(here, 'console');
const SHARED_SOURCES = join(here, 'shared');
/** The styles both apps share, copied beside each app's own (each index.html links it first). */
const BASE_STYLES = join(SHARED_SOURCES, 'base.css');
/** The apps built, each into web/dist/<name>. */
const APPS = ['sign', 'console'] as const;
const STAMP = '.build-hash';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The modules outside web/ that the apps import (the server's own pure code in functions/core: the
 * SLA terms' consistency checks, the rules of field values), and what those import in turn:
 * relative imports of .ts files, followed.
 */
function importedOutside(webSources: string[]): string[] {
  const found = new Set<string>();
  const follow = (file: string) => {
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/\bfrom '(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), spec!.endsWith('.ts') ? spec! : `${spec}.ts`);
      if (target.startsWith(here + sep) || found.has(target) || !existsSync(target)) continue;
      found.add(target);
      follow(target);
    }
  };
  for (const file of webSources.filter((f) => f.endsWith('.ts'))) follow(file);
  return [...found].sort();
}

/** What the build depends on: its sources, this script, and the versions of what it bundles. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  const sources = [SOURCES, CONSOLE_SOURCES, SHARED_SOURCES].filter((dir) => existsSync(dir)).flatMap(files);
  for (const file of [
    ...sources,
    ...importedOutside(sources),
    fileURLToPath(import.meta.url),
    TERMS_SCHEMA,
  ]) {
    hash.update(relative(here, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  for (const name of ['pdfjs-dist', 'esbuild', '@expo-google-fonts/dancing-script', 'ajv', 'ajv-formats']) {
    hash.update(`${name}@${versionOf(name)}\0`);
  }
  return hash.digest('hex');
}

/** Whether web/dist/sign and web/dist/console were built from the current sources. */
export function isCurrent(dist = DIST): boolean {
  try {
    const hash = sourceHash();
    return APPS.every((app) => readFileSync(join(dist, app, STAMP), 'utf8').trim() === hash);
  } catch {
    return false;
  }
}

/** pdf.js's worker, character maps, standard fonts and decoders, beside an app's script. */
function copyPdfAssets(staging: string): void {
  const pdfjs = packageDir('pdfjs-dist');
  cpSync(join(pdfjs, 'build', 'pdf.worker.min.mjs'), join(staging, 'pdf.worker.min.mjs'));
  for (const folder of ['cmaps', 'standard_fonts', 'wasm']) {
    cpSync(join(pdfjs, folder), join(staging, 'pdfjs', folder), { recursive: true });
  }
  cpSync(join(pdfjs, 'LICENSE'), join(staging, 'pdfjs', 'LICENSE'));
}

const ESBUILD_COMMON: BuildOptions = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16.4'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  tsconfig: join(here, 'tsconfig.json'),
};

/** The SLA terms schema the console's template editor checks terms against as they are typed. */
const TERMS_SCHEMA = join(here, '..', 'functions', 'core', 'sla', 'terms.schema.json');
const VALIDATOR_MODULE = 'virtual:sla-terms-validator';

/**
 * The SLA terms validator as plain code, for `import { validate } from 'virtual:sla-terms-validator'`:
 * ajv compiles the schema here, at build time, and its standalone generator writes the compiled
 * function out, so the browser runs no `new Function` (the console's CSP has no `unsafe-eval`).
 * The generated module requires ajv's small runtime helpers and ajv-formats' format checks, which
 * esbuild bundles beside it.
 */
async function slaTermsValidatorSource(): Promise<string> {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: standaloneCode } = await import('ajv/dist/standalone/index.js');
  const { default: addFormats } = await import('ajv-formats');
  const { _ } = await import('ajv');
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  return standaloneCode(ajv, ajv.compile(JSON.parse(readFileSync(TERMS_SCHEMA, 'utf8'))));
}

const slaTermsValidator: Plugin = {
  name: 'sla-terms-validator',
  setup(build) {
    build.onResolve({ filter: /^virtual:sla-terms-validator$/ }, () => ({
      path: VALIDATOR_MODULE,
      namespace: 'sla-terms-validator',
    }));
    build.onLoad({ filter: /.*/, namespace: 'sla-terms-validator' }, async () => ({
      contents: await slaTermsValidatorSource(),
      loader: 'js',
      // The runtime helpers it requires resolve from the repository's node_modules.
      resolveDir: here,
    }));
  },
};

/** The sender console: an entry and its pages as chunks (`import()` in its page registry). */
async function stageConsole(staging: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    ...ESBUILD_COMMON,
    entryPoints: [join(CONSOLE_SOURCES, 'main.ts')],
    outdir: staging,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [slaTermsValidator],
  });
  cpSync(join(CONSOLE_SOURCES, 'index.html'), join(staging, 'index.html'));
  cpSync(BASE_STYLES, join(staging, 'base.css'));
  cpSync(join(CONSOLE_SOURCES, 'styles.css'), join(staging, 'styles.css'));
  cpSync(join(CONSOLE_SOURCES, 'pages.css'), join(staging, 'pages.css'));
  copyPdfAssets(staging);
}

/**
 * Builds into a fresh folder beside the target and swaps it in, so that a server never serves a
 * half-written app and two builds at once (parallel test workers) leave one whole app.
 */
export async function buildWeb(dist = DIST): Promise<{ outdir: string; ms: number }> {
  const started = performance.now();
  const { build } = await import('esbuild');
  const hash = sourceHash();
  const target = join(dist, 'sign');
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(dist, `.sign-${tag}`);
  const consoleTarget = join(dist, 'console');
  const consoleStaging = join(dist, `.console-${tag}`);
  mkdirSync(staging, { recursive: true });
  mkdirSync(consoleStaging, { recursive: true });
  try {
    await build({
      ...ESBUILD_COMMON,
      entryPoints: [join(SOURCES, 'main.ts')],
      outfile: join(staging, 'main.js'),
    });
    cpSync(join(SOURCES, 'index.html'), join(staging, 'index.html'));
    cpSync(BASE_STYLES, join(staging, 'base.css'));
    cpSync(join(SOURCES, 'styles.css'), join(staging, 'styles.css'));
    copyPdfAssets(staging);
    await stageConsole(consoleStaging);
    writeFileSync(join(consoleStaging, STAMP), `${hash}\n`);
    const font = packageDir('@expo-google-fonts/dancing-script');
    mkdirSync(join(staging, 'fonts'), { recursive: true });
    cpSync(
      join(font, '400Regular', 'DancingScript_400Regular.ttf'),
      join(staging, 'fonts', 'dancing-script.ttf'),
    );
    cpSync(join(font, 'LICENSE_FONT'), join(staging, 'fonts', 'LICENSE-dancing-script.txt'));
    writeFileSync(join(staging, STAMP), `${hash}\n`);

    swapIn(consoleStaging, consoleTarget, join(dist, `.old-console-${tag}`));
    swapIn(staging, target, join(dist, `.old-${tag}`));
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(consoleStaging, { recursive: true, force: true });
  }
  return { outdir: target, ms: Math.round(performance.now() - started) };
}

/** Replaces `target` by `staging` (the old one moved aside to `old` first, then removed). */
function swapIn(staging: string, target: string, old: string): void {
  try {
    renameSync(target, old);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    renameSync(staging, target);
  } catch (err) {
    // Another build got there in between: its app is as current as this one.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

/** Builds unless web/dist is current; answers where the signing page is (the console is beside it). */
export async function ensureWebApp(dist = DIST): Promise<string> {
  if (!isCurrent(dist)) await buildWeb(dist);
  return join(dist, 'sign');
}

const invokedDirectly = process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
if (invokedDirectly) {
  const { outdir, ms } = await buildWeb();
  const size = files(outdir).reduce((sum, file) => sum + statSync(file).size, 0);
  console.log(
    `web app built in ${ms} ms: ${relative(process.cwd(), outdir)} (${(size / 1024).toFixed(0)} KB)`,
  );
  if (!existsSync(join(outdir, 'index.html'))) process.exit(1);
}
