import type { ContractState } from '../contracts/contract';
import type { MailMessage } from '../ports';

/**
 * The e-mail the contract's owners get when ingested tickets breach a target or a line's
 * month-to-date compliance falls below its target. Each breach and each line's monthly fall is
 * claimed once (see sla-alerts.ts), so an owner hears of it once however often it is ingested.
 */

export interface BreachAlert {
  ticket: string;
  metric: string;
  /** The severity whose target was exceeded. */
  severity: string;
  start: string;
  breach_at: string;
  target_min: number | null;
  elapsed_min: number | null;
  /** Still running (not yet answered or solved) when the alert was sent. */
  running: boolean;
}

export interface ComplianceAlert {
  month: string;
  severity: string;
  metric: string;
  counted: number;
  breached: number;
  compliance_pct: number;
  target_pct: number;
}

const titleOf = (c: ContractState) => c.title ?? `contract ${c.id}`;
const pct = (n: number) => `${Number(n.toFixed(2))}%`;

export function slaAlertMail(
  c: ContractState,
  to: string[],
  alert: { breaches: BreachAlert[]; compliance: ComplianceAlert[]; timeZone: string },
): MailMessage {
  const { breaches, compliance } = alert;
  const what = [
    breaches.length ? `${breaches.length} SLA breach${breaches.length === 1 ? '' : 'es'}` : '',
    compliance.length
      ? `compliance below target on ${compliance.length} line${compliance.length === 1 ? '' : 's'}`
      : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const lines: string[] = [`${what[0]!.toUpperCase()}${what.slice(1)} on "${titleOf(c)}".`, ''];
  if (breaches.length) {
    lines.push('Breached targets:');
    for (const b of breaches) {
      lines.push(
        `  Ticket ${b.ticket}: ${b.metric.replace(/_/g, ' ')} (${b.severity}) breached at ${b.breach_at}` +
          (b.target_min === null ? '' : `, target ${b.target_min} min`) +
          (b.elapsed_min === null ? '' : `, ${b.running ? 'elapsed so far' : 'took'} ${b.elapsed_min} min`),
      );
    }
    lines.push('');
  }
  if (compliance.length) {
    lines.push('Month-to-date compliance below target:');
    for (const l of compliance) {
      lines.push(
        `  ${l.month} ${l.severity} ${l.metric.replace(/_/g, ' ')}: ${pct(l.compliance_pct)} (${l.counted - l.breached} of ${l.counted} met), target ${pct(l.target_pct)}`,
      );
    }
    lines.push('');
  }
  lines.push(
    `Times are in ${alert.timeZone}. The live view: GET /v1/contracts/${c.id}/sla/live`,
    '',
    `Contract reference: ${c.id}`,
  );
  return { to, subject: `SLA alert: ${what} on ${titleOf(c)}`, text: lines.join('\n') };
}
