// Participatory budget follow-up: what each edition promised, per arrondissement, and what became of
// it. Delays are measured from 1 January of the year after the edition (projects are chosen by vote
// in the autumn of the edition year, and their work cannot start before the next budget).
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, requireTable } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { count, decimal, euros, percent, plural, sqlEuros, sqlPercent } from './format.ts';
import { columnRoles, proposeColumns } from './columns.ts';
import { amountSql, yearSql } from './mapping.ts';

export const PARTICIPATORY_FLAGS = ['livraison_tardive', 'abandon_apres_allocation', 'enveloppe_depassee', 'quartiers_populaires_sous_cible'] as const;
export type ParticipatoryFlag = (typeof PARTICIPATORY_FLAGS)[number];

export const ProjectColumns = columnRoles({
  id: 'Colonne du numéro du projet',
  edition: "Colonne de l'édition (année)",
  arrondissement: "Colonne de l'arrondissement (ou « Tout Paris »)",
  title: 'Colonne du titre',
  amount: 'Colonne du budget alloué',
  status: 'Colonne du statut (livré, en cours, abandonné…)',
  planned: 'Colonne de la date de livraison prévue',
  delivered: 'Colonne de la date de livraison réelle',
  workingClass: 'Colonne « quartier populaire » (oui/non)',
  schools: 'Colonne « projet pour les écoles » (oui/non)',
});
export type ProjectColumns = z.infer<typeof ProjectColumns>;
/** Without these the check cannot run; the others only add measures or flags. */
export const REQUIRED_PROJECT_COLUMNS = ['edition', 'amount', 'status'] as const satisfies readonly (keyof ProjectColumns)[];

export const ParticipatoryParams = z
  .object({
    table: z.string().min(1).max(1000).describe('Table des projets lauréats du budget participatif'),
    columns: ProjectColumns.optional().describe('Colonnes des projets ; reconnues par leur en-tête si absentes, "" pour aucune'),
    lateYears: z.number().min(0).max(50).default(2).describe('Retard de livraison signalé au-delà de ce nombre d’années après la date prévue'),
    envelope: z.number().min(0).default(100_000_000).describe('Enveloppe annoncée par édition (€), 100 M€ par défaut'),
    envelopes: z.record(z.string().regex(/^\d{4}$/), z.number().min(0)).default({}).describe('Enveloppes annoncées par édition, ex. {"2016": 100000000} ; remplacent « envelope »'),
    workingClassTarget: z.number().min(0).max(1).default(0.3).describe('Part de l’enveloppe visée pour les quartiers populaires (0,3 = 30 %, annoncée dès 2016)'),
    workingClassTargets: z.record(z.string().regex(/^\d{4}$/), z.number().min(0).max(1)).default({}).describe('Cibles par édition ; remplacent « workingClassTarget »'),
  })
  .strict();
export type ParticipatoryParams = z.infer<typeof ParticipatoryParams>;

export interface ParticipatoryDetail {
  flags: Record<ParticipatoryFlag, number>;
  projects: number;
  allocated: number;
  editions: { edition: number; projects: number; allocated: number; delivered: number; medianDelayYears: number | null; workingClassShare: number | null }[];
  columns: ProjectColumns;
}

const RULES: Record<keyof ProjectColumns, RegExp[]> = {
  id: [/^(numero|numero du projet|id|identifiant|id projet|numero projet|reference)$/],
  edition: [/^(edition|annee|annee d edition|annee du vote|edition du budget participatif)$/, /\bedition\b/],
  arrondissement: [/^(arrondissement|arrdt|ardt|arrondissements?|territoire|localisation)$/, /\barrondissement\b/],
  title: [/^(titre|titre du projet|nom du projet|intitule|libelle|projet)$/, /\b(titre|intitule)\b/],
  amount: [/^(budget alloue|montant alloue|budget|montant|cout|budget attribue|montant du projet)$/, /\b(budget|montant|cout)\b(?!.*(participatif))/],
  status: [/^(statut|etat|etat d avancement|avancement|statut du projet)$/, /\b(statut|avancement)\b/],
  planned: [/^(date (de )?livraison prevue|livraison prevue|date prevue|date previsionnelle|date de fin prevue)$/, /\bprevue?\b|\bprevisionnelle\b/],
  delivered: [/^(date (de )?livraison( reelle| effective)?|livraison reelle|date de fin|date de realisation|date de livraison)$/, /\b(reelle|effective|realisation)\b/],
  workingClass: [/^(quartier populaire|quartiers populaires|qpv|en quartier populaire)$/, /\b(populaire|populaires|qpv)\b/],
  schools: [/^(projet ecoles|ecoles|projet pour les ecoles|budget participatif des ecoles|scolaire)$/, /\b(ecole|ecoles|college|colleges|scolaire)\b/],
};

/** Finds each project column by its header; given columns win ('' for none). */
export function proposeProjectColumns(table: TableEntry, given: ProjectColumns = {}): ProjectColumns {
  return proposeColumns(table, RULES, given);
}

/** « Livré », « Réalisé », « Terminé » → livre; « Abandonné », « Annulé » → abandonne; and so on. */
export function projectStatusSql(expr: string): string {
  const k = `upper(strip_accents(trim(CAST(${expr} AS VARCHAR))))`;
  return `CASE WHEN ${k} LIKE 'LIVR%' OR ${k} LIKE 'REALIS%' OR ${k} LIKE 'TERMIN%' OR ${k} LIKE 'ACHEV%' THEN 'livre'
    WHEN ${k} LIKE 'ABANDON%' OR ${k} LIKE 'ANNUL%' THEN 'abandonne'
    WHEN ${k} LIKE 'NON DEMARR%' OR ${k} LIKE 'A LANCER%' OR ${k} LIKE 'PAS DEMARR%' THEN 'non_demarre'
    WHEN ${k} LIKE '%COURS%' OR ${k} LIKE '%TRAVAUX%' OR ${k} LIKE '%ETUDE%' THEN 'en_cours'
    WHEN ${k} IS NULL OR ${k} = '' THEN NULL ELSE 'autre' END`;
}

/** Oui/Non, O/N, true/false, 1/0, X → BOOLEAN. */
export function yesNoSql(expr: string): string {
  const k = `upper(strip_accents(trim(CAST(${expr} AS VARCHAR))))`;
  return `CASE WHEN ${k} IN ('OUI', 'O', 'TRUE', 'VRAI', '1', 'X', 'Y', 'YES') THEN TRUE WHEN ${k} IN ('NON', 'N', 'FALSE', 'FAUX', '0', 'NO', '') THEN FALSE END`;
}

/** A date from a DATE, an ISO text or a French dd/mm/yyyy text. */
export function dateSql(expr: string, type: string): string {
  if (/^DATE$/i.test(type)) return expr;
  if (/^TIMESTAMP/i.test(type)) return `CAST(${expr} AS DATE)`;
  const t = `trim(CAST(${expr} AS VARCHAR))`;
  return `coalesce(TRY_CAST(${t} AS DATE), CAST(try_strptime(${t}, '%d/%m/%Y') AS DATE))`;
}

/** « 18 », « 18e », « 75018 » → 18; « Tout Paris » and other Paris-wide labels → Tout Paris. */
export function arrondissementSql(expr: string): string {
  const t = `upper(strip_accents(trim(CAST(${expr} AS VARCHAR))))`;
  return `CASE WHEN regexp_full_match(${t}, '750[0-2][0-9]') THEN CAST(CAST(substr(${t}, 4, 2) AS INTEGER) AS VARCHAR)
    WHEN regexp_full_match(${t}, '[0-9]{1,2}(\\.0+)?\\s*(E|ER|EME|ARR\\.?|ARRONDISSEMENT)?') THEN CAST(CAST(regexp_extract(${t}, '^[0-9]+') AS INTEGER) AS VARCHAR)
    WHEN ${t} LIKE '%CENTRE%' THEN 'Paris Centre'
    WHEN ${t} LIKE '%PARIS%' OR ${t} IN ('TOUS', 'TOUT', 'PARISIEN') THEN 'Tout Paris'
    ELSE nullif(trim(CAST(${expr} AS VARCHAR)), '') END`;
}

export const participatoryBudget = registerOperation<ParticipatoryParams, ParticipatoryDetail>({
  id: 'participatory-budget',
  kind: 'budget',
  description: 'Suivi du budget participatif par édition et arrondissement : projets, montants, livraisons, retards, quartiers populaires, écoles',
  params: ParticipatoryParams,
  async run(ctx, p) {
    const table = requireTable(ctx, p.table);
    const c = proposeProjectColumns(table, p.columns);
    for (const f of REQUIRED_PROJECT_COLUMNS) {
      if (!c[f]) throw new OperationError(`Colonne « ${f} » introuvable dans « ${table.name} » : indiquez-la (paramètre columns).`, c);
    }
    const ref = (f: keyof ProjectColumns) => (c[f] ? `src.${quoteIdent(requireColumn(ctx, table.name, c[f]!).name)}` : null);
    const typeOf = (f: keyof ProjectColumns) => table.columns.find((x) => x.name === c[f])?.type ?? 'VARCHAR';
    const or = (f: keyof ProjectColumns, sql: (r: string) => string, none: string) => (ref(f) ? sql(ref(f)!) : none);
    const envelopeOf = (e: string) =>
      Object.keys(p.envelopes).length
        ? `coalesce(CASE ${e} ${Object.entries(p.envelopes).map(([y, v]) => `WHEN ${Number(y)} THEN ${sqlValue(v)}`).join(' ')} END, ${sqlValue(p.envelope)})`
        : sqlValue(p.envelope);
    const targetOf = (e: string) =>
      Object.keys(p.workingClassTargets).length
        ? `coalesce(CASE ${e} ${Object.entries(p.workingClassTargets).map(([y, v]) => `WHEN ${Number(y)} THEN ${sqlValue(v)}`).join(' ')} END, ${sqlValue(p.workingClassTarget)})`
        : sqlValue(p.workingClassTarget);
    const lateDays = sqlValue(Math.round(p.lateYears * 365.25));

    const projects = `SELECT
        ${or('id', (r) => `CAST(${r} AS VARCHAR)`, 'CAST(row_number() OVER () AS VARCHAR)')} AS numero,
        ${yearSql(ref('edition')!, typeOf('edition'))} AS edition,
        ${or('arrondissement', arrondissementSql, 'CAST(NULL AS VARCHAR)')} AS arrondissement,
        ${or('title', (r) => `CAST(${r} AS VARCHAR)`, 'CAST(NULL AS VARCHAR)')} AS titre,
        ${amountSql(ref('amount')!, typeOf('amount'))} AS montant,
        ${projectStatusSql(ref('status')!)} AS statut,
        CAST(${ref('status')!} AS VARCHAR) AS statut_source,
        ${or('planned', (r) => dateSql(r, typeOf('planned')), 'CAST(NULL AS DATE)')} AS date_prevue,
        ${or('delivered', (r) => dateSql(r, typeOf('delivered')), 'CAST(NULL AS DATE)')} AS date_livraison,
        ${or('workingClass', yesNoSql, 'CAST(NULL AS BOOLEAN)')} AS quartier_populaire,
        ${or('schools', yesNoSql, 'CAST(NULL AS BOOLEAN)')} AS ecoles
      FROM ${quoteIdent(table.name)} AS src`;
    const aggregates = `count(*) AS nb_projets, sum(montant) AS montant_alloue,
        count(*) FILTER (WHERE statut = 'livre') AS nb_livres, count(*) FILTER (WHERE statut = 'en_cours') AS nb_en_cours,
        count(*) FILTER (WHERE statut = 'non_demarre') AS nb_non_demarres, count(*) FILTER (WHERE statut = 'abandonne') AS nb_abandonnes,
        count(*) FILTER (WHERE statut = 'autre' OR statut IS NULL) AS nb_autres,
        median(date_diff('day', make_date(edition + 1, 1, 1), date_livraison)) FILTER (WHERE statut = 'livre') / 365.25 AS delai_median_annees,
        coalesce(sum(montant) FILTER (WHERE quartier_populaire), 0) AS montant_qp,
        CAST(coalesce(sum(montant) FILTER (WHERE quartier_populaire), 0) AS DOUBLE) / nullif(CAST(sum(montant) AS DOUBLE), 0) AS part_qp,
        coalesce(sum(montant) FILTER (WHERE ecoles), 0) AS montant_ecoles`;
    const cols: [string, string][] = [
      ['portee', 'VARCHAR'], ['edition', 'INTEGER'], ['arrondissement', 'VARCHAR'], ['numero', 'VARCHAR'], ['titre', 'VARCHAR'],
      ['statut', 'VARCHAR'], ['nb_projets', 'BIGINT'], ['montant_alloue', 'DECIMAL(38,2)'], ['nb_livres', 'BIGINT'], ['nb_en_cours', 'BIGINT'],
      ['nb_non_demarres', 'BIGINT'], ['nb_abandonnes', 'BIGINT'], ['nb_autres', 'BIGINT'], ['delai_median_annees', 'DOUBLE'],
      ['montant_qp', 'DECIMAL(38,2)'], ['part_qp', 'DOUBLE'], ['cible_qp', 'DOUBLE'], ['montant_ecoles', 'DECIMAL(38,2)'],
      ['enveloppe', 'DECIMAL(38,2)'], ['date_prevue', 'DATE'], ['date_livraison', 'DATE'], ['retard_annees', 'DOUBLE'],
      ['flag', 'VARCHAR'], ['explication', 'VARCHAR'],
    ];
    const sel = (v: Record<string, string>) => 'SELECT ' + cols.map(([n, t]) => `CAST(${v[n] ?? 'NULL'} AS ${t}) AS ${quoteIdent(n)}`).join(', ');
    const aggCols = Object.fromEntries(
      ['nb_projets', 'montant_alloue', 'nb_livres', 'nb_en_cours', 'nb_non_demarres', 'nb_abandonnes', 'nb_autres', 'delai_median_annees', 'montant_qp', 'part_qp', 'montant_ecoles'].map((x) => [x, `a.${x}`]),
    );
    const proj = (a: string) => ({
      edition: `${a}.edition`, arrondissement: `${a}.arrondissement`, numero: `${a}.numero`, titre: `${a}.titre`, statut: `${a}.statut_source`,
      montant_alloue: `${a}.montant`, date_prevue: `${a}.date_prevue`, date_livraison: `${a}.date_livraison`,
      retard_annees: `date_diff('day', ${a}.date_prevue, ${a}.date_livraison) / 365.25`,
    });
    const edWhere = (a: string) => `'Édition ' || ${a}.edition`;
    const arrFr = (a: string) => `CASE WHEN ${a}.arrondissement = '1' THEN '1er arr.' WHEN regexp_full_match(${a}.arrondissement, '[0-9]+') THEN ${a}.arrondissement || 'e arr.' ELSE ${a}.arrondissement END`;
    const parts = [
      `${sel({ portee: `'arrondissement'`, edition: 'a.edition', arrondissement: 'a.arrondissement', ...aggCols })} FROM by_arr AS a`,
      `${sel({ portee: `'edition'`, edition: 'a.edition', arrondissement: `'Ensemble'`, ...aggCols, cible_qp: targetOf('a.edition'), enveloppe: envelopeOf('a.edition') })} FROM by_ed AS a`,
      `${sel({
        portee: `'projet'`, ...proj('x'), flag: `'livraison_tardive'`,
        explication: `'Livraison tardive — projet ' || x.numero || coalesce(' « ' || x.titre || ' »', '') || ' (édition ' || x.edition || coalesce(', ' || ${arrFr('x')}, '') || ') : livré le ' || strftime(x.date_livraison, '%d/%m/%Y') || ' pour une livraison prévue le ' || strftime(x.date_prevue, '%d/%m/%Y') || ', soit ' || replace(format('{:.1f}', date_diff('day', x.date_prevue, x.date_livraison) / 365.25), '.', ',') || ' ans de retard (seuil ' || ${quoteLiteral(decimal(p.lateYears))} || ' ans).'`,
      })} FROM pr AS x WHERE x.statut = 'livre' AND date_diff('day', x.date_prevue, x.date_livraison) > ${lateDays}`,
      `${sel({
        portee: `'projet'`, ...proj('x'), flag: `'abandon_apres_allocation'`,
        explication: `'Abandon après allocation — projet ' || x.numero || coalesce(' « ' || x.titre || ' »', '') || ' (édition ' || x.edition || coalesce(', ' || ${arrFr('x')}, '') || ') : abandonné alors que ' || ${sqlEuros('x.montant')} || ' lui avaient été alloués.'`,
      })} FROM pr AS x WHERE x.statut = 'abandonne' AND x.montant > 0`,
      `${sel({
        portee: `'edition'`, edition: 'a.edition', arrondissement: `'Ensemble'`, ...aggCols, enveloppe: envelopeOf('a.edition'), flag: `'enveloppe_depassee'`,
        explication: `${edWhere('a')} || ' : ' || ${sqlEuros('a.montant_alloue')} || ' alloués à ' || a.nb_projets || ' projets pour une enveloppe annoncée de ' || ${sqlEuros(envelopeOf('a.edition'))} || ' (dépassement de ' || ${sqlEuros(`a.montant_alloue - ${envelopeOf('a.edition')}`)} || ').'`,
      })} FROM by_ed AS a WHERE a.montant_alloue > ${envelopeOf('a.edition')}`,
    ];
    if (c.workingClass) {
      parts.push(
        `${sel({
          portee: `'edition'`, edition: 'a.edition', arrondissement: `'Ensemble'`, ...aggCols, cible_qp: targetOf('a.edition'), flag: `'quartiers_populaires_sous_cible'`,
          explication: `${edWhere('a')} || ' : ' || ${sqlEuros('a.montant_qp')} || ' pour les quartiers populaires, soit ' || ${sqlPercent('a.part_qp')} || ' des montants alloués, sous la cible annoncée de ' || ${sqlPercent(targetOf('a.edition'))} || '.'`,
        })} FROM by_ed AS a WHERE a.part_qp < ${targetOf('a.edition')}`,
      );
    }
    const select = `WITH pr AS (${projects}),
      by_arr AS (SELECT edition, arrondissement, ${aggregates} FROM pr GROUP BY edition, arrondissement),
      by_ed AS (SELECT edition, ${aggregates} FROM pr GROUP BY edition)
      SELECT * FROM (${parts.join('\nUNION ALL\n')})
      ORDER BY edition NULLS FIRST, CASE portee WHEN 'edition' THEN 0 WHEN 'arrondissement' THEN 1 ELSE 2 END,
        TRY_CAST(arrondissement AS INTEGER) NULLS LAST, arrondissement, numero, flag NULLS FIRST`;
    const { table: out, sql } = await createResultTable(ctx, 'participatory-budget', select);
    const t = quoteIdent(out);
    const flags = Object.fromEntries(PARTICIPATORY_FLAGS.map((f) => [f, 0])) as Record<ParticipatoryFlag, number>;
    for (const [f, n] of (await ctx.engine.query(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY flag`)).rows) flags[f as ParticipatoryFlag] = Number(n);
    const eds = await ctx.engine.query(
      `SELECT edition, nb_projets, CAST(montant_alloue AS DOUBLE), nb_livres, delai_median_annees, part_qp FROM ${t} WHERE portee = 'edition' AND flag IS NULL ORDER BY edition`,
    );
    const editions = eds.rows.map((r) => ({
      edition: Number(r[0]), projects: Number(r[1]), allocated: Number(r[2]), delivered: Number(r[3]),
      medianDelayYears: r[4] === null ? null : Number(r[4]), workingClassShare: r[5] === null ? null : Number(r[5]),
    }));
    const projectsN = editions.reduce((s, e) => s + e.projects, 0);
    const allocated = editions.reduce((s, e) => s + e.allocated, 0);
    const delivered = editions.reduce((s, e) => s + e.delivered, 0);
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const flagText = PARTICIPATORY_FLAGS.filter((f) => flags[f]).map((f) => `${f} : ${count(flags[f])}`).join(', ');
    const first = editions[0];
    const last = editions[editions.length - 1];
    return {
      table: out,
      sql: [sql],
      inputs: [inputOf(ctx, table.name)],
      summary:
        `Budget participatif (« ${table.name} ») : ${count(projectsN)} projets sur ${plural(editions.length, 'édition', 'éditions')}` +
        `${first && last ? ` (${first.edition}–${last.edition})` : ''}, ${euros(allocated)} alloués, ${count(delivered)} livrés (${percent(projectsN ? delivered / projectsN : null)}). ` +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'} ` +
        `Délais mesurés depuis le 1er janvier suivant l'édition ; retard signalé au-delà de ${decimal(p.lateYears)} ans après la date prévue.`,
      detail: { flags, projects: projectsN, allocated, editions, columns: c },
    };
  },
});
