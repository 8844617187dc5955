// How the profile panel and the table summary write a column's figures: the same column reads the
// same way in both (and as in the grid).
import { formatCode, formatNumber } from '../../i18n/format.ts';

/** A min, max or quartile: years and codes (exercice 2022, code INSEE) as written, other numbers grouped. */
export function profileValue(v: number | string | null | undefined, code: boolean): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? (code ? formatCode(v) : formatNumber(v)) : v;
}

/** A share (0–1) as a percentage with one decimal: 0.1234 → « 12,3 ». */
export function sharePercent(share: number): string {
  return formatNumber(Math.round(share * 1000) / 10);
}

/** An estimate's relative error as a percentage, never shown as 0 (it is an estimate). */
export function errorPercent(e: number): string {
  return formatNumber(Math.max(0.1, Math.round(e * 1000) / 10));
}
