import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tablesOfImportEntry } from '../../src/core/ingest/import-entry.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { entryHash, parseJournal, type JournalEntry } from '../../src/core/journal/journal.ts';
import { JOURNAL_FILE, MANIFEST_FILE } from '../../src/core/project/manifest.ts';
import { Session } from '../../src/core/project/session.ts';
import { verifyProject } from '../../src/core/project/verify.ts';
import { xlsxBytes } from '../fixtures/formats-fixtures.ts';
import { openTempEngine, suite } from './helpers.ts';

const t = suite(() => openTempEngine('loupe-import-entry-'));

it('an import names its tables in its result and in one journal input per table; the old comma-joined input is still read', async () => {
  const { dir, engine } = t;
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

it('a project whose journal joined a workbook’s sheets with commas (before #17) still verifies; a missing sheet is still caught', async () => {
  const { dir, engine } = t;
  await writeFile(join(dir, 'classeur.xlsx'), await xlsxBytes());
  const root = join(dir, 'ancien');
  const store = new NodeProjectStore(root);
  const s = await Session.create(engine, store, nodeFileResolver, 'ancien');
  const res = await s.importPath(join(dir, 'classeur.xlsx'));
  const names = res.detail!.tables.map((t) => t.name);
  expect(names.length).toBeGreaterThan(1);
  await s.cacheIdle();
  // Rewrite the journal as an older Loupe wrote it: one input naming every sheet, the chain re-hashed.
  const rewrite = async (tables: string) => {
    const [e] = parseJournal(await readFile(join(root, JOURNAL_FILE), 'utf8')).entries as JournalEntry[];
    const { hash: _hash, ...body } = { ...e!, inputs: [{ ...e!.inputs[0]!, table: tables }] };
    const old = { ...body, hash: await entryHash(body) };
    await writeFile(join(root, JOURNAL_FILE), JSON.stringify(old) + '\n');
    const m = JSON.parse(await readFile(join(root, MANIFEST_FILE), 'utf8'));
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify({ ...m, journalHead: { count: 1, hash: old.hash } }));
  };
  await rewrite(names.join(','));
  const ok = await verifyProject(new NodeProjectStore(root));
  expect(ok.problems.filter((p) => p.level === 'error')).toEqual([]);
  expect(ok.ok).toBe(true);
  // The same old form missing one sheet: the manifest's table is then said to be unjournaled.
  await rewrite(names.slice(1).join(','));
  const bad = await verifyProject(new NodeProjectStore(root));
  expect(bad.problems.map((p) => p.message).join('\n')).toContain(`table ${names[0]}`);
});
