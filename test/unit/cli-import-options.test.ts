// `loupe import FILE --table NAME --option key=value --type column=kind`: the same choices as the app's
// import dialog, kept in the project so every later command reopens the table the same way.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';
import { tempDirWith } from './helpers-io.ts';

let dir: string;
beforeAll(async () => {
  dir = await tempDirWith('loupe-cli-import-', {
    'montants.csv': 'Code;Montant\n075;1 200,50\n013;3,00\n',
    'ops.json': JSON.stringify({
      generated_at: 'x',
      ops: [{ id: 1, mandate: { '2019': 5, '2020': 7 } }],
      autres: [{ a: 1 }, { a: 2 }, { a: 3 }],
    }),
  });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('names the table, sets reading options and types, and keeps them for the next command', async () => {
  const project = join(dir, 'p');
  expect((await loupe('import', join(dir, 'montants.csv'), '--project', project, '--table', 'essai', '--type', 'montant=text')).code).toBe(
    0,
  );
  expect(
    (await loupe('import', join(dir, 'ops.json'), '--project', project, '--option', 'path=ops', '--option', 'unpivot=["mandate"]')).code,
  ).toBe(0);
  const tables = (await loupe('tables', '--project', project)).out;
  expect(tables).toMatch(/^essai\t2\t/m);
  expect(tables).toMatch(/^ops__mandate\t2\t/m);
  const res = await loupe('sql', '--project', project, 'SELECT montant FROM essai ORDER BY code', '--format', 'json');
  expect(JSON.parse(res.out)).toEqual([{ montant: '3,00' }, { montant: '1 200,50' }]);
});

it('refuses a malformed choice or choices for several files, with a clear message', async () => {
  const bad = await loupe('import', join(dir, 'montants.csv'), '--project', join(dir, 'q'), '--type', 'montant');
  expect(bad).toMatchObject({ code: 1, err: expect.stringMatching(/--type attend clé=valeur, pas « montant »/) });
  const several = await loupe('import', join(dir, 'montants.csv'), join(dir, 'ops.json'), '--project', join(dir, 'q'), '--table', 'x');
  expect(several).toMatchObject({ code: 1, err: expect.stringMatching(/valent pour un seul fichier/) });
});
