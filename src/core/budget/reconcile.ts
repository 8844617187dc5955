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
import { count, euros, percent, plural, sqlEuros, sqlPercent } from './format.ts';
import { amountSql, BUDGET_FIELDS, budgetSelectSql, BudgetSource, resolveBudgetSource, type BudgetField, type BudgetMapping } from './mapping.ts';

export const RECONCILE_FLAGS = [
  'depassement_chapitre', 'sous_execution', 'execute_sans_credit', 'credit_sans_execution', 'ordre_desequilibre',
  'section_desequilibree', 'total_incoherent', 'variation_annuelle',
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
    level: z.enum(['section', 'chapter', 'function', 'nature']).default('chapter')
      .describe('Niveau de rapprochement : section, chapitre, fonction (chapitre × fonction) ou nature (chapitre × fonction × nature)'),
    flows: z.array(z.enum(['D', 'R'])).min(1).default(['D'])
      .describe('Sens contrôlés par les signaux ligne à ligne (D : dépenses, R : recettes) ; les équilibres portent toujours sur les deux'),
    underInvestment: z.number().min(0).max(10).default(0.5).describe("Seuil de sous-exécution en investissement (taux, 0,5 = 50 %)"),
    underOperating: z.number().min(0).max(10).default(0.8).describe('Seuil de sous-exécution en fonctionnement (taux, 0,8 = 80 %)'),
    yearChange: z.number().min(0).max(1000).default(0.5).describe("Variation annuelle signalée au-delà de ce taux (0,5 = ±50 %)"),
    yearChangeMin: z.number().min(0).default(0).describe('Variation annuelle signalée seulement au-delà de ce montant absolu (€)'),
    yearChangeOf: z.enum(['executed', 'credits']).default('executed').describe('Montant comparé d’une année sur l’autre : réalisé ou crédits'),
    tolerance: z.number().min(0).default(1).describe('Écart toléré (€) pour les équilibres, les totaux et les dépassements'),
    notExecuted: z.array(z.string().max(20)).max(100).default(['023', '021'])
      .describe('Chapitres votés mais jamais exécutés par nature (virement 023/021) : exclus de la sous-exécution et des crédits sans exécution'),
    totals: BudgetSource.optional().describe('Table de totaux publiés (par exercice, section, sens, chapitre…) à comparer au détail'),
    totalsOf: z.enum(['voted', 'executed']).default('executed').describe('Les totaux publiés portent sur le voté ou le réalisé'),
  })
  .strict();
export type ReconcileParams = z.infer<typeof ReconcileParams>;

export interface ReconcileDetail {
  level: ReconcileParams['level'];
  flags: Record<ReconcileFlag, number>;
  /** Expenditure: credits opened (BP + BS + DM), executed, and the rate. */
  credits: number;
  executed: number;
  rate: number | null;
  /** Revenue: forecast and executed. */
  revenue: { credits: number; executed: number };
  mappings: { voted: BudgetMapping; executed: BudgetMapping; totals?: BudgetMapping };
  proposed: { voted: boolean; executed: boolean };
  warnings: string[];
}

const LEVEL_KEYS: Record<ReconcileParams['level'], string[]> = {
  section: ['annee', 'section', 'sens', 'type_operation'],
  chapter: ['annee', 'section', 'sens', 'type_operation', 'chapitre'],
  function: ['annee', 'section', 'sens', 'type_operation', 'chapitre', 'fonction'],
  nature: ['annee', 'section', 'sens', 'type_operation', 'chapitre', 'fonction', 'nature'],
};

const ALL_KEYS = ['annee', 'etape', 'section', 'sens', 'type_operation', 'chapitre', 'fonction', 'nature'] as const;

const SECTION_FR = (s: string) => `CASE ${s} WHEN 'I' THEN 'investissement' WHEN 'F' THEN 'fonctionnement' ELSE coalesce(${s}, 'section ?') END`;
const FLOW_FR = (s: string) => `CASE ${s} WHEN 'D' THEN 'dépenses' WHEN 'R' THEN 'recettes' ELSE coalesce(${s}, 'sens ?') END`;

/** « chapitre 011, fonction 020, nature 6068 » for the keys a row has. */
function whereFr(alias: string, keys: readonly string[]): string {
  const parts: string[] = [];
  if (keys.includes('chapitre')) parts.push(`coalesce('chapitre ' || ${alias}.chapitre, 'chapitre ?')`);
  if (keys.includes('fonction')) parts.push(`coalesce('fonction ' || ${alias}.fonction, 'fonction ?')`);
  if (keys.includes('nature')) parts.push(`coalesce('nature ' || ${alias}.nature, 'nature ?')`);
  parts.push(`${SECTION_FR(`${alias}.section`)} || ', ' || ${FLOW_FR(`${alias}.sens`)}`);
  return `(${parts.join(` || ', ' || `)} || coalesce(' ' || ${alias}.annee, ''))`;
}

/** The columns every row of the result has, in order; missing ones are NULL of the right type. */
const OUT_COLUMNS: [string, string][] = [
  ['portee', 'VARCHAR'], ['source', 'VARCHAR'], ['annee', 'INTEGER'], ['etape', 'VARCHAR'], ['section', 'VARCHAR'],
  ['sens', 'VARCHAR'], ['type_operation', 'VARCHAR'], ['chapitre', 'VARCHAR'], ['fonction', 'VARCHAR'], ['nature', 'VARCHAR'],
  ['credits', 'DECIMAL(38,2)'], ['credits_bp', 'DECIMAL(38,2)'], ['credits_bs', 'DECIMAL(38,2)'], ['credits_dm', 'DECIMAL(38,2)'],
  ['execute', 'DECIMAL(38,2)'], ['taux_execution', 'DOUBLE'], ['ecart', 'DECIMAL(38,2)'], ['ecart_pct', 'DOUBLE'],
  ['depenses', 'DECIMAL(38,2)'], ['recettes', 'DECIMAL(38,2)'], ['montant_publie', 'DECIMAL(38,2)'], ['somme_detail', 'DECIMAL(38,2)'],
  ['montant_annee_precedente', 'DECIMAL(38,2)'], ['variation_pct', 'DOUBLE'], ['flag', 'VARCHAR'], ['explication', 'VARCHAR'],
];

function select(values: Record<string, string>): string {
  return (
    'SELECT ' +
    OUT_COLUMNS.map(([name, type]) => `CAST(${values[name] ?? 'NULL'} AS ${type}) AS ${quoteIdent(name)}`).join(', ')
  );
}

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
export function summedBudgetSql(table: TableEntry, mapping: BudgetMapping, level: ReconcileParams['level'], prefix: string): CanonicalSource {
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
      FROM l LEFT JOIN l AS prev ON prev.annee = l.annee - 1 AND ${on('prev', 'l', keys.filter((x) => x !== 'annee'))})`,
  ];

  const lineValues = (flag: string | null, expl: string | null): Record<string, string> => ({
    portee: `'ligne'`, source: `'vote/realise'`,
    ...Object.fromEntries(keys.map((x) => [x, `l.${x}`])),
    credits: 'l.credits', credits_bp: 'l.credits_bp', credits_bs: 'l.credits_bs', credits_dm: 'l.credits_dm',
    execute: 'l.execute', taux_execution: 'l.taux_execution', ecart: 'l.ecart', ecart_pct: 'l.ecart_pct',
    montant_annee_precedente: 'l.montant_annee_precedente', variation_pct: 'l.variation_pct',
    flag: flag ? quoteLiteral(flag) : 'NULL', explication: expl ?? 'NULL',
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
  parts.push(`${select(lineValues(null, null))} FROM lv AS l WHERE NOT (${lineFlags.map(([, c]) => `coalesce(${c}, FALSE)`).join(' OR ')})`);

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
        portee: `'chapitre'`, source: `'vote/realise'`, annee: 'l.annee', section: 'l.section', sens: 'l.sens', chapitre: 'l.chapitre',
        credits: 'l.credits', execute: 'l.execute', taux_execution: 'CAST(l.execute AS DOUBLE) / nullif(CAST(l.credits AS DOUBLE), 0)',
        ecart: 'l.execute - l.credits', ecart_pct: 'CAST(l.execute - l.credits AS DOUBLE) / nullif(CAST(l.credits AS DOUBLE), 0)',
        flag: `'depassement_chapitre'`, explication: overrunExpl('l'),
      })} FROM ch AS l WHERE coalesce(${overrun}, FALSE)`,
    );
  }

  // Order operations, on the voted credits (per stage) and on the executed amounts.
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
      portee: `'ordre'`, source: 'o.source', annee: 'o.annee', etape: 'o.etape', type_operation: `'O'`,
      chapitre: `o.depense || ' ↔ ' || o.recette`, depenses: 'o.depenses', recettes: 'o.recettes', ecart: 'o.depenses - o.recettes',
      flag: `'ordre_desequilibre'`,
      explication: `'Opérations d''ordre déséquilibrées — ' || CASE o.source WHEN 'vote' THEN 'budget voté' || coalesce(' (' || o.etape || ')', '') ELSE 'réalisé' END || coalesce(' ' || o.annee, '') || ' : ' || ${sqlEuros('o.depenses')} || ' de dépenses d''ordre au chapitre ' || o.depense || ' pour ' || ${sqlEuros('o.recettes')} || ' de recettes d''ordre au chapitre ' || o.recette || ', qui devraient être égales (écart ' || ${sqlEuros('abs(o.depenses - o.recettes)')} || ').'`,
    })} FROM ord AS o WHERE abs(o.depenses - o.recettes) > ${tol}`,
  );

  // Each section of each budget decision must be voted in balance.
  ctes.push(
    `sec AS (SELECT annee, etape, section, coalesce(sum(montant) FILTER (WHERE sens = 'D'), 0) AS depenses,
        coalesce(sum(montant) FILTER (WHERE sens = 'R'), 0) AS recettes FROM v GROUP BY ALL)`,
  );
  parts.push(
    `${select({
      portee: `'section'`, source: `'vote'`, annee: 's.annee', etape: 's.etape', section: 's.section',
      depenses: 's.depenses', recettes: 's.recettes', ecart: 's.recettes - s.depenses', flag: `'section_desequilibree'`,
      explication: `'Section déséquilibrée — ' || ${SECTION_FR('s.section')} || coalesce(' ' || s.annee, '') || coalesce(' (' || s.etape || ')', '') || ' : ' || ${sqlEuros('s.depenses')} || ' de dépenses votées pour ' || ${sqlEuros('s.recettes')} || ' de recettes votées (écart ' || ${sqlEuros('abs(s.recettes - s.depenses)')} || ').'`,
    })} FROM sec AS s WHERE abs(s.depenses - s.recettes) > ${tol}`,
  );

  // Published totals: total lines inside each table, and a separate totals table when given.
  const tk = ['annee', 'etape', 'section', 'sens', 'chapitre'];
  const totalExpl = (a: string) =>
    `'Total incohérent — ' || coalesce('chapitre ' || ${a}.chapitre || ', ', '') || ${SECTION_FR(`${a}.section`)} || ', ' || ${FLOW_FR(`${a}.sens`)} || coalesce(' ' || ${a}.annee, '') || coalesce(' (' || ${a}.etape || ')', '') || ' : total publié ' || ${sqlEuros(`${a}.montant_publie`)} || ', somme des lignes de détail ' || ${sqlEuros(`${a}.somme_detail`)} || ' (écart ' || ${sqlEuros(`abs(${a}.montant_publie - ${a}.somme_detail)`)} || ').'`;
  const totalRow = (src: string) =>
    `${select({
      portee: `'total'`, source: src, annee: 't.annee', etape: 't.etape', section: 't.section', sens: 't.sens', chapitre: 't.chapitre',
      montant_publie: 't.montant_publie', somme_detail: 't.somme_detail', ecart: 't.montant_publie - t.somme_detail',
      flag: `'total_incoherent'`, explication: totalExpl('t'),
    })}`;
  for (const [src, all, det] of [['vote', 'v_all', 'v'], ['realise', 'e_all', 'e']] as const) {
    ctes.push(
      `tot_${src} AS (SELECT ${tk.map((x) => `t.${x}`).join(', ')}, t.montant_publie,
          (SELECT coalesce(sum(d.montant), 0) FROM ${det} AS d WHERE ${on('d', 't', tk)}) AS somme_detail
        FROM (SELECT ${tk.join(', ')}, sum(montant) AS montant_publie FROM ${all} WHERE est_total GROUP BY ALL) AS t)`,
    );
    parts.push(`${totalRow(`'${src}'`)} FROM tot_${src} AS t WHERE abs(t.montant_publie - t.somme_detail) > ${tol}`);
  }
  if (totals) {
    // Only the keys the totals table carries are compared: a total by chapter sums every function and nature.
    const fieldOf: Record<string, keyof BudgetMapping> = { annee: 'year', etape: 'stage', section: 'section', sens: 'flow', chapitre: 'chapter' };
    const tkeys = tk.filter((x) => totals.mapping[fieldOf[x]!] !== undefined);
    const det = p.totalsOf === 'voted' ? 'v' : 'e';
    ctes.push(
      `tot_ext_raw AS (${totals.sql})`,
      `tot_ext AS (SELECT ${tk.map((x) => (tkeys.includes(x) ? `t.${x}` : `CAST(NULL AS ${x === 'annee' ? 'INTEGER' : 'VARCHAR'}) AS ${x}`)).join(', ')}, t.montant_publie,
          (SELECT coalesce(sum(d.montant), 0) FROM ${det} AS d WHERE ${tkeys.length ? on('d', 't', tkeys) : 'TRUE'}) AS somme_detail
        FROM (SELECT ${tkeys.length ? tkeys.join(', ') + ', ' : ''}sum(montant) AS montant_publie FROM tot_ext_raw ${tkeys.length ? 'GROUP BY ALL' : ''}) AS t)`,
    );
    parts.push(`${totalRow(`'${p.totalsOf === 'voted' ? 'vote' : 'realise'} (totaux publiés)'`)} FROM tot_ext AS t WHERE abs(t.montant_publie - t.somme_detail) > ${tol}`);
  }

  return `WITH ${ctes.join(',\n')}\nSELECT * FROM (\n${parts.join('\nUNION ALL\n')}\n) ORDER BY annee NULLS FIRST, section NULLS FIRST, sens NULLS FIRST, chapitre NULLS FIRST, fonction NULLS FIRST, nature NULLS FIRST, portee, flag NULLS FIRST`;
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
    // Lines appear once per flag: totals are taken over distinct lines, expenditure and revenue apart.
    const tot = await ctx.engine.query(
      `SELECT sens, CAST(sum(credits) AS DOUBLE), CAST(sum(execute) AS DOUBLE) FROM (SELECT DISTINCT annee, section, sens, type_operation, chapitre, fonction, nature, credits, execute FROM ${t} WHERE portee = 'ligne') WHERE sens IN ('D', 'R') GROUP BY sens`,
    );
    const bySens = (k: string) => tot.rows.find((r) => r[0] === k);
    const credits = Number(bySens('D')?.[1] ?? 0);
    const exec = Number(bySens('D')?.[2] ?? 0);
    const rate = credits ? exec / credits : null;
    const revCredits = Number(bySens('R')?.[1] ?? 0);
    const revExec = Number(bySens('R')?.[2] ?? 0);
    const overruns = await ctx.engine.query(
      `SELECT annee, chapitre, CAST(ecart AS DOUBLE) FROM ${t} WHERE flag = 'depassement_chapitre' ORDER BY ecart DESC LIMIT 3`,
    );
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const levelFr = { section: 'la section', chapter: 'le chapitre', function: 'la fonction', nature: 'la nature' }[p.level];
    const flagText = RECONCILE_FLAGS.filter((f) => flags[f]).map((f) => `${f} : ${count(flags[f])}`).join(', ');
    const overrunText = overruns.rows.length
      ? ` Dépassements de chapitre : ${overruns.rows.map(([y, c, e]) => `chapitre ${c} en ${y} (${euros(Number(e))})`).join(', ')}.`
      : ' Aucun chapitre exécuté au-delà de ses crédits.';
    const warnings = [...voted.warnings, ...executed.warnings, ...(totals?.warnings ?? [])];
    return {
      table,
      sql: [sql],
      inputs: [inputOf(ctx, voted.table.name), inputOf(ctx, executed.table.name), ...(totals ? [inputOf(ctx, totals.table.name)] : [])],
      summary:
        `Rapprochement du budget voté (« ${voted.table.name} ») et du réalisé (« ${executed.table.name} ») par ${levelFr} : ` +
        `dépenses : ${euros(credits)} de crédits ouverts (BP + BS + DM), ${euros(exec)} réalisés, taux d'exécution ${percent(rate)} ; ` +
        `recettes : ${euros(revCredits)} prévus, ${euros(revExec)} réalisés (${percent(revCredits ? revExec / revCredits : null)}). ` +
        `${n ? `${plural(n, 'signal', 'signaux')} — ${flagText}.` : 'Aucun signal.'}${overrunText}` +
        (warnings.length ? ' ' + warnings.join(' ') : ''),
      detail: {
        level: p.level,
        flags,
        credits,
        executed: exec,
        rate,
        revenue: { credits: revCredits, executed: revExec },
        mappings: { voted: voted.mapping, executed: executed.mapping, ...(totals ? { totals: totals.mapping } : {}) },
        proposed: { voted: voted.proposed, executed: executed.proposed },
        warnings,
      },
    };
  },
});
