import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedClock, systemIds, type FixedClock } from '../../../functions/adapters/system';
import { NodeFontSource } from '../../../functions/adapters/fonts/node-font-source';
import { openLocalSealKit } from '../../../functions/local/seal-kit';
import { GENESIS_HASH, seal, type UnhashedEvent } from '../../../functions/core/audit-chain';
import {
  DEFAULT_ENVELOPE_SETTINGS,
  foldEnvelope,
  type EnvelopeEvent,
  type EnvelopeSettings,
  type EnvelopeState,
  type RecipientSpec,
} from '../../../functions/core/envelope';
import { appendEvent, loadEnvelope } from '../../../functions/core/envelope-repository';
import { ConcurrencyError, IntegrityError } from '../../../functions/core/errors';
import { sha256Hex } from '../../../functions/core/hashing';
import {
  DEFAULT_LIMITS,
  type DocumentStore,
  type EnvelopeKey,
  type EnvelopeStore,
  type ListQuery,
  type Mailer,
  type MailMessage,
  type Page,
  type Ports,
  type PresignedRequest,
  type SignerTokenRecord,
  type SignerTokenStore,
  type SignerAuthStore,
  type HashedSecret,
  type OneTimeCodeRecord,
  type WaitRecord,
  type WaitStore,
  type Workflow,
} from '../../../functions/core/ports';
import { makePdf } from '../../support/pdf';

/** In-memory stand-ins for the ports the signing route's tasks use. */

const keyOf = (k: EnvelopeKey) => `${k.tenantId}/${k.envelopeId}`;

export class MemoryEnvelopeStore implements EnvelopeStore {
  readonly events = new Map<string, EnvelopeEvent[]>();
  readonly snapshots = new Map<string, EnvelopeState>();

  async loadEvents(key: EnvelopeKey, afterSeq = 0): Promise<EnvelopeEvent[]> {
    return structuredClone((this.events.get(keyOf(key)) ?? []).filter((e) => e.seq > afterSeq));
  }

  async append(event: EnvelopeEvent): Promise<void> {
    const list = this.events.get(keyOf(event)) ?? [];
    // As the DynamoDB condition does: one item per sequence number.
    if (list.some((e) => e.seq === event.seq)) throw new ConcurrencyError(`seq ${event.seq} is taken`);
    list.push(structuredClone(event));
    list.sort((a, b) => a.seq - b.seq);
    this.events.set(keyOf(event), list);
  }

  async loadSnapshot(key: EnvelopeKey): Promise<EnvelopeState | null> {
    const found = this.snapshots.get(keyOf(key));
    return found ? structuredClone(found) : null;
  }

  async saveSnapshot(state: EnvelopeState): Promise<void> {
    const key = keyOf({ tenantId: state.tenantId, envelopeId: state.id });
    const current = this.snapshots.get(key);
    if (!current || current.version < state.version) this.snapshots.set(key, structuredClone(state));
  }

  async list(query: ListQuery): Promise<Page<EnvelopeState>> {
    return {
      items: [...this.snapshots.values()].filter((s) => s.tenantId === query.tenantId).slice(0, query.limit),
    };
  }
}

export class MemoryDocumentStore implements DocumentStore {
  readonly objects = new Map<string, { bytes: Uint8Array; sha256: string; contentType?: string }>();
  /** Keys in the order they were written (a key written twice appears twice). */
  readonly puts: string[] = [];

  async putDocument(
    key: string,
    bytes: Uint8Array,
    sha256: string,
    _retainUntil: Date,
    contentType?: string,
  ) {
    if (sha256Hex(bytes) !== sha256) throw new IntegrityError(`${key}: bytes do not match ${sha256}`);
    this.objects.set(key, { bytes: new Uint8Array(bytes), sha256, ...(contentType ? { contentType } : {}) });
    this.puts.push(key);
  }

  async getDocument(key: string, expectedSha256: string): Promise<Uint8Array> {
    const found = this.objects.get(key);
    if (!found) throw new Error(`no document ${key}`);
    if (found.sha256 !== expectedSha256) throw new IntegrityError(`${key} is not ${expectedSha256}`);
    return new Uint8Array(found.bytes);
  }

  async documentUrl(key: string, _filename: string, seconds: number): Promise<PresignedRequest> {
    return {
      url: `https://documents.example/${encodeURIComponent(key)}`,
      method: 'GET',
      headers: {},
      expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
    };
  }

  stagingUploadUrl(): Promise<PresignedRequest> {
    throw new Error('not used by the signing route');
  }
  readStaging(): Promise<Uint8Array | null> {
    throw new Error('not used by the signing route');
  }
  deleteStaging(): Promise<void> {
    throw new Error('not used by the signing route');
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<{ messageId: string }> {
    this.sent.push(message);
    return { messageId: `mail-${this.sent.length}` };
  }
}

export class MemorySigningStore implements SignerTokenStore, SignerAuthStore, WaitStore {
  readonly tokens = new Map<string, SignerTokenRecord>();
  readonly waits = new Map<string, WaitRecord>();
  readonly secrets = new Map<string, HashedSecret | OneTimeCodeRecord>();
  async markAuthenticated(tokenHash: string, at: string) {
    const record = this.tokens.get(tokenHash);
    if (record && !record.authenticatedAt) this.tokens.set(tokenHash, { ...record, authenticatedAt: at });
  }
  async putAccessCode(key: EnvelopeKey, recipientId: string, secret: HashedSecret) {
    this.secrets.set(`${keyOf(key)}#ACCESS#${recipientId}`, { ...secret });
  }
  async getAccessCode(key: EnvelopeKey, recipientId: string) {
    return (this.secrets.get(`${keyOf(key)}#ACCESS#${recipientId}`) as HashedSecret | undefined) ?? null;
  }
  async putOneTimeCode(key: EnvelopeKey, recipientId: string, code: OneTimeCodeRecord) {
    this.secrets.set(`${keyOf(key)}#OTP#${recipientId}`, { ...code });
  }
  async getOneTimeCode(key: EnvelopeKey, recipientId: string) {
    return (this.secrets.get(`${keyOf(key)}#OTP#${recipientId}`) as OneTimeCodeRecord | undefined) ?? null;
  }
  async deleteOneTimeCode(key: EnvelopeKey, recipientId: string) {
    this.secrets.delete(`${keyOf(key)}#OTP#${recipientId}`);
  }
  async putToken(record: SignerTokenRecord) {
    this.tokens.set(record.tokenHash, { ...record });
  }
  async getToken(tokenHash: string) {
    return this.tokens.get(tokenHash) ?? null;
  }
  async revokeRecipient(key: EnvelopeKey, recipientId: string, at: string) {
    let revoked = 0;
    for (const [hash, record] of this.tokens) {
      const ours =
        record.tenantId === key.tenantId &&
        record.envelopeId === key.envelopeId &&
        record.recipientId === recipientId;
      if (ours && !record.revokedAt) {
        this.tokens.set(hash, { ...record, revokedAt: at });
        revoked++;
      }
    }
    return revoked;
  }
  async putWait(record: WaitRecord) {
    this.waits.set(keyOf(record), { ...record });
  }
  async getWait(key: EnvelopeKey) {
    return this.waits.get(keyOf(key)) ?? null;
  }
}

export type WorkflowCall =
  | { kind: 'start'; name: string; input: unknown }
  | { kind: 'success'; token: string; output: unknown }
  | { kind: 'failure'; token: string; error: string; cause: string };

/** Records what the tasks tell the workflow; `reject` makes answers to task tokens throw. */
export class FakeWorkflow implements Workflow {
  readonly calls: WorkflowCall[] = [];
  reject: ((token: string) => Error | undefined) | undefined;
  async start(name: string, input: unknown) {
    this.calls.push({ kind: 'start', name, input });
    return { executionId: `exec-${this.calls.length}` };
  }
  async redrive(): Promise<'not_found'> {
    throw new Error('not used by the signing route');
  }
  async taskSuccess(token: string, output: unknown) {
    this.calls.push({ kind: 'success', token, output });
    const error = this.reject?.(token);
    if (error) throw error;
  }
  async taskFailure(token: string, error: string, cause: string) {
    this.calls.push({ kind: 'failure', token, error, cause });
    const thrown = this.reject?.(token);
    if (thrown) throw thrown;
  }
}

export interface FakePorts extends Ports {
  clock: FixedClock;
  envelopes: MemoryEnvelopeStore;
  documents: MemoryDocumentStore;
  mail: RecordingMailer;
  signerTokens: MemorySigningStore;
  signerAuth: MemorySigningStore;
  waits: MemorySigningStore;
  workflow: FakeWorkflow;
}

const unused = () => {
  throw new Error('not used by the signing route');
};

let sealKit: Promise<Ports['seal']> | undefined;
const fonts = new NodeFontSource();

export async function fakePorts(): Promise<FakePorts> {
  const clock = fixedClock(new Date('2026-03-02T09:00:00Z'));
  sealKit ??= openLocalSealKit(join(mkdtempSync(join(tmpdir(), 'countersign-route-tasks-')), 'seal'), clock);
  const signing = new MemorySigningStore();
  return {
    clock,
    ids: systemIds,
    envelopes: new MemoryEnvelopeStore(),
    idempotency: { begin: unused, complete: unused, release: unused },
    uploads: { putUpload: unused, getUpload: unused },
    verifyUploads: { putVerifyUpload: unused, getVerifyUpload: unused },
    documents: new MemoryDocumentStore(),
    mail: new RecordingMailer(),
    limits: DEFAULT_LIMITS,
    signerTokens: signing,
    signerAuth: signing,
    sms: { send: unused },
    waits: signing,
    workflow: new FakeWorkflow(),
    seal: await sealKit,
    fonts,
    links: { publicUrl: 'https://sign.example' },
    tenantSettings: { getSettings: async () => null, putSettings: unused, listSettings: unused },
    legalHolds: { setLegalHold: unused, isOnLegalHold: unused },
    templates: { loadEvents: unused, append: unused, list: unused },
    contracts: { loadEvents: unused, append: unused, list: unused },
    sla: {
      putTickets: unused,
      getTicket: unused,
      listTickets: unused,
      putOutages: unused,
      listOutages: unused,
      putRejected: unused,
      listRejected: unused,
      issueStatement: unused,
      listIssued: unused,
      claimAlert: unused,
    },
    slaWebhooks: {
      putWebhookSecret: unused,
      getWebhookSecret: unused,
      getMonitoringCheck: unused,
      putMonitoringCheck: unused,
      getPendingTicket: unused,
      putPendingTicket: unused,
      deletePendingTicket: unused,
    },
    scheduler: { at: unused, cron: unused, cancel: unused },
    bulkSends: { createBatch: unused, getBatch: unused, putOutcome: unused, listOutcomes: unused },
  };
}

let pdf: Promise<Uint8Array> | undefined;
let counter = 0;

/**
 * A sent envelope whose signers sit in `steps`, with its one document stored; returns its key.
 * Without `settings` it is recorded as before settings existed (the defaults apply).
 */
export async function seedSentEnvelope(
  ports: FakePorts,
  steps: number[],
  settings?: EnvelopeSettings,
): Promise<EnvelopeKey> {
  pdf ??= makePdf([[612, 792]]);
  const bytes = await pdf;
  const tenantId = 'tenant-a';
  const envelopeId = `env${String(counter++).padStart(4, '0')}`;
  const storageKey = `tenants/${tenantId}/envelopes/${envelopeId}/documents/doc1.pdf`;
  const sha256 = sha256Hex(bytes);
  await ports.documents.putDocument(storageKey, bytes, sha256, new Date(), 'application/pdf');
  ports.documents.puts.length = 0;
  const recipients: RecipientSpec[] = steps.map((step, i) => ({
    id: `r${i + 1}`,
    name: `Signer ${i + 1}`,
    email: `signer${i + 1}.${envelopeId}@customer.example`,
    role: 'signer',
    step,
    fields: [
      {
        id: `f${i + 1}`,
        type: 'signature',
        documentId: 'doc1',
        page: 1,
        x: 72,
        y: 100 + i * 90,
        width: 200,
        height: 60,
      },
    ],
  }));
  const at = ports.clock.now().toISOString();
  const sender = { kind: 'user' as const, id: 'sam', email: 'sam@vendor.example' };
  const created = seal({
    envelopeId,
    tenantId,
    seq: 1,
    prevHash: GENESIS_HASH,
    type: 'envelope.created',
    at,
    actor: sender,
    data: {
      title: `Agreement ${envelopeId}`,
      message: '',
      owner: { sub: 'sam', email: 'sam@vendor.example' },
      documents: [
        {
          id: 'doc1',
          name: 'msa.pdf',
          sha256,
          size: bytes.length,
          pages: [{ width: 612, height: 792 }],
          storageKey,
        },
      ],
      recipients,
      ...(settings ? { settings } : {}),
      requestHash: sha256Hex(envelopeId),
    },
  } as UnhashedEvent<EnvelopeEvent>);
  await ports.envelopes.append(created);
  const state = foldEnvelope([created]);
  await ports.envelopes.saveSnapshot(state);
  await appendEvent(ports.envelopes, state, {
    type: 'envelope.sent',
    at,
    actor: sender,
    data: {
      stepCount: new Set(steps).size,
      expiresAt: new Date(
        ports.clock.now().getTime() + (settings ?? DEFAULT_ENVELOPE_SETTINGS).expiresInDays * 86_400_000,
      ).toISOString(),
    },
  });
  return { tenantId, envelopeId };
}

/** Records a signature as the signing handler would, without the handler's checks. */
export async function recordSigned(
  ports: FakePorts,
  key: EnvelopeKey,
  recipientId: string,
): Promise<EnvelopeState> {
  const current = await loadEnvelope(ports.envelopes, key);
  const r = current.recipients.find((x) => x.id === recipientId)!;
  const { state } = await appendEvent(ports.envelopes, current, {
    type: 'recipient.signed',
    at: ports.clock.now().toISOString(),
    actor: { kind: 'recipient', id: r.id, email: r.email },
    data: {
      recipientId: r.id,
      step: r.step,
      signature: { kind: 'typed', text: r.name },
      documents: current.documents.map((d) => ({ id: d.id, sha256: d.sha256 })),
      intent: 'I agree',
    },
  });
  return state;
}

export async function recordVoided(ports: FakePorts, key: EnvelopeKey): Promise<EnvelopeState> {
  const current = await loadEnvelope(ports.envelopes, key);
  const { state } = await appendEvent(ports.envelopes, current, {
    type: 'envelope.voided',
    at: ports.clock.now().toISOString(),
    actor: { kind: 'user', id: 'sam' },
    data: { reason: 'Wrong customer' },
  });
  return state;
}

export async function typesOf(ports: FakePorts, key: EnvelopeKey): Promise<string[]> {
  return (await ports.envelopes.loadEvents(key)).map((e) => e.type);
}
