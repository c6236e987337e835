import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FontKey, FontSource } from '../../core/pdf-stamp/fonts';

/** The font file for each key, as a path inside node_modules (package name first). */
export const FONT_FILES: Record<FontKey, string> = {
  latin: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  arabic: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  'cjk-sc': '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  'cjk-jp': '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  'cjk-kr': '@expo-google-fonts/noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf',
  handwriting: '@expo-google-fonts/dancing-script/400Regular/DancingScript_400Regular.ttf',
};

/**
 * Reads the stamp fonts from node_modules, or from `directory` when given (a bundle that
 * copied FONT_FILES keeping their relative paths). Each file is read once per instance and
 * only when a stamp needs it: the CJK fonts are 5-10 MB each.
 */
export class NodeFontSource implements FontSource {
  private readonly cache = new Map<FontKey, Promise<Uint8Array>>();
  private readonly require = createRequire(import.meta.url);

  constructor(private readonly directory?: string) {}

  path(key: FontKey): string {
    const file = FONT_FILES[key];
    if (!file) throw new Error(`no font for ${String(key)}`);
    return this.directory ? `${this.directory.replace(/\/$/, '')}/${file}` : this.require.resolve(file);
  }

  load(key: FontKey): Promise<Uint8Array> {
    let bytes = this.cache.get(key);
    if (!bytes) {
      bytes = readFile(this.path(key)).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      bytes.catch(() => this.cache.delete(key));
      this.cache.set(key, bytes);
    }
    return bytes;
  }
}
