// A project from someone else must not make Loupe read or write files outside its folder: not through
// its manifest (absolute paths, "..", links), not through its journal, not through SQL (saved views,
// the workbench, `loupe sql`), which runs on an engine that has no file access at all.
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { approvedFileResolver } from '../../src/node/node-source.ts';
import { chainResolvers, type FileResolver } from '../../src/core/ingest/source.ts';
import { JOURNAL_FILE, MANIFEST_FILE } from '../../src/core/project/manifest.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { readQuery, runWorkbenchQuery } from '../../src/core/query/workbench.ts';
import { manifest, OK, sha, source } from '../fixtures/received-project.ts';
import { loupe } from '../fixtures/cli.ts';

const MARK = 'SECRET_MARK_7f3a';

let engine: Engine;
let base: string;
let root: string;
let secret: string;
const savedHome = process.env.LOUPE_HOME;

beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(async () => {
  await engine?.close();
  if (savedHome === undefined) delete process.env.LOUPE_HOME;
  else process.env.LOUPE_HOME = savedHome;
});

beforeEach(async () => {
  if (base) await rm(base, { recursive: true, force: true });
  base = await mkdtemp(join(tmpdir(), 'loupe-confinement-'));
  root = join(base, 'projet');
  await mkdir(join(root, 'sources'), { recursive: true });
  await mkdir(join(base, 'dehors'));
  secret = join(base, 'dehors', 'secret.csv');
  await writeFile(secret, `secret;valeur\n${MARK};1\n`);
  await writeFile(join(root, 'sources', 'ok.csv'), OK);
  // Approvals of outside files are per machine: here, per test.
  process.env.LOUPE_HOME = join(base, 'home');
  for (const t of (await engine.query('SELECT table_name FROM duckdb_tables()')).rows)
    await engine.exec(`DROP TABLE IF EXISTS "${String(t[0])}"`);
  for (const v of (await engine.query('SELECT view_name FROM duckdb_views() WHERE NOT internal')).rows)
    await engine.exec(`DROP VIEW IF EXISTS "${String(v[0])}"`);
});
afterAll(() => (base ? rm(base, { recursive: true, force: true }) : undefined));

/** What the CLI gives a project as "outside files": only those approved — here, none. */
const NOTHING_APPROVED: FileResolver = approvedFileResolver(
  () => false,
  (p) => `non approuvé : ${p}`,
);

// Each spelling reads (or writes) a file by name. Before the engine was locked, a text guard let the
// first six through; now DuckDB itself has no file access, whatever the spelling.
const P = () => secret;
const FILE_ACCESS: [string, () => string][] = [
  ['query() around read_text', () => `SELECT * FROM query('SELECT * FROM read_text(''${P()}'')')`],
  ['a path as a second FROM item', () => `SELECT * FROM ok, '${P()}'`],
  ['a path as a quoted name', () => `SELECT * FROM "${P()}"`],
  ['query_table() on a path', () => `SELECT * FROM query_table('${P()}')`],
  ['a quoted function name', () => `SELECT * FROM "read_text"('${P()}')`],
  ['a comment before the parenthesis', () => `SELECT * FROM read_text/**/('${P()}')`],
  ['read_csv_auto', () => `SELECT * FROM read_csv_auto('${P()}')`],
  ['read_blob', () => `SELECT * FROM read_blob('${P()}')`],
  ['sniff_csv', () => `SELECT * FROM sniff_csv('${P()}')`],
  ['parquet_scan', () => `SELECT * FROM parquet_scan('${P()}')`],
  ['glob()', () => `SELECT * FROM glob('${join(base, 'dehors')}/*')`],
  ["FROM 'file.csv'", () => `FROM '${P()}'`],
  ["FROM '/etc/hostname'", () => `FROM '/etc/hostname'`],
  ['a path built by concatenation', () => `SELECT * FROM read_text('${P().slice(0, 5)}' || '${P().slice(5)}')`],
  ['a path under the engine folder with ..', () => `SELECT * FROM read_text('/loupe-registered/..${P()}')`],
  ['a file: URL', () => `SELECT * FROM read_text('file://${P()}')`],
  ['DESCRIBE of a read', () => `DESCRIBE SELECT * FROM read_csv('${P()}')`],
  ['SUMMARIZE of a read', () => `SUMMARIZE SELECT * FROM read_text('${P()}')`],
  ['inside a CTE', () => `WITH s AS (SELECT * FROM read_json_auto('${P()}')) SELECT * FROM s`],
];
const STATEMENTS: [string, () => string][] = [
  ['COPY TO', () => `COPY (SELECT 'owned') TO '${join(base, 'dehors', 'pwned.csv')}'`],
  ['ATTACH', () => `ATTACH '${join(base, 'dehors', 'x.db')}' AS x`],
  ['LOAD', () => 'LOAD httpfs'],
  ['SET external access back on', () => 'SET enable_external_access = true'],
];
// Refused by the locked engine, or before it: a function of an extension never loaded, a statement a view cannot hold.
const REFUSED =
  /refusé|n’est pas permis|Seules les requêtes de lecture|verrouillés|does not exist|No files found|not in the catalog|fait partie de l’extension|syntax error/;

describe('the engine cannot read or write files by name', () => {
  it.each(FILE_ACCESS)(
    '%s is refused through `loupe sql`, the workbench and a saved view, and nothing of the file shows',
    async (_label, q) => {
      await writeFile(join(root, MANIFEST_FILE), JSON.stringify(manifest({ queries: [{ name: 'v', sql: q(), createdAt: '2024-01-01' }] })));
      const store = new NodeProjectStore(root);
      const { session, problems } = await Session.open(engine, store, NOTHING_APPROVED);
      expect(session.catalog.get('ok')?.rows).toBe(2);
      // The saved view from the received manifest: not created, reported by name.
      expect(problems.map((p) => p.path)).toEqual(['v']);
      expect(problems[0]!.reason).toMatch(REFUSED);
      expect(problems[0]!.reason).not.toContain(MARK);
      const before = session.journal.all().length;
      await expect(runWorkbenchQuery(session, q(), 'test')).rejects.toThrow(REFUSED);
      await expect(session.saveQuery('v2', q())).rejects.toThrow(REFUSED);
      expect(session.journal.all().length).toBe(before);
    },
  );

  it.each(STATEMENTS)('%s is refused by the engine itself, even when run directly', async (_label, q) => {
    await expect(engine.exec(q())).rejects.toThrow(/refusé|n’est pas permis|verrouillés|non permis|Invalid|Permission/);
    expect(existsSync(join(base, 'dehors', 'pwned.csv'))).toBe(false);
    expect(existsSync(join(base, 'dehors', 'x.db'))).toBe(false);
  });

  it('INSTALL is not a reading statement, and nothing installed could be loaded', async () => {
    const s = await Session.create(engine, new NodeProjectStore(root), NOTHING_APPROVED, 'p');
    await expect(readQuery(s, 'INSTALL httpfs')).rejects.toThrow(/Seules les requêtes de lecture/);
    await expect(engine.exec('LOAD httpfs')).rejects.toThrow(/Charger une extension de DuckDB n’est pas permis/);
  });

  it('the engine still imports and exports through the files it registers itself', async () => {
    const store = new NodeProjectStore(root);
    const s = await Session.create(engine, store, NOTHING_APPROVED, 'p');
    await s.importPath('sources/ok.csv');
    expect((await readQuery(s, 'SELECT sum(montant) FROM ok')).rows.rows[0]?.[0]).toBe(30);
  });

  it(
    '`loupe sql` journals its query, and refuses read_text, read_csv and two statements with a clear message and no journal entry',
    { timeout: 240_000 },
    async () => {
      expect((await loupe('import', join(root, 'sources', 'ok.csv'), '--project', root)).code).toBe(0);
      const journal = () => readFile(join(root, JOURNAL_FILE), 'utf8');
      const ok = await loupe('sql', '--project', root, 'SELECT count(*) AS n FROM ok', '--format', 'json');
      expect(ok).toMatchObject({ code: 0, out: '[{"n":2}]\n' });
      expect(
        (await journal())
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).op),
      ).toEqual(['import-file', 'sql']);
      const entry = JSON.parse((await journal()).trim().split('\n')[1]!);
      expect(entry).toMatchObject({
        params: { sql: 'SELECT count(*) AS n FROM ok' },
        inputs: [{ table: 'ok' }],
        output: { rows: 1, digest: expect.stringMatching(/^[0-9a-f]{16,}$/) },
      });
      const before = await journal();
      const bad = await loupe('sql', '--project', root, "SELECT * FROM read_text('/etc/hostname')");
      expect(bad.code).toBe(1);
      expect(bad.err).toMatch(/Accès au fichier « \/etc\/hostname » refusé/);
      const csv = await loupe('sql', '--project', root, "SELECT * FROM read_csv('/etc/passwd')");
      expect(csv).toMatchObject({ code: 1, err: expect.stringMatching(/Accès au fichier « \/etc\/passwd » refusé/) });
      expect(csv.out).not.toContain('root:');
      const two = await loupe('sql', '--project', root, 'SELECT 1; SELECT 2');
      expect(two).toMatchObject({ code: 1, err: expect.stringMatching(/Une seule requête/) });
      expect(await journal()).toBe(before);
    },
  );
});

describe('a project only reads files inside its folder', () => {
  async function openWith(sources: unknown[], external: FileResolver = NOTHING_APPROVED) {
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify(manifest({ sources })));
    return Session.open(engine, new NodeProjectStore(root), external);
  }

  it('an absolute path to a file outside is not read unless approved, and the message names it', async () => {
    const { session, problems } = await openWith([
      source('sources/ok.csv'),
      source(secret, { table: 'fuite', tables: ['fuite'] }),
      source('/etc/passwd', { table: 'pw', tables: ['pw'] }),
    ]);
    expect(session.catalog.has('ok')).toBe(true);
    expect(problems.map((p) => p.path).sort()).toEqual(['/etc/passwd', secret].sort());
    for (const p of problems) expect(p.reason).toContain(`non approuvé : ${p.path}`);
  });

  it('"../" is refused by the project and not retried from the current folder', async () => {
    let asked: string[] = [];
    const spy: FileResolver = { open: async (p) => (asked.push(p), NOTHING_APPROVED.open(p)), list: async () => [] };
    const store = new NodeProjectStore(root);
    const chain = chainResolvers(store.files(), spy);
    await expect(chain.open('../dehors/secret.csv')).rejects.toThrow(/Chemin refusé — \.\.\/dehors\/secret\.csv : « \.\. »/);
    await expect(chain.open('sources/../../dehors/secret.csv')).rejects.toThrow(/Chemin refusé/);
    expect(asked).toEqual([]);
    asked = [];
    const { problems } = await openWith([
      source('sources/ok.csv'),
      source('../dehors/secret.csv', { table: 'f', tables: ['f'], sha256: sha(`secret;valeur\n${MARK};1\n`) }),
    ]);
    expect(problems.map((p) => p.reason)).toEqual([expect.stringMatching(/Chemin refusé — \.\.\/dehors\/secret\.csv/)]);
  });

  it('a symlinked source file, a symlinked sources/ folder and a hard link are refused by name', async () => {
    await symlink(secret, join(root, 'sources', 'lien.csv'));
    await symlink(join(base, 'dehors'), join(root, 'sources', 'dossier'));
    await link(secret, join(root, 'sources', 'physique.csv'));
    const { session, problems } = await openWith([
      source('sources/ok.csv'),
      source('sources/lien.csv', { table: 'a', tables: ['a'] }),
      source('sources/dossier/secret.csv', { table: 'b', tables: ['b'] }),
      source('sources/physique.csv', { table: 'c', tables: ['c'] }),
    ]);
    expect(session.catalog.has('ok')).toBe(true);
    const why = Object.fromEntries(problems.map((p) => [p.path, p.reason]));
    expect(why['sources/lien.csv']).toMatch(/Chemin refusé — sources\/lien\.csv : lien symbolique/);
    expect(why['sources/dossier/secret.csv']).toMatch(/« sources\/dossier » est un lien symbolique/);
    expect(why['sources/physique.csv']).toMatch(/lien physique/);
    for (const t of ['a', 'b', 'c']) expect(session.catalog.has(t)).toBe(false);
  });

  it('a whole sources/ folder linked elsewhere is refused', async () => {
    await rm(join(root, 'sources'), { recursive: true });
    await mkdir(join(base, 'ailleurs'));
    await writeFile(join(base, 'ailleurs', 'ok.csv'), OK);
    await symlink(join(base, 'ailleurs'), join(root, 'sources'));
    const { problems } = await openWith([source('sources/ok.csv')]);
    expect(problems.map((p) => p.reason)).toEqual([expect.stringMatching(/« sources » est un lien symbolique/)]);
  });

  it('a journal or manifest linked to another file is refused, and that file is left untouched', async () => {
    const victim = join(base, 'dehors', 'victime.txt');
    await writeFile(victim, 'intact\n');
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify(manifest()));
    await symlink(victim, join(root, JOURNAL_FILE));
    await expect(Session.open(engine, new NodeProjectStore(root), NOTHING_APPROVED)).rejects.toThrow(
      /Chemin refusé — journal\.ndjson : lien symbolique/,
    );
    await rm(join(root, JOURNAL_FILE));
    await link(victim, join(root, JOURNAL_FILE));
    await expect(Session.open(engine, new NodeProjectStore(root), NOTHING_APPROVED)).rejects.toThrow(/journal\.ndjson : lien physique/);
    await rm(join(root, JOURNAL_FILE));
    await rm(join(root, MANIFEST_FILE));
    await symlink(victim, join(root, MANIFEST_FILE));
    await expect(Session.open(engine, new NodeProjectStore(root), NOTHING_APPROVED)).rejects.toThrow(/loupe\.json : lien symbolique/);
    expect(await readFile(victim, 'utf8')).toBe('intact\n');
  });
});

describe('the CLI reads outside files only with the user’s approval', { timeout: 240_000 }, () => {
  /** A CSV next to the project, not in it. */
  let outside: string;
  beforeEach(async () => {
    outside = join(base, 'dehors', 'montants.csv');
    await writeFile(outside, OK);
  });

  it('a received project naming a file outside opens without it; --allow-external-sources reads it and remembers it for this project', async () => {
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify(manifest({ sources: [source(outside, { table: 'm', tables: ['m'] })] })));
    const refused = await loupe('tables', '--project', root);
    expect(refused.code).toBe(0);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/montants\.csv : source hors du projet non approuvée sur cette machine .*--allow-external-sources/);
    const allowed = await loupe('sql', '--project', root, 'SELECT count(*) AS n FROM m', '--format', 'json', '--allow-external-sources');
    expect(allowed).toMatchObject({ code: 0, out: '[{"n":2}]\n' });
    // Remembered with its hash: the next run reads it without the flag, until the file changes.
    expect((await loupe('tables', '--project', root)).out).toMatch(/^m\t2\t/);
    await writeFile(outside, OK + '3;30\n');
    expect((await loupe('tables', '--project', root)).err).toMatch(/montants\.csv : le fichier a changé depuis son import/);
  });

  it('import --copy keeps a copy under sources/ and records it relative, so the folder can be handed over', async () => {
    const proj = join(base, 'copie');
    expect((await loupe('import', outside, '--copy', '--project', proj)).code).toBe(0);
    const m = JSON.parse(await readFile(join(proj, MANIFEST_FILE), 'utf8'));
    expect(m.sources.map((s: { path: string }) => s.path)).toEqual(['sources/montants.csv']);
    expect(await readFile(join(proj, 'sources', 'montants.csv'), 'utf8')).toBe(OK);
    await rm(outside);
    process.env.LOUPE_HOME = join(base, 'autre-machine');
    expect((await loupe('tables', '--project', proj)).out).toMatch(/^montants\t2\t/);
  });
});
