// Parquet through parquet-wasm: the file becomes an Arrow IPC stream that DuckDB ingests as is, so
// DECIMAL, DATE and TIMESTAMP keep their types (the wasm build has no Parquet extension).
import { quoteIdent, uniqueIdentifiers } from '../sql/ident.ts';
import { loadParquetWasm } from './parquet-wasm-loader.ts';
import { IngestError, type Reader } from './types.ts';
import { errorText } from '../util/errors.ts';

export const readParquet: Reader = async (ctx) => {
  const name = ctx.file.name;
  const bytes = await ctx.file.bytes();
  const tail = String.fromCharCode(...bytes.subarray(Math.max(0, bytes.length - 4)));
  if (bytes.length < 12 || tail !== 'PAR1') throw new IngestError('fichier Parquet tronqué ou illisible (pied de fichier absent)', name);
  const pw = await loadParquetWasm();
  let ipc: Uint8Array;
  try {
    const table = pw.readParquet(bytes);
    // intoIPCStream consumes the table: a second call fails on a null pointer.
    ipc = table.intoIPCStream();
  } catch (e) {
    const why = errorText(e);
    throw new IngestError(`fichier Parquet tronqué ou illisible (${why.slice(0, 300)})`, name);
  }
  ctx.signal?.throwIfAborted();
  const t = quoteIdent(ctx.table);
  try {
    await ctx.engine.insertArrowIPC(ctx.table, ipc);
  } catch (e) {
    await ctx.engine.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    const why = errorText(e);
    throw new IngestError(`colonnes Parquet non prises en charge (${why.slice(0, 300)})`, name);
  }
  const desc = await ctx.engine.query(`DESCRIBE ${t}`);
  const labels = desc.rows.map((r) => String(r[0]));
  const names = uniqueIdentifiers(labels);
  const sql: string[] = [`-- ${name} lu par parquet-wasm, chargé en Arrow IPC dans ${t}`];
  if (labels.some((l, i) => l !== names[i])) {
    // One SELECT rather than RENAMEs: a new name may be another column's old one ("Col A" → col_a).
    const cols = labels.map((l, i) => `${quoteIdent(l)} AS ${quoteIdent(names[i]!)}`).join(', ');
    const rename = `CREATE OR REPLACE TABLE ${t} AS SELECT ${cols} FROM ${t}`;
    await ctx.engine.exec(rename);
    sql.push(rename);
  }
  const warnings = labels.length ? [] : ['le fichier Parquet ne contient aucune colonne'];
  return {
    tables: [
      {
        name: ctx.table,
        labels: Object.fromEntries(names.map((n, i) => [n, labels[i]!])),
        ...(warnings.length ? { warnings } : {}),
      },
    ],
    sql,
    options: {},
  };
};
