/**
 * Ticket input converters of the SLA engine: each turns a source's export into `TicketTimeline`s
 * (SPEC.md "Inputs"), with instants in UTC and source statuses and priorities unchanged for the
 * terms' `status_map` and `severity_map`. `parseTicketInput` picks one by format; the modules
 * also offer incremental webhook events (`applyEvents`) and a streaming zip reader for
 * ServiceNow logs (`servicenow-zip.ts`).
 */
import { ValidationError } from '../../errors';
import type { TicketTimeline } from '../ticket';
import { csvToTickets, type CsvMapping, type CsvOptions } from './csv';
import { jsmIssueToTimeline, type JsmOptions } from './jsm';
import { Problems, describe, isTimeZone, parseTicketJsonl } from './jsonl';
import { servicenowToTickets, type SkippedRow } from './servicenow';
import { zendeskTicketToTimeline, type ZendeskOptions } from './zendesk';

export type TicketInputFormat = 'jsonl' | 'csv' | 'zendesk' | 'jsm' | 'servicenow';

export interface TicketInputOptions {
  /** How to read a CSV (`csv` only); default: the `events` layout with default column names. */
  csvMapping?: CsvMapping;
  /** Other CSV settings (`csv` only). */
  csv?: Pick<CsvOptions, 'dateFormat' | 'delimiter'>;
  /**
   * IANA zone of times written without an offset. Required for `servicenow`, whose times have
   * none; elsewhere such times are errors without it.
   */
  sourceTimeZone?: string;
  zendesk?: ZendeskOptions;
  jsm?: JsmOptions;
}

export interface TicketInputResult {
  tickets: TicketTimeline[];
  /** Rows left out, and why (`servicenow` only; empty for the other formats, which reject bad input). */
  skipped: SkippedRow[];
  /** ServiceNow's own verdict per incident, at its last update (`servicenow` only). */
  made_sla?: Record<string, boolean | null>;
}

const FORMATS: readonly TicketInputFormat[] = ['jsonl', 'csv', 'zendesk', 'jsm', 'servicenow'];

/** The items of a JSON array, a single JSON object, or JSON Lines, each with where it was. */
function jsonItems(text: string): { where: string; value: unknown }[] {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') return [];
  try {
    const whole: unknown = JSON.parse(trimmed);
    if (Array.isArray(whole)) return whole.map((value, i) => ({ where: `item ${i + 1}`, value }));
    return [{ where: 'input', value: whole }];
  } catch {
    // Not one JSON document: read JSON Lines.
  }
  const problems = new Problems();
  const items: { where: string; value: unknown }[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      items.push({ where: `line ${index + 1}`, value: JSON.parse(line) });
    } catch (err) {
      problems.add(`line ${index + 1}`, undefined, undefined, `is not JSON (${(err as Error).message})`);
    }
  });
  problems.throwIfAny();
  return items;
}

function uniqueIds(tickets: { where: string; ticket: TicketTimeline }[]): TicketTimeline[] {
  const problems = new Problems();
  const seen = new Map<string, string>();
  for (const { where, ticket } of tickets) {
    const first = seen.get(ticket.id);
    if (first !== undefined)
      problems.add(where, ticket.id, 'id', `repeats the ticket of ${first}: ids are unique per contract`);
    else seen.set(ticket.id, where);
  }
  problems.throwIfAny();
  return tickets.map(({ ticket }) => ticket);
}

/**
 * Converts `text` in `format` to ticket timelines:
 * - `jsonl`: JSON Lines of timelines, checked for structure (see `parseTicketJsonl`);
 * - `csv`: CSV through `csvMapping` (see `csvToTickets`);
 * - `zendesk`: a JSON array (or JSON Lines) of `{ticket, audits, users?}` (see `zendeskTicketToTimeline`);
 * - `jsm`: a JSON array (or JSON Lines) of issues with changelog (see `jsmIssueToTimeline`);
 * - `servicenow`: an incident event log CSV, with `sourceTimeZone` (see `servicenowToTickets`).
 * Bad input is a `ValidationError` naming the line, row or item, the ticket and the field;
 * only `servicenow` skips bad rows instead, and lists them in `skipped`.
 */
export function parseTicketInput(
  format: TicketInputFormat,
  text: string,
  options: TicketInputOptions = {},
): TicketInputResult {
  if (!FORMATS.includes(format)) {
    throw new ValidationError(
      `unknown ticket input format ${describe(format)}: use one of ${FORMATS.join(', ')}`,
      [{ path: 'format', message: `must be one of ${FORMATS.join(', ')}` }],
    );
  }
  if (typeof text !== 'string') {
    throw new ValidationError(`the ticket input must be text, got ${describe(text)}`, [
      { path: 'text', message: 'must be a string' },
    ]);
  }
  const zone = options.sourceTimeZone;
  if (zone !== undefined && !isTimeZone(zone)) {
    throw new ValidationError(`sourceTimeZone ${describe(zone)} is not an IANA time zone`, [
      { path: 'sourceTimeZone', message: 'must be an IANA time zone, such as Europe/Paris' },
    ]);
  }
  switch (format) {
    case 'jsonl':
      return {
        tickets: parseTicketJsonl(text, zone === undefined ? {} : { sourceTimeZone: zone }),
        skipped: [],
      };
    case 'csv':
      return {
        tickets: csvToTickets(text, {
          ...options.csv,
          ...(options.csvMapping ? { mapping: options.csvMapping } : {}),
          ...(zone === undefined ? {} : { sourceTimeZone: zone }),
        }),
        skipped: [],
      };
    case 'zendesk':
      return {
        tickets: uniqueIds(
          jsonItems(text).map(({ where, value }) => ({
            where,
            ticket: zendeskTicketToTimeline(value, options.zendesk, where),
          })),
        ),
        skipped: [],
      };
    case 'jsm':
      return {
        tickets: uniqueIds(
          jsonItems(text).map(({ where, value }) => ({
            where,
            ticket: jsmIssueToTimeline(value, options.jsm, where),
          })),
        ),
        skipped: [],
      };
    case 'servicenow': {
      const { tickets, skipped, made_sla } = servicenowToTickets(text, { sourceTimeZone: zone as string });
      return { tickets, skipped, made_sla };
    }
  }
}

export { applyEvents, zendeskTicketToTimeline, zendeskWebhookEvents } from './zendesk';
export type { TicketEvent, ZendeskOptions, ZendeskTicketExport, ZendeskTriggerWebhook } from './zendesk';
export { jsmIssueToTimeline, jsmWebhookEvents } from './jsm';
export type { JsmIssue, JsmOptions } from './jsm';
export { csvToTickets, parseCsv, CsvReader } from './csv';
export type { CsvMapping, CsvEventsMapping, CsvTicketsMapping, CsvOptions } from './csv';
export { parseTicketJsonl, checkTicketTimeline, localToUtcMs, parseInstant } from './jsonl';
export { servicenowToTickets, servicenowIncidents, ServiceNowAssembler } from './servicenow';
export type { ServiceNowIncident, ServiceNowOptions, SkippedRow } from './servicenow';
