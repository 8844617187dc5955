// Explore, audit and chart figures, run in the page on Loupe's engine: each figure calls the app's own
// code (SortedWindows, facetSql, profileTable, the audit operations, runChart) and records every SQL
// statement it sends, so that the native baseline replays exactly the same statements (native.ts).
import { benford } from '../../../src/core/audit/benford.ts';
import { budgetReconcile } from '../../../src/core/budget/reconcile.ts';
import { subsidiesReconcile } from '../../../src/core/budget/subsidies.ts';
import { reconcile } from '../../../src/core/audit/reconcile.ts';
import { duplicates } from '../../../src/core/audit/duplicates.ts';
import { stratify } from '../../../src/core/audit/stratify.ts';
import { Catalog } from '../../../src/core/catalog/catalog.ts';
import type { Engine } from '../../../src/core/engine/engine.ts';
import { SortedWindows } from '../../../src/core/explore/sorted-windows.ts';
import { tableRelation, windowSql } from '../../../src/core/explore/window.ts';
import type { Journal } from '../../../src/core/journal/journal.ts';
import { validateParams, type Operation, type OperationContext } from '../../../src/core/ops/registry.ts';
import { facetSql } from '../../../src/core/query/facets.ts';
import type { Filter } from '../../../src/core/query/filters.ts';
import { quoteIdent } from '../../../src/core/sql/ident.ts';
import * as B from '../budget.ts';
import { chartCases } from './charts.ts';
import { reopenProbe } from './reopen.ts';
import { profileAndWindowCases } from './profile.ts';
import { median, runsOnce } from '../figures.ts';
import { IDS, TABLE } from '../sql.ts';
import { errorText } from '../../../src/core/util/errors.ts';

export const AMOUNT = IDS[10]!; // montant_paye
const DIRECTION = IDS[2]!;
const EXERCICE = IDS[0]!;
const SIRET = IDS[8]!;
const DATE = IDS[1]!;
/** The one filter under which the facet is counted. */
export const FACET_FILTER: Filter = { column: EXERCICE, op: 'equals', value: 2023 };

/** Figure name → its statements, in order; and figure name → median of 3 runs (ms). */
export interface SuiteResult {
  sql: Record<string, string[]>;
  ms: Record<string, number>;
  /** Figures that failed in the page (e.g. the wasm heap ran out), with the error: no Loupe time; native still runs their SQL. */
  errors: Record<string, string>;
  /** Loupe-only figures with no native counterpart (the interactive wait: see runBudgetSuite). */
  probes?: Record<string, number>;
}

const RUNS = 3;

/** Runs `fn` with every engine query recorded (exec goes through query). */
async function recording(engine: Engine, fn: () => Promise<unknown>): Promise<{ ms: number; sql: string[]; error?: string }> {
  const sql: string[] = [];
  const query = engine.query;
  // A function, not an arrow: a lane view (engine.lane) inherits this wrapper and keeps its own priority.
  engine.query = function (this: Engine, s, o) {
    sql.push(s);
    return query.call(this, s, o);
  };
  const t = performance.now();
  try {
    await fn();
  } catch (e) {
    return { ms: NaN, sql, error: errorText(e) };
  } finally {
    engine.query = query;
  }
  return { ms: performance.now() - t, sql };
}

export async function runSuite(engine: Engine, rows: number, only?: readonly string[]): Promise<SuiteResult> {
  const catalog = new Catalog();
  catalog.set({ name: TABLE, kind: 'table', columns: [], rows: 0 });
  const entry = await catalog.refresh(engine, TABLE);
  const ctx: OperationContext = {
    engine,
    catalog,
    journal: undefined as unknown as Journal, // the operations' run() never writes the journal
    files: { open: () => Promise.reject(new Error('pas de fichiers')), list: () => Promise.resolve([]) },
  };
  const op =
    <P, D>(o: Operation<P, D>, raw: unknown) =>
    () =>
      o.run(ctx, validateParams(o, raw));
  // As the app's grid does for a base table: sort keys and row ids, then fetch the window.
  const rel = tableRelation(TABLE, { rowid: true });
  // The grid's own path (SortedWindows): the first deep window builds the sort permutation, the next
  // ones read it. The first run's instance is kept for grid_sorted, so native (which replays the first
  // run's statements) has the same permutation table.
  let kept: SortedWindows | null = null;
  let sortedRuns = 0;
  const deep = (offset: number) => ({ offset, limit: 200, orderBy: [{ column: AMOUNT, desc: true }] });
  const sortedFirst = async () => {
    const sw = new SortedWindows(engine);
    await sw.rows(rel, deep(Math.floor(rows / 2)));
    if (kept) await sw.release();
    else kept = sw;
  };
  const cases: Record<string, () => Promise<unknown>> = {
    // grid_window_* (a sorted saved view at offsets 0, mid, end) and profile, profile_first: page/profile.ts.
    ...profileAndWindowCases(engine, TABLE, rows, AMOUNT, DIRECTION),
    grid_sorted_first: sortedFirst,
    // Each run asks one more row, as in page/profile.ts: the result cache answered runs 2 and 3 (5.3 ms at 5M).
    grid_sorted: () => kept!.rows(rel, { ...deep(Math.max(0, rows - 150)), limit: 200 + (sortedRuns++ % 3) }),
    grid_sorted_cleanup: async () => kept?.release(),
    // Computed each run (the result cache answered runs 2 and 3 in 0.1 ms: a cached facet is not this figure).
    facet: () => engine.query(facetSql(tableRelation(TABLE), DIRECTION, [FACET_FILTER], 20), { cache: false }),
    // A fixed result name: every run replaces the same table, so the three runs send the same SQL.
    audit_duplicates: op(duplicates, { table: TABLE, columns: [SIRET, AMOUNT, DATE], amount: AMOUNT, result: 'bench_duplicates' }),
    audit_benford: op(benford, { table: TABLE, column: AMOUNT, test: 'first', result: 'bench_benford' }),
    audit_stratify: op(stratify, { table: TABLE, amount: AMOUNT, result: 'bench_stratify' }),
    // Two 1M-row releases overlapping by half (built untimed, replayed by native too), reconciled
    // on SIRET and payment date with the amount compared.
    audit_reconcile_setup: async () => {
      // 1,000,000 rows each at 5M (2/5 of the table each at smaller sizes), sharing half their rows.
      const n = Math.min(1_000_000, Math.floor((rows * 2) / 5));
      const half = Math.floor(n / 2);
      await engine.query(`CREATE OR REPLACE TABLE bench_left AS SELECT * FROM ${quoteIdent(TABLE)} WHERE rowid < ${n}`);
      await engine.query(
        `CREATE OR REPLACE TABLE bench_right AS SELECT * FROM ${quoteIdent(TABLE)} WHERE rowid >= ${half} AND rowid < ${half + n}`,
      );
      for (const t of ['bench_left', 'bench_right']) {
        catalog.set({ name: t, kind: 'table', columns: [], rows: 0 });
        await catalog.refresh(engine, t);
      }
    },
    audit_reconcile: op(reconcile, {
      left: 'bench_left',
      right: 'bench_right',
      keys: [
        { left: SIRET, right: SIRET, mode: 'siret' },
        { left: DATE, right: DATE, mode: 'exact' },
      ],
      compare: [{ left: AMOUNT, right: AMOUNT }],
      amount: { left: AMOUNT, right: AMOUNT },
      result: 'bench_reconcile',
    }),
    // The wasm heap is bounded (~3 GiB): give back the copies before the next figures.
    audit_reconcile_cleanup: async () => {
      for (const t of ['bench_left', 'bench_right', 'bench_reconcile']) await engine.query(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
    },
    // Bar, histogram, line and cross-filter through the dashboard's path (page/charts.ts).
    ...chartCases(engine, entry),
  };
  // A figure's setup and cleanup cases go with it (audit_reconcile_setup, grid_sorted_cleanup…).
  const wanted = (name: string) => !only || only.some((o) => name === o || name.startsWith(`${o}_`));
  const out = await timeCases(engine, Object.fromEntries(Object.entries(cases).filter(([name]) => wanted(name))));
  // After every other figure (it reads the table back over itself): reopening from the project's cache.
  if (wanted('reopen'))
    try {
      out.probes = { ...out.probes, ...(await reopenProbe(engine, catalog, TABLE)) };
    } catch (e) {
      out.errors.reopen = errorText(e);
    }
  return out;
}

/** Runs each case (3 times, or once for setup and cleanup), recording its statements; a failing case stops there. */
async function timeCases(engine: Engine, cases: Record<string, () => Promise<unknown>>): Promise<SuiteResult> {
  const out: SuiteResult = { sql: {}, ms: {}, errors: {} };
  for (const [name, fn] of Object.entries(cases)) {
    const times: number[] = [];
    for (let i = 0; i < (runsOnce(name) ? 1 : RUNS); i++) {
      const r = await recording(engine, fn);
      // Even when the page fails, the statements it sent go to native (a baseline for what failed here).
      out.sql[name] ??= r.sql;
      if (r.error !== undefined) {
        out.errors[name] = r.error;
        break;
      }
      times.push(r.ms);
    }
    if (out.errors[name] === undefined) out.ms[name] = median(times);
  }
  return out;
}

export interface BudgetSizes {
  /** Lines of the synthetic budget, voted and executed together (0: no budget figure). */
  lines: number;
  /** Voted subsidies (0: no subsidies figure); the payments come to about 1.2 per vote. */
  subsidies: number;
}

/**
 * Budget figures, on their own engine: the synthetic budget and subsidies registers are generated in
 * the engine (budget.ts; recorded for native, run once, not timed in the figures), then the two
 * operations run as the Budget view runs them — `budget-reconcile` with its mapping given, at the
 * nature level, and `subsidies-reconcile` with its columns found from the headers — result tables
 * created, summaries read. Each set of tables is dropped after its figure (the wasm heap is bounded).
 */
export async function runBudgetSuite(engine: Engine, sizes: BudgetSizes): Promise<SuiteResult & { rows: Record<string, number> }> {
  const catalog = new Catalog();
  const ctx: OperationContext = {
    engine,
    catalog,
    journal: undefined as unknown as Journal, // the operations' run() never writes the journal
    files: { open: () => Promise.reject(new Error('pas de fichiers')), list: () => Promise.resolve([]) },
  };
  const rows: Record<string, number> = {};
  const load = async (statements: string[], tables: [string, readonly string[]][]) => {
    for (const sql of statements) await engine.query(sql);
    for (const [t, header] of tables) {
      catalog.set({ name: t, kind: 'table', columns: [], rows: 0 });
      rows[t] = (await catalog.refresh(engine, t, B.labelsOf(header))).rows;
    }
  };
  // The catalog forgets the previous result, so every run gets the same name and sends the same SQL.
  const op =
    <P, D>(o: Operation<P, D>, raw: unknown) =>
    () => {
      catalog.delete(`res_${o.id.replaceAll('-', '_')}`);
      return o.run(ctx, validateParams(o, raw));
    };
  const drop = (tables: string[]) => async () => {
    for (const t of tables) {
      await engine.query(`DROP TABLE IF EXISTS ${quoteIdent(t)}`);
      catalog.delete(t);
    }
  };
  const mapping = B.budgetMappings();
  const reconcileParams = {
    voted: { table: B.BUDGET_VOTE, mapping: mapping.voted },
    executed: { table: B.BUDGET_EXEC, mapping: mapping.executed },
    level: B.BUDGET_LEVEL,
    flows: ['D', 'R'],
  };
  const probes: Record<string, number> = {};
  const cases: Record<string, () => Promise<unknown>> = {};
  if (sizes.lines > 0) {
    cases.budget_setup = () =>
      load(B.budgetSetupSql(sizes.lines), [
        [B.BUDGET_VOTE, B.BUDGET_VOTE_HEADER],
        [B.BUDGET_EXEC, B.BUDGET_EXEC_HEADER],
      ]);
    cases.budget_reconcile = op(budgetReconcile, reconcileParams);
    cases[INTERACTIVE_PROBE] = async () => Object.assign(probes, await interactiveWait(engine, ctx, catalog, reconcileParams));
    cases.budget_cleanup = drop([B.BUDGET_VOTE, B.BUDGET_EXEC, 'res_budget_reconcile']);
  }
  if (sizes.subsidies > 0) {
    cases.subsidies_setup = () =>
      load(B.subsidiesSetupSql(sizes.subsidies), [
        [B.SUB_VOTED, B.SUB_VOTED_HEADER],
        [B.SUB_PAID, B.SUB_PAID_HEADER],
      ]);
    cases.subsidies_match = op(subsidiesReconcile, { voted: B.SUB_VOTED, paid: B.SUB_PAID });
    cases.subsidies_cleanup = drop([B.SUB_VOTED, B.SUB_PAID, 'res_subsidies_reconcile']);
  }
  const out = await timeCases(engine, cases);
  // Concurrency has no native counterpart in a sequential replay: native does not run the probe.
  delete out.sql[INTERACTIVE_PROBE];
  return { ...out, probes, rows };
}

/** Named as setup so that it runs once (a reconciliation each time is 10 s); its SQL is not replayed. */
const INTERACTIVE_PROBE = 'interactive_probe_setup';

/**
 * `interactive_wait`: a grid window (200 rows of the voted budget, the grid's own SQL, on the
 * interactive lane as the grid asks) issued while `budget-reconcile` runs at background priority, as
 * the Budget view runs it: time to its result. Against the same window alone (`interactive_alone`).
 * Windows are sent one after another while the reconciliation runs; those answered after it ended are
 * not counted (`interactive_answered_during` says how many were).
 */
async function interactiveWait(engine: Engine, ctx: OperationContext, catalog: Catalog, params: unknown): Promise<Record<string, number>> {
  const ui = engine.lane('interactive');
  const rel = tableRelation(B.BUDGET_VOTE, { rowid: true });
  let k = 0;
  const window = async (on: Engine = ui) => {
    const t = performance.now();
    await on.query(windowSql(rel, { offset: (k++ * 997) % 10_000, limit: 200 }), { cache: false });
    return performance.now() - t;
  };
  // The same window on the main connection at normal priority: what the one-connection engine gave
  // (it waits for the reconciliation's running statement, not for its queued ones).
  const main = engine.lane('normal');
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) alone.push(await window());
  catalog.delete('res_budget_reconcile');
  let done = false;
  const t0 = performance.now();
  const run = budgetReconcile
    .run({ ...ctx, engine: engine.lane('background') }, validateParams(budgetReconcile, params))
    .then(() => (done = true));
  const during: number[] = [];
  const duringMain: number[] = [];
  await new Promise((r) => setTimeout(r, 300));
  while (!done && during.length < 20) {
    const ms = await window();
    if (!done) during.push(ms);
    await new Promise((r) => setTimeout(r, 100));
    const msMain = await window(main);
    if (!done) duringMain.push(msMain);
    await new Promise((r) => setTimeout(r, 100));
  }
  await run;
  return {
    interactive_alone_ms: median(alone.slice(1)),
    interactive_wait_ms: during.length ? median(during) : NaN,
    interactive_wait_max_ms: during.length ? Math.max(...during) : NaN,
    interactive_answered_during: during.length,
    interactive_main_lane_ms: duringMain.length ? median(duringMain) : NaN,
    interactive_main_lane_max_ms: duringMain.length ? Math.max(...duringMain) : NaN,
    interactive_reconcile_ms: performance.now() - t0,
  };
}
