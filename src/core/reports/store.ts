// The reports library's tables: created with fixed types (so an empty library still has its columns),
// filled from JS through the ingest's typed CSV loader (millions of index terms would not go through
// SQL literals; Arrow's builders compile a null check with `Function`, refused by the app's CSP — #18),
// listed in the catalog as results of the operation that last wrote them.
import type { Engine } from '../engine/engine.ts';
import { loadRows, type SqlType } from '../ingest/records.ts';
import type { OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { BLOCKS_TABLE, CORRECTIONS_TABLE, RECOMMENDATIONS_TABLE, REPORTS_TABLE, TERMS_TABLE } from './schema.ts';

export type ColType = 'VARCHAR' | 'INTEGER' | 'BIGINT' | 'DOUBLE' | 'DATE' | 'BOOLEAN';

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

export type Schema = readonly (readonly [string, ColType])[];

// The loader writes integers as BIGINT; the INSERT casts to the table's own type.
function loadType(t: ColType): SqlType {
  return t === 'INTEGER' ? 'BIGINT' : t;
}

// Bounds the CSV text held at once when the index's terms run into the millions.
const BATCH = 250_000;

/**
 * Appends rows (objects keyed by column name) to one of the library's tables. Texts go verbatim
 * (quotes, newlines), numbers as their shortest exact decimal form, missing values as NULL; DATE from ISO text.
 */
export async function appendRows(engine: Engine, table: string, rows: readonly Record<string, unknown>[]): Promise<void> {
  if (!rows.length) return;
  const cols: Record<string, unknown[]> = {};
  for (const [name] of SCHEMAS[table]!) cols[name] = rows.map((r) => (r[name] === undefined ? null : r[name]));
  await appendColumns(engine, table, cols);
}

/** The same, column-wise: the index's millions of terms come as typed arrays, not one object per term. */
export async function appendColumns(engine: Engine, table: string, columns: Record<string, ArrayLike<unknown>>): Promise<void> {
  await insertColumns(engine, table, SCHEMAS[table]!, columns);
}

/** Appends `columns` (aligned, keyed by the names of `schema`) to the existing `table`, whose types `schema` gives. */
export async function insertColumns(
  engine: Engine,
  table: string,
  schema: Schema,
  columns: Record<string, ArrayLike<unknown>>,
): Promise<void> {
  const data = schema.map(([name]) => {
    const values = columns[name];
    if (!values) throw new Error(`colonne manquante : ${table}.${name}`);
    return values;
  });
  const n = data[0]?.length ?? 0;
  if (data.some((d) => d.length !== n)) throw new Error(`colonnes de longueurs différentes : ${table}`);
  if (!n) return;
  const names = schema.map(([name]) => ({ name, label: name }));
  const types = Object.fromEntries(schema.map(([name, t]) => [name, loadType(t)]));
  const list = schema.map(([name, t]) => `CAST(${quoteIdent(name)} AS ${t})`).join(', ');
  const staging = `${table}__ajout`;
  for (let from = 0; from < n; from += BATCH) {
    const to = Math.min(n, from + BATCH);
    const rows: unknown[][] = new Array(to - from);
    for (let i = from; i < to; i++) {
      const row: unknown[] = new Array(data.length);
      for (let c = 0; c < data.length; c++) row[c] = data[c]![i];
      rows[i - from] = row;
    }
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
    try {
      await loadRows(engine, staging, names, rows, types);
      await engine.exec(`INSERT INTO ${quoteIdent(table)} SELECT ${list} FROM ${quoteIdent(staging)}`);
    } finally {
      await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`).catch(() => undefined);
    }
  }
}

/** Lists (or refreshes) the library's tables in the catalog, as results of `op`. */
export async function catalogTables(ctx: OperationContext, op: string, tables: string[]): Promise<void> {
  for (const t of tables) {
    ctx.catalog.set({ name: t, kind: 'result', columns: [], rows: 0, origin: { op } });
    await ctx.catalog.refresh(ctx.engine, t);
  }
}
