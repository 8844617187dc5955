import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
const project = () => join(dir, 'projet');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-cli-'));
  await writeFile(
    join(dir, 'subventions.csv'),
    '\uFEFFBénéficiaire;Montant voté;Année\r\nAssociation A;1500,50;2023\r\nAssociation B;200,00;2024\r\nAssociation A;99,50;2024\r\n',
  );
  await writeFile(join(dir, 'vide.csv'), '');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loupe CLI', () => {
  it('imports files into a new project and lists its tables with their source hash', async () => {
    const imp = await loupe('import', join(dir, 'subventions.csv'), '--project', project());
    expect(imp).toMatchObject({ code: 0, out: expect.stringMatching(/subventions\.csv : 1 table\(s\), 3 ligne/) });
    const tables = await loupe('tables', '--project', project());
    expect(tables.out).toMatch(/^subventions\t3\t3 col\.\tsubventions\.csv sha256:[0-9a-f]{12}/);
  });

  it('reports a bad file by name with a non-zero exit, and keeps the project intact', async () => {
    const res = await loupe('import', join(dir, 'vide.csv'), '--project', project());
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/vide\.csv.*vide/);
    expect((await loupe('tables', '--project', project())).out).toMatch(/^subventions\t3/);
  });

  it('runs SQL on the reopened project and prints CSV or JSON', async () => {
    const sql = 'SELECT "beneficiaire", sum("montant_vote") AS total FROM subventions GROUP BY 1 ORDER BY 1';
    const json = await loupe('sql', '--project', project(), sql, '--format', 'json');
    expect(JSON.parse(json.out)).toEqual([
      { beneficiaire: 'Association A', total: 1600 },
      { beneficiaire: 'Association B', total: 200 },
    ]);
    const csv = await loupe('sql', '--project', project(), sql, '--format', 'csv');
    expect(csv.out).toBe('beneficiaire,total\nAssociation A,1600\nAssociation B,200\n');
  });

  it('verifies the journal, then names the entry a hand edit broke', async () => {
    expect(await loupe('verify', '--project', project())).toMatchObject({ code: 0, out: expect.stringMatching(/intact/) });
    const path = join(project(), 'journal.ndjson');
    const original = await readFile(path, 'utf8');
    await writeFile(path, original.replace('"rows":3', '"rows":4'));
    expect(await loupe('verify', '--project', project())).toMatchObject({ code: 1, out: expect.stringMatching(/altéré à l'entrée 0/) });
    await writeFile(path, original);
  });

  it('runs as a real process through src/cli/loupe.mjs and exits when done', () => {
    const r = spawnSync(process.execPath, ['src/cli/loupe.mjs', 'tables', '--project', project()], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^subventions\t/);
  });

  it('replays the journal from the source files with identical digests, and lists a changed source', async () => {
    const ok = await loupe('replay', '--project', project());
    // The import and the two `loupe sql` runs above, which are journaled like the workbench's queries.
    expect(ok).toMatchObject({ code: 0, out: expect.stringMatching(/3 opération\(s\) rejouée\(s\), 3 identique\(s\), 0 différence/) });
    await writeFile(join(dir, 'subventions.csv'), '\uFEFFBénéficiaire;Montant voté;Année\r\nAssociation A;1500,50;2023\r\n');
    const changed = await loupe('replay', '--project', project(), '--format', 'json');
    expect(changed.code).toBe(1);
    const report = JSON.parse(changed.out);
    expect(report.differences[0]).toEqual({
      seq: 0,
      op: 'import-file',
      reason: expect.stringMatching(/source .*subventions\.csv modifiée.*1 ligne\(s\) au lieu de 3/),
    });
  });

  it('explains its usage and refuses unknown commands', async () => {
    expect((await loupe('frobnicate')).code).toBe(2);
    expect((await loupe()).out).toMatch(/loupe import/);
    expect(await loupe('run', 'nope', '--help')).toMatchObject({ code: 1, err: expect.stringMatching(/opération inconnue/) });
  });
});
