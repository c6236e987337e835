/**
 * What the signing page's and the console's API clients share: a JSON request with a timeout (no
 * cookies, no cache, no referrer), and the answer read back, an error answer as an `ApiError` with
 * the server's code, message and per-field details (`body.recipients[0].email`). Each app sends
 * its own credentials and decides what to try again.
 */

import type { ErrorDetail } from '../../functions/core/errors';

/** A problem the server names by path (`body.recipients[0].email`), as its error answers list them. */
export type { ErrorDetail };

/** An API error (`{ error: {...} }`) or a gateway's (`{ message }`). */
interface ErrorAnswer {
  error?: { code?: string; message?: string; details?: ErrorDetail[]; requestId?: string };
  message?: string;
}

/** The server answered with an error: its status, code, message and per-field details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** No answer came back: the connection failed or the request timed out. */
export class NetworkError extends Error {
  constructor(message = 'network failure') {
    super(message);
    this.name = 'NetworkError';
  }
}

/** Answers worth another try: the gateway or a throttle, not the request itself. */
export const RETRYABLE = new Set([429, 502, 503, 504]);

const networkError = (err: unknown) => new NetworkError(err instanceof Error ? err.message : String(err));

/**
 * One request and its answer: the JSON of a successful one, or an `ApiError`. No answer (a
 * failure to connect, a timeout, `signal` aborted, a body that cannot be read) is a `NetworkError`.
 */
export async function requestJson<T>(
  fetchImpl: typeof fetch,
  url: string,
  request: {
    method: string;
    headers: Record<string, string>;
    payload: string | undefined;
    timeoutMs: number;
    signal?: AbortSignal | undefined;
  },
): Promise<T> {
  const { payload, signal } = request;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  const abort = () => controller.abort();
  signal?.addEventListener('abort', abort, { once: true });
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...request.headers,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { body: payload } : {}),
      credentials: 'omit',
      cache: 'no-store',
      referrerPolicy: 'no-referrer',
      signal: controller.signal,
    });
  } catch (err) {
    throw networkError(err);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', abort);
  }
  const text = await res.text().catch((err: unknown) => {
    throw networkError(err);
  });
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (res.ok) return json as T;
  const answer = json as ErrorAnswer | undefined;
  const error = answer?.error;
  throw new ApiError(
    res.status,
    error?.code ?? 'http_error',
    error?.message ?? answer?.message ?? `HTTP ${res.status}`,
    Array.isArray(error?.details) ? error.details : [],
    error?.requestId ?? res.headers.get('x-request-id') ?? undefined,
  );
}
