// Records with nested data (JSON, XML) → related flat tables. DuckDB-wasm cannot read nested JSON
// offline (its JSON functions live in an extension), so the nesting is resolved here, once, at import:
// - a nested object becomes prefixed columns (`acheteur.id` → `acheteur_id`);
// - a nested array of objects becomes a child table (`decp__titulaires`) with `_parent` (the parent's
//   `_ligne`), `_position` (1-based, the order in the file) and, when the parent has an identifier,
//   `_parent_id`, so holders, modifications or declaration items can be joined and counted;
// - an array of plain values stays one JSON text cell (`["a","b"]`), which DuckDB casts to a LIST
//   without any extension (`CAST(col AS VARCHAR[])`);
// - a GeoJSON geometry or a {lon, lat} point stays one JSON text cell: the map code reads it whole.
// Beyond MAX_DEPTH levels, or MAX_TABLES tables, what is left stays JSON text, with a warning.
import { quoteIdent, safeIdentifier, uniqueIdentifiers } from '../sql/ident.ts';
import { isPlainObject } from './json-text.ts';
import { loadRows, type SqlType } from './records.ts';
import type { ImportedTable, ReaderContext } from './types.ts';

export const MAX_DEPTH = 8;
export const MAX_TABLES = 64;

export interface FlatTable {
  /** Path of the array this table holds, from the records ('' for the records themselves). */
  path: string;
  /** Column labels, in order of first appearance; `_ligne`, `_parent`, `_position`, `_parent_id` first. */
  labels: string[];
  rows: Record<string, unknown>[];
  /** The table it hangs from (its path), for children. */
  parent?: string;
}

export interface Tabulated {
  tables: FlatTable[];
  warnings: string[];
}

const GEO_KEYS = new Set(['geometry', 'geo_shape', 'geom', 'geojson']);

function isGeometry(key: string, v: Record<string, unknown>): boolean {
  if (
    (GEO_KEYS.has(key.toLowerCase()) || typeof v.type === 'string') &&
    ('coordinates' in v || 'geometries' in v) &&
    typeof v.type === 'string'
  )
    return true;
  // An Opendatasoft geo_point_2d as {lon, lat}: split into numbers by geo-point.ts from its JSON text.
  const keys = Object.keys(v).map((k) => k.toLowerCase());
  return keys.length === 2 && keys.every((k) => ['lon', 'lat', 'lng', 'longitude', 'latitude'].includes(k));
}

const ID_KEYS = ['id', '@id', 'uid', 'uuid', 'identifiant', 'numero', 'code'];

function scalar(v: unknown): unknown {
  return v === undefined ? null : v;
}

export interface TabulateOptions {
  /** Keep nested arrays and objects as JSON text instead (the import of old projects). */
  flatten?: boolean;
  /** Object keys whose value is a map (year → amount…) to turn into (key, value) child rows. */
  unpivot?: string[];
}

/**
 * Flattens `records` into a main table and child tables. Names are paths (`titulaires`,
 * `titulaires.titulaire.adresses`), turned into table names by the caller.
 */
export function tabulate(records: readonly Record<string, unknown>[], opts: TabulateOptions = {}): Tabulated {
  const flatten = opts.flatten ?? true;
  const unpivot = new Set(opts.unpivot ?? []);
  const tables = new Map<string, FlatTable & { seen: Set<string> }>();
  const warnings = new Set<string>();
  const tableFor = (path: string, parent?: string) => {
    let t = tables.get(path);
    if (!t) {
      t = { path, labels: [], rows: [], seen: new Set(), ...(parent !== undefined ? { parent } : {}) };
      tables.set(path, t);
    }
    return t;
  };
  const set = (t: FlatTable & { seen: Set<string> }, row: Record<string, unknown>, label: string, v: unknown) => {
    if (!t.seen.has(label)) {
      t.seen.add(label);
      t.labels.push(label);
    }
    row[label] = v;
  };

  const emit = (
    path: string,
    parent: string | undefined,
    obj: Record<string, unknown>,
    link: Record<string, unknown>,
    depth: number,
  ): number => {
    const t = tableFor(path, parent);
    const row: Record<string, unknown> = Object.create(null);
    const ligne = t.rows.length + 1;
    t.rows.push(row);
    for (const [k, v] of Object.entries(link)) set(t, row, k, v);
    const children: [string, unknown[]][] = [];
    const walk = (prefix: string, o: Record<string, unknown>, d: number) => {
      for (const [k, v] of Object.entries(o)) {
        const label = prefix ? `${prefix}.${k}` : k;
        if (isPlainObject(v)) {
          const fullPath = path ? `${path}.${label}` : label;
          if (!flatten || isGeometry(k, v) || d >= MAX_DEPTH) {
            if (flatten && d >= MAX_DEPTH && !isGeometry(k, v))
              warnings.add(`« ${label} » imbriqué trop profondément : gardé en texte JSON`);
            set(t, row, label, JSON.stringify(v));
          } else if (unpivot.has(label) || unpivot.has(fullPath)) {
            children.push([
              label,
              Object.entries(v).map(([key, value]) => ({ cle: key, ...(isPlainObject(value) ? value : { valeur: value }) })),
            ]);
          } else walk(label, v, d + 1);
        } else if (Array.isArray(v)) {
          if (!flatten) set(t, row, label, JSON.stringify(v));
          else if (v.length && v.every(isPlainObject)) children.push([label, v]);
          else set(t, row, label, JSON.stringify(v));
        } else set(t, row, label, scalar(v));
      }
    };
    walk('', obj, depth);
    if (children.length) {
      set(t, row, '_ligne', ligne);
      const idKey = ID_KEYS.find((k) => Object.hasOwn(row, k) && row[k] !== null && typeof row[k] !== 'object');
      for (const [label, items] of children) {
        const childPath = path ? `${path}.${label}` : label;
        if (!tables.has(childPath) && tables.size >= MAX_TABLES) {
          warnings.add(`plus de ${MAX_TABLES} tables imbriquées : « ${label} » gardé en texte JSON`);
          set(t, row, label, JSON.stringify(items));
          continue;
        }
        items.forEach((item, i) => {
          const link: Record<string, unknown> = { _parent: ligne, _position: i + 1 };
          if (idKey) link._parent_id = row[idKey];
          emit(childPath, path, item as Record<string, unknown>, link, depth + 1);
        });
      }
    }
    return ligne;
  };

  for (const r of records) emit('', undefined, r, {}, 0);
  // `_ligne` was added when a row first had children: put the link columns first, in one order.
  const linkOrder = ['_ligne', '_parent', '_position', '_parent_id'];
  const out = [...tables.values()].map(({ seen: _s, ...t }) => ({
    ...t,
    labels: [...linkOrder.filter((l) => t.labels.includes(l)), ...t.labels.filter((l) => !linkOrder.includes(l))],
  }));
  // A parent table whose first rows had no children has no `_ligne` for them: fill it in.
  for (const t of out) if (t.labels.includes('_ligne')) t.rows.forEach((r, i) => (r._ligne = i + 1));
  return { tables: out, warnings: [...warnings] };
}

/** `decp` + `titulaires.titulaire` → `decp__titulaires_titulaire`. */
export function childTableName(base: string, path: string): string {
  return path
    ? `${base}__${path
        .split('.')
        .map((p) => safeIdentifier(p, 'liste'))
        .join('_')}`
    : base;
}

/**
 * Loads tabulated records as tables: the main one named `base`, children `base__path`. On reopen the
 * same paths must land in the same tables: `previous` is the mapping the first import recorded.
 */
export interface TableTyping {
  types: Record<string, SqlType>;
  warnings: string[];
  /** Columns typed as exact amounts, for provenance. */
  amounts: string[];
}

export async function loadTabulated(
  ctx: Pick<ReaderContext, 'engine' | 'catalog' | 'signal'>,
  base: string,
  tab: Tabulated,
  previous: Record<string, string> = {},
  typing?: (rows: unknown[][], names: string[], labels: string[]) => TableTyping,
): Promise<{ tables: ImportedTable[]; sql: string[]; mapping: Record<string, string>; amounts: Record<string, string[]> }> {
  const amounts: Record<string, string[]> = {};
  const used = new Set<string>();
  const mapping: Record<string, string> = {};
  const tables: ImportedTable[] = [];
  const sql: string[] = [];
  try {
    await loadAll();
  } catch (e) {
    // Nothing half-built stays behind: the tables already made go with the failure.
    for (const t of tables) await ctx.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(t.name)}`).catch(() => undefined);
    throw e;
  }
  if (tab.warnings.length && tables[0]) tables[0].warnings = [...(tables[0].warnings ?? []), ...tab.warnings];
  return { tables, sql, mapping, amounts };

  async function loadAll() {
    for (const t of tab.tables) {
      ctx.signal?.throwIfAborted();
      let name = Object.hasOwn(previous, t.path) ? previous[t.path]! : undefined;
      if (!name) {
        const want = childTableName(base, t.path);
        name = want;
        for (let n = 2; used.has(name) || (t.path && ctx.catalog.has(name)); n++) name = `${want}_${n}`;
      }
      used.add(name);
      mapping[t.path] = name;
      const names = uniqueIdentifiers(t.labels);
      const rows = t.rows.map((r) => t.labels.map((l) => (Object.hasOwn(r, l) ? r[l] : null)));
      const typed = typing?.(rows, names, t.labels);
      const built = await loadRows(
        ctx.engine,
        name,
        t.labels.map((label, i) => ({ name: names[i]!, label })),
        rows,
        typed?.types,
      );
      sql.push(built.sql);
      if (typed?.amounts.length) amounts[t.path] = typed.amounts;
      // The part names the path in the file: the catalog shows `decp__titulaires` as « titulaires » of decp.
      tables.push({
        name,
        labels: Object.fromEntries(names.map((n, i) => [n, t.labels[i]!])),
        ...(t.path ? { part: t.path } : {}),
        ...(typed?.warnings.length ? { warnings: typed.warnings } : {}),
      });
    }
  }
}
