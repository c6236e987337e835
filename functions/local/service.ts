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
import { buildPorts, withOverrides } from '../wiring/ports';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { SIGNING_ROUTE_WORKFLOW } from '../../workflows/signing-route';
import { routeInput } from '../core/signing/send-envelope';
import { signingRouteTasks } from '../core/signing/route-tasks';
import { LocalWorkflowRunner, type LocalWorkflowRunnerOptions } from './workflow/local-workflow-runner';
import { openLocalSealKit } from './seal-kit';
import { LocalSmsOutbox } from '../adapters/local/sms-outbox';
import { LocalLegalHolds } from '../adapters/local/legal-hold-file';
import { TimerScheduler } from '../adapters/local/timer-scheduler';
import { runScheduledJob } from '../core/usecases/scheduled-jobs';
import { envelopesInFlight } from './resume';
import { startEmulators } from './emulators';
import { createHttpAdapter, type AccessLogEntry } from './http-adapter';
import { LocalIssuer, LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_JWKS_URI } from './issuer';
import { acquireLock } from './lock';
import {
  allowBrowserReads,
  allowBrowserUploads,
  ensureConsolePage,
  ensureSigningPage,
  staticSite,
} from './static-files';
import { consoleRoutes } from './console-login';

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
  /** Clock time per unit of workflow time (1 / 5760 turns a 48-hour wait for a reminder into 30 s). */
  timeScale?: number;
  onExecutionEnd?: LocalWorkflowRunnerOptions['onExecutionEnd'];
  /**
   * An RFC 3161 TSA: seals are then PAdES B-T (default: COUNTERSIGN_TSA_URL, if set). As in AWS,
   * a seal fails rather than go without its timestamp when the TSA does not answer.
   */
  tsaUrl?: string;
  /** The local seal keys: P-256 (default) or RSA-3072 (default: COUNTERSIGN_SEAL_KEY_SPEC, if set). */
  sealKeySpec?: 'ECC_NIST_P256' | 'RSA_3072';
}

export interface LocalService {
  url: string;
  openApiUrl: string;
  mailUrl: string;
  /** The local SMS outbox: what SNS would have delivered, as `{ messages: [...] }`. */
  smsUrl: string;
  endpoints: { dynamodb: string; s3: string; ses: string };
  issuer: LocalIssuer;
  ports: Ports;
  config: ServiceConfig;
  runner: LocalWorkflowRunner;
  /** The contract lifecycle's timers (what EventBridge Scheduler does in AWS). */
  scheduler: TimerScheduler;
  /** Envelopes whose signing route was started again at start-up. */
  resumed: number;
  close(): Promise<void>;
}

const TABLE = 'countersign';
const BUCKETS = { documents: 'countersign-documents', staging: 'countersign-staging' };

/** The whole service in this process, on loopback, with the AWS adapters pointed at emulators. */
export async function startLocalService(options: LocalServiceOptions = {}): Promise<LocalService> {
  const host = options.host ?? '127.0.0.1';
  const tsaUrl = options.tsaUrl ?? (process.env.COUNTERSIGN_TSA_URL || undefined);
  const sealKeySpec = options.sealKeySpec ?? localSealKeySpec(process.env.COUNTERSIGN_SEAL_KEY_SPEC);
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
    // The recipients' signing page, built first on a fresh checkout; it reads PDFs from the S3 emulator.
    const signingPage = staticSite({
      mount: '/sign',
      root: await ensureSigningPage(),
      connect: [emulators.endpoints.s3],
    });
    await allowBrowserReads(emulators.endpoints.s3, BUCKETS.documents);
    // The sender console, built with the signing page; it uploads PDFs to the staging bucket.
    const consolePage = staticSite({
      mount: '/console',
      root: await ensureConsolePage(),
      connect: [emulators.endpoints.s3],
    });
    await allowBrowserUploads(emulators.endpoints.s3, BUCKETS.staging);
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
      ...(tsaUrl ? { tsaUrl } : {}),
    };
    const dynamo = new DynamoDBClient({
      region: config.region,
      endpoint: emulators.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(dynamo, TABLE);

    const stateDir = options.home ?? options.issuerDirectory ?? (await tempDir());
    const ports = buildPorts(config);
    // The local stand-ins for the ports that have no emulator: the workflow runner and the seal key.
    const runner = new LocalWorkflowRunner({
      tasks: signingRouteTasks(ports),
      // Through the port, so a clock given in `overrides` (tests) also decides the waits' deadlines.
      clock: { now: () => ports.clock.now() },
      timeScale: options.timeScale ?? 1,
      ...(options.onExecutionEnd ? { onExecutionEnd: options.onExecutionEnd } : {}),
    });
    closers.push(() => runner.close());
    // SMS has no emulator: an outbox file beside the seal key (a fresh temporary directory in tests).
    const smsOutbox = new LocalSmsOutbox(join(stateDir, 'sms-outbox.jsonl'), {
      clock: { now: () => ports.clock.now() },
    });
    withOverrides(ports, {
      // The S3 emulator refuses legal holds: a file beside the other local state keeps them.
      legalHolds: new LocalLegalHolds(join(stateDir, 'legal-holds.json')),
      workflow: runner,
      seal: await openLocalSealKit(join(stateDir, 'seal'), ports.clock, {
        algorithm: sealKeySpec === 'RSA_3072' ? 'RSASSA_PKCS1_V1_5_SHA_256' : 'ECDSA_SHA_256',
      }),
      sms: smsOutbox,
    });
    // Contract lifecycle jobs: in-process timers kept in a file, so they survive a restart.
    const scheduler = new TimerScheduler({
      run: (job) => runScheduledJob(ports, job).then(() => undefined),
      clock: { now: () => ports.clock.now() },
      stateFile: join(stateDir, 'scheduled-jobs.json'),
    });
    withOverrides(ports, { scheduler });
    withOverrides(ports, options.overrides?.(ports) ?? {});
    await scheduler.start();
    closers.push(() => scheduler.stop());
    const issuer = await LocalIssuer.open(stateDir);
    const verifier = makeVerifier({
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      jwksUri: LOCAL_JWKS_URI,
      jwks: issuer.jwks(),
    });
    const quiet = { warn: () => undefined };
    // The console's config.json and the local sign-in page (the local issuer in place of Cognito).
    const consoleLocal = consoleRoutes({ issuer, apiUrl: () => config.publicUrl });

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
      extra: (req, res) => {
        if (signingPage(req, res)) return true;
        if (consoleLocal(req, res) || consolePage(req, res)) return true;
        if (req.method === 'GET' && req.url === '/local/sms') {
          smsOutbox
            .read()
            .then((messages) => {
              res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
              res.end(JSON.stringify({ messages }));
            })
            .catch(() => {
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ message: 'the local SMS outbox could not be read' }));
            });
          return true;
        }
        // The local outbox, on the service's own address: what SES would have delivered.
        if (req.method !== 'GET' || req.url !== '/local/mail') return false;
        fetch(`${emulators.mailUrl}/store`)
          .then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
            res.end(await answer.text());
          })
          .catch(() => {
            res.writeHead(502, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ message: 'the local mail store did not answer' }));
          });
        return true;
      },
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
    withOverrides(ports, { links: { publicUrl: url } });
    const resumed = await resumeRoutes(dynamo, runner);
    dynamo.destroy();
    return {
      url,
      openApiUrl: `${url}/v1/openapi.json`,
      mailUrl: emulators.mailUrl,
      smsUrl: `${url}/local/sms`,
      endpoints: emulators.endpoints,
      issuer,
      ports,
      config,
      runner,
      scheduler,
      resumed,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

function localSealKeySpec(value: string | undefined): 'ECC_NIST_P256' | 'RSA_3072' {
  if (!value) return 'ECC_NIST_P256';
  if (value === 'ECC_NIST_P256' || value === 'RSA_3072') return value;
  throw new Error(`COUNTERSIGN_SEAL_KEY_SPEC must be ECC_NIST_P256 or RSA_3072, not ${value}`);
}

async function tempDir(): Promise<string> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  return mkdtempSync(join(tmpdir(), 'countersign-issuer-'));
}

async function resumeRoutes(dynamo: DynamoDBClient, runner: LocalWorkflowRunner): Promise<number> {
  const inFlight = await envelopesInFlight(DynamoDBDocumentClient.from(dynamo), TABLE);
  for (const state of inFlight) await runner.start(SIGNING_ROUTE_WORKFLOW, routeInput(state));
  return inFlight.length;
}
