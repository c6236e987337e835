import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { GENESIS_HASH, seal } from '../../functions/core/audit-chain';
import {
  foldEnvelope,
  isFinal,
  type EnvelopeEvent,
  type EnvelopeEventType,
} from '../../functions/core/envelope';

const created = seal<EnvelopeEvent>({
  envelopeId: 'e1',
  tenantId: 't1',
  seq: 1,
  type: 'envelope.created',
  at: '2026-11-30T10:00:00.000Z',
  actor: { kind: 'user', id: 'u1' },
  prevHash: GENESIS_HASH,
  data: {
    title: 'MSA',
    message: 'please sign',
    owner: { sub: 'u1' },
    requestHash: 'x',
    documents: [
      {
        id: 'doc1',
        name: 'a.pdf',
        sha256: 'h',
        size: 10,
        pages: [{ width: 612, height: 792 }],
        storageKey: 'k',
      },
    ],
    recipients: [
      { id: 'r1', name: 'A', email: 'a@x.test', role: 'signer', step: 1, fields: [] },
      { id: 'r2', name: 'B', email: 'b@x.test', role: 'signer', step: 1, fields: [] },
      { id: 'r3', name: 'C', email: 'c@x.test', role: 'signer', step: 2, fields: [] },
    ],
  },
});

describe('envelope state', () => {
  it('starts as a draft with its routing steps in order', () => {
    const state = foldEnvelope([created]);
    expect(state).toMatchObject({
      id: 'e1',
      tenantId: 't1',
      status: 'draft',
      version: 1,
      headHash: created.hash,
    });
    expect(state.steps).toEqual([
      { step: 1, status: 'pending', recipientIds: ['r1', 'r2'] },
      { step: 2, status: 'pending', recipientIds: ['r3'] },
    ]);
    expect(state.recipients.map((r) => r.status)).toEqual(['created', 'created', 'created']);
  });

  it('records a void with its reason and is final', () => {
    const voided = seal<EnvelopeEvent>({
      envelopeId: 'e1',
      tenantId: 't1',
      seq: 2,
      type: 'envelope.voided',
      at: '2026-11-30T11:00:00.000Z',
      actor: { kind: 'user', id: 'u1' },
      prevHash: created.hash,
      data: { reason: 'terms changed' },
    });
    const state = foldEnvelope([voided], foldEnvelope([created]));
    expect(state).toMatchObject({
      status: 'voided',
      voidedReason: 'terms changed',
      version: 2,
      updatedAt: voided.at,
    });
    expect(isFinal(state.status)).toBe(true);
    expect(isFinal('draft')).toBe(false);
  });

  it('refuses a log that does not start with creation', () => {
    expect(() => foldEnvelope([])).toThrow(/no events/);
    expect(() => foldEnvelope([created, created])).toThrow(/created twice/);
  });
});

describe('docs/audit-trail.md', () => {
  it('documents every event type', () => {
    // A Record over the union: a new event type fails to compile here until it is listed.
    const types: Record<EnvelopeEventType, true> = {
      'envelope.created': true,
      'envelope.voided': true,
      'envelope.sent': true,
      'recipient.invited': true,
      'recipient.invitation_resent': true,
      'recipient.email_corrected': true,
      'recipient.reassigned': true,
      'envelope.legal_hold_placed': true,
      'envelope.legal_hold_released': true,
      'recipient.viewed': true,
      'recipient.document_viewed': true,
      'recipient.consented': true,
      'recipient.consent_withdrawn': true,
      'recipient.auth_code_sent': true,
      'recipient.auth_failed': true,
      'recipient.auth_locked': true,
      'recipient.authenticated': true,
      'recipient.signed': true,
      'recipient.approved': true,
      'recipient.declined': true,
      'recipient.reminded': true,
      'envelope.expiry_warned': true,
      'envelope.expired': true,
      'envelope.completed': true,
      'envelope.parties_notified': true,
    };
    const doc = readFileSync(new URL('../../docs/audit-trail.md', import.meta.url), 'utf8');
    for (const type of Object.keys(types)) expect(doc, type).toContain(`\`${type}\``);
  });
});
