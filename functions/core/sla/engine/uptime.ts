import type { SlaTerms, UptimeTerms, UptimeTier } from '../terms';
import { minutes, ratioBelow, ratioPct } from './decimal';
import type { Span } from './metrics';
import type { NormalOutage } from './normalize';
import { monthRange } from './zone';

/**
 * Monthly uptime (SPEC R9). All arithmetic in whole seconds; the uptime is kept as the exact
 * ratio `num / den` and only rounded (to 8 decimals) for display.
 */

export interface UptimeResult {
  /** T: the minutes of the month in the uptime time zone. */
  total_min: number;
  /** D, counted per the terms' granularity. */
  downtime_min: number;
  /** M: qualifying maintenance in the month. */
  maintenance_min: number;
  /** Rounded half up to 8 decimals for display; tiers and misses use the exact ratio. */
  uptime_pct: number;
  commitment_pct: number;
  /** uptime < commitment_pct. */
  miss: boolean;
  denominator: UptimeTerms['denominator'];
  granularity: UptimeTerms['granularity'];
  /** The tier the uptime falls in, null when none (at or above every tier). */
  tier: UptimeTier | null;
  credit_pct: number;
}

export interface UptimeFigures {
  result: UptimeResult;
  total: number;
  downtime: number;
  maintenance: number;
  num: number;
  den: number;
}

/** Sorted union of spans; touching spans merge too. */
function union(spans: Span[]): Span[] {
  const sorted = [...spans].filter((s) => s.to > s.from).sort((a, b) => a.from - b.from || a.to - b.to);
  const out: Span[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && s.from <= prev.to) prev.to = Math.max(prev.to, s.to);
    else out.push({ ...s });
  }
  return out;
}

const clip = (spans: Span[], from: number, to: number): Span[] =>
  spans.map((s) => ({ from: Math.max(s.from, from), to: Math.min(s.to, to) })).filter((s) => s.to > s.from);

/** `spans` less `holes` (both sorted and disjoint). */
function minus(spans: Span[], holes: Span[]): Span[] {
  const out: Span[] = [];
  for (const s of spans) {
    let from = s.from;
    for (const h of holes) {
      if (h.to <= from || h.from >= s.to) continue;
      if (h.from > from) out.push({ from, to: h.from });
      from = Math.max(from, h.to);
    }
    if (s.to > from) out.push({ from, to: s.to });
  }
  return out;
}

const length = (spans: Span[]) => spans.reduce((sum, s) => sum + s.to - s.from, 0);

/** The qualifying maintenance of the month: noticed in time, its first allowed minutes only. */
function qualifyingMaintenance(
  uptime: UptimeTerms,
  outages: NormalOutage[],
  from: number,
  to: number,
): Span[] {
  const rule = uptime.exclusions?.scheduled_maintenance;
  if (!rule) return [];
  const notice = (rule.min_notice_hours ?? 0) * 3600;
  const noticed = outages
    .filter((o) => o.kind === 'maintenance' && o.notice !== null && o.start - o.notice >= notice)
    .map((o) => ({ from: o.start, to: o.end }));
  let budget =
    rule.max_minutes_per_month === undefined ? Infinity : Math.floor(rule.max_minutes_per_month * 60);
  const kept: Span[] = [];
  for (const s of clip(union(noticed), from, to)) {
    if (budget <= 0) break;
    const take = Math.min(s.to - s.from, budget);
    kept.push({ from: s.from, to: s.from + take });
    budget -= take;
  }
  return kept;
}

export function computeUptime(terms: SlaTerms, outages: NormalOutage[], month: string): UptimeFigures | null {
  const uptime = terms.uptime;
  if (!uptime) return null;
  const { start, end } = monthRange(month, terms.reporting.uptime_time_zone ?? 'UTC');
  const total = end - start;
  const maintenance = qualifyingMaintenance(uptime, outages, start, end);
  const excluded = (o: NormalOutage) =>
    (o.customerCaused && uptime.exclusions?.customer_caused === true) ||
    (o.forceMajeure && uptime.exclusions?.force_majeure === true);
  let merged = union(
    outages.filter((o) => o.kind === 'outage' && !excluded(o)).map((o) => ({ from: o.start, to: o.end })),
  );
  // whole_minutes_min_1 judges each merged outage by its whole length, before clipping.
  if (uptime.granularity === 'whole_minutes_min_1') merged = merged.filter((s) => s.to - s.from >= 60);
  const down = minus(clip(merged, start, end), maintenance);
  let downtime = length(down);
  if (uptime.granularity === 'whole_minutes_any') {
    // Every clock minute that overlaps downtime counts in full; a minute shared by two parts, once.
    let counted = 0;
    let lastMinute = -Infinity;
    for (const s of down) {
      const first = Math.max(Math.floor(s.from / 60), lastMinute + 1);
      const last = Math.ceil(s.to / 60) - 1;
      if (last >= first) counted += last - first + 1;
      lastMinute = Math.max(lastMinute, last);
    }
    downtime = counted * 60;
  }
  const m = length(maintenance);
  let num = uptime.denominator === 'all_minutes' ? total - downtime : total - m - downtime;
  let den = uptime.denominator === 'all_minutes' ? total : total - m;
  if (den <= 0) [num, den] = [1, 1];
  num = Math.max(0, num);
  const tier =
    (terms.credits.uptime_tiers ?? []).find(
      (t) =>
        (t.at_or_above_pct === undefined || !ratioBelow(num, den, t.at_or_above_pct)) &&
        ratioBelow(num, den, t.below_pct),
    ) ?? null;
  return {
    result: {
      total_min: minutes(total),
      downtime_min: minutes(downtime),
      maintenance_min: minutes(m),
      uptime_pct: ratioPct(num, den),
      commitment_pct: uptime.commitment_pct,
      miss: ratioBelow(num, den, uptime.commitment_pct),
      denominator: uptime.denominator,
      granularity: uptime.granularity,
      tier,
      credit_pct: tier?.credit_pct ?? 0,
    },
    total,
    downtime,
    maintenance: m,
    num,
    den,
  };
}
