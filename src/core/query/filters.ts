// Per-column filters, combined into one WHERE clause that the user sees both as SQL and as chips.
// Text matching ignores case and accents, as French users expect ("etablissement" finds "Établissement").
import { z } from 'zod';
import { quoteIdent, quoteLiteral, sqlValue } from '../sql/ident.ts';
import { numberFormat } from '../util/numbers.ts';

const column = z.string().min(1).max(1000);
const scalar = z.union([z.string().max(10_000), z.number(), z.null()]);

export const Filter = z.discriminatedUnion('op', [
  z.object({ column, op: z.literal('contains'), value: z.string().max(10_000) }),
  z.object({ column, op: z.literal('equals'), value: scalar }),
  z.object({ column, op: z.literal('starts-with'), value: z.string().max(10_000) }),
  z.object({ column, op: z.literal('is-empty') }),
  z.object({ column, op: z.literal('not-empty') }),
  z.object({ column, op: z.literal('between'), min: scalar.optional(), max: scalar.optional() }),
  z.object({ column, op: z.literal('in'), values: z.array(scalar).min(1).max(10_000) }),
]);
export type Filter = z.infer<typeof Filter>;

function folded(expr: string): string {
  return `strip_accents(lower(CAST(${expr} AS VARCHAR)))`;
}

function foldLiteral(v: string): string {
  return quoteLiteral(
    v
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase(),
  );
}

/** Compares like with like: a number literal for numbers, a date string is cast by DuckDB. */
function typedValue(v: string | number | null): string {
  return sqlValue(v);
}

export function filterSql(f: Filter): string {
  const c = quoteIdent(f.column);
  switch (f.op) {
    case 'contains':
      return `contains(${folded(c)}, ${foldLiteral(f.value)})`;
    case 'starts-with':
      return `starts_with(${folded(c)}, ${foldLiteral(f.value)})`;
    case 'equals':
      return f.value === null ? `${c} IS NULL` : `${c} = ${typedValue(f.value)}`;
    case 'is-empty':
      return `(${c} IS NULL OR trim(CAST(${c} AS VARCHAR)) = '')`;
    case 'not-empty':
      return `(${c} IS NOT NULL AND trim(CAST(${c} AS VARCHAR)) <> '')`;
    case 'between': {
      const parts: string[] = [];
      if (f.min !== undefined && f.min !== null) parts.push(`${c} >= ${typedValue(f.min)}`);
      if (f.max !== undefined && f.max !== null) parts.push(`${c} <= ${typedValue(f.max)}`);
      return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
    }
    case 'in': {
      const vals = f.values.filter((v) => v !== null);
      const hasNull = vals.length < f.values.length;
      const inList = vals.length ? `${c} IN (${vals.map(typedValue).join(', ')})` : '';
      if (hasNull) return inList ? `(${inList} OR ${c} IS NULL)` : `${c} IS NULL`;
      return inList;
    }
  }
}

/** `WHERE …` for the filters (AND), or '' when there is none. */
export function whereClause(filters: readonly Filter[]): string {
  return filters.length ? `WHERE ${filters.map(filterSql).join('\n  AND ')}` : '';
}

export type ChipLang = 'fr' | 'en';

function show(v: string | number | null | undefined, lang: ChipLang = 'fr'): string {
  if (v === null || v === undefined) return '∅';
  if (typeof v === 'number') return numberFormat().format(v);
  return lang === 'fr' ? `« ${v} »` : `“${v}”`;
}

const CHIP_WORDS: Record<ChipLang, Record<'contains' | 'startsWith' | 'isEmpty' | 'notEmpty' | 'between' | 'and' | 'oneOf', string>> = {
  fr: {
    contains: 'contient',
    startsWith: 'commence par',
    isEmpty: 'est vide',
    notEmpty: 'n’est pas vide',
    between: 'entre',
    and: 'et',
    oneOf: 'est l’une de :',
  },
  en: {
    contains: 'contains',
    startsWith: 'starts with',
    isEmpty: 'is empty',
    notEmpty: 'is not empty',
    between: 'between',
    and: 'and',
    oneOf: 'is one of:',
  },
};

/** A readable chip for a filter, in French by default: `Direction est l'une de : « DAC », « DASCO »`. */
export function filterChip(f: Filter, label = f.column, lang: ChipLang = 'fr'): string {
  const w = CHIP_WORDS[lang];
  const s = (v: string | number | null | undefined) => show(v, lang);
  switch (f.op) {
    case 'contains':
      return `${label} ${w.contains} ${s(f.value)}`;
    case 'starts-with':
      return `${label} ${w.startsWith} ${s(f.value)}`;
    case 'equals':
      return `${label} = ${s(f.value)}`;
    case 'is-empty':
      return `${label} ${w.isEmpty}`;
    case 'not-empty':
      return `${label} ${w.notEmpty}`;
    case 'between':
      if (f.min != null && f.max != null) return `${label} ${w.between} ${s(f.min)} ${w.and} ${s(f.max)}`;
      return f.min != null ? `${label} ≥ ${s(f.min)}` : `${label} ≤ ${s(f.max)}`;
    case 'in':
      return f.values.length === 1 ? `${label} = ${s(f.values[0])}` : `${label} ${w.oneOf} ${f.values.map(s).join(', ')}`;
  }
}

/** Adds a value to the column's multi-select filter (a facet click), creating it if needed. */
export function toggleValue(filters: readonly Filter[], column: string, value: string | number | null): Filter[] {
  const i = filters.findIndex((f) => f.column === column && f.op === 'in');
  if (i < 0) return [...filters, { column, op: 'in', values: [value] }];
  const f = filters[i] as Extract<Filter, { op: 'in' }>;
  const values = f.values.includes(value) ? f.values.filter((v) => v !== value) : [...f.values, value];
  const next = [...filters];
  if (values.length) next[i] = { ...f, values };
  else next.splice(i, 1);
  return next;
}
