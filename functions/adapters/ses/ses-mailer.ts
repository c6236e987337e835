import { randomBytes } from 'node:crypto';
import { SendEmailCommand, SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { MailAttachment, MailMessage, Mailer } from '../../core/ports';

/** SES v1 refuses messages over 10 MB, counted after MIME encoding (attachments grow by a third). */
export const SES_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

const CRLF = '\r\n';

/**
 * Mail through SES (v1 API, which the local emulator also speaks). Messages without
 * attachments go through SendEmail; with attachments we build the MIME message ourselves and
 * use SendRawEmail.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly from: string,
  ) {
    assertHeaderSafe('from address', from);
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    if (message.to.length === 0) throw new Error('a mail needs at least one recipient');
    for (const to of message.to) assertHeaderSafe('recipient', to);
    assertHeaderSafe('subject', message.subject);

    let messageId: string | undefined;
    if (!message.attachments?.length) {
      const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
      const res = await this.client.send(
        new SendEmailCommand({
          Source: this.from,
          Destination: { ToAddresses: message.to },
          Message: {
            Subject: utf8(message.subject),
            Body: {
              Text: utf8(message.text),
              ...(message.html !== undefined ? { Html: utf8(message.html) } : {}),
            },
          },
        }),
      );
      messageId = res.MessageId;
    } else {
      const raw = buildMimeMessage(this.from, message);
      if (raw.length > SES_MAX_MESSAGE_BYTES) {
        throw new Error(
          `mail is ${raw.length} bytes after MIME encoding, over the SES limit of 10 MB (${SES_MAX_MESSAGE_BYTES} bytes): send a link instead of attaching`,
        );
      }
      const res = await this.client.send(
        new SendRawEmailCommand({ Source: this.from, Destinations: message.to, RawMessage: { Data: raw } }),
      );
      messageId = res.MessageId;
    }
    if (!messageId) throw new Error('SES accepted the mail but returned no message id');
    return { messageId };
  }
}

/**
 * An RFC 5322 / MIME message: multipart/mixed holding the body (multipart/alternative when
 * there is HTML, inside multipart/related with the images the HTML shows by `cid:`) and base64
 * attachments. CRLF line endings throughout.
 */
export function buildMimeMessage(from: string, message: MailMessage): Uint8Array {
  const mixed = boundary('mixed');
  const lines: string[] = [
    `From: ${from}`,
    `To: ${message.to.join(`,${CRLF} `)}`,
    `Subject: ${encodeHeaderText(message.subject)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    ...bodyPart(message),
  ];
  for (const attachment of (message.attachments ?? []).filter((a) => !isInline(a, message))) {
    lines.push(`--${mixed}`, ...attachmentPart(attachment));
  }
  lines.push(`--${mixed}--`, '');
  return Buffer.from(lines.join(CRLF), 'utf8');
}

/** An image the HTML shows (by Content-ID); without HTML it is an ordinary attachment. */
const isInline = (a: MailAttachment, message: MailMessage) =>
  a.contentId !== undefined && message.html !== undefined;

function bodyPart(message: MailMessage): string[] {
  const text = textPart('text/plain', message.text);
  if (message.html === undefined) return text;
  const alternative = boundary('alt');
  const both = [
    `Content-Type: multipart/alternative; boundary="${alternative}"`,
    '',
    `--${alternative}`,
    ...text,
    `--${alternative}`,
    ...textPart('text/html', message.html),
    `--${alternative}--`,
  ];
  const inline = (message.attachments ?? []).filter((a) => isInline(a, message));
  if (!inline.length) return both;
  // Web mail clients (Gmail among them) drop data: images but show related parts.
  const related = boundary('rel');
  return [
    `Content-Type: multipart/related; boundary="${related}"`,
    '',
    `--${related}`,
    ...both,
    ...inline.flatMap((a) => [`--${related}`, ...inlinePart(a)]),
    `--${related}--`,
  ];
}

function inlinePart(image: MailAttachment): string[] {
  if (!/^image\/[\w.+-]+$/.test(image.contentType)) {
    throw new Error(`an inline part must be an image, not "${image.contentType}"`);
  }
  if (!/^[\w.-]+@[\w.-]+$/.test(image.contentId!)) throw new Error(`invalid Content-ID "${image.contentId}"`);
  assertHeaderSafe('inline filename', image.filename);
  return [
    `Content-Type: ${image.contentType}`,
    'Content-Transfer-Encoding: base64',
    `Content-ID: <${image.contentId}>`,
    `Content-Disposition: inline; filename="${image.filename.replace(/["\\]/g, '_')}"`,
    '',
    base64Lines(Buffer.from(image.content)),
  ];
}

function textPart(type: string, content: string): string[] {
  // Text travels in canonical form (CRLF line breaks); base64 keeps any charset and long lines safe.
  const canonical = content.replace(/\r?\n/g, CRLF);
  return [
    `Content-Type: ${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(canonical, 'utf8')),
  ];
}

function attachmentPart(attachment: MailAttachment): string[] {
  if (!/^[\w.+-]+\/[\w.+-]+$/.test(attachment.contentType)) {
    throw new Error(`invalid attachment content type "${attachment.contentType}"`);
  }
  assertHeaderSafe('attachment filename', attachment.filename);
  const plain = /^[\x20-\x7e]*$/.test(attachment.filename) && !/["\\]/.test(attachment.filename);
  // Non-ASCII names: RFC 2231 for the disposition, an RFC 2047 word in `name` for older readers.
  const nameParam = plain
    ? `name="${attachment.filename}"`
    : `name="${encodeHeaderText(attachment.filename)}"`;
  const filenameParam = plain
    ? `filename="${attachment.filename}"`
    : `filename*=UTF-8''${encodeURIComponent(attachment.filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
  return [
    `Content-Type: ${attachment.contentType};${CRLF} ${nameParam}`,
    `Content-Disposition: attachment;${CRLF} ${filenameParam}`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(attachment.content),
  ];
}

/**
 * Base64 in lines of 76 characters, joined by CRLF into one string: one array item per line
 * would overflow the stack when spread, for attachments of a few MB.
 */
function base64Lines(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join(CRLF);
}

/**
 * Header text as is when it is short printable ASCII; otherwise RFC 2047 base64 encoded words
 * of at most 75 characters, split on character boundaries and folded onto continuation lines.
 */
export function encodeHeaderText(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text) && text.length <= 900 && !text.includes('=?')) return text;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    // 45 bytes encode to 60 base64 characters; with `=?UTF-8?B?` and `?=` a word is 72 long.
    if (Buffer.byteLength(chunk + char, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk !== '' || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

function boundary(kind: string): string {
  return `=_${kind}_${randomBytes(12).toString('hex')}`;
}

function assertHeaderSafe(what: string, value: string): void {
  // A line break in a header value would let the caller add headers of their own.
  if (/[\r\n\0]/.test(value)) throw new Error(`${what} must not contain line breaks`);
}
