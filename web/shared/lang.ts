/**
 * The language of the signing page and of the console, English or Spanish. It follows the
 * browser until the user picks another with the switcher; the choice is kept for the tab, under
 * one key for both apps, so that both speak the same language. Each app has its own words
 * (signing/i18n.ts, console/i18n.ts).
 */

export type Lang = 'en' | 'es';
export const LANGS: readonly Lang[] = ['en', 'es'];

export type Params = Record<string, string | number>;
export type Message = string | ((p: Params) => string);

const STORAGE_KEY = 'countersign.lang';

let current: Lang = 'en';
const listeners = new Set<(lang: Lang) => void>();

/** The language the browser prefers, among those the apps have (English otherwise). */
export function preferredLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if ((LANGS as readonly string[]).includes(base ?? '')) return base as Lang;
  }
  return 'en';
}

export function initLang(): Lang {
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage may be disabled: the browser's preference decides.
  }
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  current =
    stored && (LANGS as readonly string[]).includes(stored) ? (stored as Lang) : preferredLang(browser);
  document.documentElement.lang = current;
  return current;
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  try {
    sessionStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not kept across reloads then; the page still switches.
  }
  apply(next);
}

/**
 * The language the sender chose for the recipient, over the browser's, unless the user picked one
 * in this tab (their own choice wins). Not kept: it comes with each session.
 */
export function followSender(choice: string | undefined): void {
  if (!choice || !(LANGS as readonly string[]).includes(choice) || choice === current) return;
  try {
    if (sessionStorage.getItem(STORAGE_KEY)) return;
  } catch {
    // Storage disabled: nothing was picked that could be kept.
  }
  apply(choice as Lang);
}

function apply(next: Lang): void {
  current = next;
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** Told when the language changes; answers a function that stops telling. */
export function onLangChange(listener: (lang: Lang) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
