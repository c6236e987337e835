import type { Actor } from '../audit-chain';
import {
  authOf,
  type AuthMethod,
  type EnvelopeEvent,
  type EnvelopeState,
  type GroupRef,
  type RecipientRole,
  type RecipientState,
} from '../envelope';

/**
 * The certificate of completion, built purely from an envelope's state and its events: what is
 * printed on the pages appended to each sealed document, and the machine-readable copy attached
 * to it as `countersign-completion.json` (format `countersign-completion/1`, serialised as RFC 8785
 * canonical JSON). The audit head it names is the last event folded into the state, so a sealed
 * PDF anchors the hash-chained trail up to that event.
 */

export const COMPLETION_FORMAT = 'countersign-completion/1';

export interface CompletionEvent {
  type: EnvelopeEvent['type'];
  at: string;
  /** The network address and browser of the recipient's request, when the recipient acted. */
  ip?: string;
  userAgent?: string;
}

export interface CompletionRecipient {
  id: string;
  name: string;
  email: string;
  role: RecipientRole;
  step: number;
  group?: GroupRef;
  /** The security procedure that identified the recipient. */
  authMethod: AuthMethod;
  /** The consumer disclosure consented to (absent when consent was never given or withdrawn). */
  consent?: { version: string; at: string };
  signedAt?: string;
  approvedAt?: string;
  /** Every event about this recipient's part, in the order of the trail. */
  events: CompletionEvent[];
}

/** The exact shape of `countersign-completion.json`: nothing more, nothing less. */
export interface CompletionRecord {
  format: typeof COMPLETION_FORMAT;
  envelopeId: string;
  tenantId: string;
  title: string;
  /** The seal's claimed time (the signature dictionary's /M), ISO 8601. */
  sealedAt: string;
  /** The uploaded originals: `sha256` of the exact bytes accepted, `pages` their page count. */
  documents: { id: string; name: string; sha256: string; pages: number }[];
  recipients: CompletionRecipient[];
  /** The last event of the trail before sealing. */
  auditHead: { seq: number; hash: string };
}

/** One line of a recipient's history, as the certificate page prints it. */
export interface HistoryLine {
  at: string;
  /** "Signed", "Consented (disclosure 2026-11-1)", ... */
  what: string;
  ip?: string;
}

/** What the pages print about a recipient beyond the record. */
export interface RecipientDetail {
  /** "Signed", "Approved", "Carbon copy", "Group signed by ..." */
  outcome: string;
  /** Address and browser of the act (signature or approval), else of their last request. */
  ip?: string;
  userAgent?: string;
  /** The people who held this part before, oldest first. */
  previousHolders: { name: string; email: string; at: string; by: 'sender' | 'recipient'; reason: string }[];
  history: HistoryLine[];
}

/** Everything the certificate pages show. */
export interface CompletionCertificate {
  record: CompletionRecord;
  /** The envelope's owner. */
  sender: { sub: string; email?: string };
  createdAt: string;
  sentAt?: string;
  /** When the envelope completed: the seal's time. */
  completedAt: string;
  /** Details per recipient, in the order of `record.recipients`. */
  details: RecipientDetail[];
}

type RecipientEvent = Extract<EnvelopeEvent, { data: { recipientId: string } }>;

const hasRecipient = (e: EnvelopeEvent): e is RecipientEvent =>
  typeof (e.data as { recipientId?: unknown } | undefined)?.recipientId === 'string';

/** The request details of an actor, kept only for the recipient's own requests. */
function whereFrom(actor: Actor): { ip?: string; userAgent?: string } {
  if (actor.kind !== 'recipient') return {};
  return {
    ...(actor.ip ? { ip: actor.ip } : {}),
    ...(actor.userAgent ? { userAgent: actor.userAgent } : {}),
  };
}

const AUTH_LABELS: Record<AuthMethod, string> = {
  email: 'e-mail link',
  access_code: 'access code',
  sms: 'SMS code',
  email_code: 'e-mail code',
};

/** How the certificate names an authentication method. */
export function authLabel(method: AuthMethod): string {
  return AUTH_LABELS[method];
}

function describe(event: RecipientEvent): string {
  switch (event.type) {
    case 'recipient.invited':
      return `Invited (step ${event.data.step})`;
    case 'recipient.invitation_resent':
      return 'Invitation sent again';
    case 'recipient.email_corrected':
      return `Address corrected to ${event.data.to}`;
    case 'recipient.reassigned':
      return `${event.data.by === 'sender' ? 'Reassigned' : 'Delegated'} by ${event.data.from.name} to ${event.data.to.name}`;
    case 'recipient.viewed':
      return 'Opened the link';
    case 'recipient.document_viewed':
      return `Viewed document ${event.data.documentId}`;
    case 'recipient.consented':
      return `Consented (disclosure ${event.data.disclosureVersion})`;
    case 'recipient.consent_withdrawn':
      return 'Withdrew consent';
    case 'recipient.auth_code_sent':
      return `${authLabel(event.data.method)} sent to ${event.data.to}`.replace(/^./, (c) => c.toUpperCase());
    case 'recipient.auth_failed':
      return `Wrong code (attempt ${event.data.attempt})`;
    case 'recipient.auth_locked':
      return `Locked after ${event.data.attempts} wrong codes`;
    case 'recipient.authenticated':
      return `Authenticated (${authLabel(event.data.method)})`;
    case 'recipient.signed':
      return 'Signed';
    case 'recipient.approved':
      return 'Approved';
    case 'recipient.declined':
      return 'Declined';
    case 'recipient.reminded':
      return `Reminded (${event.data.count})`;
  }
}

function outcomeOf(r: RecipientState, byId: Map<string, RecipientState>): string {
  switch (r.status) {
    case 'signed':
      return 'Signed';
    case 'approved':
      return 'Approved';
    case 'superseded': {
      const by = r.supersededBy ? byId.get(r.supersededBy) : undefined;
      return `Group signed by ${by?.name ?? r.supersededBy ?? 'another member'}`;
    }
    default:
      return r.role === 'carbon_copy' ? 'Receives a copy' : r.status;
  }
}

/** Recipients in routing order: by step, then as the sender listed them. */
function inRouteOrder(state: EnvelopeState): RecipientState[] {
  return state.recipients
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.step - b.r.step || a.i - b.i)
    .map(({ r }) => r);
}

/**
 * The state and the events it was folded from, up to the state's version: events appended after
 * the state was read are not part of this certificate (the audit head says where it stops).
 */
function consistent(state: EnvelopeState, events: readonly EnvelopeEvent[]): EnvelopeEvent[] {
  const upTo = events.filter((e) => e.seq <= state.version).sort((a, b) => a.seq - b.seq);
  const last = upTo.at(-1);
  if (upTo.length !== state.version || !last || last.hash !== state.headHash) {
    throw new Error(
      `the events of envelope ${state.id} do not lead to its state (version ${state.version}, head ${state.headHash})`,
    );
  }
  return upTo;
}

function buildRecipient(
  r: RecipientState,
  events: readonly RecipientEvent[],
): { recipient: CompletionRecipient; act?: RecipientEvent } {
  const act = [...events]
    .reverse()
    .find((e) => e.type === 'recipient.signed' || e.type === 'recipient.approved');
  const procedure =
    act && (act.type === 'recipient.signed' || act.type === 'recipient.approved')
      ? act.data.authMethod
      : undefined;
  const consent =
    r.consent && !r.consent.withdrawnAt ? { version: r.consent.version, at: r.consent.at } : undefined;
  return {
    act,
    recipient: {
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      step: r.step,
      ...(r.group ? { group: { id: r.group.id, name: r.group.name } } : {}),
      authMethod: procedure ?? authOf(r).method,
      ...(consent ? { consent } : {}),
      ...(r.signedAt ? { signedAt: r.signedAt } : {}),
      ...(r.approvedAt ? { approvedAt: r.approvedAt } : {}),
      events: events.map((e) => ({ type: e.type, at: e.at, ...whereFrom(e.actor) })),
    },
  };
}

/**
 * The certificate of an envelope about to be sealed at `sealedAt`: the record (exactly the JSON
 * attached to the PDF) and what the pages print besides. `events` is the envelope's log; those
 * after the state's version are left out.
 */
export function completionCertificate(
  state: EnvelopeState,
  events: readonly EnvelopeEvent[],
  sealedAt: Date | string,
): CompletionCertificate {
  const log = consistent(state, events);
  const sealedIso = typeof sealedAt === 'string' ? new Date(sealedAt).toISOString() : sealedAt.toISOString();
  const byId = new Map(state.recipients.map((r) => [r.id, r]));
  const ofRecipient = new Map<string, RecipientEvent[]>();
  for (const e of log) {
    if (!hasRecipient(e)) continue;
    const list = ofRecipient.get(e.data.recipientId) ?? [];
    list.push(e);
    ofRecipient.set(e.data.recipientId, list);
  }

  const recipients: CompletionRecipient[] = [];
  const details: RecipientDetail[] = [];
  for (const r of inRouteOrder(state)) {
    const theirs = ofRecipient.get(r.id) ?? [];
    const { recipient, act } = buildRecipient(r, theirs);
    recipients.push(recipient);
    const lastRequest = [...theirs].reverse().find((e) => whereFrom(e.actor).ip);
    const from = whereFrom((act ?? lastRequest)?.actor ?? { kind: 'system', id: '' });
    details.push({
      outcome: outcomeOf(r, byId),
      ...from,
      previousHolders: (r.reassignedFrom ?? []).map((p) => ({
        name: p.name,
        email: p.email,
        at: p.at,
        by: p.by,
        reason: p.reason,
      })),
      history: theirs.map((e) => ({
        at: e.at,
        what: describe(e),
        ...(whereFrom(e.actor).ip ? { ip: whereFrom(e.actor).ip } : {}),
      })),
    });
  }

  const sent = log.find((e) => e.type === 'envelope.sent');
  return {
    record: {
      format: COMPLETION_FORMAT,
      envelopeId: state.id,
      tenantId: state.tenantId,
      title: state.title,
      sealedAt: sealedIso,
      documents: state.documents.map((d) => ({
        id: d.id,
        name: d.name,
        sha256: d.sha256,
        pages: d.pages.length,
      })),
      recipients,
      auditHead: { seq: state.version, hash: state.headHash },
    },
    sender: { sub: state.owner.sub, ...(state.owner.email ? { email: state.owner.email } : {}) },
    createdAt: state.createdAt,
    ...(sent ? { sentAt: sent.at } : {}),
    completedAt: sealedIso,
    details,
  };
}

/** The machine-readable certificate of completion (the content of `countersign-completion.json`). */
export function completionRecord(
  state: EnvelopeState,
  events: readonly EnvelopeEvent[],
  sealedAt: Date | string,
): CompletionRecord {
  return completionCertificate(state, events, sealedAt).record;
}
