// Outliers: amounts far from the others, overall or within each group (a direction, a nature, a
// supplier). Two classic rules, each stated in the summary because they change what is flagged:
// - z-score: |x − mean| / standard deviation above k (3 by default); the deviation is the population
//   one (divided by n) unless asked for the sample one (n − 1). With n values no |z| can exceed
//   (n − 1)/√n, so a group of 10 or fewer values never passes k = 3: small groups need the IQR rule;
// - Tukey's fences: outside [Q1 − f·IQR ; Q3 + f·IQR] (f = 1,5 by default), quartiles by linear
//   interpolation between the two nearest values (DuckDB's quantile_cont, Excel's QUARTILE.INC, R's
//   type 7).
// Empty values are left out of the statistics and never flagged.
import { z } from 'zod';
import { OperationError } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, withLineSql } from './read.ts';
import { fmtInt, fmtNum, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireNumericColumn } from './params.ts';

export const OutliersParams = oneTableParams({
  column: nameParam.describe('Colonne numérique à examiner (montant, durée…)'),
  methods: z
    .array(z.enum(['zscore', 'iqr']))
    .min(1)
    .default(['zscore', 'iqr'])
    .describe('Règles : « zscore » (|z| > k) et/ou « iqr » (hors des barrières de Tukey)'),
  k: z.number().positive().max(100).default(3).describe('Seuil du z-score : une valeur est atypique si |z| > k'),
  sd: z
    .enum(['population', 'sample'])
    .default('population')
    .describe('Écart type du z-score : « population » (divisé par n) ou « sample » (échantillon, divisé par n − 1)'),
  f: z
    .number()
    .positive()
    .max(100)
    .default(1.5)
    .describe("Coefficient des barrières de Tukey : hors de [Q1 − f × EIQ ; Q3 + f × EIQ] (1,5 usuel, 3 pour l'extrême)"),
  groupBy: z
    .array(nameParam)
    .max(10)
    .default([])
    .describe('Colonnes de regroupement : les statistiques sont calculées dans chaque groupe (vide : sur toute la table)'),
});
export type OutliersParams = z.infer<typeof OutliersParams>;

export interface OutliersDetail {
  values: number;
  groups: number;
  flagged: number;
  byZscore: number;
  byIqr: number;
  above: number;
  below: number;
  k: number;
  sd: 'population' | 'sample';
  f: number;
  quantileMethod: string;
}

export const QUANTILE_METHOD = 'interpolation linéaire (quantile_cont ; QUARTILE.INC d’Excel, type 7 de R)';

const OUTLIERS_ABOUT =
  'Valeurs atypiques : z-score (|z| > k) et barrières de Tukey (écart interquartile), sur toute la table ou par groupe';

export const outliers = auditOperation<OutliersParams, OutliersDetail>('outliers', OutliersParams, OUTLIERS_ABOUT, async (ctx, p) => {
  requireNumericColumn(ctx, p.table, p.column);
  const groups = requireColumns(ctx, p.table, p.groupBy);
  if (groups.includes(p.column))
    throw new OperationError(`« ${p.column} » est la colonne examinée : elle ne peut pas servir aussi de groupe`);
  const v = quoteIdent(p.column);
  const g = groups.map(quoteIdent);
  const part = g.length ? `PARTITION BY ${g.join(', ')}` : '';
  const useZ = p.methods.includes('zscore');
  const useIqr = p.methods.includes('iqr');
  const sdFn = p.sd === 'sample' ? 'stddev_samp' : 'stddev_pop';
  const k = sqlValue(p.k);
  const f = sqlValue(p.f);
  const zFlag = useZ ? `coalesce(abs(z) > ${k}, FALSE)` : 'FALSE';
  const iqrFlag = useIqr ? `coalesce(valeur < borne_basse OR valeur > borne_haute, FALSE)` : 'FALSE';
  // Statistics per group joined back (window functions over the group), computed in DOUBLE.
  const select = `
    WITH src AS (SELECT ${LINE}, ${g.length ? `${g.join(', ')}, ` : ''}CAST(${v} AS DOUBLE) AS valeur FROM ${withLineSql(ctx, p.table)} WHERE ${v} IS NOT NULL),
    st AS (
      SELECT *,
        count(*) OVER w AS nb_groupe,
        avg(valeur) OVER w AS moyenne,
        ${sdFn}(valeur) OVER w AS ecart_type,
        quantile_cont(valeur, 0.25) OVER w AS q1,
        quantile_cont(valeur, 0.75) OVER w AS q3
      FROM src WINDOW w AS (${part})),
    m AS (
      SELECT *, (valeur - moyenne) / nullif(ecart_type, 0) AS z,
        q1 - ${f} * (q3 - q1) AS borne_basse, q3 + ${f} * (q3 - q1) AS borne_haute
      FROM st),
    flagged AS (SELECT *, ${zFlag} AS hors_zscore, ${iqrFlag} AS hors_iqr FROM m)
    SELECT ${LINE}, ${g.length ? `${g.join(', ')}, ` : ''}valeur,
      CASE WHEN (hors_zscore AND z > 0) OR (hors_iqr AND valeur > borne_haute) THEN 'haut' ELSE 'bas' END AS sens,
      hors_zscore, hors_iqr, nb_groupe,
      moyenne, ecart_type, z, q1, q3, borne_basse, borne_haute
    FROM flagged
    WHERE hors_zscore OR hors_iqr
    ORDER BY ${g.length ? `${g.map((c) => `${c} NULLS LAST`).join(', ')}, ` : ''}abs(z) DESC NULLS LAST, ${LINE}`;
  const res = await makeResult(ctx, 'outliers', select, p.result);
  const s = await firstRow(
    ctx,
    `SELECT count(*) AS flagged, count(*) FILTER (hors_zscore) AS z, count(*) FILTER (hors_iqr) AS iqr,
       count(*) FILTER (sens = 'haut') AS above, count(*) FILTER (sens = 'bas') AS below,
       (SELECT count(*) FROM ${quoteIdent(p.table)} WHERE ${v} IS NOT NULL) AS n,
       (SELECT count(*) FROM (SELECT ${g.length ? g.join(', ') : '1'} FROM ${quoteIdent(p.table)} WHERE ${v} IS NOT NULL GROUP BY ALL)) AS groups,
       (SELECT count(*) FROM (SELECT count(*) AS nb FROM ${quoteIdent(p.table)} WHERE ${v} IS NOT NULL ${g.length ? `GROUP BY ${g.join(', ')}` : ''}) WHERE nb <= 10) AS small
     FROM ${quoteIdent(res.table)}`,
  );
  const d: OutliersDetail = {
    values: Number(s.n),
    groups: Number(s.groups),
    flagged: Number(s.flagged),
    byZscore: Number(s.z),
    byIqr: Number(s.iqr),
    above: Number(s.above),
    below: Number(s.below),
    k: p.k,
    sd: p.sd,
    f: p.f,
    quantileMethod: QUANTILE_METHOD,
  };
  const rules: string[] = [];
  if (useZ)
    rules.push(
      `${fmtInt(d.byZscore)} par le z-score (|z| > ${fmtNum(p.k)}, écart type ${p.sd === 'sample' ? "d'échantillon (n − 1)" : 'de population (n)'})`,
    );
  if (useIqr)
    rules.push(
      `${fmtInt(d.byIqr)} hors des barrières de Tukey (Q1 − ${fmtNum(p.f)} × EIQ ; Q3 + ${fmtNum(p.f)} × EIQ, quartiles par ${QUANTILE_METHOD})`,
    );
  const where = groups.length
    ? ` (statistiques calculées dans chacun des ${plural(d.groups, 'groupe')} de ${groups.map((c) => `« ${c} »`).join(', ')})`
    : '';
  const summary =
    `Valeurs atypiques de « ${p.column} » dans « ${p.table} »${where} : ` +
    (d.flagged === 0
      ? `aucune sur ${plural(d.values, 'valeur')} renseignée${d.values > 1 ? 's' : ''} — ${rules.join(' ; ')}.`
      : `${plural(d.flagged, 'ligne')} sur ${fmtInt(d.values)} valeurs renseignées (${fmtInt(d.above)} au-dessus, ${fmtInt(d.below)} en dessous) : ${rules.join(' ; ')}. ` +
        'Une valeur atypique est une question à poser, pas une irrégularité.') +
    (useZ && Number(s.small) > 0 && p.k >= 3
      ? ` Attention : avec n valeurs, |z| ne peut dépasser (n − 1)/√n ; ${groups.length ? `${plural(Number(s.small), 'groupe')} de 10 valeurs ou moins ne peu${Number(s.small) > 1 ? 'vent' : 't'}` : 'avec 10 valeurs ou moins, la table ne peut'} donc rien signaler au z-score.`
      : '');
  return auditOutput(ctx, res, [p.table], summary, d);
});
