// Start-up (#15.8): how long a person waits before Loupe answers.
//   cold_start_ms   the built app in Chromium, fresh profile: page navigation → the demo's first table
//                   visible in the grid (the first grid row drawn); median of 3. Also the shell (the
//                   top bar drawn, with the engine's status) and the same after a reload (the demo
//                   already in the browser's storage).
//   cli_start_ms    `loupe tables --project <small project>` through src/cli/loupe.mjs and its build:
//                   wall time to the first line printed, and to exit (cli_total_ms); median of 5. The
//                   same from the TypeScript sources (LOUPE_CLI=src) for comparison, median of 3.
// `npx tsx test/bench/startup.ts` runs these alone; run.ts calls runStartupBench().
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.ts';
import { median, setFigure } from './figures.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(repo, 'test', 'bench', 'data', 'startup-dist');
// Inside the repository, so the build finds node_modules as dist-cli/ does; apart from dist-cli/, which others run.
const CLI_OUT = join(repo, 'node_modules', '.cache', 'loupe-cli-bench');

interface CliRun {
  firstMs: number;
  totalMs: number;
  code: number | null;
  out: string;
  err: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    let firstMs = -1;
    let out = '';
    let err = '';
    const child = spawn(process.execPath, [join(repo, 'src/cli/loupe.mjs'), ...args], { cwd: repo, env: { ...process.env, ...env } });
    child.stdout.on('data', (d: Buffer) => {
      if (firstMs < 0) firstMs = performance.now() - t0;
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', fail);
    child.on('close', (code) => done({ firstMs, totalMs: performance.now() - t0, code, out, err }));
  });
}

export async function benchCli(runs = 5): Promise<string[]> {
  process.env.LOUPE_CLI_OUT = CLI_OUT;
  try {
    await build({ configFile: join(repo, 'src/cli/vite.config.ts'), logLevel: 'error' });
  } finally {
    delete process.env.LOUPE_CLI_OUT;
  }
  const dir = await mkdtemp(join(tmpdir(), 'loupe-bench-cli-'));
  try {
    const env = { LOUPE_CLI_OUT: CLI_OUT, LOUPE_CLI: 'dist', LOUPE_HOME: join(dir, 'home') };
    const project = join(dir, 'projet');
    // A small project: one 2,000-line CSV kept in the project (--copy), as a colleague would hand it over.
    const lines = [
      'Bénéficiaire;Montant;Année',
      ...Array.from({ length: 2000 }, (_, i) => `Association ${i % 97};${(i * 37) % 5000},50;${2019 + (i % 5)}`),
    ];
    await writeFile(join(dir, 'subventions.csv'), lines.join('\r\n') + '\r\n');
    const imp = await runCli(['import', join(dir, 'subventions.csv'), '--copy', '--project', project], env);
    if (imp.code !== 0) throw new Error(`loupe import: ${imp.err}`);
    const timed = async (n: number, e: Record<string, string>) => {
      const list: CliRun[] = [];
      for (let i = 0; i < n; i++) {
        const r = await runCli(['tables', '--project', project], e);
        if (r.code !== 0 || !r.out.startsWith('subventions\t2000\t')) throw new Error(`loupe tables: ${r.code} ${r.out} ${r.err}`);
        list.push(r);
      }
      return { first: Math.round(median(list.map((r) => r.firstMs))), total: Math.round(median(list.map((r) => r.totalMs))) };
    };
    const dist = await timed(runs, env);
    const src = await timed(3, { ...env, LOUPE_CLI: 'src' });
    const ops = await runCli(['ops'], env);
    setFigure('cli_start_ms', dist.first);
    setFigure('cli_total_ms', dist.total);
    setFigure('cli_start_src_ms', src.first);
    setFigure('cli_ops_ms', Math.round(ops.totalMs));
    return [
      `cli start  loupe tables (2 000 lignes) : first line ${dist.first} ms, exit ${dist.total} ms (median of ${runs}; aim ≤ 1000 ms) — from the sources ${src.first} / ${src.total} ms; loupe ops ${Math.round(ops.totalMs)} ms`,
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** In-page marks from navigation start: the shell drawn, the catalog listed, the first grid row drawn. */
const MARKS_SCRIPT = `(() => {
  const marks = (window.__startupMarks = {});
  const seen = { shell: '.statusbar', catalog: '[data-testid=catalog-item]', grid: '[data-testid=grid-row]', engine: '[data-testid=status-engine]' };
  const look = () => {
    for (const [k, sel] of Object.entries(seen)) {
      if (marks[k] === undefined && document.querySelector(sel)) marks[k] = performance.now();
    }
    if (marks.engineReady === undefined) {
      const e = document.querySelector('[data-testid=status-engine]');
      if (e && /browser-/.test(e.textContent || '')) marks.engineReady = performance.now();
    }
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, characterData: true });
})();`;

interface Marks {
  shell?: number;
  catalog?: number;
  grid?: number;
  engineReady?: number;
}

/** `dist`: an app already built (STARTUP_DIST, to compare two builds); otherwise built here. */
export async function benchColdStart(runs = 3, dist = process.env.STARTUP_DIST): Promise<string[]> {
  if (!dist) {
    if (!existsSync(join(repo, 'static', 'demo', 'loupe.json')))
      throw new Error('static/demo absent : lancez « npm run demo » avant le bench de démarrage');
    await build({ configFile: join(repo, 'vite.config.ts'), logLevel: 'error', build: { outDir: DIST, emptyOutDir: true } });
  }
  const server = await preview({
    configFile: join(repo, 'vite.config.ts'),
    build: { outDir: dist ?? DIST },
    preview: { port: 0, host: '127.0.0.1', open: false },
    logLevel: 'error',
  });
  const url = `http://127.0.0.1:${(server.httpServer.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const cold: Marks[] = [];
  const warm: Marks[] = [];
  try {
    const load = async (page: import('playwright-core').Page, reload: boolean): Promise<Marks> => {
      if (reload) await page.reload();
      else await page.goto(url);
      await page.locator('[data-testid=grid-row]').first().waitFor({ timeout: 120_000 });
      return (await page.evaluate('window.__startupMarks')) as Marks;
    };
    for (let i = 0; i < runs; i++) {
      // A fresh context: empty storage, so the demo is fetched and opened as on a first visit.
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript(MARKS_SCRIPT);
      const page = await context.newPage();
      cold.push(await load(page, false));
      warm.push(await load(page, true));
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const med = (list: Marks[], k: keyof Marks) => {
    const xs = list.map((m) => m[k]).filter((x): x is number => typeof x === 'number');
    return xs.length ? Math.round(median(xs)) : null;
  };
  setFigure('cold_start_ms', med(cold, 'grid'));
  setFigure('cold_start_shell_ms', med(cold, 'shell'));
  setFigure('cold_start_engine_ms', med(cold, 'engineReady'));
  setFigure('cold_start_reload_ms', med(warm, 'grid'));
  return [
    `cold start demo, fresh profile: shell ${med(cold, 'shell')} ms, engine ready ${med(cold, 'engineReady')} ms, catalog ${med(cold, 'catalog')} ms, first grid row ${med(cold, 'grid')} ms (median of ${runs}; aim ≤ 2000 ms)`,
    `           after a reload: shell ${med(warm, 'shell')} ms, engine ready ${med(warm, 'engineReady')} ms, first grid row ${med(warm, 'grid')} ms`,
  ];
}

export async function runStartupBench(): Promise<string[]> {
  return [...(await benchCli()), ...(await benchColdStart())];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv[2];
  const lines = only === 'cli' ? await benchCli() : only === 'web' ? await benchColdStart() : await runStartupBench();
  for (const l of lines) console.log(l);
  const { printFiguresLine } = await import('./figures.ts');
  printFiguresLine();
}
