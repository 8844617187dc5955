// The import dialog for every format, driven as the UI drives it, on a real session and engine: the
// preview of a JSON file whose records sit under a path, the other path chosen, a type override with
// its failures counted before the import and recorded after, the table name checked; a workbook's
// sheet chosen and typed; cancelling imports nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { bytesSourceFile } from '../../src/core/ingest/source.ts';
import { app } from '../../src/ui/app-state.svelte.ts';
import { importFlow, tableNameProblem } from '../../src/ui/import/import-flow.svelte.ts';
import { BAD, overrideRows, overridesJson, overridesXlsx } from '../fixtures/overrides-fixtures.ts';
import { openAppSession, until } from './import-dialog.ts';

let engine: Engine;

beforeAll(async () => ({ engine } = await openAppSession()));
afterAll(() => engine.close());

const idle = () => importFlow.dialog !== null && !importFlow.dialog.previewBusy && importFlow.dialog.preview !== null;
const typeOf = async (table: string, col: string) =>
  String(
    (await engine.query(`SELECT data_type FROM information_schema.columns WHERE table_name = '${table}' AND column_name = '${col}'`))
      .rows[0]?.[0],
  );

describe('the import dialog for every format', () => {
  it('JSON: paths offered, a type previewed with its failures, the name checked, the import typed and its warnings reported', async () => {
    const tablesBefore = app.session!.catalog.list().length;
    await importFlow.start([bytesSourceFile(new TextEncoder().encode(overridesJson()), 'api.json')]);
    const d = importFlow.dialog!;
    expect(d.format).toBe('json');
    await until(idle);
    expect(d.paths).toEqual([
      { path: 'data.lignes', count: overrideRows().length },
      { path: 'autres', count: 2 },
    ]);
    expect(d.proposedPath).toBe('data.lignes');
    expect(d.preview!.tables[0]!.rowCount).toBe(overrideRows().length);
    expect(d.detected['']!.montant).toEqual({ type: 'VARCHAR', kind: 'text' });

    importFlow.setType('montant', 'decimal', undefined);
    await until(() => idle() && importFlow.dialog!.preview!.warnings.some((w) => w.includes('non convertible')));
    const before = importFlow.dialog!.preview!.warnings.find((w) => w.includes('non convertible'))!;
    expect(before).toContain(`« ${BAD.montant} »`);
    expect(importFlow.dialog!.preview!.tables[0]!.columns.find((c) => c.name === 'montant')!.type).toBe('DECIMAL(18,2)');
    // The detected type stays what « automatic » means.
    expect(importFlow.dialog!.detected['']!.montant!.kind).toBe('text');

    importFlow.setTable('2 lignes');
    expect(tableNameProblem(importFlow.dialog!)).toMatchObject({ key: 'import.tableNameInvalid', params: { suggestion: 't_2_lignes' } });
    importFlow.setTable('api_typees');
    expect(tableNameProblem(importFlow.dialog!)).toBeNull();
    await importFlow.confirmDialog();
    expect(app.session!.catalog.list()).toHaveLength(tablesBefore + 1);
    expect(await typeOf('api_typees', 'montant')).toBe('DECIMAL(18,2)');
    expect(app.session!.catalog.get('api_typees')!.source!.options).toMatchObject({ types: { montant: 'decimal' } });
    // The same warning after the import, on screen in the report.
    expect(importFlow.report?.[0]?.warnings).toContain(before);

    // A taken name is refused unless it is the same file's table to replace.
    await importFlow.start([bytesSourceFile(new TextEncoder().encode(overridesJson()), 'autre.json')]);
    importFlow.setTable('api_typees');
    expect(tableNameProblem(importFlow.dialog!)).toMatchObject({ key: 'import.tableNameTaken' });
    importFlow.cancelDialog();
  });

  it('JSON: another record path chosen, the overrides of vanished columns dropped', async () => {
    await importFlow.start([bytesSourceFile(new TextEncoder().encode(overridesJson()), 'chemins.json')]);
    await until(idle);
    importFlow.setType('montant', 'decimal', undefined);
    importFlow.setRecordPath('autres');
    await until(() => idle() && importFlow.dialog!.preview!.tables[0]!.rowCount === 2);
    expect(importFlow.dialog!.types).toEqual({});
    expect(importFlow.dialog!.preview!.tables[0]!.columns.map((c) => c.name)).toEqual(['x']);
    await importFlow.confirmDialog();
    expect(app.session!.catalog.get('chemins')!.rows).toBe(2);
    expect(app.session!.catalog.get('chemins')!.source!.options).toMatchObject({ path: 'autres' });
  });

  it('XLSX: a sheet chosen and typed, the other sheet untouched; cancelling imports nothing', async () => {
    const n = app.session!.catalog.list().length;
    const file = bytesSourceFile(await overridesXlsx(), 'classeur.xlsx');
    await importFlow.start([file]);
    importFlow.cancelDialog();
    expect(importFlow.dialog).toBeNull();
    expect(app.session!.catalog.list()).toHaveLength(n);

    await importFlow.start([file]);
    await until(idle);
    expect(importFlow.dialog!.preview!.tables.map((t) => t.part)).toEqual(['Notes', 'Données']);
    importFlow.setShown(1);
    importFlow.setType('nb', 'integer', 'Données');
    await until(() => idle() && importFlow.dialog!.preview!.warnings.some((w) => w.startsWith('Données · colonne « nb »')));
    await importFlow.confirmDialog();
    expect(await typeOf('classeur_donnees', 'nb')).toBe('BIGINT');
    expect(await typeOf('classeur_notes', 'note')).toBe('VARCHAR');
    expect(app.session!.catalog.get('classeur_donnees')!.source!.options).toMatchObject({ partTypes: { Données: { nb: 'integer' } } });
  });
});
