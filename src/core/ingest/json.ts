// JSON records and NDJSON (one object per line). Parsed in JS rather than by DuckDB's JSON loader: that
// loader takes the wasm instance down on some hostile inputs (deep nesting, mixed arrays), and here
// every error can name its line. The records may sit anywhere in the document (json-shapes.ts); their
// nested objects and lists become prefixed columns and child tables (nested.ts). Keys stay as labels;
// column names are SQL-safe.
import { decodeJsonBytes, isPlainObject, parseJson } from './json-text.ts';
import { isCodeName, isPlaceCode, PLACE_NAME } from './codes.ts';
import { inferType, isCentNoise, wholeCents, type SqlType } from './records.ts';
import { findRecordArrays, recordsAt } from './json-shapes.ts';
import { loadTabulated, tabulate, type Tabulated } from './nested.ts';
import { IngestError, type Reader, type ReaderContext } from './types.ts';

type Shape = 'array' | 'ndjson' | 'wrapped';

function firstChar(text: string): string {
  const m = /\S/.exec(text);
  return m ? m[0] : '';
}

function parseNdjson(text: string, fileName: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const v = parseJson(line, fileName, i + 1);
    if (!isPlainObject(v)) throw new IngestError('chaque ligne NDJSON doit être un objet JSON', fileName, i + 1);
    out.push(v);
  }
  return out;
}

function looksLikeNdjson(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim());
  if (!first) return false;
  try {
    return isPlainObject(JSON.parse(first));
  } catch {
    return false;
  }
}

interface Found {
  records: unknown[];
  shape: Shape;
  /** Where the records were, when not a top-level array. */
  path?: string;
  /** Other arrays of records the document holds, for the warning. */
  others: { path: string; count: number }[];
}

function asRecords(value: unknown, fileName: string, path?: string): Found {
  if (path !== undefined && path !== '') {
    const at = recordsAt(value, path);
    if (typeof at === 'string') throw new IngestError(at, fileName);
    return { records: at, shape: 'wrapped', path, others: [] };
  }
  if (Array.isArray(value)) return { records: value, shape: 'array', others: [] };
  if (isPlainObject(value)) {
    const found = findRecordArrays(value);
    const best = found[0];
    if (best) return { records: recordsAt(value, best.path) as unknown[], shape: 'wrapped', path: best.path, others: found.slice(1) };
    throw new IngestError(
      'un objet JSON seul, sans tableau d’objets à aucun niveau : attendu un tableau d’objets [{…}, {…}], où qu’il soit dans le document, ou du NDJSON',
      fileName,
    );
  }
  throw new IngestError('le fichier ne contient pas un tableau d’objets JSON', fileName);
}

/** Opendatasoft's classic export: `{datasetid, recordid, fields: {...}, geometry}` per record. */
function isOdsRecord(r: Record<string, unknown>): boolean {
  return isPlainObject(r.fields) && ('recordid' in r || 'datasetid' in r);
}

function flattenOds(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if ('recordid' in r) out.recordid = r.recordid;
  Object.assign(out, r.fields as Record<string, unknown>);
  if ('geometry' in r && !('geometry' in out)) out.geometry = r.geometry;
  if ('record_timestamp' in r) out.record_timestamp = r.record_timestamp;
  return out;
}

/**
 * Integer columns that hold codes become text. Number columns with decimals whose every value is a whole number of cents become DECIMAL(18,2), as
 * CSV amounts do, so sums are exact and JSON and CSV copies of one dataset agree. Values off by float
 * noise only (1029.0400004) are read as their cents, and the warning says how many and shows one.
 */
function amountTypes(rows: unknown[][], names: string[], labels: string[]) {
  const types: Record<string, SqlType> = Object.create(null);
  const amounts: string[] = [];
  const warnings: string[] = [];
  names.forEach((name, i) => {
    const inferred = inferType(rows, i);
    // Codes written as JSON numbers (SIRET, 75013 in an arrondissement column) are text, as in CSV.
    if (
      inferred === 'BIGINT' &&
      (isCodeName(name) || (PLACE_NAME.test(name) && rows.every((r) => r[i] == null || isPlaceCode(r[i] as number))))
    ) {
      types[name] = 'VARCHAR';
      return;
    }
    if (inferred !== 'DOUBLE') return;
    let noisy = 0;
    let example: number | null = null;
    for (const r of rows) {
      const v = r[i];
      if (typeof v !== 'number') continue;
      if (wholeCents(v) === null) return;
      if (isCentNoise(v)) {
        noisy++;
        example ??= v;
      }
    }
    types[name] = 'DECIMAL(18,2)';
    amounts.push(name);
    if (noisy) {
      warnings.push(
        `colonne « ${labels[i]} » : ${noisy} montant(s) à bruit de virgule flottante (ex. ${example}) lu(s) au centime (${(Math.round(example! * 100) / 100).toFixed(2)})`,
      );
    }
  });
  return { types, amounts, warnings };
}

export const readJson: Reader = async (ctx, raw) => {
  const name = ctx.file.name;
  const opts = (raw ?? {}) as { path?: unknown; paths?: unknown; unpivot?: unknown; nested?: unknown; tables?: unknown; shape?: unknown };
  const paths = stringList(opts.paths).filter((x) => x !== '');
  const text = decodeJsonBytes(await ctx.file.bytes());
  const start = firstChar(text);
  let parsed: Found;
  const ndjsonExt = /\.(ndjson|jsonl)$/i.test(name);
  if (ndjsonExt || (start === '{' && looksLikeNdjson(text) && !/^\s*\{[^\n]*\}\s*$/.test(text))) {
    parsed = { records: parseNdjson(text, name), shape: 'ndjson', others: [] };
  } else if (start === '') {
    throw new IngestError('le fichier ne contient aucune donnée JSON', name);
  } else {
    // Parse anyway: an invalid file gets its syntax error and line, a scalar gets the shape error.
    const doc = parseJson(text, name);
    if (paths.length > 1) return readSeveral(ctx, doc, paths, opts);
    parsed = asRecords(doc, name, paths[0] ?? (typeof opts.path === 'string' ? opts.path : undefined));
  }
  const records = parsed.records;
  if (!records.length) throw new IngestError('le tableau JSON est vide : aucune ligne à importer', name);
  for (let i = 0; i < records.length; i++) {
    if (!isPlainObject(records[i])) {
      throw new IngestError(`l’élément n° ${i + 1} du tableau n’est pas un objet JSON : attendu un tableau d’objets`, name);
    }
  }
  const objects = records as Record<string, unknown>[];
  const ods = objects.every(isOdsRecord);
  const rowsObj = ods ? objects.map(flattenOds) : objects;
  if (!rowsObj.some((r) => Object.keys(r).length))
    throw new IngestError('les objets JSON n’ont aucune clé : aucune colonne à importer', name);

  // Projects imported before nested data became tables keep their shape on reopen (nested as JSON text).
  // (Their recorded options have a shape but say nothing of nesting.)
  const flatten = opts.nested === 'tables' || (opts.nested === undefined && opts.shape === undefined);
  const unpivot = stringList(opts.unpivot);
  const tab = tabulate(rowsObj, { flatten, unpivot });
  const previous = isPlainObject(opts.tables) ? (opts.tables as Record<string, string>) : {};
  const loaded = await loadTabulated(ctx, ctx.table, tab, previous, amountTypes);
  const first = loaded.tables[0]!;
  const notes: string[] = [];
  if (parsed.path) notes.push(`enregistrements lus sous « ${parsed.path} »`);
  if (parsed.others.length) {
    notes.push(
      `autres tableaux d’enregistrements dans le document, non importés : ${parsed.others
        .slice(0, 8)
        .map((o) => `« ${o.path} » (${o.count})`)
        .join(', ')} — choisissez-les par leur chemin (option path)`,
    );
  }
  if (notes.length) first.warnings = [...notes, ...(first.warnings ?? [])];
  const exact = loaded.amounts[''] ?? [];
  return {
    tables: loaded.tables,
    sql: loaded.sql,
    // The types follow from the file alone, so a reopen finds them again; they are listed for provenance.
    options: {
      shape: parsed.shape,
      ...(parsed.path ? { path: parsed.path } : {}),
      ...(ods ? { opendatasoft: true } : {}),
      ...(exact.length ? { exactAmounts: exact } : {}),
      nested: flatten ? 'tables' : 'text',
      ...(unpivot.length ? { unpivot } : {}),
      tables: loaded.mapping,
    },
  };
};

/**
 * Several arrays of the same document, each its own table (`base__operations`, `base__annexes`) with its
 * own child tables: a publisher's file that holds contracts and amendments side by side.
 */
async function readSeveral(ctx: ReaderContext, doc: unknown, paths: string[], opts: { unpivot?: unknown; tables?: unknown }) {
  const name = ctx.file.name;
  const unpivot = stringList(opts.unpivot);
  const tab: Tabulated = { tables: [], warnings: [] };
  for (const p of paths) {
    const recs = recordsAt(doc, p);
    if (typeof recs === 'string') throw new IngestError(recs, name);
    const one = tabulate(recs, { unpivot });
    for (const t of one.tables)
      tab.tables.push({
        ...t,
        path: t.path ? `${p}.${t.path}` : p,
        ...(t.parent !== undefined ? { parent: t.parent ? `${p}.${t.parent}` : p } : {}),
      });
    tab.warnings.push(...one.warnings);
  }
  const previous = isPlainObject(opts.tables) ? (opts.tables as Record<string, string>) : {};
  const loaded = await loadTabulated(ctx, ctx.table, tab, previous, amountTypes);
  return {
    tables: loaded.tables,
    sql: loaded.sql,
    options: { shape: 'wrapped', paths, nested: 'tables', ...(unpivot.length ? { unpivot } : {}), tables: loaded.mapping },
  };
}

/** A list option as recorded in a manifest (which may come from someone else): its strings only. */
function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
