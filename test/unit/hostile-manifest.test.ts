// A project from someone else: its manifest (loupe.json) is untrusted input. Each hostile manifest
// must open safely (its problems listed) or be refused with a message, and must never make Loupe
// read or write a file outside the project folder through a project-relative path.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import type { FileResolver, SourceFile } from '../../src/core/ingest/source.ts';
import { JOURNAL_FILE, MANIFEST_FILE } from '../../src/core/project/manifest.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { manifest, OK, sha, source } from '../fixtures/received-project.ts';

let engine: Engine;
let base: string;
let root: string;
let secret: string;
const SECRET = 'secret;valeur\nmot de passe;hunter2\n';

beforeAll(async () => {
  engine = await createNodeEngine();
});
afterAll(async () => {
  await engine?.close();
});
afterEach(async () => {
  if (base) await rm(base, { recursive: true, force: true });
});

/** Every file the session opens, and every read of its bytes, as absolute paths. */
class RecordingStore extends NodeProjectStore {
  readonly opened: string[] = [];
  readonly read: string[] = [];
  override files(): FileResolver {
    const inner = super.files();
    return {
      open: async (path) => {
        const file = await inner.open(path);
        const abs = resolve(this.root, path);
        this.opened.push(abs);
        return recorded(file, abs, this.read);
      },
      list: (folder) => inner.list(folder),
    };
  }
}

function recorded(file: SourceFile, abs: string, log: string[]): SourceFile {
  return {
    ...file,
    slice: (a, b) => (log.push(abs), file.slice(a, b)),
    bytes: () => (log.push(abs), file.bytes()),
    chunks: (n) => (log.push(abs), file.chunks(n)),
    registerIn: (e, n) => (log.push(abs), file.registerIn(e, n)),
  };
}

/** The external resolver: a host that only serves what the user chose — here, nothing. */
function refusingResolver(log: string[]): FileResolver {
  return {
    open: async (path) => {
      log.push(path);
      throw new Error(`Fichier non autorisé : ${path}`);
    },
    list: async () => [],
  };
}

async function setup(m: unknown): Promise<RecordingStore> {
  base = await mkdtemp(join(tmpdir(), 'loupe-hostile-manifest-'));
  root = join(base, 'projet');
  await mkdir(join(root, 'sources'), { recursive: true });
  await mkdir(join(base, 'dehors'));
  secret = join(base, 'dehors', 'secret.csv');
  await writeFile(secret, SECRET);
  await writeFile(join(root, 'sources', 'ok.csv'), OK);
  await writeFile(join(root, MANIFEST_FILE), typeof m === 'string' ? m : JSON.stringify(m));
  return new RecordingStore(root);
}

function insideRoot(p: string): boolean {
  const rel = relative(root, p);
  return !rel.startsWith('..') && !resolve(rel).startsWith('..') && !rel.startsWith('/');
}

async function tables(): Promise<string[]> {
  return (await engine.query('SELECT table_name FROM duckdb_tables() ORDER BY 1')).rows.map((r) => String(r[0]));
}

async function dropAll(): Promise<void> {
  for (const t of await tables()) await engine.exec(`DROP TABLE IF EXISTS "${t.replaceAll('"', '""')}"`);
  const views = (await engine.query('SELECT view_name FROM duckdb_views() WHERE NOT internal')).rows.map((r) => String(r[0]));
  for (const v of views) await engine.exec(`DROP VIEW IF EXISTS "${v.replaceAll('"', '""')}"`);
}

describe('hostile project manifest', () => {
  afterEach(dropAll);

  it('sources pointing outside the project (../, absolute, /etc/passwd) are listed as problems; only the project file loads; nothing outside is read through a relative path', async () => {
    const store = await setup(manifest());
    const relSecret = relative(root, secret); // ../dehors/secret.csv
    const m = manifest({
      sources: [
        source('sources/ok.csv'),
        // The attacker knows the secret's hash: only the path check can stop it.
        source(relSecret, { table: 'fuite_rel', tables: ['fuite_rel'], sha256: sha(SECRET), size: SECRET.length }),
        source(`sources/../${relSecret}`, { table: 'fuite_rel2', tables: ['fuite_rel2'], sha256: sha(SECRET), size: SECRET.length }),
        source('../../../../../../../../etc/passwd', { table: 'passwd_rel', tables: ['passwd_rel'] }),
        source('/etc/passwd', { table: 'passwd_abs', tables: ['passwd_abs'] }),
      ],
    });
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify(m));
    const asked: string[] = [];
    const { session, problems } = await Session.open(engine, store, refusingResolver(asked));

    expect(session.catalog.get('ok')?.rows).toBe(2);
    expect(problems.map((p) => p.path).sort()).toEqual(
      [relSecret, `sources/../${relSecret}`, '../../../../../../../../etc/passwd', '/etc/passwd'].sort(),
    );
    for (const p of problems) expect(p.reason.length).toBeGreaterThan(0);
    for (const t of ['fuite_rel', 'fuite_rel2', 'passwd_rel', 'passwd_abs']) expect(session.catalog.has(t)).toBe(false);
    expect(await tables()).toEqual(['ok']);
    // Relative paths never open anything outside the project folder.
    const outsideRelative = store.opened.filter((p) => !insideRoot(p) && p !== '/etc/passwd');
    expect(outsideRelative).toEqual([]);
    expect(store.read.filter((p) => !insideRoot(p) && p !== '/etc/passwd')).toEqual([]);
    expect(await session.journal.verify()).toMatchObject({ ok: true });
    expect((await engine.query('SELECT 42')).rows[0]?.[0]).toBe(42);
  });

  it('oversized fields (a 1 MB name, a 1 MB file name, a 1 MB table name) are refused with a message', async () => {
    const big = 'A'.repeat(1024 * 1024);
    for (const [m, where] of [
      [manifest({ name: big }), /manifeste invalide \(name : /],
      [manifest({ sources: [source('sources/ok.csv', { fileName: big })] }), /manifeste invalide \(sources\.0\.fileName : /],
      [manifest({ sources: [source('sources/ok.csv', { table: big })] }), /manifeste invalide \(sources\.0\.table : /],
      [manifest({ sources: [source(big)] }), /manifeste invalide \(sources\.0\.path : /],
    ] as const) {
      const store = await setup(m);
      await expect(Session.open(engine, store, refusingResolver([]))).rejects.toThrow(where);
      expect(store.opened).toEqual([]);
      await rm(base, { recursive: true, force: true });
    }
  });

  it('<script> and SQL quotes in names stay inert: the table gets that exact name, quoted; nothing else is touched', async () => {
    const evil = '<script>alert(1)</script>"; DROP TABLE ok; --';
    const m = manifest({
      name: '<script>alert("projet")</script>',
      sources: [
        source('sources/ok.csv'),
        source('sources/ok.csv', { fileName: '<img src=x onerror=alert(1)>.csv', table: evil, tables: [evil] }),
      ],
    });
    const store = await setup(m);
    const { session, problems } = await Session.open(engine, store, refusingResolver([]));
    expect(problems).toEqual([]);
    expect(session.manifest.name).toBe('<script>alert("projet")</script>');
    expect(session.catalog.get('ok')?.rows).toBe(2);
    expect(session.catalog.get(evil)?.rows).toBe(2);
    expect((await tables()).sort()).toEqual([evil, 'ok'].sort());
  });

  it('a non-array `sources` is refused with a message', async () => {
    for (const sources of [{ 0: source('sources/ok.csv') }, 'sources/ok.csv', null, 42]) {
      const store = await setup(manifest({ sources }));
      await expect(Session.open(engine, store, refusingResolver([]))).rejects.toThrow(/manifeste invalide \(sources : /);
      expect(store.opened).toEqual([]);
      await rm(base, { recursive: true, force: true });
    }
  });

  it('100,000 sources are refused before any file is opened', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => source(`sources/f${i}.csv`, { table: `t${i}`, tables: [`t${i}`] }));
    const store = await setup(manifest({ sources: many }));
    const t0 = performance.now();
    await expect(Session.open(engine, store, refusingResolver([]))).rejects.toThrow(/manifeste invalide \(sources : /);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(store.opened).toEqual([]);
  });

  it('not JSON, the wrong format, or deeply nested JSON: refused with a message', async () => {
    for (const [text, msg] of [
      ['{"format": "loupe-project", ', /n’est pas du JSON valide/],
      [JSON.stringify({ format: 'autre-chose', version: 1 }), /manifeste invalide \(format : /],
      ['['.repeat(100_000) + ']'.repeat(100_000), /manifeste invalide \(racine : /],
      ['', /n’est pas du JSON valide/],
    ] as const) {
      const store = await setup(text);
      await expect(Session.open(engine, store, refusingResolver([]))).rejects.toThrow(msg);
      await rm(base, { recursive: true, force: true });
    }
  });

  it('saved queries cannot smuggle a second statement (DROP, COPY … TO a file) after their SELECT', async () => {
    const pwned = join(tmpdir(), `loupe-pwned-${process.pid}.csv`);
    const store = await setup(manifest());
    const m = manifest({
      queries: [
        { name: 'v_ok', sql: 'SELECT sum(montant) AS total FROM ok', createdAt: '2024-01-01' },
        { name: 'v_drop', sql: 'SELECT 1; DROP TABLE ok', createdAt: '2024-01-01' },
        { name: 'v_copy', sql: `SELECT 1; COPY (SELECT 'owned') TO '${pwned}'`, createdAt: '2024-01-01' },
        { name: 'v_semicolon_in_text', sql: 'SELECT \'a;b\' AS "x;y" -- ; fine\n', createdAt: '2024-01-01' },
      ],
    });
    await writeFile(join(root, MANIFEST_FILE), JSON.stringify(m));
    const { session, problems } = await Session.open(engine, store, refusingResolver([]));
    expect(session.catalog.get('ok')?.rows).toBe(2);
    expect(Number((await engine.query('SELECT count(*) FROM ok')).rows[0]?.[0])).toBe(2);
    expect(existsSync(pwned)).toBe(false);
    expect(problems.map((p) => p.path).sort()).toEqual(['v_copy', 'v_drop']);
    for (const p of problems) expect(p.reason).toMatch(/Une seule requête à la fois/);
    const views = (await engine.query('SELECT view_name FROM duckdb_views() WHERE NOT internal')).rows.map((r) => String(r[0]));
    expect(views.sort()).toEqual(['v_ok', 'v_semicolon_in_text']);
    // The journal file was not touched by opening.
    expect(await readFile(join(root, JOURNAL_FILE), 'utf8').catch(() => '')).toBe('');
  });
});
