import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

/**
 * The web apps in headless Chromium (Debian's, or CHROMIUM_PATH), for the tests under test/web:
 * one browser per test file, a fresh context for each page (closed after each test), what went
 * wrong in the page and what it asked the API recorded, screenshots into a folder of the OS temp
 * folder, axe-core checks, and the console's local sign-in.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const DESKTOP = { viewport: { width: 1280, height: 900 } };

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP refusals seen so far. */
  problems: string[];
  /** Requests the page made to the API, as `METHOD /path`. */
  calls: string[];
}

export interface BrowserOptions {
  /** The folder of the OS temp folder that screenshots go to. */
  shots: string;
  /** Every page's context (after the locale en-US; `openPage` can add to them). */
  context?: BrowserContextOptions;
  /** The pages' default timeout, shorter than the test's own so that a wait that fails says which. */
  timeout?: number;
  /**
   * Screenshots from the top, as the page is first seen (sticky parts otherwise sit where the last
   * step left them).
   */
  fromTop?: boolean;
  /** Starts what the pages talk to (the local service) beside the browser; closed after the tests. */
  start?: () => Promise<{ close(): Promise<void> }>;
}

export interface BrowserTests {
  /** The folder the screenshots go to (made before the tests). */
  shots: string;
  openPage(options?: BrowserContextOptions): Promise<Opened>;
  /** A full-page screenshot, `<name>.png` in the shots folder. */
  shot(page: Page, name: string): Promise<void>;
}

/** The browser for this test file: launched before its tests, its contexts closed after each. */
export function browserTests(options: BrowserOptions): BrowserTests {
  const shots = join(tmpdir(), options.shots);
  let browser: Browser | undefined;
  let started: { close(): Promise<void> } | undefined;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    [started, browser] = await Promise.all([
      options.start?.(),
      chromium.launch({ executablePath: CHROMIUM }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
    await started?.close();
  });

  async function openPage(extra: BrowserContextOptions = {}): Promise<Opened> {
    const context = await browser!.newContext({ locale: 'en-US', ...options.context, ...extra });
    contexts.push(context);
    const page = await context.newPage();
    if (options.timeout !== undefined) page.setDefaultTimeout(options.timeout);
    const problems: string[] = [];
    const calls: string[] = [];
    page.on('console', (m) => {
      // An API's 4xx answer is logged by the browser as a failed resource: expected where tested.
      if (
        m.type() === 'error' &&
        !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
      )
        problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/v1/')) calls.push(`${r.method()} ${url.pathname}`);
    });
    return { context, page, problems, calls };
  }

  async function shot(page: Page, name: string): Promise<void> {
    if (options.fromTop) await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }

  return { shots, openPage, shot };
}

/**
 * axe-core in the page: no serious or critical violation. It is evaluated through the DevTools
 * protocol, which the page's CSP does not govern (a script tag, inline, would be refused by it).
 */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  if (!(await page.evaluate(() => Boolean((globalThis as any).axe)))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const g = globalThis as any;
    const result = await g.axe.run(g.document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
    });
    return (result.violations as any[]).map((v) => ({
      id: v.id as string,
      impact: v.impact as string,
      nodes: (v.nodes as any[]).slice(0, 3).map((n) => (n.target as string[]).join(' ')),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `${screen}: ${JSON.stringify(serious)}`).toEqual([]);
}

/** Waits until the console has drawn the page of `route` (a registry pattern). */
export async function ready(page: Page, route: string): Promise<void> {
  await page.waitForSelector(`#app[data-route="${route}"][data-state="ready"]`);
}

/** The console at `route` (drawn as its registry pattern), from the page it is on. */
export async function goTo(page: Page, route: string, pattern = route): Promise<void> {
  await page.evaluate((r) => ((globalThis as any).location.hash = r), route);
  await ready(page, pattern);
}

/** Signed in without the form: a token in the fragment, as the local sign-in page hands it over. */
export async function signInWithToken(page: Page, serviceUrl: string, token: string): Promise<void> {
  await page.goto(`${serviceUrl}/console#token=${token}`);
  await page.waitForSelector('#app[data-state="ready"]');
}

/** Signs in through the console's local sign-in page with these roles, landing on `route`. */
export async function signInThroughForm(
  page: Page,
  serviceUrl: string,
  user: { tenant: string; email: string; roles: string[] },
  route: string,
  pattern = route,
): Promise<void> {
  await page.goto(`${serviceUrl}/console#${route}`);
  await page.waitForSelector('[data-screen="sign-in"]');
  await page.click('#sign-in');
  await page.waitForSelector('[data-screen="local-login"]');
  for (const box of await page.$$('input[name="role"]')) await box.setChecked(false);
  for (const role of user.roles) await page.check(`#role-${role}`);
  await page.fill('#tenant', user.tenant);
  await page.fill('#email', user.email);
  await page.click('#local-sign-in');
  await ready(page, pattern);
}
