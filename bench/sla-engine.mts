import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { evaluateTickets, type MetricResult } from '../functions/core/sla/engine';
import { readServiceNowZip } from '../functions/core/sla/ingest/servicenow-zip';
import {
  SERVICENOW_RESOLUTION_METRIC,
  SERVICENOW_SOURCE_TIME_ZONE,
  SERVICENOW_TERMS,
} from '../functions/core/sla/servicenow-terms';
import { checkSlaTerms, type CanonicalStatus, type SlaTerms } from '../functions/core/sla/terms';
import type { TicketTimeline } from '../functions/core/sla/ticket';
import { localOf, weekday } from '../functions/core/time/zone';
import { bench } from './harness';

/**
 * The SLA engine over the 24,918 incidents of a real ServiceNow log (converted once, outside
 * anything timed): evaluations per second, and its speed against a naive evaluator run alongside
 * in the same process, which walks each incident's resolution clock one minute at a time and asks
 * at every minute whether the minute is in the calendar and whether the incident is paused. The
 * naive one runs on a fixed subset (every Nth incident) and is scaled to the whole log; the ratio
 * compares both on that same subset. Also the peak memory of one evaluation of the whole log.
 *
 *   npx tsx bench/sla-engine.mts [path/to/incident_event_log.zip]
 *
 * Data: UCI ML Repository data set 498, "Incident management process enriched event log",
 * Amaral, Fantinato, Peres (University of São Paulo), CC BY 4.0.
 */

const ATTRIBUTION =
  'Data: UCI ML Repository data set 498 "Incident management process enriched event log", Amaral, Fantinato, Peres, CC BY 4.0';
const DEFAULT_ZIP = fileURLToPath(new URL('../../shared/data/incident_event_log.zip', import.meta.url));
const AS_OF = '2018-01-01T00:00:00Z';
const AS_OF_MINUTE = Date.parse(AS_OF) / 60_000;
const METRIC = SERVICENOW_RESOLUTION_METRIC;
/** Every SUBSET_STEP-th incident, in log order, for the naive evaluator and the ratio. */
const SUBSET_STEP = 10;
const FULL_ROUNDS = 11;
const RATIO_ROUNDS = 7;
/** Tickets per batch when sampling the heap during one evaluation of the whole log. */
const SAMPLE_BATCH = 250;

// ---------------------------------------------------------------------------------------------
// The naive evaluator: the first resolution instance of each incident, minute by minute.

interface NaiveCalendar {
  zone: string | null;
  /** Per weekday (0 = Sunday): [start, end) seconds since local midnight. */
  windows: [number, number][][];
}

interface NaiveResult {
  ticket: string;
  elapsedMinutes: number;
  /** Minutes stepped through, paused and out-of-calendar ones included. */
  walkedMinutes: number;
  targetMinutes: number;
  breached: boolean;
}

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const toSeconds = (clock: string) => {
  const [h, m] = clock.split(':').map(Number) as [number, number];
  return h * 3600 + m * 60;
};

function naiveEvaluator(terms: SlaTerms): (tickets: readonly TicketTimeline[]) => NaiveResult[] {
  const calendars = new Map<string, NaiveCalendar>();
  for (const [name, calendar] of Object.entries(terms.calendars))
    calendars.set(
      name,
      calendar.type === '24x7'
        ? { zone: null, windows: [] }
        : {
            zone: calendar.time_zone,
            windows: WEEKDAYS.map((day) =>
              (calendar.weekly[day] ?? []).map(([s, e]) => [toSeconds(s), toSeconds(e)] as [number, number]),
            ),
          },
    );
  const targets = new Map(terms.targets.filter((t) => t.metric === METRIC).map((t) => [t.severity, t]));
  const pauses = new Set<CanonicalStatus>(terms.metrics[METRIC]?.pause_statuses ?? []);
  const minuteOf = (iso: string) => Date.parse(iso) / 60_000;

  /** Is the minute starting at epoch minute `m` in the calendar? */
  const inCalendar = (calendar: NaiveCalendar, m: number): boolean => {
    if (calendar.zone === null) return true;
    const { dayNo, seconds } = localOf(calendar.zone, m * 60);
    for (const [s, e] of calendar.windows[weekday(dayNo)]!) if (seconds >= s && seconds < e) return true;
    return false;
  };

  return (tickets) =>
    tickets.map((ticket) => {
      const created = minuteOf(ticket.created_at);
      const statuses = ticket.status_history.map((s) => ({
        at: minuteOf(s.at),
        status: (terms.status_map[s.status] ?? s.status) as CanonicalStatus,
      }));
      const solve = statuses.find((s) => s.status === 'solved' || s.status === 'closed');
      const stop = solve ? solve.at : AS_OF_MINUTE;
      // The severity in force at the stop: a change at the stop itself does not count.
      let severity = ticket.severity_history[0]!.severity;
      for (const s of ticket.severity_history) if (minuteOf(s.at) < stop) severity = s.severity;
      const target = targets.get(terms.severity_map?.[severity] ?? severity)!;
      const calendar = calendars.get(target.calendar)!;
      let elapsed = 0;
      let status: CanonicalStatus = 'new';
      let next = 0;
      for (let m = created; m < stop; m++) {
        while (next < statuses.length && statuses[next]!.at <= m) status = statuses[next++]!.status;
        if (pauses.has(status)) continue;
        if (inCalendar(calendar, m)) elapsed += 1;
      }
      return {
        ticket: ticket.id,
        elapsedMinutes: elapsed,
        walkedMinutes: Math.max(0, stop - created),
        targetMinutes: target.target_minutes,
        breached: elapsed > target.target_minutes,
      };
    });
}

// ---------------------------------------------------------------------------------------------
// Memory

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const vmHwm = () => {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error('no VmHWM in /proc/self/status');
  return Number(match[1]) * 1024;
};
/** Resets the peak RSS (Linux); false where that is not possible. */
const resetPeakRss = (): boolean => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    vmHwm();
    return true;
  } catch {
    return false;
  }
};

interface MemoryPeak {
  /** Heap used before the run (after a full GC): the converted tickets and the code; bytes. */
  heapUsedBefore: number;
  /** Largest heap used, sampled after each batch (garbage not yet collected included); bytes. */
  heapUsedPeak: number;
  /** Largest v8 heap size (reserved), from v8's heap statistics after each batch; bytes. */
  heapTotalPeak: number;
  /** Heap still used once done and collected (the results, kept), less before; bytes. */
  heapUsedRetainedDelta: number;
  rssBefore: number;
  /** Peak RSS during the run (VmHWM after a reset; else the largest sample); bytes. */
  rssPeak: number;
  rssMethod: 'VmHWM reset' | 'sampled';
  samples: number;
}

/** Runs `evaluate` over `tickets` in batches, sampling memory after each; keeps the results. */
function measureMemory(
  tickets: readonly TicketTimeline[],
  evaluate: (batch: readonly TicketTimeline[]) => unknown[],
): MemoryPeak {
  gc();
  const before = process.memoryUsage();
  const exact = resetPeakRss();
  const kept: unknown[] = [];
  let heapUsedPeak = before.heapUsed;
  let heapTotalPeak = getHeapStatistics().total_heap_size;
  let rssPeak = before.rss;
  let samples = 0;
  for (let i = 0; i < tickets.length; i += SAMPLE_BATCH) {
    kept.push(...evaluate(tickets.slice(i, i + SAMPLE_BATCH)));
    const now = process.memoryUsage();
    heapUsedPeak = Math.max(heapUsedPeak, now.heapUsed);
    heapTotalPeak = Math.max(heapTotalPeak, getHeapStatistics().total_heap_size);
    rssPeak = Math.max(rssPeak, now.rss);
    samples += 1;
  }
  if (exact) rssPeak = Math.max(rssPeak, vmHwm());
  gc();
  const retained = process.memoryUsage().heapUsed - before.heapUsed;
  if (kept.length === 0) throw new Error('nothing was evaluated');
  return {
    heapUsedBefore: before.heapUsed,
    heapUsedPeak,
    heapTotalPeak,
    heapUsedRetainedDelta: retained,
    rssBefore: before.rss,
    rssPeak,
    rssMethod: exact ? 'VmHWM reset' : 'sampled',
    samples,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const zip = process.argv[2] ?? DEFAULT_ZIP;
  console.log(ATTRIBUTION);
  const tickets: TicketTimeline[] = [];
  for await (const incident of readServiceNowZip(createReadStream(zip), {
    sourceTimeZone: SERVICENOW_SOURCE_TIME_ZONE,
  }))
    if (incident.ticket) tickets.push(incident.ticket);
  const subset = tickets.filter((_, i) => i % SUBSET_STEP === 0);
  const terms = checkSlaTerms(structuredClone(SERVICENOW_TERMS));
  const engine = (list: readonly TicketTimeline[]): MetricResult[] =>
    evaluateTickets(terms, list, { asOf: AS_OF });
  const naive = naiveEvaluator(terms);

  // Memory first, before any other run has grown the heap: one evaluation of the whole log.
  const engineMemory = measureMemory(tickets, engine);
  const naiveMemory = measureMemory(subset, naive);

  // The two must measure the same thing: the first resolution instance of each incident.
  const firstInstance = new Map<string, MetricResult>();
  for (const r of engine(subset)) if (!firstInstance.has(r.ticket)) firstInstance.set(r.ticket, r);
  const naiveResults = naive(subset);
  const mismatches = naiveResults.filter((n) => {
    const e = firstInstance.get(n.ticket);
    return !e || Math.abs(e.elapsed_min! - n.elapsedMinutes) > 0.005 || e.target_min !== n.targetMinutes;
  });
  const counted = naiveResults.reduce((sum, n) => sum + n.elapsedMinutes, 0);
  const walked = naiveResults.reduce((sum, n) => sum + n.walkedMinutes, 0);
  console.log(
    `${tickets.length} incidents; subset of every ${SUBSET_STEP}th: ${subset.length} incidents. ` +
      `Naive and engine elapsed agree on ${subset.length - mismatches.length} of ${subset.length}` +
      (mismatches.length > 0 ? ` (first mismatch ${mismatches[0]!.ticket})` : '') +
      `; the naive walk steps through ${walked.toLocaleString('en-US')} minutes of the subset, ` +
      `${counted.toLocaleString('en-US')} of them counted`,
  );
  if (mismatches.length > 0) throw new Error('the naive evaluator and the engine disagree');

  // Warm both up, then the ratio on the same subset, interleaved.
  for (let i = 0; i < 3; i++) engine(tickets);
  const ratio = await bench({
    name: `engine over the subset (${subset.length} incidents)`,
    baseline: { name: 'naive minute-by-minute walk over the same subset', run: () => naive(subset) },
    subject: () => engine(subset),
    rounds: RATIO_ROUNDS,
  });

  // The whole log, against the engine over the subset measured alongside as its baseline.
  const full = await bench({
    name: `engine over the whole log (${tickets.length} incidents)`,
    baseline: { name: 'engine over the subset', run: () => engine(subset) },
    subject: () => engine(tickets),
    rounds: FULL_ROUNDS,
  });

  const evalsPerSecond = tickets.length / (full.subjectMs / 1000);
  const naivePerIncidentMs = ratio.baselineMs / subset.length;
  const naiveFullEstimateMs = naivePerIncidentMs * tickets.length;
  const mib = (n: number | null) => (n === null ? 'n/a' : `${(n / 1024 / 1024).toFixed(1)} MiB`);
  console.log('');
  console.log(
    `engine: ${Math.round(evalsPerSecond).toLocaleString('en-US')} incident evaluations/s ` +
      `(${full.subjectMs.toFixed(0)} ms for ${tickets.length}, median of ${FULL_ROUNDS}; ` +
      `scaling from the subset: ${(full.ratio / (tickets.length / subset.length)).toFixed(2)} of linear)`,
  );
  console.log(
    `naive: ${Math.round(subset.length / (ratio.baselineMs / 1000)).toLocaleString('en-US')} incident evaluations/s ` +
      `on the subset; the whole log would take about ${(naiveFullEstimateMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `engine / naive time on the same ${subset.length} incidents: ${ratio.ratio.toFixed(4)} ` +
      `(the engine is ${(1 / ratio.ratio).toFixed(0)}x faster)`,
  );
  const m = engineMemory;
  console.log(
    `memory of one evaluation of the whole log, in batches of ${SAMPLE_BATCH} (${m.samples} samples), ` +
      `with the ${tickets.length} converted tickets already held: heap used ${mib(m.heapUsedBefore)} before, ` +
      `${mib(m.heapUsedPeak)} at peak (+${mib(m.heapUsedPeak - m.heapUsedBefore)}, uncollected garbage included), ` +
      `+${mib(m.heapUsedRetainedDelta)} retained (the ${tickets.length} results); v8 heap size at most ${mib(m.heapTotalPeak)}; ` +
      `RSS ${mib(m.rssBefore)} before, ${mib(m.rssPeak)} at peak (+${mib(m.rssPeak - m.rssBefore)}, ${m.rssMethod})`,
  );
  console.log(
    `naive over the subset: heap used +${mib(naiveMemory.heapUsedPeak - naiveMemory.heapUsedBefore)} at peak, ` +
      `RSS +${mib(naiveMemory.rssPeak - naiveMemory.rssBefore)}`,
  );
  console.log(
    JSON.stringify({
      bench: 'sla-engine',
      node: process.version,
      incidents: tickets.length,
      subset: subset.length,
      attribution: ATTRIBUTION,
      engine: { fullMs: full.subjectMs, evalsPerSecond, subsetMs: ratio.subjectMs },
      naive: { subsetMs: ratio.baselineMs, fullEstimateMs: naiveFullEstimateMs },
      ratio: ratio.ratio,
      memory: { engine: engineMemory, naive: naiveMemory },
    }),
  );
}

await main();
