import type { Server } from 'node:http';
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import sesModule from 'aws-ses-v2-local';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SES_MAX_MESSAGE_BYTES,
  SesMailer,
  buildMimeMessage,
  encodeHeaderText,
} from '../../../functions/adapters/ses/ses-mailer';
import { freePort } from '../../../functions/local/emulators';

interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  at: number;
}

// The package is CommonJS with `exports.default`; depending on interop the server is one level down.
const startSes = ((sesModule as unknown as { default?: unknown }).default ??
  sesModule) as unknown as (config: { host: string; port: number }) => Promise<Server>;

let server: Server;
let baseUrl: string;
let mailer: SesMailer;

beforeAll(async () => {
  const port = await freePort();
  server = await startSes({ host: '127.0.0.1', port });
  baseUrl = `http://127.0.0.1:${port}`;
  const client = new SESClient({
    endpoint: baseUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The emulator never answers calls it does not know: give up instead of hanging.
    requestHandler: { requestTimeout: 5000 },
  });
  mailer = new SesMailer(client, 'Countersign <no-reply@countersign.test>');
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(async () => {
  await fetch(`${baseUrl}/clear-store`, { method: 'POST' });
});

async function stored(): Promise<StoredEmail[]> {
  const res = await fetch(`${baseUrl}/store`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}

describe('SesMailer against aws-ses-v2-local', () => {
  it('sends a plain mail with SendEmail', async () => {
    const { messageId } = await mailer.send({
      to: ['ada@example.com', 'grace@example.com'],
      subject: 'Please sign: maintenance agreement',
      text: 'Open the link to sign.',
      html: '<p>Open the link to sign.</p>',
    });
    expect(messageId).toBeTruthy();
    const [mail, ...rest] = await stored();
    expect(rest).toHaveLength(0);
    // The emulator keeps only the first address of a v1 SendEmail (its schema drops member.2 and
    // on); the command input is checked with a fake client below.
    expect(mail!.destination.to).toContain('ada@example.com');
    expect(mail).toMatchObject({
      messageId,
      from: 'Countersign <no-reply@countersign.test>',
      subject: 'Please sign: maintenance agreement',
      body: { text: 'Open the link to sign.', html: '<p>Open the link to sign.</p>' },
      attachments: [],
    });
  });

  it('sends a mail with attachments as raw MIME', async () => {
    const pdf = new Uint8Array(200_000).map((_, i) => (i * 7) % 256);
    const terms = Buffer.from('{"responseHours":4}\n');
    const { messageId } = await mailer.send({
      to: ['ada@example.com', 'grace@example.com'],
      subject:
        'Unterschrieben: Wartungsvertrag für Müller & Söhne — ✓ fertig, with a subject long enough to fold',
      text: 'Der Vertrag ist unterschrieben.\nSiehe Anhang.',
      html: '<p>Der Vertrag ist <b>unterschrieben</b>.</p>',
      attachments: [
        { filename: 'contract.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'Vertragsbedingungen-Müller.json', contentType: 'application/json', content: terms },
      ],
    });
    const [mail] = await stored();
    expect(mail!.messageId).toBe(messageId);
    expect(mail!.subject).toBe(
      'Unterschrieben: Wartungsvertrag für Müller & Söhne — ✓ fertig, with a subject long enough to fold',
    );
    // Parsed from the From header, which the emulator quotes: "Countersign" <...>.
    expect(mail!.from).toMatch(/^"?Countersign"? <no-reply@countersign\.test>$/);
    // The emulator reports the parsed To header as one text; both recipients are in it.
    expect(mail!.destination.to.join(', ')).toBe('ada@example.com, grace@example.com');
    expect(mail!.body.text?.trim()).toBe('Der Vertrag ist unterschrieben.\nSiehe Anhang.');
    expect(mail!.body.html).toContain('<b>unterschrieben</b>');
    expect(mail!.attachments).toHaveLength(2);
    const [first, second] = mail!.attachments;
    expect(first).toMatchObject({
      filename: 'contract.pdf',
      contentType: 'application/pdf',
      size: pdf.length,
    });
    expect(Buffer.from(first!.content, 'base64').equals(Buffer.from(pdf))).toBe(true);
    expect(second).toMatchObject({
      filename: 'Vertragsbedingungen-Müller.json',
      contentType: 'application/json',
    });
    expect(Buffer.from(second!.content, 'base64').toString()).toBe('{"responseHours":4}\n');
  });

  it('puts an image the HTML shows (cid:) in a related part beside the HTML, not among the attachments', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pdf = new Uint8Array(1000).fill(7);
    const message = {
      to: ['ada@example.com'],
      subject: 'Please sign',
      text: 'Please sign.',
      html: '<p><img src="cid:logo@countersign" alt=""> Please sign.</p>',
      attachments: [
        { filename: 'contract.pdf', contentType: 'application/pdf', content: pdf },
        { filename: 'logo.png', contentType: 'image/png', content: png, contentId: 'logo@countersign' },
      ],
    };
    const raw = Buffer.from(buildMimeMessage('no-reply@countersign.test', message)).toString('utf8');
    // mixed [ related [ alternative [text, html], logo ], pdf ]
    const related = raw.indexOf('Content-Type: multipart/related');
    const alternative = raw.indexOf('Content-Type: multipart/alternative');
    const logo = raw.indexOf('Content-ID: <logo@countersign>');
    const pdfPart = raw.indexOf('Content-Type: application/pdf');
    expect(related).toBeGreaterThan(0);
    expect(related).toBeLessThan(alternative);
    expect(alternative).toBeLessThan(logo);
    expect(logo).toBeLessThan(pdfPart);
    expect(raw).toContain('Content-Disposition: inline; filename="logo.png"');
    expect(raw.match(/Content-Disposition: attachment/g)).toHaveLength(1);

    await mailer.send(message);
    const [mail] = await stored();
    expect(mail!.body.text?.trim()).toBe('Please sign.');
    // A mail parser shows the image where the HTML puts it.
    expect(mail!.body.html).toMatch(/<img src="(cid:logo@countersign|data:image\/png;base64,[^"]+)"/);
    expect(mail!.attachments.map((a) => a.filename)).toContain('contract.pdf');
  });

  it('refuses an inline part that is not an image, or a malformed Content-ID', () => {
    const base = { to: ['a@example.com'], subject: 's', text: 't', html: '<p>t</p>' };
    const part = { filename: 'x', content: new Uint8Array(1) };
    expect(() =>
      buildMimeMessage('f@example.com', {
        ...base,
        attachments: [{ ...part, contentType: 'text/html', contentId: 'a@b' }],
      }),
    ).toThrow(/must be an image/);
    expect(() =>
      buildMimeMessage('f@example.com', {
        ...base,
        attachments: [{ ...part, contentType: 'image/png', contentId: 'a>\r\nBcc: x@y' }],
      }),
    ).toThrow(/invalid Content-ID/);
  });

  it('sends an attachment mail without HTML', async () => {
    await mailer.send({
      to: ['ada@example.com'],
      subject: 'Report',
      text: 'Monthly SLA report attached.',
      attachments: [{ filename: 'report.csv', contentType: 'text/csv', content: Buffer.from('a,b\n1,2\n') }],
    });
    const [mail] = await stored();
    expect(mail!.body.text?.trim()).toBe('Monthly SLA report attached.');
    expect(mail!.attachments.map((a) => a.filename)).toEqual(['report.csv']);
  });

  it('refuses a message over the 10 MB SES limit before sending it', async () => {
    // 7.7 MB of attachment is about 10.4 MB once base64 encoded.
    const big = new Uint8Array(7_700_000);
    await expect(
      mailer.send({
        to: ['ada@example.com'],
        subject: 'Too big',
        text: 'x',
        attachments: [{ filename: 'big.pdf', contentType: 'application/pdf', content: big }],
      }),
    ).rejects.toThrow(/over the SES limit of 10 MB/);
    expect(await stored()).toHaveLength(0);
  });

  it('refuses header injection', async () => {
    await expect(
      mailer.send({ to: ['ada@example.com'], subject: 'Hi\r\nBcc: eve@example.com', text: 'x' }),
    ).rejects.toThrow(/line breaks/);
    await expect(
      mailer.send({ to: ['ada@example.com\nBcc: eve@example.com'], subject: 'Hi', text: 'x' }),
    ).rejects.toThrow(/line breaks/);
    await expect(mailer.send({ to: [], subject: 'Hi', text: 'x' })).rejects.toThrow(/at least one recipient/);
    expect(await stored()).toHaveLength(0);
  });
});

describe('SesMailer commands', () => {
  function fakeClient() {
    const commands: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        commands.push(command);
        return { MessageId: `m-${commands.length}` };
      },
    } as unknown as SESClient;
    return { client, commands };
  }

  it('sends plain mail as SendEmail with UTF-8 parts and every recipient', async () => {
    const { client, commands } = fakeClient();
    const result = await new SesMailer(client, 'no-reply@countersign.test').send({
      to: ['ada@example.com', 'grace@example.com'],
      subject: 'Bitte unterschreiben',
      text: 'Text',
    });
    expect(result).toEqual({ messageId: 'm-1' });
    expect(commands[0]).toBeInstanceOf(SendEmailCommand);
    expect((commands[0] as SendEmailCommand).input).toEqual({
      Source: 'no-reply@countersign.test',
      Destination: { ToAddresses: ['ada@example.com', 'grace@example.com'] },
      Message: {
        Subject: { Data: 'Bitte unterschreiben', Charset: 'UTF-8' },
        Body: { Text: { Data: 'Text', Charset: 'UTF-8' } },
      },
    });
  });

  it('sends attachments as SendRawEmail with explicit destinations', async () => {
    const { client, commands } = fakeClient();
    await new SesMailer(client, 'no-reply@countersign.test').send({
      to: ['ada@example.com', 'grace@example.com'],
      subject: 'Signed',
      text: 'Text',
      attachments: [
        { filename: 'a.pdf', contentType: 'application/pdf', content: new Uint8Array([1, 2, 3]) },
      ],
    });
    const input = (commands[0] as SendRawEmailCommand).input;
    expect(commands[0]).toBeInstanceOf(SendRawEmailCommand);
    expect(input.Source).toBe('no-reply@countersign.test');
    expect(input.Destinations).toEqual(['ada@example.com', 'grace@example.com']);
    expect(Buffer.from(input.RawMessage!.Data!).toString()).toContain('filename="a.pdf"');
  });

  it('fails when SES returns no message id', async () => {
    const client = { send: async () => ({}) } as unknown as SESClient;
    await expect(
      new SesMailer(client, 'no-reply@countersign.test').send({
        to: ['a@example.com'],
        subject: 's',
        text: 't',
      }),
    ).rejects.toThrow(/no message id/);
  });
});

describe('buildMimeMessage', () => {
  const raw = Buffer.from(
    buildMimeMessage('no-reply@countersign.test', {
      to: ['ada@example.com'],
      subject: 'Ünïcode',
      text: 'line one\nline two',
      html: '<p>hi</p>',
      attachments: [
        { filename: 'a.bin', contentType: 'application/octet-stream', content: new Uint8Array(1000) },
      ],
    }),
  ).toString('utf8');

  it('uses CRLF line endings only, with lines of at most 76 characters', () => {
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of raw.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    const body = raw.slice(raw.indexOf('Content-Type: application/octet-stream'));
    const base64 = body.split('\r\n').filter((l) => /^[A-Za-z0-9+/=]+$/.test(l));
    expect(base64.length).toBeGreaterThan(10);
    for (const line of base64) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('nests multipart/alternative inside multipart/mixed', () => {
    expect(raw).toMatch(/^Content-Type: multipart\/mixed; boundary="([^"]+)"/m);
    expect(raw).toMatch(/^Content-Type: multipart\/alternative; boundary="/m);
    expect(raw.indexOf('text/plain')).toBeLessThan(raw.indexOf('text/html'));
    expect(raw).toMatch(/^MIME-Version: 1\.0$/m);
    expect(raw).toContain('Subject: =?UTF-8?B?');
  });
});

describe('encodeHeaderText', () => {
  it('leaves short ASCII alone', () => {
    expect(encodeHeaderText('Please sign')).toBe('Please sign');
  });

  it('encodes non-ASCII as RFC 2047 words of at most 75 characters, split on characters', () => {
    const subject = 'Vertrag für Zoë — 署名してください '.repeat(4);
    const encoded = encodeHeaderText(subject);
    const words = encoded.split('\r\n ');
    expect(words.length).toBeGreaterThan(1);
    let decoded = '';
    for (const word of words) {
      expect(word.length).toBeLessThanOrEqual(75);
      const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/.exec(word);
      expect(m).not.toBeNull();
      const bytes = Buffer.from(m![1]!, 'base64');
      // Each word decodes on its own: no character is cut in two.
      expect(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)).toBe(true);
      decoded += bytes.toString('utf8');
    }
    expect(decoded).toBe(subject);
  });

  it('stays under the limit constant', () => {
    expect(SES_MAX_MESSAGE_BYTES).toBe(10 * 1024 * 1024);
  });
});
