/**
 * A bulk send's list of parties as a spreadsheet (CSV): per role a name, an e-mail and an optional
 * language column (`role:customer.name`, `role:customer.email`, `role:customer.language`:
 * prefixed, since merge keys such as `customer.name` are columns too), per merge key a column named by the key, and an optional `title`. Pure: the
 * page reads the file; this turns its text into the API's rows and says what is wrong, by
 * spreadsheet line, before anything is sent.
 */

import Papa from 'papaparse';
import { MAX_BULK_ROWS } from '../../functions/core/bulk-send/shared';
import { nestMergeData } from './logic';
import type { Template } from './pages/template-types';

export interface Columns {
  /** Per role: its name and e-mail columns. */
  /** Per role: its name and e-mail columns, and its optional language column (en, es). */
  roles: { role: string; name: string; email: string; language: string }[];
  /** Per merge key: its column (the key itself) and whether the template needs it. */
  merge: { key: string; column: string; required: boolean }[];
}

export interface BulkRow {
  title?: string;
  roles: Record<string, { name: string; email: string; language?: string }>;
  mergeData: Record<string, unknown>;
}

export interface Parsed {
  rows: BulkRow[];
  /** What is wrong, each with the spreadsheet line it is on (1 is the header). */
  problems: { line: number; message: string }[];
}

/** Role columns are `role:<role>.name` and `role:<role>.email`; merge columns are the keys. */
export function columnsOf(template: Pick<Template, 'roles' | 'mergeFields'>): Columns {
  const keys = new Map<string, boolean>();
  for (const m of template.mergeFields) keys.set(m.key, (keys.get(m.key) ?? false) || m.required !== false);
  return {
    roles: [...template.roles]
      .sort((a, b) => a.step - b.step)
      .map((r) => ({
        role: r.name,
        name: `role:${r.name}.name`,
        email: `role:${r.name}.email`,
        language: `role:${r.name}.language`,
      })),
    merge: [...keys].map(([key, required]) => ({ key, column: key, required })),
  };
}

/** A file to fill in: the header, and one example line. */
export function csvExample(template: Pick<Template, 'roles' | 'mergeFields'>): string {
  const c = columnsOf(template);
  const header = [
    ...c.roles.flatMap((r) => [r.name, r.email, r.language]),
    ...c.merge.map((m) => m.column),
    'title',
  ];
  const example = [
    ...c.roles.flatMap((r) => [`${r.role} name`, `${r.role}@example.com`, '']),
    ...c.merge.map((m) => `${m.key} value`),
    '',
  ];
  return Papa.unparse([header, example]);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LANGUAGES = ['en', 'es'];

/** The rows of a CSV for this template, or what is wrong with it. */
export function rowsFromCsv(text: string, template: Pick<Template, 'roles' | 'mergeFields'>): Parsed {
  const c = columnsOf(template);
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim(),
  });
  const problems: Parsed['problems'] = [];
  const header = new Set(parsed.meta.fields ?? []);
  const needed = [
    ...c.roles.flatMap((r) => [r.name, r.email]),
    ...c.merge.filter((m) => m.required).map((m) => m.column),
  ];
  const absent = needed.filter((col) => !header.has(col));
  if (absent.length) {
    problems.push({
      line: 1,
      message: `missing column${absent.length > 1 ? 's' : ''}: ${absent.join(', ')}`,
    });
    return { rows: [], problems };
  }
  for (const error of parsed.errors.slice(0, 20)) {
    problems.push({ line: (error.row ?? 0) + 2, message: error.message });
  }
  if (parsed.data.length === 0) problems.push({ line: 2, message: 'no rows: one line per envelope' });
  if (parsed.data.length > MAX_BULK_ROWS) {
    problems.push({
      line: MAX_BULK_ROWS + 2,
      message: `at most ${MAX_BULK_ROWS} rows in one bulk send: split the file`,
    });
  }
  const rows = parsed.data.slice(0, MAX_BULK_ROWS).map((record, i) => {
    const line = i + 2;
    const value = (col: string) => (record[col] ?? '').trim();
    const roles: BulkRow['roles'] = {};
    for (const r of c.roles) {
      const name = value(r.name);
      const email = value(r.email);
      if (!name) problems.push({ line, message: `${r.name} is empty` });
      if (!EMAIL.test(email)) problems.push({ line, message: `${r.email} is not an e-mail address` });
      const language = value(r.language).toLowerCase();
      if (language && !LANGUAGES.includes(language)) {
        problems.push({ line, message: `${r.language} is "${language}": en, es or empty` });
      }
      roles[r.role] = { name, email, ...(language ? { language } : {}) };
    }
    const values: Record<string, string> = {};
    for (const m of c.merge) {
      const v = value(m.column);
      if (v) values[m.key] = v;
      else if (m.required) problems.push({ line, message: `${m.column} is empty` });
    }
    const title = value('title');
    return { ...(title ? { title } : {}), roles, mergeData: nestMergeData(values) };
  });
  return { rows, problems };
}

/** The spreadsheet line of a path the API names (`body.rows[4].roles.customer.email` is line 6). */
export function lineOfPath(path: string): number | undefined {
  const m = /^body\.rows\[(\d+)\]/.exec(path);
  return m ? Number(m[1]) + 2 : undefined;
}
