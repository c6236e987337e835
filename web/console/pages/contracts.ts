/**
 * The signed contracts: status, counterparty, end of the current period and the notice deadline,
 * with the contracts whose renewal window is open (the notice deadline within the next 90 days)
 * highlighted. Filters: status, counterparty, and a window of notice deadlines.
 * `#/contracts?status=&counterparty=&renewalFrom=&renewalTo=`.
 */

import { dictionary, formatDate } from '../i18n';
import { badge, card, field, h, on, pageHeader } from '../ui';
import type { PageContext } from './registry';

export interface ContractSummary {
  contractId: string;
  title?: string;
  status: 'active' | 'expired' | 'terminated';
  parties: { role: string; name: string; email?: string; organisation?: string }[];
  startDate: string;
  endDate: string;
  renews: boolean;
  noticeDeadline: string | null;
  currency: string;
  monthlyMinor: number;
  updatedAt: string;
}

const t = dictionary(
  {
    title: 'Contracts',
    status: 'Status',
    any: 'Any',
    active: 'Active',
    expired: 'Expired',
    terminated: 'Terminated',
    counterparty: 'Counterparty',
    counterpartyHint: 'Name, organisation or e-mail',
    renewalFrom: 'Notice deadline from',
    renewalTo: 'Notice deadline to',
    filter: 'Filter',
    inWindow: 'Renewal window: next 90 days',
    clear: 'Clear',
    contract: 'Contract',
    parties: 'Parties',
    end: 'Ends',
    notice: 'Notice deadline',
    fee: 'Monthly fee',
    none: 'No contract matches.',
    more: 'Show more',
    renews: 'renews',
    fixed: 'does not renew',
    dueIn: (p) => (Number(p.days) === 0 ? 'Notice due today' : `Notice due in ${p.days} days`),
    passed: 'Notice deadline passed',
    windowLegend: 'Highlighted: the notice deadline is within 90 days.',
  },
  {
    title: 'Contratos',
    status: 'Estado',
    any: 'Cualquiera',
    active: 'Vigente',
    expired: 'Vencido',
    terminated: 'Resuelto',
    counterparty: 'Contraparte',
    counterpartyHint: 'Nombre, organización o correo',
    renewalFrom: 'Plazo de aviso desde',
    renewalTo: 'Plazo de aviso hasta',
    filter: 'Filtrar',
    inWindow: 'Ventana de renovación: próximos 90 días',
    clear: 'Limpiar',
    contract: 'Contrato',
    parties: 'Partes',
    end: 'Termina',
    notice: 'Plazo de aviso',
    fee: 'Cuota mensual',
    none: 'Ningún contrato coincide.',
    more: 'Mostrar más',
    renews: 'se renueva',
    fixed: 'no se renueva',
    dueIn: (p) => (Number(p.days) === 0 ? 'Aviso hoy' : `Aviso en ${p.days} días`),
    passed: 'Plazo de aviso vencido',
    windowLegend: 'Resaltados: el plazo de aviso vence en 90 días o menos.',
  },
);

/** Days from today (the browser's) to a local date. */
export function daysUntil(date: string, today = new Date()): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d);
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  return Math.round((target - now) / 86_400_000);
}

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export function formatMoney(minor: number, currency: string): string {
  try {
    const format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(minor / 10 ** digits);
  } catch {
    return `${currency} ${(minor / 100).toFixed(2)}`;
  }
}

export async function render(ctx: PageContext): Promise<void> {
  const q = ctx.query;
  const status = h(
    'select',
    { id: 'filter-status' },
    ...(['', 'active', 'expired', 'terminated'] as const).map((s) =>
      h('option', { value: s }, s ? t(s) : t('any')),
    ),
  );
  status.value = q.get('status') ?? '';
  const counterparty = h('input', {
    type: 'search',
    id: 'filter-counterparty',
    value: q.get('counterparty') ?? '',
  });
  const from = h('input', { type: 'date', id: 'filter-from', value: q.get('renewalFrom') ?? '' });
  const to = h('input', { type: 'date', id: 'filter-to', value: q.get('renewalTo') ?? '' });
  const form = h(
    'form',
    { class: 'contract-filters', role: 'search', 'aria-label': t('filter') },
    field(t('status'), status),
    field(t('counterparty'), counterparty, { hint: t('counterpartyHint') }),
    field(t('renewalFrom'), from),
    field(t('renewalTo'), to),
    h('div', { class: 'filter-actions' }, h('button', { type: 'submit', class: 'button' }, t('filter'))),
  );
  const query = (params: Record<string, string>) => {
    const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== ''));
    const s = search.toString();
    return `/contracts${s ? `?${s}` : ''}`;
  };
  on(form, 'submit', (e) => {
    e.preventDefault();
    ctx.navigate(
      query({
        status: status.value,
        counterparty: counterparty.value.trim(),
        renewalFrom: from.value,
        renewalTo: to.value,
      }),
    );
  });
  const today = new Date();
  const in90 = new Date(today.getTime() + 90 * 86_400_000);
  const window90 = h(
    'a',
    { class: 'button small', href: `#${query({ renewalFrom: isoDay(today), renewalTo: isoDay(in90) })}` },
    t('inWindow'),
  );
  const clear = h('a', { class: 'button small link', href: '#/contracts' }, t('clear'));

  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'table contracts-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[t('contract'), t('parties'), t('status'), t('end'), t('notice'), t('fee')].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    body,
  );
  const empty = h('p', { class: 'empty', hidden: true }, t('none'));
  const more = h('button', { type: 'button', class: 'button', hidden: true }, t('more'));
  ctx.root.append(
    pageHeader(t('title')),
    card(form, h('div', { class: 'actions' }, window90, clear)),
    card(
      h(
        'p',
        { class: 'muted small' },
        h('span', { class: 'legend-swatch renewal', 'aria-hidden': 'true' }),
        ' ',
        t('windowLegend'),
      ),
      empty,
      h('div', { class: 'table-wrap' }, table),
      h('div', { class: 'actions' }, more),
    ),
  );

  let cursor: string | undefined;
  const load = async () => {
    const page = await ctx.api.get<{ items: ContractSummary[]; nextCursor?: string }>(
      '/v1/contracts',
      {
        limit: 50,
        cursor,
        status: q.get('status'),
        counterparty: q.get('counterparty'),
        renewalFrom: q.get('renewalFrom'),
        renewalTo: q.get('renewalTo'),
      },
      { signal: ctx.signal },
    );
    for (const c of page.items) {
      const days = c.noticeDeadline ? daysUntil(c.noticeDeadline, today) : null;
      const inWindow = c.status === 'active' && c.renews && days !== null && days >= 0 && days <= 90;
      body.append(
        h(
          'tr',
          { 'data-contract': c.contractId, class: inWindow ? 'renewal-window' : undefined },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: `#/contracts/${encodeURIComponent(c.contractId)}` }, c.title ?? c.contractId),
          ),
          h(
            'td',
            {},
            c.parties.map((p) => (p.organisation ? `${p.name} (${p.organisation})` : p.name)).join(', '),
          ),
          h(
            'td',
            {},
            badge(
              c.status === 'active' ? 'in_progress' : c.status === 'expired' ? 'expired' : 'declined',
              t(c.status),
            ),
          ),
          h(
            'td',
            {},
            formatDate(c.endDate),
            h('div', { class: 'muted small' }, c.renews ? t('renews') : t('fixed')),
          ),
          h(
            'td',
            {},
            c.noticeDeadline ? formatDate(c.noticeDeadline) : '—',
            inWindow ? h('div', { class: 'renewal-note' }, t('dueIn', { days: days! })) : null,
            c.status === 'active' && c.renews && days !== null && days < 0
              ? h('div', { class: 'muted small' }, t('passed'))
              : null,
          ),
          h('td', { class: 'num' }, formatMoney(c.monthlyMinor, c.currency)),
        ),
      );
    }
    cursor = page.nextCursor;
    more.hidden = !cursor;
    empty.hidden = body.childElementCount > 0;
    table.hidden = body.childElementCount === 0;
  };
  on(more, 'click', () => void load());
  await load();
}
