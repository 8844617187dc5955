// What the project knows about each table: its columns (original label + SQL-safe name), size and origin.
import { z } from 'zod';
import { describeColumns } from '../engine/digest.ts';
import type { Engine } from '../engine/engine.ts';
import { quoteIdent } from '../sql/ident.ts';

export const ColumnMeta = z.object({
  /** The column's name in DuckDB (SQL-safe, always quoted anyway). */
  name: z.string().max(1000),
  /** The header as it was in the file. */
  label: z.string().max(10_000),
  type: z.string().max(1000),
});
export type ColumnMeta = z.infer<typeof ColumnMeta>;

export const RejectedLine = z.object({ line: z.number().nullable(), message: z.string() });
export type RejectedLine = z.infer<typeof RejectedLine>;

export const Provenance = z.object({
  fileName: z.string().max(1000),
  /** Path as the user gave it (absolute on desktop/CLI, relative to the project for copies it keeps). */
  path: z.string().max(4096),
  size: z.number().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mtime: z.string().nullable(),
  format: z.string().max(40),
  /** Sheet, layer or member of the file this table came from, when the file holds several. */
  part: z.string().max(1000).optional(),
  options: z.record(z.string(), z.unknown()),
  rows: z.number().nonnegative(),
  columns: z.number().nonnegative(),
  importedAt: z.string(),
  durationMs: z.number().nonnegative(),
  rejected: z.object({ count: z.number(), sample: z.array(RejectedLine).max(1000) }).optional(),
  warnings: z.array(z.string().max(10_000)).max(1000).optional(),
});
export type Provenance = z.infer<typeof Provenance>;

export interface TableEntry {
  name: string;
  /** table: imported; view: a saved query; result: the output table of an analysis operation. */
  kind: 'table' | 'view' | 'result';
  columns: ColumnMeta[];
  rows: number;
  source?: Provenance;
  /** For saved queries: the SELECT behind the view. */
  sql?: string;
  /** For results: the operation that produced it. */
  origin?: { op: string; summary?: string };
}

export class Catalog {
  private tables = new Map<string, TableEntry>();

  list(): TableEntry[] {
    return [...this.tables.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  }

  get(name: string): TableEntry | undefined {
    return this.tables.get(name);
  }

  has(name: string): boolean {
    return this.tables.has(name);
  }

  set(entry: TableEntry): void {
    this.tables.set(entry.name, entry);
  }

  delete(name: string): void {
    this.tables.delete(name);
  }

  /** A table name not used yet, derived from `base`. */
  freeName(base: string): string {
    let name = base;
    for (let n = 2; this.tables.has(name); n++) name = `${base}_${n}`;
    return name;
  }

  /** Reads a table's columns and row count back from the engine. */
  async refresh(engine: Engine, name: string, labels?: Record<string, string>): Promise<TableEntry> {
    const cols = await describeColumns(engine, quoteIdent(name));
    const count = await engine.query(`SELECT count(*) FROM ${quoteIdent(name)}`);
    const prev = this.tables.get(name);
    const entry: TableEntry = {
      name,
      kind: prev?.kind ?? 'table',
      rows: Number(count.rows[0]?.[0] ?? 0),
      columns: cols.map((c) => ({
        name: c.name,
        type: c.type,
        label: labels?.[c.name] ?? prev?.columns.find((p) => p.name === c.name)?.label ?? c.name,
      })),
      ...(prev?.source ? { source: prev.source } : {}),
      ...(prev?.sql ? { sql: prev.sql } : {}),
      ...(prev?.origin ? { origin: prev.origin } : {}),
    };
    this.tables.set(name, entry);
    return entry;
  }
}
