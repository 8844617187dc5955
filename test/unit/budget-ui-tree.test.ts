// The Budget view's queries over a reconciliation result: the drill-down tree sums distinct lines
// (a line flagged twice is counted once), carries its flags up to the section, and finds the demo's
// planted overrun at chapter 011 in 2022; the charts' rows and specs, and the participatory tile map.
import { describe, expect, it } from 'vitest';
import { evolutionSpec, participatoryTileSpec, rateBarsSpec, varianceBarsSpec } from '../../src/core/budget/charts.ts';
import { participatoryBudget } from '../../src/core/budget/participatory.ts';
import { budgetReconcile } from '../../src/core/budget/reconcile.ts';
import { chapterMeasures, flagRowsSql, resultYears, treeNodes, yearlyTotals } from '../../src/core/budget/tree.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { CREDIT_OVERRUN } from '../../src/demo/anomalies.ts';
import { openDemoSession, suite } from './helpers.ts';

/** The demo's budget, and `result`, its reconciliation by nature over both flows. */
const demo = suite(async () => {
  const t = await openDemoSession('loupe-budget-ui-', 'démo', {
    vote: 'budget/budget-vote.csv',
    ca: 'budget/compte-administratif.csv',
    projets: 'budget-participatif/projets.json',
  });
  const res = await t.session.run(budgetReconcile, {
    voted: { table: t.tables.vote },
    executed: { table: t.tables.ca },
    level: 'nature',
    flows: ['D', 'R'],
  });
  return { ...t, result: res.table! };
});

const filter = { year: CREDIT_OVERRUN.year, flow: 'D' as const, opType: 'all' as const };

describe('the budget tree', () => {
  it('shows sections, then chapters with the planted overrun explained at chapter 011', async () => {
    const sections = await treeNodes(demo.engine, demo.result, 'nature', filter, 'section');
    expect(sections.map((s) => s.code)).toEqual(['F', 'I']);
    const f = sections.find((s) => s.code === 'F')!;
    expect(f.flags.find((x) => x.flag === 'depassement_chapitre')?.count).toBe(1);
    const chapters = await treeNodes(demo.engine, demo.result, 'nature', filter, 'chapter', { section: 'F' });
    const c011 = chapters.find((c) => c.code === CREDIT_OVERRUN.chapter)!;
    expect(c011.variance).toBeCloseTo(CREDIT_OVERRUN.excess, 2);
    expect(c011.explanations.map((e) => e.flag)).toContain('depassement_chapitre');
    expect(c011.explanations[0]!.text).toMatch(/chapitre 011/);
    // The section is the sum of its chapters.
    const sum = chapters.reduce((s, c) => s + (c.credits ?? 0), 0);
    expect(f.credits).toBeCloseTo(sum, 2);
  });

  it('sums distinct lines: a line flagged twice counts once', async () => {
    const natures = async (path: Record<string, string | null>) => {
      const fns = await treeNodes(demo.engine, demo.result, 'nature', filter, 'function', path);
      let total = 0;
      for (const fn of fns)
        for (const n of await treeNodes(demo.engine, demo.result, 'nature', filter, 'nature', { ...path, function: fn.code }))
          total += n.executed ?? 0;
      return total;
    };
    const chapters = await treeNodes(demo.engine, demo.result, 'nature', filter, 'chapter', { section: 'F' });
    const c011 = chapters.find((c) => c.code === CREDIT_OVERRUN.chapter)!;
    expect(await natures({ section: 'F', chapter: CREDIT_OVERRUN.chapter })).toBeCloseTo(c011.executed ?? 0, 2);
    const direct = await demo.engine.query(
      `SELECT CAST(sum(execute) AS DOUBLE) FROM (SELECT DISTINCT annee, section, sens, type_operation, chapitre, fonction, nature, execute FROM "${demo.result}" WHERE portee = 'ligne' AND annee = ${CREDIT_OVERRUN.year} AND sens = 'D' AND chapitre = '011')`,
    );
    expect(c011.executed).toBeCloseTo(Number(direct.rows[0]![0]), 2);
  });

  it('lists the years and the rows of one flag', async () => {
    const years = await resultYears(demo.engine, demo.result);
    expect(years).toContain(CREDIT_OVERRUN.year);
    const rows = await demo.engine.query(flagRowsSql(demo.result, 'depassement_chapitre'));
    expect(rows.rows).toHaveLength(1);
    // The explanation first: the grid always has room for it.
    expect(rows.columns[0]!.name).toBe('explication');
    expect(String(rows.rows[0]![0])).toMatch(/chapitre 011/);
    expect((await demo.engine.query(flagRowsSql(demo.result, "x'); DROP TABLE t; --"))).rows).toHaveLength(0);
  });
});

describe('the budget charts', () => {
  it('ranks chapters by the size of their variance and draws them', async () => {
    const rows = await chapterMeasures(demo.engine, demo.result, filter, 100);
    expect(rows[0]!.chapter).toBeDefined();
    const abs = rows.map((r) => Math.abs(r.variance));
    expect([...abs].sort((a, b) => b - a)).toEqual(abs);
    expect(rows.some((r) => r.chapter === CREDIT_OVERRUN.chapter)).toBe(true);
    const spec = varianceBarsSpec(rows, { title: 'Écarts', chapter: 'Chapitre', amount: 'Écart' });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(rows.length);
    expect(rateBarsSpec(rows, { title: 'Taux', chapter: 'Chapitre', amount: '', rate: 'Taux' }).layer).toHaveLength(2);
  });

  it('gives credits and executed per year', async () => {
    // Whatever year the tree shows, the evolution covers every year.
    const years = await yearlyTotals(demo.engine, demo.result, { ...filter, opType: 'R' });
    expect(years.length).toBeGreaterThan(1);
    expect(years.every((y) => (y.credits ?? 0) > 0)).toBe(true);
    const spec = evolutionSpec(years, { title: 'Évolution', chapter: '', amount: '€', credits: 'Crédits', executed: 'Réalisé' });
    expect((spec.data as { values: unknown[] }).values).toHaveLength(years.length * 2);
  });

  it('colours the 20 arrondissements by a participatory measure through the chart model', async () => {
    const pb = await demo.session.run(participatoryBudget, { table: demo.tables.projets });
    const spec = participatoryTileSpec(pb.table!, 'montant_alloue', null);
    const { values } = await chartData(demo.engine, await prepareChart(demo.engine, spec, demo.session.catalog.get(pb.table!)!));
    expect(values).toHaveLength(20);
    const direct = await demo.engine.query(
      `SELECT CAST(arrondissement AS INTEGER), CAST(sum(budget_alloue) AS DOUBLE) FROM "${demo.tables.projets}" WHERE arrondissement <> 'Tout Paris' GROUP BY 1 ORDER BY 1`,
    );
    expect(values.filter((v) => v.color !== null).map((v) => [v.arrondissement, Number(v.color)])).toEqual(
      direct.rows.map((r) => [Number(r[0]), Number(r[1])]),
    );
  });
});

describe('the budget settings kept in the project', () => {
  it('reads back a valid entry and ignores a hostile one', async () => {
    const { readBudgetSettings, guessBudgetTables } = await import('../../src/core/budget/settings.ts');
    expect(readBudgetSettings({ voted: { table: 'budget_vote', mapping: { amount: 'montant_vote' } } })?.voted?.table).toBe('budget_vote');
    expect(readBudgetSettings({ voted: { table: 'x', mapping: { amount: 1 } } })).toBeNull();
    expect(readBudgetSettings('<script>')).toBeNull();
    expect(guessBudgetTables(['arrondissements', 'subventions_votees', 'budget_vote', 'compte_administratif'])).toEqual({
      voted: 'budget_vote',
      executed: 'compte_administratif',
    });
  });
});

describe('relations the view shows in grids', () => {
  it('keeps only the columns asked for, with values quoted', async () => {
    const { rowsWhereRelation } = await import('../../src/core/budget/tree.ts');
    const rel = rowsWhereRelation('res', { portee: "a'b", edition: 2016 }, ['edition', 'nb_projets']);
    expect(rel).toEqual({ kind: 'query', sql: `SELECT "edition", "nb_projets" FROM "res" WHERE "portee" = 'a''b' AND "edition" = 2016` });
  });
});
