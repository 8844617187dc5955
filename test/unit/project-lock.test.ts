// One writer per project: two `loupe import` at once used to both exit 0, number their journal entry 1
// and lose a table from the manifest. A kill during a save used to leave a stray temporary file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJournalText } from '../../src/core/journal/journal.ts';
import { acquireProjectLock, LOCK_FILE } from '../../src/node/node-lock.ts';
import { loupe } from '../fixtures/cli.ts';

let dir: string;
const LOUPE = join(process.cwd(), 'src/cli/loupe.mjs');

const savedHome = process.env.LOUPE_HOME;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-lock-'));
  // This machine's approvals of outside files: the same for the commands run here and the child processes.
  process.env.LOUPE_HOME = join(dir, 'home');
  for (const [name, rows] of [
    ['a', 2],
    ['b', 3],
    ['c', 4],
  ] as const) {
    await writeFile(join(dir, `${name}.csv`), `code;montant\n${Array.from({ length: rows }, (_, i) => `${i};${i * 10}`).join('\n')}\n`);
  }
});
afterAll(async () => {
  if (savedHome === undefined) delete process.env.LOUPE_HOME;
  else process.env.LOUPE_HOME = savedHome;
  await rm(dir, { recursive: true, force: true });
});

function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [LOUPE, ...args], { env: { ...process.env, LOUPE_HOME: join(dir, 'home'), ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code, signal) => done({ code, signal, out, err }));
  });
}

async function journalOps(project: string): Promise<{ seq: number; op: string }[]> {
  const text = await readFile(join(project, 'journal.ndjson'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .map((e) => ({ seq: e.seq, op: e.op }));
}

describe('one writer per project', () => {
  it(
    'two imports into the same new project at once both land: entries 0 and 1, both tables in the manifest',
    { timeout: 300_000 },
    async () => {
      const project = join(dir, 'concurrent');
      const [one, two] = await Promise.all([
        run(['import', join(dir, 'a.csv'), '--project', project]),
        run(['import', join(dir, 'b.csv'), '--project', project]),
      ]);
      expect([one.code, two.code]).toEqual([0, 0]);
      // The second one said why it waited.
      expect(one.err + two.err).toMatch(/Projet en cours d’écriture par loupe import \(processus \d+/);
      expect((await journalOps(project)).map((e) => e.seq)).toEqual([0, 1]);
      const m = JSON.parse(await readFile(join(project, 'loupe.json'), 'utf8'));
      expect(m.sources.map((s: { table: string }) => s.table).sort()).toEqual(['a', 'b']);
      expect((await verifyJournalText(await readFile(join(project, 'journal.ndjson'), 'utf8'))).ok).toBe(true);
      expect(existsSync(join(project, LOCK_FILE))).toBe(false);
    },
  );

  it(
    'a writer that finds the project held by a live process waits a bounded time, then stops with who holds it',
    { timeout: 120_000 },
    async () => {
      const project = join(dir, 'held');
      expect((await loupe('import', join(dir, 'a.csv'), '--project', project)).code).toBe(0);
      const lock = await acquireProjectLock(project, { holder: 'Loupe (application)' });
      const before = await readFile(join(project, 'journal.ndjson'), 'utf8');
      process.env.LOUPE_LOCK_WAIT_MS = '300';
      try {
        const res = await loupe('import', join(dir, 'b.csv'), '--project', project);
        expect(res.code).toBe(1);
        expect(res.err).toMatch(
          new RegExp(`déjà ouvert en écriture par Loupe \\(application\\) \\(processus ${process.pid} sur ${hostname()}`),
        );
      } finally {
        delete process.env.LOUPE_LOCK_WAIT_MS;
        await lock.release();
      }
      expect(await readFile(join(project, 'journal.ndjson'), 'utf8')).toBe(before);
      expect(existsSync(join(project, LOCK_FILE))).toBe(false);
    },
  );

  it('a lock left by a process that died on this machine is taken over, and said so', { timeout: 120_000 }, async () => {
    const project = join(dir, 'stale');
    expect((await loupe('import', join(dir, 'a.csv'), '--project', project)).code).toBe(0);
    // Above Linux's largest pid (2^22): no live process has it.
    await writeFile(
      join(project, LOCK_FILE),
      JSON.stringify({ holder: 'loupe import', pid: 2 ** 22 + 12345, host: hostname(), at: '2024-01-01T00:00:00Z' }),
    );
    const res = await loupe('import', join(dir, 'b.csv'), '--project', project);
    expect(res.code).toBe(0);
    expect(res.err).toMatch(/Verrou abandonné repris : loupe import \(processus 4206649, arrêté\)/);
  });
});

describe('a kill at each write step leaves a project that opens', () => {
  for (const step of ['append:journal.ndjson', 'write:loupe.json']) {
    it(
      `killed at ${step}: the next writer takes the lock over, removes and reports the stray temporary file, and the project opens`,
      { timeout: 300_000 },
      async () => {
        const project = join(dir, `kill-${step.replace(/[^a-z]/g, '-')}`);
        expect((await loupe('import', join(dir, 'a.csv'), '--project', project)).code).toBe(0);
        const killed = await run(['import', join(dir, 'b.csv'), '--project', project], { LOUPE_TEST_STOP_AT: step });
        expect(killed.signal).toBe('SIGKILL');
        const left = await readdir(project);
        expect(left).toContain(LOCK_FILE);
        if (step.startsWith('write')) expect(left.some((f) => /^loupe\.json\.\d+\.\d+(\.[a-z0-9]{1,8})?\.tmp$/.test(f))).toBe(true);
        // A reader opens it as it was before the interrupted import.
        const tables = await loupe('tables', '--project', project);
        expect(tables.code).toBe(0);
        expect(tables.out).toMatch(/^a\t2\t/m);
        // The next writer cleans up after the dead one and goes on.
        const next = await loupe('import', join(dir, 'c.csv'), '--project', project);
        expect(next.err).toMatch(/Verrou abandonné repris/);
        if (step.startsWith('write'))
          expect(next.err).toMatch(/Écriture interrompue trouvée et supprimée : loupe\.json\.\d+\.\d+(\.[a-z0-9]{1,8})?\.tmp/);
        expect((await readdir(project)).filter((f) => f.endsWith('.tmp') || f === LOCK_FILE)).toEqual([]);
        expect((await loupe('tables', '--project', project)).out).toMatch(/^c\t4\t/m);
        // verify names what the kill lost instead of passing in silence.
        const verify = await loupe('verify', '--project', project);
        expect(verify.code).toBe(1);
        expect(verify.out + verify.err).toMatch(/tronquée|illisible|la table b/);
      },
    );
  }
});
