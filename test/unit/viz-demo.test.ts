// The demo's participatory budget on the maps: arrondissements written "1".."20" or "Tout Paris",
// joined to the demo's arrondissement GeoJSON on its INSEE code.
import { describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { recommendCharts } from '../../src/core/viz/recommend.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { openDemoSession, suite } from './helpers.ts';

const demo = suite(() =>
  openDemoSession('loupe-viz-demo-', 'p', {
    projets: 'budget-participatif/projets.json',
    arrondissements: 'referentiels/arrondissements.geojson',
  }),
);

describe('demo participatory budget on maps', () => {
  it('sums the budget per arrondissement on the tile map, leaving « Tout Paris » out, as SQL says', async () => {
    const projets = demo.session.catalog.get('projets')!;
    const spec = ChartSpec.parse({
      source: { table: 'projets' },
      mark: 'rect',
      map: { kind: 'tiles', key: 'arrondissement' },
      encoding: { color: { field: 'budget_alloue', type: 'quantitative', aggregate: 'sum' } },
    });
    const { values, vegaLite } = await chartData(demo.engine, await prepareChart(demo.engine, spec, projets));
    expect(values).toHaveLength(20);
    const direct = await demo.engine.query(
      `SELECT CAST(arrondissement AS INTEGER) AS a, sum(budget_alloue) FROM projets WHERE arrondissement <> 'Tout Paris' GROUP BY 1 ORDER BY 1`,
    );
    expect(values.filter((v) => v.color !== null).map((v) => [v.arrondissement, v.color])).toEqual(direct.rows);
    expect(JSON.stringify(vegaLite)).toMatch(/Source : projets, projets\.json, importé le \d\d\/\d\d\/\d{4}/);
  });

  it('draws the choropleth on the GeoJSON and recommends the tile map for the arrondissement column', async () => {
    const geo = demo.session.catalog.get('arrondissements')!;
    const key = geo.columns.find((c) => c.label === 'c_arinsee')!.name;
    const res = await demo.session.run(getOperation('chart')!, {
      source: { table: 'projets', filters: [{ column: 'statut', op: 'equals', value: 'Livré' }] },
      mark: 'geoshape',
      map: { kind: 'choropleth', key: 'arrondissement', geoTable: 'arrondissements', geoKey: key },
      encoding: { color: { type: 'quantitative', aggregate: 'count' } },
      title: 'Projets livrés par arrondissement',
    });
    expect(res.digest?.rows).toBe(20);
    const recs = recommendCharts(demo.session.catalog.get('projets')!, ['arrondissement', 'budget_alloue']);
    expect(recs.some((r) => r.map?.kind === 'tiles' && r.encoding.color?.field === 'budget_alloue')).toBe(true);
  });
});
