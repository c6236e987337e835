import type { Statement } from './statement';

/**
 * A statement as CSV (RFC 4180: CRLF line ends, fields with a comma, quote or line break
 * quoted, quotes doubled): one row per line, then uptime, totals, adjustments and
 * chronic-failure flags, each row saying what it is in `row`.
 */

const COLUMNS = [
  'month',
  'row',
  'severity',
  'metric',
  'counted',
  'breached',
  'compliance_pct',
  'target_pct',
  'uptime_pct',
  'total_min',
  'downtime_min',
  'maintenance_min',
  'credit_pct',
  'credit_minor',
  'currency',
  'note',
] as const;

type Row = Partial<Record<(typeof COLUMNS)[number], string | number | null>>;

function field(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function statementCsv(s: Statement): string {
  const rows: Row[] = s.lines.map((l) => ({
    month: s.month,
    row: 'line',
    severity: l.severity,
    metric: l.metric,
    counted: l.counted,
    breached: l.breached,
    compliance_pct: l.compliance_pct,
    target_pct: l.target_pct,
    credit_pct: l.credit_pct,
  }));
  if (s.uptime) {
    const u = s.uptime;
    const tier = u.tier
      ? `tier ${u.tier.at_or_above_pct === undefined ? `below ${u.tier.below_pct}` : `[${u.tier.at_or_above_pct}, ${u.tier.below_pct})`}`
      : 'no tier';
    rows.push({
      month: s.month,
      row: 'uptime',
      uptime_pct: u.uptime_pct,
      total_min: u.total_min,
      downtime_min: u.downtime_min,
      maintenance_min: u.maintenance_min,
      credit_pct: u.credit_pct,
      note: `${tier}; commitment ${u.commitment_pct}${u.miss ? ' missed' : ' met'}; ${u.denominator}, ${u.granularity}`,
    });
  }
  rows.push({ month: s.month, row: 'total_uncapped', credit_pct: s.uncapped_pct });
  rows.push({
    month: s.month,
    row: 'total',
    credit_pct: s.capped_pct,
    credit_minor: s.credit_minor,
    currency: s.currency,
    note: `cap ${s.cap_pct}%; ${s.claimable_until ? `claimable until ${s.claimable_until}` : 'applied automatically'}; report date ${s.report_date}`,
  });
  for (const a of s.adjustments)
    rows.push({
      month: a.month,
      row: 'adjustment',
      credit_minor: a.credit_minor_delta,
      currency: s.currency,
      note: `instance(s) changed: ${a.instances.length}; credit ${a.credit_minor_was} -> ${a.credit_minor}`,
    });
  for (const f of s.chronic_failure)
    rows.push({
      month: s.month,
      row: 'chronic_failure',
      severity: f.severity ?? null,
      metric: f.metric ?? null,
      note: `rule ${f.rule} ${f.type}: ${f.trigger} ${f.threshold} (${f.months.join(', ')}); ${f.remedy ?? 'remedy'} until ${f.deadline}`,
    });
  return (
    [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => field(r[c])).join(','))].join('\r\n') + '\r\n'
  );
}
