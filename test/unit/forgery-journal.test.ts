// Forgeries of a real project's journal, each the way someone with the folder could try it: drop the
// last entries, empty the journal, slip in a field the hash does not cover, insert a back-dated entry
// and recompute the chain, leave a half-written line, make the manifest and the journal disagree.
// Each is named by verifyProject with its code, and `loupe verify` exits non-zero on it.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import type { Engine } from '../../src/core/engine/engine.ts';
import { createNodeEngine } from '../../src/node/engine.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { entryHash, parseJournal, type JournalEntry } from '../../src/core/journal/journal.ts';
import { getOperation } from '../../src/core/ops/registry.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { repairJournal, verifyProject } from '../../src/core/project/verify.ts';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
let engine: Engine;
const engines: Engine[] = [];
let cleanJournal = '';
let cleanManifest = '';
const project = () => join(dir, 'proj');
const journalPath = () => join(project(), 'journal.ndjson');
const manifestPath = () => join(project(), 'loupe.json');
const store = () => new NodeProjectStore(project());

const journalLines = async () => (await readFile(journalPath(), 'utf8')).trimEnd().split('\n');
const writeLines = (l: string[]) => writeFile(journalPath(), l.map((x) => x + '\n').join(''));
const manifest = async () => JSON.parse(await readFile(manifestPath(), 'utf8'));
const codes = async () => (await verifyProject(store())).problems.map((p) => `${p.level}:${p.code}`);

/** Recomputes every hash from `from` on, as a forger with the file and this code would. */
async function rechain(entries: Omit<JournalEntry, 'hash'>[]): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for (const [i, e] of entries.entries()) {
    const body = { ...e, seq: i, prev: out[i - 1]?.hash ?? null };
    out.push({ ...body, hash: await entryHash(body) });
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-forgery-journal-'));
  // Copies the project keeps (project-relative paths), so replay reads them without any outside access.
  await mkdir(join(project(), 'sources'), { recursive: true });
  await writeFile(
    join(project(), 'sources', 'mandats.csv'),
    '\uFEFFTiers;Montant;Date\r\nSociété A;1234,50;01/02/2024\r\nSociété B;10,00;15/03/2024\r\nSociété A;99,00;20/03/2024\r\n',
  );
  await writeFile(join(project(), 'sources', 'chapitres.csv'), 'code,libellé\n011,Charges à caractère général\n012,Charges de personnel\n');
  engine = await createNodeEngine();
  const s = await Session.create(engine, store(), nodeFileResolver, 'Forgeries');
  await s.importPath('sources/mandats.csv');
  await s.importPath('sources/chapitres.csv');
  await s.saveQuery('par_tiers', 'SELECT "tiers", sum("montant") AS total FROM mandats GROUP BY 1');
  // An operation run outside any explicit save: the head is anchored all the same.
  await s.run(getOperation('sql')!, { sql: 'SELECT count(*) FROM mandats' });
  cleanJournal = await readFile(journalPath(), 'utf8');
  cleanManifest = await readFile(manifestPath(), 'utf8');
}, 120_000);

/** Reopening needs an engine of its own: the tables already exist in the first one. */
async function reopen(): Promise<Session> {
  const e = await createNodeEngine();
  engines.push(e);
  return (await Session.open(e, store(), nodeFileResolver)).session;
}

afterAll(async () => {
  await engine?.close();
  for (const e of engines) await e.close();
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await writeFile(journalPath(), cleanJournal);
  await writeFile(manifestPath(), cleanManifest);
  for (const f of await readdir(project())) if (f.startsWith('journal.torn-')) await rm(join(project(), f));
});

describe('an intact project', () => {
  it('anchors the head after every entry, verifies clean and prints the head in full', async () => {
    const entries = parseJournal(cleanJournal).entries;
    expect(entries.map((e) => e.op)).toEqual(['import-file', 'import-file', 'save-query', 'sql']);
    expect((await manifest()).journalHead).toEqual({ count: 4, hash: entries[3]!.hash });
    expect(await codes()).toEqual([]);
    const res = await loupe('verify', '--project', project());
    expect(res.code).toBe(0);
    expect(res.out).toContain(`Tête du journal : 4 entrée(s), empreinte de la dernière (n° 3) ${entries[3]!.hash}`);
    expect(res.out).toMatch(/Journal intact : 4 entrée\(s\).*tête conforme au manifeste/);
  });
});

describe('the report', () => {
  it('prints the head it verified, and names a missing tail instead', async () => {
    const out = join(dir, 'rapport.html');
    expect((await loupe('report', '--project', project(), '--out', out)).code).toBe(0);
    const head = parseJournal(cleanJournal).entries[3]!.hash;
    expect(await readFile(out, 'utf8')).toContain(`Tête du journal : 4 entrée(s), empreinte de la dernière (n° 3) ${head}`);
    await writeLines((await journalLines()).slice(0, -1));
    expect((await loupe('report', '--project', project(), '--out', out)).code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<p class="ko">Journal altéré :</p><ul class="ko"><li>il manque 1 entrée(s) à la fin du journal');
    expect(html).not.toContain(head);
  }, 60_000);
});

describe('forgeries of the journal', () => {
  it('deleting the last entry: the tail the manifest announces is missing', async () => {
    const l = await journalLines();
    await writeLines(l.slice(0, -1));
    const v = await verifyProject(store());
    expect(v.ok).toBe(false);
    const head = (await manifest()).journalHead;
    expect(v.problems).toEqual([
      {
        code: 'journal-tail-missing',
        level: 'error',
        seq: 3,
        message: `il manque 1 entrée(s) à la fin du journal : le manifeste en annonce 4, tête ${head.hash.slice(0, 12)}… ; le journal s’arrête à l’entrée n° 2`,
      },
    ]);
    const res = await loupe('verify', '--project', project());
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/erreur : il manque 1 entrée\(s\) à la fin du journal : le manifeste en annonce 4/);
  });

  it('deleting the last two entries, a saved query among them: the tail and the query are named', async () => {
    await writeLines((await journalLines()).slice(0, -2));
    expect(await codes()).toEqual(['error:journal-tail-missing', 'error:query-not-journaled']);
    expect((await verifyProject(store())).problems[0]!.message).toMatch(/^il manque 2 entrée\(s\)/);
    expect((await loupe('verify', '--project', project())).code).toBe(1);
  });

  it('emptying the journal next to a manifest that lists sources', async () => {
    await writeFile(journalPath(), '');
    const v = await verifyProject(store());
    expect(v.count).toBe(0);
    expect(v.problems.map((p) => p.code)).toEqual([
      'journal-tail-missing',
      'source-not-journaled',
      'source-not-journaled',
      'query-not-journaled',
    ]);
    expect(v.problems[0]!.message).toMatch(
      /^il manque 4 entrée\(s\) à la fin du journal : le manifeste en annonce 4, tête [0-9a-f]{12}… ; le journal s’arrête à zéro entrée$/,
    );
    expect(v.problems[1]!.message).toMatch(/« mandats\.csv » \(table mandats\).*aucune entrée du journal/);
    const res = await loupe('verify', '--project', project());
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/journal vide/);
  });

  it('deleting the journal file altogether', async () => {
    await rm(journalPath());
    expect(await codes()).toContain('error:journal-missing');
    expect((await loupe('verify', '--project', project())).code).toBe(1);
  });

  it('adding a field the hash does not cover: refused before hashing, the line named', async () => {
    const l = await journalLines();
    const e = JSON.parse(l[1]!);
    e.validatedBy = 'Directeur financier';
    l[1] = JSON.stringify(e);
    await writeLines(l);
    const v = await verifyProject(store());
    expect(v.ok).toBe(false);
    expect(v.problems[0]).toMatchObject({
      code: 'line-malformed',
      seq: 1,
      message: expect.stringMatching(/^ligne 2 : entrée mal formée \(champ\(s\) inconnu\(s\) « validatedBy »\)/),
    });
    const res = await loupe('verify', '--project', project());
    expect(res.code).toBe(1);
    expect(res.out).toMatch(/ligne 2 : entrée mal formée/);
  });

  it('inserting a back-dated entry and recomputing the whole chain: the anchored head no longer matches', async () => {
    const entries = parseJournal(cleanJournal).entries.map(({ hash: _h, ...rest }) => rest);
    const forged: Omit<JournalEntry, 'hash'> = {
      ...entries[2]!,
      op: 'sql',
      params: { sql: 'SELECT 1' },
      sql: ['SELECT 1'],
      inputs: [],
      output: null,
      at: '2020-01-01T00:00:00.000Z',
    };
    delete (forged as { summary?: string }).summary;
    const chained = await rechain([...entries.slice(0, 2), forged, ...entries.slice(2)]);
    await writeLines(chained.map((e) => JSON.stringify(e)));
    const v = await verifyProject(store());
    expect(v.ok).toBe(false);
    // The chain itself is consistent: only the anchor and the dates give it away.
    expect(v.problems.map((p) => `${p.level}:${p.code}:${p.seq}`)).toEqual(['warning:entry-out-of-order:2', 'error:head-mismatch:3']);
    expect(v.problems[1]!.message).toMatch(/^l’entrée n° 3 n’est pas celle que le manifeste a ancrée/);
    expect((await loupe('verify', '--project', project())).code).toBe(1);
  });

  it('a forger who also rewrites the manifest head is held by the head published earlier', async () => {
    const published = (await verifyProject(store())).head;
    await writeLines((await journalLines()).slice(0, -1));
    const m = await manifest();
    const entries = parseJournal(await readFile(journalPath(), 'utf8')).entries;
    m.journalHead = { count: entries.length, hash: entries.at(-1)!.hash };
    await writeFile(manifestPath(), JSON.stringify(m));
    const v = await verifyProject(store());
    // Nothing on disk can tell any more; the head printed in the report sent out no longer matches.
    expect(v.ok).toBe(true);
    expect(v.head).not.toEqual(published);
  });
});

describe('a half-written last line', () => {
  it('fails verify; repair sets it aside byte for byte, journals it, and the project verifies again', async () => {
    const torn = '{"seq":4,"at":"2024-05-01T10:00:00.000Z","op":"sql","params":{"sql":"SELECT';
    await writeFile(journalPath(), cleanJournal + torn);
    const before = await verifyProject(store());
    expect(before.problems).toEqual([
      {
        code: 'line-torn',
        level: 'error',
        seq: 4,
        message: 'ligne 5 : dernière ligne tronquée (écriture interrompue) — « loupe repair » la met de côté et l’inscrit au journal',
      },
    ]);
    const v = await loupe('verify', '--project', project());
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/ligne 5 : dernière ligne tronquée/);

    const r = await loupe('repair', '--project', project());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(`ligne 5 tronquée \\(${Buffer.byteLength(torn)} octet\\(s\\)\\) mise\\(s\\) de côté dans journal\\.torn-.*\\.ndjson`),
    );
    const side = (await readdir(project())).filter((f) => f.startsWith('journal.torn-'));
    expect(side).toHaveLength(1);
    expect(await readFile(join(project(), side[0]!), 'utf8')).toBe(torn + '\n');

    const after = parseJournal(await readFile(journalPath(), 'utf8')).entries;
    expect(after.map((e) => e.op)).toEqual(['import-file', 'import-file', 'save-query', 'sql', 'journal-repair']);
    expect(after[4]!.params).toMatchObject({ sideFile: side[0], removed: [{ line: 5, bytes: Buffer.byteLength(torn) }] });
    expect((await manifest()).journalHead).toEqual({ count: 5, hash: after[4]!.hash });
    expect(await codes()).toEqual([]);
    expect((await loupe('verify', '--project', project())).code).toBe(0);
    expect((await loupe('repair', '--project', project())).out).toMatch(/Rien à réparer/);
  });

  it('an entry written after the torn line starts on its own line, and repair still keeps it', async () => {
    await writeFile(journalPath(), cleanJournal + '{"seq":4,"at":"2024');
    const session = await reopen();
    await session.run(getOperation('sql')!, { sql: 'SELECT 2' });
    expect(await codes()).toEqual(['error:line-torn']);
    expect((await verifyProject(store())).problems[0]!.message).toMatch(/^ligne 5 : ligne illisible/);
    const r = await repairJournal(store());
    expect(r.removed.map((x) => x.line)).toEqual([5]);
    expect(parseJournal(await readFile(journalPath(), 'utf8')).entries.map((e) => e.op)).toEqual([
      'import-file',
      'import-file',
      'save-query',
      'sql',
      'sql',
      'journal-repair',
    ]);
    expect(await codes()).toEqual([]);
  });

  it('repair refuses what is not crash debris: an edited entry stays for verify to report', async () => {
    const l = await journalLines();
    const e = JSON.parse(l[0]!);
    e.extra = 1;
    l[0] = JSON.stringify(e);
    await writeFile(journalPath(), l.join('\n') + '\n{"seq"');
    await expect(repairJournal(store())).rejects.toThrow(/réparation refusée : ligne 1 : entrée mal formée/);
    expect((await loupe('repair', '--project', project())).code).toBe(1);
    // A torn line standing where an entry was removed: the chain around it is broken, no repair.
    const k = cleanJournal.trimEnd().split('\n');
    k[1] = '{"seq":1,"at":';
    await writeLines(k);
    await expect(repairJournal(store())).rejects.toThrow(/chaîne est rompue à l’entrée 2/);
  });
});

describe('the manifest and the journal agree table by table', () => {
  it('a source dropped from the manifest: its import is named', async () => {
    const m = await manifest();
    m.sources = m.sources.filter((x: { table: string }) => x.table !== 'chapitres');
    await writeFile(manifestPath(), JSON.stringify(m));
    const v = await verifyProject(store());
    expect(v.problems).toEqual([
      expect.objectContaining({
        code: 'import-not-in-manifest',
        seq: 1,
        message: expect.stringMatching(
          /^la table chapitres, importée à l’entrée n° 1 \(.*chapitres\.csv\), n’a pas de source dans le manifeste/,
        ),
      }),
    ]);
    expect((await loupe('verify', '--project', project())).code).toBe(1);
  });

  it('a source added to the manifest by hand, and a source whose hash was changed', async () => {
    const m = await manifest();
    m.sources.push({ ...m.sources[0], table: 'fantome', tables: ['fantome'], fileName: 'fantome.csv' });
    m.sources[1].sha256 = 'f'.repeat(64);
    await writeFile(manifestPath(), JSON.stringify(m));
    expect(await codes()).toEqual(['error:source-hash-mismatch', 'error:source-not-journaled']);
    expect((await verifyProject(store())).problems[1]!.message).toMatch(/« fantome\.csv » \(table fantome\)/);
  });

  it('checks owned elsewhere plug in and see what verify read', async () => {
    const seen: number[] = [];
    const v = await verifyProject(store(), {
      checks: [
        async ({ manifest: m, entries }) => (
          seen.push(entries.length, m.sources.length),
          [{ code: 'findings-x', level: 'error', message: 'constat modifié' }]
        ),
      ],
    });
    expect(seen).toEqual([4, 2]);
    expect(v).toMatchObject({ ok: false, problems: [{ code: 'findings-x', message: 'constat modifié' }] });
  });

  it('a saved query dropped from the manifest', async () => {
    const m = await manifest();
    m.queries = [];
    await writeFile(manifestPath(), JSON.stringify(m));
    expect(await codes()).toEqual(['error:query-not-in-manifest']);
  });
});

describe('older projects and a lost tail', () => {
  it('a manifest without a head opens, verify warns, and the next save anchors it', async () => {
    const m = await manifest();
    delete m.journalHead;
    await writeFile(manifestPath(), JSON.stringify(m));
    const v = await verifyProject(store());
    expect(v.ok).toBe(true);
    expect(v.problems).toEqual([
      expect.objectContaining({
        code: 'head-unanchored',
        level: 'warning',
        message: expect.stringMatching(/^tête non ancrée \(projet antérieur\)/),
      }),
    ]);
    const cli = await loupe('verify', '--project', project());
    expect(cli.code).toBe(0);
    expect(cli.err).toMatch(/attention : tête non ancrée \(projet antérieur\)/);
    const session = await reopen();
    await session.save();
    expect((await manifest()).journalHead).toEqual({ count: 4, hash: parseJournal(cleanJournal).entries[3]!.hash });
    expect(await codes()).toEqual([]);
  });

  it('working on in a project that lost its tail does not launder the loss', async () => {
    await writeLines((await journalLines()).slice(0, -2));
    const session = await reopen();
    await session.run(getOperation('sql')!, { sql: 'SELECT 3' });
    await session.run(getOperation('sql')!, { sql: 'SELECT 4' });
    await session.save();
    const v = await verifyProject(store());
    expect(v.count).toBe(4);
    expect(v.problems.map((p) => p.code)).toEqual(['head-mismatch', 'query-not-journaled']);
    expect((await loupe('verify', '--project', project())).code).toBe(1);
  });

  it('replay reports the chain problems too', async () => {
    await writeLines((await journalLines()).slice(0, -1));
    const res = await loupe('replay', '--project', project(), '--format', 'json');
    expect(res.code).toBe(1);
    const report = JSON.parse(res.out);
    expect(report.chain.ok).toBe(false);
    expect(report.chain.problems.map((p: { code: string }) => p.code)).toEqual(['journal-tail-missing']);
    expect(report.differences).toEqual([]);
    // The two imports and the saved query that remain are re-run and match.
    expect(report.identical).toBe(3);
  }, 60_000);
});
