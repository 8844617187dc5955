// A crash in the middle of saving findings leaves the previous findings.json intact: a child process
// starts writing a large save and is killed (SIGKILL) while the temporary file is being written.
import { spawn } from 'node:child_process';
import { watch } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import '../../src/core/ops/all.ts';
import { createFinding, FINDINGS_FILE, updateFinding } from '../../src/core/findings/index.ts';
import { nodeFileResolver } from '../../src/node/node-source.ts';
import { NodeProjectStore } from '../../src/node/node-store.ts';
import { Session } from '../../src/core/project/session.ts';
import { openDiskSession, suite, withFreshEngine } from './helpers.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const t = suite(() => openDiskSession('loupe-findings-crash-', 'Crash'));

// The child saves through the same function the app uses, with a snapshot of ~150 MB.
const CHILD = (project: string) => `
import { readFindingsFile, writeFindingsFile } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/core/findings/findings.ts')).href)};
import { NodeProjectStore } from ${JSON.stringify(pathToFileURL(join(ROOT, 'src/node/node-store.ts')).href)};
const store = new NodeProjectStore(${JSON.stringify(project)});
const file = await readFindingsFile(store);
const cell = 'x'.repeat(100);
const rows = Array.from({ length: 300_000 }, (_, i) => [i, cell, cell, cell, cell]);
file.findings[0].title = 'Version qui ne doit jamais apparaître';
file.findings[0].evidence.push({ id: 'P-big', kind: 'snapshot', title: 'gros', createdAt: '', sha256: '0'.repeat(64), columns: [], rows, totalRows: rows.length, truncated: false, sql: [], journal: null, digest: null, sources: [] });
process.stdout.write('writing\\n');
await writeFindingsFile(store, file);
process.stdout.write('done\\n');
`;

it('keeps the previous findings.json when the saving process is killed mid-write', async () => {
  const project = join(t.dir, 'proj');
  const s = t.session;
  const f = await createFinding(s, { title: 'Régie : écart de caisse' }, { by: 'Alice' });
  await updateFinding(s, f.id, { effect: { text: 'Écart', amount: 1234.56 } }, { by: 'Alice' });
  const before = await readFile(join(project, FINDINGS_FILE), 'utf8');

  const script = join(t.dir, 'child.mts');
  await writeFile(script, CHILD(project));
  let sawTmp = false;
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // The temporary file appears when the write starts (open O_EXCL): kill right then.
  const watcher = watch(project, (_ev, name) => {
    if (!sawTmp && name && name.startsWith(FINDINGS_FILE) && name.endsWith('.tmp')) {
      sawTmp = true;
      child.kill('SIGKILL');
    }
  });
  const code = await new Promise<NodeJS.Signals | number | null>((res) => child.on('exit', (c, sig) => res(sig ?? c)));
  watcher.close();

  expect(err).toBe('');
  expect(out).toBe('writing\n');
  expect(code).toBe('SIGKILL');
  expect(sawTmp).toBe(true);
  // The half-written temporary file is there; findings.json is byte for byte the previous version.
  expect((await readdir(project)).some((n) => n.endsWith('.tmp'))).toBe(true);
  expect(await readFile(join(project, FINDINGS_FILE), 'utf8')).toBe(before);

  await withFreshEngine(async (engine2) => {
    const { session } = await Session.open(engine2, new NodeProjectStore(project), nodeFileResolver);
    const book = await session.findings();
    expect(book.get(f.id)).toMatchObject({ title: 'Régie : écart de caisse', effect: { amount: 1234.56 } });
    expect(book.get(f.id).evidence).toEqual([]);
    expect((await session.journal.verify()).ok).toBe(true);
  });
}, 120_000);
