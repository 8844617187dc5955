// The CLI as users run it (node src/cli/loupe.mjs): from its JavaScript build when that build is
// current, from the TypeScript sources otherwise — both must answer exactly as the CLI in-process.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStaleness } from '../../src/cli/cli-build.mjs';
import { listOperations } from '../../src/core/ops/all.ts';
import { loupe } from '../fixtures/cli.ts';

const repo = process.cwd();
// Inside the repository, so the build finds node_modules as dist-cli/ does.
const built = join(repo, 'node_modules', '.cache', `loupe-cli-test-${process.pid}`);
let dir: string;
const project = () => join(dir, 'projet');

function run(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, ['src/cli/loupe.mjs', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, LOUPE_HOME: join(dir, 'home'), LOUPE_CLI_OUT: built, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loupe-cli-build-'));
  process.env.LOUPE_HOME = join(dir, 'home');
  await writeFile(join(dir, 'marches.csv'), 'Titulaire;Montant;Année\r\nSociété A;1200,50;2023\r\nSociété B;80,00;2024\r\n');
  const imp = await loupe('import', join(dir, 'marches.csv'), '--copy', '--project', project());
  expect(imp.code).toBe(0);
  const { build } = await import('vite');
  const saved = process.env.LOUPE_CLI_OUT;
  process.env.LOUPE_CLI_OUT = built;
  try {
    await build({ configFile: join(repo, 'src/cli/vite.config.ts'), logLevel: 'silent' });
  } finally {
    if (saved === undefined) delete process.env.LOUPE_CLI_OUT;
    else process.env.LOUPE_CLI_OUT = saved;
  }
}, 240_000);

afterAll(async () => {
  delete process.env.LOUPE_HOME;
  await rm(dir, { recursive: true, force: true });
  await rm(built, { recursive: true, force: true });
});

describe('the CLI build', () => {
  it('lists the sources it was made from', () => {
    expect(existsSync(join(built, 'main.mjs'))).toBe(true);
    expect(existsSync(join(built, 'inputs.json'))).toBe(true);
    expect(buildStaleness(repo, built, { LOUPE_CLI: 'dist' })).toBeNull();
  });

  for (const mode of ['dist', 'src'] as const) {
    it(`answers loupe ops and loupe tables as the in-process CLI does (${mode === 'dist' ? 'build' : 'sources'})`, async () => {
      const ops = run(['ops'], { LOUPE_CLI: mode });
      expect(ops).toMatchObject({ code: 0, err: '' });
      expect(ops.out).toBe((await loupe('ops')).out);
      const ids = ops.out
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]);
      expect(ids).toEqual(listOperations().map((o) => o.id));

      const tables = run(['tables', '--project', project()], { LOUPE_CLI: mode });
      expect(tables).toMatchObject({ code: 0, err: '' });
      expect(tables.out).toMatch(/^marches\t2\t3 col\.\tmarches\.csv sha256:[0-9a-f]{12}\n$/);
      expect(tables.out).toBe((await loupe('tables', '--project', project())).out);
    });
  }

  it('refuses a project-less folder and exits, the engine started for it stopped', () => {
    const r = run(['tables', '--project', dir], { LOUPE_CLI: 'dist' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/aucun projet Loupe ici/);
  });
});

describe('when the build may run', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'loupe-cli-stale-'));
    await writeFile(join(root, 'a.ts'), 'export {};\n');
    await writeFile(join(root, 'inputs.json'), JSON.stringify({ builtAt: Date.now() + 60_000, files: ['a.ts'] }));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('runs the build while no source is newer, the sources once one is, or is gone, or no build exists', async () => {
    expect(buildStaleness(root, root, {})).toBeNull();
    const later = new Date(Date.now() + 120_000);
    await utimes(join(root, 'a.ts'), later, later);
    expect(buildStaleness(root, root, {})).toMatch(/a\.ts modifié depuis/);
    expect(buildStaleness(root, root, { LOUPE_CLI: 'dist' })).toBeNull();
    await rm(join(root, 'a.ts'));
    expect(buildStaleness(root, root, {})).toMatch(/a\.ts a disparu/);
    expect(buildStaleness(root, join(root, 'absent'), {})).toBe('pas encore construite');
    expect(buildStaleness(root, root, { LOUPE_CLI: 'src' })).toBe('LOUPE_CLI=src');
  });
});
