// What an import would make of a file, shown before it is made, the same way for every format: the
// real import runs into scratch tables (on the head of a big CSV, on the whole of the formats that
// must be parsed whole), the import dialog shows their first rows, column types, row count and
// warnings, then the scratch tables go. Running the import itself, rather than a second guesser, is
// what makes the preview say what the import will do — type overrides and their failures included.
import { Catalog } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import type { OperationContext } from '../ops/registry.ts';
import { quoteIdent, quoteLiteral } from '../sql/ident.ts';
import { isDateType, isIntegerType, isNumericType, isTextType } from '../sql/types.ts';
import { detectFormat, extensionOf, importSourceFile } from './import.ts';
import { findRecordArrays, type RecordArray } from './json-shapes.ts';
import { decodeJsonBytes, parseJson } from './json-text.ts';
import type { TypeKind } from './overrides.ts';
import { bytesSourceFile, type SourceFile } from './source.ts';
import { IngestError, type Format } from './types.ts';
import { proposeRecordPath, scanXml } from './xml.ts';

export const PREVIEW_ROWS = 20;
/** A CSV larger than this is previewed on its head, cut at a line end; its row count is then estimated. */
export const CSV_PREVIEW_BYTES = 2 * 1024 * 1024;

export interface PreviewColumn {
  /** SQL name: the key of a type override. */
  name: string;
  /** As written in the file. */
  label: string;
  /** The engine's type. */
  type: string;
  /** The kind among those the dialog offers, or null (boolean, timestamp…: no override proposed as detected). */
  kind: TypeKind | null;
}

export interface PreviewTable {
  /** Suffix after the main table's name ('' for the main table, `__titulaires`, `_feuille`…). */
  suffix: string;
  /** Sheet of a workbook or path of a nested list. */
  part?: string;
  columns: PreviewColumn[];
  rows: unknown[][];
  rowCount: number;
  /** The count is extrapolated from the head of the file. */
  estimated: boolean;
  rejected: number;
  warnings: string[];
}

export interface FilePreview {
  format: Format;
  tables: PreviewTable[];
  /** Every table's warnings, the sheet or path named when there are several tables. */
  warnings: string[];
  /** The reader's options as it resolved them (record path, CSV dialect…). */
  options: Record<string, unknown>;
  /** JSON: the arrays of records the document holds, largest first. */
  jsonPaths?: RecordArray[];
  /** XML: the elements that hold children, most frequent first, and the one proposed as record. */
  xmlPaths?: { path: string; count: number }[];
  xmlProposed?: string;
  /** The preview read only the first `headBytes` bytes of the file. */
  headBytes?: number;
}

export interface PreviewRequest {
  format?: Format;
  /** The import's options, type overrides included (`types`, `partTypes`). */
  options?: Record<string, unknown>;
  rows?: number;
  signal?: AbortSignal;
}

let serial = 0;

function kindOfType(type: string, datePrecision: string | undefined): TypeKind | null {
  if (isIntegerType(type)) return 'integer';
  if (isNumericType(type)) return 'decimal';
  if (isDateType(type)) return datePrecision === 'month' ? 'month' : 'date';
  if (isTextType(type)) return 'text';
  return null;
}

/** The head of a CSV cut after its last complete line, or before `beforeLine` when given. */
async function csvHead(file: SourceFile, beforeLine?: number): Promise<Uint8Array> {
  const head = await file.slice(0, Math.min(file.size, CSV_PREVIEW_BYTES));
  let end = head.lastIndexOf(0x0a) + 1;
  if (beforeLine !== undefined) {
    let line = 1;
    for (let i = 0; i < end; i++) {
      if (head[i] === 0x0a && ++line === beforeLine) {
        end = i + 1;
        break;
      }
    }
  }
  return head.subarray(0, end > 0 ? end : head.length);
}

function xmlChoices(bytes: Uint8Array, name: string) {
  const scan = scanXml(bytes, name);
  const paths = [...scan.paths.values()]
    .filter((s) => s.parent && s.path !== scan.root)
    .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
    .slice(0, 40)
    .map((s) => ({ path: s.path, count: s.count }));
  return { xmlPaths: paths, xmlProposed: proposeRecordPath(scan) };
}

function jsonChoices(bytes: Uint8Array, name: string): RecordArray[] | undefined {
  if (/\.(ndjson|jsonl)$/i.test(name)) return undefined;
  try {
    const doc = parseJson(decodeJsonBytes(bytes), name);
    if (Array.isArray(doc)) return [{ path: '', count: doc.length }];
    return findRecordArrays(doc);
  } catch {
    // NDJSON without its extension, or a broken file: the import says why.
    return undefined;
  }
}

/**
 * Previews the import of `file` on `engine`, leaving no table behind. Throws the import's own error
 * (bad JSON path, unreadable file…) for the dialog to show.
 */
export async function previewFile(engine: Engine, file: SourceFile, req: PreviewRequest = {}): Promise<FilePreview> {
  if (file.size === 0) throw new IngestError('le fichier est vide', file.name);
  const format = req.format ?? detectFormat(file.name, await file.slice(0, 65536));
  if (!format) throw new IngestError(`format non pris en charge (« .${extensionOf(file.name) || '?'} »)`, file.name);
  const limit = req.rows ?? PREVIEW_ROWS;
  const scratch = `loupe_apercu_${++serial}`;
  const catalog = new Catalog();
  const ctx = { engine, catalog, ...(req.signal ? { signal: req.signal } : {}) } as unknown as OperationContext;
  let source = file;
  let headBytes: number | undefined;
  const extra: Partial<FilePreview> = {};
  if (format === 'csv' && file.size > CSV_PREVIEW_BYTES) {
    const head = await csvHead(file);
    headBytes = head.length;
    source = bytesSourceFile(head, file.name, file.path);
  } else if (format === 'json' || format === 'xml') {
    const bytes = await file.bytes();
    if (format === 'json') {
      const paths = jsonChoices(bytes, file.name);
      if (paths) extra.jsonPaths = paths;
    } else Object.assign(extra, xmlChoices(bytes, file.name));
  }
  try {
    let imported;
    try {
      imported = await importSourceFile(ctx, source, {
        path: file.path,
        format,
        table: scratch,
        ...(req.options ? { options: req.options } : {}),
      });
    } catch (e) {
      // A quoted value that runs past the cut of the head: cut before the line it starts on.
      if (headBytes === undefined || !(e instanceof IngestError) || e.line === undefined || e.line < 3) throw e;
      await dropScratch(engine, scratch);
      const head = await csvHead(file, e.line);
      headBytes = head.length;
      imported = await importSourceFile(ctx, bytesSourceFile(head, file.name, file.path), {
        path: file.path,
        format,
        table: scratch,
        ...(req.options ? { options: req.options } : {}),
      });
    }
    const { out } = imported;
    const tables: PreviewTable[] = [];
    const warnings: string[] = [];
    const precision = (out.options.datePrecision ?? {}) as Record<string, string>;
    const several = out.tables.length > 1;
    for (const t of out.tables) {
      const entry = catalog.get(t.name);
      const p = entry?.source;
      const desc = await engine.query(`DESCRIBE ${quoteIdent(t.name)}`);
      const columns = desc.rows.map((r) => {
        const name = String(r[0]);
        const type = String(r[1]);
        return { name, label: t.labels[name] ?? name, type, kind: kindOfType(type, t.name === scratch ? precision[name] : undefined) };
      });
      const rows = (await engine.query(`SELECT * FROM ${quoteIdent(t.name)} LIMIT ${limit}`)).rows;
      const count = p?.rows ?? rows.length;
      const estimated = headBytes !== undefined && headBytes < file.size;
      const tw = [...(p?.warnings ?? [])];
      tables.push({
        suffix: t.name.slice(scratch.length),
        ...(t.part !== undefined ? { part: t.part } : {}),
        columns,
        rows,
        rowCount: estimated && headBytes ? Math.round((count * file.size) / headBytes) : count,
        estimated,
        rejected: t.rejected?.count ?? 0,
        warnings: tw,
      });
      warnings.push(...tw.map((w) => (several && t.part !== undefined ? `${t.part} · ${w}` : w)));
    }
    if (headBytes !== undefined && headBytes < file.size) {
      warnings.unshift(
        `aperçu lu sur les ${Math.round(headBytes / 1024)} premiers Kio du fichier : types et nombre de lignes estimés, l’import lit tout le fichier`,
      );
    }
    return { format, tables, warnings, options: out.options, ...extra, ...(headBytes !== undefined ? { headBytes } : {}) };
  } finally {
    await dropScratch(engine, scratch);
  }
}

async function dropScratch(engine: Engine, scratch: string): Promise<void> {
  const r = await engine
    .query(
      `SELECT table_name FROM duckdb_tables() WHERE table_name = ${quoteLiteral(scratch)} OR starts_with(table_name, ${quoteLiteral(`${scratch}_`)})`,
    )
    .catch(() => null);
  for (const row of r?.rows ?? []) await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(String(row[0]))}`).catch(() => undefined);
}
