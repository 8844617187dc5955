// The audit tests' parameters: schema pieces, each documented in French for `loupe run <id> --help`,
// and the checks a parameter gets against the table before any SQL is written.
import { z } from 'zod';
import { OperationError, requireColumn, type OperationContext } from '../ops/registry.ts';
import { isNumericType, isTemporalType } from '../sql/types.ts';

/** A table or column named by the user. */
export const nameParam = z.string().min(1).max(1000);
export const tableParam = nameParam.describe('Table à analyser (nom dans le projet)');
export const resultParam = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('Nom de la table résultat (par défaut res_<opération>, numérotée si elle existe déjà)');

/** The parameters of a test over one table: the table first, then the test's own, then the result's name. */
export function oneTableParams<S extends z.ZodRawShape>(shape: S) {
  return z.object({ table: tableParam, ...shape, result: resultParam });
}

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

/** Distinct column names, each checked against the table. */
export function requireColumns(ctx: OperationContext, table: string, columns: readonly string[]) {
  for (const c of columns) requireColumn(ctx, table, c);
  return [...new Set(columns)];
}
