/**
 * `#/send`: a one-off envelope from a PDF. The sender picks the file (refused here when it is not
 * a PDF or is over 50 MB, before anything is sent), adds the recipients and their routing steps,
 * drags their fields onto the rendered pages, sets reminders and expiry, and sends: the PDF goes
 * inline up to 3 MB or through a presigned upload with a progress bar, then the envelope is
 * created and sent.
 */

import { ApiError } from '../api';
import { FieldPlacer } from '../field-placer';
import { checkPdf, documentInput, dropZone, uploadingLabel } from '../files';
import { AuthControls, clearErrors, SettingsControls, showDetails } from '../forms';
import { dictionary, formatBytes } from '../i18n';
import { PdfPages } from '../pdf-pages';
import { RECIPIENT_ROLES, type Envelope, type RecipientRole } from '../types';
import {
  button,
  errorBox,
  field,
  fieldError,
  focusHeading,
  h,
  input,
  on,
  pageHeader,
  ProgressBar,
  select,
  toast,
  uid,
} from '../ui';
import type { PageContext } from './registry';

const t = dictionary(
  {
    title: 'Send a PDF for signature',
    document: 'Document',
    documentHint: 'A PDF of up to 50 MB.',
    replace: 'Choose another PDF',
    chosen: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'page' : 'pages'}`,
    details: 'Title and message',
    envTitle: 'Title',
    message: 'Message to the recipients',
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
    send: 'Send for signature',
    sending: 'Sending…',
    sent: (p) => `“${p.title}” was sent.`,
    createdNotSent: 'The envelope was saved as a draft but could not be sent.',
    notSent: 'Nothing was sent.',
    'missing.document': 'Choose the PDF to send.',
    'missing.title': 'Enter a title.',
    'missing.name': 'Enter the name.',
    'missing.email': 'Enter an e-mail address.',
    fix: 'Some details are missing: see the marked boxes.',
    documentLabel: 'The document’s pages',
  },
  {
    title: 'Enviar un PDF para firmar',
    document: 'Documento',
    documentHint: 'Un PDF de hasta 50 MB.',
    replace: 'Elegir otro PDF',
    chosen: (p) => `${p.name} · ${p.size} · ${p.pages} ${Number(p.pages) === 1 ? 'página' : 'páginas'}`,
    details: 'Título y mensaje',
    envTitle: 'Título',
    message: 'Mensaje para los destinatarios',
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
    send: 'Enviar para firmar',
    sending: 'Enviando…',
    sent: (p) => `Se envió «${p.title}».`,
    createdNotSent: 'El sobre se guardó como borrador, pero no se pudo enviar.',
    notSent: 'No se envió nada.',
    'missing.document': 'Elija el PDF que quiere enviar.',
    'missing.title': 'Escriba un título.',
    'missing.name': 'Escriba el nombre.',
    'missing.email': 'Escriba una dirección de correo.',
    fix: 'Faltan datos: vea las casillas marcadas.',
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
  const progress = new ProgressBar(uploadingLabel());
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
  const title = input({ id: 'envelope-title', maxlength: 200, autocomplete: 'off' });
  const message = h('textarea', { id: 'envelope-message', rows: 3, maxlength: 10000 });
  const detailsHeading = uid('details');
  const detailsCard = h(
    'section',
    { class: 'card', 'aria-labelledby': detailsHeading },
    h('h2', { id: detailsHeading }, t('details')),
    field(t('envTitle'), title, { required: true }),
    field(t('message'), message),
  );

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
  void ctx.api
    .get<{ envelopeDefaults: Parameters<SettingsControls['defaults']>[0] }>(
      '/v1/tenant/settings',
      undefined,
      {
        signal: ctx.signal,
      },
    )
    .then((s) => settings.defaults(s.envelopeDefaults))
    .catch(() => undefined);

  const outcome = h('div', { class: 'outcome' });
  const sendButton = h('button', { type: 'submit', class: 'button primary', id: 'send-envelope' }, t('send'));
  const form = h(
    'form',
    { class: 'send-form', novalidate: true },
    documentCard,
    detailsCard,
    recipientsCard,
    fieldsCard,
    settings.element,
    h(
      'div',
      { class: 'card submit-card' },
      progress.element,
      outcome,
      h('div', { class: 'actions' }, sendButton),
    ),
  );
  on(form, 'submit', (event) => {
    event.preventDefault();
    void submit();
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
      ),
      auth.element,
    );
    const row: RecipientRow = { key, element, name, email, role, step, auth };
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
    if (!title.value.trim()) title.value = file.name.replace(/\.pdf$/i, '').slice(0, 200);
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
    if (path.startsWith('body.title')) return title;
    if (path.startsWith('body.message')) return message;
    if (path.startsWith('body.documents')) return zone.input;
    return settings.controlFor(path);
  }

  function check(): HTMLElement | undefined {
    clearErrors(form);
    const missing: HTMLElement[] = [];
    if (!picked) {
      fieldError(zone.input, t('missing.document'));
      missing.push(zone.input);
    }
    if (!title.value.trim()) {
      fieldError(title, t('missing.title'));
      missing.push(title);
    }
    for (const row of rows) {
      if (!row.name.value.trim()) {
        fieldError(row.name, t('missing.name'));
        missing.push(row.name);
      }
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(row.email.value.trim())) {
        fieldError(row.email, t('missing.email'));
        missing.push(row.email);
      }
      if (!row.auth.check())
        missing.push(row.auth.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
    }
    if (!settings.check())
      missing.push(settings.element.querySelector<HTMLElement>('[aria-invalid="true"]')!);
    return missing[0];
  }

  async function submit(): Promise<void> {
    outcome.replaceChildren();
    const invalid = check();
    if (invalid || !picked) {
      outcome.replaceChildren(h('p', { class: 'notice error', role: 'alert' }, t('fix')));
      (invalid ?? zone.input).focus();
      return;
    }
    sendButton.disabled = true;
    sendButton.textContent = t('sending');
    let created: Envelope | undefined;
    try {
      const document = await documentInput(ctx.api, picked, progress, ctx.signal);
      created = await ctx.api.post<Envelope>(
        '/v1/envelopes',
        {
          title: title.value.trim(),
          ...(message.value.trim() ? { message: message.value } : {}),
          documents: [{ name: picked.file.name.slice(0, 200) || 'document.pdf', ...document }],
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
            };
          }),
          ...settings.value(),
        },
        { signal: ctx.signal },
      );
      await ctx.api.post(`/v1/envelopes/${encodeURIComponent(created.id)}/send`, undefined, {
        signal: ctx.signal,
      });
      toast(t('sent', { title: created.title }), 'success');
      ctx.navigate(`/envelopes/${encodeURIComponent(created.id)}`);
    } catch (err) {
      if (ctx.signal.aborted) return;
      if (created) {
        // Saved but not sent: the draft's page can send it again.
        toast(`${t('createdNotSent')} ${err instanceof Error ? err.message : ''}`, 'error');
        ctx.navigate(`/envelopes/${encodeURIComponent(created.id)}`);
        return;
      }
      outcome.replaceChildren(errorBox(err, t('notSent')));
      const first = err instanceof ApiError ? showDetails(err, controlFor) : undefined;
      if (first) first.focus();
      else focusHeading(outcome.querySelector<HTMLElement>('.notice-title'));
    } finally {
      sendButton.disabled = false;
      sendButton.textContent = t('send');
    }
  }

  return () => pages?.destroy();
}
