// Turning what the user typed in a filter form into filter values: French numbers ("1 234,5"),
// dates from <input type=date>, and back to text when the form is opened on an existing filter.
import type { Filter } from '../../core/query/filters.ts';
import type { CellKind } from '../../core/sql/types.ts';

/** "1 234,56" / "1234.56" / "-12" → number; '' → undefined; anything else → NaN (shown as invalid). */
export function parseNumberInput(text: string): number | undefined {
  const s = text.trim().replace(/[\s\u00a0\u202f]/g, '');
  if (!s) return undefined;
  const normal = s.includes(',') ? s.replace(/\./g, '').replace(',', '.') : s;
  return /^[-+]?\d*\.?\d+(e[-+]?\d+)?$/i.test(normal) ? Number(normal) : Number.NaN;
}

export type TextOp = 'contains' | 'equals' | 'starts-with' | 'is-empty' | 'not-empty';

export interface FilterDraft {
  textOp: TextOp;
  text: string;
  min: string;
  max: string;
  /** Values ticked in the list of top values. */
  values: (string | number | null)[];
}

export function emptyDraft(): FilterDraft {
  return { textOp: 'contains', text: '', min: '', max: '', values: [] };
}

/** Numbers, dates and timestamps are filtered by a range; other columns by a text condition. */
export function isRanged(kind: CellKind): boolean {
  return kind === 'number' || kind === 'date' || kind === 'timestamp';
}

/** A range's end as typed: a number with a French decimal comma, a date as written. */
function boundText(v: string | number | null | undefined, kind: CellKind): string {
  return v == null ? '' : kind === 'number' && typeof v === 'number' ? String(v).replace('.', ',') : String(v);
}

/** The draft that shows the filters a column has now. */
export function draftOf(filters: readonly Filter[], column: string, kind: CellKind): FilterDraft {
  const d = emptyDraft();
  for (const f of filters) {
    if (f.column !== column) continue;
    if (f.op === 'in') d.values = [...f.values];
    else if (f.op === 'between') {
      d.min = boundText(f.min, kind);
      d.max = boundText(f.max, kind);
    } else if (f.op === 'contains' || f.op === 'starts-with') {
      d.textOp = f.op;
      d.text = f.value;
    } else if (f.op === 'equals') {
      d.textOp = 'equals';
      d.text = f.value === null ? '' : String(f.value);
    } else d.textOp = f.op;
  }
  return d;
}

/** The filters a draft stands for (empty when nothing was set), or an error key for a bad number. */
export function filtersOfDraft(d: FilterDraft, column: string, kind: CellKind): { filters: Filter[] } | { error: 'number' } {
  const out: Filter[] = [];
  if (isRanged(kind)) {
    let min: string | number | undefined = d.min.trim() || undefined;
    let max: string | number | undefined = d.max.trim() || undefined;
    if (kind === 'number') {
      min = parseNumberInput(d.min);
      max = parseNumberInput(d.max);
      if (Number.isNaN(min) || Number.isNaN(max)) return { error: 'number' };
    }
    if (min !== undefined || max !== undefined) {
      out.push({ column, op: 'between', ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) });
    }
  } else if (d.textOp === 'is-empty' || d.textOp === 'not-empty') {
    out.push({ column, op: d.textOp });
  } else if (d.text !== '') {
    out.push(d.textOp === 'equals' ? { column, op: 'equals', value: d.text } : { column, op: d.textOp, value: d.text });
  }
  if (d.values.length) out.push({ column, op: 'in', values: [...d.values] });
  return { filters: out };
}
