import { describe, expect, it } from 'vitest';
import type { GapsDetail } from '../../src/core/audit/gaps.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';
import { contractNumbers } from '../fixtures/audit-traps.ts';

const b = auditSuite({
  // 1..20 without 7, 12, 13, 14; 9 twice.
  mandats: `SELECT n AS numero FROM range(1, 21) t(n) WHERE n NOT IN (7, 12, 13, 14) UNION ALL SELECT 9 ORDER BY 1`,
  dossiers: `SELECT * FROM (VALUES ('2023_04516'), ('2023_04517'), ('2023_04519'), ('2023_04519'), ('2024_00001'), ('2024_00002'), ('2024_00005'), ('sans numéro'), (NULL)) t(dossier)`,
  // Every day of January 2024 but the 10th and 11th; nothing in March.
  versements: `SELECT CAST(d AS DATE) AS date_paiement FROM range(DATE '2024-01-01', DATE '2024-02-01', INTERVAL 1 DAY) t(d)
     WHERE d NOT IN (DATE '2024-01-10', DATE '2024-01-11')
     UNION ALL SELECT DATE '2024-02-15' UNION ALL SELECT DATE '2024-04-02'`,
});

describe('gaps', () => {
  it('finds the planted holes and the duplicate number in an integer sequence, and nothing else', async () => {
    const r = await b.run('gaps', { table: 'mandats', column: 'numero' });
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.anomalie, x.debut, x.fin, x.nb])).toEqual([
      ['lacune', '7', '7', 1],
      ['doublon', '9', '9', 2],
      ['lacune', '12', '14', 3],
    ]);
    expect(r.detail).toMatchObject({
      gaps: 2,
      missing: 4,
      duplicates: 1,
      duplicateRows: 2,
      unparsed: 0,
      sequences: 1,
      refusedSequences: 0,
      segmentedBy: null,
    });
    expect(r.summary!.replace(/[\u202f\u00a0]/g, ' ')).toBe(
      'Séquence « numero » de « mandats » : 17 lignes lues, 17 avec un numéro lisible (100,0 %). Résultat : 2 lacunes pour 4 numéros manquants, 1 numéro en double (2 lignes).',
    );
  });

  it('follows coded numbers per prefix and prints gaps as the codes are written', async () => {
    const r = await b.run('gaps', { table: 'dossiers', column: 'dossier', kind: 'code' });
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.anomalie, x.prefixe, x.debut, x.fin, x.nb, x.lignes])).toEqual([
      ['lacune', '2023_', '2023_04518', '2023_04518', 1, null],
      ['doublon', '2023_', '2023_04519', '2023_04519', 2, '[3,4]'],
      ['lacune', '2024_', '2024_00003', '2024_00004', 2, null],
    ]);
    expect(r.detail).toMatchObject({ gaps: 2, missing: 3, duplicates: 1, unparsed: 1, sequences: 2 });
  });

  it('finds missing days, and missing months', async () => {
    const days = await b.run('gaps', { table: 'versements', column: 'date_paiement', kind: 'date' });
    const d = await b.rows(days.table!);
    expect(d[0]).toMatchObject({ debut: '2024-01-10', fin: '2024-01-11', nb: 2 });
    expect(days.detail).toMatchObject({ gaps: 3, missing: 2 + 14 + 46 });
    const months = await b.run('gaps', { table: 'versements', column: 'date_paiement', kind: 'date', unit: 'month' });
    expect((await b.rows(months.table!)).map((x) => [x.debut, x.fin, x.nb])).toEqual([['2024-03', '2024-03', 1]]);
  });

  it('refuses a date sequence on a column that is not a date', async () => {
    await expect(b.run('gaps', { table: 'mandats', column: 'numero', kind: 'date' })).rejects.toThrow(/n'est pas une date/);
    await expect(b.run('gaps', { table: 'mandats', column: 'numero', unit: 'week' })).rejects.toThrow(/Paramètres invalides/);
  });
});

describe('gaps on identifiers that are not a running number', () => {
  it('never counts billions of missing contract numbers: cuts 2021xxxxxx by year, refuses a year too sparse, states the population', async () => {
    const f = contractNumbers();
    await b.table('marches_numeros', f.sql);
    const r = await b.run<GapsDetail>('gaps', { table: 'marches_numeros', column: 'numero_marche' });
    const rows = await b.rows(r.table!);
    expect(rows.filter((x) => x.anomalie === 'lacune').map((x) => [x.prefixe, x.debut, x.fin, x.nb])).toEqual(
      f.expected.holes.map((h) => [...h]),
    );
    expect(
      rows
        .filter((x) => x.anomalie === 'doublon')
        .map((x) => x.debut)
        .sort(),
    ).toEqual([...f.expected.duplicates].sort());
    expect(rows.filter((x) => x.anomalie === 'plage trop clairsemée').map((x) => [x.prefixe, x.debut, x.fin, x.nb])).toEqual([
      ['2018', f.expected.sparse[0], f.expected.sparse.at(-1), f.expected.sparse.length],
    ]);
    expect(r.detail).toMatchObject({
      missing: f.expected.missing,
      segmentedBy: 'année',
      sequences: f.expected.sequences,
      refusedSequences: 1,
      unparsed: f.expected.nonNumeric.length,
    });
    expect(r.detail!.missing).toBeLessThan(f.expected.used);
    expect(r.detail!.population).toMatchObject({ read: f.expected.read, used: f.expected.used });
    expect(r.detail!.population.setAside).toEqual([
      { reason: 'vides', rows: f.expected.blank },
      { reason: 'non numériques', rows: f.expected.nonNumeric.length, examples: [...f.expected.nonNumeric].sort() },
    ]);
    // The summary says why the whole range was not read as one sequence.
    expect(r.summary).toMatch(
      new RegExp(
        `ce n'est pas une numérotation continue ; séquence suivie par année en tête du numéro \\(${f.expected.years} années ; ${f.expected.outside} numéros sans année en tête, suivis à part\\)`,
      ),
    );
    expect(r.summary).toContain('« sans numéro »');
  });

  it('refuses, with a sentence, a range too sparse for its row count when no year explains it', async () => {
    await b.table('ids_epars', `SELECT * FROM (VALUES (5), (1000), (123456), (9999999)) t(n)`);
    const r = await b.run<GapsDetail>('gaps', { table: 'ids_epars', column: 'n' });
    expect(r.detail).toMatchObject({ gaps: 0, missing: 0, sequences: 1, refusedSequences: 1, segmentedBy: null });
    expect(r.summary).toMatch(
      /Lacunes non comptées : la plage est trop clairsemée pour une numérotation continue \(4 numéros de 5 à 9999999/,
    );
    expect(r.summary).toMatch(/Résultat : lacunes non comptées, aucun doublon\.$/);
  });
});

describe('gaps on codes: density is judged per prefix', () => {
  it('counts the holes of a dense prefix and refuses a sparse one', async () => {
    // Prefix A_: 1..10 without 4 (dense). Prefix B_: 3 codes over 1..50 000 (sparse: 3 < 1 % of 50 000).
    const dense = Array.from({ length: 10 }, (_, i) => i + 1)
      .filter((n) => n !== 4)
      .map((n) => `A_${String(n).padStart(3, '0')}`);
    const sparse = ['B_00001', 'B_20000', 'B_50000'];
    await b.table('codes_mixtes', `SELECT * FROM (VALUES ${[...dense, ...sparse].map((v) => `('${v}')`).join(', ')}) t(code)`);
    const r = await b.run<GapsDetail>('gaps', { table: 'codes_mixtes', column: 'code', kind: 'code' });
    expect((await b.rows(r.table!)).map((x) => [x.anomalie, x.prefixe, x.debut, x.fin, x.nb])).toEqual([
      ['lacune', 'A_', 'A_004', 'A_004', 1],
      ['plage trop clairsemée', 'B_', 'B_00001', 'B_50000', 3],
    ]);
    expect(r.detail).toMatchObject({ gaps: 1, missing: 1, sequences: 2, refusedSequences: 1 });
    expect(r.summary).toMatch(
      /1 séquence trop clairsemée pour une numérotation continue, sans comptage de lacunes \(« B_ » : 3 numéros de B_00001 à B_50000\)/,
    );
  });
});
