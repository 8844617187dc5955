// The shelf builder's moves (Polestar-style) as pure functions over a ChartSpec draft: place a column
// on a channel, remove it, swap the axes, change the mark. Each move leaves a draft that compiles
// when it can; the defaults are the ones a journalist would pick (sum of an amount per category).
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import { defaultAggregate as typesDefaultAggregate } from '../sql/types.ts';
import { inferFieldType } from './measure.ts';
import { ChartSpec, type Channel, type ChartSpecInput, type Encoding, type FieldType, type Mark } from './spec.ts';
import '../util/zod-fr.ts';

export type Shelf = Channel | 'tooltip';
export const SHELVES: readonly Shelf[] = ['x', 'y', 'color', 'size', 'shape', 'opacity', 'row', 'column', 'theta', 'tooltip', 'detail'];

/** A spec being built: encodings can be incomplete while the user is still placing fields. */
export type Draft = ChartSpecInput & { encoding: NonNullable<ChartSpecInput['encoding']> };

export function emptyDraft(table: string): Draft {
  return { source: { table, filters: [] }, mark: 'bar', encoding: {} };
}

const isCategory = (e: Encoding | undefined) => !!e?.field && !e.aggregate && !e.bin && (e.type === 'nominal' || e.type === 'ordinal');
const isRawMeasure = (e: Encoding | undefined) => !!e?.field && !e.aggregate && !e.bin && e.type === 'quantitative';

/** The aggregate a number gets when it meets a category: a total for amounts, a mean otherwise (sql/types.ts). */
export const defaultAggregate = (c: ColumnMeta): 'sum' | 'mean' => typesDefaultAggregate(c);

function aggregateAgainstCategories(d: Draft, table: TableEntry): Draft {
  const enc = { ...d.encoding };
  for (const [a, b] of [
    ['x', 'y'],
    ['y', 'x'],
  ] as const) {
    const m = enc[a];
    if (isRawMeasure(m) && isCategory(enc[b]) && d.mark !== 'boxplot' && d.mark !== 'point') {
      const c = table.columns.find((x) => x.name === m!.field);
      if (c) enc[a] = { ...m!, aggregate: defaultAggregate(c) };
    }
  }
  return { ...d, encoding: enc };
}

/**
 * A column's measurement type in this draft: the author's choice, else what the values confirmed
 * (`inferred`, from inferTableTypes), else what the name says.
 */
export function typeOfField(d: Draft, c: ColumnMeta, inferred?: Readonly<Record<string, FieldType>>): FieldType {
  return d.fieldTypes?.[c.name] ?? inferred?.[c.name] ?? inferFieldType(c);
}

/** Places a column on a shelf (replacing what was there; tooltips accumulate). */
export function placeField(
  d: Draft,
  table: TableEntry,
  column: string,
  shelf: Shelf,
  inferred?: Readonly<Record<string, FieldType>>,
): Draft {
  const c = table.columns.find((x) => x.name === column);
  if (!c) return d;
  const enc: Encoding = { field: c.name, type: typeOfField(d, c, inferred) };
  if (enc.type === 'temporal' && (shelf === 'x' || shelf === 'y')) enc.timeUnit = 'yearmonth';
  if (shelf === 'theta' && enc.type === 'quantitative') enc.aggregate = defaultAggregate(c);
  // A map's area is a group: a number on its colour is totalled (or averaged), never left raw — the
  // compiler would colour by the row count under the number's title (« budget » in € showing 40).
  if (shelf === 'color' && (d.map?.kind === 'tiles' || d.map?.kind === 'choropleth') && enc.type === 'quantitative')
    enc.aggregate = defaultAggregate(c);
  if (shelf === 'tooltip') {
    const tips = (d.encoding.tooltip ?? []).filter((t) => t.field !== column);
    return { ...d, encoding: { ...d.encoding, tooltip: [...tips, enc] } };
  }
  let next: Draft = { ...d, encoding: { ...d.encoding, [shelf]: enc } };
  if (shelf === 'theta' && d.mark !== 'arc') next.mark = 'arc';
  // Two raw numbers on the axes are a scatter plot, not bars over thousands of values.
  if (isRawMeasure(next.encoding.x) && isRawMeasure(next.encoding.y) && next.mark === 'bar') next = { ...next, mark: 'point' };
  return aggregateAgainstCategories(next, table);
}

/**
 * Reads a column as another measurement type (one click on its type badge): remembered in the spec,
 * and applied to every shelf the column is on. A category loses the sum or mean it had as a number
 * (a count of distinct values stays meaningful); a number against a category gets its total back.
 */
export function setFieldType(
  d: Draft,
  table: TableEntry,
  column: string,
  type: FieldType,
  inferred?: Readonly<Record<string, FieldType>>,
): Draft {
  const c = table.columns.find((x) => x.name === column);
  if (!c) return d;
  const fieldTypes = { ...(d.fieldTypes ?? {}) };
  if (type === (inferred?.[column] ?? inferFieldType(c))) delete fieldTypes[column];
  else fieldTypes[column] = type;
  const retype = (e: Encoding): Encoding => {
    if (e.field !== column) return e;
    const next: Encoding = { ...e, type };
    if (type !== 'quantitative') {
      delete next.bin;
      if (next.aggregate && next.aggregate !== 'count' && next.aggregate !== 'distinct') delete next.aggregate;
    }
    if (type !== 'temporal') delete next.timeUnit;
    else if (!next.timeUnit) next.timeUnit = 'yearmonth';
    return next;
  };
  const enc: Draft['encoding'] = {};
  for (const [k, v] of Object.entries(d.encoding) as [keyof Draft['encoding'], unknown][]) {
    if (k === 'tooltip') enc.tooltip = (v as Encoding[]).map(retype);
    else if (v) (enc as Record<string, Encoding>)[k] = retype(v as Encoding);
  }
  const { fieldTypes: _old, ...rest } = d;
  const next: Draft = { ...rest, encoding: enc, ...(Object.keys(fieldTypes).length ? { fieldTypes } : {}) };
  return aggregateAgainstCategories(next, table);
}

export function removeField(d: Draft, shelf: Shelf, index = 0): Draft {
  const enc = { ...d.encoding };
  if (shelf === 'tooltip') {
    const tips = (enc.tooltip ?? []).filter((_, i) => i !== index);
    if (tips.length) enc.tooltip = tips;
    else delete enc.tooltip;
  } else delete enc[shelf];
  return { ...d, encoding: enc };
}

/** Changes one option of a placed encoding (aggregate, bin, time unit, sort, title…); undefined removes it. */
export function setOption<K extends keyof Encoding>(d: Draft, shelf: Channel, key: K, value: Encoding[K] | undefined): Draft {
  const cur = d.encoding[shelf];
  if (!cur) return d;
  const next: Record<string, unknown> = { ...cur };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  // A binned or aggregated number is no longer both at once.
  if (key === 'bin' && value) delete next.aggregate;
  if (key === 'aggregate' && value) delete next.bin;
  return { ...d, encoding: { ...d.encoding, [shelf]: next as Encoding } };
}

/** A count of rows on a shelf: the measure that needs no column. */
export function placeCount(d: Draft, shelf: Channel): Draft {
  return { ...d, encoding: { ...d.encoding, [shelf]: { type: 'quantitative', aggregate: 'count' } } };
}

export function swapAxes(d: Draft): Draft {
  const { x, y, ...rest } = d.encoding;
  return { ...d, encoding: { ...rest, ...(y ? { x: y } : {}), ...(x ? { y: x } : {}) } };
}

export function setMark(d: Draft, table: TableEntry, mark: Mark): Draft {
  const { map: _map, ...rest } = d;
  let next: Draft = { ...rest, mark };
  // The pie's angle is the measure that was on an axis.
  if (mark === 'arc' && !next.encoding.theta) {
    const m = [next.encoding.x, next.encoding.y].find((e) => e?.aggregate || e?.type === 'quantitative');
    const cat = [next.encoding.x, next.encoding.y].find((e) => isCategory(e));
    if (m)
      next = {
        ...next,
        encoding: { ...(cat ? { color: cat } : {}), theta: m, ...(next.encoding.tooltip ? { tooltip: next.encoding.tooltip } : {}) },
      };
  }
  return aggregateAgainstCategories(next, table);
}

/** The tile map of the arrondissements: colour by the colour shelf's measure (a count if empty). */
export function setTileMap(d: Draft, key: string): Draft {
  const color = d.encoding.color?.aggregate ? d.encoding.color : { type: 'quantitative' as const, aggregate: 'count' as const };
  return {
    ...d,
    mark: 'rect',
    map: { kind: 'tiles', key },
    encoding: { color, ...(d.encoding.tooltip ? { tooltip: d.encoding.tooltip } : {}) },
  };
}

export function setChoropleth(d: Draft, key: string, geoTable: string, geoKey: string, geometry = 'geometry'): Draft {
  const color = d.encoding.color?.aggregate ? d.encoding.color : { type: 'quantitative' as const, aggregate: 'count' as const };
  return {
    ...d,
    mark: 'geoshape',
    map: { kind: 'choropleth', key, geoTable, geoKey, geometry, normalize: 'arrondissement' },
    encoding: { color },
  };
}

export function setPointMap(d: Draft, latitude: string, longitude: string): Draft {
  const { x: _x, y: _y, theta: _t, ...rest } = d.encoding;
  const color = rest.color?.aggregate ? undefined : rest.color;
  return {
    ...d,
    mark: 'point',
    map: { kind: 'points', latitude, longitude },
    encoding: { ...(color ? { color } : {}), ...(rest.tooltip ? { tooltip: rest.tooltip } : {}) },
  };
}

/** The draft as a valid spec, or the first reason it is not one yet. */
export function parseDraft(d: Draft): { spec: ChartSpec } | { error: string } {
  const r = ChartSpec.safeParse(d);
  if (r.success) return { spec: r.data };
  const issue = r.error.issues[0];
  return { error: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid' };
}

/** The draft ready to compile: something on an axis (or a map, a pie, a box). */
export function isDrawable(d: Draft): boolean {
  const e = d.encoding;
  if (d.map) return true;
  if (d.mark === 'arc') return !!e.theta;
  if (d.mark === 'boxplot') return !!(e.x || e.y);
  return !!(e.x || e.y);
}

/** Columns that can serve as a latitude / longitude, by name. */
export function guessLatLon(table: TableEntry): { latitude?: string; longitude?: string } {
  const lat = table.columns.find((c) => /(^|_)(lat|latitude)$/i.test(c.name) || /latitude/i.test(c.label));
  const lon = table.columns.find((c) => /(^|_)(lon|lng|long|longitude)$/i.test(c.name) || /longitude/i.test(c.label));
  return { ...(lat ? { latitude: lat.name } : {}), ...(lon ? { longitude: lon.name } : {}) };
}

/** Tables that hold a geometry column (GeoJSON imports), for the choropleth. */
export function geoTables(tables: readonly TableEntry[]): TableEntry[] {
  return tables.filter((t) => t.columns.some((c) => c.name === 'geometry'));
}
