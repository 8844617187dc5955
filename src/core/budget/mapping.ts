// Budget files come with many spellings of the same M57 columns (« Exercice », « Sens », « Type
// d'opération », « Montant voté », « Mandaté »…) and of the same codes (« 011 », 11, 11.0; « F »,
// « Fonctionnement »). Everything budget-related reads a source through one canonical view built
// here, so the reconciliation never depends on how a portal spelled a header or typed a column.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { createResultTable, inputOf, OperationError, registerOperation, requireTable, type OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { integerBits, isNumericType, isTemporalType, isTextType } from '../sql/types.ts';
import { count } from './format.ts';
import { TREE_LEVELS } from './tree.ts';

/** The canonical budget fields, in the order of the normalised view. */
export const BUDGET_FIELDS = [
  'year',
  'stage',
  'section',
  'flow',
  'opType',
  'chapter',
  'nature',
  'function',
  'direction',
  'amount',
] as const;
export type BudgetField = (typeof BUDGET_FIELDS)[number];

/** Column names (SQL names, as in the catalog) of a source table for each canonical field. */
export const BudgetMapping = z
  .object({
    year: z.string().max(1000).optional().describe("Colonne de l'exercice (année)"),
    stage: z.string().max(1000).optional().describe('Colonne de l’étape budgétaire (BP, BS, DM, CA)'),
    section: z.string().max(1000).optional().describe('Colonne de la section (investissement / fonctionnement)'),
    flow: z.string().max(1000).optional().describe('Colonne du sens (dépense / recette)'),
    opType: z.string().max(1000).optional().describe("Colonne du type d'opération (réel / ordre / mixte)"),
    chapter: z.string().max(1000).optional().describe('Colonne du chapitre (niveau de vote)'),
    nature: z.string().max(1000).optional().describe('Colonne de la nature (compte)'),
    function: z.string().max(1000).optional().describe('Colonne de la fonction'),
    direction: z.string().max(1000).optional().describe('Colonne de la direction gestionnaire'),
    amount: z.string().max(1000).describe('Colonne du montant (crédits votés ou réalisés)'),
  })
  .strict();
export type BudgetMapping = z.infer<typeof BudgetMapping>;

/** Which amount a table carries: credits (voted budget) or execution (administrative account). */
export type BudgetRole = 'voted' | 'executed';

export interface MappingProposal {
  /** Null when no amount column could be found: the table cannot be used as a budget without help. */
  mapping: BudgetMapping | null;
  /** For each field found: the column, why it was chosen and how sure we are (0–1). */
  evidence: Partial<Record<BudgetField, { column: string; label: string; by: 'label' | 'values'; score: number }>>;
  /** Fields with no column. */
  missing: BudgetField[];
}

/** Lower case, no accents, words separated by one space: « Type d'opération » → « type d operation ». */
export function normalizeLabel(label: string): string {
  return label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

type LabelRule = [RegExp, number];

// Order matters only through the scores: « Nature de l'opération » is an operation type (0.95), not
// a nature (a nature label must not carry « operation »/« budget »); « Chapitre » alone beats
// « Chapitre fonctionnel », which Paris publishes beside the nature chapter.
const LABEL_RULES: Record<BudgetField, LabelRule[]> = {
  year: [
    [/^(exercice|annee|millesime|year)( budgetaire| comptable)?$/, 1],
    [/\b(exercice|annee)\b/, 0.7],
  ],
  stage: [
    [/^(etape|stade|phase)( budgetaire| du budget| budget)?$/, 1],
    [/^(type|nature) (de |du )?budget$/, 0.8],
    [/\b(etape|stade)\b/, 0.6],
  ],
  section: [
    [/^section( budgetaire)?$/, 1],
    [/\bsection\b/, 0.7],
  ],
  flow: [
    [/^(sens|sens budgetaire|depense recette|depenses recettes|sens de l operation|type de flux|flux)$/, 1],
    [/^sens\b/, 0.8],
  ],
  opType: [
    [/^(type|nature|categorie) (d |de l |des )?operations?$/, 0.95],
    [/^(reel ordre|reel ou ordre|operation reelle ou d ordre)$/, 0.95],
    // Gironde's « Réel/Ordre id/Ordre diff » (M52 exports): réel, ordre inside a section, ordre between sections.
    [/^reel ordre\b/, 0.9],
    [/\boperations?\b.*\b(reel|ordre)|\b(reel|ordre)\b.*\boperations?\b/, 0.6],
  ],
  chapter: [
    [/^(chapitre|code chapitre|chapitre budgetaire|chapitre nature|chapitre par nature)$/, 1],
    [/^(code )?chapitre\b(?!.*fonction)/, 0.8],
    [/^chapitre fonctionnel$/, 0.4],
  ],
  nature: [
    [/^(nature|code nature|compte|nature comptable|article|compte nature|compte par nature)$/, 1],
    [/^(code )?(nature|compte)\b(?!.*(operation|budget))/, 0.7],
  ],
  function: [
    [/^(fonction|code fonction|sous fonction|rubrique|rubrique fonctionnelle)$/, 1],
    [/^(code )?(fonction|rubrique)\b/, 0.7],
  ],
  direction: [
    [/^(direction|code direction|direction gestionnaire|service gestionnaire|service)$/, 1],
    [/^(code )?direction\b/, 0.7],
  ],
  amount: [],
};

const VOTED_AMOUNT: LabelRule[] = [
  [/^(montant vote|credits votes|credits ouverts|montant des credits|montant du vote|vote)$/, 1],
  [/\b(vote|votes|credits|ouverts|prevu|prevision|previsions|inscrit|inscrits)\b/, 0.8],
];
const EXECUTED_AMOUNT: LabelRule[] = [
  [
    /^(mandate|titre|realise|montant realise|montant mandate|montant titre|execute|montant execute|mandats emis|titres emis|realisations?)$/,
    1,
  ],
  [/\b(mandate|mandates|titre|titres|realise|realises|realisation|realisations|execute|emis|execution)\b/, 0.8],
];
const ANY_AMOUNT: LabelRule[] = [
  [/^(montant|montants|montant en euros|montant eur|valeur|somme)$/, 0.6],
  [/\bmontant\b/, 0.5],
];

function labelScore(rules: LabelRule[], label: string): number {
  let best = 0;
  for (const [re, score] of rules) if (re.test(label) && score > best) best = score;
  return best;
}

/** Sample values are compared without accents and case. */
function clean(v: unknown): string {
  return String(v ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .trim();
}

/** How well the values look like a field (0 when they don't), for columns whose header says nothing. */
function valueScore(field: BudgetField, values: readonly unknown[], type: string): number {
  const vs = values.filter((v) => v !== null && v !== undefined && String(v).trim() !== '').map(clean);
  if (!vs.length) return 0;
  const all = (re: RegExp) => vs.every((v) => re.test(v));
  switch (field) {
    case 'year':
      return all(/^\d{4}(\.0+)?$/) && vs.every((v) => Number(v) >= 2000 && Number(v) <= 2100) ? 0.6 : 0;
    case 'section':
      return all(/^(I|F|INV\w*|FONC\w*)$/) ? 0.6 : 0;
    case 'flow':
      // R alone is also « réel »: only D/R sets that show a D, or words, are a flow.
      return all(/^(D|R|DEPENSES?|RECETTES?)$/) && vs.some((v) => v.startsWith('D')) ? 0.6 : 0;
    case 'opType':
      return all(/^(REEL(LE)?S?|ORDRES?|MIXTES?|O|M|R|OR|OE|OI)$/) && vs.some((v) => /^(O|ORDRE|M|MIXTE)/.test(v)) ? 0.6 : 0;
    case 'stage':
      return all(/^(BP|BS|DM\d*|CA|CFU|BUDGET PRIMITIF|BUDGET SUPPLEMENTAIRE|DECISION MODIFICATIVE.*|COMPTE ADMINISTRATIF)$/) ? 0.6 : 0;
    case 'chapter':
      // Chapters: 2–3 digit codes, some with a leading zero (011, 012, 040), or composite (904-4).
      return all(/^C?\d{2,3}(-\d+)?$/) && vs.some((v) => /^C?0/.test(v)) ? 0.5 : 0;
    case 'amount':
      // An 8- or 16-bit integer cannot hold a budget's amounts: a code or a count.
      return isNumericType(type) && (integerBits(type) ?? Infinity) > 16 ? 0.3 : 0;
    default:
      return 0;
  }
}

/**
 * Proposes which column of `table` holds each canonical field: first by header (labels like
 * « Exercice », « Sens », « Mandaté », accents and case ignored), then, for columns whose header says
 * nothing, by their values (`sampleValues`: a few distinct values per column name).
 */
export function proposeMapping(
  table: TableEntry,
  sampleValues?: Readonly<Record<string, readonly unknown[]>>,
  role: BudgetRole = 'voted',
): MappingProposal {
  const amountRules = role === 'voted' ? [...VOTED_AMOUNT, ...ANY_AMOUNT] : [...EXECUTED_AMOUNT, ...ANY_AMOUNT];
  const otherAmount = role === 'voted' ? EXECUTED_AMOUNT : VOTED_AMOUNT;
  const candidates: { field: BudgetField; column: string; label: string; by: 'label' | 'values'; score: number }[] = [];
  for (const col of table.columns) {
    const label = normalizeLabel(col.label || col.name);
    for (const field of BUDGET_FIELDS) {
      let score = field === 'amount' ? labelScore(amountRules, label) : labelScore(LABEL_RULES[field], label);
      // An amount column must be a number (or text that may hold decimal commas).
      if (field === 'amount' && score > 0 && !isNumericType(col.type) && !isTextType(col.type)) score = 0;
      if (field === 'amount' && labelScore(otherAmount, label) >= 1) score = 0;
      if (score > 0) candidates.push({ field, column: col.name, label: col.label, by: 'label', score });
      else if (sampleValues?.[col.name]) {
        const v = valueScore(field, sampleValues[col.name]!, col.type);
        if (v > 0) candidates.push({ field, column: col.name, label: col.label, by: 'values', score: v });
      }
    }
  }
  // Greedy: best scores first, one column per field and one field per column.
  candidates.sort((a, b) => b.score - a.score);
  const evidence: MappingProposal['evidence'] = {};
  const used = new Set<string>();
  for (const c of candidates) {
    if (evidence[c.field] || used.has(c.column)) continue;
    evidence[c.field] = { column: c.column, label: c.label, by: c.by, score: c.score };
    used.add(c.column);
  }
  const missing = BUDGET_FIELDS.filter((f) => !evidence[f]);
  if (!evidence.amount) return { mapping: null, evidence, missing };
  const mapping: BudgetMapping = { amount: evidence.amount.column };
  for (const f of BUDGET_FIELDS) if (f !== 'amount' && evidence[f]) mapping[f] = evidence[f]!.column;
  return { mapping, evidence, missing };
}

/** A few distinct values of every column, as text, for `proposeMapping` (small: read into JS on purpose). */
export async function sampleColumnValues(engine: Engine, table: TableEntry, n = 20): Promise<Record<string, string[]>> {
  if (!table.columns.length) return {};
  const parts = table.columns.map(
    (c, i) =>
      `(SELECT ${i} AS i, v FROM (SELECT DISTINCT CAST(${quoteIdent(c.name)} AS VARCHAR) AS v FROM ${quoteIdent(table.name)} WHERE ${quoteIdent(c.name)} IS NOT NULL LIMIT ${n}))`,
  );
  const r = await engine.query(parts.join(' UNION ALL '));
  const out: Record<string, string[]> = Object.fromEntries(table.columns.map((c) => [c.name, []]));
  for (const [i, v] of r.rows) out[table.columns[Number(i)]!.name]!.push(String(v));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Code normalisation, in SQL.

/**
 * The letter some exports put before every code of a column to say which column it is: Gironde's M52
 * files write « C042 » (chapitre), « A2748 » (article), « R0202 » (rubrique fonctionnelle) — and
 * « C001 » for the département, « B00 » for the budget, which are not budget codes here. No M14, M52
 * or M57 chapter, nature or function starts with a letter, so the letter of its own column followed
 * by a digit is a marker and is dropped; any other letter is kept, and shows up as an unknown code.
 */
export const CODE_PREFIX = { chapter: 'C', nature: 'A', function: 'R' } as const satisfies Partial<Record<BudgetField, string>>;

/** Text of a code: trimmed (fixed-width exports pad codes with spaces), the column's letter marker dropped, « 11.0 » (a code read as a number) back to « 11 ». */
export function codeSql(expr: string, prefix?: string): string {
  let t = `trim(CAST(${expr} AS VARCHAR))`;
  if (prefix) t = `regexp_replace(${t}, '^${prefix}\\s*(\\d)', '\\1')`;
  return `nullif(regexp_replace(${t}, '^(\\d+)\\.0+$', '\\1'), '')`;
}

/** Accents and case removed, for comparing labels. */
function keySql(expr: string): string {
  return `upper(strip_accents(trim(CAST(${expr} AS VARCHAR))))`;
}

/** « Fonctionnement », « FONCT. », « F » → F; « Investissement », « I » → I; anything else kept as is (upper case). */
export function sectionSql(expr: string): string {
  const k = keySql(expr);
  return `CASE WHEN ${k} IN ('F', 'FCT') OR ${k} LIKE 'FONC%' THEN 'F' WHEN ${k} IN ('I', 'INV') OR ${k} LIKE 'INVEST%' THEN 'I' ELSE nullif(${k}, '') END`;
}

/** « Dépense(s) », « DEP », « D » → D; « Recette(s) », « REC », « R » → R. */
export function flowSql(expr: string): string {
  const k = keySql(expr);
  return `CASE WHEN ${k} = 'D' OR ${k} LIKE 'DEP%' THEN 'D' WHEN ${k} = 'R' OR ${k} LIKE 'REC%' THEN 'R' ELSE nullif(${k}, '') END`;
}

/**
 * « Réel(le)(s) », « R » → R; « Ordre », « Opérations d'ordre », « O » → O; « Mixte », « M » → M.
 * Gironde's M52 column « Réel/Ordre id/Ordre diff » holds OR (réel: its lines are on 011, 012, 65…),
 * OI (ordre inside a section: only chapter 041) and OE (ordre between sections: only 040 and 042).
 */
export function opTypeSql(expr: string): string {
  const k = keySql(expr);
  return `CASE WHEN ${k} IN ('R', 'OR') OR ${k} LIKE 'REEL%' OR ${k} LIKE '%REELLE%' THEN 'R' WHEN ${k} IN ('O', 'OI', 'OE') OR ${k} LIKE '%ORDRE%' THEN 'O' WHEN ${k} = 'M' OR ${k} LIKE 'MIXTE%' THEN 'M' ELSE nullif(${k}, '') END`;
}

/** « Budget primitif » → BP, « Budget supplémentaire » → BS, « DM2 », « Décision modificative » → DM, « Compte administratif », CFU → CA. */
export function stageSql(expr: string): string {
  const k = keySql(expr);
  return `CASE WHEN ${k} = 'BP' OR ${k} LIKE 'BUDGET PRIMITIF%' THEN 'BP'
    WHEN ${k} = 'BS' OR ${k} LIKE 'BUDGET SUPPLEMENTAIRE%' THEN 'BS'
    WHEN ${k} LIKE 'DM%' OR ${k} LIKE 'DECISION%MODIFICATIVE%' THEN 'DM'
    WHEN ${k} IN ('CA', 'CFU') OR ${k} LIKE 'COMPTE%' THEN 'CA'
    ELSE nullif(${k}, '') END`;
}

/**
 * A chapter code. Text codes are kept as they are (« 011 », « 904-4 »). A chapter read as a number
 * has lost its leading zero: M57 has no chapter 11, 12, 14, 15, 17, 24, 40–43 so those take their
 * zero back; 13, 16, 21 and 23 exist both ways and are told apart by the section and the flow
 * (013 and 016 are operating, 021 is investment revenue from the 023 transfer, 023 is operating).
 */
export function chapterSql(expr: string, section: string, flow: string, opType: string): string {
  const c = codeSql(expr, CODE_PREFIX.chapter);
  return `CASE
    WHEN ${c} IN ('11', '12', '14', '15', '17', '24', '40', '41', '42', '43') THEN '0' || ${c}
    WHEN ${c} IN ('13', '16') AND ${section} = 'F' THEN '0' || ${c}
    WHEN ${c} = '23' AND ${section} = 'F' THEN '023'
    WHEN ${c} = '21' AND ${flow} = 'R' AND ${opType} = 'O' THEN '021'
    ELSE ${c} END`;
}

/** An amount as an exact DECIMAL: numbers as they are, text with a decimal comma and spaces too. */
export function amountSql(expr: string, type: string): string {
  if (isNumericType(type)) return `CAST(${expr} AS DECIMAL(38, 2))`;
  const t = `regexp_replace(trim(CAST(${expr} AS VARCHAR)), '[\\s\\x{00A0}\\x{202F}€]', '', 'g')`;
  // « 1.234,56 » (dots as thousands) and « 1234,56 »: drop dots only when a comma is there too.
  return `TRY_CAST(CASE WHEN ${t} LIKE '%,%' THEN replace(replace(${t}, '.', ''), ',', '.') ELSE ${t} END AS DECIMAL(38, 2))`;
}

/** A year from a number, a date, or text holding one (« 2022 », « 2022.0 », « Exercice 2022 »). */
export function yearSql(expr: string, type: string): string {
  if (isTemporalType(type)) return `CAST(year(${expr}) AS INTEGER)`;
  return `TRY_CAST(regexp_extract(CAST(${expr} AS VARCHAR), '(19|20|21)\\d\\d', 0) AS INTEGER)`;
}

/**
 * SELECT giving a source table in the canonical shape: annee, etape, section (I/F), sens (D/R),
 * type_operation (R/O/M), chapitre, nature, fonction, direction (text codes), montant (DECIMAL),
 * est_total (a published total line: « Total » in a code column, or a chapter line with no nature
 * when other lines of the table have one) and ligne_source (row number in the source, for evidence).
 */
export function budgetSelectSql(table: TableEntry, mapping: BudgetMapping): string {
  const col = (f: BudgetField) => {
    const name = mapping[f];
    if (name === undefined) return null;
    const c = table.columns.find((x) => x.name === name);
    if (!c) throw new OperationError(`Colonne inconnue dans « ${table.name} » : « ${name} » (champ ${f})`);
    return { sql: `src.${quoteIdent(c.name)}`, type: c.type };
  };
  const f = Object.fromEntries(BUDGET_FIELDS.map((k) => [k, col(k)])) as Record<BudgetField, { sql: string; type: string } | null>;
  const section = f.section ? sectionSql(f.section.sql) : 'CAST(NULL AS VARCHAR)';
  const flow = f.flow ? flowSql(f.flow.sql) : 'CAST(NULL AS VARCHAR)';
  const opType = f.opType ? opTypeSql(f.opType.sql) : 'CAST(NULL AS VARCHAR)';
  const textCols = (['chapter', 'nature', 'function', 'direction'] as const)
    .filter((k) => f[k])
    .map((k) => `CAST(${f[k]!.sql} AS VARCHAR)`);
  const totalWord = textCols.length
    ? `(${textCols.map((c) => `coalesce(upper(strip_accents(${c})) LIKE '%TOTAL%', FALSE)`).join(' OR ')})`
    : 'FALSE';
  // A line with a chapter but no nature is a chapter total only where the same chapter also has lines with a nature.
  const part = [f.chapter, f.year, f.section, f.flow, f.stage]
    .filter((x) => x)
    .map((x) => x!.sql)
    .join(', ');
  const missingNature =
    f.nature && f.chapter
      ? `(${codeSql(f.nature.sql)} IS NULL AND ${codeSql(f.chapter.sql)} IS NOT NULL AND count(${codeSql(f.nature.sql)}) OVER (PARTITION BY ${part}) > 0)`
      : 'FALSE';
  return `SELECT
    ${f.year ? yearSql(f.year.sql, f.year.type) : 'CAST(NULL AS INTEGER)'} AS annee,
    ${f.stage ? stageSql(f.stage.sql) : 'CAST(NULL AS VARCHAR)'} AS etape,
    ${section} AS section,
    ${flow} AS sens,
    ${opType} AS type_operation,
    ${f.chapter ? chapterSql(f.chapter.sql, section, flow, opType) : 'CAST(NULL AS VARCHAR)'} AS chapitre,
    ${f.nature ? codeSql(f.nature.sql, CODE_PREFIX.nature) : 'CAST(NULL AS VARCHAR)'} AS nature,
    ${f.function ? codeSql(f.function.sql, CODE_PREFIX.function) : 'CAST(NULL AS VARCHAR)'} AS fonction,
    ${f.direction ? codeSql(f.direction.sql) : 'CAST(NULL AS VARCHAR)'} AS direction,
    ${amountSql(f.amount!.sql, f.amount!.type)} AS montant,
    (${totalWord} OR ${missingNature}) AS est_total,
    row_number() OVER () AS ligne_source
  FROM ${quoteIdent(table.name)} AS src`;
}

/** What reading one column as a canonical field changed: the rules that applied and a few of the values they changed. */
export interface CodeNormalisation {
  field: BudgetField;
  column: string;
  label: string;
  /** Distinct source values changed, and the lines that carry them. */
  values: number;
  rows: number;
  /** « préfixe C retiré », « espaces retirés », « zéro de tête rétabli », « libellé ramené au code ». */
  rules: string[];
  /** Up to `examples` changed values, the most frequent first: as in the source (spaces shown as ␣), and as read. */
  examples: { from: string; to: string; rows: number }[];
}

const NORMALISED_FIELDS = ['stage', 'section', 'flow', 'opType', 'chapter', 'nature', 'function'] as const;

/** The source value as a reader can compare it: padding spaces made visible. */
export function showRaw(v: string): string {
  return v.replace(/^ +| +$/g, (m) => '␣'.repeat(m.length));
}

function rulesOf(field: BudgetField, from: string, to: string | null): string[] {
  const out: string[] = [];
  const t = from.trim();
  if (t !== from) out.push('espaces retirés');
  const prefix = (CODE_PREFIX as Partial<Record<BudgetField, string>>)[field];
  let rest = t;
  if (prefix && new RegExp(`^${prefix}\\s*\\d`).test(t)) {
    out.push(`préfixe ${prefix} retiré`);
    rest = t.slice(1).trim();
  }
  if (/^\d+\.0+$/.test(rest)) {
    out.push('« .0 » retiré');
    rest = rest.replace(/\.0+$/, '');
  }
  const words: Partial<Record<BudgetField, string>> = {
    opType: 'ramené à R (réel), O (ordre) ou M (mixte)',
    section: 'ramené à I ou F',
    flow: 'ramené à D ou R',
    stage: 'ramené à BP, BS, DM ou CA',
  };
  if (to !== null && to !== rest) out.push(to === '0' + rest ? 'zéro de tête rétabli' : (words[field] ?? 'libellé ramené au code'));
  if (to === null) out.push('valeur vide');
  return out;
}

/**
 * What `budgetSelectSql` does to each mapped code column of `table`, read from the data: every
 * distinct source value it changes, counted, with its rules (« C042 » → « 042 »: préfixe C retiré).
 * Shown in the mapping so that a reader sees the codes were read, not silently rewritten. The columns
 * are grouped on their raw values (a hash aggregate per column), so this stays cheap on large tables.
 */
export async function codeNormalisations(
  engine: Engine,
  table: TableEntry,
  mapping: BudgetMapping,
  examples = 5,
): Promise<CodeNormalisation[]> {
  const colOf = (f: BudgetField) => (mapping[f] === undefined ? undefined : table.columns.find((c) => c.name === mapping[f]));
  const expr = (f: BudgetField) => (colOf(f) ? `src.${quoteIdent(colOf(f)!.name)}` : 'CAST(NULL AS VARCHAR)');
  const section = colOf('section') ? sectionSql(expr('section')) : 'CAST(NULL AS VARCHAR)';
  const flow = colOf('flow') ? flowSql(expr('flow')) : 'CAST(NULL AS VARCHAR)';
  const opType = colOf('opType') ? opTypeSql(expr('opType')) : 'CAST(NULL AS VARCHAR)';
  const sqlOf: Record<(typeof NORMALISED_FIELDS)[number], (e: string) => string> = {
    stage: stageSql,
    section: sectionSql,
    flow: flowSql,
    opType: opTypeSql,
    chapter: (e) => chapterSql(e, section, flow, opType),
    nature: (e) => codeSql(e, CODE_PREFIX.nature),
    function: (e) => codeSql(e, CODE_PREFIX.function),
  };
  const fields = NORMALISED_FIELDS.filter((f) => colOf(f));
  if (!fields.length) return [];
  // One scan: the raw values are counted first (the chapter with the columns its reading depends on),
  // and each rule then runs once per distinct value, never once per line.
  const raw = [...new Set(fields.map((f) => colOf(f)!.name))];
  const chapterSet = ['stage', 'section', 'flow', 'opType', 'chapter']
    .map((f) => colOf(f as BudgetField)?.name)
    .filter((x): x is string => !!x);
  const sets = [
    chapterSet,
    ...[...new Set([colOf('nature')?.name, colOf('function')?.name])]
      .filter((x): x is string => !!x && !chapterSet.includes(x))
      .map((x) => [x]),
  ];
  const counted = `__loupe_codes`;
  const parts = fields.map(
    (f, i) =>
      `(SELECT ${i} AS i, raw, norm, sum(n) AS n FROM (SELECT CAST(${expr(f)} AS VARCHAR) AS raw, ${sqlOf[f](expr(f))} AS norm, src.__n AS n
      FROM ${counted} AS src WHERE ${sets.findIndex((g) => g.includes(colOf(f)!.name))} = src.__set) WHERE raw IS NOT NULL AND raw IS DISTINCT FROM norm GROUP BY ALL)`,
  );
  const setOf =
    sets.length > 1 ? `CASE ${sets.map((g, k) => `WHEN grouping(${g.map(quoteIdent).join(', ')}) = 0 THEN ${k}`).join(' ')} END` : '0';
  const r = await engine.query(
    `WITH ${counted} AS (SELECT ${raw.map(quoteIdent).join(', ')}, ${setOf} AS __set, count(*) AS __n FROM ${quoteIdent(table.name)}
       GROUP BY ${sets.length > 1 ? `GROUPING SETS (${sets.map((g) => `(${g.map(quoteIdent).join(', ')})`).join(', ')})` : raw.map(quoteIdent).join(', ')})
     SELECT i, raw, norm, CAST(n AS BIGINT) FROM (${parts.join(' UNION ALL ')}) ORDER BY i, n DESC, raw`,
  );
  const out: CodeNormalisation[] = [];
  for (const [i, raw, norm, n] of r.rows) {
    const f = fields[Number(i)]!;
    let entry = out.find((x) => x.field === f);
    if (!entry) {
      const c = colOf(f)!;
      entry = { field: f, column: c.name, label: c.label || c.name, values: 0, rows: 0, rules: [], examples: [] };
      out.push(entry);
    }
    const from = String(raw);
    const to = norm === null ? null : String(norm);
    entry.values += 1;
    entry.rows += Number(n);
    for (const rule of rulesOf(f, from, to)) if (!entry.rules.includes(rule)) entry.rules.push(rule);
    if (entry.examples.length < examples) entry.examples.push({ from: showRaw(from), to: to ?? '∅', rows: Number(n) });
  }
  return out;
}

const FIELD_FR: Record<BudgetField, string> = {
  year: 'exercice',
  stage: 'étape',
  section: 'section',
  flow: 'sens',
  opType: "type d'opération",
  chapter: 'chapitre',
  nature: 'nature',
  function: 'fonction',
  direction: 'direction',
  amount: 'montant',
};

/**
 * Worth a line in a summary: a code column whose values were rewritten (a prefix, padding, a lost
 * zero), or short codes read as a type (« OR » → « R »). Words brought to their code (« Réel » → « R »,
 * « Fonctionnement » → « F ») surprise no one and stay in the detail.
 */
export function notableNormalisation(n: CodeNormalisation): boolean {
  if (!['opType', 'chapter', 'nature', 'function'].includes(n.field)) return false;
  return n.rules.some((r) => !r.startsWith('ramené') && r !== 'libellé ramené au code') || n.examples.some((e) => e.from.length <= 3);
}

/** « chapitre (« Chapitre ») : 33 valeurs sur 1 273 lignes, préfixe C retiré, espaces retirés — « C042 » → « 042 », … ». */
export function normalisationText(n: CodeNormalisation, examples = 3): string {
  return (
    `${FIELD_FR[n.field]} (« ${n.label} ») : ${count(n.values)} valeur${n.values > 1 ? 's' : ''} sur ${count(n.rows)} ligne${n.rows > 1 ? 's' : ''}, ${n.rules.join(', ')} — ` +
    n.examples
      .slice(0, examples)
      .map((e) => `« ${e.from} » → « ${e.to} »`)
      .join(', ') +
    (n.values > examples ? '…' : '')
  );
}

/** Source columns mapped to codes but typed as numbers: their leading zeros may be lost (fonction 01 → 1). */
export function numericCodeWarnings(table: TableEntry, mapping: BudgetMapping): string[] {
  const out: string[] = [];
  for (const f of ['function', 'nature', 'direction'] as const) {
    const c = table.columns.find((x) => x.name === mapping[f]);
    if (c && isNumericType(c.type)) {
      out.push(
        `La colonne « ${c.label} » de « ${table.name} » a été lue comme un nombre : ses zéros de tête (ex. fonction 01, 020) ne peuvent pas être rétablis avec certitude ; réimportez-la en texte.`,
      );
    }
  }
  return out;
}

/** A table and its mapping, given explicitly or proposed from its headers and values. */
export const BudgetSource = z
  .object({
    table: z.string().min(1).max(1000).describe('Nom de la table dans le projet'),
    mapping: BudgetMapping.optional().describe('Correspondance des colonnes ; proposée automatiquement si absente'),
  })
  .strict();
export type BudgetSource = z.infer<typeof BudgetSource>;

/** The level two budgets are set side by side at: section, then chapter, function and nature each add a code to the key. */
export function budgetLevelParam(description: string) {
  return z.enum(TREE_LEVELS).default('chapter').describe(description);
}

/** The flows looked at: D (dépenses), R (recettes). */
export function budgetFlowsParam(byDefault: ('D' | 'R')[], description: string) {
  return z
    .array(z.enum(['D', 'R']))
    .min(1)
    .default(byDefault)
    .describe(description);
}

/** Resolves a source's mapping (given or proposed) and fails in French when no amount column is found. */
export async function resolveBudgetSource(
  ctx: OperationContext,
  src: BudgetSource,
  role: BudgetRole,
): Promise<{ table: TableEntry; mapping: BudgetMapping; proposed: boolean; warnings: string[] }> {
  const table = requireTable(ctx, src.table);
  let mapping = src.mapping;
  let proposed = false;
  if (!mapping) {
    const p = proposeMapping(table, await sampleColumnValues(ctx.engine, table), role);
    if (!p.mapping) {
      throw new OperationError(
        `Impossible de reconnaître la colonne des montants dans « ${table.name} » : indiquez la correspondance des colonnes (paramètre mapping).`,
        p,
      );
    }
    mapping = p.mapping;
    proposed = true;
  }
  return { table, mapping, proposed, warnings: numericCodeWarnings(table, mapping) };
}

const MapParams = z
  .object({
    table: z.string().min(1).max(1000).describe('Nom de la table budgétaire à normaliser'),
    mapping: BudgetMapping.optional().describe('Correspondance des colonnes ; proposée automatiquement si absente'),
    role: z.enum(['voted', 'executed']).default('voted').describe('voted : crédits votés ; executed : réalisé (compte administratif)'),
  })
  .strict();

export const budgetMap = registerOperation({
  id: 'budget-map',
  kind: 'budget',
  description: 'Normalise une table budgétaire M57 (exercice, étape, section, sens, type, chapitre, nature, fonction, direction, montant)',
  params: MapParams,
  async run(ctx, params) {
    const src = await resolveBudgetSource(
      ctx,
      { table: params.table, ...(params.mapping ? { mapping: params.mapping } : {}) },
      params.role,
    );
    const select = budgetSelectSql(src.table, src.mapping);
    const { table, sql } = await createResultTable(ctx, 'budget-map', select);
    const r = await ctx.engine.query(
      `SELECT count(*), count(*) FILTER (WHERE montant IS NULL), count(*) FILTER (WHERE est_total) FROM ${quoteIdent(table)}`,
    );
    const [n, noAmount, totals] = (r.rows[0] ?? []).map(Number) as [number, number, number];
    const mapped = Object.entries(src.mapping)
      .map(([k, v]) => `${k} ← ${v}`)
      .join(', ');
    const normalisations = await codeNormalisations(ctx.engine, src.table, src.mapping);
    return {
      table,
      sql: [sql],
      inputs: [inputOf(ctx, src.table.name)],
      summary:
        `Table « ${src.table.name} » normalisée : ${count(n)} lignes, dont ${count(totals)} lignes de total et ${count(noAmount)} sans montant lisible. ` +
        `Correspondance ${src.proposed ? 'proposée automatiquement' : 'fournie'} : ${mapped}.` +
        (normalisations.length
          ? ` Codes lus : ${normalisations.map((x) => normalisationText(x)).join(' ; ')}.`
          : ' Aucun code modifié à la lecture.') +
        (src.warnings.length ? ' ' + src.warnings.join(' ') : ''),
      detail: {
        mapping: src.mapping,
        proposed: src.proposed,
        rows: n,
        withoutAmount: noAmount,
        totalLines: totals,
        normalisations,
        warnings: src.warnings,
      },
    };
  },
});
