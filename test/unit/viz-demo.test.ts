// The demo's participatory budget on the maps: arrondissements written "1".."20" or "Tout Paris",
// joined to the demo's arrondissement GeoJSON on its INSEE code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import '../../src/core/ops/all.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import type { Session } from '../../src/core/project/session.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { recommendCharts } from '../../src/core/viz/recommend.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { closeDiskSession, openDemoSession } from './helpers.ts';

let engine: Engine;
let dir: string;
let s: Session;
beforeAll(async () => {
  ({
    dir,
    engine,
    session: s,
  } = await openDemoSession('loupe-viz-demo-', 'p', {
    projets: 'budget-participatif/projets.json',
    arrondissements: 'referentiels/arrondissements.geojson',
  }));
});
afterAll(() => closeDiskSession({ dir, engine }));

describe('demo participatory budget on maps', () => {
  it('sums the budget per arrondissement on the tile map, leaving « Tout Paris » out, as SQL says', async () => {
    const projets = s.catalog.get('projets')!;
    const spec = ChartSpec.parse({
      source: { table: 'projets' },
      mark: 'rect',
      map: { kind: 'tiles', key: 'arrondissement' },
      encoding: { color: { field: 'budget_alloue', type: 'quantitative', aggregate: 'sum' } },
    });
    const { values, vegaLite } = await chartData(engine, await prepareChart(engine, spec, projets));
    expect(values).toHaveLength(20);
    const direct = await engine.query(
      `SELECT CAST(arrondissement AS INTEGER) AS a, sum(budget_alloue) FROM projets WHERE arrondissement <> 'Tout Paris' GROUP BY 1 ORDER BY 1`,
    );
    expect(values.filter((v) => v.color !== null).map((v) => [v.arrondissement, v.color])).toEqual(direct.rows);
    expect(JSON.stringify(vegaLite)).toMatch(/Source : projets, projets\.json, importé le \d\d\/\d\d\/\d{4}/);
  });

  it('draws the choropleth on the GeoJSON and recommends the tile map for the arrondissement column', async () => {
    const geo = s.catalog.get('arrondissements')!;
    const key = geo.columns.find((c) => c.label === 'c_arinsee')!.name;
    const res = await s.run(getOperation('chart')!, {
      source: { table: 'projets', filters: [{ column: 'statut', op: 'equals', value: 'Livré' }] },
      mark: 'geoshape',
      map: { kind: 'choropleth', key: 'arrondissement', geoTable: 'arrondissements', geoKey: key },
      encoding: { color: { type: 'quantitative', aggregate: 'count' } },
      title: 'Projets livrés par arrondissement',
    });
    expect(res.digest?.rows).toBe(20);
    const recs = recommendCharts(s.catalog.get('projets')!, ['arrondissement', 'budget_alloue']);
    expect(recs.some((r) => r.map?.kind === 'tiles' && r.encoding.color?.field === 'budget_alloue')).toBe(true);
  });
});
