// The reports library's tables: created with fixed types (so an empty library still has its columns),
// filled from JS through Arrow (millions of index terms would not go through SQL literals), listed in
// the catalog as results of the operation that last wrote them.
import { Bool, Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import type { Engine } from '../engine/engine.ts';
import type { OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { BLOCKS_TABLE, CORRECTIONS_TABLE, RECOMMENDATIONS_TABLE, REPORTS_TABLE, TERMS_TABLE } from './schema.ts';

type ColType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'BOOLEAN';

export const SCHEMAS: Record<string, [string, ColType][]> = {
  [REPORTS_TABLE]: [
    ['sha256', 'VARCHAR'],
    ['fichier', 'VARCHAR'],
    ['chemin', 'VARCHAR'],
    ['identifiant_du_rapport', 'VARCHAR'],
    ['numero_rapport', 'VARCHAR'],
    ['titre', 'VARCHAR'],
    ['date_du_rapport', 'DATE'],
    ['annee', 'INTEGER'],
    ['entite_auditee', 'VARCHAR'],
    ['pages', 'INTEGER'],
    ['pages_avec_texte', 'INTEGER'],
    ['etat', 'VARCHAR'],
    ['message', 'VARCHAR'],
    ['taille', 'BIGINT'],
  ],
  [BLOCKS_TABLE]: [
    ['bloc_id', 'INTEGER'],
    ['sha256', 'VARCHAR'],
    ['fichier', 'VARCHAR'],
    ['page', 'INTEGER'],
    ['bloc', 'INTEGER'],
    ['texte', 'VARCHAR'],
    ['niveau_titre', 'INTEGER'],
    ['colonne', 'INTEGER'],
    ['x0', 'DOUBLE'],
    ['y0', 'DOUBLE'],
    ['x1', 'DOUBLE'],
    ['y1', 'DOUBLE'],
    ['largeur_page', 'DOUBLE'],
    ['hauteur_page', 'DOUBLE'],
    ['nb_termes', 'INTEGER'],
  ],
  [TERMS_TABLE]: [
    ['bloc_id', 'INTEGER'],
    ['terme', 'VARCHAR'],
    ['position', 'INTEGER'],
    ['debut', 'INTEGER'],
    ['fin', 'INTEGER'],
  ],
  [RECOMMENDATIONS_TABLE]: [
    ['identifiant_de_la_recommandation', 'VARCHAR'],
    ['identifiant_du_rapport', 'VARCHAR'],
    ['numero', 'INTEGER'],
    ['recommandation', 'VARCHAR'],
    ['page', 'INTEGER'],
    ['bloc_id', 'INTEGER'],
    ['sha256', 'VARCHAR'],
    ['fichier', 'VARCHAR'],
    ['forme', 'VARCHAR'],
    ['reponse_du_service', 'VARCHAR'],
    ['page_reponse', 'INTEGER'],
    ['direction_responsable', 'VARCHAR'],
    ['date_d_echeance', 'DATE'],
    ['date_du_statut', 'DATE'],
    ['statut', 'VARCHAR'],
    ['corrigee', 'BOOLEAN'],
  ],
  [CORRECTIONS_TABLE]: [
    ['ordre', 'INTEGER'],
    ['identifiant_de_la_recommandation', 'VARCHAR'],
    ['champ', 'VARCHAR'],
    ['valeur', 'VARCHAR'],
    ['motif', 'VARCHAR'],
  ],
};

export function createSql(table: string): string {
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(table)} (${SCHEMAS[table]!.map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`;
}

export async function ensureTable(engine: Engine, table: string): Promise<string> {
  const sql = createSql(table);
  await engine.exec(sql);
  return sql;
}

function arrowType(t: ColType): DataType {
  return t === 'INTEGER' ? new Int32() : t === 'DOUBLE' || t === 'BIGINT' ? new Float64() : t === 'BOOLEAN' ? new Bool() : new Utf8();
}

/**
 * Appends rows (objects keyed by column name) to one of the library's tables. Arrow carries them as
 * text, 32-bit integers, doubles and booleans; the INSERT casts to the table's types (DATE from ISO text).
 */
export async function appendRows(engine: Engine, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const cols: Record<string, unknown[]> = {};
  for (const [name] of SCHEMAS[table]!) cols[name] = rows.map((r) => (r[name] === undefined ? null : r[name]));
  await appendColumns(engine, table, cols);
}

/** The same, column-wise: the index's millions of terms go as typed arrays, not one object per term. */
export async function appendColumns(engine: Engine, table: string, columns: Record<string, ArrayLike<unknown>>): Promise<void> {
  const schema = SCHEMAS[table]!;
  const cols: Record<string, Vector> = {};
  for (const [name, type] of schema) {
    const values = columns[name];
    if (!values) throw new Error(`colonne manquante : ${table}.${name}`);
    if (!values.length) return;
    cols[name] = (
      ArrayBuffer.isView(values) ? vectorFromArray(values as Int32Array) : vectorFromArray(values as unknown[], arrowType(type) as never)
    ) as Vector;
  }
  const staging = `${table}__ajout`;
  await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
  try {
    await engine.insertArrowIPC(staging, tableToIPC(new Table(cols), 'stream'), { create: true });
    const list = schema.map(([n, t]) => `CAST(${quoteIdent(n)} AS ${t})`).join(', ');
    await engine.exec(`INSERT INTO ${quoteIdent(table)} SELECT ${list} FROM ${quoteIdent(staging)}`);
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`).catch(() => undefined);
  }
}

/** Lists (or refreshes) the library's tables in the catalog, as results of `op`. */
export async function catalogTables(ctx: OperationContext, op: string, tables: string[]): Promise<void> {
  for (const t of tables) {
    ctx.catalog.set({ name: t, kind: 'result', columns: [], rows: 0, origin: { op } });
    await ctx.catalog.refresh(ctx.engine, t);
  }
}
