import { requireAnyRole, requireLegal, requireWriter, type Principal } from '../access';
import { foldContract, termsInForce, type ContractState, type IsoDate } from '../contracts/contract';
import { localDate } from '../contracts/lifecycle';
import {
  ConcurrencyError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
  type ErrorDetail,
} from '../errors';
import { sha256Hex } from '../hashing';
import type { Ports } from '../ports';
import { evaluateTickets, parseInstant } from '../sla/engine';
import {
  jsmWebhookEvents,
  parseTicketInput,
  zendeskWebhookEvents,
  type CsvMapping,
  type SkippedRow,
  type TicketEvent,
  type TicketInputFormat,
} from '../sla/ingest';
import { Problems, checkTicketTimeline } from '../sla/ingest/jsonl';
import {
  completesAlone,
  groupIncoming,
  incomingOf,
  mergeTicket,
  sameTimeline,
  type IncomingTicket,
} from '../sla/merge';
import { deriveOutages, mergeMonitorEvents, type MonitorEvent } from '../sla/monitoring';
import { verifyHubSignature, verifyZendeskSignature } from '../sla/signatures';
import type { RejectedPayload, StoredOutage, StoredTicket } from '../sla/store';
import type { SlaTerms } from '../sla/terms';
import type { TicketTimeline } from '../sla/ticket';
import type { WebhookSecretRecord } from '../sla/webhooks';
import { alertAfterIngest } from './sla-alerts';

/**
 * Getting a contract's SLA data in: ticket exports through the API, ticket webhooks from Zendesk
 * and Jira Service Management, outages through the API and from a monitoring webhook.
 *
 * Tickets are merged with what is stored by ticket id and event time, so a replay changes
 * nothing; everything a request brings is converted and checked against the contract's terms
 * before anything is written. Each ticket is written only over the version it was merged with:
 * a concurrent request that wrote first makes this one merge again, and nothing is lost.
 * A webhook payload that cannot be used is kept with the reason, never dropped.
 */

/** Tickets read or written at once. */
const CONCURRENCY = 16;
/** Merges of one ticket before a request gives up to concurrent writers (409). */
const WRITE_ATTEMPTS = 10;
export const MAX_CONTENT_BYTES = 5 * 1024 * 1024;

export interface SlaContract {
  state: ContractState;
  terms: SlaTerms;
}

/**
 * The contract and the SLA terms in force on `date` (default: today in the contract's zone);
 * before the contract starts, its first terms.
 */
export async function loadSlaContract(
  ports: Ports,
  tenantId: string,
  contractId: string,
  date?: IsoDate,
): Promise<SlaContract> {
  const events = await ports.contracts.loadEvents(tenantId, contractId);
  if (events.length === 0) throw new NotFoundError(`contract ${contractId} not found`);
  const state = foldContract(events);
  const on = date ?? localDate(ports.clock.now(), state.term.timeZone);
  const entry = termsInForce(state, on) ?? state.termsHistory[0];
  if (!entry) throw new NotFoundError(`contract ${contractId} has no SLA terms`);
  return { state, terms: entry.slaTerms };
}

async function mapLimited<T, R>(
  items: readonly T[],
  run: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await run(items[index]!, index);
      }
    }),
  );
  return results;
}

export type MergeOutcome = 'created' | 'updated' | 'unchanged';

export interface MergeResult {
  tickets: { id: string; outcome: MergeOutcome }[];
  /** The timelines this request changed, as written. */
  changed: TicketTimeline[];
}

/** Checks the merged timelines as the engine will read them: statuses, severities, instants. */
function check(terms: SlaTerms, merged: TicketTimeline[], now: string): void {
  evaluateTickets(terms, merged, { asOf: now });
}

/** Merges each incoming ticket with the stored one; see the top of this file. */
export async function mergeIntoStore(
  ports: Ports,
  contract: SlaContract,
  incoming: readonly IncomingTicket[],
  source: string,
): Promise<MergeResult> {
  const { state, terms } = contract;
  const grouped = groupIncoming(incoming);
  const now = ports.clock.now().toISOString();
  const read = (id: string) => ports.sla.getTicket(state.tenantId, state.id, id);
  // Everything is merged and checked before anything is written.
  const stored = await mapLimited(grouped, (t) => read(t.id));
  const merged = grouped.map((t, i) => mergeTicket(stored[i]?.ticket, t));
  check(terms, merged, now);

  const changed: TicketTimeline[] = [];
  const tickets = await mapLimited(grouped, async (item, i) => {
    let current: StoredTicket | null = stored[i]!;
    let next = merged[i]!;
    for (let attempt = 1; ; attempt++) {
      if (current && sameTimeline(current.ticket, next))
        return { id: item.id, outcome: 'unchanged' as const };
      try {
        await ports.sla.putTickets(state.tenantId, state.id, [
          {
            contractId: state.id,
            ticket: next,
            source,
            updatedAt: now,
            version: current ? (current.version ?? 1) : 0,
          },
        ]);
        changed.push(next);
        return { id: item.id, outcome: current ? ('updated' as const) : ('created' as const) };
      } catch (err) {
        if (!(err instanceof ConcurrencyError)) throw err;
        if (attempt >= WRITE_ATTEMPTS)
          throw new ConcurrencyError(`ticket ${item.id} kept changing while this request merged it`);
      }
      // Another request wrote this ticket first: merge again with what it wrote.
      current = await read(item.id);
      next = mergeTicket(current?.ticket, item);
      check(terms, [next], now);
    }
  });
  return { tickets, changed };
}

const count = (r: MergeResult, outcome: MergeOutcome) =>
  r.tickets.filter((t) => t.outcome === outcome).length;

export type TicketsInput =
  | { format: TicketInputFormat; content: string; csvMapping?: CsvMapping; sourceTimeZone?: string }
  | { tickets: unknown[]; sourceTimeZone?: string };

export interface IngestResult {
  /** Tickets in the request. */
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Rows left out, and why (ServiceNow logs only: the other formats reject bad input). */
  skipped: SkippedRow[];
  /** Alerts mailed to the contract's owners after this ingestion (breaches, compliance lines). */
  alerted: number;
}

/** The request's tickets as timelines, instants in UTC; a ValidationError names each problem. */
function convert(input: TicketsInput): { tickets: TicketTimeline[]; skipped: SkippedRow[]; source: string } {
  if ('tickets' in input) {
    const problems = new Problems();
    const tickets = input.tickets
      .map((value, i) =>
        checkTicketTimeline(
          value,
          `tickets[${i}]`,
          problems,
          input.sourceTimeZone ? { sourceTimeZone: input.sourceTimeZone } : {},
        ),
      )
      .filter((t): t is TicketTimeline => t !== undefined);
    problems.throwIfAny();
    return { tickets, skipped: [], source: 'api' };
  }
  const size = Buffer.byteLength(input.content, 'utf8');
  if (size > MAX_CONTENT_BYTES) {
    throw new PayloadTooLargeError(
      `content is ${size} bytes, over the ${MAX_CONTENT_BYTES} bytes one request may bring: split the export`,
      [{ path: 'body.content', message: 'too large' }],
    );
  }
  const { tickets, skipped } = parseTicketInput(input.format, input.content, {
    ...(input.csvMapping ? { csvMapping: input.csvMapping } : {}),
    ...(input.sourceTimeZone ? { sourceTimeZone: input.sourceTimeZone } : {}),
  });
  return { tickets, skipped, source: input.format };
}

/** POST /v1/contracts/{id}/tickets. */
export async function ingestTickets(
  ports: Ports,
  principal: Principal,
  contractId: string,
  input: TicketsInput,
): Promise<IngestResult> {
  requireWriter(principal, 'ingest tickets');
  const contract = await loadSlaContract(ports, principal.tenantId, contractId);
  const { tickets, skipped, source } = convert(input);
  if (tickets.length === 0 && skipped.length === 0) {
    throw new ValidationError('the request holds no tickets', [
      { path: 'tickets' in input ? 'body.tickets' : 'body.content', message: 'no tickets' },
    ]);
  }
  const result = await mergeIntoStore(ports, contract, tickets.map(incomingOf), source);
  const alerted = await alertAfterIngest(ports, contract, result.changed);
  return {
    received: tickets.length,
    created: count(result, 'created'),
    updated: count(result, 'updated'),
    unchanged: count(result, 'unchanged'),
    skipped,
    alerted,
  };
}

// ---------------------------------------------------------------------------------------------
// Webhooks

export type WebhookSource = 'zendesk' | 'jsm' | 'monitoring';

export interface WebhookRequest {
  contractId: string;
  rawBody: string;
  /** Lower-case names. */
  headers: Record<string, string>;
}

export type WebhookAnswer =
  | { status: 200; body: { accepted: true } & Record<string, unknown> }
  | { status: 202; body: { accepted: false; reason: string; rejectedId: string } };

/** Checked against when a contract has no secret, so that both cases take the same time. */
const NO_SECRET = 'no-secret-is-configured-for-this-contract';

/** The contract's secret record when the request is signed with it; 401 without detail otherwise. */
async function authenticate(
  ports: Ports,
  source: WebhookSource,
  req: WebhookRequest,
): Promise<WebhookSecretRecord> {
  const record = await ports.slaWebhooks.getWebhookSecret(req.contractId);
  const secret = record?.secret ?? NO_SECRET;
  const h = req.headers;
  const valid =
    source === 'zendesk'
      ? verifyZendeskSignature(
          secret,
          req.rawBody,
          h['x-zendesk-webhook-signature'],
          h['x-zendesk-webhook-signature-timestamp'],
          ports.clock.now(),
        )
      : verifyHubSignature(secret, req.rawBody, h['x-hub-signature']);
  if (!record || !valid) throw new UnauthorizedError('the webhook signature is not valid');
  return record;
}

/** Keeps a payload that cannot be used, with the reason, and answers 202. */
async function reject(
  ports: Ports,
  contract: SlaContract,
  source: WebhookSource,
  rawBody: string,
  reason: string,
): Promise<WebhookAnswer> {
  const rejected: RejectedPayload = {
    id: ports.ids.newId(),
    source,
    receivedAt: ports.clock.now().toISOString(),
    reason,
    payload: rawBody,
  };
  await ports.sla.putRejected(contract.state.tenantId, contract.state.id, rejected);
  return { status: 202, body: { accepted: false, reason, rejectedId: rejected.id } };
}

const unusable = (err: unknown): err is ValidationError | PayloadTooLargeError =>
  err instanceof ValidationError || err instanceof PayloadTooLargeError;

function parseJson(rawBody: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(rawBody) };
  } catch (err) {
    return { ok: false, reason: `the body is not JSON: ${(err as Error).message}` };
  }
}

/** Pending events of one ticket are one item: past this, they are kept as rejected instead. */
const MAX_PENDING_BYTES = 300 * 1024;

function uniqueEvents(events: readonly TicketEvent[]): TicketEvent[] {
  return [...new Map(events.map((e) => [JSON.stringify(e), e])).values()];
}

/**
 * Folds a ticket's pending events into its stored timeline and drops them; events that cannot be
 * merged are kept as rejected instead. Returns the timelines it changed.
 */
async function drainPending(
  ports: Ports,
  contract: SlaContract,
  ticketId: string,
): Promise<TicketTimeline[]> {
  const { tenantId, id: contractId } = contract.state;
  for (let attempt = 1; ; attempt++) {
    const pending = await ports.slaWebhooks.getPendingTicket(tenantId, contractId, ticketId);
    if (!pending) return [];
    let changed: TicketTimeline[] = [];
    try {
      changed = (
        await mergeIntoStore(ports, contract, [{ id: ticketId, events: pending.events }], pending.source)
      ).changed;
    } catch (err) {
      if (!unusable(err)) throw err;
      await ports.sla.putRejected(tenantId, contractId, {
        id: ports.ids.newId(),
        source: pending.source,
        receivedAt: pending.receivedAt,
        reason: err.message,
        payload: JSON.stringify(pending.events),
      });
    }
    try {
      await ports.slaWebhooks.deletePendingTicket(tenantId, contractId, ticketId, pending.version);
      return changed;
    } catch (err) {
      if (!(err instanceof ConcurrencyError) || attempt >= WRITE_ATTEMPTS) throw err;
    }
  }
}

type WebhookOutcome = MergeOutcome | 'pending';

/**
 * One ticket's events from a webhook: merged with the stored ticket and any pending events, or,
 * when nothing is stored and they cannot make the timeline yet, kept pending until they can.
 */
async function webhookTicket(
  ports: Ports,
  contract: SlaContract,
  source: string,
  ticketId: string,
  events: TicketEvent[],
): Promise<{ outcome: WebhookOutcome; changed: TicketTimeline[] }> {
  const { tenantId, id: contractId } = contract.state;
  for (let attempt = 1; ; attempt++) {
    const [stored, pending] = await Promise.all([
      ports.sla.getTicket(tenantId, contractId, ticketId),
      ports.slaWebhooks.getPendingTicket(tenantId, contractId, ticketId),
    ]);
    const all = uniqueEvents([...(pending?.events ?? []), ...events]);
    if (!stored && !completesAlone(all)) {
      const size = Buffer.byteLength(JSON.stringify(all), 'utf8');
      if (size > MAX_PENDING_BYTES) {
        throw new PayloadTooLargeError(
          `ticket ${ticketId}: ${size} bytes of events wait for the ticket's creation, over the ${MAX_PENDING_BYTES} kept`,
        );
      }
      const version = pending?.version ?? 0;
      try {
        await ports.slaWebhooks.putPendingTicket(
          tenantId,
          contractId,
          {
            ticketId,
            version: version + 1,
            source,
            events: all,
            receivedAt: ports.clock.now().toISOString(),
          },
          version,
        );
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= WRITE_ATTEMPTS) throw err;
        continue;
      }
      // A concurrent request may have stored the ticket meanwhile: then fold these events into it.
      if (await ports.sla.getTicket(tenantId, contractId, ticketId)) {
        const changed = await drainPending(ports, contract, ticketId);
        return { outcome: 'updated', changed };
      }
      return { outcome: 'pending', changed: [] };
    }
    const result = await mergeIntoStore(ports, contract, [{ id: ticketId, events: all }], source);
    // Pending events (these, or some a concurrent request kept meanwhile) are now in the ticket.
    const drained = await drainPending(ports, contract, ticketId);
    return { outcome: result.tickets[0]!.outcome, changed: [...result.changed, ...drained] };
  }
}

/** POST /v1/contracts/{id}/webhooks/zendesk and /webhooks/jsm. */
export async function receiveTicketWebhook(
  ports: Ports,
  source: 'zendesk' | 'jsm',
  req: WebhookRequest,
): Promise<WebhookAnswer> {
  const record = await authenticate(ports, source, req);
  const contract = await loadSlaContract(ports, record.tenantId, record.contractId);
  const parsed = parseJson(req.rawBody);
  if (!parsed.ok) return reject(ports, contract, source, req.rawBody, parsed.reason);
  let events: TicketEvent[];
  try {
    events = source === 'zendesk' ? zendeskWebhookEvents(parsed.value) : jsmWebhookEvents(parsed.value);
  } catch (err) {
    if (!unusable(err)) throw err;
    return reject(ports, contract, source, req.rawBody, err.message);
  }
  const byTicket = new Map<string, TicketEvent[]>();
  for (const e of events) byTicket.set(e.ticket_id, [...(byTicket.get(e.ticket_id) ?? []), e]);
  const tickets: { id: string; outcome: WebhookOutcome }[] = [];
  const changed: TicketTimeline[] = [];
  for (const [id, list] of byTicket) {
    try {
      const done = await webhookTicket(ports, contract, source, id, list);
      tickets.push({ id, outcome: done.outcome });
      changed.push(...done.changed);
    } catch (err) {
      if (!unusable(err)) throw err;
      return reject(ports, contract, source, req.rawBody, err.message);
    }
  }
  // An event the SLA does not use (an update of another field, say) gives no tickets.
  const alerted = await alertAfterIngest(ports, contract, changed);
  return { status: 200, body: { accepted: true, tickets, alerted } };
}

const CHECK_NAME = /^[A-Za-z0-9._:-]{1,64}$/;

/** The monitoring events of a body: one `{status, at, check?}` or an array of them. */
function monitorEvents(value: unknown): Map<string, MonitorEvent[]> {
  const problems = new Problems();
  const items = Array.isArray(value) ? value : [value];
  const byCheck = new Map<string, MonitorEvent[]>();
  if (items.length === 0) problems.add('body', undefined, undefined, 'holds no events');
  items.forEach((item, i) => {
    const where = Array.isArray(value) ? `events[${i}]` : 'event';
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.add(where, undefined, undefined, 'must be an object {status, at, check?}');
      return;
    }
    const { status, at, check = 'default' } = item as Record<string, unknown>;
    if (status !== 'down' && status !== 'up')
      problems.add(where, undefined, 'status', 'must be "down" or "up"');
    if (typeof check !== 'string' || !CHECK_NAME.test(check))
      problems.add(where, undefined, 'check', 'must be 1 to 64 letters, digits or . _ : -');
    let utc: string | undefined;
    try {
      utc = new Date(parseInstant(at, { subject: where, path: 'at' }) * 1000).toISOString();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.add(where, undefined, 'at', 'must be an ISO-8601 date-time with an offset');
    }
    if (utc === undefined || (status !== 'down' && status !== 'up') || typeof check !== 'string') return;
    byCheck.set(check, [...(byCheck.get(check) ?? []), { at: utc, status }]);
  });
  problems.throwIfAny();
  return byCheck;
}

/**
 * POST /v1/contracts/{id}/webhooks/monitoring: `down` opens an outage of the check, `up` closes
 * it. The check's events are merged and its outages derived again, written only over the version
 * read (see monitoring.ts).
 */
export async function receiveMonitoringWebhook(ports: Ports, req: WebhookRequest): Promise<WebhookAnswer> {
  const record = await authenticate(ports, 'monitoring', req);
  const contract = await loadSlaContract(ports, record.tenantId, record.contractId);
  const { tenantId, id: contractId } = contract.state;
  const parsed = parseJson(req.rawBody);
  if (!parsed.ok) return reject(ports, contract, 'monitoring', req.rawBody, parsed.reason);
  let byCheck: Map<string, MonitorEvent[]>;
  try {
    byCheck = monitorEvents(parsed.value);
  } catch (err) {
    if (!unusable(err)) throw err;
    return reject(ports, contract, 'monitoring', req.rawBody, err.message);
  }
  const now = ports.clock.now().toISOString();
  const checks: { check: string; open: boolean; outages: number }[] = [];
  for (const [check, added] of byCheck) {
    for (let attempt = 1; ; attempt++) {
      const current = await ports.slaWebhooks.getMonitoringCheck(tenantId, contractId, check);
      const version = current?.version ?? 0;
      let events: MonitorEvent[];
      try {
        events = mergeMonitorEvents(current?.events ?? [], added);
      } catch (err) {
        if (!unusable(err)) throw err;
        return reject(ports, contract, 'monitoring', req.rawBody, err.message);
      }
      const outages = deriveOutages(check, events, current?.outages ?? [], now);
      const summary = { check, open: outages.some((o) => o.open === true), outages: outages.length };
      if (current && current.events.length === events.length) {
        checks.push(summary);
        break;
      }
      try {
        await ports.slaWebhooks.putMonitoringCheck(
          tenantId,
          contractId,
          { check, version: version + 1, events, outages },
          version,
        );
        checks.push(summary);
        break;
      } catch (err) {
        if (!(err instanceof ConcurrencyError) || attempt >= WRITE_ATTEMPTS) throw err;
      }
    }
  }
  return { status: 200, body: { accepted: true, checks } };
}

/** POST /v1/contracts/{id}/webhook-secret: a new secret, shown once; the previous one stops working. */
export async function rotateWebhookSecret(
  ports: Ports,
  principal: Principal,
  contractId: string,
): Promise<{
  contractId: string;
  secret: string;
  createdAt: string;
  webhooks: Record<WebhookSource, string>;
}> {
  requireLegal(principal, 'set the webhook secret of a contract');
  const { state } = await loadSlaContract(ports, principal.tenantId, contractId);
  const createdAt = ports.clock.now().toISOString();
  const secret = ports.ids.newSecret(32);
  await ports.slaWebhooks.putWebhookSecret({
    tenantId: state.tenantId,
    contractId: state.id,
    secret,
    createdAt,
  });
  const base = `/v1/contracts/${state.id}/webhooks`;
  return {
    contractId: state.id,
    secret,
    createdAt,
    webhooks: { zendesk: `${base}/zendesk`, jsm: `${base}/jsm`, monitoring: `${base}/monitoring` },
  };
}

/** GET /v1/contracts/{id}/tickets/rejected: newest first. */
export async function listRejectedPayloads(
  ports: Ports,
  principal: Principal,
  contractId: string,
  limit: number,
): Promise<{ items: RejectedPayload[]; total: number }> {
  requireAnyRole(principal, 'read rejected SLA payloads');
  const { state } = await loadSlaContract(ports, principal.tenantId, contractId);
  const all = await ports.sla.listRejected(state.tenantId, state.id);
  const sorted = [...all].sort(
    (a, b) => b.receivedAt.localeCompare(a.receivedAt) || b.id.localeCompare(a.id),
  );
  return { items: sorted.slice(0, limit), total: all.length };
}

// ---------------------------------------------------------------------------------------------
// Outages

export interface OutageInput {
  id?: string;
  start: string;
  end: string;
  kind: 'outage' | 'maintenance';
  notice_given_at?: string;
  customer_caused?: boolean;
  force_majeure?: boolean;
}

export interface OutagesResult {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  ids: string[];
}

const utcOf = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Checks every outage (all problems at once) and returns them in UTC with their ids. */
function checkOutages(outages: readonly OutageInput[]): Omit<StoredOutage, 'source' | 'recordedAt'>[] {
  const details: ErrorDetail[] = [];
  const instant = (value: unknown, i: number, field: string): number | undefined => {
    try {
      return parseInstant(value, { subject: `outages[${i}]`, path: field, base: `body.outages[${i}]` });
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      details.push(...err.details);
      return undefined;
    }
  };
  const checked = outages.map((o, i) => {
    const start = instant(o.start, i, 'start');
    const end = instant(o.end, i, 'end');
    const notice =
      o.notice_given_at === undefined ? undefined : instant(o.notice_given_at, i, 'notice_given_at');
    if (start !== undefined && end !== undefined && end <= start) {
      details.push({
        path: `body.outages[${i}].end`,
        message: `outages[${i}]: end ${o.end} is not after start ${o.start}`,
      });
    }
    if (start === undefined || end === undefined) return undefined;
    const id = o.id ?? `out-${sha256Hex(`${start}|${end}|${o.kind}`).slice(0, 32)}`;
    return {
      id,
      start: utcOf(start),
      end: utcOf(end),
      kind: o.kind,
      ...(notice !== undefined ? { notice_given_at: utcOf(notice) } : {}),
      ...(o.customer_caused !== undefined ? { customer_caused: o.customer_caused } : {}),
      ...(o.force_majeure !== undefined ? { force_majeure: o.force_majeure } : {}),
    };
  });
  const seen = new Map<string, number>();
  checked.forEach((o, i) => {
    if (!o) return;
    const first = seen.get(o.id);
    if (first !== undefined)
      details.push({
        path: `body.outages[${i}].id`,
        message: `outages[${i}]: repeats the outage of outages[${first}]`,
      });
    else seen.set(o.id, i);
  });
  if (details.length > 0) {
    throw new ValidationError(`invalid outages: ${details.map((d) => d.message).join('; ')}`, details);
  }
  return checked as Omit<StoredOutage, 'source' | 'recordedAt'>[];
}

const outageKey = (o: Omit<StoredOutage, 'source' | 'recordedAt' | 'open'>) =>
  JSON.stringify([
    o.start,
    o.end,
    o.kind,
    o.notice_given_at ?? null,
    o.customer_caused ?? false,
    o.force_majeure ?? false,
  ]);

/** POST /v1/contracts/{id}/outages: each outage by id (given, or from start, end and kind). */
export async function recordOutages(
  ports: Ports,
  principal: Principal,
  contractId: string,
  outages: readonly OutageInput[],
): Promise<OutagesResult> {
  requireWriter(principal, 'record outages');
  const checked = checkOutages(outages);
  const { state } = await loadSlaContract(ports, principal.tenantId, contractId);
  const stored = new Map(
    (await ports.sla.listOutages(state.tenantId, state.id)).map((o) => [o.id, o] as const),
  );
  const now = ports.clock.now().toISOString();
  const write: StoredOutage[] = [];
  let created = 0;
  let updated = 0;
  for (const o of checked) {
    const before = stored.get(o.id);
    if (before && outageKey(before) === outageKey(o)) continue;
    if (before) updated++;
    else created++;
    write.push({ ...o, source: 'api', recordedAt: now });
  }
  await ports.sla.putOutages(state.tenantId, state.id, write);
  return {
    received: checked.length,
    created,
    updated,
    unchanged: checked.length - created - updated,
    ids: checked.map((o) => o.id),
  };
}
