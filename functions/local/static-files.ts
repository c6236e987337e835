import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { PutBucketCorsCommand, S3Client, type CORSRule } from '@aws-sdk/client-s3';

/**
 * The static web apps in the local mode: web/dist/sign at `/sign` (the page recipients open from
 * their invitation) and its files under `/sign/...`, and the sender console at `/console`, with the headers a static host must send in
 * AWS as well: a strict Content-Security-Policy, no MIME sniffing, and no referrer (the page's
 * address once carried the signing token in its fragment).
 */

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff2': 'font/woff2',
  '.pfb': 'application/octet-stream',
  '.bcmap': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '': 'text/plain; charset=utf-8',
};

/** The policy for the page: its own scripts, styles and fonts only; data only from `connect`. */
export function contentSecurityPolicy(connect: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    `connect-src ${["'self'", ...connect].join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(connect: string[]): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(connect),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
}

export interface StaticSiteOptions {
  /** The URL path the site answers under (`/sign`): the path itself is its index.html. */
  mount: string;
  /** The folder served. */
  root: string;
  /** Origins the page may fetch from besides its own (where presigned document URLs point). */
  connect?: string[];
}

/**
 * A request handler for the adapter's `extra` hook: answers GET and HEAD under the mount and says
 * whether it did. Only files inside the root are served; hidden files and folders never.
 */
export function staticSite(
  options: StaticSiteOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const mount = options.mount.replace(/\/$/, '');
  const root = normalize(options.root);
  const headers = securityHeaders(options.connect ?? []);
  return (req, res) => {
    let pathname: string;
    try {
      pathname = new URL(req.url ?? '/', 'http://local').pathname;
    } catch {
      return false;
    }
    if (pathname !== mount && !pathname.startsWith(`${mount}/`)) return false;
    const reply = (status: number, extra: Record<string, string> = {}, body?: string) => {
      res.writeHead(status, { ...headers, 'cache-control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }, 'Method Not Allowed');
      return true;
    }
    // `/sign/` would resolve the page's relative links one level too deep: the page is `/sign`.
    if (pathname === `${mount}/`) {
      const query = new URL(req.url ?? '/', 'http://local').search;
      reply(308, { location: `${mount}${query}` });
      return true;
    }
    let relative: string;
    try {
      relative = pathname === mount ? 'index.html' : decodeURIComponent(pathname.slice(mount.length + 1));
    } catch {
      reply(400, { 'content-type': 'text/plain; charset=utf-8' }, 'Bad Request');
      return true;
    }
    const parts = relative.split('/');
    const file = normalize(join(root, ...parts));
    const unsafe =
      relative.includes('\0') ||
      relative.includes('\\') ||
      parts.some((p) => p === '' || p.startsWith('.')) ||
      !file.startsWith(root + sep);
    let size = -1;
    if (!unsafe) {
      try {
        const stat = statSync(file);
        if (stat.isFile()) size = stat.size;
      } catch {
        // Not there: 404 below.
      }
    }
    if (size < 0) {
      reply(404, { 'content-type': 'text/plain; charset=utf-8' }, 'Not Found');
      return true;
    }
    res.writeHead(200, {
      ...headers,
      'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': String(size),
      // Names are not content-hashed: always revalidate, so a rebuilt app is never mixed with an old one.
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  };
}

/** Where the web app's build script is (outside the functions tree, so it is loaded by URL). */
const BUILD_SCRIPT = new URL('../../web/build.mts', import.meta.url);

interface WebBuild {
  ensureWebApp(dist?: string): Promise<string>;
}

let building: Promise<string> | undefined;

/**
 * The signing page's folder, built first when web/dist is missing or older than its sources, so
 * that `npm start` and the tests work on a fresh checkout. One build per process.
 */
export function ensureSigningPage(): Promise<string> {
  building ??= (import(BUILD_SCRIPT.href) as Promise<WebBuild>)
    .then((build) => build.ensureWebApp())
    .catch((err: unknown) => {
      building = undefined;
      throw new Error(
        `the signing page could not be built (${(err as Error).message}); run npm run build:web to see why`,
      );
    });
  return building;
}

/** The sender console's folder (built beside the signing page, by the same build). */
export async function ensureConsolePage(): Promise<string> {
  return join(dirname(await ensureSigningPage()), 'console');
}

/**
 * Lets the sender console PUT files to the S3 emulator's staging bucket through presigned upload
 * URLs (the URL's signature is the permission, and it fixes the size). In AWS the staging bucket
 * has the same rule (infra/stateful-stack.ts).
 */
export function allowBrowserUploads(endpoint: string, bucket: string): Promise<void> {
  return putCorsRule(endpoint, bucket, {
    AllowedOrigins: ['*'],
    AllowedMethods: ['PUT'],
    AllowedHeaders: ['*'],
    ExposeHeaders: ['ETag'],
    MaxAgeSeconds: 3000,
  });
}

/**
 * Lets the page read documents straight from the S3 emulator through their presigned URLs (GET
 * only; the URL's signature is the permission). In AWS the documents bucket needs the same rule
 * for the origin that serves the page.
 */
export function allowBrowserReads(endpoint: string, bucket: string): Promise<void> {
  return putCorsRule(endpoint, bucket, {
    AllowedOrigins: ['*'],
    AllowedMethods: ['GET', 'HEAD'],
    AllowedHeaders: ['*'],
    MaxAgeSeconds: 3000,
  });
}

/** Sets a bucket's CORS configuration of the S3 emulator to this one rule. */
async function putCorsRule(endpoint: string, bucket: string, rule: CORSRule): Promise<void> {
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [rule] } }));
  } finally {
    s3.destroy();
  }
}
