// Gaps and duplicates in sequences: mandate or invoice numbers that should run without a hole,
// dossier codes numbered per year (« 2024_01700 »: prefix « 2024_ », number 1700), and dates with
// missing days or months (a month with no payment at all in a monthly series is worth a question).
import { z } from 'zod';
import { inputOf, registerOperation } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { firstRow, fmtInt, LINE, makeResult, plural, requireColumns, requireDateColumn, resultParam, tableParam, withLineSql } from './common.ts';

export const GapsParams = z.object({
  table: tableParam,
  column: z.string().min(1).max(1000).describe('Colonne de la séquence (numéro, code, date)'),
  kind: z
    .enum(['number', 'code', 'date'])
    .default('number')
    .describe("« number » : entiers ; « code » : préfixe + numéro final, suivis par préfixe (2024_01700) ; « date » : jours ou mois manquants"),
  unit: z.enum(['day', 'month']).default('day').describe('Pour les dates : chercher les jours (day) ou les mois (month) manquants'),
  result: resultParam,
});
export type GapsParams = z.infer<typeof GapsParams>;

export interface GapsDetail {
  gaps: number;
  missing: number;
  duplicates: number;
  duplicateRows: number;
  unparsed: number;
  sequences: number;
}

export const gaps = registerOperation<GapsParams, GapsDetail>({
  id: 'gaps',
  kind: 'audit',
  description: 'Ruptures de séquence : numéros manquants et en double (par préfixe), jours ou mois sans aucune ligne',
  params: GapsParams,
  async run(ctx, p) {
    requireColumns(ctx, p.table, [p.column]);
    if (p.kind === 'date') requireDateColumn(ctx, p.table, p.column);
    const col = quoteIdent(p.column);
    const src = withLineSql(ctx, p.table);
    let select: string;
    let unparsedSql: string;
    if (p.kind === 'date') {
      const unit = p.unit;
      const fmt = unit === 'month' ? '%Y-%m' : '%Y-%m-%d';
      // Present periods, then the hole between each one and the next: no calendar table needed.
      select = `
        WITH d AS (SELECT DISTINCT CAST(date_trunc('${unit}', ${col}) AS DATE) AS per FROM ${src} WHERE ${col} IS NOT NULL),
        n AS (SELECT per, lead(per) OVER (ORDER BY per) AS nxt FROM d)
        SELECT 'lacune' AS anomalie, '' AS prefixe,
          strftime(per + INTERVAL 1 ${unit}, '${fmt}') AS debut,
          strftime(nxt - INTERVAL 1 ${unit}, '${fmt}') AS fin,
          date_diff('${unit}', per, nxt) - 1 AS nb, NULL::INTEGER[] AS lignes
        FROM n WHERE nxt IS NOT NULL AND date_diff('${unit}', per, nxt) > 1
        ORDER BY debut`;
      unparsedSql = `SELECT 0`;
    } else {
      // For codes the number is the run of digits at the end; its width is kept to print gaps the
      // way the codes are written (2024_01701, not 2024_1701).
      const parsed =
        p.kind === 'code'
          ? `SELECT ${LINE}, regexp_extract(CAST(${col} AS VARCHAR), '^(.*?)([0-9]+)$', 1) AS prefixe,
               try_cast(regexp_extract(CAST(${col} AS VARCHAR), '^(.*?)([0-9]+)$', 2) AS BIGINT) AS num,
               length(regexp_extract(CAST(${col} AS VARCHAR), '^(.*?)([0-9]+)$', 2)) AS largeur
             FROM ${src} WHERE ${col} IS NOT NULL`
          : `SELECT ${LINE}, '' AS prefixe, try_cast(trim(CAST(${col} AS VARCHAR)) AS BIGINT) AS num, 0 AS largeur FROM ${src} WHERE ${col} IS NOT NULL`;
      unparsedSql = `SELECT count(*) FROM (${parsed}) WHERE num IS NULL`;
      const show = (e: string) => (p.kind === 'code' ? `prefixe || lpad(CAST(${e} AS VARCHAR), CAST(w AS INTEGER), '0')` : `CAST(${e} AS VARCHAR)`);
      select = `
        WITH v AS (${parsed}),
        ok AS (SELECT * FROM v WHERE num IS NOT NULL),
        w AS (SELECT prefixe, max(largeur) AS w FROM ok GROUP BY prefixe),
        d AS (SELECT DISTINCT prefixe, num FROM ok),
        n AS (SELECT prefixe, num, lead(num) OVER (PARTITION BY prefixe ORDER BY num) AS nxt FROM d),
        holes AS (
          SELECT 'lacune' AS anomalie, prefixe, ${show('num + 1')} AS debut, ${show('nxt - 1')} AS fin, nxt - num - 1 AS nb,
            NULL::INTEGER[] AS lignes, num + 1 AS k
          FROM n JOIN w USING (prefixe) WHERE nxt - num > 1),
        dups AS (
          SELECT 'doublon' AS anomalie, prefixe, ${show('num')} AS debut, ${show('num')} AS fin, count(*) AS nb,
            list(${LINE} ORDER BY ${LINE}) AS lignes, num AS k
          FROM ok JOIN w USING (prefixe) GROUP BY prefixe, num, w HAVING count(*) > 1)
        SELECT anomalie, prefixe, debut, fin, nb, lignes FROM (SELECT * FROM holes UNION ALL SELECT * FROM dups)
        ORDER BY prefixe, k, anomalie`;
    }
    const res = await makeResult(ctx, 'gaps', select, p.result);
    const s = await firstRow(
      ctx,
      `SELECT count(*) FILTER (anomalie = 'lacune') AS gaps, coalesce(sum(nb) FILTER (anomalie = 'lacune'), 0) AS missing,
         count(*) FILTER (anomalie = 'doublon') AS dups, coalesce(sum(nb) FILTER (anomalie = 'doublon'), 0) AS duprows,
         (${unparsedSql}) AS unparsed FROM ${quoteIdent(res.table)}`,
    );
    const seq =
      p.kind === 'code'
        ? Number(
            (
              await firstRow(
                ctx,
                `SELECT count(DISTINCT regexp_extract(CAST(${col} AS VARCHAR), '^(.*?)([0-9]+)$', 1)) AS n FROM ${quoteIdent(p.table)} WHERE regexp_matches(CAST(${col} AS VARCHAR), '[0-9]$')`,
              )
            ).n,
          )
        : 1;
    const d: GapsDetail = {
      gaps: Number(s.gaps),
      missing: Number(s.missing),
      duplicates: Number(s.dups),
      duplicateRows: Number(s.duprows),
      unparsed: Number(s.unparsed),
      sequences: seq,
    };
    const what = p.kind === 'date' ? (p.unit === 'month' ? 'mois' : 'jours') : 'numéros';
    const summary =
      `Séquence « ${p.column} » de « ${p.table} »${p.kind === 'code' ? ` (${plural(seq, 'préfixe')})` : ''} : ` +
      (d.gaps === 0 ? `aucune lacune` : `${plural(d.gaps, 'lacune')} pour ${fmtInt(d.missing)} ${what} manquants`) +
      (p.kind === 'date' ? '' : d.duplicates === 0 ? ', aucun doublon' : `, ${plural(d.duplicates, 'numéro')} en double (${fmtInt(d.duplicateRows)} lignes)`) +
      (d.unparsed ? `, ${plural(d.unparsed, 'valeur')} sans numéro lisible, ignorée${d.unparsed > 1 ? 's' : ''}` : '') +
      '.';
    return { table: res.table, sql: [res.sql], inputs: [inputOf(ctx, p.table)], summary, detail: d };
  },
});
