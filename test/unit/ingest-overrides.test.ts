// Type overrides from the import dialog, applied after any reader: each kind converts the file's own
// text (French amounts, dd/mm/yyyy, MM/YYYY, grouped integers, leading zeros), values that do not
// convert are counted and shown, and a reopen of the project gives the same types.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { conversionSql, splitOverrides } from '../../src/core/ingest/overrides.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import { Session } from '../../src/core/project/session.ts';
import { quoteIdent } from '../../src/core/sql/ident.ts';
import {
  BAD,
  expectedTyped,
  overrideRows,
  overridesCsv,
  overridesJson,
  overridesXlsx,
  overridesXml,
} from '../fixtures/overrides-fixtures.ts';
import { memoryFiles } from '../fixtures/memory-files.ts';
import { reopened } from './helpers-io.ts';

let engine: Engine;
const { files, resolver } = memoryFiles();
beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(() => engine.close());

const ALL = { ref: 'code', montant: 'decimal', quand: 'date', mois: 'month', nb: 'integer', libelle: 'text' } as const;
const COLS = 'ref, montant, quand, mois, nb, libelle';

async function session(name: string, bytes: Uint8Array | string) {
  files.set(name, typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  return Session.create(engine, new MemoryProjectStore(), resolver, name);
}

async function typesOf(e: Engine, table: string) {
  return Object.fromEntries((await e.query(`DESCRIBE ${quoteIdent(table)}`)).rows.map((r) => [String(r[0]), String(r[1])]));
}

const SQL_TYPES = { ref: 'VARCHAR', montant: 'DECIMAL(18,2)', quand: 'DATE', mois: 'DATE', nb: 'BIGINT', libelle: 'VARCHAR' };

describe('type overrides for every format', () => {
  const formats: [string, () => Promise<Uint8Array | string>, Record<string, unknown>][] = [
    ['lignes_csv.csv', async () => overridesCsv(), {}],
    ['lignes_json.json', async () => overridesJson(), { path: 'data.lignes' }],
    ['lignes_xml.xml', async () => overridesXml(), {}],
  ];
  for (const [name, make, extra] of formats) {
    it(`${name}: each kind converts from the text, failures are counted with examples`, async () => {
      const s = await session(name, await make());
      const res = await s.importPath(name, { options: { ...extra, types: { ...ALL } } });
      const table = res.tables![0]!;
      expect(await typesOf(engine, table)).toMatchObject(SQL_TYPES);
      const rows = (await engine.query(`SELECT ${COLS} FROM ${quoteIdent(table)} ORDER BY ref`)).rows;
      expect(rows).toEqual(expectedTyped());
      const warnings = s.catalog.get(table)!.source!.warnings ?? [];
      // One bad value per converted column, each named with its text.
      for (const [col, bad] of Object.entries(BAD)) {
        const w = warnings.find((x) => x.startsWith(`colonne « ${col} » : 1 valeur(s) non convertible(s)`));
        expect(w, `${col} in ${warnings.join(' | ')}`).toBeDefined();
        // The XML reader rewrites French dates as ISO text before us: the example is the table's text.
        const shown = name.endsWith('.xml') && col === 'quand' ? '2024-02-31' : bad;
        expect(w).toContain(`« ${shown} »`);
      }
      expect(warnings.some((x) => x.includes('« ref »') && x.includes('non convertible'))).toBe(false);
      expect(s.catalog.get(table)!.source!.options).toMatchObject({ types: ALL });
    });
  }

  it('a CSV column overridden as text keeps the text as written, not the date the reader made of it', async () => {
    const s = await session('dates_texte.csv', overridesCsv());
    const plain = await s.importPath('dates_texte.csv');
    expect((await typesOf(engine, plain.tables![0]!)).quand).toBe('VARCHAR');
    const s2 = await session('dates_ok.csv', overridesCsv(overrideRows().filter((r) => typeof r.quand !== 'string')));
    const auto = await s2.importPath('dates_ok.csv');
    expect((await typesOf(engine, auto.tables![0]!)).quand).toBe('DATE');
    const typed = await s2.importPath('dates_ok.csv', { table: 'dates_ok_texte', options: { types: { quand: 'text' } } });
    const got = (await engine.query(`SELECT quand FROM ${quoteIdent(typed.tables![0]!)} ORDER BY ref`)).rows.map((r) => r[0]);
    const pad = (n: number) => String(n).padStart(2, '0');
    expect(got).toEqual(
      overrideRows()
        .filter((r) => typeof r.quand !== 'string')
        .map((r) => {
          const [y, m, d] = r.quand as number[];
          return `${pad(d!)}/${pad(m!)}/${y}`;
        }),
    );
  });

  it('a reopen gives the same types, values and warnings', async () => {
    for (const [name, bytes, extra] of [
      ['reo_csv.csv', overridesCsv(), {}],
      ['reo_json.json', overridesJson(), { path: 'data.lignes' }],
    ] as const) {
      const s = await session(name, bytes);
      const res = await s.importPath(name, { options: { ...extra, types: { ...ALL } } });
      const table = res.tables![0]!;
      const before = {
        types: await typesOf(engine, table),
        rows: (await engine.query(`SELECT ${COLS} FROM ${quoteIdent(table)} ORDER BY ref`)).rows,
        warnings: s.catalog.get(table)!.source!.warnings,
      };
      await reopened(s.store, resolver, async (again, fresh) => {
        expect(await typesOf(fresh, table)).toEqual(before.types);
        expect((await fresh.query(`SELECT ${COLS} FROM ${quoteIdent(table)} ORDER BY ref`)).rows).toEqual(before.rows);
        expect(again.catalog.get(table)!.source!.warnings).toEqual(before.warnings);
      });
    }
  });

  it('XLSX: the types of one sheet go through partTypes, the other sheet is untouched', async () => {
    const s = await session('classeur.xlsx', await overridesXlsx());
    const res = await s.importPath('classeur.xlsx', { options: { partTypes: { Données: { ...ALL } } } });
    const data = res.tables!.find((t) => s.catalog.get(t)?.source?.part === 'Données')!;
    const notes = res.tables!.find((t) => s.catalog.get(t)?.source?.part === 'Notes')!;
    expect(await typesOf(engine, data)).toMatchObject(SQL_TYPES);
    expect((await engine.query(`SELECT ${COLS} FROM ${quoteIdent(data)} ORDER BY ref`)).rows).toEqual(expectedTyped());
    expect(await typesOf(engine, notes)).toEqual({ note: 'VARCHAR' });
    expect(s.catalog.get(data)!.source!.warnings!.filter((w) => w.includes('non convertible'))).toHaveLength(Object.keys(BAD).length);
  });

  it('an integer override refuses fractions instead of rounding them, and counts them', async () => {
    const s = await session('frac.json', JSON.stringify([{ n: 1.5 }, { n: 2 }, { n: null }, { n: 3.25 }]));
    const res = await s.importPath('frac.json', { options: { types: { n: 'integer' } } });
    const t = res.tables![0]!;
    expect((await engine.query(`SELECT n FROM ${quoteIdent(t)} ORDER BY n NULLS LAST`)).rows).toEqual([[2], [null], [null], [null]]);
    const w = s.catalog.get(t)!.source!.warnings!.find((x) => x.includes('non convertible'));
    expect(w).toMatch(/^colonne « n » : 2 valeur\(s\) non convertible\(s\) en entier/);
  });

  it('a decimal override from a double rounds to the cent and says how many values it rounded', async () => {
    const s = await session('cents.json', JSON.stringify([{ m: 1.005 }, { m: 2.5 }, { m: 7.123 }]));
    const res = await s.importPath('cents.json', { options: { types: { m: 'decimal' } } });
    const w = s.catalog.get(res.tables![0]!)!.source!.warnings ?? [];
    expect(w.find((x) => x.includes('arrondie'))).toMatch(/« m » : 2 valeur\(s\)/);
  });

  it('an unknown column is reported, an unknown kind refused before anything is read', async () => {
    const s = await session('u.json', JSON.stringify([{ a: '1' }]));
    const res = await s.importPath('u.json', { options: { types: { absente: 'integer' } } });
    expect(s.catalog.get(res.tables![0]!)!.source!.warnings!.some((w) => w.includes('« absente »') && w.includes('ignoré'))).toBe(true);
    await expect(s.importPath('u.json', { options: { types: { a: 'float' } } })).rejects.toThrow(/types de colonnes invalides/);
    expect(() => splitOverrides('json', { types: { a: 'BIGINT; DROP TABLE x' } }, 'u.json')).toThrow();
  });

  it('decimal text: French, dotted and currency forms; scientific notation is not an amount', async () => {
    const values = ['1 234,56', '1.234,56', '1234.56', '12 €', '-0,5', '1e5', 'infinity', ''];
    const expr = conversionSql('v', 'VARCHAR', 'decimal');
    const got = (await engine.query(`SELECT ${expr} FROM (SELECT unnest([${values.map((v) => `'${v}'`).join(', ')}]) AS v)`)).rows.map(
      (r) => r[0],
    );
    expect(got).toEqual([1234.56, 1234.56, 1234.56, 12, -0.5, null, null, null]);
  });
});
