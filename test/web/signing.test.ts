import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { envelopeBody } from '../api/helpers';
import { browserTests, DESKTOP, expectAccessible } from '../support/browser';
import { startTestService, type TestService } from '../support/service';
import { invited, pageUrl as signingPageUrl, uniquePhone } from '../support/signing-page';
import {
  eventsOfType,
  invitationToken,
  readEnvelope,
  sendEnvelope,
  smsCode,
  uniqueEmail,
  waitForStatus,
} from '../support/signing';

/**
 * The recipient's signing page in headless Chromium, against the local service: the link from the
 * invitation, the code by SMS, the disclosure and consent, the fields, a signature drawn by touch,
 * the explicit act, declining, the pages for links that no longer work, and the double click and
 * the lost answer that must still sign once. Each screen is checked with axe (no serious or
 * critical violations) and photographed into the OS temp folder.
 */

// Photographed where each step left the page scrolled.
let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-signing-screens',
  start: async () => (service = await startTestService()),
});

const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

const pageUrl = (link: string) => signingPageUrl(service, link);

async function consent(page: Page): Promise<void> {
  await page.waitForSelector('[data-screen="consent"]');
  await page.check('#consent-check');
  await page.click('#consent-continue');
  await page.waitForSelector('[data-screen="sign"]');
  await page.waitForSelector('.page[data-rendered="true"]');
}

/** A signature drawn with a finger: raw touch events through the DevTools protocol. */
async function drawByTouch(context: BrowserContext, page: Page, selector: string): Promise<void> {
  const box = (await page.locator(selector).boundingBox())!;
  const cdp = await context.newCDPSession(page);
  const at = (i: number) => ({
    x: box.x + box.width * (0.1 + 0.8 * (i / 24)),
    y: box.y + box.height * (0.5 + 0.3 * Math.sin((i / 24) * 4 * Math.PI)),
  });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0)] });
  for (let i = 1; i <= 24; i++)
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(i)] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

const auditTypes = async (token: string, id: string): Promise<string[]> => {
  const res = await service.api('GET', `/v1/envelopes/${id}/audit`, { token });
  expect(res.status).toBe(200);
  return (res.body.events as { type: string }[]).map((e) => e.type);
};

describe('the signing page', () => {
  it('on a phone: the link leaves the address bar, an SMS code (a wrong one first), consent, a field, a drawn signature, signed', async () => {
    const phone = uniquePhone();
    const s = await invited(service, {
      auth: { method: 'sms', phone },
      fields: [
        { type: 'signature', page: 1, x: 72, y: 120, width: 240, height: 90 },
        {
          type: 'text',
          name: 'company',
          required: true,
          page: 1,
          x: 72,
          y: 260,
          width: 240,
          height: 24,
          validation: { min: 2 },
        },
      ],
    });
    const signatureField = s.fields.find((f) => f.type === 'signature')!;
    const companyField = s.fields.find((f) => f.name === 'company')!;
    const { context, page, problems } = await openPage(PHONE);

    await page.goto(pageUrl(s.link));
    await page.waitForSelector('[data-screen="auth"]');
    // The token is gone from the address bar and the history entry; the page keeps it for the tab.
    expect(page.url()).toBe(`${service.url}/sign`);
    expect(await page.evaluate(() => (globalThis as any).location.href)).not.toContain(s.link);
    await expect.poll(() => page.textContent('h1')).toBe('Confirm it is you');
    await shot(page, '1-phone-code-prompt');
    await expectAccessible(page, 'code prompt');

    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/signing/auth/send')),
      page.click('#send-code'),
    ]);
    await page.waitForSelector('#auth-message:has-text("We sent a code")');
    const code = await smsCode(service, phone);
    await page.fill('#code', code === '000000' ? '111111' : '000000');
    await page.click('#verify-code');
    const wrong = await page.waitForSelector('#auth-message.error');
    expect(await wrong.textContent()).toContain('That code is not right. 4 attempts left.');
    expect(await page.inputValue('#code')).toBe('');
    await shot(page, '2-phone-wrong-code');
    await expectAccessible(page, 'wrong code');

    await page.fill('#code', code);
    await page.click('#verify-code');
    await page.waitForSelector('[data-screen="consent"]');
    expect(await page.textContent('.disclosure')).toContain('Electronic Record and Signature Disclosure');
    await shot(page, '3-phone-consent');
    await expectAccessible(page, 'consent');
    // Consent is explicit: continuing without the box ticked says so.
    await page.click('#consent-continue');
    await page.waitForSelector('#consent-message.error');
    await consent(page);

    // The typed name is already adopted: the guide goes to the text field, then to the Sign button.
    const focused = () =>
      page.evaluate(
        () =>
          (globalThis as any).document.activeElement?.id ||
          (globalThis as any).document.activeElement?.dataset.fieldId,
      );
    await page.click('#next-field');
    await expect.poll(focused).toBe(companyField.id);
    await page.fill(`[data-field-input="${companyField.id}"]`, 'Acme Support Ltd');
    await page.click('#next-field');
    await expect.poll(focused).toBe('sign');
    await page.check('[data-adopter="signature"] input[data-mode="drawn"]');
    await drawByTouch(context, page, '[data-pad="signature"] canvas');
    await page.waitForSelector(`[data-field-id="${signatureField.id}"] img.field-image`);
    expect(await page.textContent(`[data-field-id="${companyField.id}"]`)).toBe('Acme Support Ltd');
    await shot(page, '4-phone-signing');
    await expectAccessible(page, 'signing');

    await page.click('#sign');
    await page.waitForSelector('[data-screen="done"]');
    expect(await page.textContent('h1')).toBe('You signed');
    await shot(page, '5-phone-signed');
    await expectAccessible(page, 'signed');

    const envelope = await readEnvelope(service, s.token, s.id);
    expect(envelope.recipients[0].status).toBe('signed');
    const [signed, ...more] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(more).toEqual([]);
    expect(signed!.data.signature.kind).toBe('drawn');
    expect(signed!.data.fields).toContainEqual(
      expect.objectContaining({ id: companyField.id, value: 'Acme Support Ltd' }),
    );
    expect(signed!.data.authMethod).toBe('sms');
    // The one envelope completes; the page then offers the sealed document.
    await waitForStatus(service, s.token, s.id, 'completed');
    await page.waitForSelector('[data-screen="done"][data-envelope-status="completed"]', { timeout: 20_000 });
    await shot(page, '6-phone-completed');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-action="download"]'),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    expect(
      readFileSync((await download.path())!)
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    expect(problems).toEqual([]);
  });

  it('in Spanish (the browser language): declines with a reason', async () => {
    const s = await invited(service);
    const { page, problems } = await openPage({ ...DESKTOP, locale: 'es-ES' });
    await page.goto(pageUrl(s.link));
    await page.waitForSelector('[data-screen="consent"]');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('h1')).toBe('Antes de firmar electrónicamente');
    await shot(page, '7-desktop-es-consent');
    await expectAccessible(page, 'consent (es)');

    await page.click('#decline-open');
    await page.waitForSelector('#decline-dialog[open]');
    await page.click('#decline-confirm');
    await page.waitForSelector('#decline-error:not([hidden])');
    await page.fill('#decline-reason', 'Las condiciones de servicio no son las acordadas.');
    await shot(page, '8-desktop-es-decline');
    await expectAccessible(page, 'decline dialog (es)');
    await page.click('#decline-confirm');
    await page.waitForSelector('[data-screen="declined"]');
    expect(await page.textContent('h1')).toBe('Ha rechazado la firma');
    await shot(page, '9-desktop-es-declined');
    await expectAccessible(page, 'declined (es)');

    const envelope = await waitForStatus(service, s.token, s.id, 'declined');
    expect(envelope.recipients[0].status).toBe('declined');
    const [declined] = await eventsOfType(service, s.tenant, s.id, 'recipient.declined');
    expect(declined!.data.reason).toBe('Las condiciones de servicio no son las acordadas.');
    expect(problems).toEqual([]);
  });

  it("in Spanish (the sender's choice) in an English browser; the recipient's own pick wins", async () => {
    const s = await invited(service, { language: 'es' });
    const { page, problems } = await openPage(DESKTOP);
    await page.goto(pageUrl(s.link));
    await page.waitForSelector('[data-screen="consent"]');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    expect(await page.textContent('h1')).toBe('Antes de firmar electrónicamente');
    // The recipient switches to English: it stays English when the page is opened again.
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('h1:has-text("Before you sign electronically")');
    await page.reload();
    await page.waitForSelector('[data-screen="consent"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(problems).toEqual([]);
  });

  it('a tampered, a missing and a voided link show a clear page, never an error trace', async () => {
    const s = await invited(service);
    const { page } = await openPage(DESKTOP);
    const noTrace = async () => {
      const text = (await page.textContent('body')) ?? '';
      expect(text).not.toMatch(/\bat \S+ \(|Error:|TypeError|stack/);
    };

    const tampered = `${s.link.slice(0, -4)}${s.link.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await page.goto(pageUrl(tampered));
    await page.waitForSelector('[data-screen="error"][data-error="invalid"]');
    expect(await page.textContent('h1')).toBe('This link is not valid');
    await noTrace();
    await shot(page, '10-error-invalid');
    await expectAccessible(page, 'invalid link');
    // The switcher changes the language in place.
    await page.selectOption('#lang', 'es');
    await expect.poll(() => page.textContent('h1')).toBe('Este enlace no es válido');
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await shot(page, '11-error-invalid-es');
    await page.selectOption('#lang', 'en');

    const fresh = await openPage(DESKTOP);
    await fresh.page.goto(`${service.url}/sign`);
    await fresh.page.waitForSelector('[data-screen="error"][data-error="missing"]');
    expect(await fresh.page.textContent('h1')).toBe('This link is incomplete');

    const voided = await service.api('POST', `/v1/envelopes/${s.id}/void`, {
      token: s.token,
      body: { reason: 'Sent to the wrong customer' },
    });
    expect(voided.status).toBe(200);
    // The same tab, given the link again: only the fragment changes, and the page loads it anew.
    await page.goto(pageUrl(s.link));
    await page.waitForSelector('[data-screen="error"][data-error="gone"]');
    expect(await page.textContent('h1')).toBe('This link no longer works');
    await noTrace();
    await shot(page, '12-error-gone');
    await expectAccessible(page, 'voided link');
  });

  it('a double click on Sign signs once', async () => {
    const s = await invited(service);
    const { page, problems } = await openPage(DESKTOP);
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/v1/signing/sign')) posts++;
    });
    await page.goto(pageUrl(s.link));
    await consent(page);
    // The typed signature is the recipient's name, already filled in and shown in the script font.
    expect(await page.inputValue('[data-adopt="signature"]')).toBe('Ada Buyer');
    // The download is the very bytes shown (and hashed for the request), not another fetch.
    expect(await page.getAttribute('.doc-download', 'href')).toMatch(/^blob:/);
    await shot(page, '13-desktop-signing');
    await expectAccessible(page, 'signing (desktop)');
    await page.dblclick('#sign');
    await page.waitForSelector('[data-screen="done"]');
    expect(posts).toBe(1);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.signed')).toHaveLength(1);
    expect((await auditTypes(s.token, s.id)).filter((t) => t === 'recipient.signed')).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('an answer lost on the way back is retried; the 409 that follows counts as signed', async () => {
    const s = await invited(service);
    const { page } = await openPage(DESKTOP);
    const answers: number[] = [];
    await page.route('**/v1/signing/sign', async (route) => {
      if (answers.length === 0) {
        // The server signs, but the browser never hears it.
        const res = await route.fetch();
        answers.push(res.status());
        await route.abort('connectionreset');
        return;
      }
      const res = await route.fetch();
      answers.push(res.status());
      await route.fulfill({ response: res });
    });
    await page.goto(pageUrl(s.link));
    await consent(page);
    await page.click('#sign');
    await page.waitForSelector('[data-screen="done"]');
    expect(answers).toEqual([200, 409]);
    expect(await eventsOfType(service, s.tenant, s.id, 'recipient.signed')).toHaveLength(1);
  });

  it("the server's refusal of a value is shown next to its field", async () => {
    const s = await invited(service, {
      fields: [
        { type: 'signature', page: 1, x: 72, y: 120, width: 240, height: 90 },
        { type: 'initials', page: 1, x: 340, y: 150, width: 60, height: 30 },
        {
          type: 'number',
          name: 'seats',
          page: 1,
          x: 72,
          y: 260,
          width: 120,
          height: 24,
          validation: { min: 1, max: 500 },
        },
      ],
    });
    const seats = s.fields.find((f) => f.name === 'seats')!;
    const { page } = await openPage(PHONE);
    await page.goto(pageUrl(s.link));
    await consent(page);
    // The page's own check first: out of range, said next to the field, nothing sent.
    await page.fill(`[data-field-input="${seats.id}"]`, '900');
    await page.click('#sign');
    await page.waitForSelector(`#field-${seats.id}-error:has-text("at most 500")`);
    // Then the server's: a refusal the page could not foresee, placed by its detail path.
    await page.fill(`[data-field-input="${seats.id}"]`, '12');
    await page.route('**/v1/signing/sign', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'validation_failed',
            message: 'invalid field values',
            details: [{ path: `body.fields.${seats.id}`, message: 'must be at most 10 for this plan' }],
          },
        }),
      }),
    );
    await page.click('#sign');
    const error = await page.waitForSelector(`#field-${seats.id}-error:not([hidden])`);
    expect(await error.textContent()).toBe('The server says: must be at most 10 for this plan');
    expect(await page.getAttribute(`[data-field-input="${seats.id}"]`, 'aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.dataset.fieldInput)).toBe(
      seats.id,
    );
    await shot(page, '14-phone-server-refusal');
    await expectAccessible(page, 'server refusal');
    await page.unroute('**/v1/signing/sign');
    await page.click('#sign');
    await page.waitForSelector('[data-screen="done"]');
    const [signed] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(signed!.data.fields).toContainEqual(expect.objectContaining({ id: seats.id, value: 12 }));
    // Initials adopted as typed, from the name unless changed.
    expect(signed!.data.initials).toEqual({ kind: 'typed', text: 'AB' });
  });

  it('by keyboard alone: an access code, the disclosure and consent; then withdrawing consent', async () => {
    const accessCode = `Harbor-${Math.random().toString(36).slice(2, 8)}`;
    const s = await invited(service, { auth: { method: 'access_code', code: accessCode } });
    const { page, problems } = await openPage({ ...DESKTOP, locale: 'en-GB' });
    const focused = () =>
      page.evaluate(() => {
        const el = (globalThis as any).document.activeElement;
        return el?.id || el?.className || el?.tagName;
      });
    await page.goto(pageUrl(s.link));
    await page.waitForSelector('[data-screen="auth"][data-method="access_code"]');
    // A new screen puts focus on its heading; the next stop is the code.
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('code');
    await page.keyboard.type(accessCode);
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-screen="consent"]');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('disclosure');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('consent-check');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('consent-continue');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-screen="sign"]');

    await page.focus('#withdraw-open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#withdraw-dialog[open]');
    await shot(page, '15-desktop-withdraw');
    await expectAccessible(page, 'withdraw dialog');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-screen="withdrawn"]');
    expect(await page.textContent('h1')).toBe('You withdrew your consent');
    const envelope = await readEnvelope(service, s.token, s.id);
    expect(envelope.recipients[0].status).toBe('withdrawn');
    expect(problems).toEqual([]);
  });

  it('an approver approves: no signature, the statement of what approving means', async () => {
    const tenant = `web-approver-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const email = uniqueEmail('approver');
    const body = await envelopeBody({
      recipients: [{ name: 'Bea Legal', email, step: 1, role: 'approver', fields: [] }],
    });
    const created = await service.api('POST', '/v1/envelopes', { token, body });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await sendEnvelope(service, token, id);
    const link = await invitationToken(service, email);
    const { page, problems } = await openPage(PHONE);
    await page.goto(pageUrl(link));
    await consent(page);
    expect(await page.locator('[data-adopter]').count()).toBe(0);
    expect(await page.textContent('#intent')).toContain('I am not signing them');
    expect(await page.textContent('#sign')).toBe('Approve');
    await expectAccessible(page, 'approve');
    await page.click('#sign');
    await page.waitForSelector('[data-screen="done"]');
    expect(await page.textContent('h1')).toBe('You approved');
    expect(await eventsOfType(service, tenant, id, 'recipient.approved')).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});
