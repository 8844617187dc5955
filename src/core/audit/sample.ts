// Sampling that anyone can redo: the same seed gives the same sample in the app, in the CLI and next
// year. DuckDB's random()/setseed are not used: their sequence depends on threads and vector sizes.
// Rows are ranked by md5(seed:line) instead — md5 is fixed by its standard, unlike hash(), which may
// change between DuckDB versions — so a sample depends only on the seed and on the rows.
import { z } from 'zod';
import { OperationError } from '../ops/registry.ts';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, withLineSql } from './read.ts';
import { fmtEur, fmtInt } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireNumericColumn } from './params.ts';

export const SampleParams = oneTableParams({
  method: z
    .enum(['random', 'systematic', 'stratified', 'mus'])
    .default('random')
    .describe('Méthode : aléatoire simple (random), systématique (systematic), stratifié (stratified), unités monétaires (mus)'),
  n: z.number().int().min(1).max(1_000_000).optional().describe("Taille de l'échantillon (par strate pour « stratified »)"),
  share: z.number().gt(0).max(1).optional().describe('Pour « stratified » : part de chaque strate (0 à 1) au lieu de n'),
  seed: z.number().int().min(0).max(2_147_483_647).default(1).describe('Graine : la même graine redonne le même échantillon'),
  strata: nameParam.optional().describe('Pour « stratified » : colonne qui définit les strates'),
  amount: nameParam.optional().describe('Pour « mus » : colonne de montant'),
  start: z
    .number()
    .positive()
    .optional()
    .describe('Pour « mus » : point de départ (entre 0 et l’intervalle) ; par défaut tiré de la graine'),
});
export type SampleParams = z.infer<typeof SampleParams>;

export interface SampleDetail {
  method: SampleParams['method'];
  population: number;
  selected: number;
  seed: number;
  interval?: number;
  start?: number;
  total?: number;
  selectedAmount?: number;
}

/** The deterministic rank of a row for a seed. */
export function seededRankSql(seed: number, line: string = LINE): string {
  return `md5(${sqlValue(String(seed))} || ':' || CAST(${line} AS VARCHAR))`;
}

/** A number in [0, 1) drawn from the seed: the first 13 hex digits of md5(seed) over 16^13. */
export function seededUnitSql(seed: number): string {
  return `(CAST(('0x' || substr(md5(${sqlValue(`mus:${seed}`)}), 1, 13)) AS BIGINT) / 4503599627370496.0)`;
}

const SAMPLE_ABOUT = 'Échantillonnage reproductible (graine) : aléatoire, systématique, stratifié, par unités monétaires (MUS)';

export const sample = auditOperation<SampleParams, SampleDetail>('sample', SampleParams, SAMPLE_ABOUT, async (ctx, p) => {
  const src = withLineSql(ctx, p.table);
  const N = Number((await firstRow(ctx, `SELECT count(*) AS n FROM ${quoteIdent(p.table)}`)).n);
  const rank = seededRankSql(p.seed);
  const needN = () => {
    if (p.n === undefined) throw new OperationError(`La méthode « ${p.method} » demande une taille d’échantillon n`);
    return p.n;
  };
  let select: string;
  const detail: SampleDetail = { method: p.method, population: N, selected: 0, seed: p.seed };
  if (p.method === 'random') {
    select = `SELECT row_number() OVER (ORDER BY ${rank}) AS rang, * FROM ${src} ORDER BY ${rank} LIMIT ${needN()}`;
  } else if (p.method === 'systematic') {
    // Interval k = ⌊N / n⌋; the start is 1 + (seed mod k), so it is the seed that decides it.
    const k = Math.max(1, Math.floor(N / needN()));
    const start = 1 + (p.seed % k);
    detail.interval = k;
    detail.start = start;
    select = `SELECT * FROM ${src} WHERE ${LINE} >= ${start} AND (${LINE} - ${start}) % ${k} = 0 ORDER BY ${LINE} LIMIT ${needN()}`;
  } else if (p.method === 'stratified') {
    if (!p.strata) throw new OperationError('La méthode « stratified » demande une colonne de strates (strata)');
    requireColumns(ctx, p.table, [p.strata]);
    if (p.n === undefined && p.share === undefined) throw new OperationError('La méthode « stratified » demande n (par strate) ou share');
    const s = quoteIdent(p.strata);
    const limit = p.n !== undefined ? String(p.n) : `ceil(${sqlValue(p.share)} * taille_strate)`;
    select = `
      SELECT * EXCLUDE (rang_strate, taille_strate), rang_strate AS rang, taille_strate FROM (
        SELECT row_number() OVER (PARTITION BY ${s} ORDER BY ${rank}) AS rang_strate, count(*) OVER (PARTITION BY ${s}) AS taille_strate, *
        FROM ${src})
      WHERE rang_strate <= ${limit}
      ORDER BY ${s} NULLS LAST, rang_strate`;
  } else {
    if (!p.amount) throw new OperationError('La méthode « mus » demande une colonne de montant (amount)');
    requireNumericColumn(ctx, p.table, p.amount);
    const a = quoteIdent(p.amount);
    const n = needN();
    // Only positive amounts carry monetary units; credits and zeros are left for a separate test.
    const total = Number((await firstRow(ctx, `SELECT coalesce(sum(${a}), 0) AS t FROM ${quoteIdent(p.table)} WHERE ${a} > 0`)).t);
    if (!(total > 0)) throw new OperationError(`Aucun montant positif dans « ${p.amount} » : échantillonnage MUS impossible`);
    const J = total / n;
    const start = p.start ?? J * Number((await firstRow(ctx, `SELECT ${seededUnitSql(p.seed)} AS u`)).u);
    if (!(start > 0 && start <= J)) throw new OperationError(`Le point de départ doit être compris entre 0 et l’intervalle (${J})`);
    detail.interval = J;
    detail.start = start;
    detail.total = total;
    // Item i covers the monetary units (cumul_avant, cumul]; it is selected for each point
    // start + k·J that falls in it. k of its first point: ⌊(cumul_avant − start) / J⌋ + 1, at least 0.
    const J_ = sqlValue(J);
    const s_ = sqlValue(start);
    select = `
      WITH c AS (
        SELECT *, sum(${a}) OVER (ORDER BY ${LINE} ROWS UNBOUNDED PRECEDING) AS cumul
        FROM ${src} WHERE ${a} > 0),
      k AS (
        SELECT *, cumul - ${a} AS cumul_avant,
          greatest(0, floor((cumul - ${a} - ${s_}) / ${J_}) + 1) AS k_premier,
          greatest(0, floor((cumul - ${s_}) / ${J_}) + 1) AS k_suivant
        FROM c)
      SELECT * EXCLUDE (k_premier, k_suivant), ${s_} + ${J_} * k_premier AS point_selection,
        CAST(k_suivant - k_premier AS INTEGER) AS nb_points
      FROM k WHERE k_suivant > k_premier ORDER BY ${LINE}`;
  }
  const res = await makeResult(ctx, 'sample', select, p.result);
  const s = await firstRow(
    ctx,
    `SELECT count(*) AS n${p.method === 'mus' ? `, sum(${quoteIdent(p.amount!)}) AS amt` : ''} FROM ${quoteIdent(res.table)}`,
  );
  detail.selected = Number(s.n);
  if (p.method === 'mus') detail.selectedAmount = Number(s.amt ?? 0);
  const how = {
    random: 'aléatoire simple',
    systematic: `systématique (intervalle ${fmtInt(detail.interval)}, départ à la ligne ${fmtInt(detail.start)})`,
    stratified: `stratifié par « ${p.strata} »`,
    mus: `par unités monétaires sur « ${p.amount} » (total ${fmtEur(detail.total)}, intervalle ${fmtEur(detail.interval)}, départ ${fmtEur(detail.start)})`,
  }[p.method];
  const summary =
    `Échantillon ${how} de « ${p.table} » : ${fmtInt(detail.selected)} lignes sur ${fmtInt(N)}, graine ${p.seed}` +
    (p.method === 'mus' ? `, montant sélectionné ${fmtEur(detail.selectedAmount)}` : '') +
    '. La même graine redonne le même échantillon, dans l’application comme en ligne de commande.';
  return auditOutput(ctx, res, [p.table], summary, detail);
});
