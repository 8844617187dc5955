// Data and column names are untrusted: whatever they hold must reach the chart as inert text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { csvProvenance } from '../fixtures/provenance.ts';
import { svgOf } from './viz-svg.ts';

const LABEL = '<img src=x onerror=alert(1)>';
const COLUMN = `x" onmouseover="alert(1)`;
let engine: Engine;
const table: TableEntry = {
  name: 'piege',
  kind: 'table',
  rows: 3,
  columns: [
    { name: 'cat', label: LABEL, type: 'VARCHAR' },
    { name: COLUMN, label: `datum['x'].constructor`, type: 'DOUBLE' },
  ],
  source: csvProvenance({ fileName: '<script>alert("file")</script>.csv', path: '/tmp/x.csv', rows: 3, columns: 2 }),
};

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE piege (cat VARCHAR, "x"" onmouseover=""alert(1)" DOUBLE)`);
  await engine.exec(`INSERT INTO piege VALUES ('<script>alert(1)</script>', 10), ('javascript:alert(2)', 20), ('a'' OR 1=1 --', 30)`);
});
afterAll(async () => engine?.close());

describe('hostile labels and values', () => {
  it('render escaped in the SVG: titles, axis labels, tooltips and the source line', async () => {
    const spec = ChartSpec.parse({
      source: { table: 'piege' },
      mark: 'bar',
      title: LABEL,
      subtitle: '<script>alert("subtitle")</script>',
      encoding: {
        x: { field: 'cat', type: 'nominal' },
        y: { field: COLUMN, type: 'quantitative', aggregate: 'sum' },
        tooltip: [
          { field: 'cat', type: 'nominal' },
          { field: COLUMN, type: 'quantitative', aggregate: 'sum' },
        ],
      },
    });
    const compiled = await prepareChart(engine, spec, table);
    const { values, vegaLite } = await chartData(engine, compiled);
    expect(values.map((v) => v.x).sort()).toEqual(['<script>alert(1)</script>', "a' OR 1=1 --", 'javascript:alert(2)']);
    const svg = await svgOf(vegaLite);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(svg).not.toMatch(/<script/i);
    expect(svg).not.toMatch(/<img/i);
    expect(svg).not.toMatch(/\son\w+\s*=\s*"(?!&)/i);
    expect(svg).not.toMatch(/href\s*=\s*["']?\s*javascript:/i);
    // The label that looks like a Vega expression is only ever a title.
    expect(JSON.stringify(vegaLite)).not.toContain('"field":"datum');
    expect(svg).toContain("Somme de datum['x'].constructor");
  });
});
