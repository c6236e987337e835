/**
 * A PDF shown page by page with pdf.js, for every console page that places or previews things on
 * a document (the one-off send, the template preview, the template editor, the version diff). The
 * same rendering as the signing page's viewer (web/signing/pdf-view.ts: drawn when near the
 * screen, drawn again when the width changes a lot, off-screen first), without its
 * recipient-specific parts: each page has an `overlays` layer whose children are placed in
 * percent of the page (so they follow any width), and its size in PDF points, so a position on
 * screen converts to points from the top-left (as the API takes them).
 *
 * With a `label` the pages are a labelled region with a status line (rendering, or why the
 * document cannot be shown); without one the element is just the pages, and the caller reports
 * failures itself.
 */

import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
import { configurePdf, drawPage, openPdf } from '../shared/pdf';
import { dictionary } from './i18n';
import { h } from './ui';

const t = dictionary(
  {
    loading: 'Rendering the document…',
    failed: 'The document could not be shown. It may be damaged or protected by a password.',
    page: (p) => `Page ${p.page} of ${p.pages}`,
  },
  {
    loading: 'Mostrando el documento…',
    failed: 'No se pudo mostrar el documento. Puede estar dañado o protegido con contraseña.',
    page: (p) => `Página ${p.page} de ${p.pages}`,
  },
);

const MAX_RATIO = 2.5;
const AHEAD = '800px 0px';

export interface PageBox {
  number: number;
  /** Page size in PDF points. */
  width: number;
  height: number;
  element: HTMLElement;
  /** The page's drawing and overlays; positions inside it are fractions of the page. */
  frame: HTMLElement;
  /** Where boxes go: positioned over the page, in percent. */
  overlays: HTMLElement;
}

/** A rectangle in PDF points from the top-left of a page. */
export interface PageRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The page under a point on screen (client coordinates), and the point in its PDF points. */
export function pointOnPage(
  pages: readonly PageBox[],
  clientX: number,
  clientY: number,
): { page: PageBox; x: number; y: number } | undefined {
  for (const page of pages) {
    const r = page.frame.getBoundingClientRect();
    if (clientX < r.left || clientX > r.right || clientY < r.top || clientY > r.bottom) continue;
    return {
      page,
      x: ((clientX - r.left) / r.width) * page.width,
      y: ((clientY - r.top) / r.height) * page.height,
    };
  }
  return undefined;
}

/** The page most in view (the first one when none is). */
export function pageInView(pages: readonly PageBox[]): PageBox | undefined {
  let best: PageBox | undefined;
  let bestArea = 0;
  for (const page of pages) {
    const r = page.frame.getBoundingClientRect();
    const visible = Math.max(0, Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0));
    if (visible > bestArea) {
      bestArea = visible;
      best = page;
    }
  }
  return best ?? pages[0];
}

/** CSS pixels per PDF point of a page as it is shown now. */
export function pageScale(page: PageBox): number {
  return page.frame.getBoundingClientRect().width / page.width;
}

/** The top-left corner of a box of this size at (x, y), moved as little as needed to fit on the page. */
export function clampToPage(
  page: { width: number; height: number },
  x: number,
  y: number,
  width: number,
  height: number,
): { x: number; y: number } {
  return {
    x: Math.max(0, Math.min(page.width - width, x)),
    y: Math.max(0, Math.min(page.height - height, y)),
  };
}

/** The move an arrow key asks of a box: `step` points, 10 with Shift; undefined for other keys. */
export function arrowMove(event: KeyboardEvent, step: number): [number, number] | undefined {
  const s = event.shiftKey ? 10 : step;
  if (event.key === 'ArrowLeft') return [-s, 0];
  if (event.key === 'ArrowRight') return [s, 0];
  if (event.key === 'ArrowUp') return [0, -s];
  if (event.key === 'ArrowDown') return [0, s];
  return undefined;
}

/**
 * Follows the pointer pressed on `el` (captured there, so a box being dragged keeps it): `move` on
 * each move, then `end` once when it is released or cancelled.
 */
export function followPointer(
  el: HTMLElement,
  down: PointerEvent,
  move: (event: PointerEvent) => void,
  end: (event: PointerEvent) => void,
): void {
  el.setPointerCapture(down.pointerId);
  const up = (event: PointerEvent) => {
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', up);
    el.removeEventListener('pointercancel', up);
    end(event);
  };
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', up);
}

interface PageState extends PageBox {
  canvas: HTMLCanvasElement;
  proxy: PDFPageProxy;
  drawnWidth: number;
  drawing?: Promise<void>;
  visible: boolean;
}

export class PdfPages {
  readonly element: HTMLElement;
  readonly pages: PageBox[] = [];
  private readonly states: PageState[] = [];
  private readonly status: HTMLElement | undefined;
  private readonly list: HTMLElement;
  private pdf: PDFDocumentProxy | undefined;
  private observer: IntersectionObserver | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private lastWidth = 0;

  constructor(
    private readonly assets: URL,
    label?: string,
  ) {
    this.list = h('div', { class: 'pdf-pages' });
    if (label === undefined) {
      this.element = this.list;
    } else {
      this.status = h('p', { class: 'pdf-status', role: 'status' }, t('loading'));
      this.element = h(
        'div',
        { class: 'pdf-view', role: 'region', 'aria-label': label },
        this.status,
        this.list,
      );
    }
  }

  /** Reads the PDF and lays its pages out (each drawn when it comes near the screen). */
  async load(bytes: Uint8Array): Promise<PageBox[]> {
    configurePdf(this.assets);
    try {
      this.pdf = await openPdf(bytes, this.assets);
      const count = this.pdf.numPages;
      for (let n = 1; n <= count; n++) {
        const proxy = await this.pdf.getPage(n);
        const { width, height } = proxy.getViewport({ scale: 1 });
        const canvas = h('canvas', { class: 'pdf-canvas', 'aria-hidden': 'true' });
        const overlays = h('div', { class: 'pdf-overlays' });
        const frame = h('div', { class: 'pdf-frame', 'data-page': n }, canvas, overlays);
        frame.style.aspectRatio = `${width} / ${height}`;
        const label = t('page', { page: n, pages: count });
        const element = h(
          'section',
          { class: 'pdf-page', 'data-page': n, 'data-rendered': 'false', 'aria-label': label },
          h('p', { class: 'pdf-page-number', 'aria-hidden': 'true' }, label),
          frame,
        );
        const state: PageState = {
          number: n,
          width,
          height,
          element,
          frame,
          overlays,
          canvas,
          proxy,
          drawnWidth: 0,
          visible: false,
        };
        this.states.push(state);
        this.pages.push(state);
      }
      if (this.status) this.status.hidden = true;
      this.list.replaceChildren(...this.states.map((p) => p.element));
      this.watch();
      return this.pages;
    } catch (err) {
      if (this.status) {
        this.status.textContent = t('failed');
        this.status.classList.add('error');
      }
      throw err;
    }
  }

  page(number: number): PageBox | undefined {
    return this.pages.find((p) => p.number === number);
  }

  /** A point on screen (client coordinates) in PDF points from the top-left of a page. */
  toPoints(page: PageBox, clientX: number, clientY: number): { x: number; y: number } {
    const rect = page.frame.getBoundingClientRect();
    return {
      x: ((clientX - rect.left) / rect.width) * page.width,
      y: ((clientY - rect.top) / rect.height) * page.height,
    };
  }

  /** CSS pixels per PDF point of a page as it is shown now. */
  scale(page: PageBox): number {
    return pageScale(page);
  }

  destroy(): void {
    this.observer?.disconnect();
    this.resizeObserver?.disconnect();
    void this.pdf?.destroy();
  }

  private watch(): void {
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const page = this.states.find((p) => p.element === entry.target);
          if (!page) continue;
          page.visible = entry.isIntersecting;
          if (page.visible) void this.draw(page);
        }
      },
      { rootMargin: AHEAD },
    );
    for (const page of this.states) this.observer.observe(page.element);
    this.resizeObserver = new ResizeObserver(() => {
      const width = this.list.clientWidth;
      if (!this.lastWidth) this.lastWidth = width;
      if (!width || Math.abs(width - this.lastWidth) / this.lastWidth < 0.2) return;
      this.lastWidth = width;
      for (const page of this.states) if (page.visible) void this.draw(page);
    });
    this.resizeObserver.observe(this.list);
  }

  private async draw(page: PageState): Promise<void> {
    const cssWidth = page.frame.clientWidth;
    if (!cssWidth) return;
    const ratio = Math.min(window.devicePixelRatio || 1, MAX_RATIO);
    const pixelWidth = Math.round(cssWidth * ratio);
    if (page.drawing) await page.drawing;
    if (Math.abs(page.drawnWidth - pixelWidth) < 2) return;
    page.drawing = (async () => {
      await drawPage(page.proxy, page.canvas, pixelWidth / page.width);
      page.drawnWidth = pixelWidth;
      page.element.setAttribute('data-rendered', 'true');
    })();
    try {
      await page.drawing;
    } catch {
      // A page that fails to draw stays blank; the others still show.
    } finally {
      page.drawing = undefined;
    }
  }
}
