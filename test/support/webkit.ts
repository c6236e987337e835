import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capabilities, WebDriver, type WebElement } from 'selenium-webdriver';
import type * as SeleniumHttp from 'selenium-webdriver/http';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { freePort } from '../../functions/local/emulators';

/**
 * The web apps in WebKit, Safari's engine, for the tests under test/web: Debian's WebKitGTK
 * MiniBrowser driven through its W3C WebDriver (WebKitWebDriver) on a virtual X display (Xvfb).
 * One display and one driver per test file, a fresh browser session for each page (closed after
 * each test), screenshots into a folder of the OS temp folder, and axe-core checks.
 */

const require = createRequire(import.meta.url);
// The package has no `exports` map: Node's ESM loader cannot import its `http` folder by name.
const { Executor, HttpClient } = require('selenium-webdriver/http') as typeof SeleniumHttp;
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const DRIVER = process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver';
const XVFB = process.env.XVFB_PATH ?? '/usr/bin/Xvfb';
const BROWSER =
  process.env.WEBKIT_BROWSER ??
  `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/webkit2gtk-4.1/MiniBrowser`;

/** The size of the page's viewport (the window is made larger by its toolbar). */
export interface Viewport {
  width: number;
  height: number;
}

export const PHONE: Viewport = { width: 390, height: 844 };
export const DESKTOP: Viewport = { width: 1280, height: 900 };

export interface WebKitOptions {
  /** The folder of the OS temp folder that screenshots go to. */
  shots: string;
  /** How long a wait on the page lasts, shorter than the test's own so that a wait that fails says which. */
  timeout?: number;
  /** Starts what the pages talk to (the local service) beside the browser; closed after the tests. */
  start?: () => Promise<{ close(): Promise<void> }>;
}

export interface WebKitTests {
  /** The folder the screenshots go to (made before the tests). */
  shots: string;
  /** A new browser session (a new MiniBrowser) with this viewport, closed after the test. */
  openPage(viewport?: Viewport): Promise<WebKitPage>;
}

function missing(path: string, what: string, pkg: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch {
    return `${what} is missing (${path}): install the Debian package ${pkg} (apt-get install ${pkg})`;
  }
}

/** Why these tests cannot run on this machine, if they cannot. */
function unmet(): Error | undefined {
  const problems = [
    missing(DRIVER, 'WebKitWebDriver', 'webkit2gtk-driver'),
    missing(BROWSER, "WebKitGTK's MiniBrowser", 'webkit2gtk-driver'),
    missing(XVFB, 'Xvfb', 'xvfb'),
  ].filter((p): p is string => p !== undefined);
  return problems.length ? new Error(`WebKit tests cannot run: ${problems.join('; ')}`) : undefined;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` gives a value other than undefined/false; a probe that throws counts as not yet. */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      // A page being replaced answers with an error for a moment; the deadline still holds.
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`,
      );
    await pause(50);
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Ends a process started here and everything it started (its own process group). */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }, 3000);
  await done;
  clearTimeout(timer);
}

/** A virtual X display on the first free number (Xvfb picks it and writes it to a pipe). */
async function startDisplay(): Promise<{ xvfb: ChildProcess; display: string }> {
  const xvfb = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  xvfb.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const display = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb gave no display in 10 s: ${log}`)), 10_000);
      xvfb.stdio[3]!.on('data', (d: Buffer) => {
        text += d.toString();
        if (!text.includes('\n')) return;
        clearTimeout(timer);
        resolve(text.trim());
      });
      xvfb.once('error', (err) => reject(new Error(`Xvfb did not start: ${err.message}`)));
      xvfb.once('exit', (code) => reject(new Error(`Xvfb ended (${code}): ${log}`)));
    });
    return { xvfb, display: `:${display}` };
  } catch (err) {
    await stop(xvfb);
    throw err;
  }
}

/**
 * WebKitWebDriver on a free port, with its own settings folder: there a GTK style lets the
 * MiniBrowser's toolbar shrink, so that its window can be as narrow as a phone (447 px otherwise).
 */
async function startDriver(display: string, home: string): Promise<{ driver: ChildProcess; url: string }> {
  mkdirSync(join(home, 'config', 'gtk-3.0'), { recursive: true });
  writeFileSync(
    join(home, 'config', 'gtk-3.0', 'gtk.css'),
    'entry, button { min-width: 0; min-height: 0; padding: 0; margin: 0; font-size: 1px; }\n',
  );
  const env = {
    ...process.env,
    DISPLAY: display,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_DATA_HOME: join(home, 'data'),
    // No accessibility bus to wait for.
    NO_AT_BRIDGE: '1',
  };
  let lastError = '';
  // The port is free when chosen; another process may take it first, so a few tries.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const driver = spawn(DRIVER, [`--port=${port}`], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let log = '';
    driver.stderr!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    driver.once('error', (err) => (log += err.message));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 10_000;
    while (driver.exitCode === null && Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/status`);
        if (res.ok) return { driver, url };
      } catch {
        // Not listening yet.
      }
      await pause(50);
    }
    lastError = driver.exitCode === null ? `no answer on ${url} in 10 s` : `it ended: ${log}`;
    await stop(driver);
  }
  throw new Error(`WebKitWebDriver did not start: ${lastError}`);
}

/** The WebKit side of a test file: display and driver before its tests, sessions closed after each. */
export function webkitTests(options: WebKitOptions): WebKitTests {
  const shots = join(tmpdir(), options.shots);
  const timeout = options.timeout ?? 10_000;
  let xvfb: ChildProcess | undefined;
  let driverProcess: ChildProcess | undefined;
  let driverUrl: string | undefined;
  let home: string | undefined;
  let started: { close(): Promise<void> } | undefined;
  const pages: WebKitPage[] = [];
  let unavailable = unmet();
  // Processes left behind by a run that ends abruptly would hold the display and the port.
  const onExit = () => {
    for (const child of [driverProcess, xvfb]) {
      try {
        if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };

  beforeAll(async () => {
    if (unavailable) return;
    mkdirSync(shots, { recursive: true });
    home = mkdtempSync(join(tmpdir(), 'countersign-webkit-'));
    process.once('exit', onExit);
    const browser = (async () => {
      try {
        const display = await startDisplay();
        xvfb = display.xvfb;
        const driver = await startDriver(display.display, home!);
        driverProcess = driver.driver;
        driverUrl = driver.url;
      } catch (err) {
        unavailable = err as Error;
      }
    })();
    [started] = await Promise.all([options.start?.(), browser]);
  });
  // Each test fails with what is missing (a failed beforeAll would report them as skipped).
  beforeEach(() => {
    if (unavailable) throw unavailable;
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
  });
  afterAll(async () => {
    for (const page of pages.splice(0)) await page.close();
    await stop(driverProcess);
    await stop(xvfb);
    process.removeListener('exit', onExit);
    if (home) rmSync(home, { recursive: true, force: true });
    await started?.close();
  });

  async function openPage(viewport: Viewport = DESKTOP): Promise<WebKitPage> {
    if (!driverUrl) throw new Error('WebKitWebDriver is not running');
    // One session at a time: WebKitWebDriver drives one browser.
    for (const page of pages.splice(0)) await page.close();
    const capabilities = new Capabilities({
      'webkitgtk:browserOptions': { binary: BROWSER, args: ['--automation'] },
    });
    const driver = WebDriver.createSession(new Executor(new HttpClient(driverUrl)), capabilities);
    await driver.getSession();
    const page = new WebKitPage(driver, shots, timeout);
    pages.push(page);
    await driver.manage().setTimeouts({ script: 30_000, pageLoad: 30_000 });
    await page.setViewport(viewport);
    return page;
  }

  return { shots, openPage };
}

/** Whether an element is on the page and shown (as a user could see it), as a WebElement. */
const SHOWN = (selector: string) => {
  const el = (globalThis as any).document.querySelector(selector);
  if (!el || !el.getClientRects().length) return null;
  return (globalThis as any).getComputedStyle(el).visibility === 'hidden' ? null : el;
};

/**
 * Records what goes wrong in the page from now on (uncaught errors, rejected promises,
 * console.error): WebDriver has no console of its own to listen to.
 */
const WATCH = () => {
  const g = globalThis as any;
  if (g.__problems) return;
  g.__problems = [];
  g.addEventListener('error', (e: any) => g.__problems.push(`page error: ${e.message}`));
  g.addEventListener('unhandledrejection', (e: any) =>
    g.__problems.push(`unhandled rejection: ${String(e.reason?.message ?? e.reason)}`),
  );
  const error = g.console.error.bind(g.console);
  g.console.error = (...args: unknown[]) => {
    g.__problems.push(args.map(String).join(' '));
    error(...args);
  };
};

/** One MiniBrowser window, with the few things a test does with a page. */
export class WebKitPage {
  constructor(
    readonly driver: WebDriver,
    private readonly shots: string,
    readonly timeout: number,
  ) {}

  /** Sizes the window so that the page itself gets `viewport` (the toolbar takes some height). */
  async setViewport(viewport: Viewport): Promise<void> {
    const window = this.driver.manage().window();
    await window.setRect({ width: viewport.width, height: viewport.height });
    const [width, height] = await this.evaluate<[number, number]>(() => [
      (globalThis as any).innerWidth,
      (globalThis as any).innerHeight,
    ]);
    await window.setRect({
      width: 2 * viewport.width - width,
      height: 2 * viewport.height - height,
    });
  }

  async goto(url: string): Promise<void> {
    await this.driver.get(url);
    await this.evaluate(WATCH);
  }

  /** Runs a function in the page (no closures: it is sent as text) and gives its result. */
  evaluate<T>(fn: (...args: any[]) => unknown, ...args: unknown[]): Promise<T> {
    return this.driver.executeScript<T>(fn, ...args);
  }

  /** Polls `probe` until it gives a value (not undefined/false), within the page's timeout. */
  until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = this.timeout): Promise<T> {
    return until(what, probe, timeoutMs);
  }

  /** The element once it is on the page and shown. */
  waitFor(selector: string, timeoutMs = this.timeout): Promise<WebElement> {
    return until(
      `${selector} to be shown`,
      async () => (await this.evaluate<WebElement | null>(SHOWN, selector)) ?? undefined,
      timeoutMs,
    );
  }

  /** The element's text once `accept` takes it. */
  waitForText(
    selector: string,
    accept: (text: string) => boolean,
    timeoutMs = this.timeout,
  ): Promise<string> {
    return until(
      `the text of ${selector} to be as expected`,
      async () => {
        const text = await this.text(selector);
        return accept(text) ? text : undefined;
      },
      timeoutMs,
    );
  }

  /** The element's textContent; fails when it is not on the page. */
  async text(selector: string): Promise<string> {
    const text = await this.evaluate<string | null>(
      (s: string) => (globalThis as any).document.querySelector(s)?.textContent ?? null,
      selector,
    );
    if (text === null) throw new Error(`${selector} is not on the page`);
    return text;
  }

  /** Scrolls the element to the middle of the window, as a user would to see it, and clicks it. */
  async click(selector: string): Promise<void> {
    const el = await this.waitFor(selector);
    await this.evaluate((e: any) => e.scrollIntoView({ block: 'center' }), el);
    await el.click();
  }

  /** Ticks a checkbox (or picks a radio button) by clicking it, unless it already is. */
  async check(selector: string): Promise<void> {
    const el = await this.waitFor(selector);
    if (await el.isSelected()) return;
    await this.click(selector);
    expect(await el.isSelected(), `${selector} is checked`).toBe(true);
  }

  /** Empties a text box and types into it, key by key. */
  async fill(selector: string, text: string): Promise<void> {
    const el = await this.waitFor(selector);
    await this.evaluate((e: any) => e.scrollIntoView({ block: 'center' }), el);
    await el.clear();
    await el.sendKeys(text);
  }

  /** What a text box holds now (its value, not its attribute). */
  async value(selector: string): Promise<string> {
    return this.evaluate<string>((e: any) => e.value, await this.waitFor(selector));
  }

  /** The id (or data-field-id) of the element that has the focus. */
  focused(): Promise<string | undefined> {
    return this.evaluate(() => {
      const el = (globalThis as any).document.activeElement;
      return el?.id || el?.dataset?.fieldId || undefined;
    });
  }

  /** What went wrong in the page since it was loaded (see WATCH). */
  async problems(): Promise<string[]> {
    return (await this.evaluate<string[] | null>(() => (globalThis as any).__problems ?? null)) ?? [];
  }

  /**
   * A stroke drawn with the mouse across the element: a press, a wave of moves, a release, as
   * WebDriver's pointer actions (the page sees real pointer events).
   */
  async draw(selector: string): Promise<void> {
    const el = await this.waitFor(selector);
    await this.evaluate((e: any) => e.scrollIntoView({ block: 'center' }), el);
    const { width, height } = await el.getRect();
    const at = (i: number, steps: number) => ({
      x: Math.round(width * (-0.4 + 0.8 * (i / steps))),
      y: Math.round(height * 0.3 * Math.sin((i / steps) * 4 * Math.PI)),
    });
    const steps = 16;
    let actions = this.driver
      .actions({ async: true })
      .move({ origin: el, ...at(0, steps) })
      .press();
    for (let i = 1; i <= steps; i++) actions = actions.move({ origin: el, ...at(i, steps), duration: 15 });
    await actions.release().perform();
  }

  /**
   * A screenshot of the whole page, `<name>.png` in the shots folder: WebDriver photographs the
   * window only, so the window is made as tall as the page for the picture.
   */
  async shot(name: string): Promise<void> {
    const window = this.driver.manage().window();
    const [full, inner] = await this.evaluate<[number, number]>(() => [
      (globalThis as any).document.documentElement.scrollHeight,
      (globalThis as any).innerHeight,
    ]);
    const rect = await window.getRect();
    const taller = Math.min(full, 6000) - inner;
    if (taller > 0) {
      await window.setRect({ width: rect.width, height: rect.height + taller });
      await this.until(
        'the window to grow',
        async () => (await this.evaluate<number>(() => (globalThis as any).innerHeight)) >= inner + taller,
      );
    }
    try {
      await this.painted();
      const png = await this.driver.takeScreenshot();
      writeFileSync(join(this.shots, `${name}.png`), Buffer.from(png, 'base64'));
    } finally {
      if (taller > 0) await window.setRect({ width: rect.width, height: rect.height });
    }
  }

  /** Waits for two frames: WebKit's screenshot is of what was last painted, not of the DOM. */
  private painted(): Promise<void> {
    return this.driver.executeAsyncScript((done: () => void) => {
      const g = globalThis as any;
      g.requestAnimationFrame(() => g.requestAnimationFrame(() => done()));
    });
  }

  /**
   * axe-core in the page: no serious or critical violation. The source is run as a WebDriver
   * script, which the page's CSP does not govern.
   */
  async expectAccessible(screen: string): Promise<void> {
    if (!(await this.evaluate<boolean>(() => Boolean((globalThis as any).axe)))) {
      await this.driver.executeScript(AXE_SOURCE);
      // axe.min.js makes itself a global only where it finds no CommonJS `module`.
      expect(await this.evaluate<boolean>(() => Boolean((globalThis as any).axe)), 'axe-core loaded').toBe(
        true,
      );
    }
    const violations = await this.driver.executeAsyncScript<
      { id: string; impact: string; nodes: string[] }[]
    >((done: (v: unknown) => void) => {
      const g = globalThis as any;
      g.axe
        .run(g.document, {
          runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
        })
        .then(
          (result: any) =>
            done(
              (result.violations as any[]).map((v) => ({
                id: v.id,
                impact: v.impact,
                nodes: (v.nodes as any[]).slice(0, 3).map((n) => (n.target as string[]).join(' ')),
              })),
            ),
          (err: any) => done([{ id: 'axe-failed', impact: 'critical', nodes: [String(err)] }]),
        );
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, `${screen}: ${JSON.stringify(serious)}`).toEqual([]);
  }

  async close(): Promise<void> {
    try {
      await this.driver.quit();
    } catch {
      // The browser already went away; the driver's end takes what is left.
    }
  }
}
