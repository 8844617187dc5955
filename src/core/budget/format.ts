// Figures in summaries are read by auditors and journalists: French formats, always.
import { numberFormat } from '../util/numbers.ts';

const euroFmt = numberFormat({ style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });
const euroCentsFmt = numberFormat({ style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const intFmt = numberFormat({ maximumFractionDigits: 0 });
const pctFmt = numberFormat({ style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decFmt = numberFormat({ maximumFractionDigits: 1 });

/** 1 234 567 € (cents shown only when the amount is not whole). */
export function euros(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Number.isInteger(Math.round(x * 100) / 100) ? euroFmt.format(x) : euroCentsFmt.format(x);
}

export function count(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : intFmt.format(x);
}

/** A ratio (0.5) as « 50,0 % ». */
export function percent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '—' : pctFmt.format(ratio);
}

export function decimal(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : decFmt.format(x);
}

/** « 3 signaux » / « 1 signal » / « aucun signal ». */
export function plural(n: number, one: string, many: string, none?: string): string {
  if (n === 0 && none) return none;
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** SQL that renders a DECIMAL/DOUBLE amount the French way inside explanations (« 1 234 567,89 € »). */
export function sqlEuros(expr: string): string {
  // DuckDB's format() uses a comma thousands separator; French uses a (narrow) space and a decimal comma.
  return `(replace(replace(replace(format('{:,.2f}', CAST(${expr} AS DOUBLE)), ',', ' '), '.', ','), ',00', '') || ' €')`;
}

/** SQL rendering a ratio as « 45,2 % ». */
export function sqlPercent(expr: string): string {
  return `(replace(format('{:.1f}', CAST(${expr} AS DOUBLE) * 100), '.', ',') || ' %')`;
}

/** SQL naming a section code in words: « investissement », « fonctionnement ». */
export function sqlSection(expr: string): string {
  return `CASE ${expr} WHEN 'I' THEN 'investissement' WHEN 'F' THEN 'fonctionnement' ELSE coalesce(${expr}, 'section ?') END`;
}

/** SQL naming a flow code in words: « dépenses », « recettes ». */
export function sqlFlow(expr: string): string {
  return `CASE ${expr} WHEN 'D' THEN 'dépenses' WHEN 'R' THEN 'recettes' ELSE coalesce(${expr}, 'sens ?') END`;
}
