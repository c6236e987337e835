import { ValidationError } from '../../errors';
import type { CanonicalStatus, SlaTerms } from '../terms';
import type { CommentAuthor, CommentSource, TicketTimeline } from '../ticket';
import { invalid, parseInstant, type Origin } from './instant';

/**
 * Raw tickets and outages (ISO strings, source statuses and severities) checked and turned into
 * the engine's form: epoch seconds, canonical statuses, severity ids. Anything the engine would
 * have to guess at is an error naming the ticket and the field.
 */

export interface Comment {
  at: number;
  author: CommentAuthor;
  public: boolean;
  source: CommentSource | null;
}

export interface Ticket {
  id: string;
  created: number;
  /** When the customer first reported it, if earlier than `created`. */
  reported: number | null;
  asOf: number | null;
  severities: { at: number; severity: string }[];
  statuses: { at: number; status: CanonicalStatus }[];
  comments: Comment[];
}

export interface NormalOutage {
  start: number;
  end: number;
  kind: 'outage' | 'maintenance';
  notice: number | null;
  customerCaused: boolean;
  forceMajeure: boolean;
}

const CANONICAL: readonly string[] = ['new', 'open', 'pending_customer', 'on_hold', 'solved', 'closed'];
const SOURCES: readonly string[] = ['auto_acknowledgement', 'bot', 'internal_note', 'shared_account'];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function list(value: unknown, origin: Origin, required: boolean): unknown[] {
  if (value === undefined && !required) return [];
  if (value === undefined || value === null) throw invalid(origin, 'is missing');
  if (!Array.isArray(value)) throw invalid(origin, 'must be an array');
  return value;
}

/** Checks that `at` never goes back in time within one history. */
function ordered(items: { at: number }[], raw: unknown[], subject: string, base: string, field: string) {
  for (let i = 1; i < items.length; i++)
    if (items[i]!.at < items[i - 1]!.at)
      throw invalid(
        { subject, base, path: `${field}[${i}].at` },
        `${JSON.stringify((raw[i] as Record<string, unknown>).at)} is before ${field}[${i - 1}].at ${JSON.stringify((raw[i - 1] as Record<string, unknown>).at)}: the history is out of order`,
      );
}

export function normalizeTicket(
  terms: SlaTerms,
  raw: TicketTimeline | unknown,
  index: number,
  sourceTimeZone?: string,
): Ticket {
  if (!isObject(raw)) throw new ValidationError(`ticket #${index + 1}: must be a JSON object`);
  const id = raw.id;
  if (typeof id !== 'string' || id.trim() === '')
    throw new ValidationError(`ticket #${index + 1}: id is missing or not a non-empty string`, [
      { path: `tickets[${index}].id`, message: 'required' },
    ]);
  const subject = `ticket ${id}`;
  const base = `tickets[${index}]`;
  const at = (value: unknown, path: string) => parseInstant(value, { subject, path, base }, sourceTimeZone);
  const entry = (value: unknown, path: string): Record<string, unknown> => {
    if (!isObject(value)) throw invalid({ subject, path, base }, 'must be an object');
    return value;
  };

  const created = at(raw.created_at, 'created_at');
  const reported =
    raw.customer_reported_at === undefined || raw.customer_reported_at === null
      ? null
      : at(raw.customer_reported_at, 'customer_reported_at');
  if (reported !== null && reported > created)
    throw invalid(
      { subject, base, path: 'customer_reported_at' },
      `${JSON.stringify(raw.customer_reported_at)} is after created_at ${JSON.stringify(raw.created_at)}: it is the earlier instant the customer reported the issue`,
    );
  const asOf = raw.as_of === undefined || raw.as_of === null ? null : at(raw.as_of, 'as_of');
  if (asOf !== null && asOf < created)
    throw invalid(
      { subject, base, path: 'as_of' },
      `${JSON.stringify(raw.as_of)} is before created_at ${JSON.stringify(raw.created_at)}`,
    );
  const earliest = Math.min(created, reported ?? created);

  const severityIds = new Set(terms.severities.map((s) => s.id));
  const rawSeverities = list(raw.severity_history, { subject, base, path: 'severity_history' }, true);
  if (rawSeverities.length === 0)
    throw invalid(
      { subject, base, path: 'severity_history' },
      'is empty: its first entry gives the severity at created_at',
    );
  const severities = rawSeverities.map((item, i) => {
    const path = `severity_history[${i}]`;
    const e = entry(item, path);
    const value = e.severity;
    const mapped =
      typeof value === 'string'
        ? (terms.severity_map?.[value] ?? (severityIds.has(value) ? value : undefined))
        : undefined;
    if (mapped === undefined)
      throw invalid(
        { subject, base, path: `${path}.severity` },
        `${JSON.stringify(value)} is not a severity of these terms (${[...severityIds].join(', ')}) nor a key of severity_map`,
      );
    return { at: at(e.at, `${path}.at`), severity: mapped };
  });
  ordered(severities, rawSeverities, subject, base, 'severity_history');
  if (severities[0]!.at !== created)
    throw invalid(
      { subject, base, path: 'severity_history[0].at' },
      `${JSON.stringify((rawSeverities[0] as Record<string, unknown>).at)} is not created_at ${JSON.stringify(raw.created_at)}: the first entry gives the severity the ticket was created with`,
    );

  const rawStatuses = list(raw.status_history, { subject, base, path: 'status_history' }, true);
  const statuses = rawStatuses.map((item, i) => {
    const path = `status_history[${i}]`;
    const e = entry(item, path);
    const value = e.status;
    const mapped =
      typeof value === 'string'
        ? (terms.status_map[value] ?? (CANONICAL.includes(value) ? (value as CanonicalStatus) : undefined))
        : undefined;
    if (mapped === undefined)
      throw invalid(
        { subject, base, path: `${path}.status` },
        `${JSON.stringify(value)} is not a canonical status (${CANONICAL.join(', ')}) nor a key of status_map`,
      );
    const when = at(e.at, `${path}.at`);
    if (when < created)
      throw invalid(
        { subject, base, path: `${path}.at` },
        `${JSON.stringify(e.at)} is before created_at ${JSON.stringify(raw.created_at)}`,
      );
    return { at: when, status: mapped };
  });
  ordered(statuses, rawStatuses, subject, base, 'status_history');

  const rawComments = list(raw.comments, { subject, base, path: 'comments' }, false);
  const comments = rawComments.map((item, i): Comment => {
    const path = `comments[${i}]`;
    const e = entry(item, path);
    if (e.author !== 'customer' && e.author !== 'agent')
      throw invalid(
        { subject, base, path: `${path}.author` },
        `${JSON.stringify(e.author)} is not "customer" or "agent"`,
      );
    if (e.public !== undefined && typeof e.public !== 'boolean')
      throw invalid(
        { subject, base, path: `${path}.public` },
        `${JSON.stringify(e.public)} is not true or false`,
      );
    if (e.source !== undefined && e.source !== null && !SOURCES.includes(e.source as string))
      throw invalid(
        { subject, base, path: `${path}.source` },
        `${JSON.stringify(e.source)} is not one of ${SOURCES.join(', ')}`,
      );
    const when = at(e.at, `${path}.at`);
    if (when < earliest)
      throw invalid(
        { subject, base, path: `${path}.at` },
        `${JSON.stringify(e.at)} is before the ticket was ${reported !== null ? 'reported' : 'created'}`,
      );
    return {
      at: when,
      author: e.author,
      public: e.public !== false,
      source: (e.source ?? null) as CommentSource | null,
    };
  });
  ordered(comments, rawComments, subject, base, 'comments');

  return { id, created, reported, asOf, severities, statuses, comments };
}

export function normalizeTickets(
  terms: SlaTerms,
  raw: readonly unknown[],
  sourceTimeZone?: string,
): Ticket[] {
  const seen = new Map<string, number>();
  return raw.map((item, i) => {
    const ticket = normalizeTicket(terms, item, i, sourceTimeZone);
    const first = seen.get(ticket.id);
    if (first !== undefined)
      throw new ValidationError(
        `ticket ${ticket.id}: id is used by ticket #${first + 1} too: ids are unique per contract`,
        [{ path: `tickets[${i}].id`, message: 'duplicate' }],
      );
    seen.set(ticket.id, i);
    return ticket;
  });
}

export function normalizeOutages(raw: unknown, sourceTimeZone?: string): NormalOutage[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw new ValidationError('outages: must be an array', [
      { path: 'outages', message: 'must be an array' },
    ]);
  return raw.map((item, i) => {
    const subject = `outages[${i}]`;
    if (!isObject(item))
      throw new ValidationError(`${subject}: must be an object`, [
        { path: subject, message: 'must be an object' },
      ]);
    const at = (field: string) => parseInstant(item[field], { subject, path: field }, sourceTimeZone);
    const start = at('start');
    const end = at('end');
    if (end < start)
      throw invalid(
        { subject, path: 'end' },
        `${JSON.stringify(item.end)} is before start ${JSON.stringify(item.start)}: an outage ends after it starts`,
      );
    if (item.kind !== 'outage' && item.kind !== 'maintenance')
      throw invalid(
        { subject, path: 'kind' },
        `${JSON.stringify(item.kind)} is not "outage" or "maintenance"`,
      );
    for (const flag of ['customer_caused', 'force_majeure'])
      if (item[flag] !== undefined && typeof item[flag] !== 'boolean')
        throw invalid({ subject, path: flag }, `${JSON.stringify(item[flag])} is not true or false`);
    const notice =
      item.notice_given_at === undefined || item.notice_given_at === null ? null : at('notice_given_at');
    return {
      start,
      end,
      kind: item.kind,
      notice,
      customerCaused: item.customer_caused === true,
      forceMajeure: item.force_majeure === true,
    };
  });
}
