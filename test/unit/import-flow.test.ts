// The CSV import dialog's flow, driven as the UI drives it: the stray-quote proposal (#13.4) and the
// question before replacing the table a same-named file made, against a real session and engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { bytesSourceFile } from '../../src/core/ingest/source.ts';
import { app } from '../../src/ui/app-state.svelte.ts';
import { importFlow } from '../../src/ui/import/import-flow.svelte.ts';
import * as fx from '../fixtures/csv-fixtures.ts';
import { openAppSession, until } from './import-dialog.ts';

let engine: Engine;

// Like the browser host: every kept copy gets a fresh name, « (2) » for the second one.
beforeAll(async () => ({ engine } = await openAppSession((name, n) => (n === 1 ? name : name.replace(/\.csv$/, ` (${n}).csv`)))));
afterAll(() => engine.close());

describe('the CSV import dialog', () => {
  it('proposes quote = none for the stray-quote file, imports with it, and on a second import asks to replace and names the original file', async () => {
    const file = bytesSourceFile(fx.strayQuotesCsv(), 'subventions_2013.csv');
    await importFlow.start([file]);
    const d = importFlow.dialog!;
    expect(d.options?.quote).toBe('"');
    expect(d.existing).toBeNull();
    await until(() => importFlow.dialog?.strays !== null);
    expect(importFlow.dialog!.strays).toMatchObject({ strayLines: 4, firstStrayLine: 40, width: 18, fitsWithoutQuotes: true });
    await importFlow.setOption('quote', '');
    expect(importFlow.dialog!.options?.quote).toBe('');
    await importFlow.confirmDialog();
    expect(app.session!.catalog.list().map((t) => t.name)).toEqual(['subventions_2013']);
    expect(app.session!.catalog.get('subventions_2013')!.source!.options).toMatchObject({ quote: '' });

    // Same file again: the dialog asks (replace ticked), the table keeps its name, the provenance its file.
    await importFlow.start([file]);
    expect(importFlow.dialog!.existing).toBe('subventions_2013');
    expect(importFlow.dialog!.replace).toBe(true);
    await importFlow.setOption('quote', '');
    await importFlow.confirmDialog();
    const tables = app.session!.catalog.list();
    expect(tables.map((t) => t.name)).toEqual(['subventions_2013']);
    expect(tables[0]!.source!.fileName).toBe('subventions_2013.csv');
    expect(tables[0]!.source!.path).toBe('sources/subventions_2013 (2).csv');

    // Unticked: a second table, still naming the original file.
    await importFlow.start([file]);
    importFlow.setReplace(false);
    await importFlow.setOption('quote', '');
    await importFlow.confirmDialog();
    expect(app.session!.catalog.list().map((t) => [t.name, t.source!.fileName])).toEqual([
      ['subventions_2013', 'subventions_2013.csv'],
      ['subventions_2013_2', 'subventions_2013.csv'],
    ]);
  });
});
