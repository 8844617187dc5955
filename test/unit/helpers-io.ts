// Setup shared by the unit tests that read and write files: the repository's own sources by name, a
// temporary folder holding given files, files imported into a disk session, a project reopened on an
// engine of its own; and the locks every window of the desktop shell must keep.
import type { WebPreferences } from 'electron';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.ts';
import type { FileResolver } from '../../src/core/ingest/source.ts';
import { Session } from '../../src/core/project/session.ts';
import type { ProjectStore } from '../../src/core/project/store.ts';
import { withFreshEngine, type DiskSession } from './helpers.ts';

type Files = Record<string, string | Uint8Array>;

/** Every file under `dir`, at any depth, whose name matches `name`, as a path starting with `dir`. */
export function filesUnder(dir: string, name: RegExp): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && name.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** A fresh temporary folder named after `prefix`, holding `files` (name → content). */
export async function tempDirWith(prefix: string, files: Files): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  return dir;
}

/** Writes `files` in the session's folder and imports them in order; the table each one made, by file name. */
export async function importFiles(t: DiskSession, files: Files): Promise<Record<string, string>> {
  const tables: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(t.dir, name), content);
    const res = await t.session.importPath(join(t.dir, name));
    tables[name] = res.table ?? res.tables?.[0] ?? '';
  }
  return tables;
}

/** Reopens the project in `store` on an engine of its own, checks it reopened without a problem, and hands it to `check`. */
export async function reopened(
  store: ProjectStore,
  files: FileResolver,
  check: (again: Session, engine: Engine) => Promise<void> | void,
): Promise<void> {
  await withFreshEngine(async (engine) => {
    const { session, problems } = await Session.open(engine, store, files);
    expect(problems).toEqual([]);
    await check(session, engine);
  });
}

/** What every window of the shell keeps, the app's as the print window's: an isolated, sandboxed renderer without Node. */
export const LOCKED_RENDERER: WebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webviewTag: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  // The spellchecker would download dictionaries.
  spellcheck: false,
};
