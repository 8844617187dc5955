// Copying cells for a spreadsheet. We copy the stored values, not the displayed text: no thousands
// separators, every decimal the value has, so what is pasted is the number itself. In French the
// decimal separator is a comma (what a French LibreOffice or Excel expects to read a number from
// text); in English a dot. Dates stay ISO (yyyy-mm-dd), which both spreadsheets read as dates in any
// locale. NULL becomes an empty cell; empty text too (a spreadsheet cannot tell them apart).
// Fields with a tab, a line break or a quote are quoted the way spreadsheets quote them on copy.

import { neutraliseCell } from '../../../core/export/neutralise.ts';

export type DecimalMark = ',' | '.';

export function rawCell(value: unknown, mark: DecimalMark): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return String(value);
    // String() never groups digits; it switches to exponent only beyond 1e21, beyond any amount.
    const s = String(value);
    return mark === ',' ? s.replace('.', ',') : s;
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  const s = neutraliseCell(String(value));
  return /[\t\n\r"]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of values as tab-separated lines, as spreadsheets put on the clipboard. */
export function toTsv(rows: readonly (readonly unknown[])[], mark: DecimalMark): string {
  return rows.map((r) => r.map((v) => rawCell(v, mark)).join('\t')).join('\n');
}

export interface CellPos {
  row: number;
  col: number;
}

/** The rectangle between two corners, whatever their order. */
export function rangeOf(a: CellPos, b: CellPos): { r0: number; r1: number; c0: number; c1: number } {
  return { r0: Math.min(a.row, b.row), r1: Math.max(a.row, b.row), c0: Math.min(a.col, b.col), c1: Math.max(a.col, b.col) };
}
