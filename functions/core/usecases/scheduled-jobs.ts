import type { Ports, ScheduledJob } from '../ports';
import { BULK_SEND_JOB, runBulkSend } from './bulk-send';
import { CONTRACT_LIFECYCLE_JOB, runContractLifecycle } from './contracts';
import { runMonthlyReport, SLA_REPORT_JOB } from './sla-reports';

/** Every job the scheduler may start, by name: the local timers and the AWS target both run these. */
const JOBS: Record<string, (ports: Ports, job: ScheduledJob) => Promise<unknown>> = {
  [CONTRACT_LIFECYCLE_JOB]: runContractLifecycle,
  [SLA_REPORT_JOB]: (ports, job) => runMonthlyReport(ports, job),
  [BULK_SEND_JOB]: runBulkSend,
};

export async function runScheduledJob(ports: Ports, job: ScheduledJob): Promise<unknown> {
  const run = JOBS[job.job];
  // An unknown job is a deployment mismatch: fail loudly so the schedule's retries and DLQ show it.
  if (!run) throw new Error(`no handler for scheduled job "${job.job}" (${job.id})`);
  return run(ports, job);
}
