// Explore, audit and chart figures, run in the page on Loupe's engine: each figure calls the app's own
// code (windowSql, facetSql, summarizeTable, the audit operations, prepareChart) and records every SQL
// statement it sends, so that the native baseline replays exactly the same statements (native.ts).
import { benford } from '../../../src/core/audit/benford.ts';
import { reconcile } from '../../../src/core/audit/reconcile.ts';
import { duplicates } from '../../../src/core/audit/duplicates.ts';
import { stratify } from '../../../src/core/audit/stratify.ts';
import { Catalog } from '../../../src/core/catalog/catalog.ts';
import type { Engine } from '../../../src/core/engine/engine.ts';
import { tableRelation, windowSql } from '../../../src/core/explore/window.ts';
import type { Journal } from '../../../src/core/journal/journal.ts';
import { validateParams, type Operation, type OperationContext } from '../../../src/core/ops/registry.ts';
import { summarizeTable } from '../../../src/core/profile/profile.ts';
import { facetSql } from '../../../src/core/query/facets.ts';
import type { Filter } from '../../../src/core/query/filters.ts';
import { quoteIdent } from '../../../src/core/sql/ident.ts';
import { crossFiltered, selectionFromDatum } from '../../../src/core/viz/crossfilter.ts';
import { ChartSpec, prepareChart } from '../../../src/core/viz/index.ts';
import { median } from '../figures.ts';
import { IDS, TABLE } from '../sql.ts';

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
}

const RUNS = 3;

/** Runs `fn` with every engine query recorded (exec goes through query). */
async function recording(engine: Engine, fn: () => Promise<unknown>): Promise<{ ms: number; sql: string[]; error?: string }> {
  const sql: string[] = [];
  const query = engine.query;
  engine.query = (s, o) => {
    sql.push(s);
    return query.call(engine, s, o);
  };
  const t = performance.now();
  try {
    await fn();
  } catch (e) {
    return { ms: NaN, sql, error: e instanceof Error ? e.message : String(e) };
  } finally {
    engine.query = query;
  }
  return { ms: performance.now() - t, sql };
}

export async function runSuite(engine: Engine, rows: number): Promise<SuiteResult> {
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
  const windowAt = (offset: number) => () =>
    engine.query(windowSql(rel, { offset, limit: 200, orderBy: [{ column: AMOUNT, desc: true }] }));
  const bar = ChartSpec.parse({
    source: { table: TABLE },
    mark: 'bar',
    encoding: { x: { field: DIRECTION, type: 'nominal' }, y: { field: AMOUNT, type: 'quantitative', aggregate: 'sum' } },
  });
  const hist = ChartSpec.parse({
    source: { table: TABLE },
    mark: 'bar',
    encoding: { x: { field: AMOUNT, type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
  });
  const line = ChartSpec.parse({
    source: { table: TABLE },
    mark: 'line',
    encoding: { x: { field: DATE, type: 'temporal', timeUnit: 'yearmonth' }, y: { field: AMOUNT, type: 'quantitative', aggregate: 'sum' } },
  });
  const chart = (spec: ChartSpec) => async () => engine.query((await prepareChart(engine, spec, entry)).sql);
  // A 3-chart dashboard (bar, histogram, line): a click on one bar of the first recomputes the other two
  // in DuckDB with the selection as a filter, as the dashboard does.
  const crossfilter = async () => {
    const sel = selectionFromDatum(bar, { x: 'DAC - Direction des Affaires Culturelles' });
    for (const spec of [hist, line]) await engine.query((await prepareChart(engine, crossFiltered(spec, entry, sel), entry)).sql);
  };
  const cases: Record<string, () => Promise<unknown>> = {
    grid_window_0: windowAt(0),
    grid_window_mid: windowAt(Math.floor(rows / 2)),
    grid_window_end: windowAt(Math.max(0, rows - 100)),
    facet: () => engine.query(facetSql(quoteIdent(TABLE), DIRECTION, [FACET_FILTER], 20)),
    profile: () => summarizeTable(engine, quoteIdent(TABLE)),
    // A fixed result name: every run replaces the same table, so the three runs send the same SQL.
    audit_duplicates: op(duplicates, { table: TABLE, columns: [SIRET, AMOUNT, DATE], amount: AMOUNT, result: 'bench_duplicates' }),
    audit_benford: op(benford, { table: TABLE, column: AMOUNT, test: 'first', result: 'bench_benford' }),
    audit_stratify: op(stratify, { table: TABLE, amount: AMOUNT, result: 'bench_stratify' }),
    // The chart view's two phases: count (prepareChart), then the chart's own query.
    // Two 1M-row releases overlapping by half (built untimed, replayed by native too), reconciled
    // on SIRET and payment date with the amount compared.
    audit_reconcile_setup: async () => {
      // 1,000,000 rows each at 5M (2/5 of the table each at smaller sizes), sharing half their rows.
      const n = Math.min(1_000_000, Math.floor((rows * 2) / 5));
      const half = Math.floor(n / 2);
      await engine.query(`CREATE OR REPLACE TABLE bench_left AS SELECT * FROM ${quoteIdent(TABLE)} WHERE rowid < ${n}`);
      await engine.query(`CREATE OR REPLACE TABLE bench_right AS SELECT * FROM ${quoteIdent(TABLE)} WHERE rowid >= ${half} AND rowid < ${half + n}`);
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
    chart_bar: chart(bar),
    chart_hist: chart(hist),
    chart_line: chart(line),
    crossfilter,
  };
  const out: SuiteResult = { sql: {}, ms: {}, errors: {} };
  for (const [name, fn] of Object.entries(cases)) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
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
