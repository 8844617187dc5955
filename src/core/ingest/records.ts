// Rows parsed in JS (JSON, GeoJSON, XLSX) → a DuckDB table. We write them as CSV with explicit
// column types and load it with `read_csv`: the one loader in the wasm build that is both robust on
// untrusted input and free of `new Function` (Arrow builders), and whose types we choose ourselves —
// a code like "01000" stays text, a number stays a number, an ISO date becomes a DATE.
import { registeredName, type Engine } from '../engine/engine.ts';
import { isoDate, isoTimestamp } from '../engine/values.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';

export interface RowColumn {
  /** SQL-safe name. */
  name: string;
  /** As it was in the file. */
  label: string;
}

export type SqlType = 'BIGINT' | 'DOUBLE' | 'DECIMAL(18,2)' | 'BOOLEAN' | 'DATE' | 'TIMESTAMP' | 'VARCHAR';

// Money parsed from JSON is a binary double: 1029.04 is stored as 1029.0399999999999636…, and some
// exports add float noise of their own (1029.0400004). A number within a ten-thousandth of a cent of
// a whole number of cents (and below 1e13, where cents stay exact) is read as that amount in cents.
const CENT_TOLERANCE = 1e-4;
const AMOUNT_BOUND = 1e13;

/** The value in whole cents when it is one (noise aside), else null. */
export function wholeCents(v: number): number | null {
  if (!Number.isFinite(v) || Math.abs(v) >= AMOUNT_BOUND) return null;
  const c = Math.round(v * 100);
  return Math.abs(v * 100 - c) <= CENT_TOLERANCE ? c : null;
}

/** Whether a number differs from its cent value by more than its own shortest decimal form shows (float noise). */
export function isCentNoise(v: number): boolean {
  const c = wholeCents(v);
  return c !== null && Number((c / 100).toFixed(2)) !== v;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;

function validIsoDate(s: string): boolean {
  const y = Number(s.slice(0, 4));
  const m = Number(s.slice(5, 7));
  const d = Number(s.slice(8, 10));
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

type Kind = 'int' | 'num' | 'bool' | 'date' | 'ts' | 'text';

function kindOfValue(v: unknown): Kind | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'text';
    return Number.isSafeInteger(v) ? 'int' : 'num';
  }
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return 'text';
    return v.getTime() % 86_400_000 === 0 ? 'date' : 'ts';
  }
  if (typeof v === 'string') {
    if (ISO_DATE.test(v) && validIsoDate(v)) return 'date';
    if (ISO_TIMESTAMP.test(v) && validIsoDate(v.slice(0, 10))) return 'ts';
  }
  return 'text';
}

/** The narrowest type that holds every value of a column; text when values disagree. */
export function inferType(rows: readonly unknown[][], col: number): SqlType {
  const kinds = new Set<Kind>();
  for (const r of rows) {
    const k = kindOfValue(r[col]);
    if (k) kinds.add(k);
    if (kinds.has('text')) return 'VARCHAR';
  }
  if (kinds.size === 0) return 'VARCHAR';
  const only = (...ks: Kind[]) => [...kinds].every((k) => ks.includes(k));
  if (only('int')) return 'BIGINT';
  if (only('int', 'num')) return 'DOUBLE';
  if (only('bool')) return 'BOOLEAN';
  if (only('date')) return 'DATE';
  if (only('date', 'ts')) return 'TIMESTAMP';
  return 'VARCHAR';
}

/** Nested values (objects, arrays) become their JSON text; too deep to print is an error, not a crash. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.getTime() % 86_400_000 === 0 ? isoDate(v.getTime()) : isoTimestamp(v.getTime());
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

function csvField(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return '';
  switch (type) {
    case 'BIGINT':
    case 'DOUBLE':
    case 'BOOLEAN':
      return String(v);
    case 'DECIMAL(18,2)':
      // From whole cents, so the digits written are the cents meant, not the double's binary tail.
      return typeof v === 'number' ? centsText(wholeCents(v) ?? Math.round(v * 100)) : String(v);
    case 'DATE':
      return v instanceof Date ? isoDate(v.getTime()) : String(v);
    case 'TIMESTAMP':
      return v instanceof Date ? isoTimestamp(v.getTime()) : String(v);
    case 'VARCHAR':
      // Always quoted: with allow_quoted_nulls off, "" stays an empty string and only a bare empty is NULL.
      return `"${textOf(v).replaceAll('"', '""')}"`;
  }
}

function centsText(c: number): string {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

let serial = 0;

/**
 * Creates `table` with `columns` and `rows` (row-major, aligned with `columns`). Returns the SQL that
 * built it, for the journal. `types` overrides inference for some columns.
 */
export async function loadRows(
  engine: Engine,
  table: string,
  columns: readonly RowColumn[],
  rows: readonly unknown[][],
  types: Record<string, SqlType> = {},
): Promise<{ sql: string; types: SqlType[] }> {
  // Keys come from the data: a column named `constructor` must not find Object's own members.
  const colTypes = columns.map((c, i) => (Object.hasOwn(types, c.name) ? types[c.name]! : inferType(rows, i)));
  const defs = columns.map((c, i) => `${quoteIdent(c.name)} ${colTypes[i]}`).join(', ');
  if (rows.length === 0) {
    const sql = `CREATE TABLE ${quoteIdent(table)} (${defs})`;
    await engine.exec(sql);
    return { sql, types: colTypes };
  }
  const lines: string[] = [];
  let longest = 0;
  for (const r of rows) {
    const line = columns.map((_, i) => csvField(r[i], colTypes[i]!)).join(',');
    lines.push(line);
    longest = Math.max(longest, line.length);
  }
  // read_csv refuses lines over 2 MB by default; a long value (a big geometry's GeoJSON) is legitimate
  // here. Three bytes per UTF-16 unit bound the line's UTF-8 size.
  const maxLine = longest * 3 + 1 > 2_000_000 ? `, max_line_size = ${longest * 3 + 1}` : '';
  const file = registeredName(`loupe_rows_${++serial}_${table}.csv`);
  await engine.registerText(file, lines.join('\n') + '\n');
  const struct = columns.map((c, i) => `${quoteLiteral(c.name)}: ${quoteLiteral(colTypes[i]!)}`).join(', ');
  const sql =
    `CREATE TABLE ${quoteIdent(table)} AS SELECT * FROM read_csv(${quoteLiteral(file)}, header = false, ` +
    `auto_detect = false, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, ` +
    `columns = {${struct}}${maxLine})`;
  try {
    await engine.exec(sql);
  } finally {
    await engine.dropFile(file).catch(() => undefined);
  }
  return { sql, types: colTypes };
}
