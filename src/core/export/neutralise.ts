// Spreadsheets run a cell that starts with = + - @ as a formula: a value from an untrusted file could
// then exfiltrate data or run commands. Excel and LibreOffice also skip leading spaces and read the
// fullwidth ＝ ＋ － ＠ as their ASCII forms, and a tab or carriage return in front hides the sign from
// a naive check. Such cells — and header labels, which come from the file too — are written with a
// leading apostrophe, which spreadsheets show as text. This is the one rule for every output bound
// for a spreadsheet: CSV/TSV/XLSX exports, the CLI's CSV, the clipboard, chart data.

/** Leading blanks a spreadsheet skips: ASCII white space, no-break and other Unicode spaces, BOM. */
const BLANKS = '\\s\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000\\uFEFF';
const SIGNS = '=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20';

export const FORMULA_START = new RegExp(`^[${BLANKS}]*[${SIGNS}]|^[\\t\\r\\n]`);

export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The same rule in SQL (RE2), for exports written by DuckDB itself. */
export function neutraliseSql(expr: string): string {
  const re = `^[\\s\\x{00A0}\\x{1680}\\x{2000}-\\x{200B}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}]*[=+\\-@\\x{FF1D}\\x{FF0B}\\x{FF0D}\\x{FF20}]|^[\\t\\r\\n]`;
  return `CASE WHEN regexp_matches(${expr}, '${re}') THEN '''' || ${expr} ELSE ${expr} END`;
}
