import { outageOf } from './sla-read';
import { gzipSync } from 'node:zlib';
import type { Actor } from '../audit-chain';
import {
  foldContract,
  terminationRightEvent,
  termsInForce,
  type ContractEvent,
  type ContractState,
  type IsoDate,
  type TerminationRight,
} from '../contracts/contract';
import { addDays, renews } from '../contracts/lifecycle';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { sha256Hex } from '../hashing';
import type { MailAttachment, MailMessage, Ports, ScheduledJob } from '../ports';
import { evaluateTickets, monthlyStatement, type MetricResult, type Statement } from '../sla/engine';
import { MONTH_PATTERN, monthOf, shiftMonth } from '../sla/engine/zone';
import { formatPct, monthName, renderSlaReport } from '../sla/report/report-pdf';
import { slaTrend } from '../sla/report/trend';
import type { IssuedStatement } from '../sla/store';
import type { SlaTerms } from '../sla/terms';
import { formatMoney } from '../templates/sla-schedule';
import { retainUntil } from '../tenant-settings';
import { change } from './contracts';

/**
 * The monthly SLA report of a contract: on day `reporting.send_on_day` (default 5) at 06:00 in
 * the reporting time zone, the statement of the previous month is computed from the stored
 * tickets, outages and issued months, rendered as a PDF with a per-ticket CSV beside it, stored
 * under retention, mailed to the report recipients and the contract's owners, and issued (kept,
 * immutable, as the history of the next months). Chronic failures whose remedy is termination
 * without penalty are recorded on the contract as termination rights.
 *
 * Delivery, in this order: store the files, mail, issue. The issued statement is the record
 * that the month was delivered, and `sentTo` says to whom; a month already issued is never
 * mailed again. Nothing is issued before the mail has left, so a mail failure or a crash
 * loses nothing: before the work starts, a retry of the same month is scheduled an hour later
 * (up to `MAX_REPORT_ATTEMPTS` attempts), and it is cancelled once the month is issued. The
 * one case that mails twice is a crash after the mail left and before the statement was
 * issued: the report is delivered at least once, never lost. Each attempt takes a claim of its
 * own first (`claimAlert`, keyed by month, run and attempt number), so a scheduler delivering one
 * attempt twice mails once.
 */

/** The name of the job handler that runs the monthly report (see scheduled-jobs.ts). */
export const SLA_REPORT_JOB = 'sla.monthly_report';
/** The local time of day the report is sent on its day. */
export const REPORT_HOUR = 6;
/** How long after a failed or interrupted attempt the next one runs. */
export const REPORT_RETRY_MS = 60 * 60 * 1000;
/** Attempts per month, the scheduled run included: a day of hourly retries. */
export const MAX_REPORT_ATTEMPTS = 24;

const REPORT_ACTOR: Actor = { kind: 'system', id: 'sla-report' };
const DEFAULT_SEND_DAY = 5;

/** The recurring schedule of a contract's report: scheduling it again replaces it. */
export function reportScheduleId(tenantId: string, contractId: string): string {
  return `sla-report:${tenantId}:${contractId}`;
}

/** The one-off retry of one month's report. */
export function reportRetryId(tenantId: string, contractId: string, month: string): string {
  return `sla-report-retry:${tenantId}:${contractId}:${month}`;
}

/** Where a month's report and per-ticket CSV are stored in the documents bucket. */
export function reportKeys(tenantId: string, contractId: string, month: string) {
  const base = `tenants/${tenantId}/contracts/${contractId}/sla/${month}`;
  return { report: `${base}/report.pdf`, csv: `${base}/tickets.csv` };
}

/** The SLA terms that decide when the report is sent: the latest the contract has. */
function scheduleTerms(contract: Pick<ContractState, 'termsHistory'>): SlaTerms {
  return contract.termsHistory.at(-1)!.slaTerms;
}

/** `0 6 <send_on_day> * *` in the reporting time zone: 06:00 local on the send day. */
export function reportCron(terms: SlaTerms): { expression: string; timeZone: string } {
  const day = terms.reporting.send_on_day ?? DEFAULT_SEND_DAY;
  return { expression: `0 ${REPORT_HOUR} ${day} * *`, timeZone: terms.reporting.time_zone };
}

/**
 * Puts (or replaces) the contract's monthly report schedule, from its latest terms. Nothing for
 * a contract that has ended: its last report, if due, is run by the schedule already in place.
 */
export async function scheduleMonthlyReport(ports: Ports, contract: ContractState): Promise<void> {
  if (contract.status !== 'active') return;
  const { expression, timeZone } = reportCron(scheduleTerms(contract));
  await ports.scheduler.cron(expression, timeZone, {
    id: reportScheduleId(contract.tenantId, contract.id),
    job: SLA_REPORT_JOB,
    input: { tenantId: contract.tenantId, contractId: contract.id },
  });
}

export type MonthlyReportStatus =
  /** Computed, stored, mailed and issued by this run. */
  | 'issued'
  /**
   * Issued before, by an earlier run: nothing was sent. (Or issued by a concurrent run while this
   * one mailed it: then `sentTo` is not empty.)
   */
  | 'already_issued'
  /** Another delivery of the same attempt holds its claim: nothing was done. */
  | 'in_progress'
  /** The contract starts after the month. */
  | 'not_started'
  /** The contract ended before the month. */
  | 'ended';

export interface MonthlyReportOutcome {
  contractId: string;
  month: string;
  status: MonthlyReportStatus;
  /** True when this run issued the month. */
  issued: boolean;
  /** Who this run mailed the report to; empty when it sent nothing. */
  sentTo: string[];
  /** Where the month's report is stored, once issued. */
  reportKey: string | null;
  /** Termination rights this run recorded on the contract. */
  rightsRecorded: number;
}

interface ReportInput {
  tenantId: string;
  contractId: string;
  month?: string;
  /**
   * The run the attempts belong to: the job that started it (the schedule, or a run by hand),
   * handed on to its retries. A scheduler delivering one attempt twice gives the same chain.
   */
  chain: string;
  attempt: number;
}

function inputOf(job: ScheduledJob, month: string | undefined): ReportInput {
  const { tenantId, contractId, attempt, chain } = job.input as Record<string, unknown>;
  if (typeof tenantId !== 'string' || typeof contractId !== 'string')
    throw new ValidationError(`job ${job.id} does not name a contract`);
  const given = month ?? job.input.month;
  if (given !== undefined && (typeof given !== 'string' || !MONTH_PATTERN.test(given)))
    throw new ValidationError(`job ${job.id}: ${JSON.stringify(given)} is not a month (YYYY-MM)`, [
      { path: 'month', message: 'must be a month YYYY-MM' },
    ]);
  return {
    tenantId,
    contractId,
    ...(given !== undefined ? { month: given } : {}),
    chain: typeof chain === 'string' && chain !== '' ? chain : job.id,
    attempt: typeof attempt === 'number' && Number.isInteger(attempt) && attempt > 0 ? attempt : 1,
  };
}

/**
 * The last day the contract runs, once that is settled: the expiry or termination date, or the
 * end of a current period that does not renew. Null while it renews.
 */
function lastDayOf(state: ContractState): IsoDate | null {
  if (state.status === 'expired') return state.expiry?.endDate ?? state.currentPeriod.end;
  if (state.status === 'terminated') return state.termination?.effectiveDate ?? state.currentPeriod.end;
  return renews(state) ? null : state.currentPeriod.end;
}

/**
 * The report of one month (by default the previous calendar month in the reporting time zone) for
 * the contract the job names. Idempotent: a month already issued is not sent again. See the top of
 * this file for the order of delivery and what a failure does.
 */
export async function runMonthlyReport(
  ports: Ports,
  job: ScheduledJob,
  options: { month?: string } = {},
): Promise<MonthlyReportOutcome> {
  const input = inputOf(job, options.month);
  const { tenantId, contractId } = input;
  const events = await ports.contracts.loadEvents(tenantId, contractId);
  if (events.length === 0) throw new NotFoundError(`contract ${contractId} not found`);
  const state = foldContract(events);
  const now = ports.clock.now();
  const zone = scheduleTerms(state).reporting.time_zone;
  const month = input.month ?? shiftMonth(monthOf(Math.floor(now.getTime() / 1000), zone), -1);
  const first = `${month}-01`;
  const last = addDays(`${shiftMonth(month, 1)}-01`, -1);
  const outcome = (
    status: MonthlyReportStatus,
    more: Partial<MonthlyReportOutcome> = {},
  ): MonthlyReportOutcome => ({
    contractId,
    month,
    status,
    issued: false,
    sentTo: [],
    reportKey: null,
    rightsRecorded: 0,
    ...more,
  });
  const retryId = reportRetryId(tenantId, contractId, month);
  const lastDay = lastDayOf(state);
  const scheduleId = reportScheduleId(tenantId, contractId);
  // Once the month holding the contract's last day is issued, no report is left to send.
  const finished = async () => {
    await ports.scheduler.cancel(retryId);
    if (lastDay !== null && lastDay <= last) await ports.scheduler.cancel(scheduleId);
  };

  if (state.term.startDate > last) return outcome('not_started');
  const issuedMonths = await ports.sla.listIssued(tenantId, contractId);
  if (lastDay !== null && lastDay < first) {
    const lastMonth = lastDay.slice(0, 7);
    const unreported =
      lastMonth >= state.term.startDate.slice(0, 7) && !issuedMonths.some((i) => i.month === lastMonth);
    // A run for "the previous month" that finds the contract's last month never issued (every
    // attempt at it failed) reports that month instead; the schedule ends once it is issued.
    if (unreported && input.month === undefined)
      return runMonthlyReport(
        ports,
        { ...job, input: { ...job.input, chain: `${input.chain}:after:${month}`, attempt: 1 } },
        { month: lastMonth },
      );
    await ports.scheduler.cancel(retryId);
    if (!unreported) await ports.scheduler.cancel(scheduleId);
    return outcome('ended');
  }
  const terms = termsInForce(state, last);
  if (!terms) return outcome('not_started');

  const already = issuedMonths.find((i) => i.month === month);
  if (already) {
    // Issued and mailed before: only make sure its termination rights are on the contract.
    const rightsRecorded = await recordTerminationRights(
      ports,
      state,
      terms.slaTerms,
      already.statement,
      now,
    );
    await finished();
    return outcome('already_issued', { reportKey: already.reportKey, rightsRecorded });
  }

  // The next attempt, in case this one fails or never finishes; cancelled once the month is issued.
  if (input.attempt < MAX_REPORT_ATTEMPTS)
    await ports.scheduler.at(new Date(now.getTime() + REPORT_RETRY_MS), {
      id: retryId,
      job: SLA_REPORT_JOB,
      input: { tenantId, contractId, month, chain: input.chain, attempt: input.attempt + 1 },
    });
  const claimed = await ports.sla.claimAlert(
    tenantId,
    contractId,
    `report:${month}:${input.chain}:${input.attempt}`,
    now.toISOString(),
  );
  if (!claimed) return outcome('in_progress');

  const slaTerms = terms.slaTerms;
  const tickets = (await ports.sla.listTickets(tenantId, contractId)).map((t) => t.ticket);
  const outages = (await ports.sla.listOutages(tenantId, contractId)).map((o) =>
    outageOf(o, ports.clock.now()),
  );
  const history = issuedMonths.filter((i) => i.month < month).map((i) => i.result);
  const statement = monthlyStatement(slaTerms, tickets, { month, outages, history });
  // The month's measurements, evaluated as the statement is: as of the month's end.
  const results = evaluateTickets(slaTerms, tickets, { asOf: statement.period.end }).filter(
    (r) => r.period === month,
  );
  const title = state.title ?? state.id;
  const pdf = await renderSlaReport(
    {
      terms: slaTerms,
      statement,
      trend: slaTrend(statement, history),
      breaches: results.filter((r) => r.breached),
      contractName: title,
      issuedAt: now.toISOString(),
    },
    ports.fonts,
  );
  const csv = new TextEncoder().encode(ticketResultsCsv(results));
  const keys = reportKeys(tenantId, contractId, month);
  const sha256 = { report: sha256Hex(pdf), csv: sha256Hex(csv) };
  const keepUntil = await retainUntil(ports, tenantId);
  await ports.documents.putDocument(keys.report, pdf, sha256.report, keepUntil, 'application/pdf');
  await ports.documents.putDocument(keys.csv, csv, sha256.csv, keepUntil, 'text/csv');

  const sentTo = recipientsOf(slaTerms, state);
  await ports.mail.send(
    reportMail(state, statement, sentTo, { pdf, csv, csvKey: keys.csv }, ports.limits.maxAttachmentBytes),
  );

  const record: IssuedStatement = {
    contractId,
    month,
    issuedAt: now.toISOString(),
    statement,
    result: statement.result,
    reportKey: keys.report,
    csvKey: keys.csv,
    sha256,
    sentTo,
  };
  const issued = await ports.sla.issueStatement(tenantId, record);
  if (!issued)
    ports.log?.warn(
      `SLA report ${month} of contract ${contractId} was issued by another run while this one mailed it`,
      null,
    );
  const rightsRecorded = await recordTerminationRights(ports, state, slaTerms, statement, now);
  await finished();
  return outcome(issued ? 'issued' : 'already_issued', {
    issued,
    sentTo,
    reportKey: keys.report,
    rightsRecorded,
  });
}

/** The outage as the engine reads it, without the store's own fields. */
/** The report recipients of the terms, then the contract's owners; each address once. */
function recipientsOf(terms: SlaTerms, state: ContractState): string[] {
  const seen = new Set<string>();
  const to: string[] = [];
  for (const address of [...(terms.reporting.recipients ?? []), ...state.owners]) {
    const key = address.trim().toLowerCase();
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    to.push(address.trim());
  }
  return to;
}

/**
 * Each chronic-failure flag whose remedy is termination without penalty, as a termination right
 * on the contract (an escalation meeting is no right to terminate). A right already recorded is
 * not recorded again; a contract no longer running takes none. Returns how many were recorded.
 */
async function recordTerminationRights(
  ports: Ports,
  state: ContractState,
  terms: SlaTerms,
  statement: Statement,
  at: Date,
): Promise<number> {
  const rules = terms.credits.chronic_failure?.rules ?? [];
  const rights: TerminationRight[] = statement.chronic_failure
    .filter((f) => f.remedy === 'termination_without_penalty' && rules[f.rule])
    .map((f) => ({ rule: rules[f.rule]!, months: f.months, deadline: f.deadline }));
  if (rights.length === 0 || state.status !== 'active') return 0;
  const { appended } = await change(ports, state.tenantId, state.id, (c) => {
    const events: ContractEvent[] = [];
    let current = c;
    try {
      for (const right of rights) {
        const event = terminationRightEvent(current, right, { at, actor: REPORT_ACTOR });
        if (!event) continue;
        events.push(event);
        current = foldContract([event], current);
      }
    } catch (error) {
      // Ended meanwhile (or its period ran out): there is nothing left to terminate.
      if (error instanceof ConflictError) return [];
      throw error;
    }
    return events;
  });
  return appended.length;
}

// ---------------------------------------------------------------------------------------------
// The per-ticket CSV.

const CSV_COLUMNS = [
  'ticket',
  'metric',
  'severity',
  'breach_severity',
  'elapsed_min',
  'target_min',
  'due',
  'breached',
  'breach_at',
  'state',
  'period',
  'start',
  'stop',
] as const satisfies readonly (keyof MetricResult)[];

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break, quotes doubled.
 * Text a spreadsheet would read as a formula (=, +, -, @ first) is prefixed with an apostrophe:
 * ticket ids come from outside.
 */
function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The month's metric results, one row per metric instance, CRLF line ends. */
export function ticketResultsCsv(results: readonly MetricResult[]): string {
  const rows = results.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// The mail.

const RULE_NAMES: Record<string, string> = {
  uptime_miss: 'uptime below the commitment',
  cap_reached: 'service credits reaching the cap',
  metric_miss: 'a line below its target',
};
const REMEDY_NAMES: Record<string, string> = {
  termination_without_penalty: 'the right to terminate the contract without penalty',
  escalation_meeting: 'the right to an escalation meeting',
};

/**
 * One message with the report and the CSV attached. SES takes messages up to 10 MB: a CSV too
 * large to attach goes gzipped, and when even that does not fit, it stays in the document store
 * only (the text says where).
 */
function reportMail(
  state: ContractState,
  s: Statement,
  to: string[],
  files: { pdf: Uint8Array; csv: Uint8Array; csvKey: string },
  maxBytes: number,
): MailMessage {
  const title = state.title ?? `contract ${state.id}`;
  const attachments: MailAttachment[] = [
    { filename: `sla-report-${s.month}.pdf`, contentType: 'application/pdf', content: files.pdf },
  ];
  let csvNote = 'the result of each ticket measurement counted in the month (CSV)';
  if (files.pdf.length + files.csv.length <= maxBytes) {
    attachments.push({
      filename: `sla-tickets-${s.month}.csv`,
      contentType: 'text/csv',
      content: files.csv,
    });
  } else {
    const gzipped = new Uint8Array(gzipSync(files.csv));
    if (files.pdf.length + gzipped.length <= maxBytes) {
      attachments.push({
        filename: `sla-tickets-${s.month}.csv.gz`,
        contentType: 'application/gzip',
        content: gzipped,
      });
      csvNote += ', gzipped for its size';
    } else csvNote = `no CSV (too large to attach: it is stored as ${files.csvKey})`;
  }
  const counted = s.lines.reduce((n, l) => n + l.counted, 0);
  const breached = s.lines.reduce((n, l) => n + l.breached, 0);
  const missed = s.lines.filter((l) => l.miss);
  const credit =
    s.credit_minor === 0
      ? 'Service credit: none.'
      : `Service credit: ${formatMoney(s.credit_minor, s.currency)} (${s.capped_pct}% of the monthly fee, cap ${s.cap_pct}%), ${
          s.credits_applied === 'automatic'
            ? 'applied automatically'
            : `to be claimed by ${s.claimable_until ?? 'the claim deadline'}`
        }.`;
  return {
    to,
    subject: `SLA report ${monthName(s.month)}: ${state.title ?? state.id}`,
    text: [
      `The SLA report of "${title}" for ${monthName(s.month)} is attached, with ${csvNote}.`,
      '',
      `Measured targets: ${counted}, breached: ${breached}.`,
      ...(missed.length > 0
        ? [
            `Lines below their target: ${missed
              .map(
                (l) =>
                  `${l.severity} ${l.metric}${l.compliance_pct === null ? '' : ` (${formatPct(l.compliance_pct)})`}`,
              )
              .join(', ')}.`,
          ]
        : []),
      ...(s.uptime
        ? [
            `Uptime: ${formatPct(s.uptime.uptime_pct, 4)} (commitment ${s.uptime.commitment_pct}%${s.uptime.miss ? ', missed' : ''}).`,
          ]
        : []),
      credit,
      ...(s.adjustments.length > 0
        ? [`Adjustments to earlier months: ${s.adjustments.map((a) => a.month).join(', ')}.`]
        : []),
      ...s.chronic_failure.map(
        (f) =>
          `Chronic failure: ${RULE_NAMES[f.type] ?? f.type}${f.metric ? ` (${f.severity} ${f.metric})` : ''} in ${f.months.join(', ')}${
            f.remedy ? `: ${REMEDY_NAMES[f.remedy] ?? f.remedy} until ${f.deadline}` : ''
          }.`,
      ),
      '',
      `Report date ${s.report_date}; times in ${s.time_zone}.`,
      `Contract reference: ${state.id}`,
    ].join('\n'),
    attachments,
  };
}
