/**
 * Small building blocks for the console's pages: the shared DOM helpers, labelled form fields,
 * toasts, a progress bar for long operations, error boxes that list the server's per-field
 * details, and buttons that show they are busy. Nothing here parses HTML, and no inline style or
 * handler is used (the CSP forbids them; `element.style.x = ...` from script is allowed).
 */

import { ApiError, NetworkError } from './api';
import { t } from './i18n';
import { announce, h, on, uid } from '../shared/dom';

export { announce, append, focusHeading, h, on, uid } from '../shared/dom';

type Child = Node | string | null | undefined | false;

/** A page heading with an optional line of actions beside it. */
export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'page-header' },
    h('h1', { id: 'page-title', tabindex: '-1' }, title),
    h('div', { class: 'actions' }, ...actions),
  );
}

export function card(...children: (Child | Child[])[]): HTMLElement {
  return h('section', { class: 'card' }, ...children);
}

export interface FieldOptions {
  hint?: string;
  required?: boolean;
  class?: string;
}

/**
 * A label, a control and an optional hint, linked for assistive technology. The control gets an id
 * if it has none; `fieldError(control, message)` shows a message under it.
 */
export function field(label: string, control: HTMLElement, options: FieldOptions = {}): HTMLElement {
  if (!control.id) control.id = uid('f');
  const hintId = options.hint ? `${control.id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  if (options.required) control.setAttribute('required', '');
  return h(
    'div',
    { class: `field ${options.class ?? ''}`.trim() },
    h(
      'label',
      { for: control.id },
      label,
      options.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null,
    ),
    control,
    hintId ? h('p', { class: 'hint', id: hintId }, options.hint) : null,
  );
}

/** Shows (or clears, with no message) an error under a control made by `field()`. */
export function fieldError(control: HTMLElement, message?: string): void {
  const box = control.closest('.field');
  if (!box) return;
  box.querySelector('.field-error')?.remove();
  const describedBy = (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter((id) => id && id !== `${control.id}-error`);
  if (message) {
    box.append(h('p', { class: 'field-error', id: `${control.id}-error` }, message));
    describedBy.push(`${control.id}-error`);
    control.setAttribute('aria-invalid', 'true');
  } else control.removeAttribute('aria-invalid');
  if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
  else control.removeAttribute('aria-describedby');
}

export function input(attrs: Record<string, string | number | boolean | undefined> = {}): HTMLInputElement {
  return h('input', { type: 'text', ...attrs });
}

export function select(
  options: { value: string; label: string }[],
  value?: string,
  attrs: Record<string, string> = {},
): HTMLSelectElement {
  const el = h('select', attrs, ...options.map((o) => h('option', { value: o.value }, o.label)));
  if (value !== undefined) el.value = value;
  return el;
}

export function button(
  label: string,
  onClick: (event: MouseEvent) => void,
  attrs: Record<string, string | boolean | undefined> = {},
): HTMLButtonElement {
  const el = h('button', { type: 'button', class: 'button', ...attrs }, label);
  on(el, 'click', onClick);
  return el;
}

/**
 * Runs `work` with the button disabled and saying it is busy; errors go to `onError` (a toast by
 * default). Answers what `work` answered, or undefined after an error.
 */
export async function busy<T>(
  el: HTMLButtonElement,
  work: () => Promise<T>,
  onError: (err: unknown) => void = (err) => toastError(err),
): Promise<T | undefined> {
  el.disabled = true;
  el.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } catch (err) {
    onError(err);
    return undefined;
  } finally {
    el.disabled = false;
    el.removeAttribute('aria-busy');
  }
}

/** The words for an error: the server's message, or what a failed connection means. */
export function errorMessage(err: unknown): string {
  if (err instanceof NetworkError) return t('error.network');
  if (err instanceof ApiError && err.status === 403) return `${t('error.forbidden')} ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * An error as a block: its message, each field the server named (`body.recipients[0].email:
 * must be an e-mail`) and the request's reference. Announced (role=alert).
 */
export function errorBox(err: unknown, title = t('error.title')): HTMLElement {
  const details = err instanceof ApiError ? err.details : [];
  const requestId = err instanceof ApiError ? err.requestId : undefined;
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', { class: 'notice-title' }, title),
    h('p', {}, errorMessage(err)),
    details.length
      ? [
          h('p', {}, t('error.fields')),
          h(
            'ul',
            { class: 'error-details' },
            ...details.map((d) => h('li', {}, h('code', {}, d.path), ` ${d.message}`)),
          ),
        ]
      : null,
    requestId ? h('p', { class: 'muted small' }, t('error.requestId', { id: requestId })) : null,
  );
}

/** A short message in a corner, read out, gone after a while (errors stay until dismissed). */
export function toast(message: string, tone: 'info' | 'success' | 'error' = 'info', timeoutMs = 6000): void {
  let region = document.getElementById('toasts');
  if (!region) {
    region = h('div', { id: 'toasts', class: 'toasts' });
    document.body.append(region);
  }
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': t('toast.close') }, '×');
  const el = h(
    'div',
    { class: `toast ${tone}`, role: tone === 'error' ? 'alert' : 'status' },
    h('p', {}, message),
    close,
  );
  on(close, 'click', () => el.remove());
  region.append(el);
  if (tone !== 'error') window.setTimeout(() => el.remove(), timeoutMs);
  if (tone !== 'error') announce(message);
}

export function toastError(err: unknown): void {
  const details = err instanceof ApiError ? err.details : [];
  toast([errorMessage(err), ...details.map((d) => `${d.path}: ${d.message}`)].join(' — '), 'error');
}

/** A progress bar with a label, for uploads and other long operations. */
export class ProgressBar {
  readonly element: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;

  constructor(label: string) {
    const id = uid('progress');
    this.bar = h('progress', { id, max: 100, value: 0 });
    this.text = h('span', { class: 'progress-text', 'aria-live': 'polite' }, '0%');
    this.element = h(
      'div',
      { class: 'progress', hidden: true },
      h('label', { for: id }, label),
      this.bar,
      this.text,
    );
  }

  /** A fraction between 0 and 1; undefined shows an indeterminate bar. */
  set(fraction: number | undefined, text?: string): void {
    this.element.hidden = false;
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    this.text.textContent = text ?? (fraction === undefined ? '' : `${this.bar.value}%`);
  }

  hide(): void {
    this.element.hidden = true;
  }
}

/** A status as a coloured label (envelopes, recipients, templates). */
export function badge(status: string, label = status): HTMLElement {
  return h('span', { class: `badge status-${status.replace(/[^a-z_-]/gi, '')}` }, label);
}

/** A definition list from label/value pairs (values left out when empty). */
export function facts(rows: [string, Child | Child[]][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    ...rows
      .filter(([, value]) => value !== undefined && value !== null && value !== '' && value !== false)
      .map(([label, value]) =>
        h('div', {}, h('dt', {}, label), h('dd', {}, ...(Array.isArray(value) ? value : [value]))),
      ),
  );
}

/**
 * A box that scrolls (a wide or long table): focusable and named, so that it can be scrolled from
 * the keyboard and a screen reader says what it is.
 */
export function scrollRegion(label: string, child: Node, className = 'table-wrap'): HTMLElement {
  return h('div', { class: className, role: 'region', 'aria-label': label, tabindex: '0' }, child);
}

/** Saves bytes as a file through a temporary link. */
export function saveFile(bytes: BlobPart, name: string, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
