import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { digestTable } from '../../src/core/engine/digest.ts';
import { createNodeEngine } from '../../src/core/engine/node.ts';
import { readCsv, sniffCsv, type CsvOptions } from '../../src/core/ingest/csv.ts';
import { parseRecords, sniffText } from '../../src/core/ingest/sniff.ts';
import { nodeFileResolver } from '../../src/core/ingest/node-source.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { IngestError } from '../../src/core/ingest/types.ts';
import type { Progress } from '../../src/core/ops/registry.ts';
import { Session } from '../../src/core/project/session.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import * as fx from '../fixtures/csv-fixtures.ts';

let engine: Engine;
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

let n = 0;

async function importBytes(base: string, bytes: Uint8Array, options?: Record<string, unknown>, onProgress?: (p: Progress) => void) {
  const name = `${base}_${++n}.csv`;
  const files = new MemoryFileResolver();
  files.add(bytesSourceFile(bytes, name));
  const store = new MemoryProjectStore();
  const session = await Session.create(engine, store, files, 'essai');
  const res = await session.importPath(name, options ? { options } : {}, onProgress ? { onProgress } : {});
  const table = res.tables![0]!;
  const prov = res.detail!.provenance[0]!;
  const data = await engine.query(`SELECT * FROM ${quoteIdent(table)}`);
  const entry = session.catalog.get(table)!;
  const types = Object.fromEntries(entry.columns.map((c) => [c.name, c.type]));
  return { session, store, files, name, table, prov, data, entry, types, options: prov.options as CsvOptions };
}

async function importFails(base: string, bytes: Uint8Array, options?: Record<string, unknown>) {
  const name = `${base}_${++n}.csv`;
  const files = new MemoryFileResolver();
  files.add(bytesSourceFile(bytes, name));
  const session = await Session.create(engine, new MemoryProjectStore(), files, 'essai');
  return session.importPath(name, options ? { options } : {}).then(
    () => {
      throw new Error('import should have failed');
    },
    (e: unknown) => e as Error,
  );
}

function readDirect(bytes: Uint8Array, name: string) {
  const table = `direct_${++n}`;
  return readCsv({ engine, catalog: new Catalog(), file: bytesSourceFile(bytes, name), table }, undefined);
}

describe('CSV import of well-formed files', () => {
  it('reads an Opendatasoft export: BOM, semicolons, CRLF, decimal comma, dd/mm/yyyy, a label with a trailing space', async () => {
    const r = await importBytes('ods', fx.opendatasoftCsv());
    expect(r.options).toMatchObject({ encoding: 'utf-8', delimiter: ';', quote: '"', header: true, decimalComma: true, dateFormat: 'dd/mm/yyyy', skipRows: 0 });
    expect(r.entry.columns.map((c) => [c.name, c.label])).toEqual([
      ['exercice', 'Exercice'],
      ['code_nature', 'Code nature'],
      ['libelle', 'Libellé '],
      ['montant', 'Montant'],
      ['date_de_vote', 'Date de vote'],
    ]);
    expect(r.types.montant).toBe('DECIMAL(18,2)');
    expect(r.types.date_de_vote).toBe('DATE');
    expect(r.types.code_nature).toBe('VARCHAR');
    expect(r.data.rows).toEqual([
      [2023, '011', 'Charges à caractère général', 1234.56, '2023-03-15'],
      [2023, '6574', 'Subventions', -98765.4, '2023-12-31'],
      [2022, '012', 'Charges de personnel', 0.5, '2022-02-01'],
    ]);
    expect(r.prov.rejected).toBeUndefined();
  });

  it('types amounts of at most two decimals as DECIMAL(18,2), so sums are exact to the cent; other decimals stay DOUBLE', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `${i};0,10;0,125;${i === 0 ? '12345678901234,5' : '1,5'};${i === 0 ? '' : '2,25'}`);
    const csv = new TextEncoder().encode(`id;montant;taux;enorme;partiel\n${lines.join('\n')}\n`);
    const r = await importBytes('cents', csv);
    expect(r.types).toMatchObject({ montant: 'DECIMAL(18,2)', taux: 'DOUBLE', enorme: 'DOUBLE', partiel: 'DECIMAL(18,2)' });
    // Ten times 0.10 in DOUBLE is 0.9999999999999999; in DECIMAL it is 1.00.
    const sum = await engine.query(`SELECT CAST(sum(montant) AS VARCHAR), sum(partiel)::VARCHAR FROM ${quoteIdent(r.table)}`);
    expect(sum.rows[0]).toEqual(['1.00', '20.25']);
    // Recorded, so the reopen reads the same bytes straight into the same types and the same digest.
    expect(r.options.columnTypes).toMatchObject({ montant: 'DECIMAL(18,2)', taux: 'DOUBLE' });
    const again = await importBytes('cents', csv, r.options);
    expect(again.types).toEqual(r.types);
    expect((await digestTable(engine, again.table)).digest).toBe((await digestTable(engine, r.table)).digest);
    // A type the user chose is kept as chosen.
    const chosen = await importBytes('cents', csv, { columnTypes: { montant: 'DOUBLE' } });
    expect(chosen.types.montant).toBe('DOUBLE');
  });

  it('offers the sniffed options, the header labels and a preview before anything is loaded', async () => {
    const s = await sniffCsv(bytesSourceFile(fx.opendatasoftCsv(), 'ods.csv'));
    expect(s.options.delimiter).toBe(';');
    expect(s.options.decimalComma).toBe(true);
    expect(s.labels).toEqual(['Exercice', 'Code nature', 'Libellé ', 'Montant', 'Date de vote']);
    expect(s.preview).toHaveLength(3);
    expect(s.preview[0]).toEqual(['2023', '011', 'Charges à caractère général', '1234,56', '15/03/2023']);
  });

  it('splits records on quotes the way DuckDB does: doubled quotes, backslash escapes, CRLF', () => {
    const p = parseRecords('a;"b ""c"" d";"x\r\ny"\r\n1;2;3\r\n', ';', '"', '"', 10, true);
    expect(p.records).toEqual([
      ['a', 'b "c" d', 'x\r\ny'],
      ['1', '2', '3'],
    ]);
    expect(p.lines).toEqual([1, 3]);
    expect(parseRecords('a,"b \\"q\\""\n', ',', '"', '\\', 10, true).records).toEqual([['a', 'b "q"']]);
    expect(parseRecords('a,"open\nb', ',', '"', '"', 10, true)).toMatchObject({ openQuote: true, openQuoteLine: 1 });
  });

  it('guesses month-first dates only when the data proves it', () => {
    expect(sniffText('d;n\n12/31/2023;1\n01/02/2023;2\n', {}, true).options.dateFormat).toBe('mm/dd/yyyy');
    expect(sniffText('d;n\n01/02/2023;1\n03/04/2023;2\n', {}, true).options.dateFormat).toBe('dd/mm/yyyy');
  });

  it('reads tab-separated files', async () => {
    const r = await importBytes('tab', fx.tabCsv());
    expect(r.options.delimiter).toBe('\t');
    expect(r.options.decimalComma).toBe(false);
    expect(r.data.rows).toEqual([
      ['Luxembourg', 6, 22.45],
      ['Monceau', 8, 8.2],
    ]);
  });

  it('reads pipe-separated files whose values hold commas and semicolons', async () => {
    const r = await importBytes('pipe', fx.pipeCsv());
    expect(r.options.delimiter).toBe('|');
    expect(r.data.rows[0]).toEqual([1, 'a, b ; c', 10]);
  });

  it('keeps quoted newlines inside their value and reports a bad row by its physical line', async () => {
    const r = await importBytes('qnl', fx.quotedNewlinesCsv());
    expect(r.data.rows).toEqual([
      [1, 'première\ndeuxième\ntroisième', 1],
      [2, 'simple', 2],
      [4, 'a "cité" ici', 4],
    ]);
    expect(r.prov.rejected?.count).toBe(1);
    expect(r.prov.rejected?.sample[0]?.line).toBe(6);
  });

  it('transcodes a Windows-1252 file, accented labels and € included, and says so', async () => {
    const r = await importBytes('cp1252', fx.windows1252Csv());
    expect(r.options.encoding).toBe('windows-1252');
    expect(r.entry.columns.map((c) => c.label)).toEqual(['Libellé', 'Montant payé', 'Note']);
    expect(r.data.rows).toEqual([
      ['Café', 12.5, 'l’été'],
      ['École', 7, 'coût 3 €'],
    ]);
    expect(r.prov.warnings?.join(' ')).toMatch(/Windows-1252/);
  });

  it('rereads as Windows-1252 a file whose accented lines come after a plain ASCII head', async () => {
    const r = await importBytes('latecp', fx.lateWindows1252Csv());
    expect(r.options.encoding).toBe('windows-1252');
    expect(r.prov.rows).toBe(5002);
    expect(r.prov.rejected).toBeUndefined();
    const tail = await engine.query(`SELECT nom FROM ${quoteIdent(r.table)} WHERE numero >= 5000 ORDER BY numero`);
    expect(tail.rows).toEqual([['Hôtel de Ville'], ['Opéra']]);
    expect(r.prov.warnings?.join(' ')).toMatch(/Windows-1252/);
  });

  it('keeps a UTF-8 file as UTF-8 and rejects, with its line, the one line holding a stray byte', async () => {
    const r = await importBytes('stray', fx.strayByteCsv());
    expect(r.options.encoding).toBe('utf-8');
    expect(r.data.rows.map((x) => x[0])).toEqual(['Élise', 'José', 'Zoé']);
    expect(r.prov.rejected?.count).toBe(1);
    expect(r.prov.rejected?.sample[0]).toEqual({ line: 4, message: 'caractères invalides en UTF-8' });
  });

  it('reads UTF-16 files with a byte order mark', async () => {
    const r = await importBytes('utf16', fx.utf16leCsv());
    expect(r.options.encoding).toBe('utf-16le');
    expect(r.data.rows).toEqual([
      ['Café', 3],
      ['Théâtre', 4],
    ]);
  });

  it('keeps codes with leading zeros, composite chapters and SIRET numbers as text', async () => {
    const r = await importBytes('codes', fx.leadingZerosCsv());
    expect(r.types).toMatchObject({ chapitre: 'VARCHAR', commune: 'VARCHAR', siret: 'VARCHAR' });
    expect(r.data.rows.map((x) => x.slice(0, 3))).toEqual([
      ['011', '06574', '00012345600019'],
      ['904-4', '75056', '12345678901234'],
      ['012', '01001', '00000000000001'],
    ]);
  });

  it('keeps budget nomenclature columns as codes even when every value is a number (article 6574.02, fonction 422.1)', async () => {
    const csv = new TextEncoder().encode('Fonction;Sous-fonction;Article;Nature;Compte;Budget de l\'année\n42;422.1;6574.02;6574;4011;202587\n52;524.2;6574;65738;4012;35000.5\n');
    const r = await importBytes('nomenclature', csv);
    expect(r.types).toMatchObject({ fonction: 'VARCHAR', sous_fonction: 'VARCHAR', article: 'VARCHAR', nature: 'VARCHAR', compte: 'VARCHAR', budget_de_l_annee: 'DECIMAL(18,2)' });
    expect(r.data.rows[0]!.slice(0, 3)).toEqual(['42', '422.1', '6574.02']);
  });

  it('reads a file without header, naming its columns colonne_N', async () => {
    const r = await importBytes('nohead', fx.headerlessCsv());
    expect(r.options.header).toBe(false);
    expect(r.entry.columns.map((c) => c.label)).toEqual(['colonne_1', 'colonne_2', 'colonne_3']);
    expect(r.data.rows[0]).toEqual([2021, 12.5, '2021-01-01']);
  });

  it('skips title lines above the table', async () => {
    const r = await importBytes('titled', fx.titledCsv());
    expect(r.options.skipRows).toBe(2);
    expect(r.data.rows).toEqual([
      ['011', 10],
      ['012', 20],
    ]);
  });

  it('keeps every column of a duplicated header, with distinct names and the labels as written', async () => {
    const r = await importBytes('dup', fx.duplicateHeaderCsv());
    expect(r.entry.columns.map((c) => [c.name, c.label])).toEqual([
      ['montant', 'montant'],
      ['montant_2', 'Montant'],
      ['montant_3', 'montant'],
      ['col4', ''],
    ]);
    expect(r.data.rows).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(r.prov.warnings?.join(' ')).toMatch(/« montant » apparaît 2 fois/);
  });

  it('turns a column to text, with a warning naming the line, when text shows up beyond the type sample', async () => {
    const r = await importBytes('late', fx.lateTextCsv());
    expect(r.types.valeur).toBe('VARCHAR');
    expect(r.prov.rows).toBe(25_001);
    expect(r.prov.rejected).toBeUndefined();
    expect(r.prov.warnings?.join(' ')).toMatch(/ligne 25002/);
  });

  it('reads a 1 MB value and 2,000 columns', async () => {
    const big = await importBytes('bigfield', fx.bigFieldCsv());
    expect(big.prov.rows).toBe(2);
    expect((big.data.rows[0]![1] as string).length).toBe(1024 * 1024);
    const wide = await importBytes('wide', fx.wideCsv());
    expect(wide.entry.columns).toHaveLength(2000);
    expect(wide.prov.rows).toBe(3);
    expect(wide.data.rows[2]![1999]).toBe(5999);
  });

  it('returns options that reimport the file identically, and uses given options as they are', async () => {
    const first = await importBytes('again', fx.opendatasoftCsv());
    expect(Object.keys(first.options.columnTypes ?? {})).toHaveLength(5);
    const again = await importBytes('again', fx.opendatasoftCsv(), first.options);
    expect(again.options).toEqual(first.options);
    expect(again.data.rows).toEqual(first.data.rows);
    const raw = await importBytes('forced', fx.opendatasoftCsv(), { decimalComma: false, columnTypes: { montant: 'VARCHAR' } });
    expect(raw.data.rows[0]![3]).toBe('1234,56');
  });

  it('reopens a project with the same tables on a fresh engine', async () => {
    const r = await importBytes('reopen', fx.windows1252Csv());
    const other = await createNodeEngine();
    try {
      const { session, problems } = await Session.open(other, r.store, r.files);
      expect(problems).toEqual([]);
      const rows = await other.query(`SELECT * FROM ${quoteIdent(r.table)}`);
      expect(rows.rows).toEqual(r.data.rows);
      expect(session.catalog.get(r.table)?.source?.options).toEqual(r.options);
    } finally {
      await other.close();
    }
  });

  it('reports progress from start to end', async () => {
    const seen: Progress[] = [];
    await importBytes('progress', fx.tabCsv(), undefined, (p) => seen.push(p));
    expect(seen.some((p) => /Analyse/.test(p.message))).toBe(true);
    expect(seen.at(-1)?.fraction).toBe(1);
  });
});

describe('CSV import of bad files', () => {
  it('refuses an empty file, naming it', async () => {
    expect((await importFails('empty', fx.emptyCsv())).message).toMatch(/empty_\d+\.csv : le fichier est vide/);
    await expect(readDirect(fx.emptyCsv(), 'vide.csv')).rejects.toThrow(IngestError);
  });

  it('refuses a file of blank lines', async () => {
    await expect(readDirect(fx.blankLinesCsv(), 'blanc.csv')).rejects.toThrow(/aucune ligne/);
  });

  it('loads a header-only file as an empty table with its columns, and warns', async () => {
    // An auditor wants to see that the export came out empty, in the catalogue, not a failed import.
    const r = await importBytes('headonly', fx.headerOnlyCsv());
    expect(r.prov.rows).toBe(0);
    expect(r.entry.columns.map((c) => c.label)).toEqual(['code', 'libellé', 'montant']);
    expect(r.prov.warnings?.join(' ')).toMatch(/que la ligne d’en-tête/);
  });

  it('refuses a binary file named .csv', async () => {
    const e = await importFails('binary', fx.binaryCsv());
    expect(e).toBeInstanceOf(IngestError);
    expect(e.message).toMatch(/pas un fichier texte/);
  });

  it('stops on an unterminated quote, naming the line where it opens', async () => {
    const e = await importFails('unterminated', fx.unterminatedQuoteCsv());
    expect(e).toBeInstanceOf(IngestError);
    expect((e as IngestError).line).toBe(3);
    expect(e.message).toMatch(/ligne 3 : guillemet ouvert/);
  });

  it('rejects rows written with another delimiter, with their line numbers', async () => {
    const r = await importBytes('mixed', fx.mixedDelimitersCsv());
    expect(r.options.delimiter).toBe(';');
    expect(r.prov.rows).toBe(4);
    expect(r.prov.rejected?.count).toBe(2);
    expect(r.prov.rejected?.sample.map((s) => s.line)).toEqual([4, 6]);
    expect(r.prov.warnings?.join(' ')).toMatch(/2 ligne\(s\) rejetée\(s\)/);
    expect(r.session.journal.all().at(-1)?.summary).toMatch(/2 ligne\(s\) rejetée\(s\)/);
  });

  it('refuses options that do not validate', async () => {
    const e = await importFails('badopt', fx.tabCsv(), { delimiter: ';;' });
    expect(e.message).toMatch(/options CSV invalides/);
    const clash = await importFails('clash', fx.opendatasoftCsv(), { quote: ';', delimiter: ';' });
    expect(clash.message).toMatch(/guillemet et le séparateur/);
  });
});

const DATA = '/work/shared/data';
const bilan = `${DATA}/bilan-comptable.csv`;
const budget = `${DATA}/seed_pdf_budget_vote_2023.csv`;

describe.skipIf(!existsSync(bilan) || !existsSync(budget))('CSV import of real Paris exports', () => {
  async function importReal(path: string) {
    const session = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, 'réel');
    const res = await session.importPath(path, { table: `reel_${++n}` });
    return { session, table: res.tables![0]!, prov: res.detail!.provenance[0]! };
  }

  it('reads the balance sheet with its trailing-space label and numeric amounts', async () => {
    const { session, table, prov } = await importReal(bilan);
    const entry = session.catalog.get(table)!;
    expect((prov.options as CsvOptions).delimiter).toBe(';');
    expect(entry.columns.some((c) => c.label === 'BRUT ')).toBe(true);
    expect(prov.rejected).toBeUndefined();
    expect(prov.rows).toBeGreaterThan(100);
    const types = Object.fromEntries(entry.columns.map((c) => [c.name, c.type]));
    expect(types.net).toBe('DECIMAL(18,2)');
    expect(types.exercice_comptable).toBe('BIGINT');
  });

  it('reads the voted budget keeping chapter and nature codes as text', async () => {
    const { session, table, prov } = await importReal(budget);
    const entry = session.catalog.get(table)!;
    const types = Object.fromEntries(entry.columns.map((c) => [c.name, c.type]));
    expect(prov.rejected).toBeUndefined();
    expect(types.chapitre_code).toBe('VARCHAR');
    expect(types.nature_code).toBe('VARCHAR');
    expect(types.montant).toBe('DECIMAL(18,2)');
    const composite = await engine.query(`SELECT count(*) FROM ${quoteIdent(table)} WHERE chapitre_code LIKE '%-%'`);
    expect(Number(composite.rows[0]![0])).toBeGreaterThan(0);
  });
});
