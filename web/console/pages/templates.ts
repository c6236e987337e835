/**
 * The templates of the organisation: name, latest and approved versions, whether they carry SLA
 * terms, when they changed; archived ones on request. `#/templates?archived=1`.
 */

import { dictionary, formatDateTime } from '../i18n';
import { badge, card, h, on, pageHeader } from '../ui';
import type { PageContext } from './registry';
import type { TemplateSummary } from './template-types';

const t = dictionary(
  {
    title: 'Templates',
    create: 'New template',
    showArchived: 'Show archived templates',
    name: 'Name',
    latest: 'Latest version',
    approved: 'Approved version',
    sla: 'SLA terms',
    updated: 'Changed',
    yes: 'Yes',
    no: 'No',
    none: 'No template yet. Create one from a PDF.',
    archived: 'Archived',
    more: 'Show more',
    waiting: 'none yet',
  },
  {
    title: 'Plantillas',
    create: 'Nueva plantilla',
    showArchived: 'Mostrar las plantillas archivadas',
    name: 'Nombre',
    latest: 'Última versión',
    approved: 'Versión aprobada',
    sla: 'Términos SLA',
    updated: 'Cambiada',
    yes: 'Sí',
    no: 'No',
    none: 'Aún no hay plantillas. Cree una a partir de un PDF.',
    archived: 'Archivada',
    more: 'Mostrar más',
    waiting: 'ninguna aún',
  },
);

export async function render(ctx: PageContext): Promise<void> {
  const archived = ctx.query.get('archived') === '1';
  const toggle = h('input', { type: 'checkbox', id: 'show-archived' });
  toggle.checked = archived;
  on(toggle, 'change', () => ctx.navigate(toggle.checked ? '/templates?archived=1' : '/templates'));
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'table templates-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[t('name'), t('latest'), t('approved'), t('sla'), t('updated')].map((c) =>
          h('th', { scope: 'col' }, c),
        ),
      ),
    ),
    body,
  );
  const more = h('button', { type: 'button', class: 'button', hidden: true }, t('more'));
  const empty = h('p', { class: 'muted', hidden: true }, t('none'));
  ctx.root.append(
    pageHeader(
      t('title'),
      h('a', { class: 'button primary', href: '#/templates/new', id: 'new-template' }, t('create')),
    ),
    card(
      h('div', { class: 'check-line' }, toggle, h('label', { for: toggle.id }, t('showArchived'))),
      empty,
      h('div', { class: 'table-wrap' }, table),
      h('div', { class: 'actions' }, more),
    ),
  );
  let cursor: string | undefined;
  const load = async () => {
    const page = await ctx.api.get<{ items: TemplateSummary[]; nextCursor?: string }>(
      '/v1/templates',
      { limit: 50, cursor, includeArchived: archived ? 'true' : undefined },
      { signal: ctx.signal },
    );
    for (const item of page.items)
      body.append(
        h(
          'tr',
          { 'data-template': item.templateId },
          h(
            'th',
            { scope: 'row' },
            h('a', { href: `#/templates/${encodeURIComponent(item.templateId)}` }, item.name),
            item.archived ? [' ', badge('archived', t('archived'))] : null,
          ),
          h('td', {}, `v${item.latestVersion}`),
          h(
            'td',
            {},
            item.approvedVersion ? `v${item.approvedVersion}` : h('span', { class: 'muted' }, t('waiting')),
          ),
          h('td', {}, item.hasSlaTerms ? t('yes') : t('no')),
          h('td', {}, formatDateTime(item.updatedAt)),
        ),
      );
    cursor = page.nextCursor;
    more.hidden = !cursor;
    empty.hidden = body.childElementCount > 0;
    table.hidden = body.childElementCount === 0;
  };
  on(more, 'click', () => void load());
  await load();
}
