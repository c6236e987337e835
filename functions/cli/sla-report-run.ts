import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Ports } from '../core/ports';
import { MONTH_PATTERN } from '../core/sla/engine/zone';
import { runMonthlyReport, SLA_REPORT_JOB, type MonthlyReportOutcome } from '../core/usecases/sla-reports';
import { startLocalService } from '../local/service';
import { UsageError } from './usage-error';
import type { CliResult } from './verify';

export const SLA_REPORT_RUN_USAGE = `  sla report-run  Run the monthly SLA report job now on the local state (stop the service first):
                  each contract's report is computed, stored, mailed and issued; a month already
                  issued is not sent again. One JSON line per contract:
                  {contractId, month, status, issued, sentTo, reportKey}
          --month YYYY-MM     default: the previous month in each contract's reporting time zone
          --contract ID       only this contract (default: every contract of the tenant, less
                              those that ended before the month)
          --tenant T          tenant id (default "local")
          --home DIR          state directory (default $COUNTERSIGN_HOME or .local)
`;

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;
const PAGE = 100;

interface Options {
  month?: string;
  contract?: string;
  tenant: string;
  home: string;
}

function options(args: string[]): Options {
  const { values } = parseArgs({
    args,
    options: {
      month: { type: 'string' },
      contract: { type: 'string' },
      tenant: { type: 'string' },
      home: { type: 'string' },
    },
    strict: true,
  });
  if (values.month !== undefined && !MONTH_PATTERN.test(values.month))
    throw new UsageError(`--month "${values.month}" is not a month (YYYY-MM)`);
  if (values.contract !== undefined && values.contract.trim() === '')
    throw new UsageError('--contract needs a contract id');
  const tenant = values.tenant ?? 'local';
  if (!TENANT.test(tenant)) throw new UsageError('--tenant must be 1 to 64 letters, digits, "_" or "-"');
  return {
    ...(values.month !== undefined ? { month: values.month } : {}),
    ...(values.contract !== undefined ? { contract: values.contract } : {}),
    tenant,
    home: resolve(values.home ?? process.env.COUNTERSIGN_HOME ?? '.local'),
  };
}

/** Every contract of the tenant that may still have a report to send (ended ones included). */
async function contractIds(ports: Ports, tenantId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await ports.contracts.list(tenantId, { limit: PAGE, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((c) => c.contractId));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

const line = (o: MonthlyReportOutcome) =>
  JSON.stringify({
    contractId: o.contractId,
    month: o.month,
    status: o.status,
    issued: o.issued,
    sentTo: o.sentTo,
    reportKey: o.reportKey,
  });

/**
 * `countersign sla report-run`: in the local mode a command runs the same job now. It starts the
 * local service's ports on the state directory (so the service itself must be stopped), lets the
 * scheduler run whatever fell due while the service was down (a report due meanwhile is then
 * already issued, never sent twice), and runs the monthly report of each contract. Contracts
 * that ended before the month are left out of the output unless named with --contract. Exit
 * code 0, 1 when a contract's report failed (its line says why), 2 on a usage error.
 */
export async function slaReportRunCommand(args: string[]): Promise<CliResult> {
  let opts: Options;
  try {
    opts = options(args);
  } catch (error) {
    return { code: 2, stdout: '', stderr: `countersign sla report-run: ${(error as Error).message}\n` };
  }
  // The local mode runs on Node 20 by design; the SDK's notice about it is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let service: Awaited<ReturnType<typeof startLocalService>>;
  try {
    service = await startLocalService({ home: opts.home, port: 0 });
  } catch (error) {
    return { code: 1, stdout: '', stderr: `countersign sla report-run: ${(error as Error).message}\n` };
  }
  const lines: string[] = [];
  const errors: string[] = [];
  try {
    await service.scheduler.runDue();
    const ports = service.ports;
    const ids = opts.contract ? [opts.contract] : await contractIds(ports, opts.tenant);
    for (const contractId of ids) {
      try {
        const outcome = await runMonthlyReport(
          ports,
          {
            // A run of its own: it never shares a claim with a scheduled attempt.
            id: `sla-report-run:${opts.tenant}:${contractId}:${ports.ids.newId()}`,
            job: SLA_REPORT_JOB,
            input: { tenantId: opts.tenant, contractId },
          },
          opts.month ? { month: opts.month } : {},
        );
        if (outcome.status !== 'ended' || opts.contract) lines.push(line(outcome));
      } catch (error) {
        const message = (error as Error).message;
        lines.push(
          JSON.stringify({ contractId, month: opts.month ?? null, status: 'failed', error: message }),
        );
        errors.push(`countersign sla report-run: contract ${contractId}: ${message}\n`);
      }
    }
  } catch (error) {
    errors.push(`countersign sla report-run: ${(error as Error).message}\n`);
  } finally {
    await service.close();
  }
  return {
    code: errors.length > 0 ? 1 : 0,
    stdout: lines.map((l) => `${l}\n`).join(''),
    stderr: errors.join(''),
  };
}
