// Setup shared by the unit tests: a real engine and a session in a fresh temporary folder (with the demo
// workspace imported, if asked), an engine for one block. Each test file still says what it imports and what it checks.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../src/core/engine/engine.ts';
import { Session } from '../../src/core/project/session.ts';
import { generateDemoFiles } from '../../src/demo/generate.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';

export interface DiskSession {
  /** The temporary folder: files to import go anywhere in it, the project lives in `proj`. */
  dir: string;
  engine: Engine;
  session: Session;
}

/** A Node engine and a session whose project is saved on disk, in a fresh folder named after `prefix`. */
export async function openDiskSession(prefix: string, name = 'p'): Promise<DiskSession> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const engine = await createNodeEngine();
  const session = await Session.create(engine, new NodeProjectStore(join(dir, 'proj')), nodeFileResolver, name);
  return { dir, engine, session };
}

/**
 * A disk session with the demo workspace written in `<dir>/demo` and the demo files in `paths`
 * imported; `tables` names the table each one made, by the same keys.
 */
export async function openDemoSession<K extends string>(
  prefix: string,
  name: string,
  paths: Record<K, string>,
): Promise<DiskSession & { tables: Record<K, string> }> {
  const t = await openDiskSession(prefix, name);
  await generateDemoFiles(join(t.dir, 'demo'));
  const tables = {} as Record<K, string>;
  for (const [key, path] of Object.entries(paths) as [K, string][]) {
    const res = await t.session.importPath(join(t.dir, 'demo', path));
    tables[key] = res.table ?? res.tables?.[0] ?? '';
  }
  return { ...t, tables };
}

/** Closes the engine and removes the folder; safe after a setup that failed half-way. */
export async function closeDiskSession(t: Partial<DiskSession> | undefined): Promise<void> {
  await t?.engine?.close();
  if (t?.dir) await rm(t.dir, { recursive: true, force: true });
}

/** Runs `fn` on an engine of its own, closed after it even when `fn` throws: a restart, a second reader. */
export async function withFreshEngine<T>(fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createNodeEngine();
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}
