// The key figures of a result's detail: its numbers and short texts, one level of nesting flattened
// (« byReason.split »). Lists and charts are shown elsewhere (the grid, the chart), not here.
import { formatNumber } from '../../i18n/format.ts';
import { figureLabel } from './labels.ts';

export interface Figure {
  key: string;
  label: string;
  value: string;
}

function scalar(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : String(v);
  if (typeof v === 'bigint') return formatNumber(Number(v));
  if (typeof v === 'string') return v.length <= 80 ? v : null;
  return null;
}

export function figuresOf(detail: unknown): Figure[] {
  if (!detail || typeof detail !== 'object') return [];
  const out: Figure[] = [];
  for (const [k, v] of Object.entries(detail as Record<string, unknown>)) {
    const s = scalar(v);
    if (s !== null) out.push({ key: k, label: figureLabel(k), value: s });
    else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'chart') {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
        const s2 = scalar(v2);
        if (s2 !== null) out.push({ key: `${k}.${k2}`, label: `${figureLabel(k)} — ${figureLabel(k2)}`, value: s2 });
      }
    }
  }
  return out.slice(0, 24);
}
