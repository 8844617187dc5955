import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { tablesOfImportEntry } from '../../src/core/ingest/import-entry.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';

let dir: string;
let engine: Engine;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-import-entry-'));
  engine = await createNodeEngine();
});
afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

it('an import names its tables in its result and in one journal input per table; the old comma-joined input is still read', async () => {
  await writeFile(join(dir, 'lignes.csv'), 'code;montant\nA;1\nB;2\n');
  const s = await Session.create(engine, new NodeProjectStore(join(dir, 'p')), nodeFileResolver, 'p');
  const res = await s.importPath(join(dir, 'lignes.csv'));
  expect(res.detail!.tables.map((t) => t.name)).toEqual(['lignes']);
  expect(res.detail!.tables[0]!.provenance).toBe(s.catalog.get('lignes')!.source);
  expect(res.entry.inputs).toEqual([{ table: 'lignes', source: join(dir, 'lignes.csv'), sha256: s.manifest.sources[0]!.sha256 }]);
  expect(tablesOfImportEntry(res.entry)).toEqual(['lignes']);
  // A journal written before #17: a workbook's sheets in one input, joined by commas.
  const old = { ...res.entry, inputs: [{ ...res.entry.inputs[0]!, table: 'classeur_budget,classeur_depenses' }] };
  expect(tablesOfImportEntry(old)).toEqual(['classeur_budget', 'classeur_depenses']);
});
