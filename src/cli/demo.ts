// Builds the demo workspace: generated files, imported into a real project whose journal records it,
// with the copies of its tables that let the app open it without re-importing them.
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createNodeEngine } from '../node/engine.ts';
import { nodeFileResolver } from '../node/node-source.ts';
import { NodeProjectStore } from '../node/node-store.ts';
import { Session } from '../core/project/session.ts';
import { generateDemoFiles } from '../demo/generate.ts';

export async function buildDemoProject(outDir: string, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const root = resolve(outDir);
  await rm(root, { recursive: true, force: true });
  const files = await generateDemoFiles(root);
  const engine = await createNodeEngine();
  try {
    const session = await Session.create(engine, new NodeProjectStore(root), nodeFileResolver, 'Démo — Ville de Paris (données fictives)');
    let failures = 0;
    for (const f of files) {
      try {
        const res = await session.importPath(f.path);
        io.out(`${res.summary}\n`);
      } catch (e) {
        failures++;
        io.err(`échec : ${(e as Error).message}\n`);
      }
    }
    // The tables' copies (cache/) ship with the demo: the app opens it from them instead of
    // re-importing every file at its first start (#15.8). Written before the engine closes.
    await session.cacheIdle();
    if (session.cacheErrors.length) {
      failures++;
      for (const e of session.cacheErrors) io.err(`copie en cache non écrite : ${e}\n`);
    }
    io.out(`Espace de démonstration prêt : ${root}\n`);
    return failures ? 1 : 0;
  } finally {
    await engine.close();
  }
}
