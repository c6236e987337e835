import { describe, expect, it } from 'vitest';
import {
  COMPLETION_FORMAT,
  completionCertificate,
  completionRecord,
} from '../../../functions/core/completion/certificate';
import { foldEnvelope } from '../../../functions/core/envelope';
import { canonicalJson } from '../../../functions/core/hashing';
import { browser, LogBuilder, recipient, SENDER } from './log';

const SEALED_AT = new Date('2026-11-02T12:00:00.000Z');

/**
 * A route with most of what can happen to a part: an access code with a wrong attempt, a
 * reassignment, a consent withdrawn and given again, a signing group where one member signs for
 * both, an approver authenticated by SMS, a reminder, and a carbon copy.
 */
function richLog() {
  const log = new LogBuilder();
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
          sha256: '1'.repeat(64),
          size: 1000,
          pages: [
            { width: 612, height: 792 },
            { width: 612, height: 792 },
          ],
          storageKey: 'k1',
        },
        {
          id: 'doc2',
          name: 'annex.pdf',
          sha256: '2'.repeat(64),
          size: 500,
          pages: [{ width: 595, height: 842 }],
          storageKey: 'k2',
        },
      ],
      recipients: [
        recipient('r5', 'Carla Copy', 2, { role: 'carbon_copy' }),
        recipient('r1', 'José Müller-Ñúñez', 1, { auth: { method: 'access_code' } }),
        recipient('r2', 'Old Holder', 1),
        recipient('g1-m1', 'Ana Legal', 2, { group: { id: 'g1', name: 'Legal' } }),
        recipient('g1-m2', '王小明', 2, { group: { id: 'g1', name: 'Legal' } }),
        recipient('r4', 'محمد العلي', 2, {
          role: 'approver',
          auth: { method: 'sms', phone: '+15555550123' },
        }),
      ],
      requestHash: 'h',
    },
    SENDER,
  );
  log.add('envelope.sent', { stepCount: 2, expiresAt: '2027-03-01T00:00:00.000Z' }, SENDER);
  log.add('recipient.invited', { recipientId: 'r1', step: 1, email: 'r1@customer.example', messageId: 'm1' });
  log.add('recipient.invited', { recipientId: 'r2', step: 1, email: 'r2@customer.example', messageId: 'm2' });
  log.add(
    'recipient.reassigned',
    {
      recipientId: 'r2',
      from: { name: 'Old Holder', email: 'r2@customer.example' },
      to: { name: 'Nora New', email: 'nora@customer.example' },
      reason: 'Left the company',
      by: 'sender',
    },
    SENDER,
  );
  log.add('recipient.invitation_resent', {
    recipientId: 'r2',
    email: 'nora@customer.example',
    messageId: 'm3',
    revoked: 1,
  });
  const a = browser('r1', 1);
  log.add(
    'recipient.auth_failed',
    { recipientId: 'r1', method: 'access_code', attempt: 1, reason: 'wrong_code' },
    a,
  );
  log.add('recipient.authenticated', { recipientId: 'r1', method: 'access_code' }, a);
  log.add('recipient.viewed', { recipientId: 'r1' }, a);
  log.add('recipient.document_viewed', { recipientId: 'r1', documentId: 'doc1', sha256: '1'.repeat(64) }, a);
  log.add(
    'recipient.consented',
    { recipientId: 'r1', disclosureVersion: '2026-11-1', disclosureSha256: 'd' },
    a,
  );
  const signed = (
    id: string,
    step: number,
    authMethod: 'email' | 'access_code',
    group?: { id: string; name: string },
  ) =>
    log.add(
      'recipient.signed',
      {
        recipientId: id,
        step,
        signature: { kind: 'typed', text: id },
        documents: [
          { id: 'doc1', sha256: '1'.repeat(64) },
          { id: 'doc2', sha256: '2'.repeat(64) },
        ],
        intent: 'I agree',
        authMethod,
        ...(group ? { group, memberEmail: `${id}@customer.example` } : {}),
      },
      browser(id, id === 'r1' ? 1 : id === 'r2' ? 2 : 3),
    );
  signed('r1', 1, 'access_code');
  const b = browser('r2', 2);
  log.add('recipient.viewed', { recipientId: 'r2' }, b);
  log.add(
    'recipient.consented',
    { recipientId: 'r2', disclosureVersion: '2026-10-1', disclosureSha256: 'd' },
    b,
  );
  log.add('recipient.consent_withdrawn', { recipientId: 'r2' }, b);
  log.add('recipient.invitation_resent', {
    recipientId: 'r2',
    email: 'nora@customer.example',
    messageId: 'm4',
    revoked: 1,
  });
  log.add(
    'recipient.consented',
    { recipientId: 'r2', disclosureVersion: '2026-11-1', disclosureSha256: 'd' },
    b,
  );
  signed('r2', 1, 'email');
  for (const id of ['g1-m1', 'g1-m2', 'r4']) {
    log.add('recipient.invited', {
      recipientId: id,
      step: 2,
      email: `${id}@customer.example`,
      messageId: id,
    });
  }
  log.add('recipient.reminded', { recipientId: 'g1-m1', count: 1, messageId: 'rem1' });
  const c = browser('g1-m2', 3);
  log.add('recipient.viewed', { recipientId: 'g1-m2' }, c);
  log.add(
    'recipient.consented',
    { recipientId: 'g1-m2', disclosureVersion: '2026-11-1', disclosureSha256: 'd' },
    c,
  );
  signed('g1-m2', 2, 'email', { id: 'g1', name: 'Legal' });
  const d = browser('r4', 4);
  log.add(
    'recipient.auth_code_sent',
    { recipientId: 'r4', method: 'sms', to: '+1******0123', expiresAt: '2026-11-02T10:00:00.000Z' },
    d,
  );
  log.add('recipient.authenticated', { recipientId: 'r4', method: 'sms' }, d);
  log.add('recipient.viewed', { recipientId: 'r4' }, d);
  log.add(
    'recipient.consented',
    { recipientId: 'r4', disclosureVersion: '2026-11-1', disclosureSha256: 'd' },
    d,
  );
  log.add(
    'recipient.approved',
    {
      recipientId: 'r4',
      step: 2,
      documents: [{ id: 'doc1', sha256: '1'.repeat(64) }],
      intent: 'I approve',
      authMethod: 'sms',
    },
    d,
  );
  return log;
}

describe('completionRecord', () => {
  const log = richLog();
  const state = foldEnvelope(log.events);
  const record = completionRecord(state, log.events, SEALED_AT);
  const byId = (id: string) => record.recipients.find((r) => r.id === id)!;
  const at = (seq: number) => log.events[seq - 1]!.at;

  it('has exactly the agreed top-level shape', () => {
    expect(Object.keys(record).sort()).toEqual(
      [
        'auditHead',
        'documents',
        'envelopeId',
        'format',
        'recipients',
        'sealedAt',
        'tenantId',
        'title',
      ].sort(),
    );
    expect(record).toMatchObject({
      format: COMPLETION_FORMAT,
      envelopeId: 'env-cert-1',
      tenantId: 'tenant-a',
      title: 'Support agreement 2027',
      sealedAt: '2026-11-02T12:00:00.000Z',
    });
    expect(record.documents).toEqual([
      { id: 'doc1', name: 'msa.pdf', sha256: '1'.repeat(64), pages: 2 },
      { id: 'doc2', name: 'annex.pdf', sha256: '2'.repeat(64), pages: 1 },
    ]);
  });

  it('names the last event of the log as the audit head', () => {
    const last = log.events.at(-1)!;
    expect(record.auditHead).toEqual({ seq: last.seq, hash: last.hash });
    expect(record.auditHead).toEqual({ seq: state.version, hash: state.headHash });
  });

  it('lists the recipients in routing order, as they stand at the end', () => {
    expect(record.recipients.map((r) => [r.id, r.name, r.role, r.step])).toEqual([
      ['r1', 'José Müller-Ñúñez', 'signer', 1],
      ['r2', 'Nora New', 'signer', 1],
      ['r5', 'Carla Copy', 'carbon_copy', 2],
      ['g1-m1', 'Ana Legal', 'signer', 2],
      ['g1-m2', '王小明', 'signer', 2],
      ['r4', 'محمد العلي', 'approver', 2],
    ]);
    expect(byId('r2').email).toBe('nora@customer.example');
  });

  it('gives each recipient their procedure, consent, act and group', () => {
    expect(byId('r1')).toMatchObject({
      authMethod: 'access_code',
      consent: { version: '2026-11-1', at: at(11) },
      signedAt: at(12),
    });
    // The consent given again after the withdrawal.
    expect(byId('r2')).toMatchObject({ authMethod: 'email', consent: { version: '2026-11-1', at: at(17) } });
    expect(byId('g1-m2')).toMatchObject({ group: { id: 'g1', name: 'Legal' }, signedAt: expect.any(String) });
    expect(byId('g1-m1')).toEqual(
      expect.objectContaining({ group: { id: 'g1', name: 'Legal' }, authMethod: 'email' }),
    );
    expect(byId('g1-m1')).not.toHaveProperty('signedAt');
    expect(byId('g1-m1')).not.toHaveProperty('consent');
    expect(byId('r4')).toMatchObject({ authMethod: 'sms', approvedAt: log.events.at(-1)!.at });
    expect(byId('r4')).not.toHaveProperty('signedAt');
    expect(byId('r5')).toEqual({
      id: 'r5',
      name: 'Carla Copy',
      email: 'r5@customer.example',
      role: 'carbon_copy',
      step: 2,
      authMethod: 'email',
      events: [],
    });
  });

  it('lists every event of a recipient with the address and browser of their own requests', () => {
    expect(byId('r1').events).toEqual([
      { type: 'recipient.invited', at: at(3) },
      {
        type: 'recipient.auth_failed',
        at: at(7),
        ip: '198.51.100.1',
        userAgent: expect.stringMatching(/Firefox/),
      },
      { type: 'recipient.authenticated', at: at(8), ip: '198.51.100.1', userAgent: expect.any(String) },
      { type: 'recipient.viewed', at: at(9), ip: '198.51.100.1', userAgent: expect.any(String) },
      { type: 'recipient.document_viewed', at: at(10), ip: '198.51.100.1', userAgent: expect.any(String) },
      { type: 'recipient.consented', at: at(11), ip: '198.51.100.1', userAgent: expect.any(String) },
      { type: 'recipient.signed', at: at(12), ip: '198.51.100.1', userAgent: expect.any(String) },
    ]);
    // The sender's reassignment is in the part's history, without the sender's address.
    expect(byId('r2').events.map((e) => e.type)).toEqual([
      'recipient.invited',
      'recipient.reassigned',
      'recipient.invitation_resent',
      'recipient.viewed',
      'recipient.consented',
      'recipient.consent_withdrawn',
      'recipient.invitation_resent',
      'recipient.consented',
      'recipient.signed',
    ]);
    expect(byId('r2').events[1]).toEqual({ type: 'recipient.reassigned', at: at(5) });
    expect(byId('g1-m1').events.map((e) => e.type)).toEqual(['recipient.invited', 'recipient.reminded']);
    expect(byId('r4').events.map((e) => e.type)).toEqual([
      'recipient.invited',
      'recipient.auth_code_sent',
      'recipient.authenticated',
      'recipient.viewed',
      'recipient.consented',
      'recipient.approved',
    ]);
    // Every event about a recipient is in exactly one history.
    const counted = record.recipients.reduce((n, r) => n + r.events.length, 0);
    expect(counted).toBe(log.events.filter((e) => 'recipientId' in (e.data as object)).length);
  });

  it('is plain JSON: canonical JSON of it parses back to the same record', () => {
    expect(JSON.parse(canonicalJson(record))).toEqual(record);
    expect(canonicalJson(record)).not.toContain('undefined');
  });

  it('leaves out events appended after the state was read: the head stays where the state is', () => {
    const earlier = foldEnvelope(log.events.slice(0, 12));
    const partial = completionRecord(earlier, log.events, SEALED_AT);
    expect(partial.auditHead).toEqual({ seq: 12, hash: log.events[11]!.hash });
    expect(partial.recipients.find((r) => r.id === 'r2')!.events.map((e) => e.type)).toEqual([
      'recipient.invited',
      'recipient.reassigned',
      'recipient.invitation_resent',
    ]);
  });

  it('refuses events that do not lead to the state', () => {
    const other = richLog();
    other.events[3] = { ...other.events[3]!, hash: 'f'.repeat(64) };
    expect(() => completionRecord(state, other.events.slice(0, 10), SEALED_AT)).toThrow(/do not lead/);
  });

  it('tells the pages what the record does not carry', () => {
    const cert = completionCertificate(state, log.events, SEALED_AT);
    expect(cert.sender).toEqual({ sub: 'sam', email: 'sam@vendor.example' });
    expect(cert.createdAt).toBe(at(1));
    expect(cert.sentAt).toBe(at(2));
    expect(cert.completedAt).toBe('2026-11-02T12:00:00.000Z');
    const detail = (id: string) => cert.details[record.recipients.findIndex((r) => r.id === id)]!;
    expect(detail('g1-m1').outcome).toBe('Group signed by 王小明');
    expect(detail('r4')).toMatchObject({ outcome: 'Approved', ip: '198.51.100.4' });
    expect(detail('r2').previousHolders).toEqual([
      {
        name: 'Old Holder',
        email: 'r2@customer.example',
        at: at(5),
        by: 'sender',
        reason: 'Left the company',
      },
    ]);
    expect(detail('r1').history.map((h) => h.what)).toEqual([
      'Invited (step 1)',
      'Wrong code (attempt 1)',
      'Authenticated (access code)',
      'Opened the link',
      'Viewed document doc1',
      'Consented (disclosure 2026-11-1)',
      'Signed',
    ]);
    expect(detail('r4').history[1]!.what).toBe('SMS code sent to +1******0123');
  });
});
