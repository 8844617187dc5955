// The import dialog's tests drive the UI's own flow (app state, import-flow) on a real engine: this is
// the app they run it in. Apart from helpers.ts because it loads the UI state.
import { expect } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { bytesSourceFile, MemoryFileResolver, type SourceFile } from '../../src/core/ingest/source.ts';
import { Session } from '../../src/core/project/session.ts';
import { MemoryProjectStore } from '../../src/core/project/store.ts';
import type { Host } from '../../src/host/host.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { app } from '../../src/ui/app-state.svelte.ts';

/**
 * Sets the app's session (a real engine, an in-memory project) and a host that keeps each imported
 * file in `files`, the n-th kept copy under `keptName(name, n)` (by default the file's own name).
 */
export async function openAppSession(
  keptName: (name: string, n: number) => string = (name) => name,
): Promise<{ engine: Engine; files: MemoryFileResolver }> {
  const engine = await createNodeEngine();
  const files = new MemoryFileResolver();
  app.session = await Session.create(engine, new MemoryProjectStore(), files, 'dialogue');
  let copies = 0;
  app.host = {
    async keepSource(_store: unknown, file: SourceFile) {
      const name = keptName(file.name, ++copies);
      files.add(bytesSourceFile(await file.bytes(), name, `sources/${name}`));
      return `sources/${name}`;
    },
  } as unknown as Host;
  return { engine, files };
}

/** Waits (up to 30 s) until the dialog's state passes `test`, then asserts it. */
export async function until(test: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !test(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(test()).toBe(true);
}
