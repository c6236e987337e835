import { LineCapStyle, PDFDocument, rgb, type PDFPage, type RGB } from 'pdf-lib';
import {
  A4,
  BAND,
  Composer,
  INK,
  LINE,
  MUTED,
  paginate,
  RULE,
  TEXT,
  type Block,
  type Face,
  type Piece,
} from '../../completion/pages';
import type { FontSource } from '../../pdf-stamp/fonts';
import { formatMinutes, formatMoney, KIND_NAMES, MONTHS } from '../../templates/sla-schedule';
import type { ChronicFlag, MetricResult, Statement, StatementLine } from '../engine';
import { gap, segment, Sheet, stack, type Cell, type SheetRow, type SheetStyle } from '../sheet';
import type { SlaTerms } from '../terms';
import { overallCompliance, type TrendPoint } from './trend';

/**
 * The monthly SLA report as a PDF: a summary of the month's statement, the compliance of each
 * line as a bar chart against its target, the trend of the last twelve months as a line chart,
 * the breaches, the credits and uptime in detail, a notice of any chronic failure, and the
 * measurements still in progress and the adjustments to earlier months. Charts are vector
 * drawings; text is drawn with the certificate pages' composer (a font per script, subset).
 * Pure: the statement and fonts in, the PDF's bytes out.
 */

export interface SlaReportInput {
  terms: SlaTerms;
  statement: Statement;
  /** Up to 12 months, oldest first, this month included (see `slaTrend`). */
  trend: TrendPoint[];
  /**
   * The month's metric results (`evaluateTickets`): the breached ones counted this month are
   * listed with their breach time and elapsed time. Without them the breaches are listed from
   * the statement's own record, without those two.
   */
  breaches?: MetricResult[];
  /** The contract's name as the parties know it; the contract id is shown beside it. */
  contractName?: string;
  /** When the report was issued (ISO-8601 date or date-time); default: the statement's report date. */
  issuedAt?: string;
}

/** The colours of the charts. */
export const REPORT_COLORS = {
  /** A line at or above its target, without breaches. */
  met: rgb(0.2, 0.6, 0.36),
  /** A line below its target (with any breach when it has none). */
  missed: rgb(0.83, 0.2, 0.18),
  /** A line with breaches that still meets its target. */
  breachedWithinTarget: rgb(0.95, 0.62, 0.1),
  /** The target marker of a line. */
  target: rgb(0.08, 0.08, 0.08),
  /** The trend of the overall compliance. */
  compliance: rgb(0.13, 0.4, 0.8),
  /** The trend of the uptime. */
  uptime: rgb(0.0, 0.6, 0.6),
  /** The uptime commitment in the trend chart. */
  commitment: rgb(0.83, 0.2, 0.18),
} as const;

const NOTICE_FILL = rgb(0.995, 0.93, 0.92);
const GRID = rgb(0.88, 0.88, 0.88);

const MARGIN_X = 48;
const MARGIN_TOP = 40;
const MARGIN_BOTTOM = 36;
const HEADER = 30;
const FOOTER = 22;
const S = { title: 17, section: 11, heading: 9.5, body: 8.5, table: 7.5, small: 7, tiny: 6.5 };

const REMEDIES: Record<NonNullable<ChronicFlag['remedy']>, string> = {
  termination_without_penalty: 'the right to terminate the contract without penalty',
  escalation_meeting: 'the right to an escalation meeting',
};
const RULE_TYPES: Record<ChronicFlag['type'], string> = {
  uptime_miss: 'uptime below the commitment',
  cap_reached: 'service credits reaching the cap',
  metric_miss: 'a line below its target',
};

// ---------------------------------------------------------------------------------------------
// Words and numbers.

/** "2025-06" -> "June 2025". */
export function monthName(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${MONTHS[m! - 1]} ${y}`;
}

/** The decimals of a number as written: 99.9 -> 1. */
function decimalsOf(value: number): number {
  const text = String(value);
  const dot = text.indexOf('.');
  return dot === -1 ? 0 : text.length - dot - 1;
}

/**
 * A percentage for display, cut (not rounded) to `digits` decimals so that a value below a
 * threshold never shows as reaching it: 99.899 -> "99.89%".
 */
export function formatPct(value: number, digits = 2): string {
  const unit = 10 ** digits;
  const cut = Math.floor(value * unit + 1e-7) / unit;
  return `${cut.toFixed(digits).replace(/\.?0+$/, '')}%`;
}

/** "2025-06-02T10:45:00-04:00" -> "2025-06-02 10:45" (seconds shown when there are any). */
function localTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?/.exec(iso);
  if (!m) return iso;
  return `${m[1]} ${m[2]}${m[3] && m[3] !== ':00' ? m[3] : ''}`;
}

const signedMoney = (minor: number, currency: string) =>
  minor > 0 ? `+${formatMoney(minor, currency)}` : formatMoney(minor, currency);

// ---------------------------------------------------------------------------------------------
// Rows.

/** The report's sizes and spacing on the shared sheet. */
const STYLE: SheetStyle = {
  size: S,
  sectionSpace: [10, 6],
  headingSpace: [3, 3],
  labelColumn: { max: 118, share: 0.34 },
};

class ReportSheet extends Sheet {
  constructor(c: Composer, width: number, pageHeight: number) {
    super(c, width, pageHeight, STYLE);
  }

  /** The text on one line of at most `width`, cut with an ellipsis when it is wider. */
  async fit(text: string, face: Face, size: number, width: number, color: RGB = TEXT): Promise<Piece> {
    let piece = await this.line(text, face, size, color);
    if (piece.width <= width) return piece;
    const chars = [...text];
    let lo = 0;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const candidate = await this.line(`${chars.slice(0, mid).join('').trimEnd()}\u2026`, face, size, color);
      if (candidate.width <= width) lo = mid;
      else hi = mid - 1;
    }
    piece = await this.line(`${chars.slice(0, lo).join('').trimEnd()}\u2026`, face, size, color);
    return piece;
  }

  async title(text: string, sub: string): Promise<SheetRow[]> {
    return [
      ...this.textRows(await this.lines(text, this.boldFace(text), S.title, this.width, INK), S.title),
      gap(2),
      ...this.textRows(await this.lines(sub, 'text', S.body + 0.5, this.width, MUTED), S.body + 0.5),
      gap(8),
    ];
  }
}

// ---------------------------------------------------------------------------------------------
// Labels.

function labelsOf(terms: SlaTerms) {
  const severities = new Map(terms.severities.map((s) => [s.id, s]));
  const severity = (id: string) => {
    const name = severities.get(id)?.name;
    return name ? `${id} ${name}` : id;
  };
  const metric = (key: string) => {
    const m = terms.metrics[key];
    if (!m) return key;
    return key === m.kind ? KIND_NAMES[m.kind] : `${KIND_NAMES[m.kind]} (${key})`;
  };
  const line = (sev: string, met: string) => `${severity(sev)} \u00b7 ${metric(met)}`;
  return { severity, metric, line };
}

type LineState = 'none' | 'met' | 'within' | 'missed';

function stateOf(line: StatementLine): LineState {
  if (line.counted === 0) return 'none';
  if (line.miss) return 'missed';
  return line.breached > 0 ? 'within' : 'met';
}

const STATE_COLORS: Record<Exclude<LineState, 'none'>, RGB> = {
  met: REPORT_COLORS.met,
  within: REPORT_COLORS.breachedWithinTarget,
  missed: REPORT_COLORS.missed,
};

// ---------------------------------------------------------------------------------------------
// The summary tiles.

interface Tile {
  label: string;
  value: string;
  note: string;
  color?: RGB;
}

async function tiles(sheet: ReportSheet, items: Tile[]): Promise<SheetRow> {
  const space = 8;
  const w = (sheet.width - space * (items.length - 1)) / items.length;
  const height = 50;
  const drawn: { label: Piece; value: Piece; note: Piece }[] = [];
  for (const t of items)
    drawn.push({
      label: await sheet.fit(t.label, 'text', S.small, w - 12, MUTED),
      value: await sheet.fit(t.value, sheet.boldFace(t.value), 14, w - 12, t.color ?? INK),
      note: await sheet.fit(t.note, 'text', S.small, w - 12, MUTED),
    });
  return {
    height: height + 4,
    cells: [],
    pieces: drawn.flatMap((d) => [d.label, d.value, d.note]),
    paint: (page, left, top) => {
      drawn.forEach((d, i) => {
        const x = left + i * (w + space);
        page.drawRectangle({
          x,
          y: top - height,
          width: w,
          height,
          color: BAND,
          borderColor: RULE,
          borderWidth: 0.5,
        });
        page.drawRectangle({ x, y: top - height, width: 3, height, color: items[i]!.color ?? INK });
        sheet.c.draw(page, d.label, x + 8, top - 12);
        sheet.c.draw(page, d.value, x + 8, top - 30);
        sheet.c.draw(page, d.note, x + 8, top - 43);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The compliance bar chart.

async function legend(
  sheet: ReportSheet,
  items: { label: string; color: RGB; kind: 'box' | 'tick' | 'line' | 'dash' }[],
) {
  const pieces: Piece[] = [];
  for (const item of items) pieces.push(await sheet.line(item.label, 'text', S.small, TEXT));
  const height = 14;
  return {
    height,
    cells: [],
    pieces,
    paint: (page: PDFPage, left: number, top: number) => {
      let x = left;
      const mid = top - height / 2;
      items.forEach((item, i) => {
        if (item.kind === 'box')
          page.drawRectangle({ x, y: mid - 3.5, width: 10, height: 7, color: item.color });
        else if (item.kind === 'tick') segment(page, x + 5, mid - 5, x + 5, mid + 5, item.color, 1.6);
        else
          page.drawLine({
            start: { x, y: mid },
            end: { x: x + 14, y: mid },
            thickness: 1.4,
            color: item.color,
            ...(item.kind === 'dash' ? { dashArray: [3, 2] } : {}),
          });
        const piece = pieces[i]!;
        sheet.c.draw(page, piece, x + 17, mid - 2.4);
        x += 17 + piece.width + 14;
      });
    },
  } satisfies SheetRow;
}

async function barChart(sheet: ReportSheet, terms: SlaTerms, lines: StatementLine[]): Promise<SheetRow> {
  const labels = labelsOf(terms);
  const labelWidth = 128;
  const valueWidth = 84;
  const plotX = labelWidth;
  const plotW = sheet.width - labelWidth - valueWidth;
  const rowH = 16;
  const barH = 9;
  const axisH = 16;
  const height = lines.length * rowH + axisH + 6;
  const xOf = (pct: number) => plotX + (Math.max(0, Math.min(100, pct)) / 100) * plotW;

  const rows: { label: Piece; value: Piece; state: LineState; pct: number | null; target: number }[] = [];
  for (const line of lines) {
    const state = stateOf(line);
    const value =
      line.compliance_pct === null
        ? 'no measurements'
        : `${formatPct(line.compliance_pct)}  (${line.counted - line.breached} of ${line.counted} met)`;
    rows.push({
      label: await sheet.fit(labels.line(line.severity, line.metric), 'text', S.small, labelWidth - 8),
      value: await sheet.fit(
        value,
        'text',
        S.small,
        valueWidth - 6,
        state === 'missed' ? REPORT_COLORS.missed : TEXT,
      ),
      state,
      pct: line.compliance_pct,
      target: line.target_pct ?? 100,
    });
  }
  const ticks: { x: number; piece: Piece }[] = [];
  for (let t = 0; t <= 100; t += 20)
    ticks.push({ x: xOf(t), piece: await sheet.line(`${t}%`, 'text', S.tiny, MUTED) });

  return {
    height,
    cells: [],
    pieces: [...rows.flatMap((r) => [r.label, r.value]), ...ticks.map((t) => t.piece)],
    paint: (page, left, top) => {
      const plotTop = top - 3;
      const plotBottom = plotTop - lines.length * rowH;
      // The grid and the axis.
      for (const t of ticks) segment(page, left + t.x, plotTop, left + t.x, plotBottom, GRID, 0.5);
      segment(page, left + plotX, plotBottom, left + plotX + plotW, plotBottom, MUTED, 0.75);
      segment(page, left + plotX, plotTop, left + plotX, plotBottom, MUTED, 0.75);
      for (const t of ticks) {
        segment(page, left + t.x, plotBottom, left + t.x, plotBottom - 3, MUTED, 0.75);
        sheet.c.draw(page, t.piece, left + t.x - t.piece.width / 2, plotBottom - 10);
      }
      rows.forEach((r, i) => {
        const rowTop = plotTop - i * rowH;
        const mid = rowTop - rowH / 2;
        sheet.c.draw(page, r.label, left, mid - 2.4);
        sheet.c.draw(page, r.value, left + plotX + plotW + 6, mid - 2.4);
        if (r.state !== 'none' && r.pct !== null && r.pct > 0)
          page.drawRectangle({
            x: left + plotX,
            y: mid - barH / 2,
            width: xOf(r.pct) - plotX,
            height: barH,
            color: STATE_COLORS[r.state],
          });
        if (r.state === 'none')
          page.drawRectangle({
            x: left + plotX,
            y: mid - barH / 2,
            width: plotW,
            height: barH,
            borderColor: GRID,
            borderWidth: 0.5,
            borderDashArray: [2, 2],
          });
        const tx = left + xOf(r.target);
        segment(page, tx, mid - barH / 2 - 2.5, tx, mid + barH / 2 + 2.5, REPORT_COLORS.target, 1.6);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The trend line chart.

/** An axis from `lo` to 100 in at most 5 steps of a round size, `lo` a little below the lowest value. */
function uptimeAxis(values: number[]): { base: number; step: number; digits: number } {
  const lowest = Math.min(99.9, ...values);
  for (const step of [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 25]) {
    let base = Math.floor(lowest / step + 1e-9) * step;
    if (lowest - base < step * 0.2) base -= step;
    base = Math.max(0, Math.round(base * 1e6) / 1e6);
    if ((100 - base) / step <= 5 + 1e-9) return { base, step, digits: decimalsOf(step) };
  }
  return { base: 0, step: 25, digits: 0 };
}

const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Panel {
  title: Piece;
  height: number;
  base: number;
  step: number;
  ticks: { value: number; piece: Piece }[];
  values: (number | null)[];
  color: RGB;
  /** The last value, labelled at the right of its point. */
  last: Piece | null;
  reference?: { value: number; piece: Piece; color: RGB };
  empty: Piece | null;
}

async function trendChart(sheet: ReportSheet, terms: SlaTerms, trend: TrendPoint[]): Promise<SheetRow> {
  const axisW = 40;
  const rightW = 78;
  const plotX = axisW;
  const plotW = sheet.width - axisW - rightW;
  const slot = plotW / Math.max(1, trend.length);
  const xOf = (i: number) => plotX + (i + 0.5) * slot;
  const panels: Panel[] = [];

  const compliance = trend.map((p) => p.compliance_pct);
  const cLast = compliance.at(-1);
  panels.push({
    title: await sheet.line('Overall compliance (all lines)', 'text', S.small, REPORT_COLORS.compliance),
    height: 96,
    base: 0,
    step: 25,
    ticks: await Promise.all(
      [0, 25, 50, 75, 100].map(async (value) => ({
        value,
        piece: await sheet.line(`${value}%`, 'text', S.tiny, MUTED),
      })),
    ),
    values: compliance,
    color: REPORT_COLORS.compliance,
    last:
      cLast === null || cLast === undefined
        ? null
        : await sheet.line(formatPct(cLast), 'text', S.small, REPORT_COLORS.compliance),
    empty: compliance.every((v) => v === null)
      ? await sheet.line('no measurements in these months', 'text', S.small, MUTED)
      : null,
  });

  const uptime = terms.uptime;
  if (uptime) {
    const values = trend.map((p) => p.uptime_pct);
    const axis = uptimeAxis([...values.filter((v): v is number => v !== null), uptime.commitment_pct]);
    const ticks: Panel['ticks'] = [];
    for (let v = axis.base; v <= 100 + 1e-9; v = Math.round((v + axis.step) * 1e6) / 1e6)
      ticks.push({ value: v, piece: await sheet.line(`${v.toFixed(axis.digits)}%`, 'text', S.tiny, MUTED) });
    const digits = Math.max(3, decimalsOf(uptime.commitment_pct) + 1);
    const uLast = values.at(-1);
    panels.push({
      title: await sheet.line('Uptime', 'text', S.small, REPORT_COLORS.uptime),
      height: 86,
      base: axis.base,
      step: axis.step,
      ticks,
      values,
      color: REPORT_COLORS.uptime,
      last:
        uLast === null || uLast === undefined
          ? null
          : await sheet.line(formatPct(uLast, digits), 'text', S.small, REPORT_COLORS.uptime),
      reference: {
        value: uptime.commitment_pct,
        piece: await sheet.line(
          `commitment ${formatPct(uptime.commitment_pct, 6)}`,
          'text',
          S.tiny,
          REPORT_COLORS.commitment,
        ),
        color: REPORT_COLORS.commitment,
      },
      empty: values.every((v) => v === null)
        ? await sheet.line('no uptime results', 'text', S.small, MUTED)
        : null,
    });
  }

  const monthLabels: { month: Piece; year: Piece | null }[] = [];
  for (const [i, p] of trend.entries()) {
    const [y, m] = p.month.split('-').map(Number);
    monthLabels.push({
      month: await sheet.line(MONTH_ABBR[m! - 1]!, 'text', S.tiny, TEXT),
      year: i === 0 || m === 1 ? await sheet.line(String(y), 'text', S.tiny, MUTED) : null,
    });
  }

  const titleH = 12;
  const panelGap = 10;
  const labelsH = 20;
  const height = panels.reduce((h, p) => h + titleH + p.height + panelGap, 0) + labelsH;
  const pieces = [
    ...panels.flatMap((p) => [
      p.title,
      ...p.ticks.map((t) => t.piece),
      ...(p.last ? [p.last] : []),
      ...(p.reference ? [p.reference.piece] : []),
      ...(p.empty ? [p.empty] : []),
    ]),
    ...monthLabels.flatMap((l) => [l.month, ...(l.year ? [l.year] : [])]),
  ];

  return {
    height,
    cells: [],
    pieces,
    paint: (page, left, top) => {
      let y = top;
      for (const panel of panels) {
        sheet.c.draw(page, panel.title, left + plotX, y - 8);
        const plotTop = y - titleH;
        const plotBottom = plotTop - panel.height;
        const yOf = (v: number) =>
          plotBottom +
          ((Math.min(100, Math.max(panel.base, v)) - panel.base) / (100 - panel.base)) * panel.height;
        // The grid: a line per tick, a faint line per month.
        for (const t of panel.ticks) {
          const ty = yOf(t.value);
          segment(page, left + plotX, ty, left + plotX + plotW, ty, GRID, 0.5);
          sheet.c.draw(page, t.piece, left + plotX - 4 - t.piece.width, ty - 2.2);
        }
        for (let i = 0; i < trend.length; i++)
          segment(page, left + xOf(i), plotTop, left + xOf(i), plotBottom, rgb(0.95, 0.95, 0.95), 0.4);
        segment(page, left + plotX, plotTop, left + plotX, plotBottom, MUTED, 0.75);
        segment(page, left + plotX, plotBottom, left + plotX + plotW, plotBottom, MUTED, 0.75);
        if (panel.reference) {
          const ry = yOf(panel.reference.value);
          page.drawLine({
            start: { x: left + plotX, y: ry },
            end: { x: left + plotX + plotW, y: ry },
            thickness: 1,
            color: panel.reference.color,
            dashArray: [4, 2.5],
          });
          sheet.c.draw(page, panel.reference.piece, left + plotX + plotW + 4, ry - 2.2);
        }
        // The series: a polyline per run of months with values, a dot per month.
        let path = '';
        let open = false;
        panel.values.forEach((v, i) => {
          if (v === null) {
            open = false;
            return;
          }
          path += `${open ? 'L' : 'M'} ${(left + xOf(i)).toFixed(2)} ${(-yOf(v)).toFixed(2)} `;
          open = true;
        });
        if (path)
          page.drawSvgPath(path, {
            x: 0,
            y: 0,
            borderColor: panel.color,
            borderWidth: 1.6,
            borderLineCap: LineCapStyle.Round,
          });
        panel.values.forEach((v, i) => {
          if (v === null) return;
          page.drawCircle({
            x: left + xOf(i),
            y: yOf(v),
            size: 2.4,
            color: rgb(1, 1, 1),
            borderColor: panel.color,
            borderWidth: 1.2,
          });
        });
        const lastValue = panel.values.at(-1);
        if (panel.last && lastValue !== null && lastValue !== undefined) {
          let ly = yOf(lastValue) - 2.4;
          // Clear of the commitment label.
          if (panel.reference && Math.abs(ly - (yOf(panel.reference.value) - 2.2)) < 8)
            ly = yOf(panel.reference.value) - 2.2 + (lastValue >= panel.reference.value ? 8 : -8);
          sheet.c.draw(page, panel.last, left + plotX + plotW + 4, ly);
        }
        if (panel.empty)
          sheet.c.draw(
            page,
            panel.empty,
            left + plotX + plotW / 2 - panel.empty.width / 2,
            plotBottom + panel.height / 2,
          );
        y = plotBottom - panelGap;
      }
      const labelTop = y + panelGap - 3;
      monthLabels.forEach((l, i) => {
        const x = left + xOf(i);
        sheet.c.draw(page, l.month, x - l.month.width / 2, labelTop - 6);
        if (l.year) sheet.c.draw(page, l.year, x - l.year.width / 2, labelTop - 14);
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The chronic-failure notice.

async function notice(sheet: ReportSheet, terms: SlaTerms, flags: ChronicFlag[]): Promise<SheetRow> {
  const labels = labelsOf(terms);
  const pad = 9;
  const inner = sheet.width - 2 * pad - 4;
  const remedy = flags[0]?.remedy;
  const title = await sheet.lines(
    `Chronic failure: ${remedy ? REMEDIES[remedy] : 'the remedy the contract provides'} can be exercised`,
    'bold',
    S.heading,
    inner,
    REPORT_COLORS.missed,
  );
  const body: Piece[] = [];
  for (const f of flags) {
    const what =
      f.type === 'metric_miss' && f.severity && f.metric
        ? `${RULE_TYPES[f.type]} (${labels.line(f.severity, f.metric)})`
        : RULE_TYPES[f.type];
    const trigger =
      f.trigger === 'consecutive_months'
        ? `${f.threshold} consecutive months`
        : `${f.threshold} months within the last 12 months`;
    body.push(
      ...(await sheet.lines(
        `Rule ${f.rule + 1}, ${what}, for ${trigger}: ${f.months.map(monthName).join(', ')}. ${
          f.remedy ? `The customer has ${REMEDIES[f.remedy]}` : 'The remedy can be exercised'
        } until ${f.deadline}.`,
        'text',
        S.body,
        inner,
      )),
    );
  }
  const height = 2 * pad + title.length * LINE(S.heading) + 3 + body.length * LINE(S.body);
  return {
    height: height + 6,
    cells: [],
    pieces: [...title, ...body],
    paint: (page, left, top) => {
      page.drawRectangle({
        x: left,
        y: top - height,
        width: sheet.width,
        height,
        color: NOTICE_FILL,
        borderColor: REPORT_COLORS.missed,
        borderWidth: 1,
      });
      page.drawRectangle({ x: left, y: top - height, width: 4, height, color: REPORT_COLORS.missed });
      let y = top - pad;
      for (const piece of title) {
        sheet.c.draw(page, piece, left + pad + 4, y - LINE(S.heading) * 0.74);
        y -= LINE(S.heading);
      }
      y -= 3;
      for (const piece of body) {
        sheet.c.draw(page, piece, left + pad + 4, y - LINE(S.body) * 0.74);
        y -= LINE(S.body);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The report.

/** The breached instances counted this month: from the metric results, else from the statement. */
function breachRows(input: SlaReportInput, labels: ReturnType<typeof labelsOf>): Cell[][] | null {
  const { statement } = input;
  const counted = statement.result.counted.filter((c) => c.outcome === 'breached');
  const key = (ticket: string, metric: string, start: string) => `${ticket}\u0000${metric}\u0000${start}`;
  const byKey = new Map(
    (input.breaches ?? [])
      .filter((r) => r.breached && r.period === statement.month)
      .map((r) => [key(r.ticket, r.metric, r.start), r]),
  );
  if (counted.length === 0 && byKey.size === 0) return null;
  const list = counted.map((c) => ({ c, r: byKey.get(key(c.ticket, c.metric, c.start)) }));
  // Results given for instances the statement does not hold (another evaluation) are listed too.
  const listed = new Set(list.map(({ c }) => key(c.ticket, c.metric, c.start)));
  for (const [k, r] of byKey)
    if (!listed.has(k))
      list.push({
        c: {
          ticket: r.ticket,
          metric: r.metric,
          start: r.start,
          severity: r.breach_severity ?? r.severity,
          outcome: 'breached',
        },
        r,
      });
  list.sort((a, b) => {
    const x = a.r?.breach_at ?? a.c.start;
    const y = b.r?.breach_at ?? b.c.start;
    return x < y ? -1 : x > y ? 1 : a.c.ticket < b.c.ticket ? -1 : a.c.ticket > b.c.ticket ? 1 : 0;
  });
  return list.map(({ c, r }) => {
    const elapsed =
      r && r.elapsed_min !== null && r.target_min !== null
        ? `${formatMinutes(r.elapsed_min)} of ${formatMinutes(r.target_min)}${
            r.elapsed_min > r.target_min
              ? ` (+${formatMinutes(Math.round((r.elapsed_min - r.target_min) * 100) / 100)})`
              : ''
          }`
        : '\u2014';
    return [
      c.ticket,
      labels.severity(c.severity),
      labels.metric(c.metric),
      localTime(c.start),
      r?.breach_at ? localTime(r.breach_at) : '\u2014',
      { text: elapsed, color: REPORT_COLORS.missed },
    ];
  });
}

interface Context {
  sheet: ReportSheet;
  input: SlaReportInput;
  terms: SlaTerms;
  s: Statement;
  labels: ReturnType<typeof labelsOf>;
  money: (minor: number) => string;
  /** The reporting time zone. */
  zone: string;
  /** How the credit is applied: "applied automatically to the next invoice", "to be claimed by …". */
  claim: string;
  overall: number | null;
}

/** The title, the summary tiles and fields, and the chronic-failure notice. */
async function summaryBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, input, terms, s, money, zone, claim, overall } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const contract = input.contractName
    ? `${input.contractName} (contract ${s.contract_id})`
    : `Contract ${s.contract_id}`;
  const counted = s.lines.reduce((n, l) => n + l.counted, 0);
  const breached = s.lines.reduce((n, l) => n + l.breached, 0);
  const missedLines = s.lines.filter((l) => l.miss).length;
  const uptimeDigits = s.uptime ? Math.max(3, decimalsOf(s.uptime.commitment_pct) + 1) : 3;
  const title = await sheet.title(
    `Monthly SLA report: ${monthName(s.month)}`,
    `${contract} \u00b7 report date ${s.report_date}${input.issuedAt ? ` \u00b7 issued ${localTime(input.issuedAt)}` : ''}`,
  );
  const summaryTiles = await tiles(sheet, [
    {
      label: 'Overall compliance',
      value: overall === null ? 'n/a' : formatPct(overall),
      note: counted === 0 ? 'no measurements' : `${counted - breached} of ${counted} met`,
      color: overall === null ? MUTED : missedLines > 0 ? REPORT_COLORS.missed : REPORT_COLORS.met,
    },
    {
      label: 'Uptime',
      value: s.uptime ? formatPct(s.uptime.uptime_pct, uptimeDigits) : 'n/a',
      note: s.uptime
        ? `commitment ${formatPct(s.uptime.commitment_pct, 6)} ${s.uptime.miss ? 'missed' : 'met'}`
        : 'not covered',
      color: s.uptime ? (s.uptime.miss ? REPORT_COLORS.missed : REPORT_COLORS.met) : MUTED,
    },
    {
      label: 'Service credit',
      value: formatPct(s.capped_pct, 6),
      note: `uncapped ${formatPct(s.uncapped_pct, 6)}, cap ${formatPct(s.cap_pct, 6)}`,
      color: s.capped_pct > 0 ? REPORT_COLORS.missed : REPORT_COLORS.met,
    },
    {
      label: 'Credit amount',
      value: money(s.credit_minor),
      note: s.credits_applied === 'automatic' ? 'applied automatically' : `claim by ${s.claimable_until}`,
      color: s.credit_minor > 0 ? REPORT_COLORS.missed : REPORT_COLORS.met,
    },
  ]);
  const summary = await sheet.fields([
    { label: 'Contract', value: contract },
    {
      label: 'Month',
      value: `${monthName(s.month)}: ${localTime(s.period.start)} to ${localTime(s.period.end)} (${zone})`,
    },
    {
      label: 'Report date',
      value: s.report_date + (input.issuedAt ? `; issued ${localTime(input.issuedAt)}` : ''),
    },
    {
      label: 'Overall compliance',
      value:
        overall === null
          ? 'not applicable: no measurement counted this month'
          : `${formatPct(overall)}: ${counted - breached} of ${counted} measurements met, ${breached} breached; ${missedLines} of ${s.lines.length} lines below target`,
      ...(missedLines > 0 ? { color: REPORT_COLORS.missed } : {}),
    },
    {
      label: 'Uptime',
      value: s.uptime
        ? `${s.uptime.uptime_pct}% against a commitment of ${s.uptime.commitment_pct}%: ${s.uptime.miss ? 'missed' : 'met'}`
        : 'the terms have no uptime commitment',
      ...(s.uptime?.miss ? { color: REPORT_COLORS.missed } : {}),
    },
    {
      label: 'Service credit',
      value: `${s.uncapped_pct}% of the monthly fee before the cap, ${s.capped_pct}% after the cap of ${s.cap_pct}%${
        s.result.cap_reached ? ' (cap reached)' : ''
      }`,
    },
    {
      label: 'Credit amount',
      value: `${money(s.credit_minor)} of the monthly fee of ${money(s.monthly_fee_minor)}`,
    },
    { label: 'Claim window', value: claim.replace(/^./, (ch) => ch.toUpperCase()) },
  ]);
  blocks.push({
    rows: [stack([...title, summaryTiles, gap(8)]), stack([...(await sheet.section('Summary')), ...summary])],
    gapAfter: 0,
  });

  if (s.chronic_failure.length > 0)
    blocks.push({ rows: [gap(4), await notice(sheet, terms, s.chronic_failure)], gapAfter: 0 });
  return blocks;
}

/** The compliance of each line as a bar chart against its target. */
async function complianceBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, terms, s } = ctx;
  const blocks: Block<SheetRow>[] = [];
  blocks.push({
    rows: [
      stack([
        ...(await sheet.section('Compliance by severity and metric')),
        ...(await sheet.paragraph(
          'The share of each line\u2019s measurements counted this month that were met, against the line\u2019s target: the metric\u2019s reporting target, or 100% (no breach) when it has none.',
          MUTED,
          S.small + 0.5,
        )),
        await barChart(sheet, terms, s.lines),
        await legend(sheet, [
          { label: 'Met', color: REPORT_COLORS.met, kind: 'box' },
          { label: 'Breaches, target met', color: REPORT_COLORS.breachedWithinTarget, kind: 'box' },
          { label: 'Below target', color: REPORT_COLORS.missed, kind: 'box' },
          { label: 'Target', color: REPORT_COLORS.target, kind: 'tick' },
        ]),
      ]),
    ],
    gapAfter: 0,
  });
  return blocks;
}

/** The trend of the last months as a line chart. */
async function trendBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, input, terms, s, overall } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const trend =
    input.trend.length > 0
      ? input.trend.slice(-12)
      : [{ month: s.month, compliance_pct: overall, uptime_pct: s.uptime?.uptime_pct ?? null }];
  blocks.push({
    rows: [
      stack([
        ...(await sheet.section(`Trend: ${monthName(trend[0]!.month)} to ${monthName(trend.at(-1)!.month)}`)),
        await trendChart(sheet, terms, trend),
        await legend(sheet, [
          { label: 'Overall compliance', color: REPORT_COLORS.compliance, kind: 'line' },
          ...(terms.uptime
            ? [
                { label: 'Uptime', color: REPORT_COLORS.uptime, kind: 'line' as const },
                { label: 'Uptime commitment', color: REPORT_COLORS.commitment, kind: 'dash' as const },
              ]
            : []),
        ]),
        ...(await sheet.paragraph(
          'A month without a result, or without any measurement, is left as a gap. Earlier months are shown as adjusted since.',
          MUTED,
          S.small + 0.5,
        )),
      ]),
    ],
    gapAfter: 0,
  });
  return blocks;
}

/** The breaches counted this month. */
async function breachBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, input, labels, zone } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const breaches = breachRows(input, labels);
  const breachLead = await sheet.section(`Breaches (${breaches?.length ?? 0})`);
  if (breaches)
    blocks.push(
      await sheet.table(
        ['Ticket', 'Severity', 'Metric', 'Started', 'Breached at', 'Elapsed of target'],
        [1.1, 1.15, 1.35, 1.35, 1.35, 1.9],
        breaches,
        [
          ...breachLead,
          ...(await sheet.paragraph(
            `The measurements breached this month, by breach time. Times in ${zone}.`,
            MUTED,
            S.small + 0.5,
          )),
        ],
      ),
    );
  else
    blocks.push({
      rows: [stack([...breachLead, ...(await sheet.paragraph('No measurement was breached this month.'))])],
      gapAfter: 0,
    });
  return blocks;
}

/** The credit of each line and the totals. */
async function creditBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, s, labels, money, claim } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const lineRows: Cell[][] = s.lines.map((l) => {
    const state = stateOf(l);
    const color = state === 'missed' ? REPORT_COLORS.missed : undefined;
    return [
      labels.line(l.severity, l.metric),
      String(l.counted),
      { text: String(l.breached), ...(l.breached > 0 ? { color: REPORT_COLORS.missed } : {}) },
      { text: l.compliance_pct === null ? 'n/a' : `${l.compliance_pct}%`, ...(color ? { color } : {}) },
      l.target_pct === null ? 'none' : `${l.target_pct}%`,
      l.per_breach_credit_pct ? `${l.per_breach_credit_pct}%` : '\u2014',
      l.compliance_credit_pct ? `${l.compliance_credit_pct}%` : '\u2014',
      { text: l.credit_pct ? `${l.credit_pct}%` : '\u2014', bold: l.credit_pct > 0 },
    ];
  });
  if (s.uptime)
    lineRows.push([
      { text: 'Uptime', span: 3 },
      `${s.uptime.uptime_pct}%`,
      `${s.uptime.commitment_pct}%`,
      '\u2014',
      '\u2014',
      { text: s.uptime.credit_pct ? `${s.uptime.credit_pct}%` : '\u2014', bold: s.uptime.credit_pct > 0 },
    ]);
  lineRows.push(
    [
      { text: 'Total before the cap', bold: true, span: 7 },
      { text: `${s.uncapped_pct}%`, bold: true },
    ],
    [
      { text: `Total after the cap of ${s.cap_pct}%: ${money(s.credit_minor)}`, bold: true, span: 7 },
      { text: `${s.capped_pct}%`, bold: true },
    ],
  );
  blocks.push(
    await sheet.table(
      [
        'Line',
        'Counted',
        'Breached',
        'Compliance',
        'Target',
        'Per-breach credit',
        'Compliance credit',
        'Credit',
      ],
      [2.6, 0.9, 0.9, 1.25, 1.15, 1.1, 1.15, 0.9],
      lineRows,
      [
        ...(await sheet.section('Credits')),
        ...(await sheet.paragraph(
          `Credits are percentages of the monthly fee of ${money(s.monthly_fee_minor)}; the lines\u2019 and the uptime\u2019s are added up, then capped at ${s.cap_pct}%. The amount is ${claim}. A line without a target misses it with any breach.`,
        )),
      ],
      (i) => i >= lineRows.length - 2,
    ),
  );
  return blocks;
}

/** The uptime in detail and its tiers. */
async function uptimeBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, terms, s } = ctx;
  const blocks: Block<SheetRow>[] = [];
  if (s.uptime) {
    const u = s.uptime;
    const tierText = (t: { below_pct: number; at_or_above_pct?: number }) =>
      t.at_or_above_pct === undefined
        ? `below ${t.below_pct}%`
        : `${t.at_or_above_pct}% or more, below ${t.below_pct}%`;
    const fields = await sheet.fields([
      ...(terms.uptime?.service_id ? [{ label: 'Service', value: terms.uptime.service_id }] : []),
      {
        label: 'Uptime',
        value: `${u.uptime_pct}% (commitment ${u.commitment_pct}%: ${u.miss ? 'missed' : 'met'})`,
        ...(u.miss ? { color: REPORT_COLORS.missed } : {}),
      },
      {
        label: 'Minutes in the month',
        value: `${u.total_min} (${terms.reporting.uptime_time_zone ?? 'UTC'})`,
      },
      { label: 'Downtime', value: `${u.downtime_min} min (${formatMinutes(u.downtime_min)})` },
      {
        label: 'Qualifying maintenance',
        value: `${u.maintenance_min} min (${formatMinutes(u.maintenance_min)})`,
      },
      {
        label: 'Computed as',
        value: `${
          u.denominator === 'all_minutes'
            ? '(minutes \u2212 downtime) \u00f7 minutes'
            : '(minutes \u2212 maintenance \u2212 downtime) \u00f7 (minutes \u2212 maintenance)'
        }; downtime counted ${
          u.granularity === 'exact_seconds'
            ? 'to the second'
            : u.granularity === 'whole_minutes_any'
              ? 'in whole minutes'
              : 'exactly, outages under a minute left out'
        }`,
      },
      {
        label: 'Tier',
        value: u.tier ? `${tierText(u.tier)}: credit ${u.credit_pct}%` : 'none (no uptime credit)',
      },
    ]);
    const tiers = terms.credits.uptime_tiers ?? [];
    const lead = [...(await sheet.section('Uptime')), ...fields];
    if (tiers.length > 0) {
      const current = (t: (typeof tiers)[number]) =>
        u.tier !== null && t.below_pct === u.tier.below_pct && t.at_or_above_pct === u.tier.at_or_above_pct;
      blocks.push(
        await sheet.table(
          ['Uptime tier', 'Credit', 'This month'],
          [3, 1.5, 1.5],
          tiers.map((t) => [
            tierText(t),
            `${t.credit_pct}%`,
            current(t) ? { text: 'applies', bold: true, color: REPORT_COLORS.missed } : '',
          ]),
          lead,
          (i) => current(tiers[i]!),
        ),
      );
    } else blocks.push({ rows: [stack(lead)], gapAfter: 0 });
  }
  return blocks;
}

/** The measurements still running at month end. */
async function inProgressBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, s, labels, zone } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const inProgressLead = await sheet.section(`In progress at month end (${s.in_progress.length})`);
  if (s.in_progress.length > 0)
    blocks.push(
      await sheet.table(
        ['Ticket', 'Severity', 'Metric', 'Started', 'Elapsed of target', 'Due'],
        [1.1, 1.15, 1.35, 1.35, 1.9, 1.35],
        s.in_progress.map((p) => [
          p.ticket,
          labels.severity(p.severity),
          labels.metric(p.metric),
          localTime(p.start),
          `${formatMinutes(p.elapsed_min)} of ${formatMinutes(p.target_min)}`,
          p.due ? localTime(p.due) : '\u2014',
        ]),
        [
          ...inProgressLead,
          ...(await sheet.paragraph(
            `Neither stopped nor breached at month end: not counted in this month\u2019s compliance; each counts in the month it stops or breaches. Times in ${zone}; the due time assumes no further pause.`,
            MUTED,
            S.small + 0.5,
          )),
        ],
      ),
    );
  else
    blocks.push({
      rows: [
        stack([...inProgressLead, ...(await sheet.paragraph('No measurement was running at month end.'))]),
      ],
      gapAfter: 0,
    });
  return blocks;
}

/** The adjustments to earlier months. */
async function adjustmentBlocks(ctx: Context): Promise<Block<SheetRow>[]> {
  const { sheet, s, labels, money, zone } = ctx;
  const blocks: Block<SheetRow>[] = [];
  const adjustmentsLead = await sheet.section(`Adjustments to earlier months (${s.adjustments.length})`);
  if (s.adjustments.length === 0)
    blocks.push({
      rows: [
        stack([
          ...adjustmentsLead,
          ...(await sheet.paragraph('No change reached a month already reported.')),
        ]),
      ],
      gapAfter: 0,
    });
  for (const [i, a] of s.adjustments.entries()) {
    const outcome = (side: { severity: string; outcome: string } | null) =>
      side ? `${labels.severity(side.severity)}, ${side.outcome}` : 'not counted';
    const lead = [
      ...(i === 0
        ? [
            ...adjustmentsLead,
            ...(await sheet.paragraph(
              `Reported months are not restated: a change that reached one since is reported here, with the difference in credit. Times in ${zone}.`,
              MUTED,
              S.small + 0.5,
            )),
          ]
        : []),
      ...(await sheet.heading(
        `${monthName(a.month)}: credit ${money(a.credit_minor_was)} \u2192 ${money(a.credit_minor)} (${signedMoney(a.credit_minor_delta, s.currency)})`,
      )),
    ];
    blocks.push(
      await sheet.table(
        ['Ticket', 'Metric', 'Started', 'Was', 'Now'],
        [1.1, 1.5, 1.6, 1.8, 1.8],
        a.instances.map((x) => [
          x.ticket,
          labels.metric(x.metric),
          localTime(x.start),
          outcome(x.was),
          outcome(x.now),
        ]),
        lead,
      ),
    );
    if (a.lines.length > 0)
      blocks.push(
        await sheet.table(
          ['Line', 'Counted', 'Breached', 'Credit'],
          [3, 1.2, 1.2, 1.4],
          a.lines.map((l) => [
            labels.line(l.severity, l.metric),
            `${l.counted_was} \u2192 ${l.counted}`,
            `${l.breached_was} \u2192 ${l.breached}`,
            `${l.credit_pct_was}% \u2192 ${l.credit_pct}%`,
          ]),
          [],
        ),
      );
  }
  return blocks;
}

async function compose(sheet: ReportSheet, input: SlaReportInput): Promise<Block<SheetRow>[]> {
  const { terms, statement: s } = input;
  const ctx: Context = {
    sheet,
    input,
    terms,
    s,
    labels: labelsOf(terms),
    money: (minor) => formatMoney(minor, s.currency),
    zone: s.time_zone,
    claim:
      s.credits_applied === 'automatic'
        ? 'applied automatically to the next invoice'
        : `to be claimed by ${s.claimable_until} (${terms.credits.claim_window_days} days after the report date)`,
    overall: overallCompliance(s.lines),
  };
  const blocks: Block<SheetRow>[] = [];
  for (const part of [
    summaryBlocks,
    complianceBlocks,
    trendBlocks,
    breachBlocks,
    creditBlocks,
    uptimeBlocks,
    inProgressBlocks,
    adjustmentBlocks,
  ])
    blocks.push(...(await part(ctx)));
  return blocks;
}

/** The monthly SLA report of `input.statement` as a PDF (A4). */
export async function renderSlaReport(input: SlaReportInput, fonts: FontSource): Promise<Uint8Array> {
  const { statement: s } = input;
  const doc = await PDFDocument.create();
  const contract = input.contractName ?? s.contract_id;
  doc.setTitle(`SLA report \u2014 ${contract} \u2014 ${monthName(s.month)}`);
  doc.setSubject(`Monthly SLA report of contract ${s.contract_id} for ${s.month}`);
  doc.setProducer('Countersign');
  doc.setCreator('Countersign');
  const issued = new Date(input.issuedAt ?? `${s.report_date}T00:00:00Z`);
  if (!Number.isNaN(issued.getTime())) {
    doc.setCreationDate(issued);
    doc.setModificationDate(issued);
  }

  const [pageWidth, pageHeight] = A4;
  const width = pageWidth - 2 * MARGIN_X;
  const c = await Composer.create(doc, fonts);
  const top = pageHeight - MARGIN_TOP - HEADER;
  const bottom = MARGIN_BOTTOM + FOOTER;
  const sheet = new ReportSheet(c, width, top - bottom);
  const blocks = await compose(sheet, input);
  const laid = paginate(blocks, top, bottom);

  const brand = await c.line('SLA report', 'bold', S.body + 0.5, INK);
  const headRight = await sheet.fit(
    `${contract} \u00b7 ${monthName(s.month)}`,
    'text',
    S.small,
    width - brand.width - 20,
    MUTED,
  );
  const footLeft = await c.line(`Report date ${s.report_date}`, 'text', S.small, MUTED);
  const numbers: Piece[] = [];
  for (let n = 1; n <= laid.length; n++)
    numbers.push(
      await sheet.fit(
        `SLA report \u2014 ${contract} \u2014 ${s.month} \u2014 page ${n} of ${laid.length}`,
        'text',
        S.small,
        width - footLeft.width - 16,
        MUTED,
      ),
    );
  for (const rows of laid) for (const { row } of rows) for (const piece of row.pieces) c.use(piece);
  for (const piece of [brand, headRight, footLeft, ...numbers]) c.use(piece);
  await c.embed();

  for (const [n, rows] of laid.entries()) {
    const page = doc.addPage([pageWidth, pageHeight]);
    const left = MARGIN_X;
    const right = pageWidth - MARGIN_X;
    const headY = pageHeight - MARGIN_TOP - 10;
    c.draw(page, brand, left, headY);
    c.draw(page, headRight, right - headRight.width, headY);
    segment(page, left, headY - 7, right, headY - 7, INK, 0.75);
    for (const { row, top: rowTop } of rows) row.paint(page, left, rowTop);
    const footY = MARGIN_BOTTOM;
    segment(page, left, footY + 11, right, footY + 11, RULE);
    c.draw(page, footLeft, left, footY);
    const number = numbers[n]!;
    c.draw(page, number, right - number.width, footY);
  }
  return doc.save({ useObjectStreams: false });
}
