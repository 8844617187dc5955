// Reconciliation of two tables on key columns: payments against votes, a supplier file against the
// procurement list, last year's beneficiaries against this year's. One result row per key, with a
// status: apparie, apparie_avec_ecarts (listing the compare columns that differ and both values),
// seulement_gauche, seulement_droite. Rules written down because they change the figures:
// - keys are normalised before matching (mode per key: exact, key = trimmed/upper/accent-free text,
//   siret = 14 digits with the zeros a spreadsheet dropped, name = normalizeNameSql); a row whose key
//   is empty matches nothing and is listed on its own (sans_cle_gauche / sans_cle_droite);
// - rows sharing a key on one side are grouped, never multiplied by the other side: the key row
//   carries nb_gauche / nb_droite and a « doublon » flag, amounts are summed per side, and a compare
//   column differs when the sets of values on each side differ (value shown when a side has one);
// - amounts are summed as DECIMAL(38,2).
// The preset « interests-vs-subsidies » matches the organisations named in elected members'
// declarations of interests with subsidy beneficiaries, on normalised names (plus Jaro-Winkler when
// asked), and lists the pairs for a human to review: a matching name is not a conflict of interest.
import { z } from 'zod';
import {
  createResultTable,
  inputOf,
  OperationError,
  registerOperation,
  requireColumn,
  requireTable,
  type OperationContext,
} from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { firstRow, LINE, rowsOf, withLineSql } from './read.ts';
import { fmtEur, fmtInt, plural } from './format.ts';
import { auditOutput, makeResult } from './operation.ts';
import { nameParam, requireNumericColumn, resultParam } from './params.ts';
import { hatvpOrganisationsSql, isHatvpDeclarations } from './hatvp-interests.ts';
import { normalizeKeySql, normalizeNameSql, normalizeSiretSql } from './normalize.ts';
import { isNumericType, isTemporalType } from '../sql/types.ts';

const MODES = ['exact', 'key', 'siret', 'name'] as const;
type Mode = (typeof MODES)[number];

const pair = (what: string, defaultMode: Mode) =>
  z.object({
    left: nameParam.describe(`${what} dans la table de gauche`),
    right: nameParam.describe(`${what} dans la table de droite`),
    mode: z
      .enum(MODES)
      .default(defaultMode)
      .describe(
        'Normalisation avant comparaison : exact (telle quelle), key (espaces, casse et accents ignorés), siret (14 chiffres, zéros de tête rétablis), name (nom normalisé, formes juridiques retirées)',
      ),
  });

export const RECONCILE_PRESETS = ['interests-vs-subsidies'] as const;

export const ReconcileParams = z.object({
  left: nameParam.describe('Table de gauche (par exemple les versements)'),
  right: nameParam.describe('Table de droite (par exemple les votes)'),
  keys: z.array(pair('Colonne de clé', 'key')).min(1).max(10).describe('Colonnes de clé, par paires { left, right, mode }'),
  compare: z
    .array(pair('Colonne à comparer', 'exact'))
    .max(30)
    .default([])
    .describe('Colonnes à comparer sur les clés appariées, par paires { left, right, mode } (mode exact par défaut)'),
  amount: z
    .object({ left: nameParam.optional().describe('Montant à gauche'), right: nameParam.optional().describe('Montant à droite') })
    .optional()
    .describe('Colonnes de montant { left, right } : totaux de chaque côté, par clé et au global'),
  preset: z
    .enum(RECONCILE_PRESETS)
    .optional()
    .describe(
      "Préréglage : « interests-vs-subsidies » rapproche les organismes des déclarations d'intérêts des élus (gauche) et les bénéficiaires de subventions (droite) sur le nom normalisé, pour revue humaine",
    ),
  threshold: z
    .number()
    .min(0.5)
    .max(1)
    .optional()
    .describe(
      'Préréglage interests-vs-subsidies : ajoute les noms proches (Jaro-Winkler ≥ ce seuil) aux noms identiques après normalisation',
    ),
  show: z
    .object({ left: z.array(nameParam).max(10).default([]), right: z.array(nameParam).max(10).default([]) })
    .optional()
    .describe(
      'Préréglage interests-vs-subsidies : colonnes à reprendre dans le résultat (élu, mandat, direction…), valeurs distinctes jointes par « | »',
    ),
  result: resultParam,
});
export type ReconcileParams = z.infer<typeof ReconcileParams>;

export interface ReconcileDetail {
  preset: string | null;
  /** Keys per status (for the preset: name pairs per status). */
  statuses: Record<string, number>;
  rows: { left: number; right: number; leftNoKey: number; rightNoKey: number };
  duplicateKeys: { left: number; leftRows: number; right: number; rightRows: number };
  /** Compare column (left name) → keys where it differs. */
  differences: Record<string, number>;
  amounts: {
    left: number | null;
    right: number | null;
    matchedLeft: number | null;
    matchedRight: number | null;
    onlyLeft: number | null;
    onlyRight: number | null;
  } | null;
}

type Side = 'left' | 'right';

/** A key or compare expression in the given mode, both sides brought to one type for 'exact'. */
function normSql(expr: string, mode: Mode, type: string, otherType: string): string {
  switch (mode) {
    case 'siret':
      return siretKeySql(expr);
    case 'name':
      return normalizeNameSql(expr);
    case 'key':
      // An integral number prints without its decimals, so 2022 (BIGINT) meets 2022.0 (DOUBLE) and 2022.00 (DECIMAL).
      return isNumericType(type)
        ? normalizeKeySql(
            `CASE WHEN ${expr} = trunc(${expr}) THEN CAST(CAST(${expr} AS HUGEINT) AS VARCHAR) ELSE CAST(${expr} AS VARCHAR) END`,
          )
        : normalizeKeySql(expr);
    case 'exact':
      return comparableSql(expr, type, otherType);
  }
}

/**
 * normalizeSiretSql, with a short cut for the common case: a value of digits only is its own digits,
 * so one match replaces the four to six regular expressions of the general rule (on a 1M-row table
 * they were most of the reconciliation's time in duckdb-wasm). Same result for every value.
 */
export function siretKeySql(expr: string): string {
  const s = `CAST(${expr} AS VARCHAR)`;
  return `(CASE WHEN regexp_full_match(${s}, '[0-9]+') THEN (CASE WHEN length(${s}) BETWEEN 10 AND 13 THEN lpad(${s}, 14, '0') ELSE ${s} END) ELSE ${normalizeSiretSql(expr)} END)`;
}

/**
 * A value brought to a type it shares with a column of another type, so that equal values compare
 * equal: numbers as DOUBLE (18750 = 18750.0), dates and timestamps as TIMESTAMP, anything else as text.
 */
export function comparableSql(expr: string, type: string, otherType: string): string {
  if (type === otherType) return expr;
  if (isNumericType(type) && isNumericType(otherType)) return `CAST(${expr} AS DOUBLE)`;
  if (isTemporalType(type) && isTemporalType(otherType)) return `CAST(${expr} AS TIMESTAMP)`;
  return `CAST(${expr} AS VARCHAR)`;
}

function distinctNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = n.toLowerCase();
    const i = (seen.get(k) ?? 0) + 1;
    seen.set(k, i);
    return i === 1 ? n : `${n}_${i}`;
  });
}

function checkColumns(ctx: OperationContext, p: ReconcileParams) {
  requireTable(ctx, p.left);
  requireTable(ctx, p.right);
  const types = (x: { left: string; right: string }) => ({
    left: requireColumn(ctx, p.left, x.left).type,
    right: requireColumn(ctx, p.right, x.right).type,
  });
  const keyTypes = p.keys.map(types);
  const cmpTypes = p.compare.map(types);
  if (p.amount?.left) requireNumericColumn(ctx, p.left, p.amount.left);
  if (p.amount?.right) requireNumericColumn(ctx, p.right, p.amount.right);
  for (const c of p.show?.left ?? []) requireColumn(ctx, p.left, c);
  for (const c of p.show?.right ?? []) requireColumn(ctx, p.right, c);
  return { keyTypes, cmpTypes };
}

const money = (e: string) => `CAST(${e} AS DECIMAL(38, 2))`;

export const reconcile = registerOperation<ReconcileParams, ReconcileDetail>({
  id: 'reconcile',
  kind: 'audit',
  description:
    'Rapprochement de deux tables sur des clés normalisées : appariés, appariés avec écarts, seulement à gauche, seulement à droite, doublons de clé',
  params: ReconcileParams,
  async run(ctx, p) {
    if (p.preset === 'interests-vs-subsidies' && isHatvpDeclarations(ctx.catalog.get(p.left))) return hatvpVsSubsidies(ctx, p);
    const { keyTypes, cmpTypes } = checkColumns(ctx, p);
    if (p.preset === 'interests-vs-subsidies') return interestsVsSubsidies(ctx, p);
    if (p.threshold !== undefined || p.show) {
      throw new OperationError('« threshold » et « show » ne servent qu’avec le préréglage « interests-vs-subsidies »');
    }
    const L = withLineSql(ctx, p.left);
    const R = withLineSql(ctx, p.right);
    const kn = p.keys.map((_, i) => `k${i}`);
    const side = (s: Side) => {
      const other: Side = s === 'left' ? 'right' : 'left';
      const amt = p.amount?.[s];
      return [
        LINE,
        ...p.keys.map((k, i) => `${normSql(quoteIdent(k[s]), k.mode, keyTypes[i]![s], keyTypes[i]![other])} AS k${i}`),
        ...p.compare.map((c, i) => `${normSql(quoteIdent(c[s]), c.mode, cmpTypes[i]![s], cmpTypes[i]![other])} AS c${i}`),
        `${amt ? money(quoteIdent(amt)) : 'NULL::DECIMAL(38, 2)'} AS montant`,
      ].join(', ');
    };
    const hasKey = kn.map((k) => `${k} IS NOT NULL`).join(' AND ');
    // Both sides in one aggregate (one hash table instead of two and a FULL JOIN). Most keys hold one
    // line a side: for them the lists, sets of values and distinct counts are read off that line
    // (`g`); they are aggregated for real (`gm`) only over the keys some side repeats.
    const f = (s: 0 | 1) => `FILTER (WHERE _cote = ${s})`;
    const both = `SELECT 0 AS _cote, * FROM l WHERE ${hasKey} UNION ALL SELECT 1 AS _cote, * FROM r WHERE ${hasKey}`;
    const perSide = (fn: (s: 0 | 1, x: 'l' | 'r') => string[]) => [...fn(0, 'l'), ...fn(1, 'r')];
    const cheap = [
      ...kn,
      ...perSide((s, x) => [
        `count(*) ${f(s)} AS nb_${x}`,
        `min(${LINE}) ${f(s)} AS line_${x}`,
        `sum(montant) ${f(s)} AS m_${x}`,
        ...p.compare.map((_, i) => `any_value(c${i}) ${f(s)} AS a${i}_${x}`),
      ]),
    ].join(', ');
    const repeated = `EXISTS (SELECT 1 FROM g WHERE (g.nb_l > 1 OR g.nb_r > 1) AND ${kn.map((k) => `g.${k} = x.${k}`).join(' AND ')})`;
    const full = [
      ...kn,
      ...perSide((s, x) => [
        `list(${LINE} ORDER BY ${LINE}) ${f(s)} AS lignes_${x}`,
        ...p.compare.flatMap((_, i) => [
          `list_sort(list_distinct(list(c${i}) ${f(s)})) AS s${i}_${x}`,
          `bool_or(c${i} IS NULL) ${f(s)} AS n${i}_${x}`,
          `CASE WHEN count(DISTINCT c${i}) ${f(s)} + max(CASE WHEN c${i} IS NULL THEN 1 ELSE 0 END) ${f(s)} <= 1 THEN any_value(c${i}) ${f(s)} END AS v${i}_${x}`,
        ]),
      ]),
    ].join(', ');
    const common = `${kn.map((k) => `g.${k}`).join(', ')}, g.nb_l, g.nb_r, g.m_l, g.m_r`;
    const single = [
      common,
      `CASE WHEN g.nb_l = 1 THEN [g.line_l] END AS lignes_l`,
      `CASE WHEN g.nb_r = 1 THEN [g.line_r] END AS lignes_r`,
      ...p.compare.flatMap((_, i) => [
        `g.a${i}_l AS v${i}_l`,
        `g.a${i}_r AS v${i}_r`,
        // One line a side: the sets differ exactly when the two values do (NULL against NULL does not).
        `(g.nb_l = 1 AND g.nb_r = 1 AND g.a${i}_l IS DISTINCT FROM g.a${i}_r) AS d${i}`,
      ]),
    ].join(', ');
    const multi = [
      common,
      'gm.lignes_l',
      'gm.lignes_r',
      ...p.compare.flatMap((_, i) => [
        `gm.v${i}_l`,
        `gm.v${i}_r`,
        `(g.nb_l > 0 AND g.nb_r > 0 AND (gm.s${i}_l IS DISTINCT FROM gm.s${i}_r OR gm.n${i}_l IS DISTINCT FROM gm.n${i}_r)) AS d${i}`,
      ]),
    ].join(', ');
    const differs = p.compare.map((_, i) => `gg.d${i}`);
    const outKeys = distinctNames(p.keys.map((k) => `cle_${k.left}`));
    const outCmp = distinctNames(p.compare.flatMap((c) => [`gauche_${c.left}`, `droite_${c.right}`]));
    const outDiff = distinctNames(p.compare.map((c) => `ecart_${c.left}`));
    const ecarts = p.compare.length
      ? `nullif(concat_ws(', ', ${p.compare.map((c, i) => `CASE WHEN ${differs[i]} THEN ${quoteLiteral(c.left)} END`).join(', ')}), '')`
      : 'NULL::VARCHAR';
    const anyDiff = p.compare.length ? differs.join(' OR ') : 'FALSE';
    const withAmounts = !!(p.amount?.left || p.amount?.right);
    const bothAmounts = !!(p.amount?.left && p.amount?.right);
    // Rows without a full key, one result row each, on their own side only (BY NAME fills the rest).
    const noKeyRows = (s: Side, g: string) => {
      const own = s === 'left' ? 'gauche' : 'droite';
      const cols = [
        `'sans_cle_${own}' AS statut`,
        ...kn.map((k, i) => `${k} AS ${quoteIdent(outKeys[i]!)}`),
        `${s === 'left' ? 1 : 0} AS nb_gauche`,
        `${s === 'left' ? 0 : 1} AS nb_droite`,
        `[${LINE}] AS lignes_${own}`,
        ...p.compare.map((_, i) => `c${i} AS ${quoteIdent(outCmp[2 * i + (s === 'left' ? 0 : 1)]!)}`),
        `montant AS montant_${own}`,
        `${LINE} AS _ordre`,
      ];
      return `SELECT ${cols.join(', ')} FROM ${g} WHERE NOT (${hasKey})`;
    };
    const select = `
      WITH l AS (SELECT ${side('left')} FROM ${L}),
      r AS (SELECT ${side('right')} FROM ${R}),
      g AS (SELECT ${cheap} FROM (${both}) GROUP BY ${kn.join(', ')}),
      gm AS (SELECT ${full} FROM (${both}) AS x WHERE ${repeated} GROUP BY ${kn.join(', ')}),
      gg AS (
        SELECT ${single} FROM g WHERE g.nb_l <= 1 AND g.nb_r <= 1
        UNION ALL
        SELECT ${multi} FROM g JOIN gm ON ${kn.map((k) => `gm.${k} = g.${k}`).join(' AND ')}),
      j AS (
        SELECT
          CASE WHEN gg.nb_l = 0 THEN 'seulement_droite' WHEN gg.nb_r = 0 THEN 'seulement_gauche'
               WHEN ${anyDiff} THEN 'apparie_avec_ecarts' ELSE 'apparie' END AS statut,
          ${kn.map((k, i) => `gg.${k} AS ${quoteIdent(outKeys[i]!)}`).join(', ')},
          gg.nb_l AS nb_gauche, gg.nb_r AS nb_droite,
          CASE WHEN gg.nb_l > 1 AND gg.nb_r > 1 THEN 'gauche et droite' WHEN gg.nb_l > 1 THEN 'gauche' WHEN gg.nb_r > 1 THEN 'droite' END AS doublon,
          gg.lignes_l AS lignes_gauche, gg.lignes_r AS lignes_droite,
          ${ecarts} AS colonnes_en_ecart,
          ${p.compare.map((_, i) => `gg.v${i}_l AS ${quoteIdent(outCmp[2 * i]!)}, gg.v${i}_r AS ${quoteIdent(outCmp[2 * i + 1]!)}, coalesce(${differs[i]}, FALSE) AS ${quoteIdent(outDiff[i]!)}`).join(', ')}${p.compare.length ? ',' : ''}
          gg.m_l AS montant_gauche, gg.m_r AS montant_droite${bothAmounts ? ', coalesce(gg.m_l, 0) - coalesce(gg.m_r, 0) AS ecart_montant' : ''},
          NULL::INTEGER AS _ordre
        FROM gg),
      u AS (
        SELECT * FROM j
        UNION ALL BY NAME ${noKeyRows('left', 'l')}
        UNION ALL BY NAME ${noKeyRows('right', 'r')})
      SELECT * EXCLUDE (_ordre) FROM u
      ORDER BY CASE statut WHEN 'seulement_gauche' THEN 1 WHEN 'seulement_droite' THEN 2 WHEN 'apparie_avec_ecarts' THEN 3
        WHEN 'sans_cle_gauche' THEN 4 WHEN 'sans_cle_droite' THEN 5 ELSE 6 END,
        ${outKeys.map((k) => `${quoteIdent(k)} NULLS LAST`).join(', ')}, _ordre`;
    const res = await makeResult(ctx, 'reconcile', select, p.result);
    const rt = quoteIdent(res.table);
    const st = await rowsOf(ctx, `SELECT statut, count(*) AS n FROM ${rt} GROUP BY statut`);
    const statuses: Record<string, number> = {
      apparie: 0,
      apparie_avec_ecarts: 0,
      seulement_gauche: 0,
      seulement_droite: 0,
      sans_cle_gauche: 0,
      sans_cle_droite: 0,
    };
    for (const r of st) statuses[String(r.statut)] = Number(r.n);
    const s = await firstRow(
      ctx,
      `SELECT (SELECT count(*) FROM ${quoteIdent(p.left)}) AS nl, (SELECT count(*) FROM ${quoteIdent(p.right)}) AS nr,
         count(*) FILTER (nb_gauche > 1) AS dl, coalesce(sum(nb_gauche) FILTER (nb_gauche > 1), 0) AS dlr,
         count(*) FILTER (nb_droite > 1) AS dr, coalesce(sum(nb_droite) FILTER (nb_droite > 1), 0) AS drr,
         sum(montant_gauche) AS al, sum(montant_droite) AS ar,
         sum(montant_gauche) FILTER (statut LIKE 'apparie%') AS aml, sum(montant_droite) FILTER (statut LIKE 'apparie%') AS amr,
         sum(montant_gauche) FILTER (statut NOT LIKE 'apparie%') AS aol, sum(montant_droite) FILTER (statut NOT LIKE 'apparie%') AS aor
         ${p.compare.map((_, i) => `, count(*) FILTER (${quoteIdent(outDiff[i]!)}) AS d${i}`).join('')}
       FROM ${rt}`,
    );
    const num = (x: unknown, on: boolean) => (on ? Number(x ?? 0) : null);
    const d: ReconcileDetail = {
      preset: null,
      statuses,
      rows: { left: Number(s.nl), right: Number(s.nr), leftNoKey: statuses.sans_cle_gauche!, rightNoKey: statuses.sans_cle_droite! },
      duplicateKeys: { left: Number(s.dl), leftRows: Number(s.dlr), right: Number(s.dr), rightRows: Number(s.drr) },
      differences: Object.fromEntries(p.compare.map((c, i) => [c.left, Number(s[`d${i}`])])),
      amounts: withAmounts
        ? {
            left: num(s.al, !!p.amount?.left),
            right: num(s.ar, !!p.amount?.right),
            matchedLeft: num(s.aml, !!p.amount?.left),
            matchedRight: num(s.amr, !!p.amount?.right),
            onlyLeft: num(s.aol, !!p.amount?.left),
            onlyRight: num(s.aor, !!p.amount?.right),
          }
        : null,
    };
    const keyText = p.keys.map((k) => `« ${k.left} » = « ${k.right} » (${k.mode})`).join(', ');
    const diffText = p.compare.length
      ? ` dont ${fmtInt(statuses.apparie_avec_ecarts)} avec écarts (${p.compare.map((c) => `« ${c.left} » : ${fmtInt(d.differences[c.left])}`).join(', ')})`
      : '';
    const dupText =
      d.duplicateKeys.left || d.duplicateKeys.right
        ? ` Clés en double, regroupées et non multipliées : ${fmtInt(d.duplicateKeys.left)} à gauche (${fmtInt(d.duplicateKeys.leftRows)} lignes), ${fmtInt(d.duplicateKeys.right)} à droite (${fmtInt(d.duplicateKeys.rightRows)} lignes).`
        : ' Aucune clé en double.';
    const noKey =
      d.rows.leftNoKey || d.rows.rightNoKey
        ? ` Lignes sans clé, non rapprochées : ${fmtInt(d.rows.leftNoKey)} à gauche, ${fmtInt(d.rows.rightNoKey)} à droite.`
        : '';
    const amt = d.amounts
      ? ` Montants : ${d.amounts.left !== null ? `${fmtEur(d.amounts.left)} à gauche (dont ${fmtEur(d.amounts.onlyLeft)} hors appariement)` : ''}` +
        `${d.amounts.left !== null && d.amounts.right !== null ? ', ' : ''}` +
        `${d.amounts.right !== null ? `${fmtEur(d.amounts.right)} à droite (dont ${fmtEur(d.amounts.onlyRight)} hors appariement)` : ''}.`
      : '';
    const summary =
      `Rapprochement de « ${p.left} » (gauche, ${fmtInt(d.rows.left)} lignes) et de « ${p.right} » (droite, ${fmtInt(d.rows.right)} lignes) sur ${keyText} : ` +
      `${plural(statuses.apparie! + statuses.apparie_avec_ecarts!, 'clé appariée', 'clés appariées')}${diffText}, ` +
      `${fmtInt(statuses.seulement_gauche)} seulement à gauche, ${fmtInt(statuses.seulement_droite)} seulement à droite.` +
      dupText +
      noKey +
      amt;
    return auditOutput(ctx, res, [p.left, p.right], summary, d);
  },
});

/**
 * HATVP declarations as imported (a declaration table and one table per section): the organisations of
 * every section are gathered first, with the declarant, the section and the mandate, into a result
 * table the preset then reads; the key on the left is that table's « organisme ».
 */
async function hatvpVsSubsidies(ctx: OperationContext, p: ReconcileParams) {
  const main = ctx.catalog.get(p.left)!;
  const orgs = hatvpOrganisationsSql(ctx, main);
  if (!orgs)
    throw new OperationError(`« ${p.left} » : aucune section de ces déclarations ne nomme d’organisme (sociétés, employeurs, structures)`);
  const made = await createResultTable(
    ctx,
    'interets-declares',
    `SELECT * FROM (${orgs.sql}) ORDER BY declarant, section, organisme`,
    ctx.catalog.freeName(`${p.left}__organismes`),
  );
  const keys = [{ ...p.keys[0]!, left: 'organisme' }];
  const show = { left: [...new Set(['declarant', 'section', 'mandat', ...(p.show?.left ?? [])])], right: p.show?.right ?? [] };
  const q = { ...p, left: made.table, keys, show };
  checkColumns(ctx, q);
  const out = await interestsVsSubsidies(ctx, q);
  return {
    ...out,
    sql: [made.sql, ...out.sql],
    inputs: [inputOf(ctx, p.left), ...orgs.tables.map((t) => inputOf(ctx, t)), ...out.inputs.slice(1)],
    summary: `Organismes tirés des déclarations HATVP « ${p.left} » (${plural(orgs.tables.length, 'section', 'sections')}) dans « ${made.table} ». ${out.summary}`,
  };
}

/** Declarations of interests × subsidy beneficiaries, on normalised organisation names. */
async function interestsVsSubsidies(ctx: OperationContext, p: ReconcileParams) {
  if (p.keys.length !== 1) {
    throw new OperationError(
      'Le préréglage « interests-vs-subsidies » prend une seule paire de clés : { left: organisme déclaré, right: bénéficiaire }',
    );
  }
  if (p.compare.length)
    throw new OperationError('Le préréglage « interests-vs-subsidies » ne compare pas de colonnes : utilisez « show » pour en reprendre');
  const k = p.keys[0]!;
  const showL = [...new Set(p.show?.left ?? [])];
  const showR = [...new Set(p.show?.right ?? [])];
  const amtL = p.amount?.left ? money(quoteIdent(p.amount.left)) : 'NULL::DECIMAL(38, 2)';
  const amtR = p.amount?.right ? money(quoteIdent(p.amount.right)) : 'NULL::DECIMAL(38, 2)';
  const shows = (cols: string[], prefix: string) =>
    cols
      .map(
        (c) =>
          `, string_agg(DISTINCT CAST(${quoteIdent(c)} AS VARCHAR), ' | ' ORDER BY CAST(${quoteIdent(c)} AS VARCHAR)) AS ${quoteIdent(`${prefix}${c}`)}`,
      )
      .join('');
  const side = (table: string, col: string, amt: string, cols: string[], prefix: string) => `
    SELECT ${normalizeNameSql(quoteIdent(col))} AS nom_n, count(*) AS nb,
      string_agg(DISTINCT trim(CAST(${quoteIdent(col)} AS VARCHAR)), ' | ' ORDER BY trim(CAST(${quoteIdent(col)} AS VARCHAR))) AS noms,
      list(${LINE} ORDER BY ${LINE}) AS lignes, sum(${amt}) AS montant${shows(cols, prefix)}
    FROM ${withLineSql(ctx, table)} GROUP BY 1 HAVING nom_n IS NOT NULL`;
  const fuzzy =
    p.threshold !== undefined
      ? `UNION ALL
         SELECT 'apparie_approche' AS statut, round(jaro_winkler_similarity(g.nom_n, d.nom_n), 4) AS similarite, g.nom_n AS gn, d.nom_n AS dn
         FROM g JOIN d ON g.nom_n <> d.nom_n AND jaro_winkler_similarity(g.nom_n, d.nom_n) >= ${sqlValue(p.threshold)}`
      : '';
  const select = `
    WITH g AS (${side(p.left, k.left, amtL, showL, 'gauche_')}),
    d AS (${side(p.right, k.right, amtR, showR, 'droite_')}),
    m AS (
      SELECT 'apparie' AS statut, 1.0 AS similarite, g.nom_n AS gn, d.nom_n AS dn FROM g JOIN d ON g.nom_n = d.nom_n
      ${fuzzy})
    SELECT m.statut, m.similarite, m.gn AS nom_normalise_gauche, m.dn AS nom_normalise_droite,
      g.noms AS noms_gauche, d.noms AS noms_droite, g.nb AS nb_gauche, d.nb AS nb_droite,
      g.lignes AS lignes_gauche, d.lignes AS lignes_droite
      ${p.amount?.left ? ', g.montant AS montant_gauche' : ''}${p.amount?.right ? ', d.montant AS montant_droite' : ''}
      ${showL.map((c) => `, g.${quoteIdent(`gauche_${c}`)}`).join('')}${showR.map((c) => `, d.${quoteIdent(`droite_${c}`)}`).join('')}
    FROM m JOIN g ON g.nom_n = m.gn JOIN d ON d.nom_n = m.dn
    ORDER BY m.similarite DESC, m.gn, m.dn`;
  const res = await makeResult(ctx, 'reconcile', select, p.result);
  const s = await firstRow(
    ctx,
    `SELECT count(*) FILTER (statut = 'apparie') AS exact, count(*) FILTER (statut = 'apparie_approche') AS approx,
       count(DISTINCT nom_normalise_gauche) AS orgs, (SELECT count(*) FROM ${quoteIdent(p.left)}) AS nl, (SELECT count(*) FROM ${quoteIdent(p.right)}) AS nr,
       (SELECT count(*) FROM ${withLineSql(ctx, p.left)} WHERE ${normalizeNameSql(quoteIdent(k.left))} IS NULL) AS lnk,
       (SELECT count(*) FROM ${withLineSql(ctx, p.right)} WHERE ${normalizeNameSql(quoteIdent(k.right))} IS NULL) AS rnk
       ${p.amount?.right ? ', sum(montant_droite) AS amr' : ''}
     FROM ${quoteIdent(res.table)}`,
  );
  const exact = Number(s.exact);
  const approx = Number(s.approx);
  const d: ReconcileDetail = {
    preset: 'interests-vs-subsidies',
    statuses: { apparie: exact, apparie_approche: approx },
    rows: { left: Number(s.nl), right: Number(s.nr), leftNoKey: Number(s.lnk), rightNoKey: Number(s.rnk) },
    duplicateKeys: { left: 0, leftRows: 0, right: 0, rightRows: 0 },
    differences: {},
    amounts: p.amount?.right
      ? { left: null, right: Number(s.amr ?? 0), matchedLeft: null, matchedRight: Number(s.amr ?? 0), onlyLeft: null, onlyRight: null }
      : null,
  };
  const summary =
    `Déclarations d'intérêts « ${p.left} » (${fmtInt(d.rows.left)} lignes, organismes dans « ${k.left} ») et subventions « ${p.right} » ` +
    `(${fmtInt(d.rows.right)} lignes, bénéficiaires dans « ${k.right} »), rapprochées sur le nom normalisé (casse, accents, ponctuation et formes juridiques ignorés) : ` +
    `${plural(exact, 'correspondance exacte', 'correspondances exactes')}` +
    (p.threshold !== undefined
      ? `, ${plural(approx, 'correspondance approchée', 'correspondances approchées')} (Jaro-Winkler ≥ ${String(p.threshold).replace('.', ',')})`
      : '') +
    `, pour ${plural(Number(s.orgs), 'organisme déclaré', 'organismes déclarés')}` +
    (d.amounts ? `, ${fmtEur(d.amounts.right)} de subventions concernées` : '') +
    '. Prudence : une correspondance de noms n’est pas un conflit d’intérêts. Elle signale seulement un organisme à examiner — homonymie possible, ' +
    "lien à vérifier, et l'élu a pu se déporter lors du vote : chaque paire doit être revue par une personne avant toute conclusion.";
  return auditOutput(ctx, res, [p.left, p.right], summary, d);
}
