import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { Role } from '../core/access';
import { GROUPS_CLAIM, TENANT_CLAIM } from '../api/authorizer';

/**
 * The local issuer stands in for Cognito: it signs ID tokens of the same shape (tenant in
 * `custom:tenant_id`, roles in `cognito:groups`) with an ES256 key kept under the state
 * directory, and the authorizer verifies them with the same code as in AWS.
 */
export const LOCAL_ISSUER = 'https://issuer.countersign.invalid/local';
export const LOCAL_AUDIENCE = 'countersign-local';
/** Never fetched: the keys are cached up front, and the JWKS fetcher refuses http: URLs. */
export const LOCAL_JWKS_URI = 'http://127.0.0.1/local-issuer/jwks.json';

interface IssuerFile {
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface TokenRequest {
  roles: Role[];
  tenant?: string;
  sub?: string;
  email?: string;
  /** Lifetime in seconds. */
  ttl?: number;
  issuer?: string;
  audience?: string;
}

export class LocalIssuer {
  private constructor(private readonly keys: IssuerFile) {}

  static async open(directory: string): Promise<LocalIssuer> {
    const path = join(directory, 'issuer', 'key.json');
    if (existsSync(path)) return new LocalIssuer(JSON.parse(readFileSync(path, 'utf8')) as IssuerFile);
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const keys: IssuerFile = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
      publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
    };
    mkdirSync(dirname(path), { recursive: true });
    try {
      writeFileSync(path, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process made the key first: use that one.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return LocalIssuer.open(directory);
      throw err;
    }
    return new LocalIssuer(keys);
  }

  jwks(): Jwks {
    return { keys: [this.keys.publicJwk] } as unknown as Jwks;
  }

  async mint(request: TokenRequest): Promise<string> {
    const key = await importJWK(this.keys.privateJwk, 'ES256');
    const sub = request.sub ?? `local-${request.roles[0] ?? 'user'}`;
    return new SignJWT({
      token_use: 'id',
      [TENANT_CLAIM]: request.tenant ?? 'local',
      [GROUPS_CLAIM]: request.roles,
      email: request.email ?? `${sub}@countersign.local`,
    })
      .setProtectedHeader({ alg: 'ES256', kid: this.keys.publicJwk.kid! })
      .setIssuer(request.issuer ?? LOCAL_ISSUER)
      .setAudience(request.audience ?? LOCAL_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(`${request.ttl ?? 12 * 3600}s`)
      .sign(key);
  }
}
