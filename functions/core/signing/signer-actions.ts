import { PDFDocument } from 'pdf-lib';
import {
  APPROVAL_INTENT,
  DISCLOSURE_SHA256,
  DISCLOSURE_TEXT,
  DISCLOSURE_VERSION,
  SIGNING_INTENT,
} from '../disclosure';
import { ERRORS } from '../../../workflows/signing-route';
import {
  authOf,
  isFieldRequired,
  isStepComplete,
  settingsOf,
  type AuthMethod,
  type EnvelopeState,
  type FieldPlacement,
  type FieldValueRecord,
  type RecipientState,
  type SignatureRecord,
  type RecipientLanguage,
} from '../envelope';
import { appendEvent, withRetry } from '../envelope-repository';
import {
  ConflictError,
  NotFoundError,
  PayloadTooLargeError,
  TaskTokenExpiredError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ErrorDetail,
} from '../errors';
import { sha256Hex } from '../hashing';
import { retainUntil, type TenantBranding } from '../tenant-settings';
import type { Ports, PresignedRequest } from '../ports';
import { resolveSigner, type ClientInfo, type SignerContext } from './signer-access';
import { actNotice, consentWithdrawn, groupSigned } from './messages';
import { authPrompt, needsCode, type AuthPrompt } from './signer-auth';
import { initialsOf, isValueField, valueProblem, type ValueProblem } from '../field-values';

export { initialsOf, MAX_TEXT_VALUE } from '../field-values';

export interface SigningSession {
  envelope: { id: string; title: string; message: string; status: EnvelopeState['status'] };
  sender: { email?: string };
  recipient: {
    id: string;
    name: string;
    email: string;
    role: string;
    step: number;
    status: string;
    /** Each field with whether signing needs it filled, so a signing page can show its inputs. */
    fields: (FieldPlacement & { required: boolean })[];
    group?: { id: string; name: string };
    language?: RecipientLanguage;
  };
  documents: { id: string; name: string; sha256: string; pageCount: number }[];
  disclosure: { version: string; sha256: string; text: string };
  consent: { given: boolean; at?: string; withdrawnAt?: string };
  /** The sender organisation's logo and colours, given when the session is opened. */
  branding?: TenantBranding;
  /** Whether this recipient can sign now, and if not, why. */
  canSign: boolean;
  reason?: string;
  intent: string;
  /** The security procedure that identified this recipient, and when this link passed it. */
  authentication: { method: AuthMethod; verifiedAt?: string };
}

const GROUP_SIGNED = 'another member of the group signed';

function blocker(ctx: SignerContext): string | undefined {
  const { envelope: e, recipient: r } = ctx;
  if (e.status !== 'sent') return `the envelope is ${e.status}`;
  if (r.status === 'signed') return 'you have already signed';
  if (r.status === 'approved') return 'you have already approved';
  if (r.status === 'superseded') return GROUP_SIGNED;
  if (r.status === 'declined') return 'you declined to sign';
  if (r.status === 'withdrawn') return 'you withdrew your consent to sign electronically';
  if (e.currentStep !== r.step) return `your turn has not come yet: step ${e.currentStep} is signing now`;
  if (!r.consent || r.consent.withdrawnAt) return 'consent to electronic records is required before signing';
  return undefined;
}

function session(ctx: SignerContext): SigningSession {
  const { envelope: e, recipient: r } = ctx;
  const reason = blocker(ctx);
  return {
    envelope: { id: e.id, title: e.title, message: e.message, status: e.status },
    sender: { ...(e.owner.email ? { email: e.owner.email } : {}) },
    recipient: {
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      step: r.step,
      status: r.status,
      fields: r.fields.map((f) => ({ ...f, required: isFieldRequired(f) })),
      ...(r.group ? { group: r.group } : {}),
      ...(r.language ? { language: r.language } : {}),
    },
    documents: e.documents.map((d) => ({
      id: d.id,
      name: d.name,
      sha256: d.sha256,
      pageCount: d.pages.length,
    })),
    disclosure: { version: DISCLOSURE_VERSION, sha256: DISCLOSURE_SHA256, text: DISCLOSURE_TEXT },
    consent: {
      given: Boolean(r.consent && !r.consent.withdrawnAt),
      ...(r.consent ? { at: r.consent.at } : {}),
      ...(r.consent?.withdrawnAt ? { withdrawnAt: r.consent.withdrawnAt } : {}),
    },
    canSign: reason === undefined,
    ...(reason ? { reason } : {}),
    intent: r.role === 'approver' ? APPROVAL_INTENT : SIGNING_INTENT,
    authentication: {
      method: authOf(r).method,
      ...(ctx.token.authenticatedAt ? { verifiedAt: ctx.token.authenticatedAt } : {}),
    },
  };
}

/**
 * Opening the link: the first view of an invited recipient is recorded. A link that still needs a
 * code shows only the prompt for it (no title, message, documents or disclosure) and records nothing.
 */
export async function openSession(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
): Promise<SigningSession | AuthPrompt> {
  return withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client, { allowUnauthenticated: true });
    if (needsCode(ctx)) return authPrompt(ctx);
    const branded = async (s: SigningSession): Promise<SigningSession> => {
      const branding = (await ports.tenantSettings.getSettings(ctx.envelope.tenantId))?.branding;
      return branding ? { ...s, branding } : s;
    };
    if (ctx.envelope.status !== 'sent' || ctx.recipient.status !== 'sent') return branded(session(ctx));
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.viewed',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: { recipientId: ctx.recipient.id },
    });
    return branded(
      session({
        ...ctx,
        envelope: state,
        recipient: state.recipients.find((r) => r.id === ctx.recipient.id)!,
      }),
    );
  });
}

/** The version this recipient signs, as a short-lived URL; the hash they were shown is recorded. */
export async function signerDocument(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  documentId: string | undefined,
): Promise<PresignedRequest & { document: { id: string; name: string; sha256: string; size: number } }> {
  return withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    const { envelope: e, recipient: r } = ctx;
    const completed = e.status === 'completed' && e.sealedDocuments;
    const docs = completed ? e.sealedDocuments! : e.documents;
    const doc = documentId ? docs.find((d) => d.id === documentId) : docs[0];
    if (!doc) throw new NotFoundError(`no document "${documentId}" in this envelope`);
    const url = await ports.documents.documentUrl(
      doc.storageKey,
      doc.name,
      ports.limits.downloadUrlSeconds,
      doc.sha256,
    );
    if (!completed && e.status === 'sent' && !(r.viewedDocuments ?? []).includes(doc.id)) {
      await appendEvent(ports.envelopes, e, {
        type: 'recipient.document_viewed',
        at: ports.clock.now().toISOString(),
        actor: ctx.actor,
        data: { recipientId: r.id, documentId: doc.id, sha256: doc.sha256 },
      });
    }
    return { ...url, document: { id: doc.id, name: doc.name, sha256: doc.sha256, size: doc.size } };
  });
}

function requireOpen(ctx: SignerContext, action: string): void {
  const { envelope: e, recipient: r } = ctx;
  if (e.status !== 'sent') throw new ConflictError(`the envelope is ${e.status}; you cannot ${action}`);
  if (r.status === 'signed') throw new ConflictError(`you have already signed; you cannot ${action}`);
  if (r.status === 'approved') throw new ConflictError(`you have already approved; you cannot ${action}`);
  if (r.status === 'superseded') throw new ConflictError(`${GROUP_SIGNED}; you cannot ${action}`);
  if (r.status === 'declined') throw new ConflictError(`you declined to sign; you cannot ${action}`);
}

export async function giveConsent(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  input: { disclosureVersion: string },
) {
  return withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    requireOpen(ctx, 'consent');
    if (input.disclosureVersion !== DISCLOSURE_VERSION) {
      throw new ConflictError(
        `the disclosure has changed (now version ${DISCLOSURE_VERSION}); read it again before consenting`,
      );
    }
    if (ctx.recipient.status === 'withdrawn') {
      throw new ConflictError('you withdrew your consent; the sender can send you a new invitation');
    }
    if (ctx.recipient.consent && !ctx.recipient.consent.withdrawnAt) return session(ctx);
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.consented',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: {
        recipientId: ctx.recipient.id,
        disclosureVersion: DISCLOSURE_VERSION,
        disclosureSha256: DISCLOSURE_SHA256,
      },
    });
    return session({
      ...ctx,
      envelope: state,
      recipient: state.recipients.find((r) => r.id === ctx.recipient.id)!,
    });
  });
}

/** Withdrawal before signing stops this recipient; the sender is told. */
export async function withdrawConsent(ports: Ports, token: string | undefined, client: ClientInfo) {
  const result = await withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    requireOpen(ctx, 'withdraw consent');
    if (ctx.recipient.status === 'withdrawn') return { ctx, changed: false };
    if (!ctx.recipient.consent)
      throw new ConflictError('you have not consented, so there is no consent to withdraw');
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.consent_withdrawn',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: { recipientId: ctx.recipient.id },
    });
    return {
      ctx: { ...ctx, envelope: state, recipient: state.recipients.find((r) => r.id === ctx.recipient.id)! },
      changed: true,
    };
  });
  if (result.changed) {
    const notice = consentWithdrawn(result.ctx.envelope, result.ctx.recipient);
    if (notice) await ports.mail.send(notice);
  }
  return session(result.ctx);
}

export type SignatureInput = { type: 'typed'; text: string } | { type: 'drawn'; pngBase64: string };

export type FieldValue = string | number | boolean;

export interface SignInput {
  signature: SignatureInput;
  /** For the recipient's initials fields; absent: typed initials from the typed signature or the name. */
  initials?: SignatureInput;
  /** Values of the recipient's text, number, date, checkbox and dropdown fields, by field id. */
  fields?: Record<string, FieldValue>;
  /** The SHA-256 of each document as the signer saw it; checked when given. */
  documents?: { id: string; sha256: string }[];
}

/** A value's problem as the server words it in its details. */
function problemMessage(p: ValueProblem, f: FieldPlacement): string {
  switch (p.kind) {
    case 'text':
      return 'must be text';
    case 'tooLong':
      return `must be at most ${p.max} characters (it has ${p.length})`;
    case 'tooShort':
      return `must be at least ${p.min} characters (it has ${p.length})`;
    case 'pattern':
      return `does not match the pattern ${f.validation?.pattern}`;
    case 'number':
      return 'must be a number';
    case 'numberMin':
      return `must be at least ${p.min}`;
    case 'numberMax':
      return `must be at most ${p.max}`;
    case 'date':
      return 'must be a date YYYY-MM-DD that exists';
    case 'dateMin':
      return `must be on or after ${p.min}`;
    case 'dateMax':
      return `must be on or before ${p.max}`;
    case 'boolean':
      return 'must be true or false';
    case 'option':
      return `must be one of ${(f.validation?.options ?? []).map((o) => JSON.stringify(o)).join(', ')}`;
  }
}

/**
 * The recipient's entered values, checked against their fields: no value for a field that is not
 * theirs or that signing fills itself, every required field filled (a required checkbox checked),
 * each value of its field's type and within its rules. Text is trimmed; empty text is no value.
 */
function checkFieldValues(
  e: EnvelopeState,
  r: RecipientState,
  values: Record<string, FieldValue> = {},
): Map<string, FieldValue> {
  const problems: ErrorDetail[] = [];
  const given = new Map(Object.entries(values));
  for (const id of given.keys()) {
    const path = `body.fields.${id}`;
    const f = r.fields.find((x) => x.id === id);
    if (!f) {
      const theirs = e.recipients.some((o) => o.id !== r.id && o.fields.some((x) => x.id === id));
      problems.push({
        path,
        message: theirs ? 'this field belongs to another recipient' : 'you have no field with this id',
      });
    } else if (!isValueField(f)) {
      problems.push({
        path,
        message:
          f.type === 'date_signed'
            ? 'a date_signed field is filled with the signing date: it takes no value'
            : `a ${f.type} field takes the ${f.type} you adopt: it takes no value`,
      });
    }
  }
  const entered = new Map<string, FieldValue>();
  for (const f of r.fields) {
    if (!isValueField(f)) continue;
    const path = `body.fields.${f.id}`;
    const raw = given.get(f.id);
    const value = typeof raw === 'string' ? raw.trim() : raw;
    if (value === undefined || value === '' || (f.type === 'checkbox' && value === false)) {
      if (isFieldRequired(f)) {
        problems.push({
          path,
          message:
            f.type === 'checkbox' ? 'required: must be checked (true)' : 'required: a value is missing',
        });
      } else if (value === false) {
        entered.set(f.id, false);
      }
      continue;
    }
    const problem = valueProblem(f, value);
    if (problem) problems.push({ path, message: problemMessage(problem, f) });
    else entered.set(f.id, value);
  }
  if (problems.length) {
    throw new ValidationError(
      `invalid field values: ${problems
        .slice(0, 5)
        .map((p) => `${p.path}: ${p.message}`)
        .join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`,
      problems,
    );
  }
  return entered;
}

/** Every field of the recipient as filled when they sign at `at`. */
function filledFields(
  r: RecipientState,
  signature: SignatureRecord,
  initials: SignatureRecord | undefined,
  entered: Map<string, FieldValue>,
  at: string,
): FieldValueRecord[] {
  return r.fields.map((f) => {
    const base = { id: f.id, ...(f.name ? { name: f.name } : {}), type: f.type };
    switch (f.type) {
      case 'signature':
        return { ...base, kind: signature.kind };
      case 'initials':
        return {
          ...base,
          kind: initials!.kind,
          ...(initials!.kind === 'typed' ? { value: initials!.text } : {}),
        };
      case 'date_signed':
        return { ...base, value: at.slice(0, 10) };
      default:
        return { ...base, ...(entered.has(f.id) ? { value: entered.get(f.id)! } : {}) };
    }
  });
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Pixels per side of a drawn signature: plenty for a pen stroke, bounded for decoding. */
const MAX_SIGNATURE_SIDE = 2000;

async function checkPng(
  ports: Ports,
  base64: string,
  what: 'signature' | 'initials' = 'signature',
): Promise<Uint8Array> {
  const bytes = Buffer.from(base64, 'base64');
  const drawn = `the drawn ${what}`;
  if (bytes.length > ports.limits.maxSignatureImageBytes) {
    throw new PayloadTooLargeError(
      `${drawn} is ${bytes.length} bytes; at most ${ports.limits.maxSignatureImageBytes} are accepted`,
    );
  }
  if (
    bytes.length < 24 ||
    !bytes.subarray(0, 8).equals(PNG_MAGIC) ||
    bytes.toString('latin1', 12, 16) !== 'IHDR'
  ) {
    throw new UnsupportedMediaTypeError(`${drawn} must be a PNG image`);
  }
  // The header gives the size before anything is decompressed: a small file can hold a huge image.
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0 || width > MAX_SIGNATURE_SIDE || height > MAX_SIGNATURE_SIDE) {
    throw new ValidationError(
      `${drawn} is ${width}x${height} pixels; each side must be 1 to ${MAX_SIGNATURE_SIDE}`,
      [{ path: `body.${what}.pngBase64`, message: 'image dimensions out of range' }],
    );
  }
  try {
    await (await PDFDocument.create()).embedPng(bytes);
  } catch {
    throw new UnsupportedMediaTypeError(`${drawn} is not a readable PNG image`);
  }
  return bytes;
}

/**
 * The explicit act of signing. Records the signature, the exact document versions, the intent
 * statement and where it came from; when it completes its step, tells the waiting route.
 */
export async function sign(ports: Ports, token: string | undefined, client: ClientInfo, input: SignInput) {
  // Who is asking comes first: nothing is decoded for a request without a valid link.
  await resolveSigner(ports, token, client);
  const image =
    input.signature.type === 'drawn' ? await checkPng(ports, input.signature.pngBase64) : undefined;
  const initialsImage =
    input.initials?.type === 'drawn'
      ? await checkPng(ports, input.initials.pngBase64, 'initials')
      : undefined;
  let attempt = 0;
  const { state, recipientId, completedStep } = await withRetry(async () => {
    // A retry after losing the race to a fellow group member answers 409, even once their
    // signature has revoked this link.
    const ctx = await resolveSigner(ports, token, client, { allowSuperseded: ++attempt > 1 });
    requireOpen(ctx, 'sign');
    if (ctx.recipient.role !== 'signer') {
      throw new ConflictError(
        'you are asked to approve, not to sign: approve with POST /v1/signing/approve, or decline',
      );
    }
    const reason = blocker(ctx);
    if (reason) throw new ConflictError(`you cannot sign now: ${reason}`);
    const { envelope: e, recipient: r } = ctx;
    checkSeen(e, input.documents);
    // Everything is checked before anything is stored.
    const entered = checkFieldValues(e, r, input.fields);
    const hasInitials = r.fields.some((f) => f.type === 'initials');
    if (input.initials && !hasInitials) {
      throw new ValidationError('you have no initials fields: leave initials out', [
        { path: 'body.initials', message: 'you have no initials fields' },
      ]);
    }
    const typedText = input.signature.type === 'typed' ? input.signature.text.trim() : undefined;
    if (typedText === '')
      throw new ValidationError('a typed signature cannot be empty', [
        { path: 'body.signature.text', message: 'empty' },
      ]);
    const typedInitials = input.initials?.type === 'typed' ? input.initials.text.trim() : undefined;
    if (typedInitials === '')
      throw new ValidationError('typed initials cannot be empty', [
        { path: 'body.initials.text', message: 'empty' },
      ]);

    const store = async (png: Uint8Array, prefix: string): Promise<SignatureRecord> => {
      const pngSha256 = sha256Hex(png);
      // Named by content: two racing requests with different images never overwrite each other.
      const storageKey = `tenants/${e.tenantId}/envelopes/${e.id}/signatures/${prefix}-${pngSha256}.png`;
      const keepUntil = await retainUntil(ports, e.tenantId);
      await ports.documents.putDocument(storageKey, png, pngSha256, keepUntil, 'image/png');
      // An envelope on legal hold holds what it stores from now on too.
      if (e.legalHold) await ports.legalHolds.setLegalHold(storageKey, true);
      return { kind: 'drawn', pngSha256, storageKey };
    };
    const signature: SignatureRecord = image ? await store(image, r.id) : { kind: 'typed', text: typedText! };
    let initials: SignatureRecord | undefined;
    if (hasInitials) {
      initials = initialsImage
        ? await store(initialsImage, `${r.id}-initials`)
        : {
            kind: 'typed',
            text:
              typedInitials ??
              (initialsOf(typedText ?? '') || initialsOf(r.name) || [...r.name.trim()].slice(0, 1).join('')),
          };
    }
    const at = ports.clock.now().toISOString();
    const { state } = await appendEvent(ports.envelopes, e, {
      type: 'recipient.signed',
      at,
      actor: ctx.actor,
      data: {
        recipientId: r.id,
        step: r.step,
        signature,
        ...(initials ? { initials } : {}),
        // Recipients with signature fields alone record what they always did.
        ...(r.fields.some((f) => f.type !== 'signature')
          ? { fields: filledFields(r, signature, initials, entered, at) }
          : {}),
        documents: e.documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
        intent: SIGNING_INTENT,
        authMethod: authOf(r).method,
        ...(r.group ? { group: r.group, memberEmail: r.email } : {}),
      },
    });
    // Appends are serialised by sequence number, so exactly one signature completes a step, and
    // exactly one member of a signing group signs for it.
    return { state, recipientId: r.id, completedStep: isStepComplete(state, r.step) ? r.step : null };
  });
  if (completedStep !== null) await releaseWait(ports, state, completedStep, 'success');
  await closeGroup(ports, state, recipientId);
  await tellSender(ports, state, recipientId, 'signed');
  return session({
    token: { tokenHash: '', tenantId: state.tenantId, envelopeId: state.id, recipientId, issuedAt: '' },
    envelope: state,
    recipient: state.recipients.find((r) => r.id === recipientId)!,
    actor: { kind: 'recipient', id: recipientId },
  });
}

function checkSeen(e: EnvelopeState, seenDocs: { id: string; sha256: string }[] | undefined): void {
  for (const seen of seenDocs ?? []) {
    const doc = e.documents.find((d) => d.id === seen.id);
    if (!doc)
      throw new ValidationError(`no document "${seen.id}" in this envelope`, [
        { path: 'body.documents', message: 'unknown document' },
      ]);
    if (doc.sha256 !== seen.sha256)
      throw new ConflictError(`document "${doc.name}" is not the version you were shown; reload it`);
  }
}

/**
 * After a member of a signing group signed for it: the other members' links stop working and they
 * are told. Their status (`superseded`) is already in the log, so this only revokes and mails.
 */
async function closeGroup(ports: Ports, state: EnvelopeState, signerId: string): Promise<void> {
  const signer = state.recipients.find((r) => r.id === signerId)!;
  if (!signer.group) return;
  const key = { tenantId: state.tenantId, envelopeId: state.id };
  const at = ports.clock.now().toISOString();
  for (const member of state.recipients.filter((r) => r.supersededBy === signerId)) {
    await ports.signerTokens.revokeRecipient(key, member.id, at);
    await ports.signerAuth.deleteOneTimeCode(key, member.id);
    // A member who was never invited (their step had not started) has nothing to be told.
    if (member.invitedAt) await ports.mail.send(groupSigned(state, member, signer));
  }
}

export interface ApproveInput {
  /** The SHA-256 of each document as the approver saw it; checked when given. */
  documents?: { id: string; sha256: string }[];
}

/**
 * The explicit act of approving: no signature and no fields. Recorded with the exact document
 * versions and the statement affirmed; when it completes its step, tells the waiting route.
 */
export async function approve(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  input: ApproveInput,
) {
  const { state, recipientId, completedStep } = await withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    requireOpen(ctx, 'approve');
    if (ctx.recipient.role !== 'approver') {
      throw new ConflictError('you are asked to sign, not to approve: sign with POST /v1/signing/sign');
    }
    const reason = blocker(ctx);
    if (reason) throw new ConflictError(`you cannot approve now: ${reason}`);
    const { envelope: e, recipient: r } = ctx;
    checkSeen(e, input.documents);
    const { state } = await appendEvent(ports.envelopes, e, {
      type: 'recipient.approved',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: {
        recipientId: r.id,
        step: r.step,
        documents: e.documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
        intent: APPROVAL_INTENT,
        authMethod: authOf(r).method,
      },
    });
    return { state, recipientId: r.id, completedStep: isStepComplete(state, r.step) ? r.step : null };
  });
  if (completedStep !== null) await releaseWait(ports, state, completedStep, 'success');
  await tellSender(ports, state, recipientId, 'approved');
  return session({
    token: { tokenHash: '', tenantId: state.tenantId, envelopeId: state.id, recipientId, issuedAt: '' },
    envelope: state,
    recipient: state.recipients.find((r) => r.id === recipientId)!,
    actor: { kind: 'recipient', id: recipientId },
  });
}

export async function decline(
  ports: Ports,
  token: string | undefined,
  client: ClientInfo,
  input: { reason: string },
) {
  const state = await withRetry(async () => {
    const ctx = await resolveSigner(ports, token, client);
    requireOpen(ctx, 'decline');
    const { state } = await appendEvent(ports.envelopes, ctx.envelope, {
      type: 'recipient.declined',
      at: ports.clock.now().toISOString(),
      actor: ctx.actor,
      data: { recipientId: ctx.recipient.id, reason: input.reason },
    });
    return state;
  });
  await releaseWait(
    ports,
    state,
    state.recipients.find((r) => r.id === state.declinedBy)!.step,
    ERRORS.Declined,
  );
  return state;
}

/**
 * Tells the route's waiting task that its step is done (or that the envelope ended). A token
 * that is no longer waiting is not a fault: the route re-checks the step when it stores its
 * next token, so nothing is lost.
 */
export async function releaseWait(
  ports: Ports,
  state: EnvelopeState,
  step: number | null,
  outcome: 'success' | (typeof ERRORS)[keyof typeof ERRORS],
): Promise<void> {
  // The event is already recorded: a failure to reach the route must not fail the request.
  // The route re-checks the envelope whenever it stores its next token, so nothing is lost.
  try {
    const wait = await ports.waits.getWait({ tenantId: state.tenantId, envelopeId: state.id });
    if (!wait || (outcome === 'success' && wait.step !== step)) return;
    if (outcome === 'success') await ports.workflow.taskSuccess(wait.taskToken, { step });
    else await ports.workflow.taskFailure(wait.taskToken, outcome, `envelope ${state.id} ${state.status}`);
  } catch (err) {
    if (!(err instanceof TaskTokenExpiredError)) ports.log?.warn('the signing route could not be told', err);
  }
}

/**
 * The sender hears of each signature or approval when the envelope asks for it. The act is
 * already recorded: a mail that cannot go out is logged, never failing the signer's request.
 */
async function tellSender(
  ports: Ports,
  state: EnvelopeState,
  recipientId: string,
  act: 'signed' | 'approved',
): Promise<void> {
  const r = state.recipients.find((x) => x.id === recipientId);
  if (!r || !state.owner.email || !settingsOf(state).notifySender.signed) return;
  try {
    await ports.mail.send(actNotice(state, r, act, state.owner.email));
  } catch (err) {
    ports.log?.warn('the sender could not be told of a signature', err);
  }
}
