// What `loupe run` creates is kept: an import with options and a saved query land in the manifest, so the
// next command finds them, and the journal and the manifest agree table by table.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-run-persist-'));
  await writeFile(join(dir, 'lignes.csv'), 'a|b\n1|x\n2|y\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('keeps a table imported by `run import-file` with options, and a view saved by `run save-query`', async () => {
  const project = join(dir, 'projet');
  expect((await loupe('import', join(dir, 'lignes.csv'), '--project', project)).code).toBe(0);
  const imp = await loupe(
    'run',
    'import-file',
    '--project',
    project,
    '--params',
    JSON.stringify({ path: join(dir, 'lignes.csv'), table: 'pipes', options: { delimiter: '|' } }),
  );
  expect(imp.code).toBe(0);
  const save = await loupe(
    'run',
    'save-query',
    '--project',
    project,
    '--params',
    JSON.stringify({ name: 'deux', sql: 'SELECT b FROM pipes WHERE a = 2;' }),
  );
  expect(save.code).toBe(0);
  const manifest = JSON.parse(await readFile(join(project, 'loupe.json'), 'utf8'));
  expect(manifest.sources.map((s: { table: string; options: { delimiter?: string } }) => [s.table, s.options.delimiter])).toEqual([
    ['lignes', '|'],
    ['pipes', '|'],
  ]);
  expect(manifest.queries).toMatchObject([{ name: 'deux', sql: 'SELECT b FROM pipes WHERE a = 2' }]);
  const res = await loupe('sql', '--project', project, 'SELECT * FROM deux', '--format', 'json');
  expect(JSON.parse(res.out)).toEqual([{ b: 'y' }]);
  expect((await loupe('verify', '--project', project)).code).toBe(0);
});

it('says there is no project, rather than failing on the lock file, for a folder without one', async () => {
  for (const cmd of [
    ['run', 'import-file', '--params', JSON.stringify({ path: join(dir, 'lignes.csv') })],
    ['sql', 'SELECT 1'],
    ['tables'],
  ]) {
    const res = await loupe(cmd[0]!, '--project', join(dir, 'absent', 'projet'), ...cmd.slice(1));
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/absent\/projet : aucun projet Loupe ici \(loupe\.json absent\)/);
  }
});
