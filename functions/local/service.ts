import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { makeAuthorizer, makeVerifier } from '../api/authorizer';
import { makeApiHandler, makeOpenApiHandler } from '../api/http';
import { ROUTE_MANIFEST } from '../api/route-manifest';
import { ROUTES } from '../api/routes';
import { ensureTable } from '../adapters/dynamodb/create-table';
import type { Ports } from '../core/ports';
import type { ServiceConfig } from '../wiring/config';
import { buildPorts } from '../wiring/ports';
import { startEmulators } from './emulators';
import { createHttpAdapter, type AccessLogEntry } from './http-adapter';
import { LocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_URI } from './issuer';
import { acquireLock } from './lock';

export interface LocalServiceOptions {
  /** State directory; without it everything lives in memory (tests). */
  home?: string;
  /** Where the issuer key lives when there is no home (tests share one). */
  issuerDirectory?: string;
  port?: number;
  host?: string;
  log?: (entry: AccessLogEntry) => void;
  /** Replace ports (a fixed clock, a failing store) for tests. */
  overrides?: (ports: Ports) => Partial<Ports>;
}

export interface LocalService {
  url: string;
  openApiUrl: string;
  mailUrl: string;
  endpoints: { dynamodb: string; s3: string; ses: string };
  issuer: LocalIssuer;
  ports: Ports;
  config: ServiceConfig;
  close(): Promise<void>;
}

const TABLE = 'countersign';
const BUCKETS = { documents: 'countersign-documents', staging: 'countersign-staging' };

/** The whole service in this process, on loopback, with the AWS adapters pointed at emulators. */
export async function startLocalService(options: LocalServiceOptions = {}): Promise<LocalService> {
  const host = options.host ?? '127.0.0.1';
  const release = options.home ? acquireLock(options.home) : () => undefined;
  const closers: (() => Promise<void> | void)[] = [release];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const emulators = await startEmulators({
      ...(options.home ? { directory: options.home } : {}),
      buckets: [BUCKETS.documents, BUCKETS.staging],
    });
    closers.push(() => emulators.close());
    const config: ServiceConfig = {
      stage: 'local',
      region: 'us-east-1',
      tableName: TABLE,
      documentsBucket: BUCKETS.documents,
      stagingBucket: BUCKETS.staging,
      objectLockMode: 'GOVERNANCE',
      retentionDays: 1,
      mailFrom: 'countersign@countersign.local',
      publicUrl: `http://${host}:${options.port ?? 3000}`,
      endpoints: emulators.endpoints,
    };
    const dynamo = new DynamoDBClient({
      region: config.region,
      endpoint: emulators.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(dynamo, TABLE);
    dynamo.destroy();

    const base = buildPorts(config);
    const ports: Ports = { ...base, ...(options.overrides?.(base) ?? {}) };
    const issuer = await LocalIssuer.open(options.home ?? options.issuerDirectory ?? (await tempDir()));
    const verifier = makeVerifier({
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      jwksUri: LOCAL_JWKS_URI,
      jwks: issuer.jwks(),
    });
    const quiet = { warn: () => undefined };

    const server: Server = createHttpAdapter({
      routes: ROUTE_MANIFEST.map((manifest) => ({
        manifest,
        handler:
          manifest.name === 'getOpenApi'
            ? makeOpenApiHandler()
            : makeApiHandler(ROUTES[manifest.name]!, () => ports, {
                error: (m, f) => console.error(JSON.stringify({ level: 'error', message: m, ...f })),
              }),
      })),
      authorizer: makeAuthorizer(verifier, quiet),
      ...(options.log ? { log: options.log } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const url = `http://${host}:${(server.address() as AddressInfo).port}`;
    config.publicUrl = url;
    return {
      url,
      openApiUrl: `${url}/v1/openapi.json`,
      mailUrl: emulators.mailUrl,
      endpoints: emulators.endpoints,
      issuer,
      ports,
      config,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function tempDir(): Promise<string> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtempSync(join(tmpdir(), 'countersign-issuer-'));
}
