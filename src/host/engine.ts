// The engine in the renderer: duckdb-wasm in a Web Worker, every asset served by the app itself.
//
// The app runs DuckDB on one thread (the EH bundle). duckdb-wasm 1.32's two-thread bundle (COI) is not
// safe: every call into the wasm returns its answer through one process-wide buffer with no lock
// (WASMResponseBuffer::Get() in lib/src/utils/wasm_response.cc), and a DuckDB thread opening or reading
// a registered file calls in too (getFileInfo). A thread's call clears the buffer another thread is
// reading. Seen here: two starts in about 300 left the app waiting forever, after « "\x00"cacheEpo… is
// not valid JSON » then « memory access out of bounds » in the worker, while the demo's tables were read
// back from their files; a result read while the buffer is cleared can as well come back wrong. A
// number that may be wrong costs more than the two-thread speed (about 1.3 to 1.9 times, ENGINE-NOTES).
// The app does not even ship that bundle: the benchmark, which measures what the threads would give,
// brings its own (test/bench/page/main.ts) and starts it through `createBrowserEngine(bundle)`.
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import { Engine, QUERY_CONFIG } from '../core/engine/engine.ts';
import { setParquetWasmLoader, type ParquetWasm } from '../core/ingest/parquet-wasm-loader.ts';
import { setPdfjsLoader, type Pdfjs } from '../core/ingest/pdfjs-loader.ts';

/** parquet-wasm's web build, fetched only when a Parquet file is first read or written. */
const loadBrowserParquetWasm = (): Promise<ParquetWasm> => import('./parquet-wasm.ts').then((m) => m.load());
/** pdf.js and its worker, fetched only when a PDF report is first read. */
const loadBrowserPdfjs = (): Promise<Pdfjs> => import('./pdfjs.ts').then((m) => m.loadBrowserPdfjs());

/** A duckdb-wasm bundle, by the URLs of its files; a pthread worker makes it the threaded one. */
export interface DuckDBBundle {
  wasm: string;
  worker: string;
  pthread?: string;
}

/** The app's bundle: one thread (see above). */
const EH: DuckDBBundle = { wasm: ehWasm, worker: ehWorker };

async function startEngine(bundle: DuckDBBundle): Promise<Engine> {
  setParquetWasmLoader(loadBrowserParquetWasm);
  setPdfjsLoader(loadBrowserPdfjs);
  const threaded = !!bundle.pthread;
  const worker = new Worker(bundle.worker);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.wasm, bundle.pthread ?? null);
  // Threads are set at open only: changing them at run time can hang the COI bundle.
  await db.open({ maximumThreads: threaded ? 2 : 1, query: QUERY_CONFIG });
  return Engine.open(threaded ? 'browser-coi' : 'browser-eh', db, () => worker.terminate());
}

let prestarted: Promise<Engine> | null = null;

/**
 * Starts the app's engine at page load, before the interface is even loaded (src/main.ts): the worker
 * fetches and compiles the wasm while the page loads and draws the rest (#15.8).
 */
export function prestartBrowserEngine(): void {
  if (prestarted) return;
  prestarted = startEngine(EH);
  // Reported by whoever takes it (the app's start-up shows the failure).
  prestarted.catch(() => {});
}

/** A new engine on the app's bundle (the one started at load, the first time) or on `bundle`. */
export async function createBrowserEngine(bundle?: DuckDBBundle): Promise<Engine> {
  if (bundle) return startEngine(bundle);
  const p = prestarted;
  prestarted = null;
  return p ?? startEngine(EH);
}
