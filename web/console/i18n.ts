/**
 * The console's words in English and Spanish. The language follows the browser until the sender
 * picks another with the switcher; the choice is kept for the tab (shared/lang.ts, with the same
 * key as the signing page's, so both speak the same language).
 *
 * The shell's words are here. Each page keeps its own words beside its code with `dictionary()`,
 * so that pages can be added without touching this file:
 *
 *     const t = dictionary({ 'title': 'Templates', 'count': (p) => `${p.n} templates` },
 *                          { 'title': 'Plantillas', 'count': (p) => `${p.n} plantillas` });
 *     t('count', { n: 3 });
 *
 * The Spanish dictionary must have every key of the English one (the compiler checks it).
 */

import { lang, type Lang, type Message, type Params } from '../shared/lang';

export {
  initLang,
  lang,
  LANGS,
  onLangChange,
  setLang,
  type Lang,
  type Message,
  type Params,
} from '../shared/lang';

/** A short text in each language (a page's title and its label in the navigation). */
export type Localized = Record<Lang, string>;

/** A Localized text in the current language. */
export const pick = (text: Localized): string => text[lang()] ?? text.en;

/** A translation function over one page's (or the shell's) words. */
export function dictionary<K extends string>(
  en: Record<K, Message>,
  es: Record<K, Message>,
): (key: K, params?: Params) => string {
  const all: Record<Lang, Record<K, Message>> = { en, es };
  return (key, params = {}) => {
    const message = all[lang()][key] ?? en[key];
    return typeof message === 'function' ? message(params) : message;
  };
}

const locales: Record<Lang, string> = { en: 'en-US', es: 'es-ES' };

/** A date and time in the current language (with the browser's time zone). */
export function formatDateTime(iso: string | number | Date | undefined): string {
  if (iso === undefined || iso === '') return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locales[lang()], { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

export function formatDate(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locales[lang()], { dateStyle: 'medium' }).format(date);
}

export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  const n = new Intl.NumberFormat(locales[lang()], { maximumFractionDigits: 1 });
  return mb >= 1 ? `${n.format(mb)} MB` : `${n.format(Math.max(1, Math.round(bytes / 1024)))} KB`;
}

/** The shell's words. */
export const t = dictionary(
  {
    'app.name': 'Countersign',
    'app.console': 'Sender console',
    'app.logo': 'Your organisation’s logo',
    'app.language': 'Language',
    'app.skip': 'Skip to content',
    'app.loading': 'Loading…',
    'app.nav': 'Main',
    'app.signOut': 'Sign out',
    'app.signedInAs': (p) => `Signed in as ${p.who} (${p.tenant})`,
    'app.notFound.title': 'Page not found',
    'app.notFound.body': 'There is nothing at this address. Pick a page from the menu.',
    'app.loadFailed': 'This page could not be loaded. Reload and try again.',
    'app.configFailed': 'The console’s settings could not be read (config.json).',
    'signIn.title': 'Sign in',
    'signIn.body': 'Sign in to send documents for signature and follow them.',
    'signIn.button': 'Sign in',
    'signIn.expired': 'Your session has ended. Sign in again.',
    'signIn.failed': (p) => `Sign-in did not complete: ${p.reason}`,
    'signIn.signedOut': 'You are signed out.',
    'error.title': 'That did not work',
    'error.network': 'The server did not answer. Check your connection and try again.',
    'error.forbidden': 'Your role does not allow this.',
    'error.requestId': (p) => `Reference: ${p.id}`,
    'error.fields': 'What to fix:',
    'toast.close': 'Dismiss',
    'progress.label': 'Progress',
    'common.cancel': 'Cancel',
    'common.close': 'Close',
    'common.retry': 'Try again',
    'common.save': 'Save',
    'common.none': '—',
  },
  {
    'app.name': 'Countersign',
    'app.console': 'Consola de envíos',
    'app.logo': 'El logotipo de su organización',
    'app.language': 'Idioma',
    'app.skip': 'Saltar al contenido',
    'app.loading': 'Cargando…',
    'app.nav': 'Principal',
    'app.signOut': 'Cerrar sesión',
    'app.signedInAs': (p) => `Sesión de ${p.who} (${p.tenant})`,
    'app.notFound.title': 'Página no encontrada',
    'app.notFound.body': 'No hay nada en esta dirección. Elija una página del menú.',
    'app.loadFailed': 'No se pudo cargar esta página. Recargue e inténtelo de nuevo.',
    'app.configFailed': 'No se pudo leer la configuración de la consola (config.json).',
    'signIn.title': 'Iniciar sesión',
    'signIn.body': 'Inicie sesión para enviar documentos a firmar y seguirlos.',
    'signIn.button': 'Iniciar sesión',
    'signIn.expired': 'Su sesión ha terminado. Inicie sesión de nuevo.',
    'signIn.failed': (p) => `No se completó el inicio de sesión: ${p.reason}`,
    'signIn.signedOut': 'Ha cerrado la sesión.',
    'error.title': 'No se pudo hacer',
    'error.network': 'El servidor no respondió. Compruebe su conexión e inténtelo de nuevo.',
    'error.forbidden': 'Su rol no permite hacer esto.',
    'error.requestId': (p) => `Referencia: ${p.id}`,
    'error.fields': 'Qué corregir:',
    'toast.close': 'Cerrar aviso',
    'progress.label': 'Progreso',
    'common.cancel': 'Cancelar',
    'common.close': 'Cerrar',
    'common.retry': 'Reintentar',
    'common.save': 'Guardar',
    'common.none': '—',
  },
);
