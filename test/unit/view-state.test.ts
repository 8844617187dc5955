// The views' state kept in the project (ui-state.json): read back as written, and a file from someone
// else's project cannot smuggle in what does not fit (each table's state stands or falls on its own).
// The export of a sorted view writes its rows in the order on screen, in every format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { exportToBytes } from '../../src/core/export/export.ts';
import { emptyUiState, parseUiState, TableViewState, uiStateText } from '../../src/ui/view-state-file.ts';
import { tableRelation } from '../../src/core/sql/relation.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
  // Amounts that are in no order in the table, with a tie and a NULL.
  await engine.exec(`CREATE TABLE p AS SELECT * FROM (VALUES
    ('P1', 300.5::DECIMAL(12,2), 'DAC'), ('P2', 12::DECIMAL(12,2), 'DASCO'), ('P3', NULL, 'DAC'),
    ('P4', 4500::DECIMAL(12,2), 'DEVE'), ('P5', 12::DECIMAL(12,2), 'DAC'), ('P6', 88::DECIMAL(12,2), 'DASCO')
  ) v(numero, montant, direction)`);
});
afterAll(() => engine.close());

describe('ui-state.json', () => {
  it('reads back what was written: sort, filters, facets, layout, place, chart in progress, selected table', () => {
    const s = emptyUiState();
    s.selected = 'p';
    s.tables.p = TableViewState.parse({
      orderBy: [{ column: 'montant', desc: true }],
      filters: [{ column: 'direction', op: 'in', values: ['DAC', null] }],
      facetColumns: ['direction'],
      facetsSuggested: true,
      panel: 'facets',
      order: ['montant', 'numero', 'direction'],
      hidden: ['direction'],
      widths: { numero: 210 },
      scrollTop: 390,
    });
    s.charts.p = { source: { table: 'p', filters: [] }, mark: 'bar', encoding: { x: { field: 'direction' } } };
    expect(parseUiState(uiStateText(s))).toEqual(s);
  });

  it('drops what does not fit, table by table, and never throws on a broken file', () => {
    const text = JSON.stringify({
      version: 1,
      selected: 42,
      tables: {
        ok: { orderBy: [{ column: 'a' }] },
        bad: { filters: [{ column: 'a', op: 'drop table' }] },
        worse: 'x',
      },
      charts: {
        ok: { source: { table: 'other', filters: [] }, mark: 'bar', encoding: {} },
        two: { source: { table: 'two', filters: [] }, mark: 'bar', encoding: [] },
      },
    });
    const r = parseUiState(text);
    expect(Object.keys(r.tables)).toEqual(['ok']);
    expect(r.tables.ok!.orderBy).toEqual([{ column: 'a' }]);
    expect(r.selected).toBeUndefined();
    // A chart saved under one table but drawn on another, or with no encoding object, is not restored.
    expect(r.charts).toEqual({});
    for (const broken of ['', '{', 'null', '[]', '"x"']) expect(parseUiState(broken)).toEqual(emptyUiState());
  });
});

describe('export in the order on screen', () => {
  const ids = (text: string) =>
    text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(/[;,]/)[0]);

  it('writes the rows sorted as the grid shows them (descending, NULLs last), in CSV and JSON', async () => {
    const want = (await engine.query(`SELECT numero FROM p ORDER BY montant DESC NULLS LAST, direction ASC NULLS LAST`)).rows.map(
      (r) => r[0],
    );
    const orderBy = [{ column: 'montant', desc: true }, { column: 'direction' }];
    const csv = new TextDecoder().decode(await exportToBytes(engine, tableRelation('p'), 'csv', { orderBy }));
    expect(ids(csv)).toEqual(want);
    const json = JSON.parse(new TextDecoder().decode(await exportToBytes(engine, tableRelation('p'), 'json', { orderBy }))) as {
      numero: string;
    }[];
    expect(json.map((o) => o.numero)).toEqual(want);
    expect(want.at(-1)).toBe('P3');
  });

  it('keeps the table order without a sort', async () => {
    const csv = new TextDecoder().decode(await exportToBytes(engine, tableRelation('p'), 'csv'));
    expect(ids(csv)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  });
});
