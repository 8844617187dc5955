// Node: the package's CommonJS build; the specifier is hidden from Vite so no browser bundle pulls it in.
import type { ParquetWasm } from '../core/ingest/parquet-wasm-loader.ts';

export async function loadNodeParquetWasm(): Promise<ParquetWasm> {
  const spec = 'parquet-wasm/node';
  const m = (await import(/* @vite-ignore */ spec)) as ParquetWasm & { default?: ParquetWasm };
  return typeof m.readParquet === 'function' ? m : (m.default as ParquetWasm);
}
