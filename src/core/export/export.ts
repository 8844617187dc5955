// Exports of any table, filtered view or result: CSV for French spreadsheets (UTF-8 BOM, `;`, decimal
// comma, dd/mm/yyyy) or RFC 4180, JSON, XLSX and Parquet — all written offline, in chunks, with
// progress and cancellation, text cells protected against formula injection.
import { z } from 'zod';
import { relationSql, type Relation } from '../sql/relation.ts';
import { describeColumns } from '../engine/digest.ts';
import { registeredName, type Engine } from '../engine/engine.ts';
import { rowsToObjects } from '../engine/values.ts';
import type { Progress } from '../ops/registry.ts';
import { quoteIdent } from '../sql/ident.ts';
import { isDateType, isNumericType, isTextualType, isTimestampType } from '../sql/types.ts';
import { concatBytes } from '../util/bytes.ts';
import { orderKeys, type OrderBy } from '../explore/window.ts';
import { neutraliseCell, neutraliseSql } from './neutralise.ts';
import type { Cell, Row } from 'write-excel-file/universal';

export const ExportFormat = z.enum(['csv-fr', 'csv', 'json', 'xlsx', 'parquet']);
export type ExportFormat = z.infer<typeof ExportFormat>;

export const EXPORT_MIME: Record<ExportFormat, string> = {
  'csv-fr': 'text/csv;charset=utf-8',
  csv: 'text/csv;charset=utf-8',
  json: 'application/json',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  parquet: 'application/vnd.apache.parquet',
};

export const EXPORT_EXTENSION: Record<ExportFormat, string> = {
  'csv-fr': 'csv',
  csv: 'csv',
  json: 'json',
  xlsx: 'xlsx',
  parquet: 'parquet',
};

export interface ExportOptions {
  /** Column name → header to write (the original labels). */
  labels?: Record<string, string>;
  /** Rows per chunk: bounds memory and sets the progress and cancellation granularity. */
  chunkRows?: number;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** The on-screen sort: rows are numbered in this order, so every format writes them so. */
  orderBy?: readonly OrderBy[];
}

export class ExportCancelledError extends Error {
  constructor() {
    super('Export annulé');
    this.name = 'ExportCancelledError';
  }
}

const XLSX_MAX_ROWS = 1_048_575;

let exportCounter = 0;

/**
 * Writes the relation in `format`, handing the bytes to
 * `write` chunk by chunk. Returns the number of data rows written.
 */
export async function exportRelation(
  engine: Engine,
  rel: Relation,
  format: ExportFormat,
  write: (chunk: Uint8Array) => Promise<void> | void,
  opts: ExportOptions = {},
): Promise<number> {
  const relation = relationSql(rel);
  const cols = await describeColumns(engine, relation);
  const total = Number((await engine.query(`SELECT count(*) FROM ${relation} AS _e`)).rows[0]![0]);
  if (format === 'xlsx' && total > XLSX_MAX_ROWS) {
    throw new Error(`Trop de lignes pour une feuille XLSX (${total} > ${XLSX_MAX_ROWS}) : exportez en CSV ou Parquet`);
  }
  // A numbered snapshot gives stable chunks whatever the number of threads, and one consistent export.
  const snap = `__export_${++exportCounter}`;
  const keys = orderKeys(opts.orderBy);
  const order = keys.length ? `ORDER BY ${keys.join(', ')}` : '';
  await engine.exec(`CREATE TEMP TABLE ${quoteIdent(snap)} AS SELECT row_number() OVER (${order}) AS __n, * FROM ${relation} AS _e`);
  try {
    const chunkRows = opts.chunkRows ?? (format === 'xlsx' ? 1_000_000 : 100_000);
    const label = (name: string) => opts.labels?.[name] ?? name;
    const enc = new TextEncoder();
    const progress = (done: number) => opts.onProgress?.({ fraction: total ? done / total : 1, message: `${done} / ${total}` });
    const check = () => {
      if (opts.signal?.aborted) throw new ExportCancelledError();
    };

    if (format === 'csv-fr' || format === 'csv') {
      const fr = format === 'csv-fr';
      const select = cols
        .map((c) => {
          const id = quoteIdent(c.name);
          let expr = id;
          if (isTextualType(c.type)) expr = neutraliseSql(id);
          else if (fr && isNumericType(c.type)) expr = `replace(CAST(${id} AS VARCHAR), '.', ',')`;
          else if (fr && isDateType(c.type)) expr = `strftime(${id}, '%d/%m/%Y')`;
          else if (fr && isTimestampType(c.type)) expr = `strftime(${id}, '%d/%m/%Y %H:%M:%S')`;
          return `${expr} AS ${quoteIdent(neutraliseCell(label(c.name)))}`;
        })
        .join(', ');
      const delim = fr ? ';' : ',';
      if (fr) await write(new Uint8Array([0xef, 0xbb, 0xbf]));
      for (let off = 0, first = true; first || off < total; off += chunkRows, first = false) {
        check();
        const file = registeredName(`${snap}.csv`);
        await engine.registerEmptyBuffer(file);
        await engine.exec(
          `COPY (SELECT ${select} FROM ${quoteIdent(snap)} WHERE __n > ${off} AND __n <= ${off + chunkRows} ORDER BY __n) ` +
            `TO '${file}' (FORMAT csv, HEADER ${first ? 'true' : 'false'}, DELIMITER '${delim}', QUOTE '"', NEW_LINE '${fr ? '\\r\\n' : '\\n'}', USE_TMP_FILE false)`,
        );
        const bytes = await engine.copyFileToBuffer(file);
        await engine.dropFile(file);
        await write(bytes);
        progress(Math.min(total, off + chunkRows));
      }
      return total;
    }

    if (format === 'json') {
      await write(enc.encode('['));
      for (let off = 0; off < total; off += chunkRows) {
        check();
        const r = await engine.query(
          `SELECT * EXCLUDE (__n) FROM ${quoteIdent(snap)} WHERE __n > ${off} AND __n <= ${off + chunkRows} ORDER BY __n`,
        );
        const objs = rowsToObjects({ columns: r.columns.map((c) => ({ ...c, name: label(c.name) })), rows: r.rows });
        await write(enc.encode((off ? ',' : '') + objs.map((o) => JSON.stringify(o)).join(',\n')));
        progress(Math.min(total, off + chunkRows));
      }
      await write(enc.encode(']\n'));
      return total;
    }

    if (format === 'xlsx') {
      check();
      const r = await engine.query(`SELECT * EXCLUDE (__n) FROM ${quoteIdent(snap)} ORDER BY __n`);
      const { default: writeXlsxFile } = await import('write-excel-file/universal');
      const header: Row = r.columns.map((c) => ({ value: neutraliseCell(label(c.name)), fontWeight: 'bold' as const }));
      const data: Row[] = r.rows.map((row) =>
        row.map((v, i): Cell => {
          if (v === null || v === undefined) return null;
          const kind = r.columns[i]!.type;
          if (typeof v === 'number') return { value: v, type: Number };
          if (kind === 'date') return { value: new Date(`${v}T00:00:00Z`), type: Date, format: 'dd/mm/yyyy' };
          return { value: neutraliseCell(String(v)), type: String };
        }),
      );
      const blob = await writeXlsxFile([header, ...data], { sheet: 'Loupe' }).toBlob();
      await write(new Uint8Array(await blob.arrayBuffer()));
      progress(total);
      return total;
    }

    // Parquet: DuckDB's own writer is an extension; parquet-wasm writes the Arrow the engine returns.
    check();
    const ipc = await engine.queryIPC(`SELECT * EXCLUDE (__n) FROM ${quoteIdent(snap)} ORDER BY __n`);
    const { writeParquetFromIPC } = await import('./parquet-writer.ts');
    await write(await writeParquetFromIPC(ipc));
    progress(total);
    return total;
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(snap)}`);
  }
}

/** Convenience for tests and small exports: the whole file in memory. */
export async function exportToBytes(engine: Engine, rel: Relation, format: ExportFormat, opts: ExportOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  await exportRelation(engine, rel, format, (c) => void parts.push(c), opts);
  return concatBytes(parts);
}
