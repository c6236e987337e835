/**
 * `#/send`: a one-off envelope from a PDF. The sender picks the file (refused here when it is not
 * a PDF or is over 50 MB, before anything is sent), adds the recipients and their routing steps,
 * drags their fields onto the rendered pages, sets reminders and expiry, and sends: the PDF goes
 * inline up to 3 MB or through a presigned upload with a progress bar, then the envelope is
 * created and sent.
 */

import { FieldPlacer } from '../field-placer';
import { checkPdf, documentInput, dropZone, uploadingLabel } from '../files';
import {
  AuthControls,
  LanguageControl,
  checkPerson,
  clearErrors,
  EnvelopeDetails,
  SendCard,
  SettingsControls,
} from '../forms';
import { dictionary, formatBytes } from '../i18n';
import { PdfPages } from '../pdf-pages';
import { RECIPIENT_ROLES, type RecipientRole } from '../types';
import { button, field, fieldError, h, input, on, pageHeader, select, uid } from '../ui';
import type { PageContext } from './registry';

const t = dictionary(
  {
    title: 'Send a PDF for signature',
    document: 'Document',
    documentHint: 'A PDF of up to 50 MB.',
    replace: 'Choose another PDF',
    chosen: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'page' : 'pages'}`,
    recipients: 'Recipients',
    recipientsHint:
      'Recipients of one step are invited together; the next step starts when they have all acted.',
    recipient: (p) => `Recipient ${p.n}`,
    name: 'Name',
    email: 'E-mail',
    role: 'Role',
    'role.signer': 'Signs',
    'role.approver': 'Approves',
    'role.carbon_copy': 'Receives a copy',
    step: 'Step',
    add: 'Add a recipient',
    removeRecipient: (p) => `Remove recipient ${p.n}`,
    fields: 'Fields',
    fieldsHint: 'Choose a PDF first.',
    'missing.document': 'Choose the PDF to send.',
    documentLabel: 'The document’s pages',
  },
  {
    title: 'Enviar un PDF para firmar',
    document: 'Documento',
    documentHint: 'Un PDF de hasta 50 MB.',
    replace: 'Elegir otro PDF',
    chosen: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'página' : 'páginas'}`,
    recipients: 'Destinatarios',
    recipientsHint:
      'Los destinatarios de un paso se invitan a la vez; el siguiente paso empieza cuando todos han actuado.',
    recipient: (p) => `Destinatario ${p.n}`,
    name: 'Nombre',
    email: 'Correo electrónico',
    role: 'Rol',
    'role.signer': 'Firma',
    'role.approver': 'Aprueba',
    'role.carbon_copy': 'Recibe una copia',
    step: 'Paso',
    add: 'Añadir un destinatario',
    removeRecipient: (p) => `Quitar el destinatario ${p.n}`,
    fields: 'Campos',
    fieldsHint: 'Elija primero un PDF.',
    'missing.document': 'Elija el PDF que quiere enviar.',
    documentLabel: 'Las páginas del documento',
  },
);

interface RecipientRow {
  key: string;
  element: HTMLElement;
  name: HTMLInputElement;
  email: HTMLInputElement;
  role: HTMLSelectElement;
  step: HTMLInputElement;
  auth: AuthControls;
  language: LanguageControl;
}

export function render(ctx: PageContext): () => void {
  let picked: { file: File; bytes: Uint8Array } | undefined;
  let pages: PdfPages | undefined;
  let placer: FieldPlacer | undefined;
  let rows: RecipientRow[] = [];
  let counter = 0;

  // The document.
  const fileMessage = h('div', { class: 'file-message' });
  const chosen = h('p', { class: 'chosen', hidden: true });
  const zone = dropZone('send-file', (file) => void pick(file));
  const docHeading = uid('doc');
  const documentCard = h(
    'section',
    { class: 'card', 'aria-labelledby': docHeading },
    h('h2', { id: docHeading }, t('document')),
    h('p', { class: 'hint' }, t('documentHint')),
    zone.element,
    fileMessage,
    chosen,
  );

  // Title and message.
  const details = new EnvelopeDetails();

  // Recipients.
  const list = h('ol', { class: 'recipient-list' });
  const addButton = button(t('add'), () => {
    const row = addRecipient();
    row.name.focus();
  });
  const recipientsHeading = uid('recipients');
  const recipientsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': recipientsHeading },
    h('h2', { id: recipientsHeading }, t('recipients')),
    h('p', { class: 'hint' }, t('recipientsHint')),
    list,
    h('div', { class: 'actions' }, addButton),
  );

  // Fields: the palette beside the pages, once a PDF is chosen.
  const fieldsHeading = uid('fields');
  const fieldsBody = h('div', { class: 'placement' }, h('p', { class: 'muted' }, t('fieldsHint')));
  const fieldsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': fieldsHeading },
    h('h2', { id: fieldsHeading }, t('fields')),
    fieldsBody,
  );

  const settings = new SettingsControls();
  void settings.showDefaults(ctx.api, ctx.signal);

  const sending = new SendCard(uploadingLabel());
  const form = h(
    'form',
    { class: 'send-form', novalidate: true },
    documentCard,
    details.element,
    recipientsCard,
    fieldsCard,
    settings.element,
    sending.element,
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    void sending.submit(ctx, check, envelope, controlFor);
  });

  ctx.root.append(pageHeader(t('title')), form);
  addRecipient();

  function owners() {
    return rows
      .filter((r) => r.role.value === 'signer')
      .map((r, i) => ({
        id: r.key,
        label: r.name.value.trim() || r.email.value.trim() || t('recipient', { n: i + 1 }),
      }));
  }

  function renumber(): void {
    rows.forEach((row, i) => {
      row.element.querySelector('.recipient-title')!.textContent = t('recipient', { n: i + 1 });
      row.element
        .querySelector<HTMLButtonElement>('.remove-recipient')
        ?.setAttribute('aria-label', t('removeRecipient', { n: i + 1 }));
    });
    for (const row of rows) {
      const remove = row.element.querySelector<HTMLButtonElement>('.remove-recipient');
      if (remove) remove.hidden = rows.length === 1;
    }
  }

  function addRecipient(): RecipientRow {
    const key = `r${++counter}`;
    const name = input({ autocomplete: 'off', maxlength: 200, 'data-part': 'name' });
    const email = input({ type: 'email', autocomplete: 'off', maxlength: 254, 'data-part': 'email' });
    const role = select(
      RECIPIENT_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })),
      'signer',
      { 'data-part': 'role' },
    );
    const step = input({
      type: 'number',
      min: 1,
      max: 50,
      step: 1,
      value: 1,
      inputmode: 'numeric',
      'data-part': 'step',
    });
    const auth = new AuthControls();
    const language = new LanguageControl();
    const remove = h(
      'button',
      { type: 'button', class: 'button small danger-outline remove-recipient' },
      '×',
    );
    const element = h(
      'li',
      { class: 'recipient', 'data-recipient': key },
      h('div', { class: 'recipient-head' }, h('h3', { class: 'recipient-title' }), remove),
      h(
        'div',
        { class: 'grid recipient-grid' },
        field(t('name'), name, { required: true }),
        field(t('email'), email, { required: true }),
        field(t('role'), role),
        field(t('step'), step),
        language.element,
      ),
      auth.element,
    );
    const row: RecipientRow = { key, element, name, email, role, step, auth, language };
    rows.push(row);
    list.append(element);
    on(remove, 'click', () => {
      rows = rows.filter((r) => r !== row);
      element.remove();
      renumber();
      placer?.refresh();
      addButton.focus();
    });
    for (const el of [name, email, role]) on(el, 'change', () => placer?.refresh());
    renumber();
    placer?.refresh();
    return row;
  }

  async function pick(file: File): Promise<void> {
    fieldError(zone.input);
    fileMessage.replaceChildren();
    const result = await checkPdf(file);
    if (!result.ok) {
      fileMessage.replaceChildren(
        h('p', { class: 'notice error', role: 'alert', 'data-error': 'file' }, result.message),
      );
      return;
    }
    pages?.destroy();
    picked = { file: result.file, bytes: result.bytes };
    if (!details.title.value.trim()) details.title.value = file.name.replace(/\.pdf$/i, '').slice(0, 200);
    pages = new PdfPages(ctx.assets, t('documentLabel'));
    fieldsBody.replaceChildren(h('div', { class: 'placement-pages' }, pages.element));
    try {
      await pages.load(result.bytes);
    } catch {
      picked = undefined;
      return;
    }
    chosen.hidden = false;
    chosen.textContent = t('chosen', {
      name: file.name,
      size: formatBytes(file.size),
      pages: pages.pages.length,
    });
    placer = new FieldPlacer(pages, { owners });
    fieldsBody.replaceChildren(
      h('div', { class: 'placement-side' }, placer.palette),
      h('div', { class: 'placement-pages' }, pages.element, placer.list),
    );
  }

  /** The control a server path names (`body.recipients[1].email`). */
  function controlFor(path: string): HTMLElement | undefined {
    const recipient = /^body\.recipients\[(\d+)\]\.?(.*)$/.exec(path);
    if (recipient) {
      const row = rows[Number(recipient[1])];
      if (!row) return undefined;
      const rest = recipient[2] ?? '';
      if (rest.startsWith('auth')) return row.auth.controlFor(rest.replace(/^auth\.?/, ''));
      if (rest.startsWith('email')) return row.email;
      if (rest.startsWith('role')) return row.role;
      if (rest.startsWith('step')) return row.step;
      return row.name;
    }
    if (path.startsWith('body.documents')) return zone.input;
    return details.controlFor(path) ?? settings.controlFor(path);
  }

  function check(): HTMLElement | undefined {
    clearErrors(form);
    const missing: HTMLElement[] = [];
    if (!picked) {
      fieldError(zone.input, t('missing.document'));
      missing.push(zone.input);
    }
    const title = details.check();
    if (title) missing.push(title);
    for (const row of rows) {
      missing.push(...checkPerson(row.name, row.email));
      if (!row.auth.check())
        missing.push(row.auth.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
    }
    if (!settings.check())
      missing.push(settings.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
    return missing[0];
  }

  /** The envelope as the API takes it (the PDF uploaded first when it is large). */
  async function envelope(): Promise<Record<string, unknown>> {
    // check() has marked the document when there is none.
    const pdf = picked!;
    const document = await documentInput(ctx.api, pdf, sending.progress, ctx.signal);
    return {
      ...details.value(),
      documents: [{ name: pdf.file.name.slice(0, 200) || 'document.pdf', ...document }],
      recipients: rows.map((row) => {
        const auth = row.auth.value();
        const role = row.role.value as RecipientRole;
        return {
          name: row.name.value.trim(),
          email: row.email.value.trim(),
          role,
          step: Number(row.step.value) || 1,
          fields: role === 'signer' ? (placer?.fieldsFor(row.key) ?? []) : [],
          ...(auth ? { auth } : {}),
          ...row.language.value(),
        };
      }),
      ...settings.value(),
    };
  }

  return () => pages?.destroy();
}
