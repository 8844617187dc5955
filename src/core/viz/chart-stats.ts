// Charts in one scan. prepareChart counts first (source rows, groups), then queries: at 5 million rows
// that is two or three passes over the table, and a histogram adds one more for its extent (the nice
// step needs min and max before the bins). Here the extent of a column is read once per table version
// and kept, the step is fixed from it, and the chart's own query is run with room for one mark more
// than the cap: if it fits, that result is the chart (exactly what the two-phase path returns); if not,
// the two-phase path runs, since only it can say how much the cap leaves out.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { whereClause, type Filter } from '../query/filters.ts';
import { quoteIdent } from '../sql/ident.ts';
import { isIntegerType } from '../sql/types.ts';
import { binnedChannels, categoryChannel, MAX_MARKS, niceStep, planFor } from './chart-sql.ts';
import { chartData, compileChart, prepareChart, rowsToValues, type CompiledChart } from './compile.ts';
import { FR_MESSAGES, type ChartMessages } from './format.ts';
import type { ChartSpec } from './spec.ts';
import { withValues, type VlSpec } from './vega-spec.ts';

export interface ColumnExtent {
  /** As DOUBLE, the way the bins read the column; null when no value. */
  min: number | null;
  max: number | null;
  /** Non-null values. */
  count: number;
}

/**
 * What identifies a version of a table: a table replaced by a new import, or by an operation's new
 * result, gets other provenance, rows or columns. Equal keys on different data would need a write
 * that keeps all of them; callers that write in place call `forget`.
 */
export function tableVersion(t: TableEntry): string {
  return JSON.stringify([t.name, t.kind, t.rows, t.columns.map((c) => [c.name, c.type]), t.source ?? null, t.sql ?? null]);
}

/** min/max/count per column, table version and filter set; a few hundred entries at most. */
export class ExtentCache {
  private readonly map = new Map<string, { table: string; extent: Promise<ColumnExtent> }>();
  hits = 0;
  misses = 0;

  constructor(private readonly max = 500) {}

  static sql(table: TableEntry, column: string, filters: readonly Filter[]): string {
    const e = `CAST(${quoteIdent(column)} AS DOUBLE)`;
    const where = whereClause(filters);
    return `SELECT min(${e}) AS "min", max(${e}) AS "max", count(${e}) AS "n" FROM ${quoteIdent(table.name)}${where ? ` ${where}` : ''}`;
  }

  get(engine: Engine, table: TableEntry, column: string, filters: readonly Filter[] = []): Promise<ColumnExtent> {
    const key = JSON.stringify([tableVersion(table), column, filters]);
    const hit = this.map.get(key);
    if (hit) {
      this.hits++;
      return hit.extent;
    }
    this.misses++;
    const p = engine.query(ExtentCache.sql(table, column, filters)).then((r) => {
      const row = r.rows[0] ?? [];
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return { min: num(row[0]), max: num(row[1]), count: Number(row[2] ?? 0) };
    });
    // A failed read is not kept: the next chart asks again.
    p.catch(() => this.map.delete(key));
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, { table: table.name, extent: p });
    return p;
  }

  /** Forgets every extent of a table (replaced, or written in place). */
  forget(tableName: string): void {
    for (const [k, v] of [...this.map]) if (v.table === tableName) this.map.delete(k);
  }

  clear(): void {
    this.map.clear();
  }
}

/** The app's cache (the UI and the CLI each run one engine at a time). */
export const extents = new ExtentCache();

const isInteger = (c: ColumnMeta) => isIntegerType(c.type);

/**
 * The bin steps of a chart's binned channels, from the cached extents under the chart's own filters —
 * the same step stepSql computes in SQL. A cross-filtered chart passes its spec before the selection
 * was added: its bins stay those of the whole chart, so bars keep their place while the brush moves
 * (and the cross-filter index can hold them).
 */
export async function binSteps(
  engine: Engine,
  spec: ChartSpec,
  table: TableEntry,
  cache: ExtentCache = extents,
): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const b of binnedChannels(spec, table)) {
    const x = await cache.get(engine, table, b.column.name, spec.source.filters);
    out[b.alias] = niceStep(x.min, x.max, b.maxbins, isInteger(b.column));
  }
  return out;
}

export interface ChartRun {
  compiled: CompiledChart;
  vegaLite: VlSpec;
  values: Record<string, unknown>[];
  /** Queries sent to the table for the marks: 1 on the one-scan path, 2 when counting was needed. */
  passes: 1 | 2;
}

export interface RunOptions {
  messages?: ChartMessages;
  maxMarks?: number;
  /** Steps to use (a cross-filtered chart gives its unfiltered ones); read from the cache when absent. */
  binSteps?: Readonly<Record<string, number>>;
  cache?: ExtentCache;
}

/** Whether the one-scan path can give this chart's exact rows: a « first N categories » note needs the category count. */
function oneScan(spec: ChartSpec, table: TableEntry, m: ChartMessages): boolean {
  if (spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth') return true;
  return !(spec.limit && categoryChannel(planFor(spec, table, m)));
}

/** A chart's rows in one pass over its table when they fit under the cap; else counts, then queries. */
export async function runChart(engine: Engine, spec: ChartSpec, table: TableEntry, opts: RunOptions = {}): Promise<ChartRun> {
  const messages = opts.messages ?? FR_MESSAGES;
  const max = opts.maxMarks ?? MAX_MARKS;
  const steps = opts.binSteps ?? (await binSteps(engine, spec, table, opts.cache));
  const base = { messages, maxMarks: max, binSteps: steps };
  if (oneScan(spec, table, messages)) {
    // As if the count had found the marks to fit: keys order, no note; one mark more tells they did not.
    const probe = compileChart(spec, table, { ...base, maxMarks: max + 1, stats: { marks: 0 } });
    const r = await engine.query(probe.sql);
    if (r.rows.length <= max || spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth') {
      const compiled = compileChart(spec, table, { ...base, stats: { marks: r.rows.length } });
      const values = rowsToValues(compiled, r);
      return { compiled, vegaLite: withValues(compiled.vegaLite, values), values, passes: 1 };
    }
  }
  const compiled = await prepareChart(engine, spec, table, base);
  const { vegaLite, values } = await chartData(engine, compiled);
  return { compiled, vegaLite, values, passes: 2 };
}
