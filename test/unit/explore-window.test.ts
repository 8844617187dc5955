import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import {
  countRows,
  isNumericType,
  queryRelation,
  relationColumns,
  tableRelation,
  windowQuery,
  windowSql,
} from '../../src/core/explore/window.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(
    `CREATE TABLE "dépenses 2024" AS SELECT i AS "n°", 'ligne ' || i AS "libellé ""court""",
       CASE WHEN i % 10 = 0 THEN NULL ELSE (i * 1.5)::DECIMAL(12,2) END AS montant
     FROM range(1000) t(i)`,
  );
  await engine.exec('CREATE TABLE big AS SELECT i AS id, i % 97 AS k FROM range(5000000) t(i)');
});
afterAll(() => engine.close());

describe('explore window', () => {
  it('reads a window of rows in insertion order, with quoted French identifiers', async () => {
    const r = await windowQuery(engine, tableRelation('dépenses 2024'), { offset: 200, limit: 3 });
    expect(r.columns.map((c) => c.name)).toEqual(['n°', 'libellé "court"', 'montant']);
    expect(r.rows).toEqual([
      [200, 'ligne 200', null],
      [201, 'ligne 201', 301.5],
      [202, 'ligne 202', 303],
    ]);
  });

  it('fetches only the columns asked for, in that order', async () => {
    const r = await windowQuery(engine, tableRelation('dépenses 2024'), { offset: 0, limit: 2, columns: ['montant', 'n°'] });
    expect(r.columns.map((c) => c.name)).toEqual(['montant', 'n°']);
    expect(r.rows).toEqual([
      [null, 0],
      [1.5, 1],
    ]);
  });

  it('sorts with NULLs last in both directions', async () => {
    const rel = tableRelation('dépenses 2024');
    const desc = await windowQuery(engine, rel, { offset: 0, limit: 1, orderBy: [{ column: 'montant', desc: true }] });
    expect(desc.rows[0]![2]).toBe(1498.5);
    const asc = await windowQuery(engine, rel, { offset: 899, limit: 2, orderBy: [{ column: 'montant' }] });
    expect(asc.rows.map((r) => r[2])).toEqual([1498.5, null]);
  });

  it('returns an empty window past the end', async () => {
    const r = await windowQuery(engine, tableRelation('dépenses 2024'), { offset: 5000, limit: 200 });
    expect(r.rows).toEqual([]);
    expect(r.columns).toHaveLength(3);
  });

  it('counts rows of a table and of a query, and lists their columns with DuckDB types', async () => {
    expect(await countRows(engine, tableRelation('dépenses 2024'))).toBe(1000);
    const q = queryRelation('SELECT montant FROM "dépenses 2024" WHERE montant > 1000;');
    expect(await countRows(engine, q)).toBe(300); // 333 above 1000, minus every tenth, which is NULL
    expect(await relationColumns(engine, q)).toEqual([{ name: 'montant', type: 'DECIMAL(12,2)' }]);
    const w = await windowQuery(engine, q, { offset: 0, limit: 1 });
    expect(w.rows).toEqual([[1000.5]]);
  });

  it('refuses negative or non-numeric offsets instead of building bad SQL', () => {
    expect(() => windowSql(tableRelation('t'), { offset: -1, limit: 10 })).toThrow(/invalide/);
    expect(() => windowSql(tableRelation('t'), { offset: Number.NaN, limit: 10 })).toThrow(/invalide/);
    expect(windowSql(tableRelation('t'), { offset: 1.7, limit: 1e9 })).toMatch(/LIMIT 10000 OFFSET 1$/);
  });

  // How fast is the benchmark's business (its window keys), not a wall-clock bound that a loaded
  // machine breaks: here the window must be the right rows, read within the query time limit.
  it('reads a window deep into 5 million rows, the right 200 rows in order', async () => {
    const rel = tableRelation('big');
    expect(await countRows(engine, rel)).toBe(5_000_000);
    const r = await windowQuery(engine, rel, { offset: 4_999_800, limit: 200 });
    expect(r.rows).toHaveLength(200);
    expect(r.rows[0]).toEqual([4_999_800, 4_999_800 % 97]);
    expect(r.rows[199]).toEqual([4_999_999, 4_999_999 % 97]);
  });

  it('tells numeric DuckDB types apart', () => {
    expect(['BIGINT', 'DECIMAL(12,2)', 'DOUBLE', 'INTEGER'].every(isNumericType)).toBe(true);
    expect(['VARCHAR', 'DATE', 'TIMESTAMP', 'BOOLEAN', 'INTERVAL'].some(isNumericType)).toBe(false);
  });
});

describe('sorted windows of a base table', () => {
  it('sort keys and row ids only, return the same rows as a plain ORDER BY, and never repeat or skip a tied row', async () => {
    const { createNodeEngine } = await import('../../src/node/engine.ts');
    const { windowQuery, tableRelation, filteredRelation } = await import('../../src/core/explore/window.ts');
    const e = await createNodeEngine();
    try {
      // 1,000 rows, only 7 distinct amounts: many ties across window boundaries.
      await e.exec("CREATE TABLE s AS SELECT range AS id, (range % 7) * 10.5 AS montant, 'x' || range AS lib FROM range(1000)");
      const rel = tableRelation('s', { rowid: true });
      const orderBy = [{ column: 'montant', desc: true }];
      const seen: number[] = [];
      for (let off = 0; off < 1000; off += 97) {
        const w = await windowQuery(e, rel, { offset: off, limit: 97, orderBy });
        const amounts = w.rows.map((r) => r[1] as number);
        expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
        seen.push(...w.rows.map((r) => r[0] as number));
      }
      expect(new Set(seen).size).toBe(1000);
      const plain = await e.query('SELECT montant FROM s ORDER BY montant DESC LIMIT 50 OFFSET 500');
      const fast = await windowQuery(e, rel, { offset: 500, limit: 50, orderBy, columns: ['montant'] });
      expect(fast.rows).toEqual(plain.rows);
      // Filters stay on the table, with the same fast path.
      const filtered = filteredRelation(rel, [{ column: 'montant', op: 'between', min: 21, max: 31.5 }]);
      const f = await windowQuery(e, filtered, { offset: 0, limit: 1000, orderBy });
      expect(f.rows.length).toBe(286);
      expect(new Set(f.rows.map((r) => r[1]))).toEqual(new Set([31.5, 21]));
    } finally {
      await e.close();
    }
  });
});
