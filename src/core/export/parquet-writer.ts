// Parquet export: the engine's Arrow IPC bytes written by parquet-wasm (DuckDB's writer is an extension).
import { loadParquetWasm } from '../ingest/parquet-wasm-loader.ts';

const END_OF_STREAM = [0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0];
const MAGIC = 'ARROW1';

/**
 * duckdb-wasm returns Arrow's file format (magic, messages, footer); parquet-wasm reads the stream
 * format. The file format's middle is a stream: keep it, drop the magic and footer, end it properly.
 */
export function arrowFileToStream(bytes: Uint8Array): Uint8Array {
  const text = (a: number, b: number) => String.fromCharCode(...bytes.subarray(a, b));
  if (bytes.length < 18 || text(0, 6) !== MAGIC || text(bytes.length - 6, bytes.length) !== MAGIC) return bytes;
  const footerLen = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 10, 4).getInt32(0, true);
  let body = bytes.subarray(8, bytes.length - 10 - footerLen);
  const tail = [...body.subarray(body.length - 8)];
  if (tail.every((b, i) => b === END_OF_STREAM[i])) body = body.subarray(0, body.length - 8);
  const out = new Uint8Array(body.length + 8);
  out.set(body);
  out.set(END_OF_STREAM, body.length);
  return out;
}

export async function writeParquetFromIPC(ipc: Uint8Array): Promise<Uint8Array> {
  const pw = await loadParquetWasm();
  const table = pw.Table.fromIPCStream(arrowFileToStream(ipc));
  return pw.writeParquet(table);
}
