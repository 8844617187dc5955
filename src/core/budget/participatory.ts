// Participatory budget follow-up: what each edition promised, per arrondissement, and what became of
// it. Delays are counted in months from January of the year after the edition (projects are chosen by
// vote in the autumn of the edition year, and their work cannot start before the next budget): the
// Paris export dates its phases to the month (`2019-06`), so a month is the finest unit it supports.
//
// The Paris export `bp_projets_gagnants` is the reference shape: its status column holds an ordered
// pipeline (ETUDES → PROCEDURES → TRAVAUX → LIVRAISON → FIN), its Paris-wide projects are all
// located at the Hôtel de Ville (75004) and told apart only by `Echelle du Budget participatif`, and
// its arrondissement codes include 75116 (the 16th's second postal code) and 75123 (Paris Centre).
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { population, populationLine, rateOver, rateText, type Population, type SetAside } from '../ops/population.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireColumn, requireTable } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { isDateType, isTimestampType } from '../sql/types.ts';
import { arrondissementSql as mapArrondissementSql } from '../viz/arrondissements.ts';
import { count, euros, plural, sqlEuros, sqlPercent } from './format.ts';
import { columnRoles, proposeColumns, resultRowSql } from './columns.ts';
import { amountSql, yearSql } from './mapping.ts';

export const PARTICIPATORY_FLAGS = [
  'livraison_tardive',
  'abandon_apres_allocation',
  'enveloppe_depassee',
  'quartiers_populaires_sous_cible',
] as const;
export type ParticipatoryFlag = (typeof PARTICIPATORY_FLAGS)[number];

export const ProjectColumns = columnRoles({
  id: 'Colonne du numéro du projet',
  edition: "Colonne de l'édition (année)",
  scale: 'Colonne de l’échelle du projet (tout Paris ou arrondissement)',
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
    lateYears: z
      .number()
      .min(0)
      .max(50)
      .default(2)
      .describe(
        'Retard de livraison signalé quand le mois de livraison dépasse le mois prévu de plus de ce nombre d’années (2 = 24 mois ; 0,5 = 6 mois)',
      ),
    envelope: z.number().min(0).default(100_000_000).describe('Enveloppe annoncée par édition (€), 100 M€ par défaut'),
    envelopes: z
      .record(z.string().regex(/^\d{4}$/), z.number().min(0))
      .default({})
      .describe('Enveloppes annoncées par édition, ex. {"2016": 100000000} ; remplacent « envelope »'),
    workingClassTarget: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .describe('Part de l’enveloppe visée pour les quartiers populaires (0,3 = 30 %, annoncée dès 2016)'),
    workingClassTargets: z
      .record(z.string().regex(/^\d{4}$/), z.number().min(0).max(1))
      .default({})
      .describe('Cibles par édition ; remplacent « workingClassTarget »'),
    workingClassFrom: z
      .number()
      .int()
      .min(2000)
      .max(2100)
      .default(2016)
      .describe(
        'Première édition soumise à la cible des quartiers populaires (2016 à Paris) ; les éditions antérieures ne sont pas comparées à la cible',
      ),
  })
  .strict();
export type ParticipatoryParams = z.infer<typeof ParticipatoryParams>;

/**
 * The stages of a project in the order it goes through them. `en_cours` is « in progress » without
 * the stage (« En cours »); `abandonne` is outside the pipeline.
 */
export const PROJECT_STAGES = ['non_demarre', 'etudes', 'procedures', 'travaux', 'en_cours', 'livre', 'abandonne'] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];
/** Rank in the pipeline (non démarré < études < procédures < travaux < livré); null off the pipeline or stage unknown. */
export const STAGE_RANK: Record<ProjectStage, number | null> = {
  non_demarre: 0,
  etudes: 1,
  procedures: 2,
  travaux: 3,
  en_cours: null,
  livre: 4,
  abandonne: null,
};
export const STAGE_LABEL: Record<ProjectStage, string> = {
  non_demarre: 'non démarré',
  etudes: 'études',
  procedures: 'procédures',
  travaux: 'travaux',
  en_cours: 'en cours (étape non précisée)',
  livre: 'livré',
  abandonne: 'abandonné',
};

/** A value the check read but did not understand, with how many rows hold it. */
export interface ValueCount {
  value: string;
  rows: number;
}

export interface ParticipatoryDetail {
  flags: Record<ParticipatoryFlag, number>;
  population: Population;
  projects: number;
  allocated: number;
  delivered: number;
  /** delivered / classified, or null with the reason (`deliveredRateRefused`). */
  deliveredRate: number | null;
  deliveredRateRefused?: string;
  /** Projects per stage, in pipeline order. */
  stages: { stage: ProjectStage; rank: number | null; projects: number }[];
  /** Paris-wide projects: counted in their edition, never in an arrondissement. */
  parisWide: { projects: number; allocated: number };
  /** Status values not understood (not counted as any stage). */
  unknownStatuses: ValueCount[];
  /** Arrondissement values that are neither an arrondissement, Paris Centre nor Paris-wide. */
  unknownArrondissements: ValueCount[];
  /** Scale values neither Paris-wide nor arrondissement. */
  unknownScales: ValueCount[];
  /** Non-empty dates that could not be read, per role. */
  unparsedDates: { role: 'planned' | 'delivered'; column: string; rows: number; examples: string[] }[];
  lateMonths: number;
  workingClassFrom: number;
  editions: {
    edition: number;
    projects: number;
    allocated: number;
    delivered: number;
    medianDelayMonths: number | null;
    medianDelayYears: number | null;
    workingClassShare: number | null;
    /** The working-class target for this edition; null before `workingClassFrom`. */
    workingClassTarget: number | null;
  }[];
  columns: ProjectColumns;
  warnings: string[];
}

/** Below this many classified projects no delivery rate is given. */
export const MIN_RATE_PROJECTS = 10;

const RULES: Record<keyof ProjectColumns, RegExp[]> = {
  id: [/^(numero|numero du projet|id|identifiant|id projet|numero projet|reference)$/],
  edition: [/^(edition|annee|annee d edition|annee du vote|edition du budget participatif)$/, /\bedition\b/],
  scale: [/^(echelle|echelle du budget participatif|echelle du projet|portee|niveau|type de budget participatif)$/, /\bechelle\b/],
  arrondissement: [/^(arrondissement|arrdt|ardt|arrondissements?|territoire|localisation|code postal|cp)$/, /\barrondissement\b/],
  title: [/^(titre|titre du projet|nom du projet|intitule|libelle|projet)$/, /\b(titre|intitule)\b/],
  amount: [
    /^(budget alloue|montant alloue|budget|montant|cout|budget attribue|montant du projet|budget global du projet)$/,
    /\b(budget|montant|cout)\b(?!.*(participatif))/,
  ],
  status: [/^(statut|etat|etat d avancement|avancement|statut du projet|avancement du projet)$/, /\b(statut|avancement)\b/],
  planned: [
    /^(date (de )?livraison prevue|livraison prevue|date prevue|date previsionnelle|date de fin prevue|date previsionnelle de livraison( du projet)?)$/,
    /\bprevue?\b|\bprevisionnelle\b/,
  ],
  delivered: [
    /^(date (de )?livraison( reelle| effective)?|livraison reelle|date de fin|date de realisation|date de livraison( du projet)?|date de livraison reelle du projet)$/,
    /\b(reelle|effective|realisation)\b/,
  ],
  workingClass: [/^(quartier populaire|quartiers populaires|qpv|en quartier populaire)$/, /\b(populaire|populaires|qpv)\b/],
  schools: [
    /^(projet ecoles|ecoles|projet pour les ecoles|budget participatif des ecoles|scolaire)$/,
    /\b(ecole|ecoles|college|colleges|scolaire)\b/,
  ],
};

/** Finds each project column by its header, tolerating a misspelt word; given columns win ('' for none). */
export function proposeProjectColumns(table: TableEntry, given: ProjectColumns = {}): ProjectColumns {
  return proposeColumns(table, RULES, given);
}

const upperKey = (expr: string) => `upper(strip_accents(trim(CAST(${expr} AS VARCHAR))))`;

/**
 * The stage of a project from its status, in the Paris vocabulary (`FIN`, `LIVRAISON`, `TRAVAUX`,
 * `PROCEDURES`, `ETUDES`, `(non démarré)`, `ABANDONNÉ`) and the usual words (« Livré », « Réalisé »,
 * « En cours »…). NULL for an empty status, 'inconnu' for a value not understood — never a stage.
 */
export function projectStatusSql(expr: string): string {
  const k = `trim(regexp_replace(${upperKey(expr)}, '[()\\[\\]]', '', 'g'))`;
  return `CASE WHEN ${k} IS NULL OR ${k} = '' THEN NULL
    WHEN ${k} LIKE 'ABANDON%' OR ${k} LIKE 'ANNUL%' THEN 'abandonne'
    WHEN ${k} LIKE 'NON DEMARR%' OR ${k} LIKE 'PAS DEMARR%' OR ${k} LIKE 'NON COMMENC%' OR ${k} LIKE 'A LANCER%' OR ${k} = 'A VENIR' THEN 'non_demarre'
    WHEN ${k} IN ('FIN', 'FINI', 'FINIE', 'FINALISE') OR ${k} LIKE 'LIVR%' OR ${k} LIKE 'REALIS%' OR ${k} LIKE 'TERMIN%' OR ${k} LIKE 'ACHEV%' THEN 'livre'
    WHEN ${k} LIKE '%TRAVAUX%' OR ${k} LIKE '%CHANTIER%' THEN 'travaux'
    WHEN ${k} LIKE '%PROCEDURE%' THEN 'procedures'
    WHEN ${k} LIKE '%ETUDE%' THEN 'etudes'
    WHEN ${k} LIKE '%COURS%' THEN 'en_cours'
    ELSE 'inconnu' END`;
}

/** `Budget participatif parisien` → paris; `… d'arrondissement` → arrondissement; NULL when empty; 'inconnue' otherwise. */
export function scaleSql(expr: string): string {
  const k = upperKey(expr);
  return `CASE WHEN ${k} IS NULL OR ${k} = '' THEN NULL
    WHEN ${k} LIKE '%ARRONDISSEMENT%' OR ${k} LIKE '%ARDT%' OR ${k} LIKE '%LOCAL%' THEN 'arrondissement'
    WHEN ${k} LIKE '%PARIS%' OR ${k} LIKE '%TOUT%' OR ${k} LIKE '%VILLE%' THEN 'paris'
    ELSE 'inconnue' END`;
}

/** Oui/Non, O/N, true/false, 1/0, X → BOOLEAN. */
export function yesNoSql(expr: string): string {
  const k = upperKey(expr);
  return `CASE WHEN ${k} IN ('OUI', 'O', 'TRUE', 'VRAI', '1', 'X', 'Y', 'YES') THEN TRUE WHEN ${k} IN ('NON', 'N', 'FALSE', 'FAUX', '0', 'NO', '') THEN FALSE END`;
}

/**
 * A date from a DATE, an ISO text, a French dd/mm/yyyy text, or a month (`2019-06`, `06/2019`,
 * the Paris export's precision) read as the first day of that month. NULL when unreadable: the
 * check counts those (see `dateTextSql`).
 */
export function dateSql(expr: string, type: string): string {
  if (isDateType(type)) return expr;
  if (isTimestampType(type)) return `CAST(${expr} AS DATE)`;
  const t = `trim(CAST(${expr} AS VARCHAR))`;
  return `coalesce(TRY_CAST(${t} AS DATE), CAST(try_strptime(${t}, '%d/%m/%Y') AS DATE),
    CAST(try_strptime(${t}, '%Y-%m') AS DATE), CAST(try_strptime(${t}, '%m/%Y') AS DATE), CAST(try_strptime(${t}, '%Y/%m') AS DATE))`;
}

/** The date as written, '' when empty: what `dateSql` could not read is reported with it. */
function dateTextSql(expr: string): string {
  return `coalesce(trim(CAST(${expr} AS VARCHAR)), '')`;
}

/**
 * « 18 », « 18e », « 75018 », INSEE « 75118 », « 75116 » (the 16th's second postal code) → 18 / 16;
 * « 75123 » and « Paris Centre » → Paris Centre (the 1st–4th, merged in 2020); « Tout Paris » and
 * other Paris-wide labels → Tout Paris. Anything else is kept as written, and reported as unknown.
 */
export function arrondissementSql(expr: string): string {
  const t = upperKey(expr);
  return `CASE WHEN ${t} IS NULL OR ${t} = '' THEN NULL
    WHEN regexp_full_match(${t}, '75[01](0[1-9]|1[0-9]|20)') THEN CAST(CAST(substr(${t}, 4, 2) AS INTEGER) AS VARCHAR)
    WHEN ${t} = '75123' OR ${t} LIKE '%CENTRE%' THEN 'Paris Centre'
    WHEN regexp_full_match(${t}, '(PARIS\\s*)?(0?[1-9]|1[0-9]|20)(\\.0+)?\\s*(E|ER|EME|IEME)?\\s*(ARR\\.?|ARRONDISSEMENT|ARDT)?') THEN CAST(CAST(regexp_extract(${t}, '([0-9]+)', 1) AS INTEGER) AS VARCHAR)
    WHEN ${t} LIKE '%PARIS%' OR ${t} IN ('TOUS', 'TOUT', 'PARISIEN') THEN 'Tout Paris'
    ELSE trim(CAST(${expr} AS VARCHAR)) END`;
}

/** The figures the result gives for each arrondissement and for the whole city, per edition. */
export const PB_AGGREGATE_COLUMNS = [
  'nb_projets',
  'montant_alloue',
  'nb_livres',
  'nb_en_cours',
  'nb_etudes',
  'nb_procedures',
  'nb_travaux',
  'nb_non_demarres',
  'nb_abandonnes',
  'nb_statut_inconnu',
  'delai_median_mois',
  'delai_median_annees',
  'montant_qp',
  'part_qp',
  'montant_ecoles',
] as const;

/** The labels `arrondissementSql` gives to what it understood; any other value is an unknown code. */
export const KNOWN_ARRONDISSEMENTS = [...Array.from({ length: 20 }, (_, i) => String(i + 1)), 'Paris Centre', 'Tout Paris'] as const;

export const participatoryBudget = registerOperation<ParticipatoryParams, ParticipatoryDetail>({
  id: 'participatory-budget',
  kind: 'budget',
  description:
    'Suivi du budget participatif par édition et arrondissement : population lue, étapes des projets, montants, livraisons, retards en mois, quartiers populaires, écoles',
  params: ParticipatoryParams,
  async run(ctx, p) {
    const table = requireTable(ctx, p.table);
    const c = proposeProjectColumns(table, p.columns);
    for (const f of REQUIRED_PROJECT_COLUMNS) {
      if (!c[f]) throw new OperationError(`Colonne « ${f} » introuvable dans « ${table.name} » : indiquez-la (paramètre columns).`, c);
    }
    const ref = (f: keyof ProjectColumns) => (c[f] ? `src.${quoteIdent(requireColumn(ctx, table.name, c[f]!).name)}` : null);
    const typeOf = (f: keyof ProjectColumns) => table.columns.find((x) => x.name === c[f])?.type ?? 'VARCHAR';
    const labelOf = (f: keyof ProjectColumns) => table.columns.find((x) => x.name === c[f])?.label || c[f] || '';
    const or = (f: keyof ProjectColumns, sql: (r: string) => string, none: string) => (ref(f) ? sql(ref(f)!) : none);
    const envelopeOf = (e: string) =>
      Object.keys(p.envelopes).length
        ? `coalesce(CASE ${e} ${Object.entries(p.envelopes)
            .map(([y, v]) => `WHEN ${Number(y)} THEN ${sqlValue(v)}`)
            .join(' ')} END, ${sqlValue(p.envelope)})`
        : sqlValue(p.envelope);
    // The target applies from `workingClassFrom` on: an edition before it had no target to miss.
    const targetOf = (e: string) =>
      `CASE WHEN ${e} >= ${p.workingClassFrom} THEN ${
        Object.keys(p.workingClassTargets).length
          ? `coalesce(CASE ${e} ${Object.entries(p.workingClassTargets)
              .map(([y, v]) => `WHEN ${Number(y)} THEN ${sqlValue(v)}`)
              .join(' ')} END, ${sqlValue(p.workingClassTarget)})`
          : sqlValue(p.workingClassTarget)
      } END`;
    const lateMonths = Math.round(p.lateYears * 12);
    const arrondissement = or('arrondissement', arrondissementSql, 'CAST(NULL AS VARCHAR)');
    const scale = or('scale', scaleSql, 'CAST(NULL AS VARCHAR)');

    const projects = `SELECT
        ${or('id', (r) => `CAST(${r} AS VARCHAR)`, 'CAST(row_number() OVER () AS VARCHAR)')} AS numero,
        ${yearSql(ref('edition')!, typeOf('edition'))} AS edition,
        ${scale} AS echelle,
        CASE WHEN ${scale} = 'paris' THEN 'Tout Paris' ELSE ${arrondissement} END AS arrondissement,
        ${or('arrondissement', (r) => `trim(CAST(${r} AS VARCHAR))`, 'CAST(NULL AS VARCHAR)')} AS arrondissement_source,
        ${or('scale', (r) => `trim(CAST(${r} AS VARCHAR))`, 'CAST(NULL AS VARCHAR)')} AS echelle_source,
        ${or('title', (r) => `CAST(${r} AS VARCHAR)`, 'CAST(NULL AS VARCHAR)')} AS titre,
        ${amountSql(ref('amount')!, typeOf('amount'))} AS montant,
        ${projectStatusSql(ref('status')!)} AS statut,
        trim(CAST(${ref('status')!} AS VARCHAR)) AS statut_source,
        ${or('planned', (r) => dateSql(r, typeOf('planned')), 'CAST(NULL AS DATE)')} AS date_prevue,
        ${or('planned', dateTextSql, "''")} AS date_prevue_source,
        ${or('delivered', (r) => dateSql(r, typeOf('delivered')), 'CAST(NULL AS DATE)')} AS date_livraison,
        ${or('delivered', dateTextSql, "''")} AS date_livraison_source,
        ${or('workingClass', yesNoSql, 'CAST(NULL AS BOOLEAN)')} AS quartier_populaire,
        ${or('schools', yesNoSql, 'CAST(NULL AS BOOLEAN)')} AS ecoles
      FROM ${quoteIdent(table.name)} AS src`;
    const inProgress = `statut IN ('etudes', 'procedures', 'travaux', 'en_cours')`;
    const monthsFromEdition = `date_diff('month', make_date(edition + 1, 1, 1), date_livraison)`;
    const aggregates = `count(*) AS nb_projets, sum(montant) AS montant_alloue,
        count(*) FILTER (WHERE statut = 'livre') AS nb_livres, count(*) FILTER (WHERE ${inProgress}) AS nb_en_cours,
        count(*) FILTER (WHERE statut = 'etudes') AS nb_etudes, count(*) FILTER (WHERE statut = 'procedures') AS nb_procedures,
        count(*) FILTER (WHERE statut = 'travaux') AS nb_travaux,
        count(*) FILTER (WHERE statut = 'non_demarre') AS nb_non_demarres, count(*) FILTER (WHERE statut = 'abandonne') AS nb_abandonnes,
        count(*) FILTER (WHERE statut = 'inconnu' OR statut IS NULL) AS nb_statut_inconnu,
        median(${monthsFromEdition}) FILTER (WHERE statut = 'livre') AS delai_median_mois,
        median(${monthsFromEdition}) FILTER (WHERE statut = 'livre') / 12.0 AS delai_median_annees,
        coalesce(sum(montant) FILTER (WHERE quartier_populaire), 0) AS montant_qp,
        CAST(coalesce(sum(montant) FILTER (WHERE quartier_populaire), 0) AS DOUBLE) / nullif(CAST(sum(montant) AS DOUBLE), 0) AS part_qp,
        coalesce(sum(montant) FILTER (WHERE ecoles), 0) AS montant_ecoles`;
    const cols: [string, string][] = [
      ['portee', 'VARCHAR'],
      ['edition', 'INTEGER'],
      ['arrondissement', 'VARCHAR'],
      ['numero', 'VARCHAR'],
      ['titre', 'VARCHAR'],
      ['statut', 'VARCHAR'],
      ['nb_projets', 'BIGINT'],
      ['montant_alloue', 'DECIMAL(38,2)'],
      ['nb_livres', 'BIGINT'],
      ['nb_en_cours', 'BIGINT'],
      ['nb_etudes', 'BIGINT'],
      ['nb_procedures', 'BIGINT'],
      ['nb_travaux', 'BIGINT'],
      ['nb_non_demarres', 'BIGINT'],
      ['nb_abandonnes', 'BIGINT'],
      ['nb_statut_inconnu', 'BIGINT'],
      ['delai_median_mois', 'DOUBLE'],
      ['delai_median_annees', 'DOUBLE'],
      ['montant_qp', 'DECIMAL(38,2)'],
      ['part_qp', 'DOUBLE'],
      ['cible_qp', 'DOUBLE'],
      ['montant_ecoles', 'DECIMAL(38,2)'],
      ['enveloppe', 'DECIMAL(38,2)'],
      ['date_prevue', 'DATE'],
      ['date_livraison', 'DATE'],
      ['retard_mois', 'INTEGER'],
      ['retard_annees', 'DOUBLE'],
      ['flag', 'VARCHAR'],
      ['explication', 'VARCHAR'],
    ];
    const sel = resultRowSql(cols);
    const aggCols = Object.fromEntries(PB_AGGREGATE_COLUMNS.map((x) => [x, `a.${x}`]));
    const lateOf = (a: string) => `date_diff('month', ${a}.date_prevue, ${a}.date_livraison)`;
    const proj = (a: string) => ({
      edition: `${a}.edition`,
      arrondissement: `${a}.arrondissement`,
      numero: `${a}.numero`,
      titre: `${a}.titre`,
      statut: `${a}.statut_source`,
      montant_alloue: `${a}.montant`,
      date_prevue: `${a}.date_prevue`,
      date_livraison: `${a}.date_livraison`,
      retard_mois: lateOf(a),
      retard_annees: `${lateOf(a)} / 12.0`,
    });
    const edWhere = (a: string) => `'Édition ' || ${a}.edition`;
    const arrFr = (a: string) =>
      `CASE WHEN ${a}.arrondissement = '1' THEN '1er arr.' WHEN regexp_full_match(${a}.arrondissement, '[0-9]+') THEN ${a}.arrondissement || 'e arr.' ELSE ${a}.arrondissement END`;
    const where = (a: string) => `' (édition ' || ${a}.edition || coalesce(', ' || ${arrFr(a)}, '') || ')'`;
    const parts = [
      `${sel({ portee: `'arrondissement'`, edition: 'a.edition', arrondissement: 'a.arrondissement', ...aggCols })} FROM by_arr AS a`,
      `${sel({ portee: `'edition'`, edition: 'a.edition', arrondissement: `'Ensemble'`, ...aggCols, cible_qp: targetOf('a.edition'), enveloppe: envelopeOf('a.edition') })} FROM by_ed AS a`,
      `${sel({
        portee: `'projet'`,
        ...proj('x'),
        flag: `'livraison_tardive'`,
        explication: `'Livraison tardive — projet ' || x.numero || coalesce(' « ' || x.titre || ' »', '') || ${where('x')} || ' : livré en ' || strftime(x.date_livraison, '%m/%Y') || ' pour une livraison prévue en ' || strftime(x.date_prevue, '%m/%Y') || ', soit ' || ${lateOf('x')} || ' mois de retard (seuil : ' || ${quoteLiteral(count(lateMonths))} || ' mois).'`,
      })} FROM pr AS x WHERE x.statut = 'livre' AND ${lateOf('x')} > ${lateMonths}`,
      `${sel({
        portee: `'projet'`,
        ...proj('x'),
        flag: `'abandon_apres_allocation'`,
        explication: `'Abandon après allocation — projet ' || x.numero || coalesce(' « ' || x.titre || ' »', '') || ${where('x')} || ' : abandonné alors que ' || ${sqlEuros('x.montant')} || ' lui avaient été alloués.'`,
      })} FROM pr AS x WHERE x.statut = 'abandonne' AND x.montant > 0`,
      `${sel({
        portee: `'edition'`,
        edition: 'a.edition',
        arrondissement: `'Ensemble'`,
        ...aggCols,
        enveloppe: envelopeOf('a.edition'),
        flag: `'enveloppe_depassee'`,
        explication: `${edWhere('a')} || ' : ' || ${sqlEuros('a.montant_alloue')} || ' alloués à ' || a.nb_projets || ' projets pour une enveloppe annoncée de ' || ${sqlEuros(envelopeOf('a.edition'))} || ' (dépassement de ' || ${sqlEuros(`a.montant_alloue - ${envelopeOf('a.edition')}`)} || ').'`,
      })} FROM by_ed AS a WHERE a.montant_alloue > ${envelopeOf('a.edition')}`,
    ];
    if (c.workingClass) {
      parts.push(
        `${sel({
          portee: `'edition'`,
          edition: 'a.edition',
          arrondissement: `'Ensemble'`,
          ...aggCols,
          cible_qp: targetOf('a.edition'),
          flag: `'quartiers_populaires_sous_cible'`,
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

    // What was read, and what could not be understood, before any figure.
    const known = KNOWN_ARRONDISSEMENTS.map(quoteLiteral).join(', ');
    const popSql = `WITH pr AS (${projects}) SELECT 'n' AS k, '' AS v, count(*) AS n FROM pr
      UNION ALL SELECT 'classees', '', count(*) FILTER (WHERE statut IS NOT NULL AND statut <> 'inconnu') FROM pr
      UNION ALL SELECT 'statut_vide', '', count(*) FILTER (WHERE statut IS NULL) FROM pr
      UNION ALL SELECT 'edition_illisible', '', count(*) FILTER (WHERE edition IS NULL) FROM pr
      UNION ALL SELECT 'livres_sans_date', '', count(*) FILTER (WHERE statut = 'livre' AND date_livraison_source = '') FROM pr
      UNION ALL SELECT 'livres_sans_prevue', '', count(*) FILTER (WHERE statut = 'livre' AND date_livraison IS NOT NULL AND date_prevue IS NULL) FROM pr
      UNION ALL SELECT 'paris_n', '', count(*) FILTER (WHERE arrondissement = 'Tout Paris') FROM pr
      UNION ALL SELECT 'paris_montant', '', CAST(coalesce(sum(montant) FILTER (WHERE arrondissement = 'Tout Paris'), 0) AS DOUBLE) FROM pr
      UNION ALL SELECT 'stage', statut, count(*) FROM pr WHERE statut IS NOT NULL AND statut <> 'inconnu' GROUP BY statut
      UNION ALL SELECT 'statut_inconnu', statut_source, count(*) FROM pr WHERE statut = 'inconnu' GROUP BY statut_source
      UNION ALL SELECT 'arr_inconnu', arrondissement_source, count(*) FROM pr WHERE arrondissement NOT IN (${known}) GROUP BY arrondissement_source
      UNION ALL SELECT 'echelle_inconnue', echelle_source, count(*) FROM pr WHERE echelle = 'inconnue' GROUP BY echelle_source
      UNION ALL SELECT 'prevue_illisible', date_prevue_source, count(*) FROM pr WHERE date_prevue_source <> '' AND date_prevue IS NULL GROUP BY date_prevue_source
      UNION ALL SELECT 'livraison_illisible', date_livraison_source, count(*) FROM pr WHERE date_livraison_source <> '' AND date_livraison IS NULL GROUP BY date_livraison_source`;
    const pop = (await ctx.engine.query(popSql)).rows.map((r) => ({ k: String(r[0]), v: String(r[1] ?? ''), n: Number(r[2]) }));
    const one = (k: string) => pop.find((x) => x.k === k)?.n ?? 0;
    const values = (k: string): ValueCount[] =>
      pop
        .filter((x) => x.k === k)
        .map((x) => ({ value: x.v, rows: x.n }))
        .sort((a, b) => b.rows - a.rows || a.value.localeCompare(b.value));
    const total = (v: ValueCount[]) => v.reduce((s, x) => s + x.rows, 0);
    const unknownStatuses = values('statut_inconnu');
    const unknownArrondissements = values('arr_inconnu');
    const unknownScales = values('echelle_inconnue');
    const unparsedDates = (['planned', 'delivered'] as const)
      .map((role) => {
        const v = values(role === 'planned' ? 'prevue_illisible' : 'livraison_illisible');
        return { role, column: labelOf(role), rows: total(v), examples: v.slice(0, 5).map((x) => x.value) };
      })
      .filter((d) => d.rows > 0);
    const read = one('n');
    const classified = one('classees');
    const setAside: SetAside[] = [
      { reason: 'statut non compris', rows: total(unknownStatuses), examples: unknownStatuses.map((x) => x.value) },
      { reason: 'statut vide', rows: one('statut_vide') },
      { reason: 'édition illisible (hors éditions)', rows: one('edition_illisible') },
      {
        reason: 'code d’arrondissement inconnu (hors carte)',
        rows: total(unknownArrondissements),
        examples: unknownArrondissements.map((x) => x.value),
      },
      {
        reason: 'échelle non comprise (comptés dans leur arrondissement)',
        rows: total(unknownScales),
        examples: unknownScales.map((x) => x.value),
      },
      ...unparsedDates.map((d) => ({ reason: `date illisible dans « ${d.column} » (hors délais)`, rows: d.rows, examples: d.examples })),
      // An unreadable date is counted above, with its examples: here only the empty ones.
      { reason: 'livrés sans date de livraison (hors délais)', rows: one('livres_sans_date') },
      { reason: 'livrés sans date prévue (retard non mesuré)', rows: one('livres_sans_prevue') },
    ];
    const populationOf = population(read, classified, 'classées', setAside);
    const stages = PROJECT_STAGES.map((stage) => ({
      stage,
      rank: STAGE_RANK[stage],
      projects: pop.find((x) => x.k === 'stage' && x.v === stage)?.n ?? 0,
    }));
    const stageN = (s: ProjectStage) => stages.find((x) => x.stage === s)!.projects;

    const flags = Object.fromEntries(PARTICIPATORY_FLAGS.map((f) => [f, 0])) as Record<ParticipatoryFlag, number>;
    for (const [f, n] of (await ctx.engine.query(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY flag`)).rows)
      flags[f as ParticipatoryFlag] = Number(n);
    const eds = await ctx.engine.query(
      `SELECT edition, nb_projets, CAST(montant_alloue AS DOUBLE), nb_livres, delai_median_mois, part_qp, cible_qp FROM ${t} WHERE portee = 'edition' AND flag IS NULL AND edition IS NOT NULL ORDER BY edition`,
    );
    const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));
    const editions = eds.rows.map((r) => ({
      edition: Number(r[0]),
      projects: Number(r[1]),
      allocated: Number(r[2]),
      delivered: Number(r[3]),
      medianDelayMonths: num(r[4]),
      medianDelayYears: r[4] === null ? null : Number(r[4]) / 12,
      workingClassShare: num(r[5]),
      workingClassTarget: num(r[6]),
    }));
    const allocated = (
      await ctx.engine.query(`SELECT CAST(coalesce(sum(montant_alloue), 0) AS DOUBLE) FROM ${t} WHERE portee = 'edition' AND flag IS NULL`)
    ).rows[0]?.[0];
    const delivered = stageN('livre');
    const rate = rateOver(delivered, classified, { minCount: MIN_RATE_PROJECTS, coverage: read ? classified / read : 0 });
    const parisWide = { projects: one('paris_n'), allocated: one('paris_montant') };
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const flagText = PARTICIPATORY_FLAGS.filter((f) => flags[f])
      .map((f) => `${f} : ${count(flags[f])}`)
      .join(', ');
    const first = editions[0];
    const last = editions[editions.length - 1];
    const warnings: string[] = [];
    // Without a scale column, only a « Tout Paris » label tells a Paris-wide project; with none, the
    // Paris export's Paris-wide projects (located at 75004) would silently swell the 4th.
    if (c.arrondissement && !c.scale && parisWide.projects === 0) {
      warnings.push(
        'Aucune colonne d’échelle (tout Paris ou arrondissement) ni projet « Tout Paris » : un projet parisien localisé dans un arrondissement (l’Hôtel de Ville, 75004) y est compté.',
      );
    }
    if (!c.planned || !c.delivered) warnings.push('Sans colonne de date prévue et de date de livraison, aucun retard ne peut être mesuré.');
    if (c.workingClass && editions.some((e) => e.edition < p.workingClassFrom)) {
      warnings.push(`Cible des quartiers populaires appliquée à partir de l’édition ${p.workingClassFrom} seulement.`);
    }
    const inProgressN = stageN('etudes') + stageN('procedures') + stageN('travaux') + stageN('en_cours');
    const progressDetail = (['etudes', 'procedures', 'travaux', 'en_cours'] as const)
      .filter((s) => stageN(s))
      .map((s) => `${STAGE_LABEL[s]} ${count(stageN(s))}`)
      .join(', ');
    return {
      table: out,
      sql: [sql, popSql],
      inputs: [inputOf(ctx, table.name)],
      summary:
        `Budget participatif (« ${table.name} ») : ${populationLine(populationOf)}. ` +
        `${count(read)} projets sur ${plural(editions.length, 'édition', 'éditions')}${first && last ? ` (${first.edition}–${last.edition})` : ''}, ${euros(Number(allocated ?? 0))} alloués ; ` +
        `${count(delivered)} livrés sur ${count(classified)} projets classés (${rateText(rate)}), ${count(inProgressN)} en cours${progressDetail ? ` (${progressDetail})` : ''}, ` +
        `${count(stageN('non_demarre'))} non démarrés, ${count(stageN('abandonne'))} abandonnés. ` +
        (parisWide.projects
          ? `Dont ${plural(parisWide.projects, 'projet', 'projets')} à l’échelle de tout Paris (${euros(parisWide.allocated)}), hors chiffres par arrondissement. `
          : '') +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'} ` +
        `Délais en mois depuis janvier suivant l'édition ; retard signalé au-delà de ${count(lateMonths)} mois après le mois prévu.` +
        (warnings.length ? ' ' + warnings.join(' ') : ''),
      detail: {
        flags,
        population: populationOf,
        projects: read,
        allocated: Number(allocated ?? 0),
        delivered,
        deliveredRate: rate.value,
        ...(rate.refused ? { deliveredRateRefused: rate.refused } : {}),
        stages,
        parisWide,
        unknownStatuses,
        unknownArrondissements,
        unknownScales,
        unparsedDates,
        lateMonths,
        workingClassFrom: p.workingClassFrom,
        editions,
        columns: c,
        warnings,
      },
    };
  },
});

/** A line of the result that the tile map of the 20 arrondissements cannot place. */
export interface Unplaced {
  /** `Tout Paris`, `Paris Centre`, a code as written, or null when the project has no arrondissement. */
  arrondissement: string | null;
  projects: number;
  allocated: number;
}

/**
 * What the tile map leaves out of a `participatory-budget` result (one edition, or all): Paris-wide
 * projects, Paris Centre, unknown codes — decided by the same rule as the map, so the map can say it.
 */
export async function participatoryUnplaced(engine: Engine, table: string, edition: number | null): Promise<Unplaced[]> {
  const r = await engine.query(
    `SELECT arrondissement, sum(nb_projets), CAST(sum(montant_alloue) AS DOUBLE) FROM ${quoteIdent(table)}
     WHERE portee = 'arrondissement' AND flag IS NULL${edition !== null ? ` AND edition = ${sqlValue(edition)}` : ''} AND ${mapArrondissementSql('arrondissement')} IS NULL
     GROUP BY 1 ORDER BY CASE arrondissement WHEN 'Tout Paris' THEN 0 WHEN 'Paris Centre' THEN 1 ELSE 2 END, 1 NULLS LAST`,
  );
  return r.rows.map((x) => ({ arrondissement: x[0] === null ? null : String(x[0]), projects: Number(x[1]), allocated: Number(x[2]) }));
}
