import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;

// Group A: 1..19 and 200. Group B: 50, 52, 54, 56, 500 (five values: no |z| can pass 3). One empty amount.
const A = [...Array.from({ length: 19 }, (_, i) => i + 1), 200];
const B = [50, 52, 54, 56, 500];

beforeAll(async () => {
  b = await auditBench();
  const values = [...A.map((x) => `('A', ${x})`), ...B.map((x) => `('B', ${x})`), `('B', NULL)`].join(', ');
  await b.table('paiements', `SELECT * FROM (VALUES ${values}) t("Direction", montant)`);
});
afterAll(() => b.close());

/** Known answers computed by hand: mean, population and sample deviations of A. */
const MEAN_A = 19.5;
const SD_POP_A = Math.sqrt((2470 + 40000) / 20 - MEAN_A ** 2); // 41.7522…
const SD_SAMP_A = Math.sqrt(((2470 + 40000) / 20 - MEAN_A ** 2) * (20 / 19));

describe('outliers', () => {
  it('flags per group by z-score (population sd) and by Tukey fences with linear-interpolation quartiles', async () => {
    const r = await b.run('outliers', { table: 'paiements', column: 'montant', groupBy: ['Direction'] });
    const rows = await b.rows(r.table!, '"Direction", _ligne');
    expect(rows.map((x) => [x._ligne, x.Direction, x.valeur, x.sens, x.hors_zscore, x.hors_iqr])).toEqual([
      [20, 'A', 200, 'haut', true, true],
      [25, 'B', 500, 'haut', false, true],
    ]);
    const a = rows[0]!;
    expect(a.moyenne).toBeCloseTo(MEAN_A, 12);
    expect(a.ecart_type).toBeCloseTo(SD_POP_A, 12);
    expect(a.z).toBeCloseTo((200 - MEAN_A) / SD_POP_A, 12);
    // Sorted A: Q1 at position 4,75 → 5,75; Q3 at 14,25 → 15,25; IQR 9,5.
    expect([a.q1, a.q3, a.borne_basse, a.borne_haute]).toEqual([5.75, 15.25, -8.5, 29.5]);
    // B: Q1 = 52, Q3 = 56, fences 46 and 62.
    expect([rows[1]!.q1, rows[1]!.q3, rows[1]!.borne_basse, rows[1]!.borne_haute, rows[1]!.nb_groupe]).toEqual([52, 56, 46, 62, 5]);
    expect(r.detail).toMatchObject({ values: 25, groups: 2, flagged: 2, byZscore: 1, byIqr: 2, above: 2, below: 0, sd: 'population' });
    expect(r.summary).toContain('2 lignes sur 25 valeurs renseignées');
    expect(r.summary).toContain('écart type de population (n)');
    expect(r.summary).toContain('1 groupe de 10 valeurs ou moins ne peut donc rien signaler au z-score');
  });

  it('uses the sample deviation when asked, and a stricter k', async () => {
    const r = await b.run('outliers', {
      table: 'paiements',
      column: 'montant',
      groupBy: ['Direction'],
      methods: ['zscore'],
      sd: 'sample',
      k: 4.3,
    });
    expect(r.detail).toMatchObject({ flagged: 0 });
    const r2 = await b.run('outliers', {
      table: 'paiements',
      column: 'montant',
      groupBy: ['Direction'],
      methods: ['zscore'],
      sd: 'sample',
      k: 4.2,
    });
    const rows = await b.rows(r2.table!);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.z).toBeCloseTo((200 - MEAN_A) / SD_SAMP_A, 12); // 4,2137
    expect(r2.summary).toContain("écart type d'échantillon (n − 1)");
  });

  it('computes over the whole table when no group is given', async () => {
    const all = [...A, ...B];
    const mean = all.reduce((s, x) => s + x, 0) / all.length;
    const sd = Math.sqrt(all.reduce((s, x) => s + (x - mean) ** 2, 0) / all.length);
    const r = await b.run('outliers', { table: 'paiements', column: 'montant', methods: ['zscore'] });
    const rows = await b.rows(r.table!, '_ligne');
    const expected = all.map((x, i) => [i + 1, x]).filter(([, x]) => Math.abs((x! - mean) / sd) > 3);
    expect(rows.map((x) => [x._ligne, x.valeur])).toEqual(expected);
    expect(expected).toEqual([[25, 500]]);
    expect(rows[0]!.z).toBeCloseTo((500 - mean) / sd, 12);
  });

  it('refuses bad parameters with a clear message', async () => {
    await expect(b.run('outliers', { table: 'absente', column: 'montant' })).rejects.toThrow(/Table inconnue/);
    await expect(b.run('outliers', { table: 'paiements', column: 'Direction' })).rejects.toThrow(/n'est pas numérique/);
    await expect(b.run('outliers', { table: 'paiements', column: 'montant', groupBy: ['Service'] })).rejects.toThrow(/Colonne inconnue/);
    await expect(b.run('outliers', { table: 'paiements', column: 'montant', k: -1 })).rejects.toThrow(/Paramètres invalides/);
    // Zod's own wording is in French too, naming the parameter.
    await expect(b.run('outliers', { column: 'montant' })).rejects.toThrow(/table : Entrée invalide : chaîne de caractères attendu/);
    await expect(b.run('outliers', { table: 'paiements', column: 'montant', methods: ['mad'] })).rejects.toThrow(/Paramètres invalides/);
    await expect(b.run('outliers', { table: 'paiements', column: 'montant', groupBy: ['montant'] })).rejects.toThrow(
      /ne peut pas servir aussi de groupe/,
    );
  });
});
