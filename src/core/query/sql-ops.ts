// The SQL workbench's operations: running a query and saving one as a named view. Both are journaled
// with the SQL and a digest of the result, so a number taken from a query can be re-derived.
import { z } from 'zod';
import { OperationError, registerOperation, type OperationContext } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { queryRelation } from '../sql/relation.ts';

/** Tables a query reads, as far as the catalog knows them (for the journal's inputs). */
export function tablesReadBy(ctx: OperationContext, sql: string): { table: string; source?: string; sha256?: string }[] {
  const text = sql.toLowerCase();
  return ctx.catalog
    .list()
    .filter((t) => new RegExp(`(^|[^a-z0-9_])"?${t.name.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?([^a-z0-9_]|$)`).test(text))
    .map((t) => (t.source ? { table: t.name, source: t.source.path, sha256: t.source.sha256 } : { table: t.name }));
}

/** A `;` outside strings, quoted names and comments: "SELECT 1; DROP TABLE t" is two statements. */
function hasSecondStatement(sql: string): boolean {
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) return false; // unterminated: DuckDB refuses it anyway
      i = end; // a doubled quote reopens at the next character: same result
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      if (end < 0) return false;
      i = end;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return false;
      i = end + 1;
    } else if (c === ';') return true;
  }
  return false;
}

/**
 * A single statement that only reads: the workbench runs queries, imports change tables. Reading a
 * file by name (read_text('/etc/passwd'), FROM '/x.csv', glob, COPY, ATTACH) is not checked here:
 * the engine itself has no file access (see OFFLINE_SETTINGS), which no spelling of the SQL gets round.
 */
export function assertSingleSelect(sql: string): string {
  const body = sql.trim().replace(/;+\s*$/, '');
  if (!body) throw new OperationError('Requête vide');
  if (!/^(select|with|from|values|table|summarize|describe|pivot|unpivot|\()/i.test(body)) {
    throw new OperationError('Seules les requêtes de lecture (SELECT, WITH, FROM…) sont enregistrables comme requêtes');
  }
  if (hasSecondStatement(body)) throw new OperationError('Une seule requête à la fois : « ; » ne peut pas en enchaîner une autre');
  return body;
}

export const RunSqlParams = z.object({
  sql: z.string().min(1).max(1_000_000).describe('Requête SQL (lecture seule)'),
});

export const runSql = registerOperation({
  id: 'sql',
  kind: 'query',
  description: 'Exécute une requête SQL de lecture et journalise son empreinte',
  params: RunSqlParams,
  async run(ctx, params) {
    const body = assertSingleSelect(params.sql);
    return { relation: queryRelation(body), sql: [body], inputs: tablesReadBy(ctx, body) };
  },
});

export const SaveQueryParams = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'nom SQL simple attendu (lettres, chiffres, _)')
    .describe('Nom de la vue'),
  sql: z.string().min(1).max(1_000_000).describe('Requête SQL (lecture seule)'),
  description: z.string().max(10_000).optional().describe('Ce que la requête montre'),
});

export const saveQuery = registerOperation({
  id: 'save-query',
  kind: 'view',
  description: 'Enregistre une requête sous un nom : elle devient une vue du catalogue',
  params: SaveQueryParams,
  async run(ctx, params) {
    const body = assertSingleSelect(params.sql);
    const existing = ctx.catalog.get(params.name);
    if (existing && existing.kind !== 'view') throw new OperationError(`« ${params.name} » est déjà une table du projet`);
    const sql = `CREATE OR REPLACE VIEW ${quoteIdent(params.name)} AS ${body}`;
    await ctx.engine.exec(sql);
    ctx.catalog.set({ name: params.name, kind: 'view', columns: [], rows: 0, sql: body });
    await ctx.catalog.refresh(ctx.engine, params.name);
    return { table: params.name, sql: [sql], inputs: tablesReadBy(ctx, body), summary: `Vue « ${params.name} » enregistrée` };
  },
});
