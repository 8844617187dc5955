// Loupe's engine as the app runs it: the bench page built with Vite, served on 127.0.0.1 with the
// app's headers (CSP + COOP/COEP, so the page is cross-origin isolated and gets the COI bundle),
// driven in Chromium by playwright-core. Peak memory: VmRSS of the page's renderer process, sampled
// from /proc every 100 ms (not CDP: Performance.getMetrics sees the JS heap, not the wasm heap).
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { securityHeaders } from '../../src/shared/headers.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.ts';
import type { BudgetRunResult, PageRunOptions, PageRunResult } from './page/main.ts';
import type { BudgetSizes } from './page/suite.ts';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(here, 'data', 'page');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.csv': 'text/csv; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export async function buildPage(): Promise<void> {
  await build({ configFile: join(here, 'page', 'vite.config.ts'), logLevel: 'error' });
}

/** Serves the built page and the CSV (at /data/bench.csv) with the app's headers. */
export async function serve(csvPath: string): Promise<{ server: Server; origin: string }> {
  const headers = securityHeaders();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname === '/data/bench.csv' ? csvPath : normalize(join(PAGE_DIR, decodeURIComponent(url.pathname)));
    const file = path.endsWith(sep) || path === PAGE_DIR ? join(PAGE_DIR, 'index.html') : path;
    if ((file !== csvPath && !file.startsWith(PAGE_DIR + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Length': String(statSync(file).size),
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * RSS (MB) of the Chromium processes below ours: the largest renderer (the page's, which hosts its
 * workers and DuckDB's wasm heap; Chromium also keeps a spare and an about:blank renderer, so a sum
 * over renderers would count those too) and the sum over every Chromium process.
 */
function chromiumRss(): { renderer: number; total: number } {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const isOurs = (pid: number): boolean => {
    for (let p = parent.get(pid), n = 0; p && n < 20; p = parent.get(p), n++) if (p === process.pid) return true;
    return false;
  };
  let renderer = 0;
  let total = 0;
  for (const pid of parent.keys()) {
    if (!isOurs(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chrom')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      const mb = m ? (Number(m[1]) * 1024) / 1e6 : 0;
      total += mb;
      if (cmd.includes('--type=renderer')) renderer = Math.max(renderer, mb);
    } catch {
      // Gone.
    }
  }
  return { renderer, total };
}

interface Memory {
  /** The page loaded, no engine yet. */
  idleRendererMb: number;
  peakRendererMb: number;
  peakChromiumMb: number;
}

export interface BrowserRun extends PageRunResult, Memory {}
export interface BudgetBrowserRun extends BudgetRunResult, Memory {}

type Bench = { run(o: PageRunOptions): Promise<PageRunResult>; runBudget(s: BudgetSizes): Promise<BudgetRunResult> };

/** `body` in a fresh Chromium on the bench page (so that each run's peak memory is its own), memory sampled throughout. */
async function inChromium<T>(origin: string, body: (page: Page) => Promise<T>): Promise<T & Memory> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  let peakRenderer = 0;
  let peakTotal = 0;
  const sample = () => {
    const r = chromiumRss();
    peakRenderer = Math.max(peakRenderer, r.renderer);
    peakTotal = Math.max(peakTotal, r.total);
  };
  const timer = setInterval(sample, 100);
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`  [page] ${e.message}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) console.error(`  [page] ${r.status()} ${r.url()}`);
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { bench?: { ready: boolean } }).bench?.ready === true);
    const idleRendererMb = chromiumRss().renderer;
    const result = await body(page);
    sample();
    return { ...result, idleRendererMb, peakRendererMb: peakRenderer, peakChromiumMb: peakTotal };
  } finally {
    clearInterval(timer);
    await browser.close();
  }
}

/** One import run: the CSV set on the page's file input (or fetched), imported, measured. */
export function runInChromium(origin: string, csvPath: string, opts: PageRunOptions): Promise<BrowserRun> {
  return inChromium(origin, async (page) => {
    if (opts.source === 'input') await page.setInputFiles('#csv', csvPath);
    return page.evaluate((o) => (globalThis as unknown as { bench: Bench }).bench.run(o), { ...opts, csvUrl: `${origin}/data/bench.csv` });
  });
}

/** The budget figures (page/suite.ts runBudgetSuite) on an engine of their own. */
export function runBudgetInChromium(origin: string, sizes: BudgetSizes): Promise<BudgetBrowserRun> {
  return inChromium(origin, (page) => page.evaluate((s) => (globalThis as unknown as { bench: Bench }).bench.runBudget(s), sizes));
}
