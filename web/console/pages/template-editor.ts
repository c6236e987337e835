/**
 * One template version, editable: its fields and merge fields placed on the PDF's pages, its
 * roles, its message, settings and contract terms, and its SLA terms as a form checked as it is
 * typed. Saving makes a new version from this one (`baseVersion`): when someone saved another
 * version meanwhile, the server answers 409 and the page says so, with what changed since. Legal
 * (or an admin other than the author) approves a version; an archived template is read-only.
 * `#/templates/:id?version=N&tab=fields|roles|settings|sla|versions`.
 */

import { ApiError } from '../api';
import { dictionary, formatDateTime } from '../i18n';
import { announce, badge, busy, card, errorBox, field, h, on, pageHeader, toast, uid } from '../ui';
import { FieldPlacer } from './field-placer';
import { PdfPages } from '../pdf-pages';
import type { PageContext } from './registry';
import { diffView } from './template-diff';
import { templatePdf } from './template-document';
import { termsPathOf } from './terms-check';
import { starterTerms, TermsForm } from './terms-form';
import {
  RECIPIENT_ROLES,
  templatePath,
  type ContractTerms,
  type Template,
  type TemplateHistory,
  type TemplateRole,
} from './template-types';

const t = dictionary(
  {
    title: (p) => `Template: ${p.name}`,
    versionLine: (p) => `Version ${p.v} of ${p.latest}`,
    pending_approval: 'Waiting for approval',
    approved: 'Approved',
    archived: 'Archived',
    by: (p) => `Saved ${p.at} by ${p.by}`,
    approvedBy: (p) => `Approved ${p.at} by ${p.by}`,
    save: 'Save as a new version',
    saving: 'Saving…',
    saved: (p) => `Saved as version ${p.v}.`,
    approve: 'Approve this version',
    approvedToast: (p) => `Version ${p.v} is approved.`,
    archive: 'Archive',
    archiveReason: 'Why is it archived? (optional)',
    archiveConfirm: 'Archive the template',
    archivedToast: 'The template is archived.',
    archivedNotice: (p) =>
      `Archived ${p.at}: no new versions or envelopes come from it. Its versions stay readable.`,
    olderNotice: (p) =>
      `This is version ${p.v}; the latest is ${p.latest}. Open the latest to change the template.`,
    openLatest: 'Open the latest version',
    compare: 'Compare versions',
    unsaved: 'Unsaved changes',
    tabs: 'Parts of the template',
    tabFields: 'Fields',
    tabRoles: 'Roles',
    tabSettings: 'Message and settings',
    tabSla: 'SLA terms',
    tabVersions: 'Versions',
    pdfFailed: 'The PDF could not be shown:',
    roles: 'Roles',
    rolesHint:
      'Who takes part, and in which routing step: steps run in order, the roles of one step in parallel.',
    roleName: 'Role name',
    roleKind: 'Acts as',
    signer: 'Signer',
    approver: 'Approver',
    carbon_copy: 'Carbon copy',
    step: 'Step',
    addRole: 'Add a role',
    remove: 'Remove',
    roleLabel: (p) => `Role ${p.n}`,
    name: 'Name',
    description: 'Description',
    message: 'Message to the recipients',
    settings: 'Envelope settings',
    settingsHint:
      'Left empty: the organisation’s defaults apply. The sender can still change them per envelope.',
    expires: 'Expires after (days)',
    warn: 'Warn before the expiry (days)',
    firstReminder: 'First reminder after (hours)',
    everyReminder: 'Then every (hours)',
    maxReminders: 'At most (reminders)',
    notify: 'Tell the sender when',
    notifySigned: 'a recipient signs',
    notifyCompleted: 'the envelope completes',
    notifyDeclined: 'a recipient declines',
    notifyExpired: 'the envelope expires',
    schedule: 'SLA schedule pages',
    scheduleEnd: 'After the last page',
    scheduleAfter: (p) => `After page ${p.page}`,
    contract: 'Contract',
    hasContract: 'A completed envelope runs as a tracked contract',
    termMonths: 'Initial term (months)',
    renewal: 'Renewal',
    renewalAuto: 'Renews automatically',
    renewalFixed: 'Ends after the term',
    renewalMonths: 'Renews for (months)',
    noticeDays: 'Notice of non-renewal (days before the end)',
    reminderDays: 'Owners reminded (days before the notice deadline)',
    timeZone: 'Time zone (IANA)',
    timeZoneHint: 'Default: the SLA terms’ reporting zone',
    owners: 'Owners',
    ownersHint: 'E-mail addresses, separated by commas',
    noTerms: 'This template has no SLA terms.',
    addTerms: 'Add SLA terms',
    removeTerms: 'Remove the SLA terms',
    fixTerms: 'Fix the SLA terms before saving: each problem is shown at its field.',
    refused: 'The version was not saved',
    conflictTitle: 'Someone saved a newer version meanwhile',
    conflictBody: (p) =>
      `Version ${p.latest} was saved after version ${p.base}, which this page started from. Nothing was overwritten. Reload the latest version and make your change again; what changed since is shown below.`,
    reload: 'Reload the latest version',
    versions: 'Versions',
    vCol: 'Version',
    savedCol: 'Saved',
    byCol: 'By',
    statusCol: 'Status',
    actionsCol: 'Actions',
    open: 'Open',
    compareWithPrevious: 'Compare with the previous',
    historyVerified: 'The trail’s hashes verify.',
    historyBroken: 'The trail’s hashes do not verify.',
    historyArchived: (p) => `Archived ${p.at}${p.reason ? `: ${p.reason}` : ''}`,
  },
  {
    title: (p) => `Plantilla: ${p.name}`,
    versionLine: (p) => `Versión ${p.v} de ${p.latest}`,
    pending_approval: 'Pendiente de aprobación',
    approved: 'Aprobada',
    archived: 'Archivada',
    by: (p) => `Guardada ${p.at} por ${p.by}`,
    approvedBy: (p) => `Aprobada ${p.at} por ${p.by}`,
    save: 'Guardar como versión nueva',
    saving: 'Guardando…',
    saved: (p) => `Guardada como versión ${p.v}.`,
    approve: 'Aprobar esta versión',
    approvedToast: (p) => `La versión ${p.v} está aprobada.`,
    archive: 'Archivar',
    archiveReason: '¿Por qué se archiva? (opcional)',
    archiveConfirm: 'Archivar la plantilla',
    archivedToast: 'La plantilla está archivada.',
    archivedNotice: (p) =>
      `Archivada ${p.at}: no salen de ella versiones ni sobres nuevos. Sus versiones siguen legibles.`,
    olderNotice: (p) =>
      `Esta es la versión ${p.v}; la última es la ${p.latest}. Abra la última para cambiar la plantilla.`,
    openLatest: 'Abrir la última versión',
    compare: 'Comparar versiones',
    unsaved: 'Cambios sin guardar',
    tabs: 'Partes de la plantilla',
    tabFields: 'Campos',
    tabRoles: 'Roles',
    tabSettings: 'Mensaje y ajustes',
    tabSla: 'Términos SLA',
    tabVersions: 'Versiones',
    pdfFailed: 'No se pudo mostrar el PDF:',
    roles: 'Roles',
    rolesHint: 'Quién participa y en qué paso: los pasos van en orden, los roles de un paso en paralelo.',
    roleName: 'Nombre del rol',
    roleKind: 'Actúa como',
    signer: 'Firmante',
    approver: 'Aprobador',
    carbon_copy: 'Copia',
    step: 'Paso',
    addRole: 'Añadir un rol',
    remove: 'Quitar',
    roleLabel: (p) => `Rol ${p.n}`,
    name: 'Nombre',
    description: 'Descripción',
    message: 'Mensaje para los destinatarios',
    settings: 'Ajustes del sobre',
    settingsHint: 'Vacíos: se aplican los de la organización. Quien envía puede cambiarlos en cada sobre.',
    expires: 'Caduca a los (días)',
    warn: 'Avisar antes de caducar (días)',
    firstReminder: 'Primer recordatorio a las (horas)',
    everyReminder: 'Después cada (horas)',
    maxReminders: 'Como mucho (recordatorios)',
    notify: 'Avisar a quien envía cuando',
    notifySigned: 'alguien firma',
    notifyCompleted: 'el sobre se completa',
    notifyDeclined: 'alguien rechaza',
    notifyExpired: 'el sobre caduca',
    schedule: 'Páginas del anexo SLA',
    scheduleEnd: 'Tras la última página',
    scheduleAfter: (p) => `Tras la página ${p.page}`,
    contract: 'Contrato',
    hasContract: 'Un sobre completado se sigue como contrato',
    termMonths: 'Plazo inicial (meses)',
    renewal: 'Renovación',
    renewalAuto: 'Se renueva automáticamente',
    renewalFixed: 'Termina con el plazo',
    renewalMonths: 'Se renueva por (meses)',
    noticeDays: 'Aviso de no renovación (días antes del final)',
    reminderDays: 'Recordatorio a los responsables (días antes del plazo de aviso)',
    timeZone: 'Zona horaria (IANA)',
    timeZoneHint: 'Por defecto: la zona de informes de los términos SLA',
    owners: 'Responsables',
    ownersHint: 'Direcciones de correo separadas por comas',
    noTerms: 'Esta plantilla no tiene términos SLA.',
    addTerms: 'Añadir términos SLA',
    removeTerms: 'Quitar los términos SLA',
    fixTerms: 'Corrija los términos SLA antes de guardar: cada problema se muestra en su campo.',
    refused: 'La versión no se guardó',
    conflictTitle: 'Alguien guardó una versión más reciente entretanto',
    conflictBody: (p) =>
      `La versión ${p.latest} se guardó después de la ${p.base}, de la que partió esta página. No se sobrescribió nada. Recargue la última versión y repita su cambio; abajo se ve lo que cambió.`,
    reload: 'Recargar la última versión',
    versions: 'Versiones',
    vCol: 'Versión',
    savedCol: 'Guardada',
    byCol: 'Por',
    statusCol: 'Estado',
    actionsCol: 'Acciones',
    open: 'Abrir',
    compareWithPrevious: 'Comparar con la anterior',
    historyVerified: 'Los hashes del registro se verifican.',
    historyBroken: 'Los hashes del registro no se verifican.',
    historyArchived: (p) => `Archivada ${p.at}${p.reason ? `: ${p.reason}` : ''}`,
  },
);

type TabId = 'fields' | 'roles' | 'settings' | 'sla' | 'versions';
const TABS: TabId[] = ['fields', 'roles', 'settings', 'sla', 'versions'];

/** A copy without undefined values (what JSON would send). */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export async function render(ctx: PageContext): Promise<() => void> {
  const id = ctx.params.id!;
  const requested = Number(ctx.query.get('version')) || undefined;
  const tpl = await ctx.api.get<Template>(templatePath(id), requested ? { version: requested } : {}, {
    signal: ctx.signal,
  });
  const readOnly = Boolean(tpl.archivedAt) || tpl.version !== tpl.latestVersion;
  const model = clean({
    name: tpl.name,
    description: tpl.description,
    message: tpl.message,
    roles: tpl.roles,
    fields: tpl.fields,
    mergeFields: tpl.mergeFields,
    settings: tpl.settings,
    slaTerms: tpl.slaTerms,
    scheduleAfterPage: tpl.scheduleAfterPage,
    contract: tpl.contract,
  });
  const cleanups: (() => void)[] = [];
  let dirty = false;
  const dirtyFlag = h('span', { class: 'dirty-flag', hidden: true, role: 'status' }, t('unsaved'));
  const changed = () => {
    if (dirty) return;
    dirty = true;
    dirtyFlag.hidden = false;
  };

  // ---- Header and notices.
  const messages = h('div', { class: 'editor-messages' });
  const saveButton = h(
    'button',
    { type: 'button', class: 'button primary', id: 'save-template', disabled: readOnly },
    t('save'),
  );
  const mayApprove = ctx.session.roles.some((r) => r === 'legal' || r === 'admin');
  const approveButton =
    tpl.status === 'pending_approval' && !tpl.archivedAt && mayApprove
      ? h('button', { type: 'button', class: 'button', id: 'approve-version' }, t('approve'))
      : null;
  const archiveButton = !tpl.archivedAt
    ? h('button', { type: 'button', class: 'button danger-outline', id: 'archive-template' }, t('archive'))
    : null;
  const compareLink =
    tpl.latestVersion > 1
      ? h(
          'a',
          {
            class: 'button secondary',
            href: `#/templates/${encodeURIComponent(id)}/diff?from=${Math.max(1, tpl.version - 1)}&to=${tpl.version}`,
          },
          t('compare'),
        )
      : null;
  const archiveForm = h('form', { class: 'inline-form archive-form', hidden: true });
  const reason = h('input', { type: 'text', maxlength: 1000 });
  const archiveConfirm = h('button', { type: 'submit', class: 'button danger' }, t('archiveConfirm'));
  archiveForm.append(field(t('archiveReason'), reason), archiveConfirm);

  const statusLine = h(
    'p',
    { class: 'template-meta' },
    h(
      'span',
      { 'data-version': tpl.version },
      t('versionLine', { v: tpl.version, latest: tpl.latestVersion }),
    ),
    ' ',
    badge(tpl.status, t(tpl.status)),
    tpl.archivedAt ? [' ', badge('archived', t('archived'))] : null,
    ' ',
    h('span', { class: 'muted small' }, t('by', { at: formatDateTime(tpl.createdAt), by: tpl.createdBy })),
    tpl.approvedAt
      ? [
          ' · ',
          h(
            'span',
            { class: 'muted small' },
            t('approvedBy', { at: formatDateTime(tpl.approvedAt), by: tpl.approvedBy ?? '' }),
          ),
        ]
      : null,
    ' ',
    dirtyFlag,
  );
  ctx.root.append(
    pageHeader(t('title', { name: tpl.name }), compareLink, approveButton, archiveButton, saveButton),
    statusLine,
    archiveForm,
    messages,
  );
  if (tpl.archivedAt)
    messages.append(
      h('p', { class: 'notice warn' }, t('archivedNotice', { at: formatDateTime(tpl.archivedAt) })),
    );
  else if (tpl.version !== tpl.latestVersion)
    messages.append(
      h(
        'div',
        { class: 'notice info' },
        h('p', {}, t('olderNotice', { v: tpl.version, latest: tpl.latestVersion })),
        h('a', { href: `#/templates/${encodeURIComponent(id)}` }, t('openLatest')),
      ),
    );

  // ---- Tabs.
  const labels: Record<TabId, string> = {
    fields: t('tabFields'),
    roles: t('tabRoles'),
    settings: t('tabSettings'),
    sla: t('tabSla'),
    versions: t('tabVersions'),
  };
  const tablist = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('tabs') });
  const panels = {} as Record<TabId, HTMLElement>;
  const tabs = {} as Record<TabId, HTMLButtonElement>;
  for (const tab of TABS) {
    tabs[tab] = h(
      'button',
      {
        type: 'button',
        role: 'tab',
        id: `tab-${tab}`,
        'aria-controls': `panel-${tab}`,
        'aria-selected': 'false',
        tabindex: '-1',
      },
      labels[tab],
    );
    panels[tab] = h('section', {
      class: 'tab-panel',
      role: 'tabpanel',
      id: `panel-${tab}`,
      'aria-labelledby': `tab-${tab}`,
      tabindex: '0',
      hidden: true,
    });
    tablist.append(tabs[tab]);
  }
  let versionsLoaded = false;
  const select = (tab: TabId, focus = false) => {
    for (const other of TABS) {
      tabs[other].setAttribute('aria-selected', String(other === tab));
      tabs[other].tabIndex = other === tab ? 0 : -1;
      panels[other].hidden = other !== tab;
    }
    if (focus) tabs[tab].focus();
    if (tab === 'versions' && !versionsLoaded) {
      versionsLoaded = true;
      void loadVersions();
    }
  };
  for (const tab of TABS) {
    on(tabs[tab], 'click', () => select(tab));
    on(tabs[tab], 'keydown', (e) => {
      const i = TABS.indexOf(tab);
      const next =
        e.key === 'ArrowRight'
          ? TABS[(i + 1) % TABS.length]
          : e.key === 'ArrowLeft'
            ? TABS[(i + TABS.length - 1) % TABS.length]
            : e.key === 'Home'
              ? TABS[0]
              : e.key === 'End'
                ? TABS[TABS.length - 1]
                : undefined;
      if (!next) return;
      e.preventDefault();
      select(next, true);
    });
  }
  ctx.root.append(tablist, ...TABS.map((tab) => panels[tab]));

  // ---- Fields on the pages.
  const pdf = new PdfPages(ctx.assets);
  cleanups.push(() => pdf.destroy());
  const placer = new FieldPlacer(model, pdf.element, changed, announce, readOnly);
  panels.fields.append(placer.element);

  // ---- Roles.
  const rolesHost = h('div', { class: 'terms-list' });
  const drawRoles = (focusLast = false) => {
    const rows = model.roles.map((role: TemplateRole, i: number) => {
      const name = h('input', { type: 'text', value: role.name, disabled: readOnly, autocomplete: 'off' });
      on(name, 'input', () => {
        // The fields of the role follow its new name.
        for (const f of model.fields) if (f.role === role.name) f.role = name.value;
        role.name = name.value;
        changed();
      });
      const kind = h(
        'select',
        { disabled: readOnly },
        ...RECIPIENT_ROLES.map((r) => h('option', { value: r }, t(r))),
      );
      kind.value = role.role;
      on(kind, 'change', () => {
        role.role = kind.value as TemplateRole['role'];
        changed();
      });
      const step = h('input', {
        type: 'number',
        min: 1,
        max: 50,
        step: 1,
        value: String(role.step),
        disabled: readOnly,
      });
      on(step, 'input', () => {
        role.step = Number(step.value);
        changed();
      });
      const remove = h(
        'button',
        {
          type: 'button',
          class: 'button small danger-outline',
          disabled: readOnly,
          'aria-label': `${t('remove')}: ${role.name}`,
        },
        t('remove'),
      );
      on(remove, 'click', () => {
        model.roles.splice(i, 1);
        changed();
        drawRoles();
      });
      return h(
        'div',
        { class: 'terms-row', role: 'group', 'aria-label': t('roleLabel', { n: i + 1 }) },
        field(t('roleName'), name),
        field(t('roleKind'), kind),
        field(t('step'), step, { class: 'narrow-field' }),
        h('div', { class: 'row-actions' }, remove),
      );
    });
    const add = h('button', { type: 'button', class: 'button small', disabled: readOnly }, t('addRole'));
    on(add, 'click', () => {
      const steps = model.roles.map((r: TemplateRole) => r.step);
      model.roles.push({
        name: `role_${model.roles.length + 1}`,
        role: 'signer',
        step: Math.max(1, ...steps),
      });
      changed();
      drawRoles(true);
    });
    rolesHost.replaceChildren(...rows, h('div', { class: 'list-actions' }, add));
    if (focusLast)
      rolesHost.querySelectorAll<HTMLInputElement>('input[type="text"]')[model.roles.length - 1]?.focus();
  };
  drawRoles();
  panels.roles.append(card(h('h2', {}, t('roles')), h('p', { class: 'hint' }, t('rolesHint')), rolesHost));

  // ---- Message, settings, contract.
  panels.settings.append(settingsPanel(model, tpl.document.pageCount, readOnly, changed));

  // ---- SLA terms.
  let termsForm: TermsForm | null = null;
  const slaHost = h('div', {});
  const drawSla = () => {
    if (!model.slaTerms) {
      termsForm = null;
      const add = h(
        'button',
        { type: 'button', class: 'button', id: 'add-terms', disabled: readOnly },
        t('addTerms'),
      );
      on(add, 'click', () => {
        model.slaTerms = starterTerms();
        changed();
        drawSla();
      });
      slaHost.replaceChildren(card(h('p', {}, t('noTerms')), add));
      return;
    }
    termsForm = new TermsForm(model.slaTerms, () => {
      changed();
    });
    const remove = h(
      'button',
      { type: 'button', class: 'button small danger-outline', disabled: readOnly },
      t('removeTerms'),
    );
    on(remove, 'click', () => {
      delete model.slaTerms;
      changed();
      drawSla();
    });
    if (readOnly)
      for (const c of termsForm.element.querySelectorAll<HTMLInputElement>('input, select, textarea, button'))
        c.disabled = true;
    slaHost.replaceChildren(h('div', { class: 'actions end' }, remove), termsForm.element);
  };
  drawSla();
  panels.sla.append(slaHost);

  // ---- Versions.
  const loadVersions = async () => {
    panels.versions.replaceChildren(h('p', { role: 'status' }, '…'));
    try {
      const history = await ctx.api.get<TemplateHistory>(
        `${templatePath(id)}/history`,
        {},
        { signal: ctx.signal },
      );
      const approved = new Map<number, { at: string; by: string }>();
      let archived: { at: string; reason?: string } | null = null;
      for (const e of history.events) {
        if (e.type === 'template.version_approved' && e.data.version)
          approved.set(e.data.version, { at: e.at, by: e.actor.email ?? e.actor.id });
        if (e.type === 'template.archived')
          archived = { at: e.at, ...(e.data.reason ? { reason: e.data.reason } : {}) };
      }
      const rows = history.events
        .filter((e) => e.type === 'template.version_created')
        .reverse()
        .map((e) => {
          const v = e.data.version!;
          const ok = approved.get(v);
          return h(
            'tr',
            { 'data-version': v, class: v === tpl.version ? 'current' : undefined },
            h('th', { scope: 'row' }, `v${v}`),
            h('td', {}, formatDateTime(e.at)),
            h('td', {}, e.actor.email ?? e.actor.id),
            h(
              'td',
              {},
              ok
                ? badge('approved', `${t('approved')} · ${ok.by}`)
                : badge('pending_approval', t('pending_approval')),
            ),
            h(
              'td',
              { class: 'row-links' },
              h(
                'a',
                {
                  href: `#/templates/${encodeURIComponent(id)}?version=${v}`,
                  'aria-label': `${t('open')} v${v}`,
                },
                t('open'),
              ),
              v > 1
                ? h(
                    'a',
                    {
                      href: `#/templates/${encodeURIComponent(id)}/diff?from=${v - 1}&to=${v}`,
                      'aria-label': `${t('compareWithPrevious')}: v${v}`,
                    },
                    t('compareWithPrevious'),
                  )
                : null,
            ),
          );
        });
      panels.versions.replaceChildren(
        card(
          h('h2', {}, t('versions')),
          h(
            'p',
            { class: history.verified ? 'muted small' : 'notice error' },
            history.verified ? t('historyVerified') : t('historyBroken'),
          ),
          archived
            ? h(
                'p',
                { class: 'notice warn' },
                t('historyArchived', { at: formatDateTime(archived.at), reason: archived.reason ?? '' }),
              )
            : null,
          h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'table versions-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...[t('vCol'), t('savedCol'), t('byCol'), t('statusCol'), t('actionsCol')].map((c) =>
                    h('th', { scope: 'col' }, c),
                  ),
                ),
              ),
              h('tbody', {}, ...rows),
            ),
          ),
        ),
      );
    } catch (err) {
      if (!ctx.signal.aborted) panels.versions.replaceChildren(errorBox(err));
    }
  };

  // ---- Actions.
  on(saveButton, 'click', () => {
    messages.querySelectorAll('.save-result').forEach((el) => el.remove());
    if (termsForm && termsForm.check().length > 0) {
      select('sla');
      messages.append(h('p', { class: 'notice error save-result', role: 'alert' }, t('fixTerms')));
      termsForm.focusFirstProblem();
      return;
    }
    const body = clean({
      name: model.name,
      description: model.description,
      message: model.message,
      roles: model.roles,
      fields: model.fields,
      mergeFields: model.mergeFields,
      ...(model.slaTerms ? { slaTerms: model.slaTerms } : {}),
      ...(model.scheduleAfterPage ? { scheduleAfterPage: model.scheduleAfterPage } : {}),
      ...(model.contract ? { contract: model.contract } : {}),
      ...model.settings,
      baseVersion: tpl.version,
    });
    void busy(
      saveButton,
      async () => {
        const saved = await ctx.api.put<Template>(templatePath(id), body, { signal: ctx.signal });
        toast(t('saved', { v: saved.version }), 'success');
        dirty = false;
        ctx.navigate(`/templates/${encodeURIComponent(id)}`, { replace: true });
      },
      (err) => void refused(err),
    );
  });

  const refused = async (err: unknown) => {
    if (err instanceof ApiError && err.status === 409) {
      const conflict = h(
        'div',
        { class: 'notice warn save-result conflict', role: 'alert', 'data-conflict': '' },
        h('p', { class: 'notice-title' }, t('conflictTitle')),
      );
      messages.append(conflict);
      try {
        const latest = await ctx.api.get<Template>(templatePath(id), {}, { signal: ctx.signal });
        const reload = h('button', { type: 'button', class: 'button', id: 'reload-latest' }, t('reload'));
        on(reload, 'click', () =>
          ctx.navigate(`/templates/${encodeURIComponent(id)}?reload=${Date.now()}`, { replace: true }),
        );
        conflict.append(
          h('p', {}, t('conflictBody', { base: tpl.version, latest: latest.latestVersion })),
          reload,
        );
        const view = await diffView(ctx.api, ctx.assets, id, tpl.version, latest.latestVersion, ctx.signal);
        cleanups.push(view.destroy);
        conflict.after(h('div', { class: 'save-result' }, view.element));
      } catch (inner) {
        if (!ctx.signal.aborted) conflict.append(errorBox(inner));
      }
      conflict.scrollIntoView({ block: 'start' });
      return;
    }
    const details = err instanceof ApiError ? err.details : [];
    const terms = details.flatMap((d) => {
      const path = termsPathOf(d.path);
      return path === null ? [] : [{ path, message: d.message }];
    });
    if (terms.length && termsForm) {
      termsForm.showServerProblems(terms);
      select('sla');
    }
    if (placer.showProblems(details) > 0 && !terms.length) select('fields');
    const box = errorBox(err, t('refused'));
    box.classList.add('save-result');
    messages.append(box);
    if (!terms.length) box.scrollIntoView({ block: 'start' });
  };

  if (approveButton)
    on(
      approveButton,
      'click',
      () =>
        void busy(approveButton, async () => {
          await ctx.api.post(`${templatePath(id)}/versions/${tpl.version}/approve`, undefined, {
            signal: ctx.signal,
          });
          toast(t('approvedToast', { v: tpl.version }), 'success');
          ctx.navigate(`/templates/${encodeURIComponent(id)}?version=${tpl.version}&approved=${Date.now()}`, {
            replace: true,
          });
        }),
    );
  if (archiveButton) {
    on(archiveButton, 'click', () => {
      archiveForm.hidden = !archiveForm.hidden;
      if (!archiveForm.hidden) reason.focus();
    });
    on(archiveForm, 'submit', (e) => {
      e.preventDefault();
      void busy(archiveConfirm, async () => {
        await ctx.api.post(
          `${templatePath(id)}/archive`,
          reason.value.trim() ? { reason: reason.value.trim() } : {},
          { signal: ctx.signal },
        );
        toast(t('archivedToast'), 'success');
        ctx.navigate(`/templates/${encodeURIComponent(id)}?archived=${Date.now()}`, { replace: true });
      });
    });
  }

  const initial = ctx.query.get('tab') as TabId | null;
  select(initial && TABS.includes(initial) ? initial : 'fields');

  // The pages last: the rest of the editor is usable while the PDF loads.
  try {
    const bytes = await templatePdf(ctx.api, id, tpl.version, tpl.document.sha256, ctx.signal);
    placer.mount(await pdf.load(bytes));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    panels.fields.prepend(errorBox(err, t('pdfFailed')));
  }
  return () => cleanups.forEach((c) => c());
}

interface SettingsModel {
  name: string;
  description: string;
  message: string;
  settings: Template['settings'];
  scheduleAfterPage?: number;
  contract?: ContractTerms;
  slaTerms?: Record<string, unknown>;
}

function settingsPanel(
  model: SettingsModel,
  pageCount: number,
  readOnly: boolean,
  changed: () => void,
): HTMLElement {
  const text = (
    label: string,
    value: string,
    set: (v: string) => void,
    opts: { textarea?: boolean; hint?: string } = {},
  ) => {
    const control = opts.textarea
      ? h('textarea', { rows: 5, disabled: readOnly }, value)
      : h('input', { type: 'text', value, disabled: readOnly, autocomplete: 'off' });
    on(control, 'input', () => {
      set(control.value);
      changed();
    });
    return field(label, control, opts.hint ? { hint: opts.hint } : {});
  };
  const num = (label: string, value: number | undefined, set: (v: number | undefined) => void) => {
    const control = h('input', {
      type: 'number',
      step: 1,
      min: 0,
      value: value === undefined ? '' : String(value),
      disabled: readOnly,
    });
    on(control, 'input', () => {
      set(control.value === '' ? undefined : Number(control.value));
      changed();
    });
    return field(label, control);
  };
  const settings = model.settings;
  const reminders = () => (settings.reminders ??= {});
  const notify = (key: 'signed' | 'completed' | 'declined' | 'expired', label: string) => {
    const control = h('input', { type: 'checkbox', id: uid('chk'), disabled: readOnly });
    control.checked = settings.notifySender?.[key] !== false;
    on(control, 'change', () => {
      settings.notifySender = { ...settings.notifySender, [key]: control.checked };
      changed();
    });
    return h('div', { class: 'check-line' }, control, h('label', { for: control.id }, label));
  };
  const schedule = h(
    'select',
    { disabled: readOnly },
    h('option', { value: '' }, t('scheduleEnd')),
    ...Array.from({ length: pageCount }, (_, i) =>
      h('option', { value: String(i + 1) }, t('scheduleAfter', { page: i + 1 })),
    ),
  );
  schedule.value = model.scheduleAfterPage ? String(model.scheduleAfterPage) : '';
  on(schedule, 'change', () => {
    if (schedule.value) model.scheduleAfterPage = Number(schedule.value);
    else delete model.scheduleAfterPage;
    changed();
  });

  const contractHost = h('div', {});
  const drawContract = () => {
    const toggle = h('input', { type: 'checkbox', id: uid('chk'), disabled: readOnly });
    toggle.checked = Boolean(model.contract);
    on(toggle, 'change', () => {
      if (toggle.checked)
        model.contract = {
          termMonths: 12,
          renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 },
        };
      else delete model.contract;
      changed();
      drawContract();
      contractHost.querySelector<HTMLInputElement>('input[type="checkbox"]')?.focus();
    });
    const c = model.contract;
    const parts: (HTMLElement | null)[] = [
      h('div', { class: 'check-line' }, toggle, h('label', { for: toggle.id }, t('hasContract'))),
    ];
    if (c) {
      const mode = h(
        'select',
        { disabled: readOnly },
        h('option', { value: 'auto' }, t('renewalAuto')),
        h('option', { value: 'fixed' }, t('renewalFixed')),
      );
      mode.value = c.renewal.mode;
      on(mode, 'change', () => {
        c.renewal =
          mode.value === 'fixed'
            ? { mode: 'fixed' }
            : { mode: 'auto', renewalMonths: 12, noticeDays: 60, reminderDays: 30 };
        changed();
        drawContract();
      });
      const renewal = c.renewal;
      parts.push(
        h(
          'div',
          { class: 'grid' },
          num(t('termMonths'), c.termMonths, (v) => (c.termMonths = v ?? 0)),
          field(t('renewal'), mode),
          renewal.mode === 'auto'
            ? num(t('renewalMonths'), renewal.renewalMonths, (v) => (renewal.renewalMonths = v ?? 0))
            : null,
          renewal.mode === 'auto'
            ? num(t('noticeDays'), renewal.noticeDays, (v) => (renewal.noticeDays = v ?? 0))
            : null,
          renewal.mode === 'auto'
            ? num(t('reminderDays'), renewal.reminderDays, (v) => (renewal.reminderDays = v ?? 0))
            : null,
          text(t('timeZone'), c.timeZone ?? '', (v) => (v ? (c.timeZone = v) : delete c.timeZone), {
            hint: t('timeZoneHint'),
          }),
        ),
        text(
          t('owners'),
          (c.owners ?? []).join(', '),
          (v) => (list(v).length ? (c.owners = list(v)) : delete c.owners),
          { hint: t('ownersHint') },
        ),
      );
    }
    contractHost.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  };
  drawContract();

  return h(
    'div',
    {},
    card(
      text(t('name'), model.name, (v) => (model.name = v)),
      text(t('description'), model.description, (v) => (model.description = v)),
      text(t('message'), model.message, (v) => (model.message = v), { textarea: true }),
    ),
    card(
      h('h2', {}, t('settings')),
      h('p', { class: 'hint' }, t('settingsHint')),
      h(
        'div',
        { class: 'grid' },
        num(t('expires'), settings.expiresInDays, (v) => (settings.expiresInDays = v)),
        num(t('warn'), settings.warnDaysBefore, (v) => (settings.warnDaysBefore = v)),
        num(
          t('firstReminder'),
          settings.reminders?.firstAfterHours,
          (v) => (reminders().firstAfterHours = v),
        ),
        num(t('everyReminder'), settings.reminders?.everyHours, (v) => (reminders().everyHours = v)),
        num(t('maxReminders'), settings.reminders?.max, (v) => (reminders().max = v)),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, t('notify')),
        notify('signed', t('notifySigned')),
        notify('completed', t('notifyCompleted')),
        notify('declined', t('notifyDeclined')),
        notify('expired', t('notifyExpired')),
      ),
      field(t('schedule'), schedule),
    ),
    card(h('h2', {}, t('contract')), contractHost),
  );
}
