// A relation: a table or view by name, or any SELECT. The one type the grid, the workbench, digests
// and operation results pass around instead of SQL text, so « what can follow FROM » is said once.
import type { Engine } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral } from './ident.ts';

export type Relation =
  /**
   * A table or view by name. `rowid`: a base table (not a view), whose rows can be sorted by their
   * keys and row id alone before the window is fetched — sorting whole rows of millions of lines
   * runs the wasm engine out of memory. `where`: filters kept on the table for that same reason.
   */
  { kind: 'table'; name: string; rowid?: boolean; where?: string } | { kind: 'query'; sql: string };

export function tableRelation(name: string, opts: { rowid?: boolean } = {}): Relation {
  return opts.rowid ? { kind: 'table', name, rowid: true } : { kind: 'table', name };
}

export function queryRelation(sql: string): Relation {
  return { kind: 'query', sql };
}

/** The relation as something that can follow FROM. */
export function relationSql(rel: Relation): string {
  if (rel.kind === 'table') return rel.where ? `(SELECT * FROM ${quoteIdent(rel.name)} ${rel.where})` : quoteIdent(rel.name);
  // A trailing semicolon or comment would break the wrapping sub-query.
  const body = rel.sql.trim().replace(/;+\s*$/, '');
  if (!body) throw new Error('Requête vide');
  return `(${body}\n)`;
}

/**
 * Whether a name is one of the session's base tables, not a view: only those have row ids. The name
 * resolves as unqualified SQL does (temporary schema, then main).
 */
export async function isBaseTable(engine: Engine, name: string, timeoutMs: number): Promise<boolean> {
  const r = await engine.query(
    `SELECT count(*) FROM duckdb_tables() WHERE table_name = ${quoteLiteral(name)} AND schema_name IN ('main', 'temp')`,
    { timeoutMs, cache: false },
  );
  return Number(r.rows[0]?.[0] ?? 0) > 0;
}
