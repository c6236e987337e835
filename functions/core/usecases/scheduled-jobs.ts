import type { Ports, ScheduledJob } from '../ports';
import { CONTRACT_LIFECYCLE_JOB, runContractLifecycle } from './contracts';

/** Every job the scheduler may start, by name: the local timers and the AWS target both run these. */
const JOBS: Record<string, (ports: Ports, job: ScheduledJob) => Promise<unknown>> = {
  [CONTRACT_LIFECYCLE_JOB]: runContractLifecycle,
};

export async function runScheduledJob(ports: Ports, job: ScheduledJob): Promise<unknown> {
  const run = JOBS[job.job];
  // An unknown job is a deployment mismatch: fail loudly so the schedule's retries and DLQ show it.
  if (!run) throw new Error(`no handler for scheduled job "${job.job}" (${job.id})`);
  return run(ports, job);
}
