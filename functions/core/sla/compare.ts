import { evaluateTickets, type MetricResult } from './engine';
import type { SlaTerms } from './terms';
import type { TicketTimeline } from './ticket';

/**
 * The engine's verdicts beside another system's per-ticket verdict (ServiceNow's `made_sla`, for
 * one): the agreement matrix, and for each disagreement the first of a fixed list of reasons that
 * accounts for it, found by evaluating the ticket again with one rule changed. Pure: no I/O, and
 * the evaluation instant is always given.
 */

/**
 * One ticket's verdict for one metric: breached when any of its instances breached (a reopened
 * ticket can have several), else in progress when one still runs, else met; not measured when
 * the metric reported no instance (no target for the ticket's severity).
 */
export type Verdict = 'met' | 'breached' | 'in_progress' | 'not_measured';
export const VERDICTS: readonly Verdict[] = ['met', 'breached', 'in_progress', 'not_measured'];

/** The other system's verdict: true when it says the SLA was made, null when it gives none. */
export type Reference = boolean | null;
export type ReferenceKey = 'made' | 'missed' | 'none';
export const REFERENCE_KEYS: readonly ReferenceKey[] = ['made', 'missed', 'none'];
const referenceKey = (r: Reference): ReferenceKey => (r === null ? 'none' : r ? 'made' : 'missed');

/** The verdict of one ticket from its results for one metric. */
export function ticketVerdict(results: readonly MetricResult[]): Verdict {
  if (results.length === 0) return 'not_measured';
  if (results.some((r) => r.breached)) return 'breached';
  if (results.some((r) => r.state === 'in_progress')) return 'in_progress';
  return 'met';
}

/** Each ticket's results for `metric`, by ticket id. */
export function resultsByTicket(
  results: readonly MetricResult[],
  metric: string,
): Map<string, MetricResult[]> {
  const by = new Map<string, MetricResult[]>();
  for (const r of results) {
    if (r.metric !== metric) continue;
    const list = by.get(r.ticket);
    if (list) list.push(r);
    else by.set(r.ticket, [r]);
  }
  return by;
}

export interface AgreementMatrix {
  /** cells[verdict][reference]: tickets with that engine verdict and that reference verdict. */
  cells: Record<Verdict, Record<ReferenceKey, number>>;
  total: number;
  /** Tickets both sides decided: met or breached here, made or missed in the reference. */
  compared: number;
  /** Compared tickets on which both agree: met and made, or breached and missed. */
  agreed: number;
  /** agreed / compared; null when nothing was compared. */
  agreement: number | null;
  /** Met here, missed in the reference. */
  metButMissed: number;
  /** Breached here, made in the reference. */
  breachedButMade: number;
}

function emptyCells(): Record<Verdict, Record<ReferenceKey, number>> {
  const cells = {} as Record<Verdict, Record<ReferenceKey, number>>;
  for (const v of VERDICTS) cells[v] = { made: 0, missed: 0, none: 0 };
  return cells;
}

/** The agreement matrix of (engine verdict, reference verdict) pairs. */
export function agreementMatrix(
  pairs: Iterable<{ verdict: Verdict; reference: Reference }>,
): AgreementMatrix {
  const cells = emptyCells();
  let total = 0;
  for (const { verdict, reference } of pairs) {
    cells[verdict][referenceKey(reference)] += 1;
    total += 1;
  }
  const agreed = cells.met.made + cells.breached.missed;
  const metButMissed = cells.met.missed;
  const breachedButMade = cells.breached.made;
  const compared = agreed + metButMissed + breachedButMade;
  return {
    cells,
    total,
    compared,
    agreed,
    agreement: compared === 0 ? null : agreed / compared,
    metButMissed,
    breachedButMade,
  };
}

/** True when the engine and the reference give opposite decided verdicts. */
export function disagrees(verdict: Verdict, reference: Reference): boolean {
  return (verdict === 'met' && reference === false) || (verdict === 'breached' && reference === true);
}

// ---------------------------------------------------------------------------------------------
// Why they disagree

/**
 * The reasons, in the order they are tried: the first that accounts for a disagreement is its
 * category. `*_other` catches the rest.
 */
export const DISAGREEMENT_CATEGORIES = {
  starts_solved: 'opened already solved: no resolution time here, missed in the reference',
  paused: 'met only because waiting statuses paused the clock; counting them breaches',
  counted_until_closed: 'met when solved; counting on until closed breaches',
  met_other: 'met here, missed in the reference, for another reason',
  reopened: 'breached in a cycle after a reopen; the first cycle alone is met',
  severity_changed: "breached under the final severity's target; under the first severity it is met",
  near_target: 'breached by less than half the target: the reference allows more time',
  breached_other: 'breached here, made in the reference, for another reason',
} as const;
export type DisagreementCategory = keyof typeof DISAGREEMENT_CATEGORIES;

/** The verdicts of one ticket under the terms with one rule changed (see the builders below). */
export interface Alternatives {
  withoutPauses?: Verdict;
  untilClosed?: Verdict;
  withoutReopens?: Verdict;
  atFirstSeverity?: Verdict;
}

/** What a ticket's timeline went through, read through the terms' maps. */
export interface Traits {
  /** Its first status is solved or closed. */
  startsSolved: boolean;
  /** It left solved or closed for another status at least once. */
  reopened: boolean;
  /** Its severity changed. */
  severityChanged: boolean;
  /** It spent time in a pause status of the metric before its last solve. */
  waited: boolean;
}
export const TRAITS: readonly (keyof Traits)[] = ['startsSolved', 'reopened', 'severityChanged', 'waited'];

/** The traits of one ticket under `terms`, for `metric`'s pause statuses. */
export function traitsOf(terms: SlaTerms, metric: string, ticket: TicketTimeline): Traits {
  const pauses = new Set<string>(terms.metrics[metric]?.pause_statuses ?? []);
  const statuses = ticket.status_history.map((s) => terms.status_map[s.status] ?? s.status);
  const solved = (status: string | undefined) => status === 'solved' || status === 'closed';
  let lastSolve = -1;
  statuses.forEach((status, i) => {
    if (solved(status)) lastSolve = i;
  });
  const severities = new Set(
    ticket.severity_history.map((s) => terms.severity_map?.[s.severity] ?? s.severity),
  );
  return {
    startsSolved: solved(statuses[0]),
    reopened: statuses.some((status, i) => i > 0 && solved(statuses[i - 1]) && !solved(status)),
    severityChanged: severities.size > 1,
    waited: statuses.some((status, i) => i < lastSolve && pauses.has(status)),
  };
}

export interface ComparedTicket extends Traits {
  id: string;
  verdict: Verdict;
  reference: Reference;
  /** Elapsed over target of its first breached instance; null when none breached. */
  overTarget: number | null;
  alternatives: Alternatives;
}

/** The category of a disagreement, or null when the two agree or either is undecided. */
export function disagreementCategory(t: ComparedTicket): DisagreementCategory | null {
  if (!disagrees(t.verdict, t.reference)) return null;
  const { alternatives: alt } = t;
  if (t.verdict === 'met') {
    if (t.startsSolved) return 'starts_solved';
    if (alt.withoutPauses === 'breached') return 'paused';
    if (alt.untilClosed === 'breached') return 'counted_until_closed';
    return 'met_other';
  }
  if (alt.withoutReopens === 'met') return 'reopened';
  if (alt.atFirstSeverity === 'met') return 'severity_changed';
  if (t.overTarget !== null && t.overTarget < 1.5) return 'near_target';
  return 'breached_other';
}

/** The terms with no pause statuses for `metric`: every second from start to solve counts. */
export function withoutPauses(terms: SlaTerms, metric: string): SlaTerms {
  const m = terms.metrics[metric];
  if (!m) return terms;
  return { ...terms, metrics: { ...terms.metrics, [metric]: { ...m, pause_statuses: [] } } };
}

/**
 * The terms with every source status that maps to `solved` mapped to `open` instead, so that a
 * resolution clock runs on until the ticket is closed. (A ticket that gives the canonical
 * `solved` itself still stops there: terms can only map a canonical status to itself.)
 */
export function untilClosed(terms: SlaTerms): SlaTerms {
  const statusMap: SlaTerms['status_map'] = {};
  for (const [source, status] of Object.entries(terms.status_map))
    statusMap[source] = status === 'solved' ? 'open' : status;
  return { ...terms, status_map: statusMap };
}

/** The terms measuring nothing after the first solve of `metric` (reopen mode `ignore`). */
export function withoutReopens(terms: SlaTerms, metric: string): SlaTerms {
  const m = terms.metrics[metric];
  if (!m) return terms;
  return { ...terms, metrics: { ...terms.metrics, [metric]: { ...m, reopen: { mode: 'ignore' } } } };
}

/** The ticket as if its severity never changed from the first. */
export function atFirstSeverity(ticket: TicketTimeline): TicketTimeline {
  return { ...ticket, severity_history: ticket.severity_history.slice(0, 1) };
}

// ---------------------------------------------------------------------------------------------
// Comparing a set of tickets

export interface ReferenceTicket {
  ticket: TicketTimeline;
  reference: Reference;
}

export interface ComparisonOptions {
  /** The metric compared (a key of the terms' metrics). */
  metric: string;
  /** The evaluation instant (ISO-8601 with an offset): every ticket is evaluated as of then. */
  asOf: string;
  /** Example ticket ids kept per category; default 3. */
  examples?: number;
}

export interface CategoryCount {
  category: DisagreementCategory;
  description: string;
  count: number;
  /** Tickets of the category: those with the fewest traits first, then in input order. */
  examples: string[];
}

export interface Comparison {
  matrix: AgreementMatrix;
  /** The matrix per severity id in force at the ticket's last severity entry. */
  bySeverity: Record<string, AgreementMatrix>;
  /** The matrix of the tickets with each trait (a ticket can have several). */
  byTrait: Record<keyof Traits, AgreementMatrix>;
  /** Every category with at least one ticket, most frequent first. */
  categories: CategoryCount[];
  /** The tickets that disagree, with what was found about them. */
  disagreements: (ComparedTicket & { category: DisagreementCategory; results: MetricResult[] })[];
}

function verdicts(
  terms: SlaTerms,
  tickets: readonly TicketTimeline[],
  options: ComparisonOptions,
): Map<string, MetricResult[]> {
  return resultsByTicket(evaluateTickets(terms, tickets, { asOf: options.asOf }), options.metric);
}

/**
 * Evaluates every ticket under `terms`, sets each verdict for `options.metric` beside the
 * reference, and explains each disagreement: the disagreeing tickets are evaluated again without
 * pauses, with the clock running until closed, without reopens and at their first severity.
 * Ticket ids must be unique, as the engine requires.
 */
export function compareWithReference(
  terms: SlaTerms,
  tickets: readonly ReferenceTicket[],
  options: ComparisonOptions,
): Comparison {
  const { metric } = options;
  const keep = options.examples ?? 3;
  const base = verdicts(
    terms,
    tickets.map((t) => t.ticket),
    options,
  );
  const severityOf = (ticket: TicketTimeline) => {
    const last = ticket.severity_history[ticket.severity_history.length - 1]?.severity ?? '';
    return terms.severity_map?.[last] ?? last;
  };

  const pairs: { verdict: Verdict; reference: Reference; severity: string; traits: Traits }[] = [];
  const disagreeing: (ReferenceTicket & { verdict: Verdict; results: MetricResult[]; traits: Traits })[] = [];
  for (const item of tickets) {
    const results = base.get(item.ticket.id) ?? [];
    const verdict = ticketVerdict(results);
    const traits = traitsOf(terms, metric, item.ticket);
    pairs.push({ verdict, reference: item.reference, severity: severityOf(item.ticket), traits });
    if (disagrees(verdict, item.reference)) disagreeing.push({ ...item, verdict, results, traits });
  }

  const subset = disagreeing.map((d) => d.ticket);
  const alternative = (variant: SlaTerms, list: readonly TicketTimeline[] = subset) => {
    const by = verdicts(variant, list, options);
    return (id: string) => ticketVerdict(by.get(id) ?? []);
  };
  const noPause = alternative(withoutPauses(terms, metric));
  const closed = alternative(untilClosed(terms));
  const noReopen = alternative(withoutReopens(terms, metric));
  const firstSeverity = alternative(terms, subset.map(atFirstSeverity));

  const counts = new Map<DisagreementCategory, CategoryCount & { candidates: [number, string][] }>();
  const disagreements: Comparison['disagreements'] = [];
  for (const d of disagreeing) {
    const id = d.ticket.id;
    const breached = d.results.find((r) => r.breached);
    const compared: ComparedTicket = {
      id,
      verdict: d.verdict,
      reference: d.reference,
      ...d.traits,
      overTarget:
        breached && breached.elapsed_min !== null && breached.target_min
          ? breached.elapsed_min / breached.target_min
          : null,
      alternatives: {
        withoutPauses: noPause(id),
        untilClosed: closed(id),
        withoutReopens: noReopen(id),
        atFirstSeverity: firstSeverity(id),
      },
    };
    const category = disagreementCategory(compared)!;
    disagreements.push({ ...compared, category, results: d.results });
    let entry = counts.get(category);
    if (!entry) {
      entry = {
        category,
        description: DISAGREEMENT_CATEGORIES[category],
        count: 0,
        examples: [],
        candidates: [],
      };
      counts.set(category, entry);
    }
    entry.count += 1;
    // An example shows its category best when nothing else happened to the ticket.
    entry.candidates.push([TRAITS.filter((t) => d.traits[t]).length, id]);
  }

  const severities = [...new Set(pairs.map((p) => p.severity))].sort();
  const bySeverity: Record<string, AgreementMatrix> = {};
  for (const severity of severities)
    bySeverity[severity] = agreementMatrix(pairs.filter((p) => p.severity === severity));

  const byTrait = {} as Record<keyof Traits, AgreementMatrix>;
  for (const trait of TRAITS) byTrait[trait] = agreementMatrix(pairs.filter((p) => p.traits[trait]));

  return {
    matrix: agreementMatrix(pairs),
    bySeverity,
    byTrait,
    categories: [...counts.values()]
      .map(({ candidates, ...entry }) => ({
        ...entry,
        // A stable sort: input order among tickets with as many traits.
        examples: candidates
          .sort((a, b) => a[0] - b[0])
          .slice(0, keep)
          .map(([, id]) => id),
      }))
      .sort((a, b) => b.count - a.count),
    disagreements,
  };
}
