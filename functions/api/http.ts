import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { z } from 'zod';
import { ROLES, type Principal, type Role } from '../core/access';
import {
  ConcurrencyError,
  DomainError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../core/errors';
import type { Ports } from '../core/ports';
import { openApiDocument } from './openapi';
import type { ApiRequest, ApiResponse, RouteDefinition } from './routes';

/** Lambda's synchronous payload limit; API Gateway's own 10 MB limit applies before. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;

export type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface Logger {
  error(message: string, fields: Record<string, unknown>): void;
}

const jsonLogger: Logger = {
  error: (message, fields) => console.error(JSON.stringify({ level: 'error', message, ...fields })),
};

function respond(status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return {
    statusCode: status,
    headers: {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

/** Turns named domain errors into their status; anything else is a 500 with only a request id. */
export function errorMapper(
  logger: Logger = jsonLogger,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const err = request.error;
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      if (err instanceof DomainError) {
        request.response = respond(err.status, {
          error: {
            code: err.code,
            message: err.message,
            ...(err.details.length ? { details: err.details } : {}),
            requestId,
          },
        });
        return;
      }
      if (err instanceof ConcurrencyError) {
        request.response = respond(409, {
          error: {
            code: 'conflict',
            message: 'the record changed while this request ran; read it and retry',
            requestId,
          },
        });
        return;
      }
      logger.error('unhandled error', {
        requestId,
        route: request.event.resource,
        error:
          err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
      });
      request.response = respond(500, { error: { code: 'internal', message: 'internal error', requestId } });
    },
  };
}

export function principalFrom(event: APIGatewayProxyEvent): Principal | null {
  const ctx = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  if (!ctx || typeof ctx.tenantId !== 'string' || typeof ctx.sub !== 'string') return null;
  const roles = String(ctx.roles ?? '')
    .split(',')
    .filter((r): r is Role => (ROLES as readonly string[]).includes(r));
  return { tenantId: ctx.tenantId, sub: ctx.sub, roles, ...(ctx.email ? { email: String(ctx.email) } : {}) };
}

/** `body.recipients[0].email`: the same notation the use cases use for their own checks. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : `${acc}.${String(part)}`),
    root,
  );
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({
    path: formatPath(where, i.path),
    message: i.message,
  }));
  throw new ValidationError(
    `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const found = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name);
  return found?.[1] ?? undefined;
}

/** The body as received, for routes that verify a signature over its exact text. */
function readRawBody(event: APIGatewayProxyEvent): string {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('a request body is required', [{ path: 'body', message: 'missing' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(`request body is over ${MAX_BODY_BYTES} bytes`);
  }
  return raw;
}

function readJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('a JSON request body is required', [{ path: 'body', message: 'missing' }]);
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `request body is over ${MAX_BODY_BYTES} bytes; send PDFs over 3 MB through POST /v1/uploads`,
    );
  }
  const type = header(event, 'content-type');
  if (type && !/^application\/json\b/i.test(type)) {
    throw new UnsupportedMediaTypeError(`Content-Type must be application/json, not ${type}`);
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new ValidationError(`request body is not valid JSON: ${(err as Error).message}`, [
      { path: 'body', message: 'invalid JSON' },
    ]);
  }
}

export function toApiRequest(
  route: RouteDefinition,
  event: APIGatewayProxyEvent,
  context?: Context,
): ApiRequest {
  return {
    principal: principalFrom(event),
    params: parse(route.params, event.pathParameters ?? {}, 'path'),
    query: parse(route.query, event.queryStringParameters ?? {}, 'query'),
    body: route.body ? parse(route.body, readJsonBody(event), 'body') : undefined,
    ...(route.rawBody ? { rawBody: readRawBody(event) } : {}),
    idempotencyKey: header(event, 'idempotency-key'),
    requestId: event.requestContext?.requestId ?? context?.awsRequestId ?? 'local',
    headers: Object.fromEntries(
      Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']),
    ),
    client: {
      ...(event.requestContext?.identity?.sourceIp ? { ip: event.requestContext.identity.sourceIp } : {}),
      ...(event.requestContext?.identity?.userAgent
        ? { userAgent: event.requestContext.identity.userAgent }
        : {}),
    },
  };
}

function toResult(res: ApiResponse): APIGatewayProxyResult {
  return respond(res.status, res.body, res.headers);
}

/** The one handler shape behind every route, in Lambda and in the local HTTP adapter alike. */
export function makeApiHandler(route: RouteDefinition, ports: () => Ports, logger?: Logger): ApiHandler {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(
    async (event: APIGatewayProxyEvent, context: Context) => {
      if (route.manifest.authorized && !principalFrom(event)) {
        // Only reachable when the authorizer is misconfigured: fail closed.
        return respond(401, { error: { code: 'unauthorized', message: 'no authenticated principal' } });
      }
      const request = toApiRequest(route, event, context);
      return toResult(await route.run(ports(), request));
    },
  ).use(errorMapper(logger)) as unknown as ApiHandler;
}

export function makeOpenApiHandler(): ApiHandler {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(async () =>
    respond(200, openApiDocument(), { 'cache-control': 'public, max-age=300' }),
  ).use(errorMapper()) as unknown as ApiHandler;
}
