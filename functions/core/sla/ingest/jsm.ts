/**
 * Jira Service Management input:
 * - an issue with its changelog and comments, as `GET /rest/api/3/issue/{key}?expand=changelog`
 *   gives it (or the Service Management request export of the same shape), turned into a timeline;
 * - a Jira webhook request (`jira:issue_created`, `jira:issue_updated`, `comment_created`), turned
 *   into incremental `TicketEvent`s for `applyEvents`.
 *
 * Status and priority names are passed on as Jira gives them (`Waiting for support`, `High`), for
 * the terms' `status_map` and `severity_map`. An issue without a priority has the priority `-`.
 *
 * A comment is the customer's when its author is the issue's reporter or a portal customer
 * (`accountType` `customer`); other authors are agents, an app account (`accountType` `app`, such
 * as Automation for Jira) an agent with source `bot`. `jsdPublic: false` is an internal comment:
 * not public, and source `internal_note` when an agent wrote it.
 */
import type { CommentSource, TicketComment, TicketTimeline } from '../ticket';
import { Problems, describe, fail, formatUtc, instantMs, toUtcInstant } from './jsonl';
import type { TicketEvent } from './zendesk';

export interface JsmUser {
  accountId?: string;
  /** `atlassian` (a licensed user), `customer` (a portal-only customer) or `app`. */
  accountType?: string;
  displayName?: string;
  [key: string]: unknown;
}

export interface JsmComment {
  id?: string;
  created: string;
  author?: JsmUser;
  /** False for an internal comment; absent outside Service Management projects (then public). */
  jsdPublic?: boolean;
  [key: string]: unknown;
}

export interface JsmHistoryItem {
  field: string;
  fieldId?: string;
  fromString?: string | null;
  toString?: string | null;
  [key: string]: unknown;
}

export interface JsmIssue {
  key: string;
  fields: {
    created: string;
    priority?: { name: string } | null;
    status?: { name: string };
    reporter?: JsmUser | null;
    comment?: { comments: JsmComment[]; total?: number; [key: string]: unknown };
    [key: string]: unknown;
  };
  changelog?: {
    histories: { created: string; items: JsmHistoryItem[]; [key: string]: unknown }[];
    total?: number;
  };
}

export interface JsmOptions {
  /** Accounts whose comments are automated: source `bot` (app accounts are already). */
  botAccountIds?: string[];
  /** Logins several agents share: source `shared_account`. */
  sharedAccountIds?: string[];
}

const NO_PRIORITY = '-';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nameOf(value: unknown): string | undefined {
  return isRecord(value) && typeof value.name === 'string' && value.name !== '' ? value.name : undefined;
}

/** An own property (`toString` of a history item would otherwise be Object's method). */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function fieldOf(item: Record<string, unknown>): string | undefined {
  const field = typeof item.fieldId === 'string' ? item.fieldId : item.field;
  return typeof field === 'string' ? field.toLowerCase() : undefined;
}

/** A comment without its instant, or a message saying why the author cannot be classified. */
function jsmComment(
  raw: Record<string, unknown>,
  reporter: string | undefined,
  options: JsmOptions,
): Omit<TicketComment, 'at'> | string {
  const author = raw.author;
  if (!isRecord(author)) return 'author is required to tell an agent from a customer';
  const accountId = typeof author.accountId === 'string' ? author.accountId : undefined;
  if (raw.jsdPublic !== undefined && typeof raw.jsdPublic !== 'boolean') {
    return `jsdPublic must be true or false, got ${describe(raw.jsdPublic)}`;
  }
  const isPublic = raw.jsdPublic !== false;
  const customer = (accountId !== undefined && accountId === reporter) || author.accountType === 'customer';
  const who = customer ? 'customer' : 'agent';
  let source: CommentSource | undefined;
  if (!isPublic && who === 'agent') source = 'internal_note';
  else if (accountId !== undefined && options.botAccountIds?.includes(accountId)) source = 'bot';
  else if (accountId !== undefined && options.sharedAccountIds?.includes(accountId))
    source = 'shared_account';
  else if (who === 'agent' && author.accountType === 'app') source = 'bot';
  return { author: who, public: isPublic, ...(source ? { source } : {}) };
}

/**
 * Converts an issue with its changelog into a timeline: `created_at` is `fields.created`; the
 * status and priority at creation are the `fromString` of their first change in the changelog (or
 * the current ones when they never changed), and each change follows at its history's `created`.
 * Comments are taken from `fields.comment.comments`. An export that holds only a page of the
 * comments or of the changelog is an error: fetch them all first. Problems are named by `where`,
 * the issue key and the property path.
 */
export function jsmIssueToTimeline(
  input: unknown,
  options: JsmOptions = {},
  where = 'input',
): TicketTimeline {
  if (!isRecord(input) || !isRecord(input.fields)) {
    fail(
      where,
      undefined,
      'fields',
      `must be an issue {key, fields, changelog}, got ${describe(isRecord(input) ? input.fields : input)}`,
    );
  }
  const problems = new Problems();
  const key = typeof input.key === 'string' && input.key !== '' ? input.key : undefined;
  const add = (field: string, message: string) => problems.add(where, key, field, message);
  if (key === undefined) add('key', `must be the issue key, got ${describe(input.key)}`);
  const fields = input.fields;
  const instant = (field: string, raw: unknown): string | undefined => {
    const result = toUtcInstant(raw);
    if (result.ok) return result.value;
    add(field, raw === undefined ? 'is required' : result.message);
    return undefined;
  };
  const createdAt = instant('fields.created', fields.created);
  const reporter =
    isRecord(fields.reporter) && typeof fields.reporter.accountId === 'string'
      ? fields.reporter.accountId
      : undefined;

  const histories: { ms: number; index: number; at: string; items: unknown[] }[] = [];
  if (input.changelog !== undefined) {
    const changelog = input.changelog;
    if (!isRecord(changelog) || !Array.isArray(changelog.histories)) {
      add(
        'changelog.histories',
        `must be an array, got ${describe(isRecord(changelog) ? changelog.histories : changelog)}`,
      );
    } else {
      if (typeof changelog.total === 'number' && changelog.total > changelog.histories.length) {
        add(
          'changelog',
          `holds ${changelog.histories.length} of ${changelog.total} histories: fetch the whole changelog (GET /rest/api/3/issue/${key ?? '{key}'}/changelog)`,
        );
      }
      changelog.histories.forEach((history: unknown, index: number) => {
        const path = `changelog.histories[${index}]`;
        if (!isRecord(history)) return add(path, `must be an object, got ${describe(history)}`);
        const at = instant(`${path}.created`, history.created);
        if (!Array.isArray(history.items))
          return add(`${path}.items`, `must be an array, got ${describe(history.items)}`);
        if (at !== undefined) histories.push({ ms: instantMs(at), index, at, items: history.items });
      });
    }
  }
  const comments: TicketComment[] = [];
  if (fields.comment !== undefined && fields.comment !== null) {
    const block = fields.comment;
    if (!isRecord(block) || !Array.isArray(block.comments)) {
      add(
        'fields.comment.comments',
        `must be an array, got ${describe(isRecord(block) ? block.comments : block)}`,
      );
    } else {
      if (typeof block.total === 'number' && block.total > block.comments.length) {
        add(
          'fields.comment',
          `holds ${block.comments.length} of ${block.total} comments: fetch them all (GET /rest/api/3/issue/${key ?? '{key}'}/comment)`,
        );
      }
      block.comments.forEach((raw: unknown, i: number) => {
        const path = `fields.comment.comments[${i}]`;
        if (!isRecord(raw)) return add(path, `must be an object, got ${describe(raw)}`);
        const at = instant(`${path}.created`, raw.created);
        const comment = jsmComment(raw, reporter, options);
        if (typeof comment === 'string') return add(path, comment);
        if (at !== undefined) comments.push({ at, ...comment });
      });
    }
  }
  problems.throwIfAny();

  histories.sort((a, b) => a.ms - b.ms || a.index - b.index);
  const statuses: { at: string; status: string }[] = [];
  const severities: { at: string; severity: string }[] = [];
  const first: { status?: string; priority?: string } = {};
  const changed = new Set<string>();
  for (const history of histories) {
    history.items.forEach((item, i) => {
      if (!isRecord(item)) return;
      const field = fieldOf(item);
      if (field !== 'status' && field !== 'priority') return;
      const path = `changelog.histories[${history.index}].items[${i}]`;
      const to = own(item, 'toString');
      const from = own(item, 'fromString');
      const toValue =
        field === 'priority' && (to === null || to === undefined || to === '') ? NO_PRIORITY : to;
      if (typeof toValue !== 'string' || toValue === '')
        return add(`${path}.toString`, `must be the new ${field}, got ${describe(to)}`);
      if (!changed.has(field)) {
        changed.add(field);
        const fromValue =
          field === 'priority' && (from === null || from === undefined || from === '') ? NO_PRIORITY : from;
        if (typeof fromValue === 'string' && fromValue !== '') first[field] = fromValue;
      }
      if (field === 'status') statuses.push({ at: history.at, status: toValue });
      else severities.push({ at: history.at, severity: toValue });
    });
  }
  const initialStatus = first.status ?? (changed.has('status') ? undefined : nameOf(fields.status));
  if (initialStatus === undefined) {
    add(changed.has('status') ? 'changelog' : 'fields.status.name', 'gives no status at creation');
  }
  const initialPriority =
    first.priority ?? (changed.has('priority') ? undefined : (nameOf(fields.priority) ?? NO_PRIORITY));
  problems.throwIfAny();
  comments.sort((a, b) => instantMs(a.at) - instantMs(b.at));
  return {
    id: key!,
    created_at: createdAt!,
    severity_history: [{ at: createdAt!, severity: initialPriority ?? NO_PRIORITY }, ...severities],
    status_history: [{ at: createdAt!, status: initialStatus! }, ...statuses],
    comments,
  };
}

/**
 * The incremental events of one Jira webhook request, to merge with `applyEvents`:
 * - `jira:issue_created`: `created`, with the status and priority at `fields.created`;
 * - `jira:issue_updated`: a `status` / `severity` event at `timestamp` for each status or priority
 *   item of its `changelog`, and the comment when the update added one;
 * - `comment_created`: the comment, at its `created`.
 * Each also gives `created` from `issue.fields.created` when present. Other events
 * (`comment_updated`, `comment_deleted`, …) give none: they change no instant the SLA uses.
 * The issue's reporter, when the payload includes it, tells the requester's comments apart;
 * without it a comment is the customer's only when its author is a portal customer.
 */
export function jsmWebhookEvents(payload: unknown, options: JsmOptions = {}): TicketEvent[] {
  if (!isRecord(payload))
    fail('webhook', undefined, undefined, `must be a JSON object, got ${describe(payload)}`);
  const problems = new Problems();
  const kind = payload.webhookEvent;
  if (kind !== 'jira:issue_created' && kind !== 'jira:issue_updated' && kind !== 'comment_created') return [];
  const issue = isRecord(payload.issue) ? payload.issue : undefined;
  const key = issue && typeof issue.key === 'string' && issue.key !== '' ? issue.key : undefined;
  const add = (field: string, message: string) => problems.add('webhook', key, field, message);
  if (key === undefined) add('issue.key', `must be the issue key, got ${describe(issue?.key)}`);
  const fields = issue && isRecord(issue.fields) ? issue.fields : {};
  const instant = (field: string, raw: unknown): string | undefined => {
    const result = toUtcInstant(raw);
    if (result.ok) return result.value;
    add(field, raw === undefined ? 'is required' : result.message);
    return undefined;
  };
  const createdAt =
    fields.created === undefined && kind !== 'jira:issue_created'
      ? undefined
      : instant('issue.fields.created', fields.created);
  let at: string | undefined;
  if (kind === 'jira:issue_updated') {
    if (typeof payload.timestamp === 'number' && Number.isFinite(payload.timestamp))
      at = formatUtc(payload.timestamp);
    else at = instant('timestamp', payload.timestamp);
  }
  problems.throwIfAny();
  const id = key!;
  const events: TicketEvent[] = [];
  if (createdAt !== undefined) events.push({ ticket_id: id, at: createdAt, kind: 'created' });
  if (kind === 'jira:issue_created') {
    const status = nameOf(fields.status);
    if (status === undefined)
      add('issue.fields.status.name', `must be the status, got ${describe(fields.status)}`);
    else events.push({ ticket_id: id, at: createdAt!, kind: 'status', status });
    events.push({
      ticket_id: id,
      at: createdAt!,
      kind: 'severity',
      severity: nameOf(fields.priority) ?? NO_PRIORITY,
    });
  }
  if (kind === 'jira:issue_updated' && payload.changelog !== undefined) {
    const items = isRecord(payload.changelog) ? payload.changelog.items : undefined;
    if (!Array.isArray(items)) add('changelog.items', `must be an array, got ${describe(items)}`);
    else {
      items.forEach((item: unknown, i: number) => {
        if (!isRecord(item)) return;
        const field = fieldOf(item);
        if (field !== 'status' && field !== 'priority') return;
        const to = own(item, 'toString');
        if (field === 'priority') {
          const severity = to === null || to === undefined || to === '' ? NO_PRIORITY : to;
          if (typeof severity !== 'string')
            return add(`changelog.items[${i}].toString`, `must be the new priority, got ${describe(to)}`);
          events.push({ ticket_id: id, at: at!, kind: 'severity', severity });
        } else {
          if (typeof to !== 'string' || to === '')
            return add(`changelog.items[${i}].toString`, `must be the new status, got ${describe(to)}`);
          events.push({ ticket_id: id, at: at!, kind: 'status', status: to });
        }
      });
    }
  }
  if ((kind === 'comment_created' || kind === 'jira:issue_updated') && payload.comment !== undefined) {
    const raw = payload.comment;
    if (!isRecord(raw)) add('comment', `must be an object, got ${describe(raw)}`);
    else {
      const commentAt = instant('comment.created', raw.created);
      const reporter =
        isRecord(fields.reporter) && typeof fields.reporter.accountId === 'string'
          ? fields.reporter.accountId
          : undefined;
      const comment = jsmComment(raw, reporter, options);
      if (typeof comment === 'string') add('comment', comment);
      else if (commentAt !== undefined)
        events.push({ ticket_id: id, at: commentAt, kind: 'comment', comment });
    }
  } else if (kind === 'comment_created') {
    add('comment', 'is required in a comment_created event');
  }
  problems.throwIfAny();
  return events;
}
