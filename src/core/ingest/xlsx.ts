// XLSX workbooks: each sheet becomes a table `<file>_<sheet>`, its first row the header. Cells keep
// their types (numbers, dates, text — so a code like "01000" stays text). The archive's declared
// sizes are checked before anything is inflated.
import readXlsxFile from 'read-excel-file/universal';
import { safeIdentifier, uniqueIdentifiers } from '../sql/ident.ts';
import { loadRows } from './records.ts';
import { IngestError, type ImportedTable, type Reader } from './types.ts';
import { assertSafeZip } from './zip-guard.ts';
import { errorText } from '../util/errors.ts';

function headerLabel(v: unknown, i: number): string {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim();
  return s || `Colonne ${i + 1}`;
}

function isEmptyRow(r: readonly unknown[]): boolean {
  return r.every((v) => v === null || v === undefined || v === '');
}

export const readXlsx: Reader = async (ctx, options) => {
  const name = ctx.file.name;
  const bytes = await ctx.file.bytes();
  assertSafeZip(bytes, name);
  let sheets: { sheet: string; data: unknown[][] }[];
  try {
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    sheets = (await readXlsxFile(buf, { trim: false })) as unknown as { sheet: string; data: unknown[][] }[];
  } catch (e) {
    const why = errorText(e);
    throw new IngestError(`classeur XLSX illisible (${why.slice(0, 300)})`, name);
  }
  // On reopen the same sheets must land in the same tables: the mapping is part of the options.
  const previous = (options?.tables ?? {}) as Record<string, string>;
  const used = new Set<string>();
  const mapping: Record<string, string> = {};
  const tables: ImportedTable[] = [];
  const sql: string[] = [];
  const skipped: string[] = [];

  for (const { sheet, data } of sheets) {
    ctx.signal?.throwIfAborted();
    const rows = data.filter((r) => !isEmptyRow(r));
    if (!rows.length) {
      skipped.push(sheet);
      continue;
    }
    let table = typeof previous[sheet] === 'string' ? previous[sheet] : undefined;
    if (!table) {
      const base = `${ctx.table}_${safeIdentifier(sheet, 'feuille')}`;
      table = base;
      for (let n = 2; used.has(table) || ctx.catalog.has(table); n++) table = `${base}_${n}`;
    }
    used.add(table);
    mapping[sheet] = table;
    const width = Math.max(...rows.map((r) => r.length));
    const header = rows[0]!;
    const labels = Array.from({ length: width }, (_, i) => headerLabel(header[i], i));
    const names = uniqueIdentifiers(labels);
    const body = rows.slice(1);
    const built = await loadRows(
      ctx.engine,
      table,
      labels.map((label, i) => ({ name: names[i]!, label })),
      body,
    );
    sql.push(built.sql);
    const warnings: string[] = [];
    if (!body.length) warnings.push(`la feuille « ${sheet} » ne contient qu’une ligne d’en-tête : table vide`);
    tables.push({
      name: table,
      part: sheet,
      labels: Object.fromEntries(names.map((n, i) => [n, labels[i]!])),
      ...(warnings.length ? { warnings } : {}),
    });
  }
  if (!tables.length) throw new IngestError('le classeur ne contient aucune donnée (toutes les feuilles sont vides)', name);
  if (skipped.length) {
    const first = tables[0]!;
    first.warnings = [...(first.warnings ?? []), `feuille(s) vide(s) ignorée(s) : ${skipped.map((s) => `« ${s} »`).join(', ')}`];
  }
  return { tables, sql, options: { tables: mapping } };
};
