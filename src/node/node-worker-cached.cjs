// Runs duckdb-wasm's Node worker script inside a worker_thread, giving it the Web Worker globals it
// expects (it replaces node-worker.cjs), and compiles that 1.2 MB script from V8's code cache when one is
// kept (node_modules/.cache/loupe/): each engine start then skips most of its compile (#15.8).
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

globalThis.postMessage = (msg, transfer) => parentPort.postMessage(msg, transfer);
parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
// The worker logs every error it also returns to the caller; the caller reports them.
console.log = () => {};
console.error = () => {};

const file = workerData.script;
const cacheFile = workerData.codeCache;
let script;
let cachedData;
try {
  cachedData = cacheFile ? fs.readFileSync(cacheFile) : undefined;
} catch {
  cachedData = undefined; // none yet
}
try {
  script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
} catch {
  script = null;
}
if (!script) {
  require(file);
} else {
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  if (cacheFile && (!cachedData || script.cachedDataRejected)) {
    // Written once (or again after a Node upgrade), atomically; a read-only install just goes without.
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    } catch {
      // No cache: the next start compiles the script again.
    }
  }
}
