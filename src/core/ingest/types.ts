import type { Catalog, RejectedLine } from '../catalog/catalog.ts';
import type { Engine } from '../engine/engine.ts';
import type { Progress } from '../ops/registry.ts';
import type { SourceFile } from './source.ts';

export type Format = 'csv' | 'json' | 'geojson' | 'parquet' | 'xlsx' | 'xml';

export interface ReaderContext {
  engine: Engine;
  catalog: Catalog;
  file: SourceFile;
  /** A free table name derived from the file name; readers that make several tables suffix it. */
  table: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ImportedTable {
  name: string;
  /** SQL-safe column name → the label as it was in the file. */
  labels: Record<string, string>;
  /** Sheet of a workbook, when the file holds several tables. */
  part?: string;
  rejected?: { count: number; sample: RejectedLine[] };
  warnings?: string[];
}

export interface ReaderOutput {
  tables: ImportedTable[];
  /** The SQL that built the tables (journaled). */
  sql: string[];
  /** The options actually used, complete enough to import the same file the same way again. */
  options: Record<string, unknown>;
}

export type Reader = (ctx: ReaderContext, options: Record<string, unknown> | undefined) => Promise<ReaderOutput>;

/** A bad file: the message names the file and, where it applies, the line. */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
  ) {
    super(line ? `${file}, ligne ${line} : ${message}` : `${file} : ${message}`);
    this.name = 'IngestError';
  }
}
