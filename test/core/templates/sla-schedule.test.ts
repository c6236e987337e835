import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PDFDocument } from 'pdf-lib';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { checkSlaTerms, type SlaTerms } from '../../../functions/core/sla/terms';
import {
  drawSlaSchedule,
  formatMinutes,
  formatMoney,
  slaScheduleModel,
  type ScheduleSection,
  type ScheduleTable,
} from '../../../functions/core/templates/sla-schedule';
import { makePdf } from '../../support/pdf';
import { fontsOf, pageCount, pageSize, qpdfCheck } from '../../support/pdf-tools';
import { pageText, renderPage } from '../../support/pdfsig';
import { darkPixels } from '../../support/signing';

const fonts = new NodeFontSource();
const A4: [number, number] = [595.28, 841.89];

const exampleJson = (): Record<string, any> =>
  JSON.parse(readFileSync(new URL('../../../../shared/sla/example-terms.json', import.meta.url), 'utf8'));
const example = (): SlaTerms => checkSlaTerms(exampleJson());

/** The example's targets as the schedule states them. */
const TARGETS: [severity: string, metric: string, target: string, calendar: string][] = [
  ['S1 (Critical)', 'First response', '30 min', '24x7'],
  ['S1 (Critical)', 'Resolution', '4 h', '24x7'],
  ['S2 (High)', 'First response', '2 h', 'ny_biz'],
  ['S2 (High)', 'Next response', '4 h', 'ny_biz'],
  ['S2 (High)', 'Resolution', '16 h', 'ny_biz'],
  ['S3 (Medium)', 'First response', '4 h', 'ny_biz'],
  ['S3 (Medium)', 'Resolution', '40 h', 'ny_biz'],
  ['S4 (Low)', 'First response', '8 h', 'ny_biz'],
  ['S4 (Low)', 'Resolution', '80 h', 'ny_biz'],
];

function sectionOf(model: ScheduleSection[], title: string): ScheduleSection {
  const found = model.find((s) => s.title.replace(/^\d+\. /, '') === title);
  if (!found) throw new Error(`no section ${title}: ${model.map((s) => s.title).join(', ')}`);
  return found;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const tablesOf = (section: ScheduleSection) =>
  section.blocks.filter((b): b is ScheduleTable => b.kind === 'table');

/** Every string of the model, in order. */
function textOf(model: ScheduleSection[]): string {
  return model
    .flatMap((s) => [
      s.title,
      ...s.blocks.flatMap((b) =>
        b.kind === 'table'
          ? [...b.columns, ...b.rows.flat()]
          : b.kind === 'fields'
            ? b.rows.flatMap((r) => [r.label, r.value])
            : [b.text],
      ),
    ])
    .join('\n');
}

/**
 * `pdftotext -raw`: the text in the order it is drawn, so a table row is one line. (The default
 * reading-order mode joins the two one-letter words of a line like "4 h" into "4h".)
 */
async function rawText(pdf: Uint8Array, from: number, to: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'countersign-sla-'));
  try {
    const path = join(dir, 'doc.pdf');
    await writeFile(path, pdf);
    const args = ['-raw', '-enc', 'UTF-8', '-f', String(from), '-l', String(to), path, '-'];
    return (await promisify(execFile)('pdftotext', args)).stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** pdftotext of pages `from` to `to` (1-based, inclusive). */
async function textOfPages(pdf: Uint8Array, from: number, to: number): Promise<string[]> {
  const pages: string[] = [];
  for (let n = from; n <= to; n++) pages.push(await pageText(pdf, n));
  return pages;
}

async function draw(
  pages: [number, number][],
  terms: SlaTerms,
  options: Parameters<typeof drawSlaSchedule>[2] = {},
): Promise<{ out: Uint8Array; firstPage: number; pageCount: number }> {
  const doc = await PDFDocument.load(await makePdf(pages));
  const placed = await drawSlaSchedule(doc, terms, { fonts, ...options });
  return { out: await doc.save(), ...placed };
}

describe('formatting', () => {
  it.each([
    [30, '30 min'],
    [60, '1 h'],
    [90, '1 h 30 min'],
    [240, '4 h'],
    [4800, '80 h'],
    [0.5, '0.5 min'],
    [61.25, '1 h 1.25 min'],
    [119.999, '2 h'],
  ])('shows %d minutes as %j', (minutes, text) => {
    expect(formatMinutes(minutes)).toBe(text);
  });

  it.each([
    [1250000, 'USD', 'USD 12,500.00'],
    [1000000, 'USD', 'USD 10,000.00'],
    [5, 'EUR', 'EUR 0.05'],
    [0, 'USD', 'USD 0.00'],
    [123456789, 'GBP', 'GBP 1,234,567.89'],
    [1234567, 'JPY', 'JPY 1,234,567'],
    [1234, 'BHD', 'BHD 1.234'],
  ])('shows %d minor units of %s as %j', (minor, currency, text) => {
    expect(formatMoney(minor, currency)).toBe(text);
  });
});

describe('the schedule model of the example terms', () => {
  const terms = example();
  const model = slaScheduleModel(terms);
  const all = textOf(model);

  it('has the sections of the schedule, numbered', () => {
    expect(model.map((s) => s.title)).toEqual([
      '1. Contract and fees',
      '2. Severities',
      '3. Calendars',
      '4. Metrics',
      '5. Targets',
      '6. Change of severity',
      '7. Service availability',
      '8. Service credits',
      '9. Chronic failure',
      '10. Reporting',
    ]);
  });

  it('states the contract, its term, the currency and the monthly fee', () => {
    expect(sectionOf(model, 'Contract and fees').blocks[0]).toEqual({
      kind: 'fields',
      rows: [
        { label: 'Contract', value: 'ACME-SUP-2025' },
        { label: 'Term of these SLA terms', value: '1 January 2025 to 31 December 2025' },
        { label: 'Covered service', value: 'acme-portal' },
        { label: 'Currency', value: 'USD' },
        { label: 'Monthly fee', value: 'USD 10,000.00' },
      ],
    });
  });

  it('lists every severity with its id, name, rank and definition, most severe first', () => {
    const [table] = tablesOf(sectionOf(model, 'Severities'));
    expect(table!.columns).toEqual(['Severity', 'Name', 'Rank', 'Definition']);
    expect(table!.rows).toEqual([
      ['S1', 'Critical', '1', 'Production down, no workaround'],
      ['S2', 'High', '2', ''],
      ['S3', 'Medium', '3', ''],
      ['S4', 'Low', '4', ''],
    ]);
    expect(all).toContain('priority \u201cUrgent\u201d is severity S1 (Critical)');
  });

  it('states every target: severity, metric, time and calendar', () => {
    const [table] = tablesOf(sectionOf(model, 'Targets'));
    expect(table!.columns).toEqual(['Severity', 'Metric', 'Target', 'Calendar']);
    expect(table!.rows).toHaveLength(terms.targets.length);
    for (const [severity, metric, target, calendar] of TARGETS) {
      expect(table!.rows, `${severity} ${metric}`).toContainEqual([
        severity,
        metric,
        target,
        expect.stringMatching(new RegExp(`^${calendar} \\(`)),
      ]);
    }
    expect(table!.rows[0]![3]).toBe('24x7 (24 hours a day, 7 days a week)');
    expect(table!.rows[2]![3]).toBe('ny_biz (business hours, America/New_York)');
  });

  it('describes each calendar: its zone, hours per day and holidays', () => {
    const calendars = sectionOf(model, 'Calendars');
    expect(calendars.blocks).toContainEqual({ kind: 'heading', text: 'Calendar \u201cny_biz\u201d' });
    const [weekly, holidays] = tablesOf(calendars);
    expect(weekly!.rows).toEqual([
      ['Monday', '09:00\u201317:00'],
      ['Tuesday', '09:00\u201317:00'],
      ['Wednesday', '09:00\u201317:00'],
      ['Thursday', '09:00\u201317:00'],
      ['Friday', '09:00\u201317:00'],
      ['Saturday', 'no business hours'],
      ['Sunday', 'no business hours'],
    ]);
    expect(holidays!.rows).toEqual([
      ['1 January 2025', 'Wednesday'],
      ['4 July 2025', 'Friday'],
      ['27 November 2025', 'Thursday'],
      ['25 December 2025', 'Thursday'],
    ]);
    expect(all).toContain('Business hours in the time zone America/New_York');
    expect(all).toContain('Every second counts, 24 hours a day, 7 days a week');
  });

  it('says what starts, stops and pauses each metric, and how a reopen counts', () => {
    const metrics = textOf([sectionOf(model, 'Metrics')]);
    expect(metrics).toContain(
      'The time from the creation of the ticket to the first qualifying reply (automatic acknowledgements, replies by a bot and internal notes do not qualify). It is never paused',
    );
    // next_response gives no exclusions: every listed source is excluded (SPEC R4).
    expect(metrics).toContain(
      'automatic acknowledgements, replies by a bot, internal notes and replies from a shared account do not qualify',
    );
    expect(metrics).toContain('The clock is paused while the ticket is pending customer.');
    expect(metrics).toContain(
      'reopened no more than 7 days (168 hours) after it was solved, the clock resumes',
    );
    expect(metrics).toContain('\u201cPending\u201d is pending customer');
  });

  it('states the reclassification rule', () => {
    const text = textOf([sectionOf(model, 'Change of severity')]);
    expect(text).toContain('evaluated again from its original start');
    expect(text).toContain('A breach under an earlier severity stands');
  });

  it('states the uptime commitment, its measurement and exclusions', () => {
    const text = textOf([sectionOf(model, 'Service availability')]);
    expect(text).toContain('uptime of at least 99.9% in each calendar month');
    expect(text).toContain('calendar months in the time zone UTC');
    expect(text).toContain('(time in the month \u2212 downtime) \u00f7 time in the month');
    expect(text).toContain('to the second');
    expect(text).toContain('notified at least 72 hours before it starts, up to 8 h of it in a month');
    expect(text).toContain('Outages caused by the customer are not downtime.');
    expect(text).toContain('Outages due to force majeure are not downtime.');
  });

  it('states every credit, every uptime tier and the cap, with amounts', () => {
    const credits = sectionOf(model, 'Service credits');
    const [perBreach, compliance, tiers] = tablesOf(credits);
    expect(perBreach!.rows).toEqual([
      ['S1 (Critical)', 'First response', '2% of the monthly fee (USD 200.00)'],
      ['S1 (Critical)', 'Resolution', '5% of the monthly fee (USD 500.00)'],
      ['S2 (High)', 'First response', '1% of the monthly fee (USD 100.00)'],
      ['S2 (High)', 'Resolution', '2% of the monthly fee (USD 200.00)'],
    ]);
    expect(compliance!.rows).toEqual([
      ['S3 (Medium)', 'Resolution', '90%', '1', '3% of the monthly fee (USD 300.00)'],
    ]);
    expect(tiers!.columns).toEqual(['Monthly uptime', 'Credit']);
    expect(tiers!.rows).toEqual([
      ['99% or more, and below 99.9%', '10% of the monthly fee (USD 1,000.00)'],
      ['95% or more, and below 99%', '25% of the monthly fee (USD 2,500.00)'],
      ['below 95%', '50% of the monthly fee (USD 5,000.00)'],
    ]);
    expect(credits.blocks).toContainEqual({
      kind: 'fields',
      rows: [
        { label: 'Cap', value: '25% of the monthly fee (USD 2,500.00) in any month' },
        expect.objectContaining({ label: 'Amount', value: expect.stringContaining('rounded half up') }),
        {
          label: 'Claims',
          value: 'credits are applied automatically; the customer need not claim them',
        },
      ],
    });
  });

  it('states the chronic-failure rights and when they may be exercised', () => {
    const chronic = sectionOf(model, 'Chronic failure');
    expect(tablesOf(chronic)[0]!.rows).toEqual([
      ['Uptime below the commitment of 99.9%', '3 consecutive months'],
      [
        'Credits reaching the cap: the month\u2019s credits before the cap add up to 25% or more',
        '2 consecutive months',
      ],
    ]);
    const text = textOf([chronic]);
    expect(text).toContain('the customer may terminate the contract without penalty');
    expect(text).toContain('until 30 days after');
  });

  it('states the reporting period, report date and recipients', () => {
    expect(sectionOf(model, 'Reporting').blocks[0]).toEqual({
      kind: 'fields',
      rows: [
        { label: 'Period', value: 'calendar month in the time zone America/New_York' },
        { label: 'Uptime months', value: 'calendar months in UTC' },
        { label: 'Report date', value: 'day 5 of the following month, in America/New_York' },
        { label: 'Recipients', value: 'not named in these terms' },
      ],
    });
  });

  it('is pure: the same text every time, the terms untouched', () => {
    const before = structuredClone(terms);
    expect(slaScheduleModel(terms)).toEqual(model);
    expect(terms).toEqual(before);
  });
});

describe('the schedule model of other terms', () => {
  it('follows the options the example does not use', () => {
    const json = exampleJson();
    json.effective_to = null;
    json.currency = 'JPY';
    json.monthly_fee_minor = 500000;
    json.reporting.send_on_day = 3;
    json.reporting.recipients = ['sla@acme.example', 'ops@vendor.example'];
    json.calendars.ny_biz.exceptions = [
      { date: '2025-12-24', windows: [['09:00', '12:00']] },
      { date: '2025-12-31', windows: [] },
    ];
    json.metrics.first_response.start = 'customer_reported_at';
    json.metrics.resolution.reopen = { mode: 'new_cycle' };
    json.metrics.resolution.min_compliance_pct = 95;
    json.metrics.updates = { kind: 'periodic_update', pause_statuses: ['pending_customer', 'on_hold'] };
    json.targets.push({ severity: 'S1', metric: 'updates', target_minutes: 90, calendar: '24x7' });
    json.reclassification = { mode: 'segmented', breach_sticky: false };
    json.uptime.denominator = 'scheduled_minutes';
    json.uptime.granularity = 'whole_minutes_min_1';
    json.credits.claim_window_days = 30;
    json.credits.chronic_failure.remedy = 'escalation_meeting';
    json.credits.chronic_failure.rules.push({
      type: 'metric_miss',
      severity: 'S1',
      metric: 'resolution',
      consecutive_months: 2,
      months_in_rolling_12: 4,
    });
    const model = slaScheduleModel(checkSlaTerms(json));
    const all = textOf(model);
    for (const expected of [
      'from 1 January 2025, for as long as the contract runs',
      'JPY 500,000',
      '24 December 2025',
      '09:00\u201312:00',
      'no business hours',
      'when the customer reported the issue',
      'Each reopening of a solved ticket starts a new resolution measurement',
      'Reporting target: at least 95%',
      'Periodic update (updates)',
      '1 h 30 min',
      'paused while the ticket is pending customer or on hold',
      'the time under each severity is counted in that severity\u2019s calendar',
      'a later downgrade can cure an earlier breach',
      '(time in the month \u2212 qualifying maintenance \u2212 downtime)',
      'leaving out outages shorter than 60 seconds',
      'credits must be claimed within 30 days',
      'the customer may require an escalation meeting',
      'Compliance of S1 (Critical) resolution below 95%',
      '2 consecutive months or 4 months within the last 12 months',
      'day 3 of the following month',
      'sla@acme.example, ops@vendor.example',
    ]) {
      expect(all, expected).toContain(expected);
    }
    // The per-breach credit table shows yen without a fraction.
    expect(all).toContain('2% of the monthly fee (JPY 10,000)');
  });

  it('leaves out the uptime section and states no rights when the terms have neither', () => {
    const json = exampleJson();
    delete json.uptime;
    delete json.credits.uptime_tiers;
    delete json.credits.chronic_failure;
    const model = slaScheduleModel(checkSlaTerms(json));
    expect(model.map((s) => s.title)).not.toContain('7. Service availability');
    expect(textOf(model)).toContain('These terms set no chronic-failure rights.');
    expect(textOf(model)).not.toContain('Uptime months');
  });
});

describe('the schedule drawn into a two-page document', () => {
  const terms = example();
  let inserted: Awaited<ReturnType<typeof draw>>;
  let appended: Awaited<ReturnType<typeof draw>>;

  beforeAll(async () => {
    inserted = await draw([A4, A4], terms, { at: 1 });
    appended = await draw([A4, A4], terms);
  });

  it('inserts its pages before page index 1, keeping the document pages around them', async () => {
    const { out, firstPage, pageCount: added } = inserted;
    expect(firstPage).toBe(1);
    expect(added).toBeGreaterThanOrEqual(2);
    expect(added).toBeLessThanOrEqual(6);
    expect(await pageCount(out)).toBe(2 + added);
    expect(await pageText(out, 1)).toContain('Maintenance agreement - page 1');
    expect(await pageText(out, 2)).toContain('SLA schedule');
    expect(await pageText(out, 2 + added)).toContain('Maintenance agreement - page 2');
    expect(await pageSize(out, 2)).toEqual({ width: 595.28, height: 841.89 });
    const check = await qpdfCheck(out);
    expect(check.ok, check.output).toBe(true);
  });

  it('appends its pages after the last page by default', async () => {
    const { out, firstPage, pageCount: added } = appended;
    expect(firstPage).toBe(2);
    expect(added).toBe(inserted.pageCount);
    expect(await pageCount(out)).toBe(2 + added);
    expect(await pageText(out, 2)).toContain('Maintenance agreement - page 2');
    expect(await pageText(out, 3)).toContain('SLA schedule');
  });

  it('prints every severity name and target, and a numbered footer with the contract id', async () => {
    const { out, pageCount: added } = inserted;
    const pages = await textOfPages(out, 2, 1 + added);
    const text = pages.join('\n');
    const raw = await rawText(out, 2, 1 + added);
    for (const severity of terms.severities) {
      expect(raw).toContain(`\n${severity.id} ${severity.name} ${severity.rank}`);
      expect(text).toContain(severity.name!);
    }
    // Each target is a row of the table: severity, metric, target and calendar on one line.
    for (const [severity, metric, target, calendar] of TARGETS) {
      expect(raw).toMatch(new RegExp(`\\n${escape(`${severity} ${metric} ${target} ${calendar} (`)}`));
    }
    expect(text).toContain('Production down, no workaround');
    expect(text).toContain('USD 10,000.00');
    expect(text).toContain('25% of the monthly fee (USD 2,500.00) in any month');
    expect(text).toContain('99% or more, and below 99.9%');
    pages.forEach((page, i) => {
      expect(page).toContain(`SLA schedule \u2014 page ${i + 1} of ${added}`);
      expect(page).toContain('Contract ACME-SUP-2025');
    });
    // The targets table, with its header and a row per target.
    const targets = pages.find((p) => p.includes('5. Targets'))!;
    expect(targets).toMatch(/Severity\s+Metric\s+Target\s+Calendar/);
  });

  it('embeds a subset of Noto Sans for the text, not the whole font', async () => {
    const embedded = (await fontsOf(inserted.out)).filter((f) => f.embedded).map((f) => f.name);
    expect(embedded.some((name) => name.startsWith('NotoSans-'))).toBe(true);
    expect(embedded.some((name) => name.startsWith('NotoSansSC-'))).toBe(false);
    // Noto Sans is 629 kB; its subset and the pages take a few.
    const original = await makePdf([A4, A4]);
    expect(inserted.out.length - original.length).toBeLessThan(60_000);
  });

  it('renders a readable page: ink inside the margins, nothing outside them', async () => {
    const dpi = 60;
    const bytes = await renderPage(inserted.out, 2, dpi);
    const file = join(tmpdir(), 'countersign-sla-schedule-page-1.png');
    await writeFile(file, bytes);
    const png = PNG.sync.read(bytes);
    const px = (pt: number) => (pt * dpi) / 72;
    const ink = darkPixels(png, { x: 0, y: 0, width: png.width, height: png.height });
    const ratio = ink / (png.width * png.height);
    expect(ratio, file).toBeGreaterThan(0.02);
    expect(ratio, file).toBeLessThan(0.3);
    // Side margins (50 of the 56 points) stay white; the top of the page too.
    expect(darkPixels(png, { x: 0, y: 0, width: px(50), height: png.height })).toBe(0);
    expect(darkPixels(png, { x: png.width - px(50), y: 0, width: px(50), height: png.height })).toBe(0);
    expect(darkPixels(png, { x: 0, y: 0, width: png.width, height: px(45) })).toBe(0);
    // The page is used down to its footer, not left mostly empty.
    expect(
      darkPixels(png, { x: 0, y: png.height / 2, width: png.width, height: png.height / 2 }),
    ).toBeGreaterThan(ink / 4);
  });
});

describe('the size and place of the pages', () => {
  const terms = example();

  it('takes the size of the first page, or a size given', async () => {
    const letter = await draw(
      [
        [612, 792],
        [595.28, 841.89],
      ],
      terms,
    );
    expect(await pageSize(letter.out, 3)).toEqual({ width: 612, height: 792 });
    const given = await draw([A4], terms, { pageSize: [612, 1008], at: 0 });
    expect(given.firstPage).toBe(0);
    expect(await pageSize(given.out, 1)).toEqual({ width: 612, height: 1008 });
    expect(await pageText(given.out, given.pageCount + 1)).toContain('Maintenance agreement - page 1');
  });

  it('is A4 in a document without pages', async () => {
    const doc = await PDFDocument.create();
    const placed = await drawSlaSchedule(doc, terms, { fonts });
    expect(placed.firstPage).toBe(0);
    expect(doc.getPageCount()).toBe(placed.pageCount);
    expect(doc.getPage(0).getSize()).toEqual({ width: 595.28, height: 841.89 });
  });

  it.each([-1, 3, 1.5])('refuses to insert before page index %d of a two-page document', async (at) => {
    const doc = await PDFDocument.load(await makePdf([A4, A4]));
    await expect(drawSlaSchedule(doc, terms, { at, fonts })).rejects.toThrow(RangeError);
    expect(doc.getPageCount()).toBe(2);
  });

  it('draws with the standard fonts when no fonts are given', async () => {
    const { out, pageCount: added } = await draw([A4], terms, { fonts: undefined });
    expect(added).toBeGreaterThanOrEqual(2);
    expect((await fontsOf(out)).every((f) => !f.embedded)).toBe(true);
    const text = (await textOfPages(out, 2, 1 + added)).join('\n');
    expect(text).toContain(`SLA schedule - page 1 of ${added}`);
    expect(text).toContain('09:00-17:00');
    expect(text).toContain('Critical');
  });
});

describe('long terms', () => {
  const HOLIDAYS = Array.from({ length: 40 }, (_, i) =>
    new Date(Date.UTC(2025, 0, 1 + i * 9)).toISOString().slice(0, 10),
  );
  let out: Uint8Array;
  let added: number;
  let pages: string[];

  beforeAll(async () => {
    const json = exampleJson();
    json.severities = Array.from({ length: 12 }, (_, i) => ({
      id: `P${i + 1}`,
      name: i === 3 ? 'Kritisch \u4e25\u91cd' : `Level ${i + 1}`,
      rank: i + 1,
      definition: `Level ${i + 1}: ${'an impact on the service described at some length, '.repeat(i % 3)}`,
    }));
    json.severity_map = {};
    json.targets = json.severities.flatMap((s: { id: string }, i: number) => [
      { severity: s.id, metric: 'first_response', target_minutes: 30 * (i + 1), calendar: '24x7' },
      { severity: s.id, metric: 'resolution', target_minutes: 90 * (i + 1) + 15, calendar: 'ny_biz' },
    ]);
    json.credits.per_breach = [{ severity: 'P1', metric: 'resolution', credit_pct: 5 }];
    json.credits.compliance = [];
    json.calendars.ny_biz.holidays = HOLIDAYS;
    const drawn = await draw([[612, 792]], checkSlaTerms(json));
    out = drawn.out;
    added = drawn.pageCount;
    pages = await textOfPages(out, 2, 1 + added);
  });

  it('flows onto more pages, each numbered', () => {
    expect(added).toBeGreaterThanOrEqual(4);
    pages.forEach((page, i) => expect(page).toContain(`SLA schedule \u2014 page ${i + 1} of ${added}`));
  });

  it('prints every holiday, severity and target', () => {
    const text = pages.join('\n');
    for (const date of HOLIDAYS) {
      const [y, m, d] = date.split('-').map(Number);
      const month = new Date(Date.UTC(y!, m! - 1, d!)).toLocaleString('en', {
        month: 'long',
        timeZone: 'UTC',
      });
      expect(text).toContain(`${d} ${month} ${y}`);
    }
    for (let i = 1; i <= 12; i++) expect(text).toContain(`P${i} (`);
    expect(text).toContain('Kritisch \u4e25\u91cd');
    expect(text).toContain('18 h 15 min'); // P12 resolution: 1095 minutes
  });

  it('repeats the header of a table on each page it continues on', async () => {
    const raw: string[] = [];
    for (let n = 2; n <= 1 + added; n++) raw.push(await rawText(out, n, n));
    // The pages with rows of the holidays table each start the rows with its header.
    const holiday = /^\d{1,2} [A-Z][a-z]+ 2025 [A-Z][a-z]+day$/m;
    const holidayPages = raw.filter((p) => holiday.test(p));
    expect(holidayPages.length).toBeGreaterThanOrEqual(2);
    for (const page of holidayPages) {
      expect(page.search(/^Holiday Day$/m)).toBeGreaterThan(-1);
      expect(page.search(/^Holiday Day$/m)).toBeLessThan(page.search(holiday));
    }
    const target = /^P\d+ \(.+\) (First response|Resolution) .+ (24x7|ny_biz) \(/m;
    const targetPages = raw.filter((p) => target.test(p));
    expect(targetPages.length).toBeGreaterThanOrEqual(2);
    for (const page of targetPages) {
      expect(page.search(/^Severity Metric Target Calendar$/m)).toBeGreaterThan(-1);
      expect(page.search(/^Severity Metric Target Calendar$/m)).toBeLessThan(page.search(target));
    }
    // Every target row, once.
    expect(raw.join('\n').match(new RegExp(target, 'gm'))).toHaveLength(24);
  });

  it('keeps every page inside its margins', async () => {
    for (let n = 2; n <= 1 + added; n++) {
      const png = PNG.sync.read(await renderPage(out, n, 40));
      const px = (pt: number) => (pt * 40) / 72;
      expect(darkPixels(png, { x: 0, y: 0, width: px(50), height: png.height }), `page ${n}`).toBe(0);
      expect(
        darkPixels(png, { x: png.width - px(50), y: 0, width: px(50), height: png.height }),
        `page ${n}`,
      ).toBe(0);
    }
  });
});
