// Gaps and duplicates in sequences: mandate or invoice numbers that should run without a hole,
// dossier codes numbered per year (« 2024_01700 »: prefix « 2024_ », number 1700), and dates with
// missing days or months (a month with no payment at all in a monthly series is worth a question).
// A column of identifiers is not always a running number: Paris's contract numbers (2021xxxxxx)
// embed a year and a service, and read as one sequence they gave « 10 239 529 286 numéros
// manquants ». So a sequence is first checked for density, cut by the year in front of the number
// when that explains it, and a range still too sparse is refused with a sentence, never counted.
import { z } from 'zod';
import { population, populationLine, type Population } from '../ops/population.ts';
import { quoteIdent } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, rowsOf, scalar, withLineSql } from './read.ts';
import { fmtInt, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireDateColumn } from './params.ts';

export const GapsParams = oneTableParams({
  column: nameParam.describe('Colonne de la séquence (numéro, code, date)'),
  kind: z
    .enum(['number', 'code', 'date'])
    .default('number')
    .describe(
      '« number » : entiers ; « code » : préfixe + numéro final, suivis par préfixe (2024_01700) ; « date » : jours ou mois manquants',
    ),
  unit: z.enum(['day', 'month']).default('day').describe('Pour les dates : chercher les jours (day) ou les mois (month) manquants'),
});
export type GapsParams = z.infer<typeof GapsParams>;

/**
 * A run of numbers is analysed only when it fills at least 1 % of its range: a numbering without
 * holes fills 100 %, and one that lost 99 numbers out of 100 is not a sequence with holes but
 * numbers that encode something else (a year, a service, a lot). Below that, counting the holes
 * would report the structure of the identifier, in billions.
 */
export const MIN_DENSITY = 0.01;

export interface GapsDetail {
  gaps: number;
  missing: number;
  duplicates: number;
  duplicateRows: number;
  /** Rows with a value but no readable number. */
  unparsed: number;
  /** Sequences found (prefixes, years, or 1). */
  sequences: number;
  /** Of those, sequences too sparse for their range: no gap counted in them. */
  refusedSequences: number;
  /** « année » when a sparse digit-only column was cut by the year written in front of each number. */
  segmentedBy: 'année' | null;
  population: Population;
}

const GAPS_ABOUT =
  'Ruptures de séquence : numéros manquants et en double (par préfixe, ou par année en tête du numéro), jours ou mois sans aucune ligne ; une plage trop clairsemée est refusée';

export const gaps = auditOperation<GapsParams, GapsDetail>('gaps', GapsParams, GAPS_ABOUT, async (ctx, p) => {
  requireColumns(ctx, p.table, [p.column]);
  if (p.kind === 'date') requireDateColumn(ctx, p.table, p.column);
  const col = quoteIdent(p.column);
  const src = withLineSql(ctx, p.table);
  const read = Number(await scalar(ctx, `SELECT count(*) FROM ${quoteIdent(p.table)}`));
  if (p.kind === 'date') return runDates(ctx, p, col, src, read);

  // Text of each non-blank value; a trailing « .0 » is what a spreadsheet left on an integer.
  const text = `SELECT ${LINE}, regexp_replace(trim(CAST(${col} AS VARCHAR)), '\\.0+$', '') AS s FROM ${src}
    WHERE nullif(trim(CAST(${col} AS VARCHAR)), '') IS NOT NULL`;
  // For codes the number is the run of digits at the end; its width is kept to print gaps the
  // way the codes are written (2024_01701, not 2024_1701).
  const parsedWhole =
    p.kind === 'code'
      ? `SELECT ${LINE}, s, regexp_extract(s, '^(.*?)([0-9]+)$', 1) AS prefixe,
           try_cast(regexp_extract(s, '^(.*?)([0-9]+)$', 2) AS BIGINT) AS num,
           length(regexp_extract(s, '^(.*?)([0-9]+)$', 2)) AS largeur FROM (${text})`
      : `SELECT ${LINE}, s, '' AS prefixe, CASE WHEN regexp_full_match(s, '[0-9]{1,18}') THEN CAST(s AS BIGINT) END AS num, 0 AS largeur FROM (${text})`;
  // A sparse digit-only column whose numbers start with a year is cut by that year (and by
  // width, so that 2021000001 and 202100001 are not taken for the same number 1 of 2021).
  const parsedByYear = `SELECT ${LINE}, s,
      CASE WHEN y THEN substr(s, 1, 4) ELSE '' END AS prefixe,
      CASE WHEN y THEN CAST(substr(s, 5) AS BIGINT) ELSE CAST(s AS BIGINT) END AS num,
      CASE WHEN y THEN length(s) - 4 ELSE 0 END AS largeur
    FROM (SELECT *, length(s) >= 8 AND substr(s, 1, 4) BETWEEN '1950' AND '2100' AS y FROM (${text}) WHERE regexp_full_match(s, '[0-9]{1,18}'))`;
  const sparse = (n: string, lo: string, hi: string) => `(${hi} - ${lo} + 1) * ${MIN_DENSITY} > ${n}`;
  const whole = await firstRow(
    ctx,
    `SELECT count(*) AS n, count(DISTINCT num) AS d, min(num) AS lo, max(num) AS hi FROM (${parsedWhole}) WHERE num IS NOT NULL`,
  );
  const segmentedBy: GapsDetail['segmentedBy'] =
    p.kind === 'number' &&
    Number(whole.d) > 0 &&
    (Number(whole.hi) - Number(whole.lo) + 1) * MIN_DENSITY > Number(whole.d) &&
    Number(await scalar(ctx, `SELECT count(*) FILTER (prefixe <> '') FROM (${parsedByYear})`)) > 0
      ? 'année'
      : null;
  const parsed = segmentedBy ? parsedByYear : parsedWhole;
  // A segment is one prefix (code), one year-and-width (number cut by year), or the whole column.
  const segKey = segmentedBy ? `prefixe || '#' || largeur` : 'prefixe';
  // lpad to width 0 would give '': numbers outside any year segment are printed as they are.
  const show = (e: string) =>
    p.kind === 'code' || segmentedBy
      ? `(CASE WHEN w > 0 THEN prefixe || lpad(CAST(${e} AS VARCHAR), CAST(w AS INTEGER), '0') ELSE prefixe || CAST(${e} AS VARCHAR) END)`
      : `CAST(${e} AS VARCHAR)`;
  const select = `
    WITH v AS (SELECT *, ${segKey} AS seg FROM (${parsed})),
    ok AS (SELECT * FROM v WHERE num IS NOT NULL),
    seg AS (SELECT seg, any_value(prefixe) AS prefixe, max(largeur) AS w, count(DISTINCT num) AS d, min(num) AS lo, max(num) AS hi,
              ${sparse('count(DISTINCT num)', 'min(num)', 'max(num)')} AS clairseme FROM ok GROUP BY seg),
    dd AS (SELECT DISTINCT seg, num FROM ok),
    n AS (SELECT seg, num, lead(num) OVER (PARTITION BY seg ORDER BY num) AS nxt FROM dd),
    holes AS (
      SELECT 'lacune' AS anomalie, prefixe, ${show('num + 1')} AS debut, ${show('nxt - 1')} AS fin, nxt - num - 1 AS nb,
        NULL::INTEGER[] AS lignes, seg, num + 1 AS k
      FROM n JOIN seg USING (seg) WHERE NOT clairseme AND nxt - num > 1),
    dups AS (
      SELECT 'doublon' AS anomalie, prefixe, ${show('num')} AS debut, ${show('num')} AS fin, count(*) AS nb,
        list(${LINE} ORDER BY ${LINE}) AS lignes, seg, num AS k
      FROM ok JOIN seg USING (seg, prefixe) GROUP BY seg, prefixe, num, w HAVING count(*) > 1),
    refused AS (
      SELECT 'plage trop clairsemée' AS anomalie, prefixe, ${show('lo')} AS debut, ${show('hi')} AS fin, d AS nb,
        NULL::INTEGER[] AS lignes, seg, lo AS k
      FROM seg WHERE clairseme)
    SELECT anomalie, prefixe, debut, fin, nb, lignes FROM (SELECT * FROM holes UNION ALL SELECT * FROM dups UNION ALL SELECT * FROM refused)
    ORDER BY seg, k, anomalie`;
  const res = await makeResult(ctx, 'gaps', select, p.result);
  const s = await firstRow(
    ctx,
    `SELECT count(*) FILTER (anomalie = 'lacune') AS gaps, coalesce(sum(nb) FILTER (anomalie = 'lacune'), 0) AS missing,
       count(*) FILTER (anomalie = 'doublon') AS dups, coalesce(sum(nb) FILTER (anomalie = 'doublon'), 0) AS duprows,
       count(*) FILTER (anomalie = 'plage trop clairsemée') AS refused FROM ${quoteIdent(res.table)}`,
  );
  const pc = await firstRow(
    ctx,
    `SELECT count(*) FILTER (num IS NOT NULL) AS used, count(DISTINCT ${segKey}) FILTER (num IS NOT NULL) AS seqs,
       count(DISTINCT prefixe) FILTER (num IS NOT NULL AND prefixe <> '') AS years, count(*) FILTER (num IS NOT NULL AND prefixe = '') AS outside FROM (${parsed})`,
  );
  const nonBlank = Number(await scalar(ctx, `SELECT count(*) FROM (${text})`));
  const used = Number(pc.used);
  const examples = (
    await rowsOf(ctx, `SELECT s, count(*) AS n FROM (${parsedWhole}) WHERE num IS NULL GROUP BY s ORDER BY n DESC, s LIMIT 5`)
  ).map((r) => String(r.s));
  const unparsed = nonBlank - used;
  const pop = population(read, used, 'avec un numéro lisible', [
    { reason: read - nonBlank === 1 ? 'vide' : 'vides', rows: read - nonBlank },
    {
      reason: p.kind === 'code' ? 'sans numéro final lisible' : unparsed === 1 ? 'non numérique' : 'non numériques',
      rows: unparsed,
      examples,
    },
  ]);
  const d: GapsDetail = {
    gaps: Number(s.gaps),
    missing: Number(s.missing),
    duplicates: Number(s.dups),
    duplicateRows: Number(s.duprows),
    unparsed,
    sequences: Number(pc.seqs),
    refusedSequences: Number(s.refused),
    segmentedBy,
    population: pop,
  };
  let shape = '';
  if (segmentedBy) {
    shape =
      ` Lue d'un seul tenant, la plage irait de ${fmtInt(whole.lo)} à ${fmtInt(whole.hi)} pour ${plural(Number(whole.d), 'numéro distinct', 'numéros distincts')}` +
      ` (moins d'un numéro sur ${fmtInt(1 / MIN_DENSITY)}) : ce n'est pas une numérotation continue ; séquence suivie par année en tête du numéro (${plural(Number(pc.years), 'année')}` +
      `${Number(pc.outside) ? ` ; ${plural(Number(pc.outside), 'numéro')} sans année en tête, suivi${Number(pc.outside) > 1 ? 's' : ''} à part` : ''}).`;
  }
  if (d.refusedSequences > 0) {
    const ref = await rowsOf(
      ctx,
      `SELECT prefixe, debut, fin, nb FROM ${quoteIdent(res.table)} WHERE anomalie = 'plage trop clairsemée' ORDER BY nb DESC, debut LIMIT 3`,
    );
    const where = ref
      .map((r) => `${r.prefixe ? `« ${r.prefixe} » : ` : ''}${plural(Number(r.nb), 'numéro')} de ${r.debut} à ${r.fin}`)
      .join(' ; ');
    shape +=
      d.refusedSequences === d.sequences
        ? ` Lacunes non comptées : la plage est trop clairsemée pour une numérotation continue (${where} ; moins d'un numéro sur ${fmtInt(1 / MIN_DENSITY)}) ; les « manques » n'y mesureraient que la structure ${p.kind === 'number' ? 'du numéro' : 'du code'}, pas des trous.`
        : ` ${plural(d.refusedSequences, 'séquence trop clairsemée', 'séquences trop clairsemées')} pour une numérotation continue, sans comptage de lacunes (${where}).`;
  }
  const analysed = d.sequences - d.refusedSequences;
  const head =
    analysed === 0 && d.sequences > 0
      ? 'lacunes non comptées'
      : d.gaps === 0
        ? 'aucune lacune'
        : `${plural(d.gaps, 'lacune')} pour ${plural(d.missing, 'numéro manquant', 'numéros manquants')}`;
  const summary =
    `Séquence « ${p.column} » de « ${p.table} »${p.kind === 'code' ? ` (${plural(d.sequences, 'préfixe')})` : ''} : ${populationLine(pop)}.${shape}` +
    ` Résultat : ${head}` +
    (d.duplicates === 0 ? ', aucun doublon' : `, ${plural(d.duplicates, 'numéro')} en double (${fmtInt(d.duplicateRows)} lignes)`) +
    '.';
  return auditOutput(ctx, res, [p.table], summary, d);
});

async function runDates(ctx: Parameters<typeof withLineSql>[0], p: GapsParams, col: string, src: string, read: number) {
  const unit = p.unit;
  const fmt = unit === 'month' ? '%Y-%m' : '%Y-%m-%d';
  // Present periods, then the hole between each one and the next: no calendar table needed.
  const select = `
    WITH d AS (SELECT DISTINCT CAST(date_trunc('${unit}', ${col}) AS DATE) AS per FROM ${src} WHERE ${col} IS NOT NULL),
    n AS (SELECT per, lead(per) OVER (ORDER BY per) AS nxt FROM d)
    SELECT 'lacune' AS anomalie, '' AS prefixe,
      strftime(per + INTERVAL 1 ${unit}, '${fmt}') AS debut,
      strftime(nxt - INTERVAL 1 ${unit}, '${fmt}') AS fin,
      date_diff('${unit}', per, nxt) - 1 AS nb, NULL::INTEGER[] AS lignes
    FROM n WHERE nxt IS NOT NULL AND date_diff('${unit}', per, nxt) > 1
    ORDER BY debut`;
  const res = await makeResult(ctx, 'gaps', select, p.result);
  const s = await firstRow(ctx, `SELECT count(*) AS gaps, coalesce(sum(nb), 0) AS missing FROM ${quoteIdent(res.table)}`);
  const used = Number(await scalar(ctx, `SELECT count(${col}) FROM ${quoteIdent(p.table)}`));
  const pop = population(read, used, 'datées', [{ reason: 'sans date', rows: read - used }]);
  const d: GapsDetail = {
    gaps: Number(s.gaps),
    missing: Number(s.missing),
    duplicates: 0,
    duplicateRows: 0,
    unparsed: 0,
    sequences: 1,
    refusedSequences: 0,
    segmentedBy: null,
    population: pop,
  };
  const what = unit === 'month' ? ['mois manquant', 'mois manquants'] : ['jour manquant', 'jours manquants'];
  const summary =
    `Séquence « ${p.column} » de « ${p.table} » : ${populationLine(pop)}. Résultat : ` +
    (d.gaps === 0 ? 'aucune lacune' : `${plural(d.gaps, 'lacune')} pour ${plural(d.missing, what[0]!, what[1])}`) +
    '.';
  return auditOutput(ctx, res, [p.table], summary, d);
}
