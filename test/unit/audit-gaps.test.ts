import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;

beforeAll(async () => {
  b = await auditBench();
  // 1..20 without 7, 12, 13, 14; 9 twice.
  await b.table('mandats', `SELECT n AS numero FROM range(1, 21) t(n) WHERE n NOT IN (7, 12, 13, 14) UNION ALL SELECT 9 ORDER BY 1`);
  await b.table(
    'dossiers',
    `SELECT * FROM (VALUES ('2023_04516'), ('2023_04517'), ('2023_04519'), ('2023_04519'), ('2024_00001'), ('2024_00002'), ('2024_00005'), ('sans numéro'), (NULL)) t(dossier)`,
  );
  // Every day of January 2024 but the 10th and 11th; nothing in March.
  await b.table(
    'versements',
    `SELECT CAST(d AS DATE) AS date_paiement FROM range(DATE '2024-01-01', DATE '2024-02-01', INTERVAL 1 DAY) t(d)
       WHERE d NOT IN (DATE '2024-01-10', DATE '2024-01-11')
     UNION ALL SELECT DATE '2024-02-15' UNION ALL SELECT DATE '2024-04-02'`,
  );
});
afterAll(() => b.close());

describe('gaps', () => {
  it('finds the planted holes and the duplicate number in an integer sequence, and nothing else', async () => {
    const r = await b.run('gaps', { table: 'mandats', column: 'numero' });
    const rows = await b.rows(r.table!);
    expect(rows.map((x) => [x.anomalie, x.debut, x.fin, x.nb])).toEqual([
      ['lacune', '7', '7', 1],
      ['doublon', '9', '9', 2],
      ['lacune', '12', '14', 3],
    ]);
    expect(r.detail).toEqual({ gaps: 2, missing: 4, duplicates: 1, duplicateRows: 2, unparsed: 0, sequences: 1 });
    expect(r.summary).toBe('Séquence « numero » de « mandats » : 2 lacunes pour 4 numéros manquants, 1 numéro en double (2 lignes).');
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
