// Near-duplicates on a name: the same beneficiary or supplier spelled several ways (« Assoc. Les
// Tréteaux du Faubourg » / « LES TRETEAUX DU FAUBOURG »). Names are normalised (normalize.ts), compared
// with Jaro-Winkler inside blocks so the number of comparisons stays near-linear, and the pairs above
// the threshold are joined into groups (connected components).
import { z } from 'zod';
import { quoteIdent, sqlValue } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, withLineSql } from './read.ts';
import { fmtEur, fmtInt, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireNumericColumn } from './params.ts';
import { normalizeNameSql } from './normalize.ts';

export const FuzzyDuplicatesParams = oneTableParams({
  column: nameParam.describe('Colonne du nom à comparer (bénéficiaire, fournisseur…)'),
  amount: nameParam.optional().describe('Colonne de montant (facultative) : totaux par groupe'),
  threshold: z
    .number()
    .min(0.5)
    .max(1)
    .default(0.92)
    .describe('Similarité de Jaro-Winkler minimale entre deux noms normalisés (1 = identiques)'),
  blocking: z
    .enum(['prefixe', 'trigramme'])
    .default('prefixe')
    .describe(
      'Blocage : « prefixe » ne compare que les noms qui commencent par les 3 mêmes caractères (rapide) ; « trigramme » compare ceux qui partagent au moins un trigramme (plus complet, plus lent)',
    ),
  legalForms: z.boolean().default(true).describe('Retirer les formes juridiques (ASSOCIATION, SARL, SAS…) avant de comparer'),
});
export type FuzzyDuplicatesParams = z.infer<typeof FuzzyDuplicatesParams>;

export interface FuzzyDuplicatesDetail {
  groups: number;
  variants: number;
  rows: number;
  amount: number | null;
  threshold: number;
}

const FUZZY_DUPLICATES_ABOUT =
  'Quasi-doublons : noms presque identiques après normalisation (Jaro-Winkler), regroupés avec lignes et montants';

export const fuzzyDuplicates = auditOperation<FuzzyDuplicatesParams, FuzzyDuplicatesDetail>(
  'fuzzy-duplicates',
  FuzzyDuplicatesParams,
  FUZZY_DUPLICATES_ABOUT,
  async (ctx, p) => {
    requireColumns(ctx, p.table, [p.column]);
    if (p.amount) requireNumericColumn(ctx, p.table, p.amount);
    const col = quoteIdent(p.column);
    const amt = p.amount ? quoteIdent(p.amount) : 'NULL::DOUBLE';
    const norm = normalizeNameSql('valeur', { legalForms: p.legalForms });
    const block =
      p.blocking === 'prefixe'
        ? `SELECT valeur, norm, substr(norm, 1, 3) AS bloc FROM v`
        : `SELECT valeur, norm, unnest(list_distinct(list_transform(range(1, greatest(length(norm) - 1, 2)), i -> substr(norm, i, 3)))) AS bloc FROM v`;
    // One node per distinct spelling (trimmed); identical normalised forms have similarity 1 and so
    // always end in the same group.
    const select = `
    WITH RECURSIVE
    src AS (SELECT ${LINE}, trim(CAST(${col} AS VARCHAR)) AS valeur, ${amt} AS montant FROM ${withLineSql(ctx, p.table)} WHERE nullif(trim(CAST(${col} AS VARCHAR)), '') IS NOT NULL),
    v AS (
      SELECT valeur, ${norm} AS norm, count(*) AS nb_lignes, sum(montant) AS montant, list(${LINE} ORDER BY ${LINE}) AS lignes
      FROM src GROUP BY valeur),
    b AS (${block}),
    pairs AS (
      SELECT DISTINCT a.valeur AS x, c.valeur AS y, jaro_winkler_similarity(a.norm, c.norm) AS sim
      FROM b a JOIN b c ON a.bloc = c.bloc AND a.valeur < c.valeur
      WHERE jaro_winkler_similarity(a.norm, c.norm) >= ${sqlValue(p.threshold)}),
    edges AS (SELECT x, y FROM pairs UNION SELECT y, x FROM pairs),
    reach(node, root) AS (
      SELECT x, x FROM edges
      UNION
      SELECT e.y, r.root FROM reach r JOIN edges e ON e.x = r.node),
    comp AS (SELECT node, min(root) AS root FROM reach GROUP BY node),
    best AS (SELECT node, max(sim) AS sim FROM (SELECT x AS node, sim FROM pairs UNION ALL SELECT y, sim FROM pairs) GROUP BY node),
    m AS (
      SELECT dense_rank() OVER (ORDER BY comp.root) AS groupe, v.valeur, v.norm AS nom_normalise, v.nb_lignes, v.montant,
        best.sim AS similarite_max, v.lignes
      FROM comp JOIN v ON v.valeur = comp.node JOIN best ON best.node = comp.node)
    SELECT groupe,
      count(*) OVER (PARTITION BY groupe) AS groupe_nb_variantes,
      sum(nb_lignes) OVER (PARTITION BY groupe) AS groupe_nb_lignes,
      sum(montant) OVER (PARTITION BY groupe) AS groupe_montant,
      valeur, nom_normalise, nb_lignes, montant, round(similarite_max, 4) AS similarite_max, lignes
    FROM m
    ORDER BY groupe, nb_lignes DESC, valeur`;
    const res = await makeResult(ctx, 'fuzzy-duplicates', select, p.result);
    const s = await firstRow(
      ctx,
      `SELECT count(DISTINCT groupe) AS g, count(*) AS v, coalesce(sum(nb_lignes), 0) AS r, sum(montant) AS a FROM ${quoteIdent(res.table)}`,
    );
    const groups = Number(s.g);
    const amount = p.amount ? Number(s.a ?? 0) : null;
    const summary =
      groups === 0
        ? `Aucun quasi-doublon sur « ${p.column} » dans « ${p.table} » au seuil de Jaro-Winkler ${sqlValue(p.threshold).replace('.', ',')}.`
        : `${plural(groups, 'groupe')} de noms proches sur « ${p.column} » dans « ${p.table} » (Jaro-Winkler ≥ ${String(p.threshold).replace('.', ',')} après normalisation) : ` +
          `${fmtInt(s.v)} graphies différentes, ${fmtInt(s.r)} lignes` +
          (amount !== null ? `, ${fmtEur(amount)} au total.` : '.') +
          ' À revoir une par une : des noms proches peuvent désigner des organismes distincts.';
    return auditOutput(ctx, res, [p.table], summary, { groups, variants: Number(s.v), rows: Number(s.r), amount, threshold: p.threshold });
  },
);
