import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { readQuery } from '../../src/core/query/workbench.ts';

let dir: string;
const engines: Engine[] = [];
const engine = async () => {
  const e = await createNodeEngine();
  engines.push(e);
  return e;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-sql-'));
  await writeFile(join(dir, 'marches.csv'), 'Titulaire;Montant HT\nA;38450\nA;39120\nB;120000\n');
});
afterAll(async () => {
  for (const e of engines) await e.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SQL workbench', () => {
  it('journals a query with the tables it read, their source hashes and a digest of the result', async () => {
    const s = await Session.create(await engine(), new NodeProjectStore(join(dir, 'p1')), nodeFileResolver, 'p1');
    await s.importPath(join(dir, 'marches.csv'));
    const { rows, entry } = await readQuery(s, 'SELECT titulaire, sum(montant_ht) AS total FROM marches GROUP BY 1 ORDER BY 1;');
    expect(rows.rows).toEqual([
      ['A', 77570],
      ['B', 120000],
    ]);
    expect(entry).toMatchObject({ op: 'sql', output: { rows: 2 }, inputs: [{ table: 'marches', sha256: s.manifest.sources[0]!.sha256 }] });
  });

  it('refuses to journal a statement that writes, with a message', async () => {
    const s = await Session.create(await engine(), new NodeProjectStore(join(dir, 'p2')), nodeFileResolver, 'p2');
    await s.engine.exec('CREATE TABLE x AS SELECT 1 AS a');
    await expect(readQuery(s, 'DROP TABLE x')).rejects.toThrow(/lecture/);
    expect((await s.engine.query('SELECT count(*) FROM x')).rows).toEqual([[1]]);
    await expect(s.saveQuery('v', 'DELETE FROM x')).rejects.toThrow(/lecture/);
    await expect(s.saveQuery('bad name', 'SELECT 1')).rejects.toThrow(/name/);
  });

  it('refuses queries that read files directly, so every number traces back to an imported, hashed file', async () => {
    const s = await Session.create(await engine(), new NodeProjectStore(join(dir, 'p4')), nodeFileResolver, 'p4');
    // The engine has no file access: DuckDB itself refuses, whatever the spelling (confinement.test.ts).
    await expect(readQuery(s, "SELECT * FROM read_text('/etc/passwd')")).rejects.toThrow(
      /Accès au fichier « \/etc\/passwd » refusé.*importez/,
    );
    await expect(readQuery(s, "SELECT * FROM '/etc/passwd.csv'")).rejects.toThrow(/Accès au fichier « \/etc\/passwd\.csv » refusé/);
    await expect(readQuery(s, "SELECT * FROM range(3) t JOIN glob('/*') g ON true")).rejects.toThrow(/Accès au fichier « \/\* » refusé/);
    await expect(s.saveQuery('v', "SELECT * FROM read_csv('x.csv')")).rejects.toThrow(/Accès au fichier « x\.csv » refusé/);
    // The same words inside a string or a comment are just text.
    const ok = await readQuery(s, "SELECT 'read_text(x)' AS a -- FROM '/etc/passwd'\n");
    expect(ok.rows.rows).toEqual([['read_text(x)']]);
  });

  it('saves a query as a view that is back in the catalog after reopening the project', async () => {
    const s = await Session.create(await engine(), new NodeProjectStore(join(dir, 'p3')), nodeFileResolver, 'p3');
    await s.importPath(join(dir, 'marches.csv'));
    await s.saveQuery('gros_marches', 'SELECT * FROM marches WHERE montant_ht > 39000', 'Marchés au-dessus de 39 000 €');
    expect(s.catalog.get('gros_marches')).toMatchObject({ kind: 'view', rows: 2 });
    const { session, problems } = await Session.open(await engine(), new NodeProjectStore(join(dir, 'p3')), nodeFileResolver);
    expect(problems).toEqual([]);
    expect(session.manifest.queries).toMatchObject([{ name: 'gros_marches', description: 'Marchés au-dessus de 39 000 €' }]);
    expect(session.catalog.get('gros_marches')).toMatchObject({ kind: 'view', rows: 2 });
    expect(session.journal.all().map((e) => e.op)).toEqual(['import-file', 'save-query']);
  });
});
