/**
 * The public signing API, as this page calls it: the recipient's token travels in the
 * `X-Signing-Token` header (never in a URL), answers are JSON, and a request whose answer was lost
 * is sent again unchanged when that is safe (the server answers a repeated act with 409).
 */

import { ApiError, NetworkError, requestJson, RETRYABLE } from '../shared/api';
import type { SigningSession, AuthPrompt, CodeSent, DocumentLink, SignRequest } from './types';

export type * from './types';
export { ApiError, NetworkError };

export const isSession = (x: SigningSession | AuthPrompt): x is SigningSession => !('authRequired' in x);

export interface CallOptions {
  /** How many times a failed request is sent again (network failure, 429, 502-504). */
  retries?: number;
  /** Told before each retry, e.g. to say that the page is trying again. */
  onRetry?: (attempt: number, reason: unknown) => void;
}

export interface ApiClientOptions {
  /** Where `/v1/...` lives (the page's own origin and path prefix, by default). */
  base: string;
  token: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Milliseconds before retry n (1-based); exponential with jitter by default. */
  backoff?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number) =>
  Math.min(4000, 400 * 2 ** (attempt - 1)) * (0.75 + Math.random() / 2);

export class SigningApi {
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly backoff: (attempt: number) => number;

  constructor(private readonly options: ApiClientOptions) {
    this.fetchImpl = options.fetch ?? fetch.bind(globalThis);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.backoff = options.backoff ?? defaultBackoff;
  }

  /** One call; the same method, path and body on every retry. */
  async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, opts: CallOptions = {}): Promise<T> {
    const retries = opts.retries ?? (method === 'GET' ? 2 : 0);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(path.replace(/^\//, ''), this.options.base).href;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, url, payload);
      } catch (err) {
        const retryable =
          err instanceof NetworkError || (err instanceof ApiError && RETRYABLE.has(err.status));
        if (!retryable || attempt >= retries) throw err;
        opts.onRetry?.(attempt + 1, err);
        await new Promise((resolve) => setTimeout(resolve, this.backoff(attempt + 1)));
      }
    }
  }

  private once<T>(method: string, url: string, payload: string | undefined): Promise<T> {
    return requestJson<T>(this.fetchImpl, url, {
      method,
      headers: { 'x-signing-token': this.options.token },
      payload,
      timeoutMs: this.timeoutMs,
    });
  }

  session(): Promise<SigningSession | AuthPrompt> {
    return this.call('GET', '/v1/signing/session');
  }

  sendCode(): Promise<CodeSent> {
    return this.call('POST', '/v1/signing/auth/send');
  }

  verifyCode(code: string): Promise<{ authenticated: true }> {
    return this.call('POST', '/v1/signing/auth/verify', { code });
  }

  documentLink(documentId: string): Promise<DocumentLink> {
    return this.call('GET', `/v1/signing/document?document=${encodeURIComponent(documentId)}`);
  }

  /** Consenting again is answered with the session: safe to repeat. */
  consent(disclosureVersion: string): Promise<SigningSession> {
    return this.call('POST', '/v1/signing/consent', { disclosureVersion }, { retries: 2 });
  }

  withdrawConsent(): Promise<SigningSession> {
    return this.call('POST', '/v1/signing/consent/withdraw', undefined, { retries: 2 });
  }

  /** Safe to repeat: a second signature is refused with 409, which the caller reads as done. */
  sign(body: SignRequest, opts: CallOptions = {}): Promise<SigningSession> {
    return this.call('POST', '/v1/signing/sign', body, { retries: 3, ...opts });
  }

  approve(documents: { id: string; sha256: string }[], opts: CallOptions = {}): Promise<SigningSession> {
    return this.call('POST', '/v1/signing/approve', { documents, agree: true }, { retries: 3, ...opts });
  }

  decline(reason: string): Promise<{ status: 'declined' }> {
    return this.call('POST', '/v1/signing/decline', { reason }, { retries: 2 });
  }
}
