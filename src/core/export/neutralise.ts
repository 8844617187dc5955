// Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return before them) as a
// formula: a value from an untrusted file could then exfiltrate data or run commands. Such cells are
// exported with a leading apostrophe, which spreadsheets show as text.

export const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The same rule in SQL, for exports written by DuckDB itself. */
export function neutraliseSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '^[=+\\-@\\t\\r]') THEN '''' || ${expr} ELSE ${expr} END`;
}
