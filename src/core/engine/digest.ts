// A digest of a whole result computed inside DuckDB, so replaying millions of rows never ships them to JS.
// Order-independent (a sum of row hashes) but sensitive to duplicated rows, values, names and types.
import { quoteIdent } from '../sql/ident.ts';
import { relationSql, tableRelation, type Relation } from '../sql/relation.ts';
import { sha256Hex, canonicalJson } from '../util/hash.ts';
import type { Engine } from './engine.ts';

export interface ResultDigest {
  rows: number;
  digest: string;
}

export async function describeColumns(engine: Engine, relation: string): Promise<{ name: string; type: string }[]> {
  const r = await engine.query(`DESCRIBE ${relation}`);
  return r.rows.map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

export async function digestRelation(engine: Engine, rel: Relation): Promise<ResultDigest> {
  const relation = relationSql(rel);
  const cols = await describeColumns(engine, relation);
  const hashArgs = cols.length ? cols.map((c) => quoteIdent(c.name)).join(', ') : '1';
  const r = await engine.query(`SELECT count(*) AS n, coalesce(sum(hash(${hashArgs})::HUGEINT), 0)::VARCHAR AS h FROM ${relation} AS _d`);
  const [n, h] = r.rows[0] as [number, string];
  return { rows: Number(n), digest: await sha256Hex(canonicalJson({ cols, n, h })) };
}

export function digestTable(engine: Engine, table: string): Promise<ResultDigest> {
  return digestRelation(engine, tableRelation(table));
}
