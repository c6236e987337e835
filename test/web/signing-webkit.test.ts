import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service';
import { invited, pageUrl as signingPageUrl, uniquePhone } from '../support/signing-page';
import { eventsOfType, smsCode, waitForStatus } from '../support/signing';
import { DESKTOP, PHONE, webkitTests, type WebKitPage } from '../support/webkit';

/**
 * The recipient's signing page in WebKit (Safari's engine, as WebKitGTK's MiniBrowser under
 * WebKitWebDriver), against the local service: the SMS code, consent, the fields, a typed and a
 * mouse-drawn signature, declining, a link that does not work, and axe on the main screens. Each
 * screen is photographed into the OS temp folder.
 */

let service: TestService;

const { openPage } = webkitTests({
  shots: 'countersign-webkit-screens',
  start: async () => (service = await startTestService()),
});

const pageUrl = (link: string) => signingPageUrl(service, link);

/** Ticks the consent box, continues, and waits for the documents to be drawn by pdf.js. */
async function consent(page: WebKitPage): Promise<void> {
  await page.waitFor('[data-screen="consent"]');
  await page.check('#consent-check');
  await page.click('#consent-continue');
  await page.waitFor('[data-screen="sign"]');
  await page.waitFor('.page[data-rendered="true"]', 20_000);
}

/** Pixels with ink (not transparent) in a PNG. */
function inked(png: PNG): number {
  let count = 0;
  for (let i = 3; i < png.data.length; i += 4) if (png.data[i]! > 128) count++;
  return count;
}

describe('the signing page in WebKit', () => {
  it('on a phone: the link leaves the address bar, an SMS code (a wrong one first), consent, a field, a typed signature, signed', async () => {
    const phone = uniquePhone('+1556');
    const s = await invited(
      service,
      {
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
      },
      { label: 'webkit' },
    );
    const signatureField = s.fields.find((f) => f.type === 'signature')!;
    const companyField = s.fields.find((f) => f.name === 'company')!;
    const page = await openPage(PHONE);
    expect(await page.evaluate(() => (globalThis as any).innerWidth)).toBe(PHONE.width);

    await page.goto(pageUrl(s.link));
    await page.waitFor('[data-screen="auth"]');
    // The token is gone from the address bar; the page keeps it for the tab.
    const where = await page.evaluate<{ hash: string; href: string }>(() => ({
      hash: (globalThis as any).location.hash,
      href: (globalThis as any).location.href,
    }));
    expect(where).toEqual({ hash: '', href: `${service.url}/sign` });
    expect(await page.text('h1')).toBe('Confirm it is you');
    await page.shot('1-phone-code-prompt');

    await page.click('#send-code');
    await page.waitForText('#auth-message', (t) => t.includes('We sent a code'));
    const code = await smsCode(service, phone);
    await page.fill('#code', code === '000000' ? '111111' : '000000');
    await page.click('#verify-code');
    await page.waitFor('#auth-message.error');
    expect(await page.text('#auth-message')).toContain('That code is not right. 4 attempts left.');
    expect(await page.value('#code')).toBe('');
    await page.shot('2-phone-wrong-code');

    await page.fill('#code', code);
    await page.click('#verify-code');
    await page.waitFor('[data-screen="consent"]');
    expect(await page.text('.disclosure')).toContain('Electronic Record and Signature Disclosure');
    await page.shot('3-phone-consent');
    await page.expectAccessible('consent (phone)');
    // Consent is explicit: continuing without the box ticked says so.
    await page.click('#consent-continue');
    await page.waitFor('#consent-message.error');
    await consent(page);

    await page.click('#next-field');
    await page.until(
      'the company field to have the focus',
      async () => (await page.focused()) === companyField.id,
    );
    await page.fill(`[data-field-input="${companyField.id}"]`, 'Acme Support Ltd');
    // The typed signature starts as the name; the recipient types their own.
    expect(await page.value('[data-adopt="signature"]')).toBe('Ada Buyer');
    await page.fill('[data-adopt="signature"]', 'Ada L. Buyer');
    await page.waitForText(`[data-field-id="${signatureField.id}"]`, (t) => t === 'Ada L. Buyer');
    expect(await page.text(`[data-field-id="${companyField.id}"]`)).toBe('Acme Support Ltd');
    await page.shot('4-phone-signing');
    await page.expectAccessible('signing (phone)');

    await page.click('#sign');
    await page.waitFor('[data-screen="done"]');
    expect(await page.text('h1')).toBe('You signed');
    await page.shot('5-phone-signed');

    await waitForStatus(service, s.token, s.id, 'completed');
    const [signed, ...more] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    expect(more).toEqual([]);
    expect(signed!.data.signature).toEqual({ kind: 'typed', text: 'Ada L. Buyer' });
    expect(signed!.data.authMethod).toBe('sms');
    expect(signed!.data.fields).toContainEqual(
      expect.objectContaining({ id: companyField.id, value: 'Acme Support Ltd' }),
    );
    expect(await page.problems()).toEqual([]);
  });

  it('on a desktop: a signature drawn with the mouse, signed', async () => {
    const s = await invited(service, {}, { label: 'webkit' });
    const signatureField = s.fields.find((f) => f.type === 'signature')!;
    const page = await openPage(DESKTOP);
    await page.goto(pageUrl(s.link));
    await consent(page);
    await page.check('[data-adopter="signature"] input[data-mode="drawn"]');
    await page.draw('[data-pad="signature"] canvas');
    await page.waitFor(`[data-field-id="${signatureField.id}"] img.field-image`);
    await page.shot('6-desktop-drawn');

    await page.click('#sign');
    await page.waitFor('[data-screen="done"]');
    expect(await page.text('h1')).toBe('You signed');

    await waitForStatus(service, s.token, s.id, 'completed');
    const [signed] = await eventsOfType(service, s.tenant, s.id, 'recipient.signed');
    const signature = signed!.data.signature;
    expect(signature.kind).toBe('drawn');
    if (signature.kind !== 'drawn') return;
    // The stroke itself reached the server: the stored image has ink.
    const png = PNG.sync.read(
      Buffer.from(await service.ports.documents.getDocument(signature.storageKey, signature.pngSha256)),
    );
    expect(inked(png)).toBeGreaterThan(500);
    expect(await page.problems()).toEqual([]);
  });

  it('on a phone: declines with a reason', async () => {
    const s = await invited(service, {}, { label: 'webkit' });
    const page = await openPage(PHONE);
    await page.goto(pageUrl(s.link));
    await page.waitFor('[data-screen="consent"]');
    await page.click('#decline-open');
    await page.waitFor('#decline-dialog[open]');
    // A reason is required.
    await page.click('#decline-confirm');
    await page.waitForText('#decline-error', (t) => t === 'Give a reason.');
    await page.fill('#decline-reason', 'The service terms are not the ones we agreed.');
    await page.shot('7-phone-decline');
    await page.click('#decline-confirm');
    await page.waitFor('[data-screen="declined"]');
    expect(await page.text('h1')).toBe('You declined to sign');
    await page.shot('8-phone-declined');

    const envelope = await waitForStatus(service, s.token, s.id, 'declined');
    expect(envelope.recipients[0].status).toBe('declined');
    const [declined] = await eventsOfType(service, s.tenant, s.id, 'recipient.declined');
    expect(declined!.data.reason).toBe('The service terms are not the ones we agreed.');
    expect(await page.problems()).toEqual([]);
  });

  it('a tampered and a voided link show a clear page, never an error trace', async () => {
    const s = await invited(service, {}, { label: 'webkit' });
    const page = await openPage(DESKTOP);
    const noTrace = async () =>
      expect(await page.text('body')).not.toMatch(/\bat \S+ \(|Error:|TypeError|stack/);

    const tampered = `${s.link.slice(0, -4)}${s.link.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await page.goto(pageUrl(tampered));
    await page.waitFor('[data-screen="error"][data-error="invalid"]');
    expect(await page.text('h1')).toBe('This link is not valid');
    await noTrace();
    await page.shot('9-desktop-invalid-link');

    const voided = await service.api('POST', `/v1/envelopes/${s.id}/void`, {
      token: s.token,
      body: { reason: 'Sent to the wrong customer' },
    });
    expect(voided.status).toBe(200);
    // The same tab, given the link again: only the fragment changes, and the page loads it anew.
    await page.goto(pageUrl(s.link));
    await page.waitFor('[data-screen="error"][data-error="gone"]');
    expect(await page.text('h1')).toBe('This link no longer works');
    await noTrace();
    await page.shot('10-desktop-voided-link');
  });

  it('on a desktop, axe: no serious or critical violations on the consent and sign screens', async () => {
    const s = await invited(service, {}, { label: 'webkit' });
    const page = await openPage(DESKTOP);
    await page.goto(pageUrl(s.link));
    await page.waitFor('[data-screen="consent"]');
    await page.shot('11-desktop-consent');
    await page.expectAccessible('consent');
    await consent(page);
    await page.shot('12-desktop-signing');
    await page.expectAccessible('sign');
    expect(await page.problems()).toEqual([]);
  });
});
