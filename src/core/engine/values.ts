// Arrow → plain JS values, in one place, so every view, export and digest sees the same thing.
// BIGINT and DECIMAL arrive as doubles (the engine opens with castBigIntToDouble/castDecimalToDouble);
// dates and timestamps become ISO strings so they survive JSON and never shift with a time zone.
import { Type, type DataType, type Table } from 'apache-arrow';

export interface ColumnInfo {
  name: string;
  /** DuckDB-ish type family used by formatting and profiling. */
  type: ValueKind;
  /** Arrow's own description of the type, for display. */
  arrowType: string;
}

export type ValueKind = 'number' | 'integer' | 'text' | 'date' | 'timestamp' | 'boolean' | 'time' | 'other';

export interface Rows {
  columns: ColumnInfo[];
  rows: unknown[][];
}

export function kindOf(type: DataType): ValueKind {
  switch (type.typeId) {
    case Type.Int:
    case Type.Int8:
    case Type.Int16:
    case Type.Int32:
    case Type.Int64:
    case Type.Uint8:
    case Type.Uint16:
    case Type.Uint32:
    case Type.Uint64:
      return 'integer';
    case Type.Float:
    case Type.Float16:
    case Type.Float32:
    case Type.Float64:
    case Type.Decimal:
      return 'number';
    case Type.Utf8:
    case Type.LargeUtf8:
      return 'text';
    case Type.Bool:
      return 'boolean';
    case Type.Date:
    case Type.DateDay:
    case Type.DateMillisecond:
      return 'date';
    case Type.Timestamp:
    case Type.TimestampSecond:
    case Type.TimestampMillisecond:
    case Type.TimestampMicrosecond:
    case Type.TimestampNanosecond:
      return 'timestamp';
    case Type.Time:
    case Type.TimeSecond:
    case Type.TimeMillisecond:
    case Type.TimeMicrosecond:
    case Type.TimeNanosecond:
      return 'time';
    default:
      return 'other';
  }
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function isoTimestamp(ms: number): string {
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3)}` : '';
  return `${isoDate(ms)}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}`;
}

export function convertValue(kind: ValueKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'integer':
    case 'number':
      return typeof v === 'bigint' ? Number(v) : v;
    case 'date':
      return typeof v === 'number' ? isoDate(v) : v instanceof Date ? isoDate(v.getTime()) : String(v);
    case 'timestamp':
      return typeof v === 'number' ? isoTimestamp(v) : v instanceof Date ? isoTimestamp(v.getTime()) : String(v);
    case 'text':
    case 'boolean':
      return v;
    default:
      if (typeof v === 'bigint') return Number(v);
      if (v instanceof Uint8Array) return `[${v.length} octets]`;
      if (typeof v === 'object') return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x));
      return v;
  }
}

export function tableToRows(table: Table): Rows {
  const fields = table.schema.fields;
  const columns: ColumnInfo[] = fields.map((f) => ({ name: f.name, type: kindOf(f.type), arrowType: String(f.type) }));
  const vectors = fields.map((_f, i) => table.getChildAt(i));
  const rows: unknown[][] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = convertValue(columns[c]!.type, vectors[c]?.get(r));
    rows[r] = row;
  }
  return { columns, rows };
}

export function rowsToObjects(result: Rows): Record<string, unknown>[] {
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]])));
}
