// The engine in the renderer: duckdb-wasm in a Web Worker, every asset served by the app itself.
// With cross-origin isolation (COOP/COEP) the COI bundle runs DuckDB on two threads.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import { Engine, QUERY_CONFIG } from './engine.ts';

export interface BrowserEngineOptions {
  /** Force the single-threaded bundle even when the page is cross-origin isolated. */
  singleThread?: boolean;
}

export async function createBrowserEngine(opts: BrowserEngineOptions = {}): Promise<Engine> {
  const threaded = !opts.singleThread && globalThis.crossOriginIsolated === true;
  const worker = new Worker(threaded ? coiWorker : ehWorker);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  if (threaded) await db.instantiate(coiWasm, coiPthread);
  else await db.instantiate(ehWasm);
  // Threads are set at open only: changing them at run time can hang the COI bundle.
  await db.open({ maximumThreads: threaded ? 2 : 1, query: QUERY_CONFIG });
  return Engine.open(threaded ? 'browser-coi' : 'browser-eh', db, () => worker.terminate());
}
