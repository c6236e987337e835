import { requireAnyRole, type Principal } from '../access';
import { addDays } from '../contracts/lifecycle';
import { ValidationError } from '../errors';
import type { Ports } from '../ports';
import { evaluateTickets, monthlyStatement, type MetricResult, type Statement } from '../sla/engine';
import { formatInstant, MONTH_PATTERN, monthOf, monthRange, shiftMonth } from '../sla/engine/zone';
import type { StoredOutage } from '../sla/store';
import type { Outage, TicketTimeline } from '../sla/ticket';
import { loadSlaContract, type SlaContract } from './sla-ingest';

/**
 * The SLA of a contract as stored: a month's statement (the issued one once the month is issued,
 * never recomputed), the month's per-ticket results, and a live view of what is at risk now.
 * A month is read under the terms in force on its last day, as the monthly report does.
 */

function checkMonth(month: string): void {
  if (!MONTH_PATTERN.test(month)) {
    throw new ValidationError(`month ${JSON.stringify(month)} is not a month (YYYY-MM)`, [
      { path: 'query.month', message: 'must be YYYY-MM' },
    ]);
  }
}

const lastDayOf = (month: string) => addDays(`${shiftMonth(month, 1)}-01`, -1);

async function contractForMonth(
  ports: Ports,
  principal: Principal,
  contractId: string,
  month: string,
): Promise<SlaContract> {
  requireAnyRole(principal, 'read SLA results');
  checkMonth(month);
  return loadSlaContract(ports, principal.tenantId, contractId, lastDayOf(month));
}

/** The engine's outage: an outage still open lasts until `now`. */
/** An outage for the engine: one still open (monitoring says down) lasts until `now`. */
export function outageOf(o: StoredOutage, now: Date): Outage {
  const end = o.open && Date.parse(o.end) < now.getTime() ? now.toISOString() : o.end;
  return {
    start: o.start,
    end,
    kind: o.kind,
    ...(o.notice_given_at ? { notice_given_at: o.notice_given_at } : {}),
    ...(o.customer_caused !== undefined ? { customer_caused: o.customer_caused } : {}),
    ...(o.force_majeure !== undefined ? { force_majeure: o.force_majeure } : {}),
  };
}

/** The tickets as they stood at `now`: each cut there, those opened later left out. */
export function asOfNow(tickets: readonly TicketTimeline[], now: Date): TicketTimeline[] {
  const nowIso = now.toISOString();
  return tickets
    .filter((t) => Date.parse(t.created_at) <= now.getTime())
    .map((t) => ({ ...t, as_of: nowIso }));
}

export type StatementView = Statement & {
  issued: boolean;
  /** When the statement was issued; null while it is not. */
  issued_at: string | null;
  /** The instant the month was evaluated as of: its end, or now while it runs. */
  as_of: string;
  /** False while the month runs: the figures are month-to-date. */
  final: boolean;
};

/** GET /v1/contracts/{id}/sla?month=YYYY-MM. */
export async function slaStatement(
  ports: Ports,
  principal: Principal,
  contractId: string,
  month: string,
): Promise<StatementView> {
  const { state, terms } = await contractForMonth(ports, principal, contractId, month);
  const issued = await ports.sla.listIssued(state.tenantId, state.id);
  const done = issued.find((i) => i.month === month);
  if (done) {
    return {
      ...done.statement,
      issued: true,
      issued_at: done.issuedAt,
      as_of: done.statement.period.end,
      final: true,
    };
  }
  const now = ports.clock.now();
  const zone = terms.reporting.time_zone;
  const end = monthRange(month, zone).end;
  const running = now.getTime() < end * 1000;
  const stored = (await ports.sla.listTickets(state.tenantId, state.id)).map((t) => t.ticket);
  // A month that is still running is measured up to now, not to its end.
  const tickets = running ? asOfNow(stored, now) : stored;
  const outages = (await ports.sla.listOutages(state.tenantId, state.id)).map((o) => outageOf(o, now));
  const statement = monthlyStatement(terms, tickets, {
    month,
    outages,
    history: issued.filter((i) => i.month < month).map((i) => i.result),
  });
  return {
    ...statement,
    issued: false,
    issued_at: null,
    as_of: running ? formatInstant(Math.floor(now.getTime() / 1000), zone) : statement.period.end,
    final: !running,
  };
}

/** GET /v1/contracts/{id}/sla/tickets?month=: each metric instance that counts in the month. */
export async function slaTicketResults(
  ports: Ports,
  principal: Principal,
  contractId: string,
  month: string,
): Promise<{ month: string; as_of: string; time_zone: string; results: MetricResult[] }> {
  const { state, terms } = await contractForMonth(ports, principal, contractId, month);
  const zone = terms.reporting.time_zone;
  const now = Math.floor(ports.clock.now().getTime() / 1000);
  const asOf = formatInstant(Math.min(monthRange(month, zone).end, now), zone);
  const tickets = (await ports.sla.listTickets(state.tenantId, state.id)).map((t) => t.ticket);
  const results = evaluateTickets(terms, tickets, { asOf }).filter((r) => r.period === month);
  return { month, as_of: asOf, time_zone: zone, results };
}

export interface LiveItem {
  ticket: string;
  metric: string;
  severity: string;
  start: string;
  due: string | null;
  elapsed_min: number | null;
  target_min: number | null;
  /** Minutes left until due (negative once overdue); null without a due instant. */
  remaining_min: number | null;
  breach_at: string | null;
  state: MetricResult['state'];
}

export interface LiveView {
  as_of: string;
  time_zone: string;
  month: string;
  hours: number;
  /** Running and not breached, due within `hours` from now; soonest first. */
  at_risk: LiveItem[];
  /** Breached with `breach_at` in the current reporting month, running or stopped; latest first. */
  breached: LiveItem[];
}

const liveItem = (r: MetricResult, now: number): LiveItem => ({
  ticket: r.ticket,
  metric: r.metric,
  severity: r.breach_severity ?? r.severity,
  start: r.start,
  due: r.due,
  elapsed_min: r.elapsed_min,
  target_min: r.target_min,
  remaining_min: r.due === null ? null : Math.round((Date.parse(r.due) - now) / 600) / 100,
  breach_at: r.breach_at,
  state: r.state,
});

/** GET /v1/contracts/{id}/sla/live?hours=N. */
export async function slaLive(
  ports: Ports,
  principal: Principal,
  contractId: string,
  hours: number,
): Promise<LiveView> {
  requireAnyRole(principal, 'read SLA results');
  const { state, terms } = await loadSlaContract(ports, principal.tenantId, contractId);
  const now = ports.clock.now().getTime();
  const zone = terms.reporting.time_zone;
  const asOf = formatInstant(Math.floor(now / 1000), zone);
  const month = monthOf(Math.floor(now / 1000), zone);
  const horizon = now + hours * 3600 * 1000;
  const tickets = (await ports.sla.listTickets(state.tenantId, state.id)).map((t) => t.ticket);
  const results = evaluateTickets(terms, tickets, { asOf });
  const atRisk = results
    .filter((r) => r.state === 'in_progress' && !r.breached && r.due !== null && Date.parse(r.due) <= horizon)
    .sort((a, b) => Date.parse(a.due!) - Date.parse(b.due!))
    .map((r) => liveItem(r, now));
  const breached = results
    .filter(
      (r) =>
        r.breached &&
        r.breach_at !== null &&
        monthOf(Math.floor(Date.parse(r.breach_at) / 1000), zone) === month,
    )
    .sort((a, b) => Date.parse(b.breach_at!) - Date.parse(a.breach_at!))
    .map((r) => liveItem(r, now));
  return { as_of: asOf, time_zone: zone, month, hours, at_risk: atRisk, breached };
}
