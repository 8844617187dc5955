import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benfordRowsSql, conformity, type BenfordDetail } from '../../src/core/audit/benford.ts';
import { auditBench, type AuditBench } from '../fixtures/audit-fixtures.ts';

let b: AuditBench;

// Ten amounts ≥ 10 with first digits 1,1,1,2,2,3,4,5,7,9 — and three that the filters drop.
const AMOUNTS = [150, 1_999.99, -120, 23, 2_500, 31, 400, 58.2, 7_000, 95, 5, 9.99, null];

beforeAll(async () => {
  b = await auditBench();
  await b.table('paiements', `SELECT * FROM (VALUES ${AMOUNTS.map((a) => `(${a === null ? 'NULL::DOUBLE' : a})`).join(', ')}) t(montant)`);
  // 1 000 amounts spread evenly over 10..99 per first-two digit: first digits follow 1/9, not Benford.
  await b.table('uniformes', `SELECT 10 + (i % 90) AS montant FROM range(900) t(i)`);
});
afterAll(() => b.close());

describe('benford', () => {
  it('first digit: chi-square, MAD and z equal the figures computed by hand', async () => {
    const r = await b.run<BenfordDetail>('benford', { table: 'paiements', column: 'montant' });
    // By hand: N = 10, E(d) = log10(1 + 1/d).
    const observed = [0, 3, 2, 1, 1, 1, 0, 1, 0, 1];
    const N = 10;
    let chi2 = 0;
    let sumAbs = 0;
    for (let d = 1; d <= 9; d++) {
      const E = Math.log10(1 + 1 / d);
      chi2 += (observed[d]! - N * E) ** 2 / (N * E);
      sumAbs += Math.abs(observed[d]! / N - E);
    }
    expect(r.detail!.n).toBe(10);
    expect(r.detail!.excluded).toBe(3);
    expect(r.detail!.chi2).toBeCloseTo(chi2, 9);
    expect(r.detail!.mad).toBeCloseTo(sumAbs / 9, 12);
    // MAD ≈ 0.032 > 0.015: nonconformity (ten amounts are far too few, which is the point of a known answer).
    expect(r.detail!.conformity).toBe('non-conformité');
    const rows = await b.rows(r.table!, 'chiffre');
    expect(rows.map((x) => x.observe)).toEqual(observed.slice(1));
    // Digit 1: p = 0.3, E = 0.30103; |p − E| = 0.00103 < 1/(2N) = 0.05, so no correction: z = 0.00103 / sqrt(E(1−E)/N).
    const E1 = Math.log10(2);
    expect(rows[0]!.z).toBeCloseTo(Math.abs(0.3 - E1) / Math.sqrt((E1 * (1 - E1)) / N), 9);
    // Digit 6: p = 0, E = 0.06695; |p − E| > 1/(2N) = 0.05, so the correction applies.
    const E6 = Math.log10(7 / 6);
    expect(rows[5]!.z).toBeCloseTo((E6 - 0.05) / Math.sqrt((E6 * (1 - E6)) / N), 9);
    expect(r.summary).toMatch(/10 montants d'au moins 10 en valeur absolue \(3 écartés\)\. MAD 0,03202 : non-conformité/);
    expect(r.detail!.chart).toMatchObject({ layer: [{ mark: 'bar' }, { mark: { type: 'line' } }] });
  });

  it('last two digits read the integer part; first two digits start at 10', async () => {
    const last = await b.run<BenfordDetail>('benford', { table: 'paiements', column: 'montant', test: 'last-two' });
    const rows = await b.rows(last.table!, 'chiffre');
    expect(rows).toHaveLength(100);
    expect(rows.filter((x) => Number(x.observe) > 0).map((x) => [x.chiffre, x.observe])).toEqual([
      [0, 3],
      [20, 1],
      [23, 1],
      [31, 1],
      [50, 1],
      [58, 1],
      [95, 1],
      [99, 1],
    ]);
    const two = await b.run<BenfordDetail>('benford', { table: 'paiements', column: 'montant', test: 'first-two' });
    expect(await b.rows(two.table!, 'chiffre')).toHaveLength(90);
    expect(two.detail!.df).toBe(89);
  });

  it('flags a uniform population, lists its most deviant digits, and leads back to their rows', async () => {
    const r = await b.run<BenfordDetail>('benford', { table: 'uniformes', column: 'montant' });
    expect(r.detail!.conformity).toBe('non-conformité');
    // 1 is expected 30,1 % of the time and seen 11,1 %: the largest z.
    expect(r.detail!.deviant[0]!.digit).toBe(1);
    expect(r.detail!.chi2).toBeGreaterThan(r.detail!.chi2Critical5);
    const rows = await b.engine.query(`SELECT count(*) FROM (${benfordRowsSql('uniformes', 'montant', 9, 'first')})`);
    expect(rows.rows[0]![0]).toBe(100);
    const p = await b.engine.query(`SELECT montant FROM (${benfordRowsSql('paiements', 'montant', 12, 'first-two')})`);
    expect(p.rows).toEqual([[-120]]);
  });

  it('labels MADs with Nigrini’s ranges', () => {
    expect([0.005, 0.01, 0.014, 0.02].map((m) => conformity('first', m))).toEqual([
      'conformité étroite',
      'conformité acceptable',
      'conformité marginalement acceptable',
      'non-conformité',
    ]);
    expect(conformity('first-two', 0.0019)).toBe('conformité marginalement acceptable');
  });

  it('refuses a text column', async () => {
    await b.table('textes', `SELECT 'abc' AS montant`);
    await expect(b.run<BenfordDetail>('benford', { table: 'textes', column: 'montant' })).rejects.toThrow(/pas numérique/);
  });
});
