// What is in each column, and what is odd about the table as a whole: the first thing an auditor
// asks of a dataset, computed in DuckDB (a few aggregate queries), never by reading rows into JS.
import type { Engine } from '../engine/engine.ts';
import { describeColumns } from '../engine/digest.ts';
import { quoteIdent } from '../sql/ident.ts';

export type ProfileFlag = 'empty' | 'constant' | 'mostly-null' | 'identifier' | 'date-as-text' | 'amount-as-text';

export interface ColumnSummary {
  name: string;
  type: string;
  count: number;
  nulls: number;
  nullShare: number;
  distinct: number;
  min: string | number | null;
  max: string | number | null;
  minLength?: number | null;
  maxLength?: number | null;
  flags: ProfileFlag[];
}

export interface NumericStats {
  mean: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  stddev: number | null;
}

export interface ColumnProfile extends ColumnSummary {
  numeric?: NumericStats;
  /** Top values with counts (text and low-cardinality columns). */
  top?: { value: string | number | null; count: number }[];
  /** Equal-width histogram for numbers. */
  histogram?: { from: number; to: number; count: number }[];
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/i;
const TEXT = /^VARCHAR/i;
const TIMEOUT_MS = 60_000;
const BATCH = 40;

/** Dates written as text: dd/mm/yyyy, yyyy-mm-dd. Amounts as text: digits with a decimal comma or spaces. */
const DATE_TEXT = `'^\\s*(\\d{1,2}/\\d{1,2}/\\d{4}|\\d{4}-\\d{2}-\\d{2})\\s*$'`;
const AMOUNT_TEXT = `'^\\s*-?\\d{1,3}([ \\x{00A0}\\x{202F}.]?\\d{3})*(,\\d+)?\\s*(€|EUR)?\\s*$'`;

function flagsOf(s: Omit<ColumnSummary, 'flags'>, dateShare: number, amountShare: number): ProfileFlag[] {
  const flags: ProfileFlag[] = [];
  const filled = s.count - s.nulls;
  if (filled === 0) flags.push('empty');
  else if (s.distinct === 1) flags.push('constant');
  if (filled > 0 && s.nullShare >= 0.9) flags.push('mostly-null');
  if (filled >= 20 && s.distinct === filled && (TEXT.test(s.type) || /INT/i.test(s.type))) flags.push('identifier');
  if (TEXT.test(s.type) && filled > 0 && dateShare >= 0.95) flags.push('date-as-text');
  if (TEXT.test(s.type) && filled > 0 && amountShare >= 0.95 && !flags.includes('date-as-text')) flags.push('amount-as-text');
  return flags;
}

/** One row per column (like SUMMARIZE), with flags for what deserves a second look. */
export async function summarizeTable(engine: Engine, relation: string): Promise<ColumnSummary[]> {
  const cols = await describeColumns(engine, relation);
  const out: ColumnSummary[] = [];
  for (let b = 0; b < cols.length; b += BATCH) {
    const batch = cols.slice(b, b + BATCH);
    const exprs = batch.flatMap((c, i) => {
      const id = quoteIdent(c.name);
      const text = TEXT.test(c.type);
      return [
        `count(${id}) AS "n${i}"`,
        `count(DISTINCT ${id}) AS "d${i}"`,
        `CAST(min(${id}) AS VARCHAR) AS "lo${i}"`,
        `CAST(max(${id}) AS VARCHAR) AS "hi${i}"`,
        text ? `min(length(${id})) AS "ml${i}"` : `NULL AS "ml${i}"`,
        text ? `max(length(${id})) AS "xl${i}"` : `NULL AS "xl${i}"`,
        text ? `avg(CASE WHEN regexp_matches(${id}, ${DATE_TEXT}) THEN 1 ELSE 0 END) FILTER (WHERE ${id} IS NOT NULL AND ${id} <> '') AS "dt${i}"` : `NULL AS "dt${i}"`,
        // Bare digits with no decimal comma, separator or currency anywhere (SIRET, postal codes kept as
        // text on purpose, 'NA' for missing) are codes, not amounts.
        text ? `CASE WHEN NOT bool_or(regexp_matches(${id}, '\\d[,\\s\\x{00A0}\\x{202F}.]\\d|€|EUR')) THEN 0 ELSE avg(CASE WHEN regexp_matches(${id}, ${AMOUNT_TEXT}) THEN 1 ELSE 0 END) FILTER (WHERE ${id} IS NOT NULL AND ${id} <> '') END AS "am${i}"` : `NULL AS "am${i}"`,
      ];
    });
    const r = await engine.query(`SELECT count(*) AS total, ${exprs.join(', ')} FROM ${relation} AS _p`, { timeoutMs: TIMEOUT_MS });
    const row = r.rows[0]!;
    const total = Number(row[0]);
    batch.forEach((c, i) => {
      const at = (k: number) => row[1 + i * 8 + k];
      const nonNull = Number(at(0));
      const base = {
        name: c.name,
        type: c.type,
        count: total,
        nulls: total - nonNull,
        nullShare: total ? (total - nonNull) / total : 0,
        distinct: Number(at(1)),
        min: NUMERIC.test(c.type) && at(2) !== null ? Number(at(2)) : ((at(2) as string | null) ?? null),
        max: NUMERIC.test(c.type) && at(3) !== null ? Number(at(3)) : ((at(3) as string | null) ?? null),
        ...(TEXT.test(c.type) ? { minLength: at(4) as number | null, maxLength: at(5) as number | null } : {}),
      };
      out.push({ ...base, flags: flagsOf(base, Number(at(6) ?? 0), Number(at(7) ?? 0)) });
    });
  }
  return out;
}

/** The detailed profile of one column: summary, numeric statistics, top values or a histogram. */
export async function profileColumn(engine: Engine, relation: string, column: string, opts: { top?: number; bins?: number } = {}): Promise<ColumnProfile> {
  const cols = await describeColumns(engine, relation);
  const col = cols.find((c) => c.name === column);
  if (!col) throw new Error(`Colonne inconnue : ${column}`);
  const [summary] = await summarizeTable(engine, `(SELECT ${quoteIdent(column)} FROM ${relation} AS _c)`);
  const id = quoteIdent(column);
  const profile: ColumnProfile = { ...summary!, type: col.type };
  if (NUMERIC.test(col.type)) {
    const r = await engine.query(
      `SELECT avg(${id})::DOUBLE, quantile_cont(${id}, 0.5)::DOUBLE, quantile_cont(${id}, 0.25)::DOUBLE, quantile_cont(${id}, 0.75)::DOUBLE, stddev_samp(${id})::DOUBLE FROM ${relation} AS _c`,
      { timeoutMs: TIMEOUT_MS },
    );
    const [mean, median, q1, q3, stddev] = r.rows[0] as (number | null)[];
    profile.numeric = { mean: mean ?? null, median: median ?? null, q1: q1 ?? null, q3: q3 ?? null, stddev: stddev ?? null };
    const lo = profile.min as number | null;
    const hi = profile.max as number | null;
    if (lo !== null && hi !== null && profile.distinct > (opts.top ?? 10)) {
      const bins = opts.bins ?? 20;
      const width = hi > lo ? (hi - lo) / bins : 1;
      const h = await engine.query(
        `SELECT least(floor((${id} - ${lo}) / ${width}), ${bins - 1})::INTEGER AS b, count(*) FROM ${relation} AS _c WHERE ${id} IS NOT NULL GROUP BY 1 ORDER BY 1`,
        { timeoutMs: TIMEOUT_MS },
      );
      profile.histogram = h.rows.map(([b, n]) => ({ from: lo + Number(b) * width, to: lo + (Number(b) + 1) * width, count: Number(n) }));
      return profile;
    }
  }
  const t = await engine.query(
    `SELECT ${id} AS v, count(*) AS n FROM ${relation} AS _c GROUP BY 1 ORDER BY n DESC, v NULLS LAST LIMIT ${opts.top ?? 10}`,
    { timeoutMs: TIMEOUT_MS },
  );
  profile.top = t.rows.map(([v, n]) => ({ value: v as string | number | null, count: Number(n) }));
  return profile;
}
