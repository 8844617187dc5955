// Beneficiary names and SIRET numbers, normalised in SQL so voted and paid subsidies can be matched.
// Kept in this one place until src/core/audit/normalize.ts (shared name/SIRET normalisation) lands;
// then these delegate to it.

/** Words that say what kind of body a beneficiary is, not which one (removed before comparing names). */
export const LEGAL_FORM_WORDS = [
  'ASSOCIATION', 'ASSOC', 'ASSO', 'ASS', 'STE', 'SOCIETE', 'SARL', 'SAS', 'SASU', 'SA', 'EURL', 'SCOP', 'SCIC', 'SEM', 'SPL',
  'GIP', 'CIE', 'COMPAGNIE', 'LE', 'LA', 'LES', 'L', 'DE', 'DU', 'DES', 'D', 'ET', 'AU', 'AUX',
] as const;

/**
 * « Association  Les Amis du Vieux-Paris » → « AMIS VIEUX PARIS »: upper case, no accents, punctuation
 * as spaces, legal-form words and articles removed, single spaces.
 */
export function beneficiaryNameSql(expr: string): string {
  const up = `regexp_replace(upper(strip_accents(CAST(${expr} AS VARCHAR))), '[^A-Z0-9]+', ' ', 'g')`;
  const noForms = `regexp_replace(${up}, '\\b(${LEGAL_FORM_WORDS.join('|')})\\b', ' ', 'g')`;
  return `nullif(trim(regexp_replace(${noForms}, '\\s+', ' ', 'g')), '')`;
}

/** Digits of a SIRET (spaces, dots, a number read as 1.2E13 all handled); NULL when empty. */
export function siretDigitsSql(expr: string): string {
  // A SIRET read as a number may have lost leading zeros: it is padded back to 14 digits.
  return `nullif(CASE WHEN typeof(${expr}) = 'VARCHAR'
    THEN regexp_replace(CAST(${expr} AS VARCHAR), '[^0-9]', '', 'g')
    ELSE lpad(CAST(CAST(${expr} AS HUGEINT) AS VARCHAR), 14, '0') END, '')`;
}

/**
 * TRUE when a 14-digit SIRET passes its check: the Luhn key, or, for La Poste's establishments
 * (SIREN 356000000), a digit sum divisible by 5 as INSEE specifies. FALSE for any other length.
 */
export function siretValidSql(digits: string): string {
  const luhn = `(list_sum(list_transform(range(1, 15), p -> CASE WHEN p % 2 = 1
      THEN CAST(substr(${digits}, p, 1) AS INTEGER) * 2 - CASE WHEN CAST(substr(${digits}, p, 1) AS INTEGER) >= 5 THEN 9 ELSE 0 END
      ELSE CAST(substr(${digits}, p, 1) AS INTEGER) END)) % 10 = 0)`;
  const poste = `(list_sum(list_transform(range(1, 15), p -> CAST(substr(${digits}, p, 1) AS INTEGER))) % 5 = 0)`;
  // For 14 digits, positions 1, 3, 5… from the left are the ones doubled (even positions from the right).
  return `(length(${digits}) = 14 AND regexp_full_match(${digits}, '[0-9]{14}') AND CASE WHEN substr(${digits}, 1, 9) = '356000000' THEN ${poste} ELSE ${luhn} END)`;
}
