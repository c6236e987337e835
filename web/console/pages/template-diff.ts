/**
 * What changed between two versions of a template, shown on the pages of the newer one: fields
 * and merge fields added (green), changed (amber, with their old rectangle dashed when they moved)
 * and removed (red, dashed, where they were), the rest in grey; then the same changes as text,
 * with the roles, the settings, the contract terms and the SLA terms by path.
 * `#/templates/:id/diff?from=1&to=2`; the editor shows it too when a save finds a newer version.
 */

import type { ConsoleApi } from '../api';
import { dictionary, formatDateTime } from '../i18n';
import { card, errorBox, field, h, on, pageHeader } from '../ui';
import { placeBox } from '../../shared/pdf';
import { PdfPages, type PageBox } from '../pdf-pages';
import type { PageContext } from './registry';
import { templatePdf } from './template-document';
import {
  templatePath,
  type Box,
  type Change,
  type Template,
  type TemplateDiff,
  type TemplateField,
  type MergeField,
} from './template-types';

const t = dictionary(
  {
    title: (p) => `Changes from version ${p.from} to ${p.to}`,
    from: 'From version',
    to: 'To version',
    compare: 'Compare',
    back: 'Back to the template',
    legend: 'On the pages',
    added: 'Added',
    changed: 'Changed',
    removed: 'Removed',
    moved: 'Where it was',
    same: 'Unchanged',
    nothing: 'These versions are the same.',
    name: 'Name',
    message: 'Message',
    document: 'The PDF was replaced: removed fields are drawn at their old places on the new pages.',
    fields: 'Fields',
    mergeFields: 'Merge fields',
    roles: 'Roles',
    settings: 'Settings',
    contract: 'Contract terms',
    slaTerms: 'SLA terms',
    path: 'Path',
    before: 'Before',
    after: 'After',
    none: 'No change',
    summary: (p) => `${p.added} added, ${p.changed} changed, ${p.removed} removed`,
    pdfFailed: 'The pages could not be shown:',
    savedAt: (p) => `Version ${p.v}: ${p.at} by ${p.by}`,
  },
  {
    title: (p) => `Cambios de la versión ${p.from} a la ${p.to}`,
    from: 'Desde la versión',
    to: 'Hasta la versión',
    compare: 'Comparar',
    back: 'Volver a la plantilla',
    legend: 'En las páginas',
    added: 'Añadido',
    changed: 'Cambiado',
    removed: 'Quitado',
    moved: 'Donde estaba',
    same: 'Sin cambios',
    nothing: 'Estas versiones son iguales.',
    name: 'Nombre',
    message: 'Mensaje',
    document: 'Se sustituyó el PDF: los campos quitados se dibujan donde estaban sobre las páginas nuevas.',
    fields: 'Campos',
    mergeFields: 'Campos combinados',
    roles: 'Roles',
    settings: 'Ajustes',
    contract: 'Términos del contrato',
    slaTerms: 'Términos SLA',
    path: 'Ruta',
    before: 'Antes',
    after: 'Después',
    none: 'Sin cambios',
    summary: (p) => `${p.added} añadidos, ${p.changed} cambiados, ${p.removed} quitados`,
    pdfFailed: 'No se pudieron mostrar las páginas:',
    savedAt: (p) => `Versión ${p.v}: ${p.at} por ${p.by}`,
  },
);

const show = (v: unknown): string => {
  if (v === undefined) return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
};

function changesTable(title: string, changes: Change[], kind: string): HTMLElement {
  return h(
    'section',
    { class: 'diff-section', 'data-diff': kind },
    h('h3', {}, title),
    changes.length === 0
      ? h('p', { class: 'muted' }, t('none'))
      : h(
          'table',
          { class: 'table diff-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, t('path')),
              h('th', { scope: 'col' }, t('before')),
              h('th', { scope: 'col' }, t('after')),
            ),
          ),
          h(
            'tbody',
            {},
            ...changes.map((c) =>
              h(
                'tr',
                { 'data-path': c.path },
                h('th', { scope: 'row' }, h('code', {}, c.path)),
                h(
                  'td',
                  { class: 'diff-before' },
                  c.from === undefined ? h('span', { class: 'muted' }, '—') : h('code', {}, show(c.from)),
                ),
                h(
                  'td',
                  { class: 'diff-after' },
                  c.to === undefined ? h('span', { class: 'muted' }, '—') : h('code', {}, show(c.to)),
                ),
              ),
            ),
          ),
        ),
  );
}

function listSection<T>(
  title: string,
  kind: string,
  changes: TemplateDiff['fields'] | TemplateDiff['mergeFields'] | TemplateDiff['roles'],
  nameOf: (item: T) => string,
): HTMLElement {
  const rows: HTMLElement[] = [
    ...(changes.added as T[]).map((item) =>
      h(
        'li',
        { class: 'diff-added' },
        h('span', { class: 'tag' }, t('added')),
        ' ',
        h('code', {}, nameOf(item)),
      ),
    ),
    ...(changes.removed as T[]).map((item) =>
      h(
        'li',
        { class: 'diff-removed' },
        h('span', { class: 'tag' }, t('removed')),
        ' ',
        h('code', {}, nameOf(item)),
      ),
    ),
    ...changes.changed.map((c) =>
      h(
        'li',
        { class: 'diff-changed' },
        h('span', { class: 'tag' }, t('changed')),
        ' ',
        h('code', {}, c.name),
        h(
          'ul',
          {},
          ...c.changes.map((x) => h('li', {}, h('code', {}, x.path), `: ${show(x.from)} → ${show(x.to)}`)),
        ),
      ),
    ),
  ];
  return h(
    'section',
    { class: 'diff-section', 'data-diff': kind },
    h('h3', {}, title),
    rows.length ? h('ul', { class: 'diff-list' }, ...rows) : h('p', { class: 'muted' }, t('none')),
  );
}

/** The boxes of both versions on the newer version's pages, coloured by what happened to them. */
function drawBoxes(pages: PageBox[], to: Template, diff: TemplateDiff): void {
  const added = new Set(diff.fields.added.map((f) => f.name));
  const changed = new Map(diff.fields.changed.map((c) => [c.name, c.changes]));
  const addedMerge = new Set(diff.mergeFields.added.map((m) => `${m.key}@${m.page}:${m.x},${m.y}`));
  const put = (box: Box, cls: string, label: string, state: string, name: string) => {
    const page = pages.find((p) => p.number === box.page);
    if (!page) return;
    const el = h(
      'div',
      { class: `diff-box ${cls}`, 'data-state': state, 'data-name': name, title: `${label}: ${name}` },
      h('span', { class: 'box-label' }, name),
    );
    placeBox(el, page, box);
    page.overlays.append(el);
  };
  for (const f of to.fields) {
    const changes = changed.get(f.name);
    if (changes) {
      // Its old rectangle, when the change moved or resized it.
      const old: Box = { ...f };
      for (const c of changes)
        if (['page', 'x', 'y', 'width', 'height'].includes(c.path) && typeof c.from === 'number')
          (old as unknown as Record<string, number>)[c.path] = c.from;
      if (['page', 'x', 'y', 'width', 'height'].some((k) => changes.some((c) => c.path === k)))
        put(old, 'diff-moved', t('moved'), 'moved', f.name);
    }
    const state = added.has(f.name) ? 'added' : changes ? 'changed' : 'same';
    put(f, `diff-${state}`, t(state as 'added' | 'changed' | 'same'), state, f.name);
  }
  for (const m of to.mergeFields) {
    const state = addedMerge.has(`${m.key}@${m.page}:${m.x},${m.y}`) ? 'added' : 'same';
    put(m, `diff-${state} merge`, t(state as 'added' | 'same'), state, `{{${m.key}}}`);
  }
  for (const f of diff.fields.removed as TemplateField[])
    put(f, 'diff-removed', t('removed'), 'removed', f.name);
  for (const m of diff.mergeFields.removed as MergeField[])
    put(m, 'diff-removed merge', t('removed'), 'removed', `{{${m.key}}}`);
}

/**
 * The diff of two versions as a block: the pages with the boxes, then the changes as text. The
 * block's `destroy` releases the PDF.
 */
export async function diffView(
  api: ConsoleApi,
  assets: URL,
  templateId: string,
  from: number,
  to: number,
  signal: AbortSignal,
): Promise<{ element: HTMLElement; destroy: () => void }> {
  const [diff, target] = await Promise.all([
    api.get<TemplateDiff>(`${templatePath(templateId)}/diff`, { from, to }, { signal }),
    api.get<Template>(templatePath(templateId), { version: to }, { signal }),
  ]);
  const count = (k: 'added' | 'removed' | 'changed') => diff.fields[k].length + diff.mergeFields[k].length;
  const unchanged =
    !diff.name &&
    !diff.document &&
    !diff.message &&
    count('added') + count('removed') + count('changed') === 0 &&
    diff.roles.added.length + diff.roles.removed.length + diff.roles.changed.length === 0 &&
    diff.settings.length + diff.slaTerms.length + diff.contract.length === 0;
  const pdf = new PdfPages(assets);
  const legend = h(
    'ul',
    { class: 'diff-legend', 'aria-label': t('legend') },
    ...(['added', 'changed', 'moved', 'removed', 'same'] as const).map((k) =>
      h('li', {}, h('span', { class: `swatch diff-${k}`, 'aria-hidden': 'true' }), t(k)),
    ),
  );
  // The pages only when a box changed on them (or the PDF did).
  const onPages = count('added') + count('removed') + count('changed') > 0 || Boolean(diff.document);
  const pagesCard = card(
    h('h2', {}, t('legend')),
    h(
      'p',
      { class: 'diff-summary', 'data-summary': '' },
      t('summary', { added: count('added'), changed: count('changed'), removed: count('removed') }),
    ),
    diff.document ? h('p', { class: 'notice warn' }, t('document')) : null,
    onPages ? [legend, h('div', { class: 'diff-pages' }, pdf.element)] : null,
  );
  const element = h(
    'div',
    { class: 'template-diff', 'data-from': from, 'data-to': to },
    unchanged ? h('p', { class: 'notice info' }, t('nothing')) : null,
    pagesCard,
    card(
      diff.name ? changesTable(t('name'), [diff.name], 'name') : null,
      diff.message ? changesTable(t('message'), [diff.message], 'message') : null,
      listSection<TemplateField>(t('fields'), 'fields', diff.fields, (f) => f.name),
      listSection<MergeField>(
        t('mergeFields'),
        'mergeFields',
        diff.mergeFields,
        (m) => `${m.key} (p. ${m.page})`,
      ),
      listSection<{ name: string }>(t('roles'), 'roles', diff.roles, (r) => r.name),
      changesTable(t('settings'), diff.settings, 'settings'),
      changesTable(t('contract'), diff.contract, 'contract'),
      changesTable(t('slaTerms'), diff.slaTerms, 'slaTerms'),
    ),
  );
  if (onPages)
    try {
      const bytes = await templatePdf(api, templateId, to, target.document.sha256, signal);
      drawBoxes(await pdf.load(bytes), target, diff);
    } catch (err) {
      if (signal.aborted) throw err;
      pagesCard.append(errorBox(err, t('pdfFailed')));
    }
  return { element, destroy: () => pdf.destroy() };
}

export async function render(ctx: PageContext): Promise<() => void> {
  const id = ctx.params.id!;
  const template = await ctx.api.get<Template>(templatePath(id), {}, { signal: ctx.signal });
  const latest = template.latestVersion;
  const to = Math.min(Number(ctx.query.get('to')) || latest, latest);
  const from = Math.max(1, Math.min(Number(ctx.query.get('from')) || to - 1, latest));
  const versions = Array.from({ length: latest }, (_, i) => String(i + 1));
  const pick = (label: string, value: number) => {
    const s = h('select', {}, ...versions.map((v) => h('option', { value: v }, v)));
    s.value = String(value);
    return { s, f: field(label, s) };
  };
  const a = pick(t('from'), from);
  const b = pick(t('to'), to);
  const go = h('button', { type: 'submit', class: 'button' }, t('compare'));
  const form = h('form', { class: 'inline-form', 'aria-label': t('compare') }, a.f, b.f, go);
  on(form, 'submit', (e) => {
    e.preventDefault();
    ctx.navigate(`/templates/${encodeURIComponent(id)}/diff?from=${a.s.value}&to=${b.s.value}`);
  });
  const back = h(
    'a',
    { class: 'button secondary', href: `#/templates/${encodeURIComponent(id)}` },
    t('back'),
  );
  ctx.root.append(
    pageHeader(`${template.name}: ${t('title', { from, to })}`, back),
    card(
      form,
      h(
        'p',
        { class: 'muted small' },
        t('savedAt', { v: template.version, at: formatDateTime(template.createdAt), by: template.createdBy }),
      ),
    ),
  );
  const view = await diffView(ctx.api, ctx.assets, id, from, to, ctx.signal);
  ctx.root.append(view.element);
  return view.destroy;
}
