// Running the workbench's query: checked read-only, described (its columns), journaled with a digest
// computed inside DuckDB. The rows themselves are never fetched here: the grid asks for the windows
// it shows, so a million-row result costs the UI what one screen costs.
import { QueryCancelledError } from '../engine/engine.ts';
import { queryRelation, relationColumns, type Relation } from '../explore/window.ts';
import type { JournalEntry } from '../journal/journal.ts';
import type { Session } from '../project/session.ts';
import { locateSqlError, type SqlErrorInfo } from './sql-errors.ts';
import { assertSingleSelect, runSql } from './sql-ops.ts';

export interface WorkbenchResult {
  /** The statement that ran (trimmed, without a final `;`). */
  sql: string;
  relation: Relation;
  columns: { name: string; label: string; type: string }[];
  rows: number;
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

function cancelledError(): WorkbenchError {
  return new WorkbenchError({ message: new QueryCancelledError().message }, true);
}

/**
 * Runs `sql` for the workbench. `signal` stops it between steps (the engine's own cancel stops the
 * step that is running). Errors come back as WorkbenchError, positioned in `sql` as given.
 */
export async function runWorkbenchQuery(session: Session, sql: string, signal?: AbortSignal): Promise<WorkbenchResult> {
  const t0 = performance.now();
  let body: string;
  try {
    body = assertSingleSelect(sql);
  } catch (e) {
    throw new WorkbenchError({ message: e instanceof Error ? e.message : String(e) }, false);
  }
  try {
    const relation = queryRelation(body);
    const cols = await relationColumns(session.engine, relation);
    if (signal?.aborted) throw cancelledError();
    const res = await session.run(runSql, { sql: body });
    if (signal?.aborted) throw cancelledError();
    return {
      sql: body,
      relation,
      columns: cols.map((c) => ({ name: c.name, label: c.name, type: c.type })),
      rows: res.digest?.rows ?? 0,
      ms: performance.now() - t0,
      entry: res.entry,
    };
  } catch (e) {
    if (e instanceof WorkbenchError) throw e;
    if (e instanceof QueryCancelledError || signal?.aborted) throw new WorkbenchError({ message: e instanceof Error ? e.message : String(e) }, true);
    const message = e instanceof Error ? e.message : String(e);
    throw new WorkbenchError(await locateSqlError(session.engine, sql, message), false);
  }
}

/** The workbench's history: the journal's `sql` entries, newest first. */
export function queryHistory(entries: readonly JournalEntry[], limit = 200): { seq: number; sql: string; at: string; rows: number | null }[] {
  const out: { seq: number; sql: string; at: string; rows: number | null }[] = [];
  for (let i = entries.length - 1; i >= 0 && out.length < limit; i--) {
    const e = entries[i]!;
    if (e.op !== 'sql') continue;
    const sql = (e.params as { sql?: unknown } | null)?.sql;
    if (typeof sql === 'string') out.push({ seq: e.seq, sql, at: e.at, rows: e.output?.rows ?? null });
  }
  return out;
}
