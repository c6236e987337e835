import type { SlaTerms } from '../terms';
import type { TicketTimeline } from '../ticket';
import { metricResult, type MetricResult } from './attribution';
import { checkSourceTimeZone, parseInstant } from './instant';
import { instancesOf, type Horizon } from './metrics';
import { normalizeTickets, type Ticket } from './normalize';
import { evaluateInstance, type Evaluated } from './reclassify';

export interface EvaluateOptions {
  /** Evaluate as of this instant (ISO-8601); a ticket's own earlier `as_of` wins. Default: now. */
  asOf?: string;
  /** The IANA zone offsetless times in the input were written in; without it they are errors. */
  sourceTimeZone?: string;
}

/** Every reported metric instance of one ticket as it stood at the horizon. */
export function evaluateTicket(terms: SlaTerms, ticket: Ticket, horizon: Horizon): Evaluated[] {
  return instancesOf(terms, ticket, horizon)
    .map((instance) => evaluateInstance(terms, ticket, instance, horizon))
    .filter((e): e is Evaluated => e !== null);
}

/**
 * Per-ticket metric results (SPEC R3 to R7): one per metric instance, in ticket order, then the
 * terms' order of metrics, then start. A ticket is evaluated as of the earliest of its own
 * `as_of`, `options.asOf` and now, using only the events at or before that instant.
 */
export function evaluateTickets(
  terms: SlaTerms,
  tickets: readonly (TicketTimeline | unknown)[],
  options: EvaluateOptions = {},
): MetricResult[] {
  checkSourceTimeZone(options.sourceTimeZone);
  const asOf =
    options.asOf === undefined
      ? null
      : parseInstant(options.asOf, { subject: 'options', path: 'asOf' }, options.sourceTimeZone);
  const now = Math.floor(Date.now() / 1000);
  const zone = terms.reporting.time_zone;
  return normalizeTickets(terms, tickets, options.sourceTimeZone).flatMap((ticket) => {
    const cutoff = Math.min(ticket.asOf ?? Infinity, asOf ?? Infinity);
    const at = Number.isFinite(cutoff) ? cutoff : now;
    return evaluateTicket(terms, ticket, { events: at, measure: at }).map((e) => metricResult(e, zone));
  });
}
