// A build-time mend of duckdb-wasm 1.32's threaded (COI) worker, duckdb-wasm#2256.
//
// The worker reads every answer out of the wasm memory through `Module.HEAPU8` (and writes each SQL
// text in through it). With threads the memory is shared, and when one of DuckDB's own threads grows
// it, only that thread refreshes its views: the worker's `Module.HEAPU8` keeps the old length. An
// answer placed above it then comes back empty (« no schema », « empty result stream ») or cut short,
// and every SQL text written above it fails with « offset is out of bounds » — for the rest of the
// session. Emscripten's own code reads the heap through GROWABLE_HEAP_*(), which refresh the views
// when the memory's buffer has changed; duckdb-wasm's bindings do not. This patch makes the
// module's heap views refresh the same way on every read of them, so the bindings always see the
// whole memory. Checked by test/unit/duckdb-heap-views.test.ts. Only the bench builds with it: the app
// runs and ships the one-thread bundle alone (src/host/engine.ts), and the bench's comparison run is
// the one place the threaded bundle still starts.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const WORKER = /[\\/]@duckdb[\\/]duckdb-wasm[\\/]dist[\\/]duckdb-browser-coi\.worker\.js\?url$/;
const VIEWS_DEFINED = /function updateMemoryViews\(\)\{var \w+=wasmMemory\.buffer;[^}]*\}/g;
const VIEWS = ['HEAP8', 'HEAP16', 'HEAPU8', 'HEAPU16', 'HEAP32', 'HEAPU32', 'HEAPF32', 'HEAPF64'];

/** The worker's code with its heap views refreshed on read; throws when the code is not the one this was written for. */
export function patchHeapViews(code: string): string {
  const found = [...code.matchAll(VIEWS_DEFINED)];
  if (found.length !== 1)
    throw new Error(
      `duckdb-wasm's COI worker: ${found.length} definition(s) of updateMemoryViews where one was expected; ` +
        'check whether duckdb-wasm#2256 is fixed in this version before changing src/build/duckdb-heap-views.ts',
    );
  const at = found[0]!.index + found[0]![0].length;
  // Each view becomes an accessor: updateMemoryViews assigns through the setter, a read checks first.
  const refresh =
    `;${JSON.stringify(VIEWS)}.forEach(function(k){var v=Module[k];Object.defineProperty(Module,k,{configurable:!0,enumerable:!0,` +
    `get:function(){return wasmMemory&&HEAP8&&wasmMemory.buffer!==HEAP8.buffer&&updateMemoryViews(),v},set:function(x){v=x}})});`;
  return code.slice(0, at) + refresh + code.slice(at);
}

/**
 * Bundles the patched worker in place of duckdb-wasm's own, for `import … from
 * '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url'` (a build, not the dev server).
 */
export function duckdbHeapViews(): Plugin {
  return {
    name: 'loupe:duckdb-heap-views',
    enforce: 'pre',
    load(id) {
      if (!WORKER.test(id)) return null;
      const code = patchHeapViews(
        readFileSync(createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js'), 'utf8'),
      );
      const ref = this.emitFile({ type: 'asset', name: 'duckdb-browser-coi.worker.js', source: code });
      return `export default import.meta.ROLLUP_FILE_URL_${ref};`;
    },
  };
}
