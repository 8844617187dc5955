// The engine in Node (tests, CLI, benchmarks): the same wasm bundle and async API as the app. Whoever
// makes an engine here also gets Parquet and PDF read with the Node builds of parquet-wasm and pdf.js.
import { Engine } from '../core/engine/engine.ts';
import { setParquetWasmLoader } from '../core/ingest/parquet-wasm-loader.ts';
import { setPdfjsLoader } from '../core/ingest/pdfjs-loader.ts';
import { loadNodeParquetWasm } from './parquet-wasm.ts';
import { loadNodePdfjs } from './pdfjs.ts';
import { startNodeDb, takePrestartedDb } from './node-start.ts';

export { prestartNodeEngine } from './node-start.ts';

/** A new engine; the CLI's first one was started at the command's start (node-start.ts). */
export async function createNodeEngine(): Promise<Engine> {
  setParquetWasmLoader(loadNodeParquetWasm);
  setPdfjsLoader(loadNodePdfjs);
  const { db, terminate } = await (takePrestartedDb() ?? startNodeDb());
  try {
    return await Engine.open('node', db, terminate);
  } catch (e) {
    terminate();
    throw e;
  }
}
