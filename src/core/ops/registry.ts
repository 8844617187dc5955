// Every analysis is an operation: typed parameters (validated at run time), SQL run on the engine,
// and an entry in the journal with its inputs, SQL, row count and a digest of what it produced.
import type { z } from 'zod';
import type { Catalog } from '../catalog/catalog.ts';
import type { Relation } from '../sql/relation.ts';
import { digestRelation, digestTable, type ResultDigest } from '../engine/digest.ts';
import type { Engine } from '../engine/engine.ts';
import type { Journal, JournalEntry } from '../journal/journal.ts';
import type { FileResolver } from '../ingest/source.ts';
import { quoteIdent, safeIdentifier } from '../sql/ident.ts';
import { sha256Hex } from '../util/hash.ts';
import '../util/zod-fr.ts';

export interface Progress {
  /** 0..1, or null when the amount of work is unknown. */
  fraction: number | null;
  message: string;
}

export interface OperationContext {
  engine: Engine;
  catalog: Catalog;
  journal: Journal;
  /** Opens the files that import operations name (paths on disk, files the user dropped, project copies). */
  files: FileResolver;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface OperationOutput<D = unknown> {
  /** Table created or replaced by the operation; its digest goes into the journal. */
  table?: string;
  /** Several tables (e.g. every sheet of a workbook): each is digested; the entry keeps the combined digest. */
  tables?: string[];
  /** A result that is not stored as a table of its own (a SELECT, a temporary table): digested in place. */
  relation?: Relation;
  sql: string[];
  inputs: { table: string; source?: string; sha256?: string }[];
  summary?: string;
  detail?: D;
}

export interface OperationResult<D = unknown> extends OperationOutput<D> {
  entry: JournalEntry;
  digest: ResultDigest | null;
}

export interface Operation<P = unknown, D = unknown> {
  id: string;
  kind: 'import' | 'query' | 'view' | 'chart' | 'audit' | 'budget' | 'finding' | 'project';
  /** Short description, French first (shown in the CLI's --help and the Audit view). */
  description: string;
  params: z.ZodType<P>;
  run(ctx: OperationContext, params: P): Promise<OperationOutput<D>>;
}

export class OperationError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'OperationError';
  }
}

/** The journal's record of a table an operation reads: its source file and that file's hash. */
export function inputOf(ctx: OperationContext, table: string): { table: string; source?: string; sha256?: string } {
  const src = ctx.catalog.get(table)?.source;
  return src ? { table, source: src.path, sha256: src.sha256 } : { table };
}

/** Fails with a clear message when an operation names a table the project does not have. */
export function requireTable(ctx: OperationContext, table: string) {
  const t = ctx.catalog.get(table);
  if (!t) throw new OperationError(`Table inconnue : « ${table} »`);
  return t;
}

/** Fails with a clear message when a column is not in the table. */
export function requireColumn(ctx: OperationContext, table: string, column: string) {
  const c = requireTable(ctx, table).columns.find((x) => x.name === column);
  if (!c) throw new OperationError(`Colonne inconnue dans « ${table} » : « ${column} »`);
  return c;
}

/**
 * The table an operation's result goes to when the caller names none: one stable name per operation,
 * `res_<operation>`, replaced by each run — earlier runs are its history in the journal (their
 * parameters and digests), not `res_<operation>_2` copies piling up in the catalog. Only a table of
 * the project's own that already holds the name (an import called so) makes it take a free variant.
 */
export function resultTableName(ctx: OperationContext, opId: string): string {
  const base = `res_${safeIdentifier(opId)}`;
  const held = ctx.catalog.get(base);
  return !held || held.kind === 'result' ? base : ctx.catalog.freeName(base);
}

/**
 * Creates (or replaces) a result table from a SELECT and lists it in the catalog, so results can be
 * browsed in the grid, exported and cited like any table. Returns the SQL that ran.
 */
export async function createResultTable(
  ctx: OperationContext,
  opId: string,
  select: string,
  name?: string,
): Promise<{ table: string; sql: string }> {
  const table = name ?? resultTableName(ctx, opId);
  const sql = `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS ${select}`;
  await ctx.engine.exec(sql);
  ctx.catalog.set({ name: table, kind: 'result', columns: [], rows: 0, origin: { op: opId } });
  await ctx.catalog.refresh(ctx.engine, table);
  return { table, sql };
}

const registry = new Map<string, Operation<never, unknown>>();

export function registerOperation<P, D>(op: Operation<P, D>): Operation<P, D> {
  registry.set(op.id, op as unknown as Operation<never, unknown>);
  return op;
}

export function getOperation(id: string): Operation<unknown, unknown> | undefined {
  return registry.get(id) as Operation<unknown, unknown> | undefined;
}

export function listOperations(): Operation<unknown, unknown>[] {
  return [...registry.values()] as Operation<unknown, unknown>[];
}

export function validateParams<P>(op: Operation<P, unknown>, raw: unknown): P {
  const parsed = op.params.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(paramètres)'} : ${i.message}`).join(' ; ');
    throw new OperationError(`Paramètres invalides pour « ${op.id} » — ${issues}`, parsed.error.issues);
  }
  return parsed.data;
}

/** Runs an operation and journals it; the journal entry is written only when the operation succeeded. */
export async function runOperation<P, D>(ctx: OperationContext, op: Operation<P, D>, rawParams: unknown): Promise<OperationResult<D>> {
  const params = validateParams(op, rawParams);
  const t0 = performance.now();
  const out = await op.run(ctx, params);
  const tables = out.tables ?? (out.table ? [out.table] : []);
  let digest: ResultDigest | null = null;
  if (out.relation && !tables.length) digest = await digestRelation(ctx.engine, out.relation);
  else if (tables.length === 1) digest = await digestTable(ctx.engine, tables[0]!);
  else if (tables.length > 1) {
    const parts = await Promise.all(tables.map((t) => digestTable(ctx.engine, t)));
    digest = { rows: parts.reduce((s, p) => s + p.rows, 0), digest: await sha256Hex(parts.map((p) => p.digest).join('\n')) };
  }
  const entry = await ctx.journal.append({
    op: op.id,
    params,
    inputs: out.inputs,
    sql: out.sql,
    output: digest ? { ...(tables.length === 1 ? { table: tables[0] } : {}), rows: digest.rows, digest: digest.digest } : null,
    ...(out.summary ? { summary: out.summary } : {}),
    durationMs: Math.round(performance.now() - t0),
  });
  return { ...out, entry, digest };
}
