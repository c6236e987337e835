import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageText, pdfsig, renderPage } from '../support/pdfsig';
import {
  download as fetchBytes,
  invitationToken,
  sendEnvelope,
  signer,
  uniqueEmail,
  waitForStatus,
  waitForStep,
} from '../support/signing';
import { startTestService, type TestService } from '../support/service';
import { exampleTerms, templateBody } from '../support/templates';
import { tenantWith as tenantOf } from '../support/tenants';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => service.close());

const tenantWith = (label: string) => tenantOf(service, label);

const ROLES = {
  customer: { name: 'Ada Buyer', email: 'ada@customer.example' },
  vendor: { name: 'Victor Vendor', email: 'victor@vendor.example' },
  procurement: { name: 'Pat Procurement', email: 'pat@customer.example' },
};
const MERGE = {
  customer: { name: 'Acme Corporation' },
  fee: { monthly: 'USD 10,000.00' },
  effective_from: '2025-01-01',
};

async function template(token: string, overrides: Record<string, unknown> = {}) {
  const res = await service.api('POST', '/v1/templates', { token, body: await templateBody(overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as Record<string, any>;
}

async function fromTemplate(token: string, body: Record<string, unknown>) {
  return service.api('POST', '/v1/envelopes', { token, body: { title: 'Acme support 2025', ...body } });
}

async function download(token: string, envelopeId: string, doc: string): Promise<Uint8Array> {
  const link = await service.api('GET', `/v1/envelopes/${envelopeId}/documents/${doc}`, { token });
  expect(link.status, JSON.stringify(link.body)).toBe(200);
  return new Uint8Array(await (await fetch(link.body.url)).arrayBuffer());
}

/** Dark pixels inside a box given in PDF points from the top-left, on a page rendered at `dpi`. */
function inkIn(png: Buffer, box: { x: number; y: number; width: number; height: number }, dpi = 72): number {
  const image = PNG.sync.read(png);
  const k = dpi / 72;
  let dark = 0;
  for (let y = Math.floor(box.y * k); y < Math.ceil((box.y + box.height) * k); y++) {
    for (let x = Math.floor(box.x * k); x < Math.ceil((box.x + box.width) * k); x++) {
      const i = (y * image.width + x) * 4;
      if (image.data[i]! < 128 && image.data[i + 1]! < 128 && image.data[i + 2]! < 128) dark++;
    }
  }
  return dark;
}

describe('an envelope from a template', () => {
  it('gets the PDF with merge values and the SLA schedule, the roles as recipients with their fields, and the terms', async () => {
    const t = await tenantWith('from-template');
    const tpl = await template(t.sender);
    const res = await fromTemplate(t.sender, { template: { id: tpl.id }, roles: ROLES, mergeData: MERGE });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const env = res.body;
    expect(env.template).toMatchObject({ id: tpl.id, version: 1, name: tpl.name, mergeData: MERGE });
    const schedule = env.template.schedulePages;
    expect(schedule.first).toBe(2);
    expect(schedule.count).toBeGreaterThanOrEqual(1);
    expect(env.documents).toHaveLength(1);
    expect(env.documents[0].pageCount ?? env.documents[0].pages?.length).toBe(2 + schedule.count);
    expect(env.slaTerms).toEqual(exampleTerms());
    expect(env.message).toBe('Please review and sign the support agreement.');
    expect(env.settings.expiresInDays).toBe(30);

    const byId = Object.fromEntries(env.recipients.map((r: any) => [r.id, r]));
    expect(byId.customer).toMatchObject({ role: 'signer', step: 1, email: 'ada@customer.example' });
    expect(byId.vendor).toMatchObject({ role: 'approver', step: 2, fields: [] });
    expect(byId.procurement).toMatchObject({ role: 'carbon_copy', step: 2 });
    const fields = Object.fromEntries(byId.customer.fields.map((f: any) => [f.name, f]));
    expect(Object.keys(fields).sort()).toEqual(tpl.fields.map((f: any) => f.name).sort());
    // Fields after the schedule move down by its pages; those before it stay.
    expect(fields.customer_initials.page).toBe(1);
    expect(fields.customer_signature.page).toBe(2 + schedule.count);
    expect(fields.support_tier).toMatchObject({
      type: 'dropdown',
      validation: { options: ['Standard', 'Premium', 'Enterprise'] },
    });

    const pdf = await download(t.sender, env.id, env.documents[0].id);
    const first = await pageText(pdf, 1);
    expect(first).toContain('Acme Corporation');
    expect(first).toContain('USD 10,000.00');
    expect(first).toContain('2025-01-01');
    // The merge values are drawn in their boxes.
    const png = await renderPage(pdf, 1, 72);
    for (const m of tpl.mergeFields) expect(inkIn(png, m), m.key).toBeGreaterThan(20);

    const scheduleText = (
      await Promise.all(Array.from({ length: schedule.count }, (_, i) => pageText(pdf, schedule.first + i)))
    ).join('\n');
    const terms = exampleTerms();
    expect(scheduleText).toContain(terms.contract_id);
    for (const s of terms.severities) expect(scheduleText).toContain(s.id);
    // The page after the schedule is the template's second page.
    expect(await pageText(pdf, 2 + schedule.count)).toContain('Support maintenance agreement');
  });

  it('takes a named approved version, and the request settings over the template ones', async () => {
    const t = await tenantWith('versions');
    const tpl = await template(t.sender);
    const { id, roles, fields, mergeFields, slaTerms, scheduleAfterPage, name } = tpl;
    const v2 = await service.api('PUT', `/v1/templates/${id}`, {
      token: t.sender,
      body: {
        name,
        roles,
        fields,
        mergeFields,
        message: 'Version two',
        slaTerms,
        scheduleAfterPage,
        baseVersion: 1,
      },
    });
    expect(v2.status).toBe(200);
    const latest = await fromTemplate(t.sender, { template: { id }, roles: ROLES, mergeData: MERGE });
    expect(latest.body).toMatchObject({ template: { version: 2 }, message: 'Version two' });
    const named = await fromTemplate(t.sender, {
      template: { id, version: 1 },
      roles: ROLES,
      mergeData: MERGE,
      expiresInDays: 10,
      message: 'Our own words',
    });
    expect(named.status, JSON.stringify(named.body)).toBe(201);
    expect(named.body).toMatchObject({
      template: { version: 1 },
      message: 'Our own words',
      settings: { expiresInDays: 10 },
    });
  });

  it('refuses roles, merge data and versions that do not fit, naming what is wrong, and stores nothing', async () => {
    const t = await tenantWith('refusals');
    const tpl = await template(t.sender);
    const { vendor: _vendor, ...withoutVendor } = ROLES;
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['a role left out', { roles: withoutVendor, mergeData: MERGE }, 400, 'body.roles.vendor'],
      [
        'a role the template lacks',
        { roles: { ...ROLES, finance: ROLES.vendor }, mergeData: MERGE },
        400,
        'body.roles.finance',
      ],
      [
        'a required merge value missing',
        { roles: ROLES, mergeData: { fee: MERGE.fee } },
        400,
        'body.mergeData.customer.name',
      ],
      [
        'a merge value that is not text',
        { roles: ROLES, mergeData: { ...MERGE, customer: { name: { first: 'A' } } } },
        400,
        'body.mergeData.customer.name',
      ],
      [
        'documents beside a template',
        { roles: ROLES, mergeData: MERGE, documents: [{ name: 'x.pdf', contentBase64: 'JVBERi0=' }] },
        400,
        'body.documents',
      ],
      [
        'terms beside a template',
        { roles: ROLES, mergeData: MERGE, slaTerms: exampleTerms() },
        400,
        'body.slaTerms',
      ],
      [
        'a version that does not exist',
        { roles: ROLES, mergeData: MERGE, version: 7 },
        400,
        'body.template.version',
      ],
    ];
    for (const [label, body, status, path] of cases) {
      const { version, ...rest } = body as { version?: number };
      const res = await fromTemplate(t.sender, {
        template: { id: tpl.id, ...(version ? { version } : {}) },
        ...rest,
      });
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(
        res.body.error.details.map((d: any) => d.path),
        label,
      ).toContain(path);
    }
    const unknown = await fromTemplate(t.sender, {
      template: { id: 'nope' },
      roles: ROLES,
      mergeData: MERGE,
    });
    expect(unknown.status).toBe(400);
    const noRecipients = await service.api('POST', '/v1/envelopes', {
      token: t.sender,
      body: { title: 'x' },
    });
    expect(noRecipients.status).toBe(400);
    expect((await service.api('GET', '/v1/envelopes', { token: t.sender })).body.items).toEqual([]);
  });

  it('waits for approval when legal requires it, and refuses an archived template', async () => {
    const t = await tenantWith('gated');
    await service.api('PUT', '/v1/tenant/settings', {
      token: t.admin,
      body: { templateApprovalRequired: true, version: 0 },
    });
    const tpl = await template(t.sender);
    const pending = await fromTemplate(t.sender, {
      template: { id: tpl.id },
      roles: ROLES,
      mergeData: MERGE,
    });
    expect(pending.status).toBe(409);
    expect(pending.body.error.message).toMatch(/no approved version/);
    const named = await fromTemplate(t.sender, {
      template: { id: tpl.id, version: 1 },
      roles: ROLES,
      mergeData: MERGE,
    });
    expect(named.status).toBe(409);
    expect(named.body.error.message).toMatch(/awaits approval/);
    expect(
      (await service.api('POST', `/v1/templates/${tpl.id}/versions/1/approve`, { token: t.legal })).status,
    ).toBe(200);
    const ok = await fromTemplate(t.sender, { template: { id: tpl.id }, roles: ROLES, mergeData: MERGE });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);

    await service.api('POST', `/v1/templates/${tpl.id}/archive`, { token: t.sender, body: {} });
    const archived = await fromTemplate(t.sender, {
      template: { id: tpl.id },
      roles: ROLES,
      mergeData: MERGE,
    });
    expect(archived.status).toBe(410);
  });

  it('round-trips every field type to the sealed PDF: values drawn where the template placed them, and in the audit trail', async () => {
    const t = await tenantWith('round-trip');
    const tpl = await template(t.sender);
    const customer = uniqueEmail('rt-customer');
    const vendor = uniqueEmail('rt-vendor');
    const res = await fromTemplate(t.sender, {
      template: { id: tpl.id },
      roles: {
        ...ROLES,
        customer: { name: 'Ada Buyer', email: customer },
        vendor: { name: 'Victor Vendor', email: vendor },
      },
      mergeData: MERGE,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const env = res.body;
    const shift = env.template.schedulePages.count;
    await sendEnvelope(service, t.sender, env.id);
    await waitForStep(service, t.tenant, env.id, 1);
    const link = await invitationToken(service, customer);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });
    const values = {
      po_number: 'PO-77881',
      seats: 42,
      go_live: '2026-03-01',
      accept_dpa: true,
      support_tier: 'Enterprise',
    };
    const signed = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'Ada Buyer' },
      fields: Object.fromEntries(Object.entries(values).map(([name, v]) => [`customer-${name}`, v])),
      agree: true,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    await waitForStep(service, t.tenant, env.id, 2);
    const approverLink = await invitationToken(service, vendor);
    await signer(service, 'POST', '/v1/signing/consent', approverLink, {
      disclosureVersion: session.body.disclosure.version,
    });
    expect((await signer(service, 'POST', '/v1/signing/approve', approverLink, { agree: true })).status).toBe(
      200,
    );
    await waitForStatus(service, t.sender, env.id, 'completed', 60_000);

    const docLink = await service.api('GET', `/v1/envelopes/${env.id}/documents/contract`, {
      token: t.sender,
    });
    const sealed = await fetchBytes(docLink.body.url);
    const { signatures, output } = await pdfsig(sealed);
    expect(signatures, output).toHaveLength(1);
    expect(signatures[0]).toMatchObject({ validation: 'Signature is Valid.' });

    // The fields sit on the template's second page, which follows the schedule now.
    const fieldPage = 2 + shift;
    const text = await pageText(sealed, fieldPage);
    for (const v of ['PO-77881', '42', '2026-03-01', 'Enterprise']) expect(text, v).toContain(v);
    expect(await pageText(sealed, 1)).toContain('AB'); // the initials on page 1
    const png = await renderPage(sealed, fieldPage, 72);
    const byName = Object.fromEntries(tpl.fields.map((f: any) => [f.name, f]));
    for (const name of [
      'customer_signature',
      'signed_on',
      'po_number',
      'seats',
      'go_live',
      'accept_dpa',
      'support_tier',
    ]) {
      expect(inkIn(png, byName[name]), name).toBeGreaterThan(15);
    }
    expect(inkIn(await renderPage(sealed, 1, 72), byName.customer_initials)).toBeGreaterThan(15);

    const audit = await service.api('GET', `/v1/envelopes/${env.id}/audit`, { token: t.sender });
    expect(audit.body.verified).toBe(true);
    const event = (audit.body.events as any[]).find((e) => e.type === 'recipient.signed');
    for (const [name, value] of Object.entries(values)) {
      expect(event.data.fields).toContainEqual(expect.objectContaining({ id: `customer-${name}`, value }));
    }
    expect(event.data.fields).toContainEqual(
      expect.objectContaining({ id: 'customer-signed_on', type: 'date_signed' }),
    );
  }, 120_000);
});
