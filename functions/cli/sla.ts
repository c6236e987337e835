import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { NodeFontSource } from '../adapters/fonts/node-font-source';
import { ValidationError } from '../core/errors';
import { evaluateTickets, monthlyStatement, parseInstant, statementCsv } from '../core/sla/engine';
import { MONTH_PATTERN } from '../core/sla/engine/zone';
import {
  parseTicketInput,
  type CsvMapping,
  type TicketInputFormat,
  type TicketInputResult,
} from '../core/sla/ingest';
import { renderSlaReport } from '../core/sla/report/report-pdf';
import { slaTrend } from '../core/sla/report/trend';
import { checkSlaTerms, type SlaTerms } from '../core/sla/terms';
import { UsageError } from './usage-error';

export const SLA_USAGE = `  sla evaluate   Per-ticket SLA metric results as JSON Lines, one per metric instance
          --terms FILE              SLA terms (JSON, terms.schema.json)
          --tickets FILE            the tickets, in the format of --from
          --from FORMAT             jsonl (default: ticket timelines, one per line), csv,
                                    zendesk (tickets with audits), jsm (issues with changelog),
                                    servicenow (incident event log CSV; needs --source-time-zone)
          --csv-mapping FILE        --from csv: the column mapping (JSON; may also hold
                                    "dateFormat" and "delimiter")
          --as-of ISO               evaluate as of this instant (default now)
          --source-time-zone ZONE   IANA zone of times written without a UTC offset
  sla statement  The monthly compliance statement: lines, uptime, credits, chronic-failure flags
          --terms FILE --tickets FILE --month YYYY-MM
          --from FORMAT --csv-mapping FILE   as for sla evaluate
          --outages FILE            outages and maintenance windows (JSON array)
          --history FILE            earlier months' statements or their "result" (JSON array);
                                    the PDF report's 12-month trend is drawn from them
          --format json|csv|pdf     default json; pdf is the monthly SLA report, with --out
          --out FILE                write the output to FILE (prints its path)
          --contract-name NAME      the contract's name in the PDF report
          --source-time-zone ZONE   IANA zone of times written without a UTC offset
  Rows an input format skips (servicenow) are listed on stderr.
`;

const FORMATS: readonly TicketInputFormat[] = ['jsonl', 'csv', 'zendesk', 'jsm', 'servicenow'];

/** The CSV settings a mapping file may hold besides the mapping. */
const CSV_SETTINGS = ['dateFormat', 'delimiter'] as const;
/** Every key a mapping file may hold: the mapping's (either layout) and the settings. */
const CSV_MAPPING_KEYS = new Set([
  'layout',
  'ticketId',
  'time',
  'kind',
  'value',
  'author',
  'public',
  'source',
  'kinds',
  'authors',
  'createdAt',
  'severity',
  'customerReportedAt',
  'firstResponseAt',
  'solvedAt',
  'closedAt',
  ...CSV_SETTINGS,
]);

/** The fields of an evaluate line, in order. */
const EVALUATE_FIELDS = [
  'ticket',
  'metric',
  'severity',
  'breach_severity',
  'elapsed_min',
  'target_min',
  'due',
  'breached',
  'breach_at',
  'state',
  'period',
] as const;

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ValidationError(`cannot read the ${what} file ${path}${code ? ` (${code})` : ''}`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`the ${what} file ${path} is not JSON: ${(error as Error).message}`);
  }
}

async function readTerms(path: string): Promise<SlaTerms> {
  return checkSlaTerms(await readJson(path, 'terms'), 'terms');
}

/** JSON Lines (blank lines skipped); a file holding one JSON array is read as the list too. */
async function readTickets(path: string): Promise<unknown[]> {
  const text = await readText(path, 'tickets');
  if (text.trimStart().startsWith('[')) {
    const list = await readJson(path, 'tickets');
    if (Array.isArray(list)) return list;
  }
  const tickets: unknown[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      tickets.push(JSON.parse(line));
    } catch (error) {
      throw new ValidationError(`${path} line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
  });
  return tickets;
}

interface TicketSource {
  path: string;
  from: TicketInputFormat;
  csvMapping?: string;
  zone?: string;
}

/** The --from, --csv-mapping and --tickets options, checked. */
function ticketSource(values: {
  tickets?: string;
  from?: string;
  'csv-mapping'?: string;
  'source-time-zone'?: string;
}): TicketSource {
  const path = required(values.tickets, '--tickets', 'FILE');
  const from = (values.from ?? 'jsonl') as TicketInputFormat;
  if (!FORMATS.includes(from)) throw new UsageError(`--from "${values.from}": ${FORMATS.join(', ')}`);
  if (values['csv-mapping'] !== undefined && from !== 'csv')
    throw new UsageError('--csv-mapping goes with --from csv');
  const zone = values['source-time-zone'];
  if (from === 'servicenow' && zone === undefined)
    throw new UsageError('--from servicenow needs --source-time-zone ZONE: its times have no UTC offset');
  return {
    path,
    from,
    ...(values['csv-mapping'] !== undefined ? { csvMapping: values['csv-mapping'] } : {}),
    ...(zone !== undefined ? { zone } : {}),
  };
}

async function readCsvMapping(path: string) {
  const value = await readJson(path, 'CSV mapping');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ValidationError(`the CSV mapping file ${path} must hold a JSON object`);
  const unknown = Object.keys(value).filter((k) => !CSV_MAPPING_KEYS.has(k));
  if (unknown.length > 0)
    throw new ValidationError(
      `the CSV mapping file ${path}: ${unknown.map((k) => JSON.stringify(k)).join(', ')} ${
        unknown.length === 1 ? 'is not a mapping key' : 'are not mapping keys'
      } (keys: ${[...CSV_MAPPING_KEYS].join(', ')})`,
    );
  const { dateFormat, delimiter, ...mapping } = value as Record<string, unknown>;
  return {
    csvMapping: mapping as unknown as CsvMapping,
    csv: {
      ...(dateFormat !== undefined ? { dateFormat: dateFormat as 'iso' | 'd/m/y' | 'm/d/y' } : {}),
      ...(delimiter !== undefined ? { delimiter: delimiter as string } : {}),
    },
  };
}

/**
 * The tickets of --tickets: JSON Lines (or a JSON array) of timelines as they are, checked by the
 * engine; any other format through its converter. Rows the converter skips go to stderr.
 */
async function loadTickets(source: TicketSource): Promise<unknown[]> {
  if (source.from === 'jsonl') return readTickets(source.path);
  const text = await readText(source.path, 'tickets');
  const options = {
    ...(source.csvMapping !== undefined ? await readCsvMapping(source.csvMapping) : {}),
    ...(source.zone !== undefined ? { sourceTimeZone: source.zone } : {}),
  };
  let result: TicketInputResult;
  try {
    result = parseTicketInput(source.from, text, options);
  } catch (error) {
    if (error instanceof ValidationError)
      throw new ValidationError(`${source.path}: ${error.message}`, error.details);
    throw error;
  }
  if (result.skipped.length > 0)
    process.stderr.write(
      `countersign sla: ${source.path}: skipped ${result.skipped.length} row${result.skipped.length === 1 ? '' : 's'}\n${result.skipped
        .map((r) => `  row ${r.row} (ticket ${r.ticket}): ${r.reason}\n`)
        .join('')}`,
    );
  return result.tickets;
}

async function readList(path: string, what: string, key: string): Promise<unknown[]> {
  const value = await readJson(path, what);
  const list = Array.isArray(value) ? value : (value as Record<string, unknown> | null)?.[key];
  if (!Array.isArray(list)) throw new ValidationError(`the ${what} file ${path} must hold a JSON array`);
  return list;
}

function required(value: string | undefined, flag: string, what: string): string {
  if (value === undefined) throw new UsageError(`give ${flag} ${what}`);
  return value;
}

async function evaluate(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      terms: { type: 'string' },
      tickets: { type: 'string' },
      from: { type: 'string' },
      'csv-mapping': { type: 'string' },
      'as-of': { type: 'string' },
      'source-time-zone': { type: 'string' },
    },
    strict: true,
  });
  const termsPath = required(values.terms, '--terms', 'TERMS.json');
  const source = ticketSource(values);
  const zone = values['source-time-zone'];
  const asOf = values['as-of'];
  if (asOf !== undefined) {
    try {
      parseInstant(asOf, { subject: 'sla evaluate', path: '--as-of' }, zone);
    } catch (error) {
      throw new UsageError((error as Error).message.replace(/^sla evaluate: /, ''));
    }
  }
  const terms = await readTerms(termsPath);
  const results = evaluateTickets(terms, await loadTickets(source), {
    ...(asOf !== undefined ? { asOf } : {}),
    ...(zone !== undefined ? { sourceTimeZone: zone } : {}),
  });
  return results
    .map((r) => JSON.stringify(Object.fromEntries(EVALUATE_FIELDS.map((f) => [f, r[f]]))))
    .join('\n');
}

async function statement(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      terms: { type: 'string' },
      tickets: { type: 'string' },
      from: { type: 'string' },
      'csv-mapping': { type: 'string' },
      outages: { type: 'string' },
      history: { type: 'string' },
      month: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      'contract-name': { type: 'string' },
      'source-time-zone': { type: 'string' },
    },
    strict: true,
  });
  const termsPath = required(values.terms, '--terms', 'TERMS.json');
  const source = ticketSource(values);
  const month = required(values.month, '--month', 'YYYY-MM');
  if (!MONTH_PATTERN.test(month)) throw new UsageError(`--month "${month}" is not a month (YYYY-MM)`);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'csv' && format !== 'pdf')
    throw new UsageError(`--format "${format}": json, csv or pdf`);
  const out = values.out;
  if (format === 'pdf' && out === undefined) throw new UsageError('--format pdf needs --out FILE');
  const terms = await readTerms(termsPath);
  const tickets = await loadTickets(source);
  const zone = values['source-time-zone'];
  const history = values.history !== undefined ? await readList(values.history, 'history', 'history') : [];
  const result = monthlyStatement(terms, tickets, {
    month,
    ...(values.outages !== undefined
      ? { outages: await readList(values.outages, 'outages', 'outages') }
      : {}),
    ...(values.history !== undefined ? { history } : {}),
    ...(zone !== undefined ? { sourceTimeZone: zone } : {}),
  });
  let output: string | Uint8Array;
  if (format === 'pdf') {
    // The month's breaches with their times, evaluated as the statement is: as of the month end.
    const breaches = evaluateTickets(terms, tickets, {
      asOf: result.period.end,
      ...(zone !== undefined ? { sourceTimeZone: zone } : {}),
    }).filter((r) => r.breached && r.period === month);
    output = await renderSlaReport(
      {
        terms,
        statement: result,
        trend: slaTrend(result, history),
        breaches,
        ...(values['contract-name'] !== undefined ? { contractName: values['contract-name'] } : {}),
      },
      new NodeFontSource(),
    );
  } else output = format === 'csv' ? statementCsv(result) : `${JSON.stringify(result, null, 2)}\n`;
  if (out !== undefined) {
    try {
      await writeFile(out, output);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ValidationError(`cannot write ${out}${code ? ` (${code})` : ''}`);
    }
    return out;
  }
  // runCli ends the output with "\n": the CSV's last CRLF and the JSON's line end are completed by it.
  return (output as string).slice(0, -1);
}

export async function sla(args: string[]): Promise<string> {
  const [sub, ...rest] = args;
  if (sub === 'evaluate') return evaluate(rest);
  if (sub === 'statement') return statement(rest);
  throw new UsageError(`unknown sla command "${sub ?? ''}"; try: sla evaluate, sla statement`);
}
