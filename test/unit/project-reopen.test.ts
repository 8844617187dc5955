// Reopening a project reads its tables back from the project's cache instead of re-importing, and
// trusts a copy only as far as the journal vouches for it (src/core/project/table-cache.ts).
import { mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { getOperation } from '../../src/core/ops/all.ts';
import { runOperation } from '../../src/core/ops/registry.ts';
import { createXXHash64 } from 'hash-wasm';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { CACHE_INDEX, TableCache, tableAsDatabaseFile } from '../../src/core/project/table-cache.ts';
import { Catalog } from '../../src/core/catalog/catalog.ts';
import { describeColumns, digestTable } from '../../src/core/engine/digest.ts';
import { importEntryFor } from '../bench/page/reopen.ts';
import { emptyDatabaseImage } from '../../src/core/project/empty-database.ts';

let dir = '';
const engines: Engine[] = [];
const sessions: Session[] = [];

async function freshEngine(): Promise<Engine> {
  const e = await createNodeEngine();
  engines.push(e);
  return e;
}

afterAll(async () => {
  for (const e of engines) await e.close();
});
afterEach(async () => {
  // Copies still being written would land in a folder being removed.
  for (const s of sessions.splice(0)) await s.cacheIdle();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Payments with a repeated (siret, montant, date) triple: what the duplicates audit finds. */
function paymentsCsv(rows: number): string {
  const lines = ['\uFEFFSIRET;Montant payé;Date;Objet'];
  for (let i = 0; i < rows; i++) {
    const siret = String(10_000_000_000_000 + (i % 37)).padStart(14, '0');
    lines.push(
      `${siret};${(i % 11) * 100},${String(i % 100).padStart(2, '0')};${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/2024;Objet n°${i}`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

const CODES = 'code;libellé\n011;Charges à caractère général\n012;Charges de personnel\n';

async function project() {
  dir = await mkdtemp(join(tmpdir(), 'loupe-reopen-'));
  await writeFile(join(dir, 'paiements.csv'), paymentsCsv(500));
  await writeFile(join(dir, 'codes.csv'), CODES);
  const s = await Session.create(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver, 'Essai');
  await s.importPath(join(dir, 'paiements.csv'));
  await s.importPath(join(dir, 'codes.csv'));
  sessions.push(s);
  return s;
}

const DUPLICATES = { table: 'paiements', columns: ['siret', 'montant_paye', 'date'], amount: 'montant_paye' };

async function open() {
  const opened = await Session.open(await freshEngine(), new NodeProjectStore(join(dir, 'proj')), nodeFileResolver);
  sessions.push(opened.session);
  return opened;
}

async function index(): Promise<{ tables: { table: string; files: { path: string; bytes: number }[]; rows: number }[] }> {
  return JSON.parse(await readFile(join(dir, 'proj', CACHE_INDEX), 'utf8'));
}

/**
 * A forger's copy of `paiements`: the table `forgedTable` written as its cache file, and the index's
 * size and checksum rewritten to match, so that only what the cache checks after reading can tell.
 */
async function forgeCacheFile(s: Session, forgedTable: string): Promise<void> {
  const rec = (await index()).tables.find((t) => t.table === 'paiements')!;
  const { bytes: forged } = await tableAsDatabaseFile(s.engine, forgedTable);
  await writeFile(join(dir, 'proj', rec.files[0]!.path), forged);
  const idx = await index();
  Object.assign(idx.tables.find((t) => t.table === 'paiements')!.files[0]!, { bytes: forged.length, xxh64: await xxh64Hex(forged) });
  await writeFile(join(dir, 'proj', CACHE_INDEX), JSON.stringify(idx));
}

async function xxh64Hex(bytes: Uint8Array): Promise<string> {
  const h = await createXXHash64();
  h.init();
  h.update(bytes);
  return h.digest('hex');
}

/** A well-formed DuckDB file made by `statements` run on it as database `h`: what a forger can put in a project. */
async function forgedDatabase(e: Engine, statements: string[]): Promise<Uint8Array> {
  await e.registerBuffer('hostile.duckdb', emptyDatabaseImage());
  await e.registerBuffer('hostile.duckdb.wal', new Uint8Array(0));
  await e.exec(`ATTACH '/loupe-registered/hostile.duckdb' AS h`);
  for (const sql of statements) await e.exec(sql);
  await e.exec('DETACH h');
  return e.copyFileToBuffer('hostile.duckdb');
}

// Each test imports, writes the cache and opens a second engine: slow on a shared, loaded machine.
describe('reopening a project from its cache', { timeout: 180_000 }, () => {
  it('gives back the same tables, digest for digest, without reading the sources', async () => {
    const s = await project();
    await s.cacheIdle();
    expect((await index()).tables.map((t) => t.table).sort()).toEqual(['codes', 'paiements']);
    // Without its sources the project still opens whole: the tables came from the cache.
    await rm(join(dir, 'paiements.csv'));
    await rm(join(dir, 'codes.csv'));
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['codes', 'paiements']);
    for (const e of s.journal.all()) {
      const t = e.output!.table!;
      expect((await digestTable(session.engine, t)).digest).toBe(e.output!.digest);
    }
    expect(session.catalog.get('paiements')?.source?.fileName).toBe('paiements.csv');
    expect(session.catalog.get('paiements')?.columns.map((c) => c.label)).toEqual(['SIRET', 'Montant payé', 'Date', 'Objet']);
    expect(session.journal.all()).toHaveLength(2);
    // … and says, once checked, that the files behind them are gone.
    const later = await session.checks;
    expect(later.map((p) => [p.fileName, p.kind])).toEqual([
      ['paiements.csv', 'source'],
      ['codes.csv', 'source'],
    ]);
    expect(later[0]!.reason).toMatch(/source introuvable/);
  });

  it('reports a source changed since its import, and keeps showing the journaled table', async () => {
    const s = await project();
    await s.cacheIdle();
    await writeFile(join(dir, 'codes.csv'), CODES.replace('011', '099'));
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    const later = await session.checks;
    expect(later).toHaveLength(1);
    expect(later[0]).toMatchObject({ fileName: 'codes.csv', kind: 'source', reason: expect.stringMatching(/a changé depuis son import/) });
    expect((await digestTable(session.engine, 'codes')).digest).toBe(s.journal.all()[1]!.output!.digest);
  });

  it('detects a damaged cache file and re-imports the table from its source, saying so', async () => {
    const s = await project();
    await s.cacheIdle();
    const rec = (await index()).tables.find((t) => t.table === 'paiements')!;
    const path = join(dir, 'proj', rec.files[0]!.path);
    const bytes = await readFile(path);
    // Inside the table's blocks (the first 12 KB are headers, mostly zeros).
    const mid = Math.floor(bytes.length / 2);
    bytes.fill(0xff, mid, mid + 200);
    await writeFile(path, bytes);
    const { session, problems } = await open();
    const all = [...problems, ...(await session.checks)];
    expect(all.map((p) => [p.fileName, p.kind])).toEqual([['paiements.csv', 'cache']]);
    expect(all[0]!.reason).toMatch(/réimportée depuis sa source/);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
  });

  it('detects a cache file replaced by other rows of the same shape (digest against the journal)', async () => {
    const s = await project();
    await s.cacheIdle();
    // Same columns, types and row count, one amount changed: only the digest can tell.
    await s.engine.exec(
      `CREATE TABLE forged AS SELECT siret, CASE WHEN objet = 'Objet n°7' THEN montant_paye + 1000 ELSE montant_paye END AS montant_paye, date, objet FROM paiements`,
    );
    await forgeCacheFile(s, 'forged');
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    const later = await session.checks;
    expect(later.map((p) => [p.fileName, p.kind])).toEqual([['paiements.csv', 'cache']]);
    expect(later[0]!.reason).toMatch(/empreinte/);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
    expect(Number((await session.engine.query(`SELECT montant_paye FROM paiements WHERE objet = 'Objet n°7'`)).rows[0]![0])).toBeLessThan(
      1000,
    );
  });

  it('refuses at once a cache file with a row fewer than recorded, checksum rewritten to match, and re-imports', async () => {
    const s = await project();
    await s.cacheIdle();
    await s.engine.exec(`CREATE TABLE shorter AS SELECT * FROM paiements WHERE objet <> 'Objet n°7'`);
    await forgeCacheFile(s, 'shorter');
    const { session, problems } = await open();
    expect(problems.map((p) => [p.fileName, p.kind])).toEqual([['paiements.csv', 'cache']]);
    expect(problems[0]!.reason).toMatch(/cache\/[0-9a-f]{64}\.duckdb : 499 ligne\(s\) au lieu de 500/);
    expect(await session.checks).toEqual([]);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
  });

  it('refuses a cache file that holds a view or more than its one table, and re-imports', async () => {
    const s = await project();
    await s.cacheIdle();
    const rec = (await index()).tables.find((t) => t.table === 'paiements')!;
    // A well-formed DuckDB file whose `t` is a view over another table: it would run SQL of the file's choosing.
    const hostile = await forgedDatabase(s.engine, [
      'CREATE TABLE h.autre AS SELECT * FROM paiements',
      'CREATE VIEW h.t AS SELECT * FROM h.autre',
    ]);
    await writeFile(join(dir, 'proj', rec.files[0]!.path), hostile);
    const idx = await index();
    Object.assign(idx.tables.find((t) => t.table === 'paiements')!.files[0]!, { bytes: hostile.length, xxh64: await xxh64Hex(hostile) });
    await writeFile(join(dir, 'proj', CACHE_INDEX), JSON.stringify(idx));
    const { session, problems } = await open();
    expect(problems.map((p) => [p.fileName, p.kind])).toEqual([['paiements.csv', 'cache']]);
    expect(problems[0]!.reason).toMatch(/contenu inattendu/);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
    // Checked in the same pass as the hostile file, the other table is still served from its own.
    expect(session.engine.copiesAttached()).toBe(1);
    const dbs = await session.engine.query(
      `SELECT database_name FROM duckdb_tables() WHERE table_name IN ('codes', 'paiements') ORDER BY table_name`,
    );
    expect(dbs.rows).toEqual([[expect.stringMatching(/^loupe_copy_/)], ['memory']]);
    expect((await digestTable(session.engine, 'codes')).digest).toBe(s.journal.all()[1]!.output!.digest);
  });

  it('refuses an index that is not one, and re-imports everything', async () => {
    const s = await project();
    await s.cacheIdle();
    await writeFile(
      join(dir, 'proj', CACHE_INDEX),
      JSON.stringify({ format: 'loupe-table-cache', version: 2, tables: [{ table: 'x', files: [{ path: '../../etc/passwd' }] }] }),
    );
    const { session, problems } = await open();
    expect(problems).toEqual([expect.objectContaining({ kind: 'cache', reason: expect.stringMatching(/index du cache invalide/) })]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['codes', 'paiements']);
    expect(await session.checks).toEqual([]);
  });

  it('sets aside a cache of the earlier format (Arrow files), says so, re-imports and writes the new one', async () => {
    const s = await project();
    await s.cacheIdle();
    const old = join(dir, 'proj', 'cache', `${'a'.repeat(64)}-0.arrow`);
    await writeFile(old, 'ARROW1');
    await writeFile(
      join(dir, 'proj', CACHE_INDEX),
      JSON.stringify({ format: 'loupe-table-cache', version: 1, tables: [{ table: 'paiements', files: [{ path: 'cache/x-0.arrow' }] }] }),
    );
    const { session, problems } = await open();
    expect(problems).toEqual([expect.objectContaining({ kind: 'cache', reason: expect.stringMatching(/format antérieur/) })]);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
    await session.cacheIdle();
    const idx = await index();
    expect(idx.tables.map((t) => t.table).sort()).toEqual(['codes', 'paiements']);
    expect(idx.tables.every((t) => t.files.length === 1 && /\.duckdb$/.test(t.files[0]!.path))).toBe(true);
    // The earlier format's files go with the index that named them.
    await expect(readFile(old)).rejects.toThrow(/ENOENT/);
  });

  it('refuses a cache folder that is a link to elsewhere, by name, and re-imports', async () => {
    const s = await project();
    await s.cacheIdle();
    const proj = join(dir, 'proj');
    await rename(join(proj, 'cache'), join(dir, 'ailleurs'));
    await symlink(join(dir, 'ailleurs'), join(proj, 'cache'));
    const { session, problems } = await open();
    expect(problems).toEqual([expect.objectContaining({ kind: 'cache', reason: expect.stringMatching(/lien symbolique.*réimportées/) })]);
    expect(session.catalog.list().map((t) => t.name)).toEqual(['codes', 'paiements']);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
  });

  it('keeps the several tables of one file (nested JSON) together, checked against the one journal entry', async () => {
    const s = await project();
    await writeFile(
      join(dir, 'dossiers.json'),
      JSON.stringify([
        { id: 1, lignes: [{ a: 1 }, { a: 2 }] },
        { id: 2, lignes: [{ a: 3 }] },
      ]),
    );
    const res = await s.importPath(join(dir, 'dossiers.json'));
    expect(res.tables!.length).toBeGreaterThan(1);
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    for (const t of res.tables!) expect(session.catalog.has(t)).toBe(true);
    expect(await session.checks).toEqual([]);
    for (const t of res.tables!) expect((await digestTable(session.engine, t)).digest).toBe((await digestTable(s.engine, t)).digest);
  });

  it('keeps a file’s several tables after another file of several tables is imported (each import names its own)', async () => {
    const s = await project();
    const nested = (n: number) => JSON.stringify([{ id: n, lignes: [{ a: n }, { a: n + 1 }] }]);
    await writeFile(join(dir, 'dossiers.json'), nested(1));
    await writeFile(join(dir, 'lots.json'), nested(2));
    const first = await s.importPath(join(dir, 'dossiers.json'));
    await s.importPath(join(dir, 'lots.json'));
    expect(first.tables!.length).toBeGreaterThan(1);
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    for (const t of first.tables!) expect((await digestTable(session.engine, t)).digest).toBe((await digestTable(s.engine, t)).digest);
  });

  it('keeps one result table per operation: a re-run replaces it, the journal keeps every run', async () => {
    const s = await project();
    const op = getOperation('duplicates')!;
    const first = await s.run(op, DUPLICATES);
    const second = await s.run(op, { ...DUPLICATES, columns: ['siret', 'montant_paye'] });
    expect(first.table).toBe('res_duplicates');
    expect(second.table).toBe('res_duplicates');
    expect(
      s.catalog
        .list()
        .filter((t) => t.kind === 'result')
        .map((t) => t.name),
    ).toEqual(['res_duplicates']);
    expect(s.journal.all().filter((e) => e.op === 'duplicates')).toHaveLength(2);
    await s.cacheIdle();
    const { session, problems } = await open();
    expect(problems).toEqual([]);
    expect(session.catalog.get('res_duplicates')).toMatchObject({ kind: 'result', origin: { op: 'duplicates' } });
    expect((await digestTable(session.engine, 'res_duplicates')).digest).toBe(second.digest!.digest);
    expect(await session.checks).toEqual([]);
  });

  it('does not bring back a result whose later run was never kept (stale copy), and says so', async () => {
    const s = await project();
    const op = getOperation('duplicates')!;
    await s.run(op, DUPLICATES);
    await s.cacheIdle();
    // A run journaled without its copy (the app closed before it was written).
    await runOperation(s.context(), op, { ...DUPLICATES, columns: ['siret'] });
    const { session, problems } = await open();
    expect(session.catalog.has('res_duplicates')).toBe(false);
    expect(problems).toEqual([
      expect.objectContaining({ fileName: 'res_duplicates', kind: 'cache', reason: expect.stringMatching(/périmée/) }),
    ]);
  });

  // The copy is one statement into a file, served back in place: every row group must be there, in
  // order, whatever the first column's type, the gaps deleted rows leave and the table's name.
  it('keeps a table of several row groups row for row and serves it in place: nested first column, deleted rows, an awkward name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-reopen-'));
    const engine = await freshEngine();
    const table = 'versé "2024".bis';
    const q = `"versé ""2024"".bis"`;
    await engine.exec(
      `CREATE TABLE ${q} AS SELECT {'id': i, 'tags': [i % 3, i % 5]} AS cle, 'lib ' || (i % 1000) AS libelle, ` +
        `CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 97)::DECIMAL(18,2) END AS montant FROM range(300000) r(i)`,
    );
    // Rows gone in the middle of a row group and a whole row group's worth at its edge.
    await engine.exec(`DELETE FROM ${q} WHERE cle.id % 7 = 0 OR cle.id BETWEEN 122000 AND 123500`);
    const catalog = new Catalog();
    catalog.set({ name: table, kind: 'table', columns: (await describeColumns(engine, q)).map((c) => ({ ...c, label: c.name })), rows: 0 });
    const d = await digestTable(engine, table);
    const entry = await importEntryFor(engine, table);
    const store = new NodeProjectStore(join(dir, 'proj'));
    const [rec] = await (await TableCache.load(store)).cache.save(engine, catalog, entry, [table]);
    expect(rec).toBeDefined();
    const other = await freshEngine();
    const { cache, problem } = await TableCache.load(store);
    expect(problem).toBeNull();
    expect(cache.get(table)!.files).toEqual([expect.objectContaining({ rows: d.rows })]);
    await cache.restore(other, new Catalog(), cache.get(table)!, entry);
    // Served from its file, as a base table (row ids), not copied into memory.
    expect(other.copiesAttached()).toBe(1);
    const held = await other.query(`SELECT database_name FROM duckdb_tables() WHERE table_name = ${`'${table.replace(/'/g, "''")}'`}`);
    expect(held.rows).toEqual([[expect.stringMatching(/^loupe_copy_\d+$/)]]);
    expect(await digestTable(other, table)).toEqual(d);
    // The digest is a sum: the order is compared apart, each row with its place.
    const inOrder = `SELECT sum(hash(n, cle, libelle, montant))::VARCHAR FROM (SELECT row_number() OVER (ORDER BY rowid) AS n, * FROM ${q})`;
    expect((await other.query(inOrder)).rows).toEqual((await engine.query(inOrder)).rows);
    // It spanned three row groups (122,880 rows each).
    expect(Number((await engine.query(`SELECT max(rowid) FROM ${q}`)).rows[0]![0])).toBeGreaterThan(2 * 122_880);
  });

  /** A 300,000-row table `paie` (three row groups) in a fresh engine, in a catalog, with its import entry. */
  async function payroll() {
    const engine = await freshEngine();
    await engine.exec(`CREATE TABLE paie AS SELECT i AS id, 'lib ' || (i % 1000) AS libelle FROM range(300000) r(i)`);
    const catalog = new Catalog();
    catalog.set({
      name: 'paie',
      kind: 'table',
      columns: (await describeColumns(engine, 'paie')).map((c) => ({ ...c, label: c.name })),
      rows: 0,
    });
    return { engine, catalog, entry: await importEntryFor(engine, 'paie') };
  }

  it('refuses a damaged file, or one holding a macro besides its table, and leaves nothing of it behind', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-reopen-'));
    const { engine, catalog, entry } = await payroll();
    const store = new NodeProjectStore(join(dir, 'proj'));
    await (await TableCache.load(store)).cache.save(engine, catalog, entry, ['paie']);
    const { cache } = await TableCache.load(store);
    const rec = cache.get('paie')!;
    const path = join(dir, 'proj', rec.files[0]!.path);
    const intact = await readFile(path);
    const other = await freshEngine();
    const nothingLeft = async () => {
      expect((await other.query(`SELECT count(*) FROM duckdb_tables() WHERE table_name = 'paie'`, { cache: false })).rows).toEqual([[0]]);
      expect(
        (await other.query(`SELECT count(*) FROM duckdb_databases() WHERE database_name LIKE 'loupe_%'`, { cache: false })).rows,
      ).toEqual([[0]]);
      expect(other.copiesAttached()).toBe(0);
    };
    // One byte changed in the middle of the file.
    const damaged = Buffer.from(intact);
    damaged[damaged.length >> 1]! ^= 0xff;
    await writeFile(path, damaged);
    await expect(cache.restore(other, new Catalog(), rec, entry)).rejects.toThrow(/\.duckdb : fichier endommagé \(somme de contrôle\)/);
    await nothingLeft();
    // The right table, plus a macro that would answer for abs() in every query once the file is on the search path.
    const hostile = await forgedDatabase(engine, ['CREATE TABLE h.t AS SELECT * FROM paie', 'CREATE MACRO h.main.abs(x) AS 42']);
    await writeFile(path, hostile);
    const forged = { ...rec, files: [{ ...rec.files[0]!, bytes: hostile.length, xxh64: await xxh64Hex(hostile) }] };
    await expect(cache.restore(other, new Catalog(), forged, entry)).rejects.toThrow(/contenu inattendu \(fonction abs, table t\)/);
    await nothingLeft();
    expect((await other.query('SELECT abs(-3)')).rows).toEqual([[3]]);
    // The engine goes on: the table comes back whole.
    await writeFile(path, intact);
    await cache.restore(other, new Catalog(), rec, entry);
    expect(await digestTable(other, 'paie')).toEqual(await digestTable(engine, 'paie'));
  });

  it('re-imports a table kept in several files by an earlier version, says why, and keeps it in one file', async () => {
    const s = await project();
    await s.cacheIdle();
    const idx = await index();
    const rec = idx.tables.find((t) => t.table === 'paiements')! as unknown as { files: { path: string; rows: number }[]; rows: number };
    const one = rec.files[0]!;
    const half = Math.floor(rec.rows / 2);
    rec.files = [
      { ...one, path: one.path.replace(/\.duckdb$/, '.0.duckdb'), rows: half },
      { ...one, path: one.path.replace(/\.duckdb$/, '.1.duckdb'), rows: rec.rows - half },
    ];
    await writeFile(join(dir, 'proj', CACHE_INDEX), JSON.stringify(idx));
    const { session, problems } = await open();
    expect(problems.map((p) => [p.fileName, p.kind])).toEqual([['paiements.csv', 'cache']]);
    expect(problems[0]!.reason).toMatch(/copie en 2 fichiers \(format d’avant le 4 décembre 2026\)/);
    expect((await digestTable(session.engine, 'paiements')).digest).toBe(s.journal.all()[0]!.output!.digest);
    await session.cacheIdle();
    expect((await index()).tables.find((t) => t.table === 'paiements')!.files).toHaveLength(1);
  });

  it('keeps no copy of a table written to while it was being copied', async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-reopen-'));
    const { engine, catalog, entry } = await payroll();
    // A write lands right after the copy (another operation rewriting the table).
    const query = engine.query.bind(engine);
    let struck = false;
    engine.query = async (sql, opts) => {
      const r = await query(sql, opts);
      if (!struck && /^CREATE TABLE "loupe_cache_/.test(sql)) {
        struck = true;
        await query(`UPDATE paie SET libelle = 'changé' WHERE id = 200000`);
      }
      return r;
    };
    const store = new NodeProjectStore(join(dir, 'proj'));
    expect(await (await TableCache.load(store)).cache.save(engine, catalog, entry, ['paie'])).toEqual([]);
    expect(struck).toBe(true);
    expect((await TableCache.load(store)).cache.get('paie')).toBeUndefined();
  });
});
