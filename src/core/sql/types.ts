// The one vocabulary for DuckDB types and for what a column's name says it holds. Before it, eight
// regular expressions disagreed: `INTERVAL` counted as a number for charts and audits (a prefix `INT`)
// but not for profiles, `UHUGEINT` was not a number in profiles, `INTEGER[]` was a number wherever a
// prefix was tested. Here a type name is read once, from the outside in: a trailing `[]`/`[n]` makes a
// list or an array whatever it holds, a parenthesis holds parameters (`DECIMAL(18,2)`, `STRUCT(...)`,
// `ENUM(...)`), and the remaining name — with DuckDB's aliases — decides the kind.
// No regular expression over DuckDB type names belongs anywhere else in the code.

export type TypeKind =
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'float'
  | 'date'
  | 'timestamp'
  | 'time'
  | 'interval'
  | 'text'
  | 'uuid'
  | 'json'
  | 'blob'
  | 'bit'
  | 'enum'
  | 'list'
  | 'array'
  | 'struct'
  | 'map'
  | 'union'
  | 'other';

// DuckDB's names and aliases (https://duckdb.org/docs/sql/data_types/overview), upper case, `|`-separated.
const KIND_NAMES: Partial<Record<TypeKind, string>> = {
  boolean: 'BOOLEAN|BOOL|LOGICAL',
  integer:
    'TINYINT|INT1|SMALLINT|INT2|SHORT|INTEGER|INT|INT4|SIGNED|BIGINT|INT8|LONG|HUGEINT|INT128|' +
    'UTINYINT|UINT8|USMALLINT|UINT16|UINTEGER|UINT32|UBIGINT|UINT64|UHUGEINT|UINT128|VARINT|BIGNUM',
  decimal: 'DECIMAL|NUMERIC|DEC',
  float: 'FLOAT|FLOAT4|REAL|DOUBLE|FLOAT8|DOUBLE PRECISION',
  date: 'DATE',
  timestamp:
    'TIMESTAMP|DATETIME|TIMESTAMP_US|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMPTZ|TIMESTAMP WITH TIME ZONE|TIMESTAMP WITHOUT TIME ZONE',
  time: 'TIME|TIMETZ|TIME WITH TIME ZONE|TIME WITHOUT TIME ZONE|TIME_NS',
  interval: 'INTERVAL',
  text: 'VARCHAR|TEXT|STRING|CHAR|BPCHAR|NVARCHAR|CHARACTER|CHARACTER VARYING',
  uuid: 'UUID',
  json: 'JSON',
  blob: 'BLOB|BYTEA|BINARY|VARBINARY',
  bit: 'BIT|BITSTRING',
  enum: 'ENUM',
  struct: 'STRUCT|ROW',
  map: 'MAP',
  union: 'UNION',
};
const BASE_KINDS = new Map<string, TypeKind>(
  Object.entries(KIND_NAMES).flatMap(([kind, names]) => names.split('|').map((n) => [n, kind as TypeKind] as const)),
);

/** What a DuckDB type name (as `DESCRIBE` prints it, or as written in SQL) holds. */
export function typeKind(type: string): TypeKind {
  const t = type.trim().toUpperCase();
  // Outside in: `STRUCT(a INTEGER)[]` is a list, `INTEGER[3]` a fixed-size array.
  const suffix = /\[(\d*)\]$/.exec(t);
  if (suffix) return suffix[1] ? 'array' : 'list';
  const paren = t.indexOf('(');
  const base = (paren < 0 ? t : t.slice(0, paren)).trim().replace(/\s+/g, ' ');
  return BASE_KINDS.get(base) ?? 'other';
}

const NUMERIC_KINDS = new Set<TypeKind>(['integer', 'decimal', 'float']);
const NESTED_KINDS = new Set<TypeKind>(['list', 'array', 'struct', 'map', 'union']);

/** Holds numbers one can add up (integers, decimals, floats). Not `INTERVAL`, not `INTEGER[]`. */
export const isNumericType = (type: string): boolean => NUMERIC_KINDS.has(typeKind(type));
/** Holds whole numbers, from `TINYINT` to `UHUGEINT` (and `VARINT`). */
export const isIntegerType = (type: string): boolean => typeKind(type) === 'integer';
const INTEGER_BITS = new Map<string, number>(
  Object.entries({
    8: 'TINYINT|INT1|UTINYINT|UINT8',
    16: 'SMALLINT|INT2|SHORT|USMALLINT|UINT16',
    32: 'INTEGER|INT|INT4|SIGNED|UINTEGER|UINT32',
    64: 'BIGINT|INT8|LONG|UBIGINT|UINT64',
    128: 'HUGEINT|INT128|UHUGEINT|UINT128',
  }).flatMap(([bits, names]) => names.split('|').map((n) => [n, Number(bits)] as const)),
);

/** The width in bits of an integer type (`SMALLINT` → 16; `VARINT` → Infinity), null for any other type. */
export function integerBits(type: string): number | null {
  if (!isIntegerType(type)) return null;
  return INTEGER_BITS.get(type.trim().toUpperCase()) ?? Infinity;
}
/** Fixed-point `DECIMAL(p,s)` / `NUMERIC`. */
export const isDecimalType = (type: string): boolean => typeKind(type) === 'decimal';
/** `FLOAT`, `DOUBLE` and their aliases. */
export const isFloatType = (type: string): boolean => typeKind(type) === 'float';
/** A point in time a chart can draw on a time axis: a date or a timestamp (with or without zone, any precision). */
export const isTemporalType = (type: string): boolean => {
  const k = typeKind(type);
  return k === 'date' || k === 'timestamp';
};
export const isDateType = (type: string): boolean => typeKind(type) === 'date';
/** A timestamp that names an instant (`TIMESTAMP WITH TIME ZONE`, `TIMESTAMPTZ`), not a wall-clock time. */
export const isZonedTimestampType = (type: string): boolean => {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  return t === 'TIMESTAMPTZ' || t === 'TIMESTAMP WITH TIME ZONE';
};
export const isTimestampType = (type: string): boolean => typeKind(type) === 'timestamp';
export const isBooleanType = (type: string): boolean => typeKind(type) === 'boolean';
/** Character strings (`VARCHAR` and its aliases); not `UUID`, `JSON` or `ENUM`. */
export const isTextType = (type: string): boolean => typeKind(type) === 'text';
/** Whose values are written as free text in a file: strings, `UUID`, `JSON` (a spreadsheet may read a formula in them). */
export const isTextualType = (type: string): boolean => {
  const k = typeKind(type);
  return k === 'text' || k === 'uuid' || k === 'json';
};
/** `LIST`, fixed `ARRAY`, `STRUCT`, `MAP`, `UNION`: one cell holds several values. */
export const isNestedType = (type: string): boolean => NESTED_KINDS.has(typeKind(type));

/** The parameters in parentheses of a non-nested type: `DECIMAL(18,2)` → [18, 2]; none → null. */
export function typeParams(type: string): number[] | null {
  if (isNestedType(type)) return null;
  const m = /\(([^()]*)\)\s*$/.exec(type.trim());
  if (!m) return null;
  const ps = m[1]!.split(',').map((p) => Number(p.trim()));
  return ps.every((p) => Number.isInteger(p)) ? ps : null;
}

/** Digits after the decimal point of a `DECIMAL(p,s)` (null for any other type, or a bare `DECIMAL`). */
export function decimalScale(type: string): number | null {
  if (!isDecimalType(type)) return null;
  const p = typeParams(type);
  return p && p.length === 2 ? p[1]! : null;
}

/** The element type of a `LIST` or `ARRAY` (`DOUBLE[2]` → `DOUBLE`), else null. */
export function elementType(type: string): string | null {
  const t = type.trim();
  const m = /\[\d*\]$/.exec(t);
  return m ? t.slice(0, m.index).trim() : null;
}

/** How a grid cell is drawn: numbers right-aligned, dates and timestamps in French, the rest as text. */
export type CellKind = 'number' | 'date' | 'timestamp' | 'boolean' | 'text' | 'other';

export function cellKind(type: string): CellKind {
  switch (typeKind(type)) {
    case 'integer':
    case 'decimal':
    case 'float':
      return 'number';
    case 'date':
      return 'date';
    case 'timestamp':
      return 'timestamp';
    case 'boolean':
      return 'boolean';
    case 'text':
      return 'text';
    default:
      return 'other';
  }
}

// --- What a column's name says -----------------------------------------------------------------

/** A name or label about money: a chart totals it (sum per category) and formats it as euros. */
const MONEY = /€|\beur(os)?\b|montant|mandat|budget|cr[ée]dit|subvention|d[ée]pense|recette/i;

export function isMoneyName(s: string): boolean {
  return MONEY.test(s);
}

/** A column about money, by its label (as in the file) or its SQL name. */
export function isMoneyColumn(c: { name: string; label?: string }): boolean {
  return isMoneyName(c.label ?? c.name) || isMoneyName(c.name);
}

/** The aggregate a number gets when it meets a category: a total for amounts, a mean otherwise. */
export function defaultAggregate(c: { name: string; label?: string }): 'sum' | 'mean' {
  return isMoneyColumn(c) ? 'sum' : 'mean';
}

// Names of identifiers and codes written as whole numbers (a SIRET, an INSEE code, a year, an
// arrondissement): the grid shows them without thousands separators — « 75 013 » reads as a quantity.
const CODE_NAME =
  /(^|_)(c|cp|code|codes|id|ident|identifiant|n|no|num|numero|insee|siret|siren|postal|annee|exercice|year|millesime|arr|arrondissement|dept|departement|commune)(_|\d|$)/i;

/** A SQL name that reads as an identifier or a code (`code_insee`, `id`, `n_siret`, `annee`). */
export function isCodeName(name: string): boolean {
  return CODE_NAME.test(name);
}

/** A whole-number column named as a code or identifier: shown and summarised as a label, not a quantity. */
export function isCodeColumn(c: { name: string; type: string }): boolean {
  return isIntegerType(c.type) && isCodeName(c.name);
}

/** A type whose values can identify rows (every value distinct is then a sign of an identifier). */
export function canIdentify(type: string): boolean {
  const k = typeKind(type);
  return k === 'text' || k === 'integer' || k === 'uuid';
}

// Types a CSV column may be given by the user, spelled exactly as here: the name goes into read_csv's
// `types` as written, so anything else is refused before it reaches SQL.
const CSV_COLUMN_TYPES = new Set([
  'VARCHAR',
  'BOOLEAN',
  'BIGINT',
  'INTEGER',
  'DOUBLE',
  'DATE',
  'TIME',
  'TIMESTAMP',
  'TIMESTAMP WITH TIME ZONE',
]);

/** One of the CSV column types, or `DECIMAL(p,s)` with one- or two-digit p and s, written without spaces. */
export function isCsvColumnType(type: string): boolean {
  if (CSV_COLUMN_TYPES.has(type)) return true;
  const p = isDecimalType(type) ? typeParams(type) : null;
  return !!p && p.length === 2 && p.every((n) => n >= 0 && n <= 99) && type === `DECIMAL(${p[0]},${p[1]})`;
}
