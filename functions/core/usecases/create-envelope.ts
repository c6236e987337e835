import { requireWriter, type Principal } from '../access';
import { seal } from '../audit-chain';
import { GENESIS_HASH } from '../audit-chain';
import { ROUTE_LIMITS } from '../../../workflows/signing-route';
import {
  DEFAULT_ENVELOPE_SETTINGS,
  foldEnvelope,
  type DocumentRecord,
  type EnvelopeSettings,
  type EnvelopeEvent,
  type EnvelopeState,
  type FieldPlacement,
  type RecipientAuth,
  type RecipientLanguage,
  type RecipientRole,
  type RecipientSpec,
} from '../envelope';
import { loadEnvelope } from '../envelope-repository';
import {
  ConcurrencyError,
  ConflictError,
  GoneError,
  PayloadTooLargeError,
  ValidationError,
  type ErrorDetail,
} from '../errors';
import { sha256Hex } from '../hashing';
import { inspectPdf } from '../pdf';
import type { Ports } from '../ports';
import { hashSecret } from '../signing/signer-auth';
import { loadTenantSettings, retainUntil } from '../tenant-settings';
import { checkSlaTerms } from '../sla/terms';
import { validationProblems } from '../templates/check-definition';
import type { FieldType, FieldValidation } from '../templates/template';
import { checkAmendable } from './contracts';
import { planFromTemplate, type RoleAssignment } from './envelope-from-template';

export type DocumentInput = { id?: string; name: string } & (
  { contentBase64: string; uploadId?: undefined } | { uploadId: string; contentBase64?: undefined }
);

export interface FieldInput {
  type: FieldType;
  /** Letters, digits, - and _; unique per recipient. Values the signer fills are recorded under it. */
  name?: string;
  required?: boolean;
  validation?: FieldValidation;
  documentId?: string;
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * One recipient: a person (`name` and `email`), or for a signer a signing group (`group`, whose
 * members each become a recipient `{id}-m1`, `{id}-m2`...; the first to sign signs for the group).
 */
export interface RecipientInput {
  id?: string;
  name?: string;
  email?: string;
  role?: RecipientRole;
  group?: { name: string; members: { name: string; email: string }[] };
  step: number;
  fields?: FieldInput[];
  auth?: AuthInput;
  language?: RecipientLanguage;
}

/** How the recipient is authenticated; the access code is given to them by the sender, out of band. */
export type AuthInput =
  | { method: 'email' }
  | { method: 'access_code'; code: string }
  | { method: 'sms'; phone: string }
  | { method: 'email_code' };

/** E.164: a plus, a country code and at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{6,14}$/;
export const ACCESS_CODE_LENGTH = { min: 6, max: 32 } as const;

/** Reminder and expiry settings; what is left out takes DEFAULT_ENVELOPE_SETTINGS. */
export interface SettingsInput {
  reminders?: { firstAfterHours?: number; everyHours?: number; max?: number };
  expiresInDays?: number;
  warnDaysBefore?: number;
  notifySender?: Partial<EnvelopeSettings['notifySender']>;
}

export interface CreateEnvelopeInput extends SettingsInput {
  title: string;
  /** The contract's SLA terms (terms.schema.json); embedded in the sealed PDF. */
  slaTerms?: unknown;
  message?: string;
  /** PDFs and recipients given in the request; or, with `template`, made from the template. */
  documents?: DocumentInput[];
  recipients?: RecipientInput[];
  template?: { id: string; version?: number };
  /** Who takes each of the template's roles. */
  roles?: Record<string, RoleAssignment>;
  /** The values of the template's merge fields: `{ customer: { name: 'Acme' } }` fills `customer.name`. */
  mergeData?: Record<string, unknown>;
  /** A contract this envelope amends: once completed, its terms apply from their effective date. */
  amends?: string;
}

export interface LoadedDocument {
  record: DocumentRecord;
  bytes: Uint8Array;
  stagingKey?: string;
}

export async function createEnvelope(
  ports: Ports,
  principal: Principal,
  input: CreateEnvelopeInput,
  opts: { envelopeId: string; requestHash: string },
): Promise<{ state: EnvelopeState; created: boolean }> {
  requireWriter(principal, 'create envelopes');
  const key = { tenantId: principal.tenantId, envelopeId: opts.envelopeId };

  // A resumed request (same idempotency key after a crash) finds its envelope already made.
  const existing = await findExisting(ports, key, opts.requestHash);
  if (existing) return { state: existing, created: false };

  const plan = input.template
    ? await planFromTemplate(ports, principal, { ...input, template: input.template }, opts.envelopeId)
    : undefined;
  const recipientInputs = plan?.recipients ?? requestRecipients(input);
  checkRecipients(recipientInputs);
  const tenant = await loadTenantSettings(ports.tenantSettings, principal.tenantId);
  const settings = checkSettings(
    plan?.settings ?? input,
    new Set(recipientInputs.map((r) => r.step)).size,
    tenant.envelopeDefaults,
  );
  const slaTerms = plan
    ? plan.slaTerms
    : input.slaTerms === undefined
      ? undefined
      : checkSlaTerms(input.slaTerms);
  const ids = recipientIds(recipientInputs);
  if (input.amends !== undefined) {
    if (!slaTerms) {
      throw new ValidationError(
        'an amendment carries the new SLA terms: make it from a template with terms',
        [{ path: 'body.amends', message: 'needs SLA terms' }],
      );
    }
    await checkAmendable(ports, principal.tenantId, input.amends);
  }
  const loaded = plan ? [plan.document] : await requestDocuments(ports, principal, input, opts.envelopeId);
  const recipients = placeRecipients(recipientInputs, ids, loaded);

  const event = seal<EnvelopeEvent>({
    envelopeId: opts.envelopeId,
    tenantId: principal.tenantId,
    seq: 1,
    type: 'envelope.created',
    at: ports.clock.now().toISOString(),
    actor: { kind: 'user', id: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
    data: {
      title: input.title,
      message: plan?.message ?? input.message ?? '',
      owner: { sub: principal.sub, ...(principal.email ? { email: principal.email } : {}) },
      documents: loaded.map((d) => d.record),
      recipients,
      settings,
      ...(slaTerms ? { slaTerms } : {}),
      ...(plan ? { template: plan.template } : {}),
      ...(input.amends ? { amends: input.amends } : {}),
      requestHash: opts.requestHash,
    },
    prevHash: GENESIS_HASH,
  });
  // The record is one DynamoDB item (and the snapshot another): refuse what cannot be stored
  // before any document is written under retention.
  const recordBytes = Buffer.byteLength(JSON.stringify(event));
  if (recordBytes > ports.limits.maxEnvelopeRecordBytes) {
    throw new PayloadTooLargeError(
      `this envelope's record would be ${recordBytes} bytes, over ${ports.limits.maxEnvelopeRecordBytes}: use fewer recipients, fields or documents`,
    );
  }

  const keepUntil = await retainUntil(ports, principal.tenantId);
  for (const doc of loaded) {
    await ports.documents.putDocument(doc.record.storageKey, doc.bytes, doc.record.sha256, keepUntil);
  }

  // Access codes are kept apart from the event log, and only as salted hashes.
  for (const [i, r] of recipientInputs.entries()) {
    if (r.auth?.method !== 'access_code') continue;
    const hashed = await hashSecret(r.auth.code);
    // A group's members share the code the sender gave the group.
    for (const spec of recipients.filter((x) => x.id === ids[i] || x.group?.id === ids[i])) {
      await ports.signerAuth.putAccessCode(key, spec.id, hashed);
    }
  }

  try {
    await ports.envelopes.append(event);
  } catch (err) {
    if (!(err instanceof ConcurrencyError)) throw err;
    const raced = await findExisting(ports, key, opts.requestHash);
    if (raced) return { state: raced, created: false };
    throw err;
  }
  const state = foldEnvelope([event]);
  await ports.envelopes.saveSnapshot(state);
  // Staged uploads are now copied under retention; the staging bucket's lifecycle is the backstop.
  await Promise.allSettled(
    loaded.filter((d) => d.stagingKey).map((d) => ports.documents.deleteStaging(d.stagingKey!)),
  );
  return { state, created: true };
}

async function findExisting(
  ports: Ports,
  key: { tenantId: string; envelopeId: string },
  requestHash: string,
): Promise<EnvelopeState | null> {
  const first = await ports.envelopes.loadEvents(key);
  const created = first[0];
  if (!created) return null;
  if (created.type !== 'envelope.created' || created.data.requestHash !== requestHash) {
    throw new ConflictError(`envelope ${key.envelopeId} already exists with different content`);
  }
  return loadEnvelope(ports.envelopes, key);
}

/** Without a template, the request must give the recipients itself. */
function requestRecipients(input: CreateEnvelopeInput): RecipientInput[] {
  if (!input.recipients) {
    throw new ValidationError('give recipients, or a template with roles', [
      { path: 'body.recipients', message: 'required without body.template' },
    ]);
  }
  for (const key of ['roles', 'mergeData'] as const) {
    if (input[key] !== undefined) {
      throw new ValidationError(`${key} only go with a template`, [
        { path: `body.${key}`, message: 'not allowed without body.template' },
      ]);
    }
  }
  return input.recipients;
}

async function requestDocuments(
  ports: Ports,
  principal: Principal,
  input: CreateEnvelopeInput,
  envelopeId: string,
): Promise<LoadedDocument[]> {
  if (!input.documents) {
    throw new ValidationError('give documents, or a template', [
      { path: 'body.documents', message: 'required without body.template' },
    ]);
  }
  const docIds = assignDocumentIds(input.documents);
  return Promise.all(
    input.documents.map((doc, i) =>
      readDocumentInput(
        ports,
        principal,
        doc,
        docIds[i]!,
        `body.documents[${i}]`,
        `tenants/${principal.tenantId}/envelopes/${envelopeId}/documents/${docIds[i]!}.pdf`,
      ),
    ),
  );
}

function assignDocumentIds(documents: DocumentInput[]): string[] {
  const ids = documents.map((d, i) => d.id ?? `doc${i + 1}`);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id))
      throw new ValidationError('document ids must be unique', [
        { path: `body.documents[${i}].id`, message: `duplicate id "${id}"` },
      ]);
    seen.add(id);
  });
  return ids;
}

/** Recipients in all, each member of a signing group counted: as many as entries allowed. */
const MAX_RECIPIENTS = 100;

/** Everything createEnvelope checks of the recipients before it reads a document. */
export function checkRecipients(recipients: RecipientInput[]): void {
  checkRoles(recipients);
  checkSteps(recipients);
  checkAuth(recipients);
}

/**
 * Who does what: a person or a group (never both); a group only of signers; no fields for an
 * approver or a carbon copy; no address twice in one step; and in every step someone who signs or
 * approves (a carbon copy alone would leave a step with nothing to wait for).
 */
function checkRoles(recipients: RecipientInput[]): void {
  const problems: ErrorDetail[] = [];
  const byStep = new Map<number, Set<string>>();
  recipients.forEach((r, i) => {
    const path = `body.recipients[${i}]`;
    const role = r.role ?? 'signer';
    if (r.group) {
      if (r.name !== undefined || r.email !== undefined) {
        problems.push({ path: `${path}.group`, message: 'give either name and email, or a group, not both' });
      }
      if (role !== 'signer') {
        problems.push({ path: `${path}.role`, message: `a signing group signs: its role must be "signer"` });
      }
      if (r.group.members.length < 2) {
        problems.push({ path: `${path}.group.members`, message: 'a signing group needs at least 2 members' });
      }
      if (r.auth?.method === 'sms') {
        problems.push({
          path: `${path}.auth.method`,
          message: 'a signing group cannot use SMS codes: its members do not share a phone',
        });
      }
    } else {
      if (r.name === undefined) problems.push({ path: `${path}.name`, message: 'required (or a group)' });
      if (r.email === undefined) problems.push({ path: `${path}.email`, message: 'required (or a group)' });
    }
    if (role !== 'signer' && (r.fields ?? []).length > 0) {
      problems.push({
        path: `${path}.fields`,
        message: `${role === 'approver' ? 'an approver' : 'a carbon copy'} does not sign: no fields are allowed`,
      });
    }
    const seen = byStep.get(r.step) ?? new Set<string>();
    byStep.set(r.step, seen);
    const addresses = r.group
      ? r.group.members.map((m, k) => ({ email: m.email, path: `${path}.group.members[${k}].email` }))
      : r.email !== undefined
        ? [{ email: r.email, path: `${path}.email` }]
        : [];
    for (const a of addresses) {
      const email = a.email.toLowerCase();
      if (seen.has(email)) {
        problems.push({ path: a.path, message: `${email} appears twice in step ${r.step}` });
      }
      seen.add(email);
    }
  });
  if (problems.length) {
    throw new ValidationError(
      `invalid recipients: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  const people = recipients.reduce((n, r) => n + (r.group ? r.group.members.length : 1), 0);
  if (people > MAX_RECIPIENTS) {
    throw new ValidationError(
      `an envelope has at most ${MAX_RECIPIENTS} recipients, counting each member of a signing group; this one has ${people}`,
      [{ path: 'body.recipients', message: `${people} recipients` }],
    );
  }
  if (!recipients.some((r) => (r.role ?? 'signer') !== 'carbon_copy')) {
    throw new ValidationError('the envelope has no signer and no approver: someone must sign or approve', [
      { path: 'body.recipients', message: 'no signer or approver' },
    ]);
  }
  for (const step of [...byStep.keys()].sort((a, b) => a - b)) {
    if (!recipients.some((r) => r.step === step && (r.role ?? 'signer') !== 'carbon_copy')) {
      throw new ValidationError(`step ${step} has no one who signs or approves`, [
        { path: 'body.recipients', message: `step ${step} has only carbon copies` },
      ]);
    }
  }
}

/** Routing steps run in order 1, 2, 3...; a gap would leave an envelope that never finishes. */
function checkSteps(recipients: RecipientInput[]): void {
  const steps = [...new Set(recipients.map((r) => r.step))].sort((a, b) => a - b);
  steps.forEach((step, i) => {
    if (step !== i + 1) {
      throw new ValidationError(
        `routing steps must be numbered 1, 2, 3... without gaps; step ${i + 1} has no recipient`,
        [{ path: 'body.recipients', message: `steps used: ${steps.join(', ')}` }],
      );
    }
  });
}

/**
 * The envelope's reminder and expiry settings, with the defaults (the tenant's) filled in, refused
 * when outside ROUTE_LIMITS (which the signing route's history bound relies on) or inconsistent.
 * `prefix` is where the settings sit in the request, for the paths that errors name.
 */
export function checkSettings(
  input: SettingsInput,
  stepCount: number,
  d: EnvelopeSettings = DEFAULT_ENVELOPE_SETTINGS,
  prefix = 'body',
): EnvelopeSettings {
  const perRecipient = Math.min(
    ROUTE_LIMITS.maxReminders,
    Math.floor(ROUTE_LIMITS.maxReminderRounds / Math.max(1, stepCount)),
  );
  const settings: EnvelopeSettings = {
    reminders: {
      firstAfterHours: input.reminders?.firstAfterHours ?? d.reminders.firstAfterHours,
      everyHours: input.reminders?.everyHours ?? d.reminders.everyHours,
      // A tenant default above what a long route may send is lowered to fit, not refused.
      max: input.reminders?.max ?? Math.min(d.reminders.max, perRecipient),
    },
    expiresInDays: input.expiresInDays ?? d.expiresInDays,
    warnDaysBefore: input.warnDaysBefore ?? d.warnDaysBefore,
    notifySender: { ...d.notifySender, ...input.notifySender },
  };
  // A default warning that would not come before a short expiry comes the day before instead.
  if (input.warnDaysBefore === undefined && Number.isInteger(settings.expiresInDays)) {
    settings.warnDaysBefore = Math.max(0, Math.min(settings.warnDaysBefore, settings.expiresInDays - 1));
  }
  const problems: ErrorDetail[] = [];
  const whole = (path: string, value: number, min: number, max: number, unit: string) => {
    if (!Number.isInteger(value)) problems.push({ path, message: `must be a whole number of ${unit}` });
    else if (value < min) problems.push({ path, message: `must be at least ${min} ${unit}` });
    else if (value > max) problems.push({ path, message: `must be at most ${max} ${unit}` });
    else return true;
    return false;
  };
  const maxDays = ROUTE_LIMITS.maxExpirySeconds / 86_400;
  const expiryOk = whole(`${prefix}.expiresInDays`, settings.expiresInDays, 1, maxDays, 'days');
  const expiryHours = expiryOk ? settings.expiresInDays * 24 : maxDays * 24;
  const minHours = ROUTE_LIMITS.minReminderSeconds / 3600;
  for (const key of ['firstAfterHours', 'everyHours'] as const) {
    const path = `${prefix}.reminders.${key}`;
    const value = settings.reminders[key];
    if (!whole(path, value, minHours, Number.MAX_SAFE_INTEGER, 'hours')) continue;
    // A default interval longer than this envelope's life only means no reminder falls due.
    if (value > expiryHours && input.reminders?.[key] !== undefined) {
      problems.push({
        path,
        message: `a reminder interval of ${value} hours is above the expiry (${expiryHours / 24} days = ${expiryHours} hours)`,
      });
    }
  }
  if (
    whole(`${prefix}.reminders.max`, settings.reminders.max, 0, ROUTE_LIMITS.maxReminders, 'reminders') &&
    settings.reminders.max > perRecipient
  ) {
    problems.push({
      path: `${prefix}.reminders.max`,
      message: `with ${stepCount} routing steps at most ${perRecipient} reminders per recipient: an envelope sends at most ${ROUTE_LIMITS.maxReminderRounds} rounds of reminders over all its steps`,
    });
  }
  if (
    whole(`${prefix}.warnDaysBefore`, settings.warnDaysBefore, 0, maxDays - 1, 'days') &&
    expiryOk &&
    settings.warnDaysBefore >= settings.expiresInDays
  ) {
    problems.push({
      path: `${prefix}.warnDaysBefore`,
      message: `the warning must come before the expiry: less than expiresInDays (${settings.expiresInDays})`,
    });
  }
  if (problems.length) {
    throw new ValidationError(
      `invalid reminder or expiry settings: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return settings;
}

function checkAuth(recipients: RecipientInput[]): void {
  const problems = recipients.flatMap((r, i) => authProblems(r.auth, `body.recipients[${i}].auth`));
  if (problems.length) {
    throw new ValidationError(
      `invalid recipient authentication: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
}

/** What is wrong with one recipient's authentication (`path` names it in the request). */
export function authProblems(auth: AuthInput | undefined, path: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (auth?.method === 'sms' && !E164.test(auth.phone ?? '')) {
    problems.push({
      path: `${path}.phone`,
      message: 'an SMS code needs the phone number in E.164 form, such as +15555550123',
    });
  }
  if (auth?.method === 'access_code') {
    const length = [...(auth.code ?? '')].length;
    if (length < ACCESS_CODE_LENGTH.min || length > ACCESS_CODE_LENGTH.max) {
      problems.push({
        path: `${path}.code`,
        message: `an access code has ${ACCESS_CODE_LENGTH.min} to ${ACCESS_CODE_LENGTH.max} characters`,
      });
    }
  }
  return problems;
}

/** What the event records of the method: never the access code. */
export function recordedAuth(auth: AuthInput | undefined): RecipientAuth {
  if (!auth) return { method: 'email' };
  if (auth.method === 'access_code') return { method: 'access_code' };
  if (auth.method === 'sms') return { method: 'sms', phone: auth.phone };
  return { method: auth.method };
}

function recipientIds(recipients: RecipientInput[]): string[] {
  const ids = recipients.map((r, i) => r.id ?? `r${i + 1}`);
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    // A group's members take the ids `{id}-m1`, `{id}-m2`...: those must be free too.
    const group = recipients[i]!.group;
    const own = group ? [id, ...group.members.map((_, k) => memberId(id, k))] : [id];
    for (const x of own) {
      if (seen.has(x))
        throw new ValidationError('recipient ids must be unique', [
          { path: `body.recipients[${i}].id`, message: `duplicate id "${x}"` },
        ]);
      seen.add(x);
    }
  });
  return ids;
}

const memberId = (groupId: string, index: number) => `${groupId}-m${index + 1}`;

/**
 * Reads a document given inline (base64) or by upload id, checks it is a PDF that can be signed,
 * and describes it for storage under `storageKey`. `path` names it in errors.
 */
export async function readDocumentInput(
  ports: Ports,
  principal: Principal,
  doc: DocumentInput,
  id: string,
  path: string,
  storageKey: string,
): Promise<LoadedDocument> {
  let bytes: Uint8Array;
  let stagingKey: string | undefined;
  if (doc.contentBase64 !== undefined) {
    bytes = decodeBase64(doc.contentBase64, `${path}.contentBase64`);
    if (bytes.length > ports.limits.maxInlinePdfBytes) {
      throw new PayloadTooLargeError(
        `document "${doc.name}" is ${bytes.length} bytes; inline documents may be at most ${ports.limits.maxInlinePdfBytes} bytes, use POST /v1/uploads for larger files`,
      );
    }
  } else {
    const upload = await ports.uploads.getUpload(principal.tenantId, doc.uploadId);
    if (!upload || upload.ownerSub !== principal.sub) {
      throw new ValidationError(`unknown upload id "${doc.uploadId}"`, [
        { path: `${path}.uploadId`, message: 'unknown upload id' },
      ]);
    }
    if (new Date(upload.expiresAt) <= ports.clock.now()) {
      throw new GoneError(`upload "${doc.uploadId}" expired at ${upload.expiresAt}; upload the file again`);
    }
    const staged = await ports.documents.readStaging(upload.stagingKey, ports.limits.maxUploadBytes);
    if (!staged) {
      throw new ValidationError(`nothing was uploaded for upload id "${doc.uploadId}"`, [
        { path: `${path}.uploadId`, message: 'the presigned upload was not completed' },
      ]);
    }
    if (staged.length !== upload.size) {
      throw new ValidationError(
        `the file uploaded for "${doc.uploadId}" is ${staged.length} bytes, but ${upload.size} were declared`,
        [{ path: `${path}.uploadId`, message: 'uploaded size differs from the declared size' }],
      );
    }
    bytes = staged;
    stagingKey = upload.stagingKey;
  }
  const facts = await inspectPdf(bytes, doc.name);
  return {
    bytes,
    stagingKey,
    record: {
      id,
      name: doc.name,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      pages: facts.pages,
      storageKey,
    },
  };
}

function decodeBase64(text: string, path: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 !== 0) {
    throw new ValidationError('contentBase64 is not valid base64', [{ path, message: 'not valid base64' }]);
  }
  return Buffer.from(clean, 'base64');
}

function placeRecipients(
  recipients: RecipientInput[],
  ids: string[],
  docs: LoadedDocument[],
): RecipientSpec[] {
  const problems: ErrorDetail[] = [];
  const result = recipients.flatMap((r, ri): RecipientSpec[] => {
    const names = new Set<string>();
    const fields: FieldPlacement[] = (r.fields ?? []).map((f, fi) => {
      const path = `body.recipients[${ri}].fields[${fi}]`;
      // The same checks as a template's fields: a value is recorded under a name, by the rules given.
      if (f.name !== undefined) {
        if (names.has(f.name))
          problems.push({
            path: `${path}.name`,
            message: `duplicate field name "${f.name}" for this recipient`,
          });
        names.add(f.name);
      }
      problems.push(...validationProblems(f, `${path}.validation`));
      const docId = f.documentId ?? (docs.length === 1 ? docs[0]!.record.id : undefined);
      const doc = docs.find((d) => d.record.id === docId);
      if (!doc) {
        problems.push({
          path: `${path}.documentId`,
          message: docId
            ? `no document with id "${docId}"`
            : 'documentId is required when the envelope has several documents',
        });
      } else {
        const page = doc.record.pages[f.page - 1];
        if (!page) {
          problems.push({
            path: `${path}.page`,
            message: `page ${f.page} does not exist; "${doc.record.name}" has ${doc.record.pages.length} page(s)`,
          });
        } else if (f.x + f.width > page.width || f.y + f.height > page.height) {
          problems.push({
            path,
            message: `field ${f.x},${f.y} ${f.width}x${f.height} lies outside page ${f.page} (${round(page.width)}x${round(page.height)} points)`,
          });
        }
      }
      return {
        id: f.name ? `${ids[ri]}-${f.name}` : `${ids[ri]}-f${fi + 1}`,
        type: f.type,
        ...(f.name ? { name: f.name } : {}),
        ...(f.required !== undefined ? { required: f.required } : {}),
        ...(f.validation ? { validation: f.validation } : {}),
        documentId: docId ?? '',
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
      };
    });
    if (r.group) {
      const group = { id: ids[ri]!, name: r.group.name };
      return r.group.members.map((m, k) => {
        const id = memberId(group.id, k);
        return {
          id,
          name: m.name,
          email: m.email.toLowerCase(),
          role: 'signer' as const,
          group,
          step: r.step,
          // Each member has the group's fields, under their own ids: the one who signs is stamped.
          fields: fields.map((f, fi) => ({ ...f, id: f.name ? `${id}-${f.name}` : `${id}-f${fi + 1}` })),
          auth: recordedAuth(r.auth),
          ...(r.language ? { language: r.language } : {}),
        };
      });
    }
    return [
      {
        id: ids[ri]!,
        name: r.name!,
        email: r.email!.toLowerCase(),
        role: r.role ?? 'signer',
        step: r.step,
        fields,
        auth: recordedAuth(r.auth),
        ...(r.language ? { language: r.language } : {}),
      },
    ];
  });
  if (problems.length)
    throw new ValidationError(
      `invalid fields: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems,
    );
  return result;
}

const round = (n: number) => Math.round(n * 100) / 100;
