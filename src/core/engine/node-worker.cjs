// Runs duckdb-wasm's Node worker script inside a worker_thread, giving it the Web Worker globals it expects.
const { parentPort, workerData } = require('node:worker_threads');
globalThis.postMessage = (msg, transfer) => parentPort.postMessage(msg, transfer);
parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
// The worker logs every error it also returns to the caller; the caller reports them.
console.log = () => {};
console.error = () => {};
require(workerData.script);
