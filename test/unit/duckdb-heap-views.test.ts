import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { patchHeapViews } from '../../src/build/duckdb-heap-views.ts';

const workerFile = createRequire(import.meta.url).resolve('@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js');

describe('the mend of duckdb-wasm#2256 in the threaded worker (src/build/duckdb-heap-views.ts)', () => {
  it('applies once to the installed worker, which still parses', () => {
    const code = readFileSync(workerFile, 'utf8');
    const patched = patchHeapViews(code);
    expect(patched.length).toBeGreaterThan(code.length);
    expect(patched.split('Object.defineProperty(Module,k,').length - 1).toBe(1);
    expect(() => new Script(patched)).not.toThrow();
  });

  it('makes the heap views refresh when the memory was grown elsewhere', () => {
    // The shape of Emscripten's glue, run for real: another thread's growth is a new buffer the views do not see.
    const glue =
      'var wasmMemory={buffer:new ArrayBuffer(8)},Module={};var HEAP,HEAP8,HEAPU8,HEAP16,HEAPU16,HEAP32,HEAPU32,HEAPF32,HEAPF64;' +
      'function updateMemoryViews(){var e=wasmMemory.buffer;Module.HEAP8=HEAP8=new Int8Array(e),Module.HEAPU8=HEAPU8=new Uint8Array(e),' +
      'Module.HEAP16=HEAP16=new Int16Array(e),Module.HEAPU16=HEAPU16=new Uint16Array(e),Module.HEAP32=HEAP32=new Int32Array(e),' +
      'Module.HEAPU32=HEAPU32=new Uint32Array(e),Module.HEAPF32=HEAPF32=new Float32Array(e),Module.HEAPF64=HEAPF64=new Float64Array(e)}' +
      'updateMemoryViews();var before=Module.HEAPU8.length;wasmMemory.buffer=new ArrayBuffer(64);' +
      'var after=Module.HEAPU8.subarray(40,48).length;[before,after,Module.HEAPF64.length]';
    expect(new Script(glue).runInNewContext()).toEqual([8, 0, 1]);
    expect(new Script(patchHeapViews(glue)).runInNewContext()).toEqual([8, 8, 8]);
  });

  it('refuses code it was not written for, rather than shipping the worker unmended', () => {
    expect(() => patchHeapViews('var x = 1;')).toThrow(/0 definition\(s\) of updateMemoryViews/);
  });
});
