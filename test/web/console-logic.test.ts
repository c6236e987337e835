import { describe, expect, it } from 'vitest';
import { matchRoute, nestMergeData, nextReminder } from '../../web/console/logic';
import type { Envelope, Recipient } from '../../web/console/types';

/** The console's rules that need no browser: routes, merge data, and when a reminder is due. */

describe('routes', () => {
  const pages = [
    { path: '/envelopes' },
    { path: '/envelopes/:id' },
    { path: '/templates/:tid' },
    { path: '/templates/new' },
    { path: '/send' },
    { path: '/send/template' },
  ];

  it('matches by segments, takes parameters decoded, and prefers literal segments', () => {
    expect(matchRoute('/envelopes', pages)?.entry.path).toBe('/envelopes');
    expect(matchRoute('/envelopes/01H%2Dx', pages)).toEqual({
      entry: { path: '/envelopes/:id' },
      params: { id: '01H-x' },
    });
    expect(matchRoute('/send/template', pages)?.entry.path).toBe('/send/template');
    // Listed after the parameter, the literal still wins.
    expect(matchRoute('/templates/new', pages)?.entry.path).toBe('/templates/new');
    expect(matchRoute('/templates/t1', pages)?.params).toEqual({ tid: 't1' });
  });

  it('answers null for what no page has, and for a parameter that is not valid percent-encoding', () => {
    expect(matchRoute('/nowhere', pages)).toBeNull();
    expect(matchRoute('/envelopes/a/b', pages)).toBeNull();
    expect(matchRoute('/envelopes/%E0%A4%A', pages)).toBeNull();
  });
});

describe('merge data', () => {
  it('nests dotted keys as the API reads them', () => {
    expect(
      nestMergeData({
        'customer.name': 'Acme',
        'customer.address.city': 'Lyon',
        'fee.monthly': '10',
        effective_from: '2026-01-01',
      }),
    ).toEqual({
      customer: { name: 'Acme', address: { city: 'Lyon' } },
      fee: { monthly: '10' },
      effective_from: '2026-01-01',
    });
  });
});

describe('the next reminder', () => {
  const invited = '2026-03-01T09:00:00.000Z';
  const recipient = (over: Partial<Recipient> = {}): Recipient => ({
    id: 'r1',
    name: 'Ada',
    email: 'ada@customer.example',
    role: 'signer',
    step: 1,
    status: 'sent',
    fields: [],
    auth: { method: 'email' },
    invitedAt: invited,
    ...over,
  });
  const envelope = (over: Partial<Envelope> = {}): Envelope =>
    ({
      id: 'e1',
      status: 'sent',
      settings: {
        reminders: { firstAfterHours: 48, everyHours: 24, max: 3 },
        expiresInDays: 30,
        warnDaysBefore: 3,
        notifySender: { signed: true, completed: true, declined: true, expired: true },
      },
      expiresAt: '2026-03-31T09:00:00.000Z',
      steps: [
        { step: 1, status: 'active', recipientIds: ['r1'], invitedAt: invited },
        { step: 2, status: 'pending', recipientIds: ['r2'] },
      ],
      ...over,
    }) as Envelope;

  it('is firstAfterHours after the invitations, then everyHours after the last reminder', () => {
    expect(nextReminder(envelope(), recipient())?.toISOString()).toBe('2026-03-03T09:00:00.000Z');
    expect(
      nextReminder(
        envelope(),
        recipient({ reminders: 1, remindedAt: '2026-03-03T09:00:05.000Z' }),
      )?.toISOString(),
    ).toBe('2026-03-04T09:00:05.000Z');
  });

  it('is null once the most were sent, or when the next would come after the expiry', () => {
    expect(
      nextReminder(envelope(), recipient({ reminders: 3, remindedAt: '2026-03-05T09:00:00.000Z' })),
    ).toBeNull();
    expect(nextReminder(envelope({ expiresAt: '2026-03-02T09:00:00.000Z' }), recipient())).toBeNull();
  });

  it('is undefined for who is not waited for', () => {
    expect(nextReminder(envelope(), recipient({ status: 'signed' }))).toBeUndefined();
    expect(nextReminder(envelope(), recipient({ role: 'carbon_copy' }))).toBeUndefined();
    expect(nextReminder(envelope(), recipient({ step: 2 }))).toBeUndefined();
    expect(nextReminder(envelope({ status: 'voided' }), recipient())).toBeUndefined();
  });
});
