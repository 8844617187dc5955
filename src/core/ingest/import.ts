// The import operations: one file (any supported format) or a whole folder, each journaled with the
// SHA-256 of every source file and the options used, so the same import can be replayed.
import { z } from 'zod';
import type { Provenance } from '../catalog/catalog.ts';
import type { JournalEntry } from '../journal/journal.ts';
import { quoteIdent, safeIdentifier } from '../sql/ident.ts';
import { OperationError, registerOperation, runOperation, type OperationContext, type OperationResult } from '../ops/registry.ts';
import { readCsv } from './csv.ts';
import { addGeoPointColumns } from './geo-point.ts';
import { readGeojson } from './geojson.ts';
import { readJson } from './json.ts';
import { applyOverrides, recordOverrides, splitOverrides } from './overrides.ts';
import { readParquet } from './parquet.ts';
import { sha256OfFile, type SourceFile } from './source.ts';
import { IngestError, type Format, type Reader } from './types.ts';
import { readXlsx } from './xlsx.ts';
import { readXml } from './xml.ts';
import { errorText } from '../util/errors.ts';

const READERS: Record<Format, Reader> = {
  csv: readCsv,
  json: readJson,
  geojson: readGeojson,
  parquet: readParquet,
  xlsx: readXlsx,
  xml: readXml,
};

export const FORMATS = Object.keys(READERS) as Format[];

const EXTENSIONS: Record<string, Format> = {
  csv: 'csv',
  tsv: 'csv',
  tab: 'csv',
  txt: 'csv',
  json: 'json',
  ndjson: 'json',
  jsonl: 'json',
  xml: 'xml',
  geojson: 'geojson',
  parquet: 'parquet',
  pq: 'parquet',
  xlsx: 'xlsx',
};

export function extensionOf(name: string): string {
  const m = /\.([^./\\]+)$/.exec(name);
  return m ? m[1]!.toLowerCase() : '';
}

/** Format from the extension, confirmed or corrected by the first bytes. Null: not a supported file. */
export function detectFormat(name: string, head: Uint8Array): Format | null {
  const byExt = EXTENSIONS[extensionOf(name)] ?? null;
  const magic = String.fromCharCode(...head.subarray(0, 4));
  if (magic === 'PAR1') return 'parquet';
  if (magic.startsWith('PK')) return byExt === 'xlsx' ? 'xlsx' : byExt;
  if (byExt === 'json') {
    const start = new TextDecoder().decode(head.subarray(0, 4096));
    if (/"type"\s*:\s*"FeatureCollection"/.test(start)) return 'geojson';
  }
  return byExt;
}

export function tableBaseName(fileName: string): string {
  return safeIdentifier(fileName.replace(/\.[^.]+$/, ''), 't');
}

export const ImportFileParams = z.object({
  path: z.string().min(1).max(4096),
  format: z.enum(['csv', 'json', 'geojson', 'parquet', 'xlsx', 'xml']).optional(),
  /** Table name to create; derived from the file name when absent. */
  table: z.string().min(1).max(200).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  /** When re-importing: the hash the file must still have. */
  expectSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /**
   * The file's own name when `path` is a copy the project keeps (which may be `x (2).csv`): the
   * provenance and the table name follow the file the user chose, not the copy.
   */
  fileName: z.string().min(1).max(1000).optional(),
  /**
   * Importing a file again (other options): the table made from a file of the same name is replaced
   * instead of a new `…_2` being made; a table from another file is never replaced (a new name then).
   * The old table stays until the new one is read, so a bad read loses nothing.
   */
  replace: z.boolean().optional(),
});
export type ImportFileParams = z.infer<typeof ImportFileParams>;

/** A table an import made, named: callers never look it up by its provenance object. */
export interface ImportedTable {
  name: string;
  provenance: Provenance;
}

export interface ImportDetail {
  tables: ImportedTable[];
}

export async function importSourceFile(ctx: OperationContext, file: SourceFile, params: ImportFileParams) {
  const t0 = performance.now();
  if (file.size === 0) throw new IngestError('le fichier est vide', file.name);
  const head = await file.slice(0, 65536);
  const format = params.format ?? detectFormat(file.name, head);
  if (!format) throw new IngestError(`format non pris en charge (« .${extensionOf(file.name) || '?'} »)`, file.name);
  ctx.onProgress?.({ fraction: null, message: `Empreinte SHA-256 de ${file.name}` });
  const sha256 = await sha256OfFile(file);
  if (params.expectSha256 && params.expectSha256 !== sha256) {
    throw new IngestError(
      `le fichier a changé depuis son import (SHA-256 ${sha256.slice(0, 12)}… au lieu de ${params.expectSha256.slice(0, 12)}…)`,
      file.name,
    );
  }
  const fileName = params.fileName ?? file.name;
  const base = params.table ?? tableBaseName(fileName);
  const sameFile = ctx.catalog.get(base)?.source?.fileName === fileName;
  const replacing = (params.replace ?? false) && sameFile;
  const target = params.table ?? (replacing ? base : ctx.catalog.freeName(base));
  // Replacing: the new table is read under a free name and takes the old one's only once complete.
  const table = replacing ? ctx.catalog.freeName(`${target}_nouveau`) : target;
  // Column types chosen by the user are applied after any reader, the same way for every format.
  const { reader: readerOptions, overrides } = splitOverrides(format, params.options, fileName);
  const out = await READERS[format](
    {
      engine: ctx.engine,
      catalog: ctx.catalog,
      file,
      table,
      ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    },
    readerOptions,
  );
  for (const t of out.tables) {
    const geo = await addGeoPointColumns(ctx.engine, t.name, t.labels);
    Object.assign(t.labels, geo.labels);
    out.sql.push(...geo.sql);
  }
  if (overrides) {
    try {
      out.sql.push(...(await applyOverrides(ctx.engine, out.tables, overrides)).sql);
    } catch (e) {
      for (const t of out.tables) await ctx.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(t.name)}`).catch(() => undefined);
      throw e;
    }
    out.options = { ...out.options, ...recordOverrides(overrides) };
  }
  const replaced: string[] = [];
  if (replacing) {
    for (const t of out.tables) {
      const final = target + t.name.slice(table.length);
      if (ctx.catalog.has(final) || final === target) {
        out.sql.push(`DROP TABLE IF EXISTS ${quoteIdent(final)}`);
        await ctx.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(final)}`);
        ctx.catalog.delete(final);
        replaced.push(final);
      }
      const rename = `ALTER TABLE ${quoteIdent(t.name)} RENAME TO ${quoteIdent(final)}`;
      await ctx.engine.exec(rename);
      out.sql.push(rename);
      t.name = final;
    }
  }
  const tables: ImportedTable[] = [];
  for (const t of out.tables) {
    const entry = await ctx.catalog.refresh(ctx.engine, t.name, t.labels);
    const p: Provenance = {
      fileName,
      path: file.path,
      size: file.size,
      sha256,
      mtime: file.lastModified ? new Date(file.lastModified).toISOString() : null,
      format,
      ...(t.part !== undefined ? { part: t.part } : {}),
      options: out.options,
      rows: entry.rows,
      columns: entry.columns.length,
      importedAt: new Date().toISOString(),
      durationMs: Math.round(performance.now() - t0),
      ...(t.rejected ? { rejected: t.rejected } : {}),
      ...(t.warnings?.length ? { warnings: t.warnings } : {}),
    };
    ctx.catalog.set({ ...entry, source: p });
    tables.push({ name: t.name, provenance: p });
  }
  return { out, tables, sha256, format, replaced };
}

export const importFile = registerOperation({
  id: 'import-file',
  kind: 'import',
  description: 'Importe un fichier (CSV, JSON, GeoJSON, Parquet, XLSX) dans une ou plusieurs tables',
  params: ImportFileParams,
  async run(ctx, params) {
    const file = await ctx.files.open(params.path);
    const { out, tables, sha256, replaced } = await importSourceFile(ctx, file, params);
    const rows = tables.reduce((s, t) => s + t.provenance.rows, 0);
    const rejected = out.tables.reduce((s, t) => s + (t.rejected?.count ?? 0), 0);
    return {
      tables: out.tables.map((t) => t.name),
      sql: out.sql,
      inputs: tables.map((t) => ({ table: t.name, source: file.path, sha256 })),
      summary:
        `${params.fileName ?? file.name} : ${out.tables.length} table(s), ${rows} ligne(s)` +
        (rejected ? `, ${rejected} ligne(s) rejetée(s)` : '') +
        (replaced.length
          ? ` — remplace ${replaced.length > 1 ? 'les tables' : 'la table'} ${replaced.map((n) => `« ${n} »`).join(', ')} de l’import précédent`
          : ''),
      detail: { tables } satisfies ImportDetail,
    };
  },
});

export interface FolderReport {
  /** Each file imported, with the journal entry that did it and the tables it made. */
  imported: { path: string; tables: ImportedTable[]; rows: number; entry: JournalEntry }[];
  failed: { path: string; reason: string }[];
  skipped: { path: string; reason: string }[];
}

/**
 * Imports every supported file below a folder. Each file is its own journaled import; a bad file is
 * reported with its reason and the others still load.
 */
export async function importFolder(ctx: OperationContext, folder: string): Promise<FolderReport> {
  const paths = await ctx.files.list(folder);
  if (!paths.length) throw new OperationError(`Dossier vide ou illisible : ${folder}`);
  const report: FolderReport = { imported: [], failed: [], skipped: [] };
  for (let i = 0; i < paths.length; i++) {
    if (ctx.signal?.aborted) throw new OperationError('Import annulé');
    const path = paths[i]!;
    const name = path.split(/[\\/]/).pop()!;
    ctx.onProgress?.({ fraction: i / paths.length, message: `${i + 1}/${paths.length} — ${name}` });
    if (!EXTENSIONS[extensionOf(name)]) {
      report.skipped.push({ path, reason: `format non pris en charge (« .${extensionOf(name) || '?'} »)` });
      continue;
    }
    try {
      const fileCtx: OperationContext = { ...ctx, onProgress: undefined };
      const res = (await runOperation(fileCtx, importFile, { path })) as OperationResult<ImportDetail>;
      report.imported.push({ path, tables: res.detail?.tables ?? [], rows: res.digest?.rows ?? 0, entry: res.entry });
    } catch (e) {
      report.failed.push({ path, reason: errorText(e) });
    }
  }
  ctx.onProgress?.({ fraction: 1, message: `${report.imported.length} fichier(s) importé(s)` });
  return report;
}
