/**
 * ServiceNow incident event logs: one CSV row per update of an incident (columns `number`,
 * `incident_state`, `sys_mod_count`, `opened_at`, `sys_updated_at`, `priority`, `made_sla`, …;
 * dates `d/m/yyyy HH:MM` without a zone; `?` for a missing value), as in the UCI "Incident
 * management process enriched event log" (Amaral, Fantinato, Peres; CC BY 4.0), turned into one
 * timeline per incident.
 *
 * - Times have no offset: the caller declares the zone they were recorded in, and each is read
 *   there (a time in a DST gap moves forward to the end of the gap, an ambiguous one takes its
 *   first occurrence).
 * - An incident's rows are taken in update order (`sys_mod_count`, then `sys_updated_at`, then
 *   file order). `created_at` is `opened_at`; the state and priority of the first row hold from
 *   then, and each later change of `incident_state` or `priority` is a status or severity entry at
 *   its row's `sys_updated_at`. Values are passed on as they are (`Awaiting User Info`,
 *   `3 - Moderate`) for the terms' `status_map` and `severity_map`.
 * - The log has no comments. As the stand-in for the first response, the first change from `New`
 *   to `Active` is emitted as one public agent comment at that row's time; an incident that never
 *   goes from New to Active has no comments.
 * - Rows with bad data are skipped and listed, never dropped silently: a missing (`?`) number,
 *   state, priority, opened_at or sys_updated_at, a negative state code (`-100`), an update stamped
 *   before `opened_at`, an `opened_at` that differs from the incident's, and a change stamped
 *   before the change preceding it. A malformed value (`31/2/2016 10:00`, a `made_sla` other than
 *   true/false/?) is an error naming its row, incident and column.
 * - `made_sla`, ServiceNow's own verdict, is returned per incident for comparison: the value of
 *   its last update, and the time of the first update where it was false.
 * - An incident's rows must be together (the log is sorted by number): rows of an incident that
 *   reappear after another incident's are an error, so a stream can emit each incident as soon as
 *   its rows end.
 */
import type { TicketTimeline } from '../ticket';
import type { CsvRecord } from './csv';
import { CsvReader } from './csv';
import { describe, fail, formatUtc, isTimeZone, localToUtcMs, parseSlashDateTime } from './jsonl';

export interface ServiceNowOptions {
  /** IANA zone the log's times were recorded in, e.g. `America/Sao_Paulo`. Required. */
  sourceTimeZone: string;
}

/** A row left out of the timelines, and why. `row` counts the header as row 1. */
export interface SkippedRow {
  row: number;
  ticket: string;
  reason: string;
}

export interface ServiceNowIncident {
  /** The incident number (`?` for rows without one). */
  number: string;
  /** `null` when none of the incident's rows could be used. */
  ticket: TicketTimeline | null;
  /** ServiceNow's verdict at the incident's last update; `null` when that row has `?`. */
  made_sla: boolean | null;
  /** `sys_updated_at` (UTC) of the first update whose made_sla is false, if any. */
  made_sla_false_at?: string;
  /** Rows read for the incident, skipped ones included. */
  rows: number;
  skipped: SkippedRow[];
}

const REQUIRED = ['number', 'incident_state', 'opened_at', 'sys_updated_at', 'priority'] as const;
const OPTIONAL = ['sys_mod_count', 'made_sla'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

const MISSING = '?';
const NEW_STATE = 'New';
const ACTIVE_STATE = 'Active';

interface Row {
  row: number;
  mod: number | undefined;
  state: string;
  priority: string;
  opened: string;
  openedMs: number;
  updated: string;
  updatedMs: number;
  madeSla: boolean | null;
}

interface Group {
  number: string;
  rows: Row[];
  count: number;
  skipped: SkippedRow[];
}

/**
 * A copy of `value` that does not share memory with the text it was cut from: a field cut out of
 * a decoded chunk would otherwise keep the whole chunk alive as long as the field lives (in a
 * cache, or in a timeline the caller keeps).
 */
function detached(value: string): string {
  return JSON.parse(JSON.stringify(value)) as string;
}

/**
 * Builds incidents from the log's CSV records, fed in file order (the header first). `push`
 * returns the incidents whose rows have ended; `end` the last one.
 */
export class ServiceNowAssembler {
  private columns: Record<Column, number | undefined> | undefined;
  private group: Group | undefined;
  private readonly finished = new Set<string>();
  private readonly zone: string;
  private readonly times = new Map<string, number>();
  private readonly words = new Map<string, string>();
  private width = 0;

  constructor(options: ServiceNowOptions) {
    if (options?.sourceTimeZone === undefined) {
      fail(
        'options',
        undefined,
        'sourceTimeZone',
        'is required: ServiceNow log times have no offset, so declare the IANA zone they were recorded in (e.g. America/Sao_Paulo)',
      );
    }
    if (!isTimeZone(options.sourceTimeZone)) {
      fail(
        'options',
        undefined,
        'sourceTimeZone',
        `${describe(options.sourceTimeZone)} is not an IANA time zone`,
      );
    }
    this.zone = options.sourceTimeZone;
  }

  push(record: CsvRecord): ServiceNowIncident[] {
    if (!this.columns) {
      this.columns = this.readHeader(record);
      return [];
    }
    const columns = this.columns;
    const cell = (column: Column) => {
      const at = columns[column];
      return at === undefined ? '' : (record.fields[at] ?? '').trim();
    };
    const width = record.fields.length;
    const number = cell('number') === '' ? MISSING : cell('number');
    const out: ServiceNowIncident[] = [];
    if (this.group && this.group.number !== number) {
      out.push(this.flush(this.group));
      this.group = undefined;
    }
    if (!this.group) {
      if (number !== MISSING && this.finished.has(number)) {
        fail(
          `row ${record.row}`,
          number,
          'number',
          "appears again after other incidents: the log must keep each incident's rows together (sort it by number)",
        );
      }
      this.group = { number: detached(number), rows: [], count: 0, skipped: [] };
    }
    const group = this.group;
    group.count += 1;
    if (width !== this.width) {
      fail(
        `row ${record.row}`,
        number === MISSING ? undefined : number,
        undefined,
        `has ${width} fields, the header has ${this.width}`,
      );
    }
    const state = cell('incident_state');
    const priority = cell('priority');
    const opened = cell('opened_at');
    const updated = cell('sys_updated_at');
    const missing = (['number', 'incident_state', 'priority', 'opened_at', 'sys_updated_at'] as const).find(
      (column) => cell(column) === MISSING || cell(column) === '',
    );
    if (missing) {
      group.skipped.push({
        row: record.row,
        ticket: number === MISSING ? '' : group.number,
        reason: `${missing} is missing (?)`,
      });
      return out;
    }
    if (/^-\d+$/.test(state)) {
      group.skipped.push({
        row: record.row,
        ticket: group.number,
        reason: `incident_state ${JSON.stringify(state)} is not a state`,
      });
      return out;
    }
    const openedMs = this.time(opened, record.row, number, 'opened_at');
    const updatedMs = this.time(updated, record.row, number, 'sys_updated_at');
    let mod: number | undefined;
    if (columns.sys_mod_count !== undefined) {
      const raw = cell('sys_mod_count');
      if (/^\d+$/.test(raw)) mod = Number(raw);
      else if (raw !== MISSING && raw !== '') {
        fail(`row ${record.row}`, number, 'sys_mod_count', `${JSON.stringify(raw)} is not a count`);
      }
    }
    let madeSla: boolean | null = null;
    if (columns.made_sla !== undefined) {
      const raw = cell('made_sla').toLowerCase();
      if (raw === 'true') madeSla = true;
      else if (raw === 'false') madeSla = false;
      else if (raw !== MISSING && raw !== '') {
        fail(
          `row ${record.row}`,
          number,
          'made_sla',
          `${JSON.stringify(cell('made_sla'))} is not true or false`,
        );
      }
    }
    group.rows.push({
      row: record.row,
      mod,
      state: this.word(state),
      priority: this.word(priority),
      opened,
      openedMs,
      updated,
      updatedMs,
      madeSla,
    });
    return out;
  }

  end(): ServiceNowIncident[] {
    if (!this.columns) fail('row 1', undefined, undefined, 'the log is empty: a header row is required');
    const out = this.group ? [this.flush(this.group)] : [];
    this.group = undefined;
    return out;
  }

  private readHeader(record: CsvRecord): Record<Column, number | undefined> {
    const names = record.fields.map((name) => name.trim());
    this.width = names.length;
    const missing = REQUIRED.filter((name) => !names.includes(name));
    if (missing.length > 0) {
      fail(
        `row ${record.row}`,
        undefined,
        undefined,
        `the header lacks the column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of a ServiceNow incident log`,
      );
    }
    const columns = {} as Record<Column, number | undefined>;
    for (const name of [...REQUIRED, ...OPTIONAL]) {
      const at = names.indexOf(name);
      columns[name] = at === -1 ? undefined : at;
    }
    return columns;
  }

  /** Reads `d/m/yyyy HH:MM` in the declared zone; malformed values are errors. */
  private time(raw: string, row: number, ticket: string, column: string): number {
    const cached = this.times.get(raw);
    if (cached !== undefined) return cached;
    const local = parseSlashDateTime(raw, 'dmy');
    if (local === undefined || local === 'invalid') {
      fail(
        `row ${row}`,
        ticket,
        column,
        `${JSON.stringify(raw)} is not a date${local === undefined ? ' (d/m/yyyy HH:MM)' : ''}`,
      );
    }
    const ms = localToUtcMs(local, this.zone);
    if (this.times.size >= 50_000) this.times.clear();
    this.times.set(detached(raw), ms);
    return ms;
  }

  /** One shared, detached copy of each state and priority value. */
  private word(value: string): string {
    let word = this.words.get(value);
    if (word === undefined) {
      word = detached(value);
      if (this.words.size < 10_000) this.words.set(word, word);
    }
    return word;
  }

  private flush(group: Group): ServiceNowIncident {
    if (group.number !== MISSING) this.finished.add(group.number);
    const incident: ServiceNowIncident = {
      number: group.number,
      ticket: null,
      made_sla: null,
      rows: group.count,
      skipped: group.skipped,
    };
    const skip = (row: Row, reason: string) =>
      group.skipped.push({ row: row.row, ticket: group.number, reason });
    const first = group.rows[0];
    if (first) {
      const byMod = group.rows.every((row) => row.mod !== undefined);
      const ordered = group.rows
        .filter((row) => {
          if (row.opened !== first.opened) {
            skip(
              row,
              `opened_at ${JSON.stringify(row.opened)} differs from the incident's (${JSON.stringify(first.opened)}, row ${first.row})`,
            );
            return false;
          }
          if (row.updatedMs < first.openedMs) {
            skip(
              row,
              `sys_updated_at ${JSON.stringify(row.updated)} is before opened_at ${JSON.stringify(first.opened)}`,
            );
            return false;
          }
          return true;
        })
        .sort((a, b) => (byMod ? a.mod! - b.mod! : 0) || a.updatedMs - b.updatedMs || a.row - b.row);
      const head = ordered[0];
      if (head) {
        const createdAt = formatUtc(first.openedMs);
        const ticket: TicketTimeline = {
          id: group.number,
          created_at: createdAt,
          severity_history: [{ at: createdAt, severity: head.priority }],
          status_history: [{ at: createdAt, status: head.state }],
          comments: [],
        };
        let state = head.state;
        let priority = head.priority;
        let last = { ms: first.openedMs, row: head };
        for (const row of ordered.slice(1)) {
          const changesState = row.state !== state;
          const changesPriority = row.priority !== priority;
          if (!changesState && !changesPriority) continue;
          if (row.updatedMs < last.ms) {
            skip(
              row,
              `sys_updated_at ${JSON.stringify(row.updated)} is before the change preceding it (row ${last.row.row}, ${JSON.stringify(last.row.updated)})`,
            );
            continue;
          }
          const at = formatUtc(row.updatedMs);
          if (changesState) {
            ticket.status_history.push({ at, status: row.state });
            if (state === NEW_STATE && row.state === ACTIVE_STATE && ticket.comments.length === 0) {
              ticket.comments.push({ at, author: 'agent', public: true });
            }
          }
          if (changesPriority) ticket.severity_history.push({ at, severity: row.priority });
          state = row.state;
          priority = row.priority;
          last = { ms: row.updatedMs, row };
        }
        incident.ticket = ticket;
        incident.made_sla = ordered[ordered.length - 1]!.madeSla;
        const firstFalse = ordered.find((row) => row.madeSla === false);
        if (firstFalse) incident.made_sla_false_at = formatUtc(firstFalse.updatedMs);
      }
    }
    group.skipped.sort((a, b) => a.row - b.row);
    return incident;
  }
}

/** Converts a whole ServiceNow incident log (CSV text) into incidents; see the module comment. */
export function servicenowIncidents(text: string, options: ServiceNowOptions): ServiceNowIncident[] {
  const assembler = new ServiceNowAssembler(options);
  const reader = new CsvReader();
  const incidents: ServiceNowIncident[] = [];
  for (const record of [...reader.push(text), ...reader.end()]) incidents.push(...assembler.push(record));
  incidents.push(...assembler.end());
  return incidents;
}

/** The timelines, skipped rows and made_sla verdicts of a ServiceNow incident log. */
export function servicenowToTickets(
  text: string,
  options: ServiceNowOptions,
): {
  tickets: TicketTimeline[];
  skipped: SkippedRow[];
  made_sla: Record<string, boolean | null>;
  incidents: ServiceNowIncident[];
} {
  const incidents = servicenowIncidents(text, options);
  const tickets: TicketTimeline[] = [];
  const skipped: SkippedRow[] = [];
  const madeSla: Record<string, boolean | null> = {};
  for (const incident of incidents) {
    skipped.push(...incident.skipped);
    if (!incident.ticket) continue;
    tickets.push(incident.ticket);
    madeSla[incident.number] = incident.made_sla;
  }
  return { tickets, skipped, made_sla: madeSla, incidents };
}
