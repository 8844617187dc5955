// Exact duplicates: rows that agree on every chosen column. The classic first test on payments
// (same beneficiary, same amount, same date → paid twice?).
import { z } from 'zod';
import { quoteIdent } from '../sql/ident.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { firstRow, LINE, withLineSql } from './read.ts';
import { fmtEur, fmtInt, plural } from './format.ts';
import { nameParam, oneTableParams, requireColumns, requireNumericColumn } from './params.ts';

export const DuplicatesParams = oneTableParams({
  columns: z.array(nameParam).min(1).max(50).describe('Colonnes qui doivent être identiques pour que deux lignes soient des doublons'),
  amount: nameParam.optional().describe('Colonne de montant (facultative) : calcule le montant en jeu'),
});
export type DuplicatesParams = z.infer<typeof DuplicatesParams>;

export interface DuplicatesDetail {
  groups: number;
  rows: number;
  excessRows: number;
  amountAtStake: number | null;
}

const DUPLICATES_ABOUT = 'Doublons exacts : lignes identiques sur les colonnes choisies, regroupées, avec le montant en jeu';

export const duplicates = auditOperation<DuplicatesParams, DuplicatesDetail>(
  'duplicates',
  DuplicatesParams,
  DUPLICATES_ABOUT,
  async (ctx, p) => {
    const cols = requireColumns(ctx, p.table, p.columns);
    if (p.amount) requireNumericColumn(ctx, p.table, p.amount);
    const q = cols.map(quoteIdent);
    const amt = p.amount ? quoteIdent(p.amount) : null;
    // NULL = NULL inside GROUP BY, which is what an auditor expects for "same empty field"; but a row
    // whose key columns are all empty says nothing, so it is left out.
    const notAllNull = q.map((c) => `${c} IS NOT NULL`).join(' OR ');
    // The amount at stake keeps the largest occurrence as the legitimate one: with equal amounts
    // this is (count − 1) × amount; with different amounts it is the cautious (lowest) estimate.
    const select = `
    SELECT ${q.join(', ')},
      concat_ws(' | ', ${q.map((c) => `coalesce(CAST(${c} AS VARCHAR), '∅')`).join(', ')}) AS cle,
      count(*) AS nb,
      ${amt ? `sum(${amt}) AS montant_total, sum(${amt}) - max(${amt}) AS montant_en_jeu,` : ''}
      list(${LINE} ORDER BY ${LINE}) AS lignes
    FROM ${withLineSql(ctx, p.table)}
    WHERE ${notAllNull}
    GROUP BY ${q.join(', ')}
    HAVING count(*) > 1
    ORDER BY ${amt ? 'montant_en_jeu DESC NULLS LAST, ' : ''}nb DESC, cle`;
    const res = await makeResult(ctx, 'duplicates', select, p.result);
    const s = await firstRow(
      ctx,
      `SELECT count(*) AS groups, coalesce(sum(nb), 0) AS rows${amt ? ', sum(montant_en_jeu) AS stake' : ''} FROM ${quoteIdent(res.table)}`,
    );
    const groups = Number(s.groups);
    const rows = Number(s.rows);
    const stake = amt ? Number(s.stake ?? 0) : null;
    const summary =
      groups === 0
        ? `Aucun doublon exact dans « ${p.table} » sur ${cols.map((c) => `« ${c} »`).join(', ')}.`
        : `${plural(groups, 'groupe')} de doublons exacts dans « ${p.table} » sur ${cols.map((c) => `« ${c} »`).join(', ')} : ` +
          `${fmtInt(rows)} lignes, dont ${fmtInt(rows - groups)} en trop` +
          (stake !== null
            ? `, pour un montant en jeu de ${fmtEur(stake)} (somme des occurrences moins la plus élevée de chaque groupe).`
            : '.');
    return auditOutput(ctx, res, [p.table], summary, { groups, rows, excessRows: rows - groups, amountAtStake: stake });
  },
);
