/**
 * `#/send/template`: an envelope from an approved template version. The sender picks the template
 * and the version (approved ones only), names a person for each of its roles, fills its merge
 * fields (a form made from the template's merge keys), sets reminders and expiry, previews the
 * PDF with the values where they will be printed, and sends (create, then send).
 *
 * The preview is the template's PDF with the values laid over it in the browser; the SLA schedule
 * pages the server adds from the template's terms are not in it (the note says so).
 */

import {
  AuthControls,
  LanguageControl,
  checkPerson,
  clearErrors,
  EnvelopeDetails,
  SendCard,
  SettingsControls,
} from '../forms';
import { dictionary } from '../i18n';
import { nestMergeData } from '../logic';
import { placeBox } from '../../shared/pdf';
import { PdfPages } from '../pdf-pages';
import type { DocumentLink } from '../types';
import { button, errorBox, field, fieldError, h, input, on, pageHeader, uid } from '../ui';
import type { PageContext } from './registry';
import { TemplatePicker } from '../template-picker';
import type { Template } from './template-types';

const t = dictionary(
  {
    title: 'Send from a template',
    people: 'People',
    peopleHint: 'Who takes each of the template’s roles.',
    roleTitle: (p) => `${p.name} · step ${p.step} · ${p.role}`,
    'role.signer': 'signs',
    'role.approver': 'approves',
    'role.carbon_copy': 'receives a copy',
    name: 'Name',
    email: 'E-mail',
    merge: 'Contract details',
    mergeHint: 'These values are printed on the document.',
    noMerge: 'This template has no fields to fill.',
    preview: 'Preview',
    showPreview: 'Show the preview',
    refreshPreview: 'Update the preview',
    previewNote:
      'The template’s document with your values where they will be printed. The SLA schedule generated from the template’s terms is added when the envelope is created.',
    'missing.merge': 'The template needs this value.',
    previewLabel: 'Preview of the document',
  },
  {
    title: 'Enviar desde una plantilla',
    people: 'Personas',
    peopleHint: 'Quién ocupa cada rol de la plantilla.',
    roleTitle: (p) => `${p.name} · paso ${p.step} · ${p.role}`,
    'role.signer': 'firma',
    'role.approver': 'aprueba',
    'role.carbon_copy': 'recibe una copia',
    name: 'Nombre',
    email: 'Correo electrónico',
    merge: 'Datos del contrato',
    mergeHint: 'Estos valores se imprimen en el documento.',
    noMerge: 'Esta plantilla no tiene campos que rellenar.',
    preview: 'Vista previa',
    showPreview: 'Mostrar la vista previa',
    refreshPreview: 'Actualizar la vista previa',
    previewNote:
      'El documento de la plantilla con sus valores donde se imprimirán. El anexo de SLA generado con los términos de la plantilla se añade al crear el sobre.',
    'missing.merge': 'La plantilla necesita este valor.',
    previewLabel: 'Vista previa del documento',
  },
);

interface RoleRow {
  role: Template['roles'][number];
  name: HTMLInputElement;
  email: HTMLInputElement;
  auth: AuthControls;
  language: LanguageControl;
}

export async function render(ctx: PageContext): Promise<() => void> {
  let roles: RoleRow[] = [];
  let mergeInputs = new Map<string, HTMLInputElement>();
  let preview: PdfPages | undefined;
  let previewBytes: { key: string; bytes: Uint8Array } | undefined;

  const body = h('div', { class: 'template-body' });
  const picker = new TemplatePicker(ctx, '/send/template', drawForm, () => body.replaceChildren());
  ctx.root.append(pageHeader(t('title')), picker.element, body);
  await picker.start();

  function drawForm(tpl: Template): void {
    preview?.destroy();
    preview = undefined;
    previewBytes = undefined;

    // People for each role, in routing order.
    roles = [...tpl.roles]
      .sort((a, b) => a.step - b.step)
      .map((role) => ({
        role,
        name: input({ autocomplete: 'off', maxlength: 200, 'data-role': role.name, 'data-part': 'name' }),
        email: input({
          type: 'email',
          autocomplete: 'off',
          maxlength: 254,
          'data-role': role.name,
          'data-part': 'email',
        }),
        auth: new AuthControls(),
        language: new LanguageControl(),
      }));
    const peopleHeading = uid('people');
    const peopleCard = h(
      'section',
      { class: 'card', 'aria-labelledby': peopleHeading },
      h('h2', { id: peopleHeading }, t('people')),
      h('p', { class: 'hint' }, t('peopleHint')),
      ...roles.map((row) =>
        h(
          'fieldset',
          { class: 'role-assignment', 'data-role': row.role.name },
          h(
            'legend',
            {},
            t('roleTitle', { name: row.role.name, step: row.role.step, role: t(`role.${row.role.role}`) }),
          ),
          h(
            'div',
            { class: 'grid' },
            field(t('name'), row.name, { required: true }),
            field(t('email'), row.email, { required: true }),
            row.language.element,
          ),
          row.role.role === 'carbon_copy' ? null : row.auth.element,
        ),
      ),
    );

    // A box per merge key (a key used twice is asked once).
    mergeInputs = new Map();
    const keys = [...new Map(tpl.mergeFields.map((m) => [m.key, m])).values()];
    for (const m of keys) {
      mergeInputs.set(m.key, input({ autocomplete: 'off', maxlength: 500, 'data-merge-key': m.key }));
    }
    const mergeHeading = uid('merge');
    const mergeCard = h(
      'section',
      { class: 'card', 'aria-labelledby': mergeHeading },
      h('h2', { id: mergeHeading }, t('merge')),
      keys.length
        ? [
            h('p', { class: 'hint' }, t('mergeHint')),
            h(
              'div',
              { class: 'grid' },
              ...keys.map((m) => field(m.key, mergeInputs.get(m.key)!, { required: m.required !== false })),
            ),
          ]
        : h('p', { class: 'muted' }, t('noMerge')),
    );

    const details = new EnvelopeDetails({ title: tpl.name, message: tpl.message });

    const settings = new SettingsControls();
    void settings.showDefaults(ctx.api, ctx.signal, tpl.settings);

    // The preview.
    const previewHeading = uid('preview');
    const previewSlot = h('div', { class: 'preview-slot' });
    const previewError = h('div');
    const previewButton = button(t('showPreview'), () => void showPreview(), { id: 'show-preview' });
    const previewCard = h(
      'section',
      { class: 'card', 'aria-labelledby': previewHeading },
      h('h2', { id: previewHeading }, t('preview')),
      h('p', { class: 'hint' }, t('previewNote')),
      h('div', { class: 'actions' }, previewButton),
      previewError,
      previewSlot,
    );
    for (const el of mergeInputs.values()) on(el, 'input', () => preview && overlayValues());

    const sending = new SendCard();
    const form = h(
      'form',
      { class: 'send-form', novalidate: true },
      peopleCard,
      mergeCard,
      details.element,
      settings.element,
      previewCard,
      sending.element,
    );
    body.replaceChildren(form);
    on(form, 'submit', (event) => {
      event.preventDefault();
      void sending.submit(ctx, check, envelope, controlFor);
    });

    function mergeValues(): Record<string, string> {
      const values: Record<string, string> = {};
      for (const [key, el] of mergeInputs) if (el.value.trim()) values[key] = el.value.trim();
      return values;
    }

    function overlayValues(): void {
      if (!preview) return;
      const values = mergeValues();
      for (const page of preview.pages) page.overlays.replaceChildren();
      for (const m of tpl.mergeFields) {
        const page = preview.page(m.page);
        if (!page) continue;
        const value = values[m.key];
        const box = h(
          'div',
          { class: `merge-overlay${value ? '' : ' empty'}`, 'data-merge-key': m.key },
          value ?? `{${m.key}}`,
        );
        placeBox(box, page, m);
        // The text at the size it is printed, scaled with the page.
        box.style.fontSize = `${((m.fontSize ?? 11) / page.width) * 100}cqw`;
        page.overlays.append(box);
      }
    }

    async function showPreview(): Promise<void> {
      previewError.replaceChildren();
      previewButton.disabled = true;
      try {
        const key = `${tpl.id}@${tpl.version}`;
        if (previewBytes?.key !== key) {
          const link = await ctx.api.get<DocumentLink>(
            `/v1/templates/${encodeURIComponent(tpl.id)}/document`,
            { version: tpl.version },
            { signal: ctx.signal },
          );
          const res = await fetch(link.url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          previewBytes = { key, bytes: new Uint8Array(await res.arrayBuffer()) };
        }
        if (!preview) {
          preview = new PdfPages(ctx.assets, t('previewLabel'));
          previewSlot.replaceChildren(preview.element);
          await preview.load(previewBytes.bytes);
        }
        overlayValues();
        previewButton.textContent = t('refreshPreview');
      } catch (err) {
        if (!ctx.signal.aborted) previewError.replaceChildren(errorBox(err));
      } finally {
        previewButton.disabled = false;
      }
    }

    function controlFor(path: string): HTMLElement | undefined {
      const role = /^body\.roles\.([A-Za-z0-9_-]+)\.?(.*)$/.exec(path);
      if (role) {
        const row = roles.find((r) => r.role.name === role[1]);
        if (!row) return undefined;
        const rest = role[2] ?? '';
        if (rest.startsWith('auth')) return row.auth.controlFor(rest.replace(/^auth\.?/, ''));
        return rest.startsWith('email') ? row.email : row.name;
      }
      const merge = /^body\.mergeData\.(.+)$/.exec(path);
      if (merge) return mergeInputs.get(merge[1]!);
      return details.controlFor(path) ?? settings.controlFor(path);
    }

    function check(): HTMLElement | undefined {
      clearErrors(form);
      const missing: HTMLElement[] = [];
      for (const row of roles) {
        missing.push(...checkPerson(row.name, row.email));
        if (row.role.role !== 'carbon_copy' && !row.auth.check()) {
          missing.push(row.auth.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
        }
      }
      for (const m of keys) {
        const el = mergeInputs.get(m.key)!;
        if (m.required !== false && !el.value.trim()) {
          fieldError(el, t('missing.merge'));
          missing.push(el);
        }
      }
      const title = details.check();
      if (title) missing.push(title);
      if (!settings.check())
        missing.push(settings.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
      return missing[0];
    }

    /** The envelope as the API takes it. */
    async function envelope(): Promise<Record<string, unknown>> {
      sending.progress.set(undefined);
      return {
        ...details.value(),
        template: { id: tpl.id, version: tpl.version },
        roles: Object.fromEntries(
          roles.map((row) => {
            const auth = row.role.role === 'carbon_copy' ? undefined : row.auth.value();
            return [
              row.role.name,
              {
                name: row.name.value.trim(),
                email: row.email.value.trim(),
                ...(auth ? { auth } : {}),
                ...row.language.value(),
              },
            ];
          }),
        ),
        mergeData: nestMergeData(mergeValues()),
        ...settings.value(),
      };
    }
  }

  return () => preview?.destroy();
}
