// Two voted budgets side by side — BP N against BP N+1, or the BP against BP + BS + DM of the same
// year — by section, chapter, function or nature: the amount on each side, the change in euros and in
// per cent, the lines that appear and the lines that vanish. The question every council group asks
// of a new budget. One result table: a row per key (flag NULL when it moved little) plus one total
// row per section and flow, so any flagged set is evidence.
//
// Keys leave the year and the stage out (they are what differs between the two sides), and the
// operation type too (one file may carry it, the other not): a chapter is a chapter in both.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { population, populationLine, type Population } from '../ops/population.ts';
import { createResultTable, inputOf, OperationError, registerOperation, type OperationContext } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { count, euros, percent, plural, sqlEuros, sqlFlow, sqlPercent, sqlSection } from './format.ts';
import { resultRowSql } from './columns.ts';
import {
  budgetFlowsParam,
  budgetLevelParam,
  budgetSelectSql,
  BudgetMapping,
  BudgetSource,
  codeNormalisations,
  normalisationText,
  notableNormalisation,
  resolveBudgetSource,
  stageSql,
  yearSql,
  type CodeNormalisation,
} from './mapping.ts';

export const COMPARE_FLAGS = ['nouvelle_ligne', 'ligne_disparue', 'forte_variation'] as const;
export type CompareFlag = (typeof COMPARE_FLAGS)[number];

const STAGES = ['BP', 'BS', 'DM', 'CA'] as const;

export const CompareSide = z
  .object({
    ...BudgetSource.shape,
    year: z.number().int().min(1900).max(2200).optional().describe('Exercice retenu (toutes les lignes si absent)'),
    stages: z.array(z.enum(STAGES)).min(1).max(4).optional().describe('Étapes retenues (BP, BS, DM, CA ; toutes si absent)'),
    label: z.string().max(100).optional().describe('Nom affiché (ex. « BP 2024 »)'),
  })
  .strict();
export type CompareSide = z.infer<typeof CompareSide>;

export const CompareParams = z
  .object({
    base: CompareSide.describe('Budget de référence (ex. BP 2023)'),
    other: CompareSide.describe('Budget comparé (ex. BP 2024, ou BP + BS + DM de la même année)'),
    level: budgetLevelParam('Niveau de comparaison : section, chapitre, fonction ou nature (chaque fois par section et sens)'),
    flows: budgetFlowsParam(['D', 'R'], 'Sens comparés (D : dépenses, R : recettes)'),
    change: z.number().min(0).max(1000).default(0.2).describe('Variation signalée au-delà de ce taux (0,2 = ±20 %)'),
    changeMin: z.number().min(0).default(0).describe('Variation signalée seulement au-delà de ce montant absolu (€)'),
  })
  .strict();
export type CompareParams = z.infer<typeof CompareParams>;

export interface CompareSideDetail {
  label: string;
  table: string;
  /** Lines in the table, and lines kept (year and stages chosen, total lines left out). */
  read: number;
  kept: number;
  years: number[];
  stages: string[];
  amounts: { D: number; R: number };
  mapping: BudgetMapping;
  proposed: boolean;
  normalisations: CodeNormalisation[];
}

export interface CompareDetail {
  level: CompareParams['level'];
  flags: Record<CompareFlag, number>;
  population: Population;
  base: CompareSideDetail;
  other: CompareSideDetail;
  /** Per flow: both totals and the amounts on keys found on one side only. */
  flows: Record<'D' | 'R', { base: number; other: number; appeared: number; vanished: number }>;
  warnings: string[];
}

export const COMPARE_KEYS: Record<CompareParams['level'], string[]> = {
  section: ['section', 'sens'],
  chapter: ['section', 'sens', 'chapitre'],
  function: ['section', 'sens', 'fonction'],
  nature: ['section', 'sens', 'nature'],
};

const OUT_COLUMNS: [string, string][] = [
  ['portee', 'VARCHAR'],
  ['section', 'VARCHAR'],
  ['sens', 'VARCHAR'],
  ['chapitre', 'VARCHAR'],
  ['fonction', 'VARCHAR'],
  ['nature', 'VARCHAR'],
  ['montant_reference', 'DECIMAL(38,2)'],
  ['montant_compare', 'DECIMAL(38,2)'],
  ['ecart', 'DECIMAL(38,2)'],
  ['ecart_pct', 'DOUBLE'],
  ['statut', 'VARCHAR'],
  ['flag', 'VARCHAR'],
  ['explication', 'VARCHAR'],
];

const select = resultRowSql(OUT_COLUMNS);

/** The lines of one side, canonical, filtered on its year and stages; total lines left out. */
export function compareSideSql(table: TableEntry, mapping: BudgetMapping, side: CompareSide): string {
  const where = ['NOT est_total'];
  if (side.year !== undefined) where.push(`annee = ${sqlValue(side.year)}`);
  if (side.stages) where.push(`etape IN (${side.stages.map(quoteLiteral).join(', ')})`);
  return `SELECT * FROM (${budgetSelectSql(table, mapping)}) WHERE ${where.join(' AND ')}`;
}

/** The whole comparison as one SELECT over the two sides' canonical lines (exported for tests). */
export function compareSql(p: CompareParams, base: string, other: string, names: { base: string; other: string }): string {
  const keys = COMPARE_KEYS[p.level];
  const k = keys.join(', ');
  const on = keys.map((x) => `b.${x} IS NOT DISTINCT FROM o.${x}`).join(' AND ');
  const flows = `(${p.flows.map(quoteLiteral).join(', ')})`;
  const ctes = [
    `b AS (SELECT ${k}, sum(montant) AS montant FROM (${base}) WHERE sens IN ${flows} GROUP BY ALL)`,
    `o AS (SELECT ${k}, sum(montant) AS montant FROM (${other}) WHERE sens IN ${flows} GROUP BY ALL)`,
    `l AS (SELECT ${keys.map((x) => `coalesce(b.${x}, o.${x}) AS ${x}`).join(', ')}, b.montant AS ref, o.montant AS cmp,
        coalesce(o.montant, 0) - coalesce(b.montant, 0) AS ecart,
        CAST(coalesce(o.montant, 0) - coalesce(b.montant, 0) AS DOUBLE) / nullif(abs(CAST(b.montant AS DOUBLE)), 0) AS pct
      FROM b FULL OUTER JOIN o ON ${on})`,
  ];
  const code = [
    keys.includes('chapitre') ? `coalesce('chapitre ' || l.chapitre, 'chapitre ?')` : null,
    keys.includes('fonction') ? `coalesce('fonction ' || l.fonction, 'fonction ?')` : null,
    keys.includes('nature') ? `coalesce('nature ' || l.nature, 'nature ?')` : null,
  ].filter((x) => x);
  const where = `(${[...code, `${sqlSection('l.section')} || ', ' || ${sqlFlow('l.sens')}`].join(` || ', ' || `)})`;
  const ref = quoteLiteral(names.base);
  const cmp = quoteLiteral(names.other);
  const strong = `l.ref IS NOT NULL AND l.cmp IS NOT NULL AND l.ref <> 0 AND abs(l.pct) > ${sqlValue(p.change)} AND abs(CAST(l.ecart AS DOUBLE)) >= ${sqlValue(p.changeMin)}`;
  const signed = (e: string) => `CASE WHEN ${e} > 0 THEN '+' ELSE '' END || ${sqlEuros(e)}`;
  const line = select({
    portee: `'ligne'`,
    section: 'l.section',
    sens: 'l.sens',
    chapitre: keys.includes('chapitre') ? 'l.chapitre' : 'NULL',
    fonction: keys.includes('fonction') ? 'l.fonction' : 'NULL',
    nature: keys.includes('nature') ? 'l.nature' : 'NULL',
    montant_reference: 'l.ref',
    montant_compare: 'l.cmp',
    ecart: 'l.ecart',
    ecart_pct: 'CASE WHEN l.ref IS NOT NULL AND l.cmp IS NOT NULL THEN l.pct END',
    statut: `CASE WHEN l.ref IS NULL THEN 'nouvelle' WHEN l.cmp IS NULL THEN 'disparue' WHEN l.ecart > 0 THEN 'hausse' WHEN l.ecart < 0 THEN 'baisse' ELSE 'stable' END`,
    flag: `CASE WHEN l.ref IS NULL THEN 'nouvelle_ligne' WHEN l.cmp IS NULL THEN 'ligne_disparue' WHEN ${strong} THEN 'forte_variation' END`,
    explication: `CASE
      WHEN l.ref IS NULL THEN 'Nouvelle ligne — ' || ${where} || ' : ' || ${sqlEuros('l.cmp')} || ' au ' || ${cmp} || ', absente du ' || ${ref} || '.'
      WHEN l.cmp IS NULL THEN 'Ligne disparue — ' || ${where} || ' : ' || ${sqlEuros('l.ref')} || ' au ' || ${ref} || ', absente du ' || ${cmp} || '.'
      WHEN ${strong} THEN 'Forte variation — ' || ${where} || ' : ' || ${sqlEuros('l.ref')} || ' au ' || ${ref} || ', ' || ${sqlEuros('l.cmp')} || ' au ' || ${cmp} || ' (' || ${signed('l.ecart')} || ', ' || CASE WHEN l.pct > 0 THEN '+' ELSE '' END || ${sqlPercent('l.pct')} || ', seuil ±' || ${sqlPercent(sqlValue(p.change))} || ').'
    END`,
  });
  const total = select({
    portee: `'total'`,
    section: 't.section',
    sens: 't.sens',
    montant_reference: 't.ref',
    montant_compare: 't.cmp',
    ecart: 't.ecart',
    ecart_pct: 'CAST(t.ecart AS DOUBLE) / nullif(abs(CAST(t.ref AS DOUBLE)), 0)',
    statut: `CASE WHEN t.ecart > 0 THEN 'hausse' WHEN t.ecart < 0 THEN 'baisse' ELSE 'stable' END`,
    explication: `'Total — ' || ${sqlSection('t.section')} || ', ' || ${sqlFlow('t.sens')} || ' : ' || ${sqlEuros('t.ref')} || ' au ' || ${ref} || ', ' || ${sqlEuros('t.cmp')} || ' au ' || ${cmp} || ' (' || ${signed('t.ecart')} || ').'`,
  });
  ctes.push(
    `tot AS (SELECT section, sens, coalesce(sum(ref), 0) AS ref, coalesce(sum(cmp), 0) AS cmp, coalesce(sum(cmp), 0) - coalesce(sum(ref), 0) AS ecart FROM l GROUP BY ALL)`,
  );
  return `WITH ${ctes.join(',\n')}
SELECT * FROM (${line} FROM l AS l UNION ALL ${total} FROM tot AS t)
ORDER BY section NULLS FIRST, sens NULLS FIRST, portee DESC, chapitre NULLS FIRST, fonction NULLS FIRST, nature NULLS FIRST`;
}

/** « BP 2024 » from the side's label, or its stages and year, else its table. */
function labelOf(side: CompareSide, years: number[], stages: string[]): string {
  if (side.label) return side.label;
  const st = side.stages ?? stages;
  const y = side.year !== undefined ? [side.year] : years;
  const parts = [st.length ? st.join(' + ') : 'budget', y.length === 1 ? String(y[0]) : ''].filter((x) => x);
  return `${parts.join(' ')} (« ${side.table} »)`;
}

export const budgetCompare = registerOperation<CompareParams, CompareDetail>({
  id: 'budget-compare',
  kind: 'budget',
  description: 'Compare deux budgets votés (BP N et BP N+1, ou BP et BP + BS + DM) : montants, écarts, lignes nouvelles et disparues',
  params: CompareParams,
  async run(ctx: OperationContext, p) {
    const same =
      p.base.table === p.other.table &&
      p.base.year === p.other.year &&
      JSON.stringify(p.base.stages ?? null) === JSON.stringify(p.other.stages ?? null);
    if (same) {
      throw new OperationError(
        'Les deux budgets comparés sont la même sélection : choisissez une autre table, un autre exercice ou d’autres étapes.',
      );
    }
    const sides = {} as Record<
      'base' | 'other',
      { src: Awaited<ReturnType<typeof resolveBudgetSource>>; sql: string; detail: CompareSideDetail }
    >;
    const warnings: string[] = [];
    for (const which of ['base', 'other'] as const) {
      const side = p[which];
      const src = await resolveBudgetSource(ctx, { table: side.table, ...(side.mapping ? { mapping: side.mapping } : {}) }, 'voted');
      // A filter on a column that is not there would keep nothing or everything without a word: refused.
      if (side.stages && !src.mapping.stage) {
        throw new OperationError(
          `« ${side.table} » n'a pas de colonne d'étape budgétaire : impossible de n'en retenir que ${side.stages.join(' + ')}.`,
        );
      }
      if (side.year !== undefined && !src.mapping.year) {
        throw new OperationError(`« ${side.table} » n'a pas de colonne d'exercice : impossible de n'en retenir que ${side.year}.`);
      }
      const sql = compareSideSql(src.table, src.mapping, side);
      const all = await ctx.engine.query(`SELECT count(*) FROM ${quoteIdent(src.table.name)}`);
      const kept = await ctx.engine.query(
        `SELECT count(*), string_agg(DISTINCT CAST(annee AS VARCHAR), ',' ORDER BY CAST(annee AS VARCHAR)), string_agg(DISTINCT etape, ',' ORDER BY etape),
           CAST(coalesce(sum(montant) FILTER (WHERE sens = 'D'), 0) AS DOUBLE), CAST(coalesce(sum(montant) FILTER (WHERE sens = 'R'), 0) AS DOUBLE)
         FROM (${sql})`,
      );
      const [n, ys, sts, d, r] = kept.rows[0] ?? [0, null, null, 0, 0];
      const years = ys ? String(ys).split(',').map(Number) : [];
      const stages = sts ? String(sts).split(',') : [];
      if (side.year === undefined && years.length > 1) {
        warnings.push(`« ${side.table} » porte plusieurs exercices (${years.join(', ')}), additionnés faute d'exercice choisi.`);
      }
      if (!side.stages && stages.includes('CA')) {
        warnings.push(
          `« ${side.table} » porte aussi des lignes de compte administratif (CA), additionnées au voté faute d'étapes choisies.`,
        );
      }
      const label = labelOf(side, years, stages);
      sides[which] = {
        src,
        sql,
        detail: {
          label,
          table: src.table.name,
          read: Number(all.rows[0]?.[0] ?? 0),
          kept: Number(n),
          years,
          stages,
          amounts: { D: Number(d), R: Number(r) },
          mapping: src.mapping,
          proposed: src.proposed,
          normalisations: await codeNormalisations(ctx.engine, src.table, src.mapping),
        },
      };
      warnings.push(...src.warnings);
    }
    const base = sides.base.detail;
    const other = sides.other.detail;
    if (base.label === other.label) other.label += ' (comparé)';
    const { table, sql } = await createResultTable(
      ctx,
      'budget-compare',
      compareSql(p, sides.base.sql, sides.other.sql, { base: base.label, other: other.label }),
    );
    const t = quoteIdent(table);
    const flags = Object.fromEntries(COMPARE_FLAGS.map((f) => [f, 0])) as Record<CompareFlag, number>;
    for (const [f, n] of (await ctx.engine.query(`SELECT flag, count(*) FROM ${t} WHERE flag IS NOT NULL GROUP BY 1`)).rows)
      flags[f as CompareFlag] = Number(n);
    const byFlow = await ctx.engine.query(
      `SELECT sens, count(*), count(*) FILTER (WHERE statut = 'nouvelle'), count(*) FILTER (WHERE statut = 'disparue'),
         CAST(coalesce(sum(montant_reference), 0) AS DOUBLE), CAST(coalesce(sum(montant_compare), 0) AS DOUBLE),
         CAST(coalesce(sum(montant_compare) FILTER (WHERE statut = 'nouvelle'), 0) AS DOUBLE), CAST(coalesce(sum(montant_reference) FILTER (WHERE statut = 'disparue'), 0) AS DOUBLE)
       FROM ${t} WHERE portee = 'ligne' GROUP BY sens`,
    );
    const flowOf = (k: 'D' | 'R') => {
      const r = byFlow.rows.find((x) => x[0] === k);
      return {
        keys: Number(r?.[1] ?? 0),
        appearedKeys: Number(r?.[2] ?? 0),
        vanishedKeys: Number(r?.[3] ?? 0),
        base: Number(r?.[4] ?? 0),
        other: Number(r?.[5] ?? 0),
        appeared: Number(r?.[6] ?? 0),
        vanished: Number(r?.[7] ?? 0),
      };
    };
    const fD = flowOf('D');
    const fR = flowOf('R');
    const example = async (statut: string) =>
      (
        await ctx.engine.query(
          `SELECT coalesce(chapitre, fonction, nature, section), sens FROM ${t} WHERE portee = 'ligne' AND statut = ${quoteLiteral(statut)}
         ORDER BY abs(coalesce(montant_compare, montant_reference)) DESC NULLS LAST, 1 LIMIT 3`,
        )
      ).rows.map(([c, s]) => `${c ?? '?'} (${s ?? '?'})`);
    const keysRead = fD.keys + fR.keys;
    const pop = population(
      keysRead,
      keysRead - fD.appearedKeys - fR.appearedKeys - fD.vanishedKeys - fR.vanishedKeys,
      'présentes des deux côtés',
      [
        {
          reason: `nouvelles au ${other.label} (${euros(fD.appeared + fR.appeared)})`,
          rows: fD.appearedKeys + fR.appearedKeys,
          examples: await example('nouvelle'),
        },
        {
          reason: `disparues du ${base.label} (${euros(fD.vanished + fR.vanished)})`,
          rows: fD.vanishedKeys + fR.vanishedKeys,
          examples: await example('disparue'),
        },
      ],
    );
    const levelFr = { section: 'section', chapter: 'chapitre', function: 'fonction', nature: 'nature' }[p.level];
    const sideText = (s: CompareSideDetail) =>
      `${s.label} : ${plural(s.read, 'ligne lue', 'lignes lues')}, ${count(s.kept)} retenue${s.kept > 1 ? 's' : ''}`;
    const change = (a: number, b: number) =>
      `${euros(a)} → ${euros(b)} (${b - a > 0 ? '+' : ''}${euros(b - a)}${a ? `, ${b - a > 0 ? '+' : ''}${percent((b - a) / Math.abs(a))}` : ''})`;
    const flowsText = p.flows
      .map((f) => `${f === 'D' ? 'dépenses' : 'recettes'} : ${change(f === 'D' ? fD.base : fR.base, f === 'D' ? fD.other : fR.other)}`)
      .join(' ; ');
    const top = await ctx.engine.query(
      `SELECT coalesce(chapitre, fonction, nature, section), sens, CAST(ecart AS DOUBLE), ecart_pct FROM ${t} WHERE flag = 'forte_variation' ORDER BY abs(ecart) DESC, 1 LIMIT 3`,
    );
    const topText = top.rows.length
      ? ` Plus fortes variations : ${top.rows.map(([c, s, e, pct]) => `${c} (${s}) ${Number(e) > 0 ? '+' : ''}${euros(Number(e))} (${Number(pct) > 0 ? '+' : ''}${percent(Number(pct))})`).join(', ')}.`
      : '';
    const n = Object.values(flags).reduce((a, b) => a + b, 0);
    const normText = (['base', 'other'] as const).flatMap((w) =>
      sides[w].detail.normalisations.filter(notableNormalisation).map((x) => `${sides[w].detail.label}, ${normalisationText(x)}`),
    );
    // A comparison where few keys meet is mostly new and vanished lines: said right after the population, with why that may be.
    let thin = '';
    if (pop.read > 0 && pop.used / pop.read < 0.5) {
      let why = '';
      if (COMPARE_KEYS[p.level].includes('chapitre')) {
        const nine = await ctx.engine.query(
          `SELECT count(*) FILTER (WHERE montant_reference IS NOT NULL AND chapitre LIKE '9__%'), count(*) FILTER (WHERE montant_reference IS NOT NULL AND chapitre IS NOT NULL),
             count(*) FILTER (WHERE montant_compare IS NOT NULL AND chapitre LIKE '9__%'), count(*) FILTER (WHERE montant_compare IS NOT NULL AND chapitre IS NOT NULL)
           FROM ${t} WHERE portee = 'ligne'`,
        );
        const [b9, bn, o9, on] = (nine.rows[0] ?? [0, 0, 0, 0]).map(Number) as [number, number, number, number];
        const functional = (k: number, n: number) => n > 0 && k / n > 0.5;
        if (functional(b9, bn) !== functional(o9, on)) {
          why = ` ${functional(b9, bn) ? base.label : other.label} est présenté par fonction (chapitres 9xx), ${functional(b9, bn) ? other.label : base.label} par nature : leurs chapitres ne se correspondent pas ; comparez-les par nature.`;
        }
      }
      thin = ` Moins de la moitié des clés (${percent(pop.used / pop.read)}) se retrouvent des deux côtés : les écarts ligne à ligne sont surtout des lignes nouvelles ou disparues.${why}`;
    }
    if (!base.kept || !other.kept)
      warnings.unshift(`Aucune ligne retenue dans ${!base.kept ? base.label : other.label} : vérifiez l'exercice et les étapes choisis.`);
    return {
      table,
      sql: [sql],
      inputs: [...new Set([sides.base.src.table.name, sides.other.src.table.name])].map((x) => inputOf(ctx, x)),
      summary:
        `Population — ${sideText(base)} ; ${sideText(other)} ; clés par ${levelFr} : ${populationLine(pop)}.${thin} ` +
        `Comparaison du ${base.label} et du ${other.label} par ${levelFr} : ${flowsText}. ` +
        (n
          ? `${plural(n, 'signal', 'signaux')} — ${COMPARE_FLAGS.filter((f) => flags[f])
              .map((f) => `${f} : ${count(flags[f])}`)
              .join(', ')}.`
          : 'Aucun signal.') +
        topText +
        (normText.length ? ` Codes lus : ${normText.join(' ; ')}.` : '') +
        (warnings.length ? ' ' + warnings.join(' ') : ''),
      detail: {
        level: p.level,
        flags,
        population: pop,
        base,
        other,
        flows: {
          D: { base: fD.base, other: fD.other, appeared: fD.appeared, vanished: fD.vanished },
          R: { base: fR.base, other: fR.other, appeared: fR.appeared, vanished: fR.vanished },
        },
        warnings: thin ? [thin.trim(), ...warnings] : warnings,
      },
    };
  },
});

/** The years and stages a budget table holds, read through its mapping: what the comparison form offers. Distinct raw values first, so a large table costs one scan. */
export async function budgetYearsAndStages(
  engine: Engine,
  table: TableEntry,
  mapping: BudgetMapping,
): Promise<{ years: number[]; stages: string[] }> {
  const col = (f: 'year' | 'stage') => table.columns.find((c) => c.name === mapping[f]);
  const year = col('year');
  const stage = col('stage');
  const read = async (sql: string) => (await engine.query(sql)).rows.map((r) => r[0]).filter((v) => v !== null && v !== undefined);
  const distinct = (c: { name: string }) => `(SELECT DISTINCT ${quoteIdent(c.name)} FROM ${quoteIdent(table.name)}) AS src`;
  const years = year
    ? (await read(`SELECT DISTINCT ${yearSql(`src.${quoteIdent(year.name)}`, year.type)} AS y FROM ${distinct(year)} ORDER BY 1`)).map(
        Number,
      )
    : [];
  const stages = stage
    ? (await read(`SELECT DISTINCT ${stageSql(`src.${quoteIdent(stage.name)}`)} AS s FROM ${distinct(stage)} ORDER BY 1`)).map(String)
    : [];
  return { years, stages };
}
