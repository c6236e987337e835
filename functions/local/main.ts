import { resolve } from 'node:path';
import { InstanceLockedError } from './lock';
import { startLocalService } from './service';

/** Workflow waits run this many times faster than real time: a 48-hour reminder wait takes 30 s. */
const DEFAULT_SPEEDUP = 5760;

/** `npm start`: the embedded local mode. */
async function main(): Promise<void> {
  // The local mode runs on Node 20 by design; Lambda runs Node 24. The SDK's notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const home = resolve(process.env.COUNTERSIGN_HOME ?? '.local');
  const port = Number(process.env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, not ${process.env.PORT}`);
  const speedup = Number(process.env.COUNTERSIGN_TIME_SCALE ?? DEFAULT_SPEEDUP);
  if (!(speedup >= 1))
    throw new Error(
      `COUNTERSIGN_TIME_SCALE must be a number of at least 1, not ${process.env.COUNTERSIGN_TIME_SCALE}`,
    );
  const service = await startLocalService({
    home,
    port,
    timeScale: 1 / speedup,
    log: (e) => console.log(JSON.stringify({ type: 'access', ...e })),
  });
  const token = await service.issuer.mint({
    roles: ['admin'],
    tenant: 'local',
    sub: 'local-admin',
    email: 'admin@countersign.local',
  });
  console.log(
    [
      'Countersign is running in the local mode (no AWS account needed).',
      `  API:          ${service.url}/v1`,
      `  OpenAPI:      ${service.openApiUrl}`,
      `  Console:      ${service.url}/console  (sign in at ${service.url}/local/login)`,
      `  Sent mail:    ${service.mailUrl}  (JSON at ${service.url}/local/mail)`,
      `  Sent SMS:     ${service.smsUrl}  (verification codes; SNS in AWS)`,
      `  State:        ${home}`,
      `  Workflow time runs ${speedup}x faster than real time (COUNTERSIGN_TIME_SCALE=1 for real time).`,
      ...(service.resumed
        ? [`  Resumed the signing route of ${service.resumed} envelope(s) in flight.`]
        : []),
      '',
      'Bearer token for a local administrator (tenant "local", valid 12 hours):',
      token,
      '',
      'Another token: npx countersign token --role sender [--tenant T]',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof InstanceLockedError) {
    console.error(`countersign: ${err.message}`);
  } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`countersign: port ${process.env.PORT ?? 3000} is in use; set PORT to another port`);
  } else {
    console.error('countersign: could not start:', err);
  }
  process.exit(1);
});
