// A query's duration the French way: "48 ms", "1,3 s", "2 min 05 s".
import { numberFormat } from '../../core/util/numbers.ts';

const ms = numberFormat({ maximumFractionDigits: 0 });
const sec = numberFormat({ maximumFractionDigits: 1 });

export function formatDuration(milliseconds: number): string {
  if (milliseconds < 1000) return `${ms.format(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${sec.format(milliseconds / 1000)} s`;
  const s = Math.round(milliseconds / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
