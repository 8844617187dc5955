// Numbers, sizes and dates the French way, whatever the interface language: auditors compare them
// with French source documents.
import { formatDateTime as reportDateTime } from '../core/report/format.ts';
import { numberFormat } from '../core/util/numbers.ts';

const integer = numberFormat({ maximumFractionDigits: 0 });
// 15 significant digits: every double prints as the decimal it stands for (0,3 rather than
// 0,30000000000000004), and no digit that the value really has is dropped.
const decimal = numberFormat({ maximumSignificantDigits: 15 });
const plain = numberFormat({ maximumFractionDigits: 0, useGrouping: false });

export function formatInteger(n: number): string {
  return integer.format(n);
}

/** Codes and years (75101, 2024) read as written, without thousands separators. */
export function formatCode(n: number): string {
  return Number.isInteger(n) ? plain.format(n) : String(n);
}

/** Full precision: a displayed amount must be the stored amount, not a rounding of it. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return integer.format(n);
  return decimal.format(n);
}

/** A DECIMAL(p,s) value with its s decimals, as the source wrote it (1 010,10 rather than 1 010,1). */
export function formatDecimal(n: number, scale: number): string {
  return numberFormat({ minimumFractionDigits: scale, maximumFractionDigits: Math.max(scale, 15) }).format(n);
}

const UNITS = ['o', 'Ko', 'Mo', 'Go', 'To'];
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const s = u === 0 ? integer.format(v) : numberFormat({ maximumFractionDigits: 1 }).format(v);
  return `${s} ${UNITS[u]}`;
}

/** `yyyy-mm-dd` (as the engine gives dates) → `dd/mm/yyyy`. */
export function formatDate(iso: string): string {
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** `yyyy-mm-ddThh:mm:ss[.sss]` → `dd/mm/yyyy hh:mm:ss[.sss]`. */
export function formatTimestamp(iso: string): string {
  const m = /^(-?\d{4,}-\d{2}-\d{2})[T ](.*)$/.exec(iso);
  return m ? `${formatDate(m[1]!)} ${m[2]}` : iso;
}

/**
 * A point in time (an import date, a journal entry) in the user's clock, with its zone named
 * (« 02/12/2026 14:05:03 UTC+1 »): the same formatter as the HTML report, so both say the same time.
 */
export function formatDateTime(iso: string): string {
  return reportDateTime(iso);
}
