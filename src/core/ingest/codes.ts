// Which columns hold codes rather than quantities, from their SQL name and, for place codes, their
// values. Shared by the CSV and JSON readers so that one dataset gets the same types in both.

// Identifiers, not quantities: a number type would drop their leading zeros or invite sums.
const CODE_WORDS = new Set(['code', 'siret', 'siren', 'insee', 'postal', 'nic', 'rna', 'iban', 'finess', 'uai', 'rne', 'telephone', 'tel']);
// Registry identifiers glued to other words in some exports (`siretsiegeunitelegale`, `codepostaletablissement`).
const CODE_STEMS = /siret|siren|insee|postal/;
// Budget nomenclature columns (chapitre 011, nature/article 6574.02, fonction 422.1, compte) are codes
// too — unless the name says it is an amount: « Subventions sans nature spécifiée » holds euros.
// (Not `cp`: in budgets it means crédits de paiement, an amount.)
const NOMENCLATURE_WORDS = new Set(['article', 'nature', 'chapitre', 'fonction', 'compte']);
const AMOUNT_WORDS = new Set([
  'montant',
  'montants',
  'subvention',
  'subventions',
  'budget',
  'credit',
  'credits',
  'total',
  'somme',
  'prix',
  'cout',
  'depense',
  'depenses',
  'recette',
  'recettes',
  'euros',
  'eur',
  'mandate',
  'mandates',
  'paye',
  'payes',
  'vote',
  'votes',
  'realise',
  'engage',
  'solde',
  'ht',
  'ttc',
]);

/** A column whose name says it holds identifiers or nomenclature codes, never quantities. */
export function isCodeName(id: string): boolean {
  const words = id.split('_');
  if (words.some((w) => CODE_WORDS.has(w)) || CODE_STEMS.test(id)) return true;
  return words.some((w) => NOMENCLATURE_WORDS.has(w)) && !words.some((w) => AMOUNT_WORDS.has(w));
}

// Arrondissement, postal and INSEE codes of Paris and the petite/grande couronne (75013, 75116,
// 92100…) written as numbers: text, whatever the column is called, when the name hints at a place.
// As numbers a chart draws them on a continuous axis from 0 to 95 000.
export const PLACE_NAME = /arrondissement|(^|_)(arr|cp|commune|communes|localisation|lieu)(_|$)|postal|insee/;

/** Arrondissement, postal or INSEE code of Paris or Île-de-France (75xxx, 77xxx, 78xxx, 91xxx–95xxx). */
export function isPlaceCode(n: number): boolean {
  return Number.isInteger(n) && ((n >= 75000 && n <= 75999) || (n >= 77000 && n <= 78999) || (n >= 91000 && n <= 95999));
}

export const PLACE_CODE_SQL = (c: string) =>
  `(${c} BETWEEN 75000 AND 75999 OR ${c} BETWEEN 77000 AND 78999 OR ${c} BETWEEN 91000 AND 95999)`;
