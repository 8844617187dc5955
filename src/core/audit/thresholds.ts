// Public-procurement red flags: amounts just below a procedure threshold, purchases split so that
// each stays below it, round amounts, and awards dated on a weekend or a public holiday.
// The split test groups awards by supplier, so it must know what is NOT a supplier: Paris's contract
// list writes multi-award contracts as « MARCHE MULTIATTRIBUTAIRE » with SIRET « # », or with several
// SIRETs in one cell; grouped as if they were one company they made 51 false split purchases. Those
// rows are set apart and counted, never flagged.
import { z } from 'zod';
import { OperationError } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, rowsOf, scalar, withLineSql } from './read.ts';
import { fmtEur, fmtInt, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireDateColumn, requireNumericColumn } from './params.ts';
import { holidaysValuesSql } from './holidays.ts';
import { population, populationLine, type Population } from '../ops/population.ts';
import {
  idDigitsSql,
  multiAwardNormSql,
  multiValuedIdSql,
  normalizeNameSql,
  normalizeTextSql,
  placeholderIdPartsSql,
  placeholderNormSql,
  siretValidSql,
} from './normalize.ts';

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

export const ThresholdsParams = oneTableParams({
  amount: nameParam.describe('Colonne du montant HT'),
  date: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe('Colonne de date (notification, attribution) : fractionnement, week-ends et jours fériés'),
  supplier: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      'Colonne du nom du fournisseur (normalisé avant comparaison ; « MARCHE MULTIATTRIBUTAIRE », « N/A », « inconnu »… mis de côté)',
    ),
  siret: z
    .string()
    .min(1)
    .max(1000)
    .optional()
    .describe(
      'Colonne du SIRET du fournisseur (prioritaire sur le nom ; « # », « 0 », « 00001 », « N/A » et les listes « a|b » mis de côté, un identifiant autre qu’un SIRET gardé et nommé)',
    ),
  thresholds: z
    .array(z.object({ label: z.string().min(1).max(200), amount: z.number().positive() }))
    .min(1)
    .max(20)
    .default(DEFAULT_THRESHOLDS.map((t) => ({ ...t })))
    .describe('Seuils en € HT { label, amount } ; par défaut 40 000, 221 000 et 5 538 000 (2024–2025)'),
  margin: z.number().gt(0).lt(1).default(0.1).describe('Marge sous le seuil (0,1 = les 10 % sous le seuil)'),
  windowDays: z.number().int().min(1).max(3660).default(30).describe('Fractionnement : fenêtre en jours'),
  roundUnit: z.number().positive().default(1000).describe('Montant rond : multiple de cette valeur'),
  checks: z
    .array(z.enum(CHECKS))
    .min(1)
    .default([...CHECKS])
    .describe('Tests à faire : just-below, split, round, calendar'),
});
export type ThresholdsParams = z.infer<typeof ThresholdsParams>;

/** A sub-test that could not run, and why (a column it needs was not given). */
export interface SkippedCheck {
  check: (typeof CHECKS)[number];
  reason: string;
}

/** Rows the split test could not attach to one supplier, by shown value. */
export interface SetApartSupplier {
  reason: string;
  value: string;
  rows: number;
}

export interface ThresholdsDetail {
  byReason: Record<string, number>;
  rows: number;
  splitGroups: number;
  /** Rows read, and those with an amount (every sub-test works on those). */
  population: Population;
  /** Split test only: rows with an amount and a date, attached to one supplier, and what was set apart. */
  splitPopulation?: Population;
  /** Split test only: how the rows were attached to a supplier. */
  suppliers?: { siret: number; otherId: number; name: number; setApart: number };
  setApartSuppliers?: SetApartSupplier[];
  skipped: SkippedCheck[];
}

const SET_APART_MULTI = 'plusieurs titulaires (marché multi-attributaire ou identifiants multiples)';
const SET_APART_BLANK = 'titulaire fictif ou non renseigné';

/**
 * SQL for the rows the sub-tests read: amount, day, and the supplier key of the split test.
 * type_cle: 'siret' (14 digits, valid key), 'autre' (an identifier that is not a valid SIRET: kept,
 * named as such), 'nom' (no usable identifier, the normalised name), NULL when set apart (ecart says
 * why). Keys are prefixed by their kind so that a name can never meet an identifier by accident.
 */
function sourceSql(ctx: Parameters<typeof withLineSql>[0], p: ThresholdsParams, withSupplier: boolean): string {
  const a = quoteIdent(p.amount);
  const d = p.date ? `CAST(${quoteIdent(p.date)} AS DATE)` : 'NULL::DATE';
  // The supplier key is costly (several normalisations per row): only the split test needs it.
  const sid = withSupplier && p.siret ? quoteIdent(p.siret) : null;
  const nom = withSupplier && p.supplier ? quoteIdent(p.supplier) : null;
  // Each normalisation once per row (layer « n »), the classification on those columns (« typed »).
  const parts = `SELECT ${LINE}, ${a} AS montant, ${d} AS jour,
      ${sid ? `nullif(trim(CAST(${sid} AS VARCHAR)), '')` : 'NULL::VARCHAR'} AS id_txt,
      ${nom ? `nullif(trim(CAST(${nom} AS VARCHAR)), '')` : 'NULL::VARCHAR'} AS nom_txt
    FROM ${withLineSql(ctx, p.table)} WHERE ${a} IS NOT NULL`;
  const n = `SELECT *, ${normalizeTextSql('id_txt')} AS id_n, ${normalizeTextSql('nom_txt')} AS nom_n, ${idDigitsSql('id_txt')} AS chiffres FROM (${parts})`;
  const cols = [
    `${sid ? multiValuedIdSql('id_txt') : 'FALSE'} AS id_multi`,
    `${nom ? multiAwardNormSql('nom_n') : 'FALSE'} AS nom_multi`,
    `${sid ? `NOT ${placeholderIdPartsSql('id_txt', 'id_n', 'chiffres')}` : 'FALSE'} AS id_ok`,
    `${nom ? `NOT ${placeholderNormSql('nom_n')}` : 'FALSE'} AS nom_ok`,
    `${nom ? normalizeNameSql('nom_n') : 'NULL::VARCHAR'} AS nom_norm`,
  ];
  const typed = `SELECT *, CASE WHEN id_multi OR nom_multi THEN NULL
        WHEN id_ok THEN (CASE WHEN length(chiffres) = 14 AND ${siretValidSql('chiffres')} THEN 'siret' ELSE 'autre' END)
        WHEN nom_ok AND nom_norm IS NOT NULL THEN 'nom' END AS type_cle
      FROM (SELECT *, ${cols.join(', ')} FROM (${n}))`;
  return `SELECT ${LINE}, montant, jour, type_cle,
      CASE type_cle WHEN 'siret' THEN 'S:' || chiffres WHEN 'autre' THEN 'I:' || id_n WHEN 'nom' THEN 'N:' || nom_norm END AS cle,
      CASE type_cle WHEN 'siret' THEN chiffres WHEN 'autre' THEN id_txt || ' (identifiant non SIRET)'
        WHEN 'nom' THEN nom_norm${sid ? ` || ' (nom, sans SIRET)'` : ''} END AS libelle,
      CASE WHEN id_multi OR nom_multi THEN '${SET_APART_MULTI}' WHEN type_cle IS NULL THEN '${SET_APART_BLANK}' END AS ecart,
      CASE WHEN nom_multi THEN nom_txt WHEN id_multi THEN id_txt ELSE coalesce(id_txt, nom_txt, '(vide)') END AS ecart_valeur
    FROM (${typed})`;
}

const CHECK_LABEL: Record<(typeof CHECKS)[number], string> = {
  'just-below': 'juste sous le seuil',
  split: 'fractionnement',
  round: 'montants ronds',
  calendar: 'week-ends et jours fériés',
};

/** The sub-tests that cannot run for lack of a column, with the sentence that says so. */
function skippedChecks(p: ThresholdsParams): SkippedCheck[] {
  const out: SkippedCheck[] = [];
  if (p.checks.includes('split') && (!p.date || (!p.supplier && !p.siret))) {
    const lacks = [!p.date && 'de colonne de date (date)', !p.supplier && !p.siret && 'de colonne fournisseur (supplier) ni SIRET (siret)']
      .filter(Boolean)
      .join(' ni ');
    out.push({
      check: 'split',
      reason: `Le test de fractionnement demande une colonne de date et une colonne fournisseur (supplier) ou SIRET (siret) : pas ${lacks}`,
    });
  }
  if (p.checks.includes('calendar') && !p.date) {
    out.push({
      check: 'calendar',
      reason: 'Le test des week-ends et jours fériés demande une colonne de date : pas de colonne de date (date)',
    });
  }
  return out;
}

const THRESHOLDS_ABOUT =
  'Seuils des marchés : montants juste sous un seuil, fractionnement (titulaires fictifs et multi-attributaires mis de côté), montants ronds, dates en week-end ou jour férié';

export const thresholds = auditOperation<ThresholdsParams, ThresholdsDetail>(
  'thresholds',
  ThresholdsParams,
  THRESHOLDS_ABOUT,
  async (ctx, p) => {
    requireNumericColumn(ctx, p.table, p.amount);
    if (p.date) requireDateColumn(ctx, p.table, p.date);
    requireColumns(
      ctx,
      p.table,
      [p.supplier, p.siret].filter((x): x is string => !!x),
    );
    // A missing column skips its sub-test, said in the summary; the others still run. Only when
    // nothing is left is the run refused.
    const skipped = skippedChecks(p);
    const checks = new Set(p.checks.filter((c) => !skipped.some((s) => s.check === c)));
    if (checks.size === 0) throw new OperationError(skipped.map((s) => s.reason).join(' ; '));
    const d = p.date ? `CAST(${quoteIdent(p.date)} AS DATE)` : 'NULL::DATE';
    const seuils = `(SELECT * FROM (VALUES ${p.thresholds.map((t) => `(${quoteLiteral(t.label)}, ${sqlValue(t.amount)})`).join(', ')}) AS s(seuil_libelle, seuil))`;
    const parts: string[] = [];
    if (checks.has('just-below')) {
      parts.push(`SELECT ${LINE}, 'juste sous le seuil' AS motif, seuil_libelle, seuil, NULL::VARCHAR AS precision
      FROM src CROSS JOIN ${seuils} WHERE montant >= seuil * (1 - ${sqlValue(p.margin)}) AND montant < seuil`);
    }
    if (checks.has('split')) {
      // An anchor row starts a window of N days in which one supplier's awards, each below the
      // threshold, add up to at least the threshold; every award in such a window is flagged.
      // Rows set apart (cle NULL: fictitious or several holders) are never an anchor nor a member.
      parts.push(`SELECT DISTINCT m.${LINE}, 'fractionnement' AS motif, s.seuil_libelle, s.seuil,
        'fournisseur ' || anc.libelle || ', à partir du ' || strftime(anc.jour, '%d/%m/%Y') || ' : ' || anc.nb || ' marchés, ' || replace(replace(format('{:,.2f}', CAST(anc.somme AS DOUBLE)), ',', ' '), '.', ',') || ' € en ${p.windowDays} jours' AS precision
      FROM ${seuils} s
      JOIN LATERAL (
        SELECT x.${LINE} AS ancre, x.cle, x.libelle, x.jour, count(*) AS nb, sum(y.montant) AS somme
        FROM src x JOIN src y ON y.cle = x.cle AND y.jour BETWEEN x.jour AND x.jour + ${p.windowDays}
        WHERE x.montant < s.seuil AND y.montant < s.seuil AND x.cle IS NOT NULL AND x.jour IS NOT NULL
        GROUP BY x.${LINE}, x.cle, x.libelle, x.jour
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
      parts.push(
        `SELECT ${LINE}, 'jour férié' AS motif, NULL, NULL, f.libelle FROM src JOIN ${holidaysValuesSql(years?.lo ?? 2000, years?.hi ?? 1999)} f ON f.jour = src.jour`,
      );
    }
    const srcSql = sourceSql(ctx, p, checks.has('split'));
    // The split part repeats the flagged row once per anchor; DISTINCT above keeps one per threshold,
    // and here one line per (row, reason, threshold) with the first description.
    const select = `
    WITH src AS (${srcSql}),
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
      ? Number(
          (await firstRow(ctx, `SELECT count(DISTINCT precision) AS n FROM ${quoteIdent(res.table)} WHERE motif = 'fractionnement'`)).n,
        )
      : 0;

    // Population before the headline: rows read, rows with an amount; for the split test, how rows
    // were tied to a supplier and which were set apart, with their values and row counts.
    const read = Number(await scalar(ctx, `SELECT count(*) FROM ${quoteIdent(p.table)}`));
    // One pass over the source for every count of the population (the supplier key is costly).
    const groups = await rowsOf(
      ctx,
      `SELECT type_cle, ecart, CASE WHEN ecart IS NOT NULL THEN ecart_valeur END AS ecart_valeur, jour IS NULL AS sans_date, count(*) AS n
     FROM (${srcSql}) GROUP BY ALL ORDER BY n DESC, ecart_valeur`,
    );
    const sum = (pred: (g: Record<string, unknown>) => boolean) => groups.filter(pred).reduce((t, g) => t + Number(g.n), 0);
    const withAmount = sum(() => true);
    const pop = population(read, withAmount, 'avec un montant', [{ reason: 'sans montant', rows: read - withAmount }]);
    const detail: ThresholdsDetail = { byReason, rows: Number(s.rows), splitGroups, population: pop, skipped };
    let splitLine = '';
    if (checks.has('split')) {
      const dated = groups.filter((g) => !g.sans_date);
      const setApartSuppliers = dated
        .filter((g) => g.ecart !== null && g.ecart !== undefined)
        .map((g) => ({ reason: String(g.ecart), value: String(g.ecart_valeur), rows: Number(g.n) }));
      const apartOf = (reason: string) => {
        const list = setApartSuppliers.filter((x) => x.reason === reason);
        return {
          reason,
          rows: list.reduce((t, x) => t + x.rows, 0),
          examples: list.slice(0, 5).map((x) => `${x.value} × ${fmtInt(x.rows)}`),
        };
      };
      const ofType = (t: string) => sum((g) => !g.sans_date && g.type_cle === t);
      const sup = {
        siret: ofType('siret'),
        otherId: ofType('autre'),
        name: ofType('nom'),
        setApart: setApartSuppliers.reduce((t, x) => t + x.rows, 0),
      };
      const used = sup.siret + sup.otherId + sup.name;
      const splitPop = population(withAmount, used, 'rattachées à un seul titulaire', [
        apartOf(SET_APART_MULTI),
        apartOf(SET_APART_BLANK),
        { reason: 'sans date', rows: sum((g) => !!g.sans_date) },
      ]);
      Object.assign(detail, { splitPopulation: splitPop, suppliers: sup, setApartSuppliers: setApartSuppliers.slice(0, 50) });
      const how = [
        sup.siret && `${fmtInt(sup.siret)} par SIRET`,
        sup.otherId && `${fmtInt(sup.otherId)} par un identifiant qui n'est pas un SIRET valide`,
        sup.name && `${fmtInt(sup.name)} par le nom seul`,
      ]
        .filter(Boolean)
        .join(', ');
      splitLine =
        ` Fractionnement : ${populationLine(splitPop)}${how ? ` — ${how}` : ''} ; les lignes mises de côté ne sont jamais signalées comme fractionnées.` +
        (used === 0 ? ' Aucune ligne datée n’a de titulaire identifiable : le fractionnement n’a rien pu tester.' : '');
    }
    const text = counts.length ? counts.map((c) => `${c.motif} : ${fmtInt(c.n)}`).join(' ; ') : 'aucun signalement';
    const summary =
      `Seuils sur « ${p.amount} » de « ${p.table} » (${p.thresholds.map((t) => fmtEur(t.amount)).join(', ')} ; marge ${fmtInt(p.margin * 100)} %` +
      `${checks.has('split') ? ` ; fenêtre de ${p.windowDays} jours` : ''}) : ${populationLine(pop)}.${splitLine}` +
      skipped.map((x) => ` Test « ${CHECK_LABEL[x.check]} » non fait — ${x.reason}.`).join('') +
      ` Résultat : ${plural(Number(s.rows), 'ligne signalée', 'lignes signalées')} — ${text}.` +
      (years ? ` Jours fériés de métropole calculés pour ${years.lo}–${years.hi}.` : '');
    return auditOutput(ctx, res, [p.table], summary, detail);
  },
);
