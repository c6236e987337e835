import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../functions/core/access';
import {
  startLocalService,
  type LocalService,
  type LocalServiceOptions,
} from '../../functions/local/service';
import type { TokenRequest } from '../../functions/local/issuer';

export interface ApiResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestService extends LocalService {
  token(roles: Role[] | Role, extra?: Omit<TokenRequest, 'roles'>): Promise<string>;
  api<T = any>(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<ApiResult<T>>;
}

/** The local service in memory on a free loopback port, with helpers to call it as a client would. */
export async function startTestService(options: LocalServiceOptions = {}): Promise<TestService> {
  const service = await startLocalService({
    issuerDirectory: mkdtempSync(join(tmpdir(), 'countersign-test-')),
    ...options,
  });
  return {
    ...service,
    token: (roles, extra = {}) =>
      service.issuer.mint({ roles: Array.isArray(roles) ? roles : [roles], ...extra }),
    api: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${service.url}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as any, headers: res.headers };
    },
  };
}
