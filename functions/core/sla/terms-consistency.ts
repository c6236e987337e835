/**
 * What checking SLA terms needs besides the compiled schema: the terms' types, the checks JSON
 * Schema cannot express (what the terms refer to, time zones, windows, ranks, tiers...), and the
 * wording of the schema's errors as paths and messages. Pure code with no ajv (which compiles the
 * schema with `new Function`): `checkSlaTerms` (terms.ts) runs it on the server after ajv, and the
 * console's template editor runs it in the browser after the validator compiled at build time.
 */

import type { ErrorDetail } from '../errors';
import { isTimeZone } from '../time/zone';

/** `HH:MM` local wall-clock time, `00:00` to `23:59`, or `24:00` as the end of a day. */
export type WallClock = string;
/** `[start, end)` in local wall-clock time within one day; start is before end. */
export type LocalWindow = [start: WallClock, end: WallClock];
/** `YYYY-MM-DD`. */
export type IsoDate = string;
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export type CanonicalStatus = 'new' | 'open' | 'pending_customer' | 'on_hold' | 'solved' | 'closed';
export type MetricKind = 'first_response' | 'next_response' | 'periodic_update' | 'resolution';
export type MetricStart =
  | 'ticket_created'
  | 'customer_reported_at'
  | 'oldest_unanswered_customer_message'
  | 'last_public_agent_reply';
export type MetricStop = 'first_public_agent_reply' | 'next_public_agent_reply' | 'status_solved';
export type ReplySource = 'auto_acknowledgement' | 'bot' | 'internal_note' | 'shared_account';

/** Counts every real second. */
export interface AlwaysOnCalendar {
  type: '24x7';
  /** Allowed by the schema, and checked when given, but a 24x7 calendar does not depend on it. */
  time_zone?: string;
}

/** The weekly local windows in an IANA zone, less holidays, with exceptions replacing a date's windows. */
export interface BusinessCalendar {
  type: 'business';
  time_zone: string;
  weekly: Partial<Record<Weekday, LocalWindow[]>>;
  holidays?: IsoDate[];
  exceptions?: { date: IsoDate; windows: LocalWindow[] }[];
}

export type SlaCalendar = AlwaysOnCalendar | BusinessCalendar;

export interface SlaSeverity {
  id: string;
  name?: string;
  /** 1 = most severe. */
  rank: number;
  definition?: string;
}

export interface SlaMetric {
  kind: MetricKind;
  start?: MetricStart;
  stop?: MetricStop;
  /** Default []. */
  pause_statuses?: CanonicalStatus[];
  qualifying_reply?: {
    /** Default true; always true in checked terms. */
    public_only?: boolean;
    /** When absent, every source is excluded. */
    exclude_sources?: ReplySource[];
  };
  /** Resolution metrics only. Defaults: mode `resume`, window_days 7. */
  reopen?: { mode?: 'resume' | 'new_cycle' | 'ignore'; window_days?: number };
  /** The line's reporting target (not a credit rule). */
  min_compliance_pct?: number;
}

export interface SlaTarget {
  /** An id of `severities`. */
  severity: string;
  /** A key of `metrics`. */
  metric: string;
  target_minutes: number;
  /** A key of `calendars`. */
  calendar: string;
}

export interface UptimeTerms {
  service_id?: string;
  commitment_pct: number;
  denominator: 'all_minutes' | 'scheduled_minutes';
  granularity: 'exact_seconds' | 'whole_minutes_any' | 'whole_minutes_min_1';
  exclusions?: {
    scheduled_maintenance?: { min_notice_hours?: number; max_minutes_per_month?: number };
    customer_caused?: boolean;
    force_majeure?: boolean;
  };
}

/** Applies when at_or_above_pct ≤ uptime < below_pct; without at_or_above_pct, no lower bound. */
export interface UptimeTier {
  below_pct: number;
  at_or_above_pct?: number;
  credit_pct: number;
}

export interface PerBreachCredit {
  severity: string;
  metric: string;
  credit_pct: number;
}

export interface ComplianceCredit {
  severity: string;
  metric: string;
  min_compliance_pct: number;
  /** Default 1. */
  min_sample?: number;
  credit_pct: number;
}

export interface ChronicFailureRule {
  type: 'uptime_miss' | 'cap_reached' | 'metric_miss';
  consecutive_months?: number;
  months_in_rolling_12?: number;
  /** metric_miss only: the severity of the line it watches. */
  severity?: string;
  /** metric_miss only: the metric of the line it watches. */
  metric?: string;
}

export interface CreditTerms {
  per_breach?: PerBreachCredit[];
  compliance?: ComplianceCredit[];
  uptime_tiers?: UptimeTier[];
  cap_pct_of_monthly_fee: number;
  rounding?: 'half_up_minor_unit';
  /** null = credits applied automatically. */
  claim_window_days?: number | null;
  chronic_failure?: {
    rules?: ChronicFailureRule[];
    remedy?: 'termination_without_penalty' | 'escalation_meeting';
    exercise_window_days?: number;
  };
}

/**
 * The machine-readable SLA terms of a maintenance contract, as `terms.schema.json` defines them
 * (a copy of the SLA engine's contract, kept identical by a test), once `checkSlaTerms` accepted
 * them. A type alias rather than an interface so that it stays assignable to a plain JSON record.
 */
export type SlaTerms = {
  schema_version: '1.0';
  contract_id: string;
  effective_from?: IsoDate;
  effective_to?: IsoDate | null;
  currency: string;
  /** Fees for the covered service for one billing month, in minor units: the credit base. */
  monthly_fee_minor: number;
  reporting: {
    period: 'calendar_month';
    time_zone: string;
    /** Default UTC. */
    uptime_time_zone?: string;
    attribution?: 'breach_or_stop';
    /** Default 5. */
    send_on_day?: number;
    recipients?: string[];
  };
  calendars: Record<string, SlaCalendar>;
  severities: SlaSeverity[];
  /** Source-system status -> canonical status. */
  status_map: Record<string, CanonicalStatus>;
  /** Source-system priority or severity -> severity id. */
  severity_map?: Record<string, string>;
  metrics: Record<string, SlaMetric>;
  targets: SlaTarget[];
  reclassification: { mode: 'retroactive' | 'segmented'; breach_sticky: boolean };
  uptime?: UptimeTerms;
  credits: CreditTerms;
};

// ---------------------------------------------------------------------------------------------
// Paths. Each problem names its path: under a prefix (`body.slaTerms.targets[0].severity`), or,
// with an empty prefix, relative to the terms (`targets[0].severity`).

export type Segment = string | number;

/** `at('body.slaTerms', 'targets', 3, 'severity')` -> `body.slaTerms.targets[3].severity`. */
export function at(base: string, ...segments: Segment[]): string {
  return segments.reduce<string>(
    (path, s) => (typeof s === 'number' ? `${path}[${s}]` : path === '' ? s : `${path}.${s}`),
    base,
  );
}

/** A path relative to the terms, as shown inside messages: `targets[2]`. */
const rel = (...segments: Segment[]): string => at('', ...segments);

// ---------------------------------------------------------------------------------------------
// The schema's errors, as ajv reports them (its compiled validator or the standalone one).

/** The parts of an ajv error that its path and message are made of. */
export interface SchemaError {
  /** JSON Pointer of the value: `/targets/0/severity`. */
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** JSON Pointer `/targets/0/minutes` as a path under `prefix`: `body.slaTerms.targets[0].minutes`. */
function schemaPathOf(prefix: string, e: SchemaError): string {
  const segments = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = e.keyword === 'required' ? [String(e.params.missingProperty)] : [];
  const extra = e.keyword === 'additionalProperties' ? [String(e.params.additionalProperty)] : [];
  return [...segments, ...missing, ...extra].reduce(
    (path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : at(path, s)),
    prefix,
  );
}

function schemaMessageOf(e: SchemaError): string {
  if (e.keyword === 'required') return 'required';
  if (e.keyword === 'additionalProperties') return 'not a property of the SLA terms';
  if (e.keyword === 'enum') return `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  if (e.keyword === 'const') return `must be ${JSON.stringify(e.params.allowedValue)}`;
  return e.message ?? 'invalid';
}

/** The schema's errors as problems, each path and message once. */
export function schemaProblems(errors: readonly SchemaError[], prefix: string): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // anyOf/oneOf report each branch and then themselves: the branches say more.
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const detail = { path: schemaPathOf(prefix, e), message: schemaMessageOf(e) };
    const key = `${detail.path} ${detail.message}`;
    if (!seen.has(key)) details.push(detail);
    seen.add(key);
  }
  return details;
}

// ---------------------------------------------------------------------------------------------
// The checks JSON Schema cannot express, on terms that match it. All problems are reported.

const quoted = (value: unknown): string => JSON.stringify(value);
const listed = (names: Iterable<string>): string => `(${[...names].join(', ')})`;

const CANONICAL_STATUSES: readonly CanonicalStatus[] = [
  'new',
  'open',
  'pending_customer',
  'on_hold',
  'solved',
  'closed',
];
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** What each kind of metric starts and stops at (SPEC R4); the first start is the default. */
export const KIND_BOUNDS: Record<
  MetricKind,
  { starts: MetricStart[]; stops: MetricStop[]; paused: boolean }
> = {
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
  periodic_update: {
    starts: ['last_public_agent_reply'],
    stops: ['next_public_agent_reply'],
    paused: true,
  },
  resolution: { starts: ['ticket_created'], stops: ['status_solved'], paused: true },
};

/** Minutes since local midnight of a schema-valid `HH:MM`. */
function minutesOf(clock: WallClock): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * Every way schema-valid terms do not hold together, each problem at its path under `prefix`
 * (`''` for paths relative to the terms).
 */
export function consistencyProblems(terms: SlaTerms, prefix: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const problem = (segments: Segment[], message: string) =>
    problems.push({ path: at(prefix, ...segments), message });

  const severityIds = terms.severities.map((s) => s.id);
  const severities = new Set(severityIds);
  const metrics = new Set(Object.keys(terms.metrics));
  const calendars = new Set(Object.keys(terms.calendars));
  const targeted = new Set(terms.targets.map((t) => lineKey(t.severity, t.metric)));

  /** A reference to a severity: true when it is one of the terms'. */
  const severityRef = (segments: Segment[], id: string): boolean => {
    if (severities.has(id)) return true;
    problem(segments, `${quoted(id)} is not a severity of these terms ${listed(severities)}`);
    return false;
  };
  const metricRef = (segments: Segment[], name: string): boolean => {
    if (metrics.has(name)) return true;
    problem(segments, `${quoted(name)} is not a metric of these terms ${listed(metrics)}`);
    return false;
  };
  const zoneRef = (segments: Segment[], zone: string) => {
    if (!isTimeZone(zone))
      problem(segments, `${quoted(zone)} is not an IANA time zone (such as "America/New_York" or "UTC")`);
  };
  /** A (severity, metric) line that credits or rules refer to: both known, and measured. */
  const lineRef = (base: Segment[], severity: string, metric: string, what: string) => {
    // Both references are checked, so that both are reported when both are unknown.
    const knownSeverity = severityRef([...base, 'severity'], severity);
    const knownMetric = metricRef([...base, 'metric'], metric);
    if (knownSeverity && knownMetric && !targeted.has(lineKey(severity, metric)))
      problem(
        base,
        `${severity} ${metric} has no target in targets, so it is never measured: add a target or remove this ${what}`,
      );
  };
  /** Reports a second entry for the same key; `first` remembers where each key was first seen. */
  const once = <K>(
    first: Map<K, Segment[]>,
    key: K,
    segments: Segment[],
    message: (firstAt: string) => string,
  ) => {
    const seen = first.get(key);
    if (seen) problem(segments, message(rel(...seen)));
    else first.set(key, segments);
  };

  // Dates of the terms.
  if (terms.effective_from && terms.effective_to && terms.effective_to < terms.effective_from)
    problem(
      ['effective_to'],
      `${terms.effective_to} is before effective_from ${terms.effective_from}: the terms must end on or after the day they start`,
    );

  // Reporting.
  zoneRef(['reporting', 'time_zone'], terms.reporting.time_zone);
  if (terms.reporting.uptime_time_zone !== undefined)
    zoneRef(['reporting', 'uptime_time_zone'], terms.reporting.uptime_time_zone);

  // Calendars.
  for (const [name, calendar] of Object.entries(terms.calendars)) {
    const base: Segment[] = ['calendars', name];
    if (calendar.time_zone !== undefined) zoneRef([...base, 'time_zone'], calendar.time_zone);
    if (calendar.type === '24x7') {
      for (const field of ['weekly', 'holidays', 'exceptions'])
        if (field in calendar)
          problem(
            [...base, field],
            `a 24x7 calendar counts every second: weekly windows, holidays and exceptions belong to a business calendar`,
          );
      continue;
    }
    let windows = 0;
    for (const day of WEEKDAYS) {
      const list = calendar.weekly[day];
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
    const exceptionDates = new Map<string, Segment[]>();
    (calendar.exceptions ?? []).forEach((exception, i) => {
      const path: Segment[] = [...base, 'exceptions', i];
      once(
        exceptionDates,
        exception.date,
        [...path, 'date'],
        (first) =>
          `${exception.date} already has an exception (${first}): give each date one list of windows`,
      );
      const holiday = holidays.get(exception.date);
      if (holiday)
        problem(
          [...path, 'date'],
          `${exception.date} is also a holiday (${rel(...holiday)}): a date is either a holiday or has exception windows`,
        );
      checkWindows(problem, [...path, 'windows'], exception.windows);
    });
  }

  // Severities.
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

  // Maps from the ticket system.
  for (const [source, status] of Object.entries(terms.status_map))
    if ((CANONICAL_STATUSES as readonly string[]).includes(source) && source !== status)
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

  // Metrics.
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
    const paused = new Map<string, Segment[]>();
    pauses.forEach((status, i) => {
      const path: Segment[] = [...base, 'pause_statuses', i];
      if (bounds.paused && (status === 'solved' || status === 'closed'))
        problem(path, `${quoted(status)} ends the metric, it cannot pause it`);
      once(paused, status, path, (first) => `${quoted(status)} is listed twice (also ${first})`);
    });
    if (metric.qualifying_reply) {
      if (metric.kind === 'resolution')
        problem(
          [...base, 'qualifying_reply'],
          'a resolution metric stops when the ticket is solved, not at a reply: qualifying_reply belongs to response metrics',
        );
      if (metric.qualifying_reply.public_only === false)
        problem(
          [...base, 'qualifying_reply', 'public_only'],
          'must be true: a comment that is not public never qualifies as a reply',
        );
      const sources = new Map<string, Segment[]>();
      (metric.qualifying_reply.exclude_sources ?? []).forEach((source, i) =>
        once(
          sources,
          source,
          [...base, 'qualifying_reply', 'exclude_sources', i],
          (first) => `${quoted(source)} is listed twice (also ${first})`,
        ),
      );
    }
    if (metric.reopen && metric.kind !== 'resolution')
      problem(
        [...base, 'reopen'],
        `only a resolution metric resumes or restarts on a reopen: remove reopen from this ${metric.kind} metric`,
      );
  }

  // Targets.
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

  // Uptime.
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

  // Credits.
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
        `a second compliance credit for ${credit.severity} ${credit.metric}: ${first} already sets it, and a line has one compliance credit`,
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
      `must be 0 or more, or null for credits applied automatically, not ${credits.claim_window_days}`,
    );

  // Chronic failure.
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

function lineKey(severity: string, metric: string): string {
  return JSON.stringify([severity, metric]);
}

type Report = (segments: Segment[], message: string) => void;

/** One day's `[start, end)` windows: each starts before it ends, and none overlaps another. */
function checkWindows(problem: Report, base: Segment[], windows: LocalWindow[]) {
  const valid: { i: number; start: number; end: number }[] = [];
  windows.forEach(([start, end], i) => {
    const from = minutesOf(start);
    const to = minutesOf(end);
    if (from >= to) {
      problem(
        [...base, i],
        `starts at ${start}, not before its end ${end}: a window is [start, end) within one day (split one that crosses midnight)`,
      );
      return;
    }
    for (const other of valid)
      if (from < other.end && other.start < to) {
        const [os, oe] = windows[other.i]!;
        problem(
          [...base, i],
          `${start}-${end} overlaps ${rel(...base, other.i)} ${os}-${oe}: windows of one day must not overlap`,
        );
      }
    valid.push({ i, start: from, end: to });
  });
}

/**
 * Uptime tiers: each a non-empty range of percentages, listed from the highest uptime down, none
 * overlapping another, without gaps between them, and a lower uptime never earning a smaller credit.
 */
function checkTiers(problem: Report, tiers: UptimeTier[]) {
  const base: Segment[] = ['credits', 'uptime_tiers'];
  const range = (t: UptimeTier) =>
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
          `${range(tier)} overlaps ${rel(...base, j)} ${range(other)}: an uptime must fall in one tier at most`,
        );
      }
    }
    valid.push(i);
  });
  // Order, gaps and credits between neighbours, once the tiers are valid ranges apart.
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
        `${tier.below_pct} leaves uptimes from ${tier.below_pct} up to ${above.at_or_above_pct} (${rel(...base, i - 1, 'at_or_above_pct')}) without a tier: make it ${above.at_or_above_pct}`,
      );
    if (tier.credit_pct < above.credit_pct)
      problem(
        [...base, i, 'credit_pct'],
        `${tier.credit_pct} is less than the ${above.credit_pct} of ${rel(...base, i - 1)} for a higher uptime: a lower uptime cannot earn a smaller credit`,
      );
  }
}
