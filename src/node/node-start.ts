// Starting duckdb-wasm in Node, apart from the Engine class so that a command can start it before it
// loads anything else: the worker thread instantiates the wasm (most of a CLI command's start-up) while
// the main thread loads the project code. Nothing here is imported eagerly but node:worker_threads.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AsyncDuckDB } from '@duckdb/duckdb-wasm';

const require = createRequire(import.meta.url);

class NodeWorkerAdapter extends EventTarget {
  private readonly worker: Worker;
  constructor(script: string, codeCache: string) {
    super();
    // Beside this module in the sources, beside the bundle in dist-cli/ (the build copies it there).
    const shim = join(dirname(fileURLToPath(import.meta.url)), 'node-worker-cached.cjs');
    this.worker = new Worker(shim, { workerData: { script, codeCache } });
    this.worker.on('message', (data: unknown) => this.dispatchEvent(Object.assign(new Event('message'), { data })));
    this.worker.on('error', (error: Error) => this.dispatchEvent(Object.assign(new Event('error'), { error, message: error.message })));
  }
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }
  terminate(): void {
    void this.worker.terminate();
  }
}

export interface StartedDb {
  db: AsyncDuckDB;
  terminate: () => void;
}

/** A database open in its worker, with the engine's query settings; not yet an Engine. */
export async function startNodeDb(): Promise<StartedDb> {
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs'));
  // The worker first: it loads its script and compiles the wasm while this thread loads the bindings.
  // V8's code cache for the worker script, in node_modules/.cache, keyed by the script (size, date) and
  // V8's version: another duckdb-wasm or Node gets a cache of its own (V8 would refuse a stale one anyway).
  const script = join(dist, 'duckdb-node-eh.worker.cjs');
  const st = statSync(script);
  const codeCache = join(
    dist,
    '..',
    '..',
    '..',
    '.cache',
    'loupe',
    `duckdb-node-eh.worker-${st.size}-${Math.round(st.mtimeMs)}-v8-${process.versions.v8}.bin`,
  );
  const worker = new NodeWorkerAdapter(script, codeCache);
  try {
    const duckdb = require('@duckdb/duckdb-wasm') as typeof import('@duckdb/duckdb-wasm');
    const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker as unknown as globalThis.Worker);
    const config = import('../core/engine/engine.ts').then((m) => m.QUERY_CONFIG);
    await db.instantiate(join(dist, 'duckdb-eh.wasm'));
    await db.open({ query: await config });
    return { db, terminate: () => worker.terminate() };
  } catch (e) {
    worker.terminate();
    throw e;
  }
}

let prestarted: Promise<StartedDb> | null = null;

/** Starts a database for the next createNodeEngine() of this process (a CLI command about to open a project). */
export function prestartNodeEngine(): void {
  if (prestarted) return;
  prestarted = startNodeDb();
  // Its failure is reported by whoever takes it; unhandled until then is not an error.
  prestarted.catch(() => {});
}

/** The prestarted database, once: a second engine in the same process is a fresh one. */
export function takePrestartedDb(): Promise<StartedDb> | null {
  const p = prestarted;
  prestarted = null;
  return p;
}

/** A prestarted database no command took (the command failed first): its worker would keep Node alive. */
export async function discardPrestartedEngine(): Promise<void> {
  const p = takePrestartedDb();
  if (!p) return;
  try {
    (await p).terminate();
  } catch {
    // It failed to start: nothing to stop.
  }
}
