// Paris arrondissements as they are written in real files — `75011`, `11`, `11e`, `11ème arrondissement`,
// `Paris 11e`, `75111` (INSEE), `XIe`, `1er Ardt` — brought to one number 1..20, in JS and in SQL, so
// that any table can be joined to a map. Postal codes are 750dd (plus 75116 for the north of the
// 16th), INSEE codes 751dd: both end in the arrondissement's number. Paris Centre (the 1st–4th as one
// sector since 2020, `75123` in the participatory-budget export) is no single arrondissement: it is
// never placed on one of them, and `isParisCentre` lets a map say what it left out.
import { quoteLiteral } from '../sql/ident.ts';

const ROMAN: Record<string, number> = {
  i: 1,
  ii: 2,
  iii: 3,
  iv: 4,
  v: 5,
  vi: 6,
  vii: 7,
  viii: 8,
  ix: 9,
  x: 10,
  xi: 11,
  xii: 12,
  xiii: 13,
  xiv: 14,
  xv: 15,
  xvi: 16,
  xvii: 17,
  xviii: 18,
  xix: 19,
  xx: 20,
};

function inRange(n: number): number | null {
  return Number.isInteger(n) && n >= 1 && n <= 20 ? n : null;
}

const plain = (value: unknown) =>
  String(value)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

/** `Paris Centre`, `Paris-Centre (1er–4e)`, `75123`: the sector that merged the 1st to the 4th. */
export function isParisCentre(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  const s = plain(value);
  return /(^|\D)75123(\D|$)/.test(s) || /\bcentre\b/.test(s);
}

/** The arrondissement's number (1..20), or null for anything else (`Tout Paris`, `Paris Centre`, a commune). */
export function normalizeArrondissement(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (isParisCentre(value)) return null;
  if (typeof value === 'number') {
    if (value >= 75001 && value <= 75020) return value - 75000;
    if (value >= 75101 && value <= 75120) return value - 75100;
    return inRange(value);
  }
  const s = plain(value);
  const code = /(?:^|\D)75([01])(\d\d)(?:\D|$)/.exec(s);
  if (code) return inRange(Number(code[2]));
  const num = /(?:^|\D)(\d{1,2})(?:\D|$)/.exec(s);
  if (num) return inRange(Number(num[1]));
  // Roman numerals only with an ordinal mark or the word, so "vi" in a name is not the 6th.
  const roman = /(?:^|[^a-z])([xvi]{1,5})\s*(?:e|er|eme|ieme)(?:[^a-z]|$)/.exec(s);
  if (roman && /arr|ardt|^\s*[xvi]{1,5}\s*(e|er|eme|ieme)\s*$/.test(s)) return ROMAN[roman[1]!] ?? null;
  return null;
}

/**
 * The same rule in DuckDB SQL, for joins inside the engine. `expr` is a quoted column or an expression.
 * Roman numerals are left to the JS version (rare in tables, common only in prose).
 */
export function arrondissementSql(expr: string): string {
  const s = `strip_accents(lower(trim(CAST(${expr} AS VARCHAR))))`;
  const code = `regexp_extract(${s}, ${quoteLiteral('(^|[^0-9])75[01]([0-9]{2})([^0-9]|$)')}, 2)`;
  const num = `regexp_extract(${s}, ${quoteLiteral('(^|[^0-9])([0-9]{1,2})([^0-9]|$)')}, 2)`;
  const n = `CAST(CASE WHEN ${code} <> '' THEN ${code} ELSE nullif(${num}, '') END AS INTEGER)`;
  return `(CASE WHEN NOT ${parisCentreSql(expr)} AND ${n} BETWEEN 1 AND 20 THEN ${n} END)`;
}

/** `isParisCentre` in DuckDB SQL (FALSE for NULL). */
export function parisCentreSql(expr: string): string {
  const s = `strip_accents(lower(trim(CAST(${expr} AS VARCHAR))))`;
  return `coalesce(regexp_matches(${s}, ${quoteLiteral('(^|[^0-9])75123([^0-9]|$)')}) OR regexp_matches(${s}, ${quoteLiteral('\\bcentre\\b')}), FALSE)`;
}

/** Tile grid of the 20 arrondissements, roughly where they are (the spiral from the Louvre outwards). */
export const ARRONDISSEMENT_TILES: readonly { arrondissement: number; col: number; row: number }[] = (
  [
    [17, 1, 0],
    [18, 2, 0],
    [19, 3, 0],
    [8, 1, 1],
    [9, 2, 1],
    [10, 3, 1],
    [20, 4, 1],
    [16, 0, 2],
    [1, 1, 2],
    [2, 2, 2],
    [3, 3, 2],
    [11, 4, 2],
    [7, 1, 3],
    [6, 2, 3],
    [4, 3, 3],
    [12, 4, 3],
    [15, 1, 4],
    [14, 2, 4],
    [5, 3, 4],
    [13, 3, 5],
  ] as const
).map(([arrondissement, col, row]) => ({ arrondissement, col, row }));
