import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import type { ApiHandler } from '../api/http';
import type { RouteManifestEntry } from '../api/route-manifest';

/** API Gateway REST refuses bodies over 10 MB before any Lambda runs. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export interface LocalRoute {
  manifest: RouteManifestEntry;
  handler: ApiHandler;
}

export type Authorizer = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** The route template, never the concrete path: signer tokens must not reach a log. */
  route: string;
  status: number;
  ms: number;
}

interface Compiled extends LocalRoute {
  pattern: RegExp;
  names: string[];
}

function compile(route: LocalRoute): Compiled {
  const names: string[] = [];
  const source = route.manifest.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

function lambdaContext(requestId: string, name: string): Context {
  return {
    awsRequestId: requestId,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>) });
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

const gatewayError = (status: number, message: string): APIGatewayProxyResult => ({
  statusCode: status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message }),
});

/**
 * A small stand-in for API Gateway: matches the route template, runs the TOKEN authorizer,
 * builds the same proxy event API Gateway builds, and calls the same handler.
 */
export function createHttpAdapter(options: {
  routes: LocalRoute[];
  authorizer: Authorizer;
  log?: (entry: AccessLogEntry) => void;
  /** Extra local-only pages (the outbox, the issuer's keys), tried before the API routes. */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
}): Server {
  const routes = options.routes.map(compile);
  return createServer(async (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://local');
    let template = 'unmatched';
    const finish = (result: APIGatewayProxyResult) => {
      send(res, { ...result, headers: { ...result.headers, 'x-request-id': requestId } });
      options.log?.({
        requestId,
        method: req.method ?? '',
        route: template,
        status: result.statusCode,
        ms: Math.round(performance.now() - started),
      });
    };
    try {
      if (options.extra?.(req, res)) return;
      const candidates = routes.filter((r) => r.pattern.test(url.pathname));
      const route = candidates.find((r) => r.manifest.method === req.method);
      if (!route) {
        return finish(
          candidates.length ? gatewayError(405, 'Method Not Allowed') : gatewayError(404, 'Not Found'),
        );
      }
      template = route.manifest.path;
      const body = await readBody(req);
      if (body === 'too-large') return finish(gatewayError(413, 'Request Too Long'));

      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const match = route.pattern.exec(url.pathname)!;
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(
          route.names.map((n, i) => [n, decodeURIComponent(match[i + 1]!)]),
        );
      } catch {
        return finish(gatewayError(400, 'Bad Request: malformed percent-encoding in the path'));
      }
      const query = Object.fromEntries(url.searchParams.entries());
      const methodArn = `arn:aws:execute-api:local:000000000000:local/local/${req.method}${route.manifest.path}`;

      let authorizer: Record<string, unknown> | null = null;
      if (route.manifest.authorized) {
        const token = headers.authorization;
        if (!token) return finish(gatewayError(401, 'Unauthorized'));
        let decision: APIGatewayAuthorizerResult;
        try {
          decision = await options.authorizer({ type: 'TOKEN', authorizationToken: token, methodArn });
        } catch {
          return finish(gatewayError(401, 'Unauthorized'));
        }
        const statement = decision.policyDocument.Statement[0] as { Effect?: string } | undefined;
        if (statement?.Effect !== 'Allow') {
          return finish(
            gatewayError(403, 'User is not authorized to access this resource with an explicit deny'),
          );
        }
        authorizer = { ...decision.context, principalId: decision.principalId };
      }

      const event = {
        resource: route.manifest.path,
        path: url.pathname,
        httpMethod: req.method!,
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: Object.keys(query).length ? query : null,
        multiValueQueryStringParameters: null,
        pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
        stageVariables: null,
        body: body.length ? body.toString('utf8') : null,
        isBase64Encoded: false,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          stage: 'local',
          requestId,
          resourcePath: route.manifest.path,
          httpMethod: req.method!,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          requestTimeEpoch: Date.now(),
          resourceId: route.manifest.name,
          authorizer,
          identity: {
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? null,
          },
        },
      } as unknown as APIGatewayProxyEvent;
      finish(await route.handler(event, lambdaContext(requestId, route.manifest.name)));
    } catch (err) {
      console.error(JSON.stringify({ level: 'error', requestId, message: (err as Error).message }));
      finish(gatewayError(502, 'Internal server error'));
    }
  });
}
