/**
 * A document shown page by page with pdf.js. Pages are drawn when they come near the screen and
 * drawn again when the width changes a lot (a phone turned sideways); the recipient's fields sit
 * over each page as boxes placed in percent of the page, so they follow any size. Each page's text
 * is also kept for screen readers, since a canvas has none.
 */

import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
import { drawPage, openPdf, placeBox } from '../shared/pdf';
import type { SigningDocument, SigningField } from './api';
import { h } from './dom';
import { t } from './i18n';

/** The largest device pixel ratio drawn: sharper is not visible, only heavier. */
const MAX_RATIO = 2.5;
/** Pages at most this far off screen are drawn ahead of time. */
const AHEAD = '800px 0px';
/** Page text kept for screen readers, at most (characters per page). */
const MAX_PAGE_TEXT = 20_000;

interface PageView {
  number: number;
  element: HTMLElement;
  canvas: HTMLCanvasElement;
  overlays: HTMLElement;
  text: HTMLElement;
  /** Page size in PDF points. */
  width: number;
  height: number;
  proxy?: PDFPageProxy;
  drawnWidth: number;
  drawing?: Promise<void>;
  visible: boolean;
}

export class DocumentView {
  readonly element: HTMLElement;
  private readonly pagesEl: HTMLElement;
  private readonly statusEl: HTMLElement;
  private readonly heading: HTMLElement;
  private pages: PageView[] = [];
  private pdf: PDFDocumentProxy | undefined;
  private observer: IntersectionObserver | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private lastWidth = 0;
  private statusKey: 'docs.loading' | 'docs.failed' | 'docs.changed' | null = 'docs.loading';
  readonly download: HTMLAnchorElement;

  constructor(
    readonly doc: SigningDocument,
    private readonly fields: SigningField[],
    private readonly overlayFor: (field: SigningField) => HTMLElement,
    private readonly assets: URL,
  ) {
    this.heading = h('h3', { class: 'doc-name' }, doc.name);
    this.statusEl = h('p', { class: 'doc-status', role: 'status' }, t('docs.loading'));
    this.download = h('a', { class: 'button secondary doc-download', hidden: true, download: doc.name });
    this.pagesEl = h('div', { class: 'pages' });
    this.element = h(
      'section',
      { class: 'document', 'aria-label': doc.name, 'data-document': doc.id },
      h('div', { class: 'doc-head' }, this.heading, this.download),
      this.statusEl,
      this.pagesEl,
    );
    this.relabel();
  }

  /** Shows the document from its bytes (already checked against the hash the recipient signs). */
  async load(bytes: Uint8Array): Promise<void> {
    const blob = new Blob([bytes as BlobPart], { type: 'application/pdf' });
    this.download.href = URL.createObjectURL(blob);
    this.download.hidden = false;
    try {
      // The download keeps the original bytes: pdf.js reads a copy.
      this.pdf = await openPdf(bytes, this.assets);
      for (let n = 1; n <= this.pdf.numPages; n++) {
        const proxy = await this.pdf.getPage(n);
        const viewport = proxy.getViewport({ scale: 1 });
        this.pages.push(this.pageView(n, viewport.width, viewport.height, proxy));
      }
      this.setStatus(null);
      this.pagesEl.replaceChildren(...this.pages.map((p) => p.element));
      this.relabel();
      this.watch();
      // The text for screen readers, page by page, while the pages are drawn.
      for (const page of this.pages) await this.extractText(page);
    } catch (err) {
      this.setStatus('docs.failed');
      throw err;
    }
  }

  /** The document cannot be trusted or shown: say why, and keep the download where there is one. */
  fail(key: 'docs.failed' | 'docs.changed'): void {
    this.setStatus(key);
  }

  /** Everything that has words, in the current language. */
  relabel(): void {
    this.download.textContent = t('docs.download', { name: this.doc.name });
    if (this.statusKey) this.statusEl.textContent = t(this.statusKey);
    for (const page of this.pages) {
      const label = t('docs.pageOf', { page: page.number, pages: this.pages.length });
      page.element.setAttribute('aria-label', label);
      page.element.querySelector('.page-number')!.textContent = label;
    }
  }

  /** The box of one field on its page, to scroll it into view. */
  overlayPage(field: SigningField): HTMLElement | undefined {
    return this.pages.find((p) => p.number === field.page)?.element;
  }

  destroy(): void {
    this.observer?.disconnect();
    this.resizeObserver?.disconnect();
    if (this.download.href) URL.revokeObjectURL(this.download.href);
    void this.pdf?.destroy();
  }

  private setStatus(key: DocumentView['statusKey']): void {
    this.statusKey = key;
    this.statusEl.textContent = key ? t(key) : '';
    this.statusEl.hidden = key === null;
    this.statusEl.classList.toggle('error', key === 'docs.failed' || key === 'docs.changed');
  }

  private pageView(number: number, width: number, height: number, proxy: PDFPageProxy): PageView {
    const canvas = h('canvas', { 'aria-hidden': 'true', class: 'page-canvas' });
    const overlays = h('div', { class: 'overlays' });
    const text = h('div', { class: 'sr-only page-text' });
    const element = h(
      'div',
      { class: 'page', role: 'group', 'data-page': number, 'data-rendered': 'false' },
      h('p', { class: 'page-number', 'aria-hidden': 'true' }),
      h('div', { class: 'page-frame' }, canvas, overlays),
      text,
    );
    // The frame keeps the page's proportions before and after it is drawn.
    (element.querySelector('.page-frame') as HTMLElement).style.aspectRatio = `${width} / ${height}`;
    for (const field of this.fields.filter((f) => f.documentId === this.doc.id && f.page === number)) {
      const box = this.overlayFor(field);
      placeBox(box, { width, height }, field);
      overlays.appendChild(box);
    }
    return { number, element, canvas, overlays, text, width, height, proxy, drawnWidth: 0, visible: false };
  }

  private watch(): void {
    if (typeof IntersectionObserver === 'undefined') {
      for (const page of this.pages) void this.draw(page);
      return;
    }
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const page = this.pages.find((p) => p.element === entry.target);
          if (!page) continue;
          page.visible = entry.isIntersecting;
          if (page.visible) void this.draw(page);
        }
      },
      { rootMargin: AHEAD },
    );
    for (const page of this.pages) this.observer.observe(page.element);
    this.resizeObserver = new ResizeObserver(() => {
      const width = this.pagesEl.clientWidth;
      if (!this.lastWidth) this.lastWidth = width;
      // Drawn again only when the width changed enough to show (not for every pixel of a drag).
      if (Math.abs(width - this.lastWidth) / this.lastWidth < 0.2) return;
      this.lastWidth = width;
      for (const page of this.pages) if (page.visible) void this.draw(page);
    });
    this.resizeObserver.observe(this.pagesEl);
  }

  private async draw(page: PageView): Promise<void> {
    const frame = page.canvas.parentElement!;
    const cssWidth = frame.clientWidth;
    if (!page.proxy || !cssWidth) return;
    const ratio = Math.min(window.devicePixelRatio || 1, MAX_RATIO);
    const pixelWidth = Math.round(cssWidth * ratio);
    if (page.drawing) await page.drawing;
    if (Math.abs(page.drawnWidth - pixelWidth) < 2) return;
    const proxy = page.proxy;
    page.drawing = (async () => {
      await drawPage(proxy, page.canvas, pixelWidth / page.width);
      page.drawnWidth = pixelWidth;
      page.element.setAttribute('data-rendered', 'true');
    })();
    try {
      await page.drawing;
    } finally {
      page.drawing = undefined;
    }
  }

  private async extractText(page: PageView): Promise<void> {
    if (!page.proxy) return;
    try {
      const content = await page.proxy.getTextContent();
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += item.str + (item.hasEOL ? '\n' : ' ');
        if (text.length > MAX_PAGE_TEXT) break;
      }
      page.text.textContent = text.trim().slice(0, MAX_PAGE_TEXT);
    } catch {
      // A page without extractable text has nothing more to read out than its label.
    }
  }
}
