import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ENVELOPE_SETTINGS } from '../../functions/core/envelope';
import { startTestService, type TestService } from '../support/service';
import { tenantWith as tenantOf } from '../support/tenants';
import { createRouted, invitationToken, mailTo, sendEnvelope, signer } from '../support/signing';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

const SETTINGS = '/v1/tenant/settings';

const tenantWith = (label: string) => tenantOf(service, label);

describe('tenant settings', () => {
  it('start at version 0 with the built-in defaults, and nobody may reassign or delegate', async () => {
    const t = await tenantWith('fresh');
    const res = await service.api('GET', SETTINGS, { token: t.sender });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: 0,
      envelopeDefaults: DEFAULT_ENVELOPE_SETTINGS,
      recipientChanges: { senderMayReassign: false, recipientMayDelegate: false },
    });
  });

  it('an admin saves a new version; envelopes of the tenant then start from its defaults, others do not', async () => {
    const t = await tenantWith('defaults');
    const put = await service.api('PUT', SETTINGS, {
      token: t.admin,
      body: {
        envelopeDefaults: { expiresInDays: 30, warnDaysBefore: 5, reminders: { everyHours: 24, max: 4 } },
        recipientChanges: { senderMayReassign: true },
        version: 0,
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({
      version: 1,
      envelopeDefaults: {
        expiresInDays: 30,
        warnDaysBefore: 5,
        reminders: { firstAfterHours: 48, everyHours: 24, max: 4 },
        notifySender: DEFAULT_ENVELOPE_SETTINGS.notifySender,
      },
      recipientChanges: { senderMayReassign: true, recipientMayDelegate: false },
      updatedBy: { sub: 'admin-1', email: 'admin@acme.test' },
    });
    expect((await service.api('GET', SETTINGS, { token: t.sender })).body).toEqual(put.body);

    const plain = await createRouted(service, t.sender, t.tenant, [1]);
    expect(plain.envelope.settings).toEqual(put.body.envelopeDefaults);
    // What the envelope sets wins; the rest comes from the tenant.
    const own = await createRouted(service, t.sender, t.tenant, [1], {
      settings: { expiresInDays: 10, reminders: { max: 1 } },
    });
    expect(own.envelope.settings).toMatchObject({
      expiresInDays: 10,
      warnDaysBefore: 5,
      reminders: { firstAfterHours: 48, everyHours: 24, max: 1 },
    });

    const other = await tenantWith('untouched');
    const elsewhere = await createRouted(service, other.sender, other.tenant, [1]);
    expect(elsewhere.envelope.settings).toEqual(DEFAULT_ENVELOPE_SETTINGS);
  });

  it('a default that does not fit one envelope is fitted to it, not refused', async () => {
    const t = await tenantWith('fitted');
    const put = await service.api('PUT', SETTINGS, {
      token: t.admin,
      body: { envelopeDefaults: { reminders: { max: 50, firstAfterHours: 24 * 100 }, warnDaysBefore: 10 } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    // 26 steps share 500 reminder rounds: 19 per recipient; a 5-day expiry moves the warning to the day before.
    const long = await createRouted(
      service,
      t.sender,
      t.tenant,
      [...Array(26).keys()].map((i) => ({ step: i + 1, fields: [] })),
      {
        settings: { expiresInDays: 5 },
      },
    );
    expect(long.envelope.settings).toMatchObject({
      expiresInDays: 5,
      warnDaysBefore: 4,
      reminders: { max: 19, firstAfterHours: 2400 },
    });
  });

  it('a change made from a stale version is refused (409); changes at the same moment never overwrite each other', async () => {
    const t = await tenantWith('race');
    const first = await service.api('PUT', SETTINGS, { token: t.admin, body: { version: 0 } });
    expect(first.body.version).toBe(1);
    const stale = await service.api('PUT', SETTINGS, {
      token: t.admin,
      body: { version: 0, envelopeDefaults: { expiresInDays: 7 } },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/changed since version 0 \(now version 1\)/);

    const racing = await Promise.all(
      [7, 8, 9, 10].map((days) =>
        service.api('PUT', SETTINGS, { token: t.admin, body: { envelopeDefaults: { expiresInDays: days } } }),
      ),
    );
    const saved = racing.filter((r) => r.status === 200);
    expect(saved.length).toBeGreaterThanOrEqual(1);
    expect(racing.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    // Every saved change got its own version: none overwrote another.
    expect(new Set(saved.map((r) => r.body.version)).size).toBe(saved.length);

    const history = await service.api('GET', `${SETTINGS}/history`, { token: t.admin });
    expect(history.status).toBe(200);
    expect(history.body.items.map((v: any) => v.version)).toEqual(
      [...Array(1 + saved.length).keys()].map((i) => 1 + saved.length - i),
    );
  });

  it('only an admin changes them or reads their history; a sender gets 403 and nothing is saved', async () => {
    const t = await tenantWith('forbidden');
    const put = await service.api('PUT', SETTINGS, {
      token: t.sender,
      body: { recipientChanges: { senderMayReassign: true } },
    });
    expect(put.status).toBe(403);
    expect(put.body.error.message).toMatch(/only an admin/);
    expect((await service.api('GET', `${SETTINGS}/history`, { token: t.sender })).status).toBe(403);
    expect((await service.api('GET', SETTINGS, { token: t.sender })).body.version).toBe(0);
    expect((await service.api('GET', SETTINGS)).status).toBe(401);
  });

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'a reminder interval below one hour',
      { envelopeDefaults: { reminders: { everyHours: 0 } } },
      'body.envelopeDefaults.reminders.everyHours',
      /at least 1 hour/,
    ],
    [
      'a warning not before the expiry',
      { envelopeDefaults: { expiresInDays: 5, warnDaysBefore: 5 } },
      'body.envelopeDefaults.warnDaysBefore',
      /less than expiresInDays \(5\)/,
    ],
    [
      'an expiry beyond 360 days',
      { envelopeDefaults: { expiresInDays: 400 } },
      'body.envelopeDefaults.expiresInDays',
      /at most 360/,
    ],
    [
      'a first reminder after the expiry',
      { envelopeDefaults: { expiresInDays: 2, reminders: { firstAfterHours: 49 } } },
      'body.envelopeDefaults.reminders.firstAfterHours',
      /above the expiry/,
    ],
    ['an unknown setting', { autoVoid: true }, 'body', /autoVoid/],
    [
      'a permission that is not true or false',
      { recipientChanges: { senderMayReassign: 'yes' } },
      'body.recipientChanges.senderMayReassign',
      /boolean/,
    ],
  ];
  it.each(bad)(
    '%s: 400 naming the path; the settings stay as they were',
    async (_what, body, path, message) => {
      const t = await tenantWith('bad');
      const res = await service.api('PUT', SETTINGS, { token: t.admin, body });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      const details = (res.body.error.details ?? []) as { path: string; message: string }[];
      expect(details.map((d) => d.path)).toContain(path);
      expect(`${res.body.error.message} ${details.map((d) => d.message).join(' ')}`).toMatch(message);
      expect((await service.api('GET', SETTINGS, { token: t.admin })).body.version).toBe(0);
    },
  );
});

describe('tenant branding', () => {
  /** The smallest PNG: a 1x1 pixel. */
  const PIXEL =
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

  it('a logo and two colours are kept (colours in lower case) and shown to every role', async () => {
    const t = await tenantWith('branding');
    const put = await service.api('PUT', SETTINGS, {
      token: t.admin,
      body: {
        branding: { logoPngBase64: PIXEL, primaryColor: '#0B5CAD', accentColor: '#ffb020' },
        version: 0,
      },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.branding).toEqual({
      logoPngBase64: PIXEL,
      primaryColor: '#0b5cad',
      accentColor: '#ffb020',
    });
    expect((await service.api('GET', SETTINGS, { token: t.auditor })).body.branding).toEqual(
      put.body.branding,
    );
    // A whole new version: without branding, the product's own look comes back.
    const plain = await service.api('PUT', SETTINGS, { token: t.admin, body: { version: 1 } });
    expect(plain.body.branding).toBeUndefined();
  });

  it('a logo that is not a PNG, over 200 KB or not base64, and a colour that is not #rrggbb, are refused at their paths', async () => {
    const t = await tenantWith('branding-bad');
    const refused = async (branding: Record<string, unknown>) => {
      const res = await service.api('PUT', SETTINGS, { token: t.admin, body: { branding } });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      return res.body.error.details as { path: string; message: string }[];
    };
    expect(
      await refused({ logoPngBase64: Buffer.from('GIF89a not a png at all...........').toString('base64') }),
    ).toEqual([{ path: 'body.branding.logoPngBase64', message: 'must be a PNG image' }]);
    const big = Buffer.concat([Buffer.from(PIXEL, 'base64'), Buffer.alloc(201 * 1024)]).toString('base64');
    expect(await refused({ logoPngBase64: big })).toEqual([
      { path: 'body.branding.logoPngBase64', message: expect.stringContaining('at most 200 KB') },
    ]);
    expect(await refused({ logoPngBase64: `data:image/png;base64,${PIXEL}` })).toEqual([
      { path: 'body.branding.logoPngBase64', message: 'must be base64 (without a data: prefix)' },
    ]);
    expect(await refused({ primaryColor: 'blue' })).toContainEqual(
      expect.objectContaining({ path: 'body.branding.primaryColor' }),
    );
    expect((await service.api('GET', SETTINGS, { token: t.admin })).body.version).toBe(0);
  });

  it("the signing session carries the sender organisation's branding; the invitation has it as HTML", async () => {
    const t = await tenantWith('branding-session');
    await service.api('PUT', SETTINGS, {
      token: t.admin,
      body: { branding: { logoPngBase64: PIXEL, primaryColor: '#0b5cad' } },
    });
    const email = `branded.${Date.now()}@customer.example`;
    const routed = await createRouted(service, t.sender, t.tenant, [{ step: 1, email }]);
    await sendEnvelope(service, t.sender, routed.envelope.id);
    const link = await invitationToken(service, email);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    expect(session.body.branding).toEqual({ logoPngBase64: PIXEL, primaryColor: '#0b5cad' });
    const [invitation] = await mailTo(service, email, 'Please sign');
    // The logo travels as the HTML's related image part (cid:, which web mail shows); the local
    // SES's parser shows such a part in place as a data: URI, so the bytes are checked here.
    expect(invitation!.body.html).toContain(`<img src="data:image/png;base64,${PIXEL}"`);
    expect(invitation!.body.html).toContain('background:#0b5cad');
    // Another tenant's recipients see none of it.
    const other = await tenantWith('branding-other');
    const otherEmail = `plain.${Date.now()}@customer.example`;
    const plain = await createRouted(service, other.sender, other.tenant, [{ step: 1, email: otherEmail }]);
    await sendEnvelope(service, other.sender, plain.envelope.id);
    const otherLink = await invitationToken(service, otherEmail);
    expect((await signer(service, 'GET', '/v1/signing/session', otherLink)).body.branding).toBeUndefined();
    expect((await mailTo(service, otherEmail, 'Please sign'))[0]!.body.html).toBeUndefined();
  });
});
