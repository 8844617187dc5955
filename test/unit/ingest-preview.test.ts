// The import dialog's preview, for every format: what the import would make (columns, types, first
// rows, row count, warnings), read by running the import into scratch tables that are then dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { CSV_PREVIEW_BYTES, previewFile, type FilePreview } from '../../src/core/ingest/preview.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import { geojsonText, parquetBytes } from '../fixtures/formats-fixtures.ts';
import { BAD, overrideRows, overridesCsv, overridesJson, overridesXlsx, overridesXml } from '../fixtures/overrides-fixtures.ts';
import { bytesSourceFile } from '../../src/core/ingest/source.ts';
import { memoryFiles } from '../fixtures/memory-files.ts';

let engine: Engine;
const { files, resolver } = memoryFiles();
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

const bytesOf = (x: string | Uint8Array) => (typeof x === 'string' ? new TextEncoder().encode(x) : x);
const tableCount = async () => Number((await engine.query(`SELECT count(*) FROM duckdb_tables()`)).rows[0]![0]);

async function previewAndImport(name: string, content: string | Uint8Array, options?: Record<string, unknown>) {
  const bytes = bytesOf(content);
  files.set(name, bytes);
  const before = await tableCount();
  const preview = await previewFile(engine, bytesSourceFile(bytes, name), options ? { options } : {});
  // No scratch table stays behind.
  expect(await tableCount()).toBe(before);
  const s = await Session.create(engine, new MemoryProjectStore(), resolver, name);
  const res = await s.importPath(name, options ? { options } : {});
  return { preview, s, tables: res.tables! };
}

/** The preview says what the import made: same columns, types, first rows, count and warnings. */
async function expectSameAsImport(preview: FilePreview, s: Session, tables: string[]) {
  expect(preview.tables).toHaveLength(tables.length);
  for (let i = 0; i < tables.length; i++) {
    const p = preview.tables[i]!;
    const name = tables[i]!;
    expect(name.endsWith(p.suffix)).toBe(true);
    const desc = (await engine.query(`DESCRIBE ${quoteIdent(name)}`)).rows.map((r) => [String(r[0]), String(r[1])]);
    expect(p.columns.map((c) => [c.name, c.type])).toEqual(desc);
    const entry = s.catalog.get(name)!;
    expect(p.rowCount).toBe(entry.rows);
    expect(p.estimated).toBe(false);
    expect(p.rows).toEqual((await engine.query(`SELECT * FROM ${quoteIdent(name)} LIMIT 20`)).rows);
    expect(p.warnings).toEqual(entry.source?.warnings ?? []);
    expect(p.part).toBe(entry.source?.part);
  }
}

describe('import preview', () => {
  it('CSV: the import on a small file, its detected kinds named for the dialog', async () => {
    const { preview, s, tables } = await previewAndImport('apercu.csv', overridesCsv());
    expect(preview.format).toBe('csv');
    await expectSameAsImport(preview, s, tables);
    const libelle = preview.tables[0]!.columns.find((c) => c.name === 'libelle')!;
    expect(libelle.kind).toBe('text');
    expect(preview.options).toMatchObject({ delimiter: ';', header: true });
  });

  it('CSV: overrides previewed before the import, with the same failures the import reports', async () => {
    const types = { montant: 'decimal', nb: 'integer', quand: 'date' };
    const { preview, s, tables } = await previewAndImport('apercu_types.csv', overridesCsv(), { types });
    await expectSameAsImport(preview, s, tables);
    for (const col of ['montant', 'nb', 'quand'] as const) {
      expect(preview.warnings.find((w) => w.startsWith(`colonne « ${col} » : 1 valeur(s) non convertible(s)`))).toContain(
        `« ${BAD[col]} »`,
      );
    }
    expect(preview.tables[0]!.columns.find((c) => c.name === 'nb')!.type).toBe('BIGINT');
  });

  it('CSV larger than the head: read on the head, cut at a line end, rows estimated and said so', async () => {
    // Rows of varying width, one value spanning lines inside quotes near where the head is cut.
    const lines = ['id;nom;montant'];
    let size = 0;
    for (let i = 1; size < CSV_PREVIEW_BYTES * 1.6; i++) {
      const nom = i % 997 === 0 ? `"nom\nsur deux lignes ${i}"` : `nom ${'x'.repeat(i % 40)}`;
      const line = `${i};${nom};${i},${String(i % 100).padStart(2, '0')}`;
      lines.push(line);
      size += line.length + 1;
    }
    const text = lines.join('\n') + '\n';
    const real = lines.length - 1;
    const before = await tableCount();
    const p = await previewFile(engine, bytesSourceFile(bytesOf(text), 'grand.csv'));
    expect(await tableCount()).toBe(before);
    const t = p.tables[0]!;
    expect(t.estimated).toBe(true);
    expect(p.headBytes).toBeLessThanOrEqual(CSV_PREVIEW_BYTES);
    expect(Math.abs(t.rowCount - real) / real).toBeLessThan(0.05);
    expect(p.warnings[0]).toMatch(/^aperçu lu sur les \d+ premiers Kio/);
    expect(t.columns.map((c) => c.name)).toEqual(['id', 'nom', 'montant']);
    expect(t.rows[0]).toEqual([1, 'nom x', 1.01]);
  });

  it('JSON: the arrays of records found, the largest read, another chosen by its path', async () => {
    const { preview, s, tables } = await previewAndImport('apercu_json.json', overridesJson());
    await expectSameAsImport(preview, s, tables);
    expect(preview.jsonPaths).toEqual([
      { path: 'data.lignes', count: overrideRows().length },
      { path: 'autres', count: 2 },
    ]);
    expect(preview.options.path).toBe('data.lignes');
    const other = await previewFile(engine, bytesSourceFile(bytesOf(overridesJson()), 'apercu_json.json'), { options: { path: 'autres' } });
    expect(other.tables[0]!.columns.map((c) => [c.name, c.kind])).toEqual([['x', 'integer']]);
    expect(other.tables[0]!.rowCount).toBe(2);
  });

  it('XML: the elements with children, the record element proposed, another chosen', async () => {
    const { preview, s, tables } = await previewAndImport('apercu_xml.xml', overridesXml());
    await expectSameAsImport(preview, s, tables);
    expect(preview.xmlProposed).toBe('lignes/ligne');
    expect(preview.xmlPaths).toContainEqual({ path: 'lignes/ligne', count: overrideRows().length });
    expect(preview.options.recordPath).toBe('lignes/ligne');
  });

  it('XLSX: one preview table per sheet, named by its part', async () => {
    const { preview, s, tables } = await previewAndImport('apercu_xlsx.xlsx', await overridesXlsx());
    await expectSameAsImport(preview, s, tables);
    expect(preview.tables.map((t) => t.part)).toEqual(['Notes', 'Données']);
  });

  it('Parquet and GeoJSON: same as their import', async () => {
    const pq = await previewAndImport('apercu_pq.parquet', parquetBytes());
    await expectSameAsImport(pq.preview, pq.s, pq.tables);
    expect(pq.preview.tables[0]!.columns.find((c) => c.name === 'montant')!.kind).toBe('decimal');
    expect(pq.preview.tables[0]!.columns.find((c) => c.name === 'date_mandat')!.kind).toBe('date');
    const geo = await previewAndImport('apercu_geo.geojson', geojsonText());
    await expectSameAsImport(geo.preview, geo.s, geo.tables);
  });

  it('a wrong record path is the import’s own error, and leaves nothing behind', async () => {
    const before = await tableCount();
    await expect(
      previewFile(engine, bytesSourceFile(bytesOf(overridesJson()), 'x.json'), { options: { path: 'nulle.part' } }),
    ).rejects.toThrow(/aucune valeur au chemin « nulle.part »/);
    expect(await tableCount()).toBe(before);
  });
});
