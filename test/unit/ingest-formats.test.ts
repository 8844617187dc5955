import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { centroid } from '../../src/core/ingest/centroid.ts';
import { addGeoPointColumns } from '../../src/core/ingest/geo-point.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { assertSafeZip } from '../../src/core/ingest/zip-guard.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import * as fx from '../fixtures/formats-fixtures.ts';

let engine: Engine;
let root: string;
let session: Session;

beforeAll(async () => {
  engine = await createNodeEngine();
  root = await mkdtemp(join(tmpdir(), 'loupe-formats-'));
  await mkdir(join(root, 'files'));
  await mkdir(join(root, 'project'));
  session = await Session.create(engine, new NodeProjectStore(join(root, 'project')), nodeFileResolver, 'formats');
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function put(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(root, 'files', name);
  await writeFile(path, content);
  return path;
}

async function importFile(name: string, content: string | Uint8Array) {
  const res = await session.importPath(await put(name, content));
  return { tables: res.tables ?? [], provenance: res.detail!.tables.map((t) => t.provenance) };
}

async function rows(table: string, order = '1') {
  return (await engine.query(`SELECT * FROM ${quoteIdent(table)} ORDER BY ${order}`)).rows;
}

async function types(table: string): Promise<Record<string, string>> {
  const d = await engine.query(`DESCRIBE ${quoteIdent(table)}`);
  return Object.fromEntries(d.rows.map((r) => [String(r[0]), String(r[1])]));
}

function labelsOf(table: string): Record<string, string> {
  return Object.fromEntries(session.catalog.get(table)!.columns.map((c) => [c.name, c.label]));
}

describe('JSON', () => {
  it('loads an array of objects with SQL-safe names, original labels and faithful types', async () => {
    const { tables } = await importFile('budget.json', fx.jsonArrayText());
    expect(tables).toEqual(['budget']);
    const t = await types('budget');
    expect(t).toMatchObject({
      code_postal: 'VARCHAR',
      // Every value a whole number of cents: DECIMAL like the CSV amounts (issue #12.6).
      montant: 'DECIMAL(18,2)',
      date: 'DATE',
      nb: 'BIGINT',
      actif: 'BOOLEAN',
      detail: 'VARCHAR',
      extra: 'VARCHAR',
    });
    expect(labelsOf('budget')).toMatchObject({ code_postal: 'Code postal', montant: 'Montant (€)', date: 'Date' });
    // A nested object becomes prefixed columns (detail.a → detail_a); a null `detail` stays a null.
    expect(labelsOf('budget')).toMatchObject({ detail_a: 'detail.a' });
    const r = await engine.query('SELECT code_postal, montant, date, nb, detail_a, extra FROM budget ORDER BY code_postal');
    expect(r.rows).toEqual([
      ['01000', 1234.5, '2024-01-31', 3, 1, null],
      ['75001', -2, '2024-02-29', 4, null, null],
      ['75002', 0.1, null, null, null, 'x "guillemet", virgule\nligne'],
    ]);
  });

  it('reads amounts with float noise as exact cents, says so, and leaves rates and integers alone', async () => {
    const { tables, provenance } = await importFile('marches_bruit.json', fx.floatNoiseJsonText());
    const t = await types(tables[0]!);
    expect(t).toMatchObject({ montant: 'DECIMAL(18,2)', taux: 'DOUBLE', duree_mois: 'BIGINT', montant_ht: 'DECIMAL(18,2)' });
    const sums = await engine.query(`SELECT sum(montant)::VARCHAR, sum(montant_ht)::VARCHAR FROM ${quoteIdent(tables[0]!)}`);
    // 1029.0400004 + 0.1 + 0.2 + 250000: the noise is gone and the cents add up exactly.
    expect(sums.rows[0]).toEqual(['251029.34', '1030.30']);
    expect(provenance[0]!.warnings?.join('\n')).toMatch(
      /colonne « montant » : 1 montant\(s\) à bruit de virgule flottante \(ex\. 1029\.0400004\) lu\(s\) au centime \(1029\.04\)/,
    );
    expect(provenance[0]!.options).toMatchObject({ exactAmounts: ['montant', 'montant_ht'] });
  });

  it('keeps codes written as JSON numbers as text, as the CSV reader does (#12.6)', async () => {
    const { tables } = await importFile(
      'codes_nombres.json',
      JSON.stringify([
        { arrondissement: 75013, siret: 31939212200036, code_insee: 75056, nb: 3, annee: 2019 },
        { arrondissement: 75116, siret: 78480996400033, code_insee: 75101, nb: 4, annee: 2020 },
      ]),
    );
    expect(await types(tables[0]!)).toMatchObject({
      arrondissement: 'VARCHAR',
      siret: 'VARCHAR',
      code_insee: 'VARCHAR',
      nb: 'BIGINT',
      annee: 'BIGINT',
    });
    expect((await rows(tables[0]!))[0]!.slice(0, 3)).toEqual(['75013', '31939212200036', '75056']);
  });

  it('splits an Opendatasoft geo_point_2d given as [lat, lon] into numeric _lat and _lon columns', async () => {
    const r = await engine.query('SELECT geo_point_2d_lat, geo_point_2d_lon FROM budget ORDER BY code_postal');
    expect(r.rows).toEqual([
      [48.8566, 2.3522],
      [48.86, 2.34],
      [null, null],
    ]);
    expect(labelsOf('budget').geo_point_2d_lat).toBe('geo_point_2d_lat');
  });

  it('loads NDJSON, taking the union of keys, and reads a {lon, lat} geo_point_2d', async () => {
    const { tables } = await importFile('regions.ndjson', fx.ndjsonText());
    expect(await rows(tables[0]!)).toEqual([
      [1, 'Île-de-France', '{"lon":2.35,"lat":48.85}', null, 48.85, 2.35],
      [2, 'Paris', null, 7, null, null],
    ]);
  });

  it('tells NDJSON from an array by its content when the extension is .json', async () => {
    const { tables } = await importFile('lignes.json', '{"a": 1}\n{"a": 2}\n');
    expect(await rows(tables[0]!)).toEqual([[1], [2]]);
  });

  it('flattens the fields of an Opendatasoft records export', async () => {
    const { tables, provenance } = await importFile('ods.json', fx.odsJsonText());
    const t = await types(tables[0]!);
    expect(Object.keys(t)).toEqual([
      'recordid',
      'nom',
      'geo_point_2d',
      'geometry',
      'record_timestamp',
      'geo_point_2d_lat',
      'geo_point_2d_lon',
    ]);
    expect(provenance[0]!.options).toMatchObject({ opendatasoft: true });
  });

  it('accepts an object that wraps its records in a "results" array', async () => {
    const { tables } = await importFile('api.json', JSON.stringify({ total_count: 2, results: [{ x: 1 }, { x: 2 }] }));
    expect(await rows(tables[0]!)).toEqual([[1], [2]]);
  });

  it.each([
    ['objet.json', '{"a": 1}', /objet JSON seul/],
    ['nombres.json', '[1, 2, 3]', /élément n° 1 .*n’est pas un objet/],
    ['chaine.json', '"str"', /pas un tableau d’objets/],
    ['vide.json', '[]', /tableau JSON est vide/],
    ['blanc.json', '  \n ', /aucune donnée JSON/],
  ])('refuses %s, which is not an array of objects, with a clear message', async (name, text, msg) => {
    await expect(importFile(name, text)).rejects.toThrow(msg);
  });

  it('names the line of a JSON syntax error', async () => {
    await expect(importFile('casse.json', '[{"a": 1},\n{"a": 2},\n{"a": 3,,}\n]')).rejects.toThrow(/casse\.json, ligne 3 : JSON invalide/);
  });

  it('names the line of a bad NDJSON record', async () => {
    await expect(importFile('casse.ndjson', '{"a": 1}\n{"a": 2\n')).rejects.toThrow(/casse\.ndjson, ligne 2/);
    await expect(importFile('tableau.ndjson', '{"a": 1}\n[1]\n')).rejects.toThrow(/ligne 2 : chaque ligne NDJSON doit être un objet/);
  });

  it('refuses 100 000 levels of nesting with an error instead of overflowing the stack', async () => {
    const deep = '[' + '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000) + ']';
    await expect(importFile('profond.json', deep)).rejects.toThrow(/imbriqué sur plus de 256 niveaux/);
    const deepArrays = '['.repeat(100_000) + ']'.repeat(100_000);
    await expect(importFile('profond2.json', deepArrays)).rejects.toThrow(/imbriqué/);
    expect((await engine.query('SELECT 1')).rows).toEqual([[1]]);
  });
});

describe('GeoJSON', () => {
  it('computes area-weighted centroids, with holes, and means for lines', () => {
    expect(centroid({ type: 'Polygon', coordinates: [fx.SQUARE_RING] })).toEqual([1, 1]);
    const [x, y] = centroid({ type: 'Polygon', coordinates: [fx.SQUARE_RING, fx.HOLE_RING] })!;
    expect(x).toBeCloseTo(7 / 6, 12);
    expect(y).toBeCloseTo(7 / 6, 12);
    expect(centroid({ type: 'LineString', coordinates: fx.BENT_LINE })).toEqual([2, 2]);
    expect(centroid({ type: 'Point', coordinates: [2.35, 48.85] })).toEqual([2.35, 48.85]);
    expect(centroid(null)).toBeNull();
  });

  it('turns properties into columns and keeps geometry as text with a centroid; a null geometry keeps its row', async () => {
    const { tables, provenance } = await importFile('zones.geojson', fx.geojsonText());
    const t = tables[0]!;
    expect(Object.entries(await types(t))).toEqual([
      ['nom', 'VARCHAR'],
      ['surface', 'BIGINT'],
      ['geom_x_y', 'VARCHAR'],
      ['geometry_2', 'VARCHAR'],
      ['geometry', 'VARCHAR'],
      ['centroid_lon', 'DOUBLE'],
      ['centroid_lat', 'DOUBLE'],
      ['geom_x_y_lat', 'DOUBLE'],
      ['geom_x_y_lon', 'DOUBLE'],
    ]);
    expect(labelsOf(t).geometry_2).toBe('geometry');
    const r = await engine.query(
      `SELECT nom, geometry IS NULL, round(centroid_lon, 6), round(centroid_lat, 6), geom_x_y_lat FROM ${quoteIdent(t)} ORDER BY nom`,
    );
    expect(r.rows).toEqual([
      ['carré', false, 1.166667, 1.166667, 1],
      ['ligne', false, 2, 2, 48.8],
      ['multi', false, 8.75, 0.5, null],
      ['point', false, 2.35, 48.85, 48.85],
      ['sans géométrie', true, null, null, null],
    ]);
    const geom = await engine.query(`SELECT geometry FROM ${quoteIdent(t)} WHERE nom = 'point'`);
    expect(JSON.parse(String(geom.rows[0]![0]))).toEqual({ type: 'Point', coordinates: [2.35, 48.85] });
    expect(provenance[0]!.warnings).toEqual([expect.stringMatching(/^1 entité\(s\) sans géométrie/)]);
  });

  it('refuses a GeoJSON that is not a FeatureCollection', async () => {
    await expect(importFile('seul.geojson', '{"type": "Feature", "properties": {}, "geometry": null}')).rejects.toThrow(
      /pas une FeatureCollection GeoJSON \(trouvé un objet de type « Feature »\)/,
    );
  });

  it('detects a FeatureCollection saved with a .json extension', async () => {
    const { provenance } = await importFile('zones-en-json.json', fx.geojsonText());
    expect(provenance[0]!.format).toBe('geojson');
  });
});

describe('geo_point_2d', () => {
  it('splits "lat, lon" text in any column whose every value is a coordinate pair', async () => {
    await engine.exec(`CREATE TABLE gp (geo_point_2d VARCHAR, position VARCHAR, decimal_fr VARCHAR, code VARCHAR)`);
    await engine.exec(`INSERT INTO gp VALUES ('48.85, 2.35', '48.1,2.1', '12,5', '75001'), (NULL, '-33.9, 151.2', '3,25', NULL)`);
    const res = await addGeoPointColumns(engine, 'gp');
    expect(res.columns).toEqual(['geo_point_2d_lat', 'geo_point_2d_lon', 'position_lat', 'position_lon']);
    expect(await rows('gp', 'geo_point_2d_lat NULLS LAST')).toEqual([
      ['48.85, 2.35', '48.1,2.1', '12,5', '75001', 48.85, 2.35, 48.1, 2.1],
      [null, '-33.9, 151.2', '3,25', null, null, null, -33.9, 151.2],
    ]);
  });

  it('leaves text pairs out of latitude range alone, and does nothing twice', async () => {
    await engine.exec(`CREATE TABLE gp2 (xy VARCHAR)`);
    await engine.exec(`INSERT INTO gp2 VALUES ('95.5, 2.5')`);
    expect((await addGeoPointColumns(engine, 'gp2')).columns).toEqual([]);
    expect((await addGeoPointColumns(engine, 'gp')).columns).toEqual([]);
  });
});

describe('Parquet', () => {
  it('loads through parquet-wasm, keeping DECIMAL and DATE, with SQL-safe names', async () => {
    const { tables } = await importFile('mandats.parquet', fx.parquetBytes());
    const t = tables[0]!;
    expect(await types(t)).toEqual({
      libelle_de_la_ligne: 'VARCHAR',
      montant: 'DECIMAL(12,2)',
      date_mandat: 'DATE',
      geo_point_2d: 'VARCHAR',
      geo_point_2d_lat: 'DOUBLE',
      geo_point_2d_lon: 'DOUBLE',
    });
    expect(labelsOf(t).libelle_de_la_ligne).toBe('Libellé de la ligne');
    expect(await rows(t, 'date_mandat')).toEqual([
      ['Crèches', 999999.99, '1999-12-31', '48.87, 2.37', 48.87, 2.37],
      ['Voirie', 1234.56, '2024-01-31', '48.85, 2.35', 48.85, 2.35],
      ['Écoles', 0.05, '2024-02-29', '48.86, 2.36', 48.86, 2.36],
    ]);
    const sum = await engine.query(`SELECT sum(montant)::VARCHAR FROM ${quoteIdent(t)}`);
    expect(sum.rows).toEqual([['1001234.60']]);
  });

  it('refuses a truncated Parquet file with a clear message', async () => {
    await expect(importFile('tronque.parquet', fx.truncatedParquet())).rejects.toThrow(
      /tronque\.parquet : fichier Parquet tronqué ou illisible/,
    );
    const corrupt = fx.parquetBytes();
    corrupt.fill(7, 8, corrupt.length - 12);
    await expect(importFile('corrompu.parquet', corrupt)).rejects.toThrow(/fichier Parquet tronqué ou illisible/);
  });
});

describe('XLSX', () => {
  it('makes one table per sheet with cells typed as in the workbook', async () => {
    const { tables, provenance } = await importFile('classeur.xlsx', await fx.xlsxBytes());
    expect(tables).toEqual(['classeur_depenses_2024', 'classeur_en_tete_seul', 'classeur_points']);
    expect(provenance.map((p) => p.part)).toEqual(['Dépenses 2024', 'En-tête seul', 'Points']);
    expect(await types('classeur_depenses_2024')).toEqual({
      code_insee: 'VARCHAR',
      libelle: 'VARCHAR',
      montant: 'DOUBLE',
      date: 'DATE',
      paye: 'BOOLEAN',
    });
    expect(await rows('classeur_depenses_2024')).toEqual([
      ['00001', null, -3.5, null, null],
      ['01004', 'Écoles', 10, '2024-02-29', false],
      ['75056', 'Voirie', 1234.56, '2024-01-31', true],
    ]);
    expect(labelsOf('classeur_depenses_2024').libelle).toBe('Libellé');
  });

  it('keeps a header-only sheet as an empty table with a warning, and reports skipped empty sheets', async () => {
    const entry = session.catalog.get('classeur_en_tete_seul')!;
    expect(entry.rows).toBe(0);
    expect(entry.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(entry.source!.warnings).toEqual([expect.stringMatching(/qu’une ligne d’en-tête/)]);
    expect(session.catalog.get('classeur_depenses_2024')!.source!.warnings).toEqual([
      expect.stringMatching(/vide\(s\) ignorée\(s\) : « Vide »/),
    ]);
  });

  it('splits geo_point_2d text from a sheet', async () => {
    expect(await rows('classeur_points')).toEqual([
      ['A', '48.85, 2.35', 48.85, 2.35],
      ['B', '48.9, 2.4', 48.9, 2.4],
    ]);
  });

  it('records the sheet → table mapping so a reopened project fills the same tables', async () => {
    const src = session.manifest.sources.find((s) => s.fileName === 'classeur.xlsx')!;
    expect(src.options).toEqual({
      tables: { 'Dépenses 2024': 'classeur_depenses_2024', 'En-tête seul': 'classeur_en_tete_seul', Points: 'classeur_points' },
    });
  });

  it('refuses a zip bomb before inflating it', async () => {
    expect(() => assertSafeZip(fx.zipBomb(40 * 1024 * 1024), 'bombe.xlsx')).toThrow(/archive XLSX suspecte \(taux de compression \d+:1/);
    await expect(importFile('geant.xlsx', fx.zipDeclaringHugeSize())).rejects.toThrow(/geant\.xlsx : archive XLSX suspecte/);
  });

  it('refuses a truncated workbook and a workbook without data', async () => {
    const full = await fx.xlsxBytes();
    await expect(importFile('coupe.xlsx', full.slice(0, full.length - 40))).rejects.toThrow(/archive XLSX illisible/);
    const { default: writeXlsxFile } = await import('write-excel-file/node');
    const empty = new Uint8Array(await writeXlsxFile([[null]]).toBuffer());
    await expect(importFile('rien.xlsx', empty)).rejects.toThrow(/aucune donnée/);
  });
});

describe('folder import', () => {
  it('imports the good files, reports the bad ones with their reason, skips the rest, with progress from 0 to 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-folder-'));
    const sub = join(dir, 'sous-dossier');
    await mkdir(sub);
    const files: Record<string, string | Uint8Array> = {
      'a-budget.json': fx.jsonArrayText(),
      'b-regions.ndjson': fx.ndjsonText(),
      'c-lignes.jsonl': '{"x": 1}\n{"x": 2}\n',
      'd-zones.geojson': fx.geojsonText(),
      'e-mandats.parquet': fx.parquetBytes(),
      'f-classeur.xlsx': await fx.xlsxBytes(),
      'g-tronque.parquet': fx.truncatedParquet(),
      'h-invalide.json': '[{"a": 1},\n{"a": }\n]',
      'i-rapport.pdf': fx.utf8('%PDF-1.4\n'),
      'sous-dossier/j-points.json': '[{"geo_point_2d": "48.85, 2.35"}]',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    const s = await Session.create(engine, new NodeProjectStore(await mkdtemp(join(tmpdir(), 'loupe-proj-'))), nodeFileResolver, 'dossier');
    const progress: number[] = [];
    try {
      const report = await s.importFolderPath(dir, { onProgress: (p) => p.fraction !== null && progress.push(p.fraction) });
      const base = (p: string) => p.slice(dir.length + 1);
      expect(report.imported.map((i) => base(i.path))).toEqual([
        'a-budget.json',
        'b-regions.ndjson',
        'c-lignes.jsonl',
        'd-zones.geojson',
        'e-mandats.parquet',
        'f-classeur.xlsx',
        'sous-dossier/j-points.json',
      ]);
      // Each file's tables by name, as the catalog and the manifest hold them (no provenance matching).
      const classeur = report.imported.find((i) => i.path.endsWith('f-classeur.xlsx'))!;
      expect(classeur.tables).toHaveLength(3);
      for (const t of classeur.tables) expect(s.catalog.get(t.name)?.source).toBe(t.provenance);
      expect(s.manifest.sources.find((x) => x.fileName === 'f-classeur.xlsx')!.tables).toEqual(classeur.tables.map((t) => t.name));
      // One journal input per table (an older journal joined them with commas, still read: project.test.ts).
      expect(classeur.entry.inputs.map((i) => i.table)).toEqual(classeur.tables.map((t) => t.name));
      expect(report.failed.map((f) => [base(f.path), f.reason])).toEqual([
        ['g-tronque.parquet', expect.stringMatching(/g-tronque\.parquet : fichier Parquet tronqué ou illisible/)],
        ['h-invalide.json', expect.stringMatching(/h-invalide\.json, ligne 2 : JSON invalide/)],
      ]);
      expect(report.skipped.map((f) => [base(f.path), f.reason])).toEqual([['i-rapport.pdf', expect.stringMatching(/\.pdf/)]]);
      expect(progress[0]).toBe(0);
      expect(progress.at(-1)).toBe(1);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(s.catalog.list().map((t) => t.name)).toContain('j_points');
      expect((await engine.query('SELECT geo_point_2d_lat, geo_point_2d_lon FROM j_points')).rows).toEqual([[48.85, 2.35]]);
      expect(s.manifest.sources.map((x) => x.fileName).sort()).toEqual(report.imported.map((i) => base(i.path).split('/').pop()).sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const ARRONDISSEMENTS = '/work/shared/data/arrondissements.geojson';

describe.skipIf(!existsSync(ARRONDISSEMENTS))('the real arrondissements.geojson', () => {
  it('loads 20 arrondissements with centroids inside Paris and geom_x_y split into lat/lon', async () => {
    const res = await session.importPath(ARRONDISSEMENTS);
    const t = res.tables![0]!;
    const r = await engine.query(
      `SELECT count(*), min(centroid_lat) > 48.8, max(centroid_lat) < 48.91, min(centroid_lon) > 2.22, max(centroid_lon) < 2.47,
              max(abs(centroid_lat - geom_x_y_lat)) < 0.01, max(abs(centroid_lon - geom_x_y_lon)) < 0.01
       FROM ${quoteIdent(t)}`,
    );
    expect(r.rows[0]).toEqual([20, true, true, true, true, true, true]);
  });
});

describe('reopening a project', () => {
  it('re-imports every format into the same tables, geo_point columns included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loupe-reopen-'));
    const store = new NodeProjectStore(join(dir, 'projet'));
    try {
      const paths = [
        await put('reouvre.xlsx', await fx.xlsxBytes()),
        await put('reouvre.parquet', fx.parquetBytes()),
        await put('reouvre.geojson', fx.geojsonText()),
        await put('reouvre.ndjson', fx.ndjsonText()),
      ];
      const s = await Session.create(engine, store, nodeFileResolver, 'réouverture');
      for (const p of paths) await s.importPath(p);
      const before = s.catalog.list().map((t) => [t.name, t.rows, t.columns.map((c) => c.name).join(',')]);
      for (const [name] of before) await engine.exec(`DROP TABLE ${quoteIdent(String(name))}`);
      const { session: again, problems } = await Session.open(engine, store, nodeFileResolver);
      expect(problems).toEqual([]);
      expect(again.catalog.list().map((t) => [t.name, t.rows, t.columns.map((c) => c.name).join(',')])).toEqual(before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
