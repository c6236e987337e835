/**
 * PDFs the sender picks: checked in the browser before anything is sent (a PDF by its first
 * bytes, at most 50 MB), then sent inline (base64 in the request, up to 3 MB) or uploaded to a
 * presigned URL with a progress bar (larger files), as the API takes them.
 */

import { putWithProgress, type ConsoleApi } from './api';
import { dictionary, formatBytes } from './i18n';
import { on, type ProgressBar, h } from './ui';
import type { UploadTicket } from './types';

export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
export const MAX_INLINE_BYTES = 3 * 1024 * 1024;

const t = dictionary(
  {
    notPdf: (p) => `“${p.name}” is not a PDF. Choose a PDF file (.pdf).`,
    tooLarge: (p) => `“${p.name}” is ${p.size}; a PDF can be at most 50 MB.`,
    empty: (p) => `“${p.name}” is empty.`,
    unreadable: (p) => `“${p.name}” could not be read.`,
    uploading: 'Uploading',
    drop: 'Drop a PDF here, or',
    choose: 'choose a file',
  },
  {
    notPdf: (p) => `“${p.name}” no es un PDF. Elija un archivo PDF (.pdf).`,
    tooLarge: (p) => `“${p.name}” ocupa ${p.size}; un PDF puede ocupar como máximo 50 MB.`,
    empty: (p) => `“${p.name}” está vacío.`,
    unreadable: (p) => `No se pudo leer “${p.name}”.`,
    uploading: 'Subiendo',
    drop: 'Suelte un PDF aquí, o',
    choose: 'elija un archivo',
  },
);

export const uploadingLabel = () => t('uploading');

export type PickedPdf = { ok: true; file: File; bytes: Uint8Array } | { ok: false; message: string };

/** Whether the file is a PDF of at most 50 MB (read from its bytes, not its name). */
export async function checkPdf(file: File): Promise<PickedPdf> {
  const name = file.name || 'file';
  if (file.size > MAX_UPLOAD_BYTES) {
    return { ok: false, message: t('tooLarge', { name, size: formatBytes(file.size) }) };
  }
  if (file.size === 0) return { ok: false, message: t('empty', { name }) };
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, 1024).arrayBuffer());
  } catch {
    return { ok: false, message: t('unreadable', { name }) };
  }
  // `%PDF-` within the first kilobyte, as PDF readers accept it.
  const text = String.fromCharCode(...head);
  if (!text.includes('%PDF-')) return { ok: false, message: t('notPdf', { name }) };
  try {
    return { ok: true, file, bytes: new Uint8Array(await file.arrayBuffer()) };
  } catch {
    return { ok: false, message: t('unreadable', { name }) };
  }
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

/** A document as the API takes it: inline up to 3 MB, else uploaded first (with progress). */
export async function documentInput(
  api: ConsoleApi,
  pdf: { file: File; bytes: Uint8Array },
  progress: ProgressBar,
  signal?: AbortSignal,
): Promise<{ contentBase64: string } | { uploadId: string }> {
  if (pdf.bytes.length <= MAX_INLINE_BYTES) return { contentBase64: toBase64(pdf.bytes) };
  const ticket = await api.post<UploadTicket>(
    '/v1/uploads',
    {
      filename: pdf.file.name.slice(0, 200) || 'document.pdf',
      contentType: 'application/pdf',
      size: pdf.bytes.length,
    },
    signal ? { signal } : {},
  );
  await put(ticket, pdf.bytes, progress, signal);
  return { uploadId: ticket.uploadId };
}

/** The bytes to a presigned PUT, showing progress; the bar is hidden again afterwards. */
export async function put(
  ticket: UploadTicket,
  bytes: Uint8Array,
  progress: ProgressBar,
  signal?: AbortSignal,
): Promise<void> {
  progress.set(0);
  // Content-Length is signed; the browser sets it (a script may not).
  const headers = Object.fromEntries(
    Object.entries(ticket.upload.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
  );
  try {
    await putWithProgress(
      ticket.upload.url,
      new Blob([bytes as BlobPart], { type: 'application/pdf' }),
      headers,
      (sent, total) =>
        progress.set(total ? sent / total : undefined, `${formatBytes(sent)} / ${formatBytes(total)}`),
      signal,
    );
  } finally {
    progress.hide();
  }
}

/**
 * A drop zone with a file input: a file dropped or chosen is passed to `onFile` (the input is
 * the accessible way; the zone is a larger target for a mouse).
 */
export function dropZone(
  id: string,
  onFile: (file: File) => void,
  accept = 'application/pdf,.pdf',
): { element: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'file', id, accept, class: 'file-input' });
  const label = h('label', { for: id, class: 'file-label' }, t('choose'));
  const zone = h('div', { class: 'drop-zone' }, h('span', {}, t('drop'), ' '), label, input);
  on(input, 'change', () => {
    const file = input.files?.[0];
    if (file) onFile(file);
    input.value = '';
  });
  on(zone, 'dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  on(zone, 'dragleave', () => zone.classList.remove('over'));
  on(zone, 'drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    const file = event.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
  return { element: zone, input };
}
