import { GENESIS_HASH, seal, type Actor } from '../../../functions/core/audit-chain';
import type { EnvelopeEvent, RecipientSpec } from '../../../functions/core/envelope';

/** Builds a hash-chained event log by hand, one event a second from `start`. */
export class LogBuilder {
  readonly events: EnvelopeEvent[] = [];
  private clock: number;

  constructor(
    readonly envelopeId = 'env-cert-1',
    readonly tenantId = 'tenant-a',
    start = '2026-11-02T09:00:00.000Z',
  ) {
    this.clock = Date.parse(start);
  }

  add<T extends EnvelopeEvent['type']>(
    type: T,
    data: Extract<EnvelopeEvent, { type: T }>['data'],
    actor: Actor = { kind: 'system', id: 'signing-route' },
  ): EnvelopeEvent {
    const last = this.events.at(-1);
    const event = seal<EnvelopeEvent>({
      envelopeId: this.envelopeId,
      tenantId: this.tenantId,
      seq: this.events.length + 1,
      type,
      at: new Date(this.clock).toISOString(),
      actor,
      data,
      prevHash: last?.hash ?? GENESIS_HASH,
    } as Omit<EnvelopeEvent, 'hash'>);
    this.clock += 1000;
    this.events.push(event);
    return event;
  }
}

export const SENDER: Actor = { kind: 'user', id: 'sam', email: 'sam@vendor.example', ip: '192.0.2.9' };

/** A recipient acting from their browser. */
export const browser = (id: string, n: number): Actor => ({
  kind: 'recipient',
  id,
  ip: `198.51.100.${n}`,
  userAgent: `Mozilla/5.0 (X11; Linux x86_64) Firefox/${120 + n}.0`,
});

export function recipient(
  id: string,
  name: string,
  step: number,
  extra: Partial<RecipientSpec> = {},
): RecipientSpec {
  return {
    id,
    name,
    email: `${id}@customer.example`,
    role: 'signer',
    step,
    fields: [],
    ...extra,
  };
}

/** `count` signers in one step, each invited, viewing, consenting and signing from a browser. */
export function signedLog(names: string[], options: { slaTerms?: Record<string, unknown> } = {}): LogBuilder {
  const log = new LogBuilder();
  const recipients = names.map((name, i) => recipient(`r${i + 1}`, name, 1));
  log.add(
    'envelope.created',
    {
      title: 'Support agreement 2027',
      message: 'Please sign',
      owner: { sub: 'sam', email: 'sam@vendor.example' },
      documents: [
        {
          id: 'doc1',
          name: 'msa.pdf',
          sha256: 'a'.repeat(64),
          size: 1000,
          pages: [{ width: 612, height: 792 }],
          storageKey: 'k',
        },
      ],
      recipients,
      ...(options.slaTerms ? { slaTerms: options.slaTerms as never } : {}),
      requestHash: 'h',
    },
    SENDER,
  );
  log.add('envelope.sent', { stepCount: 1, expiresAt: '2027-03-01T00:00:00.000Z' }, SENDER);
  recipients.forEach((r, i) => {
    log.add('recipient.invited', { recipientId: r.id, step: 1, email: r.email, messageId: `m${i}` });
  });
  recipients.forEach((r, i) => {
    const actor = browser(r.id, (i % 250) + 1);
    log.add('recipient.viewed', { recipientId: r.id }, actor);
    log.add(
      'recipient.consented',
      { recipientId: r.id, disclosureVersion: '2026-11-1', disclosureSha256: 'd'.repeat(64) },
      actor,
    );
    log.add(
      'recipient.signed',
      {
        recipientId: r.id,
        step: 1,
        signature: { kind: 'typed', text: r.name },
        documents: [{ id: 'doc1', sha256: 'a'.repeat(64) }],
        intent: 'I agree',
        authMethod: 'email',
      },
      actor,
    );
  });
  return log;
}
