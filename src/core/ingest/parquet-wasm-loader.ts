// parquet-wasm ships a Node build (CommonJS, reads its .wasm from disk) and a web build that must be
// given the .wasm's URL. Node never evaluates the browser module, whose `?url` import only Vite knows.
import type * as ParquetWasmModule from 'parquet-wasm';

export type ParquetWasm = Pick<typeof ParquetWasmModule, 'readParquet' | 'writeParquet' | 'Table' | 'readSchema'>;

let loading: Promise<ParquetWasm> | undefined;

function inNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

export function loadParquetWasm(): Promise<ParquetWasm> {
  loading ??= (inNode()
    ? import('./parquet-wasm-loader.node.ts').then((m) => m.load())
    : import('./parquet-wasm-loader.browser.ts').then((m) => m.load())
  ).catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
