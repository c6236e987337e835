/**
 * Form parts the send pages share (a one-off PDF, pages/send.ts, and a template,
 * pages/send-template.ts): how a recipient authenticates (with the phone or access code the
 * method needs), the reminder and expiry settings (left empty: the template's or the
 * organisation's defaults, shown as placeholders), the title and message, and the card that
 * creates the envelope and sends it. Server errors name fields by path
 * (`body.recipients[0].email`); `showDetails` puts each message under its control.
 */

import { ApiError, type ConsoleApi } from './api';
import { dictionary } from './i18n';
import type { PageContext } from './pages/registry';
import type { AuthInput, AuthMethod, Envelope, EnvelopeSettings, SettingsInput } from './types';
import {
  errorBox,
  field,
  fieldError,
  focusHeading,
  h,
  input,
  on,
  ProgressBar,
  select,
  toast,
  uid,
} from './ui';

const t = dictionary(
  {
    language: 'Language',
    'language.auto': 'Their browser’s (e-mails in English)',
    'language.en': 'English',
    'language.es': 'Spanish',
    auth: 'Identity check',
    'auth.email': 'E-mail link only',
    'auth.email_code': 'Code by e-mail',
    'auth.sms': 'Code by SMS',
    'auth.access_code': 'Access code',
    phone: 'Mobile phone',
    phoneHint: 'International form, such as +15555550123.',
    code: 'Access code',
    codeHint:
      '6 to 32 characters. Give it to the recipient yourself (by phone, in person); it is not shown again.',
    'required.phone': 'Enter a phone number in international form, such as +15555550123.',
    'required.code': 'The access code needs 6 to 32 characters.',
    settings: 'Reminders and expiry',
    settingsHint: 'Leave a box empty to use the default shown in it.',
    firstAfter: 'First reminder after (hours)',
    every: 'Then every (hours)',
    max: 'Reminders at most',
    expires: 'Expires after (days)',
    warn: 'Warn before expiry (days)',
    wholeNumber: 'Enter a whole number.',
    details: 'Title and message',
    envTitle: 'Title',
    message: 'Message to the recipients',
    send: 'Send for signature',
    sending: 'Sending…',
    sent: (p) => `“${p.title}” was sent.`,
    createdNotSent: 'The envelope was saved as a draft but could not be sent.',
    notSent: 'Nothing was sent.',
    fix: 'Some details are missing: see the marked boxes.',
    'missing.title': 'Enter a title.',
    'missing.name': 'Enter the name.',
    'missing.email': 'Enter an e-mail address.',
  },
  {
    language: 'Idioma',
    'language.auto': 'El de su navegador (correos en inglés)',
    'language.en': 'Inglés',
    'language.es': 'Español',
    auth: 'Comprobación de identidad',
    'auth.email': 'Solo el enlace por correo',
    'auth.email_code': 'Código por correo',
    'auth.sms': 'Código por SMS',
    'auth.access_code': 'Código de acceso',
    phone: 'Teléfono móvil',
    phoneHint: 'En formato internacional, como +34600000000.',
    code: 'Código de acceso',
    codeHint:
      'De 6 a 32 caracteres. Déselo usted al destinatario (por teléfono, en persona); no se vuelve a mostrar.',
    'required.phone': 'Escriba un teléfono en formato internacional, como +34600000000.',
    'required.code': 'El código de acceso necesita de 6 a 32 caracteres.',
    settings: 'Recordatorios y caducidad',
    settingsHint: 'Deje una casilla vacía para usar el valor predeterminado que muestra.',
    firstAfter: 'Primer recordatorio tras (horas)',
    every: 'Después cada (horas)',
    max: 'Recordatorios como máximo',
    expires: 'Caduca tras (días)',
    warn: 'Avisar antes de caducar (días)',
    wholeNumber: 'Escriba un número entero.',
    details: 'Título y mensaje',
    envTitle: 'Título',
    message: 'Mensaje para los destinatarios',
    send: 'Enviar para firmar',
    sending: 'Enviando…',
    sent: (p) => `Se envió «${p.title}».`,
    createdNotSent: 'El sobre se guardó como borrador, pero no se pudo enviar.',
    notSent: 'No se envió nada.',
    fix: 'Faltan datos: vea las casillas marcadas.',
    'missing.title': 'Escriba un título.',
    'missing.name': 'Escriba el nombre.',
    'missing.email': 'Escriba una dirección de correo.',
  },
);

const METHODS: AuthMethod[] = ['email', 'email_code', 'sms', 'access_code'];

/** The recipient's language: their e-mails and signing page (the browser's when left as it is). */
export class LanguageControl {
  readonly select = select(
    (['', 'en', 'es'] as const).map((l) => ({ value: l, label: t(l ? `language.${l}` : 'language.auto') })),
    '',
    { 'data-part': 'language' },
  );
  readonly element = field(t('language'), this.select);

  /** As the API takes it: `{ language }`, or nothing for the default. */
  value(): { language?: string } {
    return this.select.value ? { language: this.select.value } : {};
  }
}

/** The authentication method select and the phone or code it needs. */
export class AuthControls {
  readonly element: HTMLElement;
  readonly method: HTMLSelectElement;
  readonly phone: HTMLInputElement;
  readonly code: HTMLInputElement;
  private readonly phoneField: HTMLElement;
  private readonly codeField: HTMLElement;

  constructor(initial: AuthMethod = 'email') {
    this.method = select(
      METHODS.map((m) => ({ value: m, label: t(`auth.${m}`) })),
      initial,
      { 'data-part': 'auth' },
    );
    this.phone = input({
      type: 'tel',
      autocomplete: 'off',
      'data-part': 'phone',
      placeholder: '+15555550123',
    });
    this.code = input({
      type: 'text',
      autocomplete: 'off',
      'data-part': 'code',
      minlength: 6,
      maxlength: 32,
    });
    this.phoneField = field(t('phone'), this.phone, { hint: t('phoneHint'), required: true });
    this.codeField = field(t('code'), this.code, { hint: t('codeHint'), required: true });
    this.element = h(
      'div',
      { class: 'auth-controls' },
      field(t('auth'), this.method),
      this.phoneField,
      this.codeField,
    );
    on(this.method, 'change', () => this.sync());
    this.sync();
  }

  private sync(): void {
    this.phoneField.hidden = this.method.value !== 'sms';
    this.codeField.hidden = this.method.value !== 'access_code';
  }

  /** Marks what is missing; answers whether all is there. */
  check(): boolean {
    let ok = true;
    fieldError(this.phone);
    fieldError(this.code);
    if (this.method.value === 'sms' && !/^\+[1-9]\d{6,14}$/.test(this.phone.value.trim())) {
      fieldError(this.phone, t('required.phone'));
      ok = false;
    }
    const code = this.code.value;
    if (this.method.value === 'access_code' && (code.length < 6 || code.length > 32)) {
      fieldError(this.code, t('required.code'));
      ok = false;
    }
    return ok;
  }

  value(): AuthInput | undefined {
    switch (this.method.value as AuthMethod) {
      case 'email_code':
        return { method: 'email_code' };
      case 'sms':
        return { method: 'sms', phone: this.phone.value.trim() };
      case 'access_code':
        return { method: 'access_code', code: this.code.value };
      default:
        return undefined;
    }
  }

  /** The control a server path under `auth` refers to. */
  controlFor(rest: string): HTMLElement {
    if (rest.startsWith('phone')) return this.phone;
    if (rest.startsWith('code')) return this.code;
    return this.method;
  }
}

export const BUILT_IN_SETTINGS: EnvelopeSettings = {
  reminders: { firstAfterHours: 48, everyHours: 48, max: 10 },
  expiresInDays: 120,
  warnDaysBefore: 3,
  notifySender: { signed: true, completed: true, declined: true, expired: true },
};

/** Reminders and expiry: numbers left empty take the defaults shown as placeholders. */
export class SettingsControls {
  readonly element: HTMLElement;
  readonly firstAfter = input({
    type: 'number',
    min: 1,
    max: 8640,
    step: 1,
    inputmode: 'numeric',
    'data-part': 'firstAfterHours',
  });
  readonly every = input({
    type: 'number',
    min: 1,
    max: 8640,
    step: 1,
    inputmode: 'numeric',
    'data-part': 'everyHours',
  });
  readonly max = input({
    type: 'number',
    min: 0,
    max: 50,
    step: 1,
    inputmode: 'numeric',
    'data-part': 'max',
  });
  readonly expires = input({
    type: 'number',
    min: 1,
    max: 360,
    step: 1,
    inputmode: 'numeric',
    'data-part': 'expiresInDays',
  });
  readonly warn = input({
    type: 'number',
    min: 0,
    max: 359,
    step: 1,
    inputmode: 'numeric',
    'data-part': 'warnDaysBefore',
  });

  constructor() {
    const headingId = uid('settings');
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, t('settings')),
      h('p', { class: 'hint' }, t('settingsHint')),
      h(
        'div',
        { class: 'grid settings-grid' },
        field(t('firstAfter'), this.firstAfter),
        field(t('every'), this.every),
        field(t('max'), this.max),
        field(t('expires'), this.expires),
        field(t('warn'), this.warn),
      ),
    );
    this.defaults(BUILT_IN_SETTINGS);
  }

  /** Shows the values that apply when a box is left empty. */
  defaults(settings: Partial<EnvelopeSettings> | SettingsInput): void {
    const r = { ...BUILT_IN_SETTINGS.reminders, ...settings.reminders };
    this.firstAfter.placeholder = String(r.firstAfterHours);
    this.every.placeholder = String(r.everyHours);
    this.max.placeholder = String(r.max);
    this.expires.placeholder = String(settings.expiresInDays ?? BUILT_IN_SETTINGS.expiresInDays);
    this.warn.placeholder = String(settings.warnDaysBefore ?? BUILT_IN_SETTINGS.warnDaysBefore);
  }

  private number(el: HTMLInputElement): number | undefined | null {
    const raw = el.value.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    return Number.isInteger(n) ? n : null;
  }

  check(): boolean {
    let ok = true;
    for (const el of [this.firstAfter, this.every, this.max, this.expires, this.warn]) {
      const bad = this.number(el) === null;
      fieldError(el, bad ? t('wholeNumber') : undefined);
      if (bad) ok = false;
    }
    return ok;
  }

  value(): SettingsInput {
    const reminders: NonNullable<SettingsInput['reminders']> = {};
    const firstAfter = this.number(this.firstAfter);
    const every = this.number(this.every);
    const max = this.number(this.max);
    if (typeof firstAfter === 'number') reminders.firstAfterHours = firstAfter;
    if (typeof every === 'number') reminders.everyHours = every;
    if (typeof max === 'number') reminders.max = max;
    const expires = this.number(this.expires);
    const warn = this.number(this.warn);
    return {
      ...(Object.keys(reminders).length ? { reminders } : {}),
      ...(typeof expires === 'number' ? { expiresInDays: expires } : {}),
      ...(typeof warn === 'number' ? { warnDaysBefore: warn } : {}),
    };
  }

  /**
   * Shows the organisation's defaults (its tenant settings) as the placeholders, under a
   * template's own settings when there is one; the template's alone when they cannot be read.
   */
  async showDefaults(api: ConsoleApi, signal: AbortSignal, template?: SettingsInput): Promise<void> {
    try {
      const { envelopeDefaults: d } = await api.get<{ envelopeDefaults: Partial<EnvelopeSettings> }>(
        '/v1/tenant/settings',
        undefined,
        { signal },
      );
      this.defaults({ ...d, ...template, reminders: { ...d.reminders, ...template?.reminders } });
    } catch {
      if (template) this.defaults(template);
    }
  }

  /** The control a server path (`body.reminders.max`, `body.expiresInDays`) refers to. */
  controlFor(path: string): HTMLElement | undefined {
    const map: Record<string, HTMLElement> = {
      'body.reminders.firstAfterHours': this.firstAfter,
      'body.reminders.everyHours': this.every,
      'body.reminders.max': this.max,
      'body.expiresInDays': this.expires,
      'body.warnDaysBefore': this.warn,
    };
    return map[path];
  }
}

/**
 * Each of the server's field errors under the control it names (`resolve` maps a path to a
 * control); answers the first control marked, to move focus to.
 */
export function showDetails(
  err: ApiError,
  resolve: (path: string) => HTMLElement | undefined,
): HTMLElement | undefined {
  let first: HTMLElement | undefined;
  for (const detail of err.details) {
    const control = resolve(detail.path);
    if (!control) continue;
    fieldError(control, detail.message);
    first ??= control;
  }
  return first;
}

/** Clears every field error inside an element. */
export function clearErrors(root: HTMLElement): void {
  for (const el of root.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) fieldError(el);
}

/** The envelope's title and message to the recipients, in their card. */
export class EnvelopeDetails {
  readonly title: HTMLInputElement;
  readonly message = h('textarea', { id: 'envelope-message', rows: 3, maxlength: 10000 });
  readonly element: HTMLElement;

  constructor(initial: { title?: string; message?: string } = {}) {
    this.title = input({ id: 'envelope-title', maxlength: 200, value: initial.title, autocomplete: 'off' });
    if (initial.message !== undefined) this.message.value = initial.message;
    const heading = uid('details');
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': heading },
      h('h2', { id: heading }, t('details')),
      field(t('envTitle'), this.title, { required: true }),
      field(t('message'), this.message),
    );
  }

  /** The title, and the message when there is one, as the API takes them. */
  value(): { title: string; message?: string } {
    return {
      title: this.title.value.trim(),
      ...(this.message.value.trim() ? { message: this.message.value } : {}),
    };
  }

  /** Marks a missing title; answers it then, to be fixed. */
  check(): HTMLElement | undefined {
    if (this.title.value.trim()) return undefined;
    fieldError(this.title, t('missing.title'));
    return this.title;
  }

  controlFor(path: string): HTMLElement | undefined {
    if (path.startsWith('body.title')) return this.title;
    if (path.startsWith('body.message')) return this.message;
    return undefined;
  }
}

/** Marks a recipient's missing name, and an e-mail address that is not one; answers those marked. */
export function checkPerson(name: HTMLInputElement, email: HTMLInputElement): HTMLElement[] {
  const marked: HTMLElement[] = [];
  if (!name.value.trim()) {
    fieldError(name, t('missing.name'));
    marked.push(name);
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) {
    fieldError(email, t('missing.email'));
    marked.push(email);
  }
  return marked;
}

/** The last card of a send page: the progress, what happened, and the send button. */
export class SendCard {
  readonly progress: ProgressBar;
  readonly outcome = h('div', { class: 'outcome' });
  readonly button = h('button', { type: 'submit', class: 'button primary', id: 'send-envelope' }, t('send'));
  readonly element: HTMLElement;

  constructor(progressLabel = t('sending')) {
    this.progress = new ProgressBar(progressLabel);
    this.element = h(
      'div',
      { class: 'card submit-card' },
      this.progress.element,
      this.outcome,
      h('div', { class: 'actions' }, this.button),
    );
  }

  /**
   * Checks the form (`check` marks what is missing and answers the first control to fix); then
   * creates the envelope `body` makes, sends it and opens its page. One created but not sent
   * opens too (its page can send the draft again); anything else refused is said here, and under
   * the controls the server's details name (`controlFor`).
   */
  async submit(
    ctx: Pick<PageContext, 'api' | 'navigate' | 'signal'>,
    check: () => HTMLElement | undefined,
    body: () => Promise<Record<string, unknown>>,
    controlFor: (path: string) => HTMLElement | undefined,
  ): Promise<void> {
    this.outcome.replaceChildren();
    const invalid = check();
    if (invalid) {
      this.outcome.replaceChildren(h('p', { class: 'notice error', role: 'alert' }, t('fix')));
      invalid.focus();
      return;
    }
    this.button.disabled = true;
    this.button.textContent = t('sending');
    let created: Envelope | undefined;
    try {
      created = await ctx.api.post<Envelope>('/v1/envelopes', await body(), { signal: ctx.signal });
      await ctx.api.post(`/v1/envelopes/${encodeURIComponent(created.id)}/send`, undefined, {
        signal: ctx.signal,
      });
      toast(t('sent', { title: created.title }), 'success');
      ctx.navigate(`/envelopes/${encodeURIComponent(created.id)}`);
    } catch (err) {
      if (ctx.signal.aborted) return;
      if (created) {
        toast(`${t('createdNotSent')} ${err instanceof Error ? err.message : ''}`, 'error');
        ctx.navigate(`/envelopes/${encodeURIComponent(created.id)}`);
        return;
      }
      this.outcome.replaceChildren(errorBox(err, t('notSent')));
      const first = err instanceof ApiError ? showDetails(err, controlFor) : undefined;
      if (first) first.focus();
      else focusHeading(this.outcome.querySelector<HTMLElement>('.notice-title'));
    } finally {
      this.progress.hide();
      this.button.disabled = false;
      this.button.textContent = t('send');
    }
  }
}
