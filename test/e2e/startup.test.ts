// Start-up (#15.8): the app draws its interface and says the engine is starting before DuckDB is
// ready, then becomes usable on the demo. DuckDB's wasm is held back by the test until the interface
// has been checked, so "before" is a fact of the run, not a matter of timing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shell as fr } from '../../src/i18n/fr/shell.ts';
import { CHROMIUM, CHROMIUM_ARGS, serveDist, stopServer, catalogShown } from './harness.ts';

let browser: Browser;
let page: Page;
let userDataDir: string;
const requests: string[] = [];
const errors: string[] = [];
const held: Route[] = [];
let release: () => void = () => {};
const released = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  const url = await serveDist();
  const origin = new URL(url).origin;
  userDataDir = await mkdtemp(join(tmpdir(), 'loupe-e2e-startup-'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  context.on('request', (r) => requests.push(r.url()));
  await context.route(
    (u) => !u.href.startsWith(origin) && !/^(data|blob):/.test(u.protocol),
    (route) => route.abort('blockedbyclient'),
  );
  // DuckDB's wasm waits until the interface has been looked at.
  await context.route(/\.wasm(\?|$)/, async (route) => {
    if (!/duckdb/.test(route.request().url())) return route.continue();
    held.push(route);
    await released;
    await route.continue();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
}, 90_000);

afterAll(async () => {
  release();
  await browser?.close();
  await stopServer();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe('start-up', () => {
  it('shows the interface and the engine starting while DuckDB is still loading', async () => {
    // The engine asked for its wasm: it is on its way, and not ready since the wasm is held here.
    await expect.poll(() => held.length, { timeout: 60_000 }).toBeGreaterThan(0);
    await page.getByTestId('status-engine').waitFor();
    expect(await page.getByTestId('status-engine').textContent()).toContain(fr['status.starting']);
    await expect.poll(() => page.locator('.startup[role=status]').textContent()).toContain(fr['startup.engine']);
    // The shell is there: top bar, the import panel, the views' tabs.
    expect(await page.getByTestId('new-project').isVisible()).toBe(true);
    expect(await page.getByTestId('file-input').count()).toBe(1);
    expect(await page.getByRole('tab').count()).toBeGreaterThan(1);
    expect(await page.getByTestId('catalog-item').count()).toBe(0);
  });

  it('becomes usable on the demo once the engine is ready: its tables listed, the first one in the grid', async () => {
    release();
    await catalogShown(page, 90_000);
    await expect.poll(() => page.getByTestId('status-engine').textContent(), { timeout: 30_000 }).toMatch(/browser-(coi|eh)/);
    expect(await page.locator('.startup[role=status]').count()).toBe(0);
    const names = await page.getByTestId('catalog-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-table')));
    expect(names).toContain('budget_vote');
    await page.locator('[data-testid=grid-row]').first().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('new-project').isEnabled()).toBe(true);
    // The demo came with its tables' copies and opened from them: none refused, no source re-read as a problem.
    expect(requests.some((u) => /\/demo\/cache\/index\.json$/.test(u))).toBe(true);
    expect(requests.some((u) => /\/demo\/cache\/[0-9a-f]{64}\.duckdb$/.test(u))).toBe(true);
    expect(await page.getByTestId('problems').count()).toBe(0);
    expect(errors).toEqual([]);
    const origin = new URL(await serveDist()).origin;
    expect(requests.filter((r) => !r.startsWith(origin) && !/^(data|blob):/.test(r))).toEqual([]);
  });
});
