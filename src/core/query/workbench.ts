// Running the workbench's query: checked read-only, computed once into a temporary table, journaled
// (as the `sql` operation, with the digest of that result) and shown from there. The rows are never
// fetched here: the grid asks for the windows it shows, and scrolling never runs the query again.
//
// Why a temporary table: cancelling DuckDB-wasm in the middle of the journal's digest query
// (`sum(hash(…)::HUGEINT)` over a long-running sub-query) leaves the engine stuck, while cancelling a
// CREATE TABLE … AS is clean. So the long part is the CREATE, the only step a cancel interrupts, and
// the digest afterwards reads the finished result (same digest as over the query: same rows and columns).
import { QueryCancelledError, sqlLabel, type Engine } from '../engine/engine.ts';
import type { Rows } from '../engine/values.ts';
import { tableRelation, type Relation } from '../sql/relation.ts';
import type { JournalEntry } from '../journal/journal.ts';
import type { Operation } from '../ops/registry.ts';
import type { Session } from '../project/session.ts';
import { quoteIdent } from '../sql/ident.ts';
import { locateSqlError, type SqlErrorInfo } from './sql-errors.ts';
import { assertSingleSelect, runSql } from './sql-ops.ts';
import { errorText } from '../util/errors.ts';

/** How soon to ask the engine again when a cancel found nothing running yet. */
const CANCEL_RETRY_MS = 150;

export interface WorkbenchResult {
  /** The statement that ran (trimmed, without a final `;`). */
  sql: string;
  /** Where the result is kept: a temporary table of this session. */
  relation: Relation;
  columns: { name: string; label: string; type: string }[];
  rows: number;
  /** How long the query itself took (not the journaling). */
  ms: number;
  entry: JournalEntry;
}

/** A query that failed (with where, when DuckDB says) or was cancelled. */
export class WorkbenchError extends Error {
  constructor(
    readonly info: SqlErrorInfo,
    readonly cancelled: boolean,
  ) {
    super(info.message);
    this.name = 'WorkbenchError';
  }
}

/** The temporary table that holds a workbench slot's last result. */
export function resultTableName(slot: string): string {
  return `_loupe_sql_${slot.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The scheduler slot of a workbench tab's query (see Engine.cancelSlot). */
export function workbenchSlot(slot: string): string {
  return `sql:${slot}`;
}

/** Frees the memory a slot's last result holds (a closed tab). */
export async function dropWorkbenchResult(engine: Engine, slot: string): Promise<void> {
  await engine.exec(`DROP TABLE IF EXISTS temp.${quoteIdent(resultTableName(slot))}`);
}

/** The `sql` operation, digesting the materialised result instead of running the query again. */
function sqlOverResult(table: string): Operation<{ sql: string }> {
  return {
    ...runSql,
    async run(ctx, params) {
      const out = await runSql.run(ctx, params);
      // Unqualified, as everywhere: DuckDB looks in the temporary schema first.
      return { ...out, relation: tableRelation(table) };
    },
  };
}

/**
 * Runs `sql` for the workbench into the slot's result table. Aborting `signal` cancels the query
 * while it computes; once it has finished, the (short) journaling completes. Errors come back as
 * WorkbenchError, positioned in `sql` as given.
 */
export async function runWorkbenchQuery(session: Session, sql: string, slot: string, signal?: AbortSignal): Promise<WorkbenchResult> {
  let body: string;
  try {
    body = assertSingleSelect(sql);
  } catch (e) {
    throw new WorkbenchError({ message: errorText(e) }, false);
  }
  const engine = session.engine;
  const table = resultTableName(slot);
  let computing = false;
  // The tab's own scheduler slot: its cancel stops this query only, never an audit or a chart that
  // happens to hold the engine (engine.cancel() stopped whatever ran on the main connection).
  const jobSlot = workbenchSlot(slot);
  const cancel = async () => {
    if (!computing) return;
    if (!engine.cancelSlot(jobSlot) && computing) setTimeout(() => void cancel(), CANCEL_RETRY_MS);
  };
  const onAbort = () => void cancel();
  signal?.addEventListener('abort', onAbort);
  try {
    if (signal?.aborted) throw new QueryCancelledError();
    const t0 = performance.now();
    computing = true;
    try {
      await engine.exec(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS ${body}\n`, { slot: jobSlot, label: sqlLabel(body) });
    } finally {
      computing = false;
    }
    const ms = performance.now() - t0;
    // A cancel that came while another query held the engine did not stop this one: honour it now.
    if (signal?.aborted) throw new QueryCancelledError();
    const res = await session.run(sqlOverResult(table), { sql: body });
    const cols = await engine.query(`DESCRIBE temp.${quoteIdent(table)}`);
    return {
      sql: body,
      // Unqualified: DuckDB looks in the temporary schema first.
      relation: tableRelation(table),
      columns: cols.rows.map((r) => ({ name: String(r[0]), label: String(r[0]), type: String(r[1]) })),
      rows: res.digest?.rows ?? 0,
      ms,
      entry: res.entry,
    };
  } catch (e) {
    if (e instanceof WorkbenchError) throw e;
    if (e instanceof QueryCancelledError || signal?.aborted) throw new WorkbenchError({ message: errorText(e) }, true);
    const message = errorText(e);
    throw new WorkbenchError(await locateSqlError(engine, sql, message), false);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

let readSeq = 0;

/**
 * The one read path outside the workbench view (the CLI's `sql`, tests): the workbench's own run —
 * one reading statement, no file access, computed once, journaled as `sql` with the digest of that
 * result — then every row read from the result and the temporary table dropped. Errors are
 * WorkbenchError, as in the view.
 */
export async function readQuery(
  session: Session,
  sql: string,
  signal?: AbortSignal,
): Promise<{ rows: Rows; ms: number; entry: JournalEntry }> {
  const slot = `read_${++readSeq}`;
  const res = await runWorkbenchQuery(session, sql, slot, signal);
  try {
    const rows = await session.engine.query(`SELECT * FROM temp.${quoteIdent(resultTableName(slot))}`);
    return { rows, ms: res.ms, entry: res.entry };
  } finally {
    await dropWorkbenchResult(session.engine, slot);
  }
}

/** The workbench's history: the journal's `sql` entries, newest first. */
export function queryHistory(
  entries: readonly JournalEntry[],
  limit = 200,
): { seq: number; sql: string; at: string; rows: number | null }[] {
  const out: { seq: number; sql: string; at: string; rows: number | null }[] = [];
  for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
    const e = entries[i]!;
    if (e.op !== 'sql') continue;
    const sql = (e.params as { sql?: unknown } | null)?.sql;
    if (typeof sql === 'string') out.push({ seq: e.seq, sql, at: e.at, rows: e.output?.rows ?? null });
  }
  return out;
}
