/**
 * A new template from a PDF: its name and the file (up to 3 MB, sent inline), with one signer
 * role to start from. Fields, roles, settings and SLA terms are then edited in the template
 * editor, where each save is a new version. `#/templates/new`.
 */

import { dictionary, formatBytes } from '../i18n';
import { busy, card, errorBox, field, fieldError, h, on, pageHeader, toast } from '../ui';
import type { PageContext } from './registry';
import type { Template } from './template-types';

const t = dictionary(
  {
    title: 'New template',
    name: 'Name',
    description: 'Description',
    file: 'The PDF',
    fileHint: (p) => `A PDF of at most ${p.max}.`,
    role: 'First role',
    roleHint: 'A signer in step 1; more roles are added in the editor.',
    create: 'Create the template',
    notPdf: 'This file is not a PDF.',
    tooLarge: (p) => `This file is ${p.size}: at most ${p.max}.`,
    needFile: 'Choose a PDF.',
    needName: 'Give the template a name.',
    created: 'The template is created: place its fields.',
    refused: 'The template was not created',
  },
  {
    title: 'Nueva plantilla',
    name: 'Nombre',
    description: 'Descripción',
    file: 'El PDF',
    fileHint: (p) => `Un PDF de ${p.max} como mucho.`,
    role: 'Primer rol',
    roleHint: 'Un firmante en el paso 1; se añaden más roles en el editor.',
    create: 'Crear la plantilla',
    notPdf: 'Este archivo no es un PDF.',
    tooLarge: (p) => `Este archivo ocupa ${p.size}: como mucho ${p.max}.`,
    needFile: 'Elija un PDF.',
    needName: 'Dé un nombre a la plantilla.',
    created: 'La plantilla está creada: coloque sus campos.',
    refused: 'La plantilla no se creó',
  },
);

const MAX_INLINE = 3 * 1024 * 1024;

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function render(ctx: PageContext): void {
  const name = h('input', { type: 'text', id: 'template-name', maxlength: 200, autocomplete: 'off' });
  const description = h('input', {
    type: 'text',
    id: 'template-description',
    maxlength: 2000,
    autocomplete: 'off',
  });
  const role = h('input', {
    type: 'text',
    id: 'template-role',
    value: 'customer',
    pattern: '[A-Za-z0-9_\\-]{1,64}',
  });
  const file = h('input', { type: 'file', id: 'template-file', accept: 'application/pdf,.pdf' });
  const create = h('button', { type: 'submit', class: 'button primary', id: 'create-template' }, t('create'));
  const problems = h('div', {});
  const form = h(
    'form',
    { novalidate: true },
    field(t('name'), name, { required: true }),
    field(t('description'), description),
    field(t('file'), file, { required: true, hint: t('fileHint', { max: formatBytes(MAX_INLINE) }) }),
    field(t('role'), role, { hint: t('roleHint') }),
    problems,
    h('div', { class: 'actions' }, create),
  );
  ctx.root.append(pageHeader(t('title')), card(form));
  on(form, 'submit', (e) => {
    e.preventDefault();
    problems.replaceChildren();
    fieldError(name);
    fieldError(file);
    const chosen = file.files?.[0];
    let ok = true;
    if (!name.value.trim()) {
      fieldError(name, t('needName'));
      ok = false;
    }
    if (!chosen) {
      fieldError(file, t('needFile'));
      ok = false;
    } else if (chosen.size > MAX_INLINE) {
      fieldError(file, t('tooLarge', { size: formatBytes(chosen.size), max: formatBytes(MAX_INLINE) }));
      ok = false;
    }
    if (!ok || !chosen) return;
    void busy(
      create,
      async () => {
        const bytes = new Uint8Array(await chosen.arrayBuffer());
        if (String.fromCharCode(...bytes.subarray(0, 5)) !== '%PDF-') {
          fieldError(file, t('notPdf'));
          return;
        }
        const created = await ctx.api.post<Template>(
          '/v1/templates',
          {
            name: name.value.trim(),
            ...(description.value.trim() ? { description: description.value.trim() } : {}),
            document: { name: chosen.name, contentBase64: base64(bytes) },
            roles: [{ name: role.value.trim() || 'customer', role: 'signer', step: 1 }],
          },
          { signal: ctx.signal },
        );
        toast(t('created'), 'success');
        ctx.navigate(`/templates/${encodeURIComponent(created.id)}`, { replace: true });
      },
      (err) => problems.replaceChildren(errorBox(err, t('refused'))),
    );
  });
}
