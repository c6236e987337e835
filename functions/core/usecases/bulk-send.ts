import { performance } from 'node:perf_hooks';
import { readsWholeTenant, requireWriter, type Principal } from '../access';
import {
  MAX_BATCH_BYTES,
  progressOf,
  rowEnvelopeId,
  rowTitle,
  underRow,
  unknownPlaceholders,
  type BulkSendBatch,
  type BulkSendInput,
  type BulkSendProgress,
  type RowOutcome,
} from '../bulk-send/batch';
import {
  ConcurrencyError,
  ConflictError,
  DomainError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
  type ErrorDetail,
} from '../errors';
import { canonicalJson, sha256Hex } from '../hashing';
import type { Ports, ScheduledJob } from '../ports';
import { sendEnvelope } from '../signing/send-envelope';
import { loadTenantSettings } from '../tenant-settings';
import { checkSettings, createEnvelope } from './create-envelope';
import { checkAgainstTemplate, layeredSettings, pickVersion } from './envelope-from-template';

export const BULK_SEND_JOB = 'bulk-send';
/** A run stops taking rows after this long (the jobs function has 300 s); the next run goes on. */
export const RUN_BUDGET_MS = 180_000;
/** When a run dies without a word, the run it scheduled first takes over after this long. */
export const TAKEOVER_MS = 10 * 60_000;
/** Rows in flight at once within a run. */
const CONCURRENCY = 4;
/** A refusal names at most this many problems (a 1,000-row file with one bad column would name 1,000). */
const MAX_DETAILS = 50;

/**
 * Checks every row against the template version (the roles, the merge data, the title), then
 * records the batch and starts sending. Nothing is recorded when any row is wrong: the answer names
 * each problem by row. A repeated request (same Idempotency-Key) finds the batch it made.
 */
export async function startBulkSend(
  ports: Ports,
  principal: Principal,
  input: BulkSendInput,
  opts: { batchId: string; requestHash: string },
): Promise<BulkSendProgress> {
  requireWriter(principal, 'send in bulk');
  const existing = await ports.bulkSends.getBatch(principal.tenantId, opts.batchId);
  if (existing) {
    if (existing.requestHash !== opts.requestHash) {
      throw new ConflictError(`bulk send ${opts.batchId} already exists with different content`);
    }
    const progress = progressOf(existing, await ports.bulkSends.listOutcomes(existing.tenantId, existing.id));
    // A request that stopped between recording the batch and scheduling its run schedules it now.
    if (progress.status !== 'done') await scheduleRun(ports, existing, ports.clock.now());
    return progress;
  }

  const version = await pickVersion(ports, principal, input.template);
  const { message, title, rows, template, ...settingsInput } = input;
  const settings = layeredSettings(version.settings, settingsInput);
  const tenant = await loadTenantSettings(ports.tenantSettings, principal.tenantId);
  checkSettings(settings, new Set(version.roles.map((r) => r.step)).size, tenant.envelopeDefaults);

  const keys = new Set(version.mergeFields.map((f) => f.key));
  const roleNames = version.roles.map((r) => r.name);
  const problems: ErrorDetail[] = [];
  const titled = rows.map((row, i) => {
    const own = row.title ?? title;
    const missing = unknownPlaceholders(own, keys);
    if (missing.length) {
      problems.push({
        path: row.title !== undefined ? `body.rows[${i}].title` : 'body.title',
        message: `the template has no merge field ${missing.map((k) => `"${k}"`).join(', ')} to fill {{${missing[0]}}}`,
      });
    }
    for (const [role, who] of Object.entries(row.roles)) {
      // The batch is kept until its last row is sent: an access code would be kept in clear.
      if (who.auth?.method === 'access_code') {
        problems.push({
          path: `body.rows[${i}].roles.${role}.auth.method`,
          message: 'access codes cannot be used in a bulk send (use an SMS or e-mail code)',
        });
      }
    }
    try {
      const values = checkAgainstTemplate(version, row);
      return { ...row, title: rowTitle(own, values).trim() || title };
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...underRow(i + 1, roleNames, err.details));
      return row;
    }
  });
  if (problems.length) {
    const rowsWrong = new Set(problems.map((p) => /^body\.rows\[(\d+)\]/.exec(p.path)?.[1] ?? 'all'));
    throw new ValidationError(
      `${rowsWrong.has('all') ? 'the batch' : `${rowsWrong.size} of ${rows.length} rows`} cannot be sent; nothing was sent: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems.slice(0, MAX_DETAILS),
    );
  }

  const batch: BulkSendBatch = {
    tenantId: principal.tenantId,
    id: opts.batchId,
    createdAt: ports.clock.now().toISOString(),
    createdBy: {
      sub: principal.sub,
      ...(principal.email ? { email: principal.email } : {}),
      roles: principal.roles,
    },
    template: { id: template.id, version: version.version, name: version.name },
    title,
    ...(message !== undefined ? { message } : {}),
    settings: settingsInput,
    rows: titled,
    requestHash: opts.requestHash,
  };
  const size = Buffer.byteLength(JSON.stringify(batch), 'utf8');
  if (size > MAX_BATCH_BYTES) {
    throw new PayloadTooLargeError(
      `the batch is ${size} bytes as stored, over ${MAX_BATCH_BYTES}: send it as two or more batches`,
      [{ path: 'body.rows', message: `${rows.length} rows, ${size} bytes` }],
    );
  }
  await ports.bulkSends.createBatch(batch);
  await scheduleRun(ports, batch, ports.clock.now());
  return progressOf(batch, []);
}

/** The batch and how far it got: its sender, or whoever reads the whole tenant. */
export async function getBulkSend(ports: Ports, principal: Principal, id: string): Promise<BulkSendProgress> {
  const batch = await ports.bulkSends.getBatch(principal.tenantId, id);
  if (!batch || (batch.createdBy.sub !== principal.sub && !readsWholeTenant(principal))) {
    throw new NotFoundError(`bulk send ${id} not found`);
  }
  return progressOf(batch, await ports.bulkSends.listOutcomes(batch.tenantId, batch.id));
}

const jobAt = (batch: BulkSendBatch, when: Date): ScheduledJob => ({
  id: `${BULK_SEND_JOB}-${batch.id}-${when.getTime()}`,
  job: BULK_SEND_JOB,
  input: { tenantId: batch.tenantId, batchId: batch.id },
});

async function scheduleRun(ports: Ports, batch: BulkSendBatch, when: Date): Promise<ScheduledJob> {
  const job = jobAt(batch, when);
  await ports.scheduler.at(when, job);
  return job;
}

/**
 * One run of a batch: takes the rows without an outcome, makes and sends each one's envelope, and
 * records the outcome. Before it starts, it schedules its own takeover (TAKEOVER_MS later) in case
 * it dies; at its end it cancels that and, when rows remain, schedules the next run. Two runs at
 * once are harmless: a row's envelope is named after the batch and row, made by an idempotent
 * create and sent by an idempotent send.
 */
export async function runBulkSend(
  ports: Ports,
  job: ScheduledJob,
): Promise<{ sent: number; failed: number; remaining: number }> {
  const { tenantId, batchId } = job.input as { tenantId: string; batchId: string };
  const batch = await ports.bulkSends.getBatch(tenantId, batchId);
  if (!batch) {
    ports.log?.warn(`bulk send ${batchId} of tenant ${tenantId} does not exist; nothing to run`, undefined);
    return { sent: 0, failed: 0, remaining: 0 };
  }
  const done = new Set((await ports.bulkSends.listOutcomes(tenantId, batchId)).map((o) => o.row));
  const todo = batch.rows.map((_, i) => i + 1).filter((row) => !done.has(row));
  if (todo.length === 0) return { sent: 0, failed: 0, remaining: 0 };

  const takeover = await scheduleRun(ports, batch, new Date(ports.clock.now().getTime() + TAKEOVER_MS));
  const started = performance.now();
  const take = todo.slice(0, ports.limits.bulkSendRowsPerRun);
  let next = 0;
  let sent = 0;
  let failed = 0;
  const workers = Array.from({ length: Math.min(CONCURRENCY, take.length) }, async () => {
    while (next < take.length && performance.now() - started < RUN_BUDGET_MS) {
      const row = take[next++]!;
      const outcome = await sendRow(ports, batch, row);
      await ports.bulkSends.putOutcome(tenantId, batchId, outcome);
      if (outcome.status === 'sent') sent++;
      else failed++;
    }
  });
  // Rows in flight finish and are recorded before an error ends the run (the takeover resumes it).
  const settled = await Promise.allSettled(workers);
  const error = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (error) throw error.reason;
  await ports.scheduler.cancel(takeover.id);
  const remaining = todo.length - sent - failed;
  if (remaining > 0) await scheduleRun(ports, batch, ports.clock.now());
  return { sent, failed, remaining };
}

/**
 * Makes and sends one row's envelope. A refusal (the template archived meanwhile, a role's address
 * refused) is the row's outcome; anything else (a store or network failure) ends the run, to be
 * resumed.
 */
async function sendRow(ports: Ports, batch: BulkSendBatch, row: number): Promise<RowOutcome> {
  const r = batch.rows[row - 1]!;
  const envelopeId = rowEnvelopeId(batch.id, row);
  const principal: Principal = { tenantId: batch.tenantId, ...batch.createdBy };
  const request = {
    title: r.title ?? batch.title,
    template: { id: batch.template.id, version: batch.template.version },
    roles: r.roles,
    ...(r.mergeData ? { mergeData: r.mergeData } : {}),
    ...(batch.message !== undefined ? { message: batch.message } : {}),
    ...batch.settings,
  };
  const requestHash = sha256Hex(canonicalJson({ bulkSend: batch.id, row, request }));
  try {
    await createEnvelope(ports, principal, request, { envelopeId, requestHash });
    await sendEnvelope(ports, principal, envelopeId, { operationId: `${BULK_SEND_JOB}:${batch.id}` });
    return { row, status: 'sent', envelopeId, at: ports.clock.now().toISOString() };
  } catch (err) {
    if (err instanceof ConcurrencyError || !(err instanceof DomainError) || err.status >= 500) throw err;
    return { row, status: 'failed', envelopeId, at: ports.clock.now().toISOString(), error: err.message };
  }
}
