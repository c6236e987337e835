import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { makeAuthorizer, makeVerifier } from '../../functions/api/authorizer';
import { LocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_URI } from '../../functions/local/issuer';

let dir: string;
let otherDir: string;
let issuer: LocalIssuer;
let privateJwk: JWK;
let otherPrivateJwk: JWK;
const warnings: { message: string; fields: Record<string, unknown> }[] = [];
let authorize: ReturnType<typeof makeAuthorizer>;

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/v1/envelopes';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'countersign-authorizer-'));
  otherDir = mkdtempSync(join(tmpdir(), 'countersign-authorizer-other-'));
  issuer = await LocalIssuer.open(dir);
  await LocalIssuer.open(otherDir);
  privateJwk = JSON.parse(readFileSync(join(dir, 'issuer', 'key.json'), 'utf8')).privateJwk;
  otherPrivateJwk = JSON.parse(readFileSync(join(otherDir, 'issuer', 'key.json'), 'utf8')).privateJwk;
  const verifier = makeVerifier({
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwksUri: LOCAL_JWKS_URI,
    jwks: issuer.jwks(),
  });
  authorize = makeAuthorizer(verifier, { warn: (message, fields) => warnings.push({ message, fields }) });
});

afterAll(() => {
  for (const d of [dir, otherDir]) if (d) rmSync(d, { recursive: true, force: true });
});

const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken,
  methodArn: METHOD_ARN,
});

const now = () => Math.floor(Date.now() / 1000);

/** A token shaped like a Cognito ID token, with any claim overridden or removed (undefined). */
async function sign(
  claims: Record<string, unknown> = {},
  options: { key?: JWK; kid?: string; alg?: string } = {},
): Promise<string> {
  const key = options.key ?? privateJwk;
  const payload: JWTPayload = {
    token_use: 'id',
    'custom:tenant_id': 'acme',
    'cognito:groups': ['sender'],
    email: 'sam@acme.example',
    sub: 'user-123',
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: now() - 10,
    exp: now() + 600,
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? key.kid! })
    .sign(await importJWK(key, 'ES256'));
}

async function refused(token: string): Promise<void> {
  const before = warnings.length;
  await expect(authorize(event(`Bearer ${token}`))).rejects.toThrow(/^Unauthorized$/);
  // The reason is logged for operators, the token never is.
  expect(warnings.length).toBe(before + 1);
  expect(JSON.stringify(warnings.at(-1))).not.toContain(token);
}

describe('the TOKEN authorizer', () => {
  it('allows a valid ID token, passing tenant, subject, roles and email on', async () => {
    const token = await issuer.mint({
      roles: ['sender', 'auditor'],
      tenant: 'acme',
      sub: 'sam',
      email: 'sam@acme.example',
    });
    const result = await authorize(event(`Bearer ${token}`));
    expect(result.principalId).toBe('sam');
    expect(result.policyDocument.Version).toBe('2012-10-17');
    expect(result.policyDocument.Statement).toHaveLength(1);
    expect(result.policyDocument.Statement[0]).toMatchObject({
      Action: 'execute-api:Invoke',
      Effect: 'Allow',
    });
    expect(result.context).toEqual({
      sub: 'sam',
      tenantId: 'acme',
      roles: 'sender,auditor',
      email: 'sam@acme.example',
    });
  });

  it('allows every method and path of the stage, since API Gateway caches the decision per token', async () => {
    const token = await issuer.mint({ roles: ['sender'], tenant: 'acme' });
    for (const methodArn of [
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/v1/envelopes',
      'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/v1/envelopes/01j/audit',
    ]) {
      const result = await authorize({ type: 'TOKEN', authorizationToken: `Bearer ${token}`, methodArn });
      expect(result.policyDocument.Statement[0]).toMatchObject({
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*/*',
      });
    }
  });

  it('keeps only known roles', async () => {
    const result = await authorize(
      event(`Bearer ${await sign({ 'cognito:groups': ['root', 'legal', 'Admins'] })}`),
    );
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(result.context).toMatchObject({ roles: 'legal' });
  });

  it('denies a valid token without a known role', async () => {
    for (const groups of [[], ['superuser'], undefined, 'admin']) {
      const result = await authorize(event(`Bearer ${await sign({ 'cognito:groups': groups })}`));
      expect(result.policyDocument.Statement[0], JSON.stringify(groups)).toMatchObject({ Effect: 'Deny' });
      expect(result.context?.roles).toBe('');
    }
  });

  it('throws Unauthorized for a header that is not a Bearer token', async () => {
    const token = await sign();
    for (const header of ['', token, `Basic ${token}`, 'Bearer ', `Bearer ${token} extra`]) {
      await expect(authorize(event(header)), JSON.stringify(header.slice(0, 12))).rejects.toThrow(
        /^Unauthorized$/,
      );
    }
  });

  it('refuses an expired token', async () => {
    await refused(await sign({ iat: now() - 7200, exp: now() - 60 }));
    expect(String(warnings.at(-1)!.fields.detail)).toContain('expired');
  });

  it('refuses a token from another issuer', async () => {
    await refused(await issuer.mint({ roles: ['admin'], issuer: 'https://evil.example/issuer' }));
  });

  it('refuses a token for another audience', async () => {
    await refused(await issuer.mint({ roles: ['admin'], audience: 'some-other-client' }));
  });

  it('refuses a token without a tenant, or with a malformed one', async () => {
    await refused(await sign({ 'custom:tenant_id': undefined }));
    for (const tenant of ['', 'acme corp', 'acme#E#x', 'a'.repeat(65), 42, ['acme']]) {
      await refused(await sign({ 'custom:tenant_id': tenant }));
    }
  });

  it('refuses an access token, and a token that does not say what it is', async () => {
    await refused(await sign({ token_use: 'access' }));
    await refused(await sign({ token_use: undefined }));
  });

  it('refuses a token signed by another key, under its own key id or under ours', async () => {
    await refused(await sign({}, { key: otherPrivateJwk }));
    await refused(await sign({}, { key: otherPrivateJwk, kid: privateJwk.kid! }));
  });

  it('refuses an unsigned token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: privateJwk.kid })).toString('base64url');
    const body = Buffer.from(
      JSON.stringify({
        token_use: 'id',
        'custom:tenant_id': 'acme',
        'cognito:groups': ['admin'],
        sub: 'x',
        iss: LOCAL_ISSUER,
        aud: LOCAL_AUDIENCE,
        exp: now() + 600,
      }),
    ).toString('base64url');
    await expect(authorize(event(`Bearer ${header}.${body}.`))).rejects.toThrow(/^Unauthorized$/);
  });
});
