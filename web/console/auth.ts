/**
 * Signing in to the console. How is told by `config.json` beside the page, which the deployment
 * writes (the local service answers it itself):
 *
 * - `cognito`: the user pool's hosted login, authorization code with PKCE. The console sends the
 *   browser to `https://{domain}/oauth2/authorize`, comes back to `redirectUri` with `?code=`,
 *   and trades the code for tokens at `/oauth2/token`; the API takes the ID token.
 * - `local`: the local service's `/local/login` page mints a token from the local issuer and sends
 *   the browser back to the console with it in the fragment (`#token=...`), which never reaches a
 *   server and is removed from the address bar at once.
 *
 * The token is kept in sessionStorage (this tab only, gone when it closes).
 */

export type AuthConfig =
  | {
      kind: 'cognito';
      /** The user pool domain, e.g. `acme.auth.eu-west-1.amazoncognito.com` (with or without https://). */
      domain: string;
      clientId: string;
      /** Where the hosted login sends the browser back: the console's own address. */
      redirectUri: string;
    }
  | { kind: 'local' };

/** `/console/config.json`. */
export interface ConsoleConfig {
  /** Where `/v1/...` lives. */
  apiUrl: string;
  auth: AuthConfig;
}

/** What the console reads from the token to show and to decide what to offer (the API decides). */
export interface Session {
  token: string;
  sub: string;
  email?: string;
  tenant: string;
  roles: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
}

const TOKEN_KEY = 'countersign.console.token';
const PKCE_KEY = 'countersign.console.pkce';
const RETURN_KEY = 'countersign.console.return';

function storage(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}

let memoryToken: string | null = null;

export async function loadConfig(assets: URL): Promise<ConsoleConfig> {
  const res = await fetch(new URL('config.json', assets), { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new Error(`config.json: HTTP ${res.status}`);
  const config = (await res.json()) as Partial<ConsoleConfig>;
  const auth = config.auth;
  if (!auth || (auth.kind !== 'local' && auth.kind !== 'cognito')) throw new Error('config.json: no auth');
  if (auth.kind === 'cognito' && (!auth.domain || !auth.clientId || !auth.redirectUri)) {
    throw new Error('config.json: cognito needs domain, clientId and redirectUri');
  }
  return { apiUrl: config.apiUrl || new URL('../', assets).href, auth };
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomString = (n = 32) => base64url(crypto.getRandomValues(new Uint8Array(n)));

/** The claims of a JWT, read without checking it (the API checks it; this only shows who). */
export function decodeToken(token: string): Session | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const groups = claims['cognito:groups'];
    return {
      token,
      sub: String(claims.sub ?? ''),
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      tenant: String(claims['custom:tenant_id'] ?? ''),
      roles: Array.isArray(groups) ? groups.map(String) : [],
      expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
    };
  } catch {
    return null;
  }
}

/** The signed-in session, if its token has not expired (a minute's margin). */
export function currentSession(now = Date.now()): Session | null {
  const token = memoryToken ?? storage()?.getItem(TOKEN_KEY) ?? null;
  if (!token) return null;
  const session = decodeToken(token);
  if (!session || session.expiresAt * 1000 < now + 60_000) return null;
  return session;
}

/** Whether a token was kept but has expired (to say so rather than just ask to sign in). */
export function hadExpiredSession(): boolean {
  const token = memoryToken ?? storage()?.getItem(TOKEN_KEY) ?? null;
  return Boolean(token) && !currentSession();
}

function keep(token: string): void {
  memoryToken = token;
  storage()?.setItem(TOKEN_KEY, token);
}

export function forget(): void {
  memoryToken = null;
  storage()?.removeItem(TOKEN_KEY);
}

const cognitoBase = (domain: string) =>
  (/^https?:\/\//.test(domain) ? domain : `https://${domain}`).replace(/\/$/, '');

/** Sends the browser to sign in; `returnTo` is the route to open afterwards. */
export async function signIn(config: ConsoleConfig, returnTo: string): Promise<void> {
  storage()?.setItem(RETURN_KEY, returnTo);
  if (config.auth.kind === 'local') {
    const login = new URL('local/login', new URL(config.apiUrl).origin + '/');
    login.searchParams.set('return', location.pathname);
    location.assign(login.href);
    return;
  }
  const verifier = randomString(48);
  const state = randomString(16);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  storage()?.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const url = new URL(`${cognitoBase(config.auth.domain)}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.auth.clientId,
    redirect_uri: config.auth.redirectUri,
    scope: 'openid email profile',
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.href);
}

/**
 * Finishes a sign-in the browser came back from, if it did: takes the token (local) or trades the
 * code for one (Cognito), cleans the address bar, and answers the route to open. Throws when the
 * sign-in came back but failed.
 */
export async function completeSignIn(config: ConsoleConfig): Promise<string | null> {
  const returnTo = () => {
    const route = storage()?.getItem(RETURN_KEY) ?? null;
    storage()?.removeItem(RETURN_KEY);
    return route;
  };
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromFragment = fragment.get('token');
  if (fromFragment) {
    history.replaceState(history.state, '', location.pathname + location.search);
    keep(fromFragment);
    return returnTo() ?? '/envelopes';
  }
  const query = new URLSearchParams(location.search);
  if (config.auth.kind !== 'cognito' || !(query.has('code') || query.has('error'))) return null;
  const clean = () => history.replaceState(history.state, '', location.pathname + location.hash);
  const saved = JSON.parse(storage()?.getItem(PKCE_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  storage()?.removeItem(PKCE_KEY);
  clean();
  if (query.has('error')) throw new Error(query.get('error_description') ?? query.get('error') ?? 'error');
  if (!saved || saved.state !== query.get('state'))
    throw new Error('the sign-in answer does not match this tab');
  const res = await fetch(`${cognitoBase(config.auth.domain)}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.auth.clientId,
      code: query.get('code') ?? '',
      redirect_uri: config.auth.redirectUri,
      code_verifier: saved.verifier,
    }),
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(`the token endpoint answered HTTP ${res.status}`);
  const tokens = (await res.json()) as { id_token?: string };
  if (!tokens.id_token) throw new Error('no ID token in the answer');
  keep(tokens.id_token);
  return returnTo() ?? '/envelopes';
}

/** Forgets the token; with Cognito, ends the hosted login's session too. */
export function signOut(config: ConsoleConfig): void {
  forget();
  if (config.auth.kind === 'cognito') {
    const url = new URL(`${cognitoBase(config.auth.domain)}/logout`);
    url.search = new URLSearchParams({
      client_id: config.auth.clientId,
      logout_uri: config.auth.redirectUri,
    }).toString();
    location.assign(url.href);
  }
}
