// How an audit test registers, makes its result table and says what it found.
import {
  createResultTable,
  inputOf,
  OperationError,
  registerOperation,
  type Operation,
  type OperationContext,
  type OperationOutput,
} from '../ops/registry.ts';

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
  if (name !== undefined) {
    const existing = ctx.catalog.get(name);
    if (existing && existing.kind !== 'result') {
      throw new OperationError(`« ${name} » est une table du projet, pas un résultat : choisissez un autre nom`);
    }
  }
  return createResultTable(ctx, opId, select, name);
}

/** What a test hands to the journal: its result table, the SQL that made it, the tables it read and its findings. */
export function auditOutput<D>(
  ctx: OperationContext,
  res: { table: string; sql: string },
  read: readonly string[],
  summary: string,
  detail: D,
): OperationOutput<D> {
  return { table: res.table, sql: [res.sql], inputs: read.map((t) => inputOf(ctx, t)), summary, detail };
}
