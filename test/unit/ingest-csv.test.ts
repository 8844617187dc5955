import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Catalog } from '../../src/core/catalog/catalog.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { digestTable } from '../../src/core/engine/digest.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { readCsv, sniffCsv, type CsvOptions } from '../../src/core/ingest/csv.ts';
import { parseRecords, sniffText } from '../../src/core/ingest/sniff.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { bytesSourceFile, MemoryFileResolver } from '../../src/core/ingest/source.ts';
import { IngestError } from '../../src/core/ingest/types.ts';
import type { Progress } from '../../src/core/ops/registry.ts';
import { Session } from '../../src/core/project/session.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import { summarizeTable } from '../../src/core/profile/profile.ts';
import { scanQuotes } from '../../src/core/ingest/quotes.ts';
import iconv from 'iconv-lite';
import * as fx from '../fixtures/csv-fixtures.ts';
import { tableRelation } from '../../src/core/sql/relation.ts';
import { reopened } from './helpers-io.ts';

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
  const prov = res.detail!.tables[0]!.provenance;
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
    expect(r.options).toMatchObject({
      encoding: 'utf-8',
      delimiter: ';',
      quote: '"',
      header: true,
      decimalComma: true,
      dateFormat: 'dd/mm/yyyy',
      skipRows: 0,
    });
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
    const csv = new TextEncoder().encode(
      "Fonction;Sous-fonction;Article;Nature;Compte;Budget de l'année\n42;422.1;6574.02;6574;4011;202587\n52;524.2;6574;65738;4012;35000.5\n",
    );
    const r = await importBytes('nomenclature', csv);
    expect(r.types).toMatchObject({
      fonction: 'VARCHAR',
      sous_fonction: 'VARCHAR',
      article: 'VARCHAR',
      nature: 'VARCHAR',
      compte: 'VARCHAR',
      budget_de_l_annee: 'DECIMAL(18,2)',
    });
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
    await reopened(r.store, r.files, async (session, other) => {
      const rows = await other.query(`SELECT * FROM ${quoteIdent(r.table)}`);
      expect(rows.rows).toEqual(r.data.rows);
      expect(session.catalog.get(r.table)?.source?.options).toEqual(r.options);
    });
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

  it('stops on an unterminated quote the user asked for, naming the line where it opens and suggesting quote = none', async () => {
    // Without quoting every line has 3 fields: had the quote been a guess, the file would be read without (see below).
    const e = await importFails('unterminated', fx.unterminatedQuoteCsv(), { quote: '"' });
    expect(e).toBeInstanceOf(IngestError);
    expect((e as IngestError).line).toBe(3);
    expect(e.message).toMatch(/ligne 3 : guillemet ouvert/);
    expect(e.message).toMatch(/1 ligne\(s\) contiennent des guillemets isolés \(première : ligne 3\).*guillemet = aucun/);
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

describe('CSV typing traps of real Paris exports (issue #12.6)', () => {
  it('keeps arrondissement, postal and INSEE codes and SIRET as text, by name and by value shape', async () => {
    const r = await importBytes('codes', fx.placeCodesCsv());
    expect(r.types).toMatchObject({
      arrondissement: 'VARCHAR',
      cp: 'VARCHAR',
      code_commune: 'VARCHAR',
      localisation: 'VARCHAR',
      siretsiegeunitelegale: 'VARCHAR',
      codepostaletablissement: 'VARCHAR',
      nb_places: 'BIGINT',
      annee: 'BIGINT',
    });
    expect(r.data.rows[0]!.slice(0, 5)).toEqual(['75013', '75013', '75014', '75013', '31939212200036']);
    // The codes are codes, not « montant en texte »: the profile flags none of them.
    const summary = await summarizeTable(engine, tableRelation(r.table));
    for (const c of summary) expect(c.flags, c.name).not.toContain('amount-as-text');
  });

  it('keeps a small arrondissement number (1 to 20) a number: only the 75xxx shape makes it a code', async () => {
    const r = await importBytes('arr', new TextEncoder().encode('arrondissement;n\n13;1\n5;2\n20;3\n'));
    expect(r.types.arrondissement).toBe('BIGINT');
  });

  it('reads YYYY-MM columns, blanks included, as dates on the 1st with the month precision recorded; a mixed one stays text with a warning', async () => {
    const r = await importBytes('months', fx.monthColumnsCsv());
    for (const c of ['date_debut', 'date_fin', 'date_livraison_prevue', 'date_livraison', 'date_vote']) expect(r.types[c], c).toBe('DATE');
    expect(r.types.periode).toBe('VARCHAR');
    expect(r.options.datePrecision).toEqual({
      date_debut: 'month',
      date_fin: 'month',
      date_livraison_prevue: 'month',
      date_livraison: 'month',
      date_vote: 'month',
    });
    const q = await engine.query(`SELECT date_debut::VARCHAR, date_fin::VARCHAR FROM ${quoteIdent(r.table)} ORDER BY projet`);
    expect(q.rows).toEqual([
      ['2019-06-01', '2020-01-01'],
      ['2018-12-01', null],
      [null, '2021-11-01'],
      ['2020-02-01', '2022-02-01'],
    ]);
    expect(r.prov.warnings?.join('\n')).toMatch(
      /colonne « periode » : 3 valeur\(s\) sur 4 sont des mois AAAA-MM, mais pas toutes \(ex\. « T3 2019 »\) : laissée en texte/,
    );
    expect(r.prov.warnings?.join('\n')).toMatch(
      /colonne « date_debut » : mois AAAA-MM lus comme des dates au 1er du mois \(précision : le mois\)/,
    );
  });

  it('reads amounts written with thousands separators and a euro sign as numbers, blanks as NULL', async () => {
    const r = await importBytes('grouped', fx.groupedAmountsCsv());
    expect(r.types).toMatchObject({ montant_vote: 'BIGINT', montant_paye: 'DECIMAL(18,2)', objet: 'VARCHAR' });
    const q = await engine.query(`SELECT sum(montant_vote), sum(montant_paye)::VARCHAR, count(montant_paye) FROM ${quoteIdent(r.table)}`);
    expect(q.rows[0]).toEqual([14300, '4300.50', 3]);
    expect(r.options.groupedNumbers).toEqual(['montant_vote', 'montant_paye']);
  });

  it('reads an integer amount column whose name holds « nature » as a number, and nomenclature codes as text', async () => {
    const r = await importBytes(
      'nature',
      new TextEncoder().encode('nature;Subventions sans nature specifiee;Montant article\n6574;1500;10\n6574;;20\n'),
    );
    expect(r.types).toMatchObject({ nature: 'VARCHAR', subventions_sans_nature_specifiee: 'BIGINT', montant_article: 'BIGINT' });
  });

  it('widens an integer column to a decimal one, not text, when a decimal shows up beyond the type sample', async () => {
    const lines = ['n;taux;montant'];
    for (let i = 1; i <= 25_000; i++) lines.push(`${i};1,5;${i}`);
    lines.push('25001;1,5;12,5');
    const r = await importBytes('widen', new TextEncoder().encode(lines.join('\n') + '\n'));
    expect(r.types.montant).toBe('DECIMAL(18,2)');
    expect(r.prov.warnings?.join('\n')).toMatch(/colonne « montant » : .* importée en nombre décimal/);
    const q = await engine.query(`SELECT max(montant)::VARCHAR FROM ${quoteIdent(r.table)}`);
    expect(q.rows[0]![0]).toBe('25000.00');
  });
});

describe('CSV files with stray quotes (issue #13.4)', () => {
  it('reads the 18-field subsidies file whose values hold unescaped quotes without quoting, saying how many lines and which first', async () => {
    const r = await importBytes('strays', fx.strayQuotesCsv());
    expect(r.prov.rows).toBe(300);
    expect(r.prov.rejected).toBeUndefined();
    expect(r.options.quote).toBe('');
    expect(r.prov.warnings?.[0]).toMatch(
      /^4 ligne\(s\) contiennent des guillemets isolés \(première : ligne 40\) ; toutes les lignes ont 18 champs/,
    );
    // Physical lines 41 and 120 are records 40 and 119: their quotes are kept as written.
    const q = await engine.query(
      `SELECT objet_du_dossier FROM ${quoteIdent(r.table)} WHERE numero_de_dossier IN ('2013_00040', '2013_00119') ORDER BY 1`,
    );
    expect(q.rows).toEqual([['"Atelier d\'ecriture pour les jeunes'], ['"Les amis" du quartier : fete annuelle']]);
    // The real trap: « nature » in its name kept this integer amount column as text.
    expect(r.types.subventions_sans_nature_specifiee).toBe('BIGINT');
    expect(r.types.numero_siret).toBe('VARCHAR');
    expect(r.types.arrondissement).toBe('VARCHAR');
    expect(r.types.mois_de_vote).toBe('DATE');
  });

  it('refuses a file whose field counts differ even without quotes, naming the open quote and the first misfit line; nothing is created', async () => {
    const name = `uneven_${++n}.csv`;
    const files = new MemoryFileResolver();
    files.add(bytesSourceFile(fx.unevenOpenQuoteCsv(), name));
    const session = await Session.create(engine, new MemoryProjectStore(), files, 'essai');
    const e = await session.importPath(name).then(
      () => null,
      (x: unknown) => x as IngestError,
    );
    expect(e).toBeInstanceOf(IngestError);
    expect(e!.line).toBe(4);
    expect(e!.message).toMatch(/ligne 4 : guillemet ouvert jamais refermé/);
    expect(e!.message).toMatch(/les lignes n’ont pas toutes 3 champs \(ligne 5 : 4 champ\(s\)\), donc guillemet = aucun ne convient pas/);
    expect(session.catalog.list()).toEqual([]);
    const left = await engine.query(`SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'uneven%'`);
    expect(Number(left.rows[0]![0])).toBe(0);
  });
});

describe('importing the same file again (issue #13.4)', () => {
  it('replaces the table on request, names the original file in the provenance, and keeps the old table when the new read fails', async () => {
    const files = new MemoryFileResolver();
    files.add(bytesSourceFile(fx.unterminatedQuoteCsv(), 'releve.csv', 'sources/releve.csv'));
    files.add(bytesSourceFile(fx.unterminatedQuoteCsv(), 'releve (2).csv', 'sources/releve (2).csv'));
    const session = await Session.create(engine, new MemoryProjectStore(), files, 'essai');
    const first = await session.importPath('sources/releve.csv');
    expect(first.tables).toEqual(['releve']);
    // Other options, from the copy the app keeps under another name: same table, original file name.
    const again = await session.importPath('sources/releve (2).csv', { fileName: 'releve.csv', replace: true, options: { quote: "'" } });
    expect(again.tables).toEqual(['releve']);
    expect(again.summary).toMatch(/^releve\.csv : 1 table\(s\), 4 ligne\(s\) — remplace la table « releve » de l’import précédent$/);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['releve']);
    expect(session.catalog.get('releve')!.source!.fileName).toBe('releve.csv');
    expect(session.manifest.sources.map((s) => [s.table, s.fileName])).toEqual([['releve', 'releve.csv']]);
    // A failing re-read leaves the table as it was.
    const before = await engine.query('SELECT * FROM releve ORDER BY a');
    const failed = await session.importPath('sources/releve.csv', { replace: true, options: { quote: '"' } }).then(
      () => null,
      (x: unknown) => x as Error,
    );
    expect(failed?.message).toMatch(/ligne 3 : guillemet ouvert/);
    expect((await engine.query('SELECT * FROM releve ORDER BY a')).rows).toEqual(before.rows);
    // Without `replace`, a second import still makes a second table, as before.
    const third = await session.importPath('sources/releve.csv');
    expect(third.tables).toEqual(['releve_2']);
  });

  it('reopens a project with the same types: months, grouped numbers, codes, quote = none', async () => {
    const files = new MemoryFileResolver();
    const store = new MemoryProjectStore();
    files.add(bytesSourceFile(fx.monthColumnsCsv(), 'mois.csv'));
    files.add(bytesSourceFile(fx.groupedAmountsCsv(), 'groupes.csv'));
    files.add(bytesSourceFile(fx.placeCodesCsv(), 'codes.csv'));
    files.add(bytesSourceFile(fx.strayQuotesCsv(60, [10, 20]), 'subventions.csv'));
    const session = await Session.create(engine, store, files, 'essai');
    for (const f of ['mois.csv', 'groupes.csv', 'codes.csv', 'subventions.csv']) await session.importPath(f);
    const snapshot = async (e: Engine, names: string[]) => {
      const out: Record<string, unknown> = {};
      for (const t of names) {
        out[`${t}:types`] = (await e.query(`DESCRIBE ${quoteIdent(t)}`)).rows.map((x) => `${x[0]}:${x[1]}`);
        out[`${t}:rows`] = (await e.query(`SELECT * FROM ${quoteIdent(t)} ORDER BY ALL`)).rows;
      }
      return out;
    };
    const names = session.catalog.list().map((t) => t.name);
    expect(names).toEqual(['codes', 'groupes', 'mois', 'subventions']);
    const before = await snapshot(engine, names);
    await reopened(store, files, async (again, other) => {
      expect(await snapshot(other, names)).toEqual(before);
      expect(again.catalog.get('mois')!.source!.options).toMatchObject({ datePrecision: { date_debut: 'month' } });
      expect(again.catalog.get('subventions')!.source!.options).toMatchObject({ quote: '' });
    });
  });
});

const DATA = '/work/shared/data';
const bilan = `${DATA}/bilan-comptable.csv`;
const budget = `${DATA}/seed_pdf_budget_vote_2023.csv`;

describe.skipIf(!existsSync(bilan) || !existsSync(budget))('CSV import of real Paris exports', () => {
  async function importReal(path: string) {
    const session = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, 'réel');
    const res = await session.importPath(path, { table: `reel_${++n}` });
    return { session, table: res.tables![0]!, prov: res.detail!.tables[0]!.provenance };
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

const sirene = `${DATA}/ParisSubsidies_SIRENE.csv`;

describe.skipIf(!existsSync(sirene))('the real SIRENE extract of Paris-subsidised bodies (issue #12.6)', () => {
  it('keeps SIRET and postal codes glued to other words as text, and the profile does not call them amounts', async () => {
    const session = await Session.create(engine, new MemoryProjectStore(), nodeFileResolver, 'réel');
    const res = await session.importPath(sirene, { table: `sirene_${++n}` });
    const table = res.tables![0]!;
    const types = Object.fromEntries(session.catalog.get(table)!.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ siret: 'VARCHAR', siretsiegeunitelegale: 'VARCHAR', codepostaletablissement: 'VARCHAR' });
    const paris = await engine.query(
      `SELECT count(*) FILTER (WHERE codepostaletablissement LIKE '75%'), count(*) FROM ${quoteIdent(table)}`,
    );
    expect(Number(paris.rows[0]![0])).toBeGreaterThan(Number(paris.rows[0]![1]) / 2);
    const summary = await summarizeTable(engine, tableRelation(table));
    for (const c of summary.filter((x) => ['siret', 'siretsiegeunitelegale', 'codepostaletablissement'].includes(x.name))) {
      expect(c.flags, c.name).not.toContain('amount-as-text');
    }
  });
});

describe('the stray-quote scan', () => {
  it('counts fields, stray and wrapped quotes over the whole file, in UTF-8 and UTF-16', async () => {
    const text = 'a;b;c\n1;"x";2\n2;DVD "Un regard;3\n\n3;"Les amis" du coin;4\n4;y;5;6\n';
    for (const [bytes, encoding] of [
      [new TextEncoder().encode(text), 'utf-8'],
      [iconv.encode('\uFEFF' + text, 'utf16le'), 'utf-16le'],
    ] as const) {
      const s = await scanQuotes(bytesSourceFile(bytes, 'scan.csv'), { delimiter: ';', quote: '"', encoding });
      expect(s, encoding).toMatchObject({
        lines: 5,
        width: 3,
        mismatched: 1,
        firstMismatch: { line: 6, fields: 4 },
        strayLines: 2,
        firstStrayLine: 3,
        wrappedValues: 1,
        fitsWithoutQuotes: false,
      });
    }
  });
});
