import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ROUTES } from './routes';
import { ErrorBody, IdempotencyHeader, SigningTokenHeader } from './schemas';

const ERROR_RESPONSES: Record<number, string> = {
  400: 'The request is malformed; `details` names each problem',
  401: 'Missing, expired or invalid bearer token (or signing token)',
  410: 'The envelope ended; the signing link no longer works',
  403: 'The caller may not do this (`auth_required`: the signing link needs its code first)',
  404: 'No such envelope, document or upload in this tenant',
  409: 'The envelope changed or is in a state that does not allow this',
  413: 'Body or document over the size limit',
  415: 'Not JSON, or a document that is not a PDF',
  422: 'The content cannot be used (encrypted or corrupt PDF, reused Idempotency-Key)',
};

let cached: object | undefined;

/** OpenAPI 3.1, generated from the very zod schemas the handlers validate with. */
export function openApiDocument(): object {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'Cognito ID token in AWS; `npx countersign token` in the local mode',
  });
  registry.register('Error', ErrorBody);
  for (const route of Object.values(ROUTES)) {
    const responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> =
      {};
    for (const [status, r] of Object.entries(route.responses)) {
      // A route's own error answers (a wrong code, a lock) carry the error body too.
      const schema = r.schema ?? (Number(status) >= 400 ? ErrorBody : undefined);
      responses[status] = {
        description: r.description,
        ...(schema ? { content: { 'application/json': { schema } } } : {}),
      };
    }
    for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
      responses[status] ??= { description, content: { 'application/json': { schema: ErrorBody } } };
    }
    registry.registerPath({
      method: route.manifest.method.toLowerCase() as 'get' | 'post' | 'put',
      path: route.manifest.path,
      operationId: route.manifest.name,
      summary: route.summary,
      // Signer routes carry their own token; public routes (verification) none.
      security: route.signer || !route.manifest.authorized ? [] : [{ [bearer.name]: [] }],
      request: {
        ...(route.params ? { params: route.params as never } : {}),
        ...(route.query ? { query: route.query as never } : {}),
        ...(route.idempotent || route.signer
          ? {
              headers: [
                ...(route.idempotent ? [IdempotencyHeader] : []),
                ...(route.signer ? [SigningTokenHeader] : []),
              ] as never,
            }
          : {}),
        ...(route.body
          ? { body: { required: true, content: { 'application/json': { schema: route.body } } } }
          : {}),
      },
      responses: responses as never,
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This OpenAPI 3.1 description (no authentication)',
    responses: {
      200: {
        description: 'The OpenAPI document',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
    },
  });
  cached = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Countersign API',
      version: '1',
      description: 'Envelopes, documents and hash-chained audit trails for maintenance contracts.',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
