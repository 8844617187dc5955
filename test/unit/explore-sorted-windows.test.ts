import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { GRID_SCHEMA, PERMUTATION_FROM, SortedWindows } from '../../src/core/explore/sorted-windows.ts';
import {
  filteredRelation,
  queryRelation,
  tableRelation,
  windowQuery,
  type OrderBy,
  type WindowRequest,
} from '../../src/core/explore/window.ts';

let engine: Engine;
const N = 30_000;
// Permutations and copies live in the grid's own schema (seen by both connections), never among the project's tables.
const temps = async () =>
  Number(
    (await engine.query(`SELECT count(*) FROM duckdb_tables() WHERE schema_name = '${GRID_SCHEMA}' OR temporary`, { cache: false }))
      .rows[0]![0],
  );

beforeAll(async () => {
  engine = await createNodeEngine();
  // Few distinct amounts and some NULLs: ties everywhere, broken by row id on both paths.
  await engine.exec(`CREATE TABLE paiements AS SELECT x AS id, CASE WHEN x % 97 = 0 THEN NULL ELSE (x * 7919) % 50 END AS montant,
    'D' || (x % 7) AS direction FROM range(${N}) r(x)`);
});
afterAll(() => engine.close());

describe('deep windows of a sorted table, through a permutation built once', () => {
  const orders: OrderBy[][] = [[{ column: 'montant', desc: true }], [{ column: 'direction' }, { column: 'montant' }]];
  for (const orderBy of orders) {
    it(`gives exactly the rows and order of the plain window (${orderBy.map((o) => o.column).join(', ')})`, async () => {
      const w = new SortedWindows(engine);
      const rel = tableRelation('paiements', { rowid: true });
      for (const offset of [PERMUTATION_FROM, 17_123, N - 150, N + 10]) {
        const req: WindowRequest = { offset, limit: 200, orderBy, columns: ['id', 'montant', 'direction'] };
        expect((await w.rows(rel, req)).rows).toEqual((await windowQuery(engine, rel, req)).rows);
      }
      expect(await temps()).toBe(1);
      await w.release();
      expect(await temps()).toBe(0);
    });
  }

  it('keeps the filters, and rebuilds for another filter', async () => {
    const w = new SortedWindows(engine);
    const base = tableRelation('paiements', { rowid: true });
    const orderBy: OrderBy[] = [{ column: 'montant' }];
    for (const value of ['D1', 'D2']) {
      const others = ['D0', 'D1', 'D2', 'D3', 'D4', 'D5', 'D6'].filter((d) => d !== value);
      const rel = filteredRelation(base, [{ column: 'direction', op: 'in', values: others }]);
      const req: WindowRequest = { offset: PERMUTATION_FROM + 5, limit: 100, orderBy, columns: ['id', 'montant', 'direction'] };
      const got = await w.rows(rel, req);
      expect(got.rows).toEqual((await windowQuery(engine, rel, req)).rows);
      expect(got.rows.every((r) => r[2] !== value)).toBe(true);
    }
    expect(await temps()).toBe(1);
    await w.release();
  });

  it('sees a table replaced under the same name (a result re-run) and sorts the new rows', async () => {
    await engine.exec(`CREATE TABLE resultat AS SELECT x AS id, x % 13 AS v FROM range(20000) r(x)`);
    const w = new SortedWindows(engine);
    const rel = tableRelation('resultat', { rowid: true });
    const req: WindowRequest = { offset: 15_000, limit: 50, orderBy: [{ column: 'v', desc: true }] };
    await w.rows(rel, req);
    await engine.exec(`CREATE OR REPLACE TABLE resultat AS SELECT x AS id, (x * 31) % 17 AS v FROM range(20000) r(x)`);
    expect((await w.rows(rel, req)).rows).toEqual((await windowQuery(engine, rel, req)).rows);
    await w.release();
  });

  it('leaves near-top windows and unsorted tables to the plain window', async () => {
    const w = new SortedWindows(engine);
    const rel = tableRelation('paiements', { rowid: true });
    await w.rows(rel, { offset: 200, limit: 200, orderBy: [{ column: 'montant' }] });
    await w.rows(rel, { offset: 20_000, limit: 200 });
    expect(await temps()).toBe(0);
  });
});

describe('deep windows of any relation: saved views, filtered views, SQL results', () => {
  // The plain answer: ORDER BY the keys, ties in the relation's own order (a stable sort), LIMIT/OFFSET.
  const plain = async (from: string, req: WindowRequest) => {
    const keys = (req.orderBy ?? []).map((o) => `"${o.column}" ${o.desc ? 'DESC' : 'ASC'} NULLS LAST`);
    const cols = (req.columns ?? ['id', 'montant', 'direction']).map((c) => `"${c}"`).join(', ');
    return (
      await engine.query(
        `SELECT ${cols} FROM (SELECT *, row_number() OVER () AS _n FROM ${from}) ORDER BY ${[...keys, '_n'].join(', ')} LIMIT ${req.limit} OFFSET ${req.offset}`,
        { cache: false },
      )
    ).rows;
  };
  const offsets = [PERMUTATION_FROM, 12_345, 20_001];
  const orders: OrderBy[][] = [[], [{ column: 'montant', desc: true }], [{ column: 'direction' }, { column: 'montant' }]];

  beforeAll(async () => {
    // A saved view: what `save-query` leaves (a VIEW), here one that keeps 6 directions of 7.
    await engine.exec(`CREATE VIEW vue_sauvee AS SELECT id, montant, direction FROM paiements WHERE direction <> 'D3'`);
  });

  for (const orderBy of orders) {
    const label = orderBy.map((o) => o.column).join(', ') || 'no sort';
    it(`a saved view pages like a table, ties and NULLs included (${label})`, async () => {
      const w = new SortedWindows(engine);
      const rel = tableRelation('vue_sauvee');
      for (const offset of offsets) {
        const req: WindowRequest = { offset, limit: 200, columns: ['id', 'montant', 'direction'], ...(orderBy.length ? { orderBy } : {}) };
        expect((await w.rows(rel, req)).rows).toEqual(await plain('vue_sauvee', req));
      }
      // Once built, the top of the view is read through them too, still equal to the plain answer.
      const top: WindowRequest = { offset: 0, limit: 120, columns: ['id', 'montant', 'direction'], ...(orderBy.length ? { orderBy } : {}) };
      expect((await w.rows(rel, top)).rows).toEqual(await plain('vue_sauvee', top));
      // One copy, and one permutation when sorted.
      expect(await temps()).toBe(orderBy.length ? 2 : 1);
      await w.release();
      expect(await temps()).toBe(0);
    });
  }

  it('a filtered view and a SQL query page through the same permutation', async () => {
    const w = new SortedWindows(engine);
    const filtered = filteredRelation(tableRelation('vue_sauvee'), [
      { column: 'direction', op: 'in', values: ['D0', 'D1', 'D2', 'D4', 'D5'] },
    ]);
    expect(filtered.kind).toBe('query');
    const orderBy: OrderBy[] = [{ column: 'montant' }];
    for (const offset of [PERMUTATION_FROM, 17_000]) {
      const req: WindowRequest = { offset, limit: 150, orderBy, columns: ['id', 'montant', 'direction'] };
      expect((await w.rows(filtered, req)).rows).toEqual(
        await plain(`(SELECT * FROM vue_sauvee WHERE direction IN ('D0', 'D1', 'D2', 'D4', 'D5'))`, req),
      );
    }
    const sql = queryRelation(
      `SELECT id, montant, direction FROM paiements WHERE id % 2 = 0 UNION ALL SELECT id, montant, direction FROM paiements WHERE id % 2 = 1;`,
    );
    const all = (await engine.query(`SELECT count(*) FROM ${'paiements'}`)).rows[0]![0] as number;
    const req: WindowRequest = { offset: all - 120, limit: 200, orderBy: [{ column: 'montant', desc: true }, { column: 'id' }] };
    expect((await w.rows(sql, req)).rows).toEqual(await plain('paiements', req));
    await w.release();
  });

  it('a SQL result table (a TEMP table named without rowid) is sorted by its own row ids, not copied', async () => {
    await engine.exec(`CREATE OR REPLACE TEMP TABLE _loupe_sql_t9 AS SELECT * FROM paiements WHERE montant IS NULL OR montant < 40`);
    const w = new SortedWindows(engine);
    const req: WindowRequest = {
      offset: PERMUTATION_FROM + 3,
      limit: 100,
      orderBy: [{ column: 'montant' }],
      columns: ['id', 'montant', 'direction'],
    };
    expect((await w.rows(tableRelation('_loupe_sql_t9'), req)).rows).toEqual(await plain('_loupe_sql_t9', req));
    // Only the permutation: the result is a table already (the count includes the TEMP result itself).
    expect(await temps()).toBe(2);
    await w.release();
    await engine.exec('DROP TABLE temp._loupe_sql_t9');
  });

  it('sees a write under a saved view and copies it again', async () => {
    await engine.exec(`CREATE TABLE petite AS SELECT x AS id, x % 11 AS montant, 'D' || (x % 3) AS direction FROM range(15000) r(x)`);
    await engine.exec(`CREATE VIEW vue_petite AS SELECT * FROM petite`);
    const w = new SortedWindows(engine);
    const rel = tableRelation('vue_petite');
    const req: WindowRequest = { offset: 14_000, limit: 50, orderBy: [{ column: 'montant', desc: true }] };
    await w.rows(rel, req);
    await engine.exec(`UPDATE petite SET montant = 100 + id WHERE id >= 14950`);
    const got = (await w.rows(rel, { ...req, offset: PERMUTATION_FROM, limit: 5 })).rows;
    expect(got).toEqual(await plain('vue_petite', { ...req, offset: PERMUTATION_FROM, limit: 5 }));
    const top = (await w.rows(rel, { ...req, offset: 0, limit: 1 })).rows;
    expect(top[0]![1]).toBe(100 + 14999);
    await w.release();
  });
});

describe('several blocks at once', () => {
  it('the grid asks for several deep windows together: one copy, one permutation, the right rows', async () => {
    const w = new SortedWindows(engine);
    const rel = tableRelation('vue_sauvee');
    const orderBy: OrderBy[] = [{ column: 'montant', desc: true }];
    const reqs = [PERMUTATION_FROM, PERMUTATION_FROM + 200, 15_000, 20_000].map((offset): WindowRequest => ({
      offset,
      limit: 200,
      orderBy,
      columns: ['id', 'montant', 'direction'],
    }));
    const got = await Promise.all(reqs.map((r) => w.rows(rel, r)));
    const plainRows = async (req: WindowRequest) =>
      (
        await engine.query(
          `SELECT id, montant, direction FROM (SELECT *, row_number() OVER () AS _n FROM vue_sauvee) ORDER BY montant DESC NULLS LAST, _n LIMIT ${req.limit} OFFSET ${req.offset}`,
          { cache: false },
        )
      ).rows;
    for (let i = 0; i < reqs.length; i++) expect(got[i]!.rows).toEqual(await plainRows(reqs[i]!));
    expect(await temps()).toBe(2);
    await w.release();
    expect(await temps()).toBe(0);
  });
});
