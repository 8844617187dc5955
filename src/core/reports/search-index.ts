// The search index of the reports library (#18), derived from rapports_pdf_termes and rapports_pdf_blocs
// so a search reads a few thousand rows, not the millions of terms:
//   vocabulaire (terme_id, terme, df)   one row per term, numbered in term order, df = blocks holding it
//   postings (terme_id, bloc_id, poids, positions)  one row per term and block, sorted by terme_id then
//                                       bloc_id; poids the term's whole BM25 weight in the block (a search
//                                       sums them), positions where it stands (phrases)
//   blocs (bloc_id, sha256)             a block's report, for the filters, without reading the texts
//   etat (stamp, n, avgdl)              what the index was built from, and the library's statistics
// Sorted by an integer id, the postings are read through DuckDB's min/max zone maps: a search touches
// the row groups of its terms only. The weights depend on the whole library (N, mean length, df), so the
// index is rebuilt as a whole after each import, and a search rebuilds it first when the stamp of the
// tables it derives from changed (a project reopened from its table copies, a report re-imported).
// The tables live in their own schema, out of the project's tables: they are never journaled nor copied.
import type { Engine } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { BLOCKS_TABLE, TERMS_TABLE } from './schema.ts';

export const K1 = 1.2;
export const B = 0.75;

export const INDEX_SCHEMA = 'loupe_recherche';
/** Bumped when the index's layout or weights change: an index built by another version is rebuilt. */
const VERSION = 2;

const q = (t: string) => `${quoteIdent(INDEX_SCHEMA)}.${quoteIdent(t)}`;
export const VOCABULARY = q('vocabulaire');
export const POSTINGS = q('postings');
export const INDEX_BLOCKS = q('blocs');
const STATE = q('etat');

const T = quoteIdent(TERMS_TABLE);
const BL = quoteIdent(BLOCKS_TABLE);

/**
 * One term's BM25 weight in one block: idf = ln(1 + (N − df + 0.5) / (df + 0.5)), times
 * tf·(k1 + 1) / (tf + k1·(1 − b + b·dl/avgdl)). Arguments are DOUBLE expressions; constants as DOUBLE
 * (a bare 0.75 is a DECIMAL in DuckDB, and every row would be cast through it).
 */
export function bm25Sql(tf: string, df: string, dl: string, n: string, avgdl: string): string {
  return `ln(1 + (${n} - ${df} + 0.5) / (${df} + 0.5)) * ${tf} * ${K1 + 1}::DOUBLE
    / (${tf} + ${K1}::DOUBLE * (1 - ${B}::DOUBLE + ${B}::DOUBLE * ${dl} / ${avgdl}))`;
}

// Which tables the index was built from: a rewritten table gets a new oid (the import rewrites the terms
// sorted), an insert grows a table's estimated size (deleted rows stay counted until a rewrite), and the
// count of blocks catches a delete alone. The reports' own columns are not in the index: filters read them.
const STAMP_SQL = `concat_ws(':', ${VERSION},
    (SELECT string_agg(table_oid || '/' || estimated_size, ',' ORDER BY table_name) FROM duckdb_tables()
      WHERE schema_name = 'main' AND table_name IN (${quoteLiteral(TERMS_TABLE)}, ${quoteLiteral(BLOCKS_TABLE)})),
    (SELECT count(*) FROM ${BL}))`;

/** The statements that rebuild the whole index from the library's tables (the stamp of those tables given). */
export function buildIndexSql(stamp: string): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(INDEX_SCHEMA)}`,
    `CREATE OR REPLACE TABLE ${STATE} AS SELECT ${quoteLiteral(stamp)} AS stamp, count(*)::DOUBLE AS n, avg(nb_termes)::DOUBLE AS avgdl
      FROM ${BL} WHERE nb_termes > 0`,
    `CREATE OR REPLACE TABLE ${VOCABULARY} AS SELECT (row_number() OVER (ORDER BY terme))::INTEGER AS terme_id, terme, df
      FROM (SELECT terme, count(DISTINCT bloc_id)::INTEGER AS df FROM ${T} GROUP BY terme) ORDER BY terme`,
    `CREATE OR REPLACE TABLE ${POSTINGS} AS
      WITH tf AS (SELECT terme, bloc_id, count(*)::DOUBLE AS tf, list(position ORDER BY position) AS positions FROM ${T} GROUP BY terme, bloc_id)
      SELECT v.terme_id, tf.bloc_id, ${bm25Sql('tf.tf', 'v.df::DOUBLE', 'b.nb_termes', 's.n', 's.avgdl')} AS poids, tf.positions
      FROM tf JOIN ${VOCABULARY} v USING (terme) JOIN ${BL} b USING (bloc_id) CROSS JOIN ${STATE} s
      ORDER BY v.terme_id, tf.bloc_id`,
    // What a hit shows, copied in bloc_id order: fetching 20 passages' text from this copy took 13 ms
    // where the same join on rapports_pdf_blocs took 104 ms (median of 40 searches, 200 reports).
    `CREATE OR REPLACE TABLE ${INDEX_BLOCKS} AS SELECT bloc_id, sha256, fichier, page, bloc, texte FROM ${BL} WHERE nb_termes > 0 ORDER BY bloc_id`,
  ];
}

async function stampOf(engine: Engine): Promise<string> {
  return String((await engine.query(`SELECT ${STAMP_SQL}`, { cache: false })).rows[0]![0]);
}

/** Rebuilds the index from the library's tables (after an import); returns the statements run. */
export async function buildSearchIndex(engine: Engine): Promise<string[]> {
  const sql = buildIndexSql(await stampOf(engine));
  for (const s of sql) await engine.exec(s);
  return sql;
}

export interface TermLookup {
  /** Blocks with terms (N of BM25). */
  n: number;
  /** The ids of the terms found in the vocabulary (a term the library never uses has none). */
  ids: Map<string, number>;
  /** Statements run to rebuild a stale index (none when it was current). */
  rebuilt: string[];
}

/**
 * The query's terms looked up in the index, and the check that the index is current, in one read; the
 * index is rebuilt first when the library changed since it was built (or it was never built here).
 */
export async function lookupTerms(engine: Engine, terms: readonly string[]): Promise<TermLookup> {
  const sql = `SELECT e.stamp = ${STAMP_SQL} AS current, e.n,
      (SELECT string_agg(terme || '=' || terme_id, ',') FROM ${VOCABULARY} WHERE terme IN (${terms.map(quoteLiteral).join(', ')})) AS ids
    FROM ${STATE} e`;
  const read = () =>
    engine.query(sql, { cache: false }).then(
      (r) => r.rows[0],
      () => undefined,
    );
  let row = await read();
  let rebuilt: string[] = [];
  if (!row?.[0]) {
    rebuilt = await buildSearchIndex(engine);
    row = await read();
    if (!row) throw new Error('index de recherche introuvable après sa reconstruction');
  }
  return {
    n: Number(row[1]),
    ids: new Map(
      row[2]
        ? String(row[2])
            .split(',')
            .map((kv) => kv.split('=') as [string, string])
            .map(([k, v]) => [k, Number(v)])
        : [],
    ),
    rebuilt,
  };
}
