// Identifier checks: SIRET/SIREN (length and Luhn key, La Poste's rule), INSEE commune codes and
// Paris postal codes. Every invalid or missing value is listed with its line and the reason.
// Digits are checked as written: a 13-digit SIRET is the wrong length even when a leading zero lost
// in a spreadsheet would make it valid (that is said, as a question, and still counted invalid).
// Padding it silently hid the 33 thirteen-digit SIRETs of Paris's 2013 subsidy file.
import { z } from 'zod';
import { quoteIdent } from '../sql/ident.ts';
import { population, populationLine, rateOver, rateText, type Population } from '../ops/population.ts';
import { auditOperation, auditOutput, makeResult } from './operation.ts';
import { fmtInt } from './format.ts';
import { LINE, rowsOf, withLineSql } from './read.ts';
import { nameParam, oneTableParams, requireColumns } from './params.ts';
import { idDigitsSql, multiValuedIdSql, sirenValidSql, siretValidSql } from './normalize.ts';

export const ValidateIdsParams = oneTableParams({
  column: nameParam.describe('Colonne à contrôler'),
  kind: z
    .enum(['siret', 'siren', 'insee', 'postal-paris'])
    .describe('Type : siret, siren, insee (code commune, 5 caractères, 2A/2B pour la Corse), postal-paris (75001–75020, 75116)'),
  parisOnly: z.boolean().default(false).describe('Pour « insee » : n’accepter que les arrondissements de Paris (75101–75120)'),
});
export type ValidateIdsParams = z.infer<typeof ValidateIdsParams>;

/** SQL CASE giving the reason a value is invalid (NULL when valid), on the raw quoted column. */
export function idProblemSql(col: string, kind: ValidateIdsParams['kind'], parisOnly = false): string {
  const raw = `nullif(trim(CAST(${col} AS VARCHAR)), '')`;
  if (kind === 'siret' || kind === 'siren') {
    const len = kind === 'siret' ? 14 : 9;
    const n = idDigitsSql(col);
    const ok = (e: string) => (kind === 'siret' ? siretValidSql(e) : sirenValidSql(e));
    return `CASE WHEN ${raw} IS NULL THEN 'manquant'
      WHEN ${multiValuedIdSql(col)} THEN 'plusieurs identifiants dans une cellule'
      WHEN ${n} IS NULL THEN 'caractères non numériques'
      WHEN length(${n}) = ${len - 1} AND ${ok(`lpad(${n}, ${len}, '0')`)} THEN 'longueur ${len - 1} au lieu de ${len} : zéro initial perdu ?'
      WHEN length(${n}) <> ${len} THEN 'longueur ' || length(${n}) || ' au lieu de ${len}'
      WHEN NOT ${ok(n)} THEN 'clé de contrôle (Luhn) invalide'
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

export interface ValidateIdsDetail {
  /** Rows read (every row is checked; blanks are « manquant »). */
  checked: number;
  /** Rows with a value that fails the check (wrong length included, lost leading zero or not). */
  invalid: number;
  missing: number;
  /** Invalid rows by reason, as written in the result. */
  byProblem: Record<string, number>;
  population: Population;
}

const VALIDATE_IDS_ABOUT =
  'Contrôle des identifiants : SIRET/SIREN (longueur exacte, clé de Luhn), codes commune INSEE, codes postaux parisiens';

export const validateIds = auditOperation<ValidateIdsParams, ValidateIdsDetail>(
  'validate-ids',
  ValidateIdsParams,
  VALIDATE_IDS_ABOUT,
  async (ctx, p) => {
    requireColumns(ctx, p.table, [p.column]);
    const col = quoteIdent(p.column);
    const select = `
    SELECT * FROM (SELECT ${LINE}, CAST(${col} AS VARCHAR) AS valeur, ${idProblemSql(col, p.kind, p.parisOnly)} AS probleme FROM ${withLineSql(ctx, p.table)})
    WHERE probleme IS NOT NULL ORDER BY ${LINE}`;
    const res = await makeResult(ctx, 'validate-ids', select, p.result);
    const c = await rowsOf(
      ctx,
      `SELECT (SELECT count(*) FROM ${quoteIdent(p.table)}) AS n, count(*) FILTER (probleme <> 'manquant') AS bad, count(*) FILTER (probleme = 'manquant') AS missing FROM ${quoteIdent(res.table)}`,
    );
    const s = c[0]!;
    const by = await rowsOf(
      ctx,
      `SELECT probleme, count(*) AS n FROM ${quoteIdent(res.table)} WHERE probleme <> 'manquant' GROUP BY probleme ORDER BY n DESC, probleme`,
    );
    const checked = Number(s.n);
    const missing = Number(s.missing);
    const invalid = Number(s.bad);
    const pop = population(checked, checked - missing, 'renseignées, contrôlées', [
      { reason: missing === 1 ? 'vide' : 'vides', rows: missing },
    ]);
    const d: ValidateIdsDetail = {
      checked,
      invalid,
      missing,
      byProblem: Object.fromEntries(by.map((x) => [String(x.probleme), Number(x.n)])),
      population: pop,
    };
    const label = { siret: 'SIRET', siren: 'SIREN', insee: 'codes commune INSEE', 'postal-paris': 'codes postaux parisiens' }[p.kind];
    const rate = rateText(rateOver(invalid, pop.used));
    const summary =
      `Contrôle des ${label} de « ${p.column} » (« ${p.table} ») : ${populationLine(pop)}. ` +
      `Invalides : ${fmtInt(invalid)} sur ${fmtInt(pop.used)} (${rate})` +
      (by.length ? ` — ${by.map((x) => `${x.probleme} : ${fmtInt(x.n)}`).join(' ; ')}` : '') +
      '.' +
      (p.kind === 'siret' || p.kind === 'siren'
        ? ` Les chiffres sont contrôlés tels qu'écrits, sans zéro ajouté : une valeur trop courte est comptée invalide, même quand un zéro initial perdu l'expliquerait.`
        : '') +
      (p.kind === 'siret'
        ? ' Les SIRET de La Poste (SIREN 356000000) suivent la règle de l’INSEE propre à La Poste : somme des chiffres multiple de 5.'
        : '');
    return auditOutput(ctx, res, [p.table], summary, d);
  },
);
