// What the grid asks of the engine: a relation (a table or any SELECT), its row count, its columns,
// and windows of rows. Nothing here ever reads a whole relation into JS.
import type { Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { whereClause, type Filter } from '../query/filters.ts';
import { quoteIdent } from '../sql/ident.ts';
import { queryRelation, relationSql, type Relation } from '../sql/relation.ts';

// The relation type lives with the SQL helpers (digests, facets, workbench use it too); still exported here.
export { queryRelation, relationSql, tableRelation, type Relation } from '../sql/relation.ts';

export interface OrderBy {
  column: string;
  desc?: boolean;
}

export interface WindowRequest {
  offset: number;
  limit: number;
  /** Only these columns, in this order (wide tables are fetched a slice of columns at a time). */
  columns?: readonly string[];
  orderBy?: readonly OrderBy[];
}

/** Hard ceiling on one window: the grid never needs more than a few screens of rows. */
export const MAX_WINDOW = 10_000;
export const TIMEOUT_MS = 30_000;

/** The rows of `rel` that pass every filter: the relation itself when there is none. */
export function filteredRelation(rel: Relation, filters: readonly Filter[]): Relation {
  if (!filters.length) return rel;
  if (rel.kind === 'table' && rel.rowid && !rel.where) return { ...rel, where: whereClause(filters) };
  return queryRelation(`SELECT * FROM ${relationSql(rel)} AS _v\n${whereClause(filters)}`);
}

function nonNegativeInt(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} invalide : ${n}`);
  return Math.floor(n);
}

/** The sort keys as SQL, each column prefixed (`_w.`) or not. */
export function orderKeys(orderBy: readonly OrderBy[] | undefined, prefix = ''): string[] {
  return (orderBy ?? []).map((o) => `${prefix}${quoteIdent(o.column)} ${o.desc ? 'DESC' : 'ASC'} NULLS LAST`);
}

/** Offset and limit checked, the limit capped at MAX_WINDOW. */
export function windowBounds(req: WindowRequest): { offset: number; limit: number } {
  return { offset: nonNegativeInt(req.offset, 'Décalage'), limit: Math.min(nonNegativeInt(req.limit, 'Limite'), MAX_WINDOW) };
}

export function windowSql(rel: Relation, req: WindowRequest): string {
  const { offset, limit } = windowBounds(req);
  const cols = req.columns?.length ? req.columns.map(quoteIdent).join(', ') : '*';
  const keys = (prefix: string) => orderKeys(req.orderBy, prefix);
  if (rel.kind === 'table' && rel.rowid && req.orderBy?.length) {
    // Sort the keys and row ids only, then fetch the window's rows; the row id also breaks ties,
    // so consecutive windows never repeat or skip a row.
    const t = quoteIdent(rel.name);
    const picked = req.columns?.length ? req.columns.map((c) => `_w.${quoteIdent(c)}`).join(', ') : '_w.*';
    return (
      `WITH _k AS (SELECT rowid AS _r FROM ${t} ${rel.where ?? ''} ORDER BY ${[...keys(''), 'rowid'].join(', ')} LIMIT ${limit} OFFSET ${offset}) ` +
      `SELECT ${picked} FROM ${t} AS _w JOIN _k ON _w.rowid = _k._r ORDER BY ${[...keys('_w.'), '_w.rowid'].join(', ')}`
    );
  }
  const order = req.orderBy?.length ? ` ORDER BY ${keys('').join(', ')}` : '';
  return `SELECT ${cols} FROM ${relationSql(rel)} AS _w${order} LIMIT ${limit} OFFSET ${offset}`;
}

export function countSql(rel: Relation): string {
  return `SELECT count(*) AS n FROM ${relationSql(rel)} AS _c`;
}

/** One window of rows, in the relation's own order (insertion order for a table) unless `orderBy` is given. */
export function windowQuery(engine: Engine, rel: Relation, req: WindowRequest): Promise<Rows> {
  return engine.query(windowSql(rel, req), { timeoutMs: TIMEOUT_MS });
}

export async function countRows(engine: Engine, rel: Relation): Promise<number> {
  const r = await engine.query(countSql(rel), { timeoutMs: TIMEOUT_MS });
  return Number(r.rows[0]?.[0] ?? 0);
}

export interface RelationColumn {
  name: string;
  /** DuckDB's type name, e.g. `DECIMAL(12,2)`, `VARCHAR`. */
  type: string;
}

export async function relationColumns(engine: Engine, rel: Relation): Promise<RelationColumn[]> {
  const r = await engine.query(`DESCRIBE SELECT * FROM ${relationSql(rel)} AS _d`, { timeoutMs: TIMEOUT_MS });
  return r.rows.map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

/** Whether a DuckDB type holds numbers (right-aligned, formatted with grouping): the one vocabulary's answer. */
export { isNumericType } from '../sql/types.ts';
