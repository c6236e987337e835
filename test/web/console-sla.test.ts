import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../functions/adapters/system';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import { runMonthlyReport, SLA_REPORT_JOB } from '../../functions/core/usecases/sla-reports';
import { browserTests, DESKTOP, expectAccessible, ready, signInThroughForm } from '../support/browser';
import { signedContract, type Signed } from '../support/contracts';
import { startTestService, type TestService } from '../support/service';
import {
  createRouted,
  invitationToken,
  mailTo,
  sendEnvelope,
  uniqueEmail,
  waitForStep,
} from '../support/signing';
import { exampleTerms } from '../support/templates';

/**
 * The console's contract and SLA pages and the tenant's branding, in headless Chromium against
 * the local service (its clock fixed on the 20th of the current month): signing in through the
 * local sign-in page, the contract list with its renewal window, a contract whose two previous
 * months were reported and whose current month has a breach and tickets at risk: the compliance
 * bars against their targets, the uptime gauge, the trend over the months, the live view and the
 * issued reports (a download), and an issued month through the month picker. Then an admin brands
 * the tenant (logo and colours, previewed), which the console's header, the signing page and the
 * invitation mail show. Each screen is checked with axe (nothing serious or critical) and
 * photographed into the OS temp folder.
 */

const pad = (n: number) => String(n).padStart(2, '0');
const monthOf = (y: number, m: number) => {
  const d = new Date(Date.UTC(y, m, 1));
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`;
};
const today = new Date();
const [Y, M] = [today.getUTCFullYear(), today.getUTCMonth()];
/** Months: two before the current one (reported), the one before (reported), the current one. */
const MONTHS = { first: monthOf(Y, M - 2), previous: monthOf(Y, M - 1), current: monthOf(Y, M) };
/** Signed on the 15th two months ago; the service's "now" is the 20th of this month at 10:00 in New York. */
const SIGNED_AT = new Date(Date.UTC(Y, M - 2, 15, 15));
const NOW = new Date(Date.UTC(Y, M, 20, 15));
const clock = fixedClock(SIGNED_AT);

let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-console-sla-screens',
  context: { acceptDownloads: true, ...DESKTOP },
  timeout: 20_000,
  fromTop: true,
  start: async () => (service = await startTestService({ overrides: () => ({ clock }) })),
});

/** A ticket at `day` (YYYY-MM-DD) in New York: created at 10:00, first reply after `replyMin`, solved at 13:00. */
function ticket(id: string, day: string, severity: 'Urgent' | 'High', replyMin: number): TicketTimeline {
  const at = (minutes: number) => {
    const t = new Date(Date.parse(`${day}T10:00:00-05:00`) + minutes * 60_000);
    return t.toISOString();
  };
  return {
    id,
    created_at: at(0),
    severity_history: [{ at: at(0), severity }],
    status_history: [
      { at: at(0), status: 'New' },
      { at: at(180), status: 'Solved' },
    ],
    comments: [{ at: at(replyMin), author: 'agent' }],
  };
}

/** An urgent ticket opened 10 minutes before now, not answered yet: its first response is at risk. */
function atRisk(id: string): TicketTimeline {
  const opened = new Date(NOW.getTime() - 10 * 60_000).toISOString();
  return {
    id,
    created_at: opened,
    severity_history: [{ at: opened, severity: 'Urgent' }],
    status_history: [{ at: opened, status: 'Open' }],
    comments: [],
  };
}

async function putTickets(c: Signed, tickets: TicketTimeline[]): Promise<void> {
  await service.ports.sla.putTickets(
    c.t.tenant,
    c.contractId,
    tickets.map((t) => ({
      contractId: c.contractId,
      ticket: t,
      source: 'api',
      updatedAt: clock.now().toISOString(),
    })),
  );
}

const report = (c: Signed, month: string) =>
  runMonthlyReport(
    service.ports,
    {
      id: `test-run:${c.contractId}:${month}`,
      job: SLA_REPORT_JOB,
      input: { tenantId: c.t.tenant, contractId: c.contractId },
    },
    { month },
  );

/** A small PNG logo: a coloured band with a square. */
function logoPng(): string {
  const png = new PNG({ width: 160, height: 40 });
  for (let y = 0; y < 40; y++)
    for (let x = 0; x < 160; x++) {
      const i = (y * 160 + x) * 4;
      const square = x > 8 && x < 36 && y > 6 && y < 34;
      png.data[i] = square ? 0xff : 0x0b;
      png.data[i + 1] = square ? 0xb0 : 0x5c;
      png.data[i + 2] = square ? 0x20 : 0xad;
      png.data[i + 3] = 0xff;
    }
  return PNG.sync.write(png).toString('base64');
}

describe('the console: contracts and SLA', () => {
  let contract: Signed;

  beforeAll(async () => {
    const terms = exampleTerms();
    terms.effective_from = `${MONTHS.first}-01`;
    delete terms.effective_to;
    terms.credits.cap_pct_of_monthly_fee = 5;
    // Reporting targets: the lines' markers on the chart.
    terms.metrics.first_response.min_compliance_pct = 95;
    terms.metrics.resolution.min_compliance_pct = 90;
    contract = await signedContract(service, clock, SIGNED_AT, 'sla-console', {
      // A four-month term: its notice deadline falls within the next 90 days.
      contract: {
        termMonths: 4,
        renewal: { mode: 'auto', renewalMonths: 12, noticeDays: 30, reminderDays: 10 },
      },
      mergeData: { effective_from: `${MONTHS.first}-01` },
      slaTerms: terms,
    });
    const day = (month: string, d: number) => `${month}-${pad(d)}`;
    await putTickets(contract, [
      ticket('A-1', day(MONTHS.first, 20), 'Urgent', 90),
      ticket('A-2', day(MONTHS.first, 21), 'High', 30),
      ticket('B-1', day(MONTHS.previous, 10), 'Urgent', 20),
      ticket('B-2', day(MONTHS.previous, 11), 'High', 200),
      ticket('B-3', day(MONTHS.previous, 12), 'High', 30),
    ]);
    clock.set(NOW);
    expect((await report(contract, MONTHS.first)).status).toBe('issued');
    expect((await report(contract, MONTHS.previous)).status).toBe('issued');
    await putTickets(contract, [
      ticket('C-1', day(MONTHS.current, 17), 'Urgent', 95),
      ticket('C-2', day(MONTHS.current, 18), 'High', 25),
      atRisk('C-3'),
    ]);
  }, 180_000);

  it('signs in through the local sign-in page; the list highlights the renewal window; the contract shows its SLA', async () => {
    const { page, problems } = await openPage();
    await signInThroughForm(
      page,
      service.url,
      { tenant: contract.t.tenant, email: 'auditor@acme.test', roles: ['auditor'] },
      '/contracts',
    );
    const row = page.locator(`tr[data-contract="${contract.contractId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('renewal-window');
    expect(await row.textContent()).toMatch(/Notice due in \d+ days/);
    await shot(page, '01-contracts');
    await expectAccessible(page, 'contract list');

    await row.locator('a').click();
    await ready(page, '/contracts/:id');
    // The default month is the contract's current reporting month on the service's clock.
    expect(await page.getAttribute('[data-month]', 'data-month')).toBe(MONTHS.current);
    expect(await page.getAttribute('[data-statement]', 'data-statement')).toBe('running');

    // The compliance bars: one per line of the statement, as wide as its compliance.
    const statement = (
      await service.api('GET', `/v1/contracts/${contract.contractId}/sla?month=${MONTHS.current}`, {
        token: contract.t.auditor,
      })
    ).body;
    const bars = await page.$$eval('.compliance-chart .bar', (els) =>
      els.map((e) => ({
        width: Number(e.getAttribute('width')),
        compliance: e.getAttribute('data-compliance'),
      })),
    );
    const full = Number(await page.getAttribute('.compliance-chart', 'data-bar-width'));
    expect(bars).toHaveLength(statement.lines.length);
    statement.lines.forEach((line: any, i: number) => {
      const bar = bars[i]!;
      if (line.compliance_pct === null) expect(bar.width).toBe(0);
      else expect(bar.width).toBeCloseTo((line.compliance_pct / 100) * full, 1);
    });
    const measured = statement.lines.filter((l: any) => l.counted > 0);
    expect(measured.length).toBeGreaterThan(0);
    // C-1 breached its first response: that line is below 100 %, and drawn as a miss.
    const s1 = statement.lines.find((l: any) => l.severity === 'S1' && l.metric === 'first_response');
    expect(s1.breached).toBe(1);
    expect(await page.getAttribute('[data-line="S1|first_response"] .bar', 'class')).toContain('miss');
    const targets = await page.$$eval('.compliance-chart .target-marker', (els) =>
      els.map((e) => Number(e.getAttribute('data-target'))),
    );
    expect(targets).toEqual(
      statement.lines.filter((l: any) => l.target_pct !== null).map((l: any) => l.target_pct),
    );
    expect(targets.length).toBeGreaterThan(0);
    expect(await page.isVisible('.uptime-gauge .bar.uptime')).toBe(true);

    // The trend: the two reported months and this one.
    await page.waitForSelector('[data-chart="trend"][data-points]');
    expect(await page.getAttribute('[data-chart="trend"]', 'data-points')).toBe('3');
    expect(
      await page.$$eval('.trend-compliance_pct .trend-point', (els) =>
        els.map((e) => e.getAttribute('data-month')),
      ),
    ).toEqual([MONTHS.first, MONTHS.previous, MONTHS.current]);

    // Live: C-3 is due within the hour, C-1 breached this month.
    expect(await page.textContent('.live-risk')).toContain('C-3');
    expect(
      await page.getAttribute(
        `.live-risk tr[data-ticket="C-3"][data-metric="first_response"]`,
        'data-ticket',
      ),
    ).toBe('C-3');
    expect(await page.textContent('.live-breached')).toContain('C-1');

    // The issued reports, newest first, and a download.
    expect(
      await page.$$eval('.reports-table tbody tr', (els) =>
        els.map((e) => e.getAttribute('data-report-month')),
      ),
    ).toEqual([MONTHS.previous, MONTHS.first]);
    await shot(page, '02-contract-sla');
    await expectAccessible(page, 'contract with SLA');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`[data-report="${MONTHS.previous}:report"]`),
    ]);
    expect(download.suggestedFilename()).toBe(`sla-report-${MONTHS.previous}.pdf`);
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // The month picker: the previous month, as issued.
    await page.click('#month-previous');
    await page.waitForSelector(`[data-month="${MONTHS.previous}"]`);
    await ready(page, '/contracts/:id');
    expect(await page.getAttribute('[data-statement]', 'data-statement')).toBe('issued');
    const previous = (
      await service.api('GET', `/v1/contracts/${contract.contractId}/sla?month=${MONTHS.previous}`, {
        token: contract.t.auditor,
      })
    ).body;
    expect(await page.$$eval('.compliance-chart .bar', (els) => els.length)).toBe(previous.lines.length);
    await shot(page, '03-contract-previous-month');
    await expectAccessible(page, 'an issued month');
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('the console: branding', () => {
  it('an admin sets a logo and colours with a preview; the console, the signing page and the invitation show them', async () => {
    const tenant = `brand-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
    const { page, problems } = await openPage();
    await signInThroughForm(
      page,
      service.url,
      { tenant, email: 'admin@acme.test', roles: ['admin'] },
      '/settings/branding',
    );
    await page.setInputFiles('#logo-file', {
      name: 'logo.png',
      mimeType: 'image/png',
      buffer: Buffer.from(logoPng(), 'base64'),
    });
    await page.waitForSelector('[data-preview] .brand-logo');
    // A pale primary colour is shown darker, so that it still reads on white.
    await page.fill('#primaryColor-text', '#7fb2ff');
    await page.fill('#accentColor-text', '#ffb020');
    await expect.poll(() => page.textContent('#contrast-note')).toMatch(/Shown as #[0-9a-f]{6}/);
    await shot(page, '04-branding-preview');
    await expectAccessible(page, 'branding');

    // Not a PNG: refused at the field, nothing sent.
    await page.setInputFiles('#logo-file', {
      name: 'logo.png',
      mimeType: 'image/png',
      buffer: Buffer.from('%PDF-1.7 not a png'),
    });
    await page.waitForSelector('#logo-file[aria-invalid="true"]');
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/v1/tenant/settings') && r.request().method() === 'PUT'),
      page.click('#save-branding'),
    ]);
    const admin = await service.token('admin', { tenant, sub: 'admin-1', email: 'admin@acme.test' });
    const settings = (await service.api('GET', '/v1/tenant/settings', { token: admin })).body;
    expect(settings.branding).toEqual({
      logoPngBase64: logoPng(),
      primaryColor: '#7fb2ff',
      accentColor: '#ffb020',
    });
    // The console's header: the logo, and the colours as custom properties.
    await page.waitForSelector('.topbar .brand .brand-logo');
    const primary = await page.evaluate(() =>
      (globalThis as any).document.documentElement.style.getPropertyValue('--primary'),
    );
    expect(primary).toMatch(/^#[0-9a-f]{6}$/);
    expect(primary).not.toBe('#7fb2ff');
    await shot(page, '05-branding-saved');

    // A logo over 200 KB, or not a PNG, is refused by the API too.
    const bad = await service.api('PUT', '/v1/tenant/settings', {
      token: admin,
      body: {
        branding: { logoPngBase64: Buffer.from('GIF89a....').toString('base64') },
        version: settings.version,
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toContainEqual({
      path: 'body.branding.logoPngBase64',
      message: 'must be a PNG image',
    });

    // A recipient of this tenant sees the branding on the signing page and in the invitation.
    const sender = await service.token('sender', { tenant, sub: 'sender-1', email: 'sender@acme.test' });
    const email = uniqueEmail('branded');
    const routed = await createRouted(service, sender, tenant, [{ step: 1, name: 'Ada Buyer', email }], {
      title: 'Branded agreement',
    });
    await sendEnvelope(service, sender, routed.envelope.id);
    await waitForStep(service, tenant, routed.envelope.id, 1);
    const link = await invitationToken(service, email);
    const [invitation] = await mailTo(service, email, 'Please sign');
    expect(invitation!.body.html).toContain(`data:image/png;base64,${logoPng()}`);
    expect(invitation!.body.html).toContain(`/sign#t=${link}`);
    const recipient = await openPage();
    await recipient.page.goto(`${service.url}/sign#t=${link}`);
    await recipient.page.waitForSelector('[data-screen="consent"]');
    await recipient.page.waitForSelector('.topbar .brand .brand-logo');
    expect(
      await recipient.page.evaluate(() =>
        (globalThis as any).document.documentElement.classList.contains('branded'),
      ),
    ).toBe(true);
    await shot(recipient.page, '06-signing-page-branded');
    await expectAccessible(recipient.page, 'branded signing page');
    expect(problems).toEqual([]);
    expect(recipient.problems).toEqual([]);
  }, 120_000);
});
