// Reading for the audit tests: the line number that ties a result back to the row it came from, and
// small reads of a result (one value, one row, a few rows) for the summaries.
import { requireTable, type OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';

/** Name of the column every result carries to point back at the source row (1-based). */
export const LINE = '_ligne';

/**
 * The table with a `_ligne` column in front: rowid + 1 for stored tables (stable: the order rows were
 * imported in); views have no rowid, so their rows are numbered in the view's own order.
 * INTEGER, not BIGINT: lists of BIGINT come back from the engine's Arrow conversion as garbage
 * doubles (castBigIntToDouble does not reach list children), and lists of line numbers are common here.
 */
export function withLineSql(ctx: OperationContext, table: string): string {
  const t = requireTable(ctx, table);
  const q = quoteIdent(table);
  return t.kind === 'view'
    ? `(SELECT CAST(row_number() OVER () AS INTEGER) AS ${LINE}, * FROM ${q})`
    : `(SELECT CAST(rowid + 1 AS INTEGER) AS ${LINE}, * FROM ${q})`;
}

export async function scalar<T = unknown>(ctx: OperationContext, sql: string): Promise<T> {
  const r = await ctx.engine.query(sql);
  return r.rows[0]?.[0] as T;
}

export async function firstRow(ctx: OperationContext, sql: string): Promise<Record<string, unknown>> {
  const r = await ctx.engine.query(sql);
  const row = r.rows[0] ?? [];
  return Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]]));
}

export async function rowsOf(ctx: OperationContext, sql: string): Promise<Record<string, unknown>[]> {
  const r = await ctx.engine.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}
