// Stratification: how a population of amounts splits by value band (and/or by any key column), with
// count, total, shares, min and max per stratum — the first table of most audit files, and the frame
// of a stratified sample. Choices written down because they change the figures:
// - a band is [lower ; upper[ : 40 000 € falls in « 40 000 – 100 000 », as the procurement rule reads
//   (below 40 000 € HT, no advertising);
// - negative amounts (credits, cancellations) are a band of their own, whatever the bounds; empty
//   amounts too, counted but with no total;
// - shares of the total are taken on absolute values, so that they add up to 100 % even with credits;
// - totals are exact: amounts are summed as DECIMAL(38,2) (a DOUBLE sum depends on thread order, and
//   the journal's digest would not replay).
import { z } from 'zod';
import { OperationError } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, rowsOf } from './read.ts';
import { fmtEur, fmtInt, fmtNum, fmtPct, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireNumericColumn } from './params.ts';

/** 1 000 €: petty amounts; 40 000 € HT: advertising threshold; 221 000 €: EU supplies/services threshold. */
export const DEFAULT_BOUNDS = [0, 1_000, 10_000, 40_000, 100_000, 221_000, 1_000_000] as const;

export const StratifyParams = oneTableParams({
  amount: nameParam.describe('Colonne de montant à stratifier'),
  bounds: z
    .array(z.number().finite().min(0))
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Bornes des tranches, croissantes et positives ou nulles ; une tranche va de sa borne incluse à la suivante exclue. Par défaut 0, 1 000, 10 000, 40 000, 100 000, 221 000, 1 000 000',
    ),
  quantiles: z
    .number()
    .int()
    .min(2)
    .max(100)
    .optional()
    .describe(
      'Tranches automatiques par quantiles (2 = médiane, 4 = quartiles, 10 = déciles) des montants positifs ou nuls, au lieu de bornes fixes',
    ),
  bands: z.boolean().default(true).describe('Stratifier par tranches de montant (false : seulement par les colonnes de « by »)'),
  by: z
    .array(nameParam)
    .max(10)
    .default([])
    .describe('Colonnes de regroupement (direction, nature, année…) : une strate par valeur, croisée avec les tranches'),
})
  .refine((p) => !(p.bounds && p.quantiles), {
    message: 'Donnez des bornes (bounds) ou un nombre de quantiles (quantiles), pas les deux',
    path: ['quantiles'],
  })
  .refine((p) => !p.bounds || p.bounds.every((b, i, a) => i === 0 || b > a[i - 1]!), {
    message: 'Les bornes doivent être strictement croissantes',
    path: ['bounds'],
  })
  .refine((p) => p.bands || p.by.length > 0, {
    message: 'Sans tranches de montant (bands: false), donnez au moins une colonne de regroupement (by)',
    path: ['by'],
  });
export type StratifyParams = z.infer<typeof StratifyParams>;

export interface StratifyDetail {
  /** Bounds actually used (null when stratifying by key columns only). */
  bounds: number[] | null;
  method: 'bornes' | 'quantiles' | 'aucune';
  strata: number;
  rows: number;
  total: number;
  negatives: number;
  missing: number;
  chart?: Record<string, unknown>;
}

function bandLabel(lo: number, hi: number | undefined): string {
  return hi === undefined ? `≥ ${fmtNum(lo, 2)}` : `[${fmtNum(lo, 2)} ; ${fmtNum(hi, 2)}[`;
}

const STRATIFY_ABOUT = 'Stratification : nombre, total, parts, minimum et maximum par tranche de montant et/ou par colonne';

export const stratify = auditOperation<StratifyParams, StratifyDetail>('stratify', StratifyParams, STRATIFY_ABOUT, async (ctx, p) => {
  requireNumericColumn(ctx, p.table, p.amount);
  const by = requireColumns(ctx, p.table, p.by);
  if (by.includes(p.amount))
    throw new OperationError(`« ${p.amount} » est la colonne de montant : elle ne peut pas servir aussi de regroupement`);
  const a = quoteIdent(p.amount);
  const t = quoteIdent(p.table);

  let bounds: number[] | null = null;
  let method: StratifyDetail['method'] = 'aucune';
  if (p.bands && p.quantiles) {
    method = 'quantiles';
    const qs = Array.from({ length: p.quantiles - 1 }, (_, i) => (i + 1) / p.quantiles!);
    // quantile_disc: every bound is an amount that occurs, and equal amounts never straddle two bands.
    const r = await rowsOf(
      ctx,
      `SELECT CAST(unnest(quantile_disc(CAST(${a} AS DOUBLE), [${qs.join(', ')}])) AS DOUBLE) AS q FROM ${t} WHERE ${a} >= 0`,
    );
    const q = r.map((x) => Number(x.q)).filter((x) => Number.isFinite(x));
    bounds = [0, ...[...new Set(q)].filter((x) => x > 0).sort((x, y) => x - y)];
  } else if (p.bands) {
    method = 'bornes';
    bounds = [...(p.bounds ?? DEFAULT_BOUNDS)];
  }

  // Band rank: 0 = empty amount, 1 = negative, 2 = [0 ; first bound[ when the first bound is above 0,
  // then 3 + i for [bound i ; bound i+1[.
  const labels: { rank: number; label: string }[] = [];
  let bandSql = 'NULL';
  let rankSql = 'NULL';
  if (bounds) {
    labels.push({ rank: 0, label: 'montant vide' }, { rank: 1, label: 'négatif (< 0)' });
    if (bounds[0]! > 0) labels.push({ rank: 2, label: bandLabel(0, bounds[0]) });
    bounds.forEach((lo, i) => labels.push({ rank: 3 + i, label: bandLabel(lo, bounds![i + 1]) }));
    const whens = [`WHEN ${a} IS NULL THEN 0`, `WHEN ${a} < 0 THEN 1`];
    if (bounds[0]! > 0) whens.push(`WHEN ${a} < ${sqlValue(bounds[0])} THEN 2`);
    for (let i = bounds.length - 1; i >= 0; i--) whens.push(`WHEN ${a} >= ${sqlValue(bounds[i])} THEN ${3 + i}`);
    rankSql = `(CASE ${whens.join(' ')} END)`;
    bandSql = `lbl.tranche`;
  }
  const labelValues = labels.length
    ? `(VALUES ${labels.map((l) => `(${l.rank}, ${sqlValue(l.label)})`).join(', ')}) lbl(rang, tranche)`
    : '';
  const keys = by.map(quoteIdent);
  const groupCols = [...keys, ...(bounds ? ['rang'] : [])];
  // Without key columns every band is listed, empty ones included (a stratification table shows where
  // nothing is); crossed with keys, only the strata that occur.
  const fromSql = !bounds
    ? 'g'
    : by.length
      ? `g JOIN ${labelValues} ON lbl.rang = g.rang`
      : `${labelValues} LEFT JOIN g ON g.rang = lbl.rang WHERE lbl.rang >= 2 OR g.nb IS NOT NULL`;
  const money = (e: string) => `CAST(${e} AS DECIMAL(38, 2))`;
  const select = `
    WITH s AS (SELECT ${[...keys, `${rankSql} AS rang`, `${a} AS montant`].join(', ')} FROM ${t}),
    g AS (
      SELECT ${groupCols.join(', ')}, count(*) AS nb, sum(${money('montant')}) AS total, sum(abs(${money('montant')})) AS total_abs,
        min(montant) AS minimum, max(montant) AS maximum
      FROM s GROUP BY ${groupCols.join(', ')})
    SELECT ${[...keys, ...(bounds ? ['lbl.rang', `${bandSql} AS tranche`] : [])].join(', ')},
      coalesce(nb, 0) AS nb, CASE WHEN nb IS NULL THEN 0 ELSE total END AS total,
      coalesce(nb, 0) / sum(nb) OVER () AS part_nb,
      coalesce(CAST(total_abs AS DOUBLE), 0) / nullif(CAST(sum(total_abs) OVER () AS DOUBLE), 0) AS part_montant,
      minimum, maximum
    FROM ${fromSql}
    ORDER BY ${[...keys.map((k) => `${k} NULLS LAST`), ...(bounds ? ['lbl.rang'] : [])].join(', ')}`;
  const res = await makeResult(ctx, 'stratify', select, p.result);
  const rt = quoteIdent(res.table);
  const s = await firstRow(
    ctx,
    `SELECT count(*) FILTER (nb > 0) AS strata, coalesce(sum(nb), 0) AS rows, coalesce(sum(total), 0) AS total,
       (SELECT count(*) FROM ${t} WHERE ${a} < 0) AS neg, (SELECT count(*) FROM ${t} WHERE ${a} IS NULL) AS missing
     FROM ${rt}`,
  );
  const detail: StratifyDetail = {
    bounds,
    method,
    strata: Number(s.strata),
    rows: Number(s.rows),
    total: Number(s.total),
    negatives: Number(s.neg),
    missing: Number(s.missing),
  };
  let bandsText = '';
  if (bounds && by.length === 0) {
    const rows = await rowsOf(ctx, `SELECT tranche, nb, total, part_nb, part_montant FROM ${rt} ORDER BY rang`);
    detail.chart = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      description: `Stratification de « ${p.amount} »`,
      data: { values: rows.map((r) => ({ tranche: r.tranche, nb: r.nb, total: r.total })) },
      mark: 'bar',
      encoding: {
        x: { field: 'tranche', type: 'ordinal', title: 'Tranche', sort: null },
        y: { field: 'total', type: 'quantitative', title: 'Montant total' },
        tooltip: [{ field: 'nb', type: 'quantitative', title: 'Lignes' }],
      },
    };
    const top = [...rows].sort((x, y) => Number(y.part_montant) - Number(x.part_montant))[0];
    if (top) bandsText = ` La tranche ${top.tranche} porte ${fmtPct(top.part_montant)} du montant pour ${fmtPct(top.part_nb)} des lignes.`;
  }
  const how =
    method === 'quantiles'
      ? `en ${plural(bounds!.length, 'tranche')} par quantiles (bornes ${bounds!.map((x) => fmtNum(x, 2)).join(' ; ')})`
      : method === 'bornes'
        ? `en tranches de bornes ${bounds!.map((x) => fmtNum(x, 2)).join(' ; ')} (borne basse incluse)`
        : '';
  const byText = by.length ? `${how ? ' et ' : ''}par ${by.map((c) => `« ${c} »`).join(', ')}` : '';
  const summary =
    `Stratification de « ${p.amount} » de « ${p.table} » ${how}${byText} : ${plural(detail.strata, 'strate')} non vide${detail.strata > 1 ? 's' : ''}, ` +
    `${fmtInt(detail.rows)} lignes pour ${fmtEur(detail.total)} au total.` +
    (detail.negatives ? ` ${plural(detail.negatives, 'montant')} négatif${detail.negatives > 1 ? 's' : ''}, à part.` : '') +
    (detail.missing
      ? ` ${plural(detail.missing, 'montant')} vide${detail.missing > 1 ? 's' : ''}, compté${detail.missing > 1 ? 's' : ''} sans total.`
      : '') +
    bandsText +
    ' Parts du montant calculées en valeur absolue.';
  return auditOutput(ctx, res, [p.table], summary, detail);
});
