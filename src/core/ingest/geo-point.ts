// Opendatasoft publishes positions as one `geo_point_2d` field: "48.85, 2.35" in CSV, [lat, lon] or
// {lat, lon} in JSON. After any import we split such a column into numeric `<name>_lat`/`<name>_lon`
// so maps, filters and joins can use them. A text column of other name qualifies only when every
// value is a lat/lon pair in range and some have decimals: "12,5" (a decimal comma) must not.
import type { Engine } from '../engine/engine.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { elementType, isIntegerType, isNumericType, isTextType, typeKind } from '../sql/types.ts';

const NUM = String.raw`-?\d+(?:\.\d+)?`;
const PAIR = String.raw`^\s*\[?\s*(${NUM})\s*,\s*(${NUM})\s*\]?\s*$`;
const DECIMAL_PAIR = String.raw`^\s*\[?\s*-?\d+\.\d+\s*,\s*-?\d+\.\d+\s*\]?\s*$`;
const objectField = (key: string) => String.raw`"${key}"\s*:\s*(${NUM}(?:[eE][-+]?\d+)?)`;

export const GEO_POINT_NAME = 'geo_point_2d';

interface Split {
  column: string;
  lat: string;
  lon: string;
}

function textExprs(c: string, named: boolean): { lat: string; lon: string } {
  const pair = (n: number) => `TRY_CAST(regexp_extract(${c}, ${quoteLiteral(PAIR)}, ${n}) AS DOUBLE)`;
  if (!named) return { lat: pair(1), lon: pair(2) };
  const obj = (k: string) => `TRY_CAST(regexp_extract(${c}, ${quoteLiteral(objectField(k))}, 1) AS DOUBLE)`;
  return { lat: `COALESCE(${pair(1)}, ${obj('lat')})`, lon: `COALESCE(${pair(2)}, ${obj('lon')})` };
}

function nativeExprs(c: string, type: string): { lat: string; lon: string } | null {
  const t = type.toUpperCase();
  const element = elementType(t);
  if (element !== null && isNumericType(element) && !isIntegerType(element)) {
    return { lat: `CAST(${c}[1] AS DOUBLE)`, lon: `CAST(${c}[2] AS DOUBLE)` };
  }
  if (typeKind(t) === 'struct' && /\blat\b/i.test(t) && /\blon\b/i.test(t)) {
    return { lat: `CAST(${c}.lat AS DOUBLE)`, lon: `CAST(${c}.lon AS DOUBLE)` };
  }
  return null;
}

/**
 * Adds `<name>_lat` and `<name>_lon` to `table` for each lat/lon column found. Returns the SQL run
 * (for the journal) and the labels of the new columns.
 */
export async function addGeoPointColumns(
  engine: Engine,
  table: string,
  labels: Record<string, string> = {},
): Promise<{ sql: string[]; labels: Record<string, string>; columns: string[] }> {
  const t = quoteIdent(table);
  const desc = await engine.query(`DESCRIBE ${t}`);
  const cols = desc.rows.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
  const taken = new Set(cols.map((c) => c.name.toLowerCase()));
  const splits: Split[] = [];
  const textChecks: { column: string; named: boolean; lat: string; lon: string }[] = [];

  for (const col of cols) {
    const lower = col.name.toLowerCase();
    if (taken.has(`${lower}_lat`) || taken.has(`${lower}_lon`)) continue;
    const named = lower === GEO_POINT_NAME || (labels[col.name] ?? '').toLowerCase() === GEO_POINT_NAME;
    const c = quoteIdent(col.name);
    if (isTextType(col.type)) {
      textChecks.push({ column: col.name, named, ...textExprs(c, named) });
    } else if (named) {
      const e = nativeExprs(c, col.type);
      if (e) splits.push({ column: col.name, ...e });
    }
  }

  if (textChecks.length) {
    // One scan for all text columns: how many values, how many are valid pairs, how many have decimals.
    const parts = textChecks.flatMap((k, i) => {
      const c = quoteIdent(k.column);
      const inRange = `(${k.lat}) BETWEEN -90 AND 90 AND (${k.lon}) BETWEEN -180 AND 180`;
      return [
        `count(${c}) AS n${i}`,
        `count(*) FILTER (WHERE ${inRange}) AS ok${i}`,
        `count(*) FILTER (WHERE regexp_matches(${c}, ${quoteLiteral(DECIMAL_PAIR)})) AS dec${i}`,
      ];
    });
    const r = await engine.query(`SELECT ${parts.join(', ')} FROM ${t}`);
    const row = r.rows[0] ?? [];
    textChecks.forEach((k, i) => {
      const n = Number(row[3 * i] ?? 0);
      const ok = Number(row[3 * i + 1] ?? 0);
      const dec = Number(row[3 * i + 2] ?? 0);
      const qualifies = k.named ? ok > 0 : n > 0 && ok === n && dec > 0;
      if (qualifies) splits.push({ column: k.column, lat: k.lat, lon: k.lon });
    });
  }

  if (!splits.length) return { sql: [], labels: {}, columns: [] };
  const added: string[] = [];
  const newLabels: Record<string, string> = {};
  const selects = splits.flatMap((s) => {
    const lat = `${s.column}_lat`;
    const lon = `${s.column}_lon`;
    added.push(lat, lon);
    const base = labels[s.column] ?? s.column;
    newLabels[lat] = `${base}_lat`;
    newLabels[lon] = `${base}_lon`;
    return [`${s.lat} AS ${quoteIdent(lat)}`, `${s.lon} AS ${quoteIdent(lon)}`];
  });
  const sql = `CREATE OR REPLACE TABLE ${t} AS SELECT *, ${selects.join(', ')} FROM ${t}`;
  await engine.exec(sql);
  return { sql: [sql], labels: newLabels, columns: added };
}
