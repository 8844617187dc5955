// Queries the Budget view asks of a `budget-reconcile` result table: the drill-down tree (section →
// chapter → function → nature), the rows behind a flag, the years present, and the aggregates its
// charts draw. The result repeats a line once per flag it carries, so every sum here is taken over
// distinct lines, never over the raw rows.
import type { Engine } from '../engine/engine.ts';
import { queryRelation, type Relation } from '../explore/window.ts';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import type { ReconcileParams } from './reconcile.ts';

export const TREE_LEVELS = ['section', 'chapter', 'function', 'nature'] as const;
export type TreeLevel = (typeof TREE_LEVELS)[number];

const LEVEL_COLUMN: Record<TreeLevel, string> = { section: 'section', chapter: 'chapitre', function: 'fonction', nature: 'nature' };

/** What the tree shows: one year (or all summed), one flow, real or order operations (or both). */
export interface TreeFilter {
  year: number | null;
  flow: 'D' | 'R';
  opType: 'all' | 'R' | 'O';
}

/** Codes of the ancestors of the nodes asked for (a null code is a line without that code). */
export type TreePath = Partial<Record<TreeLevel, string | null>>;

export interface TreeNode {
  level: TreeLevel;
  code: string | null;
  credits: number | null;
  executed: number | null;
  rate: number | null;
  variance: number | null;
  variancePct: number | null;
  /** Flags on this node and below it, with how many rows carry each. */
  flags: { flag: string; count: number }[];
  /** Explanations of the flags raised at exactly this node's level (the line itself, not its children). */
  explanations: { flag: string; text: string }[];
}

export function childLevel(level: TreeLevel): TreeLevel | null {
  return TREE_LEVELS[TREE_LEVELS.indexOf(level) + 1] ?? null;
}

function eq(column: string, value: string | null): string {
  return value === null ? `${quoteIdent(column)} IS NULL` : `${quoteIdent(column)} = ${quoteLiteral(value)}`;
}

function baseWhere(filter: TreeFilter, path: TreePath, level: TreeLevel): string[] {
  const w = [`portee IN ('ligne', 'chapitre')`, `sens = ${quoteLiteral(filter.flow)}`];
  if (filter.year !== null) w.push(`annee = ${sqlValue(filter.year)}`);
  // Chapter overruns judged on the whole chapter carry no operation type: they stay in both views.
  if (filter.opType !== 'all') w.push(`(type_operation = ${quoteLiteral(filter.opType)} OR portee = 'chapitre')`);
  for (const l of TREE_LEVELS.slice(0, TREE_LEVELS.indexOf(level))) {
    if (path[l] !== undefined) w.push(eq(LEVEL_COLUMN[l], path[l]!));
  }
  return w;
}

/**
 * The nodes at `level` under `path`, with credits and executed summed over distinct lines, and the
 * flags of the rows below each. `reconciledAt` is the level the reconciliation was run at: a line's
 * own flags are shown at that level, chapter overruns at the chapter.
 */
export function treeNodesSql(
  table: string,
  reconciledAt: ReconcileParams['level'],
  filter: TreeFilter,
  level: TreeLevel,
  path: TreePath = {},
): string {
  const t = quoteIdent(table);
  const col = quoteIdent(LEVEL_COLUMN[level]);
  const where = baseWhere(filter, path, level).join(' AND ');
  const depth = TREE_LEVELS.indexOf(level);
  // Below the chapter, the rows judged on the whole chapter have no code at this level: leave them out.
  const flagScope = depth > TREE_LEVELS.indexOf('chapter') ? `portee = 'ligne'` : 'TRUE';
  const ownLine = level === reconciledAt ? `portee = 'ligne'` : 'FALSE';
  const ownChapter = level === 'chapter' ? `portee = 'chapitre'` : 'FALSE';
  return `WITH base AS (SELECT * FROM ${t} WHERE ${where}),
    lines AS (SELECT DISTINCT annee, section, sens, type_operation, chapitre, fonction, nature, credits, execute FROM base WHERE portee = 'ligne'),
    agg AS (SELECT ${col} AS code, sum(credits) AS credits, sum(execute) AS execute FROM lines GROUP BY 1),
    fl AS (SELECT ${col} AS code, flag, count(*) AS n FROM base WHERE flag IS NOT NULL AND ${flagScope} GROUP BY 1, 2),
    own AS (SELECT ${col} AS code, flag, explication FROM base WHERE flag IS NOT NULL AND (${ownLine} OR ${ownChapter}))
  SELECT agg.code,
    CAST(agg.credits AS DOUBLE) AS credits,
    CAST(agg.execute AS DOUBLE) AS execute,
    CAST(agg.execute AS DOUBLE) / nullif(CAST(agg.credits AS DOUBLE), 0) AS taux,
    CAST(coalesce(agg.execute, 0) - coalesce(agg.credits, 0) AS DOUBLE) AS ecart,
    CAST(coalesce(agg.execute, 0) - coalesce(agg.credits, 0) AS DOUBLE) / nullif(CAST(agg.credits AS DOUBLE), 0) AS ecart_pct,
    (SELECT string_agg(fl.flag || chr(31) || fl.n, chr(30) ORDER BY fl.flag) FROM fl WHERE fl.code IS NOT DISTINCT FROM agg.code) AS flags,
    (SELECT string_agg(own.flag || chr(31) || coalesce(own.explication, ''), chr(30) ORDER BY own.flag, own.explication) FROM own WHERE own.code IS NOT DISTINCT FROM agg.code) AS explications
  FROM agg ORDER BY agg.code NULLS LAST`;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Pairs packed with ASCII record/unit separators (the wasm build has no JSON extension to load offline). */
function unpack(v: unknown): [string, string][] {
  if (typeof v !== 'string' || !v) return [];
  return v.split('\x1e').map((p) => {
    const i = p.indexOf('\x1f');
    return [p.slice(0, i), p.slice(i + 1)];
  });
}

export async function treeNodes(
  engine: Engine,
  table: string,
  reconciledAt: ReconcileParams['level'],
  filter: TreeFilter,
  level: TreeLevel,
  path: TreePath = {},
): Promise<TreeNode[]> {
  const r = await engine.query(treeNodesSql(table, reconciledAt, filter, level, path));
  return r.rows.map((row) => ({
    level,
    code: row[0] === null ? null : String(row[0]),
    credits: num(row[1]),
    executed: num(row[2]),
    rate: num(row[3]),
    variance: num(row[4]),
    variancePct: num(row[5]),
    flags: unpack(row[6]).map(([flag, n]) => ({ flag, count: Number(n) })),
    explanations: unpack(row[7]).map(([flag, text]) => ({ flag, text })),
  }));
}

/** The years the result covers, most recent first. */
export async function resultYears(engine: Engine, table: string): Promise<number[]> {
  const r = await engine.query(`SELECT DISTINCT annee FROM ${quoteIdent(table)} WHERE annee IS NOT NULL ORDER BY annee DESC`);
  return r.rows.map((x) => Number(x[0]));
}

/**
 * The rows of a result table that carry one flag, for the grid (any result with `flag` and
 * `explication` columns). The explanation comes first: it names the line in words, where the grid
 * may not have room to show every key column.
 */
export function flagRowsSql(table: string, flag: string): string {
  return `SELECT explication, * EXCLUDE (explication, flag) FROM ${quoteIdent(table)} WHERE flag = ${quoteLiteral(flag)}`;
}

export function flagRelation(table: string, flag: string): Relation {
  return queryRelation(flagRowsSql(table, flag));
}

/** Rows of any result table where columns equal values (per-edition measures, for instance), optionally only some columns. */
export function rowsWhereRelation(
  table: string,
  conditions: Record<string, string | number | null>,
  columns?: readonly string[],
): Relation {
  const w = Object.entries(conditions).map(([c, v]) => (v === null ? `${quoteIdent(c)} IS NULL` : `${quoteIdent(c)} = ${sqlValue(v)}`));
  const cols = columns?.length ? columns.map(quoteIdent).join(', ') : '*';
  return queryRelation(`SELECT ${cols} FROM ${quoteIdent(table)}${w.length ? ` WHERE ${w.join(' AND ')}` : ''}`);
}

function chartWhere(filter: Omit<TreeFilter, 'year'> & { year?: number | null }): string {
  const w = [`portee = 'ligne'`, `sens = ${quoteLiteral(filter.flow)}`];
  if (filter.year !== null && filter.year !== undefined) w.push(`annee = ${sqlValue(filter.year)}`);
  if (filter.opType !== 'all') w.push(`type_operation = ${quoteLiteral(filter.opType)}`);
  return w.join(' AND ');
}

const LINES = (table: string, where: string) =>
  `(SELECT DISTINCT annee, section, sens, type_operation, chapitre, fonction, nature, credits, execute FROM ${quoteIdent(table)} WHERE ${where})`;

/** Per chapter: credits, executed, rate and variance, largest variances (in absolute value) first. */
export function chapterMeasuresSql(table: string, filter: TreeFilter, limit = 25): string {
  return `SELECT chapitre, CAST(sum(credits) AS DOUBLE) AS credits, CAST(sum(execute) AS DOUBLE) AS execute,
      CAST(sum(execute) AS DOUBLE) / nullif(CAST(sum(credits) AS DOUBLE), 0) AS taux,
      CAST(coalesce(sum(execute), 0) - coalesce(sum(credits), 0) AS DOUBLE) AS ecart
    FROM ${LINES(table, chartWhere(filter))} WHERE chapitre IS NOT NULL
    GROUP BY chapitre ORDER BY abs(ecart) DESC, chapitre LIMIT ${Math.max(1, Math.floor(limit))}`;
}

export interface ChapterMeasure {
  chapter: string;
  credits: number | null;
  executed: number | null;
  rate: number | null;
  variance: number;
}

export async function chapterMeasures(engine: Engine, table: string, filter: TreeFilter, limit = 25): Promise<ChapterMeasure[]> {
  const r = await engine.query(chapterMeasuresSql(table, filter, limit));
  return r.rows.map((x) => ({
    chapter: String(x[0]),
    credits: num(x[1]),
    executed: num(x[2]),
    rate: num(x[3]),
    variance: Number(x[4] ?? 0),
  }));
}

/** Per year: credits and executed of the flow (all years, whatever the year chosen). */
export function yearlyTotalsSql(table: string, filter: Omit<TreeFilter, 'year'>): string {
  return `SELECT annee, CAST(sum(credits) AS DOUBLE) AS credits, CAST(sum(execute) AS DOUBLE) AS execute
    FROM ${LINES(table, chartWhere({ flow: filter.flow, opType: filter.opType, year: null }))} WHERE annee IS NOT NULL GROUP BY annee ORDER BY annee`;
}

export interface YearTotal {
  year: number;
  credits: number | null;
  executed: number | null;
}

export async function yearlyTotals(engine: Engine, table: string, filter: Omit<TreeFilter, 'year'>): Promise<YearTotal[]> {
  const r = await engine.query(yearlyTotalsSql(table, filter));
  return r.rows.map((x) => ({ year: Number(x[0]), credits: num(x[1]), executed: num(x[2]) }));
}
