// Cross-filter indexes, after Mosaic's data cubes. When a chart of the dashboard becomes a selection
// source, each other chart gets one small table: its marks' keys (category, bin, period, area) grouped
// also by the raw values of the columns the selection filters on, with its measures as partial
// aggregates (count, exact sum, min, max). A click or a brush then reads that table, filtered by the
// very same `Filter`s the full query would apply: the filters only look at those raw values, so the
// index selects the same source rows and re-aggregating the partials gives the same numbers, to the
// last bit. Exactness decides what is indexed: a sum of DOUBLEs depends on the order of additions,
// DuckDB's mean divides in long double, medians and distinct counts do not recombine — those charts,
// and charts of one mark per row, keep the full query and say why.
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { whereClause, type Filter } from '../query/filters.ts';
import { quoteIdent } from '../sql/ident.ts';
import { isDecimalType, isIntegerType } from '../sql/types.ts';
import {
  buildMapSql,
  categoryChannel,
  mapKeySql,
  MAX_MARKS,
  planFor,
  selectList,
  srcCte,
  withClause,
  type Item,
  type Plan,
} from './chart-sql.ts';
import { runChart, tableVersion, type ChartRun } from './chart-stats.ts';
import { compileChart, rowsToValues } from './compile.ts';
import { crossFiltered } from './crossfilter.ts';
import { FR_MESSAGES, type ChartMessages } from './format.ts';
import type { ChartSpec } from './spec.ts';
import { withValues } from './vega-spec.ts';

/** Why a chart keeps the full query (the UI says it in the user's language: charts.dashboard.why.*). */
export type IndexFallback =
  'rows' | 'quantiles' | 'median' | 'distinct' | 'mean' | 'float' | 'limit' | 'bins' | 'names' | 'size' | 'capped';

/** Above this many distinct selection values per chart, the index would be as big as the table. */
export const INDEX_MAX_ROWS = 200_000;

interface Partial {
  item: Item;
  /** Column of the index holding the partial aggregate. */
  name: string;
  build: string;
  reagg: string;
}

export type IndexPlan =
  { ok: true; plan: Plan; partials: Partial[]; keys: Item[]; columns: string[] } | { ok: false; reason: IndexFallback };

function partialOf(it: Item, i: number): Partial | IndexFallback {
  const name = `_p${i}`;
  const agg = it.enc.aggregate!;
  const n = quoteIdent(name);
  const c = it.col ? `_src.${quoteIdent(it.col.name)}` : '';
  const numeric = it.sql.startsWith('CAST(');
  switch (agg) {
    case 'count':
      // A group that exists has rows: coalesce only guards a chart with no key at all.
      return { item: it, name, build: 'count(*)', reagg: `CAST(coalesce(sum(${n}), 0) AS DOUBLE)` };
    case 'sum':
      if (!it.col || !(isIntegerType(it.col.type) || isDecimalType(it.col.type))) return 'float';
      // Integers sum to HUGEINT and decimals to DECIMAL(38,s): exact, so the order of additions is free.
      return { item: it, name, build: `sum(${c})`, reagg: `CAST(sum(${n}) AS DOUBLE)` };
    case 'min':
    case 'max':
      return { item: it, name, build: `${agg}(${c})`, reagg: numeric ? `CAST(${agg}(${n}) AS DOUBLE)` : `${agg}(${n})` };
    case 'median':
      return 'median';
    case 'distinct':
      return 'distinct';
    case 'mean':
      return 'mean';
  }
}

/** The count a map draws when its colour is not a measure. */
const COUNT_ITEM = (alias: string): Item => ({
  alias,
  enc: { type: 'quantitative', aggregate: 'count' },
  sql: 'CAST(count(*) AS DOUBLE)',
  measure: true,
  title: '',
});

/**
 * Can this chart (its own spec, before the selection) be answered from an index over `columns`?
 * `steps` are its fixed bin steps (chart-stats.ts binSteps): bins computed from the filtered rows
 * would move with the selection, and an index cannot follow them.
 */
export function planIndex(
  spec: ChartSpec,
  table: TableEntry,
  columns: readonly string[],
  steps: Readonly<Record<string, number>>,
  m: ChartMessages = FR_MESSAGES,
): IndexPlan {
  const p = planFor(spec, table, m, steps);
  const isMap = spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth';
  if (spec.mark === 'boxplot') return { ok: false, reason: 'quantiles' };
  if (!isMap && (spec.map?.kind === 'points' || !p.aggregated)) return { ok: false, reason: 'rows' };
  if (!isMap && spec.limit && categoryChannel(p)) return { ok: false, reason: 'limit' };
  if (p.binSteps.some((b) => !b.startsWith('CAST('))) return { ok: false, reason: 'bins' };
  let keys: Item[];
  let measures: Item[];
  if (isMap) {
    const color = p.items.get('color');
    keys = [];
    measures = [color?.measure ? color : COUNT_ITEM('color'), ...p.tooltips.filter((t) => t.measure)];
  } else {
    const items = [...p.items.values(), ...p.tooltips];
    keys = items.filter((it) => !it.measure);
    measures = items.filter((it) => it.measure);
  }
  const partials: Partial[] = [];
  for (const [i, it] of measures.entries()) {
    const part = partialOf(it, i);
    if (typeof part === 'string') return { ok: false, reason: part };
    partials.push(part);
  }
  const taken = new Set([...keys.flatMap((k) => [k.alias, ...(k.end ? [k.end] : [])]), ...partials.map((x) => x.name), '_k']);
  if (columns.some((c) => taken.has(c))) return { ok: false, reason: 'names' };
  return { ok: true, plan: p, partials, keys, columns: [...columns] };
}

/** The statement that builds the index table `name` (a TEMP table: it lives and dies with the session). */
export function indexBuildSql(spec: ChartSpec, table: TableEntry, ip: Extract<IndexPlan, { ok: true }>, name: string): string {
  const ctes = [srcCte(spec, table)];
  if (ip.plan.binSteps.length) ctes.push(`_bins AS (SELECT ${ip.plan.binSteps.join(', ')})`);
  const from = `FROM _src${ip.plan.binSteps.length ? ' CROSS JOIN _bins' : ''}`;
  const isMap = spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth';
  const sel = [
    ...(isMap ? [`${mapKeySql(spec, table)} AS "_k"`] : selectList(ip.keys)),
    ...ip.columns.map((c) => `_src.${quoteIdent(c)} AS ${quoteIdent(c)}`),
    ...ip.partials.map((x) => `${x.build} AS ${quoteIdent(x.name)}`),
  ];
  return `CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS\n${withClause(ctes)}SELECT ${sel.join(', ')}\n${from}\nGROUP BY ALL`;
}

/**
 * The chart's query over the index: the same columns, order and cap as the full query over the
 * table with `filters` added. `max + 1` rows tell that the chart would be capped (then: full query).
 */
export function indexQuerySql(
  spec: ChartSpec,
  table: TableEntry,
  ip: Extract<IndexPlan, { ok: true }>,
  name: string,
  filters: readonly Filter[],
  m: ChartMessages,
  max = MAX_MARKS,
): string {
  const where = whereClause(filters);
  const src = `_src AS (SELECT * FROM temp.${quoteIdent(name)}${where ? ` ${where}` : ''})`;
  if (spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth') {
    const v = `SELECT _k, ${ip.partials.map((x) => `${x.reagg} AS ${quoteIdent(x.item.alias)}`).join(', ')} FROM _src GROUP BY 1`;
    return buildMapSql(spec, table, ip.plan, [src], m, v).sql;
  }
  const sel = [
    ...ip.keys.flatMap((k) => [quoteIdent(k.alias), ...(k.end ? [quoteIdent(k.end)] : [])]),
    ...ip.partials.map((x) => `${x.reagg} AS ${quoteIdent(x.item.alias)}`),
  ];
  const order = ip.keys.map((k) => `${quoteIdent(k.alias)} NULLS LAST`);
  return `${withClause([src])}SELECT ${sel.join(', ')}\nFROM _src${ip.keys.length ? '\nGROUP BY ALL' : ''}${order.length ? `\nORDER BY ${order.join(', ')}` : ''}\nLIMIT ${max + 1}`;
}

type Entry =
  | { state: 'building'; ready: Promise<Entry> }
  | { state: 'ready'; name: string; ip: Extract<IndexPlan, { ok: true }>; rows: number; ms: number }
  | { state: 'unusable'; reason: IndexFallback };

export type IndexedRun = ChartRun & { via: 'index' | 'full'; reason?: IndexFallback };

/**
 * The indexes of one dashboard, keyed by chart, table version, bin steps and selection columns. Built
 * once per key on whatever lane the caller gives (the normal one); read on the interactive one.
 */
export class CrossIndexes {
  private readonly entries = new Map<string, Entry>();
  private seq = 0;

  constructor(private readonly prefix = 'loupe_xf') {}

  private key(spec: ChartSpec, table: TableEntry, columns: readonly string[], steps: Readonly<Record<string, number>>): string {
    return JSON.stringify([spec, table.name, tableVersion(table), [...columns].sort(), steps]);
  }

  /** The index's state now, without building it. */
  peek(spec: ChartSpec, table: TableEntry, columns: readonly string[], steps: Readonly<Record<string, number>>): Entry | undefined {
    return this.entries.get(this.key(spec, table, columns, steps));
  }

  /** Builds the index if it is not there (once, even when asked twice at the same time). */
  ensure(
    engine: Engine,
    spec: ChartSpec,
    table: TableEntry,
    columns: readonly string[],
    steps: Readonly<Record<string, number>>,
    m: ChartMessages = FR_MESSAGES,
  ): Promise<Entry> {
    const key = this.key(spec, table, columns, steps);
    const have = this.entries.get(key);
    if (have) return have.state === 'building' ? have.ready : Promise.resolve(have);
    const ip = planIndex(spec, table, columns, steps, m);
    if (!ip.ok) {
      const e: Entry = { state: 'unusable', reason: ip.reason };
      this.entries.set(key, e);
      return Promise.resolve(e);
    }
    const name = `${this.prefix}_${++this.seq}`;
    const ready = (async (): Promise<Entry> => {
      // Counting distinct selection values first costs one scan; building an index as large as the
      // table would cost far more (and memory the wasm heap may not have).
      if (ip.columns.length) {
        const cols = ip.columns.map((c) => `approx_count_distinct(${quoteIdent(c)})`);
        const est = await engine.query(`SELECT ${cols.join(' * ')} FROM ${quoteIdent(table.name)}`);
        // Beyond a quarter of the table's rows the index saves little over the table itself.
        if (Number(est.rows[0]?.[0] ?? 0) > Math.min(INDEX_MAX_ROWS, table.rows / 4)) return { state: 'unusable', reason: 'size' };
      }
      const t = Date.now();
      await engine.query(indexBuildSql(spec, table, ip, name));
      const n = await engine.query(`SELECT count(*) FROM temp.${quoteIdent(name)}`);
      return { state: 'ready', name, ip, rows: Number(n.rows[0]?.[0] ?? 0), ms: Date.now() - t };
    })().then(
      (e) => (this.entries.set(key, e), e),
      (err: unknown) => {
        this.entries.delete(key);
        throw err;
      },
    );
    this.entries.set(key, { state: 'building', ready });
    return ready;
  }

  /**
   * The cross-filtered chart, from its index when it is ready and applies, else by the full query
   * (with the reason). `own` is the chart's spec without the selection; `filters` the selection's.
   */
  async run(
    engine: Engine,
    own: ChartSpec,
    table: TableEntry,
    filters: readonly Filter[],
    steps: Readonly<Record<string, number>>,
    m: ChartMessages = FR_MESSAGES,
    full?: () => Promise<ChartRun>,
  ): Promise<IndexedRun> {
    const names = new Set(table.columns.map((c) => c.name));
    const applicable = filters.filter((f) => names.has(f.column));
    const columns = [...new Set(applicable.map((f) => f.column))];
    const spec = crossFiltered(own, table, applicable);
    const e = this.peek(own, table, columns, steps);
    const fallback = async (reason?: IndexFallback): Promise<IndexedRun> => {
      const r = full ? await full() : await runChart(engine, spec, table, { messages: m, binSteps: steps });
      return { ...r, via: 'full', ...(reason ? { reason } : {}) };
    };
    if (e?.state === 'unusable') return fallback(e.reason);
    if (e?.state !== 'ready') return fallback();
    const r = await engine.query(indexQuerySql(own, table, e.ip, e.name, applicable, m));
    const isMap = own.map?.kind === 'tiles' || own.map?.kind === 'choropleth';
    if (!isMap && r.rows.length > MAX_MARKS) return fallback('capped');
    const compiled = compileChart(spec, table, { messages: m, binSteps: steps, stats: { marks: r.rows.length } });
    const values = rowsToValues(compiled, r);
    return { compiled, vegaLite: withValues(compiled.vegaLite, values), values, passes: 1, via: 'index' };
  }

  /** Drops every index table (a dashboard closed, a project changed). */
  async dropAll(engine: Engine): Promise<void> {
    const names = [...this.entries.values()].flatMap((e) => (e.state === 'ready' ? [e.name] : []));
    this.entries.clear();
    for (const n of names) await engine.query(`DROP TABLE IF EXISTS temp.${quoteIdent(n)}`);
  }

  /** Forgets (and drops) the indexes of a table that was replaced. */
  async forget(engine: Engine, tableName: string): Promise<void> {
    for (const [k, e] of [...this.entries]) {
      if ((JSON.parse(k) as unknown[])[1] !== tableName) continue;
      this.entries.delete(k);
      if (e.state === 'ready') await engine.query(`DROP TABLE IF EXISTS temp.${quoteIdent(e.name)}`);
    }
  }
}
