// The terminal's CSV goes into spreadsheets too: formulas in cells and in header labels are neutralised.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-cli-csv-'));
  await writeFile(
    join(dir, 'piege.csv'),
    `nom;formule\nA;=cmd|' /C calc'!A0\nB;=HYPERLINK("http://evil.example","x")\nC;+1\nD;@SUM(A1)\nE; =1+1\nF;＝1\n`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('loupe sql --format csv prints formula cells and labels with a leading apostrophe', async () => {
  const project = join(dir, 'projet');
  expect((await loupe('import', join(dir, 'piege.csv'), '--project', project)).code).toBe(0);
  const res = await loupe('sql', '--project', project, `SELECT formule AS "=danger", nom FROM piege ORDER BY nom`, '--format', 'csv');
  expect(res.code).toBe(0);
  expect(res.out.split('\n')).toEqual([
    `'=danger,nom`,
    `'=cmd|' /C calc'!A0,A`,
    `"'=HYPERLINK(""http://evil.example"",""x"")",B`,
    `'+1,C`,
    `'@SUM(A1),D`,
    `' =1+1,E`,
    `'＝1,F`,
    '',
  ]);
});
