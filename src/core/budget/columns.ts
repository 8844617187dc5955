// The columns a budget check reads from a table, each found by its header unless the user names it.
// The participatory budget and the subsidies share this: one schema shape, one way of guessing.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { quoteIdent } from '../sql/ident.ts';
import { normalizeLabel } from './mapping.ts';

/** A column name, or '' when the user says the table has no column for that role (nothing is then guessed). */
export const roleColumn = z.string().max(1000);

type RoleShape<K extends string> = { [k in K]: z.ZodOptional<z.ZodString> };

/** The schema of a table's column roles: every role optional, described in French (the schema is the doc). */
export function columnRoles<K extends string>(descriptions: Record<K, string>): z.ZodObject<RoleShape<K>, z.core.$strict> {
  const shape = Object.fromEntries(
    Object.entries<string>(descriptions).map(([k, d]) => [k, roleColumn.optional().describe(d)]),
  ) as RoleShape<K>;
  return z.object(shape).strict();
}

/**
 * Finds each role's column by its header (accents and case ignored), the rules of a role tried in
 * order, one column per role. Given roles win, '' included: a role the user left empty stays empty.
 * Headers are matched as written first; only the roles still without a column are then tried on the
 * headers with their misspelt words corrected (`Date prévisonnelle` in the Paris export), so a typo
 * never takes a column another role recognises as written.
 */
export function proposeColumns<K extends string>(
  table: TableEntry,
  rules: Record<K, RegExp[]>,
  given: Partial<Record<K, string>> = {},
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = { ...given };
  const used = new Set(Object.values(given));
  const vocabulary = ruleWords(Object.values<RegExp[]>(rules).flat());
  const labels = [
    new Map(table.columns.map((c) => [c.name, normalizeLabel(c.label || c.name)])),
    new Map(table.columns.map((c) => [c.name, correctWords(normalizeLabel(c.label || c.name), vocabulary)])),
  ];
  for (const label of labels) {
    for (const role of Object.keys(rules) as K[]) {
      if (out[role] !== undefined) continue;
      for (const re of rules[role]) {
        const c = table.columns.find((x) => !used.has(x.name) && re.test(label.get(x.name)!));
        if (c) {
          out[role] = c.name;
          used.add(c.name);
          break;
        }
      }
    }
  }
  return out;
}

/** Words this long or longer are corrected; shorter ones are left alone (« statue » is not « statut »). */
const MIN_CORRECTED = 8;

/** The words the rules are written with, as the vocabulary typos are corrected towards. */
export function ruleWords(rules: readonly RegExp[]): Set<string> {
  const words = new Set<string>();
  for (const re of rules) {
    for (const w of re.source.replace(/\\[a-zA-Z]/g, ' ').match(/[a-z]+/g) ?? []) if (w.length >= MIN_CORRECTED) words.add(w);
  }
  return words;
}

/**
 * Each word of a normalised header that is one edit (a letter added, dropped, changed, or two
 * swapped) from exactly one vocabulary word, and is not itself a vocabulary word, becomes that word.
 */
export function correctWords(label: string, vocabulary: ReadonlySet<string>): string {
  return label
    .split(' ')
    .map((w) => {
      if (w.length < MIN_CORRECTED - 1 || vocabulary.has(w)) return w;
      const near = [...vocabulary].filter((v) => v.length >= MIN_CORRECTED && withinOneEdit(w, v));
      return near.length === 1 ? near[0]! : w;
    })
    .join(' ');
}

/** Damerau–Levenshtein distance ≤ 1, without building the matrix. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * The SELECT list of one branch of a check's result. Every branch of its UNION ALL names the same
 * columns in the same order and type, so a value a branch lacks is a NULL of the column's type.
 */
export function resultRowSql(columns: readonly (readonly [name: string, type: string])[]) {
  return (values: Record<string, string>): string =>
    'SELECT ' + columns.map(([name, type]) => `CAST(${values[name] ?? 'NULL'} AS ${type}) AS ${quoteIdent(name)}`).join(', ');
}
