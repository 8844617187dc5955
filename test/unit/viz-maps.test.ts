import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { arrondissementsGeoJson } from '../../src/demo/arrondissements.ts';
import '../../src/core/ops/all.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import {
  ARRONDISSEMENT_TILES,
  arrondissementSql,
  isParisCentre,
  normalizeArrondissement,
  parisCentreSql,
} from '../../src/core/viz/arrondissements.ts';
import { chartData, prepareChart } from '../../src/core/viz/compile.ts';
import { ChartSpec } from '../../src/core/viz/spec.ts';
import { svgOf } from './viz-svg.ts';

const CASES: [unknown, number | null][] = [
  ['75011', 11],
  ['11', 11],
  [11, 11],
  ['11e', 11],
  ['11ème arrondissement', 11],
  ['11eme arrondissement', 11],
  ['Paris 11e', 11],
  ['75111', 11],
  [75111, 11],
  ['11e Ardt', 11],
  ['1er', 1],
  ['1er Ardt', 1],
  ['75001', 1],
  ['75116', 16],
  ['75020', 20],
  ['20e', 20],
  ['XIe arrondissement', 11],
  ['Paris 4e arrondissement', 4],
  [' 7 ', 7],
  ['Tout Paris', null],
  ['Paris Centre', null],
  ['21', null],
  ['0', null],
  ['75021', null],
  ['', null],
  [null, null],
  ['Vincennes', null],
  [2024, null],
  // Paris Centre (the 1st–4th merged in 2020; 75123 in the participatory-budget export) is no single arrondissement.
  ['75123', null],
  [75123, null],
  ['Paris Centre (1er–4e)', null],
  ['Paris-Centre', null],
  ['75104', 4],
];

let engine: Engine;
let dir: string;
beforeAll(async () => {
  engine = await createNodeEngine();
  dir = await mkdtemp(join(tmpdir(), 'loupe-viz-maps-'));
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('normalizeArrondissement', () => {
  for (const [input, expected] of CASES) {
    it(`${JSON.stringify(input)} → ${expected}`, () => expect(normalizeArrondissement(input)).toBe(expected));
  }

  it('tells Paris Centre apart, in JS and in SQL, and nothing else', async () => {
    const values = ['75123', 'Paris Centre', 'Paris-Centre (1er–4e)', 'PARIS CENTRE', '75004', '4e', 'Tout Paris', '75116', 'Centrer'];
    const expected = [true, true, true, true, false, false, false, false, false];
    expect(values.map(isParisCentre)).toEqual(expected);
    expect(isParisCentre(null)).toBe(false);
    const r = await engine.query(`SELECT ${parisCentreSql('v')} FROM (VALUES ${values.map((v) => `('${v}')`).join(', ')}) t(v)`);
    expect(r.rows.map((x) => x[0])).toEqual(expected);
  });

  it('gives the same numbers in SQL (Roman numerals aside)', async () => {
    const cases = CASES.filter(([v]) => v !== null && typeof v === 'string' && !/^X/.test(v));
    const values = cases.map(([v]) => `(${`'${String(v).replaceAll("'", "''")}'`})`).join(', ');
    const r = await engine.query(`SELECT v, ${arrondissementSql('v')} FROM (VALUES ${values}) t(v)`);
    expect(r.rows.map(([v, n]) => [v, n ?? null])).toEqual(cases.map(([v, n]) => [v, n]));
  });
});

describe('maps', () => {
  let session: Session;
  beforeAll(async () => {
    await writeFile(join(dir, 'arrondissements.geojson'), arrondissementsGeoJson());
    await writeFile(
      join(dir, 'projets.csv'),
      'Arrondissement;Montant (€)\n11;1000\n75011;500\nParis 4e;200\n1er Ardt;50\nTout Paris;99999\n75116;300\n',
    );
    session = await Session.create(engine, new NodeProjectStore(join(dir, 'p')), nodeFileResolver, 'p');
    await session.importPath(join(dir, 'arrondissements.geojson'));
    await session.importPath(join(dir, 'projets.csv'));
  });

  it('the tile map has one tile per arrondissement, coloured by the measure', async () => {
    const table = session.catalog.get('projets')!;
    const spec = ChartSpec.parse({
      source: { table: 'projets' },
      mark: 'rect',
      map: { kind: 'tiles', key: 'arrondissement' },
      encoding: { color: { field: 'montant', type: 'quantitative', aggregate: 'sum' } },
      title: 'Projets par arrondissement',
    });
    const { values, vegaLite } = await chartData(engine, await prepareChart(engine, spec, table));
    expect(values).toHaveLength(20);
    expect(new Set(values.map((v) => v.arrondissement))).toEqual(new Set(ARRONDISSEMENT_TILES.map((t) => t.arrondissement)));
    const byArr = Object.fromEntries(values.map((v) => [v.arrondissement, v.color]));
    expect(byArr).toMatchObject({ 11: 1500, 4: 200, 1: 50, 16: 300, 2: null });
    const svg = await svgOf(vegaLite);
    expect(svg.match(/aria-roledescription="rect mark"/g)).toHaveLength(20);
    // The 16 arrondissements without projects stay on the map, in grey.
    expect(svg.match(/aria-roledescription="rect mark"[^>]*fill="#e6e6e6"/g)).toHaveLength(16);
    expect(svg).toContain('>11e<');
    expect(svg).toContain('>1er<');
  });

  it('draws a choropleth from an imported GeoJSON table joined on a normalised key, through the journaled chart operation', async () => {
    const geo = session.catalog.get('arrondissements')!;
    const key = geo.columns.find((c) => c.label === 'c_arinsee')!.name;
    const res = await session.run(getOperation('chart')!, {
      source: { table: 'projets' },
      mark: 'geoshape',
      map: { kind: 'choropleth', key: 'arrondissement', geoTable: 'arrondissements', geoKey: key },
      encoding: { color: { field: 'montant', type: 'quantitative', aggregate: 'sum' } },
    });
    expect(res.entry).toMatchObject({ op: 'chart', output: { rows: 20 } });
    // The digest of the aggregated rows makes the chart reproducible: the same spec gives the same digest.
    const again = await session.run(getOperation('chart')!, res.entry.params);
    expect(again.digest).toEqual(res.digest);
    expect(res.entry.inputs.map((i) => i.table)).toEqual(['projets', 'arrondissements']);
    expect(res.entry.sql[0]).toContain('_g.');
    const table = session.catalog.get('projets')!;
    const compiled = await prepareChart(engine, ChartSpec.parse(res.entry.params), table);
    const { values, vegaLite } = await chartData(engine, compiled);
    expect(values).toHaveLength(20);
    expect(values.find((v) => v.key === '75111')).toMatchObject({ type: 'Feature', color: 1500, geometry: { type: 'Polygon' } });
    const svg = await svgOf(vegaLite);
    expect(svg.match(/aria-roledescription="geoshape"/g)).toHaveLength(20);
    // Each area is drawn as itself: a ring wound the RFC 7946 way (counter-clockwise), read by d3 as
    // the sphere minus the area, filled the whole plot — twenty identical squares.
    const xsOf = [...svg.matchAll(/aria-roledescription="geoshape"[^>]*?d="([^"]+)"/g)].map((m) =>
      [...m[1]!.matchAll(/(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)/g)].map((p) => Number(p[1])),
    );
    expect(xsOf).toHaveLength(20);
    const every = xsOf.flat();
    const plot = Math.max(...every) - Math.min(...every);
    for (const xs of xsOf) expect((Math.max(...xs) - Math.min(...xs)) / plot).toBeLessThan(0.5);
  });

  it('plots points from latitude and longitude columns with a Mercator projection, sampled above the cap', async () => {
    await engine.exec(
      `CREATE OR REPLACE TABLE points AS SELECT 48.8 + (i % 100) / 1000.0 AS lat, 2.3 + (i // 100) / 1000.0 AS lon FROM range(6000) t(i)`,
    );
    const table = {
      name: 'points',
      kind: 'table' as const,
      rows: 6000,
      columns: [
        { name: 'lat', label: 'lat', type: 'DOUBLE' },
        { name: 'lon', label: 'lon', type: 'DOUBLE' },
      ],
    };
    const spec = ChartSpec.parse({
      source: { table: 'points' },
      mark: 'point',
      map: { kind: 'points', latitude: 'lat', longitude: 'lon' },
    });
    const compiled = await prepareChart(engine, spec, table);
    expect(compiled.note).toBe('Échantillon de 5\u202f000 points sur 6\u202f000');
    const { values, vegaLite } = await chartData(engine, compiled);
    expect(values).toHaveLength(5000);
    expect(JSON.stringify(vegaLite)).toContain('"mercator"');
    const svg = await svgOf(vegaLite);
    expect(svg.match(/aria-roledescription="circle"/g)).toHaveLength(5000);
  });
});
