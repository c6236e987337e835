/**
 * `#/envelopes`: the sender's envelopes (the tenant's for admins, legal and auditors), newest
 * first, filtered by status (`?status=`, asked of the API) and searched by title or recipient
 * (`?q=`, in the pages loaded: the list carries titles, so recipients are read from each
 * envelope as needed). More are loaded page by page with the API's cursor.
 */

import { dictionary, formatDateTime } from '../i18n';
import {
  ENVELOPE_STATUSES,
  type Envelope,
  type EnvelopeStatus,
  type EnvelopeSummary,
  type Page,
} from '../types';
import { badge, button, errorBox, field, h, input, on, pageHeader, scrollRegion, select } from '../ui';
import type { PageContext } from './registry';

export const statusText = dictionary<EnvelopeStatus>(
  {
    draft: 'Draft',
    sent: 'In progress',
    completed: 'Completed',
    declined: 'Declined',
    voided: 'Voided',
    expired: 'Expired',
  },
  {
    draft: 'Borrador',
    sent: 'En curso',
    completed: 'Completado',
    declined: 'Rechazado',
    voided: 'Anulado',
    expired: 'Caducado',
  },
);

const t = dictionary(
  {
    title: 'Envelopes',
    send: 'Send a PDF',
    sendTemplate: 'Send from a template',
    status: 'Status',
    all: 'All',
    search: 'Search',
    searchHint: 'Title, recipient name or e-mail.',
    caption: 'Your envelopes, newest first',
    'col.title': 'Title',
    'col.status': 'Status',
    'col.recipients': 'Recipients',
    'col.step': 'Step',
    'col.updated': 'Updated',
    'col.owner': 'Sender',
    more: 'Load more',
    empty: 'No envelopes yet.',
    noMatch: 'No envelope matches.',
    searching: 'Searching the recipients…',
    shown: (p) => (p.n === 1 ? '1 envelope shown' : `${p.n} envelopes shown`),
  },
  {
    title: 'Sobres',
    send: 'Enviar un PDF',
    sendTemplate: 'Enviar desde una plantilla',
    status: 'Estado',
    all: 'Todos',
    search: 'Buscar',
    searchHint: 'Título, nombre o correo de un destinatario.',
    caption: 'Sus sobres, los más recientes primero',
    'col.title': 'Título',
    'col.status': 'Estado',
    'col.recipients': 'Destinatarios',
    'col.step': 'Paso',
    'col.updated': 'Actualizado',
    'col.owner': 'Remitente',
    more: 'Cargar más',
    empty: 'Aún no hay sobres.',
    noMatch: 'Ningún sobre coincide.',
    searching: 'Buscando en los destinatarios…',
    shown: (p) => (p.n === 1 ? '1 sobre mostrado' : `${p.n} sobres mostrados`),
  },
);

/** Recipients of envelopes already read, kept while the console is open. */
const recipientsOf = new Map<string, string>();

export async function render(ctx: PageContext): Promise<void> {
  const status = ctx.query.get('status') ?? '';
  const items: EnvelopeSummary[] = [];
  let cursor: string | undefined;

  const statusSelect = select(
    [{ value: '', label: t('all') }, ...ENVELOPE_STATUSES.map((s) => ({ value: s, label: statusText(s) }))],
    ENVELOPE_STATUSES.includes(status as EnvelopeStatus) ? status : '',
    { id: 'status-filter' },
  );
  const search = input({
    type: 'search',
    id: 'envelope-search',
    value: ctx.query.get('q') ?? '',
    autocomplete: 'off',
  });
  const tbody = h('tbody');
  const summary = h('p', { class: 'muted small', role: 'status' });
  const moreButton = button(t('more'), () => void loadMore(), { id: 'load-more' });
  const errorSlot = h('div');
  const table = h(
    'table',
    { id: 'envelopes' },
    h('caption', { class: 'sr-only' }, t('caption')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...(
          ['col.title', 'col.status', 'col.recipients', 'col.step', 'col.updated', 'col.owner'] as const
        ).map((k) => h('th', { scope: 'col' }, t(k))),
      ),
    ),
    tbody,
  );

  ctx.root.append(
    pageHeader(
      t('title'),
      h('a', { class: 'button primary', href: '#/send' }, t('send')),
      h('a', { class: 'button', href: '#/send/template' }, t('sendTemplate')),
    ),
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'filters' },
        field(t('status'), statusSelect),
        field(t('search'), search, { hint: t('searchHint') }),
      ),
      errorSlot,
      scrollRegion(t('caption'), table),
      summary,
      h('div', { class: 'actions' }, moreButton),
    ),
  );

  const routeWith = (changes: Record<string, string>) => {
    const query = new URLSearchParams({ ...(status ? { status } : {}), ...Object.fromEntries(ctx.query) });
    for (const [k, v] of Object.entries(changes)) {
      if (v) query.set(k, v);
      else query.delete(k);
    }
    const qs = query.toString();
    return `/envelopes${qs ? `?${qs}` : ''}`;
  };
  on(statusSelect, 'change', () => ctx.navigate(routeWith({ status: statusSelect.value })));
  let searchTimer: number | undefined;
  on(search, 'input', () => {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => {
      // Kept in the address (without a new history entry) so that going back returns to it.
      history.replaceState(history.state, '', `#${routeWith({ q: search.value.trim() })}`);
      void draw();
    }, 250);
  });

  let drawing = 0;
  async function draw(): Promise<void> {
    const generation = ++drawing;
    const q = search.value.trim().toLowerCase();
    let shown = items;
    if (q) {
      const byTitle = (e: EnvelopeSummary) => e.title.toLowerCase().includes(q);
      // Titles match at once; recipients are read from each envelope not matched by its title.
      const unknown = items.filter((e) => !byTitle(e) && !recipientsOf.has(e.id));
      if (unknown.length) {
        summary.textContent = t('searching');
        await readRecipients(unknown);
        if (generation !== drawing) return;
      }
      shown = items.filter((e) => byTitle(e) || (recipientsOf.get(e.id) ?? '').includes(q));
    }
    tbody.replaceChildren(
      ...shown.map((e) =>
        h(
          'tr',
          { 'data-envelope': e.id },
          h('td', {}, h('a', { href: `#/envelopes/${encodeURIComponent(e.id)}` }, e.title)),
          h('td', {}, badge(e.status, statusText(e.status))),
          h('td', { class: 'num' }, String(e.recipientCount)),
          h('td', { class: 'num' }, e.currentStep === null ? '—' : String(e.currentStep)),
          h('td', {}, formatDateTime(e.updatedAt)),
          h('td', {}, e.owner.email ?? e.owner.sub),
        ),
      ),
    );
    if (!shown.length) {
      tbody.append(
        h('tr', {}, h('td', { colspan: 6, class: 'empty' }, items.length ? t('noMatch') : t('empty'))),
      );
    }
    summary.textContent = t('shown', { n: shown.length });
    moreButton.hidden = !cursor;
  }

  async function readRecipients(list: EnvelopeSummary[]): Promise<void> {
    const queue = [...list];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        try {
          const envelope = await ctx.api.get<Envelope>(
            `/v1/envelopes/${encodeURIComponent(next.id)}`,
            undefined,
            {
              signal: ctx.signal,
            },
          );
          recipientsOf.set(
            next.id,
            envelope.recipients
              .map((r) => `${r.name} ${r.email} ${r.group?.name ?? ''}`.toLowerCase())
              .join('\n'),
          );
        } catch {
          recipientsOf.set(next.id, '');
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  }

  async function loadMore(first = false): Promise<void> {
    errorSlot.replaceChildren();
    moreButton.disabled = true;
    try {
      const page = await ctx.api.get<Page<EnvelopeSummary>>(
        '/v1/envelopes',
        { status: status || undefined, limit: 25, cursor },
        { signal: ctx.signal },
      );
      items.push(...page.items);
      cursor = page.nextCursor;
      await draw();
    } catch (err) {
      if (ctx.signal.aborted) return;
      errorSlot.replaceChildren(errorBox(err));
      if (first) moreButton.hidden = true;
    } finally {
      moreButton.disabled = false;
    }
  }

  await loadMore(true);
}
