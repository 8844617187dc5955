// The engine in Node (tests, CLI, benchmarks): the same wasm bundle and async API as the app.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Engine, QUERY_CONFIG } from './engine.ts';

const require = createRequire(import.meta.url);

class NodeWorkerAdapter extends EventTarget {
  private readonly worker: Worker;
  constructor(script: string) {
    super();
    const shim = join(dirname(fileURLToPath(import.meta.url)), 'node-worker.cjs');
    this.worker = new Worker(shim, { workerData: { script } });
    this.worker.on('message', (data: unknown) => this.dispatchEvent(Object.assign(new Event('message'), { data })));
    this.worker.on('error', (error: Error) =>
      this.dispatchEvent(Object.assign(new Event('error'), { error, message: error.message })),
    );
  }
  postMessage(message: unknown, transfer?: Transferable[]): void {
    this.worker.postMessage(message, transfer as never);
  }
  terminate(): void {
    void this.worker.terminate();
  }
}

export async function createNodeEngine(): Promise<Engine> {
  const duckdb = require('@duckdb/duckdb-wasm') as typeof import('@duckdb/duckdb-wasm');
  const dist = dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-eh.worker.cjs'));
  const worker = new NodeWorkerAdapter(join(dist, 'duckdb-node-eh.worker.cjs'));
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker as unknown as globalThis.Worker);
  await db.instantiate(join(dist, 'duckdb-eh.wasm'));
  await db.open({ query: QUERY_CONFIG });
  return Engine.open('node', db, () => worker.terminate());
}
