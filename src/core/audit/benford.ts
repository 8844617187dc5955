// Benford's law tests as Nigrini describes them (Benford's Law, Wiley 2012): first digit, first two
// digits, last two digits. Filters, written down because they change the figures:
// - amounts are taken in absolute value (credits and debits share the law) and NULLs are left out;
// - amounts below 10 are left out of all three tests: Nigrini drops them for the first-two test (they
//   have no second digit) and small amounts follow other rules (fees, rounding); using one population
//   for the three tests keeps them comparable;
// - digits are read from the integer part (the last-two test looks at units and tens, not cents).
import { z } from 'zod';
import { quoteIdent } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { fmtInt, fmtNum } from './format.ts';
import { nameParam, oneTableParams, requireNumericColumn } from './params.ts';
import { rowsOf } from './read.ts';

export type BenfordTest = 'first' | 'first-two' | 'last-two';

export const BenfordParams = oneTableParams({
  column: nameParam.describe('Colonne de montant'),
  test: z
    .enum(['first', 'first-two', 'last-two'])
    .default('first')
    .describe('Test : premier chiffre (first), deux premiers chiffres (first-two), deux derniers chiffres de la partie entière (last-two)'),
});
export type BenfordParams = z.infer<typeof BenfordParams>;

/**
 * Nigrini's MAD conformity ranges (close / acceptable / marginally acceptable; above: nonconformity).
 * Nigrini gives none for the last-two test; with 100 equally likely outcomes its MADs behave like the
 * first-two test's, so the first-two ranges are used and the summary says so.
 */
export const MAD_RANGES: Record<BenfordTest, readonly [number, number, number]> = {
  first: [0.006, 0.012, 0.015],
  'first-two': [0.0012, 0.0018, 0.0022],
  'last-two': [0.0012, 0.0018, 0.0022],
};

/** Chi-square critical values at 5 % for 8, 89 and 99 degrees of freedom. */
export const CHI2_CRITICAL_5: Record<BenfordTest, number> = { first: 15.507, 'first-two': 112.022, 'last-two': 123.225 };

export const CONFORMITY_LABELS = [
  'conformité étroite',
  'conformité acceptable',
  'conformité marginalement acceptable',
  'non-conformité',
] as const;

export function conformity(test: BenfordTest, mad: number): (typeof CONFORMITY_LABELS)[number] {
  const [a, b, c] = MAD_RANGES[test];
  return CONFORMITY_LABELS[mad <= a ? 0 : mad <= b ? 1 : mad <= c ? 2 : 3];
}

/** The population filter, on a quoted amount expression. */
export function benfordFilterSql(amount: string): string {
  return `${amount} IS NOT NULL AND abs(${amount}) >= 10`;
}

/** The digit (as an integer) a row contributes to the test, on a quoted amount expression. */
export function benfordDigitSql(amount: string, test: BenfordTest): string {
  const int = `CAST(floor(abs(${amount})) AS BIGINT)`;
  if (test === 'last-two') return `(${int} % 100)`;
  return `CAST(substr(CAST(${int} AS VARCHAR), 1, ${test === 'first' ? 1 : 2}) AS INTEGER)`;
}

/** The rows behind one digit of a test: what the Audit view opens when a bar is clicked. */
export function benfordRowsSql(table: string, column: string, digit: number, test: BenfordTest): string {
  if (!Number.isInteger(digit)) throw new Error(`chiffre invalide : ${digit}`);
  const a = quoteIdent(column);
  return `SELECT * FROM ${quoteIdent(table)} WHERE ${benfordFilterSql(a)} AND ${benfordDigitSql(a, test)} = ${digit}`;
}

function digitsSql(test: BenfordTest): string {
  return test === 'first'
    ? `SELECT d AS chiffre, log10(1 + 1 / d) AS prop_attendue FROM range(1, 10) t(d)`
    : test === 'first-two'
      ? `SELECT d AS chiffre, log10(1 + 1 / d) AS prop_attendue FROM range(10, 100) t(d)`
      : `SELECT d AS chiffre, 0.01 AS prop_attendue FROM range(0, 100) t(d)`;
}

export interface BenfordDetail {
  test: BenfordTest;
  n: number;
  excluded: number;
  chi2: number;
  df: number;
  chi2Critical5: number;
  mad: number;
  madRanges: readonly [number, number, number];
  conformity: string;
  /** Digits whose z-statistic exceeds 1.96 (5 %), most deviant first (at most 10). */
  deviant: { digit: number; observed: number; expected: number; z: number }[];
  chart: Record<string, unknown>;
}

const BENFORD_ABOUT =
  'Loi de Benford (Nigrini) : premier chiffre, deux premiers, deux derniers — khi-deux, z par chiffre, MAD et conformité';

export const benford = auditOperation<BenfordParams, BenfordDetail>('benford', BenfordParams, BENFORD_ABOUT, async (ctx, p) => {
  requireNumericColumn(ctx, p.table, p.column);
  const a = quoteIdent(p.column);
  const t = quoteIdent(p.table);
  // z with Nigrini's continuity correction 1/(2N), used only when it is smaller than |p − E|.
  const select = `
    WITH pop AS (SELECT ${benfordDigitSql(a, p.test)} AS chiffre FROM ${t} WHERE ${benfordFilterSql(a)}),
    n AS (SELECT count(*)::DOUBLE AS n FROM pop),
    obs AS (SELECT chiffre, count(*) AS observe FROM pop GROUP BY chiffre),
    e AS (${digitsSql(p.test)})
    SELECT CAST(e.chiffre AS INTEGER) AS chiffre,
      coalesce(obs.observe, 0) AS observe,
      e.prop_attendue * n.n AS attendu,
      coalesce(obs.observe, 0) / nullif(n.n, 0) AS prop_observee,
      e.prop_attendue,
      coalesce(obs.observe, 0) / nullif(n.n, 0) - e.prop_attendue AS ecart,
      (abs(coalesce(obs.observe, 0) / n.n - e.prop_attendue)
        - CASE WHEN 1 / (2 * n.n) < abs(coalesce(obs.observe, 0) / n.n - e.prop_attendue) THEN 1 / (2 * n.n) ELSE 0 END)
        / sqrt(e.prop_attendue * (1 - e.prop_attendue) / n.n) AS z
    FROM e CROSS JOIN n LEFT JOIN obs ON obs.chiffre = e.chiffre
    ORDER BY e.chiffre`;
  const res = await makeResult(ctx, 'benford', select, p.result);
  const rows = await rowsOf(ctx, `SELECT * FROM ${quoteIdent(res.table)} ORDER BY chiffre`);
  const stats = await rowsOf(
    ctx,
    `SELECT (SELECT count(*) FROM ${t} WHERE ${benfordFilterSql(a)}) AS n,
            (SELECT count(*) FROM ${t}) AS total,
            sum((observe - attendu) ^ 2 / attendu) AS chi2, avg(abs(ecart)) AS mad
     FROM ${quoteIdent(res.table)}`,
  );
  const s = stats[0]!;
  const n = Number(s.n);
  const chi2 = Number(s.chi2 ?? 0);
  const mad = Number(s.mad ?? 0);
  const label = n === 0 ? 'population vide' : conformity(p.test, mad);
  const deviant = rows
    .filter((r) => Number(r.z) > 1.96)
    .sort((x, y) => Number(y.z) - Number(x.z))
    .slice(0, 10)
    .map((r) => ({ digit: Number(r.chiffre), observed: Number(r.observe), expected: Number(r.attendu), z: Number(r.z) }));
  const testName = { first: 'premier chiffre', 'first-two': 'deux premiers chiffres', 'last-two': 'deux derniers chiffres' }[p.test];
  const pad = p.test === 'last-two' ? (d: number) => String(d).padStart(2, '0') : (d: number) => String(d);
  const chart = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description: `Benford — ${testName} de « ${p.column} »`,
    data: { values: rows.map((r) => ({ chiffre: pad(Number(r.chiffre)), observee: r.prop_observee, attendue: r.prop_attendue })) },
    encoding: { x: { field: 'chiffre', type: 'ordinal', title: 'Chiffre', sort: null } },
    layer: [
      { mark: 'bar', encoding: { y: { field: 'observee', type: 'quantitative', title: 'Proportion', axis: { format: '.1%' } } } },
      { mark: { type: 'line', color: 'firebrick', point: true }, encoding: { y: { field: 'attendue', type: 'quantitative' } } },
    ],
  };
  const df = rows.length - 1;
  const summary =
    n === 0
      ? `Benford (${testName}) sur « ${p.column} » de « ${p.table} » : aucun montant d'au moins 10 en valeur absolue.`
      : `Benford (${testName}) sur « ${p.column} » de « ${p.table} » : ${fmtInt(n)} montants d'au moins 10 en valeur absolue ` +
        `(${fmtInt(Number(s.total) - n)} écartés). MAD ${fmtNum(mad, 5)} : ${label} selon les seuils de Nigrini` +
        `${p.test === 'last-two' ? ' (ceux du test des deux premiers chiffres)' : ''}. ` +
        `Khi-deux ${fmtNum(chi2, 2)} pour ${df} degrés de liberté (seuil à 5 % : ${fmtNum(CHI2_CRITICAL_5[p.test], 3)}). ` +
        (deviant.length
          ? `Chiffres les plus en écart (z > 1,96) : ${deviant
              .slice(0, 5)
              .map((d) => `${pad(d.digit)} (${fmtInt(d.observed)} observés pour ${fmtNum(d.expected, 1)} attendus)`)
              .join(', ')}.`
          : 'Aucun chiffre en écart significatif (z > 1,96).');
  return auditOutput(ctx, res, [p.table], summary, {
    test: p.test,
    n,
    excluded: Number(s.total) - n,
    chi2,
    df,
    chi2Critical5: CHI2_CRITICAL_5[p.test],
    mad,
    madRanges: MAD_RANGES[p.test],
    conformity: label,
    deviant,
    chart,
  });
});
