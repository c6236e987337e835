import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { PNG } from 'pngjs';
import type { EnvelopeEvent, EnvelopeEventType } from '../../functions/core/envelope';
import type { ExecutionRecord } from '../../functions/local/workflow/local-workflow-runner';
import { dynamo, envelopeBody, TABLE, type BodyOptions } from '../api/helpers';
import type { ApiResult, TestService } from './service';

/**
 * Helpers for the signing suites: envelopes with signers in routing steps, the local outbox
 * read as a recipient reads their mail, the signer's API calls with the token in its header,
 * and waits on the asynchronous signing route.
 */

export interface SignerInput {
  name?: string;
  email?: string;
  step: number;
  fields?: Record<string, unknown>[];
  /** The recipient's authentication (`{ method: 'sms', phone }`...); the e-mail link alone without it. */
  auth?: Record<string, unknown>;
  /** The language the sender chooses for them (`en`, `es`). */
  language?: string;
}

export interface Party {
  id: string;
  name: string;
  email: string;
  step: number;
  /** The signature field, in PDF points from the top-left corner of page 1. */
  field?: { page: number; x: number; y: number; width: number; height: number };
}

export interface RoutedEnvelope {
  envelope: Record<string, any>;
  signers: Party[];
  tenant: string;
}

let sequence = 0;
/** A mailbox no other test uses, so that the shared outbox can be read by address. */
export const uniqueEmail = (label: string) =>
  `${label}.${process.pid}.${Date.now().toString(36)}${(sequence++).toString(36)}@customer.example`;

/** Field boxes on a US Letter page, one under the other, none overlapping. */
export const fieldBox = (index: number) => ({
  type: 'signature' as const,
  page: 1,
  x: 72,
  y: 120 + index * 110,
  width: 240,
  height: 90,
});

/**
 * Creates an envelope whose signers sit in the given steps: `[1, 1, 2]` is two signers in
 * parallel, then one. Each gets a unique address and one signature field of its own.
 */
export async function createRouted(
  service: TestService,
  token: string,
  tenant: string,
  signers: (number | SignerInput)[],
  options: BodyOptions & { message?: string; settings?: Record<string, unknown> } = {},
): Promise<RoutedEnvelope> {
  const specs = signers.map((s, i) => {
    const spec = typeof s === 'number' ? { step: s } : s;
    return {
      name: spec.name ?? `Signer ${i + 1}`,
      email: spec.email ?? uniqueEmail(`s${i + 1}`),
      step: spec.step,
      fields: spec.fields ?? [fieldBox(i)],
      ...(spec.auth ? { auth: spec.auth } : {}),
      ...(spec.language ? { language: spec.language } : {}),
    };
  });
  const body = await envelopeBody({ ...options, recipients: specs });
  if (options.message !== undefined) body.message = options.message;
  // Reminder and expiry settings: `reminders`, `expiresInDays`, `warnDaysBefore`.
  Object.assign(body, options.settings ?? {});
  const res = await service.api('POST', '/v1/envelopes', { token, body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.body)}`);
  const envelope = res.body as Record<string, any>;
  const parties = specs.map((spec, i) => {
    const recipient = envelope.recipients[i];
    const f = spec.fields[0] as Party['field'] | undefined;
    return {
      id: String(recipient.id),
      name: spec.name,
      email: spec.email,
      step: spec.step,
      ...(f ? { field: { page: f.page, x: f.x, y: f.y, width: f.width, height: f.height } } : {}),
    };
  });
  return { envelope, signers: parties, tenant };
}

/** POST /v1/envelopes/{id}/send; fails loudly unless it answers 200. */
export async function sendEnvelope(
  service: TestService,
  token: string,
  envelopeId: string,
  headers: Record<string, string> = {},
): Promise<Record<string, any>> {
  const res = await service.api('POST', `/v1/envelopes/${envelopeId}/send`, { token, headers });
  if (res.status !== 200) throw new Error(`send answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface Mail {
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments?: { filename: string; content: string; contentType?: string; size?: number }[];
  at: number;
}

/** Everything the local SES has "delivered", oldest first. */
export async function outbox(service: TestService): Promise<Mail[]> {
  const res = await fetch(`${service.url}/local/mail`);
  if (!res.ok) throw new Error(`GET /local/mail answered ${res.status}`);
  return ((await res.json()) as { emails: Mail[] }).emails;
}

/**
 * The addresses a stored mail went to. The emulator keeps SendEmail's `To` as a list, and a raw
 * message's parsed `To:` header as one comma-separated text ("a@x, Name <b@y>").
 */
export function recipientsOf(mail: Mail): string[] {
  return [...mail.destination.to, ...(mail.destination.cc ?? []), ...(mail.destination.bcc ?? [])]
    .flatMap((entry) => entry.split(','))
    .map((a) => (/<([^>]+)>/.exec(a)?.[1] ?? a).trim().toLowerCase())
    .filter(Boolean);
}

export const addressedTo = (mail: Mail, email: string) => recipientsOf(mail).includes(email.toLowerCase());

/** The mail one address has received, optionally only those whose subject starts with `prefix`. */
export async function mailTo(service: TestService, email: string, prefix?: string): Promise<Mail[]> {
  return (await outbox(service)).filter(
    (m) => addressedTo(m, email) && (prefix === undefined || m.subject.startsWith(prefix)),
  );
}

/** What one address received, oldest first, as the subjects' first words ("Please sign", "Reminder"...). */
export async function inbox(service: TestService, email: string): Promise<string[]> {
  return (await mailTo(service, email)).map((m) => m.subject.slice(0, m.subject.indexOf(':')));
}

/** The inbox once it holds at least `count` mails. */
export function inboxReaches(service: TestService, email: string, count: number): Promise<string[]> {
  return eventually(`${count} mails to ${email}`, async () => {
    const subjects = await inbox(service, email);
    return subjects.length >= count ? subjects : undefined;
  });
}

export interface Sms {
  id: string;
  to: string;
  text: string;
  at: string;
}

/** Everything the local SMS outbox has "delivered", oldest first. */
export async function smsOutbox(service: TestService): Promise<Sms[]> {
  const res = await fetch(`${service.url}/local/sms`);
  if (!res.ok) throw new Error(`GET /local/sms answered ${res.status}`);
  return ((await res.json()) as { messages: Sms[] }).messages;
}

/** The 6-digit code of the newest SMS to `phone`. */
export async function smsCode(service: TestService, phone: string): Promise<string> {
  const last = (await smsOutbox(service)).filter((m) => m.to === phone).at(-1);
  const code = last && /\b(\d{6})\b/.exec(last.text)?.[1];
  if (!code) throw new Error(`no SMS code to ${phone}`);
  return code;
}

/** The 6-digit code of the newest verification mail to `email`. */
export async function mailCode(service: TestService, email: string): Promise<string> {
  const last = (await mailTo(service, email, 'Your verification code')).at(-1);
  const code = last && /\b(\d{6})\b/.exec(last.body.text ?? '')?.[1];
  if (!code) throw new Error(`no code mailed to ${email}`);
  return code;
}

/** Polls until `probe` gives a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const LINK = /\/sign#t=([A-Za-z0-9_-]+)/;

/** The signing token from the newest invitation to `email`, waiting until one arrives. */
export async function invitationToken(service: TestService, email: string, timeoutMs = 15_000) {
  return eventually(
    `an invitation to ${email}`,
    async () => {
      const invitations = (await mailTo(service, email)).filter((m) => LINK.test(m.body.text ?? ''));
      const last = invitations.at(-1);
      return last ? LINK.exec(last.body.text!)![1]! : undefined;
    },
    timeoutMs,
  );
}

/** A call to a signing endpoint with the recipient's token in `X-Signing-Token`. */
export function signer(
  service: TestService,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  return service.api(method, path, {
    headers: { ...(token !== undefined ? { 'x-signing-token': token } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
}

export type SignatureInput = { type: 'typed'; text: string } | { type: 'drawn'; pngBase64: string };

/** Opens the session, consents to the disclosure shown, and signs; fails loudly on any refusal. */
export async function signAs(
  service: TestService,
  token: string,
  signature: SignatureInput = { type: 'typed', text: 'Signed' },
): Promise<ApiResult> {
  const session = await signer(service, 'GET', '/v1/signing/session', token);
  if (session.status !== 200)
    throw new Error(`session answered ${session.status}: ${JSON.stringify(session.body)}`);
  const consent = await signer(service, 'POST', '/v1/signing/consent', token, {
    disclosureVersion: session.body.disclosure.version,
  });
  if (consent.status !== 200)
    throw new Error(`consent answered ${consent.status}: ${JSON.stringify(consent.body)}`);
  const signed = await signer(service, 'POST', '/v1/signing/sign', token, { signature, agree: true });
  if (signed.status !== 200)
    throw new Error(`sign answered ${signed.status}: ${JSON.stringify(signed.body)}`);
  return signed;
}

/** The envelope as its sender reads it. */
export async function readEnvelope(service: TestService, token: string, id: string) {
  const res = await service.api('GET', `/v1/envelopes/${id}`, { token });
  if (res.status !== 200) throw new Error(`read answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as Record<string, any>;
}

/** Polls GET /v1/envelopes/{id} until its status is `status`. */
export function waitForStatus(
  service: TestService,
  token: string,
  id: string,
  status: string,
  timeoutMs = 20_000,
): Promise<Record<string, any>> {
  return eventually(
    `envelope ${id} to be ${status}`,
    async () => {
      const envelope = await readEnvelope(service, token, id);
      return envelope.status === status ? envelope : undefined;
    },
    timeoutMs,
  );
}

/** The envelope's events straight from the store. */
export function events(service: TestService, tenantId: string, envelopeId: string): Promise<EnvelopeEvent[]> {
  return service.ports.envelopes.loadEvents({ tenantId, envelopeId });
}

export async function eventsOfType<T extends EnvelopeEventType>(
  service: TestService,
  tenantId: string,
  envelopeId: string,
  type: T,
): Promise<Extract<EnvelopeEvent, { type: T }>[]> {
  return (await events(service, tenantId, envelopeId)).filter(
    (e): e is Extract<EnvelopeEvent, { type: T }> => e.type === type,
  );
}

/** Waits until the route has invited `step` and stores its task token for that step. */
export function waitForStep(service: TestService, tenantId: string, envelopeId: string, step: number) {
  return eventually(`the route to wait on step ${step} of ${envelopeId}`, async () => {
    const wait = await service.ports.waits.getWait({ tenantId, envelopeId });
    return wait?.step === step ? wait : undefined;
  });
}

/** The local execution of an envelope's signing route. */
export function execution(service: TestService, envelopeId: string): ExecutionRecord | undefined {
  return service.runner
    .executions()
    .find((e) => (e.input as { envelopeId?: string } | null)?.envelopeId === envelopeId);
}

export function waitForExecution(
  service: TestService,
  envelopeId: string,
  status: ExecutionRecord['status'],
): Promise<ExecutionRecord> {
  return eventually(`the route of ${envelopeId} to be ${status}`, () => {
    const record = execution(service, envelopeId);
    return record?.status === status ? record : undefined;
  });
}

/** Every item of the table, as JSON text: to look for a secret that must not be there. */
export async function wholeTableText(service: TestService): Promise<string> {
  const db = dynamo(service);
  try {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: start }));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return JSON.stringify(items);
  } finally {
    db.destroy();
  }
}

/** Downloads a presigned URL. */
export async function download(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A drawn signature: a thick black stroke on a transparent background. */
export function signaturePng(width = 200, height = 60): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(0);
  for (let x = 10; x < width - 10; x++) {
    const cy = Math.round(height / 2 + (height / 4) * Math.sin((x / width) * 4 * Math.PI));
    for (let y = cy - 3; y <= cy + 3; y++) {
      const i = (y * width + x) * 4;
      png.data[i] = 0;
      png.data[i + 1] = 0;
      png.data[i + 2] = 0;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** Pixels darker than `threshold` (any channel) inside a rectangle of a decoded PNG. */
export function darkPixels(
  png: PNG,
  rect: { x: number; y: number; width: number; height: number },
  threshold = 160,
): number {
  let count = 0;
  const x1 = Math.min(png.width, Math.round(rect.x + rect.width));
  const y1 = Math.min(png.height, Math.round(rect.y + rect.height));
  for (let y = Math.max(0, Math.round(rect.y)); y < y1; y++) {
    for (let x = Math.max(0, Math.round(rect.x)); x < x1; x++) {
      const i = (y * png.width + x) * 4;
      if (png.data[i]! < threshold || png.data[i + 1]! < threshold || png.data[i + 2]! < threshold) count++;
    }
  }
  return count;
}
