import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { browserTests, DESKTOP, expectAccessible, goTo, ready, signInWithToken } from '../support/browser';
import { startTestService, type TestService } from '../support/service';
import { eventually, mailTo, uniqueEmail } from '../support/signing';
import { templateBody } from '../support/templates';

/**
 * Bulk send in the console, in headless Chromium against the local service: the spreadsheet for
 * the template, a filled file with a mistake shown by line before anything is sent, a refusal by
 * the server shown by line, then a good file sent and followed to the end on the progress page.
 */

let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-console-bulk-screens',
  context: { acceptDownloads: true, ...DESKTOP },
  timeout: 15_000,
  fromTop: true,
  start: async () => (service = await startTestService()),
});

const csv = (lines: string[][]) =>
  lines.map((l) => l.map((v) => `"${v.replace(/"/g, '""')}"`).join(',')).join('\n');

describe('bulk send in the console', () => {
  it('gives the spreadsheet, names a wrong line, shows the server’s refusal by line, then sends and follows a batch', async () => {
    const tenant = `bulk-web-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const admin = await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' });
    const created = await service.api('POST', '/v1/templates', { token: admin, body: await templateBody() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const templateId = created.body.id as string;

    const token = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const { page, problems } = await openPage();
    await signInWithToken(page, service.url, token);
    await ready(page, '/envelopes');
    await goTo(page, `/send/bulk?template=${templateId}`, '/send/bulk');
    await page.waitForSelector('#bulk-file');

    // The spreadsheet: a column per role's name and e-mail, per merge field, and the title.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bulk-example')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const header = readFileSync((await download.path())!, 'utf8')
      .split(/\r?\n/)[0]!
      .split(',');
    expect(header).toEqual([
      'role:customer.name',
      'role:customer.email',
      'role:customer.language',
      'role:vendor.name',
      'role:vendor.email',
      'role:vendor.language',
      'role:procurement.name',
      'role:procurement.email',
      'role:procurement.language',
      'customer.name',
      'fee.monthly',
      'effective_from',
      'title',
    ]);

    const people = ['Acme', 'Globex', 'Initech'].map((name) => ({
      name,
      email: uniqueEmail(name.toLowerCase()),
    }));
    const line = (p: { name: string; email: string }, customerName = `${p.name} Corp`) => [
      `${p.name} Buyer`,
      p.email,
      p.name === 'Globex' ? 'es' : '',
      'Victor Vendor',
      'victor@vendor.example',
      '',
      'Pat Procurement',
      'pat@customer.example',
      '',
      customerName,
      'USD 1,000.00',
      '2027-01-01',
      '',
    ];
    const file = (lines: string[][]) => ({
      name: 'parties.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv([header, ...lines])),
    });

    // A wrong address on line 3 is named before anything is sent.
    await page.setInputFiles(
      '#bulk-file',
      file([line(people[0]!), line({ name: 'Globex', email: 'not-an-address' })]),
    );
    await page.waitForSelector('#bulk-problems');
    expect(await page.textContent('#bulk-problems')).toContain(
      'Line 3: role:customer.email is not an e-mail address',
    );
    await shot(page, '01-bulk-file-problem');

    // A value the server refuses (longer than a merge field holds): nothing is sent, the line is named.
    await page.setInputFiles('#bulk-file', file([line(people[0]!), line(people[1]!, 'x'.repeat(600))]));
    await page.waitForSelector('#bulk-rows .notice.info');
    await page.click('#bulk-send');
    await page.waitForSelector('.outcome #bulk-problems');
    expect(await page.textContent('.outcome')).toContain('Nothing was sent');
    expect(await page.textContent('.outcome #bulk-problems')).toContain('Line 3: mergeData.customer.name');
    expect((await service.api('GET', '/v1/envelopes', { token })).body.items).toEqual([]);
    await shot(page, '02-bulk-server-refusal');

    // The right file: its rows shown, then sent and followed.
    await page.setInputFiles('#bulk-file', file(people.map((p) => line(p))));
    await page.waitForSelector('#bulk-rows .notice.info');
    expect(await page.textContent('#bulk-rows')).toContain('3 envelopes to send');
    expect(await page.inputValue('#bulk-title')).toBe('Support maintenance agreement — {{customer.name}}');
    await expectAccessible(page, 'bulk send');
    await shot(page, '03-bulk-ready');
    await page.click('#bulk-send');
    await ready(page, '/bulk-sends/:id');
    await page.waitForSelector('#bulk-verdict:has-text("All 3 envelopes were sent.")');
    expect(await page.getAttribute('progress', 'value')).toBe('100');
    expect(await page.locator('#bulk-rows-table tbody tr[data-status="sent"]').count()).toBe(3);
    expect(await page.textContent('#bulk-rows-table')).toContain(
      'Support maintenance agreement — Globex Corp',
    );
    await expectAccessible(page, 'bulk send progress');
    await shot(page, '04-bulk-progress-done');

    // Globex's line asked for Spanish.
    for (const p of people) {
      const mail = await eventually(`${p.email}'s invitation`, async () => {
        const m = await mailTo(service, p.email, p.name === 'Globex' ? 'Firme, por favor:' : 'Please sign:');
        return m.length ? m : undefined;
      });
      expect(mail).toHaveLength(1);
    }
    // A sent row opens its envelope.
    await page.click('#bulk-rows-table tbody tr:first-child a');
    await ready(page, '/envelopes/:id');
    expect(problems).toEqual([]);
  });
});
