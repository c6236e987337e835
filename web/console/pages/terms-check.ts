/**
 * SLA terms checked in the browser as the server checks them (functions/core/sla/terms.ts): first
 * against the schema, with the validator ajv compiled at build time (no eval: the console's CSP
 * forbids it), then, on terms that match it, the consistency checks the schema cannot express
 * (what the terms refer to, time zones, windows, ranks, tiers). Each problem names its path
 * relative to the terms (`targets[2].severity`), the way the server's details do after their
 * `body.slaTerms` prefix, so both land on the same control of the form.
 */

import { validate, type SchemaError } from 'virtual:sla-terms-validator';

export interface TermsProblem {
  path: string;
  message: string;
}

export type Segment = string | number;

/** `['targets', 3, 'severity']` → `targets[3].severity`. */
export function pathKey(segments: readonly Segment[]): string {
  return segments
    .reduce<string>((path, s) => (typeof s === 'number' ? `${path}[${s}]` : `${path}.${s}`), '')
    .replace(/^\./, '');
}

/** The parent paths of a path, nearest first: `a.b[0].c` → `a.b[0]`, `a.b`, `a`. */
export function parentPaths(path: string): string[] {
  const parents: string[] = [];
  let rest = path;
  for (;;) {
    const cut = Math.max(rest.lastIndexOf('.'), rest.lastIndexOf('['));
    if (cut <= 0) break;
    rest = rest.slice(0, cut);
    parents.push(rest);
  }
  return parents;
}

/** A server detail path (`body.slaTerms.targets[0].severity`) relative to the terms, or null. */
export function termsPathOf(serverPath: string, prefix = 'body.slaTerms'): string | null {
  if (serverPath === prefix) return '';
  return serverPath.startsWith(`${prefix}.`) || serverPath.startsWith(`${prefix}[`)
    ? serverPath.slice(prefix.length).replace(/^\./, '')
    : null;
}

function schemaPath(e: SchemaError): string {
  const segments: Segment[] = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  if (e.keyword === 'required') segments.push(String(e.params.missingProperty));
  if (e.keyword === 'additionalProperties') segments.push(String(e.params.additionalProperty));
  return pathKey(segments);
}

function schemaMessage(e: SchemaError): string {
  if (e.keyword === 'required') return 'required';
  if (e.keyword === 'additionalProperties') return 'not a property of the SLA terms';
  if (e.keyword === 'enum') return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  if (e.keyword === 'const') return `must be ${JSON.stringify(e.params.allowedValue)}`;
  return e.message ?? 'invalid';
}

/** Every problem of the terms: the schema's, or (when they match it) the consistency checks'. */
export function checkTerms(terms: unknown): TermsProblem[] {
  if (!validate(terms)) {
    const seen = new Set<string>();
    const problems: TermsProblem[] = [];
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
      const problem = { path: schemaPath(e), message: schemaMessage(e) };
      const key = `${problem.path} ${problem.message}`;
      if (!seen.has(key)) problems.push(problem);
      seen.add(key);
    }
    return problems;
  }
  return consistencyProblems(terms as Terms);
}

// ---------------------------------------------------------------------------------------------
// The consistency checks, as the server runs them (functions/core/sla/terms.ts).

type Window = [string, string];
interface Calendar {
  type: '24x7' | 'business';
  time_zone?: string;
  weekly?: Partial<Record<string, Window[]>>;
  holidays?: string[];
  exceptions?: { date: string; windows: Window[] }[];
}
interface Metric {
  kind: 'first_response' | 'next_response' | 'periodic_update' | 'resolution';
  start?: string;
  stop?: string;
  pause_statuses?: string[];
  qualifying_reply?: { public_only?: boolean; exclude_sources?: string[] };
  reopen?: unknown;
}
interface Tier {
  below_pct: number;
  at_or_above_pct?: number;
  credit_pct: number;
}
interface Rule {
  type: 'uptime_miss' | 'cap_reached' | 'metric_miss';
  consecutive_months?: number;
  months_in_rolling_12?: number;
  severity?: string;
  metric?: string;
}
interface Terms {
  effective_from?: string;
  effective_to?: string | null;
  reporting: { time_zone: string; uptime_time_zone?: string };
  calendars: Record<string, Calendar>;
  severities: { id: string; rank: number }[];
  status_map: Record<string, string>;
  severity_map?: Record<string, string>;
  metrics: Record<string, Metric>;
  targets: { severity: string; metric: string; calendar: string }[];
  uptime?: {
    commitment_pct: number;
    exclusions?: { scheduled_maintenance?: { min_notice_hours?: number; max_minutes_per_month?: number } };
  };
  credits: {
    per_breach?: { severity: string; metric: string }[];
    compliance?: { severity: string; metric: string; min_compliance_pct: number; min_sample?: number }[];
    uptime_tiers?: Tier[];
    claim_window_days?: number | null;
    chronic_failure?: { rules?: Rule[]; exercise_window_days?: number };
  };
}

const CANONICAL = ['new', 'open', 'pending_customer', 'on_hold', 'solved', 'closed'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const KIND_BOUNDS: Record<Metric['kind'], { starts: string[]; stops: string[]; paused: boolean }> = {
  first_response: {
    starts: ['ticket_created', 'customer_reported_at'],
    stops: ['first_public_agent_reply'],
    paused: false,
  },
  next_response: {
    starts: ['oldest_unanswered_customer_message'],
    stops: ['next_public_agent_reply'],
    paused: false,
  },
  periodic_update: { starts: ['last_public_agent_reply'], stops: ['next_public_agent_reply'], paused: true },
  resolution: { starts: ['ticket_created'], stops: ['status_solved'], paused: true },
};

const quoted = (v: unknown) => JSON.stringify(v);
const listed = (names: Iterable<string>) => `(${[...names].join(', ')})`;
const minutesOf = (clock: string) => {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Whether the browser knows the IANA zone (as the server's check does with Intl). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function consistencyProblems(terms: Terms): TermsProblem[] {
  const problems: TermsProblem[] = [];
  const problem = (segments: Segment[], message: string) =>
    problems.push({ path: pathKey(segments), message });
  const severities = new Set(terms.severities.map((s) => s.id));
  const metrics = new Set(Object.keys(terms.metrics));
  const calendars = new Set(Object.keys(terms.calendars));
  const lineKey = (s: string, m: string) => JSON.stringify([s, m]);
  const targeted = new Set(terms.targets.map((t) => lineKey(t.severity, t.metric)));

  const severityRef = (segments: Segment[], id: string) => {
    if (severities.has(id)) return true;
    problem(segments, `${quoted(id)} is not a severity of these terms ${listed(severities)}`);
    return false;
  };
  const metricRef = (segments: Segment[], name: string) => {
    if (metrics.has(name)) return true;
    problem(segments, `${quoted(name)} is not a metric of these terms ${listed(metrics)}`);
    return false;
  };
  const zoneRef = (segments: Segment[], zone: string) => {
    if (!isTimeZone(zone))
      problem(segments, `${quoted(zone)} is not an IANA time zone (such as "America/New_York" or "UTC")`);
  };
  const lineRef = (base: Segment[], severity: string, metric: string, what: string) => {
    const knownSeverity = severityRef([...base, 'severity'], severity);
    const knownMetric = metricRef([...base, 'metric'], metric);
    if (knownSeverity && knownMetric && !targeted.has(lineKey(severity, metric)))
      problem(
        base,
        `${severity} ${metric} has no target in targets, so it is never measured: add a target or remove this ${what}`,
      );
  };
  const once = <K>(
    first: Map<K, Segment[]>,
    key: K,
    segments: Segment[],
    message: (at: string) => string,
  ) => {
    const seen = first.get(key);
    if (seen) problem(segments, message(pathKey(seen)));
    else first.set(key, segments);
  };

  if (terms.effective_from && terms.effective_to && terms.effective_to < terms.effective_from)
    problem(['effective_to'], `${terms.effective_to} is before effective_from ${terms.effective_from}`);
  zoneRef(['reporting', 'time_zone'], terms.reporting.time_zone);
  if (terms.reporting.uptime_time_zone !== undefined)
    zoneRef(['reporting', 'uptime_time_zone'], terms.reporting.uptime_time_zone);

  for (const [name, calendar] of Object.entries(terms.calendars)) {
    const base: Segment[] = ['calendars', name];
    if (calendar.time_zone !== undefined) zoneRef([...base, 'time_zone'], calendar.time_zone);
    if (calendar.type === '24x7') {
      for (const field of ['weekly', 'holidays', 'exceptions'])
        if (field in calendar)
          problem(
            [...base, field],
            'a 24x7 calendar counts every second: weekly windows, holidays and exceptions belong to a business calendar',
          );
      continue;
    }
    let windows = 0;
    for (const day of WEEKDAYS) {
      const list = calendar.weekly?.[day];
      if (!list) continue;
      windows += list.length;
      checkWindows(problem, [...base, 'weekly', day], list);
    }
    if (windows === 0)
      problem(
        [...base, 'weekly'],
        'has no window on any day: a business calendar needs at least one weekly window, or its clock never runs',
      );
    const holidays = new Map<string, Segment[]>();
    (calendar.holidays ?? []).forEach((date, i) =>
      once(holidays, date, [...base, 'holidays', i], (first) => `${date} is listed twice (also ${first})`),
    );
    const dates = new Map<string, Segment[]>();
    (calendar.exceptions ?? []).forEach((exception, i) => {
      const path: Segment[] = [...base, 'exceptions', i];
      once(
        dates,
        exception.date,
        [...path, 'date'],
        (first) => `${exception.date} already has an exception (${first})`,
      );
      const holiday = holidays.get(exception.date);
      if (holiday)
        problem(
          [...path, 'date'],
          `${exception.date} is also a holiday (${pathKey(holiday)}): a date is either a holiday or has exception windows`,
        );
      checkWindows(problem, [...path, 'windows'], exception.windows);
    });
  }

  const ids = new Map<string, Segment[]>();
  const ranks = new Map<number, Segment[]>();
  terms.severities.forEach((severity, i) => {
    if (severity.id.trim() === '') problem(['severities', i, 'id'], 'must not be empty');
    else
      once(
        ids,
        severity.id,
        ['severities', i, 'id'],
        (first) => `${quoted(severity.id)} is already the id of ${first}`,
      );
    once(
      ranks,
      severity.rank,
      ['severities', i, 'rank'],
      (first) =>
        `${severity.rank} is already the rank of ${first}: each severity needs its own rank (1 = most severe)`,
    );
  });

  for (const [source, status] of Object.entries(terms.status_map))
    if (CANONICAL.includes(source) && source !== status)
      problem(
        ['status_map', source],
        `${quoted(source)} is a canonical status and can only map to itself, not to ${quoted(status)}`,
      );
  for (const [source, id] of Object.entries(terms.severity_map ?? {})) {
    if (!severityRef(['severity_map', source], id)) continue;
    if (severities.has(source) && source !== id)
      problem(
        ['severity_map', source],
        `${quoted(source)} is a severity of these terms and can only map to itself, not to ${quoted(id)}`,
      );
  }

  for (const [name, metric] of Object.entries(terms.metrics)) {
    const base: Segment[] = ['metrics', name];
    const bounds = KIND_BOUNDS[metric.kind];
    if (metric.start !== undefined && !bounds.starts.includes(metric.start))
      problem(
        [...base, 'start'],
        `a ${metric.kind} metric starts at ${bounds.starts.join(' or ')}, not ${quoted(metric.start)}`,
      );
    if (metric.stop !== undefined && !bounds.stops.includes(metric.stop))
      problem(
        [...base, 'stop'],
        `a ${metric.kind} metric stops at ${bounds.stops.join(' or ')}, not ${quoted(metric.stop)}`,
      );
    const pauses = metric.pause_statuses ?? [];
    if (!bounds.paused && pauses.length > 0)
      problem(
        [...base, 'pause_statuses'],
        `a ${metric.kind} metric is never paused: leave pause_statuses empty`,
      );
    pauses.forEach((status, i) => {
      if (bounds.paused && (status === 'solved' || status === 'closed'))
        problem([...base, 'pause_statuses', i], `${quoted(status)} ends the metric, it cannot pause it`);
    });
    if (metric.qualifying_reply && metric.kind === 'resolution')
      problem(
        [...base, 'qualifying_reply'],
        'a resolution metric stops when the ticket is solved: qualifying_reply belongs to response metrics',
      );
    if (metric.qualifying_reply?.public_only === false)
      problem(
        [...base, 'qualifying_reply', 'public_only'],
        'must be true: a comment that is not public never qualifies as a reply',
      );
    if (metric.reopen && metric.kind !== 'resolution')
      problem(
        [...base, 'reopen'],
        `only a resolution metric resumes or restarts on a reopen: remove reopen from this ${metric.kind} metric`,
      );
  }

  const lines = new Map<string, Segment[]>();
  terms.targets.forEach((target, i) => {
    const base: Segment[] = ['targets', i];
    severityRef([...base, 'severity'], target.severity);
    metricRef([...base, 'metric'], target.metric);
    if (!calendars.has(target.calendar))
      problem(
        [...base, 'calendar'],
        `${quoted(target.calendar)} is not a calendar of these terms ${listed(calendars)}`,
      );
    once(
      lines,
      lineKey(target.severity, target.metric),
      base,
      (first) => `a second target for ${target.severity} ${target.metric}: ${first} already sets it`,
    );
  });

  const uptime = terms.uptime;
  if (uptime) {
    if (!(uptime.commitment_pct > 0 && uptime.commitment_pct <= 100))
      problem(
        ['uptime', 'commitment_pct'],
        `must be a percentage above 0 and at most 100, not ${uptime.commitment_pct}`,
      );
    const maintenance = uptime.exclusions?.scheduled_maintenance;
    for (const field of ['min_notice_hours', 'max_minutes_per_month'] as const) {
      const value = maintenance?.[field];
      if (value !== undefined && value < 0)
        problem(['uptime', 'exclusions', 'scheduled_maintenance', field], `must be 0 or more, not ${value}`);
    }
  }

  const credits = terms.credits;
  const perBreach = new Map<string, Segment[]>();
  (credits.per_breach ?? []).forEach((credit, i) => {
    const base: Segment[] = ['credits', 'per_breach', i];
    lineRef(base, credit.severity, credit.metric, 'credit');
    once(
      perBreach,
      lineKey(credit.severity, credit.metric),
      base,
      (first) =>
        `a second per-breach credit for ${credit.severity} ${credit.metric}: ${first} already sets it`,
    );
  });
  const compliance = new Map<string, Segment[]>();
  (credits.compliance ?? []).forEach((credit, i) => {
    const base: Segment[] = ['credits', 'compliance', i];
    lineRef(base, credit.severity, credit.metric, 'credit');
    once(
      compliance,
      lineKey(credit.severity, credit.metric),
      base,
      (first) =>
        `a second compliance credit for ${credit.severity} ${credit.metric}: ${first} already sets it`,
    );
    if (!(credit.min_compliance_pct > 0 && credit.min_compliance_pct <= 100))
      problem(
        [...base, 'min_compliance_pct'],
        `must be a percentage above 0 and at most 100, not ${credit.min_compliance_pct}`,
      );
    if (credit.min_sample !== undefined && credit.min_sample < 1)
      problem([...base, 'min_sample'], `must be 1 or more, not ${credit.min_sample}`);
  });
  if (credits.uptime_tiers && credits.uptime_tiers.length > 0 && !uptime)
    problem(
      ['credits', 'uptime_tiers'],
      'uptime credit tiers need uptime terms: add uptime (commitment_pct, denominator, granularity)',
    );
  checkTiers(problem, credits.uptime_tiers ?? []);
  if (typeof credits.claim_window_days === 'number' && credits.claim_window_days < 0)
    problem(
      ['credits', 'claim_window_days'],
      `must be 0 or more, or empty for credits applied automatically, not ${credits.claim_window_days}`,
    );

  const chronic = credits.chronic_failure;
  const rules = chronic?.rules ?? [];
  rules.forEach((rule, i) => {
    const base: Segment[] = ['credits', 'chronic_failure', 'rules', i];
    if (rule.consecutive_months === undefined && rule.months_in_rolling_12 === undefined)
      problem(base, 'needs consecutive_months, months_in_rolling_12 or both, or the rule never trips');
    if (rule.months_in_rolling_12 !== undefined && rule.months_in_rolling_12 > 12)
      problem(
        [...base, 'months_in_rolling_12'],
        `${rule.months_in_rolling_12} months cannot fall within 12: must be at most 12`,
      );
    if (rule.type === 'uptime_miss' && !uptime)
      problem([...base, 'type'], 'uptime_miss needs uptime terms: add uptime, or remove this rule');
    if (rule.type === 'metric_miss') {
      if (rule.severity === undefined)
        problem([...base, 'severity'], 'required for metric_miss: the severity of the line it watches');
      if (rule.metric === undefined)
        problem([...base, 'metric'], 'required for metric_miss: the metric of the line it watches');
      if (rule.severity !== undefined && rule.metric !== undefined)
        lineRef(base, rule.severity, rule.metric, 'rule');
    } else {
      for (const field of ['severity', 'metric'] as const)
        if (rule[field] !== undefined)
          problem([...base, field], `only a metric_miss rule names a line; a ${rule.type} rule does not`);
    }
  });
  if (chronic?.exercise_window_days !== undefined && chronic.exercise_window_days < 0)
    problem(
      ['credits', 'chronic_failure', 'exercise_window_days'],
      `must be 0 or more, not ${chronic.exercise_window_days}`,
    );
  else if (rules.length > 0 && chronic?.exercise_window_days === undefined)
    problem(
      ['credits', 'chronic_failure', 'exercise_window_days'],
      'required with chronic-failure rules: the termination right runs until the report date plus these days',
    );
  return problems;
}

type Report = (segments: Segment[], message: string) => void;

function checkWindows(problem: Report, base: Segment[], windows: Window[]): void {
  const valid: { i: number; start: number; end: number }[] = [];
  windows.forEach(([start, end], i) => {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from >= to) {
      problem(
        [...base, i],
        `starts at ${start}, not before its end ${end}: a window is [start, end) within one day`,
      );
      return;
    }
    for (const other of valid)
      if (from < other.end && other.start < to) {
        const [os, oe] = windows[other.i]!;
        problem(
          [...base, i],
          `${start}-${end} overlaps ${pathKey([...base, other.i])} ${os}-${oe}: windows of one day must not overlap`,
        );
      }
    valid.push({ i, start: from, end: to });
  });
}

function checkTiers(problem: Report, tiers: Tier[]): void {
  const base: Segment[] = ['credits', 'uptime_tiers'];
  const range = (t: Tier) =>
    t.at_or_above_pct === undefined ? `below ${t.below_pct}` : `[${t.at_or_above_pct}, ${t.below_pct})`;
  const valid: number[] = [];
  let overlapping = false;
  tiers.forEach((tier, i) => {
    let ok = true;
    if (!(tier.below_pct > 0 && tier.below_pct <= 100)) {
      problem(
        [...base, i, 'below_pct'],
        `must be a percentage above 0 and at most 100, not ${tier.below_pct}`,
      );
      ok = false;
    }
    if (tier.at_or_above_pct !== undefined && !(tier.at_or_above_pct >= 0 && tier.at_or_above_pct < 100)) {
      problem(
        [...base, i, 'at_or_above_pct'],
        `must be a percentage of 0 or more and below 100, not ${tier.at_or_above_pct}`,
      );
      ok = false;
    } else if (tier.at_or_above_pct !== undefined && tier.at_or_above_pct >= tier.below_pct) {
      problem(
        [...base, i, 'at_or_above_pct'],
        `${tier.at_or_above_pct} must be below below_pct ${tier.below_pct}, or the tier holds no uptime`,
      );
      ok = false;
    }
    if (!ok) return;
    for (const j of valid) {
      const other = tiers[j]!;
      const low = Math.max(tier.at_or_above_pct ?? -Infinity, other.at_or_above_pct ?? -Infinity);
      const high = Math.min(tier.below_pct, other.below_pct);
      if (low < high) {
        overlapping = true;
        problem(
          [...base, i],
          `${range(tier)} overlaps ${pathKey([...base, j])} ${range(other)}: an uptime must fall in one tier at most`,
        );
      }
    }
    valid.push(i);
  });
  if (valid.length !== tiers.length || overlapping) return;
  for (let i = 1; i < tiers.length; i++) {
    const above = tiers[i - 1]!;
    const tier = tiers[i]!;
    if (tier.below_pct >= above.below_pct) {
      problem(
        [...base, i, 'below_pct'],
        `${tier.below_pct} is not below the previous tier's ${above.below_pct}: list the tiers from the highest uptime down`,
      );
      return;
    }
    if (above.at_or_above_pct !== undefined && tier.below_pct < above.at_or_above_pct)
      problem(
        [...base, i, 'below_pct'],
        `${tier.below_pct} leaves uptimes up to ${above.at_or_above_pct} without a tier: make it ${above.at_or_above_pct}`,
      );
    if (tier.credit_pct < above.credit_pct)
      problem(
        [...base, i, 'credit_pct'],
        `${tier.credit_pct} is less than the ${above.credit_pct} of the tier above: a lower uptime cannot earn a smaller credit`,
      );
  }
}
