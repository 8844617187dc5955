// SQL expressions that normalise names and identifiers before they are compared. Every audit test
// (and the budget module) builds on the same ones, so "the same beneficiary" means the same thing
// in duplicates, clusters, split purchases and reconciliations. Each function takes a SQL expression
// (already quoted by the caller) and returns a SQL expression; none of them reads data into JS.

/**
 * Words naming a legal form rather than the body itself. Removed by default so that
 * « ASSOCIATION LES AMIS DU 11E » and « LES AMIS DU 11E (ASSO) » meet. Kept on purpose:
 * FONDATION, FEDERATION, UNION, COMITE, CLUB, COLLECTIF — they name a different legal person
 * (« Fondation X » is not « Association X ») and auditors want to see those pairs, not merge them.
 * STE/SOCIETE are included: « Société Dupont » and « Dupont SARL » are the same supplier.
 */
export const LEGAL_FORM_WORDS = [
  'ASSOCIATION',
  'ASSOC',
  'ASSO',
  'STE',
  'SOCIETE',
  'SARL',
  'SARLU',
  'SAS',
  'SASU',
  'SA',
  'EURL',
  'SCI',
  'SCOP',
  'SCIC',
  'SNC',
  'SEM',
  'SPL',
  'GIE',
  'EI',
  'EIRL',
] as const;

/**
 * Articles and prepositions. Not removed by default (« LES AMIS DE PARIS » vs « AMIS PARIS » may be
 * two bodies); the fingerprint clustering removes nothing and sorts tokens instead.
 */
export const STOP_WORDS = ['L', 'LE', 'LA', 'LES', 'D', 'DE', 'DU', 'DES', 'ET', 'EN', 'AU', 'AUX'] as const;

export interface NameOptions {
  /** Remove legal-form words (LEGAL_FORM_WORDS). Default true. */
  legalForms?: boolean;
  /** Remove articles and prepositions (STOP_WORDS). Default false. */
  stopWords?: boolean;
}

function wordsRegex(words: readonly string[]): string {
  // Tokens are [A-Z0-9]+ separated by single spaces at this point, so \b is a token boundary.
  return `\\b(${words.join('|')})\\b`;
}

/**
 * Upper case, no accents (ligatures Œ/Æ spelled out first: strip_accents leaves them), every run of
 * punctuation or spaces turned into one space, trimmed. NULL stays NULL; an empty result becomes NULL
 * so that blank names never match each other.
 */
export function normalizeTextSql(expr: string): string {
  const up = `replace(replace(upper(CAST(${expr} AS VARCHAR)), 'Œ', 'OE'), 'Æ', 'AE')`;
  return `nullif(trim(regexp_replace(strip_accents(${up}), '[^A-Z0-9]+', ' ', 'g')), '')`;
}

/**
 * A name normalised for matching: normalizeTextSql, then (by default) legal-form words removed.
 * If removing words leaves nothing (a body called « SAS »), the normalised text is kept instead.
 */
export function normalizeNameSql(expr: string, opts: NameOptions = {}): string {
  const base = normalizeTextSql(expr);
  const words = [...(opts.legalForms === false ? [] : LEGAL_FORM_WORDS), ...(opts.stopWords ? STOP_WORDS : [])];
  if (words.length === 0) return base;
  const stripped = `nullif(trim(regexp_replace(regexp_replace(${base}, '${wordsRegex(words)}', '', 'g'), ' +', ' ', 'g')), '')`;
  return `coalesce(${stripped}, ${base})`;
}

/**
 * OpenRefine's fingerprint key: normalised text, split on spaces, unique tokens sorted and joined.
 * Word order and repeated words no longer matter (« Amis du 11e, Les » = « Les amis du 11e »).
 */
export function fingerprintSql(expr: string): string {
  return `nullif(array_to_string(list_sort(list_distinct(string_split(${normalizeTextSql(expr)}, ' '))), ' '), '')`;
}

/**
 * OpenRefine's n-gram fingerprint: normalised text without any space, its distinct n-grams sorted and
 * concatenated. Catches what the token fingerprint misses: words glued or split (« Paris Musées » /
 * « ParisMusées ») and doubled letters (« Vasseur » / « Vassseur »). Looser, so more false clusters.
 */
export function ngramFingerprintSql(expr: string, n = 2): string {
  if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error(`n-gramme invalide : ${n}`);
  const s = `replace(coalesce(${normalizeTextSql(expr)}, ''), ' ', '')`;
  return `nullif(array_to_string(list_sort(list_distinct(list_transform(range(1, greatest(length(${s}) - ${n} + 2, 1)), i -> substr(${s}, i, ${n})))), ''), '')`;
}

/** Digits only; a trailing ".0" (a number that went through a spreadsheet as a float) is dropped first. */
export function digitsOnlySql(expr: string): string {
  return `nullif(regexp_replace(regexp_replace(trim(CAST(${expr} AS VARCHAR)), '\\.0+$', ''), '[^0-9]', '', 'g'), '')`;
}

/**
 * SIRET as 14 digits, FOR MATCHING ONLY (reconciliations, budget): spreadsheets drop leading zeros, so
 * 10 to 13 digits are left-padded with zeros to give a lost zero a chance to meet its twin. Never use
 * it to say a SIRET is valid: validate-ids checks the digits as written (idDigitsSql) and reports a
 * 13-digit value as the wrong length. NULL when there is no digit at all.
 */
export function normalizeSiretSql(expr: string): string {
  const d = digitsOnlySql(expr);
  return `(CASE WHEN length(${d}) BETWEEN 10 AND 13 THEN lpad(${d}, 14, '0') ELSE ${d} END)`;
}

/** SIREN as 9 digits (6 to 8 digits left-padded, as for SIRET). */
export function normalizeSirenSql(expr: string): string {
  const d = digitsOnlySql(expr);
  return `(CASE WHEN length(${d}) BETWEEN 6 AND 8 THEN lpad(${d}, 9, '0') ELSE ${d} END)`;
}

/**
 * Luhn checksum over a string of exactly `length` digits, as a SQL boolean (NULL for NULL input,
 * FALSE for any other length or a non-digit). Unrolled per position: no lambda, no subquery, so it
 * runs as one vectorised expression over millions of rows.
 */
export function luhnValidSql(expr: string, length: number): string {
  const terms: string[] = [];
  for (let k = 1; k <= length; k++) {
    const d = `CAST(substr(${expr}, ${k}, 1) AS INTEGER)`;
    // From the right, every second digit is doubled (and 9 taken off when it goes past 9).
    terms.push((length - k) % 2 === 1 ? `((2 * ${d}) % 10 + (2 * ${d}) // 10)` : d);
  }
  return `(CASE WHEN ${expr} IS NULL THEN NULL WHEN NOT regexp_full_match(${expr}, '[0-9]{${length}}') THEN FALSE ELSE (${terms.join(' + ')}) % 10 = 0 END)`;
}

/**
 * SIRET validity: 14 digits and Luhn — except La Poste's establishments (SIREN 356000000), whose NIC
 * are numbered past what Luhn allows: INSEE's rule for them is that the sum of the 14 digits is a
 * multiple of 5. `expr` should already be normalised (normalizeSiretSql).
 */
export function siretValidSql(expr: string): string {
  const digitSum = Array.from({ length: 14 }, (_, i) => `CAST(substr(${expr}, ${i + 1}, 1) AS INTEGER)`).join(' + ');
  return `(CASE WHEN ${expr} IS NULL THEN NULL WHEN NOT regexp_full_match(${expr}, '[0-9]{14}') THEN FALSE WHEN substr(${expr}, 1, 9) = '356000000' THEN (${digitSum}) % 5 = 0 ELSE ${luhnValidSql(expr, 14)} END)`;
}

/** SIREN validity: 9 digits and Luhn. */
export function sirenValidSql(expr: string): string {
  return luhnValidSql(expr, 9);
}

/** Trimmed, upper-cased, accent-free text: the key normalisation of reconciliations for codes. */
export function normalizeKeySql(expr: string): string {
  return `nullif(upper(strip_accents(regexp_replace(trim(CAST(${expr} AS VARCHAR)), '\\s+', ' ', 'g'))), '')`;
}

/**
 * The digits of an identifier as written, never padded: spaces, dots and dashes between digit groups
 * are dropped (« 812 753 093 00010 »), and so is a trailing « .0 » left by a spreadsheet float. NULL
 * when the value holds any other character (a letter, « | », « # ») or no digit at all.
 */
export function idDigitsSql(expr: string): string {
  const t = `regexp_replace(trim(CAST(${expr} AS VARCHAR)), '\\.0+$', '')`;
  return `(CASE WHEN regexp_full_match(${t}, '[0-9][0-9 .\\-]*') THEN nullif(regexp_replace(${t}, '[^0-9]', '', 'g'), '') END)`;
}

/**
 * Words that stand for « no supplier » in procurement and subsidy exports, once normalised
 * (normalizeTextSql: upper case, no accent, punctuation as spaces). « N/A » becomes « N A ».
 */
export const PLACEHOLDER_WORDS = [
  'N A',
  'NA',
  'NC',
  'ND',
  'NR',
  'NON',
  'NEANT',
  'NUL',
  'NULL',
  'NONE',
  'INCONNU',
  'INCONNUE',
  'SANS',
  'SANS OBJET',
  'SO',
  'NON RENSEIGNE',
  'NON RENSEIGNEE',
  'NON COMMUNIQUE',
  'NON DISPONIBLE',
  'NON APPLICABLE',
  'A COMPLETER',
  'AUCUN',
  'AUCUNE',
  'DIVERS',
  'TEST',
  'XXX',
  'XX',
  'X',
] as const;

/**
 * TRUE when a supplier identifier is a stand-in rather than an identifier: blank, no letter or digit
 * at all (« # », « - », « ? »), a placeholder word (« N/A », « inconnu »), one digit repeated
 * (« 0 », « 00000000000000 », « 99999999999999 »), or digits worth less than 10 000 (« 1 »,
 * « 00001 »): no SIREN, hence no SIRET, is that small. NULL input gives TRUE (blank).
 */
export function placeholderIdSql(expr: string): string {
  return placeholderIdPartsSql(`nullif(trim(CAST(${expr} AS VARCHAR)), '')`, normalizeTextSql(expr), idDigitsSql(expr));
}

/**
 * placeholderIdSql from parts a query has already computed once per row (each normalisation is a
 * few regular expressions: on a contracts list they are worth computing once): the trimmed raw text,
 * its normalizeTextSql, its idDigitsSql.
 */
export function placeholderIdPartsSql(raw: string, norm: string, digits: string): string {
  return `(${raw} IS NULL OR ${placeholderNormSql(norm)} OR coalesce(length(ltrim(${digits}, '0')) < 5, FALSE))`;
}

/** The same for a supplier's name: blank, no letter or digit, a placeholder word, one character repeated. */
export function placeholderNameSql(expr: string): string {
  return placeholderNormSql(normalizeTextSql(expr));
}

/** Placeholder test on text already normalised by normalizeTextSql. */
export function placeholderNormSql(norm: string): string {
  const compact = `replace(${norm}, ' ', '')`;
  return `(${norm} IS NULL OR ${norm} IN (${PLACEHOLDER_WORDS.map((w) => `'${w}'`).join(', ')})
    OR length(replace(${compact}, substr(${compact}, 1, 1), '')) = 0)`;
}

/**
 * TRUE when one cell holds several identifiers: two runs of at least 5 digits (spaces and dots inside
 * a number ignored) separated by « | », « ; », « , », « / » or « + », as multi-award contracts list
 * their holders (« 31547453600325|41797626300018 »).
 */
export function multiValuedIdSql(expr: string): string {
  const s = `regexp_replace(CAST(${expr} AS VARCHAR), '[ .]', '', 'g')`;
  return `coalesce(regexp_matches(${s}, '[0-9]{5,}[|;,/+]+[0-9]{5,}'), FALSE)`;
}

/**
 * TRUE for a name that says « several holders » instead of naming one: « MARCHE MULTIATTRIBUTAIRE »,
 * « multi-attributaires », « plusieurs titulaires », « titulaires multiples ».
 */
export function multiAwardNameSql(expr: string): string {
  return multiAwardNormSql(normalizeTextSql(expr));
}

/** multiAwardNameSql on text already normalised by normalizeTextSql. */
export function multiAwardNormSql(norm: string): string {
  return `coalesce(regexp_matches(${norm}, '\\bMULTI ?(ATTRIBUTAIRE|TITULAIRE)S?\\b|\\bPLUSIEURS (TITULAIRES|ATTRIBUTAIRES|FOURNISSEURS)\\b|\\b(ATTRIBUTAIRES|TITULAIRES) MULTIPLES\\b'), FALSE)`;
}
