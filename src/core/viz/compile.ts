// A chart, compiled: the SQL of chart-sql.ts and the Vega-Lite spec of vega-spec.ts from one plan,
// and the two phases a view runs (count, then query). This file only joins the two compilers.
import rewind from '@mapbox/geojson-rewind';
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { buildSql, chartStats, MAX_MARKS, planFor, type ChartStats } from './chart-sql.ts';
import { FR_MESSAGES, type ChartMessages } from './format.ts';
import type { ChartSpec } from './spec.ts';
import { vegaLite, withValues, type VlSpec } from './vega-spec.ts';

export * from './chart-sql.ts';
export * from './vega-spec.ts';

export interface CompileOptions {
  stats?: ChartStats;
  messages?: ChartMessages;
  maxMarks?: number;
  /** Fixed bin steps by channel alias, from a cached extent (chart-stats.ts): the chart then reads its table once. */
  binSteps?: Readonly<Record<string, number>>;
}

export interface CompiledChart {
  sql: string;
  vegaLite: VlSpec;
  /** True when the rows drawn are fewer than the chart would have (sample, first groups, top categories). */
  capped: boolean;
  note?: string;
  /** How rows become data for Vega: plain objects, or GeoJSON features from a geometry column. */
  data: 'rows' | 'features';
  /** Tables read, for the journal. */
  inputs: string[];
}

/**
 * Compiles a chart. Without `stats` the SQL is still capped (largest groups, or a sample), but the
 * chart cannot say how much it left out: use prepareChart, which counts first.
 */
export function compileChart(spec: ChartSpec, table: TableEntry, opts: CompileOptions = {}): CompiledChart {
  const m = opts.messages ?? FR_MESSAGES;
  const max = opts.maxMarks ?? MAX_MARKS;
  const p = planFor(spec, table, m, opts.binSteps);
  const b = buildSql(spec, table, p, opts.stats, m, max);
  return {
    sql: b.sql,
    vegaLite: vegaLite(spec, table, p, b.note, m),
    capped: b.capped,
    ...(b.note ? { note: b.note } : {}),
    data: b.data,
    inputs: b.inputs,
  };
}

/** Counts, then compiles: the two phases a chart view runs. */
export async function prepareChart(
  engine: Engine,
  spec: ChartSpec,
  table: TableEntry,
  opts: Omit<CompileOptions, 'stats'> = {},
): Promise<CompiledChart> {
  const stats = await chartStats(engine, spec, table, opts.binSteps);
  return compileChart(spec, table, { ...opts, stats });
}

/** Turns the query's rows into Vega data: objects keyed by alias, or GeoJSON features for maps. */
export function rowsToValues(
  compiled: CompiledChart,
  result: { columns: { name: string }[]; rows: unknown[][] },
): Record<string, unknown>[] {
  const names = result.columns.map((c) => c.name);
  const out: Record<string, unknown>[] = [];
  for (const row of result.rows) {
    const o: Record<string, unknown> = {};
    names.forEach((n, i) => (o[n] = row[i]));
    if (compiled.data === 'features') {
      let geometry: unknown;
      try {
        // d3-geo (under Vega's geoshape) reads a counter-clockwise exterior ring, which RFC 7946
        // asks for, as the whole sphere minus the shape: each area filled the plot as one square.
        // Files from the portal come in either order, so rings are set clockwise here.
        geometry = rewind(JSON.parse(String(o.geometry)) as unknown, true);
      } catch {
        continue;
      }
      delete o.geometry;
      out.push({ type: 'Feature', geometry, properties: {}, ...o });
    } else out.push(o);
  }
  return out;
}

/** Runs the chart's SQL and returns the Vega-Lite spec with its data filled in. */
export async function chartData(engine: Engine, compiled: CompiledChart): Promise<{ vegaLite: VlSpec; values: Record<string, unknown>[] }> {
  const r = await engine.query(compiled.sql);
  const values = rowsToValues(compiled, r);
  return { vegaLite: withValues(compiled.vegaLite, values), values };
}
