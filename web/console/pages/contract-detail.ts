/**
 * One contract: its parties, term and renewals, amendments, termination rights (from chronic SLA
 * failure), the sealed PDF and the audit trail; then its SLA for a month: compliance per severity
 * and metric against the targets, uptime against the commitment, the trend of the last 12 months,
 * the credits, the tickets at risk now and those breached this month, and the monthly reports
 * issued. `#/contracts/:id?month=YYYY-MM` (by default the contract's current reporting month).
 */

import { dictionary, formatDate, formatDateTime, lang } from '../i18n';
import {
  append,
  badge,
  busy,
  card,
  errorBox,
  facts,
  field,
  h,
  on,
  pageHeader,
  saveFile,
  toastError,
} from '../ui';
import type { PageContext } from './registry';
import { formatMoney, daysUntil } from './contracts';
import { complianceChart, trendChart, uptimeGauge, type ComplianceLine, type TrendPoint } from './sla-charts';
import { ticketImportCard } from './ticket-import';

interface Party {
  role: string;
  name: string;
  email?: string;
  organisation?: string;
}

interface Contract {
  id: string;
  title?: string;
  status: 'active' | 'expired' | 'terminated';
  envelopeId: string;
  template: { id: string; version: number };
  parties: Party[];
  owners: string[];
  term: {
    startDate: string;
    termMonths: number;
    renewal:
      { mode: 'fixed' } | { mode: 'auto'; renewalMonths: number; noticeDays: number; reminderDays: number };
    timeZone: string;
  };
  currentPeriod: { index: number; start: string; end: string };
  noticeDeadline: string | null;
  noticeWindowOpensOn: string | null;
  fee: { currency: string; monthlyMinor: number };
  renewals: { period: number; start: string; end: string; at: string }[];
  amendments: { envelopeId: string; effectiveFrom: string; recordedAt: string }[];
  terminationRights: {
    rule: Record<string, unknown>;
    months: string[];
    deadline: string;
    recordedAt: string;
  }[];
  nonRenewal?: { noticedOn: string; reason: string; forEnd: string; at: string };
  expiry?: { at: string; endDate: string };
  termination?: { reason: string; effectiveDate: string; at: string };
  links: { document: string; audit: string; terms: string; history: string };
}

interface StatementLine extends Omit<ComplianceLine, 'label'> {
  per_breach_credit_pct: number;
  compliance_credit_pct: number;
  credit_pct: number;
}

interface Statement {
  month: string;
  time_zone: string;
  period: { start: string; end: string };
  report_date: string;
  lines: StatementLine[];
  uptime: {
    uptime_pct: number;
    commitment_pct: number;
    miss: boolean;
    downtime_min: number;
    maintenance_min: number;
    total_min: number;
    credit_pct: number;
  } | null;
  uncapped_pct: number;
  capped_pct: number;
  cap_pct: number;
  credit_minor: number;
  currency: string;
  credits_applied: 'automatic' | 'on_claim';
  claimable_until: string | null;
  chronic_failure: {
    type: string;
    severity?: string;
    metric?: string;
    months: string[];
    remedy: string | null;
    deadline: string;
  }[];
  in_progress: unknown[];
  issued: boolean;
  issued_at: string | null;
  as_of: string;
  final: boolean;
}

interface LiveItem {
  ticket: string;
  metric: string;
  severity: string;
  due: string | null;
  elapsed_min: number | null;
  target_min: number | null;
  remaining_min: number | null;
  breach_at: string | null;
  state: string;
}

interface Live {
  as_of: string;
  time_zone: string;
  month: string;
  hours: number;
  at_risk: LiveItem[];
  breached: LiveItem[];
}

interface ReportSummary {
  month: string;
  issuedAt: string;
  counted: number;
  breached: number;
  compliance_pct: number | null;
  uptime_pct: number | null;
  missedLines: number;
  capped_pct: number;
  credit_minor: number;
  currency: string;
  chronicFailures: number;
}

interface ReportFiles {
  report: { url: string; name: string };
  csv: { url: string; name: string };
}

interface TermsInForce {
  inForce: { slaTerms: { severities?: { id: string; name?: string }[] } } | null;
}

const t = dictionary(
  {
    active: 'Active',
    expired: 'Expired',
    terminated: 'Terminated',
    contract: 'Contract',
    parties: 'Parties',
    owners: 'Owners',
    start: 'Started',
    term: 'Initial term',
    months: (p) => `${p.n} months`,
    renewal: 'Renewal',
    renewsAuto: (p) => `Renews for ${p.months} months unless notice is given ${p.notice} days before the end`,
    fixed: 'Ends after its term',
    period: 'Current period',
    periodRange: (p) => `${p.start} – ${p.end} (period ${p.n})`,
    notice: 'Notice deadline',
    noticeIn: (p) => `in ${p.days} days`,
    windowOpen: 'The renewal window is open',
    fee: 'Monthly fee',
    timeZone: 'Time zone',
    template: 'Template',
    sealed: 'Sealed PDF',
    envelope: 'Envelope and audit trail',
    auditJson: 'Audit trail (signed JSON)',
    renewals: 'Renewals',
    amendments: 'Amendments',
    effectiveFrom: (p) => `Effective from ${p.date}`,
    rights: 'Termination rights',
    rightsHint:
      'Recorded from the monthly SLA reports when a chronic-failure rule gives the right to terminate without penalty.',
    rightLine: (p) => `${p.rule}: ${p.months} — may be exercised until ${p.deadline}`,
    none: 'None',
    ended: 'How it ended',
    nonRenewal: (p) => `Notice of non-renewal given ${p.on}: ${p.reason}`,
    terminatedOn: (p) => `Terminated effective ${p.date}: ${p.reason}`,
    expiredOn: (p) => `Expired ${p.date}`,
    sla: 'Service levels',
    month: 'Month',
    previous: 'Previous month',
    next: 'Next month',
    show: 'Show',
    monthToDate: (p) => `Month to date, as of ${p.at}: the figures change until the month ends.`,
    issued: (p) => `Issued ${p.at}: the statement as reported.`,
    final: 'The month has ended; its report is not issued yet.',
    compliance: 'Compliance per severity and metric',
    complianceDesc: (p) =>
      `${p.n} lines. Each bar is the share of measured tickets within target; the marker is the line's target.`,
    target: 'Target',
    nothingCounted: 'nothing counted',
    noLines: 'No line of the terms was measured this month.',
    uptime: 'Uptime',
    uptimeDesc: (p) => `Uptime ${p.uptime}% against a commitment of ${p.commitment}%.`,
    commitment: 'commitment',
    downtime: (p) => `Downtime ${p.down} min, maintenance ${p.maint} min of ${p.total} min.`,
    noUptime: 'These terms commit to no uptime.',
    trend: 'The last 12 months',
    trendDesc: (p) => `Overall compliance per month, ${p.from} to ${p.to}; a gap is a month without figures.`,
    trendCompliance: 'Overall compliance per month',
    trendUptime: 'Uptime per month',
    trendUptimeDesc: (p) => `Uptime per month, ${p.from} to ${p.to}.`,
    credits: 'Service credits',
    line: 'Line',
    counted: 'Measured',
    breached: 'Breached',
    compliancePct: 'Compliance',
    targetPct: 'Target',
    perBreach: 'Per breach',
    complianceCredit: 'Compliance credit',
    credit: 'Credit',
    uptimeCredit: 'Uptime credit',
    total: (p) => `Total ${p.uncapped}% uncapped, ${p.capped}% after the ${p.cap}% cap: ${p.amount}`,
    automatic: 'Applied automatically.',
    onClaim: (p) => `To be claimed by ${p.date}.`,
    chronic: 'Chronic failure',
    chronicLine: (p) => `${p.type}${p.line} in ${p.months}${p.remedy}`,
    until: (p) => `: ${p.remedy} until ${p.deadline}`,
    live: 'Now',
    liveHint: (p) => `As of ${p.at} (${p.zone}); refreshed every minute.`,
    horizon: 'At risk within',
    hours: (p) => `${p.n} hours`,
    atRisk: 'At risk',
    atRiskNone: 'No running ticket is due within this time.',
    breachedNow: 'Breached this month',
    breachedNone: 'No breach this month.',
    ticket: 'Ticket',
    metric: 'Metric',
    severity: 'Severity',
    due: 'Due',
    left: 'Left',
    breachedAt: 'Breached',
    minutes: (p) => `${p.n} min`,
    overdue: (p) => `${p.n} min overdue`,
    reports: 'Monthly reports',
    reportsHint: 'Issued on the report day of the following month and mailed to the recipients and owners.',
    noReports: 'No report has been issued yet.',
    reportMonth: 'Month',
    download: 'Files',
    pdf: (p) => `PDF ${p.month}`,
    csv: (p) => `CSV ${p.month}`,
    issuedAt: 'Issued',
    missed: 'Lines missed',
    statementFailed: 'The statement could not be read:',
  },
  {
    active: 'Vigente',
    expired: 'Vencido',
    terminated: 'Resuelto',
    contract: 'Contrato',
    parties: 'Partes',
    owners: 'Responsables',
    start: 'Inicio',
    term: 'Plazo inicial',
    months: (p) => `${p.n} meses`,
    renewal: 'Renovación',
    renewsAuto: (p) => `Se renueva por ${p.months} meses salvo aviso ${p.notice} días antes del final`,
    fixed: 'Termina con su plazo',
    period: 'Periodo actual',
    periodRange: (p) => `${p.start} – ${p.end} (periodo ${p.n})`,
    notice: 'Plazo de aviso',
    noticeIn: (p) => `en ${p.days} días`,
    windowOpen: 'La ventana de renovación está abierta',
    fee: 'Cuota mensual',
    timeZone: 'Zona horaria',
    template: 'Plantilla',
    sealed: 'PDF sellado',
    envelope: 'Sobre y registro de auditoría',
    auditJson: 'Registro de auditoría (JSON firmado)',
    renewals: 'Renovaciones',
    amendments: 'Modificaciones',
    effectiveFrom: (p) => `Vigente desde ${p.date}`,
    rights: 'Derechos de resolución',
    rightsHint:
      'Registrados por los informes SLA mensuales cuando una regla de incumplimiento crónico da derecho a resolver sin penalización.',
    rightLine: (p) => `${p.rule}: ${p.months} — puede ejercerse hasta ${p.deadline}`,
    none: 'Ninguno',
    ended: 'Cómo terminó',
    nonRenewal: (p) => `Aviso de no renovación dado ${p.on}: ${p.reason}`,
    terminatedOn: (p) => `Resuelto con efecto ${p.date}: ${p.reason}`,
    expiredOn: (p) => `Vencido ${p.date}`,
    sla: 'Niveles de servicio',
    month: 'Mes',
    previous: 'Mes anterior',
    next: 'Mes siguiente',
    show: 'Mostrar',
    monthToDate: (p) => `Mes en curso, a ${p.at}: las cifras cambian hasta que acabe el mes.`,
    issued: (p) => `Emitido ${p.at}: la declaración tal como se informó.`,
    final: 'El mes ha terminado; su informe aún no se ha emitido.',
    compliance: 'Cumplimiento por severidad y métrica',
    complianceDesc: (p) =>
      `${p.n} líneas. Cada barra es la parte de tickets medidos dentro del objetivo; la marca es el objetivo de la línea.`,
    target: 'Objetivo',
    nothingCounted: 'nada medido',
    noLines: 'Ninguna línea de los términos se midió este mes.',
    uptime: 'Disponibilidad',
    uptimeDesc: (p) => `Disponibilidad ${p.uptime}% frente a un compromiso del ${p.commitment}%.`,
    commitment: 'compromiso',
    downtime: (p) => `Caída ${p.down} min, mantenimiento ${p.maint} min de ${p.total} min.`,
    noUptime: 'Estos términos no comprometen disponibilidad.',
    trend: 'Los últimos 12 meses',
    trendDesc: (p) => `Cumplimiento global por mes, de ${p.from} a ${p.to}; un hueco es un mes sin cifras.`,
    trendCompliance: 'Cumplimiento global por mes',
    trendUptime: 'Disponibilidad por mes',
    trendUptimeDesc: (p) => `Disponibilidad por mes, de ${p.from} a ${p.to}.`,
    credits: 'Créditos de servicio',
    line: 'Línea',
    counted: 'Medidos',
    breached: 'Incumplidos',
    compliancePct: 'Cumplimiento',
    targetPct: 'Objetivo',
    perBreach: 'Por incumplimiento',
    complianceCredit: 'Crédito de cumplimiento',
    credit: 'Crédito',
    uptimeCredit: 'Crédito de disponibilidad',
    total: (p) => `Total ${p.uncapped}% sin tope, ${p.capped}% tras el tope del ${p.cap}%: ${p.amount}`,
    automatic: 'Se aplica automáticamente.',
    onClaim: (p) => `A reclamar antes del ${p.date}.`,
    chronic: 'Incumplimiento crónico',
    chronicLine: (p) => `${p.type}${p.line} en ${p.months}${p.remedy}`,
    until: (p) => `: ${p.remedy} hasta ${p.deadline}`,
    live: 'Ahora',
    liveHint: (p) => `A ${p.at} (${p.zone}); se actualiza cada minuto.`,
    horizon: 'En riesgo en',
    hours: (p) => `${p.n} horas`,
    atRisk: 'En riesgo',
    atRiskNone: 'Ningún ticket abierto vence en este plazo.',
    breachedNow: 'Incumplidos este mes',
    breachedNone: 'Ningún incumplimiento este mes.',
    ticket: 'Ticket',
    metric: 'Métrica',
    severity: 'Severidad',
    due: 'Vence',
    left: 'Queda',
    breachedAt: 'Incumplido',
    minutes: (p) => `${p.n} min`,
    overdue: (p) => `${p.n} min de retraso`,
    reports: 'Informes mensuales',
    reportsHint:
      'Se emiten el día de informe del mes siguiente y se envían a los destinatarios y responsables.',
    noReports: 'Aún no se ha emitido ningún informe.',
    reportMonth: 'Mes',
    download: 'Archivos',
    pdf: (p) => `PDF ${p.month}`,
    csv: (p) => `CSV ${p.month}`,
    issuedAt: 'Emitido',
    missed: 'Líneas incumplidas',
    statementFailed: 'No se pudo leer la declaración:',
  },
);

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

const monthLabel = (month: string, style: 'short' | 'long' = 'short') => {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(lang() === 'es' ? 'es-ES' : 'en-US', {
    month: style,
    year: style === 'short' ? '2-digit' : 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, 1)));
};

/** An instant the SLA engine wrote in the contract's zone (`2026-12-20T10:20:00-05:00`), as its local date and time. */
const localTime = (iso: string | null | undefined) =>
  iso ? (/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso)?.slice(1, 3).join(' ') ?? iso) : '—';

const pct = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined
    ? '—'
    : `${new Intl.NumberFormat(undefined, { maximumFractionDigits: digits }).format(n)}%`;

/** Overall compliance of a statement's lines, as the report's trend computes it. */
const overall = (lines: { counted: number; breached: number }[]): number | null => {
  const n = lines.reduce((s, l) => s + l.counted, 0);
  const b = lines.reduce((s, l) => s + l.breached, 0);
  return n === 0 ? null : ((n - b) / n) * 100;
};

async function mapLimited<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

export async function render(ctx: PageContext): Promise<() => void> {
  const id = ctx.params.id!;
  const base = `/v1/contracts/${encodeURIComponent(id)}`;
  const hours = Math.min(720, Math.max(1, Number(ctx.query.get('hours')) || 24));
  const signal = ctx.signal;
  const [contract, live, reports, terms] = await Promise.all([
    ctx.api.get<Contract>(base, {}, { signal }),
    ctx.api.get<Live>(`${base}/sla/live`, { hours }, { signal }),
    ctx.api.get<{ items: ReportSummary[] }>(`${base}/reports`, {}, { signal }),
    ctx.api
      .get<TermsInForce>(`${base}/terms`, {}, { signal })
      .catch(() => ({ inForce: null }) as TermsInForce),
  ]);
  const requested = ctx.query.get('month');
  const month = requested && MONTH.test(requested) ? requested : live.month;
  const names = new Map((terms.inForce?.slaTerms.severities ?? []).map((s) => [s.id, s.name ?? s.id]));
  const lineLabel = (severity: string, metric: string) =>
    `${names.has(severity) && names.get(severity) !== severity ? `${severity} ${names.get(severity)}` : severity} · ${metric.replace(/_/g, ' ')}`;
  const timers: number[] = [];

  // ---- The contract.
  const status = badge(
    contract.status === 'active' ? 'in_progress' : contract.status === 'expired' ? 'expired' : 'declined',
    t(contract.status),
  );
  const days = contract.noticeDeadline ? daysUntil(contract.noticeDeadline) : null;
  const inWindow =
    contract.status === 'active' &&
    contract.term.renewal.mode === 'auto' &&
    days !== null &&
    days >= 0 &&
    days <= 90;
  const sealed = h('button', { type: 'button', class: 'button', id: 'sealed-pdf' }, t('sealed'));
  on(
    sealed,
    'click',
    () =>
      void busy(sealed, async () => {
        const link = await ctx.api.get<{ url: string }>(
          contract.links.document,
          { version: 'current' },
          { signal },
        );
        const a = h('a', { href: link.url, hidden: true, rel: 'noopener' });
        document.body.append(a);
        a.click();
        a.remove();
      }),
  );
  const audit = h('button', { type: 'button', class: 'button', id: 'audit-json' }, t('auditJson'));
  on(
    audit,
    'click',
    () =>
      void busy(audit, async () => {
        const trail = await ctx.api.get<unknown>(
          `/v1/envelopes/${encodeURIComponent(contract.envelopeId)}/audit`,
          { format: 'json' },
          { signal },
        );
        saveFile(JSON.stringify(trail, null, 2), `audit-${contract.envelopeId}.json`, 'application/json');
      }),
  );
  const renewal = contract.term.renewal;
  const ended = [
    contract.nonRenewal
      ? t('nonRenewal', { on: formatDate(contract.nonRenewal.noticedOn), reason: contract.nonRenewal.reason })
      : null,
    contract.termination
      ? t('terminatedOn', {
          date: formatDate(contract.termination.effectiveDate),
          reason: contract.termination.reason,
        })
      : null,
    contract.expiry ? t('expiredOn', { date: formatDate(contract.expiry.endDate) }) : null,
  ].filter((x): x is string => x !== null);

  ctx.root.append(
    pageHeader(
      `${t('contract')}: ${contract.title ?? contract.id}`,
      status,
      sealed,
      audit,
      h(
        'a',
        { class: 'button secondary', href: `#/envelopes/${encodeURIComponent(contract.envelopeId)}` },
        t('envelope'),
      ),
    ),
    card(
      facts([
        [
          t('parties'),
          h(
            'ul',
            { class: 'plain' },
            ...contract.parties.map((p) =>
              h(
                'li',
                {},
                `${p.name}${p.organisation ? ` (${p.organisation})` : ''}`,
                h('span', { class: 'muted small' }, ` · ${p.role}${p.email ? ` · ${p.email}` : ''}`),
              ),
            ),
          ),
        ],
        [t('start'), formatDate(contract.term.startDate)],
        [t('term'), t('months', { n: contract.term.termMonths })],
        [
          t('renewal'),
          renewal.mode === 'auto'
            ? t('renewsAuto', { months: renewal.renewalMonths, notice: renewal.noticeDays })
            : t('fixed'),
        ],
        [
          t('period'),
          t('periodRange', {
            start: formatDate(contract.currentPeriod.start),
            end: formatDate(contract.currentPeriod.end),
            n: contract.currentPeriod.index,
          }),
        ],
        [
          t('notice'),
          contract.noticeDeadline
            ? h(
                'span',
                { class: inWindow ? 'renewal-note' : undefined },
                formatDate(contract.noticeDeadline),
                days !== null && days >= 0 ? ` (${t('noticeIn', { days })})` : '',
                inWindow ? h('span', { class: 'badge status-pending' }, t('windowOpen')) : null,
              )
            : '—',
        ],
        [t('fee'), formatMoney(contract.fee.monthlyMinor, contract.fee.currency)],
        [t('timeZone'), contract.term.timeZone],
        [t('owners'), contract.owners.join(', ') || '—'],
        [
          t('template'),
          h(
            'a',
            {
              href: `#/templates/${encodeURIComponent(contract.template.id)}?version=${contract.template.version}`,
            },
            `v${contract.template.version}`,
          ),
        ],
      ]),
    ),
    card(
      h(
        'div',
        { class: 'three-columns' },
        h(
          'section',
          {},
          h('h2', {}, t('renewals')),
          contract.renewals.length
            ? h(
                'ul',
                {},
                ...contract.renewals.map((r) =>
                  h(
                    'li',
                    {},
                    t('periodRange', { start: formatDate(r.start), end: formatDate(r.end), n: r.period }),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, t('none')),
        ),
        h(
          'section',
          {},
          h('h2', {}, t('amendments')),
          contract.amendments.length
            ? h(
                'ul',
                {},
                ...contract.amendments.map((a) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `#/envelopes/${encodeURIComponent(a.envelopeId)}` }, a.envelopeId),
                    ` — ${t('effectiveFrom', { date: formatDate(a.effectiveFrom) })}`,
                  ),
                ),
              )
            : h('p', { class: 'muted' }, t('none')),
        ),
        h(
          'section',
          { 'data-rights': contract.terminationRights.length },
          h('h2', {}, t('rights')),
          h('p', { class: 'hint' }, t('rightsHint')),
          contract.terminationRights.length
            ? h(
                'ul',
                { class: 'rights' },
                ...contract.terminationRights.map((r) =>
                  h(
                    'li',
                    { class: 'notice warn' },
                    t('rightLine', {
                      rule: String(r.rule.type ?? 'rule'),
                      months: r.months.join(', '),
                      deadline: formatDate(r.deadline),
                    }),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, t('none')),
        ),
      ),
      ended.length ? h('section', {}, h('h2', {}, t('ended')), ...ended.map((e) => h('p', {}, e))) : null,
    ),
  );

  // ---- The month.
  const monthInput = h('input', {
    type: 'month',
    id: 'sla-month',
    value: month,
    min: contract.term.startDate.slice(0, 7),
  });
  const picker = h(
    'form',
    { class: 'month-picker', 'aria-label': t('month') },
    h(
      'a',
      {
        class: 'button small',
        href: `#/contracts/${encodeURIComponent(id)}?month=${shiftMonth(month, -1)}`,
        id: 'month-previous',
      },
      `← ${t('previous')}`,
    ),
    field(t('month'), monthInput),
    h('button', { type: 'submit', class: 'button small' }, t('show')),
    h(
      'a',
      {
        class: 'button small',
        href: `#/contracts/${encodeURIComponent(id)}?month=${shiftMonth(month, 1)}`,
        id: 'month-next',
      },
      `${t('next')} →`,
    ),
  );
  on(picker, 'submit', (e) => {
    e.preventDefault();
    if (MONTH.test(monthInput.value))
      ctx.navigate(`/contracts/${encodeURIComponent(id)}?month=${monthInput.value}`);
  });
  const slaCard = card(h('h2', { id: 'sla-heading' }, `${t('sla')}: ${monthLabel(month, 'long')}`), picker);
  slaCard.dataset.month = month;
  ctx.root.append(slaCard);

  let statement: Statement | null = null;
  try {
    statement = await ctx.api.get<Statement>(`${base}/sla`, { month }, { signal });
  } catch (err) {
    if (signal.aborted) throw err;
    slaCard.append(errorBox(err, t('statementFailed')));
  }
  if (statement) {
    const s = statement;
    slaCard.append(
      h(
        'p',
        {
          class: `notice ${s.issued ? 'success' : 'info'}`,
          'data-statement': s.issued ? 'issued' : s.final ? 'final' : 'running',
        },
        s.issued
          ? t('issued', { at: formatDateTime(s.issued_at ?? '') })
          : s.final
            ? t('final')
            : t('monthToDate', { at: localTime(s.as_of) }),
      ),
    );
    const lines: ComplianceLine[] = s.lines.map((l) => ({ ...l, label: lineLabel(l.severity, l.metric) }));
    slaCard.append(
      h('h3', {}, t('compliance')),
      lines.length
        ? h(
            'div',
            { class: 'chart-wrap', 'data-chart': 'compliance' },
            complianceChart(lines, {
              title: `${t('compliance')}: ${monthLabel(month, 'long')}`,
              description: t('complianceDesc', { n: lines.length }),
              target: t('target'),
              nothing: t('nothingCounted'),
            }),
          )
        : h('p', { class: 'muted' }, t('noLines')),
      h('h3', {}, t('uptime')),
      s.uptime
        ? h(
            'div',
            { class: 'chart-wrap narrow-chart', 'data-chart': 'uptime' },
            uptimeGauge(s.uptime.uptime_pct, s.uptime.commitment_pct, {
              title: t('uptime'),
              description: t('uptimeDesc', {
                uptime: s.uptime.uptime_pct,
                commitment: s.uptime.commitment_pct,
              }),
              commitment: t('commitment'),
            }),
            h(
              'p',
              { class: 'muted small' },
              t('downtime', {
                down: s.uptime.downtime_min,
                maint: s.uptime.maintenance_min,
                total: s.uptime.total_min,
              }),
            ),
          )
        : h('p', { class: 'muted' }, t('noUptime')),
    );

    // Credits, as a table (the figures of the compliance chart too).
    const rows = s.lines.map((l) =>
      h(
        'tr',
        { 'data-line': `${l.severity}|${l.metric}`, class: l.miss ? 'miss' : undefined },
        h('th', { scope: 'row' }, lineLabel(l.severity, l.metric)),
        h('td', { class: 'num' }, String(l.counted)),
        h('td', { class: 'num' }, String(l.breached)),
        h('td', { class: 'num' }, pct(l.compliance_pct)),
        h('td', { class: 'num' }, pct(l.target_pct)),
        h('td', { class: 'num' }, pct(l.per_breach_credit_pct, 4)),
        h('td', { class: 'num' }, pct(l.compliance_credit_pct, 4)),
        h('td', { class: 'num' }, pct(l.credit_pct, 4)),
      ),
    );
    if (s.uptime)
      rows.push(
        h(
          'tr',
          { class: s.uptime.miss ? 'miss' : undefined },
          h('th', { scope: 'row' }, t('uptimeCredit')),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', { class: 'num' }, pct(s.uptime.uptime_pct, 4)),
          h('td', { class: 'num' }, pct(s.uptime.commitment_pct, 4)),
          h('td', {}, ''),
          h('td', {}, ''),
          h('td', { class: 'num' }, pct(s.uptime.credit_pct, 4)),
        ),
      );
    append(
      slaCard,
      h('h3', {}, t('credits')),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'table compact-table credits-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                t('line'),
                t('counted'),
                t('breached'),
                t('compliancePct'),
                t('targetPct'),
                t('perBreach'),
                t('complianceCredit'),
                t('credit'),
              ].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
      h(
        'p',
        { class: 'credit-total', 'data-credit-minor': s.credit_minor },
        t('total', {
          uncapped: s.uncapped_pct,
          capped: s.capped_pct,
          cap: s.cap_pct,
          amount: formatMoney(s.credit_minor, s.currency),
        }),
        ' ',
        s.credits_applied === 'automatic'
          ? t('automatic')
          : t('onClaim', { date: formatDate(s.claimable_until ?? '') }),
      ),
      s.chronic_failure.length
        ? h(
            'div',
            { class: 'notice warn', 'data-chronic': s.chronic_failure.length },
            h('p', { class: 'notice-title' }, t('chronic')),
            h(
              'ul',
              {},
              ...s.chronic_failure.map((f) =>
                h(
                  'li',
                  {},
                  t('chronicLine', {
                    type: f.type.replace(/_/g, ' '),
                    line: f.severity ? ` (${f.severity} ${f.metric})` : '',
                    months: f.months.join(', '),
                    remedy: f.remedy
                      ? t('until', { remedy: f.remedy.replace(/_/g, ' '), deadline: formatDate(f.deadline) })
                      : '',
                  }),
                ),
              ),
            ),
          )
        : null,
    );

    // The trend: issued months from the reports, the others from their statements.
    const trendHost = h(
      'div',
      { class: 'chart-wrap', 'data-chart': 'trend' },
      h('p', { role: 'status', class: 'loading' }, '…'),
    );
    slaCard.append(h('h3', {}, t('trend')), trendHost);
    const first = contract.term.startDate.slice(0, 7);
    const months = Array.from({ length: 12 }, (_, i) => shiftMonth(month, i - 11)).filter((m) => m >= first);
    const issued = new Map(reports.items.map((r) => [r.month, r]));
    void mapLimited(months, 3, async (m): Promise<TrendPoint> => {
      if (m === month)
        return { month: m, compliance_pct: overall(s.lines), uptime_pct: s.uptime?.uptime_pct ?? null };
      const r = issued.get(m);
      if (r) return { month: m, compliance_pct: r.compliance_pct, uptime_pct: r.uptime_pct };
      try {
        const other = await ctx.api.get<Statement>(`${base}/sla`, { month: m }, { signal });
        return {
          month: m,
          compliance_pct: overall(other.lines),
          uptime_pct: other.uptime?.uptime_pct ?? null,
        };
      } catch {
        return { month: m, compliance_pct: null, uptime_pct: null };
      }
    }).then((points) => {
      if (signal.aborted) return;
      const range = { from: monthLabel(months[0] ?? month, 'long'), to: monthLabel(month, 'long') };
      trendHost.replaceChildren(
        h('p', { class: 'chart-caption', 'aria-hidden': 'true' }, t('trendCompliance')),
        trendChart(points, 'compliance_pct', {
          title: t('trend'),
          description: t('trendDesc', range),
          monthLabel: (m) => monthLabel(m),
        }),
      );
      if (s.uptime)
        trendHost.append(
          h('p', { class: 'chart-caption', 'aria-hidden': 'true' }, t('trendUptime')),
          trendChart(points, 'uptime_pct', {
            title: t('trendUptime'),
            description: t('trendUptimeDesc', range),
            monthLabel: (m) => monthLabel(m),
          }),
        );
      trendHost.dataset.points = String(points.filter((p) => p.compliance_pct !== null).length);
    });
  }

  // ---- Live.
  const horizon = h(
    'select',
    { id: 'live-hours' },
    ...[4, 24, 72, 168].map((n) => h('option', { value: String(n) }, t('hours', { n }))),
  );
  horizon.value = String([4, 24, 72, 168].includes(hours) ? hours : 24);
  on(horizon, 'change', () =>
    ctx.navigate(`/contracts/${encodeURIComponent(id)}?month=${month}&hours=${horizon.value}`),
  );
  const liveHost = h('div', {});
  const drawLive = (view: Live) => {
    const table = (items: LiveItem[], kind: 'risk' | 'breached') =>
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: `table compact-table live-table live-${kind}` },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...[
                t('ticket'),
                t('severity'),
                t('metric'),
                kind === 'risk' ? t('due') : t('breachedAt'),
                kind === 'risk' ? t('left') : t('due'),
              ].map((c) => h('th', { scope: 'col' }, c)),
            ),
          ),
          h(
            'tbody',
            {},
            ...items.map((item) =>
              h(
                'tr',
                { 'data-ticket': item.ticket, 'data-metric': item.metric },
                h('th', { scope: 'row' }, item.ticket),
                h('td', {}, item.severity),
                h('td', {}, item.metric.replace(/_/g, ' ')),
                h('td', {}, localTime(kind === 'risk' ? item.due : item.breach_at)),
                h(
                  'td',
                  { class: 'num' },
                  kind === 'risk'
                    ? item.remaining_min === null
                      ? '—'
                      : item.remaining_min < 0
                        ? t('overdue', { n: Math.round(-item.remaining_min) })
                        : t('minutes', { n: Math.round(item.remaining_min) })
                    : localTime(item.due),
                ),
              ),
            ),
          ),
        ),
      );
    liveHost.replaceChildren(
      h('p', { class: 'muted small' }, t('liveHint', { at: localTime(view.as_of), zone: view.time_zone })),
      h(
        'h3',
        {},
        t('atRisk'),
        ' ',
        h(
          'span',
          { class: 'badge status-pending', 'data-count': view.at_risk.length },
          String(view.at_risk.length),
        ),
      ),
      view.at_risk.length ? table(view.at_risk, 'risk') : h('p', { class: 'muted' }, t('atRiskNone')),
      h(
        'h3',
        {},
        t('breachedNow'),
        ' ',
        h(
          'span',
          { class: 'badge status-declined', 'data-count': view.breached.length },
          String(view.breached.length),
        ),
      ),
      view.breached.length ? table(view.breached, 'breached') : h('p', { class: 'muted' }, t('breachedNone')),
    );
  };
  drawLive(live);
  ctx.root.append(
    card(
      h(
        'div',
        { class: 'card-head' },
        h('h2', {}, t('live')),
        field(t('horizon'), horizon, { class: 'inline-field' }),
      ),
      liveHost,
    ),
  );
  append(ctx.root, ticketImportCard(ctx, id));
  timers.push(
    window.setInterval(() => {
      ctx.api
        .get<Live>(`${base}/sla/live`, { hours: horizon.value }, { signal, retries: 0 })
        .then(drawLive)
        .catch(() => undefined);
    }, 60_000),
  );

  // ---- Reports.
  const download = (r: ReportSummary, which: 'report' | 'csv') => {
    const b = h(
      'button',
      { type: 'button', class: 'button small', 'data-report': `${r.month}:${which}` },
      which === 'report' ? t('pdf', { month: r.month }) : t('csv', { month: r.month }),
    );
    on(
      b,
      'click',
      () =>
        void busy(
          b,
          async () => {
            const files = await ctx.api.get<ReportFiles>(`${base}/reports/${r.month}`, {}, { signal });
            const a = h('a', {
              href: files[which].url,
              download: files[which].name,
              hidden: true,
              rel: 'noopener',
            });
            document.body.append(a);
            a.click();
            a.remove();
          },
          toastError,
        ),
    );
    return b;
  };
  ctx.root.append(
    card(
      h('h2', {}, t('reports')),
      h('p', { class: 'hint' }, t('reportsHint')),
      reports.items.length
        ? h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table compact-table reports-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...[
                    t('reportMonth'),
                    t('issuedAt'),
                    t('compliancePct'),
                    t('uptime'),
                    t('missed'),
                    t('credit'),
                    t('download'),
                  ].map((c) => h('th', { scope: 'col' }, c)),
                ),
              ),
              h(
                'tbody',
                {},
                ...[...reports.items]
                  .reverse()
                  .map((r) =>
                    h(
                      'tr',
                      { 'data-report-month': r.month },
                      h(
                        'th',
                        { scope: 'row' },
                        h(
                          'a',
                          { href: `#/contracts/${encodeURIComponent(id)}?month=${r.month}` },
                          monthLabel(r.month, 'long'),
                        ),
                      ),
                      h('td', {}, formatDateTime(r.issuedAt)),
                      h('td', { class: 'num' }, pct(r.compliance_pct)),
                      h('td', { class: 'num' }, pct(r.uptime_pct, 4)),
                      h('td', { class: 'num' }, String(r.missedLines)),
                      h('td', { class: 'num' }, formatMoney(r.credit_minor, r.currency)),
                      h('td', { class: 'row-links' }, download(r, 'report'), download(r, 'csv')),
                    ),
                  ),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('noReports')),
    ),
  );
  return () => timers.forEach((timer) => window.clearInterval(timer));
}
