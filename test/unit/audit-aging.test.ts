import { describe, expect, it } from 'vitest';
import { auditSuite } from '../fixtures/audit-fixtures.ts';

const b = auditSuite({
  // Ages at 31/12/2024, in days: 0, 30, 31, 90, 91, 365, 366, −15 (future), and an empty date.
  factures: `SELECT * FROM (VALUES
      (DATE '2024-12-31', 100.0), (DATE '2024-12-01', 200.0), (DATE '2024-11-30', 300.0), (DATE '2024-10-02', 400.0),
      (DATE '2024-10-01', 500.0), (DATE '2024-01-01', 600.0), (DATE '2023-12-31', 700.0), (DATE '2025-01-15', 800.0),
      (NULL, 900.0)
    ) t("Date facture", "Montant TTC")`,
  horodatees: `SELECT TIMESTAMP '2024-12-30 23:59:00' AS ts UNION ALL SELECT TIMESTAMP '2024-11-01 00:00:01'`,
});
const sp = (x: unknown) => String(x).replace(/[\u202f\u00a0]/g, ' ');

describe('aging', () => {
  it('puts each item in its band of days at the reference date, bounds included, future and empty dates apart', async () => {
    const r = await b.run('aging', { table: 'factures', date: 'Date facture', amount: 'Montant TTC', referenceDate: '2024-12-31' });
    const rows = await b.rows(r.table!, 'rang');
    expect(rows.map((x) => [sp(x.tranche), x.nb, x.total, x.date_min, x.date_max])).toEqual([
      ['date vide', 1, 900, null, null],
      ['date postérieure à la référence', 1, 800, '2025-01-15', '2025-01-15'],
      ['0–30 jours', 2, 300, '2024-12-01', '2024-12-31'],
      ['31–60 jours', 1, 300, '2024-11-30', '2024-11-30'],
      ['61–90 jours', 1, 400, '2024-10-02', '2024-10-02'],
      ['91–180 jours', 1, 500, '2024-10-01', '2024-10-01'],
      ['181–365 jours', 1, 600, '2024-01-01', '2024-01-01'],
      ['> 365 jours', 1, 700, '2023-12-31', '2023-12-31'],
    ]);
    expect(rows[2]!.part_nb).toBeCloseTo(2 / 9, 12);
    expect(rows[7]!.part_montant).toBeCloseTo(700 / 4500, 12);
    expect(r.detail).toMatchObject({ referenceDate: '2024-12-31', rows: 9, total: 4500, future: 1, missing: 1, overLast: 1 });
    expect(sp(r.summary)).toBe(
      'Balance âgée de « factures » au 31/12/2024 sur la date « Date facture » : 9 lignes pour 4 500,00 €. ' +
        'Plus de 365 jours : 1 ligne (700,00 €, 15,6 % du montant). 1 date postérieure à la référence, à part. 1 date vide, à part. ' +
        'Âge en jours entre la date et la référence, tranches bornes incluses (0–30, 31–60, 61–90, 91–180, 181–365, > 365).',
    );
  });

  it('takes other bounds, counts without an amount, and reads timestamps at their date', async () => {
    const r = await b.run('aging', { table: 'horodatees', date: 'ts', referenceDate: '2024-12-31', bounds: [1, 60] });
    const rows = await b.rows(r.table!, 'rang');
    expect(rows.map((x) => [sp(x.tranche), x.nb, x.total])).toEqual([
      ['0–1 jours', 1, null],
      ['2–60 jours', 1, null],
      ['> 60 jours', 0, null],
    ]);
    expect(r.detail).toMatchObject({ total: null, rows: 2 });
  });

  it('gives the same answer whatever the day it runs: the reference date is required', async () => {
    await expect(b.run('aging', { table: 'factures', date: 'Date facture' })).rejects.toThrow(/referenceDate/);
    await expect(b.run('aging', { table: 'factures', date: 'Date facture', referenceDate: 'today' })).rejects.toThrow(/AAAA-MM-JJ/);
    await expect(b.run('aging', { table: 'factures', date: 'Date facture', referenceDate: '2024-02-30' })).rejects.toThrow(
      /date inexistante/,
    );
  });

  it('refuses bad parameters with a clear message', async () => {
    await expect(b.run('aging', { table: 'absente', date: 'd', referenceDate: '2024-12-31' })).rejects.toThrow(/Table inconnue/);
    await expect(b.run('aging', { table: 'factures', date: 'Montant TTC', referenceDate: '2024-12-31' })).rejects.toThrow(
      /n'est pas une date/,
    );
    await expect(
      b.run('aging', { table: 'factures', date: 'Date facture', amount: 'Date facture', referenceDate: '2024-12-31' }),
    ).rejects.toThrow(/n'est pas numérique/);
    await expect(b.run('aging', { table: 'factures', date: 'Date facture', amount: 'TTC', referenceDate: '2024-12-31' })).rejects.toThrow(
      /Colonne inconnue/,
    );
    await expect(
      b.run('aging', { table: 'factures', date: 'Date facture', referenceDate: '2024-12-31', bounds: [60, 30] }),
    ).rejects.toThrow(/strictement croissantes/);
  });
});
