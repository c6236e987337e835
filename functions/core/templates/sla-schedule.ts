import type { PDFDocument } from 'pdf-lib';
import {
  A4,
  Composer,
  INK,
  MUTED,
  paginate,
  RULE,
  type Block,
  type Face,
  type Piece,
} from '../completion/pages';
import type { FontSource } from '../pdf-stamp/fonts';
import type {
  CanonicalStatus,
  ChronicFailureRule,
  IsoDate,
  LocalWindow,
  MetricKind,
  ReplySource,
  SlaCalendar,
  SlaMetric,
  SlaTerms,
  Weekday,
} from '../sla/terms';
import { gap, Sheet, stack, type SheetRow, type SheetStyle } from '../sla/sheet';

/**
 * The SLA schedule of a contract: the human-readable statement of its SLA terms, generated from
 * the machine-readable terms so that the two cannot disagree. `slaScheduleModel` words each rule
 * of the terms (as the SLA engine's SPEC applies them) in plain contract English;
 * `drawSlaSchedule` lays that text out on PDF pages with the certificate pages' composer (fonts
 * per script, subset; wrapping; pagination).
 */

// ---------------------------------------------------------------------------------------------
// The model: the schedule's content as structured text.

export interface ScheduleHeading {
  kind: 'heading';
  text: string;
}

export interface ScheduleParagraph {
  kind: 'paragraph';
  text: string;
}

/** Labelled values, one under the other. */
export interface ScheduleFields {
  kind: 'fields';
  rows: { label: string; value: string }[];
}

export interface ScheduleTable {
  kind: 'table';
  columns: string[];
  /** The columns' relative widths. */
  widths: number[];
  rows: string[][];
}

export type ScheduleBlock = ScheduleHeading | ScheduleParagraph | ScheduleFields | ScheduleTable;

export interface ScheduleSection {
  /** Numbered: "5. Targets". */
  title: string;
  blocks: ScheduleBlock[];
}

const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** What each kind of metric is called in the schedule and the reports. */
export const KIND_NAMES: Record<MetricKind, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  periodic_update: 'Periodic update',
  resolution: 'Resolution',
};
const STATUS_NAMES: Record<CanonicalStatus, string> = {
  new: 'new',
  open: 'open',
  pending_customer: 'pending customer',
  on_hold: 'on hold',
  solved: 'solved',
  closed: 'closed',
};
const SOURCE_NAMES: Record<ReplySource, string> = {
  auto_acknowledgement: 'automatic acknowledgements',
  bot: 'replies by a bot',
  internal_note: 'internal notes',
  shared_account: 'replies from a shared account',
};
const ALL_SOURCES: readonly ReplySource[] = [
  'auto_acknowledgement',
  'bot',
  'internal_note',
  'shared_account',
];

/** "4 h", "30 min", "1 h 30 min", "0.5 min" (minutes to 2 decimals, as the engine shows them). */
export function formatMinutes(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = Math.round((minutes - hours * 60) * 100) / 100;
  if (rest === 60) return formatMinutes((hours + 1) * 60);
  const parts = [...(hours > 0 ? [`${hours} h`] : []), ...(rest > 0 || hours === 0 ? [`${rest} min`] : [])];
  return parts.join(' ');
}

/** The digits after the decimal point of a currency's minor unit (USD 2, JPY 0, BHD 3). */
function minorDigits(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

/** An amount in minor units with its currency: 1250000 USD -> "USD 12,500.00". Exact: no floating point. */
export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(Math.round(minor))).padStart(digits + 1, '0');
  const whole = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = digits > 0 ? `.${text.slice(text.length - digits)}` : '';
  return `${currency} ${sign}${whole}${fraction}`;
}

/** A percentage as given: 99.9 -> "99.9%", 99.0 -> "99%". */
const pct = (value: number): string => `${value}%`;

/** The amount of `percent` of the monthly fee, rounded half up to the minor unit (SPEC R10). */
function share(terms: SlaTerms, percent: number): string {
  const exact = Number(((terms.monthly_fee_minor * percent) / 100).toPrecision(15));
  return formatMoney(Math.floor(exact + 0.5), terms.currency);
}

const feeShare = (terms: SlaTerms, percent: number): string =>
  `${pct(percent)} of the monthly fee (${share(terms, percent)})`;

/** "2025-01-01" -> "1 January 2025". */
function formatDate(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number);
  return `${d} ${MONTHS[m! - 1]} ${y}`;
}

function weekdayOf(date: IsoDate): string {
  const [y, m, d] = date.split('-').map(Number);
  const day = new Date(Date.UTC(y!, m! - 1, d!)).getUTCDay();
  return DAY_NAMES[WEEKDAYS[(day + 6) % 7]!];
}

const formatWindows = (windows: LocalWindow[]): string =>
  windows.length === 0
    ? 'no business hours'
    : [...windows]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([start, end]) => `${start}\u2013${end}`)
        .join(', ');

/** "a, b and c". */
function joined(items: string[], last = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const quote = (text: string) => `\u201c${text}\u201d`;

/** When a rule trips: "2 consecutive months", "3 months within the last 12 months", or either. */
function frequency(rule: ChronicFailureRule): string {
  const parts: string[] = [];
  if (rule.consecutive_months !== undefined)
    parts.push(
      rule.consecutive_months === 1 ? 'any one month' : `${rule.consecutive_months} consecutive months`,
    );
  if (rule.months_in_rolling_12 !== undefined)
    parts.push(`${plural(rule.months_in_rolling_12, 'month')} within the last 12 months`);
  return joined(parts, 'or');
}

/** The schedule's content, section by section. Pure: the same terms give the same text. */
export function slaScheduleModel(terms: SlaTerms): ScheduleSection[] {
  const severityOf = new Map(terms.severities.map((s) => [s.id, s]));
  const bySeverity = [...terms.severities].sort((a, b) => a.rank - b.rank);
  const severityLabel = (id: string) => {
    const name = severityOf.get(id)?.name;
    return name ? `${id} (${name})` : id;
  };
  const metricNames = Object.keys(terms.metrics);
  const metricLabel = (name: string) => {
    const metric = terms.metrics[name];
    if (!metric) return name;
    return name === metric.kind ? KIND_NAMES[metric.kind] : `${KIND_NAMES[metric.kind]} (${name})`;
  };
  const lineLabel = (severity: string, metric: string) =>
    `${severityLabel(severity)} ${metricLabel(metric).replace(/^./, (c) => c.toLowerCase())}`;
  const calendarLabel = (name: string) => {
    const calendar = terms.calendars[name];
    if (!calendar) return name;
    return calendar.type === '24x7'
      ? `${name} (24 hours a day, 7 days a week)`
      : `${name} (business hours, ${calendar.time_zone})`;
  };
  const rank = (id: string) => severityOf.get(id)?.rank ?? Number.MAX_SAFE_INTEGER;
  const lineOrder = (a: { severity: string; metric: string }, b: { severity: string; metric: string }) =>
    rank(a.severity) - rank(b.severity) || metricNames.indexOf(a.metric) - metricNames.indexOf(b.metric);

  const sections: { title: string; blocks: ScheduleBlock[] }[] = [];
  const section = (title: string, blocks: ScheduleBlock[]) => sections.push({ title, blocks });
  const p = (text: string): ScheduleParagraph => ({ kind: 'paragraph', text });
  const h = (text: string): ScheduleHeading => ({ kind: 'heading', text });

  // The contract and the credit base.
  const term =
    terms.effective_from && terms.effective_to
      ? `${formatDate(terms.effective_from)} to ${formatDate(terms.effective_to)}`
      : terms.effective_from
        ? `from ${formatDate(terms.effective_from)}, for as long as the contract runs`
        : terms.effective_to
          ? `until ${formatDate(terms.effective_to)}`
          : 'for as long as the contract runs';
  section('Contract and fees', [
    {
      kind: 'fields',
      rows: [
        { label: 'Contract', value: terms.contract_id },
        { label: 'Term of these SLA terms', value: term },
        ...(terms.uptime?.service_id ? [{ label: 'Covered service', value: terms.uptime.service_id }] : []),
        { label: 'Currency', value: terms.currency },
        { label: 'Monthly fee', value: formatMoney(terms.monthly_fee_minor, terms.currency) },
      ],
    },
    p(
      `This schedule states the service levels of contract ${terms.contract_id} between the customer and the supplier. The monthly fee is the fee for the covered service for one billing month; service credits are percentages of it. Time is measured exactly, to the second; nothing is rounded before a comparison.`,
    ),
  ]);

  // Severities.
  const severityMap = Object.entries(terms.severity_map ?? {});
  section('Severities', [
    p(
      'Each ticket has a severity. Rank 1 is the most severe; a ticket takes the severity in force in the ticket system at each moment.',
    ),
    {
      kind: 'table',
      columns: ['Severity', 'Name', 'Rank', 'Definition'],
      widths: [1.1, 1.6, 0.8, 5],
      rows: bySeverity.map((s) => [s.id, s.name ?? '', String(s.rank), s.definition ?? '']),
    },
    ...(severityMap.length > 0
      ? [
          p(
            `In the ticket system, ${joined(severityMap.map(([source, id]) => `priority ${quote(source)} is severity ${severityLabel(id)}`))}.`,
          ),
        ]
      : []),
  ]);

  // Calendars.
  const calendarBlocks: ScheduleBlock[] = [
    p(
      'A target is measured in the time of its calendar: only the time inside the calendar counts towards it.',
    ),
  ];
  for (const [name, calendar] of Object.entries(terms.calendars)) {
    calendarBlocks.push(h(`Calendar ${quote(name)}`), ...calendarText(calendar));
  }
  section('Calendars', calendarBlocks);

  // Metrics.
  const statuses = Object.entries(terms.status_map);
  section('Metrics', [
    p(
      'A qualifying reply is a public comment by an agent; a comment that is not public never qualifies. A measurement counts the time of its calendar from its start to its stop, less the time it is paused.',
    ),
    ...metricNames.flatMap((name) => [h(metricLabel(name)), p(metricText(terms.metrics[name]!))]),
    p(
      'A response measurement (first, next or periodic) still running when the ticket is solved or closed stops at that moment, and is met or breached by the same rule.',
    ),
    ...(statuses.length > 0
      ? [
          p(
            `Ticket statuses are read as follows: ${statuses
              .map(([source, status]) => `${quote(source)} is ${STATUS_NAMES[status]}`)
              .join('; ')}.`,
          ),
        ]
      : []),
  ]);

  // Targets.
  section('Targets', [
    p(
      'A measurement is met when it stops with a measured time at most its target (exactly on target is met), and breached when the measured time exceeds the target; the breach happens at the moment the target is exceeded. A severity and metric without a target below are not measured while the ticket has that severity.',
    ),
    {
      kind: 'table',
      columns: ['Severity', 'Metric', 'Target', 'Calendar'],
      widths: [1.6, 1.8, 1.1, 3],
      rows: [...terms.targets]
        .sort(lineOrder)
        .map((t) => [
          severityLabel(t.severity),
          metricLabel(t.metric),
          formatMinutes(t.target_minutes),
          calendarLabel(t.calendar),
        ]),
    },
  ]);

  // Reclassification.
  const { mode, breach_sticky: sticky } = terms.reclassification;
  section('Change of severity', [
    p(
      mode === 'retroactive'
        ? 'When the severity of a ticket changes while a measurement runs, the measurement is evaluated again from its original start, for each severity in force, with that severity\u2019s calendar and target. The calendar and target of the severity in force at the stop are the ones reported.'
        : 'When the severity of a ticket changes while a measurement runs, the time under each severity is counted in that severity\u2019s calendar, and the total is compared with the target of the severity in force when the measurement stops.',
    ),
    p(
      sticky
        ? 'A breach under an earlier severity stands: a later change of severity does not cure it.'
        : 'Only the severity in force at the stop decides whether the measurement is met or breached: a later downgrade can cure an earlier breach.',
    ),
    p(
      'A measurement that stopped before the change is not affected by it. While the ticket has a severity without a target for the metric, that time neither counts towards nor breaches a target.',
    ),
  ]);

  // Uptime.
  const uptime = terms.uptime;
  if (uptime) {
    const zone = terms.reporting.uptime_time_zone ?? 'UTC';
    const maintenance = uptime.exclusions?.scheduled_maintenance;
    const notice =
      maintenance?.min_notice_hours !== undefined
        ? `notified at least ${plural(maintenance.min_notice_hours, 'hour')} before it starts`
        : 'notified before it starts';
    const cap =
      maintenance?.max_minutes_per_month !== undefined
        ? `, up to ${formatMinutes(maintenance.max_minutes_per_month)} of it in a month, taken in time order; the rest of a window counts as if it had not been notified`
        : '';
    const exclusions = [
      ...(maintenance
        ? [
            `Scheduled maintenance qualifies when it is ${notice}${cap}. Outages during qualifying maintenance are not downtime, and maintenance is never downtime by itself.`,
          ]
        : ['No scheduled maintenance is excluded: every outage is downtime, whatever notice was given.']),
      ...(uptime.exclusions?.customer_caused ? ['Outages caused by the customer are not downtime.'] : []),
      ...(uptime.exclusions?.force_majeure ? ['Outages due to force majeure are not downtime.'] : []),
    ];
    section('Service availability', [
      {
        kind: 'fields',
        rows: [
          ...(uptime.service_id ? [{ label: 'Service', value: uptime.service_id }] : []),
          {
            label: 'Commitment',
            value: `uptime of at least ${pct(uptime.commitment_pct)} in each calendar month`,
          },
          { label: 'Months', value: `calendar months in the time zone ${zone}` },
          {
            label: 'Uptime',
            value:
              uptime.denominator === 'all_minutes'
                ? '(time in the month \u2212 downtime) \u00f7 time in the month'
                : '(time in the month \u2212 qualifying maintenance \u2212 downtime) \u00f7 (time in the month \u2212 qualifying maintenance)',
          },
          {
            label: 'Downtime counted',
            value:
              uptime.granularity === 'exact_seconds'
                ? 'to the second'
                : uptime.granularity === 'whole_minutes_any'
                  ? 'in whole minutes: every clock minute that any downtime touches counts in full'
                  : 'exactly, leaving out outages shorter than 60 seconds',
          },
        ],
      },
      p(
        `Downtime is the time of the service\u2019s outages in the month, overlapping outages counted once. ${exclusions.join(' ')}`,
      ),
      p(
        `A month misses the commitment when its uptime is below ${pct(uptime.commitment_pct)}. Uptime is compared exactly, never after rounding.`,
      ),
    ]);
  }

  // Credits.
  const credits = terms.credits;
  const creditBlocks: ScheduleBlock[] = [
    p(
      `Service credits are percentages of the monthly fee of ${formatMoney(terms.monthly_fee_minor, terms.currency)}. Every month, the percentages of all the lines below are added up and the cap is applied.`,
    ),
  ];
  const perBreach = [...(credits.per_breach ?? [])].sort(lineOrder);
  if (perBreach.length > 0)
    creditBlocks.push(h('For each breach'), {
      kind: 'table',
      columns: ['Severity', 'Metric', 'Credit for each breach'],
      widths: [1.6, 1.8, 3],
      rows: perBreach.map((c) => [
        severityLabel(c.severity),
        metricLabel(c.metric),
        feeShare(terms, c.credit_pct),
      ]),
    });
  const compliance = [...(credits.compliance ?? [])].sort(lineOrder);
  if (compliance.length > 0)
    creditBlocks.push(
      h('For monthly compliance'),
      p(
        'Compliance is the share of a line\u2019s measurements counted in the month that were met. A compliance credit applies once in a month when the line has at least the minimum number of measurements and its compliance is below the minimum.',
      ),
      {
        kind: 'table',
        columns: ['Severity', 'Metric', 'Minimum compliance', 'Minimum measurements', 'Credit'],
        widths: [1.4, 1.5, 1.3, 1.3, 2.2],
        rows: compliance.map((c) => [
          severityLabel(c.severity),
          metricLabel(c.metric),
          pct(c.min_compliance_pct),
          String(c.min_sample ?? 1),
          feeShare(terms, c.credit_pct),
        ]),
      },
    );
  const tiers = credits.uptime_tiers ?? [];
  if (tiers.length > 0)
    creditBlocks.push(
      h('For uptime'),
      p('The credit of the tier that the month\u2019s uptime falls in applies.'),
      {
        kind: 'table',
        columns: ['Monthly uptime', 'Credit'],
        widths: [3, 3],
        rows: tiers.map((t) => [
          t.at_or_above_pct === undefined
            ? `below ${pct(t.below_pct)}`
            : `${pct(t.at_or_above_pct)} or more, and below ${pct(t.below_pct)}`,
          feeShare(terms, t.credit_pct),
        ]),
      },
    );
  creditBlocks.push(h('Cap, amount and payment'), {
    kind: 'fields',
    rows: [
      { label: 'Cap', value: `${feeShare(terms, credits.cap_pct_of_monthly_fee)} in any month` },
      {
        label: 'Amount',
        value: `the monthly fee \u00d7 the capped percentage \u00f7 100, rounded half up to the nearest minor unit of ${terms.currency}`,
      },
      {
        label: 'Claims',
        value:
          credits.claim_window_days === undefined || credits.claim_window_days === null
            ? 'credits are applied automatically; the customer need not claim them'
            : `credits must be claimed within ${plural(credits.claim_window_days, 'day')} of the report date of the month`,
      },
    ],
  });
  section('Service credits', creditBlocks);

  // Chronic failure.
  const chronic = credits.chronic_failure;
  const rules = chronic?.rules ?? [];
  const remedy =
    chronic?.remedy === 'escalation_meeting'
      ? 'the customer may require an escalation meeting'
      : 'the customer may terminate the contract without penalty';
  section(
    'Chronic failure',
    rules.length === 0
      ? [p('These terms set no chronic-failure rights.')]
      : [
          p(
            `If an event below happens in the months shown, ${remedy}. The monthly report shows it, and the right may be exercised until ${plural(chronic?.exercise_window_days ?? 0, 'day')} after that report\u2019s report date:`,
          ),
          {
            kind: 'table',
            columns: ['Event', 'Months'],
            widths: [4, 2.4],
            rows: rules.map((rule) => [ruleText(rule), frequency(rule)]),
          },
        ],
  );

  function ruleText(rule: ChronicFailureRule): string {
    if (rule.type === 'uptime_miss')
      return `Uptime below the commitment of ${pct(uptime?.commitment_pct ?? 100)}`;
    if (rule.type === 'cap_reached')
      return `Credits reaching the cap: the month\u2019s credits before the cap add up to ${pct(credits.cap_pct_of_monthly_fee)} or more`;
    const line = lineLabel(rule.severity ?? '', rule.metric ?? '');
    const target = terms.metrics[rule.metric ?? '']?.min_compliance_pct;
    return target === undefined ? `Any breach of ${line}` : `Compliance of ${line} below ${pct(target)}`;
  }

  // Reporting.
  const reporting = terms.reporting;
  const sendDay = reporting.send_on_day ?? 5;
  section('Reporting', [
    {
      kind: 'fields',
      rows: [
        { label: 'Period', value: `calendar month in the time zone ${reporting.time_zone}` },
        ...(uptime
          ? [{ label: 'Uptime months', value: `calendar months in ${reporting.uptime_time_zone ?? 'UTC'}` }]
          : []),
        {
          label: 'Report date',
          value: `day ${sendDay} of the following month, in ${reporting.time_zone}`,
        },
        {
          label: 'Recipients',
          value:
            reporting.recipients && reporting.recipients.length > 0
              ? reporting.recipients.join(', ')
              : 'not named in these terms',
        },
      ],
    },
    p(
      'Each measurement counts once: a breached one in the month it was breached (even while the ticket is still open), a met one in the month it stopped. Measurements neither stopped nor breached at the end of the month are listed as in progress and left out of compliance. A month\u2019s report uses what happened up to the end of that month; a later change to a reported month (a late event, a reopened ticket) appears as an adjustment in the next report, and reports are never reissued.',
    ),
  ]);

  return sections.map((s, i) => ({ title: `${i + 1}. ${s.title}`, blocks: s.blocks }));
}

function calendarText(calendar: SlaCalendar): ScheduleBlock[] {
  if (calendar.type === '24x7')
    return [
      {
        kind: 'paragraph',
        text: 'Every second counts, 24 hours a day, 7 days a week, including weekends and holidays. A day on which the clocks change has 23 or 25 hours.',
      },
    ];
  const blocks: ScheduleBlock[] = [
    {
      kind: 'paragraph',
      text: `Business hours in the time zone ${calendar.time_zone}: the hours below on each local date, less holidays. Each period starts at its first time and ends at its second, in local time, so 09:00\u201317:00 is 8 hours also on a day when the clocks change.`,
    },
    {
      kind: 'table',
      columns: ['Day', 'Business hours'],
      widths: [1.5, 4],
      rows: WEEKDAYS.map((day) => [DAY_NAMES[day], formatWindows(calendar.weekly[day] ?? [])]),
    },
  ];
  const holidays = [...(calendar.holidays ?? [])].sort();
  if (holidays.length > 0)
    blocks.push(
      {
        kind: 'paragraph',
        text: `${plural(holidays.length, 'holiday')}, on which there are no business hours at all:`,
      },
      {
        kind: 'table',
        columns: ['Holiday', 'Day'],
        widths: [2, 3.5],
        rows: holidays.map((date) => [formatDate(date), weekdayOf(date)]),
      },
    );
  const exceptions = [...(calendar.exceptions ?? [])].sort((a, b) => a.date.localeCompare(b.date));
  if (exceptions.length > 0)
    blocks.push(
      {
        kind: 'paragraph',
        text: 'On these dates the business hours below replace the usual hours of the day:',
      },
      {
        kind: 'table',
        columns: ['Date', 'Day', 'Business hours that day'],
        widths: [2, 1.5, 4],
        rows: exceptions.map((e) => [formatDate(e.date), weekdayOf(e.date), formatWindows(e.windows)]),
      },
    );
  return blocks;
}

function metricText(metric: SlaMetric): string {
  const sentences: string[] = [];
  const excluded = metric.qualifying_reply?.exclude_sources ?? ALL_SOURCES;
  const reply =
    excluded.length > 0
      ? `qualifying reply (${joined(
          excluded.map((s) => SOURCE_NAMES[s]),
          'and',
        )} do not qualify)`
      : 'qualifying reply (any public comment by an agent)';
  switch (metric.kind) {
    case 'first_response':
      sentences.push(
        `The time from ${metric.start === 'customer_reported_at' ? 'when the customer reported the issue, as recorded on the ticket,' : 'the creation of the ticket'} to the first ${reply}. It is never paused, and is not measured again when the ticket is reopened.`,
      );
      break;
    case 'next_response':
      sentences.push(
        `After the first qualifying reply, the time from the oldest customer public comment not yet answered to the next ${reply}. Further customer comments before that reply do not start another measurement. It is never paused.`,
      );
      break;
    case 'periodic_update':
      sentences.push(
        `The time from each qualifying reply to the next ${reply}, while the ticket is not solved.`,
      );
      break;
    case 'resolution':
      sentences.push(
        'The time from the creation of the ticket until it is solved; a closed ticket counts as solved.',
      );
      break;
  }
  const pauses = metric.pause_statuses ?? [];
  if (metric.kind === 'periodic_update' || metric.kind === 'resolution')
    sentences.push(
      pauses.length > 0
        ? `The clock is paused while the ticket is ${joined(
            pauses.map((s) => STATUS_NAMES[s]),
            'or',
          )}.`
        : 'The clock is never paused.',
    );
  if (metric.kind === 'resolution') {
    const mode = metric.reopen?.mode ?? 'resume';
    const days = metric.reopen?.window_days ?? 7;
    sentences.push(
      mode === 'resume'
        ? `If a solved ticket is reopened no more than ${plural(days, 'day')} (${plural(days * 24, 'hour')}) after it was solved, the clock resumes where it stopped, the solved time left out, until the ticket is solved again. A later reopening, or a customer reply to a closed ticket, starts a new resolution measurement at the reopening.`
        : mode === 'new_cycle'
          ? 'Each reopening of a solved ticket starts a new resolution measurement at the reopening.'
          : 'Nothing is measured after the ticket is first solved, even if it is reopened.',
    );
  }
  if (metric.min_compliance_pct !== undefined)
    sentences.push(
      `Reporting target: at least ${pct(metric.min_compliance_pct)} of the month\u2019s measurements met.`,
    );
  return sentences.join(' ');
}

// ---------------------------------------------------------------------------------------------
// The pages.

export interface SlaScheduleOptions {
  /** The index of the page the schedule is inserted before; default: after the last page. */
  at?: number;
  /** Points; default: the size of the document's first page, or A4. */
  pageSize?: [number, number];
  /**
   * The fonts for text in any script (subset into the document). Without them the schedule is
   * drawn in the standard Helvetica faces, which show Western European text only.
   */
  fonts?: FontSource;
}

const MARGIN_X = 56;
const MARGIN_TOP = 50;
const MARGIN_BOTTOM = 40;
const FOOTER = 26;
const S = { title: 16, section: 11, heading: 9.5, body: 8.5, table: 8, small: 7.5 };

/** The schedule's sizes and spacing on the shared sheet. */
const STYLE: SheetStyle = {
  size: S,
  sectionSpace: [8, 5],
  headingSpace: [3, 1.5],
  labelColumn: { max: 130, share: 0.3 },
};

/** Places the model's text on rows for a content area `width` points wide. */
class Layout extends Sheet {
  constructor(c: Composer, width: number, pageHeight: number, scripts: boolean) {
    super(c, width, pageHeight, STYLE, scripts);
  }

  async title(text: string, sub: string): Promise<SheetRow[]> {
    return [
      ...this.textRows(await this.lines(text, this.boldFace(text), S.title, this.width, INK), S.title),
      ...this.textRows(await this.lines(sub, this.face(), S.body, this.width, MUTED), S.body),
      gap(6),
    ];
  }
}

/** The model as blocks: headings stay with what follows them, tables repeat their header. */
async function compose(
  layout: Layout,
  terms: SlaTerms,
  sections: ScheduleSection[],
): Promise<Block<SheetRow>[]> {
  const blocks: Block<SheetRow>[] = [];
  const span =
    terms.effective_from && terms.effective_to
      ? `, ${formatDate(terms.effective_from)} to ${formatDate(terms.effective_to)}`
      : terms.effective_from
        ? `, from ${formatDate(terms.effective_from)}`
        : '';
  let lead: SheetRow[] = await layout.title('SLA schedule', `Contract ${terms.contract_id}${span}`);
  for (const section of sections) {
    lead = [...lead, ...(await layout.section(section.title))];
    for (const [i, block] of section.blocks.entries()) {
      // A paragraph just before a table introduces it: it stays with it, as headings do.
      if (block.kind === 'paragraph' && section.blocks[i + 1]?.kind === 'table') {
        lead = [...lead, ...(await layout.paragraph(block.text))];
        continue;
      }
      if (block.kind === 'heading') {
        lead = [...lead, ...(await layout.heading(block.text))];
        continue;
      }
      if (block.kind === 'table') {
        blocks.push(await layout.table(block.columns, block.widths, block.rows, lead));
      } else {
        const rows =
          block.kind === 'paragraph' ? await layout.paragraph(block.text) : await layout.fields(block.rows);
        // The lead and the first two lines stay together.
        blocks.push({ rows: [stack([...lead, ...rows.slice(0, 2)]), ...rows.slice(2)], gapAfter: 0 });
      }
      lead = [];
    }
  }
  if (lead.length > 0) blocks.push({ rows: [stack(lead)], gapAfter: 0 });
  return blocks;
}

/** The page size: as asked, else the first page's, else A4. */
function sizeFor(doc: PDFDocument, asked?: [number, number]): [number, number] {
  if (asked) {
    const [width, height] = asked;
    if (!(width >= 200 && height >= 200 && width <= 14400 && height <= 14400))
      throw new RangeError(`the page size must be 200 to 14400 points each way, not ${width} x ${height}`);
    return [width, height];
  }
  const first = doc.getPageCount() > 0 ? doc.getPage(0) : undefined;
  if (!first) return A4;
  const { width, height } = first.getSize();
  return [width, height];
}

/**
 * Draws the SLA schedule of `terms` on new pages of `doc`, inserted before page `at` (0-based)
 * or after the last page. Returns the index of its first page and the number of its pages.
 */
export async function drawSlaSchedule(
  doc: PDFDocument,
  terms: SlaTerms,
  options: SlaScheduleOptions = {},
): Promise<{ firstPage: number; pageCount: number }> {
  const existing = doc.getPageCount();
  const at = options.at ?? existing;
  if (!Number.isInteger(at) || at < 0 || at > existing)
    throw new RangeError(`the schedule goes before a page from 0 to ${existing}, not ${at}`);
  const [pageWidth, pageHeight] = sizeFor(doc, options.pageSize);
  const width = pageWidth - 2 * MARGIN_X;

  const fonts: FontSource = options.fonts ?? {
    load: (key) => Promise.reject(new Error(`no fonts were given for ${key} text`)),
  };
  const c = await Composer.create(doc, fonts);
  const top = pageHeight - MARGIN_TOP;
  const bottom = MARGIN_BOTTOM + FOOTER;
  const layout = new Layout(c, width, top - bottom, options.fonts !== undefined);
  const blocks = await compose(layout, terms, slaScheduleModel(terms));
  const laid = paginate(blocks, top, bottom);

  const footFace: Face = options.fonts ? 'text' : 'plain';
  const dash = options.fonts ? '\u2014' : '-';
  const contract = await c.line(`Contract ${terms.contract_id}`, footFace, S.small, MUTED);
  const numbers: Piece[] = [];
  for (let n = 1; n <= laid.length; n++)
    numbers.push(await c.line(`SLA schedule ${dash} page ${n} of ${laid.length}`, footFace, S.small, MUTED));
  for (const rows of laid) for (const { row } of rows) for (const piece of row.pieces) c.use(piece);
  for (const piece of [contract, ...numbers]) c.use(piece);
  await c.embed();

  for (const [n, rows] of laid.entries()) {
    const page = doc.insertPage(at + n, [pageWidth, pageHeight]);
    const left = MARGIN_X;
    const right = pageWidth - MARGIN_X;
    for (const { row, top: rowTop } of rows) row.paint(page, left, rowTop);
    const footY = MARGIN_BOTTOM;
    page.drawLine({
      start: { x: left, y: footY + 11 },
      end: { x: right, y: footY + 11 },
      thickness: 0.5,
      color: RULE,
    });
    c.draw(page, contract, left, footY);
    const number = numbers[n]!;
    c.draw(page, number, right - number.width, footY);
  }
  return { firstPage: at, pageCount: laid.length };
}
