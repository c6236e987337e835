/**
 * Builds the static web app into web/dist: the signing page (web/signing) bundled by esbuild, with
 * pdf.js's worker, fonts and character maps, and the handwriting font, as plain files. No server
 * renders anything: any static host (or the local mode) serves web/dist/sign at `/sign`.
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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export const WEB_ROOT = here;
export const DIST = join(here, 'dist');
const SOURCES = join(here, 'signing');
const STAMP = '.build-hash';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const versionOf = (name: string) =>
  (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

/** What the build depends on: its sources, this script, and the versions of what it bundles. */
export function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...files(SOURCES), fileURLToPath(import.meta.url)]) {
    hash.update(relative(here, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  for (const name of ['pdfjs-dist', 'esbuild', '@expo-google-fonts/dancing-script']) {
    hash.update(`${name}@${versionOf(name)}\0`);
  }
  return hash.digest('hex');
}

/** Whether web/dist/sign was built from the current sources. */
export function isCurrent(dist = DIST): boolean {
  try {
    return readFileSync(join(dist, 'sign', STAMP), 'utf8').trim() === sourceHash();
  } catch {
    return false;
  }
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
  const staging = join(dist, `.sign-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(staging, { recursive: true });
  try {
    await build({
      entryPoints: [join(SOURCES, 'main.ts')],
      outfile: join(staging, 'main.js'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2022', 'chrome110', 'firefox115', 'safari16.4'],
      minify: true,
      sourcemap: true,
      legalComments: 'linked',
      logLevel: 'warning',
      tsconfig: join(here, 'tsconfig.json'),
    });
    cpSync(join(SOURCES, 'index.html'), join(staging, 'index.html'));
    cpSync(join(SOURCES, 'styles.css'), join(staging, 'styles.css'));
    const pdfjs = packageDir('pdfjs-dist');
    cpSync(join(pdfjs, 'build', 'pdf.worker.min.mjs'), join(staging, 'pdf.worker.min.mjs'));
    for (const folder of ['cmaps', 'standard_fonts', 'wasm']) {
      cpSync(join(pdfjs, folder), join(staging, 'pdfjs', folder), { recursive: true });
    }
    cpSync(join(pdfjs, 'LICENSE'), join(staging, 'pdfjs', 'LICENSE'));
    const font = packageDir('@expo-google-fonts/dancing-script');
    mkdirSync(join(staging, 'fonts'), { recursive: true });
    cpSync(
      join(font, '400Regular', 'DancingScript_400Regular.ttf'),
      join(staging, 'fonts', 'dancing-script.ttf'),
    );
    cpSync(join(font, 'LICENSE_FONT'), join(staging, 'fonts', 'LICENSE-dancing-script.txt'));
    writeFileSync(join(staging, STAMP), `${hash}\n`);

    const old = join(dist, `.old-${process.pid}-${Date.now().toString(36)}`);
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
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { outdir: target, ms: Math.round(performance.now() - started) };
}

/** Builds unless web/dist is current; answers where the signing page is. */
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
