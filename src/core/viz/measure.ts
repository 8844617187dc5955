// A field's measurement type (nominal, ordinal, quantitative, temporal) read from what the column
// means, not from its storage type: an arrondissement code stored as 75004, a SIRET stored as a
// BIGINT, a year stored as 2014 are numbers to DuckDB but categories to a reader. Summing them, or
// drawing them on a continuous axis from −10 000 to 80 000, answers no question anyone asks.
import type { ColumnMeta, TableEntry } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import { quoteIdent } from '../sql/ident.ts';
import { isIntegerType, isNumericType, isTemporalType } from '../sql/types.ts';
import type { FieldType } from './spec.ts';

/** Lower case, accents and punctuation gone, words joined by `_`: « N° d’arrondissement » → `n_d_arrondissement`. */
export function words(s: string): string[] {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/°/g, ' no ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

// Words that make a number a code: identifiers, official codes (INSEE, SIRET, postal), places
// (arrondissement, commune), budget nomenclature (chapter, nature, function, article, account).
const CODE_WORDS = new Set([
  'id',
  'ident',
  'identifiant',
  'identifier',
  'code',
  'codes',
  'cd',
  'siret',
  'siren',
  'insee',
  'cog',
  'cp',
  'postal',
  'zip',
  'numero',
  'num',
  'no',
  'nr',
  'ref',
  'reference',
  'matricule',
  'uai',
  'finess',
  'rna',
  'tva',
  'arrondissement',
  'arrondissements',
  'ardt',
  'arr',
  'arrdt',
  'commune',
  'departement',
  'dept',
  'dep',
  'region',
  'iris',
  'quartier',
  'canton',
  'circonscription',
  'chapitre',
  'nature',
  'fonction',
  'article',
  'compte',
  'rubrique',
  'nomenclature',
  'imputation',
  'programme',
  'operation',
  'cle',
  'key',
]);
const YEAR_WORDS = new Set(['annee', 'an', 'year', 'exercice', 'edition', 'millesime']);
// Names written in one word by some exports (`codepostaletablissement`, `siretsiege`).
const CODE_PREFIX = /(^|_)(code|siret|siren|insee|numero|identifiant)|(^|_)c_ar(_|$)/;
const MONTH_WORDS = new Set(['mois', 'month']);
const DAY_OF_WEEK_WORDS = new Set(['jour_semaine', 'weekday']);
// A number named after money or a count is a quantity, even when a year word is also in its name
// (« Budget de l'année », « Nombre d'années »).
const QUANTITY_WORDS = new Set([
  'montant',
  'montants',
  'budget',
  'credit',
  'credits',
  'subvention',
  'depense',
  'depenses',
  'recette',
  'recettes',
  'mandate',
  'eur',
  'euro',
  'euros',
  'prix',
  'cout',
  'total',
  'somme',
  'nombre',
  'nb',
  'effectif',
  'effectifs',
  'population',
  'surface',
  'superficie',
  'taux',
  'part',
  'ratio',
  'amount',
  'count',
  'price',
  'cost',
  'brut',
  'net',
  'solde',
  'duree',
  'age',
  'annees',
  'latitude',
  'longitude',
  'lat',
  'lon',
  'lng',
]);

export interface ValueRange {
  min: number;
  max: number;
}

export type Meaning = 'code' | 'year' | 'month' | 'quantity' | 'none';

/** What a numeric column's name says it holds. */
export function meaningOf(c: Pick<ColumnMeta, 'name' | 'label'>): Meaning {
  const ws = [...new Set([...words(c.name), ...words(c.label)])];
  const has = (set: Set<string>) => ws.some((w) => set.has(w));
  const joined = ws.join('_');
  // A name that starts with a code word names a code whatever follows (« Numéro de mandat »).
  const first = [words(c.name)[0], words(c.label)[0]];
  if (first.some((w) => w !== undefined && (CODE_WORDS.has(w) || CODE_PREFIX.test(w)))) return 'code';
  if (has(QUANTITY_WORDS) || /€/.test(c.label)) return 'quantity';
  if (has(CODE_WORDS) || CODE_PREFIX.test(joined)) return 'code';
  if (has(YEAR_WORDS)) return 'year';
  if (has(MONTH_WORDS) || [...DAY_OF_WEEK_WORDS].some((w) => joined.includes(w))) return 'month';
  return 'none';
}

export const isNumericColumn = (c: Pick<ColumnMeta, 'type'>) => isNumericType(c.type);
export const isIntegerColumn = (c: Pick<ColumnMeta, 'type'>) => isIntegerType(c.type);

/**
 * The measurement type a column is drawn with by default. `range` (the column's min and max, when
 * known) confirms a year (1900–2100) or a month (1–12): a column named `annee` holding 0 to 40 is a
 * number of years, a quantity.
 */
export function inferFieldType(c: ColumnMeta, range?: ValueRange | null): FieldType {
  if (isTemporalType(c.type)) return 'temporal';
  if (!isNumericColumn(c)) return 'nominal';
  switch (meaningOf(c)) {
    case 'code':
      return 'nominal';
    case 'year':
      if (!isIntegerColumn(c)) return 'quantitative';
      return !range || (range.min >= 1900 && range.max <= 2100) ? 'ordinal' : 'quantitative';
    case 'month':
      if (!isIntegerColumn(c)) return 'quantitative';
      return !range || (range.min >= 1 && range.max <= 12) ? 'ordinal' : 'quantitative';
    default:
      return 'quantitative';
  }
}

/** The types a user may switch a column to, in the order one click cycles through them. */
export function allowedTypes(c: ColumnMeta): FieldType[] {
  if (isTemporalType(c.type)) return ['temporal', 'ordinal', 'nominal'];
  if (isNumericColumn(c)) return ['quantitative', 'nominal', 'ordinal'];
  return ['nominal', 'ordinal'];
}

/** The next type in the cycle (one click on the field's type badge). */
export function nextType(c: ColumnMeta, current: FieldType): FieldType {
  const all = allowedTypes(c);
  const i = all.indexOf(current);
  return all[(i + 1) % all.length]!;
}

/**
 * The measurement types of a table's columns, with the year and month candidates checked against
 * their values in one query (min and max): a name is a hint, the values confirm it.
 */
export async function inferTableTypes(engine: Engine, table: TableEntry): Promise<Record<string, FieldType>> {
  const candidates = table.columns.filter((c) => isIntegerColumn(c) && (meaningOf(c) === 'year' || meaningOf(c) === 'month'));
  const ranges = new Map<string, ValueRange>();
  if (candidates.length) {
    const sel = candidates.flatMap((c, i) => [
      `CAST(min(${quoteIdent(c.name)}) AS DOUBLE) AS "min${i}"`,
      `CAST(max(${quoteIdent(c.name)}) AS DOUBLE) AS "max${i}"`,
    ]);
    const r = await engine.query(`SELECT ${sel.join(', ')} FROM ${quoteIdent(table.name)}`);
    const row = r.rows[0] ?? [];
    candidates.forEach((c, i) => {
      const min = row[2 * i];
      const max = row[2 * i + 1];
      if (min !== null && min !== undefined && max !== null && max !== undefined)
        ranges.set(c.name, { min: Number(min), max: Number(max) });
    });
  }
  return Object.fromEntries(table.columns.map((c) => [c.name, inferFieldType(c, ranges.get(c.name))]));
}
