// Public-procurement red flags: amounts just below a procedure threshold, purchases split so that
// each stays below it, round amounts, and awards dated on a weekend or a public holiday.
import { z } from 'zod';
import { inputOf, OperationError, registerOperation } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { firstRow, fmtEur, fmtInt, LINE, makeResult, plural, requireColumns, requireDateColumn, requireNumericColumn, resultParam, rowsOf, tableParam, withLineSql } from './common.ts';
import { holidaysValuesSql } from './holidays.ts';
import { normalizeNameSql, normalizeSiretSql } from './normalize.ts';

/**
 * Thresholds in euros HT. 40 000 €: below it a contract may be awarded without advertising (décret
 * 2019-1344, since 2020). 221 000 € and 5 538 000 €: EU thresholds for local authorities, supplies and
 * services / works, for 2024–2025 (Regulation 2023/2495). Editable: pass `thresholds` for another year.
 */
export const DEFAULT_THRESHOLDS = [
  { label: 'Seuil de publicité (40 000 € HT)', amount: 40_000 },
  { label: 'Seuil européen fournitures et services 2024–2025', amount: 221_000 },
  { label: 'Seuil européen travaux 2024–2025', amount: 5_538_000 },
] as const;

const CHECKS = ['just-below', 'split', 'round', 'calendar'] as const;

export const ThresholdsParams = z.object({
  table: tableParam,
  amount: z.string().min(1).max(1000).describe('Colonne du montant HT'),
  date: z.string().min(1).max(1000).optional().describe('Colonne de date (notification, attribution) : fractionnement, week-ends et jours fériés'),
  supplier: z.string().min(1).max(1000).optional().describe('Colonne du nom du fournisseur (normalisé avant comparaison)'),
  siret: z.string().min(1).max(1000).optional().describe('Colonne du SIRET du fournisseur (prioritaire sur le nom)'),
  thresholds: z
    .array(z.object({ label: z.string().min(1).max(200), amount: z.number().positive() }))
    .min(1)
    .max(20)
    .default(DEFAULT_THRESHOLDS.map((t) => ({ ...t })))
    .describe('Seuils en € HT { label, amount } ; par défaut 40 000, 221 000 et 5 538 000 (2024–2025)'),
  margin: z.number().gt(0).lt(1).default(0.1).describe('Marge sous le seuil (0,1 = les 10 % sous le seuil)'),
  windowDays: z.number().int().min(1).max(3660).default(30).describe('Fractionnement : fenêtre en jours'),
  roundUnit: z.number().positive().default(1000).describe('Montant rond : multiple de cette valeur'),
  checks: z.array(z.enum(CHECKS)).min(1).default([...CHECKS]).describe('Tests à faire : just-below, split, round, calendar'),
  result: resultParam,
});
export type ThresholdsParams = z.infer<typeof ThresholdsParams>;

export interface ThresholdsDetail {
  byReason: Record<string, number>;
  rows: number;
  splitGroups: number;
}

export const thresholds = registerOperation<ThresholdsParams, ThresholdsDetail>({
  id: 'thresholds',
  kind: 'audit',
  description: 'Seuils des marchés : montants juste sous un seuil, fractionnement, montants ronds, dates en week-end ou jour férié',
  params: ThresholdsParams,
  async run(ctx, p) {
    requireNumericColumn(ctx, p.table, p.amount);
    if (p.date) requireDateColumn(ctx, p.table, p.date);
    requireColumns(ctx, p.table, [p.supplier, p.siret].filter((x): x is string => !!x));
    const checks = new Set(p.checks);
    if (checks.has('split') && (!p.date || (!p.supplier && !p.siret))) {
      throw new OperationError('Le test de fractionnement demande une colonne de date et une colonne fournisseur (supplier) ou SIRET (siret)');
    }
    if (checks.has('calendar') && !p.date) throw new OperationError('Le test des week-ends et jours fériés demande une colonne de date');
    const a = quoteIdent(p.amount);
    const d = p.date ? `CAST(${quoteIdent(p.date)} AS DATE)` : 'NULL::DATE';
    const key = p.siret
      ? `coalesce(${normalizeSiretSql(quoteIdent(p.siret))}${p.supplier ? `, ${normalizeNameSql(quoteIdent(p.supplier))}` : ''})`
      : p.supplier
        ? normalizeNameSql(quoteIdent(p.supplier))
        : 'NULL';
    const seuils = `(SELECT * FROM (VALUES ${p.thresholds.map((t) => `(${quoteLiteral(t.label)}, ${sqlValue(t.amount)})`).join(', ')}) AS s(seuil_libelle, seuil))`;
    const parts: string[] = [];
    if (checks.has('just-below')) {
      parts.push(`SELECT ${LINE}, 'juste sous le seuil' AS motif, seuil_libelle, seuil, NULL::VARCHAR AS precision
        FROM src CROSS JOIN ${seuils} WHERE montant >= seuil * (1 - ${sqlValue(p.margin)}) AND montant < seuil`);
    }
    if (checks.has('split')) {
      // An anchor row starts a window of N days in which one supplier's awards, each below the
      // threshold, add up to at least the threshold; every award in such a window is flagged.
      parts.push(`SELECT DISTINCT m.${LINE}, 'fractionnement' AS motif, s.seuil_libelle, s.seuil,
          'fournisseur ' || m.cle || ', à partir du ' || strftime(anc.jour, '%d/%m/%Y') || ' : ' || anc.nb || ' marchés, ' || replace(replace(format('{:,.2f}', anc.somme), ',', ' '), '.', ',') || ' € en ${p.windowDays} jours' AS precision
        FROM ${seuils} s
        JOIN LATERAL (
          SELECT x.${LINE} AS ancre, x.cle, x.jour, count(*) AS nb, sum(y.montant) AS somme
          FROM src x JOIN src y ON y.cle = x.cle AND y.jour BETWEEN x.jour AND x.jour + ${p.windowDays}
          WHERE x.montant < s.seuil AND y.montant < s.seuil AND x.cle IS NOT NULL AND x.jour IS NOT NULL
          GROUP BY x.${LINE}, x.cle, x.jour
          HAVING count(*) >= 2 AND sum(y.montant) >= s.seuil) anc ON TRUE
        JOIN src m ON m.cle = anc.cle AND m.jour BETWEEN anc.jour AND anc.jour + ${p.windowDays} AND m.montant < s.seuil`);
    }
    if (checks.has('round')) {
      parts.push(`SELECT ${LINE}, 'montant rond' AS motif, NULL, NULL, 'multiple de ' || ${sqlValue(p.roundUnit)} FROM src
        WHERE montant <> 0 AND montant % ${sqlValue(p.roundUnit)} = 0`);
    }
    let years: { lo: number; hi: number } | null = null;
    if (checks.has('calendar')) {
      const y = await firstRow(ctx, `SELECT min(year(${d})) AS lo, max(year(${d})) AS hi FROM ${quoteIdent(p.table)}`);
      if (y.lo !== null && y.lo !== undefined) years = { lo: Number(y.lo), hi: Number(y.hi) };
      parts.push(`SELECT ${LINE}, 'week-end' AS motif, NULL, NULL, dayname(jour) FROM src WHERE isodow(jour) IN (6, 7)`);
      parts.push(`SELECT ${LINE}, 'jour férié' AS motif, NULL, NULL, f.libelle FROM src JOIN ${holidaysValuesSql(years?.lo ?? 2000, years?.hi ?? 1999)} f ON f.jour = src.jour`);
    }
    // The split part repeats the flagged row once per anchor; DISTINCT above keeps one per threshold,
    // and here one line per (row, reason, threshold) with the first description.
    const select = `
      WITH src AS (SELECT ${LINE}, ${a} AS montant, ${d} AS jour, ${key} AS cle FROM ${withLineSql(ctx, p.table)} WHERE ${a} IS NOT NULL),
      f AS (${parts.join('\nUNION ALL\n')}),
      g AS (SELECT ${LINE}, motif, seuil_libelle, seuil, min(precision) AS precision FROM f GROUP BY ALL)
      SELECT g.motif, g.seuil_libelle, g.seuil, g.precision, t.*
      FROM g JOIN ${withLineSql(ctx, p.table)} t USING (${LINE})
      ORDER BY g.motif, g.seuil NULLS LAST, t.${LINE}`;
    const res = await makeResult(ctx, 'thresholds', select, p.result);
    const counts = await rowsOf(ctx, `SELECT motif, count(*) AS n FROM ${quoteIdent(res.table)} GROUP BY motif ORDER BY motif`);
    const byReason = Object.fromEntries(counts.map((c) => [String(c.motif), Number(c.n)]));
    const s = await firstRow(ctx, `SELECT count(DISTINCT ${LINE}) AS rows FROM ${quoteIdent(res.table)}`);
    const splitGroups = checks.has('split')
      ? Number((await firstRow(ctx, `SELECT count(DISTINCT precision) AS n FROM ${quoteIdent(res.table)} WHERE motif = 'fractionnement'`)).n)
      : 0;
    const text = counts.length
      ? counts.map((c) => `${c.motif} : ${fmtInt(c.n)}`).join(' ; ')
      : 'aucun signalement';
    const summary =
      `Seuils sur « ${p.amount} » de « ${p.table} » (${p.thresholds.map((t) => fmtEur(t.amount)).join(', ')} ; marge ${fmtInt(p.margin * 100)} %` +
      `${checks.has('split') ? ` ; fenêtre de ${p.windowDays} jours` : ''}) : ${plural(Number(s.rows), 'ligne signalée', 'lignes signalées')} — ${text}.` +
      (years ? ` Jours fériés de métropole calculés pour ${years.lo}–${years.hi}.` : '');
    return { table: res.table, sql: [res.sql], inputs: [inputOf(ctx, p.table)], summary, detail: { byReason, rows: Number(s.rows), splitGroups } };
  },
});
