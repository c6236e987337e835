/**
 * Zendesk Support input:
 * - a ticket with its audits, as the Ticket Audits API lists them
 *   (`GET /api/v2/tickets/{id}/audits`, optionally with `?include=users`), turned into a timeline;
 * - a webhook request for one ticket change, turned into incremental `TicketEvent`s, either the
 *   JSON body of a trigger (see `ZendeskTriggerWebhook`) or one of Zendesk's ticket event
 *   webhooks (`type: "zen:event-type:ticket.…"`).
 *
 * It also defines `TicketEvent` and `applyEvents`, which merge incremental events from any source
 * (Zendesk, Jira Service Management) into a timeline.
 *
 * Statuses and priorities are passed on as Zendesk gives them, for the terms' `status_map` and
 * `severity_map`. The APIs give lower-case values (`open`, `hold`, `urgent`), trigger
 * placeholders the agent-interface words (`Open`, `On-hold`, `Urgent`), and event webhooks upper
 * case (`OPEN`, `HIGH`): the map must use the words of the source it is fed from. A ticket without
 * a priority has the priority `-`, as Zendesk shows it, so the terms can map it.
 */
import type { CommentSource, TicketComment, TicketTimeline } from '../ticket';
import { Problems, describe, fail, instantMs, toUtcInstant } from './jsonl';

// ---------------------------------------------------------------------------------------------
// Incremental events

/**
 * One change to one ticket, keyed by (ticket, instant, kind):
 * - `created`: the ticket's creation instant;
 * - `status` / `severity`: the ticket's source status / priority from `at` on;
 * - `comment`: a comment made at `at`.
 * Instants carry an offset; the converters emit UTC.
 */
export type TicketEvent =
  | { ticket_id: string; at: string; kind: 'created' }
  | { ticket_id: string; at: string; kind: 'status'; status: string }
  | { ticket_id: string; at: string; kind: 'severity'; severity: string }
  | { ticket_id: string; at: string; kind: 'comment'; comment: Omit<TicketComment, 'at'> };

type Timed<T> = T & { ms: number };

function sameComment(a: Omit<TicketComment, 'at'>, b: Omit<TicketComment, 'at'>): boolean {
  return a.author === b.author && (a.public ?? true) === (b.public ?? true) && a.source === b.source;
}

/**
 * Merges events into a ticket's timeline (or starts one) and returns the new timeline; the input
 * is not changed. The merge is idempotent and order-independent:
 * - a status or severity event replaces the entry at the same instant, or is sorted into place;
 *   entries are kept as delivered, repeats of the same status included, so that a late event can
 *   be placed between two of them without losing what followed it;
 * - a comment is added unless the same comment (instant, author, public, source) is there;
 * - a `created` event sets the creation instant, the earliest one wins.
 * Replaying an event changes nothing; events arriving out of order end up in time order.
 * Every event must be for the timeline's ticket, and a new ticket needs a `created` event.
 */
export function applyEvents(
  timeline: TicketTimeline | undefined,
  events: readonly TicketEvent[],
): TicketTimeline {
  const id = timeline?.id ?? events[0]?.ticket_id;
  if (typeof id !== 'string' || id === '') {
    fail('events', undefined, undefined, 'name no ticket: give a timeline, or events with a ticket_id');
  }
  const problems = new Problems();
  const timed = <T extends { at: string }>(entries: readonly T[] | undefined, field: string): Timed<T>[] =>
    (entries ?? []).map((entry, i) => {
      const ms = instantMs(entry.at);
      if (Number.isNaN(ms))
        problems.add(
          'timeline',
          id,
          `${field}[${i}].at`,
          `${describe(entry.at)} is not an instant with an offset`,
        );
      return { ...entry, ms };
    });
  let createdMs = timeline ? instantMs(timeline.created_at) : Number.NaN;
  let createdAt = timeline?.created_at;
  if (timeline && Number.isNaN(createdMs)) {
    problems.add(
      'timeline',
      id,
      'created_at',
      `${describe(timeline.created_at)} is not an instant with an offset`,
    );
  }
  const statuses = timed(timeline?.status_history, 'status_history');
  const severities = timed(timeline?.severity_history, 'severity_history');
  const comments = timed(timeline?.comments, 'comments');
  events.forEach((event, i) => {
    const where = `event ${i}`;
    if (event.ticket_id !== id) {
      problems.add(where, id, 'ticket_id', `${describe(event.ticket_id)} is another ticket`);
      return;
    }
    const at = toUtcInstant(event.at);
    if (!at.ok) {
      problems.add(where, id, 'at', at.message);
      return;
    }
    const ms = instantMs(at.value);
    switch (event.kind) {
      case 'created':
        if (createdAt === undefined || Number.isNaN(createdMs) || ms < createdMs) {
          createdAt = at.value;
          createdMs = ms;
        }
        return;
      case 'status':
      case 'severity': {
        const value = event.kind === 'status' ? event.status : event.severity;
        if (typeof value !== 'string' || value === '') {
          problems.add(where, id, event.kind, `must be a non-empty string, got ${describe(value)}`);
          return;
        }
        const list = event.kind === 'status' ? statuses : severities;
        const entry =
          event.kind === 'status'
            ? { at: at.value, status: value, ms }
            : { at: at.value, severity: value, ms };
        const same = list.findIndex((e) => e.ms === ms);
        if (same === -1) (list as object[]).push(entry);
        else (list as object[])[same] = entry;
        return;
      }
      case 'comment': {
        const comment = event.comment;
        if (comment?.author !== 'customer' && comment?.author !== 'agent') {
          problems.add(
            where,
            id,
            'comment.author',
            `must be "customer" or "agent", got ${describe(comment?.author)}`,
          );
          return;
        }
        if (!comments.some((c) => c.ms === ms && sameComment(c, comment)))
          comments.push({ ...comment, at: at.value, ms });
        return;
      }
      default:
        problems.add(
          where,
          id,
          'kind',
          `${describe((event as { kind: unknown }).kind)} is not created, status, severity or comment`,
        );
    }
  });
  problems.throwIfAny();
  if (createdAt === undefined) {
    fail(
      'events',
      id,
      undefined,
      'carry no creation time: the first events of a new ticket must include its `created` event',
    );
  }
  const strip = <T extends { ms: number }>(entries: T[]): Omit<T, 'ms'>[] =>
    [...entries]
      .map((entry, index) => ({ entry, index }))
      .sort((a, b) => a.entry.ms - b.entry.ms || a.index - b.index)
      .map(({ entry }) => {
        const { ms: _ms, ...rest } = entry;
        return rest;
      });
  const merged: TicketTimeline = {
    ...timeline,
    id,
    created_at: createdAt,
    severity_history: strip(severities),
    status_history: strip(statuses),
    comments: strip(comments),
  };
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Ticket with audits

export type ZendeskId = string | number;

/** How a change was made (Zendesk's via object): `channel` `rule` with `source.rel` `trigger` or `automation` for business rules. */
export interface ZendeskVia {
  channel?: string;
  source?: { rel?: string | null; [key: string]: unknown } | null;
}

/** One event of an audit: `Create`, `Change`, `Comment`, `VoiceComment`, `CommentPrivacyChange`, …; others are ignored. */
export interface ZendeskAuditEvent {
  id?: ZendeskId;
  type: string;
  field_name?: string;
  value?: unknown;
  previous_value?: unknown;
  public?: boolean;
  author_id?: ZendeskId;
  /**
   * Not a Zendesk property: a comment author's role (`end-user`, `agent`, `admin`), which an
   * exporter may add when it knows it. It wins over the sideloaded users and the requester.
   */
  author_role?: string;
  /** `CommentPrivacyChange` only: the comment whose visibility changed. */
  comment_id?: ZendeskId;
  via?: ZendeskVia;
  [key: string]: unknown;
}

export interface ZendeskAudit {
  id?: ZendeskId;
  created_at: string;
  author_id?: ZendeskId;
  via?: ZendeskVia;
  events: ZendeskAuditEvent[];
}

/** A ticket and its audits, as `GET /api/v2/tickets/{id}.json` and `…/audits.json?include=users` give them. */
export interface ZendeskTicketExport {
  ticket: {
    id: ZendeskId;
    created_at: string;
    status?: string;
    priority?: string | null;
    requester_id?: ZendeskId;
    [key: string]: unknown;
  };
  audits: ZendeskAudit[];
  /** Sideloaded users (`include=users`): their role tells an end user (customer) from an agent. */
  users?: { id: ZendeskId; role: string; [key: string]: unknown }[];
}

export interface ZendeskOptions {
  /** Users whose comments are automated (an integration's API user, say): source `bot`. */
  botUserIds?: ZendeskId[];
  /** Logins several agents share: source `shared_account`. */
  sharedAccountUserIds?: ZendeskId[];
  /**
   * Count every comment made through the API (via channel `api`) as `bot`. Default false:
   * integrations also post agents' real replies through the API.
   */
  apiCommentsAreBots?: boolean;
}

const NO_PRIORITY = '-';
const CUSTOMER_ROLES = new Set(['end-user', 'end_user', 'enduser', 'customer', 'requester']);
const AGENT_ROLES = new Set(['agent', 'admin', 'staff', 'light_agent', 'light-agent']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idText(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return undefined;
}

function priorityText(value: unknown): string | undefined {
  if (value === null || value === '') return NO_PRIORITY;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The source of a comment, by precedence: a private agent comment is an `internal_note`; then
 * `botUserIds` and `sharedAccountUserIds`; then how it was made: a trigger (via channel `rule`)
 * is an `auto_acknowledgement`, an automation (`rule` with source rel `automation`) and Answer
 * Bot (`answer_bot…` channels) a `bot`, and the API a `bot` when `apiCommentsAreBots`.
 */
function commentSource(
  author: 'customer' | 'agent',
  isPublic: boolean,
  authorId: string | undefined,
  via: ZendeskVia | undefined,
  options: ZendeskOptions,
): CommentSource | undefined {
  if (!isPublic && author === 'agent') return 'internal_note';
  const ids = (list: ZendeskId[] | undefined) => (list ?? []).map(String);
  if (authorId !== undefined && ids(options.botUserIds).includes(authorId)) return 'bot';
  if (authorId !== undefined && ids(options.sharedAccountUserIds).includes(authorId)) return 'shared_account';
  const channel = typeof via?.channel === 'string' ? via.channel : undefined;
  if (channel === 'rule') return via?.source?.rel === 'automation' ? 'bot' : 'auto_acknowledgement';
  if (channel?.startsWith('answer_bot')) return 'bot';
  if (channel === 'api' && options.apiCommentsAreBots) return 'bot';
  return undefined;
}

/**
 * Converts a ticket and its audits into a timeline.
 * - `created_at` is the ticket's; the status and priority at creation come from the audits'
 *   `Create` events (or the first change's previous value, or the ticket's own value when it
 *   never changed); later `Change` events of `status` and `priority` follow at their audit's time.
 * - `Comment` and `VoiceComment` events become comments at their audit's time. Their author is a
 *   customer or an agent by the event's `author_role` if present, else by the sideloaded user's
 *   role (`end-user` is a customer), else by whether the author is the ticket's requester
 *   (then other end users, such as CCs, count as agents: sideload the users to avoid that).
 *   A `CommentPrivacyChange` makes the comment it names private. See `commentSource` for sources.
 * Problems are named by `where` (e.g. `item 2`), the ticket and the property path.
 */
export function zendeskTicketToTimeline(
  input: unknown,
  options: ZendeskOptions = {},
  where = 'input',
): TicketTimeline {
  const problems = new Problems();
  if (!isRecord(input) || !isRecord(input.ticket)) {
    fail(
      where,
      undefined,
      'ticket',
      `must be an object {ticket, audits}, got ${describe(isRecord(input) ? input.ticket : input)}`,
    );
  }
  const ticket = input.ticket;
  const id = idText(ticket.id);
  const add = (field: string, message: string) => problems.add(where, id, field, message);
  if (id === undefined) add('ticket.id', `must be a ticket id, got ${describe(ticket.id)}`);
  const instant = (field: string, raw: unknown): string | undefined => {
    const result = toUtcInstant(raw);
    if (result.ok) return result.value;
    add(field, raw === undefined ? 'is required' : result.message);
    return undefined;
  };
  const createdAt = instant('ticket.created_at', ticket.created_at);
  if (!Array.isArray(input.audits)) add('audits', `must be an array, got ${describe(input.audits)}`);
  const requester = idText(ticket.requester_id);
  const roles = new Map<string, string>();
  if (input.users !== undefined) {
    if (!Array.isArray(input.users)) add('users', `must be an array, got ${describe(input.users)}`);
    else {
      input.users.forEach((user: unknown, i: number) => {
        const userId = isRecord(user) ? idText(user.id) : undefined;
        if (userId === undefined || !isRecord(user) || typeof user.role !== 'string') {
          add(`users[${i}]`, 'must be an object {id, role}');
        } else roles.set(userId, user.role.toLowerCase());
      });
    }
  }

  type Audit = { index: number; ms: number; at: string; audit: Record<string, unknown> };
  const audits: Audit[] = [];
  (Array.isArray(input.audits) ? (input.audits as unknown[]) : []).forEach((audit, index) => {
    if (!isRecord(audit)) return add(`audits[${index}]`, `must be an object, got ${describe(audit)}`);
    const at = instant(`audits[${index}].created_at`, audit.created_at);
    if (!Array.isArray(audit.events))
      add(`audits[${index}].events`, `must be an array, got ${describe(audit.events)}`);
    if (at !== undefined) audits.push({ index, ms: instantMs(at), at, audit });
  });
  problems.throwIfAny();
  audits.sort((a, b) => a.ms - b.ms || a.index - b.index);

  const created: { status?: string; priority?: string } = {};
  const firstPrevious: { status?: string; priority?: string } = {};
  const changed = new Set<string>();
  const statuses: { at: string; status: string }[] = [];
  const severities: { at: string; severity: string }[] = [];
  const comments: TicketComment[] = [];
  const commentsById = new Map<string, TicketComment>();
  for (const { index, at, audit } of audits) {
    (audit.events as unknown[]).forEach((event, e) => {
      const path = `audits[${index}].events[${e}]`;
      if (!isRecord(event)) return add(path, `must be an object, got ${describe(event)}`);
      const type = event.type;
      if (type === 'Create' || type === 'Change') {
        const field = event.field_name;
        if (field !== 'status' && field !== 'priority') return;
        const value = field === 'status' ? event.value : priorityText(event.value);
        if (typeof value !== 'string' || value === '') {
          return add(`${path}.value`, `must be the new ${field}, got ${describe(event.value)}`);
        }
        if (type === 'Create') {
          created[field] = value;
          return;
        }
        if (!changed.has(field)) {
          changed.add(field);
          const previous = field === 'status' ? event.previous_value : priorityText(event.previous_value);
          if (typeof previous === 'string' && previous !== '') firstPrevious[field] = previous;
        }
        if (field === 'status') statuses.push({ at, status: value });
        else severities.push({ at, severity: value });
        return;
      }
      if (type === 'Comment' || type === 'VoiceComment') {
        const authorId = idText(event.author_id) ?? idText(audit.author_id);
        let author: 'customer' | 'agent' | undefined;
        const role = typeof event.author_role === 'string' ? event.author_role.toLowerCase() : undefined;
        const known = role ?? (authorId === undefined ? undefined : roles.get(authorId));
        if (known !== undefined) {
          if (CUSTOMER_ROLES.has(known)) author = 'customer';
          else if (AGENT_ROLES.has(known)) author = 'agent';
          else
            return add(
              role ? `${path}.author_role` : `${path}.author_id`,
              `has the role ${describe(known)}, neither an end user nor an agent`,
            );
        } else if (requester !== undefined && authorId !== undefined) {
          author = authorId === requester ? 'customer' : 'agent';
        } else {
          return add(
            `${path}.author_id`,
            'cannot be told customer or agent: give ticket.requester_id, the sideloaded users, or the event author_role',
          );
        }
        if (event.public !== undefined && typeof event.public !== 'boolean') {
          return add(`${path}.public`, `must be true or false, got ${describe(event.public)}`);
        }
        const isPublic = event.public !== false;
        const via = (isRecord(event.via) ? event.via : isRecord(audit.via) ? audit.via : undefined) as
          ZendeskVia | undefined;
        const comment: TicketComment = { at, author, public: isPublic };
        const source = commentSource(author, isPublic, authorId, via, options);
        if (source) comment.source = source;
        comments.push(comment);
        const commentId = idText(event.id);
        if (commentId !== undefined) commentsById.set(commentId, comment);
        return;
      }
      if (type === 'CommentPrivacyChange') {
        const target = commentsById.get(idText(event.comment_id) ?? '');
        if (target && event.public === false) {
          target.public = false;
          if (target.author === 'agent') target.source = 'internal_note';
        } else if (target && event.public === true) {
          target.public = true;
          if (target.source === 'internal_note') delete target.source;
        }
      }
    });
  }
  const initialStatus =
    created.status ?? firstPrevious.status ?? (statuses.length === 0 ? ticket.status : undefined);
  if (typeof initialStatus !== 'string' || initialStatus === '') {
    add(
      'audits',
      'give no status at creation (no Create event of status, no previous value of its first change)',
    );
  }
  const initialPriority =
    created.priority ??
    firstPrevious.priority ??
    (severities.length === 0 ? priorityText(ticket.priority ?? null) : undefined);
  problems.throwIfAny();
  return {
    id: id!,
    created_at: createdAt!,
    severity_history: [{ at: createdAt!, severity: initialPriority ?? NO_PRIORITY }, ...severities],
    status_history: [{ at: createdAt!, status: initialStatus as string }, ...statuses],
    comments,
  };
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/**
 * The JSON body of a Zendesk trigger's webhook action for one ticket update, built from
 * placeholders, for example:
 * ```json
 * { "ticket_id": "{{ticket.id}}",
 *   "created_at": "{{ticket.created_at_with_timestamp}}",
 *   "updated_at": "{{ticket.updated_at_with_timestamp}}",
 *   "status": "{{ticket.status}}", "priority": "{{ticket.priority}}",
 *   "latest_comment": { "public": true, "author_role": "agent" } }
 * ```
 * The status and priority are the ticket's at `updated_at` (a snapshot: repeats are harmless).
 * `latest_comment` is the comment this update added, if any: set it only from a trigger whose
 * conditions require a comment, or give the comment's own `created_at`, so that an update without
 * a comment does not repeat the previous one. `author_role` is `end-user` (a customer), `agent` or
 * `admin`; `via_channel` (`rule`, `api`, …) and `author_id` are optional and set the comment's
 * source as in the audits.
 */
export interface ZendeskTriggerWebhook {
  ticket_id: ZendeskId;
  created_at?: string;
  updated_at: string;
  status?: string;
  priority?: string | null;
  latest_comment?: {
    created_at?: string;
    public?: boolean | 'true' | 'false';
    author_role: string;
    author_id?: ZendeskId;
    via_channel?: string;
  } | null;
}

/**
 * The incremental events of one Zendesk webhook request, to merge with `applyEvents`:
 * - a trigger body (see `ZendeskTriggerWebhook`): `created` (when `created_at` is given), `status`
 *   and `severity` at `updated_at`, and the latest comment;
 * - a ticket event webhook (`type` `zen:event-type:ticket.…`, `time`, `detail`, `event`):
 *   `ticket.created` gives `created` with the first status and priority; `ticket.status_changed`
 *   and `ticket.priority_changed` a `status` / `severity` event at `time`;
 *   `ticket.comment_added` a comment at `time`, by an agent when `event.comment.author.is_staff`
 *   (its source then only from the private flag and the user-id options: the payload does not
 *   say how the comment was made).
 *   Every ticket event also gives `created` from `detail.created_at`. Other event types give none.
 */
export function zendeskWebhookEvents(payload: unknown, options: ZendeskOptions = {}): TicketEvent[] {
  const problems = new Problems();
  if (!isRecord(payload))
    fail('webhook', undefined, undefined, `must be a JSON object, got ${describe(payload)}`);
  const events: TicketEvent[] = [];
  const type = payload.type;
  if (typeof type === 'string' && type.startsWith('zen:event-type:')) {
    if (!type.startsWith('zen:event-type:ticket.')) return [];
    const detail = isRecord(payload.detail) ? payload.detail : {};
    const subjectId =
      typeof payload.subject === 'string' ? /^zen:ticket:(.+)$/.exec(payload.subject)?.[1] : undefined;
    const id = idText(detail.id) ?? subjectId;
    const add = (field: string, message: string) => problems.add('webhook', id, field, message);
    if (id === undefined) add('detail.id', `must be the ticket id, got ${describe(detail.id)}`);
    const instant = (field: string, raw: unknown) => {
      const result = toUtcInstant(raw);
      if (!result.ok) add(field, raw === undefined ? 'is required' : result.message);
      return result.ok ? result.value : undefined;
    };
    const event = isRecord(payload.event) ? payload.event : {};
    const kind = type.slice('zen:event-type:ticket.'.length);
    const relevant = ['created', 'status_changed', 'priority_changed', 'comment_added'].includes(kind);
    if (!relevant) return [];
    const createdAt =
      detail.created_at === undefined && kind !== 'created'
        ? undefined
        : instant('detail.created_at', detail.created_at);
    const at = kind === 'created' ? createdAt : instant('time', payload.time);
    problems.throwIfAny();
    const ticketId = id!;
    if (createdAt !== undefined) events.push({ ticket_id: ticketId, at: createdAt, kind: 'created' });
    if (kind === 'created') {
      if (typeof detail.status !== 'string' || detail.status === '')
        add('detail.status', `must be the status, got ${describe(detail.status)}`);
      else events.push({ ticket_id: ticketId, at: at!, kind: 'status', status: detail.status });
      events.push({
        ticket_id: ticketId,
        at: at!,
        kind: 'severity',
        severity: priorityText(detail.priority ?? null) ?? NO_PRIORITY,
      });
    } else if (kind === 'status_changed') {
      if (typeof event.current !== 'string' || event.current === '')
        add('event.current', `must be the new status, got ${describe(event.current)}`);
      else events.push({ ticket_id: ticketId, at: at!, kind: 'status', status: event.current });
    } else if (kind === 'priority_changed') {
      const severity = priorityText(event.current ?? null);
      if (severity === undefined)
        add('event.current', `must be the new priority, got ${describe(event.current)}`);
      else events.push({ ticket_id: ticketId, at: at!, kind: 'severity', severity });
    } else {
      const comment = isRecord(event.comment) ? event.comment : undefined;
      const author = comment && isRecord(comment.author) ? comment.author : undefined;
      if (!comment || !author || typeof author.is_staff !== 'boolean') {
        add('event.comment.author.is_staff', 'is required to tell an agent from a customer');
      } else if (comment.is_public !== undefined && typeof comment.is_public !== 'boolean') {
        add('event.comment.is_public', `must be true or false, got ${describe(comment.is_public)}`);
      } else {
        const who = author.is_staff ? 'agent' : 'customer';
        const isPublic = comment.is_public !== false;
        // detail.via is how the ticket was created, not how the comment was made: not used here.
        const source = commentSource(who, isPublic, idText(author.id), undefined, options);
        events.push({
          ticket_id: ticketId,
          at: at!,
          kind: 'comment',
          comment: { author: who, public: isPublic, ...(source ? { source } : {}) },
        });
      }
    }
    problems.throwIfAny();
    return events;
  }

  const id = idText(payload.ticket_id);
  const add = (field: string, message: string) => problems.add('webhook', id, field, message);
  if (id === undefined) add('ticket_id', `must be the ticket id, got ${describe(payload.ticket_id)}`);
  const instant = (field: string, raw: unknown) => {
    const result = toUtcInstant(raw);
    if (!result.ok) add(field, raw === undefined ? 'is required' : result.message);
    return result.ok ? result.value : undefined;
  };
  const at = instant('updated_at', payload.updated_at);
  const createdAt = payload.created_at === undefined ? undefined : instant('created_at', payload.created_at);
  problems.throwIfAny();
  const ticketId = id!;
  if (createdAt !== undefined) events.push({ ticket_id: ticketId, at: createdAt, kind: 'created' });
  if (payload.status !== undefined) {
    if (typeof payload.status !== 'string' || payload.status === '')
      add('status', `must be the status, got ${describe(payload.status)}`);
    else events.push({ ticket_id: ticketId, at: at!, kind: 'status', status: payload.status });
  }
  if (payload.priority !== undefined) {
    const severity = priorityText(payload.priority);
    if (severity === undefined) add('priority', `must be the priority, got ${describe(payload.priority)}`);
    else events.push({ ticket_id: ticketId, at: at!, kind: 'severity', severity });
  }
  const latest = payload.latest_comment;
  if (latest !== undefined && latest !== null) {
    if (!isRecord(latest)) add('latest_comment', `must be an object, got ${describe(latest)}`);
    else {
      const role = typeof latest.author_role === 'string' ? latest.author_role.toLowerCase() : undefined;
      const who =
        role && CUSTOMER_ROLES.has(role) ? 'customer' : role && AGENT_ROLES.has(role) ? 'agent' : undefined;
      if (!who)
        add(
          'latest_comment.author_role',
          `must be end-user, agent or admin, got ${describe(latest.author_role)}`,
        );
      const rawPublic = latest.public;
      const isPublic = rawPublic === undefined || rawPublic === true || rawPublic === 'true';
      if (!isPublic && rawPublic !== false && rawPublic !== 'false') {
        add('latest_comment.public', `must be true or false, got ${describe(rawPublic)}`);
      }
      const commentAt =
        latest.created_at === undefined ? at : instant('latest_comment.created_at', latest.created_at);
      if (who && commentAt !== undefined) {
        const via = typeof latest.via_channel === 'string' ? { channel: latest.via_channel } : undefined;
        const source = commentSource(who, isPublic, idText(latest.author_id), via, options);
        events.push({
          ticket_id: ticketId,
          at: commentAt,
          kind: 'comment',
          comment: { author: who, public: isPublic, ...(source ? { source } : {}) },
        });
      }
    }
  }
  problems.throwIfAny();
  return events;
}
