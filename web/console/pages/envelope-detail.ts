/**
 * `#/envelopes/:id`: one envelope. Its route as a timeline (each step, who signed or approved
 * when, who is being waited for, the next reminder and the expiry from the envelope's settings),
 * the actions that fit its state (send a draft, resend an invitation, void with a reason), the
 * documents (the sealed copies once completed), the audit trail with whether its hash chain
 * checks out, and the signed audit export. While the envelope is in progress the page reads it
 * again every few seconds, so the timeline follows the signers.
 */

import { dictionary, formatDateTime } from '../i18n';
import { nextReminder } from '../logic';
import type { AuditTrail, DocumentLink, Envelope, Recipient } from '../types';
import {
  badge,
  busy,
  button,
  errorBox,
  facts,
  field,
  fieldError,
  h,
  on,
  pageHeader,
  saveFile,
  scrollRegion,
  toast,
  uid,
} from '../ui';
import { statusText } from './envelopes';
import { canChange, changeButton } from './recipient-change';
import type { PageContext } from './registry';

const POLL_MS = 3000;

const t = dictionary(
  {
    back: 'All envelopes',
    send: 'Send',
    sent: 'The envelope was sent.',
    void: 'Void…',
    voidTitle: 'Void this envelope',
    voidBody:
      'The recipients’ links stop working and they are told it was voided, with your reason. This cannot be undone.',
    reason: 'Reason',
    reasonRequired: 'Enter the reason; the recipients will see it.',
    confirmVoid: 'Void the envelope',
    voided: 'The envelope was voided.',
    cancel: 'Cancel',
    facts: 'Summary',
    created: 'Created',
    sentAt: 'Sent',
    expires: 'Expires',
    expiredAt: 'Expired',
    completed: 'Completed',
    owner: 'Sender',
    template: 'Template',
    templateVersion: (p) => `${p.name} (version ${p.version})`,
    voidReason: 'Void reason',
    declinedBy: 'Declined by',
    reminders: 'Reminders',
    reminderRule: (p) =>
      Number(p.max) === 0
        ? 'None'
        : `After ${p.first} h, then every ${p.every} h, at most ${p.max} per recipient`,
    route: 'Route',
    step: (p) => `Step ${p.n}`,
    'step.pending': 'Waiting for earlier steps',
    'step.active': 'In progress',
    'step.completed': 'Done',
    invitedAt: (p) => `Invited ${p.at}`,
    viewedAt: (p) => `Opened ${p.at}`,
    signedAt: (p) => `Signed ${p.at}`,
    approvedAt: (p) => `Approved ${p.at}`,
    declinedAt: (p) => `Declined ${p.at}`,
    supersededAt: (p) => `Another member signed for the group ${p.at}`,
    declineReason: (p) => `Reason: ${p.reason}`,
    waiting: 'Waiting for them',
    nextReminder: (p) => `Next reminder ${p.at}`,
    remindersSent: (p) => (p.n === 1 ? '1 reminder sent' : `${p.n} reminders sent`),
    noMoreReminders: 'No more reminders',
    locked: 'Locked after wrong codes: resend to unlock',
    resend: 'Resend invitation',
    resendTo: (p) => `Resend invitation to ${p.name}`,
    resent: (p) => `A new invitation went to ${p.email}; the old link no longer works.`,
    'role.signer': 'signs',
    'role.approver': 'approves',
    'role.carbon_copy': 'gets a copy',
    'rstatus.created': 'Not invited yet',
    'rstatus.sent': 'Invited',
    'rstatus.viewed': 'Opened',
    'rstatus.signed': 'Signed',
    'rstatus.approved': 'Approved',
    'rstatus.superseded': 'Signed by the group',
    'rstatus.declined': 'Declined',
    'rstatus.withdrawn': 'Consent withdrawn',
    documents: 'Documents',
    sealedNote: 'The sealed copies: every signature and the audit trail are sealed into them.',
    download: (p) => `Download ${p.name}`,
    downloaded: (p) => `${p.name} downloaded.`,
    exportAudit: 'Download the signed audit export',
    audit: 'Audit trail',
    auditVerified: 'Hash chain verified',
    auditBroken: (p) => `Hash chain broken at event ${p.seq}`,
    'col.seq': '#',
    'col.at': 'When',
    'col.event': 'Event',
    'col.actor': 'By',
    system: 'Countersign',
    notFound: 'This envelope does not exist, or you may not see it.',
    updated: 'Updated',
  },
  {
    back: 'Todos los sobres',
    send: 'Enviar',
    sent: 'Se envió el sobre.',
    void: 'Anular…',
    voidTitle: 'Anular este sobre',
    voidBody:
      'Los enlaces de los destinatarios dejan de funcionar y se les avisa de la anulación, con su motivo. No se puede deshacer.',
    reason: 'Motivo',
    reasonRequired: 'Escriba el motivo; los destinatarios lo verán.',
    confirmVoid: 'Anular el sobre',
    voided: 'Se anuló el sobre.',
    cancel: 'Cancelar',
    facts: 'Resumen',
    created: 'Creado',
    sentAt: 'Enviado',
    expires: 'Caduca',
    expiredAt: 'Caducó',
    completed: 'Completado',
    owner: 'Remitente',
    template: 'Plantilla',
    templateVersion: (p) => `${p.name} (versión ${p.version})`,
    voidReason: 'Motivo de la anulación',
    declinedBy: 'Rechazado por',
    reminders: 'Recordatorios',
    reminderRule: (p) =>
      Number(p.max) === 0
        ? 'Ninguno'
        : `Tras ${p.first} h, después cada ${p.every} h, como máximo ${p.max} por destinatario`,
    route: 'Recorrido',
    step: (p) => `Paso ${p.n}`,
    'step.pending': 'Espera a los pasos anteriores',
    'step.active': 'En curso',
    'step.completed': 'Hecho',
    invitedAt: (p) => `Invitado ${p.at}`,
    viewedAt: (p) => `Abierto ${p.at}`,
    signedAt: (p) => `Firmado ${p.at}`,
    approvedAt: (p) => `Aprobado ${p.at}`,
    declinedAt: (p) => `Rechazado ${p.at}`,
    supersededAt: (p) => `Otro miembro firmó por el grupo ${p.at}`,
    declineReason: (p) => `Motivo: ${p.reason}`,
    waiting: 'Pendiente de su parte',
    nextReminder: (p) => `Próximo recordatorio ${p.at}`,
    remindersSent: (p) => (p.n === 1 ? '1 recordatorio enviado' : `${p.n} recordatorios enviados`),
    noMoreReminders: 'No hay más recordatorios',
    locked: 'Bloqueado tras códigos erróneos: reenvíe para desbloquear',
    resend: 'Reenviar invitación',
    resendTo: (p) => `Reenviar invitación a ${p.name}`,
    resent: (p) => `Se envió una nueva invitación a ${p.email}; el enlace anterior ya no funciona.`,
    'role.signer': 'firma',
    'role.approver': 'aprueba',
    'role.carbon_copy': 'recibe una copia',
    'rstatus.created': 'Aún no invitado',
    'rstatus.sent': 'Invitado',
    'rstatus.viewed': 'Abierto',
    'rstatus.signed': 'Firmado',
    'rstatus.approved': 'Aprobado',
    'rstatus.superseded': 'Firmado por el grupo',
    'rstatus.declined': 'Rechazado',
    'rstatus.withdrawn': 'Consentimiento retirado',
    documents: 'Documentos',
    sealedNote: 'Las copias selladas: todas las firmas y el registro de auditoría van sellados en ellas.',
    download: (p) => `Descargar ${p.name}`,
    downloaded: (p) => `${p.name} descargado.`,
    exportAudit: 'Descargar la exportación firmada de la auditoría',
    audit: 'Registro de auditoría',
    auditVerified: 'Cadena de hashes verificada',
    auditBroken: (p) => `Cadena de hashes rota en el evento ${p.seq}`,
    'col.seq': 'N.º',
    'col.at': 'Cuándo',
    'col.event': 'Evento',
    'col.actor': 'Quién',
    system: 'Countersign',
    notFound: 'Este sobre no existe, o no puede verlo.',
    updated: 'Actualizado',
  },
);

type TimeKey = 'invitedAt' | 'viewedAt' | 'signedAt' | 'approvedAt' | 'supersededAt' | 'declinedAt';

export async function render(ctx: PageContext): Promise<() => void> {
  const id = ctx.params.id ?? '';
  const path = `/v1/envelopes/${encodeURIComponent(id)}`;
  const body = h('div', { class: 'envelope-detail' });
  const reasonInput = h('textarea', { id: 'void-reason', rows: 3, maxlength: 1000 });
  const voidError = h('div');
  const confirmVoid = h(
    'button',
    { type: 'submit', class: 'button danger', id: 'confirm-void' },
    t('confirmVoid'),
  );
  const cancelVoid = h('button', { type: 'button', class: 'button', value: 'cancel' }, t('cancel'));
  const dialogTitle = uid('void-title');
  const dialog = h(
    'dialog',
    { class: 'dialog', id: 'void-dialog', 'aria-labelledby': dialogTitle },
    h(
      'form',
      { method: 'dialog', novalidate: true },
      h('h2', { id: dialogTitle }, t('voidTitle')),
      h('p', {}, t('voidBody')),
      field(t('reason'), reasonInput, { required: true }),
      voidError,
      h('div', { class: 'actions' }, confirmVoid, cancelVoid),
    ),
  );
  on(cancelVoid, 'click', () => dialog.close());
  on(reasonInput, 'input', () => fieldError(reasonInput));
  ctx.root.append(h('p', { class: 'back' }, h('a', { href: '#/envelopes' }, `← ${t('back')}`)), body, dialog);

  let envelope: Envelope;
  let audit: AuditTrail | undefined;
  try {
    envelope = await ctx.api.get<Envelope>(path, undefined, { signal: ctx.signal });
  } catch (err) {
    body.replaceChildren(pageHeader(t('notFound')), errorBox(err));
    return () => undefined;
  }
  audit = await readAudit();
  draw();

  on(dialog.querySelector('form')!, 'submit', (event) => {
    event.preventDefault();
    const reason = reasonInput.value.trim();
    fieldError(reasonInput, reason ? undefined : t('reasonRequired'));
    if (!reason) return reasonInput.focus();
    voidError.replaceChildren();
    void busy(
      confirmVoid,
      async () => {
        envelope = await ctx.api.post<Envelope>(`${path}/void`, { reason }, { signal: ctx.signal });
        audit = await readAudit();
        dialog.close();
        toast(t('voided'), 'success');
        draw();
        document.getElementById('page-title')?.focus();
      },
      (err) => voidError.replaceChildren(errorBox(err)),
    );
  });

  async function readAudit(): Promise<AuditTrail | undefined> {
    try {
      return await ctx.api.get<AuditTrail>(`${path}/audit`, undefined, { signal: ctx.signal });
    } catch {
      return undefined;
    }
  }

  // While in progress: read again, draw again when something changed.
  let timer: number | undefined;
  const poll = async () => {
    if (ctx.signal.aborted) return;
    if (['draft', 'sent'].includes(envelope.status) && document.visibilityState !== 'hidden') {
      try {
        const fresh = await ctx.api.get<Envelope>(path, undefined, { signal: ctx.signal, retries: 0 });
        if (fresh.version !== envelope.version || fresh.status !== envelope.status) {
          envelope = fresh;
          audit = await readAudit();
          if (!ctx.signal.aborted) draw();
        }
      } catch {
        // The next round tries again.
      }
    }
    if (!ctx.signal.aborted) timer = window.setTimeout(() => void poll(), POLL_MS);
  };
  timer = window.setTimeout(() => void poll(), POLL_MS);

  function draw(): void {
    // Focus stays on the control it was on (the page is drawn again as the envelope changes).
    const focused =
      document.activeElement instanceof HTMLElement && body.contains(document.activeElement)
        ? document.activeElement.id
        : '';
    const e = envelope;
    const actions: HTMLElement[] = [];
    if (e.status === 'draft') {
      const send = button(
        t('send'),
        () =>
          void busy(send, async () => {
            envelope = await ctx.api.post<Envelope>(`${path}/send`, undefined, { signal: ctx.signal });
            toast(t('sent'), 'success');
            draw();
          }),
        { class: 'button primary', id: 'send-draft' },
      );
      actions.push(send);
    }
    if (e.status === 'draft' || e.status === 'sent') {
      actions.push(
        button(
          t('void'),
          () => {
            reasonInput.value = '';
            fieldError(reasonInput);
            voidError.replaceChildren();
            dialog.showModal();
            reasonInput.focus();
          },
          { class: 'button danger-outline', id: 'void-envelope' },
        ),
      );
    }

    const r = e.settings.reminders;
    const summary = facts([
      [t('created'), formatDateTime(e.createdAt)],
      [t('sentAt'), formatDateTime(e.sentAt)],
      [t('expires'), e.status === 'sent' || e.status === 'draft' ? formatDateTime(e.expiresAt) : ''],
      [t('expiredAt'), formatDateTime(e.expiredAt)],
      [t('completed'), formatDateTime(e.completedAt)],
      [t('voidReason'), e.voidedReason ?? ''],
      [
        t('declinedBy'),
        e.declinedBy ? (e.recipients.find((x) => x.id === e.declinedBy)?.name ?? e.declinedBy) : '',
      ],
      [t('owner'), e.owner.email ?? e.owner.sub],
      [
        t('template'),
        e.template ? t('templateVersion', { name: e.template.name, version: e.template.version }) : '',
      ],
      [t('reminders'), t('reminderRule', { first: r.firstAfterHours, every: r.everyHours, max: r.max })],
    ]);

    const heading = uid('h');
    body.replaceChildren(
      pageHeader(e.title, badge(e.status, statusText(e.status)), ...actions),
      h(
        'section',
        { class: 'card', 'aria-labelledby': `${heading}-facts` },
        h('h2', { id: `${heading}-facts` }, t('facts')),
        summary,
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': `${heading}-route` },
        h('h2', { id: `${heading}-route` }, t('route')),
        timeline(e),
      ),
      documentsCard(e, `${heading}-docs`),
      auditCard(`${heading}-audit`),
    );
    body.dataset.status = e.status;
    body.dataset.version = String(e.version);
    if (focused) document.getElementById(focused)?.focus();
  }

  function timeline(e: Envelope): HTMLElement {
    const steps = [...e.steps].sort((a, b) => a.step - b.step);
    return h(
      'ol',
      { class: 'timeline', id: 'timeline' },
      ...steps.map((s) =>
        h(
          'li',
          { class: `timeline-step step-${s.status}`, 'data-step': s.step, 'data-step-status': s.status },
          h(
            'div',
            { class: 'step-head' },
            h('h3', {}, t('step', { n: s.step })),
            badge(s.status === 'active' ? 'sent' : s.status, t(`step.${s.status}`)),
            s.invitedAt
              ? h('span', { class: 'muted small' }, t('invitedAt', { at: formatDateTime(s.invitedAt) }))
              : null,
          ),
          h(
            'ul',
            { class: 'step-people' },
            ...e.recipients.filter((x) => x.step === s.step).map((x) => person(e, x)),
          ),
        ),
      ),
    );
  }

  function person(e: Envelope, x: Recipient): HTMLElement {
    const when: [TimeKey, string | undefined][] = [
      ['invitedAt', x.invitedAt],
      ['viewedAt', x.viewedAt],
      ['signedAt', x.signedAt],
      ['approvedAt', x.approvedAt],
      ['supersededAt', x.supersededAt],
      ['declinedAt', x.declinedAt],
    ];
    const acted = ['signed', 'approved', 'superseded', 'declined'].includes(x.status);
    const active = e.steps.find((s) => s.step === x.step)?.status === 'active';
    const waiting = e.status === 'sent' && active && !acted && x.role !== 'carbon_copy';
    const next = nextReminder(e, x);
    const canResend =
      e.status === 'sent' && active && ['sent', 'viewed'].includes(x.status) && x.role !== 'carbon_copy';
    const changeable = canChange(e, x) && !x.group;
    let resend: HTMLButtonElement | null = null;
    if (canResend) {
      resend = button(
        t('resend'),
        () =>
          void busy(resend!, async () => {
            envelope = await ctx.api.post<Envelope>(
              `${path}/recipients/${encodeURIComponent(x.id)}/resend`,
              undefined,
              {
                signal: ctx.signal,
              },
            );
            toast(t('resent', { email: x.email }), 'success');
            audit = await readAudit();
            draw();
          }),
        { class: 'button small', id: `resend-${x.id}`, 'aria-label': t('resendTo', { name: x.name }) },
      );
    }
    return h(
      'li',
      { class: `person${waiting ? ' waiting' : ''}`, 'data-recipient': x.id, 'data-status': x.status },
      h(
        'div',
        { class: 'person-head' },
        h('strong', {}, x.group ? `${x.group.name}: ${x.name}` : x.name),
        h('span', { class: 'muted' }, ` <${x.email}> · ${t(`role.${x.role}`)}`),
        badge(x.status, t(`rstatus.${x.status}`)),
        waiting ? h('span', { class: 'badge status-waiting' }, t('waiting')) : null,
      ),
      h(
        'ul',
        { class: 'person-times' },
        ...when.filter(([, at]) => at).map(([key, at]) => h('li', {}, t(key, { at: formatDateTime(at) }))),
        x.declineReason ? h('li', {}, t('declineReason', { reason: x.declineReason })) : null,
        x.reminders ? h('li', {}, t('remindersSent', { n: x.reminders })) : null,
        next ? h('li', { class: 'next-reminder' }, t('nextReminder', { at: formatDateTime(next) })) : null,
        next === null ? h('li', {}, t('noMoreReminders')) : null,
        x.auth.locked ? h('li', { class: 'warn-text' }, t('locked')) : null,
      ),
      resend || changeable
        ? h(
            'div',
            { class: 'person-actions' },
            resend,
            changeable
              ? changeButton(ctx, path, x, async (next) => {
                  envelope = next;
                  audit = await readAudit();
                  draw();
                })
              : null,
          )
        : null,
    );
  }

  function documentsCard(e: Envelope, headingId: string): HTMLElement {
    const sealed = e.status === 'completed' && e.sealedDocuments?.length ? e.sealedDocuments : undefined;
    const docs = sealed ?? e.documents;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h('h2', { id: headingId }, t('documents')),
      sealed ? h('p', { class: 'notice success' }, t('sealedNote')) : null,
      h(
        'div',
        { class: 'actions' },
        ...docs.map((d) => {
          const download: HTMLButtonElement = button(
            t('download', { name: d.name }),
            () =>
              void busy(download, async () => {
                const link = await ctx.api.get<DocumentLink>(
                  `${path}/documents/${encodeURIComponent(d.id)}`,
                  undefined,
                  {
                    signal: ctx.signal,
                  },
                );
                const res = await fetch(link.url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
                if (!res.ok) throw new Error(`HTTP ${res.status}`);
                saveFile(await res.arrayBuffer(), link.document.name || d.name, 'application/pdf');
                toast(t('downloaded', { name: d.name }), 'success');
              }),
            { class: sealed ? 'button primary' : 'button', 'data-document': d.id, id: `download-${d.id}` },
          );
          return download;
        }),
        (() => {
          const exportButton: HTMLButtonElement = button(
            t('exportAudit'),
            () =>
              void busy(exportButton, async () => {
                const exported = await ctx.api.get<unknown>(
                  `${path}/audit`,
                  { format: 'json' },
                  { signal: ctx.signal },
                );
                saveFile(JSON.stringify(exported, null, 2), `audit-${e.id}.json`, 'application/json');
              }),
            { id: 'export-audit' },
          );
          return exportButton;
        })(),
      ),
    );
  }

  function auditCard(headingId: string): HTMLElement {
    if (!audit) {
      return h(
        'section',
        { class: 'card', 'aria-labelledby': headingId },
        h('h2', { id: headingId }, t('audit')),
      );
    }
    const verified = audit.verified;
    return h(
      'section',
      { class: 'card', 'aria-labelledby': headingId },
      h(
        'div',
        { class: 'step-head' },
        h('h2', { id: headingId }, t('audit')),
        h(
          'span',
          {
            class: `badge ${verified ? 'status-valid' : 'status-tampered'}`,
            id: 'audit-verified',
            'data-verified': String(verified),
          },
          verified ? t('auditVerified') : t('auditBroken', { seq: audit.brokenAt ?? '?' }),
        ),
      ),
      !verified && audit.reason ? h('p', { class: 'notice error' }, audit.reason) : null,
      scrollRegion(
        t('audit'),
        h(
          'table',
          { class: 'compact-table', id: 'audit-events' },
          h('caption', { class: 'sr-only' }, t('audit')),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...(['col.seq', 'col.at', 'col.event', 'col.actor'] as const).map((k) =>
                h('th', { scope: 'col' }, t(k)),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...audit.events.map((ev) =>
              h(
                'tr',
                { 'data-event': ev.type },
                h('td', { class: 'num' }, String(ev.seq)),
                h('td', {}, formatDateTime(ev.at)),
                h('td', {}, h('code', {}, ev.type)),
                h('td', {}, ev.actor.kind === 'system' ? t('system') : (ev.actor.email ?? ev.actor.id)),
              ),
            ),
          ),
        ),
        'table-wrap audit-wrap',
      ),
    );
  }

  return () => {
    window.clearTimeout(timer);
    if (dialog.open) dialog.close();
  };
}
