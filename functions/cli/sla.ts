import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ValidationError } from '../core/errors';
import { evaluateTickets, monthlyStatement, parseInstant, statementCsv } from '../core/sla/engine';
import { MONTH_PATTERN } from '../core/sla/engine/zone';
import { checkSlaTerms, type SlaTerms } from '../core/sla/terms';
import { UsageError } from './usage-error';

export const SLA_USAGE = `  sla evaluate   Per-ticket SLA metric results as JSON Lines, one per metric instance
          --terms FILE              SLA terms (JSON, terms.schema.json)
          --tickets FILE            ticket timelines, JSON Lines (one ticket per line)
          --as-of ISO               evaluate as of this instant (default now)
          --source-time-zone ZONE   IANA zone of times written without a UTC offset
  sla statement  The monthly compliance statement: lines, uptime, credits, chronic-failure flags
          --terms FILE --tickets FILE --month YYYY-MM
          --outages FILE            outages and maintenance windows (JSON array)
          --history FILE            earlier months' statements or their "result" (JSON array)
          --format json|csv         default json
          --source-time-zone ZONE   IANA zone of times written without a UTC offset
`;

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
      'as-of': { type: 'string' },
      'source-time-zone': { type: 'string' },
    },
    strict: true,
  });
  const termsPath = required(values.terms, '--terms', 'TERMS.json');
  const ticketsPath = required(values.tickets, '--tickets', 'TICKETS.jsonl');
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
  const results = evaluateTickets(terms, await readTickets(ticketsPath), {
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
      outages: { type: 'string' },
      history: { type: 'string' },
      month: { type: 'string' },
      format: { type: 'string' },
      'source-time-zone': { type: 'string' },
    },
    strict: true,
  });
  const termsPath = required(values.terms, '--terms', 'TERMS.json');
  const ticketsPath = required(values.tickets, '--tickets', 'TICKETS.jsonl');
  const month = required(values.month, '--month', 'YYYY-MM');
  if (!MONTH_PATTERN.test(month)) throw new UsageError(`--month "${month}" is not a month (YYYY-MM)`);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format "${format}": json or csv`);
  const terms = await readTerms(termsPath);
  const tickets = await readTickets(ticketsPath);
  const zone = values['source-time-zone'];
  const result = monthlyStatement(terms, tickets, {
    month,
    ...(values.outages !== undefined
      ? { outages: await readList(values.outages, 'outages', 'outages') }
      : {}),
    ...(values.history !== undefined
      ? { history: await readList(values.history, 'history', 'history') }
      : {}),
    ...(zone !== undefined ? { sourceTimeZone: zone } : {}),
  });
  // runCli ends the output with "\n": the CSV's last CRLF is completed by it.
  return format === 'csv' ? statementCsv(result).slice(0, -1) : JSON.stringify(result, null, 2);
}

export async function sla(args: string[]): Promise<string> {
  const [sub, ...rest] = args;
  if (sub === 'evaluate') return evaluate(rest);
  if (sub === 'statement') return statement(rest);
  throw new UsageError(`unknown sla command "${sub ?? ''}"; try: sla evaluate, sla statement`);
}
