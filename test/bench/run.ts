// `npm run bench [-- --rows N] [--source input|fetch] [--import importer|direct] [--coi-max-mb N] [--budget-lines N] [--subsidies N] [--nested-mb N]`
// Loupe's engine in Chromium (the EH bundle, one thread, as the app runs; the COI bundle's 2 threads as a
// comparison figure) against native
// DuckDB on the same generated CSV and the same SQL, in the same command; then the budget figures on
// a synthetic budget and subsidies register generated in each engine. The last line printed is the JSON of `figures`.
import { loadavg } from 'node:os';
import { BUDGET_EXEC, BUDGET_LEVEL, BUDGET_LINES, BUDGET_VOTE, SUB_PAID, SUB_VOTED, SUBSIDY_VOTES } from './budget.ts';
import { buildPage, runBudgetInChromium, runInChromium, serve, type BrowserRun, type BudgetBrowserRun } from './browser.ts';
import { figures, median, ratio, printFiguresLine, setFigure } from './figures.ts';
import { ensureCsv } from './generate.ts';
import { runNestedBench } from './nested.ts';
import { runReportsBench } from './reports.ts';
import { runNative, type NativeResult } from './native.ts';
import { runStartupBench } from './startup.ts';
import { directImportSql, retarget } from './sql.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const rows = Number(arg('rows') ?? 5_000_000);
const source = (arg('source') ?? 'input') as 'input' | 'fetch';
const coiMaxMb = arg('coi-max-mb');
const importPath = (arg('import') ?? 'importer') as 'importer' | 'direct';
// --only reopen,crossfilter: only those figures of the page's suite (with their setup), for a quick look at one.
const only = arg('only')?.split(',').filter(Boolean);
if (importPath !== 'importer' && importPath !== 'direct') throw new Error(`--import: importer or direct, not ${importPath}`);
if (!Number.isInteger(rows) || rows <= 0) throw new Error(`--rows: a positive integer, not ${arg('rows')}`);
if (source !== 'input' && source !== 'fetch') throw new Error(`--source: input or fetch, not ${source}`);
// The budget figures do not depend on --rows: their data is generated in the engines. 0 leaves a figure out.
const budgetLines = Number(arg('budget-lines') ?? BUDGET_LINES);
const subsidyVotes = Number(arg('subsidies') ?? SUBSIDY_VOTES);
if (!Number.isInteger(budgetLines) || budgetLines < 0) throw new Error(`--budget-lines: an integer ≥ 0, not ${arg('budget-lines')}`);
if (!Number.isInteger(subsidyVotes) || subsidyVotes < 0) throw new Error(`--subsidies: an integer ≥ 0, not ${arg('subsidies')}`);
const budgetOn = budgetLines > 0 || subsidyVotes > 0;
// Nested imports (JSON with holders, XML declarations): the size of each generated file; 0 leaves them out.
const nestedMb = Number(arg('nested-mb') ?? 200);
if (!Number.isInteger(nestedMb) || nestedMb < 0) throw new Error(`--nested-mb: an integer ≥ 0, not ${arg('nested-mb')}`);

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (x: number) => `${Math.round(x)} MB`;
const r0 = (x: number) => Math.round(x);
const sameCheck = (a: Record<string, unknown>, b: Record<string, unknown>) => Object.keys(a).every((k) => String(a[k]) === String(b[k]));

console.log(
  `Loupe bench: ${rows.toLocaleString('fr-FR')} rows, File from ${source === 'input' ? '<input type=file>' : 'fetch()'}, import ${importPath === 'importer' ? 'through readCsv' : 'by one direct read_csv'}`,
);
const loadStart = Math.round(loadavg()[0]! * 10) / 10;
const csv = await ensureCsv(rows);
console.log(`CSV        ${csv.path} (${mb(csv.size / 1e6)}) ${csv.generated ? `generated in ${s(csv.ms)}` : 'reused'}`);

await buildPage();
const { server, origin } = await serve(csv.path);
const nativeRuns: NativeResult[] = [];
const printNative = (n: NativeResult) =>
  console.log(`native     ${n.threads} threads: import ${s(n.importMs)}, GROUP BY ${r0(n.groupbyMs)} ms, peak RSS ${mb(n.peakRssMb)}`);
let app: BrowserRun;
let threaded: BrowserRun;
let budget: BudgetBrowserRun | null = null;
const nativeBudget: NativeResult[] = [];
let nativeSql: string;
const budgetSizes = { lines: budgetLines, subsidies: subsidyVotes };
// Interleaved, Loupe first (its code decides the SQL): app (one thread, as the app runs), native, budget
// app, budget native, the two-thread bundle (COI, for comparison only: src/host/engine.ts says why the app
// does not use it), native, budget native. The native times are the mean of both runs, which spreads the drift in machine load.
try {
  const coiMaxBytes = coiMaxMb ? Number(coiMaxMb) * 1e6 : undefined;
  app = await runInChromium(origin, csv.path, {
    mode: 'app',
    source,
    importPath,
    suite: true,
    ...(only ? { only } : {}),
  });
  nativeSql = importPath === 'importer' ? retarget(app.sql, csv.path) : directImportSql(csv.path);
  nativeRuns.push(await runNative(nativeSql, app.suite?.sql));
  printNative(nativeRuns[0]!);
  if (budgetOn) {
    budget = await runBudgetInChromium(origin, budgetSizes);
    nativeBudget.push(await runNative('', budget.suite.sql));
  }
  threaded = await runInChromium(origin, csv.path, { mode: 'coi', source, importPath, ...(coiMaxBytes ? { coiMaxBytes } : {}) });
} finally {
  server.close();
}
nativeRuns.push(await runNative(nativeSql, app.suite?.sql));
printNative(nativeRuns[1]!);
if (budget) nativeBudget.push(await runNative('', budget.suite.sql));
const mean = (f: (n: NativeResult) => number) => nativeRuns.reduce((a, n) => a + f(n), 0) / nativeRuns.length;
const native = {
  importMs: mean((n) => n.importMs),
  groupbyMs: mean((n) => n.groupbyMs),
  peakRssMb: Math.max(...nativeRuns.map((n) => n.peakRssMb)),
  check: nativeRuns[0]!.check,
};
const nativeSuite = (name: string) => mean((n) => n.suiteMs[name] ?? NaN);
console.log(`import SQL ${nativeSql.replace(csv.path, '<csv>')}`);
for (const [label, r] of [
  ['app', app],
  ['COI', threaded],
] as const) {
  console.log(
    `loupe ${label.padEnd(4)} ${r.engineKind}${r.crossOriginIsolated ? ' (isolated)' : ''}: init ${s(r.initMs)}, import ${s(r.importMs)} ` +
      `(${r.fetchMs !== null ? `fetch ${s(r.fetchMs)} not counted, ` : ''}file.arrayBuffer ${s(r.readMs)}, register ${s(r.registerMs)}, ` +
      `${importPath === 'importer' ? 'readCsv rest (sniff, types, CREATE TABLE, rejects)' : 'CREATE TABLE'} ${s(r.createMs)}), GROUP BY ${r0(median(r.groupbyMs))} ms [${r.groupbyMs.map(r0).join(', ')}], ` +
      `peak RSS renderer ${mb(r.peakRendererMb)} (idle page ${mb(r.idleRendererMb)}, all Chromium ${mb(r.peakChromiumMb)})`,
  );
  for (const st of r.steps.filter((x) => x.ms >= 100)) console.log(`             ${s(st.ms)}  ${st.sql}…`);
  if (!sameCheck(native.check, r.check)) {
    console.error(`!! ${label}: the table differs from native: ${JSON.stringify(r.check)} vs ${JSON.stringify(native.check)}`);
    process.exitCode = 1;
  }
}

setFigure('import_ms', r0(app.importMs));
setFigure('import_native_ms', r0(native.importMs));
setFigure('import_ratio', ratio(app.importMs, native.importMs));
setFigure('groupby_ms', r0(median(app.groupbyMs)));
setFigure('groupby_native_ms', r0(native.groupbyMs));
setFigure('groupby_ratio', ratio(median(app.groupbyMs), native.groupbyMs));
setFigure('peak_mem_mb', r0(app.peakRendererMb));
setFigure('peak_mem_native_mb', r0(native.peakRssMb));
setFigure('peak_mem_ratio', ratio(app.peakRendererMb, native.peakRssMb));
setFigure('import_coi_ms', r0(threaded.importMs));
setFigure('rows', rows);
// Details beyond the headline keys.
setFigure('bundle', app.engineKind);
setFigure('import_read_ms', r0(app.readMs));
setFigure('import_register_ms', r0(app.registerMs));
setFigure('import_create_ms', r0(app.createMs));
setFigure('init_ms', r0(app.initMs));
setFigure('import_coi_ratio', ratio(threaded.importMs, native.importMs));
setFigure('groupby_coi_ms', r0(median(threaded.groupbyMs)));
setFigure('peak_mem_coi_mb', r0(threaded.peakRendererMb));
setFigure('csv_mb', r0(csv.size / 1e6));
setFigure('import_path', importPath);
// Explore, audit, charts (page/suite.ts): the app's code in the page (app run), every SQL statement it
// sent replayed by native DuckDB; median of 3 runs each side. grid_window = the slowest of 3 offsets.
const suite = app.suite!;
const windows = ['grid_window_0', 'grid_window_mid', 'grid_window_end'];
const worst = (xs: (number | undefined)[]) =>
  xs.every((x) => typeof x === 'number' && Number.isFinite(x)) ? Math.max(...(xs as number[])) : null;
const suiteFigures: [string, number | null, number | null][] = [
  ['grid_window', worst(windows.map((w) => suite.ms[w])), worst(windows.map(nativeSuite))],
  ...[
    'grid_window_first',
    'grid_sorted_first',
    'grid_sorted',
    'facet',
    'profile_first',
    'profile',
    'profile_exact',
    'audit_duplicates',
    'audit_benford',
    'audit_stratify',
    'audit_reconcile',
    'chart_bar',
    'chart_hist',
    'chart_hist_cold',
    'chart_line',
    'crossfilter_index',
    'crossfilter',
    'crossfilter_full',
  ].map((k): [string, number | null, number | null] => [k, suite.ms[k] ?? null, Number.isFinite(nativeSuite(k)) ? nativeSuite(k) : null]),
];
const ms1 = (x: number | null | undefined) => (typeof x === 'number' ? Math.round(x * 10) / 10 : null);
for (const [k, loupe, nat] of suiteFigures) {
  setFigure(`${k}_ms`, ms1(loupe));
  setFigure(`${k}_native_ms`, ms1(nat));
  setFigure(`${k}_ratio`, ratio(loupe, nat));
  const statements = suite.sql[k === 'grid_window' ? 'grid_window_0' : k]?.length ?? 0;
  console.log(`${k.padEnd(17)} loupe ${ms1(loupe)} ms, native ${ms1(nat)} ms, ratio ${figures[`${k}_ratio`]} (${statements} statements)`);
}
for (const [k, err] of Object.entries(suite.errors)) {
  console.error(`!! ${k} failed in the page: ${err.split('\n')[0]}`);
  setFigure(`${k}_error`, err.split('\n')[0]!);
}
for (const w of windows) setFigure(`${w}_ms`, ms1(suite.ms[w]));
// Reopening a project that keeps the table in its cache (Loupe only: native would re-import, import_native_ms).
for (const k of ['reopen_ms', 'reopen_write_ms', 'reopen_check_ms', 'reopen_cache_mb', 'reopen_groupby_ms'])
  setFigure(k, ms1(suite.probes?.[k]));
console.log(
  `reopen            loupe ${ms1(suite.probes?.reopen_ms)} ms from a ${ms1(suite.probes?.reopen_cache_mb)} MB cache (written in ${ms1(suite.probes?.reopen_write_ms)} ms; background check ${ms1(suite.probes?.reopen_check_ms)} ms; GROUP BY on it ${ms1(suite.probes?.reopen_groupby_ms)} ms), import ${r0(app.importMs)} ms`,
);
// Budget figures (page/suite.ts runBudgetSuite): the budget-reconcile and subsidies-reconcile operations on
// generated data, in a page of their own; native replays the same statements (generation included, untimed).
if (budget) {
  const b = budget;
  const nb = (name: string) => nativeBudget.reduce((a, n) => a + (n.suiteMs[name] ?? NaN), 0) / nativeBudget.length;
  const rowsOf = (t: string) => b.rows[t] ?? 0;
  console.log(
    `budget     ${b.engineKind}${b.crossOriginIsolated ? ' (isolated)' : ''}: init ${s(b.initMs)}; ` +
      `budget ${(rowsOf(BUDGET_VOTE) + rowsOf(BUDGET_EXEC)).toLocaleString('fr-FR')} lines (voted ${rowsOf(BUDGET_VOTE).toLocaleString('fr-FR')}, executed ${rowsOf(BUDGET_EXEC).toLocaleString('fr-FR')}) generated in ${s(b.suite.ms.budget_setup ?? NaN)} (native ${s(nb('budget_setup'))}); ` +
      `subsidies ${rowsOf(SUB_VOTED).toLocaleString('fr-FR')} voted, ${rowsOf(SUB_PAID).toLocaleString('fr-FR')} paid, generated in ${s(b.suite.ms.subsidies_setup ?? NaN)} (native ${s(nb('subsidies_setup'))}); ` +
      `peak RSS renderer ${mb(b.peakRendererMb)}, native ${mb(Math.max(...nativeBudget.map((n) => n.peakRssMb)))}`,
  );
  for (const k of ['budget_reconcile', 'subsidies_match']) {
    if (!(k in b.suite.sql)) continue;
    const loupe = b.suite.ms[k] ?? null;
    const nat = Number.isFinite(nb(k)) ? nb(k) : null;
    setFigure(`${k}_ms`, ms1(loupe));
    setFigure(`${k}_native_ms`, ms1(nat));
    setFigure(`${k}_ratio`, ratio(loupe, nat));
    console.log(
      `${k.padEnd(17)} loupe ${ms1(loupe)} ms, native ${ms1(nat)} ms, ratio ${figures[`${k}_ratio`]} (${b.suite.sql[k]?.length ?? 0} statements)`,
    );
  }
  for (const [k, err] of Object.entries(b.suite.errors)) {
    console.error(`!! ${k} failed in the page: ${err.split('\n')[0]}`);
    setFigure(`${k}_error`, err.split('\n')[0]!);
  }
  // A grid window while budget-reconcile runs in the background (page/suite.ts interactiveWait). No
  // native figure: native's replay is sequential, and native DuckDB runs two connections on real threads.
  const p = b.suite.probes ?? {};
  if ('interactive_wait_ms' in p) {
    for (const [k, v] of Object.entries(p)) setFigure(k, Number.isFinite(v) ? (k.endsWith('_ms') ? ms1(v) : v) : null);
    setFigure('interactive_wait_ratio', ratio(figures.interactive_wait_ms, figures.interactive_alone_ms));
    console.log(
      `interactive_wait  ${ms1(p.interactive_wait_ms ?? NaN)} ms (max ${ms1(p.interactive_wait_max_ms ?? NaN)}) during budget-reconcile (${ms1(p.interactive_reconcile_ms ?? NaN)} ms), ` +
        `${p.interactive_answered_during} windows answered during it; alone ${ms1(p.interactive_alone_ms ?? NaN)} ms, ratio ${figures.interactive_wait_ratio}; aim ≤ 150 ms; ` +
        `on the main connection (one-connection engine) ${ms1(p.interactive_main_lane_ms ?? NaN)} ms (max ${ms1(p.interactive_main_lane_max_ms ?? NaN)})`,
    );
  }
  setFigure('budget_lines', rowsOf(BUDGET_VOTE) + rowsOf(BUDGET_EXEC));
  setFigure('budget_level', BUDGET_LEVEL);
  setFigure('subsidies_voted', rowsOf(SUB_VOTED));
  setFigure('subsidies_paid', rowsOf(SUB_PAID));
  setFigure('budget_peak_mem_mb', r0(b.peakRendererMb));
  setFigure('budget_peak_mem_native_mb', r0(Math.max(...nativeBudget.map((n) => n.peakRssMb))));
}
if (nestedMb > 0) for (const line of await runNestedBench(nestedMb)) console.log(line);
// The PDF reports library (#18): pdf_import_ms, pdf_pages_per_s, search_ms, recommendations_ms; --reports 0 leaves it out.
if (arg('reports') !== '0') for (const line of await runReportsBench(Number(arg('reports-count') ?? 200))) console.log(line);
// Start-up (#15.8): cold_start_ms (the demo in Chromium, needs static/demo) and cli_start_ms; --startup 0 leaves them out.
if (arg('startup') !== '0') for (const line of await runStartupBench()) console.log(line);
// Other work on the machine skews every time: the 1-minute load average, at the start and at the end.
setFigure('load_start', loadStart);
setFigure('load_end', Math.round(loadavg()[0]! * 10) / 10);

console.log(
  `ratios     import ${figures.import_ratio} (COI ${figures.import_coi_ratio}), GROUP BY ${figures.groupby_ratio}, ` +
    `peak memory ${figures.peak_mem_ratio} (renderer RSS / native RSS)`,
);
printFiguresLine();
