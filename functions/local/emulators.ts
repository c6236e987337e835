import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import sesModule from 'aws-ses-v2-local';

export interface Emulators {
  endpoints: { dynamodb: string; s3: string; ses: string };
  /** Where sent mail can be read: a web page, and JSON at `${mail}/store`. */
  mailUrl: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
// A CommonJS module with `exports.default`: Node's ESM loader hands over the whole exports object.
const sesServer = ((sesModule as unknown as { default?: typeof sesModule }).default ??
  sesModule) as typeof sesModule;

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** A loopback port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, HOST, resolve));
  const { port } = probe.address() as AddressInfo;
  await closeServer(probe);
  return port;
}

/**
 * The in-process emulators that speak the AWS wire protocols: dynalite (DynamoDB), s3rver
 * (S3) and aws-ses-v2-local (SES). With `directory`, DynamoDB and S3 keep their data there;
 * without it they live in memory and a temporary folder. All bind to loopback only.
 */
export async function startEmulators(options: { directory?: string; buckets: string[] }): Promise<Emulators> {
  const dynamo: Server = dynalite({
    ...(options.directory ? { path: join(options.directory, 'dynamodb') } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, HOST, () => resolve());
  });

  const s3Directory = options.directory
    ? join(options.directory, 's3')
    : join((await import('node:os')).tmpdir(), `countersign-s3-${process.pid}-${Date.now()}`);
  mkdirSync(s3Directory, { recursive: true });
  const s3 = new S3rver({
    address: HOST,
    port: 0,
    silent: true,
    directory: s3Directory,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [] })),
  });
  const s3Address = (await s3.run()) as AddressInfo;

  const sesPort = await freePort();
  const ses = await sesServer({ host: HOST, port: sesPort });

  const dynamoPort = (dynamo.address() as AddressInfo).port;
  return {
    endpoints: {
      dynamodb: `http://${HOST}:${dynamoPort}`,
      s3: `http://${HOST}:${s3Address.port}`,
      ses: `http://${HOST}:${sesPort}`,
    },
    mailUrl: `http://${HOST}:${sesPort}`,
    close: async () => {
      // dynalite's close also closes its LevelDB, which a later start on the same path needs.
      await Promise.all([closeServer(ses), s3.close(), closeServer(dynamo)]);
    },
  };
}
