// ChartSpec → the SQL that computes exactly what the marks need (aggregates, bins, time units,
// quartiles, all in DuckDB). Vega never sees more than MAX_MARKS rows: above that the chart keeps the
// largest groups or a reproducible sample, and says so. The plan built here (one item per channel,
// with its SQL and alias) is what vega-spec.ts turns into marks: the two never disagree on an alias.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { whereClause } from '../query/filters.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { isDateType, isIntegerType, isNumericType, isTemporalType } from '../sql/types.ts';
import { ARRONDISSEMENT_TILES, arrondissementSql } from './arrondissements.ts';
import { FR_MESSAGES, type ChartMessages } from './format.ts';
import type { Aggregate, ChartSpec, Channel, Encoding, TimeUnit } from './spec.ts';

export const MAX_MARKS = 5000;

export interface ChartStats {
  /** Rows of the source after the filters (not counted on the one-scan path, chart-stats.ts). */
  rows?: number;
  /** Rows the chart's query returns before any cap (groups, or rows for an unaggregated chart). */
  marks: number;
  /** Categories on the category axis before `limit`. */
  categories?: number;
}

export class ChartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartError';
  }
}

const CHANNELS: Channel[] = ['x', 'y', 'color', 'size', 'shape', 'opacity', 'row', 'column', 'theta', 'detail'];

export interface Item {
  alias: string;
  enc: Encoding;
  col?: ColumnMeta;
  /** SQL expression over `_src` (keys) or an aggregate (measures). */
  sql: string;
  measure: boolean;
  /** Bin end alias, when binned. */
  end?: string;
  title: string;
}

// Types are read by the one vocabulary (sql/types.ts); re-exported for the chart API's callers.
export { isNumericType, isTemporalType };

function findColumn(table: TableEntry, field: string): ColumnMeta {
  const c = table.columns.find((x) => x.name === field);
  if (!c) throw new ChartError(`Colonne inconnue dans « ${table.name} » : « ${field} »`);
  return c;
}

const col = (c: ColumnMeta) => `_src.${quoteIdent(c.name)}`;

function aggregateSql(agg: Aggregate, c: ColumnMeta | undefined): string {
  if (agg === 'count') return 'CAST(count(*) AS DOUBLE)';
  if (!c) throw new ChartError(`L’agrégat « ${agg} » demande une colonne`);
  const e = col(c);
  if (agg === 'distinct') return `CAST(count(DISTINCT ${e}) AS DOUBLE)`;
  if (!isNumericType(c.type) && agg !== 'min' && agg !== 'max') {
    throw new ChartError(`« ${c.label} » n’est pas numérique : pas de ${agg}`);
  }
  const fn = { sum: 'sum', mean: 'avg', median: 'median', min: 'min', max: 'max' }[agg];
  return isNumericType(c.type) ? `CAST(${fn}(${e}) AS DOUBLE)` : `${fn}(${e})`;
}

/** A point in time as text Vega parses as UTC (date-only ISO strings are UTC; others need a Z). */
function temporalSql(c: ColumnMeta, unit: TimeUnit | undefined): string {
  const e = isTemporalType(c.type) ? col(c) : `TRY_CAST(${col(c)} AS TIMESTAMP)`;
  switch (unit) {
    case undefined:
      return isDateType(c.type) ? e : `strftime(${e}, '%Y-%m-%dT%H:%M:%S') || 'Z'`;
    case 'year':
      return `CAST(date_trunc('year', ${e}) AS DATE)`;
    case 'yearquarter':
      return `CAST(date_trunc('quarter', ${e}) AS DATE)`;
    case 'yearmonth':
      return `CAST(date_trunc('month', ${e}) AS DATE)`;
    case 'yearweek':
      return `CAST(date_trunc('week', ${e}) AS DATE)`;
    case 'yearmonthdate':
      return `CAST(date_trunc('day', ${e}) AS DATE)`;
    case 'quarter':
      return `quarter(${e})`;
    case 'month':
      return `month(${e})`;
    case 'day':
      return `isodow(${e})`;
    case 'hours':
      return `hour(${e})`;
  }
}

/**
 * A "nice" bin width (1, 2 or 5 × 10^k) for about `maxbins` bins between the column's min and max,
 * computed by DuckDB in the same query as the bins, so no round trip is needed.
 */
function stepSql(c: ColumnMeta, maxbins: number): string {
  const e = `CAST(${quoteIdent(c.name)} AS DOUBLE)`;
  const raw = `greatest((max(${e}) - min(${e})) / ${maxbins}, 1e-9)`;
  const step = `m * CASE WHEN r <= 1 THEN 1 WHEN r <= 2 THEN 2 WHEN r <= 5 THEN 5 ELSE 10 END`;
  const nice = `(SELECT ${isIntegerType(c.type) ? `greatest(${step}, 1)` : step} FROM (SELECT raw / pow(10, floor(log10(raw))) AS r, pow(10, floor(log10(raw))) AS m FROM (SELECT ${raw} AS raw FROM _src)))`;
  return nice;
}

function titleOf(enc: Encoding, c: ColumnMeta | undefined, m: ChartMessages): string {
  if (enc.title !== undefined) return enc.title;
  if (enc.aggregate) return m.aggregate[enc.aggregate](c?.label ?? '');
  return c?.label ?? m.rows;
}

export interface Plan {
  items: Map<string, Item>;
  tooltips: Item[];
  aggregated: boolean;
  binSteps: string[];
}

/**
 * The same nice step in JS, from a column's cached extent (chart-stats.ts): the chart query then reads
 * the table once instead of twice. Same operations, same order, as stepSql, so the same double.
 */
export function niceStep(min: number | null, max: number | null, maxbins: number, integer: boolean): number {
  const raw = min === null || max === null ? 1e-9 : Math.max((max - min) / maxbins, 1e-9);
  const m = Math.pow(10, Math.floor(Math.log10(raw)));
  const r = raw / m;
  const step = m * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10);
  return integer ? Math.max(step, 1) : step;
}

/** Bins of a binned encoding: the channel's maxbins, for chart-stats.ts to fix its step from a cached extent. */
export function binnedChannels(spec: ChartSpec, table: TableEntry): { alias: string; column: ColumnMeta; maxbins: number }[] {
  const out: { alias: string; column: ColumnMeta; maxbins: number }[] = [];
  const all: [string, Encoding][] = [];
  for (const ch of CHANNELS) if (spec.encoding[ch]) all.push([ch, spec.encoding[ch]!]);
  (spec.encoding.tooltip ?? []).forEach((enc, i) => all.push([`tooltip${i}`, enc]));
  for (const [alias, enc] of all) {
    if (!enc.bin || enc.aggregate || !enc.field) continue;
    const c = table.columns.find((x) => x.name === enc.field);
    if (c && isNumericType(c.type)) out.push({ alias, column: c, maxbins: enc.bin === true ? 10 : enc.bin });
  }
  return out;
}

/** A step as a DOUBLE literal: a bare `0.01` would be a DECIMAL to DuckDB. */
const doubleLiteral = (n: number) => `CAST(${quoteLiteral(String(n))} AS DOUBLE)`;

function plan(spec: ChartSpec, table: TableEntry, m: ChartMessages, steps: Readonly<Record<string, number>> = {}): Plan {
  const items = new Map<string, Item>();
  const binSteps: string[] = [];
  const all: [string, Encoding][] = [];
  for (const ch of CHANNELS) {
    const enc = spec.encoding[ch];
    if (enc) all.push([ch, enc]);
  }
  (spec.encoding.tooltip ?? []).forEach((enc, i) => all.push([`tooltip${i}`, enc]));
  const aggregated = all.some(([, e]) => e.aggregate || e.bin) || spec.mark === 'boxplot';
  const tooltips: Item[] = [];
  for (const [alias, enc] of all) {
    const c = enc.field ? findColumn(table, enc.field) : undefined;
    const title = titleOf(enc, c, m);
    let item: Item;
    if (enc.aggregate) {
      item = { alias, enc, ...(c ? { col: c } : {}), sql: aggregateSql(enc.aggregate, c), measure: true, title };
    } else if (!c) {
      throw new ChartError(`Encodage « ${alias} » sans colonne`);
    } else if (enc.bin) {
      if (!isNumericType(c.type)) throw new ChartError(`« ${c.label} » n’est pas numérique : pas de classes`);
      const maxbins = enc.bin === true ? 10 : enc.bin;
      const step = `_bin_${alias}`;
      const fixed = steps[alias];
      binSteps.push(
        `${fixed !== undefined && Number.isFinite(fixed) && fixed > 0 ? doubleLiteral(fixed) : stepSql(c, maxbins)} AS ${step}`,
      );
      const start = `round(floor(CAST(${col(c)} AS DOUBLE) / _bins.${step}) * _bins.${step}, 9)`;
      item = { alias, enc, col: c, sql: start, measure: false, end: `${alias}_end`, title };
      (item as Item & { endSql: string }).endSql =
        `round(floor(CAST(${col(c)} AS DOUBLE) / _bins.${step}) * _bins.${step} + _bins.${step}, 9)`;
    } else if (enc.type === 'temporal' || enc.timeUnit) {
      item = { alias, enc, col: c, sql: temporalSql(c, enc.timeUnit), measure: false, title };
    } else {
      item = { alias, enc, col: c, sql: col(c), measure: false, title };
    }
    if (alias.startsWith('tooltip')) tooltips.push(item);
    else items.set(alias, item);
  }
  return { items, tooltips, aggregated, binSteps };
}

export function selectList(items: Item[]): string[] {
  const out: string[] = [];
  for (const it of items) {
    out.push(`${it.sql} AS ${quoteIdent(it.alias)}`);
    if (it.end) out.push(`${(it as Item & { endSql: string }).endSql} AS ${quoteIdent(it.end)}`);
  }
  return out;
}

export function srcCte(spec: ChartSpec, table: TableEntry): string {
  const where = whereClause(spec.source.filters);
  return `_src AS (SELECT * FROM ${quoteIdent(table.name)}${where ? ` ${where}` : ''})`;
}

/** The positional channel that carries categories (for `limit` and default sorting). */
export function categoryChannel(p: Plan): Item | undefined {
  for (const ch of ['x', 'y', 'color', 'theta']) {
    const it = p.items.get(ch);
    if (it && !it.measure && !it.end && (it.enc.type === 'nominal' || it.enc.type === 'ordinal')) return it;
  }
  return undefined;
}

/** The box plot's numeric axis: y, unless only x is quantitative (a horizontal box plot). */
export function boxValue(p: Plan): Item | undefined {
  const x = p.items.get('x');
  const y = p.items.get('y');
  if (y?.enc.type === 'quantitative') return y;
  if (x?.enc.type === 'quantitative') return x;
  return y ?? x;
}

function primaryMeasure(p: Plan): Item | undefined {
  for (const ch of ['y', 'x', 'theta', 'color', 'size']) {
    const it = p.items.get(ch);
    if (it?.measure) return it;
  }
  return p.tooltips.find((t) => t.measure);
}

export interface Built {
  /** The query without any cap: what stats count. */
  uncapped: string;
  sql: string;
  capped: boolean;
  note?: string;
  data: 'rows' | 'features';
  inputs: string[];
}

export function withClause(ctes: string[]): string {
  return `WITH ${ctes.join(',\n')}\n`;
}

export function buildSql(spec: ChartSpec, table: TableEntry, p: Plan, stats: ChartStats | undefined, m: ChartMessages, max: number): Built {
  const ctes = [srcCte(spec, table)];
  if (p.binSteps.length) ctes.push(`_bins AS (SELECT ${p.binSteps.join(', ')})`);
  const from = `FROM _src${p.binSteps.length ? ' CROSS JOIN _bins' : ''}`;
  const inputs = [table.name];

  if (spec.map?.kind === 'tiles' || spec.map?.kind === 'choropleth') return buildMapSql(spec, table, p, ctes, m);

  const items = [...p.items.values(), ...p.tooltips];
  if (spec.mark === 'boxplot') {
    const y = boxValue(p);
    const value = y?.col;
    if (!y || !value || !isNumericType(value.type)) throw new ChartError('Une boîte à moustaches demande une colonne numérique en y');
    const keys = [...p.items.values()].filter((it) => it !== y && !it.measure);
    const v = `CAST(${col(value)} AS DOUBLE)`;
    const cat = categoryChannel(p);
    let where = `WHERE ${v} IS NOT NULL`;
    let limitNote: string | undefined;
    if (spec.limit && cat) {
      // The N most frequent categories: a box over a handful of values says little.
      ctes.push(`_top AS (SELECT ${cat.sql} AS _k ${from} GROUP BY ALL ORDER BY count(*) DESC, _k LIMIT ${spec.limit})`);
      where += ` AND ${cat.sql} IN (SELECT _k FROM _top)`;
      if (stats?.categories !== undefined && stats.categories > spec.limit) limitNote = m.topCategories(spec.limit, stats.categories);
    }
    const sel = [
      ...selectList(keys),
      `min(${v}) AS "lower"`,
      `quantile_cont(${v}, 0.25) AS "q1"`,
      `median(${v}) AS "median"`,
      `quantile_cont(${v}, 0.75) AS "q3"`,
      `max(${v}) AS "upper"`,
      `CAST(count(${v}) AS DOUBLE) AS "n"`,
    ];
    const uncapped = `${withClause(ctes)}SELECT ${sel.join(', ')}\n${from}\n${where}${keys.length ? '\nGROUP BY ALL' : ''}`;
    const built = finishAggregate(uncapped, keys, '"median"', stats, m, max, inputs);
    return limitNote ? { ...built, capped: true, note: built.note ? `${limitNote} ; ${built.note}` : limitNote } : built;
  }

  if (!p.aggregated) {
    // One mark per row: beyond the cap, a sample ranked by hash(seed, values), so the same seed and
    // data give the same points. DuckDB's hash() is ten times faster than md5 over cast values (0.2 s
    // vs 2.5 s for 2 million rows) and stable for a given engine version — the version the journal's
    // digests already depend on. Audit samples, which must survive upgrades, use md5 (audit/sample.ts).
    const sel = selectList(items);
    const notNull = items.filter((it) => ['x', 'y', 'theta'].includes(it.alias)).map((it) => `${it.sql} IS NOT NULL`);
    const base = `${withClause(ctes)}SELECT ${sel.join(', ')}\n${from}${notNull.length ? `\nWHERE ${notNull.join(' AND ')}` : ''}`;
    const rows = stats?.marks;
    if (rows !== undefined && rows <= max) return { uncapped: base, sql: `${base}\nLIMIT ${max}`, capped: false, data: 'rows', inputs };
    const values = items.map((it) => quoteIdent(it.alias));
    const sql = `${base}\nORDER BY hash(${[String(spec.seed), ...values].join(', ')}), ${values.map((v) => `${v} NULLS LAST`).join(', ') || '1'}\nLIMIT ${max}`;
    return {
      uncapped: base,
      sql,
      capped: rows !== undefined,
      ...(rows !== undefined ? { note: m.sample(max, rows) } : {}),
      data: 'rows',
      inputs,
    };
  }

  const keys = items.filter((it) => !it.measure);
  const measures = items.filter((it) => it.measure);
  let where = '';
  let limitNote: string | undefined;
  const cat = categoryChannel(p);
  const measure = primaryMeasure(p);
  if (spec.limit && cat) {
    // The first N categories by their total over every other key (stacked segments count together).
    const total = measure ? measure.sql.replace(/^CAST\((.*) AS DOUBLE\)$/, '$1') : 'count(*)';
    const rank = /^(count|sum)\(/.test(total) ? `sum(_t)` : `max(_t)`;
    ctes.push(
      `_top AS (SELECT _k FROM (SELECT ${cat.sql} AS _k, ${total} AS _t ${from} GROUP BY ALL) GROUP BY _k ORDER BY ${rank} DESC NULLS LAST, _k LIMIT ${spec.limit})`,
    );
    where = `\nWHERE ${cat.sql} IN (SELECT _k FROM _top)`;
    if (stats?.categories !== undefined && stats.categories > spec.limit) limitNote = m.topCategories(spec.limit, stats.categories);
  }
  const sel = [...selectList(keys), ...measures.map((it) => `${it.sql} AS ${quoteIdent(it.alias)}`)];
  const uncapped = `${withClause(ctes)}SELECT ${sel.join(', ')}\n${from}${where}${keys.length ? '\nGROUP BY ALL' : ''}`;
  const built = finishAggregate(uncapped, keys, measure ? quoteIdent(measure.alias) : undefined, stats, m, max, inputs);
  if (limitNote) return { ...built, capped: true, note: built.note ? `${limitNote} ; ${built.note}` : limitNote };
  return built;
}

function finishAggregate(
  uncapped: string,
  keys: Item[],
  measure: string | undefined,
  stats: ChartStats | undefined,
  m: ChartMessages,
  max: number,
  inputs: string[],
): Built {
  const keyOrder = keys.map((k) => `${quoteIdent(k.alias)} NULLS LAST`);
  const groups = stats?.marks;
  if (groups !== undefined && groups <= max) {
    const order = keyOrder.length ? `\nORDER BY ${keyOrder.join(', ')}` : '';
    return { uncapped, sql: `${uncapped}${order}\nLIMIT ${max}`, capped: false, data: 'rows', inputs };
  }
  // Too many groups (or not known yet): keep the largest ones, in a stable order.
  const order = [...(measure ? [`${measure} DESC NULLS LAST`] : []), ...keyOrder];
  return {
    uncapped,
    sql: `${uncapped}${order.length ? `\nORDER BY ${order.join(', ')}` : ''}\nLIMIT ${max}`,
    capped: groups !== undefined,
    ...(groups !== undefined ? { note: m.topGroups(max, groups) } : {}),
    data: 'rows',
    inputs,
  };
}

/** The map's area key over `_src`: the arrondissement number, or the normalised join key. */
export function mapKeySql(spec: ChartSpec, table: TableEntry): string {
  const map = spec.map;
  if (!map || map.kind === 'points') throw new ChartError('Cette carte n’a pas de zones');
  const key = col(findColumn(table, map.key));
  if (map.kind === 'tiles' || map.normalize === 'arrondissement') return arrondissementSql(key);
  return `trim(CAST(${key} AS VARCHAR))`;
}

/**
 * A tile map or choropleth: areas joined to `_v` (one row per area key `_k`, with "color" and the
 * tooltip measures). `v` replaces the `_v` computed from `_src`: the cross-filter index
 * (crossfilter-index.ts) gives its own, read from a small pre-aggregated table.
 */
export function buildMapSql(spec: ChartSpec, table: TableEntry, p: Plan, ctes: string[], m: ChartMessages, v?: string): Built {
  const map = spec.map!;
  if (map.kind === 'points') throw new ChartError('unreachable');
  const color = p.items.get('color');
  const measure = color?.measure ? color.sql : 'CAST(count(*) AS DOUBLE)';
  const extra = p.tooltips.filter((t) => t.measure);
  const from = `FROM _src${p.binSteps.length ? ' CROSS JOIN _bins' : ''}`;
  const measures = [`${measure} AS "color"`, ...extra.map((t) => `${t.sql} AS ${quoteIdent(t.alias)}`)];
  const extraOut = extra.map((t) => `_v.${quoteIdent(t.alias)}`);
  if (map.kind === 'tiles') {
    ctes.push(`_v AS (${v ?? `SELECT ${mapKeySql(spec, table)} AS _k, ${measures.join(', ')} ${from} GROUP BY 1`})`);
    const tiles = ARRONDISSEMENT_TILES.map(
      (t) => `(${t.arrondissement}, ${t.col}, ${t.row}, ${quoteLiteral(m.arrondissement(t.arrondissement))})`,
    ).join(', ');
    ctes.push(`_tiles(arrondissement, col, "row", label) AS (VALUES ${tiles})`);
    const sql = `${withClause(ctes)}SELECT _tiles.arrondissement AS "arrondissement", _tiles.col AS "col", _tiles."row" AS "row", _tiles.label AS "label", _v."color" AS "color"${extraOut.map((e) => `, ${e}`).join('')}\nFROM _tiles LEFT JOIN _v ON _v._k = _tiles.arrondissement\nORDER BY 1`;
    return { uncapped: sql, sql, capped: false, data: 'rows', inputs: [table.name] };
  }
  const norm = (e: string) => (map.normalize === 'arrondissement' ? arrondissementSql(e) : `trim(CAST(${e} AS VARCHAR))`);
  ctes.push(`_v AS (${v ?? `SELECT ${mapKeySql(spec, table)} AS _k, ${measures.join(', ')} ${from} GROUP BY 1`})`);
  const g = `_g.${quoteIdent(map.geoKey)}`;
  const sql = `${withClause(ctes)}SELECT CAST(${g} AS VARCHAR) AS "key", _v."color" AS "color"${extraOut.map((e) => `, ${e}`).join('')}, _g.${quoteIdent(map.geometry)} AS "geometry"\nFROM ${quoteIdent(map.geoTable)} AS _g LEFT JOIN _v ON _v._k = ${norm(g)}\nWHERE _g.${quoteIdent(map.geometry)} IS NOT NULL\nORDER BY 1\nLIMIT ${MAX_MARKS}`;
  return { uncapped: sql, sql, capped: false, data: 'features', inputs: [table.name, map.geoTable] };
}

// ---------------------------------------------------------------------------------------------

function validate(spec: ChartSpec): void {
  const e = spec.encoding;
  if (spec.map?.kind === 'tiles' && spec.mark !== 'rect') throw new ChartError('La carte en tuiles se dessine avec la marque rect');
  if (spec.map?.kind === 'choropleth' && spec.mark !== 'geoshape')
    throw new ChartError('La carte choroplèthe se dessine avec la marque geoshape');
  if (spec.mark === 'geoshape' && spec.map?.kind !== 'choropleth')
    throw new ChartError('La marque geoshape demande une carte choroplèthe (map)');
  if (spec.map?.kind === 'points' && !['point', 'tick'].includes(spec.mark))
    throw new ChartError('Une carte de points se dessine avec la marque point');
  if (spec.mark === 'arc' && !e.theta) throw new ChartError('Un camembert demande un angle (theta)');
  if (spec.mark === 'boxplot' && (e.row || e.column))
    throw new ChartError('Les boîtes à moustaches ne se découpent pas en lignes ou colonnes');
  if (spec.mark === 'boxplot' && (e.y?.aggregate || e.x?.aggregate))
    throw new ChartError('Une boîte à moustaches calcule ses quartiles elle-même : pas d’agrégat');
  if (!spec.map && !['arc', 'boxplot'].includes(spec.mark) && !e.x && !e.y) throw new ChartError('Il faut au moins un axe (x ou y)');
}

export function planFor(spec: ChartSpec, table: TableEntry, m: ChartMessages, steps?: Readonly<Record<string, number>>): Plan {
  validate(spec);
  const p = plan(spec, table, m, steps);
  if (spec.map?.kind === 'points') {
    if (p.aggregated) throw new ChartError('Une carte de points montre des lignes, sans agrégat');
    for (const [alias, name] of [
      ['latitude', spec.map.latitude],
      ['longitude', spec.map.longitude],
    ] as const) {
      const c = findColumn(table, name);
      p.items.set(alias, {
        alias,
        enc: { type: 'quantitative' },
        col: c,
        sql: `CAST(${col(c)} AS DOUBLE)`,
        measure: false,
        title: c.label,
      });
    }
  }
  return p;
}

/** The query that counts what the chart would draw (source rows, groups, categories), to decide the cap. */
export function chartStatsSql(
  spec: ChartSpec,
  table: TableEntry,
  messages: ChartMessages = FR_MESSAGES,
  steps?: Readonly<Record<string, number>>,
): string {
  const p = planFor(spec, table, messages, steps);
  const b = buildSql(spec, table, p, undefined, messages, MAX_MARKS);
  const cat = categoryChannel(p);
  const ctes = [srcCte(spec, table)];
  const categories = spec.limit && cat && !cat.end ? `, (SELECT count(DISTINCT ${cat.sql}) FROM _src) AS categories` : '';
  return `${withClause(ctes)}SELECT (SELECT count(*) FROM _src) AS "rows", (SELECT count(*) FROM (${b.uncapped})) AS marks${categories}`;
}

export async function chartStats(
  engine: Engine,
  spec: ChartSpec,
  table: TableEntry,
  steps?: Readonly<Record<string, number>>,
): Promise<ChartStats> {
  const r = await engine.query(chartStatsSql(spec, table, FR_MESSAGES, steps));
  const row = r.rows[0] ?? [];
  return { rows: Number(row[0] ?? 0), marks: Number(row[1] ?? 0), ...(row[2] !== undefined ? { categories: Number(row[2]) } : {}) };
}
