// Result tables as text for the terminal, CSV or JSON.
import type { Rows } from '../core/engine/values.ts';
import { neutraliseCell } from '../core/export/neutralise.ts';

/** A CSV from the terminal ends up in a spreadsheet as often as an export does: same protection. */
function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? neutraliseCell(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function toCsv(r: Rows): string {
  const lines = [r.columns.map((c) => csvCell(c.name)).join(',')];
  for (const row of r.rows) lines.push(row.map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

export function toJson(r: Rows): string {
  return JSON.stringify(r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])))) + '\n';
}

export function toText(r: Rows, max = 50): string {
  const shown = r.rows.slice(0, max).map((row) => row.map((v) => (v === null ? 'NULL' : String(v))));
  const head = r.columns.map((c) => c.name);
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...shown.map((row) => row[i]!.length))));
  const fmt = (cells: string[]) => cells.map((c, i) => c.slice(0, 40).padEnd(widths[i]!)).join(' │ ');
  const out = [fmt(head), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...shown.map(fmt)];
  out.push(`(${r.rows.length} ligne${r.rows.length > 1 ? 's' : ''}${r.rows.length > max ? `, ${max} affichées` : ''})`);
  return out.join('\n') + '\n';
}
