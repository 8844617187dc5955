// OpenRefine-style key collision: values whose fingerprint (or n-gram fingerprint) is the same are
// probably one thing spelled several ways. The auditor reviews each cluster and accepts a mapping
// value → canonical form, saved as a table `map_<name>` that other operations and queries can join.
import { z } from 'zod';
import { OperationError, runOperation, type OperationContext, type OperationResult } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral, safeIdentifier } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, withLineSql } from './read.ts';
import { fmtInt, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns } from './params.ts';
import { fingerprintSql, ngramFingerprintSql } from './normalize.ts';

export const ClustersParams = oneTableParams({
  column: nameParam.describe('Colonne de texte à regrouper (noms, libellés…)'),
  method: z
    .enum(['fingerprint', 'ngram'])
    .default('fingerprint')
    .describe('Clé : « fingerprint » (mots normalisés, triés, dédoublonnés) ou « ngram » (n-grammes de caractères triés)'),
  n: z.number().int().min(1).max(5).default(2).describe('Taille des n-grammes (méthode « ngram »)'),
});
export type ClustersParams = z.infer<typeof ClustersParams>;

export interface ClustersDetail {
  clusters: number;
  values: number;
  rows: number;
}

const CLUSTERS_ABOUT = 'Regroupement par collision de clés (OpenRefine) : graphies différentes d’une même valeur, à valider';

export const clusters = auditOperation<ClustersParams, ClustersDetail>('clusters', ClustersParams, CLUSTERS_ABOUT, async (ctx, p) => {
  requireColumns(ctx, p.table, [p.column]);
  const key = p.method === 'fingerprint' ? fingerprintSql('valeur') : ngramFingerprintSql('valeur', p.n);
  // The suggested canonical form is the most frequent spelling (ties: alphabetical), as in OpenRefine.
  const select = `
    WITH v AS (
      SELECT CAST(${quoteIdent(p.column)} AS VARCHAR) AS valeur, count(*) AS nb_lignes, list(${LINE} ORDER BY ${LINE}) AS lignes
      FROM ${withLineSql(ctx, p.table)} WHERE ${quoteIdent(p.column)} IS NOT NULL GROUP BY 1),
    k AS (SELECT ${key} AS cle, * FROM v),
    c AS (
      SELECT cle, count(*) AS nb_valeurs, sum(nb_lignes) AS nb_lignes_cluster,
        arg_max(valeur, nb_lignes * 1e9 - rank_in) AS suggestion
      FROM (SELECT *, row_number() OVER (PARTITION BY cle ORDER BY valeur) AS rank_in FROM k)
      GROUP BY cle HAVING count(*) > 1)
    SELECT dense_rank() OVER (ORDER BY c.nb_lignes_cluster DESC, c.cle) AS cluster, c.cle, c.nb_valeurs,
      c.nb_lignes_cluster, k.valeur, k.nb_lignes, c.suggestion, k.lignes
    FROM c JOIN k USING (cle)
    ORDER BY cluster, k.nb_lignes DESC, k.valeur`;
  const res = await makeResult(ctx, 'clusters', select, p.result);
  const s = await firstRow(
    ctx,
    `SELECT count(DISTINCT cluster) AS c, count(*) AS v, coalesce(sum(nb_lignes), 0) AS r FROM ${quoteIdent(res.table)}`,
  );
  const n = Number(s.c);
  const summary =
    n === 0
      ? `Aucun regroupement sur « ${p.column} » dans « ${p.table} » (méthode ${p.method}).`
      : `${plural(n, 'regroupement')} sur « ${p.column} » dans « ${p.table} » (méthode ${p.method === 'fingerprint' ? 'empreinte' : `${p.n}-grammes`}) : ` +
        `${fmtInt(s.v)} graphies couvrant ${fmtInt(s.r)} lignes. Chaque regroupement est une proposition à valider avant d’accepter la correspondance.`;
  return auditOutput(ctx, res, [p.table], summary, { clusters: n, values: Number(s.v), rows: Number(s.r) });
});

export const AcceptClustersParams = z.object({
  name: z.string().min(1).max(100).describe('Nom de la correspondance : la table créée s’appelle map_<nom>'),
  mapping: z
    .record(z.string().max(10_000), z.string().max(10_000))
    .refine((m) => Object.keys(m).length > 0, 'au moins une correspondance est attendue')
    .describe('Correspondances validées { "valeur rencontrée": "forme canonique" }'),
});
export type AcceptClustersParams = z.infer<typeof AcceptClustersParams>;

const CLUSTERS_ACCEPT_ABOUT = 'Enregistre une correspondance valeur → forme canonique validée (table map_<nom>, à joindre)';

export const clustersAccept = auditOperation<AcceptClustersParams, { table: string; pairs: number }>(
  'clusters-accept',
  AcceptClustersParams,
  CLUSTERS_ACCEPT_ABOUT,
  async (ctx, p) => {
    const table = `map_${safeIdentifier(p.name, 'correspondance')}`;
    const pairs = Object.entries(p.mapping);
    const values = pairs.map(([v, c]) => `(${quoteLiteral(v)}, ${quoteLiteral(c)})`).join(',\n');
    const select = `SELECT * FROM (VALUES ${values}) AS m(valeur, canonique) ORDER BY canonique, valeur`;
    if (ctx.catalog.get(table) && ctx.catalog.get(table)!.kind !== 'result') {
      throw new OperationError(`« ${table} » existe déjà et n’est pas une correspondance`);
    }
    const res = await makeResult(ctx, 'clusters-accept', select, table);
    return {
      table: res.table,
      sql: [res.sql],
      inputs: [],
      summary: `Correspondance « ${table} » enregistrée : ${plural(pairs.length, 'valeur')} ramenée${pairs.length > 1 ? 's' : ''} à ${plural(new Set(pairs.map((x) => x[1])).size, 'forme canonique', 'formes canoniques')}.`,
      detail: { table: res.table, pairs: pairs.length },
    };
  },
);

/** The API the Audit view calls when the auditor accepts clusters: journaled like any operation. */
export function acceptClusters(
  ctx: OperationContext,
  params: AcceptClustersParams,
): Promise<OperationResult<{ table: string; pairs: number }>> {
  return runOperation(ctx, clustersAccept, params);
}

/** SQL for a column with its accepted canonical form: `coalesce(map.canonique, value)`. */
export function canonicalJoinSql(table: string, column: string, mapTable: string): string {
  return `SELECT t.*, coalesce(m.canonique, CAST(t.${quoteIdent(column)} AS VARCHAR)) AS canonique FROM ${quoteIdent(table)} t LEFT JOIN ${quoteIdent(mapTable)} m ON m.valeur = CAST(t.${quoteIdent(column)} AS VARCHAR)`;
}
