import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../core/access';
import { LocalIssuer } from '../local/issuer';
import { certs, CERTS_USAGE } from './certs';
import { sla, SLA_USAGE } from './sla';
import { slaReportRunCommand, SLA_REPORT_RUN_USAGE } from './sla-report-run';
import { UsageError } from './usage-error';
import { VERIFY_USAGE, verifyCommand } from './verify';

export { UsageError };

const USAGE = `Usage: countersign <command> [options]

Commands:
  token   Print a bearer token from the local issuer
          --role ROLE     ${ROLES.join(' | ')} (repeatable; default admin)
          --tenant T      tenant id (default "local")
          --sub S         user id (default local-<role>)
          --email E       e-mail claim
          --ttl SECONDS   lifetime (default 43200)
          --home DIR      state directory (default $COUNTERSIGN_HOME or .local)
${CERTS_USAGE}${VERIFY_USAGE}${SLA_USAGE}${SLA_REPORT_RUN_USAGE}`;

async function token(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      role: { type: 'string', multiple: true },
      tenant: { type: 'string' },
      sub: { type: 'string' },
      email: { type: 'string' },
      ttl: { type: 'string' },
      home: { type: 'string' },
    },
    strict: true,
  });
  const roles = (values.role ?? ['admin']) as string[];
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role))
      throw new UsageError(`unknown role "${role}"; roles: ${ROLES.join(', ')}`);
  }
  if (values.tenant !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.tenant)) {
    throw new UsageError('--tenant must be 1 to 64 letters, digits, "_" or "-"');
  }
  const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 1 || ttl > 30 * 86400)) {
    throw new UsageError('--ttl must be a whole number of seconds between 1 and 2592000');
  }
  const home = resolve(values.home ?? process.env.COUNTERSIGN_HOME ?? '.local');
  const issuer = await LocalIssuer.open(home);
  return issuer.mint({
    roles: roles as Role[],
    ...(values.tenant ? { tenant: values.tenant } : {}),
    ...(values.sub ? { sub: values.sub } : {}),
    ...(values.email ? { email: values.email } : {}),
    ...(ttl ? { ttl } : {}),
  });
}

const COMMANDS: Record<string, (args: string[]) => Promise<string>> = {
  token,
  certs: (args) => certs(args),
  sla: (args) => sla(args),
};

export async function runCli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help')
    return { code: command ? 0 : 2, stdout: command ? USAGE : '', stderr: command ? '' : USAGE };
  // verify has exit codes of its own: 0 valid, 1 tampered, 2 unsealed, 3 unreadable, 4 usage.
  if (command === 'verify') return verifyCommand(rest);
  // report-run prints a line per contract and fails with 1 when any of them failed.
  if (command === 'sla' && rest[0] === 'report-run') return slaReportRunCommand(rest.slice(1));
  const run = COMMANDS[command];
  if (!run) return { code: 2, stdout: '', stderr: `countersign: unknown command "${command}"\n\n${USAGE}` };
  try {
    return { code: 0, stdout: `${await run(rest)}\n`, stderr: '' };
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    return { code: usage ? 2 : 1, stdout: '', stderr: `countersign ${command}: ${(err as Error).message}\n` };
  }
}
