// Deep windows of a sorted base table. Each window far down a sorted table used to sort it again (a
// top-N with a large OFFSET keeps offset + limit keys: 4.2 s at 2.5M of 5M rows). The order is now
// materialised once — every row id with its position, in a temporary table — and a window reads its
// 200 positions and fetches those rows (5M rows: 1.4 s once, then about 130 ms a window).
// The permutation belongs to one table, filter and order; a table replaced under the same name (a
// result re-run) has another catalog oid or row count, and the permutation is rebuilt.
import type { Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { orderKeys, TIMEOUT_MS, windowBounds, windowQuery, type Relation, type WindowRequest } from './window.ts';

/** Below this offset a top-N sort is cheap: no permutation is built. */
export const PERMUTATION_FROM = 10_000;

interface Permutation {
  key: string;
  name: string;
  /** The base table's catalog oid and row count when the permutation was built. */
  stamp: string;
}

type TableRelation = Extract<Relation, { kind: 'table' }>;

let made = 0;

function permutable(rel: Relation, req: WindowRequest): rel is TableRelation {
  return rel.kind === 'table' && !!rel.rowid && !!req.orderBy?.length && req.offset >= PERMUTATION_FROM;
}

async function stampOf(engine: Engine, table: string): Promise<string> {
  const r = await engine.query(
    `SELECT (SELECT max(table_oid) FROM duckdb_tables() WHERE schema_name = 'main' AND NOT temporary AND table_name = ${quoteLiteral(table)})::VARCHAR,
       (SELECT count(*) FROM ${quoteIdent(table)})::VARCHAR`,
    { timeoutMs: TIMEOUT_MS },
  );
  return (r.rows[0] ?? []).join(':');
}

export class SortedWindows {
  private current: { key: string; built: Promise<Permutation | null> } | null = null;

  constructor(private readonly engine: Engine) {}

  /** The window's rows, through the table's permutation when the window is deep in a sorted table. */
  async rows(rel: Relation, req: WindowRequest): Promise<Rows> {
    if (!permutable(rel, req)) return windowQuery(this.engine, rel, req);
    const p = await this.permutation(rel, req);
    if (!p) return windowQuery(this.engine, rel, req);
    const { offset, limit } = windowBounds(req);
    const picked = req.columns?.length ? req.columns.map((c) => `_w.${quoteIdent(c)}`).join(', ') : '_w.*';
    try {
      return await this.engine.query(
        `SELECT ${picked} FROM (SELECT _r, _p FROM ${quoteIdent(p.name)} WHERE _p >= ${offset} AND _p < ${offset + limit}) AS _k ` +
          `JOIN ${quoteIdent(rel.name)} AS _w ON _w.rowid = _k._r ORDER BY _k._p`,
        { timeoutMs: TIMEOUT_MS },
      );
    } catch {
      // Dropped meanwhile by a rebuild for a replaced table: the plain window is always right.
      return windowQuery(this.engine, rel, req);
    }
  }

  /** Drops the permutation (another table is shown, or the grid goes away). */
  async release(): Promise<void> {
    const old = this.current;
    this.current = null;
    const p = await old?.built.catch(() => null);
    if (p) await this.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(p.name)}`).catch(() => undefined);
  }

  private async permutation(rel: TableRelation, req: WindowRequest): Promise<Permutation | null> {
    const key = JSON.stringify([rel.name, rel.where ?? '', orderKeys(req.orderBy)]);
    if (this.current?.key === key) {
      const p = await this.current.built;
      if (p && p.stamp === (await stampOf(this.engine, rel.name))) return p;
    }
    await this.release();
    const built = this.build(rel, req, key).catch(() => null);
    this.current = { key, built };
    return built;
  }

  private async build(rel: TableRelation, req: WindowRequest, key: string): Promise<Permutation> {
    const name = `loupe_ordre_${++made}`;
    const stamp = await stampOf(this.engine, rel.name);
    await this.engine.exec(
      `CREATE OR REPLACE TEMP TABLE ${quoteIdent(name)} AS SELECT rowid AS _r, row_number() OVER (ORDER BY ${[...orderKeys(req.orderBy), 'rowid'].join(', ')}) - 1 AS _p ` +
        `FROM ${quoteIdent(rel.name)} ${rel.where ?? ''} ORDER BY _p`,
      { timeoutMs: TIMEOUT_MS * 4 },
    );
    return { key, name, stamp };
  }
}
