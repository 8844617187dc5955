// Arrow → plain JS values, in one place, so every view, export and digest sees the same thing.
// BIGINT and DECIMAL arrive as Arrow's own (the engine does not let duckdb-wasm cast them: its
// DECIMAL→DOUBLE cast is off in the last bit, -98765.40 giving -98765.40000000001, and turns decimals
// inside lists into nulls) and become numbers here, a DECIMAL through its exact decimal text so it is
// the double nearest to the true value. Dates and timestamps become ISO strings so they survive JSON
// and never shift with a time zone.
import { Type, util, type DataType, type Table } from 'apache-arrow';

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

/** The double nearest to a DECIMAL's value: its digits as text, parsed once (correctly rounded). */
export function decimalToNumber(v: unknown, scale: number): number {
  const n = typeof v === 'bigint' ? v : util.bigNumToBigInt(v as never);
  if (scale <= 0) return Number(n) * 10 ** -scale;
  const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
  return Number(`${n < 0n ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`);
}

function scalar(kind: ValueKind, v: unknown): unknown {
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
      return v;
  }
}

type Convert = (v: unknown) => unknown;

/** How a value of one Arrow type becomes plain JS, decided once per column; lists, structs and maps recurse. */
function converterFor(type: DataType): Convert {
  const orNull =
    (f: Convert): Convert =>
    (v) =>
      v === null || v === undefined ? null : f(v);
  switch (type.typeId) {
    case Type.Decimal: {
      const scale = (type as unknown as { scale: number }).scale;
      return orNull((v) => decimalToNumber(v, scale));
    }
    case Type.List:
    case Type.FixedSizeList: {
      const child = converterFor(type.children[0]!.type);
      return orNull((v) => Array.from(v as Iterable<unknown>, (x) => child(x)));
    }
    case Type.Struct: {
      const fields = type.children.map((f) => [f.name, converterFor(f.type)] as const);
      return orNull((v) => Object.fromEntries(fields.map(([name, c]) => [name, c((v as Record<string, unknown>)[name])])));
    }
    case Type.Map: {
      const [k, x] = (type.children[0]!.type as DataType).children.map((f) => converterFor(f.type));
      return orNull((v) => {
        const entries = v instanceof Map ? [...v] : Object.entries((v as { toJSON?: () => object }).toJSON?.() ?? (v as object));
        return Object.fromEntries(entries.map(([a, b]) => [String(k!(a)), x!(b)]));
      });
    }
    case Type.Interval:
      // Inside a list or a struct only: a column of intervals is read from its buffer (intervalColumn).
      return orNull(() => NESTED_INTERVAL);
    default: {
      const kind = kindOf(type);
      return (v) => scalar(kind, v);
    }
  }
}

/** What a nested interval shows: apache-arrow 17 cannot read it (intervalColumn), and a wrong value must not show. */
export const NESTED_INTERVAL = '[intervalle illisible ici : CAST(… AS VARCHAR)]';

const MICROS_PER_SECOND = 1_000_000n;

/** An interval as DuckDB writes it (`CAST(x AS VARCHAR)`): « 1 year 2 months 3 days 04:05:06.7 ». */
export function intervalText(months: number, days: number, micros: bigint): string {
  const parts: string[] = [];
  const unit = (n: number, word: string) => parts.push(`${n} ${word}${n === 1 || n === -1 ? '' : 's'}`);
  const years = Math.trunc(months / 12);
  if (years) unit(years, 'year');
  if (months - years * 12) unit(months - years * 12, 'month');
  if (days) unit(days, 'day');
  if (micros || !parts.length) {
    const neg = micros < 0n;
    let m = neg ? -micros : micros;
    const frac = m % MICROS_PER_SECOND;
    m /= MICROS_PER_SECOND;
    const clock = `${pad(Number(m / 3600n))}:${pad(Number((m / 60n) % 60n))}:${pad(Number(m % 60n))}`;
    const fraction = frac ? `.${String(frac).padStart(6, '0').replace(/0+$/, '')}` : '';
    parts.push(`${neg ? '-' : ''}${clock}${fraction}`);
  }
  return parts.join(' ');
}

/**
 * A column of DuckDB intervals (Arrow's MONTH_DAY_NANO), read from its buffer: apache-arrow 17 reads
 * these values two 32-bit words at a time instead of four (months, days, then nanoseconds in 64 bits),
 * so its `get` gave every interval but the first word of the first row as zeros or another row's bits
 * (`INTERVAL 1 DAY` came out as {"0":0,"1":0}). Null when the type is another.
 */
function intervalColumn(type: DataType, vector: { data: readonly IntervalData[] } | null): ((r: number) => unknown) | null {
  if (type.typeId !== Type.Interval || (type as unknown as { unit: number }).unit !== MONTH_DAY_NANO || !vector) return null;
  const chunks = vector.data;
  // Rows are read in order: the chunk holding the last one is where the next one is looked for.
  let k = 0;
  let start = 0;
  return (r) => {
    if (r < start) [k, start] = [0, 0];
    while (k < chunks.length - 1 && r - start >= chunks[k]!.length) start += chunks[k++]!.length;
    const d = chunks[k]!;
    const i = r - start;
    if (!d.getValid(i)) return null;
    const w = d.values;
    const at = (d.offset + i) * 4;
    const nanos = (BigInt(w[at + 3]!) << 32n) | BigInt(w[at + 2]! >>> 0);
    return intervalText(w[at]!, w[at + 1]!, nanos / 1000n);
  };
}

/** Arrow's interval units: YEAR_MONTH 0, DAY_TIME 1, MONTH_DAY_NANO 2. */
const MONTH_DAY_NANO = 2;

interface IntervalData {
  length: number;
  offset: number;
  values: Int32Array;
  getValid(i: number): boolean;
}

/** A cell's converter: nested values (lists, structs, maps, other objects) end as JSON text. */
function cellConverter(type: DataType): Convert {
  const c = converterFor(type);
  if (kindOf(type) !== 'other') return c;
  return (v) => {
    const x = c(v);
    return typeof x === 'object' && x !== null ? JSON.stringify(x, (_k, y) => (typeof y === 'bigint' ? Number(y) : y)) : x;
  };
}

export function tableToRows(table: Table): Rows {
  const fields = table.schema.fields;
  const columns: ColumnInfo[] = fields.map((f) => ({ name: f.name, type: kindOf(f.type), arrowType: String(f.type) }));
  const vectors = fields.map((_f, i) => table.getChildAt(i));
  const convert = fields.map((f) => cellConverter(f.type));
  const read = fields.map((f, i) => intervalColumn(f.type, vectors[i] as never));
  const rows: unknown[][] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row = new Array(columns.length);
    for (let c = 0; c < columns.length; c++) row[c] = read[c] ? read[c]!(r) : convert[c]!(vectors[c]?.get(r));
    rows[r] = row;
  }
  return { columns, rows };
}

export function rowsToObjects(result: Rows): Record<string, unknown>[] {
  return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]])));
}
