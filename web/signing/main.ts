/**
 * The recipient's signing page. The invitation links to `{publicUrl}/sign#t=TOKEN`: the token is
 * taken from the fragment (which browsers never send to a server), kept for this tab only, and
 * removed from the address bar at once. Everything else comes from the public signing API.
 */

import { Adopter } from './adopt';
import {
  ApiError,
  isSession,
  NetworkError,
  SigningApi,
  type AuthPrompt,
  type SignRequest,
  type SigningSession,
} from './api';
import { announce, focusHeading, h, on } from './dom';
import { FieldForm } from './fields';
import { followSender, initLang, lang, LANGS, onLangChange, setLang, t, type Key, type Lang } from './i18n';
import { DocumentView } from './pdf-view';
import { fieldValues, initialsOf, type RawValue } from './validation';
import { applyBranding, brandLogo } from '../shared/branding';
import { configurePdf } from '../shared/pdf';

type Params = Record<string, string | number>;
/** A message kept by key, so that it can be shown again in another language. */
interface Msg {
  key: Key;
  params?: Params;
  /** The server's own words (English), shown under the page's. */
  detail?: string;
  tone: 'error' | 'info';
}

type ErrorKind = 'missing' | 'invalid' | 'gone' | 'notFound' | 'network' | 'server' | 'locked';

type Screen =
  | { kind: 'loading' }
  | { kind: 'error'; error: ErrorKind; detail?: string; requestId?: string }
  | { kind: 'auth' }
  | { kind: 'consent' }
  | { kind: 'sign' }
  | { kind: 'done' }
  | { kind: 'declined' }
  | { kind: 'withdrawn' }
  | { kind: 'info'; title: Key; body: Key; params?: Params; download?: boolean };

const TOKEN_KEY = 'countersign.signing-token';

/** The page's assets live beside its script; the API is the page's parent (`/sign` → `/v1/...`). */
const assets = new URL('./', import.meta.url);
const apiBase =
  document.querySelector<HTMLMetaElement>('meta[name="countersign-api"]')?.content ||
  new URL('../', assets).href;

/** The token from `#t=...`, kept for this tab, and the address bar cleaned. */
function takeToken(): string | null {
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromLink = fragment.get('t');
  let memory: string | null = null;
  if (fromLink) {
    memory = fromLink;
    try {
      sessionStorage.setItem(TOKEN_KEY, fromLink);
    } catch {
      // No storage (a private window's rules): the token lives in memory for this visit.
    }
  }
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  if (memory) return memory;
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * The disclosure's text as paragraphs: its lines are wrapped for e-mail, which a narrow screen
 * would wrap again into ragged lines. Blank lines and numbered items start a paragraph; the words
 * are the recorded text's, unchanged.
 */
function paragraphs(text: string): string[] {
  const blocks: string[] = [];
  let current: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) {
      if (current !== undefined) blocks.push(current);
      current = undefined;
    } else if (current === undefined || /^\d+\.\s/.test(line)) {
      if (current !== undefined) blocks.push(current);
      current = line.trim();
    } else {
      current += ` ${line.trim()}`;
    }
  }
  if (current !== undefined) blocks.push(current);
  return blocks;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

class SigningPage {
  private screen: Screen = { kind: 'loading' };
  private api: SigningApi | undefined;
  private session: SigningSession | undefined;
  private prompt: AuthPrompt['authRequired'] | undefined;
  private authMsg: Msg | undefined;
  private codeSentTo: string | undefined;
  private consentMsg: Msg | undefined;
  private signMsg: Msg | undefined;
  private busy = false;
  private values: Record<string, RawValue> = {};
  private views: DocumentView[] = [];
  private shown = new Map<string, string>();
  private form: FieldForm | undefined;
  private signature: Adopter | undefined;
  private initials: Adopter | undefined;
  private polling = false;
  private readonly root: HTMLElement;

  constructor() {
    this.root = document.getElementById('app')!;
  }

  start(): void {
    initLang();
    this.chrome();
    onLangChange(() => {
      this.chrome();
      this.render(false);
    });
    configurePdf(assets);
    // Another link pasted into this tab changes only the fragment: start again with its token.
    window.addEventListener('hashchange', () => {
      if (/(^#|&)t=/.test(location.hash)) location.reload();
    });
    const token = takeToken();
    if (!token) return this.show({ kind: 'error', error: 'missing' });
    this.api = new SigningApi({ base: apiBase, token });
    void this.load();
  }

  /** The header's language switcher and the words outside the screens. */
  private chrome(): void {
    const select = document.getElementById('lang') as HTMLSelectElement | null;
    const label = document.querySelector<HTMLLabelElement>('label[for="lang"]');
    if (label) label.textContent = t('app.language');
    const skip = document.querySelector<HTMLAnchorElement>('.skip-link');
    if (skip) skip.textContent = t('app.skip');
    if (select) {
      if (!select.dataset.ready) {
        select.replaceChildren(
          ...LANGS.map((l) => h('option', { value: l, lang: l }, t(`lang.${l}` as Key))),
        );
        on(select, 'change', () => setLang(select.value as Lang));
        select.dataset.ready = 'true';
      }
      select.value = lang();
    }
    document.title = this.session ? `${this.session.envelope.title} · ${t('app.title')}` : t('app.title');
  }

  private show(screen: Screen): void {
    this.screen = screen;
    this.render(true);
  }

  /** Draws the current screen; a new screen moves focus to its heading. */
  private render(moveFocus: boolean): void {
    this.chrome();
    const view = this.view();
    this.root.replaceChildren(view);
    if (moveFocus) focusHeading(view.querySelector('h1'));
  }

  private view(): HTMLElement {
    const s = this.screen;
    switch (s.kind) {
      case 'loading':
        return h(
          'section',
          { class: 'screen' },
          h('h1', { class: 'sr-only' }, t('app.title')),
          h('p', { role: 'status' }, t('app.loading')),
        );
      case 'error':
        return this.errorView(s.error, s.detail, s.requestId);
      case 'auth':
        return this.authView();
      case 'consent':
        return this.consentView();
      case 'sign':
        return this.signView();
      case 'done':
        return this.doneView();
      case 'declined':
        return this.simple('declined', t('declined.title'), [t('declined.body')]);
      case 'withdrawn':
        return this.simple('withdrawn', t('withdrawn.title'), [t('withdrawn.body')]);
      case 'info':
        return this.simple(
          'info',
          t(s.title),
          [t(s.body, s.params)],
          s.download ? this.downloadButton('done.downloadCompleted') : undefined,
        );
    }
  }

  // ---------------------------------------------------------------- loading and routing

  private async load(): Promise<void> {
    if (this.screen.kind !== 'loading' && this.screen.kind !== 'error') this.show({ kind: 'loading' });
    try {
      const answer = await this.api!.session();
      followSender(isSession(answer) ? answer.recipient.language : answer.language);
      if (!isSession(answer)) {
        this.prompt = answer.authRequired;
        if (this.prompt.locked) return this.show({ kind: 'error', error: 'locked' });
        return this.show({ kind: 'auth' });
      }
      this.route(answer);
    } catch (err) {
      this.fatal(err);
    }
  }

  /** Where a session leads: the code, consent, signing, or what is already done. */
  private route(session: SigningSession): void {
    this.setSession(session);
    const r = session.recipient;
    const e = session.envelope;
    if (r.status === 'signed' || r.status === 'approved') return this.show({ kind: 'done' });
    if (r.status === 'declined') return this.show({ kind: 'declined' });
    if (r.status === 'withdrawn') return this.show({ kind: 'withdrawn' });
    if (e.status === 'completed')
      return this.show({ kind: 'info', title: 'completed.title', body: 'completed.body', download: true });
    if (e.status !== 'sent')
      return this.show({
        kind: 'info',
        title: 'ended.title',
        body: 'ended.body',
        params: { reason: session.reason ?? e.status },
      });
    if (!session.consent.given) return this.show({ kind: 'consent' });
    if (session.reason?.startsWith('your turn'))
      return this.show({ kind: 'info', title: 'notYet.title', body: 'notYet.body' });
    this.show({ kind: 'sign' });
  }

  private setSession(session: SigningSession): void {
    const first = !this.session || this.session.recipient.id !== session.recipient.id;
    this.session = session;
    // The sender's branding comes with the session as opened (the answers to acts leave it out).
    if (session.branding) this.brand(session.branding);
    if (!first) return;
    const r = session.recipient;
    if (r.role !== 'approver') this.signature = new Adopter('signature', r.name);
    if (r.fields.some((f) => f.type === 'initials'))
      this.initials = new Adopter('initials', initialsOf(r.name));
    this.form = new FieldForm({
      fields: r.fields,
      documentOrder: session.documents.map((d) => d.id),
      values: this.values,
      ...(this.signature ? { signature: this.signature } : {}),
      ...(this.initials ? { initials: this.initials } : {}),
      onAllDone: () => document.getElementById('sign')?.focus(),
    });
  }

  /** The sender organisation's colours on the page, and its logo before the product's name. */
  private brand(branding: NonNullable<SigningSession['branding']>): void {
    applyBranding(branding);
    const name = document.querySelector<HTMLElement>('.topbar .brand');
    if (!name) return;
    name.querySelector('.brand-logo')?.remove();
    const logo = brandLogo(branding, t('app.senderLogo'));
    if (logo) name.prepend(logo);
  }

  /** A failure that ends the visit: a clear page, never the raw error. */
  private fatal(err: unknown): void {
    if (err instanceof NetworkError) return this.show({ kind: 'error', error: 'network' });
    if (!(err instanceof ApiError)) return this.show({ kind: 'error', error: 'server' });
    const detail = err.message;
    switch (err.status) {
      case 400:
      case 401:
        return this.show({ kind: 'error', error: 'invalid', detail });
      case 403:
        // The link needs its code again (it was never verified in this tab): back to the prompt.
        if (err.code === 'auth_required') return void this.load();
        return this.show({ kind: 'error', error: 'invalid', detail });
      case 404:
        return this.show({ kind: 'error', error: 'notFound', detail });
      case 410:
        return this.show({ kind: 'error', error: 'gone', detail });
      case 423:
        return this.show({ kind: 'error', error: 'locked' });
      default:
        return this.show({
          kind: 'error',
          error: err.status >= 500 || err.status === 429 ? 'server' : 'invalid',
          ...(err.requestId ? { requestId: err.requestId } : {}),
        });
    }
  }

  // ---------------------------------------------------------------- screens

  private simple(kind: string, title: string, paragraphs: string[], extra?: HTMLElement): HTMLElement {
    return h(
      'section',
      { class: `screen card narrow ${kind}`, 'data-screen': kind },
      h('h1', {}, title),
      ...paragraphs.map((p) => h('p', {}, p)),
      extra,
    );
  }

  private errorView(kind: ErrorKind, detail?: string, requestId?: string): HTMLElement {
    const keys: Record<ErrorKind, [Key, Key]> = {
      missing: ['error.missing.title', 'error.missing.body'],
      invalid: ['error.invalid.title', 'error.invalid.body'],
      gone: ['error.gone.title', 'error.gone.body'],
      notFound: ['error.notFound.title', 'error.notFound.body'],
      network: ['error.network.title', 'error.network.body'],
      server: ['error.server.title', 'error.server.body'],
      locked: ['auth.locked.title', 'auth.locked.body'],
    };
    const [title, body] = keys[kind];
    const retry =
      kind === 'network' || kind === 'server'
        ? h('button', { type: 'button', class: 'button primary', 'data-action': 'retry' }, t('error.retry'))
        : undefined;
    if (retry) on(retry, 'click', () => void this.load());
    return h(
      'section',
      { class: 'screen card narrow error-page', 'data-screen': 'error', 'data-error': kind },
      h('div', { class: 'error-mark', 'aria-hidden': 'true' }, '!'),
      h('h1', {}, t(title)),
      h('p', {}, t(body)),
      detail ? h('p', { class: 'muted' }, t('error.details', { message: detail })) : null,
      requestId ? h('p', { class: 'muted' }, t('error.requestId', { id: requestId })) : null,
      retry,
    );
  }

  private message(msg: Msg | undefined, id?: string): HTMLElement {
    // Always present, so that screen readers hear a message when it appears.
    const el = h('div', {
      class: `message ${msg?.tone ?? ''}`,
      id,
      role: msg?.tone === 'error' ? 'alert' : 'status',
    });
    if (msg) {
      el.append(h('p', {}, t(msg.key, msg.params)));
      if (msg.detail) el.append(h('p', { class: 'muted' }, t('error.details', { message: msg.detail })));
    }
    return el;
  }

  private authView(): HTMLElement {
    const p = this.prompt!;
    const otp = p.method !== 'access_code';
    const hint = p.destinationHint ?? '';
    const intro =
      p.method === 'sms'
        ? t('auth.sms.intro', { hint })
        : p.method === 'email_code'
          ? t('auth.email.intro', { hint })
          : t('auth.access.intro');
    const send = otp
      ? h(
          'button',
          { type: 'button', class: `button ${this.codeSentTo ? 'secondary' : 'primary'}`, id: 'send-code' },
          t(this.codeSentTo ? 'auth.resend' : 'auth.send'),
        )
      : undefined;
    const input = h('input', {
      id: 'code',
      class: 'text-input code-input',
      type: 'text',
      name: 'code',
      autocomplete: otp ? 'one-time-code' : 'off',
      inputmode: otp ? 'numeric' : undefined,
      maxlength: 64,
      spellcheck: 'false',
      'aria-describedby': 'code-hint auth-message',
      'aria-invalid': this.authMsg?.tone === 'error' ? 'true' : 'false',
    });
    const verify = h(
      'button',
      {
        type: 'submit',
        class: `button ${otp && !this.codeSentTo ? 'secondary' : 'primary'}`,
        id: 'verify-code',
      },
      t('auth.verify'),
    );
    const form = h(
      'form',
      { class: 'code-form', novalidate: true },
      h('label', { for: 'code' }, t(otp ? 'auth.code' : 'auth.accessCode')),
      h(
        'p',
        { class: 'hint', id: 'code-hint' },
        [
          otp ? t('auth.codeHint') : '',
          p.attemptsLeft < 5 ? ` ${t('auth.attemptsLeft', { n: p.attemptsLeft })}` : '',
        ]
          .join('')
          .trim(),
      ),
      input,
      verify,
    );
    if (send)
      on(send, 'click', async () => {
        if (this.busy) return;
        this.busy = true;
        send.disabled = true;
        send.textContent = t('auth.sending');
        try {
          const sent = await this.api!.sendCode();
          this.codeSentTo = sent.destinationHint;
          this.prompt = { ...p, attemptsLeft: sent.attemptsLeft };
          this.authMsg = { key: 'auth.sent', params: { hint: sent.destinationHint }, tone: 'info' };
          this.busy = false;
          this.render(false);
          document.getElementById('code')?.focus();
        } catch (err) {
          this.busy = false;
          this.authFailure(err);
        }
      });
    on(form, 'submit', async (event) => {
      event.preventDefault();
      if (this.busy) return;
      const code = input.value.trim();
      if (!code) {
        this.authMsg = { key: 'auth.empty', tone: 'error' };
        this.render(false);
        document.getElementById('code')?.focus();
        return;
      }
      this.busy = true;
      verify.disabled = true;
      verify.textContent = t('auth.verifying');
      try {
        await this.api!.verifyCode(code);
        this.busy = false;
        this.authMsg = undefined;
        await this.load();
      } catch (err) {
        this.busy = false;
        await this.authFailure(err);
      }
    });
    return h(
      'section',
      { class: 'screen card narrow', 'data-screen': 'auth', 'data-method': p.method },
      h('h1', {}, t('auth.title')),
      h('p', {}, intro),
      send,
      this.message(this.authMsg, 'auth-message'),
      form,
    );
  }

  private async authFailure(err: unknown): Promise<void> {
    const p = this.prompt!;
    if (err instanceof ApiError) {
      if (err.status === 423) return this.show({ kind: 'error', error: 'locked' });
      if (err.status === 401 || err.status === 410 || err.status === 409 || err.status === 429) {
        if (err.status === 401 && /not valid|replaced|missing/.test(err.message))
          return this.show({ kind: 'error', error: 'invalid', detail: err.message });
        if (err.status === 409 && /already verified|needs no code/.test(err.message)) return this.load();
        let left = Number(/(\d+) attempts? left/.exec(err.message)?.[1] ?? p.attemptsLeft);
        if (err.status === 401) {
          // The server counts the attempts: its prompt says how many are left.
          try {
            const fresh = await this.api!.session();
            if (!isSession(fresh)) {
              this.prompt = fresh.authRequired;
              left = fresh.authRequired.attemptsLeft;
              if (fresh.authRequired.locked) return this.show({ kind: 'error', error: 'locked' });
            }
          } catch {
            // The message's own count stands.
          }
          this.prompt = { ...this.prompt!, attemptsLeft: left };
        }
        this.authMsg =
          err.status === 401
            ? { key: 'auth.wrong', params: { n: left }, tone: 'error' }
            : err.status === 410
              ? { key: 'auth.expired', tone: 'error' }
              : err.status === 429
                ? { key: 'auth.tooMany', tone: 'error' }
                : { key: 'auth.noCode', tone: 'error' };
        if (err.status === 410) this.codeSentTo = undefined;
        this.render(false);
        // The wrong code is cleared, ready for the next one.
        const input =
          document.getElementById(err.status === 410 ? 'send-code' : 'code') ??
          document.getElementById('code');
        input?.focus();
        return;
      }
    }
    if (err instanceof NetworkError) {
      this.authMsg = { key: 'error.network.body', tone: 'error' };
      this.render(false);
      return;
    }
    this.fatal(err);
  }

  private senderName(): string {
    return this.session?.sender.email ?? t('envelope.theSender');
  }

  private envelopeHead(level: 'h1' | 'p'): HTMLElement {
    const s = this.session!;
    const approver = s.recipient.role === 'approver';
    return h(
      'header',
      { class: 'envelope-head' },
      level === 'h1' ? h('h1', {}, s.envelope.title) : null,
      h(
        'p',
        { class: 'from' },
        t(approver ? 'envelope.asksApprove' : 'envelope.asksSign', {
          sender: this.senderName(),
          title: s.envelope.title,
        }),
      ),
      s.recipient.group
        ? h('p', { class: 'muted' }, t('envelope.group', { group: s.recipient.group.name }))
        : null,
      s.envelope.message
        ? h(
            'div',
            { class: 'sender-message' },
            h('h2', { class: 'small-heading' }, t('envelope.message')),
            h('p', { class: 'prewrap' }, s.envelope.message),
          )
        : null,
    );
  }

  private consentView(): HTMLElement {
    const s = this.session!;
    const check = h('input', {
      type: 'checkbox',
      id: 'consent-check',
      'aria-describedby': 'consent-message',
    });
    const agree = h(
      'button',
      { type: 'button', class: 'button primary', id: 'consent-continue' },
      t('consent.continue'),
    );
    const decline = h(
      'button',
      { type: 'button', class: 'button danger-outline', id: 'decline-open' },
      t('decline.open'),
    );
    const dialog = this.declineDialog();
    on(decline, 'click', () => dialog.showModal());
    on(agree, 'click', async () => {
      if (this.busy) return;
      if (!check.checked) {
        this.consentMsg = { key: 'consent.checkRequired', tone: 'error' };
        this.render(false);
        document.getElementById('consent-check')?.focus();
        return;
      }
      this.busy = true;
      agree.disabled = true;
      try {
        const session = await this.api!.consent(s.disclosure.version);
        this.busy = false;
        this.consentMsg = undefined;
        this.route(session);
      } catch (err) {
        this.busy = false;
        agree.disabled = false;
        if (err instanceof ApiError && err.status === 409 && /disclosure has changed/.test(err.message)) {
          this.consentMsg = { key: 'consent.changed', tone: 'error' };
          try {
            const fresh = await this.api!.session();
            if (isSession(fresh)) this.session = fresh;
          } catch {
            // The message says to read it again; the next attempt reloads.
          }
          this.render(false);
          return;
        }
        // Anything else the server refuses (already signed, withdrawn...): the session says where to go.
        if (err instanceof ApiError && err.status === 409) return void this.load();
        if (err instanceof NetworkError) {
          this.consentMsg = { key: 'error.network.body', tone: 'error' };
          this.render(false);
          return;
        }
        this.fatal(err);
      }
    });
    return h(
      'section',
      { class: 'screen consent', 'data-screen': 'consent' },
      h(
        'div',
        { class: 'card narrow' },
        h('h1', {}, t('consent.title')),
        this.envelopeHead('p'),
        h('h2', {}, t('consent.summary')),
        h(
          'ul',
          { class: 'points' },
          h('li', {}, t('consent.point.scope')),
          h('li', {}, t('consent.point.withdraw')),
          h('li', {}, t('consent.point.paper', { contact: s.sender.email ?? '' })),
          h('li', {}, t('consent.point.needs')),
        ),
        h('h2', { id: 'disclosure-h' }, t('consent.full')),
        lang() !== 'en' ? h('p', { class: 'muted' }, t('consent.recordedIn')) : null,
        h(
          'div',
          {
            class: 'disclosure',
            tabindex: '0',
            role: 'region',
            'aria-labelledby': 'disclosure-h',
            lang: 'en',
            'data-version': s.disclosure.version,
          },
          ...paragraphs(s.disclosure.text).map((p, i) =>
            h('p', i === 0 ? { class: 'disclosure-title' } : {}, p),
          ),
        ),
        h(
          'div',
          { class: 'check-line consent-line' },
          check,
          h('label', { for: 'consent-check' }, t('consent.check')),
        ),
        this.message(this.consentMsg, 'consent-message'),
        h('div', { class: 'actions' }, agree, decline),
      ),
      dialog,
    );
  }

  private signView(): HTMLElement {
    const s = this.session!;
    const approver = s.recipient.role === 'approver';
    this.ensureViews();
    const form = this.form!;
    const docs = h(
      'div',
      { class: 'docs', id: 'documents' },
      h('h2', { class: 'sr-only' }, t('docs.title')),
      ...this.views.map((v) => {
        v.relabel();
        return v.element;
      }),
    );
    for (const adopter of [this.signature, this.initials])
      adopter?.pad.setLabel(t(adopter.kind === 'signature' ? 'sig.pad' : 'sig.padInitials'));
    form.refresh();

    const button = h(
      'button',
      { type: 'button', class: 'button primary big', id: 'sign', 'aria-describedby': 'intent sign-message' },
      t(approver ? 'sign.approveButton' : 'sign.button'),
    );
    on(button, 'click', () => void this.submit(button));
    const declineDialog = this.declineDialog();
    const withdrawDialog = this.withdrawDialog();
    const declineButton = h(
      'button',
      { type: 'button', class: 'button danger-outline', id: 'decline-open' },
      t('decline.open'),
    );
    on(declineButton, 'click', () => declineDialog.showModal());
    const withdrawButton = h(
      'button',
      { type: 'button', class: 'button secondary', id: 'withdraw-open' },
      t('withdraw.open'),
    );
    on(withdrawButton, 'click', () => withdrawDialog.showModal());

    const signCard = h(
      'section',
      { class: 'card sign-card', 'aria-labelledby': 'sign-h' },
      h('h2', { id: 'sign-h' }, t(approver ? 'sign.approveTitle' : 'sign.title')),
      h('p', { id: 'intent', class: 'intent' }, t(approver ? 'sign.approveIntent' : 'sign.intent')),
      lang() !== 'en' ? h('p', { class: 'muted recorded' }, `${t('sign.recorded')} ${s.intent}`) : null,
      this.message(this.signMsg, 'sign-message'),
      button,
    );
    const more = h(
      'section',
      { class: 'card more', 'aria-labelledby': 'more-h' },
      h('h2', { id: 'more-h' }, t('more.title')),
      h('div', { class: 'actions' }, declineButton, withdrawButton),
    );
    const panel = h(
      'div',
      { class: 'panel' },
      form.valueFields.length ? form.renderPanel() : null,
      this.signature?.render(),
      this.initials?.render(),
      signCard,
      more,
    );
    return h(
      'section',
      { class: 'screen signing', 'data-screen': 'sign' },
      h('div', { class: 'card head-card' }, this.envelopeHead('h1')),
      form.renderGuide(approver),
      h('div', { class: 'layout' }, docs, panel),
      declineDialog,
      withdrawDialog,
    );
  }

  /** The documents: fetched once, checked against the hash signed, and drawn. */
  private ensureViews(): void {
    if (this.views.length) return;
    const s = this.session!;
    for (const doc of s.documents) {
      const view = new DocumentView(doc, s.recipient.fields, this.form!.overlayFor, assets);
      this.views.push(view);
      void this.loadDocument(view);
    }
  }

  private async loadDocument(view: DocumentView): Promise<void> {
    let bytes: Uint8Array | undefined;
    for (let attempt = 0; attempt < 3 && !bytes; attempt++) {
      try {
        const link = await this.api!.documentLink(view.doc.id);
        const res = await fetch(link.url, {
          credentials: 'omit',
          cache: 'no-store',
          referrerPolicy: 'no-referrer',
        });
        if (!res.ok) throw new NetworkError(`the document answered ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        if (err instanceof ApiError && err.status !== 502 && err.status !== 503 && err.status !== 504) {
          if (err.status === 401 || err.status === 410) return this.fatal(err);
          break;
        }
      }
    }
    if (!bytes) return view.fail('docs.failed');
    const hash = await sha256Hex(bytes);
    this.shown.set(view.doc.id, hash);
    try {
      await view.load(bytes);
    } catch {
      // The status says it could not be shown; the download stays.
    }
    if (hash !== view.doc.sha256) view.fail('docs.changed');
  }

  private downloadButton(key: Key, documentId?: string): HTMLElement {
    const button = h(
      'button',
      { type: 'button', class: 'button secondary', 'data-action': 'download' },
      t(key),
    );
    on(button, 'click', async () => {
      button.disabled = true;
      try {
        const first = documentId ?? this.session?.documents[0]?.id;
        const link = await this.api!.documentLink(first ?? '');
        // The URL answers as an attachment: the browser saves it and the page stays.
        location.assign(link.url);
      } catch (err) {
        if (err instanceof ApiError && (err.status === 401 || err.status === 410)) this.fatal(err);
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  /** The explicit act. Disabled while in flight; a lost answer is retried and a 409 read as done. */
  private async submit(button: HTMLButtonElement): Promise<void> {
    if (this.busy) return;
    const s = this.session!;
    const approver = s.recipient.role === 'approver';
    this.signMsg = undefined;
    this.setSignMessage(undefined);
    if (!approver && !this.form!.validateAll()) return;
    const missing = s.documents.filter((d) => !this.shown.has(d.id));
    if (missing.length) {
      this.setSignMessage({ key: 'docs.failed', tone: 'error' });
      return;
    }
    const documents = s.documents.map((d) => ({ id: d.id, sha256: this.shown.get(d.id)! }));
    this.busy = true;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    button.textContent = t(approver ? 'sign.approving' : 'sign.signing');
    const onRetry = () => this.setSignMessage({ key: 'sign.retrying', tone: 'info' });
    try {
      let session: SigningSession;
      if (approver) {
        session = await this.api!.approve(documents, { onRetry });
      } else {
        const values = fieldValues(s.recipient.fields, this.values);
        const body: SignRequest = {
          signature: this.signature!.value()!,
          ...(this.initials ? { initials: this.initials.value()! } : {}),
          ...(Object.keys(values).length ? { fields: values } : {}),
          documents,
          agree: true,
        };
        session = await this.api!.sign(body, { onRetry });
      }
      this.busy = false;
      this.session = session;
      announce(t(approver ? 'done.approved.title' : 'done.signed.title'));
      this.show({ kind: 'done' });
      return;
    } catch (err) {
      this.busy = false;
      if (await this.alreadyDone(err)) return;
      button.disabled = false;
      button.removeAttribute('aria-busy');
      button.textContent = t(approver ? 'sign.approveButton' : 'sign.button');
      this.signFailure(err);
    }
  }

  /** A 409 after a retry, or from a second tab: if the server has the signature, it is done. */
  private async alreadyDone(err: unknown): Promise<boolean> {
    if (!(err instanceof ApiError) || err.status !== 409) return false;
    try {
      const fresh = await this.api!.session();
      if (
        isSession(fresh) &&
        (fresh.recipient.status === 'signed' || fresh.recipient.status === 'approved')
      ) {
        this.session = fresh;
        this.show({ kind: 'done' });
        return true;
      }
    } catch {
      // Reported below as the 409 it was.
    }
    return false;
  }

  private signFailure(err: unknown): void {
    if (err instanceof ApiError) {
      if (err.status === 400 || err.status === 413 || err.status === 415) {
        const placed = this.form!.showServerErrors(err.details);
        this.setSignMessage({
          key: 'fields.fix',
          params: { n: Math.max(1, err.details.length) },
          detail: placed ? undefined : err.message,
          tone: 'error',
        });
        return;
      }
      if (err.status === 409) {
        if (/not the version/.test(err.message)) {
          this.setSignMessage({ key: 'sign.changed', detail: err.message, tone: 'error' });
          return;
        }
        this.setSignMessage({ key: 'sign.failed', detail: err.message, tone: 'error' });
        return;
      }
      if (err.status < 500 && err.status !== 429) return this.fatal(err);
    }
    this.setSignMessage({ key: 'sign.failed', tone: 'error' });
  }

  private setSignMessage(msg: Msg | undefined): void {
    this.signMsg = msg;
    const old = document.getElementById('sign-message');
    old?.replaceWith(this.message(msg, 'sign-message'));
  }

  private declineDialog(): HTMLDialogElement {
    const reason = h('textarea', {
      id: 'decline-reason',
      class: 'text-input',
      rows: 4,
      maxlength: 1000,
      required: true,
      'aria-describedby': 'decline-error',
    });
    const error = h('p', { class: 'field-error', id: 'decline-error', hidden: true });
    const confirm = h(
      'button',
      { type: 'button', class: 'button danger', id: 'decline-confirm' },
      t('decline.confirm'),
    );
    const cancel = h(
      'button',
      { type: 'button', class: 'button secondary', id: 'decline-cancel' },
      t('decline.cancel'),
    );
    const dialog = h(
      'dialog',
      {
        class: 'dialog',
        'aria-labelledby': 'decline-h',
        'aria-describedby': 'decline-intro',
        id: 'decline-dialog',
      },
      h('h2', { id: 'decline-h' }, t('decline.title')),
      h('p', { id: 'decline-intro' }, t('decline.intro')),
      h('label', { for: 'decline-reason' }, t('decline.reason')),
      reason,
      error,
      h('div', { class: 'actions' }, confirm, cancel),
    );
    on(cancel, 'click', () => dialog.close());
    on(reason, 'input', () => {
      if (!reason.value.trim() || error.hidden) return;
      error.hidden = true;
      reason.setAttribute('aria-invalid', 'false');
    });
    on(confirm, 'click', async () => {
      if (this.busy) return;
      const text = reason.value.trim();
      if (!text) {
        error.textContent = t('decline.reasonRequired');
        error.hidden = false;
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      this.busy = true;
      confirm.disabled = true;
      confirm.textContent = t('decline.working');
      try {
        await this.api!.decline(text);
        this.busy = false;
        dialog.close();
        this.show({ kind: 'declined' });
      } catch (err) {
        this.busy = false;
        confirm.disabled = false;
        confirm.textContent = t('decline.confirm');
        // A retried decline that already went through: the link now answers that the envelope ended.
        if (
          err instanceof ApiError &&
          (err.status === 409 || err.status === 410) &&
          /declined/.test(err.message)
        ) {
          dialog.close();
          return this.show({ kind: 'declined' });
        }
        if (err instanceof ApiError && err.status === 400) {
          error.textContent = t('fields.server', { message: err.details[0]?.message ?? err.message });
          error.hidden = false;
          return;
        }
        if (err instanceof NetworkError) {
          error.textContent = t('error.network.body');
          error.hidden = false;
          return;
        }
        dialog.close();
        this.fatal(err);
      }
    });
    return dialog;
  }

  private withdrawDialog(): HTMLDialogElement {
    const confirm = h(
      'button',
      { type: 'button', class: 'button danger', id: 'withdraw-confirm' },
      t('withdraw.confirm'),
    );
    const cancel = h('button', { type: 'button', class: 'button secondary' }, t('decline.cancel'));
    const error = h('p', { class: 'field-error', hidden: true });
    const dialog = h(
      'dialog',
      {
        class: 'dialog',
        'aria-labelledby': 'withdraw-h',
        'aria-describedby': 'withdraw-intro',
        id: 'withdraw-dialog',
      },
      h('h2', { id: 'withdraw-h' }, t('withdraw.title')),
      h('p', { id: 'withdraw-intro' }, t('withdraw.intro')),
      error,
      h('div', { class: 'actions' }, confirm, cancel),
    );
    on(cancel, 'click', () => dialog.close());
    on(confirm, 'click', async () => {
      if (this.busy) return;
      this.busy = true;
      confirm.disabled = true;
      try {
        this.session = await this.api!.withdrawConsent();
        this.busy = false;
        dialog.close();
        this.show({ kind: 'withdrawn' });
      } catch (err) {
        this.busy = false;
        confirm.disabled = false;
        if (err instanceof NetworkError) {
          error.textContent = t('error.network.body');
          error.hidden = false;
          return;
        }
        dialog.close();
        this.fatal(err);
      }
    });
    return dialog;
  }

  private doneView(): HTMLElement {
    const s = this.session!;
    const approved = s.recipient.status === 'approved' || s.recipient.role === 'approver';
    const completed = s.envelope.status === 'completed';
    if (!completed) void this.pollCompletion();
    return h(
      'section',
      { class: 'screen card narrow done', 'data-screen': 'done', 'data-envelope-status': s.envelope.status },
      h('div', { class: 'done-mark', 'aria-hidden': 'true' }, '✓'),
      h('h1', {}, t(approved ? 'done.approved.title' : 'done.signed.title')),
      h('p', {}, t(approved ? 'done.approved.body' : 'done.signed.body', { title: s.envelope.title })),
      h('h2', {}, t('done.next')),
      completed ? null : h('p', {}, t('done.nextOthers')),
      h(
        'p',
        { role: 'status', class: completed ? 'completed-note' : 'muted' },
        t(completed ? 'done.completed' : 'done.waiting'),
      ),
      h(
        'div',
        { class: 'actions' },
        this.downloadButton(completed ? 'done.downloadCompleted' : 'done.downloadSigned'),
      ),
      h('p', { class: 'muted close-note' }, t('done.close')),
    );
  }

  /** After signing: the completed document's link as soon as the envelope completes (for a while). */
  private async pollCompletion(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      for (let i = 0; i < 60 && this.screen.kind === 'done'; i++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 1500 + i * 500)));
        let fresh;
        try {
          fresh = await this.api!.session();
        } catch {
          continue;
        }
        if (isSession(fresh) && fresh.envelope.status !== this.session?.envelope.status) {
          this.session = fresh;
          if (this.screen.kind === 'done') this.render(false);
          if (fresh.envelope.status === 'completed') announce(t('done.completed'));
        }
        if (isSession(fresh) && fresh.envelope.status !== 'sent') return;
      }
    } finally {
      this.polling = false;
    }
  }
}

new SigningPage().start();
