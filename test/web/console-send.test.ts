import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  browserTests,
  DESKTOP,
  expectAccessible,
  goTo,
  ready,
  signInWithToken,
  type Opened,
} from '../support/browser';
import { makePdf } from '../support/pdf';
import { startTestService, type TestService } from '../support/service';
import {
  createRouted,
  eventually,
  invitationToken,
  mailTo,
  readEnvelope,
  sendEnvelope,
  signer,
  uniqueEmail,
  waitForStatus,
  waitForStep,
} from '../support/signing';
import { templateBody } from '../support/templates';

/**
 * The sender console in headless Chromium, against the local service: signing in through the
 * local sign-in page, sending from a template (followed to completion while the recipients act
 * through the API, the timeline following them) and downloading the sealed PDF, then verifying
 * it; a one-off PDF with a field dragged onto its page; a file that is not a PDF, and one over
 * 50 MB, refused before any upload; voiding from the detail page. Each screen is checked with axe
 * (no serious or critical violations) and photographed into the OS temp folder.
 */

let service: TestService;

const { openPage, shot, shots } = browserTests({
  shots: 'countersign-console-screens',
  context: { acceptDownloads: true, ...DESKTOP },
  timeout: 15_000,
  fromTop: true,
  start: async () => (service = await startTestService()),
});

const newTenant = () => `console-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;

/** Signed in without the form, landing on the envelopes and going to `route`. */
async function signedIn(tenant: string, route: string, pattern = route): Promise<Opened & { token: string }> {
  const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
  const opened = await openPage();
  await signInWithToken(opened.page, service.url, token);
  await ready(opened.page, '/envelopes');
  expect(opened.page.url()).toBe(`${service.url}/console#/envelopes`);
  if (route !== '/envelopes') await goTo(opened.page, route, pattern);
  return { ...opened, token };
}

describe('the sender console', () => {
  it('signs in locally, sends from a template, follows it to completion, downloads the sealed PDF and verifies it', async () => {
    const tenant = newTenant();
    const email = 'sam.sender@acme.test';
    // The template is the organisation's (an admin's); the envelope will be the signed-in sender's.
    const token = await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' });
    const created = await service.api('POST', '/v1/templates', { token, body: await templateBody() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const tpl = created.body as { id: string; version: number; status: string };
    expect(tpl.status).toBe('approved');

    const { page, problems } = await openPage();
    await page.goto(`${service.url}/console#/send/template`);
    await page.waitForSelector('[data-screen="sign-in"]');
    await shot(page, '01-sign-in');
    await expectAccessible(page, 'sign-in');
    await page.click('#sign-in');
    await page.waitForSelector('[data-screen="local-login"]');
    await page.fill('#tenant', tenant);
    await page.fill('#email', email);
    await shot(page, '02-local-login');
    await expectAccessible(page, 'local login');
    await page.click('#local-sign-in');
    // Back on the page asked for, the token gone from the address bar.
    await ready(page, '/send/template');
    expect(page.url()).toBe(`${service.url}/console#/send/template`);
    expect(await page.textContent('.user')).toContain(email);

    await page.selectOption('#template-select', tpl.id);
    await page.waitForSelector('fieldset[data-role="customer"]');
    const customer = uniqueEmail('console-customer');
    const vendor = uniqueEmail('console-vendor');
    const people: [string, string, string][] = [
      ['customer', 'Ada Buyer', customer],
      ['vendor', 'Victor Vendor', vendor],
      ['procurement', 'Pat Procurement', uniqueEmail('console-procurement')],
    ];
    for (const [role, name, address] of people) {
      await page.fill(`input[data-role="${role}"][data-part="name"]`, name);
      await page.fill(`input[data-role="${role}"][data-part="email"]`, address);
    }
    await page.fill('input[data-merge-key="customer.name"]', 'Acme Corp');
    await page.fill('input[data-merge-key="fee.monthly"]', 'USD 10,000.00');
    await page.fill('#envelope-title', 'Acme support agreement 2026');
    await page.click('#show-preview');
    await page.waitForSelector('.pdf-page[data-page="1"][data-rendered="true"]');
    expect(await page.textContent('.merge-overlay[data-merge-key="customer.name"]')).toBe('Acme Corp');
    await shot(page, '03-send-template-preview');
    await expectAccessible(page, 'send from template');

    await page.click('#send-envelope');
    await ready(page, '/envelopes/:id');
    const id = decodeURIComponent(page.url().split('#/envelopes/')[1]!);
    await page.waitForSelector('.envelope-detail[data-status="sent"]');
    await page.waitForSelector('.timeline-step[data-step="1"][data-step-status="active"] .person.waiting');
    const sent = await readEnvelope(service, token, id);
    expect(sent.template).toMatchObject({ id: tpl.id, version: 1 });
    expect(sent.template.mergeData).toEqual({
      customer: { name: 'Acme Corp' },
      fee: { monthly: 'USD 10,000.00' },
    });
    expect(await page.textContent('.timeline-step[data-step="1"] .next-reminder')).toMatch(/Next reminder/);
    await shot(page, '04-detail-sent');
    await expectAccessible(page, 'envelope detail (sent)');

    // The customer signs (through the API, as the signing page would); the timeline follows.
    await waitForStep(service, tenant, id, 1);
    const link = await invitationToken(service, customer);
    const session = await signer(service, 'GET', '/v1/signing/session', link);
    await signer(service, 'POST', '/v1/signing/consent', link, {
      disclosureVersion: session.body.disclosure.version,
    });
    const values: Record<string, unknown> = {
      po_number: 'PO-1234',
      seats: 12,
      go_live: '2026-03-01',
      accept_dpa: true,
      support_tier: 'Premium',
    };
    // The template's field ids are the role's name and the field's.
    const fields = Object.fromEntries(Object.entries(values).map(([name, v]) => [`customer-${name}`, v]));
    const signed = await signer(service, 'POST', '/v1/signing/sign', link, {
      signature: { type: 'typed', text: 'Ada Buyer' },
      fields,
      agree: true,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const customerId = (sent.recipients as { id: string; email: string }[]).find(
      (r) => r.email === customer,
    )!.id;
    await page.waitForSelector(`.person[data-recipient="${customerId}"][data-status="signed"]`, {
      timeout: 20_000,
    });
    await page.waitForSelector('.timeline-step[data-step="2"][data-step-status="active"]', {
      timeout: 20_000,
    });
    await shot(page, '05-detail-step-2');

    await waitForStep(service, tenant, id, 2);
    const approverLink = await invitationToken(service, vendor);
    await signer(service, 'POST', '/v1/signing/consent', approverLink, {
      disclosureVersion: session.body.disclosure.version,
    });
    expect((await signer(service, 'POST', '/v1/signing/approve', approverLink, { agree: true })).status).toBe(
      200,
    );
    await waitForStatus(service, token, id, 'completed', 60_000);
    await page.waitForSelector('.envelope-detail[data-status="completed"]', { timeout: 20_000 });
    expect(await page.getAttribute('#audit-verified', 'data-verified')).toBe('true');
    expect(await page.locator('.timeline-step[data-step-status="completed"]').count()).toBe(2);
    await shot(page, '06-detail-completed');
    await expectAccessible(page, 'envelope detail (completed)');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('button[data-document]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const sealed = readFileSync((await download.path())!);
    expect(sealed.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(sealed.toString('latin1')).toContain('/ByteRange');
    const [exported] = await Promise.all([page.waitForEvent('download'), page.click('#export-audit')]);
    const auditExport = JSON.parse(readFileSync((await exported.path())!, 'utf8'));
    expect(auditExport).toMatchObject({ format: 'countersign-audit/1', envelopeId: id });

    // The verify page finds the sealed copy's seal valid.
    const sealedPath = join(shots, `sealed-${id}.pdf`);
    writeFileSync(sealedPath, sealed);
    await page.click('nav a[href="#/verify"]');
    await ready(page, '/verify');
    await page.setInputFiles('#verify-file', sealedPath);
    await page.waitForSelector('[data-verdict="valid"]');
    expect(await page.textContent('#verify-result')).toContain('Seal valid');
    expect(await page.textContent('.signature-report')).toMatch(/Signer certificate/);
    await shot(page, '07-verify-valid');
    await expectAccessible(page, 'verify (valid)');
    expect(problems).toEqual([]);
  });

  it('sends a one-off PDF with a signature field dragged onto the page', async () => {
    const tenant = newTenant();
    const { page, problems, token } = await signedIn(tenant, '/send');
    const pdfPath = join(shots, 'one-off.pdf');
    writeFileSync(pdfPath, await makePdf([[612, 792]], 'Support renewal'));
    await page.setInputFiles('#send-file', pdfPath);
    await page.waitForSelector('.pdf-page[data-page="1"][data-rendered="true"]');
    expect(await page.inputValue('#envelope-title')).toBe('one-off');
    await page.fill('#envelope-title', 'Support renewal 2026');
    const email = uniqueEmail('one-off');
    await page.fill('.recipient input[data-part="name"]', 'Ada Buyer');
    await page.fill('.recipient input[data-part="email"]', email);
    // Ada reads Spanish: her invitation and signing page are in it.
    await page.selectOption('.recipient select[data-part="language"]', 'es');

    // Dropped with its centre 200 px right and 300 px down of the page's corner.
    const frame = page.locator('.pdf-frame[data-page="1"]');
    await frame.scrollIntoViewIfNeeded();
    const box = (await frame.boundingBox())!;
    await page.dragAndDrop('.chip-signature', '.pdf-frame[data-page="1"]', {
      targetPosition: { x: 200, y: 300 },
    });
    await page.waitForSelector('.placed-field[data-field-type="signature"]');
    const scale = 612 / box.width;
    const expected = { x: 200 * scale - 90, y: 300 * scale - 22.5 };
    await page.fill('input[data-part="expiresInDays"]', '30');
    await shot(page, '08-send-one-off');
    await expectAccessible(page, 'send a PDF');

    await page.click('#send-envelope');
    await ready(page, '/envelopes/:id');
    const id = decodeURIComponent(page.url().split('#/envelopes/')[1]!);
    const envelope = await readEnvelope(service, token, id);
    expect(envelope.status).toBe('sent');
    expect(envelope.settings.expiresInDays).toBe(30);
    expect(envelope.recipients[0].language).toBe('es');
    const invitation = await eventually('the invitation', async () => (await mailTo(service, email))[0]);
    expect(invitation.subject).toBe('Firme, por favor: Support renewal 2026');
    const [field] = envelope.recipients[0].fields;
    expect(field).toMatchObject({ type: 'signature', page: 1, width: 180, height: 45 });
    expect(Math.abs(field.x - expected.x)).toBeLessThan(2);
    expect(Math.abs(field.y - expected.y)).toBeLessThan(2);
    expect(problems).toEqual([]);
  });

  it('refuses a file that is not a PDF, and one over 50 MB, before any upload', async () => {
    const { page, calls } = await signedIn(newTenant(), '/send');
    await page.setInputFiles('#send-file', {
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('These are not the documents you are looking for.'),
    });
    const message = await page.waitForSelector('[data-error="file"]');
    expect(await message.textContent()).toBe('“notes.txt” is not a PDF. Choose a PDF file (.pdf).');
    await shot(page, '09-send-not-pdf');
    await expectAccessible(page, 'not a PDF');

    // 51 MB made in the page (not sent over the DevTools connection).
    await page.evaluate(() => {
      const g = globalThis as any;
      const big = new g.File([new Uint8Array(51 * 1024 * 1024)], 'scan.pdf', { type: 'application/pdf' });
      const transfer = new g.DataTransfer();
      transfer.items.add(big);
      const input = g.document.getElementById('send-file');
      input.files = transfer.files;
      input.dispatchEvent(new g.Event('change', { bubbles: true }));
    });
    await page.waitForSelector('[data-error="file"]:has-text("scan.pdf")');
    expect(await page.textContent('[data-error="file"]')).toBe(
      '“scan.pdf” is 51 MB; a PDF can be at most 50 MB.',
    );
    expect(calls.filter((c) => c.startsWith('POST '))).toEqual([]);
  });

  it('finds an envelope in the list and voids it from its page, with a reason', async () => {
    const tenant = newTenant();
    const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const routed = await createRouted(service, token, tenant, [1], { title: 'Quarterly support renewal' });
    await createRouted(service, token, tenant, [1], { title: 'Hardware maintenance' });
    const id = routed.envelope.id as string;
    await sendEnvelope(service, token, id);

    const { page, problems } = await signedIn(tenant, '/envelopes');
    await page.waitForSelector(`#envelopes tr[data-envelope="${id}"]`);
    expect(await page.locator('#envelopes tbody tr').count()).toBe(2);
    // By recipient: the address of the first envelope's signer.
    await page.fill('#envelope-search', routed.signers[0]!.email);
    await expect.poll(() => page.locator('#envelopes tbody tr[data-envelope]').count()).toBe(1);
    await page.fill('#envelope-search', 'hardware');
    await page.waitForSelector(`#envelopes tr[data-envelope="${id}"]`, { state: 'detached' });
    await page.fill('#envelope-search', '');
    await page.selectOption('#status-filter', 'sent');
    await ready(page, '/envelopes');
    await page.waitForSelector(`#envelopes tr[data-envelope="${id}"]`);
    expect(await page.locator('#envelopes tbody tr[data-envelope]').count()).toBe(1);
    await shot(page, '10-envelopes');
    await expectAccessible(page, 'envelope list');
    // The switcher redraws the shell and the page in Spanish, and back.
    await page.selectOption('#lang', 'es');
    await expect.poll(() => page.textContent('h1')).toBe('Sobres');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('nav.main-nav')).toContain('Enviar un PDF');
    await ready(page, '/envelopes');
    await page.waitForSelector(`#envelopes tr[data-envelope="${id}"]`);
    await shot(page, '10b-envelopes-es');
    await expectAccessible(page, 'envelope list (es)');
    await page.selectOption('#lang', 'en');
    await expect.poll(() => page.textContent('h1')).toBe('Envelopes');
    await ready(page, '/envelopes');

    await page.click(`#envelopes tr[data-envelope="${id}"] a`);
    await ready(page, '/envelopes/:id');
    await page.waitForSelector('.envelope-detail[data-status="sent"]');
    await page.click('#void-envelope');
    await page.waitForSelector('#void-dialog[open]');
    await page.click('#confirm-void');
    await page.waitForSelector('#void-dialog .field-error');
    await page.fill('#void-reason', 'Replaced by the renewal with the new SLA.');
    await shot(page, '11-void-dialog');
    await expectAccessible(page, 'void dialog');
    await page.click('#confirm-void');
    await page.waitForSelector('.envelope-detail[data-status="voided"]');
    expect(await page.isVisible('#void-dialog')).toBe(false);
    expect(await page.textContent('.facts')).toContain('Replaced by the renewal with the new SLA.');
    await shot(page, '12-voided');
    await expectAccessible(page, 'voided');
    const envelope = await readEnvelope(service, token, id);
    expect(envelope).toMatchObject({
      status: 'voided',
      voidedReason: 'Replaced by the renewal with the new SLA.',
    });

    // Signing out forgets the token: the console asks to sign in again, even after a reload.
    await page.click('#sign-out');
    await page.waitForSelector('[data-screen="sign-in"]:has-text("You are signed out.")');
    await page.reload();
    await page.waitForSelector('[data-screen="sign-in"]');
    expect(problems).toEqual([]);
  });
});
