import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../../functions/adapters/fonts/node-font-source';
import {
  evaluateTickets,
  monthlyStatement,
  type MonthResult,
  type Statement,
} from '../../../../functions/core/sla/engine';
import {
  formatPct,
  REPORT_COLORS,
  renderSlaReport,
  type SlaReportInput,
} from '../../../../functions/core/sla/report/report-pdf';
import { slaTrend } from '../../../../functions/core/sla/report/trend';
import { checkSlaTerms, type SlaTerms } from '../../../../functions/core/sla/terms';
import { qpdfCheck } from '../../../support/pdf-tools';

const run = promisify(execFile);
const fonts = new NodeFontSource();
const SHARED = new URL('../../../../../shared/sla/', import.meta.url);

/** The example terms, with a reporting target of 50% on resolution (a target marker other than 100%). */
function terms(): SlaTerms {
  const json = JSON.parse(readFileSync(new URL('example-terms.json', SHARED), 'utf8'));
  json.metrics.resolution.min_compliance_pct = 50;
  return checkSlaTerms(json);
}

const examples = JSON.parse(readFileSync(new URL('examples.json', SHARED), 'utf8'));

/** A ticket of the example terms: created, first public reply, solved (New York times). */
function ticket(id: string, priority: string, created: string, reply: string | null, solved: string | null) {
  const at = (local: string) => `2025-06-${local}-04:00`;
  return {
    id,
    created_at: at(created),
    severity_history: [{ at: at(created), severity: priority }],
    status_history: [
      { at: at(created), status: 'New' },
      ...(solved ? [{ at: at(solved), status: 'Solved' }] : []),
    ],
    comments: reply ? [{ at: at(reply), author: 'agent' }] : [],
  };
}

/** June 2025: breaches on S1 (both metrics), S2 first response and S3 resolution; one S1 still running. */
const TICKETS = [
  // S1: first response 45 min of 30, resolution 5 h of 4 h.
  ticket('J-101', 'Urgent', '02T10:00:00', '02T10:45:00', '02T15:00:00'),
  ticket('J-102', 'Urgent', '03T09:00:00', '03T09:10:00', '03T11:00:00'),
  ticket('J-103', 'High', '04T10:00:00', '04T11:00:00', '04T14:00:00'),
  // S2: first response 3 h 30 min of business time against 2 h.
  ticket('J-104', 'High', '05T09:00:00', '05T12:30:00', '06T10:00:00'),
  // S3: solved after 9 business days against 40 h.
  ticket('J-105', 'Normal', '09T09:00:00', '09T10:00:00', '20T12:00:00'),
  ticket('J-106', 'Normal', '10T09:00:00', '10T09:30:00', '11T10:00:00'),
  ticket('J-107', 'Low', '12T09:00:00', '12T11:00:00', '13T10:00:00'),
  // S1 opened ten minutes before month end: in progress.
  ticket('J-108', 'Urgent', '30T23:50:00', null, null),
];

/** Earlier months: a trend with a gap (2024-10), and uptime misses in April and May (chronic failure). */
function history(): MonthResult[] {
  const months: [string, number, number, number | null][] = [
    ['2024-07', 20, 1, 99.95],
    ['2024-08', 18, 2, 99.97],
    ['2024-09', 22, 1, 99.99],
    ['2024-11', 25, 4, 99.92],
    ['2024-12', 15, 0, 100],
    ['2025-01', 19, 3, 99.91],
    ['2025-02', 21, 2, 99.96],
    ['2025-03', 24, 6, 99.95],
    ['2025-04', 20, 5, 99.85],
    ['2025-05', 17, 2, 99.8],
  ];
  return months.map(([month, counted, breached, uptime]) => ({
    month,
    lines: [{ severity: 'S2', metric: 'resolution', counted, breached, miss: breached > counted / 2 }],
    uptime:
      uptime === null
        ? null
        : { uptime_pct: uptime, miss: uptime < 99.9, credit_pct: uptime < 99.9 ? 10 : 0 },
    uncapped_pct: 0,
    capped_pct: 0,
    credit_minor: 0,
    cap_reached: false,
    counted: [],
    adjustments: [],
  }));
}

interface Rendered {
  input: SlaReportInput;
  statement: Statement;
  pdf: Uint8Array;
  pages: string[];
  text: string;
  pngs: PNG[];
  dir: string;
}

/** Writes the PDF and its pages as PNGs (60 dpi) under the OS temp directory, and reads them back. */
async function render(name: string, input: SlaReportInput): Promise<Rendered> {
  const pdf = await renderSlaReport(input, fonts);
  const dir = join(tmpdir(), `countersign-sla-report-${name}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'report.pdf');
  writeFileSync(path, pdf);
  for (const f of await readdir(dir)) if (f.endsWith('.png')) await rm(join(dir, f));
  await run('pdftoppm', ['-r', '60', '-png', path, join(dir, 'page')]);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.png')).sort();
  const pngs = await Promise.all(files.map(async (f) => PNG.sync.read(await readFile(join(dir, f)))));
  const pages: string[] = [];
  for (let p = 1; p <= pngs.length; p++)
    pages.push(
      (await run('pdftotext', ['-layout', '-enc', 'UTF-8', '-f', String(p), '-l', String(p), path, '-']))
        .stdout,
    );
  return { input, statement: input.statement, pdf, pages, text: pages.join('\n'), pngs, dir };
}

/** Pixels within `tolerance` (0-255, each channel) of a chart colour. */
function pixelsOf(png: PNG, color: { red: number; green: number; blue: number }, tolerance = 28): number {
  const [r, g, b] = [color.red * 255, color.green * 255, color.blue * 255];
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4)
    if (
      Math.abs(png.data[i]! - r) <= tolerance &&
      Math.abs(png.data[i + 1]! - g) <= tolerance &&
      Math.abs(png.data[i + 2]! - b) <= tolerance
    )
      count++;
  return count;
}

const rgbOf = (c: (typeof REPORT_COLORS)[keyof typeof REPORT_COLORS]) =>
  c as unknown as { red: number; green: number; blue: number };

/** The index of the page whose text matches. */
function pageWith(r: Rendered, pattern: RegExp): number {
  const index = r.pages.findIndex((p) => pattern.test(p));
  if (index === -1) throw new Error(`no page has ${pattern}`);
  return index;
}

let full: Rendered;

beforeAll(async () => {
  const t = terms();
  const hist = history();
  const statement = monthlyStatement(t, TICKETS, {
    month: '2025-06',
    outages: examples.period_examples.E13_uptime_june_2025.outages,
    history: hist,
  });
  const breaches = evaluateTickets(t, TICKETS, { asOf: statement.period.end });
  full = await render('full', {
    terms: t,
    statement,
    trend: slaTrend(statement, hist),
    breaches,
    contractName: 'ACME Portal Support',
    issuedAt: '2025-07-05',
  });
}, 60_000);

describe('renderSlaReport', () => {
  it('is a sound multi-page PDF with the header and footer on every page', async () => {
    expect(Buffer.from(full.pdf.subarray(0, 5)).toString()).toBe('%PDF-');
    expect((await qpdfCheck(full.pdf)).ok).toBe(true);
    const n = full.pages.length;
    expect(n).toBeGreaterThan(1);
    full.pages.forEach((page, i) => {
      expect(page).toContain(`SLA report — ACME Portal Support — 2025-06 — page ${i + 1} of ${n}`);
      expect(page).toContain('ACME Portal Support · June 2025');
    });
  });

  it('summarises the statement: compliance, uptime, credits, amount and claim window', () => {
    const s = full.statement;
    // The fixture: S1 first response 2%, S1 resolution 5%, S2 first response 1%, S3 compliance 3%, uptime 10%.
    expect(s).toMatchObject({ uncapped_pct: 21, capped_pct: 21, credit_minor: 210000, currency: 'USD' });
    const summary = full.pages[0]!;
    expect(summary).toContain('Monthly SLA report: June 2025');
    expect(summary).toContain('ACME Portal Support (contract ACME-SUP-2025)');
    expect(summary).toContain('report date 2025-07-05');
    // 14 measurements counted, 4 breached: 71.428…% shown cut to 71.42%.
    expect(summary).toMatch(
      /Overall compliance\s+Uptime\s+Service credit\s+Credit amount\s+71\.42%\s+99\.745%\s+21%\s+USD 2,100\.00/,
    );
    expect(summary).toContain('71.42%: 10 of 14 measurements met, 4 breached; 2 of 9 lines below target');
    expect(summary).toContain('99.74537037% against a commitment of 99.9%: missed');
    expect(summary).toContain('21% of the monthly fee before the cap, 21% after the cap of 25%');
    expect(summary).toContain('USD 2,100.00 of the monthly fee of USD 10,000.00');
    expect(summary).toContain('Applied automatically to the next invoice');
    expect(summary).toContain('2025-06-01 00:00 to 2025-07-01 00:00 (America/New_York)');
  });

  it('gives the chronic failure notice with the rule, the months and the deadline', () => {
    expect(full.statement.chronic_failure).toHaveLength(1);
    const text = full.text.replace(/\s+/g, ' ');
    expect(text).toContain(
      'Chronic failure: the right to terminate the contract without penalty can be exercised',
    );
    expect(text).toContain(
      'Rule 1, uptime below the commitment, for 3 consecutive months: April 2025, May 2025, June 2025.',
    );
    expect(text).toContain('until 2025-08-04');
  });

  it('labels every line of the bar chart and every month of the trend', () => {
    const bars = full.pages[pageWith(full, /Compliance by severity and metric/)]!;
    for (const label of [
      'S1 Critical · First response',
      'S1 Critical · Resolution',
      'S2 High · Next response',
      'S4 Low · Resolution',
    ])
      expect(bars).toContain(label);
    expect(bars).toMatch(/0%\s+20%\s+40%\s+60%\s+80%\s+100%/);
    expect(bars).toContain('50% (1 of 2 met)');
    expect(bars).toContain('no measurements');
    const trend = full.pages[pageWith(full, /Trend: July 2024 to June 2025/)]!;
    expect(trend).toMatch(/Jul\s+Aug\s+Sep\s+Oct\s+Nov\s+Dec\s+Jan\s+Feb\s+Mar\s+Apr\s+May\s+Jun/);
    expect(trend).toMatch(/2024[\s\S]*2025/);
    expect(trend).toContain('commitment 99.9%');
    expect(trend).toContain('Overall compliance');
  });

  it('lists the breaches with their breach time and elapsed time, and the in-progress item', () => {
    const text = full.text;
    expect(text).toMatch(
      /J-101\s+S1 Critical\s+First response\s+2025-06-02 10:00\s+2025-06-02 10:30\s+45 min of 30 min/,
    );
    expect(text).toMatch(
      /J-101\s+S1 Critical\s+Resolution\s+2025-06-02 10:00\s+2025-06-02 14:00\s+5 h of 4 h/,
    );
    expect(text).toMatch(/J-104\s+S2 High\s+First response\s+2025-06-05 09:00\s+2025-06-05 11:00/);
    expect(text).toMatch(/J-105\s+S3 Medium\s+Resolution/);
    expect(text).toContain('Breaches (4)');
    expect(text).toContain('In progress at month end (2)');
    expect(text).toMatch(
      /J-108\s+S1 Critical\s+First response\s+2025-06-30 23:50\s+10 min of 30 min\s+2025-07-01 00:20/,
    );
  });

  it('details credits and uptime: lines, tiers, downtime and maintenance minutes', () => {
    const text = full.text;
    expect(text).toMatch(/Total after the cap of 25%: USD 2,100.00\s+21%/);
    expect(text).toMatch(/S3 Medium · Resolution\s+2\s+1\s+50%\s+50%\s+—\s+3%\s+3%/);
    expect(text).toMatch(/Downtime\s+110 min \(1 h 50 min\)/);
    expect(text).toMatch(/Qualifying maintenance\s+120 min \(2 h\)/);
    expect(text).toMatch(/99% or more, below 99.9%\s+10%\s+applies/);
    expect(text).toContain('Adjustments to earlier months (0)');
  });

  it('draws the charts in colour, as vector graphics (no images)', async () => {
    const bars = full.pngs[pageWith(full, /Compliance by severity and metric/)]!;
    expect(pixelsOf(bars, rgbOf(REPORT_COLORS.met))).toBeGreaterThan(150);
    expect(pixelsOf(bars, rgbOf(REPORT_COLORS.missed))).toBeGreaterThan(150);
    expect(pixelsOf(bars, rgbOf(REPORT_COLORS.breachedWithinTarget))).toBeGreaterThan(100);
    const trend = full.pngs[pageWith(full, /Trend: July 2024/)]!;
    expect(pixelsOf(trend, rgbOf(REPORT_COLORS.compliance))).toBeGreaterThan(100);
    expect(pixelsOf(trend, rgbOf(REPORT_COLORS.uptime))).toBeGreaterThan(100);
    const { stdout } = await run('pdfimages', ['-list', join(full.dir, 'report.pdf')]);
    expect(stdout.trim().split('\n')).toHaveLength(2); // the header lines only
    expect(Buffer.from(full.pdf).toString('latin1')).not.toMatch(/\/Subtype\s*\/Image/);
  });

  it('renders a month without uptime, tickets or history, with a name in another script', async () => {
    const json = JSON.parse(readFileSync(new URL('example-terms.json', SHARED), 'utf8'));
    delete json.uptime;
    delete json.credits.uptime_tiers;
    json.credits.chronic_failure.rules = [{ type: 'cap_reached', consecutive_months: 2 }];
    json.credits.claim_window_days = 30;
    const t = checkSlaTerms(json);
    const statement = monthlyStatement(t, [], { month: '2025-02' });
    const r = await render('empty', {
      terms: t,
      statement,
      trend: slaTrend(statement),
      contractName: 'Договор поддержки',
    });
    expect(r.text).toContain('Договор поддержки (contract ACME-SUP-2025)');
    expect(r.text).toContain('SLA report — Договор поддержки — 2025-02 — page 1 of');
    expect(r.text).toContain('not applicable: no measurement counted this month');
    expect(r.text).toContain('the terms have no uptime commitment');
    expect(r.text).toContain('To be claimed by 2025-04-04 (30 days after the report date)');
    expect(r.text).toContain('No measurement was breached this month.');
    expect(r.text).toContain('no measurements in these months');
    expect(r.text).not.toContain('Chronic failure');
    expect((await qpdfCheck(r.pdf)).ok).toBe(true);
  });

  it('lists adjustments and falls back to the statement for breaches without metric results', async () => {
    const t = terms();
    const may = monthlyStatement(t, [], { month: '2025-05' });
    // A May ticket reaches the June statement late: May is adjusted, not restated.
    const late = {
      ...ticket('J-090', 'Urgent', '28T10:00:00', '28T11:00:00', '28T12:00:00'),
    };
    late.created_at = late.created_at.replace('2025-06', '2025-05');
    for (const e of [...late.severity_history, ...late.status_history, ...late.comments])
      e.at = e.at.replace('2025-06', '2025-05');
    const statement = monthlyStatement(t, [late, ...TICKETS.slice(0, 2)], { month: '2025-06', issued: may });
    expect(statement.adjustments).toHaveLength(1);
    const r = await render('adjusted', { terms: t, statement, trend: slaTrend(statement, [may]) });
    const text = r.text;
    expect(text).toContain('Adjustments to earlier months (1)');
    expect(text).toContain('May 2025: credit USD 0.00 → USD 200.00 (+USD 200.00)');
    expect(text).toMatch(/J-090\s+First response\s+2025-05-28 10:00\s+not counted\s+S1 Critical, breached/);
    // Without metric results: the breached instances from the statement, times unknown.
    expect(text).toMatch(/J-101\s+S1 Critical\s+First response\s+2025-06-02 10:00\s+—\s+—/);
    expect(text).toContain('Trend: May 2025 to June 2025');
  });
});

describe('formatPct', () => {
  it('cuts rather than rounds, and drops trailing zeros', () => {
    expect(formatPct(99.899)).toBe('99.89%');
    expect(formatPct(100)).toBe('100%');
    expect(formatPct(66.66666667)).toBe('66.66%');
    expect(formatPct(99.74537037, 3)).toBe('99.745%');
    expect(formatPct(0)).toBe('0%');
  });
});
