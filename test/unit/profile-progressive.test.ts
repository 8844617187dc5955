import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { windowQuery, tableRelation } from '../../src/core/explore/window.ts';
import {
  profileColumn,
  profileTable,
  quantileRankError,
  summarizeTable,
  type ColumnProgress,
  type ProfileStage,
} from '../../src/core/profile/profile.ts';
import { queryRelation } from '../../src/core/sql/relation.ts';

let engine: Engine;
const N = 240_000;

beforeAll(async () => {
  engine = await createNodeEngine();
  // The traps of a real register: a unique id, a code column with tens of thousands of values, a handful
  // of directions, amounts with NULLs and ties, a label that repeats, dates and amounts written as text.
  await engine.exec(`CREATE TABLE reg AS SELECT
      x AS id,
      'C' || lpad(((x * 7919) % 60000)::VARCHAR, 6, '0') AS code,
      ['DAC', 'DASCO', 'DEVE', 'DFPE', 'DJS', 'DPE', 'DU'][1 + x % 7] AS direction,
      CASE WHEN x % 13 = 0 THEN NULL ELSE (((x * 104729) % 500000) / 100.0)::DECIMAL(12,2) END AS montant,
      CASE WHEN x % 3 = 0 THEN NULL ELSE 'Association ' || (x % 90001) END AS libelle,
      strftime(DATE '2015-01-01' + (x % 3000)::INTEGER, '%d/%m/%Y') AS date_texte,
      (x % 200)::DOUBLE * 1.5 AS petit
    FROM range(${N}) r(x)`);
});
afterAll(() => engine.close());

const one = async (sql: string) => (await engine.query(sql, { cache: false })).rows[0]!;

/** Each estimated quartile's rank in the whole column lies within the bound the profile states. */
async function expectWithinStatedRank(from: string, c: ColumnProgress): Promise<void> {
  const id = `"${c.name}"`;
  expect(c.quartileRankError).toBeGreaterThan(0);
  for (const [p, v] of [
    [0.25, c.quartiles!.q1],
    [0.5, c.quartiles!.median],
    [0.75, c.quartiles!.q3],
  ] as const) {
    // Between the share strictly below the value and the share at or below it.
    const [below, atOrBelow] = await one(`SELECT avg((${id} < ${v})::INT), avg((${id} <= ${v})::INT) FROM ${from} WHERE ${id} IS NOT NULL`);
    expect(Number(below)).toBeLessThanOrEqual(p + c.quartileRankError!);
    expect(Number(atOrBelow)).toBeGreaterThanOrEqual(p - c.quartileRankError!);
  }
}

describe('progressive profile', () => {
  it('fills in each column stage by stage: type, then counts and nulls, then the range, then distinct values and quartiles', async () => {
    const seen: { stage: ProfileStage; cols: ColumnProgress[] }[] = [];
    await profileTable(engine.lane('normal'), tableRelation('reg'), { onProgress: (cols, stage) => seen.push({ stage, cols }) });
    const stages = seen.map((s) => s.stage);
    expect(stages.filter((s, i) => s !== stages[i - 1])).toEqual(['type', 'counts', 'range', 'done']);
    expect(stages.at(-1)).toBe('done');
    const first = seen[0]!.cols;
    expect(first.map((c) => c.name)).toEqual(['id', 'code', 'direction', 'montant', 'libelle', 'date_texte', 'petit']);
    expect(first.every((c) => c.count === undefined)).toBe(true);
    // The first cards first: the first columns' counts come from a pass over those columns alone.
    const early = seen[1]!.cols;
    expect(early.map((c) => c.count)).toEqual([N, N, N, N, undefined, undefined, undefined]);
    const counts = seen[stages.lastIndexOf('counts')]!.cols;
    expect(counts.every((c) => c.count === N && c.min === undefined && c.distinct === undefined)).toBe(true);
    expect(counts.find((c) => c.name === 'montant')!.nulls).toBe(
      Number((await one(`SELECT count(*) FILTER (WHERE montant IS NULL) FROM reg`))[0]),
    );
    const range = seen[stages.indexOf('range')]!.cols;
    expect(range.every((c) => c.min !== undefined && c.distinct === undefined)).toBe(true);
  });

  it('on request, gives exactly what the plain queries give', async () => {
    const cols = await profileTable(engine, tableRelation('reg'), { exact: true });
    for (const c of cols) {
      const id = `"${c.name}"`;
      const [n, filled, distinct, lo, hi] = await one(
        `SELECT count(*), count(${id}), count(DISTINCT ${id}), min(${id})::VARCHAR, max(${id})::VARCHAR FROM reg`,
      );
      expect({ name: c.name, count: c.count, nulls: c.nulls, distinct: c.distinct, distinctError: c.distinctError }).toEqual({
        name: c.name,
        count: Number(n),
        nulls: Number(n) - Number(filled),
        distinct: Number(distinct),
        distinctError: 0,
      });
      expect(String(c.min)).toBe(c.type.startsWith('DECIMAL') || c.type === 'DOUBLE' || c.type === 'BIGINT' ? String(Number(lo)) : lo);
      expect(String(c.max)).toBe(c.type.startsWith('DECIMAL') || c.type === 'DOUBLE' || c.type === 'BIGINT' ? String(Number(hi)) : hi);
      if (c.quartiles) {
        const [q] = await one(`SELECT quantile_cont(${id}::DOUBLE, [0.25, 0.5, 0.75]) FROM reg`);
        expect(JSON.stringify([c.quartiles.q1, c.quartiles.median, c.quartiles.q3])).toBe(String(q).replace(/\s/g, ''));
        expect(c.quartileRankError).toBe(0);
      }
    }
    // The table summary is this exact profile.
    const summary = await summarizeTable(engine, tableRelation('reg'));
    expect(summary.map((s) => [s.name, s.distinct, s.nulls])).toEqual(cols.map((c) => [c.name, c.distinct, c.nulls]));
  });

  it('estimates distinct counts and quartiles within the error it states, and counts few values exactly', async () => {
    const cols = await profileTable(engine, tableRelation('reg'), { sampleRows: 20_000 });
    const estimated = cols.filter((c) => (c.distinctError ?? 0) > 0);
    // id, libelle and montant have too many values to count exactly for free; code (60,000), direction and
    // petit are counted exactly.
    expect(estimated.map((c) => c.name).sort()).toEqual(['id', 'libelle', 'montant']);
    for (const c of cols) {
      const [d] = await one(`SELECT count(DISTINCT "${c.name}") FROM reg`);
      const exact = Number(d);
      if (c.distinctError) {
        expect(c.distinctError).toBeLessThan(0.1);
        expect(Math.abs(c.distinct! - exact)).toBeLessThanOrEqual(c.distinctError * exact);
      } else expect(c.distinct).toBe(exact);
    }
    const quartiled = cols.filter((x) => x.quartiles);
    expect(quartiled.map((c) => c.name)).toEqual(['id', 'montant', 'petit']);
    for (const c of quartiled) {
      // A Bernoulli sample of the base table: about the size asked (within 5 standard deviations).
      expect(Math.abs(c.sampleRows! - 20_000)).toBeLessThan(5 * Math.sqrt(20_000));
      await expectWithinStatedRank('reg', c);
    }
    // Each bound follows the column's own values in the sample: montant is empty on one row in 13.
    const bound = (name: string) => quartiled.find((c) => c.name === name)!.quartileRankError!;
    expect(bound('petit')).toBeCloseTo(quantileRankError(quartiled[0]!.sampleRows!), 10);
    expect(bound('montant')).toBeGreaterThan(bound('petit') * Math.sqrt(13 / 12) * 0.98);
    // Flags stay right on estimates: the unique id is an identifier, the date text is a date.
    expect(cols.find((c) => c.name === 'id')!.flags).toContain('identifier');
    expect(cols.find((c) => c.name === 'date_texte')!.flags).toContain('date-as-text');
    expect(cols.find((c) => c.name === 'code')!.flags).not.toContain('identifier');
  });

  it('draws from a filtered table within its rows, and a reservoir of exactly the size asked where there is no row id', async () => {
    const dac = `(SELECT * FROM reg WHERE direction = 'DAC')`;
    const filtered = await profileTable(
      engine,
      { kind: 'table', name: 'reg', rowid: true, where: `WHERE direction = 'DAC'` },
      { sampleRows: 20_000 },
    );
    const rows = Number((await one(`SELECT count(*) FROM ${dac}`))[0]);
    const montant = filtered.find((c) => c.name === 'montant')!;
    expect(montant.count).toBe(rows);
    // Bernoulli at 20,000 / rows: within 5 of its standard deviations.
    const p = 20_000 / rows;
    expect(Math.abs(montant.sampleRows! - 20_000)).toBeLessThan(5 * Math.sqrt(rows * p * (1 - p)));
    await expectWithinStatedRank(dac, montant);
    expect(filtered.find((c) => c.name === 'date_texte')!.flags).toContain('date-as-text');

    // A view has no row id; nor has a table whose own column is called rowid (it hides the row id).
    await engine.exec(`CREATE OR REPLACE VIEW reg_vue AS SELECT * FROM reg WHERE id % 2 = 0`);
    await engine.exec(`CREATE OR REPLACE TABLE reg_rowid AS SELECT id % 1000 AS rowid, montant FROM reg`);
    for (const name of ['reg_vue', 'reg_rowid']) {
      const c = (await profileTable(engine, tableRelation(name), { sampleRows: 20_000 })).find((x) => x.name === 'montant')!;
      expect(c.sampleRows).toBe(20_000);
      await expectWithinStatedRank(name, c);
    }
    await engine.exec(`DROP VIEW reg_vue; DROP TABLE reg_rowid`);
  });

  it('profiles a relation no larger than its sample exactly, counting distinct values in the same pass as the quartiles', async () => {
    const small = queryRelation('SELECT * FROM reg WHERE id < 5000');
    const sent: string[] = [];
    const spy = Object.create(engine) as Engine;
    spy.query = (sql, o) => (sent.push(sql), engine.query(sql, o));
    const cols = await profileTable(spy, small);
    expect(cols).toEqual(await profileTable(engine, small, { exact: true }));
    expect(cols.every((c) => c.distinctError === 0 && !c.sampleRows)).toBe(true);
    const distinct = sent.filter((s) => /count\(DISTINCT/.test(s));
    expect(distinct).toHaveLength(1);
    expect(distinct[0]).toMatch(/quantile_cont/);
  });

  it("gives a column's profile the quartiles of the table's summary: the same rows drawn", async () => {
    const table = await profileTable(engine, tableRelation('reg'), { sampleRows: 20_000 });
    for (const name of ['montant', 'petit']) {
      const col = await profileColumn(engine, tableRelation('reg'), name, { sampleRows: 20_000 });
      const row = table.find((c) => c.name === name)!;
      expect([col.numeric?.q1, col.numeric?.median, col.numeric?.q3]).toEqual([
        row.quartiles!.q1,
        row.quartiles!.median,
        row.quartiles!.q3,
      ]);
      expect([col.sampleRows, col.quartileRankError, col.distinct]).toEqual([row.sampleRows, row.quartileRankError, row.distinct]);
    }
  });

  it('computes exact numbers afterwards from an estimated profile, running only the last stage again', async () => {
    const approx = await profileTable(engine, tableRelation('reg'));
    const sent: string[] = [];
    const spy = Object.create(engine) as Engine;
    spy.query = (sql, o) => (sent.push(sql), engine.query(sql, o));
    const exact = await profileTable(spy, tableRelation('reg'), { exact: true, reuse: approx });
    expect(exact).toEqual(await profileTable(engine, tableRelation('reg'), { exact: true }));
    expect(sent.some((s) => /count\("id"\)/.test(s) || /min\("id"\)/.test(s))).toBe(false);
  });

  it('runs in the normal lane and never holds the grid: windows are answered while it runs', async () => {
    let done = false;
    // A relation no earlier test profiled: nothing is served from the cache.
    const profile = profileTable(engine.lane('normal'), queryRelation('SELECT * FROM reg WHERE id >= 0'), { exact: true }).then(
      () => (done = true),
    );
    await new Promise((r) => setTimeout(r, 30));
    const grid = engine.lane('interactive');
    const answered: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      const w = await windowQuery(grid, tableRelation('reg', { rowid: true }), { offset: i * 1000, limit: 200 });
      expect(w.rows.length).toBe(200);
      answered.push(!done);
    }
    await profile;
    expect(answered.filter(Boolean).length).toBeGreaterThan(0);
  });
});
