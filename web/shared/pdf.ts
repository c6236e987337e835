/**
 * pdf.js as the signing page and the console use it: its worker, character maps, standard fonts
 * and image decoders served beside the app's script (web/build.mts copies them there), no eval
 * (the CSP forbids it) and no XFA forms; pages drawn off screen first; and boxes placed over a
 * page in percent of its size, so that they follow any width.
 */

import { getDocument, GlobalWorkerOptions, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist';

/** Where the worker is: beside the app's script. */
export function configurePdf(assets: URL): void {
  GlobalWorkerOptions.workerSrc = new URL('pdf.worker.min.mjs', assets).href;
}

/** Reads a PDF with the fonts, character maps and decoders beside the app's script. */
export function openPdf(bytes: Uint8Array, assets: URL): Promise<PDFDocumentProxy> {
  return getDocument({
    // pdf.js takes the buffer over: it gets a copy, the caller keeps the original.
    data: bytes.slice(),
    isEvalSupported: false,
    cMapUrl: new URL('pdfjs/cmaps/', assets).href,
    cMapPacked: true,
    standardFontDataUrl: new URL('pdfjs/standard_fonts/', assets).href,
    wasmUrl: new URL('pdfjs/wasm/', assets).href,
    enableXfa: false,
  }).promise;
}

/**
 * Draws a page at `scale` device pixels per point into `target`, off screen first, so that the old
 * drawing stays until the new one is ready.
 */
export async function drawPage(proxy: PDFPageProxy, target: HTMLCanvasElement, scale: number): Promise<void> {
  const viewport = proxy.getViewport({ scale });
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(viewport.width);
  canvas.height = Math.round(viewport.height);
  try {
    await proxy.render({ canvas, viewport }).promise;
  } catch (err) {
    // The page was left, or the document closed, while it drew: nothing to show, nothing wrong.
    if ((err as { name?: string } | null)?.name === 'RenderingCancelledException') return;
    throw err;
  }
  target.width = canvas.width;
  target.height = canvas.height;
  target.getContext('2d')!.drawImage(canvas, 0, 0);
}

/** A box in points from a page's top-left corner, as a CSS position in percent of the page. */
export function placeBox(
  el: HTMLElement,
  page: { width: number; height: number },
  box: { x: number; y: number; width: number; height: number },
): void {
  el.style.left = `${(box.x / page.width) * 100}%`;
  el.style.top = `${(box.y / page.height) * 100}%`;
  el.style.width = `${(box.width / page.width) * 100}%`;
  el.style.height = `${(box.height / page.height) * 100}%`;
}
