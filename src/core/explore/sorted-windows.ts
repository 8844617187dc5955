// Deep windows of any relation — a base table, a saved view, a filtered table, a SQL result — through
// one permutation. A window far down a sorted relation used to sort it again (a top-N with a large
// OFFSET keeps offset + limit rows: 11.7 s at the middle of 5M rows); an unsorted view was read from
// its first row to the offset. Now the order is materialised once — every row id with its position —
// and a window reads its 200 positions and fetches those rows.
//
// A base table is sorted by its keys and row ids alone (sorting whole rows of millions of lines runs
// the wasm engine out of memory). Anything else (a view, a query, a filtered view) has no row id: it
// is first copied, as it is and without sorting, into a table of its own, whose row ids then give
// both its own order (an unsorted window is a row-id range) and, with the keys, its permutation.
// Ties keep the relation's own order (a stable sort): consecutive windows never repeat or skip a row.
//
// These tables live in their own schema, not in TEMP: the engine's interactive connection sees them,
// so a deep window is answered there while a long query holds the main connection.
import type { Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { isBaseTable } from '../sql/relation.ts';
import { orderKeys, relationSql, TIMEOUT_MS, windowBounds, windowQuery, type Relation, type WindowRequest } from './window.ts';

/** Below this offset a top-N sort is cheap: nothing is built. */
export const PERMUTATION_FROM = 10_000;

/** Where copies and permutations are kept: out of the project's tables, visible to both connections. */
export const GRID_SCHEMA = 'loupe_grille';

/** What the rows are read from: a base table, or the copy of a relation that has no row id. */
interface Source {
  key: string;
  /** SQL name of the table whose row ids the permutation holds. */
  from: string;
  where: string;
  /** A copy: its row ids are dense, 0 to n − 1, in the relation's order. */
  copy: boolean;
  /** Still the same rows? A base table's oid and count; a copy's data generation (see `stamped`). */
  stamp: string;
  drop?: string;
}

interface Permutation {
  key: string;
  name: string;
  stamp: string;
}

let made = 0;

const qualified = (name: string) => `${quoteIdent(GRID_SCHEMA)}.${quoteIdent(name)}`;

async function tableStamp(engine: Engine, table: string): Promise<string> {
  const r = await engine.query(
    `SELECT (SELECT max(table_oid) FROM duckdb_tables() WHERE table_name = ${quoteLiteral(table)} AND schema_name IN ('main', 'temp'))::VARCHAR,
       (SELECT count(*) FROM ${quoteIdent(table)})::VARCHAR`,
    { timeoutMs: TIMEOUT_MS, cache: false },
  );
  return (r.rows[0] ?? []).join(':');
}

/** Per database: how many generation bumps came from the grid's own copies and permutations. */
const ownBumps = new WeakMap<object, number>();

/**
 * The data generation (bumped twice by every write) less the grid's own writes: a copy of a view is
 * stale once anything else was written — another grid's copy is not a change of data.
 */
function generation(engine: Engine): string {
  return `g${engine.cacheStats().generation - (ownBumps.get(engine.db) ?? 0)}`;
}

export class SortedWindows {
  private source: { key: string; built: Promise<Source | null> } | null = null;
  private perm: { key: string; built: Promise<Permutation | null> } | null = null;
  /** The built ones, once built: a window near the top reads them too when they are there. */
  private live: { source?: Source; perm?: Permutation } = {};
  /** Names known to be base tables (or not): a relation given by name may be either. */
  private readonly isTable = new Map<string, boolean>();
  /**
   * Building and dropping one at a time: the grid asks for several blocks at once, and two of them
   * deciding together that a copy is missing would each make one (the first never dropped).
   */
  private lock: Promise<unknown> = Promise.resolve();

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  constructor(private readonly engine: Engine) {}

  /** The window's rows; a deep window goes through the relation's copy and permutation. */
  async rows(rel: Relation, req: WindowRequest): Promise<Rows> {
    const { offset } = windowBounds(req);
    const sorted = !!req.orderBy?.length;
    // Near the top a top-N sort is cheap; deep in an unsorted base table a scan is too. Either way,
    // a copy and permutation already built for this relation and order are cheaper still.
    if (offset < PERMUTATION_FROM || (!sorted && rel.kind === 'table' && !rel.where && (await this.baseTable(rel)))) {
      const ready = await this.built(rel, req);
      return ready ? this.fetch(rel, req, ready.src, ready.perm) : windowQuery(this.engine, rel, req);
    }
    const src = await this.serial(() => this.sourceOf(rel));
    if (!src) return windowQuery(this.engine, rel, req);
    const perm = !sorted && src.copy ? null : await this.serial(() => this.permutation(src, req));
    if (perm === null && !(!sorted && src.copy)) return windowQuery(this.engine, rel, req);
    return this.fetch(rel, req, src, perm);
  }

  private async fetch(rel: Relation, req: WindowRequest, src: Source, perm: Permutation | null): Promise<Rows> {
    const { offset, limit } = windowBounds(req);
    const picked = req.columns?.length ? req.columns.map((c) => `_w.${quoteIdent(c)}`).join(', ') : '_w.*';
    try {
      if (!perm) {
        // The copy's row ids are its positions: the range is read from one row group.
        return await this.engine.query(
          `SELECT ${picked} FROM ${src.from} AS _w WHERE _w.rowid >= ${offset} AND _w.rowid < ${offset + limit} ORDER BY _w.rowid`,
          { timeoutMs: TIMEOUT_MS },
        );
      }
      return await this.engine.query(
        `SELECT ${picked} FROM (SELECT _r, _p FROM ${qualified(perm.name)} WHERE _p >= ${offset} AND _p < ${offset + limit}) AS _k ` +
          `JOIN ${src.from} AS _w ON _w.rowid = _k._r ORDER BY _k._p`,
        { timeoutMs: TIMEOUT_MS },
      );
    } catch {
      // Dropped meanwhile by a rebuild for replaced data: the plain window is always right.
      return windowQuery(this.engine, rel, req);
    }
  }

  /** The copy (and permutation, when sorted) already built for this relation and order, still current; else null. */
  private async built(rel: Relation, req: WindowRequest): Promise<{ src: Source; perm: Permutation | null } | null> {
    const { source: src, perm } = this.live;
    if (!src || src.key !== (await this.keyOf(rel)).key) return null;
    const sorted = !!req.orderBy?.length;
    if (!sorted && !src.copy) return null;
    const wanted = sorted || !src.copy ? JSON.stringify([src.key, orderKeys(req.orderBy)]) : null;
    if (wanted && perm?.key !== wanted) return null;
    if (src.stamp !== (src.copy ? generation(this.engine) : await tableStamp(this.engine, (rel as { name: string }).name))) return null;
    return { src, perm: wanted ? perm! : null };
  }

  private async keyOf(rel: Relation): Promise<{ key: string; base: boolean }> {
    const base = rel.kind === 'table' && (await this.baseTable(rel));
    return { key: JSON.stringify(rel.kind === 'table' ? [rel.name, rel.where ?? '', base] : [rel.sql]), base };
  }

  /** Drops the copy and the permutation (another relation is shown, or the grid goes away). */
  release(): Promise<void> {
    return this.serial(() => this.releaseNow());
  }

  private async releaseNow(): Promise<void> {
    await this.dropPerm();
    const old = this.source;
    this.source = null;
    const s = await old?.built.catch(() => null);
    delete this.live.source;
    if (s?.drop) await this.write(`DROP TABLE IF EXISTS ${s.drop}`).catch(() => undefined);
  }

  private async dropPerm(): Promise<void> {
    const old = this.perm;
    this.perm = null;
    const p = await old?.built.catch(() => null);
    delete this.live.perm;
    if (p) await this.write(`DROP TABLE IF EXISTS ${qualified(p.name)}`).catch(() => undefined);
  }

  /** A relation named as a table without `rowid` (a SQL result's table) may still be a base table. */
  private async baseTable(rel: Extract<Relation, { kind: 'table' }>): Promise<boolean> {
    if (rel.rowid) return true;
    let known = this.isTable.get(rel.name);
    if (known === undefined) {
      known = await isBaseTable(this.engine, rel.name, TIMEOUT_MS);
      this.isTable.set(rel.name, known);
    }
    return known;
  }

  private async sourceOf(rel: Relation): Promise<Source | null> {
    const { key, base } = await this.keyOf(rel);
    if (this.source?.key === key) {
      const s = await this.source.built;
      if (s && s.stamp === (s.copy ? generation(this.engine) : await tableStamp(this.engine, (rel as { name: string }).name))) return s;
    }
    await this.releaseNow();
    const built = (base && rel.kind === 'table' ? this.tableSource(rel.name, rel.where ?? '', key) : this.copySource(rel, key)).then(
      (s) => (this.live.source = s),
      () => null,
    );
    this.source = { key, built };
    return built;
  }

  private async tableSource(name: string, where: string, key: string): Promise<Source> {
    return { key, from: quoteIdent(name), where, copy: false, stamp: await tableStamp(this.engine, name) };
  }

  private async copySource(rel: Relation, key: string): Promise<Source> {
    const name = `copie_${++made}`;
    await this.write(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(GRID_SCHEMA)}`);
    // Read as it is, in its own order, without sorting: a scan, not a sort of whole rows.
    const stamp = await this.write(`CREATE OR REPLACE TABLE ${qualified(name)} AS SELECT * FROM ${relationSql(rel)} AS _v`, TIMEOUT_MS * 4);
    return { key, from: qualified(name), where: '', copy: true, stamp, drop: qualified(name) };
  }

  private async permutation(src: Source, req: WindowRequest): Promise<Permutation | null> {
    const key = JSON.stringify([src.key, orderKeys(req.orderBy)]);
    if (this.perm?.key === key) {
      const p = await this.perm.built;
      if (p && p.stamp === src.stamp) return p;
    }
    await this.dropPerm();
    const built = this.buildPermutation(src, req, key).then(
      (p) => (this.live.perm = p),
      () => null,
    );
    this.perm = { key, built };
    return built;
  }

  private async buildPermutation(src: Source, req: WindowRequest, key: string): Promise<Permutation> {
    const name = `ordre_${++made}`;
    await this.write(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(GRID_SCHEMA)}`);
    await this.write(
      `CREATE OR REPLACE TABLE ${qualified(name)} AS SELECT rowid AS _r, row_number() OVER (ORDER BY ${[...orderKeys(req.orderBy), 'rowid'].join(', ')}) - 1 AS _p ` +
        `FROM ${src.from} ${src.where} ORDER BY _p`,
      TIMEOUT_MS * 4,
    );
    return { key, name, stamp: src.stamp };
  }

  /** Runs one of the grid's own writes, which does not make a copy stale (see `generation`). */
  private async write(sql: string, timeoutMs = TIMEOUT_MS): Promise<string> {
    const before = this.engine.cacheStats().generation;
    await this.engine.exec(sql, { timeoutMs });
    // Exactly our two bumps: nothing else was written meanwhile (otherwise the copy is stale, rightly).
    if (this.engine.cacheStats().generation - before === 2) ownBumps.set(this.engine.db, (ownBumps.get(this.engine.db) ?? 0) + 2);
    return generation(this.engine);
  }
}
