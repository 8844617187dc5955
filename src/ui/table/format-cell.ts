// How one value looks in a cell. NULL and empty text look different: an auditor must tell them apart.
import { formatCode, formatDate, formatDecimal, formatNumber, formatTimestamp } from '../../i18n/format.ts';
import type { GridColumn } from './grid-state.svelte.ts';

export type CellDisplay =
  | { type: 'loading' }
  | { type: 'null' }
  | { type: 'empty' }
  | { type: 'value'; text: string; numeric: boolean }
  | { type: 'boolean'; value: boolean };

export function displayCell(value: unknown, col: Pick<GridColumn, 'kind' | 'scale' | 'code'>): CellDisplay {
  const kind = col.kind;
  if (value === undefined) return { type: 'loading' };
  if (value === null) return { type: 'null' };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (typeof value === 'number') {
    const text = col.code
      ? formatCode(value)
      : col.scale !== null && Number.isFinite(value)
        ? formatDecimal(value, col.scale)
        : formatNumber(value);
    return { type: 'value', text, numeric: true };
  }
  const s = String(value);
  if (s === '') return { type: 'empty' };
  if (kind === 'date') return { type: 'value', text: formatDate(s), numeric: false };
  if (kind === 'timestamp') return { type: 'value', text: formatTimestamp(s), numeric: false };
  return { type: 'value', text: s, numeric: false };
}
