import { describe, expect, it } from 'vitest';
import { easterSunday, frenchHolidays } from '../../src/core/audit/holidays.ts';
import type { ThresholdsDetail } from '../../src/core/audit/thresholds.ts';
import { auditSuite } from '../fixtures/audit-fixtures.ts';
import { contractTraps, noSupplierContracts } from '../fixtures/audit-traps.ts';

const b = auditSuite({
  marches: `SELECT * FROM (VALUES
    ('Imprimerie Vasseur & Associés', '81275309300010', 38450.0, DATE '2023-03-06'),
    ('IMPRIMERIE VASSEUR ET ASSOCIES', '812 753 093 00010', 39120.0, DATE '2023-03-14'),
    ('Imprimerie Vasseur & Associés', '81275309300010', 39870.0, DATE '2023-03-24'),
    ('Menuiserie Dubois', '40211987600017', 25000.0, DATE '2023-01-10'),
    ('Menuiserie Dubois', '40211987600017', 20000.0, DATE '2023-03-20'),
    ('Nettoyage Parisien', '52318894500025', 12345.67, DATE '2023-03-25'),
    ('BTP Île-de-France', '31512478900012', 1234567.0, DATE '2024-05-09'),
    ('Conseil Martin', '44477788800019', 215000.5, DATE '2024-06-04')
  ) t(fournisseur, siret, montant_ht, date_notification)`,
});

describe('French public holidays', () => {
  it('computes Easter and the movable feasts', () => {
    expect(easterSunday(2024)).toEqual({ month: 3, day: 31 });
    expect(easterSunday(2025)).toEqual({ month: 4, day: 20 });
    const h = frenchHolidays(2024);
    expect(h).toHaveLength(11);
    expect(h.filter((x) => /Pâques|Ascension|Pentecôte/.test(x.label)).map((x) => x.date)).toEqual([
      '2024-04-01',
      '2024-05-09',
      '2024-05-20',
    ]);
  });
});

describe('thresholds', () => {
  it('flags the split purchase, the amounts just below thresholds, round amounts, weekends and holidays — and nothing else', async () => {
    const r = await b.run<ThresholdsDetail>('thresholds', {
      table: 'marches',
      amount: 'montant_ht',
      date: 'date_notification',
      supplier: 'fournisseur',
      siret: 'siret',
    });
    const rows = await b.rows(r.table!, 'motif, seuil NULLS LAST, _ligne');
    expect(rows.map((x) => [x.motif, x.seuil, x._ligne])).toEqual([
      ['fractionnement', 40000, 1],
      ['fractionnement', 40000, 2],
      ['fractionnement', 40000, 3],
      ['jour férié', null, 7],
      ['juste sous le seuil', 40000, 1],
      ['juste sous le seuil', 40000, 2],
      ['juste sous le seuil', 40000, 3],
      ['juste sous le seuil', 221000, 8],
      ['montant rond', null, 4],
      ['montant rond', null, 5],
      ['week-end', null, 6],
    ]);
    expect(rows.find((x) => x.motif === 'jour férié')!.precision).toBe('Ascension');
    // A SIRET written with spaces still names the same supplier.
    expect(String(rows[0]!.precision)).toMatch(
      /fournisseur 81275309300010, à partir du 06\/03\/2023 : 3 marchés, 117 440,00 € en 30 jours$/,
    );
    expect(r.detail).toMatchObject({ rows: 8, splitGroups: 1, byReason: { fractionnement: 3, 'juste sous le seuil': 4 } });
  });

  it('takes thresholds and a margin as parameters', async () => {
    const r = await b.run<ThresholdsDetail>('thresholds', {
      table: 'marches',
      amount: 'montant_ht',
      checks: ['just-below'],
      thresholds: [{ label: 'Seuil 2026', amount: 26000 }],
      margin: 0.05,
    });
    expect((await b.rows(r.table!, '_ligne')).map((x) => x._ligne)).toEqual([4]);
  });

  it('asks for a date and a supplier before testing for split purchases', async () => {
    await expect(b.run('thresholds', { table: 'marches', amount: 'montant_ht', checks: ['split'] })).rejects.toThrow(
      /fractionnement demande/,
    );
    await expect(b.run('thresholds', { table: 'marches', amount: 'fournisseur' })).rejects.toThrow(/pas numérique/);
  });
});

describe('thresholds on the traps of a real contracts list', () => {
  it('sets apart multi-award contracts, pipe-joined SIRETs and placeholder suppliers, with their row counts, and never flags them', async () => {
    const f = contractTraps();
    await b.table('marches_pieges', f.sql);
    const r = await b.run<ThresholdsDetail>('thresholds', {
      table: 'marches_pieges',
      amount: 'montant_ht',
      date: 'date_notification',
      supplier: 'fournisseur',
      siret: 'siret',
      checks: ['split'],
    });
    const rows = await b.rows(r.table!, '_ligne');
    expect(rows.map((x) => x._ligne)).toEqual(f.expected.splitLines);
    expect(r.detail!.splitGroups).toBe(f.expected.splitGroups);
    // Kept, but named for what they are: an identifier that is not a SIRET, a name without SIRET.
    const precisions = [...new Set(rows.map((x) => String(x.precision).replace(/, à partir.*/, '')))].sort();
    expect(precisions).toEqual([
      `fournisseur ${f.realSiret}`,
      'fournisseur DE811569869 (identifiant non SIRET)',
      'fournisseur MENUISERIE DUBOIS (nom, sans SIRET)',
    ]);
    expect(r.detail!.population).toMatchObject({ read: f.expected.read, used: f.expected.withAmount });
    expect(r.detail!.suppliers).toEqual({
      siret: f.expected.bySiret,
      otherId: f.expected.byOtherId,
      name: f.expected.byName,
      setApart: [...f.expected.multi.values(), ...f.expected.blank.values()].reduce((a, n) => a + n, 0),
    });
    const listed = (reason: RegExp) =>
      new Map(r.detail!.setApartSuppliers!.filter((x) => reason.test(x.reason)).map((x) => [x.value, x.rows]));
    expect(listed(/plusieurs titulaires/)).toEqual(f.expected.multi);
    expect(listed(/fictif/)).toEqual(f.expected.blank);
    const sp = r.detail!.splitPopulation!;
    expect(sp.read).toBe(f.expected.withAmount);
    expect(sp.used).toBe(f.expected.bySiret + f.expected.byOtherId + f.expected.byName);
    expect(sp.setAside.find((x) => x.reason === 'sans date')?.rows).toBe(f.expected.withoutDate);
    // The population comes before the headline, and names the multi-award label with its count.
    expect(r.summary).toMatch(/« MARCHE MULTIATTRIBUTAIRE × 3 »/);
    expect(r.summary!.indexOf('mis de côté')).toBeLessThan(r.summary!.indexOf('lignes signalées'));
    // Amounts imported as integers (a CSV without cents) give the same flags.
    await b.table('marches_pieges_entiers', `SELECT * REPLACE (CAST(montant_ht AS BIGINT) AS montant_ht) FROM marches_pieges`);
    const ri = await b.run<ThresholdsDetail>('thresholds', {
      table: 'marches_pieges_entiers',
      amount: 'montant_ht',
      date: 'date_notification',
      supplier: 'fournisseur',
      siret: 'siret',
      checks: ['split'],
    });
    expect((await b.rows(ri.table!, '_ligne')).map((x) => x._ligne)).toEqual(f.expected.splitLines);
  });

  it('skips the split test when no supplier column is given, says so, and still runs the others', async () => {
    const f = noSupplierContracts();
    await b.table('decp_plat', f.sql);
    const r = await b.run<ThresholdsDetail>('thresholds', { table: 'decp_plat', amount: 'montant', date: 'date_notification' });
    const rows = await b.rows(r.table!, 'motif, _ligne');
    const got: Record<string, number[]> = {};
    for (const x of rows) (got[String(x.motif)] ??= []).push(Number(x._ligne));
    expect(got).toEqual(f.expected);
    expect(r.detail!.skipped.map((x) => x.check)).toEqual(['split']);
    expect(r.summary).toMatch(/Test « fractionnement » non fait — .*pas de colonne fournisseur \(supplier\) ni SIRET \(siret\)/);
    // Without a date either, the calendar test is skipped too; with nothing left to run, refused.
    const r2 = await b.run<ThresholdsDetail>('thresholds', { table: 'decp_plat', amount: 'montant' });
    expect(r2.detail!.skipped.map((x) => x.check)).toEqual(['split', 'calendar']);
    await expect(b.run('thresholds', { table: 'decp_plat', amount: 'montant', checks: ['split', 'calendar'] })).rejects.toThrow(
      /fractionnement demande.*week-ends/,
    );
    // A supplier column holding only placeholders: the test runs, finds nobody, and says so.
    await b.table('decp_diese', `SELECT *, '#' AS siret FROM decp_plat`);
    const r3 = await b.run<ThresholdsDetail>('thresholds', {
      table: 'decp_diese',
      amount: 'montant',
      date: 'date_notification',
      siret: 'siret',
      checks: ['split'],
    });
    expect(r3.detail!.splitPopulation!.used).toBe(0);
    expect(r3.detail!.setApartSuppliers).toEqual([{ reason: 'titulaire fictif ou non renseigné', value: '#', rows: f.rows }]);
    expect(r3.summary).toMatch(/le fractionnement n’a rien pu tester/);
  });
});
