// Browser: the web build, its .wasm served by the app itself (no CDN, CSP 'wasm-unsafe-eval').
import init, * as pw from 'parquet-wasm/esm';
import wasmUrl from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import type { ParquetWasm } from '../core/ingest/parquet-wasm-loader.ts';

export async function load(): Promise<ParquetWasm> {
  await init({ module_or_path: wasmUrl });
  return pw;
}
