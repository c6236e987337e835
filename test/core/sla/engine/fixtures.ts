import { readFileSync } from 'node:fs';
import { checkSlaTerms, type SlaTerms } from '../../../../functions/core/sla/terms';
import type { TicketComment, TicketTimeline } from '../../../../functions/core/sla/ticket';

/** The shared SLA contract files, and small builders for hand-computed tickets. */

export const shared = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../../../shared/sla/${name}`, import.meta.url), 'utf8'));

/** A fresh, checked copy of example-terms.json (tests may change it). */
export function exampleTerms(change?: (terms: any) => void): SlaTerms {
  const terms = shared('example-terms.json');
  change?.(terms);
  return checkSlaTerms(terms, 'terms');
}

export interface TicketSpec {
  id?: string;
  created: string;
  asOf?: string;
  reported?: string;
  severity?: string;
  severities?: [at: string, severity: string][];
  statuses?: [at: string, status: string][];
  comments?: (TicketComment | [at: string, author: 'customer' | 'agent'])[];
}

/** A ticket: severity S2 and status new at creation unless told otherwise. */
export function ticket(spec: TicketSpec): TicketTimeline {
  return {
    id: spec.id ?? 'T1',
    created_at: spec.created,
    ...(spec.reported ? { customer_reported_at: spec.reported } : {}),
    ...(spec.asOf ? { as_of: spec.asOf } : {}),
    severity_history: (spec.severities ?? [[spec.created, spec.severity ?? 'S2']]).map(([at, severity]) => ({
      at,
      severity,
    })),
    status_history: (spec.statuses ?? [[spec.created, 'new']]).map(([at, status]) => ({ at, status })),
    comments: (spec.comments ?? []).map((c) => (Array.isArray(c) ? { at: c[0], author: c[1] } : c)),
  };
}
