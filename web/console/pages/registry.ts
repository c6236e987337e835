/**
 * The console's pages: one entry each, in the order of the navigation. To add a page, write a
 * module under pages/ that exports `render` (see `PageRender`) and add an entry here; each page
 * is bundled as its own chunk and loaded when first opened.
 *
 * - `path`: the route after `#`, with `:name` for a parameter (`/envelopes/:id`). A literal segment
 *   wins over a parameter, whatever the order (`/templates/new` before `/templates/:id`).
 * - `title`: the document title and the page's name, in each language.
 * - `nav`: the label in the navigation; pages without one (details, sub-steps) are not listed.
 *   `section` marks which navigation entry is current on a page without its own (`/envelopes/:id`
 *   highlights `/envelopes`).
 */

import type { ConsoleApi } from '../api';
import type { ConsoleConfig, Session } from '../auth';
import type { Localized } from '../i18n';
import { matchRoute, type RouteMatch } from '../logic';

export interface PageContext {
  /** Where the page draws itself (emptied before each page). */
  root: HTMLElement;
  /** The route's parameters (`:id`), decoded. */
  params: Record<string, string>;
  /** The query after the route (`#/envelopes?status=sent`). */
  query: URLSearchParams;
  api: ConsoleApi;
  session: Session;
  config: ConsoleConfig;
  /** Where the page's assets are (pdf.js's worker and fonts). */
  assets: URL;
  /** Opens another route (`/envelopes/01H...`); `replace` keeps it out of the history. */
  navigate(path: string, options?: { replace?: boolean }): void;
  /** Aborted when the user leaves the page: pass it to long calls and stop timers with it. */
  signal: AbortSignal;
}

/**
 * Draws the page into `ctx.root`. It may answer a function called when the user leaves (to stop
 * polling, revoke object URLs, destroy pdf.js documents); the language switch renders the page again.
 */
export type PageRender = (ctx: PageContext) => void | (() => void) | Promise<void | (() => void)>;

export interface PageEntry {
  path: string;
  title: Localized;
  nav?: Localized;
  /** The navigation entry shown as current (a path of another entry), for pages without `nav`. */
  section?: string;
  load: () => Promise<PageRender>;
}

export const PAGES: PageEntry[] = [
  {
    path: '/envelopes',
    title: { en: 'Envelopes', es: 'Sobres' },
    nav: { en: 'Envelopes', es: 'Sobres' },
    load: () => import('./envelopes').then((m) => m.render),
  },
  {
    path: '/envelopes/:id',
    title: { en: 'Envelope', es: 'Sobre' },
    section: '/envelopes',
    load: () => import('./envelope-detail').then((m) => m.render),
  },
  {
    path: '/send',
    title: { en: 'Send a PDF', es: 'Enviar un PDF' },
    nav: { en: 'Send a PDF', es: 'Enviar un PDF' },
    load: () => import('./send').then((m) => m.render),
  },
  {
    path: '/send/template',
    title: { en: 'Send from a template', es: 'Enviar desde una plantilla' },
    nav: { en: 'Send from template', es: 'Enviar con plantilla' },
    load: () => import('./send-template').then((m) => m.render),
  },
  {
    path: '/send/bulk',
    title: { en: 'Bulk send', es: 'Envío masivo' },
    nav: { en: 'Bulk send', es: 'Envío masivo' },
    load: () => import('./bulk-send').then((m) => m.render),
  },
  {
    path: '/bulk-sends/:id',
    title: { en: 'Bulk send', es: 'Envío masivo' },
    section: '/send/bulk',
    load: () => import('./bulk-send-progress').then((m) => m.render),
  },
  {
    path: '/templates',
    title: { en: 'Templates', es: 'Plantillas' },
    nav: { en: 'Templates', es: 'Plantillas' },
    load: () => import('./templates').then((m) => m.render),
  },
  {
    path: '/templates/new',
    title: { en: 'New template', es: 'Nueva plantilla' },
    section: '/templates',
    load: () => import('./template-new').then((m) => m.render),
  },
  {
    path: '/templates/:id',
    title: { en: 'Template', es: 'Plantilla' },
    section: '/templates',
    load: () => import('./template-editor').then((m) => m.render),
  },
  {
    path: '/templates/:id/diff',
    title: { en: 'Template versions compared', es: 'Versiones comparadas' },
    section: '/templates',
    load: () => import('./template-diff').then((m) => m.render),
  },
  {
    path: '/contracts',
    title: { en: 'Contracts', es: 'Contratos' },
    nav: { en: 'Contracts', es: 'Contratos' },
    load: () => import('./contracts').then((m) => m.render),
  },
  {
    path: '/contracts/:id',
    title: { en: 'Contract', es: 'Contrato' },
    section: '/contracts',
    load: () => import('./contract-detail').then((m) => m.render),
  },
  {
    path: '/settings/branding',
    title: { en: 'Branding', es: 'Imagen de marca' },
    nav: { en: 'Branding', es: 'Marca' },
    load: () => import('./branding').then((m) => m.render),
  },
  {
    path: '/verify',
    title: { en: 'Verify a PDF', es: 'Verificar un PDF' },
    nav: { en: 'Verify', es: 'Verificar' },
    load: () => import('./verify').then((m) => m.render),
  },
];

/** The route opened when the address has none. */
export const HOME = '/envelopes';

export type Match = RouteMatch<PageEntry>;

/** The entry for a path: the same number of segments, literal segments preferred to parameters. */
export function match(path: string, pages: readonly PageEntry[] = PAGES): Match | null {
  return matchRoute(path, pages);
}
