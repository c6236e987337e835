/**
 * The organisation's branding: a PNG logo of at most 200 KB and two colours, previewed before
 * saving. They are shown in the console's header, on the signing page the organisation's
 * recipients open, and in their invitations. Admins change them (a new version of the tenant
 * settings, the other settings kept as they are); other roles see them. `#/settings/branding`.
 */

import { ApiError } from '../api';
import { dictionary } from '../i18n';
import { append, busy, card, errorBox, field, fieldError, h, on, pageHeader, toast } from '../ui';
import { applyBranding, brandLogo, contrast, readableOnWhite, type Branding } from '../../shared/branding';
import type { PageContext } from './registry';

const t = dictionary(
  {
    title: 'Branding',
    intro:
      'Your logo and colours appear in the console’s header, on the signing page your recipients open, and in their invitations.',
    adminOnly: 'Only an admin can change the branding.',
    logo: 'Logo',
    logoHint: 'A PNG of at most 200 KB; about 40 pixels high is shown.',
    removeLogo: 'Remove the logo',
    noLogo: 'No logo: the product’s name is shown.',
    notPng: 'This file is not a PNG image.',
    tooLarge: (p) => `This logo is ${p.kb} KB: at most 200 KB.`,
    primary: 'Primary colour',
    primaryHint: 'The main buttons and links; darkened where needed to stay readable on white.',
    accent: 'Accent colour',
    accentHint: 'The band under the header.',
    picker: (p) => `${p.name}: picker`,
    code: 'Code (#rrggbb)',
    badColor: 'A colour is written #rrggbb, such as #0b5cad.',
    useDefault: 'Use the default',
    preview: 'Preview',
    previewButton: 'Review and sign',
    previewLink: 'Download the PDF',
    previewText: 'Support maintenance agreement 2026',
    adjusted: (p) => `Shown as ${p.color} so that it reads at 4.5:1 on white (${p.ratio}:1 as chosen).`,
    readable: (p) => `Reads at ${p.ratio}:1 on white.`,
    save: 'Save the branding',
    saved: 'The branding is saved.',
    conflict: 'The settings were changed meanwhile. Reload the page and make your change again.',
    refused: 'The branding was not saved',
    previewLogoAlt: 'Logo preview',
  },
  {
    title: 'Imagen de marca',
    intro:
      'Su logotipo y sus colores aparecen en la cabecera de la consola, en la página de firma que abren sus destinatarios y en sus invitaciones.',
    adminOnly: 'Solo un administrador puede cambiar la imagen de marca.',
    logo: 'Logotipo',
    logoHint: 'Un PNG de 200 KB como mucho; se muestra a unos 40 píxeles de alto.',
    removeLogo: 'Quitar el logotipo',
    noLogo: 'Sin logotipo: se muestra el nombre del producto.',
    notPng: 'Este archivo no es una imagen PNG.',
    tooLarge: (p) => `Este logotipo ocupa ${p.kb} KB: como mucho 200 KB.`,
    primary: 'Color principal',
    primaryHint: 'Los botones principales y los enlaces; se oscurece si hace falta para leerse sobre blanco.',
    accent: 'Color de acento',
    accentHint: 'La franja bajo la cabecera.',
    picker: (p) => `${p.name}: selector`,
    code: 'Código (#rrggbb)',
    badColor: 'Un color se escribe #rrggbb, como #0b5cad.',
    useDefault: 'Usar el predeterminado',
    preview: 'Vista previa',
    previewButton: 'Revisar y firmar',
    previewLink: 'Descargar el PDF',
    previewText: 'Contrato de mantenimiento 2026',
    adjusted: (p) =>
      `Se muestra como ${p.color} para leerse a 4,5:1 sobre blanco (${p.ratio}:1 tal como se eligió).`,
    readable: (p) => `Se lee a ${p.ratio}:1 sobre blanco.`,
    save: 'Guardar la imagen de marca',
    saved: 'La imagen de marca está guardada.',
    conflict: 'Los ajustes cambiaron entretanto. Recargue la página y repita su cambio.',
    refused: 'La imagen de marca no se guardó',
    previewLogoAlt: 'Vista previa del logotipo',
  },
);

interface Settings {
  version: number;
  envelopeDefaults: Record<string, unknown>;
  recipientChanges: Record<string, boolean>;
  documentRetentionDays?: number;
  templateApprovalRequired?: boolean;
  branding?: Branding;
}

const MAX_LOGO = 200 * 1024;
const HEX = /^#[0-9a-fA-F]{6}$/;
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Tells the console's shell that the branding changed (it redraws its header). */
export const BRANDING_EVENT = 'countersign:branding';

export async function render(ctx: PageContext): Promise<void> {
  const settings = await ctx.api.get<Settings>('/v1/tenant/settings', {}, { signal: ctx.signal });
  const isAdmin = ctx.session.roles.includes('admin');
  const draft: Branding = { ...settings.branding };

  // ---- Logo.
  const file = h('input', { type: 'file', id: 'logo-file', accept: 'image/png', disabled: !isAdmin });
  const logoPreview = h('div', { class: 'logo-current' });
  const removeLogo = h(
    'button',
    { type: 'button', class: 'button small danger-outline', id: 'remove-logo', disabled: !isAdmin },
    t('removeLogo'),
  );
  const drawLogo = () => {
    const img = brandLogo(draft, t('previewLogoAlt'));
    logoPreview.replaceChildren(img ?? h('p', { class: 'muted' }, t('noLogo')));
    removeLogo.hidden = !draft.logoPngBase64;
  };
  on(file, 'change', () => {
    fieldError(file);
    const chosen = file.files?.[0];
    if (!chosen) return;
    if (chosen.size > MAX_LOGO) return fieldError(file, t('tooLarge', { kb: Math.ceil(chosen.size / 1024) }));
    void chosen.arrayBuffer().then((buffer) => {
      const bytes = new Uint8Array(buffer);
      if (!PNG.every((b, i) => bytes[i] === b)) return fieldError(file, t('notPng'));
      draft.logoPngBase64 = base64(bytes);
      drawLogo();
      preview();
    });
  });
  on(removeLogo, 'click', () => {
    delete draft.logoPngBase64;
    file.value = '';
    drawLogo();
    preview();
  });

  // ---- Colours: a colour picker and its text, kept in step.
  const colour = (key: 'primaryColor' | 'accentColor', label: string, hint: string, fallback: string) => {
    const picker = h('input', {
      type: 'color',
      id: `${key}-picker`,
      value: draft[key] ?? fallback,
      disabled: !isAdmin,
    });
    const text = h('input', {
      type: 'text',
      id: `${key}-text`,
      value: draft[key] ?? '',
      placeholder: fallback,
      maxlength: 7,
      spellcheck: 'false',
      autocomplete: 'off',
      disabled: !isAdmin,
    });
    const reset = h(
      'button',
      { type: 'button', class: 'button small link', disabled: !isAdmin },
      t('useDefault'),
    );
    on(picker, 'input', () => {
      text.value = picker.value;
      draft[key] = picker.value;
      fieldError(text);
      preview();
    });
    on(text, 'input', () => {
      const v = text.value.trim();
      if (v === '') {
        delete draft[key];
        fieldError(text);
      } else if (HEX.test(v)) {
        draft[key] = v.toLowerCase();
        picker.value = v.toLowerCase();
        fieldError(text);
      } else return fieldError(text, t('badColor'));
      preview();
    });
    on(reset, 'click', () => {
      delete draft[key];
      text.value = '';
      picker.value = fallback;
      fieldError(text);
      preview();
    });
    return {
      text,
      element: h(
        'fieldset',
        { class: 'colour' },
        h('legend', {}, label),
        h(
          'div',
          { class: 'colour-row' },
          h('label', { class: 'sr-only', for: picker.id }, t('picker', { name: label })),
          picker,
          field(t('code'), text),
          reset,
        ),
        h('p', { class: 'hint' }, hint),
      ),
    };
  };
  const primary = colour('primaryColor', t('primary'), t('primaryHint'), '#0a58ca');
  const accent = colour('accentColor', t('accent'), t('accentHint'), '#0a58ca');

  // ---- Preview: the same properties, on a sample header and buttons only.
  const sample = h('div', { class: 'branding-preview', 'data-preview': '' });
  const contrastNote = h('p', { class: 'muted small', id: 'contrast-note' });
  const preview = () => {
    applyBranding(draft, sample);
    const logo = brandLogo(draft, t('previewLogoAlt'));
    sample.replaceChildren(
      h('div', { class: 'preview-bar' }, logo ?? h('span', { class: 'preview-name' }, 'Countersign')),
      h(
        'div',
        { class: 'preview-body' },
        h('p', { class: 'preview-title' }, t('previewText')),
        h('span', { class: 'button primary', 'aria-hidden': 'true' }, t('previewButton')),
        ' ',
        h('span', { class: 'preview-link' }, t('previewLink')),
      ),
    );
    if (draft.primaryColor) {
      const shown = readableOnWhite(draft.primaryColor);
      const ratio = contrast(draft.primaryColor, '#ffffff').toFixed(1);
      contrastNote.textContent =
        shown === draft.primaryColor.toLowerCase()
          ? t('readable', { ratio })
          : t('adjusted', { color: shown, ratio });
    } else contrastNote.textContent = '';
  };

  const save = h(
    'button',
    { type: 'button', class: 'button primary', id: 'save-branding', disabled: !isAdmin },
    t('save'),
  );
  const result = h('div', {});
  on(save, 'click', () => {
    result.replaceChildren();
    if ([primary.text, accent.text].some((c) => c.getAttribute('aria-invalid') === 'true')) return;
    void busy(
      save,
      async () => {
        const body = {
          envelopeDefaults: settings.envelopeDefaults,
          recipientChanges: settings.recipientChanges,
          ...(settings.documentRetentionDays !== undefined
            ? { documentRetentionDays: settings.documentRetentionDays }
            : {}),
          ...(settings.templateApprovalRequired ? { templateApprovalRequired: true } : {}),
          ...(Object.keys(draft).length ? { branding: draft } : {}),
          version: settings.version,
        };
        const saved = await ctx.api.put<Settings>('/v1/tenant/settings', body, { signal: ctx.signal });
        Object.assign(settings, saved);
        toast(t('saved'), 'success');
        applyBranding(saved.branding);
        window.dispatchEvent(new CustomEvent(BRANDING_EVENT, { detail: saved.branding ?? null }));
      },
      (err) =>
        result.replaceChildren(
          err instanceof ApiError && err.status === 409
            ? h('p', { class: 'notice error', role: 'alert' }, t('conflict'))
            : errorBox(err, t('refused')),
        ),
    );
  });

  append(
    ctx.root,
    pageHeader(t('title'), save),
    h('p', {}, t('intro')),
    isAdmin ? null : h('p', { class: 'notice info' }, t('adminOnly')),
    result,
    h(
      'div',
      { class: 'branding-layout' },
      card(
        field(t('logo'), file, { hint: t('logoHint') }),
        logoPreview,
        removeLogo,
        primary.element,
        accent.element,
      ),
      card(h('h2', {}, t('preview')), sample, contrastNote),
    ),
  );
  drawLogo();
  preview();
}
