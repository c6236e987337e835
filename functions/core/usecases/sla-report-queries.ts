import { requireAnyRole, type Principal } from '../access';
import { NotFoundError, ValidationError } from '../errors';
import type { Ports, PresignedRequest } from '../ports';
import { MONTH_PATTERN } from '../sla/engine/zone';
import { overallCompliance, slaTrend } from '../sla/report/trend';
import type { IssuedStatement } from '../sla/store';

/**
 * The monthly SLA reports a contract was issued (see sla-reports.ts): the list of issued months
 * with a summary of each, and the short-lived links to one month's PDF and per-ticket CSV. Only
 * issued months are listed: a month is issued once its report was stored and mailed.
 */

export interface IssuedReportSummary {
  month: string;
  issuedAt: string;
  /** The statement's report date (`YYYY-MM-DD`). */
  reportDate: string;
  /** Measured metric instances and how many of them breached. */
  counted: number;
  breached: number;
  /**
   * Every line taken together, (Σn − Σb) / Σn as a percentage, as the month is known now (a later
   * month's adjustment to it counts); null when nothing was counted.
   */
  compliance_pct: number | null;
  /** null when the terms have no uptime. */
  uptime_pct: number | null;
  /** Lines below their target (or breached without one). */
  missedLines: number;
  capped_pct: number;
  credit_minor: number;
  currency: string;
  /** Chronic-failure flags the month raised. */
  chronicFailures: number;
  /** Where the month's files are: GET it for their links. */
  links: { self: string };
}

export interface IssuedReportList {
  contractId: string;
  /** Oldest first. */
  items: IssuedReportSummary[];
}

export interface ReportFile extends PresignedRequest {
  name: string;
  contentType: string;
  sha256: string;
}

export interface IssuedReportFiles {
  contractId: string;
  month: string;
  issuedAt: string;
  reportDate: string;
  /** Who the report was mailed to. */
  sentTo: string[];
  report: ReportFile;
  csv: ReportFile;
}

const reportPath = (contractId: string, month: string) => `/v1/contracts/${contractId}/reports/${month}`;

/** The contract's issued months, read from the SLA store; a contract without any: 404 when unknown. */
async function issuedOf(ports: Ports, principal: Principal, contractId: string): Promise<IssuedStatement[]> {
  requireAnyRole(principal, 'read SLA reports');
  const issued = await ports.sla.listIssued(principal.tenantId, contractId);
  if (issued.length === 0) {
    const events = await ports.contracts.loadEvents(principal.tenantId, contractId);
    if (events.length === 0) throw new NotFoundError(`contract ${contractId} not found`);
  }
  return [...issued].sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
}

/** GET /v1/contracts/{id}/reports: every issued month, oldest first. */
export async function listSlaReports(
  ports: Ports,
  principal: Principal,
  contractId: string,
): Promise<IssuedReportList> {
  const issued = await issuedOf(ports, principal, contractId);
  const last = issued.at(-1);
  // Each month as known now: a later month's adjustment replaces the lines first issued.
  const known = new Map<string, number | null>();
  if (last) {
    const span = monthsBetween(issued[0]!.month, last.month) + 1;
    for (const point of slaTrend(
      last.result,
      issued.map((i) => i.result),
      span,
    ))
      known.set(point.month, point.compliance_pct);
  }
  return {
    contractId,
    items: issued.map((i) => {
      const s = i.statement;
      return {
        month: i.month,
        issuedAt: i.issuedAt,
        reportDate: s.report_date,
        counted: s.lines.reduce((n, l) => n + l.counted, 0),
        breached: s.lines.reduce((n, l) => n + l.breached, 0),
        compliance_pct: known.has(i.month) ? known.get(i.month)! : overallCompliance(s.lines),
        uptime_pct: s.uptime?.uptime_pct ?? null,
        missedLines: s.lines.filter((l) => l.miss).length,
        capped_pct: s.capped_pct,
        credit_minor: s.credit_minor,
        currency: s.currency,
        chronicFailures: s.chronic_failure.length,
        links: { self: reportPath(contractId, i.month) },
      };
    }),
  };
}

/** GET /v1/contracts/{id}/reports/{month}: short-lived links to the month's PDF and CSV. */
export async function getSlaReport(
  ports: Ports,
  principal: Principal,
  contractId: string,
  month: string,
): Promise<IssuedReportFiles> {
  if (!MONTH_PATTERN.test(month))
    throw new ValidationError(`${JSON.stringify(month)} is not a month (YYYY-MM)`, [
      { path: 'path.month', message: 'must be a month YYYY-MM' },
    ]);
  const issued = (await issuedOf(ports, principal, contractId)).find((i) => i.month === month);
  if (!issued)
    throw new NotFoundError(`the SLA report of ${month} was not issued for contract ${contractId}`);
  const file = async (
    key: string,
    name: string,
    contentType: string,
    sha256: string,
  ): Promise<ReportFile> => ({
    ...(await ports.documents.documentUrl(key, name, ports.limits.downloadUrlSeconds, sha256, contentType)),
    name,
    contentType,
    sha256,
  });
  return {
    contractId,
    month,
    issuedAt: issued.issuedAt,
    reportDate: issued.statement.report_date,
    sentTo: issued.sentTo,
    report: await file(issued.reportKey, `sla-report-${month}.pdf`, 'application/pdf', issued.sha256.report),
    csv: await file(issued.csvKey, `sla-tickets-${month}.csv`, 'text/csv', issued.sha256.csv),
  };
}

/** Whole months from `from` to `to` (`YYYY-MM`, from ≤ to). */
function monthsBetween(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm);
}
