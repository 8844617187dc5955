import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from 'vega-lite';
import type { TableEntry } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { ChartSpec, type ChartSpecInput } from '../../src/core/viz/spec.ts';
import { chartData, compileChart, prepareChart, type VlSpec } from '../../src/core/viz/compile.ts';
import { tableEntry } from './helpers.ts';
import { svgOf } from './viz-svg.ts';

let engine: Engine;

// A small table whose aggregates can be worked out by hand; one column name has spaces, accents and
// a bracket, another a double quote.
const MONTANT = 'Montant payé (€)';
const QUOTED = 'nom "court"';
const table: TableEntry = {
  ...tableEntry('paiements', 8, [
    ['direction', 'Direction', 'VARCHAR'],
    [MONTANT, 'Montant.payé [€]', 'DOUBLE'],
    [QUOTED, 'Nom "court"', 'VARCHAR'],
    ['date_paiement', 'Date de paiement', 'DATE'],
    ['n', 'N', 'INTEGER'],
  ]),
  source: {
    fileName: 'paiements.csv',
    path: '/tmp/paiements.csv',
    size: 1,
    sha256: 'a'.repeat(64),
    mtime: null,
    format: 'csv',
    options: {},
    rows: 8,
    columns: 5,
    importedAt: '2024-03-05T10:00:00Z',
    durationMs: 1,
  },
};

beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(
    `CREATE TABLE paiements (direction VARCHAR, "Montant payé (€)" DOUBLE, "nom ""court""" VARCHAR, date_paiement DATE, n INTEGER)`,
  );
  await engine.exec(`INSERT INTO paiements VALUES
    ('DAC', 100, 'a', DATE '2024-01-05', 1), ('DAC', 300, 'b', DATE '2024-01-20', 2), ('DAC', 200, 'a', DATE '2024-02-03', 3),
    ('DASCO', 1000, 'c', DATE '2024-02-10', 4), ('DASCO', 50, 'c', DATE '2024-03-01', 5),
    ('DVD', 10, 'd', DATE '2023-12-31', 6), ('DVD', 20, 'e', DATE '2024-03-15', 7), ('DVD', 30, NULL, DATE '2024-03-16', 8)`);
});
afterAll(async () => engine?.close());

const spec = (s: ChartSpecInput) => ChartSpec.parse(s);
const src = { table: 'paiements' };

async function rowsOf(s: ChartSpecInput) {
  const c = await prepareChart(engine, spec(s), table);
  return { c, ...(await chartData(engine, c)) };
}

describe('chart SQL', () => {
  it('computes every aggregate by category, quoting a column with accents, spaces and brackets', async () => {
    const aggs = ['count', 'sum', 'mean', 'median', 'min', 'max', 'distinct'] as const;
    const expected: Record<(typeof aggs)[number], [number, number, number]> = {
      count: [3, 2, 3],
      sum: [600, 1050, 60],
      mean: [200, 525, 20],
      median: [200, 525, 20],
      min: [100, 50, 10],
      max: [300, 1000, 30],
      distinct: [3, 2, 3],
    };
    for (const aggregate of aggs) {
      const { c, values } = await rowsOf({
        source: src,
        mark: 'bar',
        encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: MONTANT, type: 'quantitative', aggregate } },
      });
      if (aggregate !== 'count') expect(c.sql).toContain('_src."Montant payé (€)"');
      expect(
        values.map((v) => v.y),
        aggregate,
      ).toEqual(expected[aggregate]);
      expect(values.map((v) => v.x)).toEqual(['DAC', 'DASCO', 'DVD']);
    }
  });

  it('quotes a column whose name holds a double quote and counts its distinct values', async () => {
    const { c, values } = await rowsOf({
      source: src,
      mark: 'bar',
      encoding: { y: { field: QUOTED, type: 'quantitative', aggregate: 'distinct' } },
    });
    expect(c.sql).toContain('"nom ""court"""');
    expect(values).toEqual([{ y: 5 }]);
  });

  it('applies the current filters', async () => {
    const { values } = await rowsOf({
      source: { table: 'paiements', filters: [{ column: 'direction', op: 'in', values: ['DAC', 'DVD'] }] },
      mark: 'bar',
      encoding: { y: { type: 'quantitative', aggregate: 'count' } },
    });
    expect(values).toEqual([{ y: 6 }]);
  });

  it('bins in SQL with a nice step', async () => {
    await engine.exec('CREATE OR REPLACE TABLE cent AS SELECT range AS v FROM range(100)');
    const cent = tableEntry('cent', 100, [['v', 'v', 'BIGINT']]);
    const c = await prepareChart(
      engine,
      spec({
        source: { table: 'cent' },
        mark: 'bar',
        encoding: { x: { field: 'v', type: 'quantitative', bin: true }, y: { type: 'quantitative', aggregate: 'count' } },
      }),
      cent,
    );
    const { values } = await chartData(engine, c);
    expect(values).toEqual(Array.from({ length: 10 }, (_, i) => ({ x: i * 10, x_end: i * 10 + 10, y: 10 })));
    expect(c.vegaLite.vconcat).toBeDefined();
    await svgOf((await chartData(engine, c)).vegaLite);
  });

  it('truncates dates by time unit and keeps cyclic units as numbers', async () => {
    const { values } = await rowsOf({
      source: src,
      mark: 'line',
      encoding: {
        x: { field: 'date_paiement', type: 'temporal', timeUnit: 'yearmonth' },
        y: { field: MONTANT, type: 'quantitative', aggregate: 'sum' },
      },
    });
    expect(values).toEqual([
      { x: '2023-12-01', y: 10 },
      { x: '2024-01-01', y: 400 },
      { x: '2024-02-01', y: 1200 },
      { x: '2024-03-01', y: 100 },
    ]);
    const months = await rowsOf({
      source: src,
      mark: 'bar',
      encoding: { x: { field: 'date_paiement', type: 'ordinal', timeUnit: 'month' }, y: { type: 'quantitative', aggregate: 'count' } },
    });
    expect(months.values).toEqual([
      { x: 1, y: 2 },
      { x: 2, y: 2 },
      { x: 3, y: 3 },
      { x: 12, y: 1 },
    ]);
  });

  it('computes boxplot quartiles per group in SQL', async () => {
    const { values } = await rowsOf({
      source: src,
      mark: 'boxplot',
      encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: MONTANT, type: 'quantitative' } },
    });
    expect(values[0]).toEqual({ x: 'DAC', lower: 100, q1: 150, median: 200, q3: 250, upper: 300, n: 3 });
    expect(values[2]).toEqual({ x: 'DVD', lower: 10, q1: 15, median: 20, q3: 25, upper: 30, n: 3 });
  });

  it('keeps the top N categories by total and says how many there were', async () => {
    const { c, values } = await rowsOf({
      source: src,
      mark: 'bar',
      limit: 2,
      encoding: { y: { field: 'direction', type: 'nominal' }, x: { field: MONTANT, type: 'quantitative', aggregate: 'sum' } },
    });
    expect(values.map((v) => v.y)).toEqual(['DAC', 'DASCO']);
    expect(c.capped).toBe(true);
    expect(c.note).toBe('2 premières catégories sur 3, par total décroissant');
  });
});

describe('the 5,000-mark cap', () => {
  const big = tableEntry('grand', 12_345, [
    ['a', 'A', 'DOUBLE'],
    ['b', 'B', 'DOUBLE'],
    ['k', 'K', 'VARCHAR'],
  ]);
  beforeAll(async () => {
    await engine.exec(
      `CREATE OR REPLACE TABLE grand AS SELECT i::DOUBLE AS a, (i * 7 % 1000)::DOUBLE AS b, 'k' || i AS k FROM range(12345) t(i)`,
    );
  });

  it('samples a scatter plot reproducibly and says so in the subtitle', async () => {
    const s = {
      source: { table: 'grand' },
      mark: 'point',
      encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
    } as const;
    const c = await prepareChart(engine, spec(s), big);
    expect(c.capped).toBe(true);
    expect(c.note).toBe('Échantillon de 5\u202f000 points sur 12\u202f345');
    const first = await chartData(engine, c);
    const again = await chartData(engine, await prepareChart(engine, spec(s), big));
    expect(first.values).toHaveLength(5000);
    expect(again.values).toEqual(first.values);
    const other = await chartData(engine, await prepareChart(engine, spec({ ...s, seed: 2 }), big));
    expect(other.values).not.toEqual(first.values);
    expect(JSON.stringify(first.vegaLite.title)).toContain('Échantillon de 5');
  });

  it('keeps the 5,000 largest groups of a bar chart with too many categories', async () => {
    const c = await prepareChart(
      engine,
      spec({
        source: { table: 'grand' },
        mark: 'bar',
        encoding: { x: { field: 'k', type: 'nominal' }, y: { field: 'a', type: 'quantitative', aggregate: 'sum' } },
      }),
      big,
    );
    expect(c.capped).toBe(true);
    expect(c.note).toMatch(/^5\u202f000 premiers groupes sur 12\u202f345/);
    const { values } = await chartData(engine, c);
    expect(values).toHaveLength(5000);
    expect(values[0]).toEqual({ x: 'k12344', y: 12344 });
  });

  it('does not cap a chart under the limit', async () => {
    const c = await prepareChart(
      engine,
      spec({
        source: src,
        mark: 'point',
        encoding: { x: { field: 'n', type: 'quantitative' }, y: { field: MONTANT, type: 'quantitative' } },
      }),
      table,
    );
    expect(c.capped).toBe(false);
    expect(c.note).toBeUndefined();
    expect((await chartData(engine, c)).values).toHaveLength(8);
  });
});

describe('Vega-Lite specs', () => {
  const cases: [string, ChartSpecInput][] = [
    [
      'bar',
      {
        source: src,
        mark: 'bar',
        encoding: {
          x: { field: 'direction', type: 'nominal' },
          y: { field: MONTANT, type: 'quantitative', aggregate: 'sum' },
          color: { field: QUOTED, type: 'nominal' },
        },
      },
    ],
    [
      'line',
      {
        source: src,
        mark: 'line',
        encoding: {
          x: { field: 'date_paiement', type: 'temporal', timeUnit: 'yearmonth' },
          y: { field: MONTANT, type: 'quantitative', aggregate: 'sum' },
        },
      },
    ],
    [
      'area',
      {
        source: src,
        mark: 'area',
        encoding: {
          x: { field: 'date_paiement', type: 'temporal', timeUnit: 'yearmonthdate' },
          y: { field: MONTANT, type: 'quantitative', aggregate: 'sum', stack: 'normalize' },
          color: { field: 'direction', type: 'nominal' },
        },
      },
    ],
    [
      'point',
      {
        source: src,
        mark: 'point',
        encoding: {
          x: { field: 'n', type: 'quantitative' },
          y: { field: MONTANT, type: 'quantitative' },
          size: { field: 'n', type: 'quantitative' },
          shape: { field: 'direction', type: 'nominal' },
          opacity: { field: 'n', type: 'quantitative' },
        },
      },
    ],
    [
      'tick',
      { source: src, mark: 'tick', encoding: { x: { field: MONTANT, type: 'quantitative' }, y: { field: 'direction', type: 'nominal' } } },
    ],
    [
      'rect',
      {
        source: src,
        mark: 'rect',
        encoding: {
          x: { field: 'direction', type: 'nominal' },
          y: { field: 'date_paiement', type: 'ordinal', timeUnit: 'month' },
          color: { type: 'quantitative', aggregate: 'count' },
        },
      },
    ],
    [
      'boxplot',
      {
        source: src,
        mark: 'boxplot',
        encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: MONTANT, type: 'quantitative' } },
      },
    ],
    [
      'horizontal boxplot',
      {
        source: src,
        mark: 'boxplot',
        encoding: { y: { field: 'direction', type: 'nominal' }, x: { field: MONTANT, type: 'quantitative' } },
      },
    ],
    [
      'arc',
      {
        source: src,
        mark: 'arc',
        encoding: { color: { field: 'direction', type: 'nominal' }, theta: { field: MONTANT, type: 'quantitative', aggregate: 'sum' } },
      },
    ],
    [
      'ordinal years',
      {
        source: src,
        mark: 'bar',
        encoding: { x: { field: 'date_paiement', type: 'ordinal', timeUnit: 'year' }, y: { type: 'quantitative', aggregate: 'count' } },
      },
    ],
    [
      'facets',
      {
        source: src,
        mark: 'bar',
        encoding: {
          x: { field: 'direction', type: 'nominal' },
          y: { type: 'quantitative', aggregate: 'count' },
          column: { field: QUOTED, type: 'nominal' },
          detail: { field: 'n', type: 'quantitative' },
        },
      },
    ],
  ];
  for (const [name, s] of cases) {
    it(`${name}: compiles with vega-lite and renders to SVG`, async () => {
      const { vegaLite } = await rowsOf(s);
      expect(() => compile(vegaLite as never)).not.toThrow();
      const svg = await svgOf(vegaLite);
      expect(svg).toContain('<svg');
      expect(svg).toContain('Source : paiements, paiements.csv, importé le 05/03/2024');
      // Labels with dots and brackets are titles, never field names.
      expect(JSON.stringify(vegaLite)).not.toMatch(/"field":"[^"]*[.[\]\\]/);
    });
  }

  it('uses the original label as the axis title and French number and month formats', async () => {
    const { vegaLite } = await rowsOf({
      source: src,
      mark: 'bar',
      title: 'Paiements',
      encoding: {
        x: { field: 'date_paiement', type: 'temporal', timeUnit: 'yearmonth' },
        y: { field: MONTANT, type: 'quantitative', aggregate: 'sum' },
      },
    });
    const svg = await svgOf(vegaLite);
    expect(svg).toContain('Somme de Montant.payé [€]');
    expect(svg).toContain('janv. 2024');
    expect(svg).toMatch(/1\u202f[02]00\u00a0€/);
  });

  it.each([
    ['year', ['>2023<', '>2024<']],
    ['month', ['>janv.<', '>déc.<']],
  ] as const)(
    'labels dates truncated to the %s and used as categories like dates, cyclic units with French names',
    async (timeUnit, labels) => {
      const { vegaLite } = await rowsOf({
        source: src,
        mark: 'bar',
        encoding: { x: { field: 'date_paiement', type: 'ordinal', timeUnit }, y: { type: 'quantitative', aggregate: 'count' } },
      });
      const svg = await svgOf(vegaLite);
      for (const label of labels) expect(svg).toContain(label);
    },
  );

  const sumByDirection = () =>
    spec({
      source: src,
      mark: 'bar',
      encoding: { x: { field: 'direction', type: 'nominal' }, y: { field: MONTANT, type: 'quantitative', aggregate: 'sum' } },
    });

  it('sorts bars by value, largest first, on a zero-based axis', () => {
    const c = compileChart(sumByDirection(), table);
    const main = (c.vegaLite.vconcat as VlSpec[])[0]!;
    const enc = main.encoding as Record<string, Record<string, unknown>>;
    expect(enc.x!.sort).toBe('-y');
    expect(enc.y!.scale).toEqual({ zero: true });
  });

  it('writes English texts when given English messages', async () => {
    const { EN_MESSAGES } = await import('../../src/core/viz/format.ts');
    const c = compileChart(sumByDirection(), table, { messages: EN_MESSAGES });
    expect(JSON.stringify(c.vegaLite)).toContain('Sum of Montant.payé [€]');
    expect(JSON.stringify(c.vegaLite)).toContain('Source: paiements, paiements.csv, imported on 05/03/2024');
  });
});
