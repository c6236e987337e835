import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Real PDF tools as independent readers: qpdf checks the structure (every cross-reference
 * section, object and stream), poppler's pdfdetach lists and extracts attachments, pdfinfo
 * counts pages.
 */

const run = promisify(execFile);

async function inTempDir<T>(pdf: Uint8Array, use: (path: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-tools-'));
  try {
    const path = join(dir, 'doc.pdf');
    await writeFile(path, pdf);
    return await use(path, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `qpdf --check`: exit code 0 and no warnings means the structure is sound. */
export function qpdfCheck(pdf: Uint8Array): Promise<{ ok: boolean; output: string }> {
  return inTempDir(pdf, async (path) => {
    try {
      const { stdout, stderr } = await run('qpdf', ['--check', path]);
      return { ok: !/WARNING/i.test(stdout + stderr), output: stdout + stderr };
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; code?: unknown };
      if (failed.code === 'ENOENT') throw error;
      return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
    }
  });
}

/** The names of the embedded files, as `pdfdetach -list` prints them. */
export function attachmentNames(pdf: Uint8Array): Promise<string[]> {
  return inTempDir(pdf, async (path) => {
    const { stdout } = await run('pdfdetach', ['-list', '-enc', 'UTF-8', path]);
    return stdout
      .split('\n')
      .map((line) => /^\d+: (.*)$/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
  });
}

/**
 * One embedded file's bytes, as `pdfdetach -save N` writes them (N from `-list`: poppler's
 * `-savefile` does not match names stored as UTF-16 text strings).
 */
export async function attachment(pdf: Uint8Array, name: string): Promise<Buffer> {
  const index = (await attachmentNames(pdf)).indexOf(name);
  if (index < 0) throw new Error(`pdfdetach lists no ${name}`);
  return inTempDir(pdf, async (path, dir) => {
    const out = join(dir, 'attachment');
    await run('pdfdetach', ['-save', String(index + 1), '-o', out, path]);
    return readFile(out);
  });
}

/** `pdfinfo`'s page count. */
export function pageCount(pdf: Uint8Array): Promise<number> {
  return inTempDir(pdf, async (path) => {
    const { stdout } = await run('pdfinfo', [path]);
    const pages = /^Pages:\s+(\d+)/m.exec(stdout)?.[1];
    if (!pages) throw new Error(`pdfinfo printed no page count:\n${stdout}`);
    return Number(pages);
  });
}

/** `pdfinfo -box -f n -l n`: the page's size in points. */
export function pageSize(pdf: Uint8Array, page: number): Promise<{ width: number; height: number }> {
  return inTempDir(pdf, async (path) => {
    const { stdout } = await run('pdfinfo', ['-f', String(page), '-l', String(page), path]);
    const m = new RegExp(`^Page\\s+${page} size:\\s+([\\d.]+) x ([\\d.]+) pts`, 'm').exec(stdout);
    if (!m) throw new Error(`pdfinfo printed no size for page ${page}:\n${stdout}`);
    return { width: Number(m[1]), height: Number(m[2]) };
  });
}

/** The fonts pdffonts lists: name, whether embedded and whether subset. */
export function fontsOf(pdf: Uint8Array): Promise<{ name: string; embedded: boolean; subset: boolean }[]> {
  return inTempDir(pdf, async (path) => {
    const { stdout } = await run('pdffonts', [path]);
    return stdout
      .split('\n')
      .slice(2)
      .filter(Boolean)
      .map((line) => {
        const cols = line.trim().split(/\s+/);
        const name = cols[0]!;
        // The columns from the right: ... emb sub uni object ID (two numbers).
        const [emb, sub] = cols.slice(-5, -3);
        return { name, embedded: emb === 'yes', subset: sub === 'yes' };
      });
  });
}
