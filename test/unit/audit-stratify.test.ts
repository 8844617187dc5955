import { describe, expect, it } from 'vitest';
import { auditSuite } from '../fixtures/audit-fixtures.ts';

const b = auditSuite({
  // 13 payments: two credits, one empty amount, 40 000 twice (on the band's lower bound), nothing
  // between 221 000 and 1 000 000.
  paiements: `SELECT * FROM (VALUES
    ('DAC', -50.0), ('DAC', -10.0), ('DAC', 0.0), ('DAC', 500.0), ('DASCO', 999.99), ('DASCO', 1000.0), ('DASCO', 5000.0),
    ('DAC', 39999.0), ('DASCO', 40000.0), ('DAC', 40000.0), ('DASCO', 150000.0), ('DAC', 2000000.0), ('DAC', NULL)
  ) t(direction, "Montant payé")`,
});

/** fr-FR groups digits with a narrow no-break space; the expectations are written with plain spaces. */
const sp = (x: unknown) => String(x).replace(/[\u202f\u00a0]/g, ' ');
const ABS_TOTAL = 60 + 2_277_498.99;

describe('stratify', () => {
  it('splits amounts into the default bands, lower bound included, credits and empty amounts apart, empty bands listed', async () => {
    const r = await b.run('stratify', { table: 'paiements', amount: 'Montant payé' });
    const rows = await b.rows(r.table!, 'rang');
    expect(rows.map((x) => [sp(x.tranche), x.nb, x.total, x.minimum, x.maximum])).toEqual([
      ['montant vide', 1, null, null, null],
      ['négatif (< 0)', 2, -60, -50, -10],
      ['[0 ; 1 000[', 3, 1499.99, 0, 999.99],
      ['[1 000 ; 10 000[', 2, 6000, 1000, 5000],
      ['[10 000 ; 40 000[', 1, 39999, 39999, 39999],
      ['[40 000 ; 100 000[', 2, 80000, 40000, 40000],
      ['[100 000 ; 221 000[', 1, 150000, 150000, 150000],
      ['[221 000 ; 1 000 000[', 0, 0, null, null],
      ['≥ 1 000 000', 1, 2000000, 2000000, 2000000],
    ]);
    expect(rows[2]!.part_nb).toBeCloseTo(3 / 13, 12);
    expect(rows[1]!.part_montant).toBeCloseTo(60 / ABS_TOTAL, 12);
    expect(rows.reduce((s, x) => s + Number(x.part_montant), 0)).toBeCloseTo(1, 12);
    expect(r.detail).toMatchObject({ method: 'bornes', strata: 8, rows: 13, total: 2_277_438.99, negatives: 2, missing: 1 });
    expect(sp(r.summary)).toContain(
      '8 strates non vides, 13 lignes pour 2 277 438,99 € au total. 2 montants négatifs, à part. 1 montant vide, compté sans total.',
    );
    expect(sp(r.summary)).toContain('La tranche ≥ 1 000 000 porte 87,8 % du montant pour 7,7 % des lignes.');
    expect((r.detail as { chart?: unknown }).chart).toBeDefined();
  });

  it('takes explicit bounds, and crosses them with a key column', async () => {
    const r = await b.run('stratify', { table: 'paiements', amount: 'Montant payé', bounds: [1000, 40000], by: ['direction'] });
    const rows = await b.rows(r.table!, 'direction, rang');
    expect(rows.map((x) => [x.direction, sp(x.tranche), x.nb, x.total])).toEqual([
      ['DAC', 'montant vide', 1, null],
      ['DAC', 'négatif (< 0)', 2, -60],
      ['DAC', '[0 ; 1 000[', 2, 500],
      ['DAC', '[1 000 ; 40 000[', 1, 39999],
      ['DAC', '≥ 40 000', 2, 2040000],
      ['DASCO', '[0 ; 1 000[', 1, 999.99],
      ['DASCO', '[1 000 ; 40 000[', 2, 6000],
      ['DASCO', '≥ 40 000', 2, 190000],
    ]);
  });

  it('stratifies by a key column alone', async () => {
    const r = await b.run('stratify', { table: 'paiements', amount: 'Montant payé', bands: false, by: ['direction'] });
    const rows = await b.rows(r.table!, 'direction');
    expect(rows.map((x) => [x.direction, x.nb, x.total, x.minimum, x.maximum])).toEqual([
      ['DAC', 8, 2_080_439, -50, 2_000_000],
      ['DASCO', 5, 196_999.99, 999.99, 150_000],
    ]);
    expect(rows[1]!.part_montant).toBeCloseTo(196_999.99 / ABS_TOTAL, 12);
  });

  it('cuts at discrete quantiles of the non-negative amounts, ties kept in one band', async () => {
    // Non-negative: 0, 500, 999.99, 1000, 5000, 39999, 40000, 40000, 150000, 2000000 (10 values).
    // quantile_disc at 0.5 is the 5th value (5000).
    const r = await b.run('stratify', { table: 'paiements', amount: 'Montant payé', quantiles: 2 });
    expect(r.detail).toMatchObject({ method: 'quantiles', bounds: [0, 5000] });
    const rows = await b.rows(r.table!, 'rang');
    expect(rows.map((x) => [sp(x.tranche), x.nb])).toEqual([
      ['montant vide', 1],
      ['négatif (< 0)', 2],
      ['[0 ; 5 000[', 4],
      ['≥ 5 000', 6],
    ]);
  });

  it('refuses bad parameters with a clear message', async () => {
    await expect(b.run('stratify', { table: 'absente', amount: 'x' })).rejects.toThrow(/Table inconnue : « absente »/);
    await expect(b.run('stratify', { table: 'paiements', amount: 'direction' })).rejects.toThrow(/n'est pas numérique/);
    await expect(b.run('stratify', { table: 'paiements', amount: 'Montant payé', by: ['service'] })).rejects.toThrow(/Colonne inconnue/);
    await expect(b.run('stratify', { table: 'paiements', amount: 'Montant payé', bounds: [1000, 10] })).rejects.toThrow(
      /strictement croissantes/,
    );
    await expect(b.run('stratify', { table: 'paiements', amount: 'Montant payé', bounds: [-5, 10] })).rejects.toThrow(
      /Paramètres invalides/,
    );
    await expect(b.run('stratify', { table: 'paiements', amount: 'Montant payé', bounds: [10], quantiles: 4 })).rejects.toThrow(
      /pas les deux/,
    );
    await expect(b.run('stratify', { table: 'paiements', amount: 'Montant payé', bands: false })).rejects.toThrow(/au moins une colonne/);
  });
});
