import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import * as vega from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { fieldType, recommendCharts } from '../../src/core/viz/recommend.ts';
import { tableEntry } from './helpers.ts';

const table = tableEntry('subventions', 40, [
  ['direction', 'Direction', 'VARCHAR'],
  ['montant', 'Montant voté (€)', 'DECIMAL(18,2)'],
  ['effectif', 'Effectif', 'INTEGER'],
  ['date_vote', 'Date du vote', 'DATE'],
  ['arrondissement', 'Arrondissement', 'VARCHAR'],
  ['siret', 'SIRET', 'BIGINT'],
  ['annee', 'Année', 'INTEGER'],
]);

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE subventions AS SELECT
      ['DAC', 'DASCO', 'DVD', 'DFPE'][i % 4 + 1] AS direction,
      CAST(1000 + i * 250 AS DECIMAL(18,2)) AS montant,
      CAST(i % 7 AS INTEGER) AS effectif,
      DATE '2023-01-15' + CAST(i * 17 AS INTEGER) AS date_vote,
      CASE WHEN i % 5 = 0 THEN 'Tout Paris' ELSE CAST(i % 20 + 1 AS VARCHAR) || 'e' END AS arrondissement,
      CAST(30000000000000 + i AS BIGINT) AS siret,
      CAST(2023 + i % 2 AS INTEGER) AS annee
    FROM range(40) t(i)`);
});
afterAll(async () => engine?.close());

const summary = (specs: ReturnType<typeof recommendCharts>) =>
  specs.map((s) => ({
    mark: s.mark,
    x: s.encoding.x && { f: s.encoding.x.field, a: s.encoding.x.aggregate, b: s.encoding.x.bin, t: s.encoding.x.timeUnit },
    y: s.encoding.y && { f: s.encoding.y.field, a: s.encoding.y.aggregate },
  }));

describe('recommendations', () => {
  it('reads codes and years as categories, not quantities', () => {
    const type = (n: string) => fieldType(table.columns.find((c) => c.name === n)!);
    expect([type('montant'), type('effectif'), type('date_vote'), type('direction'), type('siret'), type('annee')]).toEqual([
      'quantitative',
      'quantitative',
      'temporal',
      'nominal',
      'nominal',
      'ordinal',
    ]);
  });

  it('(nominal): the 20 most frequent values, as horizontal bars of counts', () => {
    const [first, ...rest] = recommendCharts(table, ['direction']);
    expect(first).toMatchObject({
      mark: 'bar',
      limit: 20,
      encoding: { y: { field: 'direction', type: 'nominal' }, x: { aggregate: 'count' } },
    });
    expect(first!.description).toMatch(/^Les 20 valeurs les plus fréquentes de « Direction »/);
    expect(rest).toEqual([]);
  });

  it('(quantitative): a histogram, then a box plot', () => {
    const specs = recommendCharts(table, ['montant']);
    expect(summary(specs)).toEqual([
      { mark: 'bar', x: { f: 'montant', a: undefined, b: true, t: undefined }, y: { f: undefined, a: 'count' } },
      { mark: 'boxplot', x: undefined, y: { f: 'montant', a: undefined } },
    ]);
    expect(specs[0]!.description).toContain('Distribution de « Montant voté (€) »');
  });

  it('(nominal, quantitative): summaries, then the total of an amount by category', () => {
    const specs = recommendCharts(table, ['direction', 'montant']);
    const pair = specs.slice(3);
    expect(pair[0]).toMatchObject({
      mark: 'bar',
      limit: 20,
      encoding: { y: { field: 'direction' }, x: { field: 'montant', aggregate: 'sum' } },
    });
    expect(pair[0]!.description).toBe('Total de « Montant voté (€) » par « Direction », les 20 plus grands');
    expect(pair[1]).toMatchObject({ mark: 'boxplot', encoding: { x: { field: 'direction' }, y: { field: 'montant' } } });
    // A count-like quantity is averaged, an amount summed.
    expect(recommendCharts(table, ['direction', 'effectif'])[3]!.encoding.x).toMatchObject({ aggregate: 'mean' });
  });

  it('(temporal, quantitative): the monthly total over time', () => {
    const specs = recommendCharts(table, ['date_vote', 'montant']);
    expect(specs[0]).toMatchObject({
      mark: 'line',
      encoding: { x: { field: 'date_vote', timeUnit: 'yearmonth' }, y: { aggregate: 'count' } },
    });
    const line = specs.find((s) => s.mark === 'line' && s.encoding.y?.field === 'montant');
    expect(line).toMatchObject({ encoding: { x: { timeUnit: 'yearmonth' }, y: { aggregate: 'sum' } } });
    expect(line!.description).toBe('Total de « Montant voté (€) » par mois de « Date du vote »');
  });

  it('(nominal, nominal) gives a heatmap; an arrondissement column gives the tile map', () => {
    const specs = recommendCharts(table, ['direction', 'arrondissement']);
    expect(specs.map((s) => s.mark)).toContain('rect');
    expect(specs.some((s) => s.map?.kind === 'tiles')).toBe(true);
    expect(specs.find((s) => s.mark === 'rect' && !s.map)?.description).toMatch(/carte de chaleur/);
  });

  it('every recommendation runs, compiles and renders', async () => {
    const specs = [
      ...recommendCharts(table, ['direction', 'montant', 'date_vote']),
      ...recommendCharts(table, ['arrondissement', 'montant', 'annee', 'effectif']),
    ];
    expect(specs.length).toBeGreaterThan(12);
    for (const spec of specs) {
      const { vegaLite, values } = await chartData(engine, await prepareChart(engine, spec, table));
      expect(values.length, spec.description).toBeGreaterThan(0);
      const view = new vega.View(vega.parse(compile(vegaLite as never).spec, undefined, { ast: true }), {
        renderer: 'none',
        expr: expressionInterpreter as never,
      });
      expect(await view.toSVG(), spec.description).toContain('<svg');
      view.finalize();
    }
  });
});
