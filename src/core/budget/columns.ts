// The columns a budget check reads from a table, each found by its header unless the user names it.
// The participatory budget and the subsidies share this: one schema shape, one way of guessing.
import { z } from 'zod';
import type { TableEntry } from '../catalog/catalog.ts';
import { normalizeLabel } from './mapping.ts';

/** A column name, or '' when the user says the table has no column for that role (nothing is then guessed). */
export const roleColumn = z.string().max(1000);

type RoleShape<K extends string> = { [k in K]: z.ZodOptional<z.ZodString> };

/** The schema of a table's column roles: every role optional, described in French (the schema is the doc). */
export function columnRoles<K extends string>(descriptions: Record<K, string>): z.ZodObject<RoleShape<K>, z.core.$strict> {
  const shape = Object.fromEntries(Object.entries<string>(descriptions).map(([k, d]) => [k, roleColumn.optional().describe(d)])) as RoleShape<K>;
  return z.object(shape).strict();
}

/**
 * Finds each role's column by its header (accents and case ignored), the rules of a role tried in
 * order, one column per role. Given roles win, '' included: a role the user left empty stays empty.
 */
export function proposeColumns<K extends string>(
  table: TableEntry,
  rules: Record<K, RegExp[]>,
  given: Partial<Record<K, string>> = {},
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = { ...given };
  const used = new Set(Object.values(given));
  for (const role of Object.keys(rules) as K[]) {
    if (out[role] !== undefined) continue;
    for (const re of rules[role]) {
      const c = table.columns.find((x) => !used.has(x.name) && re.test(normalizeLabel(x.label || x.name)));
      if (c) {
        out[role] = c.name;
        used.add(c.name);
        break;
      }
    }
  }
  return out;
}
