import type { EnvelopeState, PersonRef, RecipientLanguage, RecipientState } from '../envelope';
import type { MailAttachment, MailMessage } from '../ports';

/** The e-mails of the signing route, as plain text: short, and saying what to do next. */

const senderName = (s: EnvelopeState) => s.owner.email ?? 'The sender';

export function signingLink(publicUrl: string, token: string): string {
  // The token travels in the fragment, which browsers never send to a server.
  return `${publicUrl.replace(/\/$/, '')}/sign#t=${token}`;
}

/**
 * The mails a recipient receives alone (invitation, reminder, expiry warning) are written in the
 * language the sender chose for them; mails to several parties at once stay in English.
 */
const WORDS = {
  en: {
    hello: (name: string) => `Hello ${name},`,
    ask: (sender: string, title: string, r: RecipientState) =>
      r.role === 'approver'
        ? `${sender} asks you to approve "${title}".`
        : r.group
          ? `${sender} asks you, as a member of "${r.group.name}", to sign "${title}". One member signs for the group: the first to sign.`
          : `${sender} asks you to sign "${title}".`,
    verb: (r: RecipientState) => (r.role === 'approver' ? 'approve' : 'sign'),
    inviteSubject: (r: RecipientState, title: string) => `Please ${WORDS.en.verb(r)}: ${title}`,
    open: (r: RecipientState, link: string) => `Open the documents and ${WORDS.en.verb(r)}: ${link}`,
    personal: 'This link is personal: do not forward it. It stops working when the envelope ends.',
    remindSubject: (r: RecipientState, title: string) => `Reminder: please ${WORDS.en.verb(r)} ${title}`,
    stillWaiting: (sender: string, title: string, r: RecipientState) =>
      `${sender} asked you to ${WORDS.en.verb(r)} "${title}", and it is still waiting for your ${r.role === 'approver' ? 'approval' : 'signature'}.`,
    expiresOn: (when: string) => `It expires on ${when}.`,
    earlierLinks:
      'This link is personal: do not forward it. The links you received earlier keep working too.',
    soonSubject: (title: string) => `Expires soon: ${title}`,
    soon: (title: string, when: string) => `"${title}" expires on ${when} and is still waiting for you.`,
    actBefore:
      'Open the link in your invitation or your latest reminder to act before then; after that it stops working.',
    reference: (id: string) => `Envelope reference: ${id}`,
    passedOn: (from: PersonRef, reason: string) =>
      `${from.name} <${from.email}> passed this request on to you: "${reason}".`,
    reassigned: (sender: string, from: PersonRef, reason: string) =>
      `${sender} reassigned this request to you from ${from.name}: "${reason}".`,
    button: 'Open the documents',
  },
  es: {
    hello: (name: string) => `Hola, ${name}:`,
    ask: (sender: string, title: string, r: RecipientState) =>
      r.role === 'approver'
        ? `${sender} le pide que apruebe «${title}».`
        : r.group
          ? `${sender} le pide, como miembro de «${r.group.name}», que firme «${title}». Un miembro firma por el grupo: el primero que firme.`
          : `${sender} le pide que firme «${title}».`,
    verb: (r: RecipientState) => (r.role === 'approver' ? 'apruebe' : 'firme'),
    inviteSubject: (r: RecipientState, title: string) =>
      `${r.role === 'approver' ? 'Apruebe' : 'Firme'}, por favor: ${title}`,
    open: (r: RecipientState, link: string) => `Abra los documentos y ${WORDS.es.verb(r)}: ${link}`,
    personal: 'Este enlace es personal: no lo reenvíe. Deja de funcionar cuando el sobre termina.',
    remindSubject: (r: RecipientState, title: string) => `Recordatorio: ${WORDS.es.verb(r)} ${title}`,
    stillWaiting: (sender: string, title: string, r: RecipientState) =>
      `${sender} le pidió que ${r.role === 'approver' ? 'aprobara' : 'firmara'} «${title}», y todavía espera su ${r.role === 'approver' ? 'aprobación' : 'firma'}.`,
    expiresOn: (when: string) => `Caduca el ${when}.`,
    earlierLinks:
      'Este enlace es personal: no lo reenvíe. Los enlaces que recibió antes también siguen funcionando.',
    soonSubject: (title: string) => `Caduca pronto: ${title}`,
    soon: (title: string, when: string) => `«${title}» caduca el ${when} y todavía le espera.`,
    actBefore:
      'Abra el enlace de su invitación o de su último recordatorio para actuar antes; después deja de funcionar.',
    reference: (id: string) => `Referencia del sobre: ${id}`,
    passedOn: (from: PersonRef, reason: string) =>
      `${from.name} <${from.email}> le pasó esta solicitud: «${reason}».`,
    reassigned: (sender: string, from: PersonRef, reason: string) =>
      `${sender} le reasignó esta solicitud, que era de ${from.name}: «${reason}».`,
    button: 'Abrir los documentos',
  },
};

const words = (r: Pick<RecipientState, 'language'>) => WORDS[r.language ?? 'en'];

export function invitation(s: EnvelopeState, r: RecipientState, link: string): MailMessage {
  const w = words(r);
  return {
    to: [r.email],
    subject: w.inviteSubject(r, s.title),
    text: [
      w.hello(r.name),
      '',
      w.ask(senderName(s), s.title, r),
      ...(s.message ? ['', s.message] : []),
      '',
      w.open(r, link),
      '',
      w.personal,
    ].join('\n'),
  };
}

/** A date and time for a mail: `2030-05-01 14:00 UTC`. */
export function mailTime(iso: string): string {
  return `${iso.slice(0, 16).replace('T', ' ')} UTC`;
}

export function reminder(s: EnvelopeState, r: RecipientState, link: string): MailMessage {
  const w = words(r);
  return {
    to: [r.email],
    subject: w.remindSubject(r, s.title),
    text: [
      w.hello(r.name),
      '',
      w.stillWaiting(senderName(s), s.title, r),
      ...(s.expiresAt ? ['', w.expiresOn(mailTime(s.expiresAt))] : []),
      '',
      w.open(r, link),
      '',
      w.earlierLinks,
    ].join('\n'),
  };
}

/** The warning before the expiry, to one recipient who has not acted. */
export function expiryWarning(s: EnvelopeState, r: RecipientState, expiresAt: string): MailMessage {
  const w = words(r);
  return {
    to: [r.email],
    subject: w.soonSubject(s.title),
    text: [
      w.hello(r.name),
      '',
      w.soon(s.title, mailTime(expiresAt)),
      w.actBefore,
      '',
      w.reference(s.id),
    ].join('\n'),
  };
}

/** The warning before the expiry, to the sender: who has not acted yet. */
export function expiryWarningToSender(
  s: EnvelopeState,
  to: string,
  waitingFor: RecipientState[],
  expiresAt: string,
): MailMessage {
  return {
    to: [to],
    subject: `Expires soon: ${s.title}`,
    text: [
      `"${s.title}" expires on ${mailTime(expiresAt)} unless every party signs before then.`,
      '',
      'Still waiting for:',
      ...waitingFor.map((r) => `  ${r.name} <${r.email}>`),
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

export function completion(
  s: EnvelopeState,
  to: string[],
  delivery: { attached: true } | { attached: false; links: { name: string; url: string }[] },
): Omit<MailMessage, 'attachments'> {
  return {
    to,
    subject: `Completed: ${s.title}`,
    text: [
      `"${s.title}" has been signed by every party and sealed.`,
      '',
      delivery.attached
        ? 'The sealed document is attached. Its electronic seal can be checked in any PDF reader.'
        : [
            'The sealed documents are too large to attach; download them here (links valid for 7 days):',
            ...delivery.links.map((l) => `  ${l.name}: ${l.url}`),
          ].join('\n'),
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

export function ended(
  s: EnvelopeState,
  to: string[],
  reason: 'declined' | 'voided' | 'expired',
): MailMessage {
  const decliner = s.recipients.find((r) => r.id === s.declinedBy);
  const why =
    reason === 'declined'
      ? `${decliner?.name ?? 'A signer'} declined to sign${decliner?.declineReason ? `: "${decliner.declineReason}"` : '.'}`
      : reason === 'voided'
        ? `${senderName(s)} voided it${s.voidedReason ? `: "${s.voidedReason}"` : '.'}`
        : 'It expired before every party had signed.';
  return {
    to,
    subject: `${reason === 'declined' ? 'Declined' : reason === 'voided' ? 'Voided' : 'Expired'}: ${s.title}`,
    text: [
      `"${s.title}" will not be completed. ${why}`,
      '',
      'Links to it no longer work.',
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

/** To the other members of a signing group once one of them signed for it: their links stop working. */
export function groupSigned(s: EnvelopeState, member: RecipientState, signer: RecipientState): MailMessage {
  return {
    to: [member.email],
    subject: `Signed by another member: ${s.title}`,
    text: [
      `Hello ${member.name},`,
      '',
      `${signer.name} signed "${s.title}" for the group "${member.group?.name ?? ''}". Nothing more is needed from you.`,
      '',
      'Your signing link no longer works.',
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

export function consentWithdrawn(s: EnvelopeState, r: RecipientState): MailMessage | null {
  if (!s.owner.email) return null;
  return {
    to: [s.owner.email],
    subject: `Consent withdrawn: ${s.title}`,
    text: [
      `${r.name} <${r.email}> withdrew consent to sign "${s.title}" electronically.`,
      '',
      'They will not be asked to sign it electronically. You can void the envelope and arrange a paper signature.',
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

/** A one-time code by e-mail: the code alone, no link (the link came in the invitation). */
export function verificationCodeMail(
  s: EnvelopeState,
  r: RecipientState,
  code: string,
  minutes: number,
): MailMessage {
  return {
    to: [r.email],
    subject: `Your verification code: ${s.title}`,
    text: [
      `Hello ${r.name},`,
      '',
      `Your code to open "${s.title}" is ${code}.`,
      `It is valid for ${minutes} minutes. Do not share it: nobody from ${senderName(s)} or Countersign will ask for it.`,
      '',
      'If you did not ask for a code, you can ignore this message.',
    ].join('\n'),
  };
}

/** A one-time code by SMS: short, and saying what it is for. */
export function verificationCodeSms(code: string, minutes: number): string {
  return `Countersign: your signing code is ${code}. Valid ${minutes} minutes. Do not share it.`;
}

export function actNotice(
  s: EnvelopeState,
  r: RecipientState,
  act: 'signed' | 'approved',
  to: string,
): MailMessage {
  const acting = s.recipients.filter((x) => x.role !== 'carbon_copy' && !x.group);
  const groups = new Set(s.recipients.filter((x) => x.group).map((x) => x.group!.id));
  const done = s.steps.filter((st) => st.status === 'completed').length;
  return {
    to: [to],
    subject: `${act === 'signed' ? 'Signed' : 'Approved'} by ${r.name}: ${s.title}`,
    text: [
      `${r.name} <${r.email}> ${act} "${s.title}" at ${r.signedAt ?? s.updatedAt}.`,
      '',
      `${done} of ${s.steps.length} routing step(s) complete; ${acting.length + groups.size} party(ies) sign or approve in all.`,
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

/** The invitation of the person a part was reassigned or delegated to: who passed it on, and why. */
export function reassignedInvitation(
  s: EnvelopeState,
  r: RecipientState,
  link: string,
  change: { from: PersonRef; by: 'sender' | 'recipient'; reason: string },
): MailMessage {
  const base = invitation(s, r, link);
  const w = words(r);
  const note =
    change.by === 'recipient'
      ? w.passedOn(change.from, change.reason)
      : w.reassigned(senderName(s), change.from, change.reason);
  const [hello, blank, ...rest] = base.text.split('\n');
  return { ...base, text: [hello, blank, note, '', ...rest].join('\n') };
}

/** To the person whose part was reassigned or delegated: nothing more is needed from them. */
export function partReassigned(
  s: EnvelopeState,
  previous: PersonRef,
  to: PersonRef,
  by: 'sender' | 'recipient',
): MailMessage {
  return {
    to: [previous.email],
    subject: `${by === 'recipient' ? 'Passed on' : 'Reassigned'}: ${s.title}`,
    text: [
      `Hello ${previous.name},`,
      '',
      by === 'recipient'
        ? `You passed your part in "${s.title}" on to ${to.name} <${to.email}>.`
        : `${senderName(s)} reassigned your part in "${s.title}" to ${to.name} <${to.email}>.`,
      'Nothing more is needed from you, and your signing link no longer works.',
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

/** To the sender, when a recipient delegated their part from their link. */
export function delegatedNotice(
  s: EnvelopeState,
  from: PersonRef,
  to: PersonRef,
  reason: string,
  sender: string,
): MailMessage {
  return {
    to: [sender],
    subject: `Delegated by ${from.name}: ${s.title}`,
    text: [
      `${from.name} <${from.email}> passed their part in "${s.title}" on to ${to.name} <${to.email}>.`,
      `Their reason: "${reason}"`,
      '',
      `${to.name} has been sent the invitation. You can still void the envelope or reassign the part.`,
      '',
      `Envelope reference: ${s.id}`,
    ].join('\n'),
  };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function textColorOn(hex: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast against black (L + 0.05) / 0.05 and against white 1.05 / (L + 0.05).
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? '#000000' : '#ffffff';
}

const SIGNING_LINK = /\/sign#t=/;

/** The Content-ID of the tenant's logo inside a branded mail. */
export const LOGO_CONTENT_ID = 'logo@countersign';

/** A mail in the tenant's branding: its HTML alternative, with the logo as an image part of it. */
export function brandedMessage(
  message: MailMessage,
  branding: { logoPngBase64?: string; primaryColor?: string; accentColor?: string },
  language?: RecipientLanguage,
): MailMessage {
  const logo: MailAttachment[] = branding.logoPngBase64
    ? [
        {
          filename: 'logo.png',
          contentType: 'image/png',
          content: Buffer.from(branding.logoPngBase64, 'base64'),
          contentId: LOGO_CONTENT_ID,
        },
      ]
    : [];
  return {
    ...message,
    html: brandedHtml(message, branding, language),
    ...(logo.length ? { attachments: [...(message.attachments ?? []), ...logo] } : {}),
  };
}

/**
 * The HTML alternative of a mail in the tenant's colours and with its logo: the same words as the
 * text, paragraph by paragraph, links clickable and the signing link as a button. Styles are
 * inline (mail clients drop style sheets); the logo is the message's image part (`cid:`), which
 * web mail clients show where they drop data: images (see brandedMessage).
 */
export function brandedHtml(
  message: MailMessage,
  branding: { logoPngBase64?: string; primaryColor?: string; accentColor?: string },
  language?: RecipientLanguage,
): string {
  const primary = branding.primaryColor ?? '#1f3a5f';
  const accent = branding.accentColor ?? primary;
  const link = (url: string) =>
    SIGNING_LINK.test(url)
      ? `<a href="${escapeHtml(url)}" style="display:inline-block;padding:10px 18px;border-radius:4px;background:${primary};color:${textColorOn(primary)};text-decoration:none;font-weight:bold">${WORDS[language ?? 'en'].button}</a>`
      : `<a href="${escapeHtml(url)}" style="color:${accent}">${escapeHtml(url)}</a>`;
  const paragraphs = message.text
    .split(/\n{2,}/)
    .map((block) =>
      block
        .split('\n')
        .map((line) =>
          line
            .split(/(https?:\/\/\S+)/)
            .map((part, i) => (i % 2 === 1 ? link(part) : escapeHtml(part)))
            .join(''),
        )
        .join('<br>'),
    )
    .map((html) => `<p style="margin:0 0 14px">${html}</p>`)
    .join('\n');
  const logo = branding.logoPngBase64
    ? `<img src="cid:${LOGO_CONTENT_ID}" alt="" height="40" style="display:block;height:40px;width:auto;border:0">`
    : '&nbsp;';
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head>`,
    '<body style="margin:0;padding:0;background:#f4f5f7">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:640px;margin:0 auto;font-family:Arial,Helvetica,sans-serif">',
    `<tr><td style="background:${primary};padding:14px 24px">${logo}</td></tr>`,
    `<tr><td style="background:#ffffff;padding:24px;color:#1f2328;font-size:15px;line-height:1.5">\n${paragraphs}\n</td></tr>`,
    `<tr><td style="height:6px;background:${accent}"></td></tr>`,
    '</table></body></html>',
  ].join('\n');
}
