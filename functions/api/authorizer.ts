import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { ROLES, type Role } from '../core/access';

export interface AuthorizerConfig {
  /** Cognito user pool issuer in AWS; the local issuer in the local mode. */
  issuer: string;
  /** The app client id, which Cognito puts in the ID token's `aud`. */
  audience: string;
  jwksUri?: string;
  /** Keys known in advance (the local issuer), so nothing is fetched. */
  jwks?: Jwks;
}

export const TENANT_CLAIM = 'custom:tenant_id';
export const GROUPS_CLAIM = 'cognito:groups';
const TENANT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export interface AuthorizerLogger {
  warn(message: string, fields: Record<string, unknown>): void;
}

const defaultLogger: AuthorizerLogger = {
  warn: (message, fields) => console.warn(JSON.stringify({ level: 'warn', message, ...fields })),
};

/**
 * One verifier for both places: Cognito ID tokens in AWS and the local issuer's tokens
 * locally differ only in issuer, audience and where the keys come from.
 */
export function makeVerifier(config: AuthorizerConfig) {
  const verifier = JwtVerifier.create({
    issuer: config.issuer,
    audience: config.audience,
    ...(config.jwksUri ? { jwksUri: config.jwksUri } : {}),
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'id') throw new Error('only ID tokens are accepted');
      const tenant = payload[TENANT_CLAIM];
      if (typeof tenant !== 'string' || !TENANT_PATTERN.test(tenant))
        throw new Error(`token has no valid ${TENANT_CLAIM}`);
    },
  });
  if (config.jwks) verifier.cacheJwks(config.jwks);
  return verifier;
}

type Verifier = ReturnType<typeof makeVerifier>;

/** Allows every method of the stage: the decision is cached per token, and routes check roles. */
function stageWildcard(methodArn: string): string {
  // arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path...}
  const [api, stage] = methodArn.split('/');
  return `${api}/${stage}/*/*`;
}

export function makeAuthorizer(verifier: Verifier, logger: AuthorizerLogger = defaultLogger) {
  return async (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(event.authorizationToken ?? '');
    if (!match) throw new Error('Unauthorized');
    let payload: Record<string, unknown>;
    try {
      payload = (await verifier.verify(match[1]!)) as Record<string, unknown>;
    } catch (err) {
      // The reason is logged for operators; the token itself never is.
      logger.warn('token refused', {
        reason: (err as Error).constructor.name,
        detail: (err as Error).message,
      });
      throw new Error('Unauthorized');
    }
    const groups = Array.isArray(payload[GROUPS_CLAIM]) ? (payload[GROUPS_CLAIM] as unknown[]) : [];
    const roles = groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g as string));
    const sub = String(payload.sub);
    const allowed = roles.length > 0;
    return {
      principalId: sub,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: allowed ? 'Allow' : 'Deny',
            Resource: stageWildcard(event.methodArn),
          },
        ],
      },
      context: {
        sub,
        tenantId: payload[TENANT_CLAIM] as string,
        roles: roles.join(','),
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      },
    };
  };
}
