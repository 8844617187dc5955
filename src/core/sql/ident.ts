// Every identifier that comes from data (French labels, spaces, quotes, accents) goes through here.
import { slug } from '../util/text.ts';

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function sqlValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`Valeur numérique invalide : ${v}`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return quoteLiteral(String(v));
}

const RESERVED = new Set([
  'all',
  'and',
  'as',
  'by',
  'case',
  'cast',
  'check',
  'column',
  'create',
  'default',
  'desc',
  'asc',
  'distinct',
  'else',
  'end',
  'false',
  'for',
  'from',
  'group',
  'having',
  'in',
  'into',
  'is',
  'join',
  'limit',
  'not',
  'null',
  'offset',
  'on',
  'or',
  'order',
  'select',
  'table',
  'then',
  'to',
  'true',
  'union',
  'user',
  'using',
  'when',
  'where',
  'with',
  'window',
  'year',
  'month',
  'day',
]);

/**
 * A readable, SQL-safe identifier for a label: lower-case ASCII, words joined by `_`.
 * Still quoted wherever it is used; this only makes hand-written SQL pleasant.
 */
export function safeIdentifier(label: string, fallback = 'col'): string {
  // Cut, then trim again: a name cut on a `_` would not be its own identifier (and the import dialog,
  // which checks that a name is, would refuse the name it proposed).
  const base = slug(label, '_', 60).replace(/_+$/, '');
  let id = base || fallback;
  if (/^[0-9]/.test(id)) id = `${fallback}_${id}`;
  if (RESERVED.has(id)) id = `${id}_`;
  return id;
}

/** Safe identifiers for a list of labels, unique (case-insensitively, as DuckDB compares them). */
export function uniqueIdentifiers(labels: readonly string[], fallback = 'col'): string[] {
  const seen = new Set<string>();
  return labels.map((label, i) => {
    const base = safeIdentifier(label, `${fallback}${i + 1}`);
    let id = base;
    for (let n = 2; seen.has(id); n++) id = `${base}_${n}`;
    seen.add(id);
    return id;
  });
}
