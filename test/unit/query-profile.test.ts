import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { profileColumn, summarizeTable } from '../../src/core/profile/profile.ts';
import { facet, suggestFacets } from '../../src/core/query/facets.ts';
import { tableRelation } from '../../src/core/sql/relation.ts';
import { filterChip, toggleValue, whereClause, type Filter } from '../../src/core/query/filters.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE s AS SELECT
      i AS id,
      ['DAC','DASCO','DEVE'][1 + i % 3] AS direction,
      CASE WHEN i % 5 = 0 THEN 'Établissement scolaire' ELSE 'Association n°' || i END AS "Bénéficiaire",
      (i * 10.5)::DECIMAL(12,2) AS montant,
      CASE WHEN i % 2 = 0 THEN NULL ELSE 'x' END AS moitie,
      NULL::VARCHAR AS vide,
      'Paris' AS ville,
      strftime(DATE '2024-01-01' + i::INTEGER, '%d/%m/%Y') AS date_texte,
      replace(CAST(i * 1.25 AS VARCHAR), '.', ',') AS montant_texte
    FROM range(1, 61) t(i)`);
});
afterAll(() => engine.close());

const count = async (where: string) => Number((await engine.query(`SELECT count(*) FROM s ${where}`)).rows[0]![0]);

describe('filters', () => {
  it('combines filters into one WHERE clause, matching text without case or accents', async () => {
    const filters: Filter[] = [
      { column: 'Bénéficiaire', op: 'contains', value: 'etablissement' },
      { column: 'direction', op: 'in', values: ['DAC', 'DEVE'] },
    ];
    // i multiple of 5, and i % 3 in (0, 2): 5,15,20,30,35,45,50,60 → 5→DEVE? (1+5%3=3 → DEVE), 15→DAC …
    const expected = Array.from({ length: 60 }, (_, k) => k + 1).filter((i) => i % 5 === 0 && [0, 2].includes(i % 3)).length;
    expect(await count(whereClause(filters))).toBe(expected);
  });

  it('ranges numbers and dates, finds empty cells, and quotes odd column names', async () => {
    expect(await count(whereClause([{ column: 'montant', op: 'between', min: 105, max: 210 }]))).toBe(11);
    expect(await count(whereClause([{ column: 'moitie', op: 'is-empty' }]))).toBe(30);
    expect(await count(whereClause([{ column: 'moitie', op: 'not-empty' }]))).toBe(30);
    expect(await count(whereClause([{ column: 'Bénéficiaire', op: 'starts-with', value: 'ASSOCIATION N°1' }]))).toBe(9); // 1, 11–19 but 15 (an établissement)
    expect(whereClause([{ column: 'a"b', op: 'equals', value: "l'x" }])).toBe(`WHERE "a""b" = 'l''x'`);
  });

  it('reads as French chips, and a facet click toggles a value in a multi-select', () => {
    expect(filterChip({ column: 'direction', op: 'in', values: ['DAC', 'DASCO'] }, 'Direction')).toBe(
      'Direction est l’une de : « DAC », « DASCO »',
    );
    expect(filterChip({ column: 'montant', op: 'between', min: 1000, max: 25000.5 })).toBe('montant entre 1\u202f000 et 25\u202f000,5');
    let f = toggleValue([], 'direction', 'DAC');
    f = toggleValue(f, 'direction', 'DEVE');
    expect(f).toEqual([{ column: 'direction', op: 'in', values: ['DAC', 'DEVE'] }]);
    expect(toggleValue(toggleValue(f, 'direction', 'DAC'), 'direction', 'DEVE')).toEqual([]);
  });
});

describe('facets', () => {
  it('counts the top values under the current filters', async () => {
    const all = await facet(engine, tableRelation('s'), 'direction', []);
    expect(all).toMatchObject({ distinct: 3, total: 60 });
    expect(all.values.map((v) => v.count)).toEqual([20, 20, 20]);
    const filtered = await facet(engine, tableRelation('s'), 'direction', [{ column: 'montant', op: 'between', max: 105 }]);
    expect(filtered.total).toBe(10);
    expect(filtered.values.reduce((s, v) => s + v.count, 0)).toBe(10);
  });

  it('counts distinct values (empty cells as one) and rows beyond the values it lists, as plain queries do', async () => {
    const filters: Filter[] = [{ column: 'id', op: 'between', min: 3 }];
    const where = whereClause(filters);
    for (const column of ['moitie', 'Bénéficiaire', 'vide']) {
      const f = await facet(engine, tableRelation('s'), column, filters, 5);
      const c = `"${column}"`;
      const plain = await engine.query(
        `SELECT count(DISTINCT ${c}) + (count(*) FILTER (WHERE ${c} IS NULL) > 0)::INT, count(*) FROM s ${where}`,
      );
      expect([f.distinct, f.total]).toEqual(plain.rows[0]!.map(Number));
      const top = await engine.query(`SELECT ${c}, count(*) AS n FROM s ${where} GROUP BY ${c} ORDER BY n DESC, ${c} NULLS LAST LIMIT 5`);
      expect(f.values).toEqual(top.rows.map((r) => ({ value: r[0], count: Number(r[1]) })));
    }
    // Nothing under the filters: no value, nothing counted.
    expect(await facet(engine, tableRelation('s'), 'direction', [{ column: 'id', op: 'between', min: 1000 }])).toEqual({
      column: 'direction',
      values: [],
      distinct: 0,
      total: 0,
    });
  });

  it('suggests low-cardinality columns', async () => {
    expect(await suggestFacets(engine, tableRelation('s'), ['id', 'direction', 'moitie', 'ville', 'Bénéficiaire'])).toEqual(['direction']);
  });
});

describe('profile', () => {
  it('summarises every column and flags empty, constant, mostly-null, identifiers, dates and amounts stored as text', async () => {
    const summary = await summarizeTable(engine, tableRelation('s'));
    const flags = Object.fromEntries(summary.map((c) => [c.name, c.flags]));
    expect(flags).toEqual({
      id: ['identifier'],
      direction: [],
      Bénéficiaire: [],
      montant: [],
      moitie: ['constant'],
      vide: ['empty'],
      ville: ['constant'],
      date_texte: ['identifier', 'date-as-text'],
      montant_texte: ['identifier', 'amount-as-text'],
    });
    expect(summary.find((c) => c.name === 'moitie')).toMatchObject({ count: 60, nulls: 30, nullShare: 0.5, distinct: 1 });
  });

  it('profiles a numeric column with quartiles and a histogram, a text column with its top values', async () => {
    const m = await profileColumn(engine, tableRelation('s'), 'montant');
    expect(m.numeric).toMatchObject({ mean: 320.25, median: 320.25 });
    expect(m.histogram!.reduce((s, b) => s + b.count, 0)).toBe(60);
    const d = await profileColumn(engine, tableRelation('s'), 'direction');
    expect(d.top).toEqual([
      { value: 'DAC', count: 20 },
      { value: 'DASCO', count: 20 },
      { value: 'DEVE', count: 20 },
    ]);
    expect(d).toMatchObject({ minLength: 3, maxLength: 5 });
  });
});
