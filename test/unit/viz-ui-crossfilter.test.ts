// Linked charts on the demo's subsidies: a clicked bar or a brushed interval on one chart becomes
// filters on the others, recomputed in DuckDB; the builder's moves; exports that keep title and source.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import '../../src/core/ops/all.ts';
import type { Session } from '../../src/core/project/session.ts';
import { emptyDraft, parseDraft, placeField, setMark, setTileMap, swapAxes } from '../../src/core/viz/builder.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import {
  BRUSH,
  brushChannel,
  crossFiltered,
  othersSelections,
  selectionFromDatum,
  selectionFromInterval,
  withBrush,
} from '../../src/core/viz/crossfilter.ts';
import { chartCsv, chartFileName, chartJson, chartTexts } from '../../src/core/viz/export-chart.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { closeDiskSession, openDiskSession } from './helpers.ts';

let engine: Engine;
let dir: string;
let s: Session;
let subs: TableEntry;
beforeAll(async () => {
  ({ dir, engine, session: s } = await openDiskSession('loupe-viz-ui-'));
  await s.importPath(join(process.cwd(), 'static/demo/subventions/subventions-votees.csv'));
  subs = s.catalog.list()[0]!;
});
afterAll(() => closeDiskSession({ dir, engine }));

const byDirection = () =>
  ChartSpec.parse({
    source: { table: subs.name },
    mark: 'bar',
    title: 'Subventions par direction',
    encoding: { y: { field: 'direction', type: 'nominal' }, x: { field: 'montant_vote', type: 'quantitative', aggregate: 'sum' } },
  });
const byYear = () =>
  ChartSpec.parse({
    source: { table: subs.name },
    mark: 'bar',
    encoding: { x: { field: 'annee_budgetaire', type: 'ordinal' }, y: { type: 'quantitative', aggregate: 'count' } },
  });

describe('cross-filtering', () => {
  it('turns a clicked bar into a filter that recomputes the other chart in DuckDB', async () => {
    const a = await chartData(engine, await prepareChart(engine, byDirection(), subs));
    const clicked = a.values[0]!;
    const sel = selectionFromDatum(byDirection(), clicked);
    expect(sel).toEqual([{ column: 'direction', op: 'in', values: [clicked.y] }]);
    const b = crossFiltered(byYear(), subs, othersSelections({ a: sel, b: [] }, 'b'));
    const { values } = await chartData(engine, await prepareChart(engine, b, subs));
    const direct = await engine.query(
      `SELECT annee_budgetaire, count(*)::DOUBLE FROM ${subs.name} WHERE direction = '${String(clicked.y)}' GROUP BY 1 ORDER BY 1`,
    );
    expect(values.map((v) => [v.x, v.y])).toEqual(direct.rows);
    // The chart that carries the selection is not filtered by it.
    expect(othersSelections({ a: sel }, 'a')).toEqual([]);
  });

  it('turns a brushed interval on a continuous x into a between filter, and ignores filters on absent columns', async () => {
    const hist = ChartSpec.parse({
      source: { table: subs.name },
      mark: 'bar',
      encoding: { x: { field: 'montant_vote', type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
    });
    expect(brushChannel(hist)).toBe('x');
    expect(brushChannel(byDirection())).toBeNull();
    const vl = withBrush((await prepareChart(engine, hist, subs)).vegaLite, hist);
    expect(JSON.stringify(vl)).toContain(BRUSH);
    const sel = selectionFromInterval(hist, { x: [20000, 1000] });
    expect(sel).toEqual([{ column: 'montant_vote', op: 'between', min: 1000, max: 20000 }]);
    const b = crossFiltered(byYear(), subs, [...sel, { column: 'absente', op: 'in', values: ['x'] }]);
    expect(b.source.filters).toEqual(sel);
    const { values } = await chartData(engine, await prepareChart(engine, b, subs));
    const direct = await engine.query(
      `SELECT annee_budgetaire, count(*)::DOUBLE FROM ${subs.name} WHERE montant_vote BETWEEN 1000 AND 20000 GROUP BY 1 ORDER BY 1`,
    );
    expect(values.map((v) => [v.x, v.y])).toEqual(direct.rows);
  });

  it('selects a month of dates clicked on a temporal axis', async () => {
    const dateCol = subs.columns.find((c) => /^date/i.test(c.name))!;
    const line = ChartSpec.parse({
      source: { table: subs.name },
      mark: 'bar',
      encoding: { x: { field: dateCol.name, type: 'temporal', timeUnit: 'yearmonth' }, y: { type: 'quantitative', aggregate: 'count' } },
    });
    const { values } = await chartData(engine, await prepareChart(engine, line, subs));
    const first = values.find((v) => v.x !== null)!;
    const sel = selectionFromDatum(line, first);
    expect(sel[0]).toMatchObject({ column: dateCol.name, op: 'between' });
    const filtered = crossFiltered(byYear(), subs, sel);
    const r = await chartData(engine, await prepareChart(engine, filtered, subs));
    expect(r.values.reduce((n, v) => n + Number(v.y), 0)).toBe(first.y);
  });
});

describe('the shelf builder', () => {
  it('sums an amount per category when both are placed, swaps axes, turns into a tile map', () => {
    let d = emptyDraft(subs.name);
    d = placeField(d, subs, 'montant_vote', 'x');
    d = placeField(d, subs, 'direction', 'y');
    expect(d.encoding.x).toMatchObject({ field: 'montant_vote', aggregate: 'sum' });
    d = swapAxes(d);
    expect(d.encoding.y?.field).toBe('montant_vote');
    expect(d.encoding.x?.field).toBe('direction');
    expect('spec' in parseDraft(d)).toBe(true);
    const pie = setMark(d, subs, 'arc');
    expect(pie.encoding.theta?.field).toBe('montant_vote');
    const map = setTileMap(d, 'direction');
    expect(map).toMatchObject({ mark: 'rect', map: { kind: 'tiles', key: 'direction' } });
  });
});

describe('chart exports', () => {
  it('keeps title and source line in the CSV and the JSON, with the data inlined', async () => {
    const c = await prepareChart(engine, byDirection(), subs);
    const { vegaLite, values } = await chartData(engine, c);
    const texts = chartTexts(vegaLite);
    expect(texts.title).toBe('Subventions par direction');
    expect(texts.sourceLine).toMatch(/^Source : /);
    const csv = chartCsv(vegaLite, values);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('# Subventions par direction');
    expect(lines[1]).toBe(`# ${texts.sourceLine}`);
    expect(lines[2]).toMatch(/Direction/);
    expect(lines.length).toBe(values.length + 4);
    const json = JSON.parse(chartJson(vegaLite, values));
    expect(json.title.text).toBe('Subventions par direction');
    expect(json.description).toContain(texts.sourceLine);
    expect(json.datasets.loupe_chart).toHaveLength(values.length);
    expect(chartFileName('Subventions votées, 2024', 'png')).toBe('subventions-votees-2024.png');
  });

  it('protects CSV cells against formula injection', () => {
    const csv = chartCsv({ vconcat: [{ encoding: { x: { field: 'x', title: 'X' } } }] }, [{ x: '=HYPERLINK("http://x")' }]);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
  });
});
