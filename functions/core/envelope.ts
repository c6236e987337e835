import type { FieldType, FieldValidation, TemplateContractTerms } from './templates/template';
import type { ChainedEvent } from './audit-chain';
import type { SlaTerms } from './sla/terms';

/**
 * The envelope aggregate: its events and the state folded from them. The state is never
 * stored as truth; the snapshot in the store is a cache of `foldEnvelope`.
 */
export const ENVELOPE_STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'] as const;
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number];
export const FINAL_STATUSES: readonly EnvelopeStatus[] = ['completed', 'declined', 'voided', 'expired'];

/**
 * `approved`: an approver approved. `superseded`: another member of this recipient's signing group
 * signed for the group, so this member's links stop working.
 */
export const RECIPIENT_STATUSES = [
  'created',
  'sent',
  'viewed',
  'signed',
  'approved',
  'superseded',
  'declined',
  'withdrawn',
] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface FieldPlacement {
  id: string;
  /** Envelopes recorded before other types existed have only signature fields. */
  type: FieldType;
  /** The field's name from the template (or the request): signer values are recorded under the id. */
  name?: string;
  /** Absent: a signature or initials field is required, any other is optional. */
  required?: boolean;
  validation?: FieldValidation;
  documentId: string;
  /** 1-based page number. */
  page: number;
  /** PDF points, origin at the top-left corner of the page. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether signing needs the field filled: as recorded, else signature and initials fields only. */
export function isFieldRequired(f: Pick<FieldPlacement, 'type' | 'required'>): boolean {
  return f.required ?? (f.type === 'signature' || f.type === 'initials');
}

/**
 * How a recipient proves who they are before their link opens anything: the e-mail link alone,
 * an access code the sender gives out of band (only its salted hash is kept, outside the event
 * log), or a one-time code sent by SMS or e-mail.
 */
export const AUTH_METHODS = ['email', 'access_code', 'sms', 'email_code'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export type RecipientAuth =
  | { method: 'email' }
  | { method: 'access_code' }
  | { method: 'sms'; phone: string }
  | { method: 'email_code' };

/** Failed code attempts after which a recipient is locked until the sender resends the invitation. */
export const MAX_AUTH_ATTEMPTS = 5;
/** One-time codes sent at most per invitation (a resend starts again). */
export const MAX_AUTH_CODES_SENT = 5;

/**
 * A signer signs; an approver approves without a signature and without fields; a carbon copy is
 * never invited and never blocks a step, and receives the completed documents.
 */
export const RECIPIENT_ROLES = ['signer', 'approver', 'carbon_copy'] as const;
export type RecipientRole = (typeof RECIPIENT_ROLES)[number];

/** The signing group a member belongs to: the first member to sign signs for the whole group. */
export interface GroupRef {
  id: string;
  name: string;
}

export interface RecipientSpec {
  id: string;
  name: string;
  email: string;
  role: RecipientRole;
  step: number;
  fields: FieldPlacement[];
  /** Set on each member of a signing group: every member is one recipient with their own link. */
  group?: GroupRef;
  /** Absent in envelopes recorded before authentication methods existed: the e-mail link alone. */
  auth?: RecipientAuth;
  /** The language the sender chose for this recipient's mails and signing page; absent: English mail, the browser's language. */
  language?: RecipientLanguage;
}

export const RECIPIENT_LANGUAGES = ['en', 'es'] as const;
export type RecipientLanguage = (typeof RECIPIENT_LANGUAGES)[number];

/** The recipient's authentication method; recipients recorded before methods existed use the link alone. */
export function authOf(r: Pick<RecipientSpec, 'auth'>): RecipientAuth {
  return r.auth ?? { method: 'email' };
}

export interface DocumentRecord {
  id: string;
  name: string;
  sha256: string;
  size: number;
  pages: { width: number; height: number }[];
  storageKey: string;
}

export interface Owner {
  sub: string;
  email?: string;
}

/** Per-envelope reminder and expiry settings, chosen when the envelope is created. */
export interface EnvelopeSettings {
  reminders: {
    /** Hours from a step's invitations to its first reminder. */
    firstAfterHours: number;
    /** Hours between later reminders. */
    everyHours: number;
    /** Reminders one recipient gets at most; 0 sends none. */
    max: number;
  };
  /** Days from sending to expiry. */
  expiresInDays: number;
  /** Days before the expiry that the warning goes out; 0 sends none. */
  warnDaysBefore: number;
  /** What the sender is e-mailed about (a void always reaches the envelope's owner). */
  notifySender: { signed: boolean; completed: boolean; declined: boolean; expired: boolean };
}

export const DEFAULT_ENVELOPE_SETTINGS: EnvelopeSettings = {
  reminders: { firstAfterHours: 48, everyHours: 48, max: 10 },
  expiresInDays: 120,
  warnDaysBefore: 3,
  notifySender: { signed: true, completed: true, declined: true, expired: true },
};

/** The envelope's settings; envelopes recorded before settings existed get the defaults. */
export function settingsOf(state: Pick<EnvelopeState, 'settings'>): EnvelopeSettings {
  const s = state.settings;
  if (!s) return DEFAULT_ENVELOPE_SETTINGS;
  // Envelopes recorded before a setting existed get its default.
  return {
    ...DEFAULT_ENVELOPE_SETTINGS,
    ...s,
    notifySender: { ...DEFAULT_ENVELOPE_SETTINGS.notifySender, ...s.notifySender },
  };
}

export interface EnvelopeCreatedData {
  title: string;
  message: string;
  owner: Owner;
  documents: DocumentRecord[];
  recipients: RecipientSpec[];
  /** Absent in envelopes recorded before the settings existed: they have the defaults. */
  settings?: EnvelopeSettings;
  /** The contract's machine-readable SLA terms (terms.schema.json), attached to the sealed PDF. */
  slaTerms?: SlaTerms;
  /** The template version the envelope was made from, and the merge data filled into it. */
  template?: TemplateRef;
  /** The contract this envelope amends once completed. */
  amends?: string;
  /** SHA-256 of the canonical create request, so a replay can be told from a collision. */
  requestHash: string;
}

export interface TemplateRef {
  id: string;
  version: number;
  name: string;
  mergeData: Record<string, unknown>;
  /** 1-based pages of the generated SLA schedule in the envelope's document. */
  schedulePages?: { first: number; count: number };
  /** The template's contract terms, and the start date taken from the merge data or the SLA terms. */
  contract?: TemplateContractTerms & { startDate?: string };
}

export interface EnvelopeVoidedData {
  reason: string;
  /** Set when the request carried an Idempotency-Key: lets its retry recognise its own void. */
  operationId?: string;
}

export interface EnvelopeSentData {
  stepCount: number;
  /** When the envelope expires: `expiresInDays` after it was sent. */
  expiresAt: string;
  operationId?: string;
}

export interface RecipientRef {
  recipientId: string;
}

export interface RecipientInvitedData extends RecipientRef {
  step: number;
  email: string;
  messageId: string;
}

export interface DocumentViewedData extends RecipientRef {
  documentId: string;
  sha256: string;
}

export interface ConsentedData extends RecipientRef {
  disclosureVersion: string;
  disclosureSha256: string;
}

export type SignatureRecord =
  { kind: 'typed'; text: string } | { kind: 'drawn'; pngSha256: string; storageKey: string };

/**
 * One field of the signer as it was filled when they signed, in the order of their fields.
 * text, number, date, checkbox, dropdown: `value` is what the signer entered (absent: left empty);
 * date_signed: the signing date YYYY-MM-DD (UTC); initials: the typed initials (`kind` typed) or
 * none (`kind` drawn); signature: `kind` only.
 */
export interface FieldValueRecord {
  id: string;
  name?: string;
  type: FieldType;
  value?: string | number | boolean;
  kind?: SignatureRecord['kind'];
}

export interface RecipientSignedData extends RecipientRef {
  step: number;
  signature: SignatureRecord;
  /** The initials adopted for the recipient's initials fields (only when they have some). */
  initials?: SignatureRecord;
  /** Every field of the recipient as filled (only when they have fields other than signatures). */
  fields?: FieldValueRecord[];
  /** The exact versions this signer was shown and signed. */
  documents: { id: string; sha256: string }[];
  /** The statement the signer affirmed by the act of signing. */
  intent: string;
  /** The security procedure that identified the signer: see RecipientAuth. */
  authMethod?: AuthMethod;
  /** For a member of a signing group: the group they signed for, and their own address. */
  group?: GroupRef;
  memberEmail?: string;
}

export interface RecipientApprovedData extends RecipientRef {
  step: number;
  /** The exact versions this approver was shown and approved. */
  documents: { id: string; sha256: string }[];
  /** The statement the approver affirmed by the act of approving. */
  intent: string;
  authMethod: AuthMethod;
}

export interface AuthCodeSentData extends RecipientRef {
  method: 'sms' | 'email_code';
  /** The masked destination (`+1******0123`, `a***@example.com`). */
  to: string;
  expiresAt: string;
}

export interface AuthFailedData extends RecipientRef {
  method: Exclude<AuthMethod, 'email'>;
  /** This recipient's failed attempts since their last invitation, from 1. */
  attempt: number;
  /** Why it failed: a wrong code. */
  reason: 'wrong_code';
}

export interface AuthLockedData extends RecipientRef {
  method: Exclude<AuthMethod, 'email'>;
  attempts: number;
}

export interface AuthenticatedData extends RecipientRef {
  method: Exclude<AuthMethod, 'email'>;
}

export interface InvitationResentData extends RecipientRef {
  email: string;
  messageId: string;
  /** How many earlier links stopped working. */
  revoked: number;
}

export interface EmailCorrectedData extends RecipientRef {
  from: string;
  to: string;
  name?: string;
}

/** A person, as a reassignment names the one who had the part and the one who has it now. */
export interface PersonRef {
  name: string;
  email: string;
}

/**
 * The recipient's part passed to another person: by the sender (reassign) or by the recipient
 * from their link (delegate). The recipient id, step and fields stay; the person changes.
 */
export interface RecipientReassignedData extends RecipientRef {
  from: PersonRef;
  to: PersonRef;
  reason: string;
  by: 'sender' | 'recipient';
  /** The new person's authentication, when it changed (an access code itself is never recorded). */
  auth?: RecipientAuth;
}

export interface RecipientDeclinedData extends RecipientRef {
  reason: string;
}

export interface RecipientRemindedData extends RecipientRef {
  /** This recipient's reminder number: 1 for the first. */
  count: number;
  /** The mail service's id of the reminder, which carried a fresh link. */
  messageId: string;
}

export interface ExpiryWarnedData {
  expiresAt: string;
  /** The addresses warned: recipients who had not acted, and the sender. */
  to: string[];
}

export interface EnvelopeExpiredData {
  expiresAt: string;
}

export interface SealedDocument {
  id: string;
  name: string;
  storageKey: string;
  sha256: string;
  size: number;
}

export interface EnvelopeCompletedData {
  documents: SealedDocument[];
}

export interface PartiesNotifiedData {
  reason: 'completed' | 'declined' | 'voided' | 'expired';
  to: string[];
  /** Whether the sealed documents travelled as attachments (else as links). */
  attached?: boolean;
}

/** A legal hold placed on, or released from, every stored object of the envelope. */
export interface LegalHoldData {
  reason: string;
  /** How many stored objects (documents, sealed copies, drawn signatures) the change covered. */
  objects: number;
}

type E<T extends string, D> = ChainedEvent<T, D>;

export type EnvelopeEvent =
  | E<'envelope.created', EnvelopeCreatedData>
  | E<'envelope.voided', EnvelopeVoidedData>
  | E<'envelope.sent', EnvelopeSentData>
  | E<'recipient.invited', RecipientInvitedData>
  | E<'recipient.invitation_resent', InvitationResentData>
  | E<'recipient.email_corrected', EmailCorrectedData>
  | E<'recipient.reassigned', RecipientReassignedData>
  | E<'recipient.viewed', RecipientRef>
  | E<'recipient.document_viewed', DocumentViewedData>
  | E<'recipient.consented', ConsentedData>
  | E<'recipient.consent_withdrawn', RecipientRef>
  | E<'recipient.auth_code_sent', AuthCodeSentData>
  | E<'recipient.auth_failed', AuthFailedData>
  | E<'recipient.auth_locked', AuthLockedData>
  | E<'recipient.authenticated', AuthenticatedData>
  | E<'recipient.signed', RecipientSignedData>
  | E<'recipient.approved', RecipientApprovedData>
  | E<'recipient.declined', RecipientDeclinedData>
  | E<'recipient.reminded', RecipientRemindedData>
  | E<'envelope.expiry_warned', ExpiryWarnedData>
  | E<'envelope.expired', EnvelopeExpiredData>
  | E<'envelope.completed', EnvelopeCompletedData>
  | E<'envelope.parties_notified', PartiesNotifiedData>
  | E<'envelope.legal_hold_placed', LegalHoldData>
  | E<'envelope.legal_hold_released', LegalHoldData>;

export type EnvelopeEventType = EnvelopeEvent['type'];

export interface RecipientState extends RecipientSpec {
  status: RecipientStatus;
  invitedAt?: string;
  viewedAt?: string;
  /** Documents whose exact version this recipient has opened. */
  viewedDocuments?: string[];
  consent?: { version: string; at: string; withdrawnAt?: string };
  signedAt?: string;
  signature?: SignatureRecord;
  initials?: SignatureRecord;
  /** The fields as filled when the recipient signed: see FieldValueRecord. */
  fieldValues?: FieldValueRecord[];
  approvedAt?: string;
  /** For a member of a signing group: when and by whom (a fellow member) the group was signed for. */
  supersededAt?: string;
  supersededBy?: string;
  declinedAt?: string;
  declineReason?: string;
  /** Reminders sent to this recipient, and when the last one went out. */
  reminders?: number;
  remindedAt?: string;
  /** Code authentication since the last invitation: a resend starts it over. */
  authState?: RecipientAuthState;
  /** The people who had this part before, oldest first. */
  reassignedFrom?: (PersonRef & { at: string; by: 'sender' | 'recipient'; reason: string })[];
}

export interface RecipientAuthState {
  codesSent: number;
  failures: number;
  lockedAt?: string;
  /** When a code was last verified (the link used is marked on its own record). */
  authenticatedAt?: string;
}

const NO_AUTH_STATE: RecipientAuthState = { codesSent: 0, failures: 0 };

/** Locked after MAX_AUTH_ATTEMPTS failures, even if the lock event itself was not written yet. */
export function isAuthLocked(r: RecipientState): boolean {
  return Boolean(r.authState?.lockedAt) || (r.authState?.failures ?? 0) >= MAX_AUTH_ATTEMPTS;
}

function withAuth(r: RecipientState, change: Partial<RecipientAuthState>): Partial<RecipientState> {
  return { authState: { ...NO_AUTH_STATE, ...r.authState, ...change } };
}

export interface StepState {
  step: number;
  status: 'pending' | 'active' | 'completed';
  recipientIds: string[];
  /** When the step's first invitation went out: its reminders are counted from here. */
  invitedAt?: string;
}

export interface EnvelopeState {
  id: string;
  /** Set when the envelope was made from a template. */
  template?: TemplateRef;
  /** The contract this envelope amends once completed. */
  amends?: string;
  tenantId: string;
  title: string;
  message: string;
  owner: Owner;
  status: EnvelopeStatus;
  createdAt: string;
  updatedAt: string;
  sentAt?: string;
  /** Reminder and expiry settings; see settingsOf. */
  settings?: EnvelopeSettings;
  /** The contract's machine-readable SLA terms, when it has them. */
  slaTerms?: SlaTerms;
  /** Set while the envelope's stored objects are on legal hold. */
  legalHold?: { since: string; reason: string; by: string };
  /** Set when the envelope is sent. */
  expiresAt?: string;
  expiryWarnedAt?: string;
  expiredAt?: string;
  completedAt?: string;
  documents: DocumentRecord[];
  sealedDocuments?: SealedDocument[];
  recipients: RecipientState[];
  steps: StepState[];
  /** The step whose recipients are asked to act now; null unless the envelope is out for signing. */
  currentStep: number | null;
  voidedReason?: string;
  declinedBy?: string;
  /** Parties told of the ending, by reason: kept so a retried notification is not sent twice. */
  notified?: PartiesNotifiedData['reason'][];
  /** Sequence number of the last event folded in. */
  version: number;
  headHash: string;
}

/** Whether a recipient has done what their role asks: signed, or approved. */
export const hasActed = (r: Pick<RecipientState, 'status'>): boolean =>
  r.status === 'signed' || r.status === 'approved';

/**
 * A step is complete when each of its signers and approvers has acted, and for each signing group one
 * member has signed. Carbon copies never count.
 */
export function isStepComplete(state: EnvelopeState, step: number): boolean {
  const acting = state.recipients.filter((r) => r.step === step && r.role !== 'carbon_copy');
  const units = new Map<string, boolean>();
  for (const r of acting) {
    const unit = r.group ? `group:${r.group.id}` : r.id;
    units.set(unit, (units.get(unit) ?? false) || hasActed(r));
  }
  return units.size > 0 && [...units.values()].every(Boolean);
}

/** Steps run in order: the current one is the first that is not complete. */
function withRoute(state: EnvelopeState): EnvelopeState {
  const numbers = [...new Set(state.recipients.map((r) => r.step))].sort((a, b) => a - b);
  const open = state.status === 'sent' ? (numbers.find((n) => !isStepComplete(state, n)) ?? null) : null;
  return {
    ...state,
    currentStep: open,
    steps: numbers.map((step) => {
      const invitedAt = state.steps.find((s) => s.step === step)?.invitedAt;
      return {
        step,
        status: isStepComplete(state, step) ? 'completed' : step === open ? 'active' : 'pending',
        recipientIds: state.recipients.filter((r) => r.step === step).map((r) => r.id),
        ...(invitedAt ? { invitedAt } : {}),
      };
    }),
  };
}

function updateRecipient(
  state: EnvelopeState,
  recipientId: string,
  change: (r: RecipientState) => Partial<RecipientState>,
): RecipientState[] {
  if (!state.recipients.some((r) => r.id === recipientId)) {
    throw new Error(`envelope ${state.id} has no recipient ${recipientId}`);
  }
  return state.recipients.map((r) => (r.id === recipientId ? { ...r, ...change(r) } : r));
}

/** Status only moves forward: a late "viewed" never turns a signer back. */
const advance = (current: RecipientStatus, next: RecipientStatus): RecipientStatus =>
  RECIPIENT_STATUSES.indexOf(next) > RECIPIENT_STATUSES.indexOf(current) ? next : current;

function next(state: EnvelopeState, event: EnvelopeEvent): EnvelopeState {
  switch (event.type) {
    case 'envelope.created':
      throw new Error(`envelope ${event.envelopeId} created twice`);
    case 'envelope.voided':
      return { ...state, status: 'voided', voidedReason: event.data.reason };
    case 'envelope.sent':
      return { ...state, status: 'sent', sentAt: event.at, expiresAt: event.data.expiresAt };
    case 'recipient.invited':
      return {
        ...state,
        steps: state.steps.map((s) =>
          s.step === event.data.step && !s.invitedAt ? { ...s, invitedAt: event.at } : s,
        ),
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          status: advance(r.status, 'sent'),
          invitedAt: event.at,
        })),
      };
    case 'recipient.invitation_resent':
      return {
        ...state,
        // A recipient who withdrew consent starts over with the new link; a lock and the code
        // count start over too (the new link must be authenticated again).
        recipients: updateRecipient(state, event.data.recipientId, (r) =>
          r.status === 'withdrawn'
            ? { invitedAt: event.at, status: 'sent', consent: undefined, authState: undefined }
            : { invitedAt: event.at, authState: undefined },
        ),
      };
    case 'recipient.email_corrected':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          email: event.data.to,
          name: event.data.name ?? r.name,
        })),
      };
    case 'recipient.reassigned':
      return {
        ...state,
        // A new person: what the previous one saw, agreed to or proved does not carry over.
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          name: event.data.to.name,
          email: event.data.to.email,
          ...(event.data.auth ? { auth: event.data.auth } : {}),
          status: r.status === 'viewed' || r.status === 'withdrawn' ? 'sent' : r.status,
          viewedAt: undefined,
          viewedDocuments: undefined,
          consent: undefined,
          authState: undefined,
          reassignedFrom: [
            ...(r.reassignedFrom ?? []),
            { ...event.data.from, at: event.at, by: event.data.by, reason: event.data.reason },
          ],
        })),
      };
    case 'recipient.viewed':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          status: advance(r.status, 'viewed'),
          viewedAt: r.viewedAt ?? event.at,
        })),
      };
    case 'recipient.document_viewed':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          viewedDocuments: [...new Set([...(r.viewedDocuments ?? []), event.data.documentId])],
        })),
      };
    case 'recipient.consented':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, () => ({
          consent: { version: event.data.disclosureVersion, at: event.at },
        })),
      };
    case 'recipient.consent_withdrawn':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) => ({
          status: 'withdrawn',
          consent: r.consent ? { ...r.consent, withdrawnAt: event.at } : undefined,
        })),
      };
    case 'recipient.auth_code_sent':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) =>
          withAuth(r, { codesSent: (r.authState?.codesSent ?? 0) + 1 }),
        ),
      };
    case 'recipient.auth_failed':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) =>
          withAuth(r, { failures: event.data.attempt }),
        ),
      };
    case 'recipient.auth_locked':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) =>
          withAuth(r, { lockedAt: event.at }),
        ),
      };
    case 'recipient.authenticated':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, (r) =>
          withAuth(r, { authenticatedAt: event.at }),
        ),
      };
    case 'recipient.signed': {
      const signed = updateRecipient(state, event.data.recipientId, () => ({
        status: 'signed',
        signedAt: event.at,
        signature: event.data.signature,
        ...(event.data.initials ? { initials: event.data.initials } : {}),
        ...(event.data.fields ? { fieldValues: event.data.fields } : {}),
      }));
      const group = signed.find((r) => r.id === event.data.recipientId)?.group;
      return {
        ...state,
        // The first member of a signing group to sign signs for it: the others are done.
        recipients: group
          ? signed.map((r) =>
              r.group?.id === group.id && r.id !== event.data.recipientId && !hasActed(r)
                ? { ...r, status: 'superseded', supersededAt: event.at, supersededBy: event.data.recipientId }
                : r,
            )
          : signed,
      };
    }
    case 'recipient.approved':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, () => ({
          status: 'approved',
          approvedAt: event.at,
        })),
      };
    case 'recipient.declined':
      return {
        ...state,
        status: 'declined',
        declinedBy: event.data.recipientId,
        recipients: updateRecipient(state, event.data.recipientId, () => ({
          status: 'declined',
          declinedAt: event.at,
          declineReason: event.data.reason,
        })),
      };
    case 'recipient.reminded':
      return {
        ...state,
        recipients: updateRecipient(state, event.data.recipientId, () => ({
          reminders: event.data.count,
          remindedAt: event.at,
        })),
      };
    case 'envelope.expiry_warned':
      return { ...state, expiryWarnedAt: event.at };
    case 'envelope.expired':
      return { ...state, status: 'expired', expiredAt: event.at };
    case 'envelope.completed':
      return { ...state, status: 'completed', completedAt: event.at, sealedDocuments: event.data.documents };
    case 'envelope.parties_notified':
      return { ...state, notified: [...(state.notified ?? []), event.data.reason] };
    case 'envelope.legal_hold_placed':
      return { ...state, legalHold: { since: event.at, reason: event.data.reason, by: event.actor.id } };
    case 'envelope.legal_hold_released':
      return { ...state, legalHold: undefined };
  }
}

export function applyEvent(state: EnvelopeState | null, event: EnvelopeEvent): EnvelopeState {
  if (event.type === 'envelope.created') {
    if (state) throw new Error(`envelope ${event.envelopeId} created twice`);
    const recipients = event.data.recipients.map((r) => ({ ...r, status: 'created' as const }));
    return withRoute({
      id: event.envelopeId,
      tenantId: event.tenantId,
      title: event.data.title,
      message: event.data.message,
      owner: event.data.owner,
      status: 'draft',
      createdAt: event.at,
      updatedAt: event.at,
      documents: event.data.documents,
      recipients,
      ...(event.data.settings ? { settings: event.data.settings } : {}),
      ...(event.data.slaTerms ? { slaTerms: event.data.slaTerms } : {}),
      ...(event.data.template ? { template: event.data.template } : {}),
      ...(event.data.amends ? { amends: event.data.amends } : {}),
      steps: [],
      currentStep: null,
      version: event.seq,
      headHash: event.hash,
    });
  }
  if (!state) throw new Error(`envelope ${event.envelopeId}: ${event.type} before it was created`);
  return withRoute({ ...next(state, event), updatedAt: event.at, version: event.seq, headHash: event.hash });
}

export function foldEnvelope(
  events: readonly EnvelopeEvent[],
  from: EnvelopeState | null = null,
): EnvelopeState {
  const state = events.reduce<EnvelopeState | null>(applyEvent, from);
  if (!state) throw new Error('no events to fold');
  return state;
}

/** Every object the envelope stored: its documents, their sealed copies, drawn signatures and initials. */
export function storedObjects(state: EnvelopeState): string[] {
  return [
    ...state.documents.map((d) => d.storageKey),
    ...(state.sealedDocuments ?? []).map((d) => d.storageKey),
    ...state.recipients.flatMap((r) =>
      [r.signature, r.initials].flatMap((s) => (s?.kind === 'drawn' ? [s.storageKey] : [])),
    ),
  ];
}

export function isFinal(status: EnvelopeStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
