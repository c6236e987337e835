import { rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../functions/core/access';
import { fixedClock } from '../../functions/adapters/system';
import { parseTicketInput } from '../../functions/core/sla/ingest';
import { SERVICENOW_TERMS } from '../../functions/core/sla/servicenow-terms';
import type { TicketTimeline } from '../../functions/core/sla/ticket';
import { chunkTickets } from '../../web/console/ticket-chunks';
import { browserTests, DESKTOP, expectAccessible, signInThroughForm } from '../support/browser';
import { signedContract, type Signed } from '../support/contracts';
import { startTestService, type TestService } from '../support/service';
import { jsonLines } from '../support/sla';

/**
 * Importing tickets on a contract's page, in headless Chromium against the local service: a
 * support manager imports a JSON Lines export of about 5 MB, which goes in two chunks with a
 * progress bar (the answer to the first is lost once, and the retry with the same key gets it
 * back); the summary matches what is stored and the page's SLA figures include the tickets.
 * The same file again changes nothing; a file with one bad ticket stops at its chunk with the
 * server's message naming the ticket; files that are not text, too large or cannot be split are
 * refused before anything is sent. Each screen is checked with axe and photographed into the OS
 * temp folder.
 */

/** Signed early in March 2025; the service's "now" is the 28th. */
const SIGNED_AT = new Date('2025-03-03T15:00:00Z');
const NOW = new Date('2025-03-28T16:00:00Z');
const MONTH = '2025-03';
const clock = fixedClock(SIGNED_AT);

let service: TestService;

const { openPage, shot } = browserTests({
  shots: 'countersign-console-tickets-screens',
  context: { ...DESKTOP, timezoneId: 'America/Sao_Paulo' },
  timeout: 60_000,
  start: async () => (service = await startTestService({ overrides: () => ({ clock }) })),
});

/** Weekdays of March 2025 before the 28th. */
const DAYS = [3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21, 24, 25, 26, 27];

/** A normal-priority ticket answered after 30 minutes and solved after two hours: within every target. */
function ticket(i: number, severity = 'Normal'): TicketTimeline {
  const opened = Date.UTC(2025, 2, DAYS[i % DAYS.length]!, 14, i % 60);
  const at = (minutes: number) => new Date(opened + minutes * 60_000).toISOString();
  return {
    id: `IMP-${String(i).padStart(5, '0')}`,
    created_at: at(0),
    severity_history: [{ at: at(0), severity }],
    status_history: [
      { at: at(0), status: 'New' },
      { at: at(30), status: 'Open' },
      { at: at(120), status: 'Solved' },
    ],
    comments: [
      { at: at(0), author: 'customer' },
      { at: at(30), author: 'agent', public: true },
      { at: at(40), author: 'customer' },
      { at: at(50), author: 'agent', public: true },
    ],
  };
}

/** Enough tickets for a little over 4 MB in the request: two chunks. */
const COUNT = 8_000;
const TICKETS = Array.from({ length: COUNT }, (_, i) => ticket(i));
const FILE = jsonLines(TICKETS);

const ticketsPath = (c: Signed) => `/v1/contracts/${c.contractId}/tickets`;

async function chooseFile(page: Page, name: string, text: string): Promise<void> {
  await page.setInputFiles('#ticket-file', {
    name,
    mimeType: 'application/x-ndjson',
    buffer: Buffer.from(text),
  });
  await page.waitForSelector(`.ticket-import .chosen:not([hidden]):has-text("${name}")`);
}

/** The value of the import's progress bar each time it changes (null while indeterminate). */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const g = globalThis as any;
    const bar = g.document.querySelector('[data-import-progress] progress');
    g.progressValues = [];
    new g.MutationObserver(() => g.progressValues.push(bar.getAttribute('value'))).observe(bar, {
      attributes: true,
      attributeFilter: ['value'],
    });
  });
}

/** A full-page screenshot once the trend chart, drawn last, is in (the page is as tall as it gets). */
async function photo(page: Page, name: string): Promise<void> {
  await page.waitForSelector('[data-chart="trend"][data-points]');
  await shot(page, name);
}

const outcomeOf = (page: Page) =>
  page.$eval('[data-import-outcome]', (el) =>
    Object.fromEntries(
      ['chunks', 'sent', 'received', 'created', 'updated', 'unchanged'].map((k) => [
        k,
        Number(el.getAttribute(`data-${k}`)),
      ]),
    ),
  );

/** The value and maximum of the progress bar as the accessibility tree exposes them. */
async function progressInTree(page: Page): Promise<{ now: number; max: number }> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: any[] };
  await cdp.detach();
  const bar = nodes.find((n) => n.role?.value === 'progressbar' && !n.ignored);
  const prop = (name: string) => bar?.properties?.find((p: any) => p.name === name)?.value?.value;
  return { now: Number(bar?.value?.value ?? prop('valuenow')), max: Number(prop('valuemax')) };
}

/** Signed in through the local form with one role, on the contract's page. */
function onContractPage(page: Page, on: Signed, email: string, role: Role): Promise<void> {
  return signInThroughForm(
    page,
    service.url,
    { tenant: on.t.tenant, email, roles: [role] },
    `/contracts/${on.contractId}`,
    '/contracts/:id',
  );
}

describe('the console: importing tickets', () => {
  let contract: Signed;

  beforeAll(async () => {
    contract = await signedContract(service, clock, SIGNED_AT, 'tickets-console');
    clock.set(NOW);
    // The file needs two requests.
    expect(chunkTickets(FILE, 'jsonl')).toHaveLength(2);
  }, 180_000);

  it('imports a 5 MB export in two chunks with progress; the figures refresh; the same file again changes nothing', async () => {
    const { page, problems } = await openPage();
    await onContractPage(page, contract, 'support@acme.test', 'support-manager');
    const card = page.locator('[data-ticket-import]');
    await card.waitFor();
    expect(await card.locator('h2').textContent()).toBe('Import tickets');
    // No tickets yet: nothing measured.
    expect(await page.textContent('[data-line="S3|resolution"] td:nth-of-type(1)')).toBe('0');
    await card.scrollIntoViewIfNeeded();
    await photo(page, '01-import-card');
    await expectAccessible(page, 'import card');

    // Each request's key; the first answer is lost once (the request itself reached the service).
    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === ticketsPath(contract))
        keys.push(r.headers()['idempotency-key']!);
    });
    let lost = false;
    await page.route(`**${ticketsPath(contract)}`, async (route) => {
      if (lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('connectionreset');
    });

    await chooseFile(page, 'tickets.jsonl', FILE);
    await recordProgress(page);
    await page.click('#ticket-import-start');
    await page.waitForSelector('[data-import-outcome="done"]');
    await page.waitForSelector('#app[data-state="ready"]');

    // The bar went from 0 through the first chunk to its maximum.
    const values = (await page.evaluate(() => (globalThis as any).progressValues as (string | null)[]))
      .filter((v): v is string => v !== null)
      .map(Number);
    expect(values[0]).toBe(0);
    expect(values.some((v) => v > 0 && v < 100)).toBe(true);
    expect(values.at(-1)).toBe(100);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    // The page was drawn again with the new figures; its bar shows the import done.
    const bar = page.locator('[data-import-progress] progress');
    expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
    expect(await progressInTree(page)).toEqual({ now: 100, max: 100 });
    expect(await page.textContent('[data-import-progress] .progress-text')).toBe(
      '2 of 2 chunks imported · 8,000 tickets',
    );

    // Three requests: chunk 1 twice with one key (the retry got the first answer back), chunk 2.
    expect(keys).toHaveLength(3);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[2]).not.toBe(keys[0]);
    for (const key of keys) expect(key).toMatch(/^tickets-[0-9a-f]{16}-[12]-[0-9a-f]{64}$/);

    expect(await outcomeOf(page)).toEqual({
      chunks: 2,
      sent: 2,
      received: COUNT,
      created: COUNT,
      updated: 0,
      unchanged: 0,
    });
    expect(await page.textContent('.import-outcome h3')).toBe('Import complete');
    expect(await page.textContent('.import-figures')).toContain('Created8,000');
    // Focus is back where the user was: on the summary.
    expect(
      await page.evaluate(() =>
        (globalThis as any).document.activeElement?.getAttribute('data-import-outcome'),
      ),
    ).toBe('done');

    // What the service stored and measures.
    const stored = await service.ports.sla.listTickets(contract.t.tenant, contract.contractId);
    expect(stored.map((t) => t.ticket.id).sort()).toEqual(TICKETS.map((t) => t.id));
    const results = (
      await service.api('GET', `/v1/contracts/${contract.contractId}/sla/tickets?month=${MONTH}`, {
        token: contract.t.auditor,
      })
    ).body.results as { ticket: string }[];
    expect(new Set(results.map((r) => r.ticket)).size).toBe(COUNT);
    const statement = (
      await service.api('GET', `/v1/contracts/${contract.contractId}/sla?month=${MONTH}`, {
        token: contract.t.auditor,
      })
    ).body;
    const resolution = statement.lines.find((l: any) => l.severity === 'S3' && l.metric === 'resolution');
    expect(resolution.counted).toBe(COUNT);
    // The page's figures include them.
    expect(await page.textContent('[data-line="S3|resolution"] td:nth-of-type(1)')).toBe(String(COUNT));
    await page.locator('[data-import-outcome]').scrollIntoViewIfNeeded();
    await photo(page, '02-imported');
    await expectAccessible(page, 'import done');

    // The same file again: new keys, and nothing changes (so the page is not drawn again).
    await chooseFile(page, 'tickets.jsonl', FILE);
    await recordProgress(page);
    await page.click('#ticket-import-start');
    await page.waitForSelector('[data-import-outcome="done"] [data-all-unchanged]');
    expect(await outcomeOf(page)).toEqual({
      chunks: 2,
      sent: 2,
      received: COUNT,
      created: 0,
      updated: 0,
      unchanged: COUNT,
    });
    expect(keys).toHaveLength(5);
    expect(new Set(keys).size).toBe(4);
    expect(
      await page.evaluate(() => ((globalThis as any).progressValues as string[]).filter(Boolean).at(-1)),
    ).toBe('100');
    expect(await page.textContent('[data-all-unchanged]')).toBe(
      'Every ticket was already stored as the file has it: nothing changed.',
    );
    await page.locator('[data-import-outcome]').scrollIntoViewIfNeeded();
    await photo(page, '03-imported-again');
    await expectAccessible(page, 'import unchanged');
    // The lost answer is the only thing that went wrong.
    expect(problems.filter((p) => !/ERR_CONNECTION_RESET/.test(p))).toEqual([]);
  }, 240_000);

  it('stops at the chunk with a bad ticket: the server’s message names it, the earlier chunk is imported, nothing of that chunk', async () => {
    const { page, problems } = await openPage();
    await onContractPage(page, contract, 'support@acme.test', 'support-manager');
    // The imported tickets, then a new one and one created at a time without an offset.
    const bad = { ...ticket(COUNT + 1), id: 'IMP-BAD', created_at: '2025-03-27 10:00' };
    const text = jsonLines([...TICKETS, ticket(COUNT), bad]);
    const chunks = chunkTickets(text, 'jsonl');
    expect(chunks).toHaveLength(2);
    // What the service answers for that chunk alone (a refused request stores nothing).
    const refused = await service.api('POST', ticketsPath(contract), {
      token: contract.t.sender,
      body: { format: 'jsonl', content: chunks[1]!.content },
    });
    expect(refused.status).toBe(400);
    const message = refused.body.error.message as string;
    expect(message).toContain('IMP-BAD');

    await chooseFile(page, 'tickets-bad.jsonl', text);
    await page.click('#ticket-import-start');
    const outcome = page.locator('[data-import-outcome="failed"]');
    await outcome.waitFor();
    expect(await outcomeOf(page)).toMatchObject({ chunks: 2, sent: 1, created: 0, updated: 0 });
    expect(await outcome.locator('h3').textContent()).toBe('Chunk 2 of 2 was not imported');
    expect(await outcome.locator('.notice.error').textContent()).toContain(message);
    expect(await outcome.locator('[data-imported]').textContent()).toBe(
      `Chunk 1 was imported (${chunks[0]!.tickets.toLocaleString('en-US')} tickets). Nothing of chunk 2 was stored, and the chunks after it were not sent.`,
    );
    // The line the server names, found in the file.
    const line = Number(/^line (\d+)/.exec(message)![1]);
    const fileLine = line + chunks[1]!.offset;
    expect(await outcome.locator('[data-located]').textContent()).toBe(
      `In chunk 2, line ${line} is line ${fileLine} of the file.`,
    );
    expect(text.split('\n')[fileLine - 1]).toContain('"IMP-BAD"');
    expect(await outcome.textContent()).toContain('change nothing');
    expect(
      await page.evaluate(() =>
        (globalThis as any).document.activeElement?.getAttribute('data-import-outcome'),
      ),
    ).toBe('failed');
    // Nothing of chunk 2: neither the bad ticket nor the good one beside it.
    const ids = (await service.ports.sla.listTickets(contract.t.tenant, contract.contractId)).map(
      (t) => t.ticket.id,
    );
    expect(ids).toHaveLength(COUNT);
    expect(ids).not.toContain(ticket(COUNT).id);
    expect(ids).not.toContain('IMP-BAD');
    await outcome.scrollIntoViewIfNeeded();
    await photo(page, '04-bad-ticket');
    await expectAccessible(page, 'bad ticket');
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses files that are not text, over 200 MB, or that cannot be split, before sending anything', async () => {
    const { page, problems, calls } = await openPage();
    await onContractPage(page, contract, 'support@acme.test', 'support-manager');
    const fieldError = page.locator('.ticket-file .field-error');

    // A picture, whatever its name says.
    await page.setInputFiles('#ticket-file', {
      name: 'tickets.jsonl',
      mimeType: '',
      buffer: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    });
    await page.waitForSelector('#ticket-file[aria-invalid="true"]');
    expect(await fieldError.textContent()).toBe(
      '“tickets.jsonl” is not a text file. Choose the export as JSON Lines, JSON or CSV (a zip must be extracted first).',
    );

    // Over 200 MB: refused from its size (a sparse file, never read).
    const big = join(tmpdir(), `countersign-big-${process.pid}.jsonl`);
    writeFileSync(big, '');
    truncateSync(big, 201 * 1024 * 1024);
    try {
      await page.setInputFiles('#ticket-file', big);
      await expect.poll(() => fieldError.textContent()).toMatch(/is 201 MB; an export can be at most 200 MB/);
    } finally {
      rmSync(big, { force: true });
    }

    // Nothing chosen.
    await page.click('#ticket-import-start');
    expect(await fieldError.textContent()).toBe('Choose the export to import.');

    // A ticket id twice: the file as one request would be refused, so no chunk is sent.
    await chooseFile(page, 'twice.jsonl', jsonLines([ticket(1), ticket(2), ticket(1)]));
    await page.click('#ticket-import-start');
    const problem = page.locator('[data-import-problem="duplicate"]');
    await problem.waitFor();
    expect(await problem.textContent()).toBe(
      'This file cannot be imported' +
        'Ticket IMP-00001 appears twice in the file (line 1 and line 3): ticket ids are unique per contract.' +
        'Nothing was sent.',
    );
    await photo(page, '05-refused');
    await expectAccessible(page, 'refused file');

    // ServiceNow: the zone of the log, prefilled with the browser's, required.
    await page.selectOption('#ticket-format', 'servicenow');
    expect(await page.inputValue('#ticket-zone')).toBe('America/Sao_Paulo');
    await page.fill('#ticket-zone', 'Mars/Olympus');
    await page.click('#ticket-import-start');
    await page.waitForSelector('#ticket-zone[aria-invalid="true"]');
    expect(await page.textContent('.field:has(#ticket-zone) .field-error')).toBe(
      '“Mars/Olympus” is not an IANA time zone (such as Europe/Paris).',
    );
    await page.selectOption('#ticket-format', 'jsonl');
    expect(await page.isHidden('#ticket-zone')).toBe(true);

    // In Spanish.
    await page.selectOption('#lang', 'es');
    await page.waitForSelector('[data-ticket-import] h2:has-text("Importar tickets")');
    await photo(page, '06-card-es');
    await expectAccessible(page, 'import card in Spanish');

    expect(calls.filter((c) => c.startsWith('POST'))).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('imports a ServiceNow incident log read in its zone; the rows left out are listed as the file numbers them', async () => {
    const terms = { ...SERVICENOW_TERMS, effective_from: '2025-01-01' };
    clock.set(SIGNED_AT);
    const snow = await signedContract(service, clock, SIGNED_AT, 'tickets-servicenow', { slaTerms: terms });
    clock.set(NOW);
    const header = 'number,incident_state,sys_mod_count,made_sla,opened_at,sys_updated_at,priority';
    const row = (n: string, state: string, mod: number, updated: string) =>
      [n, state, mod, 'true', '3/3/2025 09:00', updated, '3 - Moderate'].join(',');
    const log = [
      header,
      row('INC0000001', 'New', 0, '3/3/2025 09:00'),
      row('INC0000001', 'Active', 1, '3/3/2025 09:30'),
      row('INC0000001', 'Resolved', 2, '3/3/2025 11:00'),
      row('INC0000002', 'New', 0, '3/3/2025 09:00'),
      // Bad data the API leaves out and lists: a negative state, a row without a number.
      row('INC0000002', '-100', 1, '3/3/2025 10:00'),
      row('INC0000002', 'Resolved', 2, '3/3/2025 12:00'),
      row('?', 'Active', 0, '3/3/2025 10:00'),
    ].join('\r\n');
    // The rows the API's converter leaves out, numbered as in the file (the header is row 1).
    const { skipped } = parseTicketInput('servicenow', log, { sourceTimeZone: 'America/Sao_Paulo' });
    expect(skipped.map((s) => s.row)).toEqual([6, 8]);

    const { page, problems } = await openPage();
    await onContractPage(page, snow, 'legal@acme.test', 'legal');
    await page.selectOption('#ticket-format', 'servicenow');
    expect(await page.inputValue('#ticket-zone')).toBe('America/Sao_Paulo');
    await page.setInputFiles('#ticket-file', {
      name: 'incident_event_log.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(log),
    });
    await page.waitForSelector('.ticket-import .chosen:not([hidden])');
    await page.click('#ticket-import-start');
    await page.waitForSelector('[data-import-outcome="done"]');
    await page.waitForSelector('#app[data-state="ready"]');
    expect(await outcomeOf(page)).toEqual({
      chunks: 1,
      sent: 1,
      received: 2,
      created: 2,
      updated: 0,
      unchanged: 0,
    });
    // Drawn anew with the figures, the card keeps the format and zone.
    expect(await page.inputValue('#ticket-format')).toBe('servicenow');
    expect(await page.inputValue('#ticket-zone')).toBe('America/Sao_Paulo');
    const rows = await page.$$eval('.skipped-table tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(rows).toEqual(skipped.map((s) => [String(s.row), s.ticket || '?', s.reason]));
    const stored = await service.ports.sla.getTicket(snow.t.tenant, snow.contractId, 'INC0000001');
    // 09:00 in São Paulo is 12:00 UTC.
    expect(stored?.ticket.created_at).toBe('2025-03-03T12:00:00Z');
    await page.locator('[data-import-outcome]').scrollIntoViewIfNeeded();
    await photo(page, '07-servicenow');
    await expectAccessible(page, 'ServiceNow import');
    expect(problems).toEqual([]);
  }, 180_000);

  it('is not offered to a role that may not add tickets', async () => {
    const { page } = await openPage();
    await onContractPage(page, contract, 'auditor@acme.test', 'auditor');
    expect(await page.isVisible('.live-table, [data-statement]')).toBe(true);
    expect(await page.$('[data-ticket-import]')).toBeNull();
  }, 60_000);
});
