/**
 * The public API as the console calls it: the signed-in user's token as a bearer token, JSON both
 * ways, errors as `ApiError` with the server's per-field `details` (`body.recipients[0].email`),
 * which `ui.errorBox()` lists. Reads are retried after a network failure or a throttle; writes
 * carry an idempotency key so that sending one again after a lost answer does not act twice.
 */

import { ApiError, NetworkError, requestJson, RETRYABLE, type ErrorDetail } from '../shared/api';

export { ApiError, NetworkError, type ErrorDetail };

export type Method = 'GET' | 'POST' | 'PUT';
export type Query = Record<string, string | number | undefined | null>;

export interface CallOptions {
  body?: unknown;
  query?: Query;
  /** Retries after a network failure or 429/502-504: 2 for reads, none for writes by default. */
  retries?: number;
  /** Sent as `Idempotency-Key` (writes get a fresh one unless given; `false` sends none). */
  idempotencyKey?: string | false;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  /** Where `/v1/...` lives. */
  base: string;
  /** The current bearer token (read on every call: it may be replaced by signing in again). */
  token: () => string | null;
  /** Told when the server says the token is no longer good (401). */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const newKey = () =>
  typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');

export class ConsoleApi {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** The absolute URL of an API path with its query (empty values left out). */
  url(path: string, query: Query = {}): string {
    const url = new URL(path.replace(/^\//, ''), this.options.base.replace(/\/?$/, '/'));
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
    }
    return url.href;
  }

  get<T>(path: string, query?: Query, opts: Omit<CallOptions, 'query' | 'body'> = {}): Promise<T> {
    return this.call<T>('GET', path, { ...opts, ...(query ? { query } : {}) });
  }

  post<T>(path: string, body?: unknown, opts: Omit<CallOptions, 'body'> = {}): Promise<T> {
    return this.call<T>('POST', path, { ...opts, body });
  }

  put<T>(path: string, body?: unknown, opts: Omit<CallOptions, 'body'> = {}): Promise<T> {
    return this.call<T>('PUT', path, { ...opts, body });
  }

  async call<T>(method: Method, path: string, opts: CallOptions = {}): Promise<T> {
    const retries = opts.retries ?? (method === 'GET' ? 2 : 0);
    const url = this.url(path, opts.query);
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const key =
      method === 'GET' || opts.idempotencyKey === false ? undefined : (opts.idempotencyKey ?? newKey());
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, url, payload, key, opts.signal);
      } catch (err) {
        const retryable =
          (err instanceof NetworkError && !opts.signal?.aborted) ||
          (err instanceof ApiError && RETRYABLE.has(err.status));
        // A write is sent again only with its idempotency key: the server then acts once.
        if (!retryable || attempt >= retries || (method !== 'GET' && !key)) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(4000, 400 * 2 ** attempt)));
      }
    }
  }

  private async once<T>(
    method: Method,
    url: string,
    payload: string | undefined,
    key: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    const token = this.options.token();
    try {
      return await requestJson<T>(this.fetchImpl, url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        payload,
        timeoutMs: this.timeoutMs,
        signal,
      });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.options.onUnauthorized?.();
      throw err;
    }
  }
}

/**
 * A PUT of a file to a presigned URL, with progress (fetch cannot report an upload's progress).
 * `headers` are those the URL was signed with.
 */
export function putWithProgress(
  url: string,
  body: Blob,
  headers: Record<string, string>,
  onProgress: (sent: number, total: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) =>
      onProgress(event.loaded, event.lengthComputable ? event.total : body.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size, body.size);
        resolve();
      } else reject(new ApiError(xhr.status, 'upload_failed', `the upload was refused (HTTP ${xhr.status})`));
    };
    xhr.onerror = () => reject(new NetworkError('the upload did not complete'));
    xhr.onabort = () => reject(new NetworkError('the upload was cancelled'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}
