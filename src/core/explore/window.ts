// What the grid asks of the engine: a relation (a table or any SELECT), its row count, its columns,
// and windows of rows. Nothing here ever reads a whole relation into JS.
import type { Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { whereClause, type Filter } from '../query/filters.ts';
import { quoteIdent } from '../sql/ident.ts';

export type Relation = { kind: 'table'; name: string } | { kind: 'query'; sql: string };

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
const TIMEOUT_MS = 30_000;

export function tableRelation(name: string): Relation {
  return { kind: 'table', name };
}

export function queryRelation(sql: string): Relation {
  return { kind: 'query', sql };
}

/** The rows of `rel` that pass every filter: the relation itself when there is none. */
export function filteredRelation(rel: Relation, filters: readonly Filter[]): Relation {
  if (!filters.length) return rel;
  return queryRelation(`SELECT * FROM ${relationSql(rel)} AS _v\n${whereClause(filters)}`);
}

/** The relation as something that can follow FROM. */
export function relationSql(rel: Relation): string {
  if (rel.kind === 'table') return quoteIdent(rel.name);
  // A trailing semicolon or comment would break the wrapping sub-query.
  const body = rel.sql.trim().replace(/;+\s*$/, '');
  if (!body) throw new Error('Requête vide');
  return `(${body}\n)`;
}

function nonNegativeInt(n: number, what: string): number {
  if (!Number.isFinite(n) || n < 0) throw new Error(`${what} invalide : ${n}`);
  return Math.floor(n);
}

export function windowSql(rel: Relation, req: WindowRequest): string {
  const offset = nonNegativeInt(req.offset, 'Décalage');
  const limit = Math.min(nonNegativeInt(req.limit, 'Limite'), MAX_WINDOW);
  const cols = req.columns?.length ? req.columns.map(quoteIdent).join(', ') : '*';
  const order = req.orderBy?.length
    ? ` ORDER BY ${req.orderBy.map((o) => `${quoteIdent(o.column)} ${o.desc ? 'DESC' : 'ASC'} NULLS LAST`).join(', ')}`
    : '';
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

/** Whether a DuckDB type holds numbers (right-aligned, formatted with grouping). */
export function isNumericType(type: string): boolean {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC)\b/i.test(
    type.trim(),
  );
}
