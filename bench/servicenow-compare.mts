import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  agreementMatrix,
  compareWithReference,
  REFERENCE_KEYS,
  resultsByTicket,
  ticketVerdict,
  untilClosed,
  VERDICTS,
  withoutPauses,
  withoutReopens,
  type AgreementMatrix,
  type Comparison,
  type ReferenceTicket,
} from '../functions/core/sla/compare';
import { evaluateTickets, formatInstant } from '../functions/core/sla/engine';
import { readServiceNowZip } from '../functions/core/sla/ingest/servicenow-zip';
import {
  SERVICENOW_RESOLUTION_METRIC,
  SERVICENOW_SOURCE_TIME_ZONE,
  SERVICENOW_TERMS,
} from '../functions/core/sla/servicenow-terms';
import { checkSlaTerms, type SlaTerms } from '../functions/core/sla/terms';

/**
 * The SLA engine over a whole ServiceNow incident log, each incident's resolution verdict set
 * beside ServiceNow's own `made_sla`: the agreement matrix, the rate, the rate per priority, and
 * the disagreements by category, each with an example incident. Then the same comparison under
 * terms fitted to what this log's verdicts imply (docs/sla-servicenow-comparison.md explains both).
 *
 *   npx tsx bench/servicenow-compare.mts [path/to/incident_event_log.zip]
 *
 * Data: UCI Machine Learning Repository data set 498, "Incident management process enriched
 * event log", Amaral, Fantinato, Peres (University of São Paulo), CC BY 4.0.
 */

const ATTRIBUTION =
  'Data: UCI ML Repository data set 498 "Incident management process enriched event log", Amaral, Fantinato, Peres, CC BY 4.0';
const DEFAULT_ZIP = fileURLToPath(new URL('../../shared/data/incident_event_log.zip', import.meta.url));
/** After the last event of the log: every incident is evaluated with its whole history. */
const AS_OF = '2018-01-01T00:00:00Z';
const METRIC = SERVICENOW_RESOLUTION_METRIC;

/**
 * What this log's verdicts imply, found by trying targets per priority: the clock runs until the
 * incident is Closed (ServiceNow's older base definitions stop when the incident is no longer
 * active, and a Resolved incident stays active until it is closed, 5 days later by default), it
 * never pauses, and P3 and P4 allow 60 and 132 hours of the 8-5 weekdays schedule. For
 * explanation only: not ServiceNow's defaults, and not a contract anybody signed.
 */
function fittedTerms(terms: SlaTerms): SlaTerms {
  const fitted = untilClosed(withoutPauses(terms, METRIC));
  const minutes: Record<string, number> = { P1: 480, P2: 480, P3: 60 * 60, P4: 132 * 60 };
  return {
    ...fitted,
    targets: fitted.targets.map((t) => ({ ...t, target_minutes: minutes[t.severity] ?? t.target_minutes })),
  };
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)} %`);

function printMatrix(matrix: AgreementMatrix): void {
  const rows = [
    ['engine \\ made_sla', 'true', 'false', '(none)', 'total'],
    ...VERDICTS.filter((v) => REFERENCE_KEYS.some((k) => matrix.cells[v][k] > 0)).map((v) => {
      const c = matrix.cells[v];
      return [v, String(c.made), String(c.missed), String(c.none), String(c.made + c.missed + c.none)];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const [n, row] of rows.entries()) {
    console.log(
      '  ' + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '),
    );
    if (n === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

function printComparison(
  title: string,
  comparison: Comparison,
  tickets: Map<string, ReferenceTicket>,
  showTraits: boolean,
): void {
  const { matrix } = comparison;
  console.log(`\n== ${title}`);
  printMatrix(matrix);
  console.log(
    `  agreement ${pct(matrix.agreement)} (${matrix.agreed} of ${matrix.compared} incidents decided on both sides); ` +
      `met here but made_sla false: ${matrix.metButMissed}; breached here but made_sla true: ${matrix.breachedButMade}`,
  );
  for (const [severity, m] of Object.entries(comparison.bySeverity))
    console.log(
      `  ${severity}: ${pct(m.agreement).padStart(8)} of ${String(m.compared).padStart(5)}` +
        `  (met/false ${m.metButMissed}, breached/true ${m.breachedButMade})`,
    );
  // Traits are read through the terms' status map: only meaningful for terms that keep the log's states.
  for (const [trait, m] of showTraits ? Object.entries(comparison.byTrait) : [])
    console.log(
      `  incidents with trait ${trait}: ${m.total}, agreement ${pct(m.agreement)}` +
        ` (met/false ${m.metButMissed}, breached/true ${m.breachedButMade})`,
    );
  console.log('  disagreements by category (first matching reason):');
  for (const c of comparison.categories) {
    console.log(`    ${String(c.count).padStart(5)}  ${c.category}: ${c.description}`);
    const example = comparison.disagreements.find((d) => d.id === c.examples[0])!;
    const ticket = tickets.get(example.id)!.ticket;
    const local = (iso: string) =>
      formatInstant(Date.parse(iso) / 1000, SERVICENOW_SOURCE_TIME_ZONE)
        .slice(0, 16)
        .replace('T', ' ');
    const steps = ticket.status_history.map((s) => `${s.status} ${local(s.at)}`);
    const path = (
      steps.length > 8 ? [...steps.slice(0, 4), `(${steps.length - 7} more)`, ...steps.slice(-3)] : steps
    ).join(' → ');
    const priorities = [...new Set(ticket.severity_history.map((s) => s.severity))].join(' → ');
    const measured = example.results
      .map((r) => `${r.state} ${r.elapsed_min ?? '-'} of ${r.target_min ?? '-'} min (${r.severity})`)
      .join('; ');
    console.log(`           e.g. ${example.id} [${priorities}] ${path}`);
    console.log(`                engine: ${measured}; made_sla ${String(example.reference)}`);
  }
}

async function main(): Promise<void> {
  const zip = process.argv[2] ?? DEFAULT_ZIP;
  console.log(ATTRIBUTION);
  const started = performance.now();
  const items: ReferenceTicket[] = [];
  let incidents = 0;
  let skippedRows = 0;
  let latest = '';
  // When ServiceNow's verdict turned false, and how long incidents wait in Resolved before Closed.
  let falseAtClose = 0;
  let falseElsewhere = 0;
  const resolvedToClosedHours: number[] = [];
  for await (const incident of readServiceNowZip(createReadStream(zip), {
    sourceTimeZone: SERVICENOW_SOURCE_TIME_ZONE,
  })) {
    incidents += 1;
    skippedRows += incident.skipped.length;
    if (!incident.ticket) continue;
    items.push({ ticket: incident.ticket, reference: incident.made_sla });
    const history = incident.ticket.status_history;
    const closed = history.find((s) => s.status === 'Closed');
    if (incident.made_sla_false_at !== undefined) {
      if (incident.made_sla_false_at === closed?.at) falseAtClose += 1;
      else falseElsewhere += 1;
    }
    const resolvedAt = history.find((s) => s.status === 'Resolved' || s.status === 'Closed')?.at;
    if (closed && resolvedAt)
      resolvedToClosedHours.push((Date.parse(closed.at) - Date.parse(resolvedAt)) / 3_600_000);
    const last = incident.ticket.status_history.at(-1)?.at ?? incident.ticket.created_at;
    if (last > latest) latest = last;
  }
  if (latest >= AS_OF) throw new Error(`the log runs to ${latest}, past the evaluation instant ${AS_OF}`);
  const readMs = performance.now() - started;
  console.log(
    `${incidents} incidents (${items.length} with a timeline), ${skippedRows} rows skipped as bad data, ` +
      `read in ${(readMs / 1000).toFixed(1)} s; times read in ${SERVICENOW_SOURCE_TIME_ZONE}; last event ${latest}`,
  );

  resolvedToClosedHours.sort((a, b) => a - b);
  const quantile = (q: number) => resolvedToClosedHours[Math.floor(q * (resolvedToClosedHours.length - 1))]!;
  console.log(
    `made_sla turned false at the update that closed the incident for ${falseAtClose} incidents, ` +
      `at another update for ${falseElsewhere}; Resolved to Closed (${resolvedToClosedHours.length} incidents): ` +
      `p5 ${quantile(0.05).toFixed(1)} h, median ${quantile(0.5).toFixed(1)} h, p95 ${quantile(0.95).toFixed(1)} h`,
  );

  const byId = new Map(items.map((i) => [i.ticket.id, i]));
  const terms = checkSlaTerms(structuredClone(SERVICENOW_TERMS));
  const defaults = compareWithReference(terms, items, { metric: METRIC, asOf: AS_OF });
  printComparison(
    "ServiceNow's base-system resolution targets (functions/core/sla/servicenow-terms.ts)",
    defaults,
    byId,
    true,
  );
  // What each rule is worth: the agreement with one rule of the default terms changed.
  const agreementUnder = (variant: SlaTerms) => {
    const by = resultsByTicket(
      evaluateTickets(
        variant,
        items.map((i) => i.ticket),
        { asOf: AS_OF },
      ),
      METRIC,
    );
    return agreementMatrix(
      items.map((i) => ({ verdict: ticketVerdict(by.get(i.ticket.id) ?? []), reference: i.reference })),
    ).agreement;
  };
  const resolution = terms.metrics[METRIC]!;
  const variants: [string, SlaTerms][] = [
    ['as defined', terms],
    ['no pauses', withoutPauses(terms, METRIC)],
    ['clock until Closed', untilClosed(terms)],
    ['clock until Closed, no pauses', untilClosed(withoutPauses(terms, METRIC))],
    ['reopens ignored', withoutReopens(terms, METRIC)],
    [
      'reopens within 7 days resume',
      { ...terms, metrics: { [METRIC]: { ...resolution, reopen: { mode: 'resume', window_days: 7 } } } },
    ],
    ['reclassification sticky', { ...terms, reclassification: { mode: 'retroactive', breach_sticky: true } }],
    [
      'reclassification segmented',
      { ...terms, reclassification: { mode: 'segmented', breach_sticky: false } },
    ],
    ['every target on 24x7', { ...terms, targets: terms.targets.map((t) => ({ ...t, calendar: '24x7' })) }],
  ];
  console.log('\n== One rule of the default terms changed: agreement over the whole log');
  const sensitivity: Record<string, number | null> = {};
  for (const [name, variant] of variants) {
    sensitivity[name] = agreementUnder(checkSlaTerms(structuredClone(variant)));
    console.log(`  ${name.padEnd(32)} ${pct(sensitivity[name]!)}`);
  }

  const fitted = compareWithReference(checkSlaTerms(fittedTerms(terms)), items, {
    metric: METRIC,
    asOf: AS_OF,
  });
  printComparison(
    'Terms fitted to this log: clock until Closed, no pauses, P1 8 h 24x7, P2 8 h, P3 60 h, P4 132 h of 8-5 weekdays',
    fitted,
    byId,
    false,
  );

  const summary = (c: Comparison) => ({
    agreement: c.matrix.agreement,
    compared: c.matrix.compared,
    agreed: c.matrix.agreed,
    cells: c.matrix.cells,
    bySeverity: Object.fromEntries(Object.entries(c.bySeverity).map(([s, m]) => [s, m.agreement])),
    byTrait: Object.fromEntries(
      Object.entries(c.byTrait).map(([t, m]) => [t, { incidents: m.total, agreement: m.agreement }]),
    ),
    categories: Object.fromEntries(
      c.categories.map((x) => [x.category, { count: x.count, examples: x.examples }]),
    ),
  });
  console.log(
    '\n' +
      JSON.stringify({
        bench: 'servicenow-compare',
        node: process.version,
        incidents,
        attribution: ATTRIBUTION,
        defaults: summary(defaults),
        sensitivity,
        fitted: summary(fitted),
      }),
  );
}

await main();
