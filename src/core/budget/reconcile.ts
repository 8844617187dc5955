// Voted (BP + BS + DM = credits opened) against executed (administrative account), at the level the
// user chooses, with the checks an auditor makes first. One result table: every line at the chosen
// level (flag NULL when nothing is wrong) plus one row per flag, so any flagged set is evidence.
//
// Order operations pair up between sections; the pairs checked (chapter and flow on each side) are:
//   042 expenditure (operating)  ↔ 040 revenue (investment)   — depreciation, book value of assets sold
//   040 expenditure (investment) ↔ 042 revenue (operating)    — grants transferred to the result
//   041 expenditure ↔ 041 revenue (both investment)           — patrimonial operations
//   043 expenditure ↔ 043 revenue (both operating)            — transfers inside the operating section
//   023 expenditure (operating)  ↔ 021 revenue (investment)   — transfer to investment (voted only:
//                                                                neither is ever executed)
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { createResultTable, inputOf, registerOperation, type OperationContext } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { count, euros, percent, plural, sqlEuros, sqlFlow, sqlPercent, sqlSection } from './format.ts';
import { resultRowSql } from './columns.ts';
import { population, populationLine, rateOver, rateText, type Population } from '../ops/population.ts';
import {
  amountSql,
  BUDGET_FIELDS,
  budgetFlowsParam,
  budgetLevelParam,
  budgetSelectSql,
  BudgetSource,
  codeNormalisations,
  normalisationText,
  notableNormalisation,
  resolveBudgetSource,
  type BudgetField,
  type BudgetMapping,
  type CodeNormalisation,
} from './mapping.ts';

export const RECONCILE_FLAGS = [
  'depassement_chapitre',
  'sous_execution',
  'execute_sans_credit',
  'credit_sans_execution',
  'ordre_desequilibre',
  'section_desequilibree',
  'total_incoherent',
  'variation_annuelle',
] as const;
export type ReconcileFlag = (typeof RECONCILE_FLAGS)[number];

/** The order-operation pairs checked (see the header comment): expenditure chapter ↔ revenue chapter. */
export const ORDER_PAIRS: readonly { depense: string; recette: string }[] = [
  { depense: '042', recette: '040' },
  { depense: '040', recette: '042' },
  { depense: '041', recette: '041' },
  { depense: '043', recette: '043' },
  { depense: '023', recette: '021' },
];

export const ReconcileParams = z
  .object({
    voted: BudgetSource.describe('Budget voté : table et correspondance des colonnes (BP, BS, DM)'),
    executed: BudgetSource.describe('Réalisé : table du compte administratif et correspondance des colonnes'),
    level: budgetLevelParam(
      'Niveau de rapprochement : section, chapitre, fonction (chapitre × fonction) ou nature (chapitre × fonction × nature)',
    ),
    flows: budgetFlowsParam(
      ['D'],
      'Sens contrôlés par les signaux ligne à ligne (D : dépenses, R : recettes) ; les équilibres portent toujours sur les deux',
    ),
    underInvestment: z.number().min(0).max(10).default(0.5).describe('Seuil de sous-exécution en investissement (taux, 0,5 = 50 %)'),
    underOperating: z.number().min(0).max(10).default(0.8).describe('Seuil de sous-exécution en fonctionnement (taux, 0,8 = 80 %)'),
    yearChange: z.number().min(0).max(1000).default(0.5).describe('Variation annuelle signalée au-delà de ce taux (0,5 = ±50 %)'),
    yearChangeMin: z.number().min(0).default(0).describe('Variation annuelle signalée seulement au-delà de ce montant absolu (€)'),
    yearChangeOf: z
      .enum(['executed', 'credits'])
      .default('executed')
      .describe('Montant comparé d’une année sur l’autre : réalisé ou crédits'),
    tolerance: z.number().min(0).default(1).describe('Écart toléré (€) pour les équilibres, les totaux et les dépassements'),
    notExecuted: z
      .array(z.string().max(20))
      .max(100)
      .default(['023', '021'])
      .describe(
        'Chapitres votés mais jamais exécutés par nature (virement 023/021) : exclus de la sous-exécution et des crédits sans exécution',
      ),
    totals: BudgetSource.optional().describe('Table de totaux publiés (par exercice, section, sens, chapitre…) à comparer au détail'),
    totalsOf: z.enum(['voted', 'executed']).default('executed').describe('Les totaux publiés portent sur le voté ou le réalisé'),
  })
  .strict();
export type ReconcileParams = z.infer<typeof ReconcileParams>;

/** One flow's amounts: all the lines, and the lines whose key is found on both sides (the rate is taken over these). */
export interface FlowAmounts {
  credits: number;
  executed: number;
  matched: { credits: number; executed: number; keys: number };
  onlyVoted: { credits: number; keys: number };
  onlyExecuted: { executed: number; keys: number };
  /** Credits on the transfer chapters (023/021), voted but never executed: outside the match. */
  transfers: number;
  /** Share of the amounts behind the rate: the smaller of matched credits / credits and matched executed / executed. */
  coverage: number;
  rate: number | null;
  /** Why there is no rate, when rate is null. */
  refused?: string;
}

/** Whether the order-operation balance could be checked on one side, and why not when it could not. */
export interface OrderCheck {
  source: 'vote' | 'realise';
  ran: boolean;
  pairs: number;
  unbalanced: number;
  reason?: string;
}

export interface ReconcileDetail {
  level: ReconcileParams['level'];
  flags: Record<ReconcileFlag, number>;
  /** Lines read from each source table. */
  lines: { voted: number; executed: number };
  /** Keys at the chosen level: read (either side), used (both sides), set aside (one side only). */
  population: Population;
  /** Expenditure: all credits opened (BP + BS + DM) and executed; the rate is over the matched keys only. */
  credits: number;
  executed: number;
  rate: number | null;
  expenditure: FlowAmounts;
  revenue: FlowAmounts;
  orderChecks: OrderCheck[];
  /** Checks that could not run for want of a column, each with why (« variation annuelle : pas de colonne d'exercice »). */
  notRun: string[];
  /** What reading the codes changed in each table (prefixes, padding, words), with examples. */
  normalisations: { voted: CodeNormalisation[]; executed: CodeNormalisation[] };
  mappings: { voted: BudgetMapping; executed: BudgetMapping; totals?: BudgetMapping };
  proposed: { voted: boolean; executed: boolean };
  warnings: string[];
}

/** Below this share of the amounts found on both sides, no execution rate is given. */
export const MIN_MATCHED_SHARE = 0.5;

const LEVEL_KEYS: Record<ReconcileParams['level'], string[]> = {
  section: ['annee', 'section', 'sens', 'type_operation'],
  chapter: ['annee', 'section', 'sens', 'type_operation', 'chapitre'],
  function: ['annee', 'section', 'sens', 'type_operation', 'chapitre', 'fonction'],
  nature: ['annee', 'section', 'sens', 'type_operation', 'chapitre', 'fonction', 'nature'],
};

/** « chapitre 011, fonction 020, nature 6068 » for the keys a row has. */
function whereFr(alias: string, keys: readonly string[]): string {
  const parts: string[] = [];
  if (keys.includes('chapitre')) parts.push(`coalesce('chapitre ' || ${alias}.chapitre, 'chapitre ?')`);
  if (keys.includes('fonction')) parts.push(`coalesce('fonction ' || ${alias}.fonction, 'fonction ?')`);
  if (keys.includes('nature')) parts.push(`coalesce('nature ' || ${alias}.nature, 'nature ?')`);
  parts.push(`${sqlSection(`${alias}.section`)} || ', ' || ${sqlFlow(`${alias}.sens`)}`);
  return `(${parts.join(` || ', ' || `)} || coalesce(' ' || ${alias}.annee, ''))`;
}

/** The columns every row of the result has, in order; missing ones are NULL of the right type. */
const OUT_COLUMNS: [string, string][] = [
  ['portee', 'VARCHAR'],
  ['source', 'VARCHAR'],
  ['annee', 'INTEGER'],
  ['etape', 'VARCHAR'],
  ['section', 'VARCHAR'],
  ['sens', 'VARCHAR'],
  ['type_operation', 'VARCHAR'],
  ['chapitre', 'VARCHAR'],
  ['fonction', 'VARCHAR'],
  ['nature', 'VARCHAR'],
  ['credits', 'DECIMAL(38,2)'],
  ['credits_bp', 'DECIMAL(38,2)'],
  ['credits_bs', 'DECIMAL(38,2)'],
  ['credits_dm', 'DECIMAL(38,2)'],
  ['execute', 'DECIMAL(38,2)'],
  ['taux_execution', 'DOUBLE'],
  ['ecart', 'DECIMAL(38,2)'],
  ['ecart_pct', 'DOUBLE'],
  ['depenses', 'DECIMAL(38,2)'],
  ['recettes', 'DECIMAL(38,2)'],
  ['montant_publie', 'DECIMAL(38,2)'],
  ['somme_detail', 'DECIMAL(38,2)'],
  ['montant_annee_precedente', 'DECIMAL(38,2)'],
  ['variation_pct', 'DOUBLE'],
  ['flag', 'VARCHAR'],
  ['explication', 'VARCHAR'],
];

const select = resultRowSql(OUT_COLUMNS);

/** A source in the canonical shape: a SELECT, and the CTEs it reads (they go first in the WITH). */
export interface CanonicalSource {
  sql: string;
  ctes?: string[];
}

/** Fields that only matter, at a level, through whether a line is a total (or has no nature): see summedBudgetSql. */
const FOLDED: Record<ReconcileParams['level'], BudgetField[]> = {
  section: ['direction', 'function', 'nature'],
  chapter: ['direction', 'function', 'nature'],
  function: ['direction', 'nature'],
  nature: ['direction'],
};

/**
 * `budgetSelectSql` of a source whose lines are summed first. The reconciliation only ever adds
 * amounts up, so lines that agree on the raw value of every mapped column can be added before
 * `budgetSelectSql` normalises them: its work per line (accents, codes, the window that finds total
 * lines) then runs on one row per distinct key instead of one per line — on 2 million budget lines
 * that work took seconds, the sum is one hash aggregate.
 *
 * Fields that are not keys at `level` (always the direction; the function and the nature at the
 * coarser levels) count only through `est_total` — a code column saying « Total », a nature missing
 * where its chapter has some — so their raw values are folded into three classes, 'TOTAL', NULL (no
 * code) and '-', which `budgetSelectSql` itself assigns once per distinct value; a budget split by
 * direction, function or nature then collapses to its keys. Same sums, same total lines, same keys:
 * only the folded columns and `ligne_source`, which the reconciliation does not read, differ.
 */
export function summedBudgetSql(
  table: TableEntry,
  mapping: BudgetMapping,
  level: ReconcileParams['level'],
  prefix: string,
): CanonicalSource {
  // Built first for its checks: an unknown column fails here with budgetSelectSql's own message.
  const plain = budgetSelectSql(table, mapping);
  const column = (name: string) => table.columns.find((c) => c.name === name)!;
  const amount = column(mapping.amount);
  const keyFields = BUDGET_FIELDS.filter((f) => f !== 'amount' && mapping[f] !== undefined);
  const keys = [...new Set(keyFields.map((f) => mapping[f]!))];
  // An amount that is also a key cannot be summed away: read the lines as they are.
  if (keys.includes(amount.name)) return { sql: plain };
  const src = (c: string) => `src.${quoteIdent(c)}`;
  const ctes: string[] = [];
  const folded = new Map<string, string>();
  for (const f of FOLDED[level]) {
    const c = mapping[f];
    // A column read for another field too keeps its values.
    if (c === undefined || keyFields.filter((g) => mapping[g] === c).length > 1) continue;
    // Each distinct value, numbered through the amount column so that budgetSelectSql's verdict can be joined back.
    const dict = `__loupe_${prefix}_${f}`;
    const id = c === '__id' ? '__id2' : '__id';
    const entry: TableEntry = { name: dict, kind: 'table', rows: 0, columns: [column(c), { name: id, label: id, type: 'DECIMAL(38,2)' }] };
    const canonical = { direction: 'direction', function: 'fonction', nature: 'nature' }[f as 'direction' | 'function' | 'nature'];
    ctes.push(
      `${quoteIdent(dict)} AS (SELECT raw AS ${quoteIdent(c)}, CAST(dense_rank() OVER (ORDER BY raw) AS DECIMAL(38,2)) AS ${quoteIdent(id)}
        FROM (SELECT DISTINCT ${src(c)} AS raw FROM ${quoteIdent(table.name)} AS src))`,
      `${quoteIdent(`${dict}_classe`)} AS (SELECT d.${quoteIdent(c)} AS raw, CASE WHEN n.est_total THEN 'TOTAL' WHEN n.${canonical} IS NULL THEN NULL ELSE '-' END AS classe
        FROM ${quoteIdent(dict)} AS d JOIN (${budgetSelectSql(entry, { [f]: c, amount: id })}) AS n ON n.montant = d.${quoteIdent(id)})`,
    );
    // IN (…) rather than a join: the small side is always the one hashed.
    const inClass = (k: string) => `${src(c)} IN (SELECT raw FROM ${quoteIdent(`${dict}_classe`)} WHERE classe = '${k}')`;
    folded.set(c, `CASE WHEN ${inClass('TOTAL')} THEN 'TOTAL' WHEN ${inClass('-')} THEN '-' END AS ${quoteIdent(c)}`);
  }
  const select = keys.map((c) => folded.get(c) ?? src(c));
  const lines = `__loupe_${prefix}_lignes`;
  ctes.push(
    `${quoteIdent(lines)} AS (SELECT ${[...select, `sum(${amountSql(src(amount.name), amount.type)}) AS ${quoteIdent(amount.name)}`].join(', ')}
      FROM ${quoteIdent(table.name)} AS src GROUP BY ALL)`,
  );
  const linesEntry: TableEntry = {
    name: lines,
    kind: 'table',
    rows: 0,
    columns: [
      ...keys.map((c) => (folded.has(c) ? { name: c, label: c, type: 'VARCHAR' } : column(c))),
      { name: amount.name, label: amount.label, type: 'DECIMAL(38,2)' },
    ],
  };
  return { ctes, sql: budgetSelectSql(linesEntry, mapping) };
}

/** The whole reconciliation as one SELECT over the sources (exported for tests and the UI's preview). */
export function reconcileSql(
  p: ReconcileParams,
  voted: CanonicalSource,
  executed: CanonicalSource,
  totals?: { sql: string; mapping: BudgetMapping },
): string {
  const keys = LEVEL_KEYS[p.level];
  const k = keys.join(', ');
  const on = (a: string, b: string, ks: readonly string[]) => ks.map((x) => `${a}.${x} IS NOT DISTINCT FROM ${b}.${x}`).join(' AND ');
  const tol = sqlValue(p.tolerance);
  const flows = `(${p.flows.map((f) => quoteLiteral(f)).join(', ')})`;
  // Chapters voted but never executed by nature (023/021) are left out of the execution checks.
  const executable =
    keys.includes('chapitre') && p.notExecuted.length
      ? `coalesce(l.chapitre NOT IN (${p.notExecuted.map((c) => quoteLiteral(c)).join(', ')}), TRUE)`
      : 'TRUE';
  const threshold = `CASE WHEN l.section = 'I' THEN ${sqlValue(p.underInvestment)} ELSE ${sqlValue(p.underOperating)} END`;
  const measure = p.yearChangeOf === 'executed' ? 'execute' : 'credits';

  const ctes = [
    ...(voted.ctes ?? []),
    ...(executed.ctes ?? []),
    `v_all AS (${voted.sql})`,
    // The voted table may also carry the administrative account (stage CA): credits are BP + BS + DM only.
    `v AS (SELECT * FROM v_all WHERE NOT est_total AND etape IS DISTINCT FROM 'CA')`,
    `e_all AS (${executed.sql})`,
    `e AS (SELECT * FROM e_all WHERE NOT est_total)`,
    `vk AS (SELECT ${k}, sum(montant) AS credits,
        sum(montant) FILTER (WHERE etape = 'BP') AS credits_bp, sum(montant) FILTER (WHERE etape = 'BS') AS credits_bs,
        sum(montant) FILTER (WHERE etape = 'DM') AS credits_dm FROM v GROUP BY ${k})`,
    `ek AS (SELECT ${k}, sum(montant) AS execute FROM e GROUP BY ${k})`,
    `l AS (SELECT ${keys.map((x) => `coalesce(vk.${x}, ek.${x}) AS ${x}`).join(', ')},
        vk.credits, vk.credits_bp, vk.credits_bs, vk.credits_dm, ek.execute,
        CAST(ek.execute AS DOUBLE) / nullif(CAST(vk.credits AS DOUBLE), 0) AS taux_execution,
        coalesce(ek.execute, 0) - coalesce(vk.credits, 0) AS ecart,
        CAST(coalesce(ek.execute, 0) - coalesce(vk.credits, 0) AS DOUBLE) / nullif(CAST(vk.credits AS DOUBLE), 0) AS ecart_pct
      FROM vk FULL OUTER JOIN ek ON ${on('vk', 'ek', keys)})`,
    `lv AS (SELECT l.*, prev.${measure} AS montant_annee_precedente,
        CAST(l.${measure} - prev.${measure} AS DOUBLE) / nullif(abs(CAST(prev.${measure} AS DOUBLE)), 0) AS variation_pct
      FROM l LEFT JOIN l AS prev ON prev.annee = l.annee - 1 AND ${on(
        'prev',
        'l',
        keys.filter((x) => x !== 'annee'),
      )})`,
  ];

  const lineValues = (flag: string | null, expl: string | null): Record<string, string> => ({
    portee: `'ligne'`,
    source: `'vote/realise'`,
    ...Object.fromEntries(keys.map((x) => [x, `l.${x}`])),
    credits: 'l.credits',
    credits_bp: 'l.credits_bp',
    credits_bs: 'l.credits_bs',
    credits_dm: 'l.credits_dm',
    execute: 'l.execute',
    taux_execution: 'l.taux_execution',
    ecart: 'l.ecart',
    ecart_pct: 'l.ecart_pct',
    montant_annee_precedente: 'l.montant_annee_precedente',
    variation_pct: 'l.variation_pct',
    flag: flag ? quoteLiteral(flag) : 'NULL',
    explication: expl ?? 'NULL',
  });
  const where = whereFr('l', keys);
  const inFlows = `l.sens IN ${flows}`;
  const lineFlags: [ReconcileFlag, string, string][] = [
    [
      'sous_execution',
      `${inFlows} AND l.credits > 0 AND l.execute > 0 AND l.taux_execution < ${threshold} AND ${executable}`,
      `'Sous-exécution — ' || ${where} || ' : ' || ${sqlEuros('l.execute')} || ' réalisés sur ' || ${sqlEuros('l.credits')} || ' de crédits ouverts, soit ' || ${sqlPercent('l.taux_execution')} || ' (seuil ' || ${sqlPercent(threshold)} || ').'`,
    ],
    [
      'execute_sans_credit',
      `${inFlows} AND coalesce(l.credits, 0) <= 0 AND l.execute > 0`,
      `'Exécuté sans crédit — ' || ${where} || ' : ' || ${sqlEuros('l.execute')} || ' réalisés sans aucun crédit ouvert au budget voté (BP + BS + DM).'`,
    ],
    [
      'credit_sans_execution',
      `${inFlows} AND l.credits > 0 AND coalesce(l.execute, 0) = 0 AND ${executable}`,
      `'Crédits sans exécution — ' || ${where} || ' : ' || ${sqlEuros('l.credits')} || ' de crédits ouverts, rien de réalisé.'`,
    ],
    [
      'variation_annuelle',
      `${inFlows} AND l.montant_annee_precedente <> 0 AND abs(l.variation_pct) > ${sqlValue(p.yearChange)} AND abs(CAST(l.${measure} - l.montant_annee_precedente AS DOUBLE)) >= ${sqlValue(p.yearChangeMin)}`,
      `'Variation annuelle — ' || ${where} || ' : ' || ${sqlEuros(`l.${measure}`)} || ' ${measure === 'execute' ? 'réalisés' : 'de crédits'} contre ' || ${sqlEuros('l.montant_annee_precedente')} || ' l''année précédente (' || CASE WHEN l.variation_pct > 0 THEN '+' ELSE '' END || ${sqlPercent('l.variation_pct')} || ', seuil ±' || ${sqlPercent(sqlValue(p.yearChange))} || ').'`,
    ],
  ];
  const overrun = `l.sens = 'D' AND l.credits > 0 AND l.execute > l.credits + ${tol}`;
  const overrunExpl = (a: string) =>
    `'Dépassement des crédits du chapitre — ' || ${whereFr(a, ['chapitre'])} || ' : ' || ${sqlEuros(`${a}.execute`)} || ' réalisés pour ' || ${sqlEuros(`${a}.credits`)} || ' de crédits ouverts (BP + BS + DM), soit ' || ${sqlEuros(`${a}.execute - ${a}.credits`)} || ' au-delà. Le chapitre est le niveau de vote : ses crédits sont limitatifs.'`;
  if (p.level === 'chapter') lineFlags.unshift(['depassement_chapitre', overrun, overrunExpl('l')]);

  const parts: string[] = [];
  for (const [flag, cond, expl] of lineFlags) parts.push(`${select(lineValues(flag, expl))} FROM lv AS l WHERE coalesce(${cond}, FALSE)`);
  parts.push(
    `${select(lineValues(null, null))} FROM lv AS l WHERE NOT (${lineFlags.map(([, c]) => `coalesce(${c}, FALSE)`).join(' OR ')})`,
  );

  if (p.level !== 'chapter') {
    // The chapter is the legal voting level: overruns are always judged there, whatever the level shown.
    const ck = ['annee', 'section', 'sens', 'chapitre'];
    ctes.push(
      `ch AS (SELECT ${ck.map((x) => `coalesce(a.${x}, b.${x}) AS ${x}`).join(', ')}, a.credits, b.execute FROM
        (SELECT ${ck.join(', ')}, sum(montant) AS credits FROM v GROUP BY ALL) AS a
        FULL OUTER JOIN (SELECT ${ck.join(', ')}, sum(montant) AS execute FROM e GROUP BY ALL) AS b ON ${on('a', 'b', ck)})`,
    );
    parts.push(
      `${select({
        portee: `'chapitre'`,
        source: `'vote/realise'`,
        annee: 'l.annee',
        section: 'l.section',
        sens: 'l.sens',
        chapitre: 'l.chapitre',
        credits: 'l.credits',
        execute: 'l.execute',
        taux_execution: 'CAST(l.execute AS DOUBLE) / nullif(CAST(l.credits AS DOUBLE), 0)',
        ecart: 'l.execute - l.credits',
        ecart_pct: 'CAST(l.execute - l.credits AS DOUBLE) / nullif(CAST(l.credits AS DOUBLE), 0)',
        flag: `'depassement_chapitre'`,
        explication: overrunExpl('l'),
      })} FROM ch AS l WHERE coalesce(${overrun}, FALSE)`,
    );
  }

  // Order operations, on the voted credits (per stage) and on the executed amounts. Balanced pairs are
  // kept too (flag NULL): they show the check ran, on which amounts — a pair never found means it could not.
  const orderWhere = `CASE o.source WHEN 'vote' THEN 'budget voté' || coalesce(' (' || o.etape || ')', '') ELSE 'réalisé' END || coalesce(' ' || o.annee, '')`;
  ctes.push(
    `pairs(depense, recette) AS (VALUES ${ORDER_PAIRS.map((x) => `(${quoteLiteral(x.depense)}, ${quoteLiteral(x.recette)})`).join(', ')})`,
    `both_sides AS (SELECT 'vote' AS source, annee, etape, chapitre, sens, montant FROM v
        UNION ALL SELECT 'realise', annee, NULL, chapitre, sens, montant FROM e)`,
    `ord AS (SELECT s.source, s.annee, s.etape, pairs.depense, pairs.recette,
        coalesce(sum(s.montant) FILTER (WHERE s.sens = 'D' AND s.chapitre = pairs.depense), 0) AS depenses,
        coalesce(sum(s.montant) FILTER (WHERE s.sens = 'R' AND s.chapitre = pairs.recette), 0) AS recettes
      FROM both_sides AS s JOIN pairs ON (s.sens = 'D' AND s.chapitre = pairs.depense) OR (s.sens = 'R' AND s.chapitre = pairs.recette)
      GROUP BY ALL)`,
  );
  parts.push(
    `${select({
      portee: `'ordre'`,
      source: 'o.source',
      annee: 'o.annee',
      etape: 'o.etape',
      type_operation: `'O'`,
      chapitre: `o.depense || ' ↔ ' || o.recette`,
      depenses: 'o.depenses',
      recettes: 'o.recettes',
      ecart: 'o.depenses - o.recettes',
      flag: `CASE WHEN abs(o.depenses - o.recettes) > ${tol} THEN 'ordre_desequilibre' END`,
      explication: `CASE WHEN abs(o.depenses - o.recettes) > ${tol}
        THEN 'Opérations d''ordre déséquilibrées — ' || ${orderWhere} || ' : ' || ${sqlEuros('o.depenses')} || ' de dépenses d''ordre au chapitre ' || o.depense || ' pour ' || ${sqlEuros('o.recettes')} || ' de recettes d''ordre au chapitre ' || o.recette || ', qui devraient être égales (écart ' || ${sqlEuros('abs(o.depenses - o.recettes)')} || ').'
        ELSE 'Opérations d''ordre équilibrées — ' || ${orderWhere} || ' : ' || ${sqlEuros('o.depenses')} || ' au chapitre ' || o.depense || ' (dépenses) et ' || ${sqlEuros('o.recettes')} || ' au chapitre ' || o.recette || ' (recettes).' END`,
    })} FROM ord AS o`,
  );

  // Each section of each budget decision must be voted in balance.
  ctes.push(
    `sec AS (SELECT annee, etape, section, coalesce(sum(montant) FILTER (WHERE sens = 'D'), 0) AS depenses,
        coalesce(sum(montant) FILTER (WHERE sens = 'R'), 0) AS recettes FROM v GROUP BY ALL)`,
  );
  parts.push(
    `${select({
      portee: `'section'`,
      source: `'vote'`,
      annee: 's.annee',
      etape: 's.etape',
      section: 's.section',
      depenses: 's.depenses',
      recettes: 's.recettes',
      ecart: 's.recettes - s.depenses',
      flag: `'section_desequilibree'`,
      explication: `'Section déséquilibrée — ' || ${sqlSection('s.section')} || coalesce(' ' || s.annee, '') || coalesce(' (' || s.etape || ')', '') || ' : ' || ${sqlEuros('s.depenses')} || ' de dépenses votées pour ' || ${sqlEuros('s.recettes')} || ' de recettes votées (écart ' || ${sqlEuros('abs(s.recettes - s.depenses)')} || ').'`,
    })} FROM sec AS s WHERE abs(s.depenses - s.recettes) > ${tol}`,
  );

  // Published totals: total lines inside each table, and a separate totals table when given.
  const tk = ['annee', 'etape', 'section', 'sens', 'chapitre'];
  const totalExpl = (a: string) =>
    `'Total incohérent — ' || coalesce('chapitre ' || ${a}.chapitre || ', ', '') || ${sqlSection(`${a}.section`)} || ', ' || ${sqlFlow(`${a}.sens`)} || coalesce(' ' || ${a}.annee, '') || coalesce(' (' || ${a}.etape || ')', '') || ' : total publié ' || ${sqlEuros(`${a}.montant_publie`)} || ', somme des lignes de détail ' || ${sqlEuros(`${a}.somme_detail`)} || ' (écart ' || ${sqlEuros(`abs(${a}.montant_publie - ${a}.somme_detail)`)} || ').'`;
  const totalRow = (src: string) =>
    `${select({
      portee: `'total'`,
      source: src,
      annee: 't.annee',
      etape: 't.etape',
      section: 't.section',
      sens: 't.sens',
      chapitre: 't.chapitre',
      montant_publie: 't.montant_publie',
      somme_detail: 't.somme_detail',
      ecart: 't.montant_publie - t.somme_detail',
      flag: `'total_incoherent'`,
      explication: totalExpl('t'),
    })}`;
  for (const [src, all, det] of [
    ['vote', 'v_all', 'v'],
    ['realise', 'e_all', 'e'],
  ] as const) {
    ctes.push(
      `tot_${src} AS (SELECT ${tk.map((x) => `t.${x}`).join(', ')}, t.montant_publie,
          (SELECT coalesce(sum(d.montant), 0) FROM ${det} AS d WHERE ${on('d', 't', tk)}) AS somme_detail
        FROM (SELECT ${tk.join(', ')}, sum(montant) AS montant_publie FROM ${all} WHERE est_total GROUP BY ALL) AS t)`,
    );
    parts.push(`${totalRow(`'${src}'`)} FROM tot_${src} AS t WHERE abs(t.montant_publie - t.somme_detail) > ${tol}`);
  }
  if (totals) {
    // Only the keys the totals table carries are compared: a total by chapter sums every function and nature.
    const fieldOf: Record<string, keyof BudgetMapping> = {
      annee: 'year',
      etape: 'stage',
      section: 'section',
      sens: 'flow',
      chapitre: 'chapter',
    };
    const tkeys = tk.filter((x) => totals.mapping[fieldOf[x]!] !== undefined);
    const det = p.totalsOf === 'voted' ? 'v' : 'e';
    ctes.push(
      `tot_ext_raw AS (${totals.sql})`,
      `tot_ext AS (SELECT ${tk.map((x) => (tkeys.includes(x) ? `t.${x}` : `CAST(NULL AS ${x === 'annee' ? 'INTEGER' : 'VARCHAR'}) AS ${x}`)).join(', ')}, t.montant_publie,
          (SELECT coalesce(sum(d.montant), 0) FROM ${det} AS d WHERE ${tkeys.length ? on('d', 't', tkeys) : 'TRUE'}) AS somme_detail
        FROM (SELECT ${tkeys.length ? tkeys.join(', ') + ', ' : ''}sum(montant) AS montant_publie FROM tot_ext_raw ${tkeys.length ? 'GROUP BY ALL' : ''}) AS t)`,
    );
    parts.push(
      `${totalRow(`'${p.totalsOf === 'voted' ? 'vote' : 'realise'} (totaux publiés)'`)} FROM tot_ext AS t WHERE abs(t.montant_publie - t.somme_detail) > ${tol}`,
    );
  }

  return `WITH ${ctes.join(',\n')}\nSELECT * FROM (\n${parts.join('\nUNION ALL\n')}\n) ORDER BY annee NULLS FIRST, section NULLS FIRST, sens NULLS FIRST, chapitre NULLS FIRST, fonction NULLS FIRST, nature NULLS FIRST, portee, flag NULLS FIRST`;
}

/** « chapitre 011, fonction 020 (D, 2023) » for a key of the result, as the population's examples. */
function keyText(r: readonly unknown[]): string {
  const [annee, sens, chapitre, fonction, nature] = r;
  const code = [chapitre, fonction, nature].filter((x) => x !== null && x !== undefined).join(' / ');
  return `${code || '?'} (${sens ?? '?'}${annee !== null && annee !== undefined ? `, ${annee}` : ''})`;
}

/**
 * Who was matched with whom, per flow: keys on both sides, on one side only, and their amounts. The
 * rate is executed / credits over the matched keys only; it is refused when they hold less than
 * MIN_MATCHED_SHARE of the credits or of the executed amounts — 31 keys voted only and 31 executed
 * only give no rate at all, not a « taux d'exécution » of two unrelated totals.
 */
async function matchOf(ctx: OperationContext, t: string, notExecuted: readonly string[], hasChapter: boolean) {
  const transfer = hasChapter && notExecuted.length ? `chapitre IN (${notExecuted.map(quoteLiteral).join(', ')})` : 'FALSE';
  const lines = `(SELECT DISTINCT annee, section, sens, type_operation, chapitre, fonction, nature, credits, execute FROM ${t} WHERE portee = 'ligne')`;
  const r = await ctx.engine.query(
    `SELECT sens,
       CAST(coalesce(sum(credits), 0) AS DOUBLE), CAST(coalesce(sum(execute), 0) AS DOUBLE),
       count(*) FILTER (WHERE credits IS NOT NULL AND execute IS NOT NULL),
       CAST(coalesce(sum(credits) FILTER (WHERE credits IS NOT NULL AND execute IS NOT NULL), 0) AS DOUBLE),
       CAST(coalesce(sum(execute) FILTER (WHERE credits IS NOT NULL AND execute IS NOT NULL), 0) AS DOUBLE),
       count(*) FILTER (WHERE credits IS NOT NULL AND execute IS NULL AND NOT ${transfer}),
       CAST(coalesce(sum(credits) FILTER (WHERE credits IS NOT NULL AND execute IS NULL AND NOT ${transfer}), 0) AS DOUBLE),
       count(*) FILTER (WHERE credits IS NULL AND execute IS NOT NULL),
       CAST(coalesce(sum(execute) FILTER (WHERE credits IS NULL AND execute IS NOT NULL), 0) AS DOUBLE),
       count(*) FILTER (WHERE credits IS NOT NULL AND execute IS NULL AND ${transfer}),
       CAST(coalesce(sum(credits) FILTER (WHERE credits IS NOT NULL AND execute IS NULL AND ${transfer}), 0) AS DOUBLE)
     FROM ${lines} GROUP BY sens`,
  );
  const flow = (k: 'D' | 'R'): FlowAmounts & { transferKeys: number } => {
    const x = (r.rows.find((row) => row[0] === k) ?? [k, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).map((v, i) =>
      i === 0 ? v : Number(v ?? 0),
    ) as number[];
    const [, credits, executed, mk, mc, me, vk, vc, ek, ec, tk, tc] = x as [
      unknown,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const base = credits - tc;
    const coverage = Math.min(base > 0 ? mc / base : 0, executed > 0 ? me / executed : 0);
    const rate =
      mk === 0
        ? { value: null, refused: 'aucun taux : aucune clé commune au voté et au réalisé' }
        : rateOver(me, mc, { coverage, minCoverage: MIN_MATCHED_SHARE });
    return {
      credits,
      executed,
      matched: { credits: mc, executed: me, keys: mk },
      onlyVoted: { credits: vc, keys: vk },
      onlyExecuted: { executed: ec, keys: ek },
      transfers: tc,
      transferKeys: tk,
      coverage,
      rate: rate.value,
      ...(rate.refused ? { refused: rate.refused } : {}),
    };
  };
  const examples = async (where: string, order: string) =>
    (
      await ctx.engine.query(
        `SELECT annee, sens, chapitre, fonction, nature FROM ${lines} WHERE ${where} ORDER BY ${order} DESC NULLS LAST, chapitre LIMIT 3`,
      )
    ).rows.map(keyText);
  const years = async (side: string) =>
    (await ctx.engine.query(`SELECT DISTINCT annee FROM ${lines} WHERE ${side} IS NOT NULL AND annee IS NOT NULL ORDER BY 1`)).rows.map(
      (x) => Number(x[0]),
    );
  return {
    years: { voted: await years('credits'), executed: await years('execute') },
    expenditure: flow('D'),
    revenue: flow('R'),
    onlyVotedExamples: await examples(`credits IS NOT NULL AND execute IS NULL AND NOT ${transfer}`, 'abs(credits)'),
    onlyExecutedExamples: await examples('credits IS NULL AND execute IS NOT NULL', 'abs(execute)'),
  };
}

/** Per side: did the order-operation pairs show up at all (then they were checked), else why not. */
async function orderChecksOf(
  ctx: OperationContext,
  t: string,
  opTypeMapped: { vote: boolean; realise: boolean },
): Promise<{ checks: OrderCheck[]; notes: string[] }> {
  const r = await ctx.engine.query(`SELECT source, count(*), count(flag) FROM ${t} WHERE portee = 'ordre' GROUP BY source`);
  const orderChapters = [...new Set(ORDER_PAIRS.flatMap((x) => [x.depense, x.recette]))];
  const checks: OrderCheck[] = [];
  const notes: string[] = [];
  for (const source of ['vote', 'realise'] as const) {
    const row = r.rows.find((x) => x[0] === source);
    if (row) {
      checks.push({ source, ran: true, pairs: Number(row[1]), unbalanced: Number(row[2]) });
      continue;
    }
    const side = source === 'vote' ? 'credits' : 'execute';
    const seen = await ctx.engine.query(
      `SELECT DISTINCT chapitre FROM ${t} WHERE portee = 'ligne' AND ${side} IS NOT NULL AND chapitre IS NOT NULL ORDER BY 1 LIMIT 6`,
    );
    const chapters = seen.rows.map((x) => `« ${x[0]} »`).join(', ');
    const reason =
      `aucune ligne aux chapitres d'ordre (${orderChapters.join(', ')})` +
      (seen.rows.length
        ? ` ; chapitres lus : ${chapters}${seen.rows.length > 5 ? '…' : ''}`
        : ' ; aucun chapitre lu (colonne du chapitre non renseignée ?)') +
      (opTypeMapped[source] ? '' : " ; pas de colonne du type d'opération");
    // Vote by function (M57, M52) puts order operations in 925/926/946/947: not the pairs checked here.
    const functional = seen.rows.some((x) => /^9\d\d/.test(String(x[0])));
    checks.push({
      source,
      ran: false,
      pairs: 0,
      unbalanced: 0,
      reason:
        reason +
        (functional
          ? " ; présentation fonctionnelle (chapitres 9xx) : ses opérations d'ordre (925, 926, 946, 947) ne sont pas contrôlées"
          : ''),
    });
  }
  // Lines typed « ordre » on chapters outside the pairs are not balanced by anything here: say so.
  const stray = await ctx.engine.query(
    `SELECT chapitre, count(*) FROM ${t} WHERE portee = 'ligne' AND type_operation = 'O' AND chapitre NOT IN (${orderChapters.map(quoteLiteral).join(', ')}) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5`,
  );
  if (stray.rows.length) {
    notes.push(
      `Lignes d'ordre hors des paires contrôlées, non vérifiées : chapitre${stray.rows.length > 1 ? 's' : ''} ${stray.rows.map((x) => `« ${x[0]} »`).join(', ')}.`,
    );
  }
  return { checks, notes };
}

/** The checks a missing column makes impossible: said in the summary rather than passed as « nothing found ». */
export function checksNotRun(voted: BudgetMapping, executed: BudgetMapping): string[] {
  const out: string[] = [];
  const missing = (f: BudgetField) =>
    [voted[f] === undefined ? 'au voté' : null, executed[f] === undefined ? 'au réalisé' : null].filter((x) => x).join(' et ');
  if (missing('flow')) out.push(`contrôles par sens (dépenses, recettes) et équilibres : pas de colonne du sens ${missing('flow')}`);
  if (voted.section === undefined) out.push('équilibre des sections votées : pas de colonne de section au voté');
  if (missing('chapter')) out.push(`dépassements de chapitre et opérations d'ordre : pas de colonne du chapitre ${missing('chapter')}`);
  if (missing('year')) out.push(`variation annuelle : pas de colonne d'exercice ${missing('year')}`);
  return out;
}

function flowText(f: FlowAmounts, voted: string, done: string): string {
  const base = `${euros(f.credits)} ${voted}, ${euros(f.executed)} ${done}`;
  if (f.rate !== null) {
    return `${base} ; sur les clés rapprochées (${euros(f.matched.credits)} ${voted}, ${euros(f.matched.executed)} ${done}), taux d'exécution ${percent(f.rate)}`;
  }
  return `${base} ; taux d'exécution : ${rateText({ value: null, ...(f.refused ? { refused: f.refused } : {}) })} (${euros(f.matched.credits)} ${voted} et ${euros(f.matched.executed)} ${done} sur des clés présentes des deux côtés)`;
}

export const budgetReconcile = registerOperation<ReconcileParams, ReconcileDetail>({
  id: 'budget-reconcile',
  kind: 'budget',
  description: 'Rapproche le budget voté (BP + BS + DM) et le réalisé : taux d’exécution, dépassements, équilibres, totaux, variations',
  params: ReconcileParams,
  async run(ctx: OperationContext, p) {
    const voted = await resolveBudgetSource(ctx, p.voted, 'voted');
    const executed = await resolveBudgetSource(ctx, p.executed, 'executed');
    const totals = p.totals ? await resolveBudgetSource(ctx, p.totals, p.totalsOf) : undefined;
    const select = reconcileSql(
      p,
      summedBudgetSql(voted.table, voted.mapping, p.level, 'vote'),
      summedBudgetSql(executed.table, executed.mapping, p.level, 'realise'),
      totals ? { sql: budgetSelectSql(totals.table, totals.mapping), mapping: totals.mapping } : undefined,
    );
    const { table, sql } = await createResultTable(ctx, 'budget-reconcile', select);
    const t = quoteIdent(table);
    const byFlag = await ctx.engine.query(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY flag`);
    const flags = Object.fromEntries(RECONCILE_FLAGS.map((f) => [f, 0])) as Record<ReconcileFlag, number>;
    for (const [f, n] of byFlag.rows) flags[f as ReconcileFlag] = Number(n);
    const sourceRows = async (name: string) =>
      Number((await ctx.engine.query(`SELECT count(*) FROM ${quoteIdent(name)}`)).rows[0]?.[0] ?? 0);
    const lines = { voted: await sourceRows(voted.table.name), executed: await sourceRows(executed.table.name) };
    const m = await matchOf(ctx, t, p.notExecuted, p.level !== 'section');
    const { transferKeys: dtk, ...expenditure } = m.expenditure;
    const { transferKeys: rtk, ...revenue } = m.revenue;
    const sum = (a: number, b: number) => a + b;
    const pop = population(
      [expenditure, revenue].map((f) => f.matched.keys + f.onlyVoted.keys + f.onlyExecuted.keys).reduce(sum) + dtk + rtk,
      expenditure.matched.keys + revenue.matched.keys,
      'rapprochées',
      [
        {
          reason: `votées sans exécution (${euros(expenditure.onlyVoted.credits + revenue.onlyVoted.credits)} de crédits)`,
          rows: expenditure.onlyVoted.keys + revenue.onlyVoted.keys,
          examples: m.onlyVotedExamples,
        },
        {
          reason: `exécutées sans crédit (${euros(expenditure.onlyExecuted.executed + revenue.onlyExecuted.executed)} réalisés)`,
          rows: expenditure.onlyExecuted.keys + revenue.onlyExecuted.keys,
          examples: m.onlyExecutedExamples,
        },
        { reason: `virements ${p.notExecuted.join('/')} votés, jamais exécutés par nature`, rows: dtk + rtk },
      ],
    );
    const levelFr = { section: 'la section', chapter: 'le chapitre', function: 'la fonction', nature: 'la nature' }[p.level];
    // The commonest reason for an empty match: two files of different years.
    const yearsApart =
      m.years.voted.length && m.years.executed.length && !m.years.voted.some((y) => m.years.executed.includes(y))
        ? ` Aucun exercice commun : voté ${m.years.voted.join(', ')}, réalisé ${m.years.executed.join(', ')}.`
        : '';
    const popText =
      `Population — voté « ${voted.table.name} » : ${plural(lines.voted, 'ligne', 'lignes')}, réalisé « ${executed.table.name} » : ${plural(lines.executed, 'ligne', 'lignes')} ; ` +
      `clés par ${levelFr} : ${populationLine(pop)}.${yearsApart}`;
    const orders = await orderChecksOf(ctx, t, {
      vote: voted.mapping.opType !== undefined,
      realise: executed.mapping.opType !== undefined,
    });
    const orderText =
      "Opérations d'ordre : " +
      orders.checks
        .map(
          (c) =>
            `${c.source === 'vote' ? 'voté' : 'réalisé'} ${c.ran ? `contrôlé (${plural(c.pairs, 'paire', 'paires')}, ${c.unbalanced ? `${count(c.unbalanced)} déséquilibrée(s)` : 'toutes équilibrées'})` : `non contrôlé : ${c.reason}`}`,
        )
        .join(' ; ') +
      '.' +
      (orders.notes.length ? ' ' + orders.notes.join(' ') : '');
    const notRun = checksNotRun(voted.mapping, executed.mapping);
    const normalisations = {
      voted: await codeNormalisations(ctx.engine, voted.table, voted.mapping),
      executed: await codeNormalisations(ctx.engine, executed.table, executed.mapping),
    };
    // Only the codes that carry the keys are worth a line in the summary; the detail has them all.
    const normText = (['voted', 'executed'] as const).flatMap((side) =>
      normalisations[side].filter(notableNormalisation).map((n) => `${side === 'voted' ? 'voté' : 'réalisé'}, ${normalisationText(n)}`),
    );
    const overruns = await ctx.engine.query(
      `SELECT annee, chapitre, CAST(ecart AS DOUBLE) FROM ${t} WHERE flag = 'depassement_chapitre' ORDER BY ecart DESC LIMIT 3`,
    );
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const flagText = RECONCILE_FLAGS.filter((f) => flags[f])
      .map((f) => `${f} : ${count(flags[f])}`)
      .join(', ');
    const overrunText = overruns.rows.length
      ? ` Dépassements de chapitre : ${overruns.rows.map(([y, c, e]) => `chapitre ${c} en ${y} (${euros(Number(e))})`).join(', ')}.`
      : ' Aucun chapitre exécuté au-delà de ses crédits.';
    const warnings = [...voted.warnings, ...executed.warnings, ...(totals?.warnings ?? [])];
    return {
      table,
      sql: [sql],
      inputs: [inputOf(ctx, voted.table.name), inputOf(ctx, executed.table.name), ...(totals ? [inputOf(ctx, totals.table.name)] : [])],
      summary:
        `${popText} ` +
        `Rapprochement du budget voté et du réalisé par ${levelFr} : ` +
        `dépenses : ${flowText(expenditure, 'de crédits ouverts (BP + BS + DM)', 'réalisés')} ; ` +
        `recettes : ${flowText(revenue, 'prévus', 'réalisés')}. ` +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'}${overrunText} ${orderText}` +
        (notRun.length ? ` Contrôles non effectués : ${notRun.join(' ; ')}.` : '') +
        (normText.length ? ` Codes lus : ${normText.join(' ; ')}.` : '') +
        (warnings.length ? ' ' + warnings.join(' ') : ''),
      detail: {
        level: p.level,
        flags,
        lines,
        population: pop,
        credits: expenditure.credits,
        executed: expenditure.executed,
        rate: expenditure.rate,
        expenditure,
        revenue,
        orderChecks: orders.checks,
        notRun,
        normalisations,
        mappings: { voted: voted.mapping, executed: executed.mapping, ...(totals ? { totals: totals.mapping } : {}) },
        proposed: { voted: voted.proposed, executed: executed.proposed },
        warnings: [...warnings, ...orders.notes],
      },
    };
  },
});
