// Freezing evidence: a result as it was when the finding was written (rows, labels, SQL, the journal
// entry and output digest behind it, the source files and their hashes), so the finding still shows
// — and can still be checked against — what the auditor saw, even after the tables change.
import { relationSql } from '../sql/relation.ts';
import type { TableEntry } from '../catalog/catalog.ts';
import type { JournalEntry } from '../journal/journal.ts';
import type { OperationResult } from '../ops/registry.ts';
import type { Session } from '../project/session.ts';
import { sanitizeSvg } from '../report/sanitize-svg.ts';
import { quoteIdent } from '../sql/ident.ts';
import { canonicalJson, sha256Hex } from '../util/hash.ts';
import type { ChartEvidence, Evidence, JournalRef, SnapshotEvidence, SourceEvidence, SourceRef } from './model.ts';

export const DEFAULT_SNAPSHOT_ROWS = 1000;

export interface FreezeOptions {
  /** Rows kept in the snapshot (the digest still covers the full result). Default 1 000. */
  maxRows?: number;
  title?: string;
  by?: string;
  /** Which table to freeze when the operation produced several. */
  table?: string;
  now?: Date;
  /** The evidence is one row of `table`, selected by the values of `key` (see row-evidence.ts). */
  row?: { table: string; key: string[] };
}

export function newEvidenceId(): string {
  return `P-${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function journalRef(e: JournalEntry): JournalRef {
  return { seq: e.seq, op: e.op, hash: e.hash, at: e.at };
}

/** Values as JSON keeps them: a frozen snapshot must read back the same from findings.json. */
export function jsonSafe(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return [...v].map((b) => b.toString(16).padStart(2, '0')).join('');
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, jsonSafe(x)]));
  return String(v);
}

export async function sealEvidence<E extends Evidence>(e: Omit<E, 'sha256'>): Promise<E> {
  const { sha256: _drop, ...rest } = e as E;
  return { ...rest, sha256: await sha256Hex(canonicalJson(rest)) } as E;
}

/** Checks that an evidence's content still matches the hash it was sealed with. */
export async function evidenceIntact(e: Evidence): Promise<boolean> {
  const { sha256, ...rest } = e;
  return (await sha256Hex(canonicalJson(rest))) === sha256;
}

export function sourceRefOf(t: TableEntry): SourceRef | null {
  const s = t.source;
  if (!s) return null;
  return {
    table: t.name,
    fileName: s.fileName,
    path: s.path,
    sha256: s.sha256,
    size: s.size,
    importedAt: s.importedAt,
    ...(s.part ? { part: s.part } : {}),
  };
}

/**
 * The source files behind a list of tables. Result tables and views have no file of their own:
 * the journal entry that created them (or the tables their SQL names) leads back to one.
 */
export function sourcesBehind(session: Session, inputs: readonly { table: string; source?: string; sha256?: string }[]): SourceRef[] {
  const found = new Map<string, SourceRef>();
  const seen = new Set<string>();
  const entries = session.journal.all();
  const visit = (input: { table: string; source?: string; sha256?: string }, depth: number) => {
    if (depth > 8) return;
    const t = session.catalog.get(input.table);
    const ref = t ? sourceRefOf(t) : null;
    if (ref) {
      found.set(`${ref.sha256}:${ref.path}:${ref.part ?? ''}`, ref);
      return;
    }
    if (input.source && input.sha256 && /^[0-9a-f]{64}$/.test(input.sha256)) {
      found.set(`${input.sha256}:${input.source}:`, {
        table: input.table,
        fileName: input.source.split(/[\\/]/).pop() ?? input.source,
        path: input.source,
        sha256: input.sha256,
      });
      return;
    }
    if (seen.has(input.table)) return;
    seen.add(input.table);
    const maker = [...entries].reverse().find((e) => e.output?.table === input.table && e.inputs.length);
    for (const i of maker?.inputs ?? []) if (i.table !== input.table) visit(i, depth + 1);
    if (!maker && t?.sql) {
      const text = t.sql.toLowerCase();
      for (const other of session.catalog.list()) {
        if (other.name !== t.name && text.includes(other.name.toLowerCase())) visit({ table: other.name }, depth + 1);
      }
    }
  };
  for (const i of inputs) visit(i, 0);
  return [...found.values()];
}

/** Column labels as the files had them, where a result column comes straight from a source column. */
function labelFor(session: Session, tables: readonly string[], name: string): string {
  for (const t of tables) {
    const c = session.catalog.get(t)?.columns.find((x) => x.name === name);
    if (c && c.label !== c.name) return c.label;
  }
  return name;
}

/**
 * Freezes an operation's result (an audit test, a budget check, a query) or a query given as SQL into
 * a snapshot. A bare `{sql}` is run through the journaled `sql` operation first, so the snapshot always
 * points at a journal entry. Plain function: the grid, the charts, the budget flags and the audit
 * view all call it for « Créer une constatation à partir de ce résultat ».
 */
export async function evidenceFromResult(
  session: Session,
  result: OperationResult | { sql: string },
  opts: FreezeOptions = {},
): Promise<SnapshotEvidence> {
  let res: OperationResult;
  if ('entry' in result) res = result;
  else {
    const { runSql } = await import('../query/sql-ops.ts');
    res = await session.run(runSql, { sql: result.sql });
  }
  const maxRows = Math.max(0, Math.floor(opts.maxRows ?? DEFAULT_SNAPSHOT_ROWS));
  const tables = res.tables ?? (res.table ? [res.table] : []);
  const table = opts.table ?? tables[0];
  const relation = table ? quoteIdent(table) : res.relation ? relationSql(res.relation) : undefined;
  let columns: SnapshotEvidence['columns'] = [];
  let rows: unknown[][] = [];
  let totalRows = 0;
  if (relation) {
    const r = await session.engine.query(`SELECT * FROM ${relation} AS _snap LIMIT ${maxRows + 1}`);
    const labelTables = [...(table ? [table] : []), ...res.inputs.map((i) => i.table)];
    const types = table ? session.catalog.get(table)?.columns : undefined;
    columns = r.columns.map((c) => ({
      name: c.name,
      label: labelFor(session, labelTables, c.name),
      type: types?.find((t) => t.name === c.name)?.type ?? c.type,
    }));
    rows = r.rows.slice(0, maxRows).map((row) => row.map(jsonSafe));
    totalRows =
      res.digest && (!table || tables.length === 1)
        ? res.digest.rows
        : Number((await session.engine.query(`SELECT count(*) FROM ${relation} AS _n`)).rows[0]?.[0] ?? 0);
    if (r.rows.length <= maxRows) totalRows = Math.max(totalRows, r.rows.length);
  }
  return sealEvidence<SnapshotEvidence>({
    id: newEvidenceId(),
    kind: 'snapshot',
    title: opts.title ?? res.summary ?? `Résultat de « ${res.entry.op} »`,
    createdAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.by ? { createdBy: opts.by } : {}),
    columns,
    rows,
    totalRows,
    truncated: totalRows > rows.length,
    sql: [...res.sql],
    journal: journalRef(res.entry),
    digest: res.digest ? { rows: res.digest.rows, digest: res.digest.digest } : null,
    ...(res.summary ? { summary: res.summary } : {}),
    sources: sourcesBehind(session, [...res.inputs, ...(table ? [{ table }] : []), ...(opts.row ? [{ table: opts.row.table }] : [])]),
    ...(opts.row ? { row: { table: opts.row.table, key: [...opts.row.key] } } : {}),
  });
}

export interface ChartInput {
  title: string;
  spec: Record<string, unknown>;
  svg: string;
  sql?: string[];
  /** The journal entry of the chart operation, when there was one. */
  entry?: JournalEntry;
  /** Tables the chart reads, for the source files behind it. */
  tables?: string[];
  by?: string;
  now?: Date;
}

/** Freezes a rendered chart: its spec and its SVG (sanitised now, and again when a report inlines it). */
export async function chartEvidence(session: Session, c: ChartInput): Promise<ChartEvidence> {
  return sealEvidence<ChartEvidence>({
    id: newEvidenceId(),
    kind: 'chart',
    title: c.title,
    createdAt: (c.now ?? new Date()).toISOString(),
    ...(c.by ? { createdBy: c.by } : {}),
    spec: jsonSafe(c.spec) as Record<string, unknown>,
    svg: sanitizeSvg(c.svg),
    sql: c.sql ?? c.entry?.sql ?? [],
    journal: c.entry ? journalRef(c.entry) : null,
    sources: sourcesBehind(session, [...(c.entry?.inputs ?? []), ...(c.tables ?? []).map((table) => ({ table }))]),
  });
}

/** A reference to an imported file: which file, its hash and when it was imported. */
export async function sourceEvidence(
  session: Session,
  table: string,
  opts: { title?: string; by?: string; now?: Date } = {},
): Promise<SourceEvidence> {
  const t = session.catalog.get(table);
  const ref = t ? sourceRefOf(t) : null;
  if (!t || !ref) throw new Error(`« ${table} » n’est pas une table importée d’un fichier : pas de source à citer`);
  return sealEvidence<SourceEvidence>({
    id: newEvidenceId(),
    kind: 'source',
    title: opts.title ?? ref.fileName,
    createdAt: (opts.now ?? new Date()).toISOString(),
    ...(opts.by ? { createdBy: opts.by } : {}),
    source: ref,
    rows: t.rows,
  });
}
