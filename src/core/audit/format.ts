// French number formats for the audit summaries, which auditors and journalists quote as written.
import { numberFormat } from '../util/numbers.ts';

const intFmt = numberFormat({ maximumFractionDigits: 0 });
const eurFmt = numberFormat({ style: 'currency', currency: 'EUR', maximumFractionDigits: 2 });
const pctFmt = numberFormat({ style: 'percent', maximumFractionDigits: 1 });

export function fmtInt(n: unknown): string {
  return intFmt.format(Number(n ?? 0));
}
export function fmtEur(n: unknown): string {
  return eurFmt.format(Number(n ?? 0));
}
export function fmtPct(n: unknown): string {
  return pctFmt.format(Number(n ?? 0));
}
export function fmtNum(n: unknown, digits = 4): string {
  return numberFormat({ maximumFractionDigits: digits }).format(Number(n ?? 0));
}

/** French plural for the summaries: « 1 groupe », « 3 groupes ». */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n >= 2 || n <= -2 ? many : one}`;
}
