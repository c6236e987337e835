import type { ChainedEvent } from './audit-chain';

/**
 * The envelope aggregate: its events and the state folded from them. The state is never
 * stored as truth; the snapshot in the store is a cache of `foldEnvelope`.
 */
export const ENVELOPE_STATUSES = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'] as const;
export type EnvelopeStatus = (typeof ENVELOPE_STATUSES)[number];
export const FINAL_STATUSES: readonly EnvelopeStatus[] = ['completed', 'declined', 'voided', 'expired'];

export const RECIPIENT_STATUSES = ['created', 'sent', 'delivered', 'signed', 'declined'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface FieldPlacement {
  id: string;
  type: 'signature';
  documentId: string;
  /** 1-based page number. */
  page: number;
  /** PDF points, origin at the top-left corner of the page. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RecipientSpec {
  id: string;
  name: string;
  email: string;
  role: 'signer';
  step: number;
  fields: FieldPlacement[];
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

export interface EnvelopeCreatedData {
  title: string;
  message: string;
  owner: Owner;
  documents: DocumentRecord[];
  recipients: RecipientSpec[];
  /** SHA-256 of the canonical create request, so a replay can be told from a collision. */
  requestHash: string;
}

export interface EnvelopeVoidedData {
  reason: string;
  /** Set when the request carried an Idempotency-Key: lets its retry recognise its own void. */
  operationId?: string;
}

export type EnvelopeEvent =
  ChainedEvent<'envelope.created', EnvelopeCreatedData> | ChainedEvent<'envelope.voided', EnvelopeVoidedData>;

export type EnvelopeEventType = EnvelopeEvent['type'];

export interface RecipientState extends RecipientSpec {
  status: RecipientStatus;
}

export interface StepState {
  step: number;
  status: 'pending' | 'active' | 'completed';
  recipientIds: string[];
}

export interface EnvelopeState {
  id: string;
  tenantId: string;
  title: string;
  message: string;
  owner: Owner;
  status: EnvelopeStatus;
  createdAt: string;
  updatedAt: string;
  documents: DocumentRecord[];
  recipients: RecipientState[];
  steps: StepState[];
  currentStep: number | null;
  voidedReason?: string;
  /** Sequence number of the last event folded in. */
  version: number;
  headHash: string;
}

function stepsOf(recipients: RecipientState[], status: EnvelopeStatus): StepState[] {
  const numbers = [...new Set(recipients.map((r) => r.step))].sort((a, b) => a - b);
  return numbers.map((step) => {
    const members = recipients.filter((r) => r.step === step);
    const done = members.every((r) => r.status === 'signed');
    const active = status === 'sent' && !done;
    return {
      step,
      status: done ? 'completed' : active ? 'active' : 'pending',
      recipientIds: members.map((r) => r.id),
    };
  });
}

export function applyEvent(state: EnvelopeState | null, event: EnvelopeEvent): EnvelopeState {
  switch (event.type) {
    case 'envelope.created': {
      if (state) throw new Error(`envelope ${event.envelopeId} created twice`);
      const recipients = event.data.recipients.map((r) => ({ ...r, status: 'created' as const }));
      return {
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
        steps: stepsOf(recipients, 'draft'),
        currentStep: null,
        version: event.seq,
        headHash: event.hash,
      };
    }
    case 'envelope.voided': {
      if (!state) throw new Error(`envelope ${event.envelopeId} voided before it was created`);
      return {
        ...state,
        status: 'voided',
        voidedReason: event.data.reason,
        currentStep: null,
        steps: stepsOf(state.recipients, 'voided'),
        updatedAt: event.at,
        version: event.seq,
        headHash: event.hash,
      };
    }
  }
}

export function foldEnvelope(
  events: readonly EnvelopeEvent[],
  from: EnvelopeState | null = null,
): EnvelopeState {
  const state = events.reduce<EnvelopeState | null>(applyEvent, from);
  if (!state) throw new Error('no events to fold');
  return state;
}

export function isFinal(status: EnvelopeStatus): boolean {
  return FINAL_STATUSES.includes(status);
}
