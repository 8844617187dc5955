// One row of a table as evidence: the row the auditor is looking at in the grid, frozen like any
// result (through the journaled `sql` operation, so it has a journal entry, a digest and its source
// files), with the columns that identify it. The SQL names the row by its values, not by its place
// on screen: a position means nothing once the sort or the filters change, a key means the same row
// for anyone who reruns it.
import { quoteIdent } from '../sql/ident.ts';
import { typeKind, type TypeKind } from '../sql/types.ts';
import { countSql, queryRelation } from '../explore/window.ts';
import type { Session } from '../project/session.ts';
import { whereClause, type Filter } from '../query/filters.ts';
import { evidenceFromResult, jsonSafe } from './evidence.ts';
import type { SnapshotEvidence } from './model.ts';

/** Columns whose name says they identify a row (numéro, identifiant, SIRET, code, référence…). */
const ID_NAME = /(^|_)(id|ident|identifiant|numero|num|no|n|ref|reference|siret|siren|code|cle|key|uuid|matricule)(_|\d|$)/i;
/**
 * Types a key can be compared in: scalars written as a literal. Not floats (their values do not survive
 * a round trip through text exactly), not lists or structs (no literal to compare with).
 */
const KEY_KINDS = new Set<TypeKind>(['integer', 'decimal', 'text', 'date', 'timestamp', 'time', 'boolean']);
/** Candidate single-column keys tried before the whole row. */
const MAX_TRIES = 4;

export interface RowPick {
  table: string;
  /** The row's values by column name, as read from the engine. */
  values: Record<string, unknown>;
  by?: string;
  title?: string;
  now?: Date;
}

type Scalar = string | number | null;

function scalar(v: unknown): Scalar | undefined {
  const j = jsonSafe(v);
  if (j === null || typeof j === 'string' || typeof j === 'number') return j;
  if (typeof j === 'boolean') return j ? 'true' : 'false';
  return undefined;
}

function equals(column: string, value: Scalar): Filter {
  return { column, op: 'equals', value };
}

async function countWhere(session: Session, table: string, filters: Filter[]): Promise<number> {
  const r = await session.engine.query(countSql(queryRelation(`SELECT * FROM ${quoteIdent(table)} ${whereClause(filters)}`)));
  return Number(r.rows[0]?.[0] ?? 0);
}

/**
 * The columns whose values select this row alone: the first identifier-like column (or the first
 * column) that is unique for this value, else every exact column of the row. `count` is how many rows
 * those values select — more than one only when the table holds exact duplicates, which the evidence
 * then says.
 */
export async function rowKey(
  session: Session,
  pick: Pick<RowPick, 'table' | 'values'>,
): Promise<{ key: string[]; filters: Filter[]; count: number }> {
  const entry = session.catalog.get(pick.table);
  if (!entry) throw new Error(`Table inconnue : « ${pick.table} »`);
  const cols = entry.columns.filter((c) => c.name in pick.values && KEY_KINDS.has(typeKind(c.type)));
  const values = new Map(cols.map((c) => [c.name, scalar(pick.values[c.name])] as const));
  const named = cols.filter((c) => ID_NAME.test(c.name));
  const first = entry.columns[0];
  const tries = [...named, ...(first && cols.includes(first) && !named.includes(first) ? [first] : [])].slice(0, MAX_TRIES);
  for (const c of tries) {
    const v = values.get(c.name);
    if (v === undefined || v === null || v === '') continue;
    const filters = [equals(c.name, v)];
    if ((await countWhere(session, pick.table, filters)) === 1) return { key: [c.name], filters, count: 1 };
  }
  const whole = cols.filter((c) => values.get(c.name) !== undefined);
  if (!whole.length) throw new Error(`Aucune colonne de « ${pick.table} » ne permet de désigner cette ligne`);
  const filters = whole.map((c) => equals(c.name, values.get(c.name)!));
  const count = await countWhere(session, pick.table, filters);
  if (count === 0) throw new Error(`Cette ligne de « ${pick.table} » n’a pas pu être relue par ses valeurs : la table a-t-elle changé ?`);
  return { key: whole.map((c) => c.name), filters, count };
}

/** Freezes one row of a table as a snapshot: its values, its key, the SQL that selects it, its digest. */
export async function rowEvidence(session: Session, pick: RowPick): Promise<SnapshotEvidence> {
  const { key, filters, count } = await rowKey(session, pick);
  const entry = session.catalog.get(pick.table)!;
  const label = (name: string) => entry.columns.find((c) => c.name === name)?.label ?? name;
  const shown =
    key.length === 1
      ? `${label(key[0]!)} = ${JSON.stringify(filters[0]!.op === 'equals' ? filters[0]!.value : null)}`
      : `${key.length} colonnes`;
  const title = pick.title?.trim() || `Ligne de « ${pick.table} » (${shown})${count > 1 ? ` — ${count} lignes identiques` : ''}`;
  const sql = `SELECT * FROM ${quoteIdent(pick.table)}\n${whereClause(filters)}`;
  return evidenceFromResult(
    session,
    { sql },
    {
      title,
      ...(pick.by ? { by: pick.by } : {}),
      ...(pick.now ? { now: pick.now } : {}),
      row: { table: pick.table, key },
    },
  );
}
