// End-to-end harness: the built renderer served with the app's headers on 127.0.0.1, driven in
// Debian's Chromium through playwright-core. Every request any page makes is recorded, and a
// request to anything but the local server fails the test that made it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { preview, type PreviewServer } from 'vite';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface App {
  url: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every URL requested during the session, by any page or worker. */
  requests: string[];
  /** Requests that did not go to the local server. */
  foreign(): string[];
  /** Errors thrown in the page (uncaught) and console errors. */
  errors: string[];
  /** Closes the browser, then fails if any request left the local server during the session. */
  close(): Promise<void>;
}

let server: PreviewServer | null = null;

/** The built renderer to serve: `dist/`, or another build (LOUPE_DIST) so parallel work can each build its own. */
export const DIST = resolve(process.env.LOUPE_DIST ?? 'dist');

export async function serveDist(): Promise<string> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST} absent : lancez \`npm run build\` avant les tests de bout en bout`);
  if (!server) {
    server = await preview({ configFile: 'vite.config.ts', build: { outDir: DIST }, preview: { port: 0, host: '127.0.0.1', open: false } });
  }
  const addr = server.httpServer.address() as AddressInfo;
  return `http://127.0.0.1:${addr.port}/`;
}

export async function stopServer(): Promise<void> {
  await server?.close();
  server = null;
}

export async function openApp(query = ''): Promise<App> {
  const url = await serveDist();
  const origin = new URL(url).origin;
  const userDataDir = await mkdtemp(join(tmpdir(), 'loupe-e2e-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  // Anything not for the local server is refused before it leaves, and still recorded above.
  await context.route(
    (u) => !u.href.startsWith(origin) && !/^(data|blob):/.test(u.protocol),
    (route) => route.abort('blockedbyclient'),
  );
  const foreign = () => requests.filter((r) => !r.startsWith(origin) && !/^(data|blob):/.test(r));
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url + query);
  return {
    url,
    browser,
    context,
    page,
    requests,
    errors,
    foreign,
    async close() {
      await context.close();
      await browser.close();
      await rm(userDataDir, { recursive: true, force: true });
      // Every e2e file enforces "nothing leaves this machine", even one that forgets to check.
      const out = foreign();
      if (out.length) throw new Error(`${out.length} request(s) left 127.0.0.1 during the session:\n  ${[...new Set(out)].join('\n  ')}`);
    },
  };
}

/**
 * Waits until the catalog shows a table (the project is open). On a timeout the error says where the
 * start-up stood and what the engine was doing, so a start that never ends can be told from a slow one.
 */
export async function catalogShown(page: Page, timeout = 60_000): Promise<void> {
  try {
    await page.getByTestId('catalog-item').first().waitFor({ timeout });
  } catch (e) {
    const toggle = page.getByTestId('engine-activity-toggle');
    if (await toggle.isVisible().catch(() => false)) await toggle.click().catch(() => undefined);
    // No named function inside: the test runner's transform may wrap one in a helper the page lacks.
    const state = await page
      .evaluate(() =>
        [
          `start-up: ${[...document.querySelectorAll('[role=status], [aria-live]')].map((n) => (n.textContent ?? '').replace(/\s+/g, ' ').trim()).join(' | ')}`,
          ...[...document.querySelectorAll('[data-testid=engine-activity-item]')].map(
            (n) => `engine: ${(n.textContent ?? '').replace(/\s+/g, ' ').trim()} — ${n.querySelector('code')?.getAttribute('title') ?? ''}`,
          ),
        ].join('\n'),
      )
      .catch((err: unknown) => `page unreadable: ${String(err)}`);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${state}`, { cause: e });
  }
}

// axe-core in the page. `addScriptTag({ content })` is an inline script, which the app's CSP
// (script-src 'self') refuses; code run through page.evaluate is exempt from the page's CSP, so the
// library's source is evaluated there instead.
let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

export async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object')) return;
  axeSource ??= await readFile(resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource + '\n;0');
}

/** Runs axe on the page (or under `include`, a CSS selector) and returns its violations at or above `minImpact`. */
export async function runAxe(
  page: Page,
  include?: string,
  minImpact: 'minor' | 'moderate' | 'serious' | 'critical' = 'serious',
): Promise<AxeViolation[]> {
  await injectAxe(page);
  const violations = await page.evaluate(async (sel) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const res = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html.slice(0, 200), failureSummary: n.failureSummary })),
    }));
  }, include ?? null);
  const rank = { minor: 0, moderate: 1, serious: 2, critical: 3 } as const;
  return violations.filter((v) => rank[(v.impact ?? 'minor') as keyof typeof rank] >= rank[minImpact]);
}

/** One line per violation and element: rule, impact, selector, help — readable in a test failure. */
export function formatViolations(where: string, violations: AxeViolation[]): string {
  return violations
    .flatMap((v) => v.nodes.map((n) => `[${where}] ${v.id} (${v.impact}) ${n.target.join(' > ')} — ${v.help}\n    ${n.html}`))
    .join('\n');
}

/**
 * Waits until the page has painted what it has: web fonts loaded and two animation frames gone by
 * (Svelte flushes in a microtask, the browser lays out and paints by the next frame). For a check
 * that reads the rendered page (axe, a scan for injected nodes) after the state it waits on is there.
 */
export async function painted(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
  });
}

/**
 * Presses « Enregistrer » and waits until the top bar shows a write made in the second of the press
 * or later (the bar shows the manifest's time once it is written), so a reload that follows reads it.
 */
export async function saveProject(page: Page): Promise<void> {
  const secondOfDay = () => {
    const d = new Date();
    return d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
  };
  const since = await page.evaluate(secondOfDay);
  await page.getByTestId('save-project').click();
  await page.waitForFunction((since) => {
    const m = /(\d{2}):(\d{2}):(\d{2})/.exec(document.querySelector('[data-testid=save-status]')?.textContent ?? '');
    return !!m && Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) >= since;
  }, since);
}

/**
 * Waits until nothing in the view panel says it is loading (a grid row still loading aside), then for
 * the paint. A view that stays busy past the timeout is checked as it is.
 */
export async function settled(page: Page, timeout = 15_000): Promise<void> {
  const busy = page.locator('#view-panel [aria-busy=true]:not([data-testid=grid-row-loading])');
  await busy
    .first()
    .waitFor({ state: 'detached', timeout })
    .catch(() => undefined);
  await painted(page);
}
