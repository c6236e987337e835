import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLES, type Role } from '../core/access';
import type { LocalIssuer } from './issuer';

/**
 * What the local mode adds around the sender console (web/console at `/console`):
 *
 * - `GET /console/config.json`: the console's settings, which a deployment writes as a file in
 *   AWS; locally the API is the service itself and sign-in is the local issuer's.
 * - `/local/login`: a form (roles, tenant, e-mail) that mints a token from the local issuer, the
 *   way `npx countersign token` does, and sends the browser back to the console with the token
 *   in the address's fragment (never sent to a server; the console removes it at once).
 *
 * Only the local service mounts these: anyone who reaches it may sign in as anyone, as with the CLI.
 */

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_FORM_BYTES = 8 * 1024;

/** The console's config.json (web/console/auth.ts `ConsoleConfig`) for the local service. */
export function localConsoleConfig(apiUrl: string): { apiUrl: string; auth: { kind: 'local' } } {
  return { apiUrl, auth: { kind: 'local' } };
}

/** The policy for the login page: no script at all, its form posts to itself. */
const LOGIN_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Only the console may be returned to (no open redirect through `?return=`). */
function safeReturn(value: string | null | undefined, consolePath: string): string {
  return value === consolePath ? value : consolePath;
}

interface LoginForm {
  roles: string[];
  tenant: string;
  email: string;
  return: string;
}

function loginPage(form: LoginForm, errors: string[] = []): string {
  const checked = (role: string) => (form.roles.includes(role) ? ' checked' : '');
  const roleBoxes = ROLES.map(
    (role) =>
      `<div class="check-line"><input type="checkbox" id="role-${role}" name="role" value="${role}"${checked(role)} /><label for="role-${role}">${role}</label></div>`,
  ).join('\n          ');
  const errorList = errors.length
    ? `<div class="notice error" role="alert"><p class="notice-title">Sign-in was refused</p><ul class="error-details">${errors
        .map((e) => `<li>${escapeHtml(e)}</li>`)
        .join('')}</ul></div>`
    : '';
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <meta name="robots" content="noindex, nofollow" />
    <title>Local sign-in · Countersign</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/console/base.css" />
    <link rel="stylesheet" href="/console/styles.css" />
  </head>
  <body>
    <header class="topbar">
      <div class="brand"><span>Countersign</span><span class="brand-sub">Local sign-in</span></div>
    </header>
    <main id="main">
      <section class="card narrow" data-screen="local-login">
        <h1>Local sign-in</h1>
        <p class="muted">
          This service runs in local mode: pick who you are. The token comes from the local issuer, as
          with <code>npx countersign token</code>; in AWS the console signs in with Cognito.
        </p>
        ${errorList}
        <form method="post" action="/local/login">
          <input type="hidden" name="return" value="${escapeHtml(form.return)}" />
          <fieldset>
            <legend>Roles</legend>
          ${roleBoxes}
          </fieldset>
          <div class="field">
            <label for="tenant">Tenant</label>
            <input type="text" id="tenant" name="tenant" required pattern="[A-Za-z0-9_\\-]{1,64}" value="${escapeHtml(form.tenant)}" aria-describedby="tenant-hint" />
            <p class="hint" id="tenant-hint">1 to 64 letters, digits, “_” or “-”.</p>
          </div>
          <div class="field">
            <label for="email">E-mail</label>
            <input type="email" id="email" name="email" required autocomplete="email" value="${escapeHtml(form.email)}" />
          </div>
          <div class="actions">
            <button type="submit" class="button primary" id="local-sign-in">Sign in</button>
          </div>
        </form>
      </section>
    </main>
  </body>
</html>
`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': LOGIN_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cache-control': 'no-store',
  });
  res.end(html);
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}

export interface ConsoleRoutesOptions {
  issuer: LocalIssuer;
  /** The service's own address (where `/v1/...` is). */
  apiUrl: () => string;
  /** Where the console is mounted. */
  consolePath?: string;
}

/**
 * A handler for the adapter's `extra` hook: `/console/config.json` and `/local/login`; answers
 * whether it took the request.
 */
export function consoleRoutes(
  options: ConsoleRoutesOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const consolePath = options.consolePath ?? '/console';
  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://local');
    } catch {
      return false;
    }
    if (url.pathname === `${consolePath}/config.json` && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(localConsoleConfig(options.apiUrl())));
      return true;
    }
    if (url.pathname !== '/local/login') return false;
    if (req.method === 'GET') {
      send(
        res,
        200,
        loginPage({
          roles: ['sender'],
          tenant: 'local',
          email: 'sender@countersign.local',
          return: safeReturn(url.searchParams.get('return'), consolePath),
        }),
      );
      return true;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'GET, POST', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed');
      return true;
    }
    readForm(req)
      .then(async (body) => {
        const form: LoginForm = {
          roles: body.getAll('role'),
          tenant: (body.get('tenant') ?? '').trim(),
          email: (body.get('email') ?? '').trim(),
          return: safeReturn(body.get('return'), consolePath),
        };
        const errors: string[] = [];
        const unknown = form.roles.filter((r) => !(ROLES as readonly string[]).includes(r));
        if (!form.roles.length) errors.push('Pick at least one role.');
        if (unknown.length) errors.push(`Unknown role: ${unknown.join(', ')}.`);
        if (!TENANT.test(form.tenant)) errors.push('The tenant must be 1 to 64 letters, digits, “_” or “-”.');
        if (!EMAIL.test(form.email) || form.email.length > 254) errors.push('Enter an e-mail address.');
        if (errors.length) return send(res, 400, loginPage(form, errors));
        const email = form.email.toLowerCase();
        const token = await options.issuer.mint({
          roles: form.roles as Role[],
          tenant: form.tenant,
          email,
          sub: `local-${email.replace(/[^a-z0-9._-]/g, '_')}`,
        });
        res.writeHead(303, {
          location: `${form.return}#token=${encodeURIComponent(token)}`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        res.end();
      })
      .catch(() => {
        if (!res.headersSent) {
          res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Bad Request');
        }
      });
    return true;
  };
}
