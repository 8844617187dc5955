// Cross-filter indexes and one-scan charts give the very numbers of the full query: every chart type
// of a dashboard, under a click, a bin click, a date brush, a map click, two selections at once and
// none, compared value for value (not within a tolerance) with the chart recomputed over the table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog, type TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import type { Filter } from '../../src/core/query/filters.ts';
import { niceStep } from '../../src/core/viz/chart-sql.ts';
import { binSteps, ExtentCache, runChart } from '../../src/core/viz/chart-stats.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { crossFiltered, selectionFromArea, selectionFromDatum, selectionFromInterval } from '../../src/core/viz/crossfilter.ts';
import { CrossIndexes, planIndex } from '../../src/core/viz/crossfilter-index.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { crossfilterTableSql, geoTableSql } from '../fixtures/crossfilter-fixtures.ts';

let engine: Engine;
const catalog = new Catalog();
let t: TableEntry;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.query(crossfilterTableSql('depenses', 20_000, 1));
  for (const q of geoTableSql('zones')) await engine.query(q);
  for (const n of ['depenses', 'zones']) catalog.set({ name: n, kind: 'table', columns: [], rows: 0 });
  t = await catalog.refresh(engine, 'depenses');
  await catalog.refresh(engine, 'zones');
});
afterAll(async () => {
  await engine?.close();
});

const spec = (s: Record<string, unknown>) => ChartSpec.parse({ source: { table: 'depenses' }, ...s });
const CHARTS: Record<string, ChartSpec> = {
  bar: spec({
    mark: 'bar',
    encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: 'montant', type: 'quantitative', aggregate: 'sum' } },
  }),
  stacked: spec({
    mark: 'bar',
    encoding: {
      x: { field: 'annee', type: 'ordinal' },
      y: { type: 'quantitative', aggregate: 'count' },
      color: { field: 'categorie', type: 'nominal' },
    },
  }),
  line: spec({
    mark: 'line',
    encoding: {
      x: { field: 'jour', type: 'temporal', timeUnit: 'yearmonth' },
      y: { field: 'quantite', type: 'quantitative', aggregate: 'sum' },
    },
  }),
  area: spec({
    mark: 'area',
    encoding: {
      x: { field: 'jour', type: 'temporal', timeUnit: 'yearquarter' },
      y: { type: 'quantitative', aggregate: 'count' },
      color: { field: 'direction', type: 'nominal' },
    },
  }),
  point: spec({
    mark: 'point',
    encoding: {
      x: { field: 'annee', type: 'ordinal' },
      y: { field: 'montant', type: 'quantitative', aggregate: 'max' },
      size: { type: 'quantitative', aggregate: 'count' },
    },
  }),
  histogram: spec({
    mark: 'bar',
    encoding: { x: { field: 'montant', type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
  }),
  histogram30: spec({
    mark: 'bar',
    encoding: { x: { field: 'quantite', type: 'quantitative', bin: 30 }, y: { field: 'montant', type: 'quantitative', aggregate: 'min' } },
  }),
  heatmap: spec({
    mark: 'rect',
    encoding: {
      x: { field: 'direction', type: 'nominal' },
      y: { field: 'annee', type: 'ordinal' },
      color: { field: 'montant', type: 'quantitative', aggregate: 'sum' },
    },
  }),
  tiles: spec({
    mark: 'rect',
    map: { kind: 'tiles', key: 'arrondissement' },
    encoding: { color: { field: 'montant', type: 'quantitative', aggregate: 'sum' } },
  }),
  choropleth: spec({
    mark: 'geoshape',
    map: {
      kind: 'choropleth',
      key: 'arrondissement',
      geoTable: 'zones',
      geoKey: 'code',
      geometry: 'geometry',
      normalize: 'arrondissement',
    },
    encoding: { color: { type: 'quantitative', aggregate: 'count' } },
  }),
  scatter: spec({
    mark: 'point',
    encoding: { x: { field: 'montant', type: 'quantitative' }, y: { field: 'quantite', type: 'quantitative' } },
  }),
  mean: spec({
    mark: 'bar',
    encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: 'montant', type: 'quantitative', aggregate: 'mean' } },
  }),
  floatSum: spec({
    mark: 'bar',
    encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: 'poids', type: 'quantitative', aggregate: 'sum' } },
  }),
  median: spec({
    mark: 'bar',
    encoding: { x: { field: 'categorie', type: 'nominal' }, y: { field: 'montant', type: 'quantitative', aggregate: 'median' } },
  }),
  top: spec({
    mark: 'bar',
    limit: 3,
    encoding: { x: { field: 'categorie', type: 'nominal' }, y: { type: 'quantitative', aggregate: 'count' } },
  }),
};
const INDEXED = ['bar', 'stacked', 'line', 'area', 'point', 'histogram', 'histogram30', 'heatmap', 'tiles', 'choropleth'];
const FALLBACK: Record<string, string> = { scatter: 'rows', mean: 'mean', floatSum: 'float', median: 'median', top: 'limit' };

/** The chart recomputed over the table, counted first then queried (prepareChart), with the chart's unfiltered bins. */
async function fullQuery(own: ChartSpec, filters: Filter[]) {
  const steps = await binSteps(engine, own, t, new ExtentCache());
  const c = await prepareChart(engine, crossFiltered(own, t, filters), t, { binSteps: steps });
  return (await chartData(engine, c)).values;
}

const sortRows = (vs: Record<string, unknown>[]) => vs.map((v) => JSON.stringify(v)).sort();

describe('cross-filter index', () => {
  let selections: Record<string, Filter[]>;
  beforeAll(async () => {
    const hist = await fullQuery(CHARTS.histogram30!, []);
    const bin = hist[3]!;
    const tiles = await fullQuery(CHARTS.tiles!, []);
    selections = {
      none: [],
      click: selectionFromDatum(CHARTS.bar!, { x: 'DAC' }),
      clickNull: selectionFromDatum(CHARTS.stacked!, { x: 2022, color: null }),
      bin: selectionFromDatum(CHARTS.histogram30!, bin),
      brush: selectionFromInterval(
        spec({ mark: 'line', encoding: { x: { field: 'jour', type: 'temporal' }, y: { type: 'quantitative', aggregate: 'count' } } }),
        {
          x: [Date.UTC(2022, 2, 10), Date.UTC(2023, 5, 3, 12)],
        },
      ),
      map: await selectionFromArea(
        engine,
        CHARTS.tiles!,
        t,
        tiles.find((v) => v.arrondissement === 4),
      ),
    };
    selections.both = [...selections.click!, ...selections.bin!];
  });

  it('turns each kind of selection into filters (the map click lists every spelling of its arrondissement)', () => {
    expect(selections.click).toEqual([{ column: 'direction', op: 'in', values: ['DAC'] }]);
    expect(selections.bin![0]).toMatchObject({ column: 'quantite', op: 'between' });
    expect(selections.brush![0]).toMatchObject({ column: 'jour', op: 'between' });
    const m = selections.map![0] as Extract<Filter, { op: 'in' }>;
    expect(m.column).toBe('arrondissement');
    expect(new Set(m.values)).toEqual(new Set(['75004', '4e', 'Paris 4e arrondissement', '4']));
  });

  it('gives exactly the full query’s rows on every chart type and selection', async () => {
    const idx = new CrossIndexes('test_xf');
    let compared = 0;
    for (const [sel, filters] of Object.entries(selections)) {
      const columns = [...new Set(filters.map((f) => f.column))];
      for (const name of INDEXED) {
        const own = CHARTS[name]!;
        const steps = await binSteps(engine, own, t);
        const built = await idx.ensure(engine, own, t, columns, steps);
        expect(built.state, `${name} / ${sel}`).toBe('ready');
        const viaIndex = await idx.run(engine, own, t, filters, steps);
        expect(viaIndex.via, `${name} / ${sel}`).toBe('index');
        const full = await fullQuery(own, filters);
        expect(viaIndex.values, `${name} / ${sel}`).toEqual(full);
        compared++;
      }
    }
    expect(compared).toBe(Object.keys(selections).length * INDEXED.length);
    // The selections really select: a filtered bar chart differs from the unfiltered one.
    expect(await fullQuery(CHARTS.heatmap!, selections.brush!)).not.toEqual(await fullQuery(CHARTS.heatmap!, []));
    await idx.dropAll(engine);
  });

  it('keeps the full query where an index cannot be exact, and says why', async () => {
    const idx = new CrossIndexes('test_fb');
    for (const [name, reason] of Object.entries(FALLBACK)) {
      const own = CHARTS[name]!;
      const steps = await binSteps(engine, own, t);
      expect(planIndex(own, t, ['direction'], steps)).toEqual({ ok: false, reason });
      await idx.ensure(engine, own, t, ['direction'], steps);
      const r = await idx.run(engine, own, t, selections.click!, steps);
      expect(r).toMatchObject({ via: 'full', reason });
      expect(sortRows(r.values)).toEqual(sortRows(await fullQuery(own, selections.click!)));
    }
  });

  it('is much smaller than the table it stands for', async () => {
    const idx = new CrossIndexes('test_sz');
    const e = await idx.ensure(engine, CHARTS.line!, t, ['direction'], {});
    expect(e.state).toBe('ready');
    expect(e.state === 'ready' && e.rows).toBeLessThan(t.rows / 20);
    // A brushed column with (nearly) a distinct value per row would make an index as large as the table.
    for (const column of ['id', 'montant'])
      expect(await idx.ensure(engine, CHARTS.bar!, t, [column], {})).toEqual({ state: 'unusable', reason: 'size' });
    const r = await idx.run(engine, CHARTS.bar!, t, [{ column: 'montant', op: 'between', min: 0, max: 1000 }], {});
    expect(r).toMatchObject({ via: 'full', reason: 'size' });
    await idx.dropAll(engine);
  });
});

describe('one-scan charts and cached extents', () => {
  it('draws bar, histogram, line and heatmap in one query, with the rows of the two-phase path', async () => {
    for (const name of ['bar', 'histogram', 'histogram30', 'line', 'heatmap', 'tiles']) {
      const own = CHARTS[name]!;
      const one = await runChart(engine, own, t, { cache: new ExtentCache() });
      expect(one.passes, name).toBe(1);
      // The two-phase path with the bins computed in SQL from the column (stepSql), not from the cache.
      const two = await chartData(engine, await prepareChart(engine, own, t));
      expect(one.values, name).toEqual(two.values);
    }
  });

  it('counts first when the marks do not fit, and says how many were left out', async () => {
    const r = await runChart(engine, CHARTS.scatter!, t, { maxMarks: 500 });
    expect(r.passes).toBe(2);
    expect(r.compiled.capped).toBe(true);
    expect(r.values).toHaveLength(500);
  });

  it('reads a column’s extent once per table version, and again when the table is replaced', async () => {
    const cache = new ExtentCache();
    const a = await binSteps(engine, CHARTS.histogram!, t, cache);
    await binSteps(engine, CHARTS.histogram!, t, cache);
    expect({ hits: cache.hits, misses: cache.misses }).toEqual({ hits: 1, misses: 1 });
    const fresh = await engine.query('SELECT min(CAST(montant AS DOUBLE)), max(CAST(montant AS DOUBLE)) FROM depenses');
    expect(a.x).toBe(niceStep(Number(fresh.rows[0]![0]), Number(fresh.rows[0]![1]), 10, false));

    // Replaced by a table ten times smaller in amounts: the cached step would be wrong.
    await engine.query(crossfilterTableSql('depenses2', 5_000, 0.1));
    await engine.query('CREATE OR REPLACE TABLE depenses AS SELECT * FROM depenses2');
    const t2 = await catalog.refresh(engine, 'depenses');
    const b = await binSteps(engine, CHARTS.histogram!, t2, cache);
    expect(cache.misses).toBe(2);
    expect(b.x).toBeLessThan(a.x!);
    const one = await runChart(engine, CHARTS.histogram!, t2, { cache });
    const two = await chartData(engine, await prepareChart(engine, CHARTS.histogram!, t2));
    expect(one.values).toEqual(two.values);
    // Put back for any later test.
    await engine.query(crossfilterTableSql('depenses', 20_000, 1));
    t = await catalog.refresh(engine, 'depenses');
  });
});
