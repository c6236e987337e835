/**
 * The PDF of a template version, fetched through its short-lived link and checked against the
 * SHA-256 the template records before anything is drawn (the template editor and the version
 * diff show it with PdfPages, web/console/pdf-pages.ts).
 */

import type { ConsoleApi } from '../api';

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
