// The engine in Node (tests, CLI, benchmarks): the same wasm bundle and async API as the app.
import { Engine } from './engine.ts';
import { startNodeDb, takePrestartedDb } from './node-start.ts';

export { prestartNodeEngine } from './node-start.ts';

/** A new engine; the CLI's first one was started at the command's start (node-start.ts). */
export async function createNodeEngine(): Promise<Engine> {
  const { db, terminate } = await (takePrestartedDb() ?? startNodeDb());
  try {
    return await Engine.open('node', db, terminate);
  } catch (e) {
    terminate();
    throw e;
  }
}
