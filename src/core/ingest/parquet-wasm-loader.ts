// parquet-wasm ships a Node build (CommonJS, reads its .wasm from disk) and a web build that must be
// given the .wasm's URL. The core knows neither: whoever starts the engine injects the loader, as it
// injects the engine (src/node/engine.ts in Node, src/host/engine.ts in the app), so no runtime test
// and no `?url` import live here.
import type * as ParquetWasmModule from 'parquet-wasm';
import { injected } from '../util/injected.ts';

export type ParquetWasm = Pick<typeof ParquetWasmModule, 'readParquet' | 'writeParquet' | 'Table' | 'readSchema'>;

const parquetWasm = injected<ParquetWasm>('Parquet indisponible : aucun chargeur de parquet-wasm installé par l’hôte');

/** How this platform loads parquet-wasm; set before the first Parquet file is read or written. */
export function setParquetWasmLoader(load: () => Promise<ParquetWasm>): void {
  parquetWasm.set(load);
}

export function loadParquetWasm(): Promise<ParquetWasm> {
  return parquetWasm.load();
}
