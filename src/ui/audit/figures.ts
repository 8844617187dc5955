// The key figures of a result's detail: its numbers and short texts, one level of nesting flattened
// (« byReason.split »). Lists and charts are shown elsewhere (the grid, the chart), not here.
import { formatNamedNumber } from '../../core/util/numbers.ts';
import { figureLabel, optionLabel } from './labels.ts';

export interface Figure {
  key: string;
  label: string;
  value: string;
}

// Computed figures (a chi-square, a MAD, a rate) shown for reading: digits by kind and magnitude,
// not the 15 of a double. A code-valued figure (the Benford test) is shown in words.
function scalar(key: string, v: unknown): string | null {
  if (typeof v === 'number') return formatNamedNumber(key, v);
  if (typeof v === 'bigint') return formatNamedNumber(key, Number(v));
  if (typeof v === 'string') return v.length <= 80 ? optionLabel(key, v) : null;
  return null;
}

export function figuresOf(detail: unknown): Figure[] {
  if (!detail || typeof detail !== 'object') return [];
  const out: Figure[] = [];
  for (const [k, v] of Object.entries(detail as Record<string, unknown>)) {
    const s = scalar(k, v);
    if (s !== null) out.push({ key: k, label: figureLabel(k), value: s });
    else if (v && typeof v === 'object' && !Array.isArray(v) && k !== 'chart') {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
        const s2 = scalar(k2, v2);
        if (s2 !== null) out.push({ key: `${k}.${k2}`, label: `${figureLabel(k)} — ${figureLabel(k2)}`, value: s2 });
      }
    }
  }
  return out.slice(0, 24);
}
