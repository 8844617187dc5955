// Datasette-style facets: the top values of a column with their counts under the current filters.
import type { Engine } from '../engine/engine.ts';
import { quoteIdent } from '../sql/ident.ts';
import { relationSql, type Relation } from '../sql/relation.ts';
import { whereClause, type Filter } from './filters.ts';

export interface FacetValue {
  value: string | number | null;
  count: number;
}

export interface Facet {
  column: string;
  values: FacetValue[];
  /** Distinct values under the filters (exact); `values` holds the top `limit`. */
  distinct: number;
  /** Rows under the filters. */
  total: number;
}

const TIMEOUT_MS = 10_000;

export function facetSql(rel: Relation, column: string, filters: readonly Filter[], limit: number): string {
  const c = quoteIdent(column);
  // One pass over the rows: the distinct count (empty cells as one value) is the number of groups, the
  // total their sum. Counting them in subqueries over the filtered rows read them three times: 335 ms
  // at 5,000,000 rows where one GROUP BY takes about 200.
  return `WITH g AS (SELECT ${c} AS v, count(*) AS n FROM ${relationSql(rel)} AS _f ${whereClause(filters)} GROUP BY ${c})
SELECT v, n, count(*) OVER () AS d, sum(n) OVER () AS t
FROM g ORDER BY n DESC, v NULLS LAST LIMIT ${Math.max(1, Math.min(1000, Math.floor(limit)))}`;
}

export async function facet(engine: Engine, rel: Relation, column: string, filters: readonly Filter[], limit = 10): Promise<Facet> {
  const r = await engine.query(facetSql(rel, column, filters, limit), { timeoutMs: TIMEOUT_MS });
  return {
    column,
    values: r.rows.map((row) => ({ value: row[0] as string | number | null, count: Number(row[1]) })),
    distinct: Number(r.rows[0]?.[2] ?? 0),
    total: Number(r.rows[0]?.[3] ?? 0),
  };
}

/** Columns worth faceting: few distinct values (2 to `max`), measured on a sample for speed. */
export async function suggestFacets(engine: Engine, rel: Relation, columns: readonly string[], max = 30): Promise<string[]> {
  if (!columns.length) return [];
  const parts = columns.map((c, i) => `approx_count_distinct(${quoteIdent(c)}) AS "d${i}"`).join(', ');
  const r = await engine.query(`SELECT ${parts} FROM (SELECT * FROM ${relationSql(rel)} AS _s LIMIT 100000)`, { timeoutMs: TIMEOUT_MS });
  const row = r.rows[0] ?? [];
  return columns.filter((_c, i) => {
    const d = Number(row[i] ?? 0);
    return d >= 2 && d <= max;
  });
}
