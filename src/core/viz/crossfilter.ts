// Linked views, Mosaic-style: a selection on one chart (a clicked mark, a brushed x interval) becomes
// plain `Filter`s on source columns, and every other chart is recompiled with them added to its
// source — so the numbers are recomputed by DuckDB over the filtered rows, never re-filtered in Vega
// over already aggregated (and possibly capped) rows.
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import type { Filter } from '../query/filters.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { arrondissementSql } from './arrondissements.ts';
import { mapKeySql } from './chart-sql.ts';
import type { VlSpec } from './vega-spec.ts';
import { ChartSpec, type Channel, type Encoding, type TimeUnit } from './spec.ts';

/** Channels whose value in a clicked mark identifies a group of source rows. */
const KEY_CHANNELS: Channel[] = ['x', 'y', 'color', 'row', 'column', 'shape', 'detail'];

/** Name of the interval selection added to brushable charts. */
export const BRUSH = 'loupe_brush';

/** How long a period of each time unit that keeps the year lasts. */
const PERIOD: Partial<Record<TimeUnit, { months: number } | { days: number }>> = {
  year: { months: 12 },
  yearquarter: { months: 3 },
  yearmonth: { months: 1 },
  yearweek: { days: 7 },
  yearmonthdate: { days: 1 },
};

/** End of the period that starts at `start` for a time unit that keeps the year (exclusive bound minus nothing: inclusive end day). */
function periodEnd(start: string, unit: TimeUnit): string | undefined {
  const e = new Date(start.length === 10 ? `${start}T00:00:00Z` : start);
  const period = PERIOD[unit];
  if (Number.isNaN(e.getTime()) || !period) return undefined;
  if ('months' in period) e.setUTCMonth(e.getUTCMonth() + period.months);
  else e.setUTCDate(e.getUTCDate() + period.days);
  // `between` is inclusive: the last instant before the next period, written so DuckDB casts it.
  e.setUTCMilliseconds(e.getUTCMilliseconds() - 1);
  return e.toISOString().replace('T', ' ').replace('Z', '');
}

function scalar(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** The filter that selects the rows behind one key value of an encoding, or null when it cannot be said as a Filter. */
function keyFilter(enc: Encoding, datum: Record<string, unknown>, alias: string): Filter | null {
  if (!enc.field || enc.aggregate) return null;
  const v = datum[alias];
  if (enc.bin) {
    const end = datum[`${alias}_end`];
    if (typeof v !== 'number' || typeof end !== 'number') return null;
    // Bins are [start, end): the inclusive `between` would take rows on the upper edge, so stop just below.
    return { column: enc.field, op: 'between', min: v, max: end - Math.abs(end - v) * 1e-9 };
  }
  if (enc.timeUnit) {
    if (typeof v !== 'string') return null; // cyclic units (month of any year) are not a range of dates
    const end = periodEnd(v, enc.timeUnit);
    return end ? { column: enc.field, op: 'between', min: v, max: end } : null;
  }
  return { column: enc.field, op: 'in', values: [scalar(v)] };
}

/**
 * A clicked mark → the filters that select its source rows: one per key channel (the bar's category,
 * its colour segment…). Measures are not keys. Maps and box plots say nothing here.
 */
export function selectionFromDatum(spec: ChartSpec, datum: Record<string, unknown> | null | undefined): Filter[] {
  if (!datum || spec.map || spec.mark === 'boxplot') return [];
  const out: Filter[] = [];
  for (const ch of KEY_CHANNELS) {
    const enc = spec.encoding[ch];
    if (!enc || !(ch in datum)) continue;
    const f = keyFilter(enc, datum, ch);
    if (f) out.push(f);
  }
  return out;
}

/** The channel a brush can select on: x, when it is a continuous field (numbers, dates, bins). */
export function brushChannel(spec: ChartSpec): 'x' | null {
  const x = spec.encoding.x;
  if (!x?.field || x.aggregate || spec.map || spec.mark === 'boxplot' || spec.mark === 'arc') return null;
  if (x.bin || x.type === 'quantitative') return 'x';
  if (x.type === 'temporal' && (!x.timeUnit || ['year', 'yearquarter', 'yearmonth', 'yearweek', 'yearmonthdate'].includes(x.timeUnit)))
    return 'x';
  return null;
}

/** The compiled Vega-Lite spec with an x interval selection on its main view, when the chart allows one. */
export function withBrush(vl: VlSpec, spec: ChartSpec): VlSpec {
  if (!brushChannel(spec)) return vl;
  const vconcat = vl.vconcat as VlSpec[] | undefined;
  const main = vconcat?.[0];
  if (!main || 'layer' in main) return vl;
  const params = [{ name: BRUSH, select: { type: 'interval', encodings: ['x'] } }];
  return { ...vl, vconcat: [{ ...main, params }, ...vconcat!.slice(1)] };
}

/** A brushed interval (Vega's signal value: `{x: [a, b]}`, dates as epoch milliseconds) → a `between` filter. */
export function selectionFromInterval(spec: ChartSpec, value: unknown): Filter[] {
  const ch = brushChannel(spec);
  const x = spec.encoding.x;
  if (!ch || !x?.field || !value || typeof value !== 'object') return [];
  const range = (value as Record<string, unknown>)[ch];
  if (!Array.isArray(range) || range.length !== 2) return [];
  let [a, b] = range.map((v) => (v instanceof Date ? v.getTime() : Number(v))) as [number, number];
  if (!Number.isFinite(a) || !Number.isFinite(b)) return [];
  if (a > b) [a, b] = [b, a];
  if (x.type === 'temporal' && !x.bin) {
    const iso = (n: number) => new Date(n).toISOString().replace('T', ' ').replace('Z', '');
    return [{ column: x.field, op: 'between', min: iso(a), max: iso(b) }];
  }
  return [{ column: x.field, op: 'between', min: a, max: b }];
}

/** Every selection but the chart's own: a chart is not filtered by the selection drawn on it. */
export function othersSelections(selections: Readonly<Record<string, readonly Filter[]>>, self: string): Filter[] {
  return Object.entries(selections)
    .filter(([id]) => id !== self)
    .flatMap(([, fs]) => fs);
}

/**
 * The chart with the selection's filters added to its source. A filter applies where the chart's
 * table has a column of that name (the same table, or another sharing the key, e.g. `arrondissement`);
 * the others are left out rather than failing the chart.
 */
export function crossFiltered(spec: ChartSpec, table: TableEntry, filters: readonly Filter[]): ChartSpec {
  const names = new Set(table.columns.map((c) => c.name));
  const applicable = filters.filter((f) => names.has(f.column));
  if (!applicable.length) return spec;
  return ChartSpec.parse({ ...spec, source: { ...spec.source, filters: [...spec.source.filters, ...applicable] } });
}

/**
 * A clicked area of a tile map or choropleth → the filter selecting its source rows. The map draws
 * areas from a normalised key (« 75004 », « 4e », 4 are all the 4th arrondissement), so the filter
 * lists the raw values that normalise to the clicked area, read from the table: the other charts then
 * select exactly the rows the area counted, with the plain `in` filter a bar click gives.
 */
export async function selectionFromArea(
  engine: Engine,
  spec: ChartSpec,
  table: TableEntry,
  datum: Record<string, unknown> | null | undefined,
): Promise<Filter[]> {
  const map = spec.map;
  if (!datum || !map || map.kind === 'points') return [];
  let area: string;
  if (map.kind === 'tiles') {
    const n = Number(datum.arrondissement);
    if (!Number.isInteger(n)) return [];
    area = String(n);
  } else {
    if (datum.key === null || datum.key === undefined) return [];
    const lit = quoteLiteral(String(datum.key));
    area = map.normalize === 'arrondissement' ? arrondissementSql(lit) : `trim(${lit})`;
  }
  const key = quoteIdent(map.key);
  const r = await engine.query(
    `SELECT DISTINCT _src.${key} FROM ${quoteIdent(table.name)} AS _src WHERE ${mapKeySql(spec, table)} = ${area} ORDER BY 1 LIMIT 10001`,
  );
  const values = r.rows.map((row) => scalar(row[0]));
  // A grey tile has no rows behind it: nothing to select. More spellings than a filter holds: none either.
  if (!values.length || values.length > 10_000) return [];
  return [{ column: map.key, op: 'in', values }];
}
