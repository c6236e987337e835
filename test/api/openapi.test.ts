import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { validate, compileErrors } from '@readme/openapi-parser';
import { ROUTE_MANIFEST } from '../../functions/api/route-manifest';
import { startTestService, type TestService } from '../support/service';

let service: TestService;
let doc: any;

beforeAll(async () => {
  service = await startTestService();
  const res = await service.api('GET', '/v1/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});

afterAll(async () => {
  await service?.close();
});

describe('GET /v1/openapi.json', () => {
  it('is served without a token, as JSON', async () => {
    const res = await fetch(`${service.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(result.specification).toBe('OpenAPI');
    // The validator does refuse a broken document, so the check above means something.
    const broken = structuredClone(doc);
    delete broken.info;
    expect((await validate(broken)).valid).toBe(false);
  });

  it('describes every route of the manifest, with its operation id', () => {
    for (const route of ROUTE_MANIFEST) {
      const operation = doc.paths?.[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation.operationId).toBe(route.name);
    }
    const described = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(described.sort()).toEqual(ROUTE_MANIFEST.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('declares the bearer scheme, the path parameters and the Idempotency-Key header', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = doc.paths['/v1/envelopes'].post;
    expect(create.security).toEqual([{ bearer: [] }]);
    expect(create.parameters.map((p: any) => [p.in, p.name])).toContainEqual(['header', 'Idempotency-Key']);
    expect(create.requestBody.required).toBe(true);
    expect(Object.keys(create.responses)).toEqual(
      expect.arrayContaining(['201', '400', '401', '403', '413', '415', '422']),
    );
    const document = doc.paths['/v1/envelopes/{id}/documents/{doc}'].get;
    expect(
      document.parameters
        .filter((p: any) => p.in === 'path')
        .map((p: any) => p.name)
        .sort(),
    ).toEqual(['doc', 'id']);
    const list = doc.paths['/v1/envelopes'].get;
    expect(
      list.parameters
        .filter((p: any) => p.in === 'query')
        .map((p: any) => p.name)
        .sort(),
    ).toEqual(['cursor', 'limit', 'status']);
  });

  it('carries the request schemas the handlers validate with', () => {
    const schemas = doc.components.schemas;
    // Documents and recipients, or a template with roles: the use case says which is missing.
    expect(schemas.CreateEnvelope.required).toEqual(['title']);
    expect(Object.keys(schemas.CreateEnvelope.properties)).toEqual(
      expect.arrayContaining(['documents', 'recipients', 'template', 'roles', 'mergeData']),
    );
    expect(schemas.RoleAssignment.additionalProperties).toBe(false);
    // A recipient is a person (name and email) or a signing group: neither is required on its own.
    expect(schemas.RecipientInput.required).toEqual(expect.arrayContaining(['step']));
    expect(Object.keys(schemas.RecipientInput.properties)).toEqual(
      expect.arrayContaining(['name', 'email', 'group', 'role']),
    );
    expect(schemas.RecipientInput.properties.role.enum).toEqual(['signer', 'approver', 'carbon_copy']);
    expect(schemas.CreateUpload.properties.contentType).toMatchObject({ enum: ['application/pdf'] });
    expect(schemas.CreateEnvelope.additionalProperties).toBe(false);
  });
});
