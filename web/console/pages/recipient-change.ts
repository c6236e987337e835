/**
 * The envelope page's dialog for a recipient who has not acted yet: correct their address (the
 * same person, a typo) or hand their part to someone else with a reason (a reassignment, when the
 * organisation allows it; the server says so when it does not). Either way their earlier links
 * stop working and, once invited, the person now holding the part gets a fresh invitation.
 */

import { ApiError } from '../api';
import { showDetails } from '../forms';
import { dictionary } from '../i18n';
import type { Envelope, Recipient } from '../types';
import { busy, errorBox, field, fieldError, h, input, on, select, toast, uid } from '../ui';
import type { PageContext } from './registry';

const t = dictionary(
  {
    change: 'Change',
    changeWho: (p) => `Change recipient ${p.name}`,
    title: (p) => `Change ${p.name}`,
    what: 'What changes',
    correct: 'Correct the address (the same person)',
    reassign: 'Hand the part to someone else',
    name: 'Name',
    email: 'E-mail',
    reason: 'Reason (the new person and the previous one are told)',
    save: 'Save',
    cancel: 'Cancel',
    required: 'Fill this in.',
    corrected: (p) => `The address is now ${p.email}.`,
    reassigned: (p) => `${p.name} now holds this part.`,
  },
  {
    change: 'Cambiar',
    changeWho: (p) => `Cambiar el destinatario ${p.name}`,
    title: (p) => `Cambiar a ${p.name}`,
    what: 'Qué cambia',
    correct: 'Corregir la dirección (la misma persona)',
    reassign: 'Pasar la parte a otra persona',
    name: 'Nombre',
    email: 'Correo electrónico',
    reason: 'Motivo (se comunica a la nueva persona y a la anterior)',
    save: 'Guardar',
    cancel: 'Cancelar',
    required: 'Rellene este campo.',
    corrected: (p) => `La dirección es ahora ${p.email}.`,
    reassigned: (p) => `${p.name} tiene ahora esta parte.`,
  },
);

/** A recipient whose part can still change: not acted, in a draft or sent envelope. */
export function canChange(e: Envelope, x: Recipient): boolean {
  return (
    (e.status === 'draft' || e.status === 'sent') &&
    ['created', 'sent', 'viewed'].includes(x.status) &&
    !x.consent?.at
  );
}

/**
 * The "Change" button for one recipient; `done` gets the envelope as the server answered. The
 * dialog is made when the button is first pressed and removed when it closes.
 */
export function changeButton(
  ctx: Pick<PageContext, 'api' | 'signal'>,
  path: string,
  x: Recipient,
  done: (envelope: Envelope) => void,
): HTMLButtonElement {
  const open = h(
    'button',
    {
      type: 'button',
      class: 'button small',
      id: `change-${x.id}`,
      'aria-label': t('changeWho', { name: x.name }),
    },
    t('change'),
  );
  on(open, 'click', () => {
    const dialog = changeDialog(ctx, path, x, (envelope) => {
      dialog.close();
      done(envelope);
    });
    document.body.append(dialog);
    on(dialog, 'close', () => {
      dialog.remove();
      open.focus();
    });
    dialog.showModal();
  });
  return open;
}

function changeDialog(
  ctx: Pick<PageContext, 'api' | 'signal'>,
  path: string,
  x: Recipient,
  done: (envelope: Envelope) => void,
): HTMLDialogElement {
  const kind = select(
    [
      { value: 'correct', label: t('correct') },
      { value: 'reassign', label: t('reassign') },
    ],
    'correct',
    { id: 'change-kind' },
  );
  const name = input({ id: 'change-name', maxlength: 200, value: x.name, autocomplete: 'off' });
  const email = input({
    id: 'change-email',
    type: 'email',
    maxlength: 254,
    value: x.email,
    autocomplete: 'off',
  });
  const reason = h('textarea', { id: 'change-reason', rows: 3, maxlength: 1000 });
  const reasonField = field(t('reason'), reason, { required: true });
  const problem = h('div');
  const save = h('button', { type: 'submit', class: 'button primary', id: 'change-save' }, t('save'));
  const cancel = h('button', { type: 'button', class: 'button' }, t('cancel'));
  const titleId = uid('change-title');
  const form = h(
    'form',
    { method: 'dialog', novalidate: true },
    h('h2', { id: titleId }, t('title', { name: x.name })),
    field(t('what'), kind),
    field(t('name'), name, { required: true }),
    field(t('email'), email, { required: true }),
    reasonField,
    problem,
    h('div', { class: 'actions' }, save, cancel),
  );
  const dialog = h('dialog', { class: 'dialog', id: 'change-dialog', 'aria-labelledby': titleId }, form);
  const mode = () => (kind.value === 'reassign' ? 'reassign' : 'correct');
  const showReason = () => (reasonField.hidden = mode() !== 'reassign');
  showReason();
  on(kind, 'change', () => {
    showReason();
    // Someone else: start from empty boxes.
    if (mode() === 'reassign' && name.value === x.name && email.value === x.email) {
      name.value = '';
      email.value = '';
    }
  });
  on(cancel, 'click', () => dialog.close());
  for (const control of [name, email, reason]) on(control, 'input', () => fieldError(control));
  on(form, 'submit', (event) => {
    event.preventDefault();
    problem.replaceChildren();
    const wanted = mode();
    const missing = [
      [name, name.value.trim()],
      [email, email.value.trim()],
      ...(wanted === 'reassign' ? [[reason, reason.value.trim()] as const] : []),
    ] as const;
    let first: HTMLElement | undefined;
    for (const [control, value] of missing) {
      fieldError(control, value ? undefined : t('required'));
      if (!value) first ??= control;
    }
    if (first) return first.focus();
    const body =
      wanted === 'correct'
        ? { email: email.value.trim(), name: name.value.trim() }
        : { name: name.value.trim(), email: email.value.trim(), reason: reason.value.trim() };
    void busy(
      save,
      async () => {
        const envelope = await ctx.api.post<Envelope>(
          `${path}/recipients/${encodeURIComponent(x.id)}/${wanted}`,
          body,
          { signal: ctx.signal },
        );
        toast(
          wanted === 'correct' ? t('corrected', { email: body.email }) : t('reassigned', { name: body.name }),
          'success',
        );
        done(envelope);
      },
      (err) => {
        problem.replaceChildren(errorBox(err));
        const controls: Record<string, HTMLElement> = {
          'body.email': email,
          'body.name': name,
          'body.reason': reason,
        };
        const target = err instanceof ApiError ? showDetails(err, (p) => controls[p]) : undefined;
        (target ?? problem.querySelector<HTMLElement>('.notice-title'))?.focus();
      },
    );
  });
  return dialog;
}
