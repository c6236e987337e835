/**
 * A template's PDF drawn page by page with pdf.js, each page with a layer above it where the
 * template editor and the version diff place their boxes (in percent of the page, so they follow
 * any width). Pages are drawn when they come near the screen and again when the width changes a
 * lot. The bytes are checked against the SHA-256 the template records before anything is drawn.
 */

import type { PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist';
import { configurePdf, drawPage, openPdf } from '../../shared/pdf';
import type { ConsoleApi } from '../api';
import { h } from '../ui';

export interface PdfPage {
  number: number;
  /** Size in PDF points. */
  width: number;
  height: number;
  element: HTMLElement;
  frame: HTMLElement;
  /** Where boxes go: positioned over the page, in percent. */
  layer: HTMLElement;
}

const MAX_RATIO = 2;

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The PDF of a template version, fetched through its short-lived link and checked. */
export async function templatePdf(
  api: ConsoleApi,
  templateId: string,
  version: number,
  expectedSha256: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  const link = await api.get<{ url: string; headers: Record<string, string> }>(
    `/v1/templates/${encodeURIComponent(templateId)}/document`,
    { version },
    signal ? { signal } : {},
  );
  const res = await fetch(link.url, {
    headers: link.headers,
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw new Error(`the PDF could not be downloaded (HTTP ${res.status})`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  if ((await sha256Hex(bytes)) !== expectedSha256)
    throw new Error('the PDF downloaded is not the one the template records (its SHA-256 differs)');
  return bytes;
}

export class PdfPages {
  readonly element: HTMLElement;
  pages: PdfPage[] = [];
  private pdf: PDFDocumentProxy | undefined;
  private proxies = new Map<number, PDFPageProxy>();
  private drawn = new Map<number, number>();
  private observer: IntersectionObserver | undefined;
  private resize: ResizeObserver | undefined;
  private visible = new Set<number>();
  private lastWidth = 0;

  constructor(
    private readonly assets: URL,
    private readonly pageLabel: (page: number, pages: number) => string,
  ) {
    this.element = h('div', { class: 'pdf-pages' });
    configurePdf(assets);
  }

  async load(bytes: Uint8Array): Promise<PdfPage[]> {
    this.pdf = await openPdf(bytes, this.assets);
    const count = this.pdf.numPages;
    for (let n = 1; n <= count; n++) {
      const proxy = await this.pdf.getPage(n);
      this.proxies.set(n, proxy);
      const { width, height } = proxy.getViewport({ scale: 1 });
      const canvas = h('canvas', { class: 'pdf-canvas', 'aria-hidden': 'true' });
      const layer = h('div', { class: 'pdf-layer' });
      const frame = h('div', { class: 'pdf-frame', 'data-page': n }, canvas, layer);
      frame.style.aspectRatio = `${width} / ${height}`;
      const element = h(
        'section',
        {
          class: 'pdf-page',
          'data-page': n,
          'data-rendered': 'false',
          'aria-label': this.pageLabel(n, count),
        },
        h('p', { class: 'pdf-page-number', 'aria-hidden': 'true' }, this.pageLabel(n, count)),
        frame,
      );
      this.pages.push({ number: n, width, height, element, frame, layer });
    }
    this.element.replaceChildren(...this.pages.map((p) => p.element));
    this.watch();
    return this.pages;
  }

  page(n: number): PdfPage | undefined {
    return this.pages.find((p) => p.number === n);
  }

  destroy(): void {
    this.observer?.disconnect();
    this.resize?.disconnect();
    void this.pdf?.destroy();
  }

  private watch(): void {
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const n = Number((entry.target as HTMLElement).dataset.page);
          if (entry.isIntersecting) {
            this.visible.add(n);
            void this.draw(n);
          } else this.visible.delete(n);
        }
      },
      { rootMargin: '600px 0px' },
    );
    for (const page of this.pages) this.observer.observe(page.element);
    this.resize = new ResizeObserver(() => {
      const width = this.element.clientWidth;
      if (!this.lastWidth) this.lastWidth = width;
      if (!width || Math.abs(width - this.lastWidth) / this.lastWidth < 0.15) return;
      this.lastWidth = width;
      for (const n of this.visible) void this.draw(n);
    });
    this.resize.observe(this.element);
  }

  private drawing = new Map<number, Promise<void>>();

  private async draw(n: number): Promise<void> {
    const page = this.page(n);
    const proxy = this.proxies.get(n);
    if (!page || !proxy) return;
    await this.drawing.get(n);
    const cssWidth = page.frame.clientWidth;
    if (!cssWidth) return;
    const pixels = Math.round(cssWidth * Math.min(window.devicePixelRatio || 1, MAX_RATIO));
    if (Math.abs((this.drawn.get(n) ?? 0) - pixels) < 2) return;
    const work = (async () => {
      await drawPage(proxy, page.frame.querySelector('canvas')!, pixels / page.width);
      this.drawn.set(n, pixels);
      page.element.dataset.rendered = 'true';
    })();
    this.drawing.set(n, work);
    try {
      await work;
    } finally {
      this.drawing.delete(n);
    }
  }
}
