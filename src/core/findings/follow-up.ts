// Follow-up of audit recommendations: from a table of reports and a table with one row per
// recommendation and review date (its status then), the state of each recommendation at a reference
// date, the implementation rate by report, year and audited entity, the overdue ones, and each one's
// status history.
//
// Definitions (said in the summary and the column names, because rates are easy to argue about):
// - a recommendation's status at the reference date is its last review dated on or before it; rows
//   dated later are ignored, and a recommendation with no review by then is not counted at all;
//   two reviews on the same date: the one whose status sorts last wins (deterministic, rare);
// - taux de mise en œuvre = mises en œuvre / (recommandations − abandonnées): an abandoned
//   recommendation is neither a success nor pending;
// - en retard = neither implemented nor abandoned, and the due date is before the reference date.
// - a review with an empty status says nothing: it is skipped (the previous one stands).
// The population comes first in the summary and the detail: recommendations and reports read, those
// counted, and those left out with the reason (no status date — an extracted report whose date was not
// found —, a date that does not read, reviews all after the reference date, empty statuses, rows
// without an identifier). Nothing is dropped without being said.
import { z } from 'zod';
import { fmtInt, fmtPct } from '../audit/format.ts';
import { population, populationLine, type Population } from '../ops/population.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, type OperationContext } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, safeIdentifier } from '../sql/ident.ts';
import { isDateType, isTimestampType } from '../sql/types.ts';

const Col = z.string().min(1).max(1000);

export const FollowUpColumns = z.object({
  reportId: Col.default('identifiant_du_rapport'),
  reportTitle: Col.default('titre'),
  reportDate: Col.default('date_du_rapport'),
  entity: Col.default('entite_auditee'),
  recommendationId: Col.default('identifiant_de_la_recommandation'),
  recommendationReport: Col.default('identifiant_du_rapport'),
  text: Col.default('recommandation'),
  responsible: Col.default('direction_responsable'),
  due: Col.default('date_d_echeance'),
  statusDate: Col.default('date_du_statut'),
  status: Col.default('statut'),
});

function todayIso(): string {
  return new Date().toISOString().slice(0, 10);
}

export const FollowUpParams = z.object({
  reports: z.string().min(1).max(200).default('rapports').describe('Table des rapports'),
  recommendations: z.string().min(1).max(200).default('recommandations').describe('Table des recommandations (une ligne par statut daté)'),
  columns: FollowUpColumns.default(FollowUpColumns.parse({})).describe('Noms des colonnes (par défaut ceux des fichiers de démonstration)'),
  implemented: z
    .array(z.string().min(1).max(200))
    .min(1)
    .max(50)
    .default(['Mise en œuvre'])
    .describe('Statuts qui signifient « mise en œuvre »'),
  abandoned: z.array(z.string().min(1).max(200)).max(50).default(['Abandonnée']).describe('Statuts qui signifient « abandonnée »'),
  // The default is resolved when the parameters are validated, so the journal keeps the actual date.
  referenceDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'date AAAA-MM-JJ attendue')
    .default(todayIso)
    .describe('Date de référence (AAAA-MM-JJ) ; par défaut aujourd’hui'),
  prefix: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,40}$/)
    .default('suivi')
    .describe('Préfixe des tables de résultat'),
});
export type FollowUpParams = z.infer<typeof FollowUpParams>;

export interface FollowUpDetail {
  referenceDate: string;
  recommendations: number;
  implemented: number;
  abandoned: number;
  open: number;
  overdue: number;
  /** implemented / (recommendations − abandoned), null when nothing is left to count. */
  rate: number | null;
  /** Recommendation rows whose report is not in the reports table. */
  withoutReport: number;
  /** Recommendations read (distinct identifiers, plus rows without one), counted, and left out with the reason. */
  population: Population;
  /** Reports read (the reports table), those with a recommendation counted, the others and why. */
  reportsPopulation: Population;
  /** Reports counted whose date is unknown (their recommendations are in no year of the by-year table). */
  reportsWithoutDate: number;
  tables: { byReport: string; byYear: string; byEntity: string; overdue: string; history: string; state: string };
}

/** A column as a DATE whether the import typed it or left it as dd/mm/yyyy or ISO text. */
function dateOf(ctx: OperationContext, table: string, column: string): string {
  const c = requireColumn(ctx, table, column);
  const q = quoteIdent(column);
  if (isDateType(c.type)) return q;
  if (isTimestampType(c.type)) return `CAST(${q} AS DATE)`;
  return `coalesce(TRY_CAST(${q} AS DATE), CAST(try_strptime(CAST(${q} AS VARCHAR), '%d/%m/%Y') AS DATE))`;
}

function textOf(ctx: OperationContext, table: string, column: string): string {
  requireColumn(ctx, table, column);
  return `CAST(${quoteIdent(column)} AS VARCHAR)`;
}

const norm = (values: readonly string[]) => values.map((v) => quoteLiteral(v.trim().toLocaleLowerCase('fr'))).join(', ');

const AGGREGATES = `count(*)::INTEGER AS nb_recommandations,
      count(*) FILTER (WHERE etat = 'mise en œuvre')::INTEGER AS mises_en_oeuvre,
      count(*) FILTER (WHERE etat = 'abandonnée')::INTEGER AS abandonnees,
      count(*) FILTER (WHERE etat = 'ouverte')::INTEGER AS ouvertes,
      count(*) FILTER (WHERE en_retard)::INTEGER AS en_retard,
      CAST(count(*) FILTER (WHERE etat = 'mise en œuvre') AS DOUBLE)
        / nullif(count(*) - count(*) FILTER (WHERE etat = 'abandonnée'), 0) AS taux_mise_en_oeuvre`;

const OP_ID = 'recommendations-follow-up';

export const recommendationsFollowUp = registerOperation<FollowUpParams, FollowUpDetail>({
  id: OP_ID,
  kind: 'finding',
  description: 'Suivi des recommandations d’audit : taux de mise en œuvre par rapport, année et entité, retards, historique des statuts',
  params: FollowUpParams,
  async run(ctx, p) {
    const c = p.columns;
    const ref = `DATE ${quoteLiteral(p.referenceDate)}`;
    if (Number.isNaN(Date.parse(p.referenceDate))) throw new OperationError(`Date de référence invalide : ${p.referenceDate}`);
    const R = p.reports;
    const M = p.recommendations;
    const recs = `(SELECT ${textOf(ctx, M, c.recommendationId)} AS rec, ${textOf(ctx, M, c.recommendationReport)} AS rapport,
        ${textOf(ctx, M, c.text)} AS texte, ${textOf(ctx, M, c.responsible)} AS responsable,
        ${dateOf(ctx, M, c.due)} AS echeance, ${dateOf(ctx, M, c.statusDate)} AS date_statut, trim(${textOf(ctx, M, c.status)}) AS statut,
        nullif(trim(${textOf(ctx, M, c.statusDate)}), '') AS date_statut_brute
      FROM ${quoteIdent(M)})`;
    const reports = `(SELECT ${textOf(ctx, R, c.reportId)} AS rapport, ${textOf(ctx, R, c.reportTitle)} AS titre,
        ${dateOf(ctx, R, c.reportDate)} AS date_rapport, ${textOf(ctx, R, c.entity)} AS entite
      FROM ${quoteIdent(R)})`;
    const name = (s: string) => safeIdentifier(`${p.prefix}_${s}`);

    // One row per recommendation: its state at the reference date.
    const state = await createResultTable(
      ctx,
      OP_ID,
      `WITH h AS (SELECT * FROM ${recs} WHERE date_statut <= ${ref} AND rec IS NOT NULL AND coalesce(statut, '') <> ''),
      last AS (
        SELECT * FROM h
        QUALIFY row_number() OVER (PARTITION BY rec ORDER BY date_statut DESC, statut DESC) = 1
      )
      SELECT last.rec AS recommandation, last.rapport, r.titre, CAST(year(r.date_rapport) AS INTEGER) AS annee, r.entite,
        last.texte, last.responsable, last.echeance, last.statut AS dernier_statut, last.date_statut AS date_dernier_statut,
        CASE WHEN lower(last.statut) IN (${norm(p.implemented)}) THEN 'mise en œuvre'
             WHEN ${p.abandoned.length ? `lower(last.statut) IN (${norm(p.abandoned)})` : 'FALSE'} THEN 'abandonnée'
             ELSE 'ouverte' END AS etat,
        (etat = 'ouverte' AND last.echeance < ${ref}) AS en_retard,
        CASE WHEN etat = 'ouverte' AND last.echeance < ${ref} THEN CAST(${ref} - last.echeance AS INTEGER) END AS jours_de_retard
      FROM last LEFT JOIN ${reports} r ON r.rapport = last.rapport
      ORDER BY last.rec`,
      name('etat'),
    );
    const S = quoteIdent(state.table);
    const byReport = await createResultTable(
      ctx,
      OP_ID,
      `SELECT rapport, any_value(titre) AS titre, any_value(annee) AS annee, any_value(entite) AS entite, ${AGGREGATES}
       FROM ${S} GROUP BY rapport ORDER BY rapport`,
      name('par_rapport'),
    );
    const byYear = await createResultTable(
      ctx,
      OP_ID,
      `SELECT annee, count(DISTINCT rapport)::INTEGER AS nb_rapports, ${AGGREGATES} FROM ${S} GROUP BY annee ORDER BY annee NULLS LAST`,
      name('par_annee'),
    );
    const byEntity = await createResultTable(
      ctx,
      OP_ID,
      `SELECT entite, count(DISTINCT rapport)::INTEGER AS nb_rapports, ${AGGREGATES} FROM ${S} GROUP BY entite ORDER BY entite NULLS LAST`,
      name('par_entite'),
    );
    const overdue = await createResultTable(
      ctx,
      OP_ID,
      `SELECT recommandation, rapport, titre, entite, texte, responsable, echeance, dernier_statut, date_dernier_statut, jours_de_retard
       FROM ${S} WHERE en_retard ORDER BY jours_de_retard DESC, recommandation`,
      name('en_retard'),
    );
    const history = await createResultTable(
      ctx,
      OP_ID,
      `SELECT rec AS recommandation, any_value(rapport) AS rapport, any_value(texte) AS texte, count(*)::INTEGER AS nb_statuts,
         min(date_statut) AS premier_statut, max(date_statut) AS dernier_statut,
         string_agg(strftime(date_statut, '%d/%m/%Y') || ' ' || statut, ' → ' ORDER BY date_statut, statut) AS parcours
       FROM ${recs} WHERE date_statut <= ${ref} AND rec IS NOT NULL AND coalesce(statut, '') <> '' GROUP BY rec ORDER BY rec`,
      name('historique'),
    );

    const totals = (
      await ctx.engine.query(
        `SELECT count(*)::INTEGER, count(*) FILTER (WHERE etat = 'mise en œuvre')::INTEGER, count(*) FILTER (WHERE etat = 'abandonnée')::INTEGER,
         count(*) FILTER (WHERE etat = 'ouverte')::INTEGER, count(*) FILTER (WHERE en_retard)::INTEGER,
         count(*) FILTER (WHERE titre IS NULL AND annee IS NULL AND entite IS NULL)::INTEGER
       FROM ${S}`,
      )
    ).rows[0]!.map(Number) as [number, number, number, number, number, number];
    const [n, impl, aband, open, late, orphans] = totals;
    const { recPop, reportPop, undated } = await populations(ctx, recs, reports, S, ref);
    const rate = n - aband > 0 ? impl / (n - aband) : null;
    const [y, m, d] = p.referenceDate.split('-');
    const tables = {
      byReport: byReport.table,
      byYear: byYear.table,
      byEntity: byEntity.table,
      overdue: overdue.table,
      history: history.table,
      state: state.table,
    };
    return {
      tables: [state.table, byReport.table, byYear.table, byEntity.table, overdue.table, history.table],
      sql: [state.sql, byReport.sql, byYear.sql, byEntity.sql, overdue.sql, history.sql],
      inputs: [inputOf(ctx, R), inputOf(ctx, M)],
      summary:
        `${populationLine(recPop).replace(/lignes? lues?/, recPop.read === 1 ? 'recommandation lue' : 'recommandations lues')}. ` +
        `${populationLine(reportPop).replace(/lignes? lues?/, reportPop.read === 1 ? 'rapport lu' : 'rapports lus')}` +
        (undated ? ` ; ${fmtInt(undated)} rapport(s) suivi(s) sans date (année inconnue)` : '') +
        `. Suivi au ${d}/${m}/${y} : ${fmtInt(n)} recommandation(s), ${fmtInt(impl)} mise(s) en œuvre, ${fmtInt(aband)} abandonnée(s), ` +
        `taux de mise en œuvre ${rate === null ? 'non calculable' : fmtPct(rate)} (hors abandonnées), ${fmtInt(late)} en retard` +
        (orphans ? ` ; ${fmtInt(orphans)} sans rapport correspondant` : ''),
      detail: {
        referenceDate: p.referenceDate,
        recommendations: n,
        implemented: impl,
        abandoned: aband,
        open,
        overdue: late,
        rate,
        withoutReport: orphans,
        population: recPop,
        reportsPopulation: reportPop,
        reportsWithoutDate: undated,
        tables,
      },
    };
  },
});

// Examples come back joined by newlines (lists would come back as Arrow vectors).
const lines = (v: unknown): string[] => (v === null || v === undefined || v === '' ? [] : String(v).split('\n'));

/** Who was counted and who was not, and why: recommendations first, then reports. */
async function populations(
  ctx: OperationContext,
  recs: string,
  reports: string,
  /** The state table, quoted. */
  state: string,
  ref: string,
): Promise<{ recPop: Population; reportPop: Population; undated: number }> {
  // One reason per recommendation, the first that applies, so the reasons add up to what was left out.
  const why = await ctx.engine.query(
    `WITH per AS (
       SELECT rec, count(date_statut) AS dated, count(date_statut_brute) AS written,
         count(*) FILTER (WHERE date_statut <= ${ref}) AS by_ref,
         count(*) FILTER (WHERE date_statut <= ${ref} AND coalesce(statut, '') <> '') AS usable,
         any_value(date_statut_brute) FILTER (WHERE date_statut IS NULL) AS bad_date
       FROM ${recs} WHERE rec IS NOT NULL GROUP BY rec),
     reason AS (
       SELECT rec, bad_date, CASE
         WHEN dated = 0 AND written > 0 THEN 'date de statut illisible'
         WHEN dated = 0 THEN 'sans date de statut (date du rapport inconnue ?)'
         WHEN by_ref = 0 THEN 'statut(s) tous postérieurs à la date de référence'
         WHEN usable = 0 THEN 'statut vide'
       END AS why FROM per)
     SELECT why, count(*)::INTEGER, array_to_string((list(CASE WHEN why = 'date de statut illisible' THEN bad_date ELSE rec END ORDER BY rec))[1:5], chr(10))
     FROM reason GROUP BY why
     UNION ALL
     SELECT 'ligne(s) sans identifiant de recommandation', count(*)::INTEGER, '' FROM ${recs} WHERE rec IS NULL`,
  );
  let read = 0;
  let used = 0;
  const aside: { reason: string; rows: number; examples: string[] }[] = [];
  for (const [reason, k, ex] of why.rows) {
    read += Number(k);
    if (reason === null) used += Number(k);
    else aside.push({ reason: String(reason), rows: Number(k), examples: lines(ex) });
  }
  const recPop = population(read, used, 'suivies', aside);
  const r = await ctx.engine.query(
    `WITH rep AS (SELECT DISTINCT rapport, date_rapport FROM ${reports} WHERE rapport IS NOT NULL),
     has AS (SELECT DISTINCT rapport FROM ${recs} WHERE rec IS NOT NULL),
     kept AS (SELECT DISTINCT rapport FROM ${state})
     SELECT count(*)::INTEGER,
       count(*) FILTER (WHERE rapport IN (SELECT rapport FROM kept))::INTEGER,
       count(*) FILTER (WHERE rapport NOT IN (SELECT rapport FROM has))::INTEGER,
       array_to_string((list(rapport ORDER BY rapport) FILTER (WHERE rapport NOT IN (SELECT rapport FROM has)))[1:5], chr(10)),
       count(*) FILTER (WHERE rapport IN (SELECT rapport FROM has) AND rapport NOT IN (SELECT rapport FROM kept) AND date_rapport IS NULL)::INTEGER,
       array_to_string((list(rapport ORDER BY rapport) FILTER (WHERE rapport IN (SELECT rapport FROM has) AND rapport NOT IN (SELECT rapport FROM kept) AND date_rapport IS NULL))[1:5], chr(10)),
       count(*) FILTER (WHERE rapport IN (SELECT rapport FROM has) AND rapport NOT IN (SELECT rapport FROM kept) AND date_rapport IS NOT NULL)::INTEGER,
       array_to_string((list(rapport ORDER BY rapport) FILTER (WHERE rapport IN (SELECT rapport FROM has) AND rapport NOT IN (SELECT rapport FROM kept) AND date_rapport IS NOT NULL))[1:5], chr(10)),
       count(*) FILTER (WHERE rapport IN (SELECT rapport FROM kept) AND date_rapport IS NULL)::INTEGER
     FROM rep`,
  );
  const [nRep, kept, none, noneEx, undatedOut, undatedOutEx, otherOut, otherOutEx, undated] = r.rows[0]!;
  const reportPop = population(Number(nRep), Number(kept), 'avec des recommandations suivies', [
    { reason: 'sans date de rapport, aucune recommandation suivie', rows: Number(undatedOut), examples: lines(undatedOutEx) },
    { reason: 'dont aucune recommandation n’est suivie (voir ci-dessus)', rows: Number(otherOut), examples: lines(otherOutEx) },
    { reason: 'sans recommandation', rows: Number(none), examples: lines(noneEx) },
  ]);
  return { recPop, reportPop, undated: Number(undated) };
}
