import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/core/engine/node.ts';
import { PERMUTATION_FROM, SortedWindows } from '../../src/core/explore/sorted-windows.ts';
import { filteredRelation, tableRelation, windowQuery, type OrderBy, type WindowRequest } from '../../src/core/explore/window.ts';

let engine: Engine;
const N = 30_000;
const temps = async () => Number((await engine.query(`SELECT count(*) FROM duckdb_tables() WHERE temporary`)).rows[0]![0]);

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
