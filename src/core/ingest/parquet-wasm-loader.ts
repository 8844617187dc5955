// parquet-wasm ships a Node build (CommonJS, reads its .wasm from disk) and a web build that must be
// given the .wasm's URL. The core knows neither: whoever starts the engine injects the loader, as it
// injects the engine (src/node/engine.ts in Node, src/host/engine.ts in the app), so no runtime test
// and no `?url` import live here.
import type * as ParquetWasmModule from 'parquet-wasm';

export type ParquetWasm = Pick<typeof ParquetWasmModule, 'readParquet' | 'writeParquet' | 'Table' | 'readSchema'>;

let loading: Promise<ParquetWasm> | undefined;
let loader: (() => Promise<ParquetWasm>) | undefined;

/** How this platform loads parquet-wasm; set before the first Parquet file is read or written. */
export function setParquetWasmLoader(load: () => Promise<ParquetWasm>): void {
  if (loader === load) return;
  loader = load;
  loading = undefined;
}

export function loadParquetWasm(): Promise<ParquetWasm> {
  const load = loader;
  if (!load) return Promise.reject(new Error('Parquet indisponible : aucun chargeur de parquet-wasm installé par l’hôte'));
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
