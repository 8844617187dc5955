// Two releases of the same dataset (last month's dump and today's): which rows a portal added,
// removed or quietly changed, and whether its schema drifted. Rules written down:
// - rows are paired on the key columns, NULL keys included (NULL pairs with NULL); a key present more
//   than once in either release cannot be paired safely: it is listed as « cle_en_double » with the
//   line numbers on each side, and left out of the other counts;
// - a column changes when old IS DISTINCT FROM new (NULL-safe: NULL → value is a change, NULL → NULL is
//   not); a retyped column is compared in a type both share (numbers as DOUBLE, dates as TIMESTAMP,
//   else text), so BIGINT 100 → DOUBLE 100.0 is a retype, not a change of value;
// - columns present in one release only are schema drift, reported but not compared.
import { z } from 'zod';
import { OperationError, requireTable } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, rowsOf, withLineSql } from './read.ts';
import { fmtInt, plural } from './format.ts';
import { nameParam, requireColumns, resultParam } from './params.ts';
import { comparableSql } from './reconcile.ts';

export const CompareReleasesParams = z.object({
  old: nameParam.describe('Table de la version précédente (ancien export)'),
  new: nameParam.describe('Table de la version récente (nouvel export)'),
  keys: z
    .array(nameParam)
    .min(1)
    .max(10)
    .describe('Colonnes qui identifient une ligne, présentes dans les deux versions (numéro de dossier, identifiant…)'),
  ignore: z.array(nameParam).max(200).default([]).describe('Colonnes à ne pas comparer (date de mise à jour de la ligne…)'),
  result: resultParam,
});
export type CompareReleasesParams = z.infer<typeof CompareReleasesParams>;

export interface CompareReleasesDetail {
  rows: { old: number; new: number };
  added: number;
  removed: number;
  changed: number;
  unchanged: number;
  duplicateKeys: number;
  /** Compared column → rows where it changed, most changed first. */
  changedByColumn: Record<string, number>;
  schema: {
    added: { name: string; type: string }[];
    removed: { name: string; type: string }[];
    retyped: { name: string; old: string; new: string }[];
  };
}

const COMPARE_RELEASES_ABOUT =
  "Comparaison de deux versions d'un jeu de données : lignes ajoutées, supprimées, modifiées (colonne par colonne) et dérive du schéma";

export const compareReleases = auditOperation<CompareReleasesParams, CompareReleasesDetail>(
  'compare-releases',
  CompareReleasesParams,
  COMPARE_RELEASES_ABOUT,
  async (ctx, p) => {
    const to = requireTable(ctx, p.old);
    const tn = requireTable(ctx, p.new);
    if (p.old === p.new) throw new OperationError('Les deux versions doivent être deux tables différentes');
    const keys = requireColumns(ctx, p.old, p.keys);
    requireColumns(ctx, p.new, p.keys);
    const oldCols = new Map(to.columns.map((c) => [c.name, c.type]));
    const newCols = new Map(tn.columns.map((c) => [c.name, c.type]));
    for (const c of p.ignore) {
      if (!oldCols.has(c) && !newCols.has(c)) throw new OperationError(`Colonne à ignorer inconnue dans les deux versions : « ${c} »`);
    }
    const schema: CompareReleasesDetail['schema'] = {
      added: [...newCols].filter(([n]) => !oldCols.has(n)).map(([name, type]) => ({ name, type })),
      removed: [...oldCols].filter(([n]) => !newCols.has(n)).map(([name, type]) => ({ name, type })),
      retyped: [...oldCols]
        .filter(([n, t]) => newCols.has(n) && newCols.get(n) !== t)
        .map(([name, type]) => ({ name, old: type, new: newCols.get(name)! })),
    };
    const skip = new Set([...keys, ...p.ignore, LINE]);
    const compared = [...oldCols.keys()].filter((c) => newCols.has(c) && !skip.has(c));
    const cmp = (alias: 'o' | 'n', c: string) =>
      comparableSql(`${alias}.${quoteIdent(c)}`, (alias === 'o' ? oldCols : newCols).get(c)!, (alias === 'o' ? newCols : oldCols).get(c)!);
    const kq = keys.map(quoteIdent);
    const diff = compared.map((c) => `(${cmp('o', c)} IS DISTINCT FROM ${cmp('n', c)})`);
    const show = (e: string) => `coalesce(CAST(${e} AS VARCHAR), '∅')`;
    const changedList = compared.length
      ? `list_filter([${compared.map((c, i) => `CASE WHEN ${diff[i]} THEN ${quoteLiteral(c)} END`).join(', ')}], x -> x IS NOT NULL)`
      : 'CAST([] AS VARCHAR[])';
    const changes = compared.length
      ? `nullif(concat_ws(' ; ', ${compared.map((c, i) => `CASE WHEN ${diff[i]} THEN ${quoteLiteral(`${c} : `)} || ${show(`o.${quoteIdent(c)}`)} || ' → ' || ${show(`n.${quoteIdent(c)}`)} END`).join(', ')}), '')`
      : 'NULL::VARCHAR';
    // Keys are compared in a shared type too (a key column retyped from number to text still pairs).
    const keyOut = (k: string) => `coalesce(${cmp('o', k)}, ${cmp('n', k)}) AS ${quoteIdent(k)}`;
    // Duplicate keys first (listed, never paired), then pairs of rows whose key is unique in both releases.
    const keyO = (k: string) => cmp('o', k);
    const keyN = (k: string) => cmp('n', k);
    const keysEqual = keys.map((k) => `${keyO(k)} IS NOT DISTINCT FROM ${keyN(k)}`).join(' AND ');
    const query = `
    WITH o AS (SELECT * FROM ${withLineSql(ctx, p.old)}),
    n AS (SELECT * FROM ${withLineSql(ctx, p.new)}),
    ko AS (SELECT ${keys.map((k) => `${keyO(k)} AS ${quoteIdent(k)}`).join(', ')}, count(*) AS nb, list(${LINE} ORDER BY ${LINE}) AS lignes FROM o GROUP BY ALL),
    kn AS (SELECT ${keys.map((k) => `${keyN(k)} AS ${quoteIdent(k)}`).join(', ')}, count(*) AS nb, list(${LINE} ORDER BY ${LINE}) AS lignes FROM n GROUP BY ALL),
    dup AS (
      SELECT ${kq.map((k) => `coalesce(ko.${k}, kn.${k}) AS ${k}`).join(', ')}, coalesce(ko.nb, 0) AS nb_ancien, coalesce(kn.nb, 0) AS nb_nouveau,
        ko.lignes AS lignes_anciennes, kn.lignes AS lignes_nouvelles
      FROM ko FULL JOIN kn ON ${kq.map((k) => `ko.${k} IS NOT DISTINCT FROM kn.${k}`).join(' AND ')}
      WHERE ko.nb > 1 OR kn.nb > 1),
    os AS (SELECT o.* FROM o ANTI JOIN dup ON ${keys.map((k) => `${keyO(k)} IS NOT DISTINCT FROM dup.${quoteIdent(k)}`).join(' AND ')}),
    ns AS (SELECT n.* FROM n ANTI JOIN dup ON ${keys.map((k) => `${keyN(k)} IS NOT DISTINCT FROM dup.${quoteIdent(k)}`).join(' AND ')}),
    pairs AS (
      SELECT ${keys.map(keyOut).join(', ')},
        CASE WHEN o.${LINE} IS NULL THEN 'ajoutee' WHEN n.${LINE} IS NULL THEN 'supprimee'
             WHEN len(${changedList}) > 0 THEN 'modifiee' ELSE 'inchangee' END AS statut,
        o.${LINE} AS ligne_ancienne, n.${LINE} AS ligne_nouvelle,
        CASE WHEN o.${LINE} IS NOT NULL AND n.${LINE} IS NOT NULL THEN ${changedList} END AS colonnes_modifiees,
        CASE WHEN o.${LINE} IS NOT NULL AND n.${LINE} IS NOT NULL THEN ${changes} END AS modifications
      FROM os o FULL JOIN ns n ON ${keysEqual})
    SELECT * FROM (
    SELECT statut, ${kq.join(', ')}, ligne_ancienne, ligne_nouvelle, colonnes_modifiees, modifications,
      NULL::INTEGER[] AS lignes_anciennes, NULL::INTEGER[] AS lignes_nouvelles
    FROM pairs WHERE statut <> 'inchangee'
    UNION ALL
    SELECT 'cle_en_double', ${kq.join(', ')}, NULL, NULL, NULL, 'clé présente ' || nb_ancien || ' fois dans l''ancienne version, ' || nb_nouveau || ' fois dans la nouvelle',
      lignes_anciennes, lignes_nouvelles
    FROM dup)
    ORDER BY CASE statut WHEN 'ajoutee' THEN 1 WHEN 'supprimee' THEN 2 WHEN 'modifiee' THEN 3 ELSE 4 END, ${kq.map((k) => `${k} NULLS LAST`).join(', ')}`;
    const res = await makeResult(ctx, 'compare-releases', query, p.result);
    const rt = quoteIdent(res.table);
    const s = await firstRow(
      ctx,
      `SELECT count(*) FILTER (statut = 'ajoutee') AS added, count(*) FILTER (statut = 'supprimee') AS removed,
       count(*) FILTER (statut = 'modifiee') AS changed, count(*) FILTER (statut = 'cle_en_double') AS dups,
       (SELECT count(*) FROM ${quoteIdent(p.old)}) AS nold, (SELECT count(*) FROM ${quoteIdent(p.new)}) AS nnew,
       coalesce(sum(CASE WHEN statut = 'cle_en_double' THEN len(lignes_anciennes) END), 0) AS dup_old
     FROM ${rt}`,
    );
    const byCol = compared.length
      ? await rowsOf(
          ctx,
          `SELECT c, count(*) AS n FROM (SELECT unnest(colonnes_modifiees) AS c FROM ${rt} WHERE statut = 'modifiee') GROUP BY c ORDER BY n DESC, c`,
        )
      : [];
    const added = Number(s.added);
    const removed = Number(s.removed);
    const changed = Number(s.changed);
    const dups = Number(s.dups);
    // Every old row is either removed, changed, unchanged or under a duplicate key.
    const unchanged = Number(s.nold) - removed - changed - Number(s.dup_old);
    const d: CompareReleasesDetail = {
      rows: { old: Number(s.nold), new: Number(s.nnew) },
      added,
      removed,
      changed,
      unchanged,
      duplicateKeys: dups,
      changedByColumn: Object.fromEntries(byCol.map((r) => [String(r.c), Number(r.n)])),
      schema,
    };
    const list = (xs: string[]) => xs.map((x) => `« ${x} »`).join(', ');
    const drift = [
      schema.added.length
        ? `${plural(schema.added.length, 'colonne ajoutée', 'colonnes ajoutées')} (${list(schema.added.map((c) => c.name))})`
        : '',
      schema.removed.length
        ? `${plural(schema.removed.length, 'colonne supprimée', 'colonnes supprimées')} (${list(schema.removed.map((c) => c.name))})`
        : '',
      schema.retyped.length
        ? `${plural(schema.retyped.length, 'colonne', 'colonnes')} de type changé (${schema.retyped.map((c) => `« ${c.name} » ${c.old} → ${c.new}`).join(', ')})`
        : '',
    ].filter(Boolean);
    const top = byCol.slice(0, 5).map((r) => `« ${String(r.c)} » (${fmtInt(r.n)})`);
    const summary =
      `Comparaison de « ${p.old} » (ancienne version, ${fmtInt(d.rows.old)} lignes) et de « ${p.new} » (nouvelle, ${fmtInt(d.rows.new)} lignes) sur la clé ${list(keys)} : ` +
      `${plural(added, 'ligne ajoutée', 'lignes ajoutées')}, ${plural(removed, 'supprimée', 'supprimées')}, ${plural(changed, 'modifiée', 'modifiées')}` +
      (top.length ? ` (colonnes les plus modifiées : ${top.join(', ')})` : '') +
      `, ${plural(unchanged, 'inchangée', 'inchangées')}.` +
      (dups
        ? ` ${plural(dups, 'clé présente', 'clés présentes')} plusieurs fois, non comparée${dups > 1 ? 's' : ''} (statut cle_en_double).`
        : '') +
      (drift.length ? ` Schéma modifié : ${drift.join(' ; ')}.` : ' Schéma inchangé.') +
      (p.ignore.length ? ` Colonnes non comparées à la demande : ${list(p.ignore)}.` : '');
    return auditOutput(ctx, res, [p.old, p.new], summary, d);
  },
);
