// What an e2e test checks the app's numbers against: the same demo file imported again in Node, by the
// app's own import code, into a project of its own, and queried there with DuckDB. Opened before the
// file's tests, closed after them; the returned object is filled in by beforeAll.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import '../../src/core/ops/all.ts';
import { Session } from '../../src/core/project/session.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';

export interface Reference {
  engine: Engine;
  /** The table the import made of the file. */
  table: string;
}

/** `file`, relative to the repository, imported in Node for the tests of this file. */
export function referenceImport(file: string): Reference {
  const ref = {} as Reference;
  let dir = '';
  beforeAll(async () => {
    ref.engine = await createNodeEngine();
    dir = await mkdtemp(join(tmpdir(), 'loupe-e2e-reference-'));
    const s = await Session.create(ref.engine, new NodeProjectStore(join(dir, 'p')), nodeFileResolver, 'p');
    await s.importPath(join(process.cwd(), file));
    ref.table = s.catalog.list()[0]!.name;
  });
  afterAll(async () => {
    await ref.engine?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return ref;
}
