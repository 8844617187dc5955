// What every audit test shares: the line number that ties a result back to the row it came from,
// the checks on parameters, small scalar reads, and French number formats for the summaries.
import { z } from 'zod';
import { OperationError, registerOperation, requireColumn, requireTable, type Operation, type OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { isNumericType, isTemporalType } from '../sql/types.ts';
import { numberFormat } from '../util/numbers.ts';

/**
 * Registers an audit test: its id, its parameters' schema, what it does (for `loupe run --help` and the
 * Audit view) and how it runs.
 */
export function auditOperation<P, D>(
  id: string,
  params: Operation<P, D>['params'],
  description: string,
  run: Operation<P, D>['run'],
): Operation<P, D> {
  return registerOperation<P, D>({ id, kind: 'audit', description, params, run });
}

/** Name of the column every result carries to point back at the source row (1-based). */
export const LINE = '_ligne';

/**
 * The table with a `_ligne` column in front: rowid + 1 for stored tables (stable: the order rows were
 * imported in); views have no rowid, so their rows are numbered in the view's own order.
 * INTEGER, not BIGINT: lists of BIGINT come back from the engine's Arrow conversion as garbage
 * doubles (castBigIntToDouble does not reach list children), and lists of line numbers are common here.
 */
export function withLineSql(ctx: OperationContext, table: string): string {
  const t = requireTable(ctx, table);
  const q = quoteIdent(table);
  return t.kind === 'view'
    ? `(SELECT CAST(row_number() OVER () AS INTEGER) AS ${LINE}, * FROM ${q})`
    : `(SELECT CAST(rowid + 1 AS INTEGER) AS ${LINE}, * FROM ${q})`;
}

export { isNumericType } from '../sql/types.ts';

/** A column that must hold numbers (amounts): anything else is refused with a clear message. */
export function requireNumericColumn(ctx: OperationContext, table: string, column: string) {
  const c = requireColumn(ctx, table, column);
  if (!isNumericType(c.type)) {
    throw new OperationError(`La colonne « ${column} » de « ${table} » n'est pas numérique (type ${c.type}) : un montant est attendu`);
  }
  return c;
}

/** A column that must hold dates. */
export function requireDateColumn(ctx: OperationContext, table: string, column: string) {
  const c = requireColumn(ctx, table, column);
  if (!isTemporalType(c.type)) {
    throw new OperationError(`La colonne « ${column} » de « ${table} » n'est pas une date (type ${c.type})`);
  }
  return c;
}

export async function scalar<T = unknown>(ctx: OperationContext, sql: string): Promise<T> {
  const r = await ctx.engine.query(sql);
  return r.rows[0]?.[0] as T;
}

export async function firstRow(ctx: OperationContext, sql: string): Promise<Record<string, unknown>> {
  const r = await ctx.engine.query(sql);
  const row = r.rows[0] ?? [];
  return Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]]));
}

export async function rowsOf(ctx: OperationContext, sql: string): Promise<Record<string, unknown>[]> {
  const r = await ctx.engine.query(sql);
  return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i]])));
}

const intFmt = numberFormat({ maximumFractionDigits: 0 });
const eurFmt = numberFormat({ style: 'currency', currency: 'EUR', maximumFractionDigits: 2 });
const pctFmt = numberFormat({ style: 'percent', maximumFractionDigits: 1 });

export function fmtInt(n: unknown): string {
  return intFmt.format(Number(n ?? 0));
}
export function fmtEur(n: unknown): string {
  return eurFmt.format(Number(n ?? 0));
}
export function fmtPct(n: unknown): string {
  return pctFmt.format(Number(n ?? 0));
}
export function fmtNum(n: unknown, digits = 4): string {
  return numberFormat({ maximumFractionDigits: digits }).format(Number(n ?? 0));
}

/** French plural for the summaries: « 1 groupe », « 3 groupes ». */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtInt(n)} ${n >= 2 || n <= -2 ? many : one}`;
}

// Parameter pieces reused by every test, each documented in French for `loupe run <id> --help`.
export const tableParam = z.string().min(1).max(1000).describe('Table à analyser (nom dans le projet)');
export const resultParam = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Nom de la table résultat (par défaut res_<opération>, numérotée si elle existe déjà)');

/**
 * Creates the result table. A name chosen by the user may replace an earlier result but never an
 * imported table or a saved query: results are disposable, sources are not.
 */
export async function makeResult(
  ctx: OperationContext,
  opId: string,
  select: string,
  name?: string,
): Promise<{ table: string; sql: string }> {
  const { createResultTable } = await import('../ops/registry.ts');
  if (name !== undefined) {
    const existing = ctx.catalog.get(name);
    if (existing && existing.kind !== 'result') {
      throw new OperationError(`« ${name} » est une table du projet, pas un résultat : choisissez un autre nom`);
    }
  }
  return createResultTable(ctx, opId, select, name);
}

/** Distinct column names, each checked against the table. */
export function requireColumns(ctx: OperationContext, table: string, columns: readonly string[]) {
  for (const c of columns) requireColumn(ctx, table, c);
  return [...new Set(columns)];
}
