import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { getOperation, OperationError, runOperation } from '../../src/core/ops/registry.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';

let engine: Engine;
let dir: string;
const engines: Engine[] = [];

beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(async () => {
  await engine.close();
  for (const e of engines) await e.close();
});
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freshEngine(): Promise<Engine> {
  const e = await createNodeEngine();
  engines.push(e);
  return e;
}

const CSV_A = '\uFEFFArrondissement;Montant payé;Date\r\n75011;1234,50;01/02/2024\r\n75012;10,00;15/03/2024\r\n';
const CSV_B = 'code,libellé\n011,Charges à caractère général\n012,Charges de personnel\n';

async function projectWithTwoSources() {
  dir = await mkdtemp(join(tmpdir(), 'loupe-project-'));
  await writeFile(join(dir, 'a.csv'), CSV_A);
  await writeFile(join(dir, 'b.csv'), CSV_B);
  const s = await Session.create(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver, 'Essai');
  await s.importPath(join(dir, 'a.csv'));
  await s.importPath(join(dir, 'b.csv'));
  return s;
}

describe('project', () => {
  it('saves a manifest with each source, its SHA-256 and its import options', async () => {
    const s = await projectWithTwoSources();
    const manifest = JSON.parse(await readFile(join(dir, 'proj', 'loupe.json'), 'utf8'));
    expect(manifest.sources.map((x: { table: string }) => x.table)).toEqual(['a', 'b']);
    expect(manifest.sources[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.sources[0].options).toMatchObject({ delimiter: ';' });
    expect(s.catalog.get('a')?.source?.rows).toBe(2);
  });

  it('reopens a project into a fresh engine with the same tables and contents', async () => {
    const s = await projectWithTwoSources();
    const before = await s.engine.query('SELECT * FROM a ORDER BY 1');
    const { session, problems } = await Session.open(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver);
    expect(problems).toEqual([]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['a', 'b']);
    expect(await session.engine.query('SELECT * FROM a ORDER BY 1')).toEqual(before);
    expect(session.catalog.get('a')?.columns.map((c) => c.label)).toEqual(['Arrondissement', 'Montant payé', 'Date']);
  });

  it('reports a changed source by name and opens the rest', async () => {
    await projectWithTwoSources();
    await rm(join(dir, 'proj', 'cache'), { recursive: true });
    await writeFile(join(dir, 'a.csv'), CSV_A.replace('1234,50', '9999,99'));
    const { session, problems } = await Session.open(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver);
    expect(problems).toEqual([
      { path: join(dir, 'a.csv'), fileName: 'a.csv', reason: expect.stringMatching(/a\.csv.*a changé/), kind: 'source' },
    ]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['b']);
  });

  it('reports a missing source by name and opens the rest', async () => {
    await projectWithTwoSources();
    await rm(join(dir, 'proj', 'cache'), { recursive: true });
    await rm(join(dir, 'b.csv'));
    const { session, problems } = await Session.open(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver);
    expect(problems).toEqual([
      { path: join(dir, 'b.csv'), fileName: 'b.csv', reason: expect.stringMatching(/introuvable/i), kind: 'source' },
    ]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['a']);
  });

  it('journals every import with the source hash, the SQL and a digest of the table', async () => {
    const s = await projectWithTwoSources();
    const [first] = s.journal.all();
    expect(first).toMatchObject({ op: 'import-file', seq: 0, prev: null, output: { table: 'a', rows: 2 } });
    expect(first!.inputs[0]!.sha256).toBe(s.manifest.sources[0]!.sha256);
    expect(first!.sql.join('\n')).toMatch(/read_csv/);
    expect((await s.journal.verify()).ok).toBe(true);
  });

  it('gives the same digest when the same file is imported into another engine', async () => {
    const s = await projectWithTwoSources();
    const { session } = await Session.open(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver);
    const { digestTable } = await import('../../src/core/engine/digest.ts');
    expect((await digestTable(session.engine, 'a')).digest).toBe(s.journal.all()[0]!.output!.digest);
  });

  it('refuses a manifest that is not a Loupe project, with a message', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-project-'));
    await writeFile(join(dir, 'loupe.json'), JSON.stringify({ format: 'loupe-project', version: 1, name: '<script>', sources: 'nope' }));
    await expect(Session.open(await freshEngine(), new NodeProjectStore(dir), nodeFileResolver)).rejects.toThrow(/manifeste invalide/);
    await writeFile(join(dir, 'loupe.json'), '{not json');
    await expect(Session.open(await freshEngine(), new NodeProjectStore(dir), nodeFileResolver)).rejects.toThrow(/pas du JSON/);
  });

  it('refuses to write outside the project folder', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-project-'));
    const store = new NodeProjectStore(join(dir, 'p'));
    await expect(store.writeTextAtomic('../evil.txt', 'x')).rejects.toThrow(/hors du dossier/);
  });

  it('rejects operation parameters that do not match the schema, naming the field', async () => {
    const s = await projectWithTwoSources();
    const op = getOperation('import-file')!;
    await expect(runOperation(s.context(), op, { path: 42 })).rejects.toBeInstanceOf(OperationError);
    await expect(runOperation(s.context(), op, { path: 42 })).rejects.toThrow(/path/);
    expect(s.journal.all()).toHaveLength(2);
  });
});
