/**
 * The sender console: a static page at `/console` whose routes live in the fragment
 * (`#/envelopes`, `#/envelopes/01H...`, `#/send`, `#/send/template`, `#/verify`, and the pages
 * pages/registry.ts lists). It reads `config.json` beside it, signs the user in (auth.ts), and
 * draws one page at a time into `#app`, loading each page's code when first opened.
 */

import { ApiError, ConsoleApi } from './api';
import {
  completeSignIn,
  currentSession,
  forget,
  hadExpiredSession,
  loadConfig,
  signIn,
  signOut,
  type ConsoleConfig,
  type Session,
} from './auth';
import { initLang, lang, LANGS, onLangChange, pick, setLang, t, type Lang } from './i18n';
import { HOME, match, PAGES, type PageContext } from './pages/registry';
import { errorBox, focusHeading, h, on } from './ui';
import { applyBranding, brandLogo, type Branding } from '../shared/branding';

/** The page's assets live beside its script (`/console/main.js` → `/console/`). */
const assets = new URL('./', import.meta.url);

interface Route {
  path: string;
  query: URLSearchParams;
}

function currentRoute(): Route {
  const raw = location.hash.replace(/^#/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  return { path: path.startsWith('/') ? path : `/${path}`, query: new URLSearchParams(query) };
}

class Console {
  private config: ConsoleConfig | undefined;
  private session: Session | null = null;
  private api: ConsoleApi | undefined;
  private readonly root = document.getElementById('app')!;
  private leave: (() => void) | undefined;
  private controller: AbortController | undefined;
  /** Counts navigations, so that a page that finished loading late does not draw over a newer one. */
  private generation = 0;
  private firstPage = true;
  private signInMessage: string | undefined;
  /** The tenant's logo and colours (tenant settings), once read; the branding page announces changes. */
  private branding: Branding | undefined;

  async start(): Promise<void> {
    initLang();
    // The fragment holds the route: the skip link moves focus without changing it.
    const skip = document.querySelector<HTMLAnchorElement>('.skip-link');
    if (skip) {
      on(skip, 'click', (event) => {
        event.preventDefault();
        document.getElementById('main')?.focus();
      });
    }
    onLangChange(() => {
      this.chrome();
      if (this.session) void this.route(false);
      else this.signInScreen();
    });
    this.chrome();
    try {
      this.config = await loadConfig(assets);
    } catch (err) {
      this.root.replaceChildren(errorBox(err, t('app.configFailed')));
      return;
    }
    let returnTo: string | null = null;
    try {
      returnTo = await completeSignIn(this.config);
    } catch (err) {
      this.signInMessage = t('signIn.failed', { reason: err instanceof Error ? err.message : String(err) });
    }
    this.session = currentSession();
    if (!this.session) {
      if (!this.signInMessage && hadExpiredSession()) this.signInMessage = t('signIn.expired');
      this.chrome();
      return this.signInScreen();
    }
    this.api = new ConsoleApi({
      base: this.config.apiUrl,
      token: () => currentSession()?.token ?? null,
      onUnauthorized: () => this.expired(),
    });
    this.chrome();
    const brand = (branding: Branding | undefined) => {
      this.branding = branding;
      applyBranding(branding);
      this.chrome();
    };
    window.addEventListener('countersign:branding', (e) =>
      brand((e as CustomEvent<Branding | null>).detail ?? undefined),
    );
    this.api
      .get<{ branding?: Branding }>('/v1/tenant/settings')
      .then((settings) => brand(settings.branding))
      .catch(() => undefined);
    window.addEventListener('hashchange', () => {
      // Only `#/...` is a route (a link to an anchor on the page is not).
      if (location.hash.startsWith('#/')) void this.route(true);
    });
    if (returnTo && returnTo !== currentRoute().path) {
      history.replaceState(history.state, '', `#${returnTo}`);
    }
    if (!location.hash || location.hash === '#' || location.hash === '#/') {
      history.replaceState(history.state, '', `#${HOME}`);
    }
    await this.route(false);
  }

  /** The top bar: the name, the navigation and the user (when signed in), the language switch. */
  private chrome(): void {
    const bar = document.getElementById('topbar')!;
    const langSelect = h(
      'select',
      { id: 'lang' },
      ...LANGS.map((l) => h('option', { value: l, lang: l }, l === 'en' ? 'English' : 'Español')),
    );
    langSelect.value = lang();
    on(langSelect, 'change', () => setLang(langSelect.value as Lang));
    const current = this.session ? match(currentRoute().path) : null;
    const section = current?.entry.section ?? current?.entry.path;
    const nav = this.session
      ? h(
          'nav',
          { class: 'main-nav', 'aria-label': t('app.nav') },
          h(
            'ul',
            {},
            ...PAGES.filter((p) => p.nav).map((p) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#${p.path}`, 'aria-current': p.path === section ? 'page' : undefined },
                  pick(p.nav!),
                ),
              ),
            ),
          ),
        )
      : null;
    const user = this.session
      ? h(
          'div',
          { class: 'user' },
          h(
            'span',
            { class: 'who' },
            t('app.signedInAs', { who: this.session.email ?? this.session.sub, tenant: this.session.tenant }),
          ),
          (() => {
            const out = h(
              'button',
              { type: 'button', class: 'button small secondary', id: 'sign-out' },
              t('app.signOut'),
            );
            on(out, 'click', () => this.signOut());
            return out;
          })(),
        )
      : null;
    bar.replaceChildren(
      h(
        'div',
        { class: 'brand' },
        this.session ? brandLogo(this.branding, t('app.logo')) : null,
        h('span', {}, t('app.name')),
        h('span', { class: 'brand-sub' }, t('app.console')),
      ),
      nav ?? '',
      h(
        'div',
        { class: 'bar-end' },
        user ?? '',
        h('div', { class: 'lang-switch' }, h('label', { for: 'lang' }, t('app.language')), langSelect),
      ),
    );
    const skip = document.querySelector<HTMLAnchorElement>('.skip-link');
    if (skip) skip.textContent = t('app.skip');
  }

  private signInScreen(): void {
    this.leavePage();
    document.title = `${t('signIn.title')} · ${t('app.name')}`;
    const go = h('button', { type: 'button', class: 'button primary', id: 'sign-in' }, t('signIn.button'));
    on(go, 'click', () => {
      if (!this.config) return;
      const route = currentRoute().path;
      void signIn(this.config, route === '/' ? HOME : route);
    });
    this.root.dataset.route = 'sign-in';
    this.root.replaceChildren(
      h(
        'section',
        { class: 'card narrow', 'data-screen': 'sign-in' },
        h('h1', { id: 'page-title', tabindex: '-1' }, t('signIn.title')),
        this.signInMessage ? h('p', { class: 'notice info', role: 'status' }, this.signInMessage) : null,
        h('p', {}, t('signIn.body')),
        go,
      ),
    );
  }

  private expired(): void {
    forget();
    this.session = null;
    this.signInMessage = t('signIn.expired');
    this.chrome();
    this.signInScreen();
  }

  private signOut(): void {
    if (!this.config) return;
    signOut(this.config);
    this.session = null;
    this.signInMessage = t('signIn.signedOut');
    this.chrome();
    this.signInScreen();
  }

  private leavePage(): void {
    this.controller?.abort();
    this.controller = undefined;
    try {
      this.leave?.();
    } catch {
      // A page's clean-up must not stop the next page.
    }
    this.leave = undefined;
  }

  private async route(moveFocus: boolean): Promise<void> {
    if (!this.session || !this.api || !this.config) return;
    const generation = ++this.generation;
    const { path, query } = currentRoute();
    this.leavePage();
    this.chrome();
    const found = match(path);
    this.root.removeAttribute('data-state');
    if (!found) {
      this.root.dataset.route = 'not-found';
      document.title = `${t('app.notFound.title')} · ${t('app.name')}`;
      this.root.replaceChildren(
        h('h1', { id: 'page-title', tabindex: '-1' }, t('app.notFound.title')),
        h('p', {}, t('app.notFound.body')),
      );
      this.root.dataset.state = 'ready';
      return;
    }
    document.title = `${pick(found.entry.title)} · ${t('app.name')}`;
    this.root.dataset.route = found.entry.path;
    this.root.replaceChildren(h('p', { role: 'status', class: 'loading' }, t('app.loading')));
    const controller = new AbortController();
    this.controller = controller;
    try {
      const render = await found.entry.load();
      if (generation !== this.generation) return;
      this.root.replaceChildren();
      const ctx: PageContext = {
        root: this.root,
        params: found.params,
        query,
        api: this.api,
        session: this.session,
        config: this.config,
        assets,
        navigate: (to, options = {}) => {
          if (options.replace) {
            history.replaceState(history.state, '', `#${to}`);
            void this.route(true);
          } else location.hash = to;
        },
        signal: controller.signal,
      };
      const cleanup = await render(ctx);
      if (generation !== this.generation) {
        if (typeof cleanup === 'function') cleanup();
        return;
      }
      if (typeof cleanup === 'function') this.leave = cleanup;
      this.root.dataset.state = 'ready';
      if (moveFocus || !this.firstPage) focusHeading(this.root.querySelector<HTMLElement>('h1'));
      this.firstPage = false;
    } catch (err) {
      if (generation !== this.generation) return;
      if (err instanceof ApiError && err.status === 401) return;
      this.root.replaceChildren(errorBox(err, t('app.loadFailed')));
      this.root.dataset.state = 'error';
    }
  }
}

void new Console().start();
