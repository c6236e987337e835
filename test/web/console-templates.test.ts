import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  browserTests,
  expectAccessible,
  goTo,
  ready,
  signInWithToken,
  type Opened,
} from '../support/browser';
import { makePdf } from '../support/pdf';
import { startTestService, type TestService } from '../support/service';
import { templateBody } from '../support/templates';

/**
 * The console's template pages in headless Chromium against the local service: the list, the
 * editor with a field dragged from the palette onto a page and saved as a new version, an SLA
 * term that refers to an unknown severity shown at its field before anything is sent, the
 * server's problems shown at their paths, the versions and their visual diff, a version saved
 * meanwhile (409) with what changed, and archiving. Each screen is checked with axe (nothing
 * serious or critical) and photographed into the OS temp folder.
 */

let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-console-template-screens',
  context: { viewport: { width: 1400, height: 900 } },
  timeout: 20_000,
  fromTop: true,
  start: async () => (service = await startTestService()),
});

/** Signed in with a token in the fragment, as the local sign-in page hands it over. */
async function signedIn(token: string, route: string, pattern: string): Promise<Opened> {
  const opened = await openPage();
  await signInWithToken(opened.page, service.url, token);
  await goTo(opened.page, route, pattern);
  return opened;
}

/** Drags with the mouse from the centre of one element to a point inside another. */
async function drag(page: Page, from: string, to: string, at: { x: number; y: number }): Promise<void> {
  const a = (await page.locator(from).boundingBox())!;
  const b = (await page.locator(to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * at.x, b.y + b.height * at.y, { steps: 12 });
  await page.mouse.up();
}

describe('the console: templates', () => {
  it('drags a field onto a page and saves a new version; bad SLA terms are shown at their fields; the versions diff; a conflict; archiving', async () => {
    const tenant = `tpl-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const admin = await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' });
    const created = await service.api('POST', '/v1/templates', { token: admin, body: await templateBody() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const read = async (version?: number) =>
      (
        await service.api('GET', `/v1/templates/${id}${version ? `?version=${version}` : ''}`, {
          token: admin,
        })
      ).body;

    const { page, problems, calls } = await signedIn(admin, '/templates', '/templates');
    await page.waitForSelector(`tr[data-template="${id}"]`);
    await shot(page, '01-templates');
    await expectAccessible(page, 'template list');

    await page.click(`tr[data-template="${id}"] a`);
    await ready(page, '/templates/:id');
    await page.waitForSelector('.pdf-page[data-page="1"][data-rendered="true"]');
    // The boxes of version 1: every field and merge field on its page.
    expect(await page.$$eval('.place-box.kind-field', (els) => els.length)).toBe(created.body.fields.length);
    expect(await page.$$eval('.place-box.kind-merge', (els) => els.length)).toBe(
      created.body.mergeFields.length,
    );

    // A text field dragged onto page 1, at 40% across and 60% down.
    await drag(page, '[data-palette="text"]', '.pdf-frame[data-page="1"]', { x: 0.4, y: 0.6 });
    await page.waitForSelector('.place-box[data-name="text_1"].selected');
    await page.fill('.placer-props input[type="text"] >> nth=0', 'customer_reference');
    await page.waitForSelector('.place-box[data-name="customer_reference"]');
    await page.check('.placer-props input[type="checkbox"]');
    await page.waitForSelector('.dirty-flag:not([hidden])');
    await shot(page, '02-editor-field-dropped');
    await expectAccessible(page, 'editor with a new field');

    await Promise.all([
      page.waitForResponse(
        (r) =>
          r.url().endsWith(`/v1/templates/${id}`) && r.request().method() === 'PUT' && r.status() === 200,
      ),
      page.click('#save-template'),
    ]);
    await page.waitForSelector('[data-version="2"]');
    await ready(page, '/templates/:id');
    const v2 = await read();
    expect(v2.version).toBe(2);
    const added = v2.fields.find((f: any) => f.name === 'customer_reference');
    expect(added).toMatchObject({
      type: 'text',
      role: 'customer',
      page: 1,
      required: true,
      width: 180,
      height: 20,
    });
    // Dropped where the pointer was: its centre at 40% of 612 by 60% of 792 points.
    expect(added.x + added.width / 2).toBeCloseTo(0.4 * 612, -1);
    expect(added.y + added.height / 2).toBeCloseTo(0.6 * 792, -1);

    // The SLA terms: a target for a severity the terms do not have is shown at its field, and
    // nothing is sent.
    await page.click('#tab-sla');
    const severity = '[data-path="targets[0].severity"]';
    await page.fill(severity, 'S9');
    // The target's severity, and (as the server would say) the S1 credit left without a target.
    await page.waitForSelector('.terms-summary[data-problems="2"]');
    const message = await page.locator(severity).locator('xpath=..').locator('.field-error').textContent();
    expect(message).toContain('"S9" is not a severity of these terms (S1, S2, S3, S4)');
    expect(await page.getAttribute(severity, 'aria-invalid')).toBe('true');
    expect(await page.textContent('[data-group-path="credits.per_breach[0]"] > .group-error')).toContain(
      'S1 first_response has no target in targets',
    );
    const puts = () => calls.filter((c) => c === `PUT /v1/templates/${id}`).length;
    const before = puts();
    await page.click('#save-template');
    await page.waitForSelector('.save-result.notice.error');
    expect(puts()).toBe(before);
    expect(await page.getAttribute('#tab-sla', 'aria-selected')).toBe('true');
    await shot(page, '03-editor-sla-problem');
    await expectAccessible(page, 'SLA terms with a problem');
    await page.fill(severity, 'S1');
    await page.waitForSelector('.terms-summary[data-problems="0"]');

    // What the server refuses is shown at its path too (here an answer made up for the test).
    await page.route(`**/v1/templates/${id}`, async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'validation_failed',
            message: 'the SLA terms do not hold together',
            details: [
              { path: 'body.slaTerms.targets[1].target_minutes', message: 'not accepted by this test' },
            ],
          },
        }),
      });
    });
    await page.click('#save-template');
    await page.waitForSelector('[data-path="targets[1].target_minutes"][aria-invalid="true"]');
    expect(
      await page
        .locator('[data-path="targets[1].target_minutes"]')
        .locator('xpath=..')
        .locator('.field-error')
        .textContent(),
    ).toBe('not accepted by this test');
    await page.unroute(`**/v1/templates/${id}`);

    // The versions, and what changed from 1 to 2 on the pages.
    await page.click('#tab-versions');
    await page.waitForSelector('.versions-table tr[data-version="1"]');
    expect(
      await page.$$eval('.versions-table tbody tr', (els) => els.map((e) => e.getAttribute('data-version'))),
    ).toEqual(['2', '1']);
    await page.click('.versions-table tr[data-version="2"] a:has-text("Compare")');
    await ready(page, '/templates/:id/diff');
    await page.waitForSelector('.pdf-page[data-rendered="true"]');
    expect(
      await page.$$eval('.diff-box[data-state="added"]', (els) =>
        els.map((e) => e.getAttribute('data-name')),
      ),
    ).toEqual(['customer_reference']);
    expect(await page.$$eval('.diff-box[data-state="same"]', (els) => els.length)).toBe(
      created.body.fields.length + created.body.mergeFields.length,
    );
    expect(await page.textContent('[data-diff="fields"]')).toContain('customer_reference');
    await shot(page, '04-diff');
    await expectAccessible(page, 'version diff');

    // Someone saves version 3 meanwhile: this page, still on version 2, is told and shown the change.
    await goTo(page, `/templates/${id}`, '/templates/:id');
    const {
      id: _id,
      version: _v,
      latestVersion: _l,
      approvedVersion: _a,
      status: _s,
      document: _d,
      createdAt: _c,
      createdBy: _b,
      approvedAt: _t,
      approvedBy: _y,
      settings,
      ...rest
    } = v2;
    const third = await service.api('PUT', `/v1/templates/${id}`, {
      token: admin,
      body: { ...rest, ...settings, message: 'Changed meanwhile', baseVersion: 2 },
    });
    expect(third.status, JSON.stringify(third.body)).toBe(200);
    await page.click('#tab-settings');
    await page.fill('#panel-settings textarea', 'My change');
    await page.click('#save-template');
    await page.waitForSelector('[data-conflict] #reload-latest');
    await page.waitForSelector('.save-result .template-diff[data-from="2"][data-to="3"]');
    expect(await page.textContent('.save-result [data-diff="message"]')).toContain('Changed meanwhile');
    expect((await read()).version).toBe(3);
    await shot(page, '05-conflict');
    await expectAccessible(page, 'conflict');
    await page.click('#reload-latest');
    await page.waitForSelector('[data-version="3"]');

    // Archiving: the template becomes read-only.
    await page.click('#archive-template');
    await page.fill('.archive-form input', 'replaced by the 2027 agreement');
    await page.click('.archive-form button[type="submit"]');
    await page.waitForSelector('.badge.status-archived');
    await ready(page, '/templates/:id');
    expect(await page.isDisabled('#save-template')).toBe(true);
    expect((await read()).archivedAt).toBeTruthy();
    expect(problems).toEqual([]);
  }, 120_000);

  it('a new template from a PDF opens in the editor, with one signer role', async () => {
    const tenant = `new-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const sender = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const { page, problems } = await signedIn(sender, '/templates', '/templates');
    await page.click('#new-template');
    await ready(page, '/templates/new');
    // A file that is not a PDF is refused at its field.
    await page.fill('#template-name', 'Gold support 2027');
    await page.setInputFiles('#template-file', {
      name: 'notes.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('hello'),
    });
    await page.click('#create-template');
    await page.waitForSelector('#template-file[aria-invalid="true"]');
    await shot(page, '07-new-template');
    await expectAccessible(page, 'new template');
    const pdf = await makePdf([[612, 792]], 'Gold support');
    await page.setInputFiles('#template-file', {
      name: 'gold.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(pdf),
    });
    await page.click('#create-template');
    await ready(page, '/templates/:id');
    await page.waitForSelector('.pdf-page[data-page="1"][data-rendered="true"]');
    const id = decodeURIComponent(page.url().split('#/templates/')[1]!);
    const created = (await service.api('GET', `/v1/templates/${id}`, { token: sender })).body;
    expect(created).toMatchObject({
      name: 'Gold support 2027',
      version: 1,
      roles: [{ name: 'customer', role: 'signer', step: 1 }],
    });
    expect(await page.isVisible('#add-terms')).toBe(false);
    await page.click('#tab-sla');
    expect(await page.isVisible('#add-terms')).toBe(true);
    expect(problems).toEqual([]);
  }, 60_000);

  it('legal approves a version waiting for approval', async () => {
    const tenant = `approve-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const admin = await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' });
    const required = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: { templateApprovalRequired: true },
    });
    expect(required.status, JSON.stringify(required.body)).toBe(200);
    const sender = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const created = await service.api('POST', '/v1/templates', { token: sender, body: await templateBody() });
    expect(created.body.status).toBe('pending_approval');
    const legal = await service.token('legal', { tenant, sub: 'legal-1', email: 'legal@acme.test' });
    const { page, problems } = await signedIn(legal, `/templates/${created.body.id}`, '/templates/:id');
    expect(await page.textContent('.template-meta')).toContain('Waiting for approval');
    await shot(page, '06-waiting-for-approval');
    await expectAccessible(page, 'a version waiting for approval');
    await page.click('#approve-version');
    await page.waitForSelector('.template-meta .badge.status-approved');
    const approved = (await service.api('GET', `/v1/templates/${created.body.id}`, { token: legal })).body;
    expect(approved).toMatchObject({ status: 'approved', approvedVersion: 1, approvedBy: 'legal-1' });
    expect(await page.isVisible('#approve-version')).toBe(false);
    expect(problems).toEqual([]);
  }, 60_000);
});
