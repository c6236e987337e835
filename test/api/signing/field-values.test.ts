import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { SigningSession } from '../../../functions/api/schemas';
import { DISCLOSURE_VERSION } from '../../../functions/core/disclosure';
import { startTestService, type TestService } from '../../support/service';
import { pageText, pdfsig, renderPage } from '../../support/pdfsig';
import { envelopeBody, newTenant, sha256 } from '../helpers';
import {
  createRouted,
  darkPixels,
  download,
  eventsOfType,
  invitationToken,
  readEnvelope,
  sendEnvelope,
  signaturePng,
  signer,
  uniqueEmail,
  waitForStatus,
  waitForStep,
  type Party,
} from '../../support/signing';

let service: TestService;

beforeAll(async () => {
  service = await startTestService();
});

afterAll(async () => {
  await service?.close();
});

const SESSION = '/v1/signing/session';
const CONSENT = '/v1/signing/consent';
const SIGN = '/v1/signing/sign';

/** Boxes on the US Letter page, in points from its top-left corner. */
const BOX = {
  sig: { x: 72, y: 100, width: 240, height: 80 },
  init: { x: 340, y: 100, width: 60, height: 30 },
  signed_on: { x: 420, y: 100, width: 120, height: 20 },
  company: { x: 72, y: 220, width: 240, height: 20 },
  seats: { x: 340, y: 220, width: 80, height: 20 },
  start: { x: 440, y: 220, width: 100, height: 20 },
  accept: { x: 72, y: 262, width: 16, height: 16 },
  tier: { x: 120, y: 260, width: 140, height: 20 },
  notes: { x: 300, y: 260, width: 240, height: 20 },
  ben_sig: { x: 72, y: 400, width: 240, height: 80 },
  po: { x: 340, y: 400, width: 150, height: 20 },
};

/** One field of every type for Ada, and an optional text left empty. */
const ADA_FIELDS = [
  { type: 'signature', name: 'sig', ...BOX.sig },
  { type: 'initials', name: 'init', ...BOX.init },
  { type: 'date_signed', name: 'signed_on', ...BOX.signed_on },
  {
    type: 'text',
    name: 'company',
    required: true,
    validation: { pattern: '[A-Za-z0-9 .,&-]+', min: 2, max: 60 },
    ...BOX.company,
  },
  { type: 'number', name: 'seats', required: true, validation: { min: 1, max: 500 }, ...BOX.seats },
  {
    type: 'date',
    name: 'start',
    required: true,
    validation: { min: '2026-01-01', max: '2027-12-31' },
    ...BOX.start,
  },
  { type: 'checkbox', name: 'accept', required: true, ...BOX.accept },
  {
    type: 'dropdown',
    name: 'tier',
    required: true,
    validation: { options: ['Standard', 'Premium'] },
    ...BOX.tier,
  },
  { type: 'text', name: 'notes', ...BOX.notes },
].map((f) => ({ page: 1, ...f }));

const BEN_FIELDS = [
  { type: 'signature', name: 'sig', ...BOX.ben_sig },
  { type: 'text', name: 'po', ...BOX.po },
].map((f) => ({ page: 1, ...f }));

const GOOD = { company: 'Acme Support Ltd.', seats: 120, start: '2026-04-01', accept: true, tier: 'Premium' };

describe('fields the signer fills: checked on signing, recorded, and flattened into the sealed PDF', () => {
  let tenant: string;
  let token: string;
  let envelope: Record<string, any>;
  let ada: Party;
  let ben: Party;
  let adaLink: string;
  /** Ada's field ids by name, as her session lists them. */
  const id: Record<string, string> = {};

  beforeAll(async () => {
    tenant = newTenant('fields');
    token = await service.token('sender', { tenant, sub: 'sam', email: `sam.${tenant}@vendor.example` });
    const routed = await createRouted(service, token, tenant, [
      { name: 'Ada Buyer', step: 1, fields: ADA_FIELDS },
      { name: 'Ben Counsel', step: 2, fields: BEN_FIELDS },
    ]);
    envelope = routed.envelope;
    [ada, ben] = [routed.signers[0]!, routed.signers[1]!];
    await sendEnvelope(service, token, envelope.id);
    await waitForStep(service, tenant, envelope.id, 1);
    adaLink = await invitationToken(service, ada.email);
  }, 60_000);

  it('the session lists each field with its id, name, type, whether it is required and its rules', async () => {
    const res = await signer(service, 'GET', SESSION, adaLink);
    expect(res.status).toBe(200);
    expect(SigningSession.safeParse(res.body).error).toBeUndefined();
    const fields = res.body.recipient.fields as any[];
    for (const f of fields) id[f.name] = f.id;
    expect(fields.map((f) => [f.id, f.name, f.type, f.required, f.validation])).toEqual([
      [`${ada.id}-sig`, 'sig', 'signature', true, undefined],
      [`${ada.id}-init`, 'init', 'initials', true, undefined],
      [`${ada.id}-signed_on`, 'signed_on', 'date_signed', false, undefined],
      [`${ada.id}-company`, 'company', 'text', true, { pattern: '[A-Za-z0-9 .,&-]+', min: 2, max: 60 }],
      [`${ada.id}-seats`, 'seats', 'number', true, { min: 1, max: 500 }],
      [`${ada.id}-start`, 'start', 'date', true, { min: '2026-01-01', max: '2027-12-31' }],
      [`${ada.id}-accept`, 'accept', 'checkbox', true, undefined],
      [`${ada.id}-tier`, 'tier', 'dropdown', true, { options: ['Standard', 'Premium'] }],
      [`${ada.id}-notes`, 'notes', 'text', false, undefined],
    ]);
    expect(fields[3]).toMatchObject({ documentId: 'doc1', page: 1, ...BOX.company });
    const consent = await signer(service, 'POST', CONSENT, adaLink, {
      disclosureVersion: DISCLOSURE_VERSION,
    });
    expect(consent.status).toBe(200);
  });

  const good = (): Record<string, unknown> =>
    Object.fromEntries(Object.entries(GOOD).map(([name, value]) => [id[name], value]));

  it('refuses each bad value with 400 naming the field and what is wrong; nothing is recorded', async () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        'text not matching its pattern',
        { company: 'Acme <Support>' },
        'company',
        /does not match the pattern/,
      ],
      ['text shorter than its min', { company: 'A' }, 'company', /at least 2 characters/],
      ['text over 1000 characters', { company: 'x'.repeat(1001) }, 'company', /at most 1000 characters/],
      ['text over its max', { company: 'y'.repeat(61) }, 'company', /at most 60 characters/],
      ['text that is a number', { company: 42 }, 'company', /must be text/],
      ['a number given as text', { seats: '120' }, 'seats', /must be a number/],
      ['a number below its min', { seats: 0 }, 'seats', /at least 1/],
      ['a number above its max', { seats: 501 }, 'seats', /at most 500/],
      ['a date that does not exist', { start: '2026-02-30' }, 'start', /YYYY-MM-DD that exists/],
      ['a date in another format', { start: '04/01/2026' }, 'start', /YYYY-MM-DD/],
      ['a date before its min', { start: '2025-12-31' }, 'start', /on or after 2026-01-01/],
      ['a date after its max', { start: '2028-01-01' }, 'start', /on or before 2027-12-31/],
      ['a required checkbox left unchecked', { accept: false }, 'accept', /must be checked/],
      ['a checkbox that is not a boolean', { accept: 'yes' }, 'accept', /true or false/],
      ['a dropdown value that is not an option', { tier: 'Gold' }, 'tier', /one of "Standard", "Premium"/],
      ['a required text left empty', { company: '   ' }, 'company', /required/],
    ];
    for (const [what, change, name, message] of cases) {
      const values = { ...good(), ...Object.fromEntries(Object.entries(change).map(([k, v]) => [id[k], v])) };
      const res = await signer(service, 'POST', SIGN, adaLink, {
        signature: { type: 'typed', text: 'Ada Buyer' },
        fields: values,
        agree: true,
      });
      expect(res.status, what).toBe(400);
      expect(res.body.error.code, what).toBe('validation_failed');
      expect(res.body.error.details, what).toEqual([
        { path: `body.fields.${id[name]}`, message: expect.stringMatching(message) },
      ]);
    }

    const refused: [string, Record<string, unknown>, string, RegExp][] = [
      ['an unknown field id', { nope: 'x' }, 'nope', /no field with this id/],
      ["another recipient's field", { [`${ben.id}-po`]: 'PO-1' }, `${ben.id}-po`, /another recipient/],
      ['a value for the signature field', { [id.sig!]: 'x' }, id.sig!, /takes no value/],
      ['a value for the initials field', { [id.init!]: 'AB' }, id.init!, /takes no value/],
      ['a value for the date_signed field', { [id.signed_on!]: '2026-01-01' }, id.signed_on!, /signing date/],
    ];
    for (const [what, extra, key, message] of refused) {
      const res = await signer(service, 'POST', SIGN, adaLink, {
        signature: { type: 'typed', text: 'Ada Buyer' },
        fields: { ...good(), ...extra },
        agree: true,
      });
      expect(res.status, what).toBe(400);
      expect(res.body.error.details, what).toEqual([
        { path: `body.fields.${key}`, message: expect.stringMatching(message) },
      ]);
    }

    // Nothing given: every required value is named at once.
    const none = await signer(service, 'POST', SIGN, adaLink, {
      signature: { type: 'typed', text: 'Ada Buyer' },
      agree: true,
    });
    expect(none.status).toBe(400);
    expect(none.body.error.details.map((d: any) => d.path)).toEqual(
      ['company', 'seats', 'start', 'accept', 'tier'].map((n) => `body.fields.${id[n]}`),
    );

    // A value that is no JSON scalar is refused by the request schema, under the same path.
    const object = await signer(service, 'POST', SIGN, adaLink, {
      signature: { type: 'typed', text: 'Ada Buyer' },
      fields: { ...good(), [id.notes!]: { text: 'x' } },
      agree: true,
    });
    expect(object.status).toBe(400);
    expect(object.body.error.details[0].path).toContain(`body.fields.${id.notes}`);

    expect(await eventsOfType(service, tenant, envelope.id, 'recipient.signed')).toHaveLength(0);
    const now = await readEnvelope(service, token, envelope.id);
    expect(now.status).toBe('sent');
    expect(now.recipients[0].status).toBe('viewed');
  });

  it('accepts good values and records every field in the signed event, initials from the typed signature', async () => {
    const res = await signer(service, 'POST', SIGN, adaLink, {
      signature: { type: 'typed', text: 'Ada Buyer' },
      // Text is recorded trimmed.
      fields: { ...good(), [id.company!]: '  Acme Support Ltd. ' },
      agree: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.recipient.status).toBe('signed');
    const [signed] = await eventsOfType(service, tenant, envelope.id, 'recipient.signed');
    const day = signed!.at.slice(0, 10);
    expect(signed!.data.signature).toEqual({ kind: 'typed', text: 'Ada Buyer' });
    expect(signed!.data.initials).toEqual({ kind: 'typed', text: 'AB' });
    expect(signed!.data.fields).toEqual([
      { id: id.sig, name: 'sig', type: 'signature', kind: 'typed' },
      { id: id.init, name: 'init', type: 'initials', kind: 'typed', value: 'AB' },
      { id: id.signed_on, name: 'signed_on', type: 'date_signed', value: day },
      { id: id.company, name: 'company', type: 'text', value: 'Acme Support Ltd.' },
      { id: id.seats, name: 'seats', type: 'number', value: 120 },
      { id: id.start, name: 'start', type: 'date', value: '2026-04-01' },
      { id: id.accept, name: 'accept', type: 'checkbox', value: true },
      { id: id.tier, name: 'tier', type: 'dropdown', value: 'Premium' },
      { id: id.notes, name: 'notes', type: 'text' },
    ]);
  });

  describe('after the second signer and completion', () => {
    let sealed: Uint8Array;
    let signedOn: string;

    beforeAll(async () => {
      await waitForStep(service, tenant, envelope.id, 2);
      const link = await invitationToken(service, ben.email);
      const session = await signer(service, 'GET', SESSION, link);
      expect(session.body.recipient.fields.map((f: any) => f.id)).toEqual([`${ben.id}-sig`, `${ben.id}-po`]);
      await signer(service, 'POST', CONSENT, link, { disclosureVersion: DISCLOSURE_VERSION });
      // Initials for someone without initials fields, and a value for Ada's field: refused.
      const initials = await signer(service, 'POST', SIGN, link, {
        signature: { type: 'typed', text: 'Ben Counsel' },
        initials: { type: 'typed', text: 'BC' },
        agree: true,
      });
      expect(initials.status).toBe(400);
      expect(initials.body.error.details).toEqual([{ path: 'body.initials', message: expect.any(String) }]);
      const hers = await signer(service, 'POST', SIGN, link, {
        signature: { type: 'typed', text: 'Ben Counsel' },
        fields: { [id.company!]: 'Other Ltd.' },
        agree: true,
      });
      expect(hers.status).toBe(400);
      expect(hers.body.error.details[0].message).toMatch(/another recipient/);
      const ok = await signer(service, 'POST', SIGN, link, {
        signature: { type: 'typed', text: 'Ben Counsel' },
        fields: { [`${ben.id}-po`]: 'PO-4471' },
        agree: true,
      });
      expect(ok.status).toBe(200);
      const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
      const linkRes = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
      expect(linkRes.status).toBe(200);
      sealed = await download(linkRes.body.url);
      expect(sha256(sealed)).toBe(done.sealedDocuments[0].sha256);
      const [first] = await eventsOfType(service, tenant, envelope.id, 'recipient.signed');
      signedOn = first!.at.slice(0, 10);
    }, 60_000);

    it('the sealed PDF shows the values, the initials and the signing date as text', async () => {
      const text = await pageText(sealed, 1);
      for (const value of ['Acme Support Ltd.', '120', '2026-04-01', 'Premium', 'PO-4471', 'AB', signedOn]) {
        expect(text, value).toContain(value);
      }
    });

    it('the check mark is drawn, and the empty optional field stays blank', async () => {
      const page = PNG.sync.read(await renderPage(sealed, 1, 72));
      expect(darkPixels(page, BOX.accept)).toBeGreaterThan(20);
      expect(darkPixels(page, BOX.notes)).toBe(0);
      for (const name of ['company', 'seats', 'start', 'tier', 'init', 'signed_on', 'po'] as const) {
        expect(darkPixels(page, BOX[name]), name).toBeGreaterThan(20);
      }
    });

    it('the seal is still valid over the whole file', async () => {
      const { signatures, output } = await pdfsig(sealed);
      expect(signatures, output).toHaveLength(1);
      expect(signatures[0]).toMatchObject({ validation: 'Signature is Valid.', totalDocumentSigned: true });
    });

    it('the audit trail verifies and holds the values in the recipient.signed events', async () => {
      const res = await service.api('GET', `/v1/envelopes/${envelope.id}/audit`, { token });
      expect(res.status).toBe(200);
      expect(res.body.verified).toBe(true);
      const signed = (res.body.events as any[]).filter((e) => e.type === 'recipient.signed');
      expect(signed.map((e) => e.data.recipientId)).toEqual([ada.id, ben.id]);
      expect(signed[0].data.fields).toContainEqual({
        id: id.seats,
        name: 'seats',
        type: 'number',
        value: 120,
      });
      expect(signed[0].data.fields).toContainEqual({
        id: id.signed_on,
        name: 'signed_on',
        type: 'date_signed',
        value: signedOn,
      });
      expect(signed[1].data.fields).toEqual([
        { id: `${ben.id}-sig`, name: 'sig', type: 'signature', kind: 'typed' },
        { id: `${ben.id}-po`, name: 'po', type: 'text', value: 'PO-4471' },
      ]);
      expect(signed[1].data.initials).toBeUndefined();
    });
  });
});

describe('drawn initials', () => {
  it('are stored by hash, recorded as drawn, and drawn into the initials field', async () => {
    const tenant = newTenant('initials');
    const token = await service.token('sender', { tenant });
    const { envelope, signers } = await createRouted(service, token, tenant, [
      {
        name: 'Cleo Drawn',
        step: 1,
        fields: [
          { type: 'signature', page: 1, ...BOX.sig },
          { type: 'initials', page: 1, ...BOX.init },
        ],
      },
    ]);
    await sendEnvelope(service, token, envelope.id);
    const link = await invitationToken(service, signers[0]!.email);
    await signer(service, 'GET', SESSION, link);
    await signer(service, 'POST', CONSENT, link, { disclosureVersion: DISCLOSURE_VERSION });
    const png = signaturePng(90, 45);
    const res = await signer(service, 'POST', SIGN, link, {
      signature: { type: 'typed', text: 'Cleo Drawn' },
      initials: { type: 'drawn', pngBase64: png.toString('base64') },
      agree: true,
    });
    expect(res.status).toBe(200);
    const [signed] = await eventsOfType(service, tenant, envelope.id, 'recipient.signed');
    expect(signed!.data.initials).toMatchObject({ kind: 'drawn', pngSha256: sha256(png) });
    expect(signed!.data.fields).toEqual([
      { id: `${signers[0]!.id}-f1`, type: 'signature', kind: 'typed' },
      { id: `${signers[0]!.id}-f2`, type: 'initials', kind: 'drawn' },
    ]);
    const done = await waitForStatus(service, token, envelope.id, 'completed', 30_000);
    const linkRes = await service.api('GET', `/v1/envelopes/${envelope.id}/documents/doc1`, { token });
    const sealed = await download(linkRes.body.url);
    expect(sha256(sealed)).toBe(done.sealedDocuments[0].sha256);
    const page = PNG.sync.read(await renderPage(sealed, 1, 72));
    expect(darkPixels(page, BOX.init)).toBeGreaterThan(20);
  }, 60_000);
});

describe('fields checked when an envelope is created', () => {
  it('refuses rules that do not fit the field, naming each', async () => {
    const token = await service.token('sender', { tenant: newTenant('create-fields') });
    const at = (i: number) => ({ page: 1, x: 72, y: 100 + i * 30, width: 150, height: 20 });
    const body = await envelopeBody({
      recipients: [
        {
          name: 'Ada Buyer',
          email: uniqueEmail('ada'),
          step: 1,
          fields: [
            { type: 'signature', ...at(0) },
            { type: 'dropdown', name: 'tier', ...at(1) },
            { type: 'text', name: 'code', validation: { pattern: '([a-z' }, ...at(2) },
            { type: 'number', name: 'seats', validation: { min: 10, max: 5 }, ...at(3) },
            { type: 'number', name: 'seats', ...at(4) },
            { type: 'checkbox', name: 'ok', validation: { pattern: 'x' }, ...at(5) },
            { type: 'date', name: 'start', validation: { min: '2026-02-30' }, ...at(6) },
            { type: 'dropdown', name: 'plan', validation: { options: ['A', 'A'] }, ...at(7) },
          ],
        },
      ],
    });
    const res = await service.api('POST', '/v1/envelopes', { token, body });
    expect(res.status).toBe(400);
    const f = (j: number) => `body.recipients[0].fields[${j}]`;
    expect(res.body.error.details).toEqual([
      { path: `${f(1)}.validation.options`, message: 'a dropdown needs its options' },
      {
        path: `${f(2)}.validation.pattern`,
        message: expect.stringMatching(/not a valid regular expression/),
      },
      { path: `${f(3)}.validation.max`, message: 'max (5) is below min (10)' },
      { path: `${f(4)}.name`, message: expect.stringMatching(/duplicate field name "seats"/) },
      { path: `${f(5)}.validation.pattern`, message: expect.stringMatching(/does not apply to a checkbox/) },
      { path: `${f(6)}.validation.min`, message: 'must be a date YYYY-MM-DD' },
      { path: `${f(7)}.validation.options`, message: 'options repeat' },
    ]);
    expect(res.body.error.message).toMatch(/^invalid fields: /);
  });

  it('accepts fields of every type with fitting rules', async () => {
    const token = await service.token('sender', { tenant: newTenant('create-fields') });
    const body = await envelopeBody({
      recipients: [{ name: 'Ada Buyer', email: uniqueEmail('ada'), step: 1, fields: ADA_FIELDS }],
    });
    const res = await service.api('POST', '/v1/envelopes', { token, body });
    expect(res.status).toBe(201);
    expect(res.body.recipients[0].fields.map((f: any) => f.id)).toEqual(
      ADA_FIELDS.map((f) => `${res.body.recipients[0].id}-${f.name}`),
    );
  });
});
