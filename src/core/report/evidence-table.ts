// An evidence table as a reader of the report needs it: the few columns the finding is about, cells
// that wrap, nested values as « clé : valeur » rather than raw JSON — and every frozen column and row
// in a CSV attached to the report, so nothing is hidden by choosing what is printed.
// A snapshot from a wide result (a 36-column open-data export) printed whole runs off an A4 page and
// drowns the two columns the finding cites; the reader who wants the rest opens the CSV.
import type { Finding, SnapshotEvidence } from '../findings/model.ts';
import { neutraliseCell } from '../export/neutralise.ts';
import { isNestedType, isNumericType, typeKind } from '../sql/types.ts';

export type SnapshotColumn = SnapshotEvidence['columns'][number];

/** Why a column is printed: the author chose it, the finding's text names it, it holds the amount, it identifies a row. */
export type ColumnReason = 'chosen' | 'cited' | 'amount' | 'key' | 'first';

export interface ShownColumn {
  index: number;
  column: SnapshotColumn;
  reason: ColumnReason;
}

export interface ColumnChoice {
  shown: ShownColumn[];
  /** Columns frozen in the evidence; those not shown are in the attached CSV. */
  total: number;
}

/** At most this many columns by default: what an A4 page in portrait holds with wrapped cells. */
export const MAX_DEFAULT_COLUMNS = 7;

const AMOUNT =
  /montant|amount|budget|somme|total|prix|cout|co[uû]t|euros?$|_eur$|valeur|depense|dépense|recette|subvention|verse|versé|mandat/i;
const KEY =
  /^(id|identifiant|num(e|é)ro|n_?o|code|siret|siren|ref|reference|référence|nom|libell(e|é)|b(e|é)n(e|é)ficiaire|objet|titre|intitul(e|é)|raison_sociale|denomination|dénomination|tiers|fournisseur|projet)(_|$)/i;

/** Lower case, no accents, underscores and punctuation as spaces: « Montant_Voté » and « montant voté » meet. */
function norm(s: string): string {
  return ` ${s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

/**
 * A value that is a nested structure: an object or list, or text holding one (a JSON column of an API
 * export arrives as VARCHAR). Returns the structure, or undefined for a plain value.
 */
export function nestedValue(v: unknown): object | undefined {
  if (v !== null && typeof v === 'object') return v;
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v) || !/[\]}]\s*$/.test(v)) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isNested(col: SnapshotColumn, rows: readonly unknown[][], i: number): boolean {
  if (isNestedType(col.type) || typeKind(col.type) === 'json') return true;
  return rows.slice(0, 20).some((r) => nestedValue(r[i]) !== undefined);
}

function isNumeric(col: SnapshotColumn, rows: readonly unknown[][], i: number): boolean {
  if (isNumericType(col.type)) return true;
  const seen = rows
    .slice(0, 20)
    .map((r) => r[i])
    .filter((v) => v !== null && v !== undefined);
  return seen.length > 0 && seen.every((v) => typeof v === 'number');
}

/** The text a finding is written in: what its author cites. */
function findingText(f: Pick<Finding, 'title' | 'criteria' | 'condition' | 'cause' | 'effect' | 'recommendation'>): string {
  return norm([f.title, f.criteria, f.condition, f.cause, f.effect.text, f.recommendation].join(' \n '));
}

/**
 * Which columns of a snapshot the report prints, in the snapshot's order. `chosen` (column names, from
 * the author) wins; otherwise the columns the finding's text names (by name or by label), the amount
 * column, and one or two columns that identify a row — at most MAX_DEFAULT_COLUMNS, never a nested
 * value nobody cited. A snapshot narrow enough is printed whole.
 */
export function chooseColumns(
  finding: Pick<Finding, 'title' | 'criteria' | 'condition' | 'cause' | 'effect' | 'recommendation'>,
  e: Pick<SnapshotEvidence, 'columns' | 'rows'>,
  chosen?: readonly string[],
): ColumnChoice {
  const cols = e.columns;
  const total = cols.length;
  const pick = new Map<number, ColumnReason>();
  if (chosen?.length) {
    const want = new Set(chosen);
    cols.forEach((c, i) => {
      if (want.has(c.name) || want.has(c.label)) pick.set(i, 'chosen');
    });
    if (pick.size)
      return { shown: [...pick].sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, column: cols[index]!, reason })), total };
  }
  const nested = cols.map((c, i) => isNested(c, e.rows, i));
  if (total <= 6 && !nested.some(Boolean)) return { shown: cols.map((column, index) => ({ index, column, reason: 'first' })), total };

  const text = findingText(finding);
  cols.forEach((c, i) => {
    const names = [c.name, c.label].map(norm).filter((n) => n.trim().length >= 3);
    if (names.some((n) => text.includes(n))) pick.set(i, 'cited');
  });
  // The amount at stake: a numeric column whose name says money, preferably one holding the amount itself.
  if (finding.effect.amount !== null || ![...pick.values()].length) {
    const money = cols
      .map((c, i) => i)
      .filter((i) => !nested[i] && isNumeric(cols[i]!, e.rows, i) && AMOUNT.test(norm(cols[i]!.name).trim().replace(/ /g, '_')));
    const exact = money.find((i) =>
      e.rows.some((r) => typeof r[i] === 'number' && Math.abs((r[i] as number) - (finding.effect.amount ?? NaN)) < 0.005),
    );
    const amount = exact ?? money[0];
    if (amount !== undefined && !pick.has(amount)) pick.set(amount, 'amount');
  }
  const keys = cols.map((c, i) => i).filter((i) => !nested[i] && !pick.has(i) && KEY.test(norm(cols[i]!.name).trim().replace(/ /g, '_')));
  for (const i of keys.slice(0, 2)) if (pick.size < MAX_DEFAULT_COLUMNS) pick.set(i, 'key');
  // Nothing named, no amount, no key: the first plain columns, so the table is never empty.
  if (!pick.size)
    cols.forEach((c, i) => {
      if (!nested[i] && pick.size < Math.min(5, MAX_DEFAULT_COLUMNS)) pick.set(i, 'first');
    });
  // Cited columns come first when there are too many; within what is kept the snapshot's order stays.
  const rank: Record<ColumnReason, number> = { chosen: 0, cited: 1, amount: 2, key: 3, first: 4 };
  const kept = [...pick].sort((a, b) => rank[a[1]] - rank[b[1]] || a[0] - b[0]).slice(0, MAX_DEFAULT_COLUMNS);
  return { shown: kept.sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, column: cols[index]!, reason })), total };
}

const READABLE_MAX = 240;

/**
 * A nested value (a JSON object or list from an API export) as a reader reads it: « clé : valeur » pairs
 * separated by « ; », lists by « , », cut at a few hundred characters (the CSV has it whole).
 */
export function readableValue(v: unknown, scalar: (x: unknown) => string): string {
  const walk = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return '—';
    if (Array.isArray(x))
      return x.length ? (depth > 2 ? `[${x.length} élément(s)]` : x.map((y) => walk(y, depth + 1)).join(', ')) : '(liste vide)';
    if (typeof x === 'object') {
      const entries = Object.entries(x as Record<string, unknown>);
      if (!entries.length) return '(vide)';
      if (depth > 2) return `{${entries.length} champ(s)}`;
      const inner = entries.map(([k, y]) => `${k} : ${walk(y, depth + 1)}`).join(' ; ');
      return depth ? `(${inner})` : inner;
    }
    return scalar(x);
  };
  const s = walk(v, 0);
  return s.length > READABLE_MAX ? `${s.slice(0, READABLE_MAX - 1)}…` : s;
}

function csvCell(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  // French spreadsheets read « 1234,56 » as a number; no thousands separator, every digit kept.
  else if (typeof v === 'number') s = String(v).replace('.', ',');
  else if (typeof v === 'boolean') s = v ? 'true' : 'false';
  else if (typeof v === 'object') s = neutraliseCell(JSON.stringify(v));
  else s = neutraliseCell(String(v));
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The whole frozen snapshot as CSV for a French spreadsheet (« ; », decimal comma, UTF-8 with BOM):
 * every column, every frozen row, nested values as JSON, formula-looking text neutralised.
 */
export function snapshotCsv(e: Pick<SnapshotEvidence, 'columns' | 'rows'>): string {
  const lines = [e.columns.map((c) => csvCell(c.label)).join(';'), ...e.rows.map((r) => e.columns.map((_, i) => csvCell(r[i])).join(';'))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The CSV as a link's address: percent-encoded rather than base64, so the report holds no « // » and
 * nothing a scanner could take for a URL; the report's CSP does not govern a download.
 */
export function csvDataUrl(csv: string): string {
  return `data:text/csv;charset=utf-8,${encodeURIComponent(csv)}`;
}

/** A file name for an evidence's CSV, the same in the report's link and beside a report the CLI writes. */
export function csvFileName(findingId: string, evidenceId: string): string {
  return `${findingId}-${evidenceId}.csv`.replace(/[^A-Za-z0-9_.-]/g, '_');
}
