// Identifier checks: SIRET/SIREN (length and Luhn key, La Poste's rule), INSEE commune codes and
// Paris postal codes. Every invalid or missing value is listed with its line and the reason.
import { z } from 'zod';
import { inputOf, registerOperation } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { fmtInt, LINE, makeResult, requireColumns, resultParam, rowsOf, tableParam, withLineSql } from './common.ts';
import { digitsOnlySql, normalizeSirenSql, normalizeSiretSql, sirenValidSql, siretValidSql } from './normalize.ts';

export const ValidateIdsParams = z.object({
  table: tableParam,
  column: z.string().min(1).max(1000).describe('Colonne à contrôler'),
  kind: z
    .enum(['siret', 'siren', 'insee', 'postal-paris'])
    .describe('Type : siret, siren, insee (code commune, 5 caractères, 2A/2B pour la Corse), postal-paris (75001–75020, 75116)'),
  parisOnly: z.boolean().default(false).describe('Pour « insee » : n’accepter que les arrondissements de Paris (75101–75120)'),
  result: resultParam,
});
export type ValidateIdsParams = z.infer<typeof ValidateIdsParams>;

/** SQL CASE giving the reason a value is invalid (NULL when valid), on the raw quoted column. */
export function idProblemSql(col: string, kind: ValidateIdsParams['kind'], parisOnly = false): string {
  const raw = `nullif(trim(CAST(${col} AS VARCHAR)), '')`;
  if (kind === 'siret' || kind === 'siren') {
    const len = kind === 'siret' ? 14 : 9;
    const n = kind === 'siret' ? normalizeSiretSql(col) : normalizeSirenSql(col);
    const ok = kind === 'siret' ? siretValidSql(n) : sirenValidSql(n);
    return `CASE WHEN ${raw} IS NULL THEN 'manquant'
      WHEN regexp_matches(${raw}, '[^0-9 .\\-]') OR ${digitsOnlySql(col)} IS NULL THEN 'caractères non numériques'
      WHEN length(${n}) <> ${len} THEN 'longueur ' || length(${n}) || ' au lieu de ${len}'
      WHEN NOT ${ok} THEN 'clé de contrôle (Luhn) invalide'
      END`;
  }
  if (kind === 'insee') {
    const v = `upper(${raw})`;
    return `CASE WHEN ${raw} IS NULL THEN 'manquant'
      WHEN NOT regexp_full_match(${v}, '([0-9]{2}|2A|2B)[0-9]{3}') THEN 'format invalide (5 caractères, 2A/2B pour la Corse)'
      WHEN regexp_full_match(${v}, '20[0-9]{3}') THEN 'Corse codée 20 au lieu de 2A/2B'
      WHEN substr(${v}, 1, 3) = '751' AND NOT (CAST(substr(${v}, 4, 2) AS INTEGER) BETWEEN 1 AND 20) THEN 'arrondissement de Paris inexistant'
      ${parisOnly ? `WHEN NOT regexp_full_match(${v}, '751(0[1-9]|1[0-9]|20)') THEN 'hors des arrondissements de Paris (75101–75120)'` : ''}
      END`;
  }
  return `CASE WHEN ${raw} IS NULL THEN 'manquant'
    WHEN NOT regexp_full_match(${raw}, '750(0[1-9]|1[0-9]|20)|75116') THEN 'code postal parisien invalide (75001–75020, 75116)'
    END`;
}

export const validateIds = registerOperation<ValidateIdsParams, { checked: number; invalid: number; missing: number }>({
  id: 'validate-ids',
  kind: 'audit',
  description: 'Contrôle des identifiants : SIRET/SIREN (clé de Luhn), codes commune INSEE, codes postaux parisiens',
  params: ValidateIdsParams,
  async run(ctx, p) {
    requireColumns(ctx, p.table, [p.column]);
    const col = quoteIdent(p.column);
    const select = `
      SELECT * FROM (SELECT ${LINE}, CAST(${col} AS VARCHAR) AS valeur, ${idProblemSql(col, p.kind, p.parisOnly)} AS probleme FROM ${withLineSql(ctx, p.table)})
      WHERE probleme IS NOT NULL ORDER BY ${LINE}`;
    const res = await makeResult(ctx, 'validate-ids', select, p.result);
    const c = await rowsOf(ctx, `SELECT (SELECT count(*) FROM ${quoteIdent(p.table)}) AS n, count(*) FILTER (probleme <> 'manquant') AS bad, count(*) FILTER (probleme = 'manquant') AS missing FROM ${quoteIdent(res.table)}`);
    const s = c[0]!;
    const d = { checked: Number(s.n), invalid: Number(s.bad), missing: Number(s.missing) };
    const label = { siret: 'SIRET', siren: 'SIREN', insee: 'codes commune INSEE', 'postal-paris': 'codes postaux parisiens' }[p.kind];
    const summary =
      `Contrôle des ${label} de « ${p.column} » (« ${p.table} ») : ${fmtInt(d.checked)} lignes, ${fmtInt(d.invalid)} invalides, ${fmtInt(d.missing)} manquants.` +
      (p.kind === 'siret' ? ' Les SIRET de La Poste (SIREN 356000000) suivent la règle de l’INSEE propre à La Poste : somme des chiffres multiple de 5.' : '');
    return { table: res.table, sql: [res.sql], inputs: [inputOf(ctx, p.table)], summary, detail: d };
  },
});
