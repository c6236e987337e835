/**
 * The SLA charts as inline SVG (no library, nothing the CSP must allow): compliance per severity
 * and metric as bars against their target markers, the 12-month trend as lines with gaps where a
 * month has no figures, and uptime as a bar on a scale zoomed around the commitment. Colours come
 * from classes (pages.css); every chart has a title and a description for screen readers, and the
 * page shows the same figures as a table.
 */

const NS = 'http://www.w3.org/2000/svg';

type SvgAttrs = Record<string, string | number | undefined>;

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: SvgAttrs = {},
  ...children: (SVGElement | string | null)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs))
    if (value !== undefined) el.setAttribute(name, String(value));
  for (const child of children) {
    if (child === null) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

let ids = 0;
const nextId = (prefix: string) => `${prefix}-${++ids}`;

/** An `<svg role="img">` with its title and description, scaling to its container's width. */
function chart(
  width: number,
  height: number,
  title: string,
  description: string,
  cls: string,
): SVGSVGElement {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  return svg(
    'svg',
    {
      class: `chart ${cls}`,
      viewBox: `0 0 ${width} ${height}`,
      width: '100%',
      preserveAspectRatio: 'xMinYMin meet',
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      focusable: 'false',
    },
    svg('title', { id: titleId }, title),
    svg('desc', { id: descId }, description),
  );
}

const fmt = (n: number, digits = 1) =>
  new Intl.NumberFormat(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(n);

export interface ComplianceLine {
  severity: string;
  metric: string;
  /** What to call the line (the severity's name, the metric). */
  label: string;
  counted: number;
  breached: number;
  compliance_pct: number | null;
  target_pct: number | null;
  miss: boolean;
}

/** Bar geometry, exposed for the page's tests and the table beside the chart. */
export const BAR_CHART = { left: 190, width: 400, row: 36, top: 28 };

/**
 * Compliance per line: a bar of (n − b) / n on a 0–100 % scale, a marker at the line's target,
 * the value and the counts at the end. A line with nothing counted has an empty bar and says so.
 */
export function complianceChart(
  lines: ComplianceLine[],
  words: { title: string; description: string; target: string; nothing: string },
): SVGSVGElement {
  const { left, width, row, top } = BAR_CHART;
  const height = top + lines.length * row + 24;
  const el = chart(left + width + 150, height, words.title, words.description, 'compliance-chart');
  el.dataset.barWidth = String(width);
  // The scale: gridlines every 25 %.
  for (const pct of [0, 25, 50, 75, 100]) {
    const x = left + (pct / 100) * width;
    el.append(
      svg('line', { class: 'grid-line', x1: x, x2: x, y1: top - 6, y2: top + lines.length * row }),
      svg('text', { class: 'axis-label', x, y: top - 10, 'text-anchor': 'middle' }, `${pct}%`),
    );
  }
  lines.forEach((line, i) => {
    const y = top + i * row + 6;
    const barHeight = row - 14;
    const pct = line.compliance_pct;
    const barWidth = pct === null ? 0 : Math.max(0, Math.min(100, pct)) * (width / 100);
    const state = pct === null ? 'empty' : line.miss ? 'miss' : 'met';
    const group = svg('g', {
      class: `bar-row ${state}`,
      'data-line': `${line.severity}|${line.metric}`,
    });
    group.append(
      svg(
        'text',
        { class: 'bar-label', x: left - 10, y: y + barHeight / 2 + 5, 'text-anchor': 'end' },
        line.label,
      ),
      svg('rect', { class: 'bar-track', x: left, y, width, height: barHeight, rx: 3 }),
      svg('rect', {
        class: `bar ${state}`,
        x: left,
        y,
        width: barWidth.toFixed(2),
        height: barHeight,
        rx: 3,
        'data-compliance': pct === null ? '' : String(pct),
        'data-target': line.target_pct === null ? '' : String(line.target_pct),
      }),
    );
    if (line.target_pct !== null) {
      const x = left + (Math.max(0, Math.min(100, line.target_pct)) / 100) * width;
      group.append(
        svg(
          'line',
          {
            class: 'target-marker',
            x1: x,
            x2: x,
            y1: y - 4,
            y2: y + barHeight + 4,
            'data-target': String(line.target_pct),
          },
          svg('title', {}, `${words.target} ${fmt(line.target_pct, 2)}%`),
        ),
      );
    }
    group.append(
      svg(
        'text',
        { class: 'bar-value', x: left + width + 10, y: y + barHeight / 2 + 5 },
        pct === null ? words.nothing : `${fmt(pct, 2)}% (${line.counted - line.breached}/${line.counted})`,
      ),
    );
    el.append(group);
  });
  return el;
}

export interface TrendPoint {
  month: string;
  compliance_pct: number | null;
  uptime_pct: number | null;
}

/** A line chart of one series over months; gaps where a month has no value. */
export function trendChart(
  points: TrendPoint[],
  series: 'compliance_pct' | 'uptime_pct',
  words: { title: string; description: string; monthLabel: (m: string) => string },
  floor?: number,
): SVGSVGElement {
  const width = 640;
  const height = 220;
  const pad = { left: 52, right: 16, top: 16, bottom: 36 };
  const values = points.map((p) => p[series]).filter((v): v is number => v !== null);
  const hi = 100;
  // A scale down to just below the lowest value, in round steps (0.1 % for uptime near 100 %).
  const lowest = floor ?? (values.length ? Math.min(...values) : 0);
  const span = Math.max(hi - lowest, series === 'uptime_pct' ? 0.5 : 10);
  const step = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25].find((s) => span / s <= 5) ?? 25;
  const ticks = Math.ceil(span / step - 1e-9);
  const lo = Math.max(0, hi - ticks * step);
  const el = chart(width, height, words.title, words.description, `trend-chart trend-${series}`);
  const x = (i: number) =>
    pad.left +
    (points.length <= 1
      ? (width - pad.left - pad.right) / 2
      : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => pad.top + ((hi - v) / (hi - lo)) * (height - pad.top - pad.bottom);
  for (let k = 0; k <= ticks; k++) {
    const v = lo + step * k;
    el.append(
      svg('line', { class: 'grid-line', x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v) }),
      svg(
        'text',
        { class: 'axis-label', x: pad.left - 6, y: y(v) + 4, 'text-anchor': 'end' },
        `${fmt(v, step < 1 ? 1 : 0)}%`,
      ),
    );
  }
  points.forEach((p, i) =>
    el.append(
      svg(
        'text',
        { class: 'axis-label', x: x(i), y: height - 12, 'text-anchor': 'middle' },
        words.monthLabel(p.month),
      ),
    ),
  );
  // Runs of consecutive months with values are joined; a month without one breaks the line.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1)
      el.append(svg('polyline', { class: 'trend-line', points: run.join(' '), fill: 'none' }));
    run = [];
  };
  points.forEach((p, i) => {
    const v = p[series];
    if (v === null) return flush();
    run.push(`${x(i).toFixed(1)},${y(Math.max(lo, v)).toFixed(1)}`);
  });
  flush();
  points.forEach((p, i) => {
    const v = p[series];
    if (v === null) return;
    el.append(
      svg(
        'circle',
        {
          class: 'trend-point',
          cx: x(i).toFixed(1),
          cy: y(Math.max(lo, v)).toFixed(1),
          r: 4,
          'data-month': p.month,
          'data-value': String(v),
        },
        svg('title', {}, `${words.monthLabel(p.month)}: ${fmt(v, 3)}%`),
      ),
    );
  });
  return el;
}

/** Uptime on a scale zoomed around the commitment (a 0–100 % bar would hide 99.9 against 99.5). */
export function uptimeGauge(
  uptime: number,
  commitment: number,
  words: { title: string; description: string; commitment: string },
): SVGSVGElement {
  const width = 640;
  const left = 20;
  const barWidth = width - 40;
  const lo = Math.max(0, Math.floor(Math.min(uptime, commitment) - 0.5));
  const hi = 100;
  const x = (v: number) => left + ((Math.max(lo, Math.min(hi, v)) - lo) / (hi - lo)) * barWidth;
  const miss = uptime < commitment;
  const el = chart(width, 86, words.title, words.description, 'uptime-gauge');
  el.append(
    svg('rect', { class: 'bar-track', x: left, y: 24, width: barWidth, height: 22, rx: 4 }),
    svg('rect', {
      class: `bar uptime ${miss ? 'miss' : 'met'}`,
      x: left,
      y: 24,
      width: (x(uptime) - left).toFixed(2),
      height: 22,
      rx: 4,
      'data-uptime': String(uptime),
    }),
    svg('line', {
      class: 'target-marker',
      x1: x(commitment),
      x2: x(commitment),
      y1: 16,
      y2: 54,
      'data-target': String(commitment),
    }),
    svg(
      'text',
      { class: 'axis-label', x: x(commitment), y: 12, 'text-anchor': 'middle' },
      `${words.commitment} ${fmt(commitment, 3)}%`,
    ),
    svg('text', { class: 'axis-label', x: left, y: 70 }, `${fmt(lo, 1)}%`),
    svg('text', { class: 'axis-label', x: left + barWidth, y: 70, 'text-anchor': 'end' }, '100%'),
    svg('text', { class: 'gauge-value', x: width / 2, y: 72, 'text-anchor': 'middle' }, `${fmt(uptime, 4)}%`),
  );
  return el;
}
