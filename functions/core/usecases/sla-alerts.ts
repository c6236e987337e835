import type { Ports } from '../ports';
import { slaAlertMail, type BreachAlert, type ComplianceAlert } from '../sla/alerts';
import { evaluateTickets, monthlyStatement } from '../sla/engine';
import { monthOf, monthRange } from '../sla/engine/zone';
import type { SlaTerms } from '../sla/terms';
import type { TicketTimeline } from '../sla/ticket';
import type { SlaContract } from './sla-ingest';
import { asOfNow } from './sla-read';

/**
 * Breach alerts after tickets were ingested (API or webhook). The changed tickets are evaluated
 * as of now; each metric instance that is breached, with `breach_at` in the current reporting
 * month (an import of old tickets does not mail about last year), and each line whose
 * month-to-date compliance is below its target, is claimed once (`claimAlert`: one alert per
 * ticket, metric and instance; one per line and month) and the claimed ones mailed together to
 * the contract's owners. A claim is taken before the mail is sent, so concurrent ingestions mail
 * once; a mail that fails is logged, not retried.
 */

export const breachAlertKey = (b: { ticket: string; metric: string; start: string }) =>
  `breach:${b.ticket}:${b.metric}:${b.start}`;
export const complianceAlertKey = (month: string, severity: string, metric: string) =>
  `compliance:${month}:${severity}:${metric}`;

/** Lines with a compliance target: the metric's own, or a compliance credit's minimum. */
function hasTarget(terms: SlaTerms, severity: string, metric: string): boolean {
  return (
    terms.metrics[metric]?.min_compliance_pct !== undefined ||
    (terms.credits.compliance ?? []).some((c) => c.severity === severity && c.metric === metric)
  );
}

function targetOf(terms: SlaTerms, severity: string, metric: string, metricTarget: number | null) {
  if (metricTarget !== null) return metricTarget;
  return (terms.credits.compliance ?? []).find((c) => c.severity === severity && c.metric === metric)
    ?.min_compliance_pct;
}

/**
 * Sends what is newly breached; returns how many alerts (breaches and lines) were mailed. The
 * tickets are stored by then: a fault here is logged and never fails the ingestion.
 */
export async function alertAfterIngest(
  ports: Ports,
  contract: SlaContract,
  changed: readonly TicketTimeline[],
): Promise<number> {
  try {
    return await alert(ports, contract, changed);
  } catch (err) {
    ports.log?.warn(`SLA alerts for contract ${contract.state.id} could not be evaluated`, err);
    return 0;
  }
}

async function alert(
  ports: Ports,
  contract: SlaContract,
  written: readonly TicketTimeline[],
): Promise<number> {
  const { state, terms } = contract;
  // The latest of each ticket (one may have been written twice by one request).
  const changed = [...new Map(written.map((t) => [t.id, t])).values()];
  if (changed.length === 0 || state.owners.length === 0) return 0;
  const now = ports.clock.now();
  const nowIso = now.toISOString();
  const zone = terms.reporting.time_zone;
  const month = monthOf(Math.floor(now.getTime() / 1000), zone);
  const monthStart = monthRange(month, zone).start * 1000;
  const claim = (key: string) => ports.sla.claimAlert(state.tenantId, state.id, key, nowIso);

  const results = evaluateTickets(terms, changed, { asOf: nowIso });
  const breaches: BreachAlert[] = [];
  for (const r of results) {
    if (!r.breached || r.breach_at === null) continue;
    const at = Date.parse(r.breach_at);
    if (at < monthStart || at > now.getTime()) continue;
    if (!(await claim(breachAlertKey(r)))) continue;
    breaches.push({
      ticket: r.ticket,
      metric: r.metric,
      severity: r.breach_severity ?? r.severity,
      start: r.start,
      breach_at: r.breach_at,
      target_min: r.target_min,
      elapsed_min: r.elapsed_min,
      running: r.stop === null,
    });
  }

  // Month-to-date compliance, only when a changed ticket counts on a line that has a target.
  const compliance: ComplianceAlert[] = [];
  const touches = results.some(
    (r) =>
      r.period === month &&
      r.state !== 'in_progress' &&
      hasTarget(terms, r.breach_severity ?? r.severity, r.metric),
  );
  if (touches) {
    const all = (await ports.sla.listTickets(state.tenantId, state.id)).map((t) => t.ticket);
    // As of now: every ticket is cut at this instant (a statement otherwise measures to month end).
    const statement = monthlyStatement(terms, asOfNow(all, now), { month });
    for (const line of statement.lines) {
      if (line.compliance_pct === null || !hasTarget(terms, line.severity, line.metric)) continue;
      const target = targetOf(terms, line.severity, line.metric, line.target_pct);
      const below = (line.target_pct !== null && line.miss) || line.compliance_credit_pct > 0;
      if (!below || target === undefined) continue;
      if (!(await claim(complianceAlertKey(month, line.severity, line.metric)))) continue;
      compliance.push({
        month,
        severity: line.severity,
        metric: line.metric,
        counted: line.counted,
        breached: line.breached,
        compliance_pct: line.compliance_pct,
        target_pct: target,
      });
    }
  }

  const sent = breaches.length + compliance.length;
  if (sent === 0) return 0;
  try {
    await ports.mail.send(slaAlertMail(state, state.owners, { breaches, compliance, timeZone: zone }));
  } catch (err) {
    ports.log?.warn(`SLA alert for contract ${state.id} could not be mailed`, err);
    return 0;
  }
  return sent;
}
