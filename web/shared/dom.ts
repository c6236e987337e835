/**
 * A few helpers to build elements without HTML strings (nothing is parsed as markup), for the
 * signing page and the sender console alike.
 */

type Attrs = Record<string, string | number | boolean | undefined | null>;
type Child = Node | string | null | undefined | false;

/**
 * An element with attributes and children. `on<event>` attributes are not supported: listeners are
 * added with `on()`, and no inline handler or style attribute exists (the page's CSP forbids them).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') el.className = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function on<K extends keyof HTMLElementEventMap>(
  el: HTMLElement | Window | Document,
  type: K,
  listener: (event: HTMLElementEventMap[K]) => void,
  options?: AddEventListenerOptions,
): void {
  el.addEventListener(type, listener as EventListener, options);
}

let idCounter = 0;
/** An id unique on the page, for label and description links. */
export const uid = (prefix: string) => `${prefix}-${++idCounter}`;

/** Tells screen readers something without moving focus. */
export function announce(message: string): void {
  const live = document.getElementById('live');
  if (!live) return;
  // Emptied first so that the same message twice is read twice.
  live.textContent = '';
  window.setTimeout(() => {
    live.textContent = message;
  }, 50);
}

/** Moves focus to an element that is not focusable by itself (a heading), for a new screen. */
export function focusHeading(el: HTMLElement | null): void {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus();
}

export const prefersReducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;
